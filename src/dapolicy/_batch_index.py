"""The batch's input index, and the history a batch keeps of its own (private).

A batch is decided in order of decision time, not input order, and written back in
input order, for inputs larger than memory. The first pass over the input keeps, per
line, only fixed-size numbers in :mod:`array` columns -- where the line is, how long
it is, and a hash of its victim id -- and one packed integer per valid line for the
sort (decision time, then a hash of the incident id, then the line number). Lines
alike in both of the first (the same incident at the same time: rare) are read again
and ordered by a hash of their content before the line number, as :func:`order_key`
orders them. Once sorted, only the line numbers in decision order are kept. Lines
are then read back by offset (``os.pread``) in that order.

The results go to a spill (:mod:`dapolicy._batch_spill`), read back in line order.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
import zlib
from array import array
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from dapolicy import _json_limits
from dapolicy._batch_keys import case_key, quick_key
from dapolicy._batch_spill import LineResult, Spill
from dapolicy.history import InMemoryHistory, MutableHistory
from dapolicy.models import Case

__all__ = [
    "IN_MEMORY_LINES",
    "Index",
    "LineResult",
    "Spill",
    "order_key",
    "own_history",
    "record_of",
    "reject_json",
    "transaction_of",
    "unread_json",
]

#: Added to a decision time in microseconds (negative before 1970) to sort unsigned.
_TIME_SHIFT = 1 << 62
_LOW = 0xFFFFFFFF
_BOM = "\ufeff"


def record_of(text: str) -> Any:
    """A rejected line as it goes in the rejects file: its JSON, else its text.

    Its text where it is not strict JSON: bare NaN or Infinity, and a key given twice
    (reading it as JSON would keep only one of the two values).
    """
    from dapolicy.serialization import _unique_keys

    try:
        value = _json_limits.loads(text, _unique_keys)
        json.dumps(value, allow_nan=False)  # NaN and Infinity are not JSON: kept as text
    except (ValueError, RecursionError):
        return text.rstrip("\r\n")
    return value


def reject_json(number: int, raw: bytes, message: str, path: str = "$") -> str:
    """A reject record as one JSON line (ASCII-escaped: the record may hold any text)."""
    text = raw.decode("utf-8", "replace").removeprefix(_BOM)
    errors = [{"path": path, "message": message}]
    return json.dumps({"line": number, "record": record_of(text), "errors": errors})


def unread_json(number: int) -> str:
    """The reject record of a line that was not read (too long), as one JSON line."""
    errors = [{"path": "$", "message": "line not read"}]
    return json.dumps({"line": number, "record": None, "errors": errors})


def _hash64(data: bytes) -> int:
    return int.from_bytes(hashlib.blake2b(data, digest_size=8).digest(), "big")


def _content(raw: bytes) -> bytes:
    """A line as its content: without its line ending or a byte-order mark."""
    return raw.rstrip(b"\r\n").removeprefix(_BOM.encode())


def order_key(number: int, raw: bytes, key: tuple[int, str, str]) -> int:
    """The packed sort key: decision time, incident id, content, then line number.

    Two lines with equal keys up to the line number have the same content, so which
    goes first cannot change a decision: the order is a function of the lines'
    contents, never of where they stand in the file.
    """
    at, incident_id, _ = key
    return (
        ((at + _TIME_SHIFT) << 160)
        | (_hash64(incident_id.encode("utf-8", "surrogatepass")) << 96)
        | (_hash64(_content(raw)) << 32)
        | number
    )


def _first_key(number: int, key: tuple[int, str, str]) -> int:
    """:func:`order_key` without the content's hash: what the index sorts by first."""
    at, incident_id, _ = key
    incident = _hash64(incident_id.encode("utf-8", "surrogatepass"))
    return ((at + _TIME_SHIFT) << 96) | (incident << 32) | number


def victim_hash(victim_id: str) -> int:
    """The stable 32-bit hash partitions are taken from (CRC-32 of the UTF-8 id)."""
    return zlib.crc32(victim_id.encode("utf-8", "replace"))


