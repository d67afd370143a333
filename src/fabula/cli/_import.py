"""``fabula import``: load events in bulk from a JSON-lines file or another store.

A file is read twice: first checked whole (only line numbers are kept), so a malformed
line stores nothing, then imported as it is read (standard input is held in memory). A
refusal by the target (a version out of place, an id stored already) stops at that
line's chunk, the chunks before it stored (``fabula.store._import``).
"""

from __future__ import annotations

import argparse
import sys
import time
from array import array
from collections.abc import Callable, Iterable, Iterator
from typing import Protocol

import msgspec

from fabula._errors import ConfigurationError, ImportRefused
from fabula.store import EventStore, ImportedEvent, ImportResult, StoredEvent, open_store

__all__ = ["parse_lines", "register"]


class _Importer(Protocol):
    def import_events(
        self,
        events: Iterator[ImportedEvent] | list[ImportedEvent],
        /,
        *,
        chunk_size: int = ...,
        progress: Callable[[int], object] | None = ...,
    ) -> ImportResult: ...


class _Line(msgspec.Struct, forbid_unknown_fields=False):
    stream_id: str
    version: int
    event_id: str
    type: str
    data: msgspec.Raw
    schema_version: int = 1
    metadata: msgspec.Raw = msgspec.Raw(b"{}")
    causation_id: str | None = None
    correlation_id: str | None = None
    recorded_at: str | None = None


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``import`` subcommand."""
    parser = commands.add_parser(
        "import",
        help="load events in bulk from a JSON-lines file or another store",
        description="Load events in bulk into a store, one transaction per chunk. Each line "
        'of FILE is an event: {"stream_id", "version", "event_id", "type", "data"} and '
        'optionally "schema_version", "metadata", "causation_id", "correlation_id", '
        '"recorded_at" (ISO 8601). Positions follow the input order.',
    )
    parser.add_argument("url", help="the target store's URL, e.g. sqlite:///app.db")
    parser.add_argument("file", nargs="?", help="a JSON-lines file ('-' for stdin)")
    parser.add_argument("--from", dest="source", help="copy every event of this store instead")
    parser.add_argument("--chunk", type=int, default=10_000, help="events per transaction")
    parser.set_defaults(run=_run)


def parse_lines(lines: Iterable[str]) -> Iterator[tuple[int, ImportedEvent]]:
    """Parse JSON lines into import records with their line numbers (blank lines skipped).

    Raises:
        ImportRefused: at the first malformed line, by number.
    """
    decoder = msgspec.json.Decoder(_Line)
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            item = decoder.decode(line)
            event = msgspec.convert(
                {
                    "stream_id": item.stream_id,
                    "version": item.version,
                    "event_id": item.event_id,
                    "type": item.type,
                    "data": bytes(item.data).decode(),
                    "schema_version": item.schema_version,
                    "metadata": bytes(item.metadata).decode(),
                    "causation_id": item.causation_id,
                    "correlation_id": item.correlation_id,
                    "recorded_at": item.recorded_at,
                },
                ImportedEvent,
                strict=False,
            )
        except (msgspec.ValidationError, msgspec.DecodeError) as exc:
            raise ImportRefused(number, 0, f"not an event: {exc}") from exc
        yield number, event


def _run(args: argparse.Namespace) -> int:
    if (args.file is None) == (args.source is None):
        msg = "give a FILE or --from SOURCE_URL (one of them)"
        raise ConfigurationError(msg)
    target = open_store(args.url)
    try:
        importer = _importer(target)
        progress = _Progress() if sys.stderr.isatty() else None
        if args.source is not None:
            result = _from_store(importer, args.source, args.chunk, progress)
        else:
            lines = _lines(args.file)
            # First pass: the whole file is checked before anything is written.
            numbers = array("q", (number for number, _ in parse_lines(lines())))
            events = (event for _, event in parse_lines(lines()))
            try:
                result = importer.import_events(events, chunk_size=args.chunk, progress=progress)
            except ImportRefused as exc:
                line = numbers[exc.line - 1] if exc.line <= len(numbers) else exc.line
                raise ImportRefused(line, exc.imported, exc.reason) from exc.__cause__
    finally:
        target.close()
    if progress is not None:
        progress.done()
    print(f"imported {result.events} events in {result.chunks} chunks")
    return 0


def _importer(store: EventStore) -> _Importer:
    if not hasattr(store, "import_events"):
        msg = f"{type(store).__name__} cannot import events"
        raise ConfigurationError(msg)
    importer: _Importer = store  # type: ignore[assignment]
    return importer


def _lines(name: str) -> Callable[[], Iterator[str]]:
    """A way to read the file's lines, once per call (stdin is read into memory once)."""
    if name == "-":
        kept = sys.stdin.readlines()
        return lambda: iter(kept)

    def read() -> Iterator[str]:
        with open(name, encoding="utf-8") as file:
            yield from file

    return read


def _from_store(
    importer: _Importer, url: str, chunk: int, progress: Callable[[int], object] | None
) -> ImportResult:
    source = open_store(url, read_only=True)
    try:

        def events() -> Iterator[ImportedEvent]:
            after = 0
            while page := source.read_all(after=after, limit=chunk):
                yield from map(_imported_from, page)
                after = page[-1].position

        return importer.import_events(events(), chunk_size=chunk, progress=progress)
    finally:
        source.close()


def _imported_from(event: StoredEvent) -> ImportedEvent:
    return ImportedEvent(
        stream_id=event.stream_id,
        version=event.version,
        event_id=event.event_id,
        type=event.type,
        data=event.data,
        schema_version=event.schema_version,
        metadata=event.metadata,
        causation_id=event.causation_id,
        correlation_id=event.correlation_id,
        recorded_at=event.recorded_at,
    )


class _Progress:
    """A one-line progress display on a terminal: events stored and the rate."""

    def __init__(self) -> None:
        self._start = time.perf_counter()

    def __call__(self, imported: int) -> None:
        rate = imported / max(time.perf_counter() - self._start, 1e-9)
        print(f"\r{imported:,} events ({rate:,.0f}/s)", end="", file=sys.stderr, flush=True)

    def done(self) -> None:
        print(file=sys.stderr)
