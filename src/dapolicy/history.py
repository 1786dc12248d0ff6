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
from typing import Any, NoReturn, Protocol, runtime_checkable

from dapolicy._history_check import check_history
from dapolicy._history_entries import (
    CallEntry,
    EventEntry,
    GradeEntry,
    HistoryEntry,
    MaracReferralEntry,
    grade_entry,
    referral_entry,
)
from dapolicy._history_questions import question
from dapolicy._memory_history import InMemoryHistory
from dapolicy.models import Decision, Destination, DomesticAbuseVerdict, Event, Incident
from dapolicy.models._base import fixed_offset, micros

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
        """Add an incident; return False if its id was already there."""
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


class HistoryView:
    """A read-only view of a history, bound to one moment: what a plug-in is given.

    Its query methods are those of :class:`History`, with the same arguments, plus an
    optional ``known_at`` that can only move the moment earlier: a later one is
    clamped to the moment the view is bound to (the decision's ``now``). So code
    written against ``history.incidents(victim, since=..., until=...)`` keeps working
    and sees only what the force knew before the decision.

    A view has no method that records anything, and the store it reads is kept where
    ordinary attribute access cannot reach it (the slot's descriptor is removed from
    the class; ``vars()``, ``dir()``, ``copy`` and ``pickle`` do not give it either).
    That stops accidents and ordinary code, not code set on subverting the interpreter
    (``gc.get_referents``): a plug-in runs in the same process as the policy.

    :param history: the history to read.
    :param known_at: the moment the view is bound to (keyword only).
    :raises TypeError: ``history`` is not a :class:`History`, or ``known_at`` is not a
        datetime.
    :raises ValueError: ``known_at`` has no UTC offset.
    """

    __slots__ = ("_answered", "_known_at", "_known_micros", "_store")

    def __init__(self, history: History, *, known_at: datetime) -> None:
        """A view of ``history`` as known just before ``known_at``."""
        if type(history) not in _HISTORY_TYPES:
            check_history(history, isinstance(history, History))  # slow, so once a type
            _HISTORY_TYPES.add(type(history))
        known = _instant("known_at", known_at)
        _STORE.__set__(self, history)
        _KNOWN_AT.__set__(self, fixed_offset(known_at))
        _KNOWN_MICROS.__set__(self, known)
        _ANSWERED.__set__(self, None)  # a view the engine makes remembers (decision_view)

    def __init_subclass__(cls, **kwargs: object) -> NoReturn:
        """A view cannot be subclassed (a subclass could reach the store)."""
        raise TypeError("HistoryView cannot be subclassed")

    def __setattr__(self, name: str, value: object) -> NoReturn:
        """A view cannot be changed: it stays bound to its moment."""
        raise AttributeError("a HistoryView is read-only")

    def __delattr__(self, name: str) -> NoReturn:
        """A view cannot be changed: it stays bound to its moment."""
        raise AttributeError("a HistoryView is read-only")

    def __copy__(self) -> HistoryView:
        """The view itself: it cannot change, so a copy is itself."""
        return self

    def __deepcopy__(self, memo: object) -> HistoryView:
        """The view itself: a copy must not copy (or expose) the store."""
        return self

    def __reduce_ex__(self, protocol: object) -> NoReturn:
        """A view cannot be pickled: that would copy the store out of it."""
        raise TypeError("a HistoryView cannot be pickled")

    def __reduce__(self) -> NoReturn:
        """A view cannot be pickled: that would copy the store out of it."""
        raise TypeError("a HistoryView cannot be pickled")

    def __getstate__(self) -> NoReturn:
        """A view has no state to give: that would give the store."""
        raise TypeError("a HistoryView has no state to give")

    def __repr__(self) -> str:
        """The moment only: a history is full of ids and must not be dumped into a log."""
        return f"<HistoryView known_at={self.known_at.isoformat()}>"

    @property
    def known_at(self) -> datetime:
        """The moment the view is bound to: it shows entries recorded before it."""
        return _KNOWN_AT.__get__(self, HistoryView)  # type: ignore[no-any-return]

    def incidents(
        self,
        victim_id: str,
        *,
        since: datetime,
        until: datetime,
        suspect_id: str | None = None,
        exclude: str | None = None,
        known_at: datetime | None = None,
    ) -> Sequence[HistoryEntry]:
        """The victim's incidents in the window known before the view's moment.

        See :meth:`History.incidents`; ``known_at`` may only move the moment earlier.
        A view the engine makes for one decision answers the same question asked again
        (several rules look at the same 12 months) from its first answer: nothing is
        recorded while one decision is made. A view made here asks its store each time.
        """
        store, known = _clamped(self, known_at)
        answered: dict[tuple[Any, ...], tuple[HistoryEntry, ...]] | None
        answered = _ANSWERED.__get__(self, HistoryView)
        # The question's key only where it is remembered (a view the engine made).
        key = (
            None
            if answered is None
            else question(victim_id, since, until, suspect_id, exclude, known)
        )
        if key is not None and answered is not None and key in answered:
            return answered[key]
        found = tuple(
            store.incidents(
                victim_id,
                since=since,
                until=until,
                known_at=known,
                suspect_id=suspect_id,
                exclude=exclude,
            )
        )
        if key is not None and answered is not None:
            answered[key] = found
        return found

    def last_marac_referral(
        self,
        victim_id: str,
        suspect_id: str,
        *,
        before: datetime,
        exclude: str | None = None,
        known_at: datetime | None = None,
    ) -> MaracReferralEntry | None:
        """The latest MARAC referral known before the view's moment.

        See :meth:`History.last_marac_referral`; ``known_at`` may only move the moment
        earlier.
        """
        store, known = _clamped(self, known_at)
        return store.last_marac_referral(
            victim_id, suspect_id, before=before, known_at=known, exclude=exclude
        )

    def calls(
        self,
        *,
        since: datetime,
        until: datetime,
        caller_id: str | None = None,
        location_id: str | None = None,
        exclude: str | None = None,
        known_at: datetime | None = None,
    ) -> Sequence[CallEntry]:
        """Calls in the window known before the view's moment.

        See :meth:`History.calls`; ``known_at`` may only move the moment earlier.
        """
        store, known = _clamped(self, known_at)
        found = store.calls(
            since=since,
            until=until,
            known_at=known,
            caller_id=caller_id,
            location_id=location_id,
            exclude=exclude,
        )
        return tuple(found)

    def last_grade(
        self, victim_id: str, *, exclude: str | None = None, known_at: datetime | None = None
    ) -> GradeEntry | None:
        """The victim's latest grade known before the view's moment.

        See :meth:`History.last_grade`; ``known_at`` may only move the moment earlier.
        """
        store, known = _clamped(self, known_at)
        return store.last_grade(victim_id, known_at=known, exclude=exclude)

    def events(
        self,
        victim_id: str,
        *,
        since: datetime,
        until: datetime,
        perpetrator_id: str | None = None,
        exclude: str | None = None,
        known_at: datetime | None = None,
    ) -> Sequence[EventEntry]:
        """The victim's events in the window known before the view's moment.

        See :meth:`History.events`; ``known_at`` may only move the moment earlier.
        """
        store, known = _clamped(self, known_at)
        found = store.events(
            victim_id,
            since=since,
            until=until,
            known_at=known,
            perpetrator_id=perpetrator_id,
            exclude=exclude,
        )
        return tuple(found)