class Index:
    """Where each line of a file is, and the valid lines in decision order.

    :ivar path: the file's path, or ``None`` (worker processes then read ``handle``,
        which they inherit where processes fork).
    :ivar handle: the file descriptor this process reads the lines from.
    :ivar offsets: byte offset of line ``n`` at ``offsets[n - 1]``.
    :ivar lengths: its length in bytes, line ending included.
    :ivar victims: :func:`victim_hash` of its victim id (0 for a rejected line).
    :ivar order: the numbers of the lines to decide, in decision order.
    :ivar span: the earliest and latest decision time of those lines (microseconds
        since 1970 UTC), or ``None`` when there are none or they are not in time order.
    """

    def __init__(self, path: str | None, handle: int) -> None:
        self.path = path
        self.handle = handle
        self.offsets = array("q")
        self.lengths = array("i")
        self.victims = array("I")
        self.order = array("i")
        self.span: tuple[int, int] | None = None

    def __len__(self) -> int:
        return len(self.offsets)

    def build(
        self,
        lines: Iterable[tuple[int, bytes | None]],
        tell: Callable[[], int],
        parse: Callable[[int, bytes], Case | dict[str, Any]],
        on_reject: Callable[[int, bytes | None, dict[str, Any] | None], None],
        *,
        by_time: bool = True,
    ) -> None:
        """Index ``lines``: each line of the file with its number, from 1, in order.

        :param lines: ``(number, raw)``; ``raw`` is ``None`` for a line that was not
            read (too long): it is rejected unread.
        :param tell: where the file stands after the line just given (so the lines'
            offsets hold whatever was skipped).
        :param parse: the full parse of a line, used where :func:`quick_key` fails.
        :param on_reject: called with each line rejected here: ``(number, raw,
            reject record)``, or ``(number, None, None)`` for a line not read.
        :param by_time: put the lines to decide in decision order (else input order).
        """
        index = self
        keys: list[int] = []
        offset = tell()
        for number, raw in lines:
            if number != len(index.offsets) + 1:
                raise ValueError("lines must be numbered from 1, in order")
            end = tell()
            index.offsets.append(offset)
            index.lengths.append(end - offset)
            offset = end
            key = None if raw is None else quick_key(raw)
            if raw is None:
                on_reject(number, None, None)
            elif key is None:
                parsed = parse(number, raw)
                if isinstance(parsed, Case):
                    key = case_key(parsed)
                else:
                    on_reject(number, raw, parsed)
            if raw is None or key is None:
                index.victims.append(0)
            else:
                index.victims.append(victim_hash(key[2]))
                keys.append(_first_key(number, key) if by_time else number)
        keys.sort()
        if by_time and keys:
            index.span = ((keys[0] >> 96) - _TIME_SHIFT, (keys[-1] >> 96) - _TIME_SHIFT)
            index._untie(keys)
        index.order = array("i", (k & _LOW for k in keys))

    def _untie(self, keys: list[int]) -> None:
        """Order each run of ``keys`` equal but for the line number as :func:`order_key` does.

        ``keys`` are sorted :func:`_first_key` values: decision time, incident id, line
        number. Lines alike in both of the first are rare (the same incident at the
        same time: a duplicate or a correction), so only they are read again (from
        ``handle``) for the hash of their content that :func:`order_key` puts before
        the line number: the order is exactly the one of sorting by :func:`order_key`,
        at a hash per tie rather than per line.
        """
        start, head = 0, keys[0] >> 32
        for at in range(1, len(keys) + 1):
            now = keys[at] >> 32 if at < len(keys) else -1
            if now == head:
                continue
            if at - start > 1:
                numbers = [k & _LOW for k in keys[start:at]]
                content = {n: _hash64(_content(self.read(self.handle, n))) for n in numbers}
                numbers.sort(key=lambda n: (content[n], n))
                keys[start:at] = [(head << 32) | n for n in numbers]
            start, head = at, now

    def read(self, handle: int, number: int) -> bytes:
        """Line ``number``, read from the open file descriptor ``handle``."""
        return os.pread(handle, self.lengths[number - 1], self.offsets[number - 1])


#: Above this many lines to decide (per process), a batch given no history of its own
#: keeps one in a temporary SQLite file instead of in memory, so that memory stays
#: flat however many lines there are. The decisions are the same. In memory the
#: history costs about 265 bytes a record (``bench_batch.py``'s figure), and a
#: one-job batch's process grows about 330 bytes a record in all (history, index,
#: spill columns and the allocator's slack: 65 -> 140 MB from 10,000 to 240,000
#: records of ``synth 300000 --seed 2013``), so this many is about 700 MB in one
#: process, within the 1 GiB a national year (1.5 million, about 560 MB) may take;
#: it was 250,000 when a record cost 1.8 kB.
IN_MEMORY_LINES = 2_000_000


@contextlib.contextmanager
def own_history(lines: int, directory: str | None = None) -> Iterator[MutableHistory]:
    """A history for a batch of ``lines`` lines: in memory, or on disk if many."""
    if lines <= IN_MEMORY_LINES:
        yield InMemoryHistory()
        return
    from dapolicy.sqlite_history import SQLiteHistory

    with (
        tempfile.TemporaryDirectory(dir=directory) as folder,
        SQLiteHistory(os.path.join(folder, "history.db")) as history,
    ):
        yield history


def transaction_of(
    history: MutableHistory,
) -> Callable[[], contextlib.AbstractContextManager[Any]]:
    """``history.transaction`` where it has one (a persistent history), else a no-op."""
    found: Callable[[], contextlib.AbstractContextManager[Any]] = getattr(
        history, "transaction", contextlib.nullcontext
    )
    return found
