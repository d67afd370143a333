"""Run a docs page's marked example and compare its output with what the page says it prints."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

__all__ = ["ROOT", "assert_example_prints"]

ROOT = Path(__file__).resolve().parents[2]


def assert_example_prints(page: str, cwd: Path) -> None:
    """Run the page's ``<!-- example -->`` block in ``cwd``; it prints the "It prints:" block."""
    code = re.search(r"<!-- example -->\s*```python\n(.*?)```", page, re.DOTALL)
    printed = re.search(r"It prints:\s*```\n(.*?)```", page, re.DOTALL)
    assert code
    assert printed
    done = subprocess.run(
        [sys.executable, "-c", code.group(1)],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == printed.group(1)
