"""The in-memory history, behind :mod:`dapolicy.history` (which is its public home)."""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Generic, TypeVar

from dapolicy.models._base import micros

if TYPE_CHECKING:
    from dapolicy.history import CallEntry, HistoryEntry, MaracReferralEntry
    from dapolicy.models import Incident

__all__ = ["InMemoryHistory"]

E = TypeVar("E")


class _Timeline(Generic[E]):
    """Entries sorted by (time, id), searchable by window in O(log n).

    ``known`` holds each entry's ``recorded_at`` in microseconds, beside it, so that a
    window is filtered by the second clock without converting a datetime per entry.
    """

    __slots__ = ("entries", "keys", "known")

    def __init__(self) -> None:
        self.keys: list[tuple[int, str]] = []
        self.entries: list[E] = []
        self.known: list[int] = []

    def add(self, at: datetime, entry_id: str, entry: E, recorded_at: datetime) -> None:
        key = (micros(at), entry_id)
        index = bisect.bisect_left(self.keys, key)
        self.keys.insert(index, key)
        self.entries.insert(index, entry)
        self.known.insert(index, micros(recorded_at))

    def window(self, since: datetime, until: datetime, known_at: datetime) -> list[E]:
        # Keys are exact integer instants: (t, "") sorts before every (t, id).
        low = bisect.bisect_left(self.keys, (micros(since), ""))
        high = bisect.bisect_left(self.keys, (micros(until) + 1, ""))
        known = micros(known_at)
        entries, recorded = self.entries, self.known
        return [entries[i] for i in range(low, high) if recorded[i] < known]

    def latest(self, before: datetime, known_at: datetime, exclude: str | None) -> E | None:
        """The last entry at or before ``before``, known before ``known_at``, not ``exclude``."""
        index = bisect.bisect_left(self.keys, (micros(before) + 1, ""))
        known = micros(known_at)
        while index:
            index -= 1
            if self.keys[index][1] != exclude and self.known[index] < known:
                return self.entries[index]
        return None


def _one_of(caller_id: str | None, location_id: str | None) -> tuple[str, str]:
    """The (kind, id) a calls query is about; exactly one of the two must be given."""
    if caller_id is not None and location_id is None:
        return "caller", caller_id
    if location_id is not None and caller_id is None:
        return "location", location_id
    raise ValueError("give exactly one of caller_id and location_id")


class InMemoryHistory:
    """A :class:`~dapolicy.history.MutableHistory` in memory, per victim and victim-suspect pair.

    Memory is one small entry per incident (ids and two timestamps) held twice, plus
    one entry per MARAC referral and two per call.
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
        pair = (entry.victim_id, entry.suspect_id)
        self._by_pair.setdefault(pair, _Timeline()).add(at, key, entry, known)
        return True

    def record_call(self, entry: CallEntry) -> bool:
        """Add a call; return False if its id was already there."""
        if entry.call_id in self._call_ids:
            return False
        self._call_ids.add(entry.call_id)
        for kind, value in (("caller", entry.caller_id), ("location", entry.location_id)):
            if value is not None:
                timeline = self._calls_by.setdefault((kind, value), _Timeline())
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
        timeline = self._calls_by.get(_one_of(caller_id, location_id))
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
        timeline = (
            self._by_victim.get(victim_id)
            if suspect_id is None
            else self._by_pair.get((victim_id, suspect_id))
        )
        if timeline is None:
            return ()
        found = timeline.window(since, until, known_at)
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
