"""Assertions for the conformance checks that survive ``python -O`` and explain themselves.

A check fails with an ``AssertionError`` whose message names the contract point, what
the store did and what the contract wants.
"""

from __future__ import annotations

from types import TracebackType
from typing import Generic, TypeVar

__all__ = ["expect", "expect_equal", "raises"]

ErrorT = TypeVar("ErrorT", bound=BaseException)


def expect(condition: bool, message: str) -> None:  # noqa: FBT001
    """Fail with ``message`` unless ``condition`` holds."""
    if not condition:
        raise AssertionError(message)


def expect_equal(actual: object, expected: object, what: str) -> None:
    """Fail unless ``actual == expected``, showing both."""
    if actual != expected:
        msg = f"{what}:\n  got:  {actual!r}\n  want: {expected!r}"
        raise AssertionError(msg)


class _Raises(Generic[ErrorT]):
    """Context manager behind ``raises``: holds the caught error."""

    def __init__(self, error_type: type[ErrorT], what: str) -> None:
        self._error_type = error_type
        self._what = what
        self._error: ErrorT | None = None

    @property
    def error(self) -> ErrorT:
        """The error that was raised in the block."""
        if self._error is None:
            msg = "raises(): the block has not raised yet"
            raise RuntimeError(msg)
        return self._error

    def __enter__(self) -> _Raises[ErrorT]:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> bool:
        wanted = self._error_type.__name__
        if exc is None:
            msg = f"{self._what}: expected {wanted}, but nothing was raised"
            raise AssertionError(msg)
        if isinstance(exc, self._error_type):
            self._error = exc
            return True
        if isinstance(exc, AssertionError | KeyboardInterrupt | SystemExit):
            return False
        msg = f"{self._what}: expected {wanted}, but got {type(exc).__name__}: {exc}"
        raise AssertionError(msg) from exc


def raises(error_type: type[ErrorT], what: str) -> _Raises[ErrorT]:
    """Expect the block to raise ``error_type``; the result's ``error`` holds it.

    Any other exception fails the check, naming what was expected.
    """
    return _Raises(error_type, what)
