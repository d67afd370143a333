"""docs/workflows.md: its example runs and prints what the page says."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run_page_example(page: str, cwd: Path, env: dict[str, str] | None = None) -> None:
    """Run the ``<!-- example -->`` block of ``docs/<page>``; check it prints the page's output."""
    text = (ROOT / "docs" / page).read_text()
    code = re.search(r"<!-- example -->\s*```python\n(.*?)```", text, re.DOTALL)
    printed = re.search(r"It prints:\s*```\n(.*?)```", text, re.DOTALL)
    assert code
    assert printed
    done = subprocess.run(
        [sys.executable, "-c", code.group(1)],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
        env=env,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == printed.group(1)


def test_the_workflows_example_prints_what_the_page_says(tmp_path: Path) -> None:
    run_page_example("workflows.md", tmp_path)


def test_the_pages_links_point_at_files() -> None:
    for page in ("workflows.md", "integration.md"):
        text = (ROOT / "docs" / page).read_text()
        for link in re.findall(r"\]\(([^)#:]+)\)", text):
            assert (ROOT / "docs" / link).exists(), f"{page} links to missing {link}"
