"""Append preconditions: what the writer expects of the stream before its events go in."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeAlias

from fabula._errors import ConcurrencyError, StreamNotFound

__all__ = [
    "ANY_VERSION",
    "NO_STREAM",
    "STREAM_EXISTS",
    "AnyVersion",
    "ExpectedVersion",
    "NoStream",
    "Precondition",
    "StreamExists",
    "check",
]


@dataclass(frozen=True, slots=True)
class NoStream:
    """The stream must not exist yet (it has no events)."""

    def __str__(self) -> str:
        return "no stream"


@dataclass(frozen=True, slots=True)
class StreamExists:
    """The stream must already have at least one event."""

    def __str__(self) -> str:
        return "an existing stream"


@dataclass(frozen=True, slots=True)
class ExpectedVersion:
    """The stream must be exactly at ``version`` (0 means: no events yet)."""

    version: int

    def __str__(self) -> str:
        return f"version {self.version}"


@dataclass(frozen=True, slots=True)
class AnyVersion:
    """No expectation: append whatever the stream's version."""

    def __str__(self) -> str:
        return "any version"


Precondition: TypeAlias = NoStream | StreamExists | ExpectedVersion | AnyVersion

NO_STREAM = NoStream()
STREAM_EXISTS = StreamExists()
ANY_VERSION = AnyVersion()


def check(precondition: Precondition, stream_id: str, current: int) -> None:
    """Raise if a stream at version ``current`` does not meet ``precondition``.

    Raises:
        ConcurrencyError: the stream exists when it must not, or is at another version.
        StreamNotFound: the stream must exist and does not.
    """
    match precondition:
        case AnyVersion():
            return
        case NoStream():
            if current != 0:
                raise ConcurrencyError(stream_id, str(precondition), current)
        case StreamExists():
            if current == 0:
                raise StreamNotFound(stream_id)
        case ExpectedVersion(version=version):
            if current != version:
                raise ConcurrencyError(stream_id, str(precondition), current)
