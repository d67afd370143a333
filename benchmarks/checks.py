"""Verifications shared by every system: the log after W5, the stream after W5b, the tailer.

Each system reads its own log back (through its own API) and hands plain values here, so
the same rules judge all of them.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from benchmarks.harness import Ctx

__all__ = ["ContendedOutcome", "TailingReader", "check_contended", "check_log"]


def check_log(ctx: Ctx, positions: Sequence[int], *, rows: int, dense: bool = True) -> None:
    """Check the global log: ``rows`` rows, no duplicate positions; report the holes.

    ``dense=False`` for a store whose positions are sparse by design (fabula on
    PostgreSQL derives them from transaction ids): holes carry no meaning there.
    """
    ctx.check("rows", len(positions), rows)
    ctx.check("duplicate_positions", len(positions) - len(set(positions)), 0)
    if not dense:
        ctx.info["holes"] = "n/a (sparse positions)"
    elif positions:
        ctx.info["holes"] = max(positions) - min(positions) + 1 - len(set(positions))
    else:
        ctx.info["holes"] = 0


class TailingReader:
    """Polls ``position > last seen`` in pages while writers run; sleeps 2 ms when caught up.

    ``poll(after, limit)`` returns the positions of the next page, in log order.
    """

    def __init__(self, poll: Callable[[int, int], list[int]], *, after: int, page: int) -> None:
        self._poll = poll
        self._start = self._last = after
        self._page = page
        self.seen: list[int] = []
        self.polls = 0
        self._stop = threading.Event()
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="tailing-reader", daemon=True)

    def start(self) -> None:
        """Start polling in a thread."""
        self._thread.start()

    def _read_page(self) -> bool:
        page = self._poll(self._last, self._page)
        self.polls += 1
        if not page:
            return False
        self.seen.extend(page)
        self._last = page[-1]
        return True

    def _run(self) -> None:
        try:
            while not self._stop.is_set():
                if not self._read_page():
                    time.sleep(0.002)
        except BaseException as exc:  # reported by finish()
            self._error = exc

    def finish(self) -> None:
        """Stop polling, then read once more until caught up."""
        self._stop.set()
        self._thread.join()
        if self._error is not None:
            raise self._error
        while self._read_page():
            pass

    def report(self, ctx: Ctx, positions: Sequence[int]) -> None:
        """Report what the reader missed (committed behind its position) and saw twice."""
        seen = set(self.seen)
        ctx.info["reader_missed"] = len({p for p in positions if p > self._start} - seen)
        ctx.check("reader_duplicates", len(self.seen) - len(seen), 0)
        ctx.info["reader_polls"] = self.polls


@dataclass
class ContendedOutcome:
    """What the W5b threads did: tokens whose append committed, tokens that conflicted."""

    succeeded: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, token: str, *, ok: bool) -> None:
        """Record one attempt's outcome (thread-safe)."""
        with self.lock:
            (self.succeeded if ok else self.failed).append(token)


def check_contended(
    ctx: Ctx,
    outcome: ContendedOutcome,
    *,
    versions: Sequence[int],
    tokens: Sequence[str],
    positions: Sequence[int],
    dense: bool = True,
) -> None:
    """Check W5b: contiguous versions, each success stored once, no failed token stored.

    ``versions`` are the stream's versions, ``tokens`` the stored ``Marked`` tokens and
    ``positions`` the whole log's positions.
    """
    successes = len(outcome.succeeded)
    ctx.check("successes", successes, ctx.sizes["threads"] * ctx.sizes["per_thread"])
    ctx.info["conflicts"] = len(outcome.failed)
    wrong = sum(1 for wanted, got in enumerate(versions, start=1) if got != wanted)
    ctx.check("version_errors", wrong + abs(len(versions) - (1 + successes)), 0)
    stored = Counter(tokens)
    ctx.check("lost", sum(1 for t in outcome.succeeded if t not in stored), 0)
    ctx.check("duplicated", sum(1 for n in stored.values() if n > 1), 0)
    ctx.check("phantom", sum(1 for t in outcome.failed if t in stored), 0)
    check_log(ctx, positions, rows=1 + successes, dense=dense)
