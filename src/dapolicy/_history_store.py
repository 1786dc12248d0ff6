"""The in-memory history's store: ids as numbers, entries as rows of integers.

Behind :mod:`dapolicy._memory_history`, whose :class:`~dapolicy.history.InMemoryHistory`
records and queries through it (see that module for how it is kept). This is the part
that turns ids into numbers and back, files a row under its key, and makes an entry
again from its row.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta, timezone
from mmap import mmap
from typing import Any

import attrs

from dapolicy._history_columns import Rows, column, grown, mapped, more
from dapolicy._history_entries import (
    CallEntry,
    EventEntry,
    GradeEntry,
    HistoryEntry,
    MaracReferralEntry,
)
from dapolicy._history_ids import (
    CALLER_CALLS,
    EVENTS,
    GRADES,
    MARAC,
    Ids,
    Zones,
    blob_of,
    plain_time,
    plain_zone,
    rows,
    with_row,
)
from dapolicy.models import Agency, CivilOrder, EventKind, RiskGrade

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
]

GRADES_BY_RANK = tuple(RiskGrade)
_KINDS = tuple(EventKind)
_AGENCIES = tuple(Agency)
ORDERS = (None, *CivilOrder)

#: A call's caller or location when there is none.
NO_KEY = 0xFFFFFFFF
#: Offsets' numbers packed beside a crime flag (incidents) or alone (calls, referrals).
ZONE_BITS = 15
ZONE_MASK = (1 << ZONE_BITS) - 1
#: The largest offset's number a grade's (28 bits each) and an event's (20 bits) packed
#: fields hold; the field's all-ones value says "the two numbers are in ``_wide``" (a
#: history that has met that many distinct offsets: made to, never in practice).
GRADE_WIDE = (1 << 28) - 1
EVENT_WIDE = (1 << 20) - 1
#: Entries made again and kept, at most (about 1.5 MB whatever the history's size): a
#: victim's incidents are asked about at every assessment, and a victim assessed again
#: soon after (a series; a run of re-assessments) finds them made.
_BUILT = 4096
#: Key look-ups kept, at most (about 0.5 MB): the victim and suspect of every assessment.
_FOUND = 4096
#: ``_head[key]`` of a key whose rows are a blob (see HistoryStore._rows).
BIG = -2
#: Row and posting numbers the postings' arrays hold before they are widened.
_ROOM = 2**29 - 1

put = object.__setattr__
_new = object.__new__
_MICROSECOND = timedelta(microseconds=1)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
(
    _SET_INCIDENT_ID,
    _SET_VICTIM_ID,
    _SET_SUSPECT_ID,
    _SET_OCCURRED_AT,
    _SET_CRIME,
    _SET_RECORDED_AT,
) = (HistoryEntry.__dict__[field.name].__set__ for field in attrs.fields(HistoryEntry))


def _text(arena: bytearray | mmap, start: int, end: int) -> str:
    return arena[start:end].decode("utf-8", "surrogatepass")


class HistoryStore:
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

    def _rows(self, key: int, section: int) -> Sequence[int]:
        """The key's rows in ``section``, sorted by (time, id) as the queries read them.

        Rows at the same time and id (MARAC referrals about two suspects) stay in the
        order they were recorded in. A key walked past :data:`SMALL` postings has its
        rows made a blob (:func:`~dapolicy._history_ids.blob_of`), kept in order from then on.
        """
        head = self._head[key]
        if head == BIG:
            return rows(self._big[key], section)
        post, after, found, steps = self._post, self._next, [], 0
        while head >= 0:
            value = post[head]
            if value & 7 == section:
                found.append(value >> 3)
            head = after[head]
            steps += 1
        if steps > self.SMALL:
            self._promote(key)
            return rows(self._big[key], section)
        if len(found) < 2:
            return found
        found.reverse()  # the order they were recorded in
        table = self._tables[section]
        when = table.at.__getitem__
        found.sort(key=when)
        if len(set(map(when, found))) < len(found):  # ties in time: by id, stable
            names, ids = self._names.text, table.ids[0]
            found.sort(key=lambda row: (when(row), names(ids[row])))
        return found

    def _promote(self, key: int) -> None:
        """Make a key's rows, now many, a blob kept sorted (see :meth:`_rows`)."""
        head, post, after = self._head[key], self._post, self._next
        postings = []
        while head >= 0:
            postings.append(post[head])
            head = after[head]
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

    def _file(self, key: int, section: int, row: int, at: int, text: str) -> None:
        """File ``row`` (at ``at``, with id ``text``) under ``key``, in ``section``."""
        head = self._head
        if head[key] == BIG:
            blob = self._big[key]
            held = rows(blob, section)
            position = self._place(held, at, text, self._tables[section], after=True)
            self._big[key] = with_row(blob, section, position, row)  # type: ignore[assignment]
            return
        filed = self._filed
        if filed >= self._filed_room or row >= self._room:
            self._more_postings(row)
            head = self._head
        self._post[filed] = row << 3 | section
        self._next[filed] = head[key]
        head[key] = filed
        self._filed = filed + 1

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

    # --- entries made again ----------------------------------------------------------------

    def _cached(self, slot: int) -> Any:
        """The entry made again lately, or kept as given, for ``section + 8 * row``."""
        entry = self._built.get(slot)
        if entry is None and self._odd:
            return self._odd.get(slot)
        return entry

    def _keep(self, slot: int, entry: Any) -> None:
        built = self._built
        if len(built) >= _BUILT:
            built.clear()
        built[slot] = entry

    def _incident(self, row: int, victim_id: str) -> HistoryEntry:
        """The incident in ``row``, made again (the query has looked in ``_built``).

        Every assessment asks for the victim's incidents, so this is written out: the
        slots set through their descriptors, texts and times made in place.
        """
        if self._odd and (entry := self._odd.get(row << 3)) is not None:
            return entry  # type: ignore[no-any-return]
        table, names, keys, epochs = self._inc, self._names, self._keys, self._zones.epochs
        misc, name, suspect = table.misc[row], table.ids[0][row], table.ids[1][row]
        entry = _new(HistoryEntry)
        ends, arena = names.ends, names.arena
        _SET_INCIDENT_ID(entry, _text(arena, ends[name - 1] if name else 0, ends[name]))
        _SET_VICTIM_ID(entry, victim_id)
        ends, arena = keys.ends, keys.arena
        _SET_SUSPECT_ID(entry, _text(arena, ends[suspect - 1] if suspect else 0, ends[suspect]))
        _SET_OCCURRED_AT(entry, epochs[misc >> 1 & ZONE_MASK] + _MICROSECOND * table.at[row])
        _SET_CRIME(entry, (misc & 1) == 1)
        _SET_RECORDED_AT(entry, epochs[misc >> 17] + _MICROSECOND * table.known[row])
        built = self._built
        if len(built) >= _BUILT:
            built.clear()
        built[row << 3] = entry
        return entry

    def _call(self, row: int) -> CallEntry:
        slot = CALLER_CALLS + 8 * row
        entry = self._cached(slot)
        if entry is None:
            table, moment, text = self._calls, self._zones.moment, self._keys.text
            misc = table.misc[row]
            ids, caller, location = table.ids
            entry = object.__new__(CallEntry)
            put(entry, "call_id", self._names.text(ids[row]))
            put(entry, "received_at", moment(table.at[row], misc & 0xFFFF))
            put(entry, "caller_id", None if caller[row] == NO_KEY else text(caller[row]))
            put(entry, "location_id", None if location[row] == NO_KEY else text(location[row]))
            put(entry, "recorded_at", moment(table.known[row], misc >> 16))
            self._keep(slot, entry)
        return entry  # type: ignore[no-any-return]

    def _referral(self, row: int, victim_id: str, suspect_id: str) -> MaracReferralEntry:
        entry = self._odd.get(MARAC + 8 * row) if self._odd else None
        if entry is None:
            table, moment = self._marac, self._zones.moment
            misc = table.misc[row]
            entry = object.__new__(MaracReferralEntry)
            put(entry, "victim_id", victim_id)
            put(entry, "suspect_id", suspect_id)
            put(entry, "referred_at", moment(table.at[row], misc & 0xFFFF))
            put(entry, "incident_id", self._names.text(table.ids[0][row]))
            put(entry, "recorded_at", moment(table.known[row], misc >> 16))
        return entry

    # A grade or an event comes back as it always has: its times at plain fixed offsets,
    # with the victim id the query was given; one with an id of a str subclass (kept as
    # given, in _odd) has that id object back.

    def _grade(self, row: int, victim_id: str) -> GradeEntry:
        table, moment = self._grades, self._zones.moment
        misc = table.misc[row]
        given = self._odd.get(GRADES + 8 * row) if self._odd else None
        at_zone, known_zone = misc >> 8 & GRADE_WIDE, misc >> 36
        if at_zone == GRADE_WIDE:
            at_zone, known_zone = self._wide[GRADES + 8 * row]
        entry = _new(GradeEntry)
        put(entry, "victim_id", victim_id)
        put(entry, "graded_at", moment(table.at[row], at_zone))
        put(entry, "grade", GRADES_BY_RANK[misc & 0xFF])
        decision = self._names.text(table.ids[0][row]) if given is None else given.decision_id
        put(entry, "decision_id", decision)
        put(entry, "recorded_at", moment(table.known[row], known_zone))
        return entry

    def _event(self, row: int, victim_id: str) -> EventEntry:
        table, moment = self._events, self._zones.moment
        misc = table.misc[row]
        given = self._odd.get(EVENTS + 8 * row) if self._odd else None
        entry = _new(EventEntry)
        name, perpetrator = table.ids[0][row], table.ids[1][row]
        put(entry, "event_id", self._names.text(name) if given is None else given.event_id)
        put(entry, "kind", _KINDS[misc & 0xFF])
        put(entry, "victim_id", victim_id)
        text = self._keys.text(perpetrator) if given is None else given.perpetrator_id
        put(entry, "perpetrator_id", text)
        at_zone, known_zone = misc >> 24 & EVENT_WIDE, misc >> 44
        if at_zone == EVENT_WIDE:
            at_zone, known_zone = self._wide[EVENTS + 8 * row]
        put(entry, "occurred_at", moment(table.at[row], at_zone))
        put(entry, "reported_by", _AGENCIES[misc >> 8 & 0xFF])
        put(entry, "order", ORDERS[misc >> 16 & 0xFF])
        put(entry, "recorded_at", moment(table.known[row], known_zone))
        return entry
