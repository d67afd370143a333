"""docs/personal-data.md: its example runs and prints what the page says."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.docs.pages import ROOT, assert_example_prints

PAGE = (ROOT / "docs" / "personal-data.md").read_text()


def test_the_example_prints_what_the_page_says(tmp_path: Path) -> None:
    assert_example_prints(PAGE, tmp_path)


def test_every_cli_command_on_the_page_exists() -> None:
    from fabula.cli import main

    for line in re.findall(r"^fabula (personal \w+|events) ", PAGE, re.MULTILINE):
        with pytest.raises(SystemExit) as exited:
            main([*line.split(), "--help"])
        assert exited.value.code == 0, line


def test_the_stream_subject_example_prints_what_the_page_says(tmp_path: Path) -> None:
    section = PAGE.split("<!-- example: stream -->", 1)[1]
    assert_example_prints("<!-- example -->" + section, tmp_path)
