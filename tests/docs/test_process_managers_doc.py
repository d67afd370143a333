"""docs/process-managers.md: its example runs and prints what the page says."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PAGE = (ROOT / "docs" / "process-managers.md").read_text()


def test_the_example_prints_what_the_page_says() -> None:
    code = re.search(r"<!-- example -->\s*```python\n(.*?)```", PAGE, re.DOTALL)
    printed = re.search(r"It prints:\s*```\n(.*?)```", PAGE, re.DOTALL)
    assert code
    assert printed
    done = subprocess.run(
        [sys.executable, "-c", code.group(1)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == printed.group(1)
