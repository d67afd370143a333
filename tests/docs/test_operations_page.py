"""docs/operations.md: its tracing example runs and prints what the page says."""

from __future__ import annotations

from pathlib import Path

from tests.docs.pages import ROOT, assert_example_prints

PAGE = (ROOT / "docs" / "operations.md").read_text()


def test_the_tracing_example_prints_what_the_page_says(tmp_path: Path) -> None:
    assert_example_prints(PAGE, tmp_path)


def test_the_page_keeps_the_web_console_section() -> None:
    assert "\n## Web console\n" in PAGE
