"""Schema evolution tools: check a store against the current code, copy it transformed.

- ``check_store`` / ``check_async_store``: decode every stored event and snapshot with
  the current code, page by page; a ``CheckReport`` groups what fails.
- ``copy_store`` / ``copy_async_store``: copy a store into an empty one through a
  ``Transform`` (drop, rewrite, rename), verifying counts and checksums.
- ``CurrentCode`` / ``load_code``: the registry and deciders they decode with
  (``--app package.module:name`` on the command line).

See docs/evolution.md.
"""

from fabula.evolution._check import check_store
from fabula.evolution._check_async import check_async_store
from fabula.evolution._code import CurrentCode, load_code
from fabula.evolution._copy import copy_store
from fabula.evolution._copy_async import copy_async_store
from fabula.evolution._copy_base import CopyMismatch, CopyReport, DestinationNotEmpty, Transform
from fabula.evolution._report import CheckReport, Problem, ProblemKind, Progress, Where

__all__ = [
    "CheckReport",
    "CopyMismatch",
    "CopyReport",
    "CurrentCode",
    "DestinationNotEmpty",
    "Problem",
    "ProblemKind",
    "Progress",
    "Transform",
    "Where",
    "check_async_store",
    "check_store",
    "copy_async_store",
    "copy_store",
    "load_code",
]
