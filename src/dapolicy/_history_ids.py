"""The compact parts of the in-memory history: ids as numbers, offsets as codes, key blobs.

Behind :mod:`dapolicy._memory_history`. Three small structures keep what a Python
object per id, per time and per entry would cost tens of bytes each:

* :class:`Ids` numbers distinct strings 0, 1, 2, ... and keeps their text once, in one
  ``bytearray``: about 20 bytes and the text's length an id, against about 100 for a
  ``str`` in a ``set`` or a ``dict``.
* :class:`Zones` numbers the UTC offsets met (two, in England): an instant is kept as
  integer microseconds and an offset's number, and made a ``datetime`` again only when
  a query returns it.
* A *key blob* (:func:`blob_of`, :func:`rows` and :func:`with_row`) is one ``bytes``
  for a key with many rows (a victim, caller, location or perpetrator: the others'
  rows are postings in one shared list, see :mod:`dapolicy._memory_history`): the row
  numbers of everything recorded about it, six sections (:data:`INCIDENTS` ...
  :data:`LOCATION_CALLS`), each sorted as its query reads it.
"""

from __future__ import annotations

import struct
import sys
from array import array
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta, timezone
from mmap import mmap
from typing import TypeGuard

from dapolicy._history_columns import PAGE, area, column, grown, kept, mapped, more, plain

__all__ = [
    "CALLER_CALLS",
    "EVENTS",
    "GRADES",
    "INCIDENTS",
    "LOCATION_CALLS",
    "MARAC",
    "Ids",
    "Zones",
    "plain_time",
    "plain_zone",
    "Blob",
    "blob_of",
    "rows",
    "with_row",
]

#: The sections of a key blob: a victim's incidents, grades, events and MARAC
#: referrals; a caller's calls; a location's calls.
INCIDENTS, GRADES, EVENTS, MARAC, CALLER_CALLS, LOCATION_CALLS = range(6)
_SECTIONS = 6


