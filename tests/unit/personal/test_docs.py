"""docs/personal-data.md: its example runs and prints what the page says."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
PAGE = (ROOT / "docs" / "personal-data.md").read_text()


def test_the_example_prints_what_the_page_says(tmp_path: Path) -> None:
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


def test_every_cli_command_on_the_page_exists() -> None:
    from fabula.cli import main

    for line in re.findall(r"^fabula (personal \w+|events) ", PAGE, re.MULTILINE):
        with pytest.raises(SystemExit) as exited:
            main([*line.split(), "--help"])
        assert exited.value.code == 0, line
