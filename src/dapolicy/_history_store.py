"""The in-memory history's store: ids as numbers, entries as rows of integers.

Behind :mod:`dapolicy._memory_history`, whose :class:`~dapolicy.history.InMemoryHistory`
records and queries through it (see that module for how it is kept). This is the part
that turns ids into numbers and back and files a row under its key; making an entry
again from its row is :mod:`dapolicy._history_made`'s.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from dapolicy._history_columns import Rows, column, grown, mapped, more
from dapolicy._history_ids import (
    CALLER_CALLS,
    LOCATION_CALLS,
    Ids,
    Zones,
    blob_of,
    plain_time,
    plain_zone,
    rows,
    with_row,
)
from dapolicy._history_made import (
    EVENT_WIDE,
    GRADE_WIDE,
    GRADES_BY_RANK,
    NO_KEY,
    ORDERS,
    ZONE_MASK,
    Made,
)

__all__ = [
    "BIG",
    "EVENT_WIDE",
    "GRADES_BY_RANK",
    "GRADE_WIDE",
    "NO_KEY",
    "ORDERS",
    "ZONE_MASK",
    "HistoryStore",
    "Rows",
    "in_window",
    "one_of",
    "plain_ids",
]

#: Key look-ups kept, at most (about 0.5 MB): the victim and suspect of every assessment.
_FOUND = 4096
#: Keys whose rows are kept as lists, at most, in each of two generations (see
#: HistoryStore._rows): a few kilobytes, whatever the history's size.
_RECENT = 32
#: ``_head[key]`` of a key whose rows are a blob (see HistoryStore._rows).
BIG = -2
#: Row and posting numbers the postings' arrays hold before they are widened.
_ROOM = 2**29 - 1

_MICROSECOND = timedelta(microseconds=1)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class HistoryStore(Made):
    """The numbers, rows and postings of an in-memory history, and its entries made again."""

    #: A key's postings walked past this many have its rows made a blob.
    SMALL = 24

    def __init__(self) -> None:
        """An empty history."""
        self._keys = Ids()  # victims, suspects, callers, locations, perpetrators
        # Every key's rows, in one shared posting list: ``_head[key]`` is its latest
        # posting (-1: none; BIG: its rows are a blob in ``_big``), ``_post[p]`` the
        # posting's ``row << 3 | section`` and ``_next[p]`` the key's posting before it.
        # Columns (see :mod:`~dapolicy._history_columns`): ``_head`` holds one number a
        # key (``len(self._keys)``), ``_post`` and ``_next`` ``_filed`` postings.
        self._head = column("i", 16)
        self._post = column("I", 16)
        self._next = column("i", 16)
        self._filed = 0
        self._filed_room = 16  # postings that fit ``_post`` and ``_next`` and their type
        self._room = _ROOM  # postings and rows that fit the columns' types
        self._big: dict[int, bytes] = {}  # keys past SMALL postings: their rows, sorted
        self._names = Ids()  # incident, call, event and decision ids
        self._as = bytearray()  # by name number: what it was recorded as (bits)
        self._zones = Zones()
        self._met: dict[int, tuple[timezone, int]] = {}  # by id: plain zones, their numbers
        self._inc = Rows("II")  # id, suspect; misc: crime | at zone << 1 | known << 17
        self._calls = Rows("III")  # id, caller, location; misc: at zone | known << 16
        self._marac = Rows("II")  # incident id, suspect; misc: at zone | known << 16
        self._grades = Rows("I", "Q")  # decision id; misc: rank | at << 8 | known << 36
        self._events = Rows("II", "Q")  # id, perpetrator; misc: see record_event
        #: The rows of each section (INCIDENTS ... LOCATION_CALLS), by section.
        self._tables = (self._inc, self._grades, self._events, self._marac, *[self._calls] * 2)
        self._odd: dict[int, Any] = {}  # section + 8 * row: entries kept as given
        #: section + 8 * row: a grade's or an event's offsets' numbers past its fields.
        self._wide: dict[int, tuple[int, int]] = {}
        self._built: dict[int, Any] = {}  # section + 8 * row: entries made again
        self._found: dict[str, int] = {}  # recent key look-ups (-1: not there)
        # Keys asked about lately, their rows by section (see _rows): two generations.
        self._recent: dict[int, list[list[int]]] = {}
        self._recent_old: dict[int, list[list[int]]] = {}
        self._victims = 0
        self._last_name: tuple[object, int] = (None, -1)  # the id last numbered, and its number

    def _mapped(self) -> int:
        """The bytes its columns' own maps hold (what tracing allocations does not see)."""
        filed, keys = self._filed, len(self._keys)
        tables = {id(table): table for table in self._tables}.values()
        postings = mapped(self._post, filed) + mapped(self._next, filed)
        ids = self._keys.mapped() + self._names.mapped()
        return sum(t.mapped() for t in tables) + postings + mapped(self._head, keys) + ids

    # --- numbers for ids -----------------------------------------------------------------

    def _key(self, text: object) -> int:
        """The number of a victim, suspect, caller, location or perpetrator id, or -1."""
        if type(text) is not str:
            return self._keys.find(text) if isinstance(text, str) else -1
        found = self._found
        number = found.get(text)
        if number is None:
            if len(found) >= _FOUND:
                found.clear()
            number = found[text] = self._keys.find(text)
        return number

    def _add_key(self, text: str) -> int:
        """The number of a key id, a new one (with no rows) if it was never added."""
        found, number = self._found, None
        if type(text) is str:
            number = found.get(text)
            if number is not None and number >= 0:
                return number
        keys = self._keys
        count = keys.count
        # Looked for lately and not there (-1): it is given a slot without comparing.
        added = keys.add(text, absent=number is not None)
        if added == count:
            if count == len(self._head):
                self._head = grown(self._head, count, more(count, 4))
            self._head[count] = -1
            if text in found:  # not there when looked for: it is now
                found[text] = added
        return added

    def _name(self, text: object) -> int:
        """The number of an incident, call, event or decision id, or -1."""
        last, number = self._last_name
        if text is last:  # asked again (a query's exclude), or the id just recorded
            return number
        if not isinstance(text, str):
            return -1
        number = self._names.find(text)
        self._last_name = (text, number)
        return number

    def _add_name(self, text: str) -> int:
        """The number of a name, a new one if it was never added."""
        last, number = self._last_name
        if text is last and number >= 0:  # a grade or referral for the incident just recorded
            return number
        names = self._names
        count = names.count
        number = names.add(text, absent=text is last)  # looked for just before, and not there
        if number == count:
            self._as.append(0)
        self._last_name = (text, number)
        return number

    # --- each key's rows ---------------------------------------------------------------------

    def _rows(self, key: int, section: int, *, keep: bool = True) -> Sequence[int]:
        """The key's rows in ``section``, sorted by (time, id) as the queries read them.

        Rows at the same time and id (MARAC referrals about two suspects) stay in the
        order they were recorded in. A key walked past :data:`SMALL` postings has its
        rows made a blob (:func:`~dapolicy._history_ids.blob_of`), kept in order from then
        on. A key with fewer has its postings walked once for every section, and (if
        ``keep``: a query, not a record) its rows kept a while among the keys asked about
        lately (:meth:`_recent_rows`), each row filed under it then put in its place:
        a decision asks several questions about one victim and records under it. What
        is given back must not be changed.
        """
        head = self._head[key]
        if head == BIG:
            return rows(self._big[key], section)
        held = self._recent_rows(key)
        if held is not None:
            return held[section]
        if not keep:  # one section's rows, nothing kept
            return self._walk(key, head, section)
        held = self._gather(key, head)
        if held is None:  # made a blob
            return rows(self._big[key], section)
        self._keep_rows(key, held)
        return held[section]

    def _walk(self, key: int, head: int, section: int) -> Sequence[int]:
        """:meth:`_rows` of one section, from a walk of the key's postings."""
        post, after, found, steps = self._post, self._next, [], 0
        while head >= 0:
            value = post[head]
            if value & 7 == section:
                found.append(value >> 3)
            head = after[head]
            steps += 1
        if steps > self.SMALL:
            self._gather(key, self._head[key])  # made a blob
            return rows(self._big[key], section)
        if len(found) < 2:
            return found
        found.reverse()  # the order they were recorded in
        self._sort(found, section)
        return found

    def _sort(self, found: list[int], section: int) -> None:
        """Rows of ``section`` in the order they were recorded, sorted as :meth:`_rows`."""
        table = self._tables[section]
        when = table.at.__getitem__
        found.sort(key=when)
        if len(set(map(when, found))) < len(found):  # ties in time: by id, stable
            names, ids = self._names.text, table.ids[0]
            found.sort(key=lambda row: (when(row), names(ids[row])))

    def _recent_rows(self, key: int) -> list[list[int]] | None:
        """The key's rows by section if it was asked about lately (then kept as latest)."""
        held = self._recent.get(key)
        if held is None and (held := self._recent_old.pop(key, None)) is not None:
            self._keep_rows(key, held)
        return held

    def _keep_rows(self, key: int, held: list[list[int]]) -> None:
        """Keep a key's rows among the latest: at most two generations of :data:`_RECENT`.

        A key asked about again is moved to the latest, so however large the history,
        what a decision is asking about stays, and at most ``2 * _RECENT`` keys are held.
        """
        recent = self._recent
        if len(recent) >= _RECENT:
            self._recent_old, self._recent = recent, {}
            recent = self._recent
        recent[key] = held

    def _gather(self, key: int, head: int) -> list[list[int]] | None:
        """Walk a key's postings once: its rows by section, each sorted as :meth:`_rows`.

        None if there were more than :data:`SMALL` (the key's rows are then a blob).
        """
        post, after, values = self._post, self._next, []
        while head >= 0:
            values.append(post[head])
            head = after[head]
        if len(values) > self.SMALL:
            self._promote(key, values)
            return None
        sections: list[list[int]] = [[], [], [], [], [], []]
        for value in reversed(values):  # the order they were recorded in
            sections[value & 7].append(value >> 3)
        for section, found in enumerate(sections):
            if len(found) > 1:
                self._sort(found, section)
        return sections

    def _within(self, key: int, section: int, since: int, until: int, known: int) -> list[int]:
        """The key's rows in ``section`` in a window (see :func:`in_window`)."""
        return in_window(self._rows(key, section), self._tables[section], since, until, known)

    def _promote(self, key: int, postings: list[int]) -> None:
        """Make a key's rows, now many (``postings``, latest first), a blob kept sorted."""
        sections: list[list[int]] = [[] for _ in range(6)]
        for value in reversed(postings):
            sections[value & 7].append(value >> 3)
        names = self._names.text
        for section, held in enumerate(sections):
            table = self._tables[section]
            at, ids = table.at, table.ids[0]
            held.sort(key=lambda row: (at[row], names(ids[row])))
        self._big[key] = blob_of(sections)
        self._head[key] = BIG
        self._recent.pop(key, None)
        self._recent_old.pop(key, None)

    def _file(self, key: int, section: int, row: int, at: int, text: str) -> None:
        """File ``row`` (at ``at``, with id ``text``) under ``key``, in ``section``."""
        head = self._head
        if head[key] == BIG:
            blob = self._big[key]
            held = rows(blob, section)
            position = self._place(held, at, text, self._tables[section], after=True)
            self._big[key] = with_row(blob, section, position, row)  # type: ignore[assignment]
            return
        kept = self._recent.get(key) or self._recent_old.get(key)
        filed = self._filed
        if filed >= self._filed_room or row >= self._room:
            self._more_postings(row)
            head = self._head
        self._post[filed] = row << 3 | section
        self._next[filed] = head[key]
        head[key] = filed
        self._filed = filed + 1
        if kept is not None:  # asked about lately: the row put in its place (after equals)
            table, held = self._tables[section], kept[section]
            held.insert(self._place(held, at, text, table, after=True), row)

    def _more_postings(self, row: int) -> None:
        """Room for another posting: more of them, or wider ones.

        Wider past 2**29 rows or postings (never in practice).
        """
        filed, keys = self._filed, len(self._keys)
        if row >= self._room or filed >= self._room:
            self._post = grown(self._post, filed, len(self._post), "Q")
            self._next = grown(self._next, filed, len(self._post), "q")
            self._head = grown(self._head, keys, len(self._head), "q")
            self._room = 2**60
        if filed >= len(self._post):
            room = more(filed, self._post.itemsize)
            self._post = grown(self._post, filed, room)
            self._next = grown(self._next, filed, room)
        self._filed_room = min(len(self._post), self._room)

    def _place(
        self,
        held: Sequence[int],
        at: int,
        text: str,
        table: Rows,
        *,
        after: bool = False,
    ) -> int:
        """Where an entry at ``at`` with id ``text`` goes among ``held``, sorted (time, id).

        Returns -1 if one with the same time and id is there already, unless ``after``
        (then it goes after them: a MARAC referral about another suspect).
        """
        if not held:
            return 0
        when = table.at.__getitem__
        low = bisect.bisect_left(held, at, key=when)
        high = bisect.bisect_right(held, at, lo=low, key=when)
        ids, text_of = table.ids[0], self._names.text
        while low < high:
            other = text_of(ids[held[low]])
            if other > text:
                break
            if other == text and not after:
                return -1
            low += 1
        return low

    def _times(self, at: datetime, known: datetime) -> tuple[int, int, int, int, bool]:
        """An entry's two times as microseconds, their offsets' numbers, and if both plain.

        Plain: made again exactly from the two (:func:`~dapolicy._history_ids.plain_time`).
        A ``timezone`` met before (the same object, named by no name) is known by its
        identity: its offset's number and plainness are not worked out again.
        """
        met = self._met
        zone = at.tzinfo
        hit = met.get(id(zone))
        if hit is not None and hit[0] is zone:
            at_zone, plain = hit[1], type(at) is datetime and not at.fold
        else:
            at_zone, plain = self._meet(at)
        at_us = (at - _EPOCH) // _MICROSECOND
        if known is at:  # recorded_at, by default, is the entry's own time itself
            return at_us, at_us, at_zone, at_zone, plain
        zone = known.tzinfo
        hit = met.get(id(zone))
        if hit is not None and hit[0] is zone:
            known_zone = hit[1]
            plain = plain and type(known) is datetime and not known.fold
        else:
            known_zone, known_plain = self._meet(known)
            plain = plain and known_plain
        return at_us, (known - _EPOCH) // _MICROSECOND, at_zone, known_zone, plain

    def _meet(self, moment: datetime) -> tuple[int, bool]:
        """:meth:`_times` for a time whose zone is not known by identity (yet)."""
        code, zone = self._zones.code(moment), moment.tzinfo
        met = self._met
        if len(met) < 64 and plain_zone(zone):
            met[id(zone)] = (zone, code)  # kept alive: its id is not used again
        return code, plain_time(moment)

    def _stamp(self, at: datetime, known: datetime) -> tuple[int, int, int, bool]:
        """:meth:`_times` with the offsets' numbers packed as ``at | known << 16``.

        The packed number is -1 if an offset's number does not fit in 15 bits (more
        than 32,767 offsets met): the entry is then kept as it was given.
        """
        at_us, known_us, at_zone, known_zone, plain = self._times(at, known)
        zones = at_zone | known_zone << 16 if max(at_zone, known_zone) <= ZONE_MASK else -1
        return at_us, known_us, zones, plain


def in_window(held: Sequence[int], table: Rows, since: int, until: int, known: int) -> list[int]:
    """The rows of ``held`` (by time) with ``since <= time <= until``, known before ``known``."""
    at, recorded = table.at, table.known
    if len(held) > 16:  # two binary searches; a few rows are quicker looked through
        when = at.__getitem__
        low = bisect.bisect_left(held, since, key=when)
        held = held[low : bisect.bisect_right(held, until, lo=low, key=when)]
        return [row for row in held if recorded[row] < known]
    return [row for row in held if since <= at[row] <= until and recorded[row] < known]


def one_of(caller_id: str | None, location_id: str | None) -> tuple[int, str]:
    """The (section, id) a calls query is about; exactly one of the two must be given."""
    if caller_id is not None and location_id is None:
        return CALLER_CALLS, caller_id
    if location_id is not None and caller_id is None:
        return LOCATION_CALLS, location_id
    raise ValueError("give exactly one of caller_id and location_id")


def plain_ids(*ids: object) -> bool:
    """Whether every id is a ``str`` itself (made again exactly from its text)."""
    return all(type(item) is str for item in ids)
