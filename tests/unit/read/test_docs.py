"""docs/projections.md: its example runs and prints what the page says."""

from __future__ import annotations

import re
from pathlib import Path

from tests.docs.pages import ROOT, assert_example_prints

PAGE = (ROOT / "docs" / "projections.md").read_text()


def test_the_example_prints_what_the_page_says(tmp_path: Path) -> None:
    assert_example_prints(PAGE, tmp_path)


def test_every_cli_command_on_the_page_exists() -> None:
    from fabula.cli import _projections

    source = Path(_projections.__file__).read_text()
    for command in re.findall(r"^fabula projections (\w+)", PAGE, re.MULTILINE):
        assert f'"{command}"' in source, command
