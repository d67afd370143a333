"""docs/lifecycle.md: its example runs and prints what the page says; its commands exist."""

from __future__ import annotations

import re
from pathlib import Path

from tests.docs.pages import ROOT, assert_example_prints

PAGE = (ROOT / "docs" / "lifecycle.md").read_text()


def test_the_example_prints_what_the_page_says(tmp_path: Path) -> None:
    assert_example_prints(PAGE, tmp_path)


def test_every_cli_command_on_the_page_parses() -> None:
    from fabula.cli._main import build_parser

    parser = build_parser()
    commands = re.findall(r"^fabula (stream.*?)(?:\s+#.*)?$", PAGE, re.MULTILINE)
    assert len(commands) == 7
    for command in commands:
        parser.parse_args(command.split())
