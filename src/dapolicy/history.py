"""The victim history: prior incidents and MARAC referrals, indexed for fast windows.

The report's central concern is that a series of incidents, each minor on its own, was
never seen as a series. Every rule that needs the past asks a :class:`History`:
"how many domestic-abuse incidents did this victim have in the 12 months before this
one?", "when was this victim last referred to MARAC about this suspect?".

:class:`InMemoryHistory` keeps each victim's incidents (and each victim-suspect
pair's) sorted by time, so a window is two binary searches: O(log n) per lookup.
Any other store (a database, a force's records system) can implement the
:class:`History` protocol.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from datetime import datetime
from typing import Generic, Protocol, TypeVar, runtime_checkable

import attrs

from dapolicy.models import Call, Decision, Destination, DomesticAbuseVerdict, Incident
from dapolicy.models._base import Checked, Problems, aware, fixed_offset, micros, not_blank

__all__ = [
    "CallEntry",
    "History",
    "HistoryEntry",
    "InMemoryHistory",
    "MaracReferralEntry",
    "MutableHistory",
    "record",
]


E = TypeVar("E")


@attrs.frozen
class HistoryEntry(Checked):
    """What the history keeps of one incident: ids and times only, no personal data.

    :param incident_id: the incident.
    :param victim_id: its victim.
    :param suspect_id: its suspect.
    :param occurred_at: when it happened.
    :param crime: whether a crime was recorded.
    """

    incident_id: str
    victim_id: str
    suspect_id: str
    occurred_at: datetime = attrs.field(converter=fixed_offset)
    crime: bool = False

    def _problems(self) -> Problems:
        yield from not_blank("incident_id", self.incident_id)
        yield from not_blank("victim_id", self.victim_id)
        yield from not_blank("suspect_id", self.suspect_id)
        yield from aware("occurred_at", self.occurred_at)

    @classmethod
    def from_incident(cls, incident: Incident) -> HistoryEntry:
        """The entry for ``incident``."""
        return cls(
            incident.id,
            incident.victim.id,
            incident.suspect.id,
            incident.occurred_at,
            incident.crime_recorded,
        )


@attrs.frozen
class MaracReferralEntry(Checked):
    """A MARAC referral made for a victim about a suspect.

    :param victim_id: the victim.
    :param suspect_id: the suspect.
    :param referred_at: when the referral was made (the clock for repeat MARAC).
    :param incident_id: the incident that led to it.
    """

    victim_id: str
    suspect_id: str
    referred_at: datetime = attrs.field(converter=fixed_offset)
    incident_id: str

    def _problems(self) -> Problems:
        yield from not_blank("victim_id", self.victim_id)
        yield from not_blank("suspect_id", self.suspect_id)
        yield from aware("referred_at", self.referred_at)
        yield from not_blank("incident_id", self.incident_id)


@attrs.frozen
class CallEntry(Checked):
    """What the history keeps of one call: ids and a time.

    :param call_id: the call.
    :param received_at: when it was received.
    :param caller_id: the caller's pseudonymous id, if known.
    :param location_id: the location's pseudonymous key, if known.
    """

    call_id: str
    received_at: datetime = attrs.field(converter=fixed_offset)
    caller_id: str | None = None
    location_id: str | None = None

    def _problems(self) -> Problems:
        yield from not_blank("call_id", self.call_id)
        yield from aware("received_at", self.received_at)

    @classmethod
    def from_call(cls, call: Call) -> CallEntry:
        """The entry for ``call``."""
        caller = call.caller.id if call.caller is not None else None
        return cls(call.id, call.received_at, caller, call.location_id)


@runtime_checkable
class History(Protocol):
    """What rules may ask of the past. Implementations must not read a clock."""

    def incidents(
        self,
        victim_id: str,
        *,
        since: datetime,
        until: datetime,
        suspect_id: str | None = None,
        exclude: str | None = None,
    ) -> Sequence[HistoryEntry]:
        """The victim's incidents with ``since <= occurred_at <= until``, oldest first.

        :param suspect_id: only those with this suspect.
        :param exclude: leave out this incident id (the one being assessed).
        """
        ...

    def last_marac_referral(
        self, victim_id: str, suspect_id: str, *, before: datetime, exclude: str | None = None
    ) -> MaracReferralEntry | None:
        """The latest MARAC referral for the victim about the suspect, at or before ``before``.

        :param exclude: pass over a referral made for this incident id (the one being
            re-assessed), so that the one before it is found.
        """
        ...

    def calls(
        self,
        *,
        since: datetime,
        until: datetime,
        caller_id: str | None = None,
        location_id: str | None = None,
        exclude: str | None = None,
    ) -> Sequence[CallEntry]:
        """Calls from ``caller_id`` or to ``location_id`` (exactly one given) in the window.

        :param exclude: leave out this call id (the one being triaged).
        """
        ...


@runtime_checkable
class MutableHistory(History, Protocol):
    """A history that can be added to. Adding the same incident twice changes nothing."""

    def record_incident(self, entry: HistoryEntry) -> bool:
        """Add an incident; return False if its id was already there."""
        ...

    def record_marac_referral(self, entry: MaracReferralEntry) -> bool:
        """Add a MARAC referral; return False if it was already there."""
        ...

    def record_call(self, entry: CallEntry) -> bool:
        """Add a call; return False if its id was already there."""
        ...


def record(history: MutableHistory, incident: Incident, decision: Decision | None = None) -> None:
    """Add ``incident`` to ``history``, and its MARAC referral if ``decision`` made one.

    Only cases that may be domestic abuse are kept (an incident between people who are
    neither partners nor family is not part of a domestic-abuse series). Idempotent:
    recording the same incident and decision again changes nothing.
    """
    if incident.domestic_abuse_check().verdict is DomesticAbuseVerdict.NOT_DOMESTIC:
        return
    history.record_incident(HistoryEntry.from_incident(incident))
    if decision is not None and Destination.MARAC in decision.referred_to():
        history.record_marac_referral(
            MaracReferralEntry(
                incident.victim.id, incident.suspect.id, decision.decided_at, incident.id
            )
        )


class _Timeline(Generic[E]):
    """Entries sorted by (time, id), searchable by window in O(log n)."""

    __slots__ = ("entries", "keys")

    def __init__(self) -> None:
        self.keys: list[tuple[int, str]] = []
        self.entries: list[E] = []

    def add(self, at: datetime, entry_id: str, entry: E) -> None:
        key = (micros(at), entry_id)
        index = bisect.bisect_left(self.keys, key)
        self.keys.insert(index, key)
        self.entries.insert(index, entry)

    def window(self, since: datetime, until: datetime) -> list[E]:
        # Keys are exact integer instants: (t, "") sorts before every (t, id).
        low = bisect.bisect_left(self.keys, (micros(since), ""))
        high = bisect.bisect_left(self.keys, (micros(until) + 1, ""))
        return self.entries[low:high]

    def latest(self, before: datetime, exclude: str | None) -> E | None:
        """The last entry at or before ``before`` whose id is not ``exclude``."""
        index = bisect.bisect_left(self.keys, (micros(before) + 1, ""))
        while index:
            index -= 1
            if self.keys[index][1] != exclude:
                return self.entries[index]
        return None


class InMemoryHistory:
    """A :class:`MutableHistory` in memory: per victim and per victim-suspect pair.

    Memory is one small entry per incident (ids and a timestamp) held twice, plus one
    entry per MARAC referral.
    """

    def __init__(self) -> None:
        """An empty history."""
        self._by_victim: dict[str, _Timeline[HistoryEntry]] = {}
        self._by_pair: dict[tuple[str, str], _Timeline[HistoryEntry]] = {}
        self._ids: set[str] = set()
        self._marac: dict[tuple[str, str], _Timeline[MaracReferralEntry]] = {}
        self._marac_seen: set[tuple[str, str, int, str]] = set()
        self._calls_by: dict[tuple[str, str], _Timeline[CallEntry]] = {}
        self._call_ids: set[str] = set()

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
        at, key = entry.occurred_at, entry.incident_id
        self._by_victim.setdefault(entry.victim_id, _Timeline()).add(at, key, entry)
        self._by_pair.setdefault((entry.victim_id, entry.suspect_id), _Timeline()).add(
            at, key, entry
        )
        return True

    def record_call(self, entry: CallEntry) -> bool:
        """Add a call; return False if its id was already there."""
        if entry.call_id in self._call_ids:
            return False
        self._call_ids.add(entry.call_id)
        for kind, value in (("caller", entry.caller_id), ("location", entry.location_id)):
            if value is not None:
                timeline = self._calls_by.setdefault((kind, value), _Timeline())
                timeline.add(entry.received_at, entry.call_id, entry)
        return True

    def calls(
        self,
        *,
        since: datetime,
        until: datetime,
        caller_id: str | None = None,
        location_id: str | None = None,
        exclude: str | None = None,
    ) -> Sequence[CallEntry]:
        """Calls from a caller or to a location in the window (see :class:`History`)."""
        if (caller_id is None) == (location_id is None):
            raise ValueError("give exactly one of caller_id and location_id")
        if caller_id is not None:
            key = ("caller", caller_id)
        else:
            assert location_id is not None
            key = ("location", location_id)
        timeline = self._calls_by.get(key)
        if timeline is None:
            return ()
        return [c for c in timeline.window(since, until) if c.call_id != exclude]

    def record_marac_referral(self, entry: MaracReferralEntry) -> bool:
        """Add a MARAC referral; return False if it was already there."""
        # Keyed on the exact instant: datetime == ignores fold in the autumn hour.
        key = (entry.victim_id, entry.suspect_id, micros(entry.referred_at), entry.incident_id)
        if key in self._marac_seen:
            return False
        self._marac_seen.add(key)
        timeline = self._marac.setdefault((entry.victim_id, entry.suspect_id), _Timeline())
        timeline.add(entry.referred_at, entry.incident_id, entry)
        return True

    def incidents(
        self,
        victim_id: str,
        *,
        since: datetime,
        until: datetime,
        suspect_id: str | None = None,
        exclude: str | None = None,
    ) -> Sequence[HistoryEntry]:
        """The victim's incidents in the window, oldest first (see :class:`History`)."""
        timeline = (
            self._by_victim.get(victim_id)
            if suspect_id is None
            else self._by_pair.get((victim_id, suspect_id))
        )
        if timeline is None:
            return ()
        found = timeline.window(since, until)
        if exclude is not None:
            found = [entry for entry in found if entry.incident_id != exclude]
        return found

    def last_marac_referral(
        self, victim_id: str, suspect_id: str, *, before: datetime, exclude: str | None = None
    ) -> MaracReferralEntry | None:
        """The latest MARAC referral for the pair at or before ``before`` (see :class:`History`).

        Referrals at the same instant are ordered by incident id, so the answer does not
        depend on the order they were recorded in.
        """
        timeline = self._marac.get((victim_id, suspect_id))
        return None if timeline is None else timeline.latest(before, exclude)
