"""The history file's sidecar lock (``x.db.lock``): one exclusive writer, or many shared.

Behind :mod:`dapolicy.sqlite_history`. SQLite's own locks last one transaction; a
command that writes a history in chunks must keep every other writer out from its
first chunk to its last, or two runs interleave. An operating-system lock on a
separate, empty file does that without touching the history itself, is released by
the kernel when the process dies (``kill -9`` included), and does not block SQLite's
readers. It is advisory: it binds every dapolicy that opens the history for writing.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

__all__ = ["LockTaken", "SidecarLock"]


class LockTaken(Exception):
    """Another process (or another open history in this one) holds the lock."""


if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
    import msvcrt

    def _lock(fd: int, exclusive: bool) -> None:
        # Windows has no shared mode here: every holder is exclusive.
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError as exc:
            raise LockTaken from exc

    def _unlock(fd: int) -> None:
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    def _lock(fd: int, exclusive: bool) -> None:
        mode = fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH
        try:
            fcntl.flock(fd, mode | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            raise LockTaken from exc

    def _unlock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)


class SidecarLock:
    """A lock held on ``path`` (created empty, mode 0600, and never deleted).

    The file is never deleted: removing a lock file while another process waits to
    lock it lets two processes each hold "the" lock on two different files.

    :param path: the lock file.
    :param exclusive: take it exclusively (else shared).
    :raises LockTaken: it is held in a conflicting mode; nothing is held then.
    :raises OSError: the lock file cannot be created or opened.
    """

    def __init__(self, path: Path, *, exclusive: bool) -> None:
        """Take the lock at once, or raise :class:`LockTaken`."""
        self.path = path
        self.exclusive = exclusive
        self._fd: int | None = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            _lock(self._fd, exclusive)
        except BaseException:
            os.close(self._fd)
            self._fd = None
            raise

    def make_exclusive(self) -> None:
        """Hold the lock exclusively from now on, or raise :class:`LockTaken`.

        A shared lock is not upgraded atomically: on failure it is still held shared.
        """
        if self._fd is None or self.exclusive:
            return
        try:
            _lock(self._fd, True)
        except LockTaken:
            _lock(self._fd, False)
            raise
        self.exclusive = True

    def make_shared(self) -> None:
        """Hold the lock shared from now on (always possible from exclusive)."""
        if self._fd is not None and self.exclusive:
            _lock(self._fd, False)
            self.exclusive = False

    def release(self) -> None:
        """Let the lock go; releasing twice is harmless."""
        if self._fd is not None:
            try:
                _unlock(self._fd)
            finally:
                os.close(self._fd)
                self._fd = None
