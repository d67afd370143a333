"""docs/integration.md: its example runs against the real NATS server and prints what it says."""

from __future__ import annotations

import os
from pathlib import Path

from tests.docs.test_workflows_page import run_page_example


def test_the_integration_example_prints_what_the_page_says(tmp_path: Path, nats_url: str) -> None:
    run_page_example("integration.md", tmp_path, env={**os.environ, "NATS_URL": nats_url})
