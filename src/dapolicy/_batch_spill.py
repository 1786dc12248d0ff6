"""The results' spill: written in any order, by any process, read back in line order (private).

A batch is decided in order of decision time and written back in input order, for
inputs larger than memory. Each result becomes one record, ``meta TAB payload
NEWLINE`` (:func:`spill_record`), appended to a file; only where each record is --
which file, the offset, the size -- is kept in memory, in :mod:`array` columns. The
parent process writes the results it makes to a file of its own; each worker process
writes its results to its partition's file and tells the parent only where they are,
so the decisions' text never passes through a pipe or through the parent until it is
read back, in line order: at the end, or (:meth:`Spill.ready`) as far as every line
before it has its result. A result's place in the output therefore never depends on
when it was decided, nor on which worker decided it.

Each result is read back once, and the spill gives its disk space back as it goes: a
file is released in segments of :data:`SEGMENT` bytes from its start (a hole punched
with ``fallocate``, where the system has it: Linux), once every record that starts in
that segment and in every one before it has been read back. For an input in about
decision order (a day's extract in time order, as forces export them), the records
are read back soon after they are written, so the spill holds the results between
the slowest worker and the fastest, not the whole batch. Where holes cannot be
punched (another system, a file system without them), the files keep everything until
the batch ends, as before.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import tempfile
from array import array
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import IO, NamedTuple

from dapolicy import _speedups

__all__ = [
    "SEGMENT",
    "LineResult",
    "Records",
    "Spill",
    "append_to",
    "decision_record",
    "pack",
    "spill_record",
]

#: A spill's files are given back to the file system in pieces of this many bytes.
SEGMENT = 8 << 20


class LineResult(NamedTuple):
    """What became of one input line: a decision or a reject, as a JSON line.

    With a decision, what a summary counts of it, so that counting needs no parsing:
    its grade's value, whether it needs review, the referrals' destinations, whether
    it is ungraded (:attr:`~dapolicy.models.Decision.ungraded`), the rule ids of its
    review reasons (each once, sorted) and whether a plug-in failed.
    """

    number: int
    decision: str | None
    reject: str | None
    grade: str | None = None
    needs_review: bool = False
    destinations: tuple[str, ...] = ()
    ungraded: bool = False
    review_rules: tuple[str, ...] = ()
    plugin_failed: bool = False


def spill_record(result: LineResult) -> bytes:
    """``result`` as one record of a :class:`Spill`: ``meta TAB payload NEWLINE``.

    ``meta`` is empty for a reject, else a JSON array of what :class:`LineResult` says
    of the decision besides its text. Neither JSON text holds a raw tab or newline.
    """
    if result.decision is None:
        return f"\t{result.reject}\n".encode(errors="surrogatepass")
    return decision_record(result.decision.encode(errors="surrogatepass"), result[3:])


def decision_record(decision: bytes, counted: Sequence[object]) -> bytes:
    """A decision's record from its text as UTF-8 and what a result says of it besides.

    ``counted`` is :class:`LineResult`'s fields after ``reject``, in order: the same
    bytes as :func:`spill_record` of that result, with ``decision`` encoded with
    ``errors="surrogatepass"``.
    """
    fields = list(counted)
    meta = None
    if _speedups.orjson is not None:
        with contextlib.suppress(TypeError):  # a lone surrogate: the stdlib writes it
            meta = _speedups.orjson.dumps(fields)
    if meta is None:
        meta = json.dumps(fields).encode()
    return b"%b\t%b\n" % (meta, decision)


def _read_record(number: int, record: bytes) -> LineResult:
    tab = record.index(b"\t")  # the payload is copied once, not split off a copy
    text = record[tab + 1 : -1].decode(errors="surrogatepass")
    if not tab:
        return LineResult(number, None, text)
    meta = record[:tab]
    fields = None
    if _speedups.orjson is not None:
        with contextlib.suppress(ValueError):  # what orjson will not read, json does
            fields = _speedups.orjson.loads(meta)
    if fields is None:
        fields = json.loads(meta)
    grade, review, destinations, ungraded, rules, failed = fields
    return LineResult(
        number, text, None, grade, review, tuple(destinations), ungraded, tuple(rules), failed
    )


def pack(records: Iterable[bytes]) -> tuple[array[int], bytes]:
    """Spill records (:func:`spill_record`), in their order: their sizes, and all of them."""
    held = list(records)
    return array("i", map(len, held)), b"".join(held)


class Records(NamedTuple):
    """Where consecutive records of the lines ``numbers`` are in a spill's file ``file``.

    ``file`` 0 is the parent's own; ``part + 1`` is that partition's
    (:meth:`Spill.part_target`). The first record starts at ``start``.
    """

    numbers: Sequence[int]
    sizes: array[int]
    file: int
    start: int


class Spill:
    """Results written in any order, by this process or by workers, read back in line order.

    Its files are temporary files in ``directory``, unlinked from the start (so that
    nothing is left behind, even by a killed run), and removed when it is closed.
    """

    def __init__(self, directory: str | None = None) -> None:
        self._directory = directory
        self._own = tempfile.TemporaryFile(dir=directory)  # noqa: SIM115 - closed in close()
        self._parts: dict[int, IO[bytes]] = {}
        self._file = array("H")
        self._at = array("q")
        self._size = array("i")
        self._end = 0
        #: For each file: records noted and not read yet, by segment; where its known
        #: records end; how much of it, from its start, has been given back.
        self._unread: dict[int, dict[int, int]] = {}
        self._ends: dict[int, int] = {}
        self._released: dict[int, int] = {}
        self._can_release = sys.platform.startswith("linux")

    def part_target(self, part: int) -> int:
        """The file descriptor partition ``part``'s worker appends to (:func:`append_to`).

        The worker inherits it (workers are forked). One worker at a time: a
        replacement starts only once the worker before it has ended, and appends after
        whatever that one left (records it never reported are never read).
        """
        if part not in self._parts:
            self._parts[part] = tempfile.TemporaryFile(dir=self._directory)  # noqa: SIM115
        return self._parts[part].fileno()

    def write(self, result: LineResult) -> None:
        """Keep ``result`` (one per line number), in this process's own file."""
        record = spill_record(result)
        self._own.seek(self._end)
        self._own.write(record)
        self.add(Records((result.number,), array("i", (len(record),)), 0, self._end))
        self._end += len(record)

    def add(self, records: Records) -> None:
        """Note where a block of results is (each line number's once)."""
        if len(records.numbers) != len(records.sizes):  # pragma: no cover - a bug
            raise AssertionError("a block of results needs as many sizes as lines")
        last = max(records.numbers, default=0)
        if last > len(self._at):
            grow = last - len(self._at)
            self._file.extend(array("H", bytes(2 * grow)))
            self._at.extend(array("q", bytes(8 * grow)))
            self._size.extend(array("i", bytes(4 * grow)))
        at, sizes, file = records.start, self._size, records.file
        unread = self._unread.setdefault(file, {})
        for number, size in zip(records.numbers, records.sizes, strict=True):
            if sizes[number - 1]:  # pragma: no cover - a bug, never input
                raise AssertionError(f"line {number} has two results")
            self._file[number - 1] = file
            self._at[number - 1], sizes[number - 1] = at, size
            segment = at // SEGMENT
            unread[segment] = unread.get(segment, 0) + 1
            at += size
        self._ends[file] = max(self._ends.get(file, 0), at)

    def has(self, number: int) -> bool:
        """Line ``number`` has its result here."""
        return number <= len(self._size) and self._size[number - 1] != 0

    def results(self, lines: int, start: int = 1) -> Iterator[LineResult]:
        """The results of lines ``start`` to ``lines``, in line order (each one there)."""
        for result in self.ready(lines, start):
            yield result
            start += 1
        if start <= lines:  # pragma: no cover - a bug, never input
            raise AssertionError(f"line {start} has no result")

    def ready(self, lines: int, start: int = 1) -> Iterator[LineResult]:
        """The results of lines ``start``, ``start + 1``, ... up to ``lines`` that are there.

        In line order, stopping before the first line that has no result yet: what can
        be written out already, while the lines after it are still being decided. Each
        result is read back once: what every record before it in its file has been
        read of is given back to the file system (:data:`SEGMENT`).
        """
        self._own.flush()
        handles = {0: self._own.fileno()}
        handles.update((part + 1, file.fileno()) for part, file in self._parts.items())
        sizes, files, offsets, unread = self._size, self._file, self._at, self._unread
        try:
            for number in range(start, min(lines, len(sizes)) + 1):
                size = sizes[number - 1]
                if not size:
                    return
                file, at = files[number - 1], offsets[number - 1]
                record = os.pread(handles[file], size, at)
                if len(record) != size:  # pragma: no cover - a bug, never input
                    raise AssertionError(f"line {number}'s result is not all there")
                unread[file][at // SEGMENT] -= 1
                yield _read_record(number, record)
        finally:
            self._release(handles)

    def _release(self, handles: dict[int, int]) -> None:
        """Give back each file's segments, from its start, whose records are all read."""
        for file, unread in self._unread.items():
            done = self._released.get(file, 0) // SEGMENT
            whole = self._ends.get(file, 0) // SEGMENT  # segments no record can start in
            first = done
            while done < whole and not unread.get(done, 0):
                unread.pop(done, None)
                done += 1
            if done > first and self._can_release:
                self._can_release = punch_hole(handles[file], first * SEGMENT, done * SEGMENT)
            self._released[file] = done * SEGMENT

    def disk_bytes(self) -> int:
        """The disk space the spill's files hold now (their allocated blocks)."""
        files = [self._own, *self._parts.values()]
        return sum(os.fstat(file.fileno()).st_blocks * 512 for file in files)

    def close(self) -> None:
        """Remove the spill's files."""
        self._own.close()
        for file in self._parts.values():
            file.close()


#: ``fallocate`` from the C library, once looked up (``None`` where there is none).
_FALLOCATE: list[Callable[[int, int, int, int], int] | None] = []
_PUNCH_HOLE = 0x02 | 0x01  # FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE


def punch_hole(handle: int, start: int, end: int) -> bool:
    """Give bytes ``start`` to ``end`` of an open file back to the file system (Linux).

    The file keeps its size, and those bytes read as zeros from then on. False where
    the system or the file system cannot do it (nothing is changed then).
    """
    if not _FALLOCATE:
        try:
            import ctypes

            found = ctypes.CDLL(None, use_errno=True).fallocate
            found.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_int64, ctypes.c_int64]
            found.restype = ctypes.c_int
            _FALLOCATE.append(found)
        except (OSError, AttributeError, ImportError):
            _FALLOCATE.append(None)
    function = _FALLOCATE[0]
    return function is not None and function(handle, _PUNCH_HOLE, start, end - start) == 0


def append_to(target: int, blob: bytes) -> int:
    """Append ``blob`` to a part's file (:meth:`Spill.part_target`); where it starts.

    All of it is written before this returns, so the parent may be told where.
    """
    start = os.fstat(target).st_size
    view, at = memoryview(blob), start
    while view:
        written = os.pwrite(target, view, at)
        view, at = view[written:], at + written
    return start
