"""The command's files: outputs written whole or not at all, bounded input lines.

``-`` is a standard stream; no output may be an input or another output.

Every output goes first to a temporary file in its own folder (created mode 0600, so
only its owner can read it) and is renamed over the named file when the run ends well.
A run that fails or is interrupted removes its temporary files and leaves the named
files as they were; a run that is killed outright (``kill -9``, a power cut) may leave
a temporary file, named ``.NAME.XXXXXXXX.part``, never the named file half-written.
Outputs that are not regular files (standard output, a pipe, ``/dev/null``) are
written as the run goes.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import stat
import sys
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from dapolicy.cli._common import _Failure

#: The name that means standard input (for an input) or standard output (an output).
STREAM = Path("-")

#: The buffer of an output file written whole and then renamed into place: a decision
#: is about 5 kB, so the default (8 kB) made a write to the system every line or two.
FILE_BUFFER = 1 << 20


def is_stream(path: Path | None) -> bool:
    """``-``: standard input or standard output."""
    return path == STREAM


def _reason(exc: OSError) -> str:
    return exc.strerror or type(exc).__name__


def _identity(path: Path, fd: int) -> tuple[object, ...] | None:
    """What ``path`` is on disk, to tell whether two names are one file.

    The device and inode of an existing file (which sees through symbolic links, ``./``
    and hard links), else the fully resolved path. ``-`` is the standard stream
    ``fd``: the stream itself, and also the file it was redirected from or to. A
    character device such as ``/dev/null`` is never a clash: two names for it are
    harmless.
    """
    if is_stream(path):
        try:
            status = os.fstat(fd)
        except OSError:
            return ("stream", fd)
        if stat.S_ISREG(status.st_mode):
            return ("file", status.st_dev, status.st_ino)
        return ("stream", fd)
    try:
        status = os.stat(path)
    except OSError:
        return ("path", os.path.realpath(path))
    if stat.S_ISCHR(status.st_mode):
        return None
    return ("file", status.st_dev, status.st_ino)


def _named(option: str, path: Path, stream: str) -> str:
    return f"{option} {f'- ({stream})' if is_stream(path) else path}"


def check_distinct(
    inputs: Sequence[tuple[str, Path | None]], outputs: Sequence[tuple[str, Path | None]]
) -> None:
    """Refuse, before anything is opened, an output that is an input or another output.

    :param inputs: (option, path) of every file read; ``None`` for one not given.
    :param outputs: (option, path) of every file written; ``-`` for standard output.
    :raises _Failure: naming both options (exit status 2).
    """
    streams_in = [option for option, path in inputs if is_stream(path)]
    if len(streams_in) > 1:
        raise _Failure(f"{' and '.join(streams_in)} cannot both read standard input")
    seen: list[tuple[str, Path, tuple[object, ...]]] = []
    for option, path in inputs:
        if path is not None and (identity := _identity(path, 0)) is not None:
            seen.append((option, path, identity))
    inputs_seen = len(seen)
    for option, path in outputs:
        if path is None or (identity := _identity(path, 1)) is None:
            continue
        for index, (other, other_path, other_identity) in enumerate(seen):
            if identity == other_identity:
                stream = "standard input" if index < inputs_seen else "standard output"
                raise _Failure(
                    f"{_named(option, path, 'standard output')} and "
                    f"{_named(other, other_path, stream)} are the same file: nothing was "
                    "read or written; name a different output"
                )
        seen.append((option, path, identity))


def open_input(option: str, path: Path) -> IO[bytes]:
    """``path`` opened for reading bytes; ``-`` is standard input."""
    if is_stream(path):
        return sys.stdin.buffer
    try:
        return path.open("rb")
    except OSError as exc:
        raise _Failure(f"cannot read {path}: {_reason(exc)}") from None


def read_input(option: str, path: Path) -> bytes:
    """The whole of a small input (a case, totals, a policy); ``-`` is standard input."""
    with contextlib.ExitStack() as stack:
        source = open_input(option, path)
        if not is_stream(path):
            stack.enter_context(source)
        try:
            return source.read()
        except OSError as exc:
            raise _Failure(f"cannot read {path}: {_reason(exc)}") from None


@contextmanager
def as_path(path: Path) -> Iterator[Path]:
    """``path``, or for ``-`` a private temporary copy of standard input (removed after).

    For a reader that wants a file it can open by name and read more than once.
    """
    if not is_stream(path):
        yield path
        return
    with tempfile.TemporaryDirectory() as folder:
        copy = Path(folder) / "stdin.jsonl"
        with copy.open("wb") as out:
            shutil.copyfileobj(sys.stdin.buffer, out, 1 << 20)
        yield copy


class Output:
    """One output file of a run, written to a temporary file and renamed at the end.

    :param option: the option that named it, for messages.
    :param path: the file; ``-`` for standard output.
    :param lazy: create the file only if something is written to it, or if a file of
        that name is already there (it is then replaced, so it never looks like this
        run's when it is an earlier one's).
    """

    def __init__(self, option: str, path: Path, *, lazy: bool = False) -> None:
        """Note the output; nothing is opened until :meth:`open` or the first write."""
        self.option = option
        self.path = path
        self.lazy = lazy
        self.lines = 0
        self._handle: IO[str] | None = None
        self._temporary: str | None = None
        self._target = path if is_stream(path) else Path(os.path.realpath(path))
        self._direct = is_stream(path) or _special(self._target)

    @property
    def is_stream(self) -> bool:
        """Written as the run goes (standard output, a pipe, a device), not renamed."""
        return self._direct

    @property
    def will_exist(self) -> bool:
        """The run, if it ends well, leaves a file of this name."""
        return not self.lazy or self._handle is not None or self._target.exists()

    def _fail(self, exc: OSError) -> _Failure:
        return _Failure(f"cannot write {self.path}: {_reason(exc)} ({self.option})")

    def open(self) -> None:
        """Create the temporary file now (or check the folder can take one, if lazy)."""
        if self.lazy and not self._direct:
            if not os.access(self._target.parent, os.W_OK | os.X_OK):
                raise self._fail(PermissionError(13, "Permission denied"))
            return
        self._ensure_open()

    def _ensure_open(self) -> IO[str]:
        if self._handle is not None:
            return self._handle
        try:
            if is_stream(self.path):
                self._handle = sys.stdout
            elif self._direct:
                self._handle = self._target.open("w", encoding="utf-8", newline="")
            else:
                fd, self._temporary = tempfile.mkstemp(
                    dir=self._target.parent, prefix=f".{self._target.name}.", suffix=".part"
                )
                self._handle = os.fdopen(
                    fd, "w", buffering=FILE_BUFFER, encoding="utf-8", newline=""
                )
        except OSError as exc:
            raise self._fail(exc) from None
        return self._handle

    def handle(self) -> IO[str]:
        """The open file, for a writer that wants one (such as :mod:`csv`)."""
        return self._ensure_open()

    def write(self, text: str) -> None:
        """Write ``text`` (whole lines)."""
        try:
            self._ensure_open().write(text)
        except OSError as exc:
            raise self._fail(exc) from None

    def line(self, text: str) -> None:
        """Write one line (``text`` and a newline), and count it."""
        self.write(text + "\n")
        self.lines += 1

    def flush(self) -> None:
        """Pass what was written on to a stream (a file waits for the end)."""
        if self._direct and self._handle is not None:
            try:
                self._handle.flush()
            except OSError as exc:
                raise self._fail(exc) from None

    def _finish(self) -> None:
        """Everything written reaches the disk (the temporary file, not yet renamed)."""
        if self._handle is None and self.lazy and not self._target.exists():
            return
        handle = self._ensure_open()
        try:
            handle.flush()
            if self._temporary is not None:
                os.fsync(handle.fileno())
                handle.close()
            elif handle is not sys.stdout:
                handle.close()
        except OSError as exc:
            raise self._fail(exc) from None

    def _publish(self) -> None:
        if self._temporary is None:
            return
        try:
            os.replace(self._temporary, self._target)
        except OSError as exc:
            raise self._fail(exc) from None
        self._temporary = None
        with contextlib.suppress(OSError):  # the rename itself reaches the disk
            folder = os.open(self._target.parent, os.O_RDONLY)
            try:
                os.fsync(folder)
            finally:
                os.close(folder)

    def discard(self) -> None:
        """Remove the temporary file: the named file stays as it was."""
        if self._handle is not None and self._handle is not sys.stdout:
            with contextlib.suppress(OSError):
                self._handle.close()
        if self._temporary is not None:
            with contextlib.suppress(OSError):
                os.unlink(self._temporary)
            self._temporary = None


def _special(target: Path) -> bool:
    """An existing file that is not a regular one (a device, a pipe): written in place."""
    try:
        return not stat.S_ISREG(os.stat(target).st_mode)
    except OSError:
        return False


@contextmanager
def written(*outputs: Output) -> Iterator[None]:
    """Open ``outputs``; publish them all if the block ends well, else discard them all.

    Publishing first brings every file to the disk, then renames them all: a failure
    while writing leaves every named file as it was.
    """
    try:
        for output in outputs:
            output.open()
        yield
        for output in outputs:
            output._finish()
        for output in outputs:
            output._publish()
    except BaseException:
        for output in outputs:
            output.discard()
        raise


def bounded_lines(source: IO[bytes], limit: int) -> Iterator[tuple[int, bytes | None]]:
    """Each line of ``source`` with its number, or ``None`` for one over ``limit`` bytes.

    A line is read at most ``limit + 1`` bytes at a time: a longer one is skipped to its
    newline in pieces of that size, never held whole. The limit counts the line's bytes
    without its newline.
    """
    piece = max(limit + 1, 1)
    number = 0
    while raw := source.readline(limit + 1):
        number += 1
        if len(raw) <= limit or raw.endswith(b"\n"):
            yield number, raw
            continue
        while (rest := source.readline(piece)) and not rest.endswith(b"\n"):
            pass
        yield number, None
