"""A plug-in ending the process mid-batch: its line rejected, never a quiet exit (private).

``os._exit`` ends a process at once: no ``finally`` runs, no summary is printed, no
output file is put in place, and the exit status is whatever the caller chose --
``os._exit(0)`` would make a batch that stopped half-way look like a success. While
:func:`guarded` is active in a thread, ``os._exit`` called in that thread of that
process raises :class:`ProcessExit` instead, and the call is noted; the batch then
rejects the line being decided (:func:`taken`: nothing is recorded for it) and goes on.
Called anywhere else -- another thread, a process a plug-in forked -- ``os._exit`` is
the real one.

What this cannot catch: a plug-in that took the function before the batch began
(``from os import _exit``), or that ends the process another way (``posix._exit``, a
signal, a crash). With ``--jobs`` above one such a worker is replaced and its line
rejected; with one job the command ends as the plug-in made it end.
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Iterator
from typing import NoReturn

__all__ = ["ProcessExit", "guarded", "reason", "taken"]

_REAL = os._exit
_LOCK = threading.Lock()
#: The threads deciding a batch: thread id -> (process id, exit codes asked for).
_GUARDED: dict[int, tuple[int, list[int]]] = {}


class ProcessExit(Exception):
    """Raised in place of ``os._exit`` while a batch decides in this thread."""


def _exit(status: int) -> NoReturn:
    """``os._exit`` while a batch decides: noted and raised in its thread, else real."""
    entry = _GUARDED.get(threading.get_ident())
    if entry is None or entry[0] != os.getpid():
        _REAL(status)
    if not isinstance(status, int):
        raise TypeError("os._exit needs an integer exit status")
    entry[1].append(status)
    raise ProcessExit


@contextlib.contextmanager
def guarded() -> Iterator[None]:
    """Within the block, ``os._exit`` in this thread raises :class:`ProcessExit`."""
    ident = threading.get_ident()
    with _LOCK:
        outer = _GUARDED.get(ident)
        _GUARDED[ident] = (os.getpid(), [])
        os._exit = _exit
    try:
        yield
    finally:
        with _LOCK:
            if outer is None:
                del _GUARDED[ident]
            else:
                _GUARDED[ident] = outer
            if not _GUARDED:
                os._exit = _REAL


def taken() -> int | None:
    """The first exit status asked for in this thread since the last call, or ``None``.

    ``None`` outside :func:`guarded`, and where nothing asked to end the process.
    """
    entry = _GUARDED.get(threading.get_ident())
    if entry is None or not entry[1]:
        return None
    code = entry[1][0]
    entry[1].clear()
    return code


def reason(status: int) -> str:
    """The reject's message for a line during which ``os._exit(status)`` was called."""
    return f"not decided: os._exit({status}) was called while deciding it"
