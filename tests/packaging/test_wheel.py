"""The wheel: ``fabula`` only (no examples, no tests), and usable without a checkout.

The wheel is built from a clean copy of the tree, so stale ``build/`` folders (setuptools
reuses ``build/lib``) cannot hide or add files. It is then unpacked on ``PYTHONPATH``, ahead
of the editable install, to run ``fabula demo`` as a user of the wheel would.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SKIP = (".git", ".venv", "build", "dist", "*.egg-info", "__pycache__", ".*_cache", ".hypothesis")


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = tmp_path_factory.mktemp("wheel")
    tree = work / "tree"
    shutil.copytree(ROOT, tree, ignore=shutil.ignore_patterns(*SKIP, "*.db"))
    command = [sys.executable, "-m", "pip", "wheel", str(tree), "--no-deps", "-q", "-w", str(work)]
    subprocess.run(command, check=True, capture_output=True, timeout=240)
    [built] = work.glob("fabula-*.whl")
    return built


@pytest.fixture(scope="module")
def unpacked(wheel: Path) -> Path:
    site = wheel.parent / "site"
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(site)
    return site


def test_the_wheel_holds_fabula_only(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    assert {name.split("/")[0] for name in names} == {"fabula", "fabula-0.1.0.dist-info"}
    assert not [name for name in names if "/tests/" in name or "conftest" in name]
    assert {"fabula/py.typed", "fabula/cli/_examples.py"} <= set(names)
    assert any(name.endswith(".sql") for name in names)


def python(site: Path, cwd: Path, *argv: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(site)}
    command = [sys.executable, *argv]
    return subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=120)


def fabula(site: Path, cwd: Path, *argv: str) -> subprocess.CompletedProcess[str]:
    return python(site, cwd, "-m", "fabula", *argv)


def test_the_wheel_runs_the_demo_from_a_checkout_only(unpacked: Path, tmp_path: Path) -> None:
    where = python(unpacked, tmp_path, "-c", "import fabula; print(fabula.__file__)")
    assert where.stdout.startswith(str(unpacked)), where.stderr
    alone = fabula(unpacked, tmp_path, "demo", "--db", "d.db")
    assert alone.returncode == 2
    assert "fabula demo: no examples.todo under " in alone.stderr
    assert "not in the wheel" in alone.stderr
    served = fabula(unpacked, tmp_path, "serve", "bank")
    assert served.returncode == 2
    assert "no examples.bank.app under" in served.stderr
    checkout = fabula(unpacked, tmp_path, "demo", "--db", "d.db", "--from", str(ROOT))
    assert checkout.returncode == 0, checkout.stderr
    assert "state of todo-demo-1 at version 5" in checkout.stdout
