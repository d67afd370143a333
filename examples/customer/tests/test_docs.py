"""docs/examples.md: the customer's forget example runs and prints what the page says."""

from __future__ import annotations

from tests.docs.pages import ROOT, assert_example_prints


def test_the_customer_example_prints_what_the_guide_says() -> None:
    page = (ROOT / "docs" / "examples.md").read_text()
    assert_example_prints(page, ROOT)  # run from the checkout: ``examples`` imports
