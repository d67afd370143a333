"""Find the example apps of a fabula checkout for ``fabula demo`` and ``fabula serve``.

The wheel ships ``fabula`` only (ADR 0006): the example apps live in the source tree's
``examples/`` package. Rules:

1. ``--from DIR`` names the checkout (the folder holding ``examples/``); without it, the
   checkout fabula runs from (an editable install), then the current directory.
2. A folder counts only if it holds the wanted module's file, so a user's own
   ``examples`` package is never mistaken for fabula's.
3. The module must come from that folder: an ``examples`` package imported from
   elsewhere first is refused, not used.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from pathlib import Path
from types import ModuleType

__all__ = ["ExamplesNotFound", "add_source_argument", "import_example"]


class ExamplesNotFound(LookupError):
    """The example apps are not where the command looked (they are not in the wheel)."""


def add_source_argument(parser: argparse.ArgumentParser) -> None:
    """Add ``--from DIR``, the fabula checkout whose ``examples/`` to use."""
    parser.add_argument(
        "--from",
        dest="source",
        type=Path,
        metavar="DIR",
        help="a fabula checkout, the folder holding examples/ (default: the checkout fabula "
        "is installed from in editable mode, else the current directory)",
    )


def import_example(module: str, source: Path | None) -> ModuleType:
    """Import ``module`` (``examples.<app>...``) from a checkout.

    Raises:
        ExamplesNotFound: no candidate folder holds the module, or an ``examples``
            package from elsewhere was imported first.
    """
    relative = Path(*module.split("."))
    files = (relative.with_suffix(".py"), relative / "__init__.py")
    candidates = [source] if source is not None else _default_roots()
    for root in candidates:
        if any((root / file).is_file() for file in files):
            return _import_from(module, root.resolve())
    looked = " or ".join(str(root) for root in candidates)
    msg = (
        f"no {module} under {looked}: the example apps live in fabula's source tree, not "
        f"in the wheel. Run this in a fabula checkout or pass --from DIR."
    )
    raise ExamplesNotFound(msg)


def _default_roots() -> list[Path]:
    package = Path(__file__).resolve().parents[1]
    if package.parent.name == "src":  # <checkout>/src/fabula: an editable install
        return [package.parent.parent, Path.cwd()]
    return [Path.cwd()]


def _import_from(module: str, root: Path) -> ModuleType:
    if str(root) not in sys.path:
        sys.path.insert(0, str(root))
    top = module.partition(".")[0]
    package = importlib.import_module(top)
    origin = Path(package.__file__ or "").resolve()
    if not origin.is_relative_to(root):
        msg = f"the {top} package in use is {origin}, not the one in the checkout {root}"
        raise ExamplesNotFound(msg)
    return importlib.import_module(module)
