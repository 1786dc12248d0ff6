"""How long a ``--jobs`` worker has held its line, in time it could run (private).

A worker announces each line in a shared slot before deciding it; the parent looks at
the slots whenever a message arrives and at least every ``POLL`` seconds, and stops a
worker whose line has been held past the limit (the decision time budget and a
margin). The limit is there for a decision that is stuck -- a plug-in in an endless
loop, or blocked for ever on a read -- and a stuck decision is charged every second
of it, whether it burns the CPU or sleeps: the time measured is the wall clock's, not
the worker's CPU time (a plug-in waiting on a socket uses none).

What the wall clock also holds is time in which the worker could not run, and that is
not its line's. So the time charged to a line is the sum, over the parent's looks at
the slot while it held the same line, of the time since the look before, except that

- no interval counts for more than a *step* (twice ``POLL``): when the parent itself
  did not run -- the whole machine stalled (an out-of-memory episode with no swap,
  a virtual machine paused), the command was suspended (Ctrl-Z) or the parent alone
  was stopped -- it looked at nothing, and the gap is charged one step at most;
- an interval at whose end the worker is seen stopped (``SIGSTOP``, a debugger: the
  state ``T`` or ``t`` in ``/proc/<pid>/stat``, on Linux) counts nothing, for up to
  :data:`STOPPED_MAX` seconds of one line: a worker stopped for longer (one that is
  never continued, or a plug-in that stops its own process) is charged from then on,
  so the run never waits for ever.

Nothing else is taken off: a worker that runs, waits for the CPU on a loaded machine,
waits for the disk or sleeps in a plug-in is charged, so a stuck line is still stopped
once the parent has watched it for the limit. Where ``/proc`` does not exist (macOS,
the BSDs) a worker stopped on its own is charged like a sleeping one.
"""

from __future__ import annotations

from collections.abc import Callable

__all__ = ["Watch", "is_stopped", "started_of"]

_LOW = 0xFFFFFFFF

#: The most time one line's worker may be seen stopped without its being charged
#: (seconds): a stop longer than this is charged like any other time, so a worker
#: stopped and never continued is stopped for good after this and the limit.
STOPPED_MAX = 300.0


def started_of(value: int) -> float:
    """When the line in a slot's ``value`` was started (seconds after the pool's epoch).

    The slot holds the milliseconds (32 bits, so they wrap after 49 days: the first
    interval is charged at most one step whatever they say) above the line's number.
    """
    return (value >> 32) / 1000


def is_stopped(pid: int) -> bool:
    """Whether process ``pid`` is stopped (by a signal or a tracer); False if unknown."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as stat:
            text = stat.read()
    except OSError:  # no /proc here, or the process is gone (its sentinel says so)
        return False
    # "pid (command) state ...": the command may hold spaces and parentheses.
    return text[text.rfind(b")") + 2 : text.rfind(b")") + 3] in (b"T", b"t")


class Watch:
    """The time charged to the line a worker holds, as the parent looks at its slot."""

    __slots__ = ("charged", "last", "paused", "value")

    def __init__(self) -> None:
        """Nothing held yet."""
        #: The slot's value at the last look (0: idle).
        self.value = 0
        #: Seconds charged to that holding.
        self.charged = 0.0
        #: When the parent last looked (seconds after the pool's epoch).
        self.last = 0.0
        #: Seconds of that holding not charged because the worker was stopped.
        self.paused = 0.0

    def look(self, value: int, now: float, step: float, stopped: Callable[[], bool]) -> float:
        """Note the slot's ``value`` at ``now``; the seconds charged to its holding.

        :param step: the most any interval between two looks is charged.
        :param stopped: whether the worker is stopped now (asked only when the same
            line is still held: rarely, since a line takes a fraction of a millisecond).
        """
        if value != self.value:  # a new line (or none): charged from its start
            self.value = value
            self.charged = min(max(now - started_of(value), 0.0), step) if value else 0.0
            self.paused = 0.0
        elif value:
            interval = min(max(now - self.last, 0.0), step)
            if self.paused < STOPPED_MAX and stopped():
                self.paused += interval
            else:
                self.charged += interval
        self.last = now
        return self.charged
