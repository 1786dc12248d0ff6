"""The time budget of one decision: ``settings.limits.decision_seconds``.

In the main thread (where Python runs signal handlers) a ``SIGALRM`` timer
(``setitimer(ITIMER_REAL)``) is armed for the whole decision. Its handler raises
:class:`OutOfTime` only while a plug-in is being called (the guard *arms* the budget
around each call), so the engine's own code is never interrupted; when the budget runs
out between calls, the next call is simply not made. After the budget is spent the
timer fires again every :data:`REPEAT_SECONDS`, so a plug-in that swallows the first
:class:`OutOfTime` (``except BaseException``) is stopped by the next. The previous
``SIGALRM`` handler and timer are put back when the decision ends (an outer timer
keeps its deadline: one that fell due during the decision fires at once); decisions
nest (a plug-in that assesses with another policy).

Elsewhere (another thread, or a platform without ``setitimer``) only the clock can be
read: the budget is checked before each plug-in call and between the items a plug-in
yields, so a plug-in that is slow in a single call is recorded as over budget once it
returns, and cannot be stopped while it runs.

Either way, a plug-in stuck in C code (a blocking read, a long regular expression)
cannot be stopped inside the process: ``dapolicy assess --jobs`` runs decisions in
worker processes, and a stuck worker is ended from outside.
"""

from __future__ import annotations

import importlib
import signal
import threading
import time
from collections.abc import Callable
from types import FrameType, TracebackType
from typing import Any

__all__ = ["REPEAT_SECONDS", "Budget", "OutOfTime"]

#: After the budget is spent, the timer fires again this often until the call ends.
REPEAT_SECONDS = 0.05

_CAN_ALARM = hasattr(signal, "setitimer") and hasattr(signal, "SIGALRM")
#: The C function itself: ``signal.signal`` wraps it to turn the handler it gives back
#: into an enum member, which costs more than the call. A handler given back as an
#: ``int`` (``SIG_DFL``, ``SIG_IGN``) is put back as the same number.
_set_handler: Callable[[int, Any], Any] = importlib.import_module("_signal").signal


class OutOfTime(BaseException):
    """Raised inside a plug-in call when its decision's budget is spent.

    A ``BaseException``, so that a plug-in's ``except Exception`` does not swallow it.
    It carries the :class:`Budget` it belongs to: a nested decision's guard lets an
    outer decision's pass through.
    """

    def __init__(self, budget: Budget) -> None:
        """The budget that ran out."""
        super().__init__("the decision's time budget is spent")
        self.budget = budget


class Budget:
    """A decision's time budget; a context manager for the decision's duration.

    :param seconds: the budget.
    :ivar armed: a plug-in is being called (the timer may interrupt it).
    :ivar expired: the timer has fired.
    """

    def __init__(self, seconds: float) -> None:
        """A budget of ``seconds``, started when the ``with`` block is entered."""
        self.seconds = seconds
        self.armed = False
        self.expired = False
        self.deadline = float("inf")
        #: The timer is armed (so the clock need not be read between a plug-in's items).
        self.timed = False
        self._previous: tuple[Any, tuple[float, float], float] | None = None

    def _on_alarm(self, signum: int, frame: FrameType | None) -> None:
        self.expired = True
        if self.armed:
            raise OutOfTime(self)

    def __enter__(self) -> Budget:
        """Start the clock; in the main thread, arm the timer."""
        start = time.monotonic()
        self.deadline = start + self.seconds
        if _CAN_ALARM and threading.current_thread() is threading.main_thread():
            handler = _set_handler(signal.SIGALRM, self._on_alarm)
            outer = signal.setitimer(signal.ITIMER_REAL, self.seconds, REPEAT_SECONDS)
            self._previous = (handler, outer, start)
            self.timed = True
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Stop the timer and put back the previous handler and timer."""
        if self._previous is None:
            return
        handler, (remaining, interval), start = self._previous
        self._previous = None
        self.timed = False
        signal.setitimer(signal.ITIMER_REAL, 0)
        _set_handler(signal.SIGALRM, handler)
        if remaining > 0:
            # The outer timer keeps its deadline; one due already fires at once.
            left = remaining - (time.monotonic() - start)
            signal.setitimer(signal.ITIMER_REAL, max(left, 1e-6), interval)

    def spent(self) -> bool:
        """Whether the budget is spent (the timer fired, or the clock says so)."""
        return self.expired or time.monotonic() >= self.deadline
