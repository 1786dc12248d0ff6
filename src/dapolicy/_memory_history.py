"""The in-memory history, behind :mod:`dapolicy.history` (which is its public home)."""

from __future__ import annotations

import bisect
import functools
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta, timezone
from typing import TYPE_CHECKING, TypeVar

from dapolicy.models import Agency, CivilOrder, EventKind, RiskGrade
from dapolicy.models._base import micros

if TYPE_CHECKING:
    from dapolicy.history import (
        CallEntry,
        EventEntry,
        GradeEntry,
        HistoryEntry,
        MaracReferralEntry,
    )
    from dapolicy.models import Incident

__all__ = ["InMemoryHistory"]

E = TypeVar("E")


class _Timeline(list[tuple[int, str, int, E]]):
    """Entries sorted by (time, id), searchable by window in O(log n).

    One list of ``(time_us, id, recorded_us, entry)``: each entry's ``recorded_at`` in
    microseconds is kept beside it, so that a window is filtered by the second clock
    without converting a datetime per entry. (time, id) is unique in a timeline (ids
    are), so the entries themselves are never compared. A list and nothing else, since
    most timelines (a victim's, a location's) hold one entry.
    """

    __slots__ = ()

    def add(self, at: datetime, entry_id: str, entry: E, recorded_at: datetime) -> None:
        key = (micros(at), entry_id)
        self.insert(bisect.bisect_left(self, key), (*key, micros(recorded_at), entry))

    def window(self, since: datetime, until: datetime, known_at: datetime) -> list[E]:
        # Keys are exact integer instants: (t, "") sorts before every (t, id).
        low = bisect.bisect_left(self, (micros(since), ""))
        high = bisect.bisect_left(self, (micros(until) + 1, ""))
        known = micros(known_at)
        return [item[3] for item in self[low:high] if item[2] < known]

    def latest(self, before: datetime, known_at: datetime, exclude: str | None) -> E | None:
        """The last entry at or before ``before``, known before ``known_at``, not ``exclude``."""
        index = bisect.bisect_left(self, (micros(before) + 1, ""))
        known = micros(known_at)
        while index:
            index -= 1
            _, entry_id, recorded, entry = self[index]
            if entry_id != exclude and recorded < known:
                return entry
        return None


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_GRADES = tuple(RiskGrade)
_RANK = {grade: rank for rank, grade in enumerate(_GRADES)}

#: A grade as kept: (graded_us, decision_id, recorded_us, grade's rank, the two UTC
#: offsets in seconds). Primitives only, sorted by (graded_us, decision_id).
_Grade = tuple[int, str, int, int, int, int]
#: An event as kept: (occurred_us, event_id, recorded_us, perpetrator_id, kind's value,
#: reporting agency's value, order's value or None, the two UTC offsets in seconds).
_Event = tuple[int, str, int, str, str, str, str | None, int, int]


def _offset(moment: datetime) -> int:
    offset = moment.utcoffset()
    assert offset is not None  # entries are checked aware when built
    return offset // timedelta(seconds=1)


@functools.lru_cache(maxsize=64)
def _zone(offset: int) -> timezone:
    return timezone(timedelta(seconds=offset))


def _moment(us: int, offset: int) -> datetime:
    """The instant ``us`` at the fixed UTC offset it was given in."""
    return (_EPOCH + timedelta(microseconds=us)).astimezone(_zone(offset))


@functools.cache
def _grade_entry() -> type[GradeEntry]:
    from dapolicy.history import GradeEntry  # a cycle at import time, not at run time

    return GradeEntry


def _one_of(caller_id: str | None, location_id: str | None) -> tuple[str, str]:
    """The (kind, id) a calls query is about; exactly one of the two must be given."""
    if caller_id is not None and location_id is None:
        return "caller", caller_id
    if location_id is not None and caller_id is None:
        return "location", location_id
    raise ValueError("give exactly one of caller_id and location_id")


