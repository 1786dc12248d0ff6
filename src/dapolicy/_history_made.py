"""Entries made again from their rows: the in-memory history's answers.

Behind :mod:`dapolicy._history_store`, whose :class:`~dapolicy._history_store.HistoryStore`
is a :class:`Made`: the part that makes an incident, call, referral, grade or event
again from its row of integers (times in microseconds and offsets' numbers, ids'
numbers), exactly as it was recorded, and keeps the incidents and calls made lately.
"""

from __future__ import annotations

from datetime import timedelta
from mmap import mmap
from typing import Any

import attrs

from dapolicy._history_columns import Rows
from dapolicy._history_entries import (
    CallEntry,
    EventEntry,
    GradeEntry,
    HistoryEntry,
    MaracReferralEntry,
)
from dapolicy._history_ids import CALLER_CALLS, EVENTS, GRADES, MARAC, Ids, Zones
from dapolicy.models import Agency, CivilOrder, EventKind, RiskGrade

__all__ = [
    "EVENT_WIDE",
    "GRADES_BY_RANK",
    "GRADE_WIDE",
    "NO_KEY",
    "ORDERS",
    "ZONE_MASK",
    "Made",
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

put = object.__setattr__
_new = object.__new__
_MICROSECOND = timedelta(microseconds=1)
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


class Made:
    """Entries made again from a history's rows (the store's attributes, set by it)."""

    _keys: Ids
    _names: Ids
    _zones: Zones
    _inc: Rows
    _calls: Rows
    _marac: Rows
    _grades: Rows
    _events: Rows
    _odd: dict[int, Any]
    _wide: dict[int, tuple[int, int]]
    _built: dict[int, Any]

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
