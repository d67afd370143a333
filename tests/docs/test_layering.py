"""Layering over every package of ``src/fabula``: who may import whom, and only publicly.

Rules (docs/architecture.md draws them):

1. A package (``fabula.<layer>``) imports another package only through its public names:
   never a ``_private`` module of it, at any depth (``fabula.store.sqlite._driver``).
   Private modules at the top (``fabula._errors``, ``fabula._json``, ``fabula._ids``) are
   shared leaves that every layer may import, and so are the plumbing packages
   (``fabula._postgres``: one database's settings, errors and pool guard).
2. A package imports only the layers listed for it in ``MAY_IMPORT``.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SRC = ROOT / "src" / "fabula"

SHARED_LEAVES = frozenset(p.stem for p in SRC.glob("_*.py") if p.stem != "__init__")

EVERYTHING = frozenset(
    {"domain", "codec", "store", "app", "read", "flows", "evolution", "integration", "fabula"}
)
MAY_IMPORT: dict[str, frozenset[str]] = {
    "domain": frozenset(),
    "_postgres": frozenset(),
    "store": frozenset(),
    "codec": frozenset({"domain", "store"}),  # typed events <-> the store's records
    "app": frozenset({"domain", "codec", "store"}),
    "read": frozenset({"domain", "codec", "store"}),
    "flows": frozenset({"domain", "codec", "store", "app", "read"}),
    "evolution": frozenset({"domain", "codec", "store", "app"}),
    "integration": frozenset({"domain", "codec", "store", "app", "read", "flows"}),
    "testing": EVERYTHING,
    "otel": frozenset(),  # the telemetry leaf and opentelemetry only
    "logs": frozenset(),
    "cli": EVERYTHING | {"web", "logs"},
    "web": EVERYTHING,
}

# Shared plumbing packages: a database's connection, settings and error mapping, which the
# store and the read side both need (DESIGN.md). Any layer may import them; they import
# only the shared leaves.
PLUMBING = frozenset({"_postgres"})
SHARED = SHARED_LEAVES | PLUMBING


def _layer(path: Path) -> str:
    parts = path.relative_to(SRC).parts
    return parts[0] if len(parts) > 1 else "fabula"


def _package(path: Path) -> list[str]:
    parts = ["fabula", *path.relative_to(SRC).with_suffix("").parts]
    return parts if parts[-1] == "__init__" else parts[:-1]


def _imported(path: Path) -> set[str]:
    """Every dotted name the module imports (for ``from m import n``: ``m`` and ``m.n``)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                package = _package(path)
                package = package[: len(package) - (node.level - 1)]
                base = ".".join([*package, base] if base else package)
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return {name for name in found if name == "fabula" or name.startswith("fabula.")}


def _private_across(path: Path) -> set[str]:
    layer = _layer(path)
    bad = set()
    for name in _imported(path):
        parts = name.split(".")
        if len(parts) < 2 or parts[1] == layer:
            continue
        if parts[1] in SHARED:
            continue
        private = [i for i, part in enumerate(parts) if part.startswith("_") and i > 0]
        if private and not parts[private[0]].startswith("__"):
            bad.add(".".join(parts[: private[0] + 1]))
    return bad


def _sources() -> list[Path]:
    return sorted(SRC.rglob("*.py"))


def test_the_layer_table_names_every_package() -> None:
    packages = {p.name for p in SRC.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    assert packages == set(MAY_IMPORT)


def test_no_package_imports_another_packages_private_module() -> None:
    found = {
        (str(path.relative_to(SRC)), name)
        for path in _sources()
        if _layer(path) != "fabula"
        for name in _private_across(path)
    }
    assert not found, f"private modules imported across packages: {sorted(found)}"


def test_every_layer_imports_only_what_it_may() -> None:
    wrong = []
    for path in _sources():
        layer = _layer(path)
        if layer == "fabula":
            continue
        for name in _imported(path):
            parts = name.split(".")
            other = parts[1] if len(parts) > 1 else "fabula"
            if other in (layer, *SHARED) or other in MAY_IMPORT[layer]:
                continue
            if other not in MAY_IMPORT and other != "fabula":
                continue  # a module of the package itself, e.g. ``fabula.__main__``
            wrong.append(f"{path.relative_to(SRC)} imports {name}")
    assert not wrong, "\n".join(sorted(wrong))


def test_the_architecture_page_names_every_folder() -> None:
    page = (ROOT / "docs" / "architecture.md").read_text()
    folders = [
        p for p in [*SRC.iterdir(), *(SRC / "read").iterdir()] if (p / "__init__.py").exists()
    ]
    missing = [p.name for p in folders if f"{p.name}/" not in page]
    assert not missing, f"docs/architecture.md does not draw {missing}"
    for layer, allowed in MAY_IMPORT.items():
        assert f"`{layer}/`" in page, f"docs/architecture.md has no row for {layer}/ ({allowed})"
