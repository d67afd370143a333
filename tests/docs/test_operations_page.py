"""docs/operations.md: its tracing example runs and prints what the page says."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PAGE = (ROOT / "docs" / "operations.md").read_text()


def test_the_tracing_example_prints_what_the_page_says(tmp_path: Path) -> None:
    code = re.search(r"<!-- example -->\s*```python\n(.*?)```", PAGE, re.DOTALL)
    printed = re.search(r"It prints:\s*```\n(.*?)```", PAGE, re.DOTALL)
    assert code
    assert printed
    done = subprocess.run(
        [sys.executable, "-c", code.group(1)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == printed.group(1)


def test_the_page_keeps_the_web_console_section() -> None:
    assert "\n## Web console\n" in PAGE
