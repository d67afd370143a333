"""``fabula demo`` and ``fabula serve`` find the example apps in a checkout, never elsewhere."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from fabula.cli import main

ROOT = Path(__file__).resolve().parents[3]


def test_from_a_folder_without_the_examples(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["demo", "--db", str(tmp_path / "d.db"), "--from", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"fabula demo: no examples.todo under {tmp_path}: ")
    assert "not in the wheel" in err
    assert not (tmp_path / "d.db").exists()


def test_a_users_own_examples_package_is_not_taken_for_fabulas(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "examples").mkdir()
    (tmp_path / "examples" / "__init__.py").write_text('"""Mine."""\n')
    assert main(["serve", "bank", "--from", str(tmp_path)]) == 2
    assert "no examples.bank.app under" in capsys.readouterr().err


def test_an_examples_package_imported_from_elsewhere_is_refused(tmp_path: Path) -> None:
    (tmp_path / "examples").mkdir()
    (tmp_path / "examples" / "__init__.py").write_text('"""Mine."""\n')
    code = (
        f"import sys; sys.path.insert(0, {str(tmp_path)!r}); import examples; "
        "from fabula.cli import main; "
        f"sys.exit(main(['demo', '--db', 'd.db', '--from', {str(ROOT)!r}]))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 2
    mine = tmp_path.resolve() / "examples" / "__init__.py"
    assert f"the examples package in use is {mine}, not the one in the checkout" in done.stderr


def test_the_checkout_is_found_from_any_directory(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "fabula", "demo", "--db", "d.db"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert "state of todo-demo-1 at version 5" in done.stdout
