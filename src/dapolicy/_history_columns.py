"""Buffers that grow without leaving holes: the in-memory history's large columns.

Behind :mod:`dapolicy._memory_history`. A growing :class:`array.array` is moved by the C
allocator's ``realloc`` when it cannot grow where it is; the block it leaves is a hole
in the heap that later, smaller objects fill and pin. In a batch worker deciding 50,000
records the heap's free space grew by about 150 bytes a record that way, more than half
of what the history itself keeps. A column here is a :class:`memoryview` of a buffer of
its own: a ``bytearray`` while small (under :data:`LARGE` bytes), an anonymous
:class:`mmap.mmap` past that, which is never moved: a column that fills is copied into
one twice the size and the old one is unmapped, its pages given back to the system. Pages
of a map that nothing has written are not resident, so a column holds about what it
keeps, to the page.

A column has no length of its own: its owner counts what it holds (a table's rows, the
ids numbered) and asks for :func:`grown` when the count reaches its room.
:class:`Rows` is one kind of entry kept as such columns.
"""

from __future__ import annotations

import mmap
from array import array
from typing import Any

__all__ = ["LARGE", "PAGE", "Rows", "area", "column", "grown", "kept", "mapped", "more", "plain"]

#: Bytes past which a column's buffer is a map of its own rather than a heap block.
LARGE = 64 * 1024
#: A map's unit: its size is a whole number of pages.
PAGE = mmap.PAGESIZE
#: Private, where the system has the flag: a forked process's history must stay its own,
#: copied on write as a heap block is, not shared with its parent (``mmap``'s default).
_PRIVATE: dict[str, int] = {"flags": mmap.MAP_PRIVATE} if hasattr(mmap, "MAP_PRIVATE") else {}


def _map(size: int) -> mmap.mmap:
    """An anonymous map of ``size`` bytes (a whole number of pages) of this process's own."""
    return mmap.mmap(-1, size, **_PRIVATE)


def column(code: str, items: int) -> memoryview:
    """A zeroed column of at least ``items`` items of type ``code`` (an :mod:`array` code).

    Past :data:`LARGE` bytes its size is rounded up to whole pages (so it may hold more).
    """
    size = max(items, 1) * array(code).itemsize
    if size < LARGE:
        return memoryview(bytearray(size)).cast(code)  # type: ignore[call-overload,no-any-return]
    size = -(-size // PAGE) * PAGE
    return memoryview(_map(size)).cast(code)  # type: ignore[call-overload,no-any-return]


def more(items: int, itemsize: int = 8) -> int:
    """The room a column of ``items`` items that is full grows to.

    An eighth more (and 16) while it is a heap block, as :class:`array.array` grows;
    twice as many once it is a map of its own (only the pages written are resident).
    """
    if items * itemsize >= LARGE:
        return 2 * items
    return items + (items >> 3) + 16


def mapped(view: memoryview, count: int) -> int:
    """The bytes of ``view``'s own map its first ``count`` items are on (0: a heap block).

    What the system holds for it: tracing Python's allocations does not see a map.
    """
    if isinstance(view.obj, bytearray):
        return 0
    used = count * view.itemsize
    return min(view.nbytes, -(-used // PAGE) * PAGE)


def grown(view: memoryview, count: int, items: int, code: str | None = None) -> memoryview:
    """A column of ``items`` items holding ``view``'s first ``count`` (``view`` is dropped).

    :param code: the new column's type, if another (wider) than ``view``'s: its items are
        copied one by one, as a wider type cannot be copied as bytes.
    """
    new = column(code or view.format, items)
    if code is None or code == view.format:
        new[:count] = view[:count]
    else:
        for index in range(count):
            new[index] = view[index]
    return new


def plain(view: memoryview, count: int) -> array[int]:
    """The first ``count`` items of ``view`` as an array (to pickle: a map cannot be)."""
    return array(view.format, view[:count].tobytes())


def kept(items: array[int], room: int) -> memoryview:
    """A column of ``room`` items holding ``items`` (an array from :func:`plain`)."""
    view = column(items.typecode, max(room, len(items)))
    view[: len(items)] = memoryview(items)
    return view


def area(old: bytearray | mmap.mmap | bytes, used: int, size: int) -> bytearray | mmap.mmap:
    """Room for texts holding the first ``used`` bytes of ``old`` (which is dropped).

    A ``bytearray`` of ``size`` bytes, or past :data:`LARGE` a map of its own.
    """
    new: bytearray | mmap.mmap = bytearray(size) if size < LARGE else _map(-(-size // PAGE) * PAGE)
    with memoryview(new) as into, memoryview(old) as out:
        into[:used] = out[:used]
    return new


class Rows:
    """One kind of entry as columns: times in microseconds, ids' numbers, a packed integer.

    Each column is a :mod:`~dapolicy._history_columns` column of :attr:`room` rows, of
    which the first :attr:`count` are kept; all grow together, by doubling.
    """

    __slots__ = ("at", "count", "ids", "known", "misc", "room")

    def __init__(self, ids: str, misc: str = "I") -> None:
        self.count = 0
        self.room = 16
        self.at = column("q", self.room)
        #: The times known: the very column ``at`` while every row was known from its
        #: own time (a call's, a grade's or a referral's, by default), a copy from the
        #: first row that was not.
        self.known = self.at
        self.misc = column(misc, self.room)
        self.ids = tuple(column(code, self.room) for code in ids)

    def add(
        self, at: int, known: int, misc: int, first: int, second: int = -1, third: int = -1
    ) -> int:
        """Add a row (its ids' numbers: as many as it has id columns); return its number.

        A value past its column's range adds no row.
        """
        row = self.count
        if row == self.room:
            self._grow()
        times = self.at
        times[row] = at
        if self.known is not times:
            self.known[row] = known
        elif known != at:
            self.known = grown(times, row, self.room)
            self.known[row] = known
        self.misc[row] = misc
        ids = self.ids
        ids[0][row] = first
        if second >= 0:
            ids[1][row] = second
            if third >= 0:
                ids[2][row] = third
        self.count = row + 1  # only now: a row that failed half way is not one
        return row

    def mapped(self) -> int:
        """The bytes of its columns' own maps in use (see ``_history_columns.mapped``)."""
        count = self.count
        columns = (
            (self.misc, *self.ids) if self.known is self.at else (self.known, self.misc, *self.ids)
        )
        return sum(mapped(values, count) for values in (self.at, *columns))

    def _grow(self) -> None:
        count, room = self.count, more(self.room)
        shared = self.known is self.at
        self.at = grown(self.at, count, room)
        self.known = self.at if shared else grown(self.known, count, room)
        self.misc = grown(self.misc, count, room)
        self.ids = tuple(grown(values, count, room) for values in self.ids)
        self.room = room

    def __getstate__(self) -> tuple[Any, ...]:
        """The rows kept, as arrays: a column of its own map cannot be pickled."""
        count = self.count
        known = None if self.known is self.at else plain(self.known, count)
        ids = tuple(plain(values, count) for values in self.ids)
        return plain(self.at, count), known, plain(self.misc, count), ids

    def __setstate__(self, state: tuple[Any, ...]) -> None:
        """Take the rows back, with room for as many again."""
        at, known, misc, ids = state
        self.count, self.room = len(at), 2 * len(at) + 16
        self.at = kept(at, self.room)
        self.known = self.at if known is None else kept(known, self.room)
        self.misc = kept(misc, self.room)
        self.ids = tuple(kept(values, self.room) for values in ids)
