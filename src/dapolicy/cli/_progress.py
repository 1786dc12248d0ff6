"""Progress on standard error: lines done, their rate and the time left."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import click

#: Redraw the bar once per this many lines: drawing is dearer than assessing a line.
_REDRAW_EVERY = 64


def progress_text(lines: int, done: int, total: int | None, elapsed: float) -> str:
    """What the bar shows beside it: the count, the rate and the time left.

    The time left is reckoned from the bytes read so far, when the size is known.

    >>> progress_text(1500, 1_000, 4_000, 3.0)
    '1,500 lines, 500 lines/s, about 0:00:09 left'
    >>> progress_text(20, 1_000, None, 0.0)
    '20 lines'
    """
    if elapsed <= 0 or lines == 0:
        return f"{lines:,} lines"
    text = f"{lines:,} lines, {lines / elapsed:,.0f} lines/s"
    if total is not None and done > 0:
        left = round(elapsed * max(total - done, 0) / done)
        hours, rest = divmod(left, 3600)
        text += f", about {hours}:{rest // 60:02d}:{rest % 60:02d} left"
    return text


class Progress:
    """Counts lines and bytes read, and draws them on a click progress bar."""

    def __init__(self, bar: Any, total: int | None, clock: Callable[[], float]) -> None:
        """Draw on ``bar``; ``total`` is the input's size in bytes, if known."""
        self._bar = bar
        self._total = total
        self._clock = clock
        self._start = clock()
        self._lines = 0
        self._bytes = 0
        self._pending = 0

    def update(self, size: int) -> None:
        """One more line of ``size`` bytes has been read."""
        self._lines += 1
        self._bytes += size
        self._pending += size
        if self._bar is not None and self._lines % _REDRAW_EVERY == 0:
            self._draw()

    def _draw(self) -> None:
        self._bar.update(self._pending, self.text())
        self._pending = 0

    def text(self) -> str:
        """The count, the rate and the time left, as now."""
        return progress_text(self._lines, self._bytes, self._total, self._clock() - self._start)

    def finish(self) -> None:
        """Draw the final count."""
        if self._bar is not None:
            self._draw()


def _shown_text(text: str | None) -> str | None:
    return text


def _unsized() -> Iterator[int]:  # pragma: no cover - never iterated: sizes the bar
    yield from ()


@contextmanager
def progress_bar(total: int | None, shown: bool) -> Iterator[Progress]:
    """A :class:`Progress` drawn on standard error if ``shown``, else counting only.

    :param total: the input's size in bytes, or ``None`` (standard input, a pipe).
    """
    if not shown:
        yield Progress(None, total, time.monotonic)
        return
    # Without a size (a stream), the bar is given an iterable without a length: click
    # then shows no percentage, only what progress_text says.
    sized: dict[str, Any] = {"length": total} if total is not None else {"iterable": _unsized()}
    bar: Any = click.progressbar(
        label="assessing",
        file=sys.stderr,
        show_eta=False,
        show_percent=total is not None,
        item_show_func=_shown_text,
        **sized,
    )
    with bar:
        counter = Progress(bar, total, time.monotonic)
        yield counter
        counter.finish()
