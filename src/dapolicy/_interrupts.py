"""Telling a user's Ctrl-C from a plug-in's ``raise KeyboardInterrupt``.

A plug-in's :class:`BaseException` -- ``SystemExit``, ``GeneratorExit``,
``KeyboardInterrupt`` and the rest -- is recorded as a
:class:`~dapolicy.models.PluginFailure`, never allowed to end a run. A real interrupt
from the user must still stop it. The command wraps its run in
:func:`user_interrupts`, which installs a SIGINT handler that sets a flag before it
raises ``KeyboardInterrupt``; the policy's guard asks :func:`is_user_interrupt` of
each ``KeyboardInterrupt`` it catches and re-raises the user's.

Outside :func:`user_interrupts` (library use, a REPL) nothing tells the two apart, so
every ``KeyboardInterrupt`` is taken to be the user's and re-raised: a Ctrl-C must
always stop.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

__all__ = ["interrupted", "is_user_interrupt", "user_interrupts"]

_installed = 0  # how many user_interrupts() blocks are open (they may nest)
_flag = False  # set by the handler: the user pressed Ctrl-C


def _handler(signum: int, frame: FrameType | None) -> None:
    global _flag
    _flag = True
    raise KeyboardInterrupt


@contextmanager
def user_interrupts() -> Iterator[None]:
    """Mark Ctrl-C as the user's for the duration of the block.

    Installs a SIGINT handler that records the interrupt, then raises
    ``KeyboardInterrupt`` as Python's own does; the previous handler is restored on
    exit. Signal handlers can only be set in the main thread: elsewhere the block
    changes nothing, and every ``KeyboardInterrupt`` still counts as the user's.
    Blocks may nest; the flag is cleared when the outermost one is entered.
    """
    global _installed, _flag
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, _handler)
    if _installed == 0:
        _flag = False
    _installed += 1
    try:
        yield
    finally:
        _installed -= 1
        signal.signal(signal.SIGINT, previous)


def interrupted() -> bool:
    """Whether the user pressed Ctrl-C inside the current :func:`user_interrupts`."""
    return _flag


def is_user_interrupt(exc: BaseException) -> bool:
    """Whether ``exc``, caught around a plug-in's call, must be re-raised.

    True for a ``KeyboardInterrupt`` when the user pressed Ctrl-C, or when no
    :func:`user_interrupts` handler is installed (nothing can tell a plug-in's
    ``KeyboardInterrupt`` from the user's then). False for everything else: a
    plug-in's ``SystemExit``, ``GeneratorExit``, or its own ``KeyboardInterrupt``
    while the handler is installed and the user pressed nothing.
    """
    if not isinstance(exc, KeyboardInterrupt):
        return False
    return _flag or _installed == 0 or signal.getsignal(signal.SIGINT) is not _handler
