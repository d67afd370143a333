"""The public surface: sorted and complete ``__all__``, docstrings, layering rules."""

from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

import fabula

ROOT = Path(__file__).resolve().parents[2]
SRC = ROOT / "src" / "fabula"
PUBLIC_PACKAGES = sorted(
    {"fabula"}
    | {
        info.name
        for info in pkgutil.walk_packages(fabula.__path__, "fabula.")
        if info.ispkg and not any(part.startswith("_") for part in info.name.split("."))
    }
)


def _load(name: str) -> object:
    try:
        return importlib.import_module(name)
    except ImportError as exc:  # an optional driver that is not installed
        pytest.skip(f"{name} needs an optional dependency: {exc}")


def _isort_key(name: str) -> tuple[int, str]:
    """Constants, then classes, then functions: the order ruff's RUF022 keeps."""
    kind = 0 if name.isupper() else 1 if name[:1].isupper() else 2
    return kind, name


@pytest.mark.parametrize("name", PUBLIC_PACKAGES)
def test_all_is_sorted_and_names_exist(name: str) -> None:
    module = _load(name)
    exported = list(getattr(module, "__all__", []))
    assert exported == sorted(exported, key=_isort_key), f"{name}.__all__ is not sorted"
    missing = [n for n in exported if not hasattr(module, n)]
    assert not missing, f"{name}.__all__ names missing attributes: {missing}"


@pytest.mark.parametrize("name", PUBLIC_PACKAGES)
def test_every_public_name_has_a_docstring(name: str) -> None:
    module = _load(name)
    assert inspect.getdoc(module), f"{name} has no module docstring"
    undocumented = [
        n
        for n in getattr(module, "__all__", [])
        if (inspect.isclass(getattr(module, n)) or inspect.isfunction(getattr(module, n)))
        and not inspect.getdoc(getattr(module, n))
    ]
    assert not undocumented, f"{name}: no docstring on {undocumented}"


def test_top_level_names_show_as_fabula() -> None:
    assert fabula.Flow.__module__ == "fabula"
    assert repr(fabula.Aggregate).startswith("<class 'fabula.")


def _imports(path: Path) -> set[str]:
    found: set[str] = set()
    tree = ast.parse(path.read_text())
    # What only type checkers import (under ``if TYPE_CHECKING:``) costs nothing at run time.
    for guard in [n for n in ast.walk(tree) if isinstance(n, ast.If)]:
        if isinstance(guard.test, ast.Name) and guard.test.id == "TYPE_CHECKING":
            guard.body = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def test_domain_imports_only_the_stdlib_and_itself() -> None:
    stdlib = set(sys.stdlib_module_names)
    for path in (SRC / "domain").rglob("*.py"):
        for module in _imports(path):
            top = module.split(".")[0]
            allowed = (
                top in stdlib
                or module.startswith("fabula.domain")
                or module == "fabula._errors"
                or top == "__future__"
            )
            assert allowed, f"{path.relative_to(ROOT)} imports {module}"


def test_store_never_imports_the_upper_layers() -> None:
    for path in (SRC / "store").rglob("*.py"):
        for module in _imports(path):
            for layer in ("fabula.app", "fabula.read", "fabula.flows", "fabula.cli", "fabula.web"):
                assert not module.startswith(layer), f"{path.relative_to(ROOT)} imports {module}"


def test_generated_sync_modules_are_current() -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "unasync.py"), "--check"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
