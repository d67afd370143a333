"""docs/evolution.md runs as written, and prints what its comments say."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PAGE = (ROOT / "docs" / "evolution.md").read_text()


def _blocks() -> list[str]:
    return re.findall(r"```python\n(.*?)```", PAGE, re.DOTALL)


def _promised(code: str) -> list[str]:
    """The output a block's comments promise: ``print(...)  # x`` or a ``# x`` line after it."""
    lines = code.splitlines()
    promised = []
    for index, line in enumerate(lines):
        if not line.startswith("print("):
            continue
        trailing = re.search(r"\)\s+# (.*)$", line)
        text = trailing.group(1) if trailing else None
        if text is None and index + 1 < len(lines) and lines[index + 1].startswith("# "):
            text = lines[index + 1][2:]
        if text is not None and "..." not in text:
            promised.append(text)
    return promised


def test_the_page_runs_and_prints_what_it_promises(tmp_path: Path) -> None:
    blocks = _blocks()
    assert len(blocks) >= 4
    code = "\n".join(blocks)
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    printed = done.stdout.splitlines()
    promised = [text for block in blocks for text in _promised(block)]
    assert len(promised) >= 4
    for text in promised:
        assert text in printed, f"{text!r} not printed; got {printed}"


def test_the_page_links_its_adr() -> None:
    for link in re.findall(r"\]\((adr/[^)]*)\)", PAGE):
        assert (ROOT / "docs" / link).exists(), link
