"""The victim history: prior incidents and MARAC referrals, indexed for fast windows.

The report's central concern is that a series of incidents, each minor on its own, was
never seen as a series. Every rule that needs the past asks a :class:`History`:
"how many domestic-abuse incidents did this victim have in the 12 months before this
one?", "when was this victim last referred to MARAC about this suspect?".

Two clocks
    Every entry records when it happened (``occurred_at``; ``referred_at`` for a MARAC
    referral, ``received_at`` for a call) and when the force knew it (``recorded_at``:
    the decision time for an assessed incident, the time received for a call, the
    decision time for a MARAC referral). Every query takes the moment of knowledge,
    ``known_at``, as well as the occurrence window, and returns only entries with
    ``recorded_at < known_at``: strictly, so that two decisions at the same instant
    never see each other and the answer cannot depend on which was made first. A
    decision is a function of what the force knew before it: an incident that occurred
    before decision X but was recorded after X's decision is not seen by X, and is seen
    by every later decision. A decision never sees itself (its incident is recorded at
    its own decision time, and queries leave it out by id as well).

Plug-ins get a view, never the store
    :class:`HistoryView` is a read-only view of a history bound to one moment (the
    decision's ``now``). :class:`~dapolicy.Policy` gives every hook a view: its query
    methods take today's arguments plus an optional ``known_at`` that can only move
    earlier, and it has no way to record anything or to reach the store.

:class:`InMemoryHistory` keeps each victim's incidents, grades, events and MARAC
referrals, and each caller's and location's calls, sorted by time, as rows of integers
with every id numbered once (under 300 bytes a batch record), so a window is two binary
searches: O(log n) per lookup plus the entries in the window, each made again as it is
returned. Any other store (a database, a force's records system) can
implement the :class:`History` protocol: see "Writing your own History" in the
decisions documentation.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol, runtime_checkable

from dapolicy._history_entries import (
    CallEntry,
    EventEntry,
    GradeEntry,
    HistoryEntry,
    MaracReferralEntry,
    grade_entry,
    referral_entry,
)
from dapolicy._history_view import HistoryView
from dapolicy._history_view import decision_view as decision_view  # the engine's
from dapolicy._memory_history import InMemoryHistory
from dapolicy.models import Decision, Destination, DomesticAbuseVerdict, Event, Incident
from dapolicy.models._base import micros

__all__ = [
    "DOWNGRADE_RULE",
    "CallEntry",
    "EventEntry",
    "GradeEntry",
    "History",
    "HistoryEntry",
    "HistoryView",
    "InMemoryHistory",
    "MaracReferralEntry",
    "MutableHistory",
    "record",
]

#: The review reason of a decision graded lower than the victim's last recorded grade:
#: its grade is recorded as the victim's last only once a supervisor signs it off.
DOWNGRADE_RULE = "grade.lower-than-last"


@runtime_checkable
class History(Protocol):
    """What rules may ask of the past. Implementations must not read a clock.

    Every query returns only entries the force knew *before* ``known_at``
    (``recorded_at < known_at``, strictly), as well as within the occurrence window.

    A history may also have ``count_incidents``, with the arguments of
    :meth:`incidents`, giving how many incidents :meth:`incidents` would (an ``int``,
    zero or more): :meth:`HistoryView.count_incidents` asks it, where it is there,
    instead of making the entries only to count them. Both built-in histories have it;
    it is not part of the protocol, so a history without it is still a ``History``.
    """

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
        """The victim's incidents with ``since <= occurred_at <= until``, oldest first.

        :param known_at: only those with ``recorded_at < known_at``.
        :param suspect_id: only those with this suspect.
        :param exclude: leave out this incident id (the one being assessed).
        """
        ...

    def last_marac_referral(
        self,
        victim_id: str,
        suspect_id: str,
        *,
        before: datetime,
        known_at: datetime,
        exclude: str | None = None,
    ) -> MaracReferralEntry | None:
        """The latest MARAC referral for the victim about the suspect, at or before ``before``.

        :param known_at: only referrals with ``recorded_at < known_at``.
        :param exclude: pass over a referral made for this incident id (the one being
            re-assessed), so that the one before it is found.
        """
        ...

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
        """Calls from ``caller_id`` or to ``location_id`` (exactly one given) in the window.

        :param known_at: only calls with ``recorded_at < known_at``.
        :param exclude: leave out this call id (the one being triaged).
        """
        ...

    def last_grade(
        self, victim_id: str, *, known_at: datetime, exclude: str | None = None
    ) -> GradeEntry | None:
        """The victim's latest recorded grade (greatest ``graded_at``) known before ``known_at``.

        Of two at the same instant, the one with the greater decision id.

        :param known_at: only grades with ``recorded_at < known_at``.
        :param exclude: pass over a grade recorded for this decision id (the incident or
            event being re-assessed), so that the one before it is found.
        """
        ...

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
        """The victim's events with ``since <= occurred_at <= until``, oldest first.

        Ties by event id.

        :param known_at: only those with ``recorded_at < known_at``.
        :param perpetrator_id: only those about this perpetrator.
        :param exclude: leave out this event id (the one being decided).
        """
        ...


@runtime_checkable
class MutableHistory(History, Protocol):
    """A history that can be added to. Adding the same incident twice changes nothing."""

    def record_incident(self, entry: HistoryEntry) -> bool:
        """Add an incident; return False if it was already there for its victim."""
        ...

    def record_marac_referral(self, entry: MaracReferralEntry) -> bool:
        """Add a MARAC referral; return False if it was already there."""
        ...

    def record_call(self, entry: CallEntry) -> bool:
        """Add a call; return False if its id was already there."""
        ...

    def record_grade(self, entry: GradeEntry) -> bool:
        """Add a grade; return False if one for the same decision and instant was there."""
        ...

    def record_event(self, entry: EventEntry) -> bool:
        """Add an event; return False if its id was already there."""
        ...


def record(
    history: MutableHistory,
    subject: Incident | Event,
    decision: Decision | None = None,
    *,
    recorded_at: datetime | None = None,
    signed_off: bool = False,
) -> None:
    """Add an incident or an event to ``history``, with its decision's grade and referral.

    The entries are known from the decision's time (``decision.decided_at``), so that
    decisions made before it do not see them when re-derived, and every later one does;
    without a decision, from ``recorded_at`` or else the incident's ``reported_at`` (an
    event's ``occurred_at``). With a decision, its grade is recorded as the victim's
    latest (:class:`GradeEntry`), unless the decision is ungraded (no risk model graded
    it), or it was graded lower than the victim's last grade (the review reason
    ``grade.lower-than-last``) and ``signed_off`` is not given: a lower grade becomes
    the victim's last only once a supervisor has signed it off, so it can never quietly
    replace a higher one. A MARAC referral the decision made is recorded as well
    (keyed by the incident's id, or the event's).

    Only incidents that may be domestic abuse are kept (an incident between people who
    are neither partners nor family is not part of a domestic-abuse series). Idempotent:
    recording the same incident or event and decision again changes nothing.

    :param subject: the incident, or the event, decided.
    :param recorded_at: when the force knew it, if not the decision's time.
    :param signed_off: a supervisor signed off the decision's lower grade.
    :raises ValueError: ``recorded_at`` and the decision's time disagree.
    """
    if decision is not None:
        if recorded_at is not None and micros(recorded_at) != micros(decision.decided_at):
            raise ValueError("recorded_at must be the decision's time (decided_at)")
        recorded_at = decision.decided_at
    if isinstance(subject, Event):
        known = subject.occurred_at if recorded_at is None else recorded_at
        history.record_event(EventEntry.from_event(subject, recorded_at=known))
        victim, suspect = subject.victim_id, subject.perpetrator_id
    else:
        if subject.domestic_abuse_check().verdict is DomesticAbuseVerdict.NOT_DOMESTIC:
            return
        history.record_incident(HistoryEntry.from_incident(subject, recorded_at=recorded_at))
        victim, suspect = subject.victim.id, subject.suspect.id
    if decision is None:
        return
    lowered = any(r.rule == DOWNGRADE_RULE for r in decision.review_reasons)
    if not decision.ungraded and (signed_off or not lowered):
        history.record_grade(grade_entry(victim, decision.decided_at, decision.grade, subject.id))
    if Destination.MARAC in decision.referred_to():
        history.record_marac_referral(
            referral_entry(victim, suspect, decision.decided_at, subject.id)
        )


# Documented (and an InMemoryHistory pickled) as dapolicy.history's.
InMemoryHistory.__module__ = HistoryView.__module__ = __name__
