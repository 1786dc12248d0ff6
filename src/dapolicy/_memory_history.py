"""The in-memory history, behind :mod:`dapolicy.history` (which is its public home).

How it is kept: under 300 bytes a record, not an object per entry
    Every id is a number: victims, suspects, callers, locations and perpetrators in one
    table of *keys*, incident, call, event and decision ids in one of *names*
    (:class:`~dapolicy._history_ids.Ids`: their text once, in one ``bytearray``). Each
    kind of entry is a row in columns of machine integers (:mod:`array` types, each in
    a buffer of its own that is never moved once large, see
    :mod:`~dapolicy._history_columns`): its two times
    as integer microseconds, its ids' numbers, and its UTC offsets, crime flag, grade or
    event kind packed in one more integer. The rows filed under each key (a victim's
    incidents, grades, events and referrals; a caller's and a location's calls) are
    *postings* in one list shared by all keys: each posting is a row's number and
    section and the key's posting before it (8 bytes), and a key is the number of its
    latest posting (4 bytes; a suspect has none). A query walks the key's postings and
    sorts the rows by (time, id); a key walked past
    :attr:`~dapolicy._history_store.HistoryStore.SMALL` postings has its rows made one
    ``bytes`` (its *blob*) kept sorted from then on, so that a window is two binary
    searches on the rows' times. The entry objects are made again only for the rows a
    query returns (a few thousand of them kept, as every assessment asks about the same
    victim three times). An entry that would not come back exactly the same from its numbers (a
    subclass, a ``datetime`` subclass, a named ``timezone``, a folded time, a ``str``
    subclass as an id, a crime flag that is not a bool) is kept as it was given, and
    returned as itself.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from dapolicy._history_columns import kept, plain
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
    INCIDENTS,
    LOCATION_CALLS,
    MARAC,
)
from dapolicy._history_store import (
    EVENT_WIDE,
    GRADE_WIDE,
    NO_KEY,
    ORDERS,
    ZONE_MASK,
    HistoryStore,
    in_window,
    one_of,
    plain_ids,
)
from dapolicy.models import Agency, EventKind, RiskGrade
from dapolicy.models._base import micros

if TYPE_CHECKING:
    from typing import Any

    from dapolicy.models import Incident

__all__ = ["InMemoryHistory"]

_RANK = {grade: rank for rank, grade in enumerate(RiskGrade)}
_KIND = {kind: code for code, kind in enumerate(EventKind)}
_AGENCY = {agency: code for code, agency in enumerate(Agency)}
_ORDER = {order: code for code, order in enumerate(ORDERS)}

#: What a name (incident, call or event id) was recorded as, by bit.
_AS_INCIDENT, _AS_CALL, _AS_EVENT = 1, 2, 4


class InMemoryHistory(HistoryStore):
    """A :class:`~dapolicy.history.MutableHistory` in memory, per victim, caller and location.

    Memory is a few integers an entry and each distinct id's text once: about 115 bytes
    an incident, and under 300 a batch record (its incident, call, grade and referral).
    An entry is made again from them only when a query returns it. A window is two
    binary searches (a few rows are looked through).
    """

    @classmethod
    def of(
        cls,
        *,
        incidents: Iterable[Incident] = (),
        marac_referrals: Iterable[tuple[Incident, datetime]] = (),
    ) -> InMemoryHistory:
        """A history that already holds a victim's past, for tests and integrations.

        Each of ``incidents`` is recorded as :func:`~dapolicy.history.record` records an
        incident without a decision: known from its report time. Each
        ``(incident, referred_at)`` of ``marac_referrals`` records the incident and a
        MARAC referral about its victim and suspect made at ``referred_at`` (the
        decision that made it), known from then.

        :raises ValidationError: a referral made before its incident was reported.
        """
        from dapolicy.errors import FieldError, ValidationError
        from dapolicy.history import record

        history = cls()
        for incident in incidents:
            record(history, incident)
        for index, (incident, referred_at) in enumerate(marac_referrals):
            if micros(referred_at) < micros(incident.reported_at):
                raise ValidationError(
                    "history",
                    [FieldError(f"$.marac_referrals[{index}]", "made before the report")],
                )
            record(history, incident, recorded_at=referred_at)
            history.record_marac_referral(
                MaracReferralEntry(
                    incident.victim.id, incident.suspect.id, referred_at, incident.id
                )
            )
        return history

    def __len__(self) -> int:
        """The number of incidents held."""
        return self._inc.count

    def __repr__(self) -> str:
        """Counts only: a history is full of ids and must not be dumped into a log."""
        return (
            f"<InMemoryHistory incidents={self._inc.count} victims={self._victims} "
            f"calls={self._calls.count}>"
        )

    def __getstate__(self) -> dict[str, Any]:
        """Everything but what is kept only to answer the next query faster."""
        unkept = {"_built": {}, "_found": {}, "_last_name": (None, -1), "_met": {}}
        unkept |= {"_recent": {}, "_recent_old": {}}
        filed, keys = self._filed, len(self._keys)
        postings = {  # as arrays: a column of its own map cannot be pickled
            "_head": plain(self._head, keys),
            "_post": plain(self._post, filed),
            "_next": plain(self._next, filed),
        }
        return {**self.__dict__, **unkept, **postings}

    def __setstate__(self, state: dict[str, Any]) -> None:
        """Take the history back, its postings as columns with room to grow."""
        self.__dict__.update(state)
        self._recent, self._recent_old = {}, {}  # (a history pickled before they were kept)
        self._head = kept(state["_head"], 2 * len(state["_head"]) + 16)
        room = 2 * self._filed + 16
        self._post, self._next = kept(state["_post"], room), kept(state["_next"], room)
        self._filed_room = min(len(self._post), self._room)

    # --- recording -----------------------------------------------------------------------
    #
    # Each method works out everything first (numbers found, times, where the row goes)
    # and changes the history only after: an entry that fails half way leaves no trace.

    def record_incident(self, entry: HistoryEntry) -> bool:
        """Add an incident; return False if it was already there for its victim.

        An incident is one victim's: two victims of one incident (one id) each have it
        in their history, as they would in a history of their own (a ``--jobs``
        partition holds one of them and not the other).
        """
        text = entry.incident_id
        name = self._add_name(text)  # an id kept for nothing if this fails: harmless
        if self._as[name] & _AS_INCIDENT and self._holds(entry.victim_id, name):
            return False
        at_us, known_us, zones, plain = self._stamp(entry.occurred_at, entry.recorded_at)
        victim_id, suspect_id = entry.victim_id, entry.suspect_id
        plain = (
            plain
            and type(entry) is HistoryEntry
            and type(text) is str
            and type(victim_id) is str
            and type(suspect_id) is str
            and type(entry.crime) is bool
            and zones >= 0
        )
        victim, suspect = self._add_key(victim_id), self._add_key(suspect_id)
        new_victim = not self._rows(victim, INCIDENTS, keep=False)
        table = self._inc
        # Worked out before the first column grows, so that nothing can fail half way.
        # An entry kept as given answers with its own crime flag: its bit is not read
        # (and ``bool()`` of an odd flag, pandas' NA say, may raise).
        misc = zones << 1 | entry.crime if plain else 0
        row = table.add(at_us, known_us, misc, name, suspect)
        self._victims += new_victim
        self._file(victim, INCIDENTS, row, at_us, text)
        self._as[name] |= _AS_INCIDENT
        if not plain:
            self._odd[INCIDENTS + 8 * row] = entry
        return True

    def record_call(self, entry: CallEntry) -> bool:
        """Add a call; return False if its id was already there."""
        text = entry.call_id
        name = self._add_name(text)
        if self._as[name] & _AS_CALL:
            return False
        at_us, known_us, zones, plain = self._stamp(entry.received_at, entry.recorded_at)
        caller, location = entry.caller_id, entry.location_id
        plain = (
            plain
            and type(entry) is CallEntry
            and type(text) is str
            and (caller is None or type(caller) is str)
            and (location is None or type(location) is str)
            and zones >= 0
        )
        by = NO_KEY if caller is None else self._add_key(caller)
        to = NO_KEY if location is None else self._add_key(location)
        table = self._calls
        row = table.add(at_us, known_us, zones if plain else 0, name, by, to)
        if caller is not None:
            self._file(by, CALLER_CALLS, row, at_us, text)
        if location is not None:
            self._file(to, LOCATION_CALLS, row, at_us, text)
        self._as[name] |= _AS_CALL
        if not plain:
            self._odd[CALLER_CALLS + 8 * row] = entry
        return True

    def record_marac_referral(self, entry: MaracReferralEntry) -> bool:
        """Add a MARAC referral; return False if it was already there."""
        # The same one: the same victim, suspect, incident and instant, whatever offset.
        at_us, known_us, at_zone, known_zone, times = self._times(
            entry.referred_at, entry.recorded_at
        )
        victim, suspect = self._key(entry.victim_id), self._key(entry.suspect_id)
        name = self._name(entry.incident_id)
        table = self._marac
        if (
            victim >= 0
            and suspect >= 0
            and name >= 0
            and (held := self._rows(victim, MARAC, keep=False))
        ):
            when = table.at.__getitem__
            low = bisect.bisect_left(held, at_us, key=when)
            high = bisect.bisect_right(held, at_us, lo=low, key=when)
            ids, others = table.ids
            if any(ids[r] == name and others[r] == suspect for r in held[low:high]):
                return False
        plain = (
            type(entry) is MaracReferralEntry
            and plain_ids(entry.victim_id, entry.suspect_id, entry.incident_id)
            and times
            and max(at_zone, known_zone) <= ZONE_MASK
        )
        name = self._add_name(entry.incident_id)
        victim, suspect = self._add_key(entry.victim_id), self._add_key(entry.suspect_id)
        zones = at_zone | known_zone << 16 if plain else 0
        row = table.add(at_us, known_us, zones, name, suspect)
        self._file(victim, MARAC, row, at_us, entry.incident_id)
        if not plain:
            self._odd[MARAC + 8 * row] = entry
        return True

    def record_grade(self, entry: GradeEntry) -> bool:
        """Add a grade; return False if one for the same decision and instant was there."""
        at_us, known_us, at_zone, known_zone, _ = self._times(entry.graded_at, entry.recorded_at)
        rank = _RANK[entry.grade]
        victim, name = self._key(entry.victim_id), self._name(entry.decision_id)
        table = self._grades
        if victim >= 0 and name >= 0 and (held := self._rows(victim, GRADES, keep=False)):
            when, ids = table.at.__getitem__, table.ids[0]  # (held is sorted by time)
            low = bisect.bisect_left(held, at_us, key=when)
            high = bisect.bisect_right(held, at_us, lo=low, key=when)
            if name in [ids[r] for r in held[low:high]]:
                return False
        plain = type(entry) is GradeEntry and plain_ids(entry.victim_id, entry.decision_id)
        name = self._add_name(entry.decision_id)
        victim = self._add_key(entry.victim_id)
        wide = max(at_zone, known_zone) >= GRADE_WIDE  # past the fields: kept beside
        zones = GRADE_WIDE if wide else at_zone | known_zone << 28
        row = table.add(at_us, known_us, rank | zones << 8, name)
        self._file(victim, GRADES, row, at_us, entry.decision_id)
        if wide:
            self._wide[GRADES + 8 * row] = (at_zone, known_zone)
        if not plain:
            self._odd[GRADES + 8 * row] = entry
        return True

    def record_event(self, entry: EventEntry) -> bool:
        """Add an event; return False if its id was already there."""
        name = self._name(entry.event_id)
        if name >= 0 and self._as[name] & _AS_EVENT:
            return False
        at_us, known_us, at_zone, known_zone, _ = self._times(entry.occurred_at, entry.recorded_at)
        codes = _KIND[entry.kind] | _AGENCY[entry.reported_by] << 8 | _ORDER[entry.order] << 16
        plain = type(entry) is EventEntry and plain_ids(
            entry.event_id, entry.victim_id, entry.perpetrator_id
        )
        name = self._add_name(entry.event_id)
        victim, perpetrator = self._add_key(entry.victim_id), self._add_key(entry.perpetrator_id)
        table = self._events
        wide = max(at_zone, known_zone) >= EVENT_WIDE  # past the fields: kept beside
        zones = EVENT_WIDE if wide else at_zone | known_zone << 20
        row = table.add(at_us, known_us, codes | zones << 24, name, perpetrator)
        self._file(victim, EVENTS, row, at_us, entry.event_id)
        if wide:
            self._wide[EVENTS + 8 * row] = (at_zone, known_zone)
        self._as[name] |= _AS_EVENT
        if not plain:
            self._odd[EVENTS + 8 * row] = entry
        return True

    # --- queries -----------------------------------------------------------------------------

    def _holds(self, victim_id: object, name: int) -> bool:
        """Whether the victim already has the incident numbered ``name`` (rarely asked)."""
        victim = self._key(victim_id)
        if victim < 0:
            return False
        ids = self._inc.ids[0]
        return any(ids[row] == name for row in self._rows(victim, INCIDENTS, keep=False))

    def _own(self, text: str, key: int) -> str:
        """A key's id as a query gave it, if a plain str, else as it was recorded."""
        return text if type(text) is str else self._keys.text(key)

    def incidents(
        self,
        victim_id: str,
        *,
        since: datetime,
        until: datetime,
        known_at: datetime,
        suspect_id: str | None = None,
        exclude: str | None = None,
    ) -> Sequence[HistoryEntry]:
        """The victim's incidents in the window, oldest first (see ``History``)."""
        victim = self._found.get(victim_id)  # the commonest case first: asked just before
        if victim is None:
            victim = self._key(victim_id)
        held = self._rows(victim, INCIDENTS) if victim >= 0 else ()
        if not held:
            return ()
        table, built, build = self._inc, self._built, self._incident
        window = in_window(held, table, micros(since), micros(until), micros(known_at))
        if suspect_id is not None:
            suspect, suspects = self._key(suspect_id), table.ids[1]
            window = [row for row in window if suspects[row] == suspect]
        if type(victim_id) is not str:
            victim_id = self._keys.text(victim)
        # An entry made again lately is kept under its row number times 8 (see _incident).
        found = [built.get(row << 3) or build(row, victim_id) for row in window]
        if exclude is not None:  # on the entries: cheaper than finding its number
            found = [entry for entry in found if entry.incident_id != exclude]
        return found

    def count_incidents(
        self,
        victim_id: str,
        *,
        since: datetime,
        until: datetime,
        known_at: datetime,
        suspect_id: str | None = None,
        exclude: str | None = None,
    ) -> int:
        """How many incidents :meth:`incidents` gives for the same question.

        Counted from the rows' times and ids: no entry is made again.
        """
        victim = self._found.get(victim_id)  # as incidents() finds it
        if victim is None:
            victim = self._key(victim_id)
        if victim < 0:
            return 0
        table = self._inc
        found = self._within(victim, INCIDENTS, micros(since), micros(until), micros(known_at))
        if suspect_id is not None and found:
            suspect, suspects = self._key(suspect_id), table.ids[1]
            found = [row for row in found if suspects[row] == suspect]
        if exclude is None or not found:
            return len(found)
        ids, odd = table.ids[0], self._odd
        if type(exclude) is str and not odd:  # the id's number, found once
            return len(found) - [ids[row] for row in found].count(self._name(exclude))
        # As incidents() compares: each entry's own id (one kept as given, its own).
        text = self._names.text
        given = [odd.get(row << 3) for row in found]
        return sum(
            (text(ids[row]) if entry is None else entry.incident_id) != exclude
            for row, entry in zip(found, given, strict=True)
        )

    def calls(
        self,
        *,
        since: datetime,
        until: datetime,
        known_at: datetime,
        caller_id: str | None = None,
        location_id: str | None = None,
        exclude: str | None = None,
    ) -> Sequence[CallEntry]:
        """Calls from a caller or to a location in the window (see ``History``)."""
        section, value = one_of(caller_id, location_id)
        key = self._key(value)
        held = self._rows(key, section) if key >= 0 else ()
        if not held:
            return ()
        window = in_window(held, self._calls, micros(since), micros(until), micros(known_at))
        found = [self._call(row) for row in window]
        if exclude is not None:
            found = [entry for entry in found if entry.call_id != exclude]
        return found

    def last_marac_referral(
        self,
        victim_id: str,
        suspect_id: str,
        *,
        before: datetime,
        known_at: datetime,
        exclude: str | None = None,
    ) -> MaracReferralEntry | None:
        """The latest MARAC referral for the pair at or before ``before`` (see ``History``).

        Referrals at the same instant are ordered by incident id, so the answer does not
        depend on the order they were recorded in.
        """
        found = self._found
        victim, suspect = found.get(victim_id), found.get(suspect_id)
        if victim is None:
            victim = self._key(victim_id)
        if suspect is None:
            suspect = self._key(suspect_id)
        held = self._rows(victim, MARAC) if victim >= 0 and suspect >= 0 else ()
        if not held:
            return None
        table = self._marac
        index = bisect.bisect_right(held, micros(before), key=table.at.__getitem__)
        known, recorded, (ids, suspects) = micros(known_at), table.known, table.ids
        excluded = -1 if exclude is None else self._name(exclude)
        while index:
            index -= 1
            row = held[index]
            if suspects[row] == suspect and recorded[row] < known and ids[row] != excluded:
                victim_id = self._own(victim_id, victim)
                return self._referral(row, victim_id, self._own(suspect_id, suspect))
        return None

    def last_grade(
        self, victim_id: str, *, known_at: datetime, exclude: str | None = None
    ) -> GradeEntry | None:
        """The victim's latest grade known before ``known_at`` (see ``History``)."""
        victim = self._key(victim_id)
        held = self._rows(victim, GRADES) if victim >= 0 else ()
        if not held:
            return None
        known, table = micros(known_at), self._grades
        recorded, ids = table.known, table.ids[0]
        excluded = -1 if exclude is None else self._name(exclude)
        for row in reversed(held):
            if recorded[row] < known and ids[row] != excluded:
                return self._grade(row, victim_id)  # the id asked about, as ever
        return None

    def events(
        self,
        victim_id: str,
        *,
        since: datetime,
        until: datetime,
        known_at: datetime,
        perpetrator_id: str | None = None,
        exclude: str | None = None,
    ) -> Sequence[EventEntry]:
        """The victim's events in the window, oldest first (see ``History``)."""
        victim = self._key(victim_id)
        held = self._rows(victim, EVENTS) if victim >= 0 else ()
        if not held:
            return ()
        table = self._events
        window = in_window(held, table, micros(since), micros(until), micros(known_at))
        ids, perpetrators = table.ids
        excluded = -1 if exclude is None else self._name(exclude)
        perpetrator = -2 if perpetrator_id is None else self._key(perpetrator_id)
        return [
            self._event(row, victim_id)  # the victim id asked about, as ever
            for row in window
            if ids[row] != excluded and (perpetrator == -2 or perpetrators[row] == perpetrator)
        ]
