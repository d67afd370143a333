"""``Progress``: a count of events with rate and ETA, drawn only on a terminal.

Rules:

1. It counts events, never positions: positions have gaps (on PostgreSQL they are
   transaction ids shifted left by 16 bits), so a share of positions jumps from 0% to 100%.
2. On a terminal it redraws one line in place (carriage return) at most ``redraw`` times a
   second. Anywhere else (a file, a pipe, a CI log) it prints a plain line every
   ``every`` seconds and a last one at the end: no carriage returns into files.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import TextIO

__all__ = ["Progress"]

_BAR = 30


class Progress:
    """Report ``done`` of ``total`` events for ``label`` on ``stream`` (default: stderr)."""

    def __init__(
        self,
        label: str,
        total: int,
        *,
        stream: TextIO | None = None,
        terminal: bool | None = None,
        every: float = 5.0,
        redraw: float = 0.1,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.label = label
        self.total = max(0, total)
        self.done = 0
        self._stream = stream if stream is not None else sys.stderr
        self._terminal = self._stream.isatty() if terminal is None else terminal
        self._every = redraw if self._terminal else every
        self._clock = clock
        self._started = clock()
        self._drawn = self._started

    def update(self, done: int, /) -> None:
        """``done`` events are through; draw if it is time to."""
        self.done = done
        now = self._clock()
        if now - self._drawn >= self._every:
            self._drawn = now
            self._draw(now, final=False)

    def close(self) -> None:
        """Draw the last state and end the line."""
        self._draw(self._clock(), final=True)

    def line(self, now: float) -> str:
        """The text of one report at time ``now``."""
        elapsed = max(now - self._started, 1e-9)
        rate = self.done / elapsed
        done = min(self.done, self.total) if self.total else self.done
        share = done / self.total if self.total else 1.0
        left = max(0, self.total - done)
        eta = _clock_text(left / rate) if rate > 0 and left else "-"
        counts = f"{done:,}/{self.total:,} events"
        text = f"{self.label} {share:4.0%} {counts}  {rate:,.0f}/s  ETA {eta}"
        if self._terminal:
            filled = round(share * _BAR)
            text = f"{self.label} [{'#' * filled}{'.' * (_BAR - filled)}]" + text[len(self.label) :]
        return text

    def _draw(self, now: float, *, final: bool) -> None:
        text = self.line(now)
        if self._terminal:
            end = "\n" if final else ""
            self._stream.write(f"\r{text}\x1b[K{end}")
        else:
            self._stream.write(text + "\n")
        self._stream.flush()


def _clock_text(seconds: float) -> str:
    whole = round(seconds)
    hours, rest = divmod(whole, 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}" if hours else f"{rest // 60}:{rest % 60:02d}"