#: Types already found to be a History (the Protocol check costs microseconds a call).
_HISTORY_TYPES: set[type] = set()

# The slots' descriptors, taken off the class: only this module can read or set them.
_STORE: Any = HistoryView.__dict__["_store"]
_KNOWN_AT: Any = HistoryView.__dict__["_known_at"]
_KNOWN_MICROS: Any = HistoryView.__dict__["_known_micros"]
_ANSWERED: Any = HistoryView.__dict__["_answered"]
for _slot in ("_store", "_known_at", "_known_micros", "_answered"):
    type.__delattr__(HistoryView, _slot)
del _slot


def decision_view(history: History | None, now: datetime) -> HistoryView:
    """The view one decision is made against, which answers a repeated question once."""
    view = HistoryView(history if history is not None else InMemoryHistory(), known_at=now)
    _ANSWERED.__set__(view, {})
    return view


def _clamped(view: HistoryView, known_at: datetime | None) -> tuple[History, datetime]:
    """The view's store and the moment to ask it about: never later than the view's."""
    store = _STORE.__get__(view, HistoryView)
    bound: datetime = _KNOWN_AT.__get__(view, HistoryView)
    if known_at is None:
        return store, bound
    earlier = _instant("known_at", known_at) < _KNOWN_MICROS.__get__(view, HistoryView)
    return store, known_at if earlier else bound


def _instant(name: str, value: object) -> int:
    """``value`` in microseconds since 1970 UTC; it must be an aware datetime."""
    if not isinstance(value, datetime):
        raise TypeError(f"{name} must be a datetime with a UTC offset")
    if value.utcoffset() is None:
        raise ValueError(f"{name} must be a datetime with a UTC offset")
    return micros(value)


InMemoryHistory.__module__ = __name__  # documented and pickled as dapolicy.history's
