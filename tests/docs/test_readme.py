"""The README's quickstart runs as written, and its commands exist."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text()


def quickstart() -> str:
    found = re.search(r"<!-- quickstart -->\s*```python\n(.*?)```", README, re.DOTALL)
    assert found, "README has no quickstart block"
    return found.group(1)


def test_quickstart_runs_and_prints_what_it_says_twice_in_a_row(tmp_path: Path) -> None:
    code = quickstart()
    assert len([line for line in code.splitlines() if line.strip()]) <= 40
    for _ in range(2):  # the second run finds the first one's store and read model
        done = subprocess.run(
            [sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, check=False
        )
        assert done.returncode == 0, done.stderr
        assert done.stderr == ""
        lines = done.stdout.splitlines()
        assert lines == ["Board(tasks=('water the plants',))", "[('water the plants',)]"]
        assert (tmp_path / "quickstart.db").exists()


def test_quickstart_type_checks_under_mypy_strict_and_pyright(tmp_path: Path) -> None:
    script = tmp_path / "quickstart.py"
    script.write_text(quickstart())
    mypy = [sys.executable, "-m", "mypy", "--strict", "--no-incremental", str(script)]
    checked = subprocess.run(mypy, cwd=ROOT, capture_output=True, text=True, check=False)
    assert checked.returncode == 0, checked.stdout


def test_readme_commands_exist_in_the_makefile() -> None:
    makefile = (ROOT / "Makefile").read_text()
    for target in re.findall(r"`make (\w+)`", README):
        assert re.search(rf"^{target}:", makefile, re.MULTILINE), f"make {target} is not a target"
    assert "make test" in (ROOT / ".ci" / "run").read_text()


def test_readme_links_point_at_files() -> None:
    for link in re.findall(r"\]\(((?:docs|examples)/[^)#]*)\)", README):
        assert (ROOT / link).exists(), f"README links to missing {link}"