class Ids:
    """Distinct strings, numbered 0, 1, 2, ... in the order they were first added.

    Their UTF-8 text ("surrogatepass": every str, a lone surrogate too, comes back as it
    went in) is kept end to end in one *area* (``arena``: a ``bytearray``, or a map of
    its own once large, see :mod:`~dapolicy._history_columns`; ``used`` bytes of it),
    ``ends[n]`` being where number ``n``'s text ends; an open-addressing table of
    ``number + 1`` (0 is an empty slot), a power of two in size and at most 60 % full,
    finds a number by its text. The table hashes the encoded bytes, so it is rebuilt
    when the history is unpickled (hashes differ between processes).
    """

    __slots__ = ("_mask", "_table", "arena", "count", "ends", "used")

    def __init__(self) -> None:
        """No ids."""
        self.arena: bytearray | mmap = bytearray(64)
        self.ends = column("I", 16)
        self._table = column("i", 8)
        self._mask = 7
        self.count = self.used = 0

    def __len__(self) -> int:
        """The number of ids."""
        return self.count

    def __getstate__(self) -> tuple[bytearray, array[int]]:
        """The texts only: the table is rebuilt, as hashes differ between processes."""
        return bytearray(self.arena[: self.used]), plain(self.ends, self.count)

    def __setstate__(self, state: tuple[bytearray, array[int]]) -> None:
        """Take the texts back and build the table for this process."""
        texts, ends = state
        self.count, self.used = len(ends), len(texts)
        self.arena = area(texts, len(texts), len(texts) + 64)
        self.ends = kept(ends, len(ends) + 16)
        self._grow()

    def find(self, text: str) -> int:
        """The number of ``text``, or -1 if it was never added."""
        data = str.encode(text, "utf-8", "surrogatepass")
        table, mask, ends, size = self._table, self._mask, self.ends, len(data)
        slot = hash(data) & mask
        while number := table[slot]:
            number -= 1
            end = ends[number]
            start = ends[number - 1] if number else 0
            if end - start == size and self.arena.find(data, start, end) == start:
                return number
            slot = (slot + 1) & mask
        return -1

    def add(self, text: str, *, absent: bool = False) -> int:
        """The number of ``text``, a new one if it was never added.

        :param absent: ``text`` is known not to be there (just looked for): it is given
            the first empty slot without comparing texts on the way.
        """
        data = str.encode(text, "utf-8", "surrogatepass")
        table, mask, ends, arena = self._table, self._mask, self.ends, self.arena
        size = len(data)
        slot = hash(data) & mask
        while number := table[slot]:
            if not absent:
                number -= 1
                end = ends[number]
                start = ends[number - 1] if number else 0
                if end - start == size and arena.find(data, start, end) == start:
                    return number
            slot = (slot + 1) & mask
        number, used = self.count, self.used
        end = used + size
        if end > len(arena) or number == len(ends):
            self._room_for(end)
            arena, ends = self.arena, self.ends
        arena[used:end] = data
        ends[number] = end
        self.count = number + 1
        self.used = end
        slots = mask + 1  # (a map may have more room than the table uses)
        if 5 * number + 5 > 3 * slots:  # more than 60 % full
            self._grow(2 * slots)
        else:
            table[slot] = number + 1  # the empty slot the search ended on
        return number

    def mapped(self) -> int:
        """The bytes of its own maps in use (see ``_history_columns.mapped``).

        Its table is counted whole: ids are spread over all of it.
        """
        table = self._table
        arena = 0 if isinstance(self.arena, bytearray) else -(-self.used // PAGE) * PAGE
        return arena + mapped(self.ends, self.count) + mapped(table, len(table))

    def _room_for(self, end: int) -> None:
        """Room for texts up to ``end`` and one more number (wider ends past 4 GiB)."""
        arena, ends, count = self.arena, self.ends, self.count
        if end > len(arena):
            room = more(len(arena), 1)
            while room < end:
                room = more(room, 1)
            self.arena = area(arena, self.used, room)
            if room > 0xFFFF_FFFF and ends.format == "I":  # 4 GiB of ids
                self.ends = ends = grown(ends, count, len(ends), "q")
        if count == len(ends):
            self.ends = grown(ends, count, more(count, ends.itemsize))

    def text(self, number: int) -> str:
        """The string numbered ``number``."""
        ends = self.ends
        start = ends[number - 1] if number else 0
        return self.arena[start : ends[number]].decode("utf-8", "surrogatepass")

    def _grow(self, size: int = 0) -> None:
        """A table of ``size`` slots (by default, at most 30 % full) with each id placed again.

        A full table (60 %) grows to twice its size, 30 % full: a table four times the
        size would keep up to 13 bytes an id more.
        """
        if not size:
            size = 8
            while 3 * size < 10 * self.count:
                size *= 2
        table = column("q" if self.count >= 2**31 - 1 else "i", size)
        mask, start = size - 1, 0
        with memoryview(self.arena) as texts:  # no copy of them all at once
            for number, end in enumerate(self.ends[: self.count], start=1):
                slot = hash(bytes(texts[start:end])) & mask
                while table[slot]:
                    slot = (slot + 1) & mask
                table[slot] = number
                start = end
        self._table, self._mask = table, mask


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)


class Zones:
    """The UTC offsets met, numbered: a time is kept as (microseconds, offset's number).

    Only plain offsets are numbered (a ``datetime.timezone`` made from an offset alone,
    as :func:`~dapolicy.models._base.fixed_offset` makes them); the time made again from
    the two is equal to the one kept and prints the same.
    """

    __slots__ = ("codes", "epochs")

    def __init__(self) -> None:
        """No offsets yet."""
        #: By ``timezone``: equal, and hashed, by its offset alone (not its name).
        self.codes: dict[timezone, int] = {}
        #: 1970-01-01 00:00 UTC at each offset: a time is its epoch plus its microseconds.
        self.epochs: list[datetime] = []

    def code(self, moment: datetime) -> int:
        """The number of ``moment``'s UTC offset (``moment`` must be aware)."""
        offset = moment.utcoffset()
        assert offset is not None  # entries are checked aware when built
        zone = timezone(offset)
        code = self.codes.get(zone)
        if code is None:
            code = self.codes[zone] = len(self.epochs)
            self.epochs.append(_EPOCH.astimezone(zone))
        return code

    def moment(self, us: int, code: int) -> datetime:
        """The instant ``us`` (microseconds since 1970 UTC) at the offset numbered ``code``."""
        return self.epochs[code] + _MICROSECOND * us


def plain_time(moment: datetime) -> bool:
    """Whether ``moment`` is made again exactly from its instant and offset by :class:`Zones`.

    A ``datetime`` itself (not a subclass), not folded, at a ``timezone`` given no name.
    """
    return type(moment) is datetime and not moment.fold and plain_zone(moment.tzinfo)


