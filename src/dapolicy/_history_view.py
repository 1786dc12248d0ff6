"""The read-only view of a history a plug-in is given: behind :mod:`dapolicy.history`.

:class:`HistoryView` (documented there, its public home) is bound to one moment and
answers a repeated question once for one decision (:func:`decision_view`); it also
counts a victim's incidents without making their entries where the store can
(:meth:`HistoryView.count_incidents`).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any, NoReturn

from dapolicy._history_check import check_history
from dapolicy._history_entries import CallEntry, EventEntry, GradeEntry, HistoryEntry
from dapolicy._history_questions import window_question
from dapolicy._memory_history import InMemoryHistory
from dapolicy.models._base import fixed_offset, micros

if TYPE_CHECKING:
    from dapolicy._history_entries import MaracReferralEntry
    from dapolicy.history import History

__all__ = ["HistoryView", "decision_view"]


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
            from dapolicy.history import History  # (it imports this module)

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
        answered: dict[tuple[Any, ...], Any] | None = _ANSWERED.__get__(self, HistoryView)
        # The question's key only where it is remembered (a view the engine made).
        key = (
            None
            if answered is None
            else window_question(victim_id, since, until, suspect_id, exclude, known)
        )
        if key is not None and answered is not None and key in answered:
            return answered[key]  # type: ignore[no-any-return]
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

    def count_incidents(
        self,
        victim_id: str,
        *,
        since: datetime,
        until: datetime,
        suspect_id: str | None = None,
        exclude: str | None = None,
        known_at: datetime | None = None,
    ) -> int:
        """How many incidents :meth:`incidents` gives for the same question.

        For a rule that only counts a victim's incidents or asks whether there is one
        (a series, a repeat victim): a store with a ``count_incidents`` method of its
        own (both built-in histories) answers from its index without making an entry;
        any other store is asked for the incidents, and they are counted. Remembered
        as :meth:`incidents` is, and answered from its answer to the same question.

        :raises TypeError: the store's own ``count_incidents`` gave something other
            than a whole number, zero or more.
        """
        store, known = _clamped(self, known_at)
        answered: dict[tuple[Any, ...], Any] | None = _ANSWERED.__get__(self, HistoryView)
        key = (
            None
            if answered is None
            else window_question(victim_id, since, until, suspect_id, exclude, known)
        )
        if key is not None and answered is not None:
            if (found := answered.get(key)) is not None:  # the incidents themselves
                return len(found)
            key = (_COUNT, *key)
            if (count := answered.get(key)) is not None:
                return count  # type: ignore[no-any-return]
        ask = {"since": since, "until": until, "known_at": known}
        counter = getattr(store, "count_incidents", None)
        if counter is None:  # a History of its own that cannot count: its incidents
            # are asked for as the view asks (any iterable, checked, and remembered).
            return len(
                self.incidents(
                    victim_id,
                    since=since,
                    until=until,
                    suspect_id=suspect_id,
                    exclude=exclude,
                    known_at=known_at,
                )
            )
        count = counter(victim_id, **ask, suspect_id=suspect_id, exclude=exclude)
        if type(count) is not int or not 0 <= count < _MOST:
            raise TypeError(
                f"{type(store).__name__}.count_incidents() must give a whole number, "
                "zero or more and under 2**63, not "
                + (type(count).__name__ if type(count) is not int else "one out of that range")
            )
        if key is not None and answered is not None:
            answered[key] = count
        return count

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


#: What a count is remembered under, before its question (a view answers it once).
_COUNT = "count"

#: A count of incidents is at most this, less one: a larger one is no history's answer.
_MOST = 2**63

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