class InMemoryHistory:
    """A :class:`~dapolicy.history.MutableHistory` in memory, per victim and victim-suspect pair.

    Memory is one small entry per incident (ids and two timestamps), one per MARAC
    referral and one per call (held by caller and by location); a grade or an event is
    one tuple of primitives (ids, integer instants and offsets, enum values).
    """

    def __init__(self) -> None:
        """An empty history."""
        # By victim only: a victim-suspect query filters the victim's (a victim has few
        # incidents), which halves what each incident costs.
        self._by_victim: dict[str, _Timeline[HistoryEntry]] = {}
        self._ids: set[str] = set()
        self._marac: dict[tuple[str, str], _Timeline[MaracReferralEntry]] = {}
        self._marac_seen: set[tuple[str, str, int, str]] = set()
        self._calls_by: dict[str, dict[str, _Timeline[CallEntry]]] = {"caller": {}, "location": {}}
        self._call_ids: set[str] = set()
        self._grades: dict[str, list[_Grade]] = {}
        self._events: dict[str, list[_Event]] = {}
        self._event_ids: set[str] = set()

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
        from dapolicy.history import MaracReferralEntry, record

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
        return len(self._ids)

    def __repr__(self) -> str:
        """Counts only: a history is full of ids and must not be dumped into a log."""
        return (
            f"<InMemoryHistory incidents={len(self._ids)} victims={len(self._by_victim)} "
            f"calls={len(self._call_ids)}>"
        )

    def record_incident(self, entry: HistoryEntry) -> bool:
        """Add an incident; return False if its id was already there."""
        if entry.incident_id in self._ids:
            return False
        self._ids.add(entry.incident_id)
        at, key, known = entry.occurred_at, entry.incident_id, entry.recorded_at
        self._by_victim.setdefault(entry.victim_id, _Timeline()).add(at, key, entry, known)
        return True

    def record_call(self, entry: CallEntry) -> bool:
        """Add a call; return False if its id was already there."""
        if entry.call_id in self._call_ids:
            return False
        self._call_ids.add(entry.call_id)
        for kind, value in (("caller", entry.caller_id), ("location", entry.location_id)):
            if value is not None:
                timeline = self._calls_by[kind].setdefault(value, _Timeline())
                timeline.add(entry.received_at, entry.call_id, entry, entry.recorded_at)
        return True

    def record_marac_referral(self, entry: MaracReferralEntry) -> bool:
        """Add a MARAC referral; return False if it was already there."""
        # Keyed on the exact instant: a referral is the same one whatever offset it has.
        key = (entry.victim_id, entry.suspect_id, micros(entry.referred_at), entry.incident_id)
        if key in self._marac_seen:
            return False
        self._marac_seen.add(key)
        timeline = self._marac.setdefault((entry.victim_id, entry.suspect_id), _Timeline())
        timeline.add(entry.referred_at, entry.incident_id, entry, entry.recorded_at)
        return True

    def record_grade(self, entry: GradeEntry) -> bool:
        """Add a grade; return False if one for the same decision and instant was there."""
        graded, known = entry.graded_at, entry.recorded_at
        kept: _Grade = (
            micros(graded),
            entry.decision_id,
            micros(known),
            _RANK[entry.grade],
            _offset(graded),
            _offset(known),
        )
        grades = self._grades.setdefault(entry.victim_id, [])
        index = bisect.bisect_left(grades, kept[:2])
        if index < len(grades) and grades[index][:2] == kept[:2]:
            return False
        grades.insert(index, kept)
        return True

    def record_event(self, entry: EventEntry) -> bool:
        """Add an event; return False if its id was already there."""
        if entry.event_id in self._event_ids:
            return False
        self._event_ids.add(entry.event_id)
        at, known = entry.occurred_at, entry.recorded_at
        kept: _Event = (
            micros(at),
            entry.event_id,
            micros(known),
            entry.perpetrator_id,
            entry.kind.value,
            entry.reported_by.value,
            None if entry.order is None else entry.order.value,
            _offset(at),
            _offset(known),
        )
        bisect.insort(self._events.setdefault(entry.victim_id, []), kept)
        return True

    def last_grade(
        self, victim_id: str, *, known_at: datetime, exclude: str | None = None
    ) -> GradeEntry | None:
        """The victim's latest grade known before ``known_at`` (see ``History``)."""
        grades = self._grades.get(victim_id)
        if not grades:
            return None
        known = micros(known_at)
        for graded, decision, recorded, rank, graded_off, recorded_off in reversed(grades):
            if recorded < known and decision != exclude:
                # Checked when it was recorded: built again without checking (cheap, as
                # every assessment asks for the victim's last grade).
                entry = object.__new__(_grade_entry())
                put = object.__setattr__
                put(entry, "victim_id", victim_id)
                put(entry, "graded_at", _moment(graded, graded_off))
                put(entry, "grade", _GRADES[rank])
                put(entry, "decision_id", decision)
                put(entry, "recorded_at", _moment(recorded, recorded_off))
                return entry
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
        from dapolicy.history import EventEntry

        events = self._events.get(victim_id)
        if not events:
            return ()
        low = bisect.bisect_left(events, (micros(since), ""))
        high = bisect.bisect_left(events, (micros(until) + 1, ""))
        known = micros(known_at)
        return [
            EventEntry(
                event,
                EventKind(kind),
                victim_id,
                perpetrator,
                _moment(at, at_off),
                Agency(agency),
                None if order is None else CivilOrder(order),
                recorded_at=_moment(recorded, recorded_off),
            )
            for at, event, recorded, perpetrator, kind, agency, order, at_off, recorded_off in (
                events[low:high]
            )
            if recorded < known
            and event != exclude
            and (perpetrator_id is None or perpetrator == perpetrator_id)
        ]

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
        kind, value = _one_of(caller_id, location_id)
        timeline = self._calls_by[kind].get(value)
        if timeline is None:
            return ()
        return [c for c in timeline.window(since, until, known_at) if c.call_id != exclude]

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
        timeline = self._by_victim.get(victim_id)
        if timeline is None:
            return ()
        found = timeline.window(since, until, known_at)
        if suspect_id is not None:
            found = [entry for entry in found if entry.suspect_id == suspect_id]
        if exclude is not None:
            found = [entry for entry in found if entry.incident_id != exclude]
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
        timeline = self._marac.get((victim_id, suspect_id))
        return None if timeline is None else timeline.latest(before, known_at, exclude)
