# Generated from _runner_async.py by tools/unasync.py: do not edit, edit the source.
"""Run target checks against a kit, collecting every failure."""

from __future__ import annotations

from collections.abc import Iterable

from fabula.testing.conformance.targets._kit import TargetKit
from fabula.testing.conformance.targets._suite import CHECKS, TargetCheck

__all__ = ["run_checks"]


def run_checks(kit: TargetKit, /, *, checks: Iterable[TargetCheck] = CHECKS) -> None:
    """Run every check (by default the whole suite) against the kit's target.

    Raises:
        ExceptionGroup: one or more checks failed; each error carries a note naming its check.
    """
    failures: list[Exception] = []
    for check in checks:
        try:
            check(kit)
        except Exception as exc:
            exc.add_note(f"target conformance check {check.__name__} failed")
            failures.append(exc)
    if failures:
        msg = f"{len(failures)} target conformance check(s) failed"
        raise ExceptionGroup(msg, failures)