def plain_zone(zone: object) -> TypeGuard[timezone]:
    """Whether ``zone`` is a ``timezone`` given no name (made again from its offset alone)."""
    return type(zone) is timezone and len(zone.__getinitargs__()) == 1  # type: ignore[attr-defined]


# --- key blobs -----------------------------------------------------------------------------------
#
# A key's rows are None (none), an int (one row: ``row << 3 | section``), or bytes: a head
# and then the sections' row numbers as native unsigned 32-bit integers. Short form (at
# most 254 rows in all): a 6-byte head, the six sections' cumulative ends. Long form: the
# first byte is 255, three zeros, then the six cumulative ends as 32-bit integers.

Blob = bytes | int | None

_SHORT, _LONG, _MARK = _SECTIONS, 4 + 4 * _SECTIONS, 255
_EMPTY: tuple[int, ...] = ()


def _ends(blob: bytes) -> tuple[list[int], int]:
    """The sections' cumulative ends, and where the rows start."""
    if blob[0] == _MARK:
        return list(memoryview(blob)[4:_LONG].cast("I")), _LONG
    return list(blob[:_SECTIONS]), _SHORT


def rows(blob: Blob, section: int) -> Sequence[int]:
    """The row numbers in one section of a key's rows, in order (a tuple if few)."""
    if blob is None:
        return _EMPTY
    if isinstance(blob, int):
        return (blob >> 3,) if blob & 7 == section else _EMPTY
    if blob[0] != _MARK:
        start = blob[section - 1] if section else 0
        return _UNPACK[blob[section] - start](blob, _SHORT + 4 * start)
    ends = memoryview(blob)[4:_LONG].cast("I")
    start = ends[section - 1] if section else 0
    return memoryview(blob)[_LONG + 4 * start : _LONG + 4 * ends[section]].cast("I")


#: Unpackers of 0 to 254 native 32-bit integers (a short blob's rows), to tuples.
_UNPACK = [struct.Struct(f"={count}I").unpack_from for count in range(_MARK)]


def blob_of(sections: Sequence[Sequence[int]]) -> bytes:
    """A key's rows as one blob: each of the six sections' row numbers, in order."""
    ends, total = [], 0
    for held in sections:
        total += len(held)
        ends.append(total)
    body = array("I", [row for held in sections for row in held]).tobytes()
    if total < _MARK:
        return bytes(ends) + body
    return bytes((_MARK, 0, 0, 0)) + array("I", ends).tobytes() + body


def with_row(blob: Blob, section: int, position: int, row: int) -> bytes | int:
    """A key's rows ``blob`` with ``row`` put at ``position`` in ``section``."""
    if blob is None:
        return row << 3 | section
    if isinstance(blob, int):  # one row: made a short blob first
        blob = _FIRST[blob & 7] + (blob >> 3).to_bytes(4, _BYTE_ORDER)
    item = row.to_bytes(4, _BYTE_ORDER)
    if blob[0] != _MARK and blob[_SECTIONS - 1] < _MARK - 1:
        # Short form, staying short: every end from the section's on moves up by one
        # (each byte is below 254, so adding to all at once carries nothing).
        head = (int.from_bytes(blob[:_SHORT], "little") + _ONE_MORE[section]).to_bytes(
            _SHORT, "little"
        )
        start = _SHORT + 4 * ((blob[section - 1] if section else 0) + position)
        return b"".join((head, blob[_SHORT:start], item, blob[start:]))
    ends, base = _ends(blob)
    body = blob[base:]
    for index in range(section, _SECTIONS):
        ends[index] += 1
    start = 4 * ((ends[section - 1] if section else 0) + position)
    head = bytes((_MARK, 0, 0, 0)) + array("I", ends).tobytes()
    return b"".join((head, body[:start], item, body[start:]))


_BYTE_ORDER = sys.byteorder
#: The head of a short blob whose one row is in the section.
_FIRST = [bytes([0] * s + [1] * (_SECTIONS - s)) for s in range(_SECTIONS)]
#: What adds one to the short head's ends from the section's on.
_ONE_MORE = [sum(1 << 8 * i for i in range(s, _SECTIONS)) for s in range(_SECTIONS)]
