"""Guarded calls: each plug-in called in isolation, its failure recorded, not raised.

A plug-in that raises anything -- ``SystemExit``, ``GeneratorExit`` and a
``KeyboardInterrupt`` of its own included --, returns the wrong type, runs past the
decision's time budget, gives more than the decision's caps allow, or changes what it
was given becomes a :class:`~dapolicy.models.PluginFailure` on the decision (which
then needs review), and every other plug-in's contribution stands. Only the user's
Ctrl-C (:mod:`dapolicy._interrupts`) goes through.
"""

from __future__ import annotations

import operator
import time
from collections.abc import Callable, Iterable, Sequence
from itertools import islice
from types import TracebackType
from typing import Any

import attrs
import pluggy

from dapolicy._interrupts import is_user_interrupt
from dapolicy._policy._budget import Budget, OutOfTime
from dapolicy._policy._caps import _TRIMS, REASONS_ONLY, Caps, share, trims_of
from dapolicy._policy._failure_text import (
    DEBUG_PLUGINS_ENV,
    debug,
    error_text,
    not_run_text,
    out_of_time_text,
    safe_path,
)
from dapolicy._policy._watch import Watch
from dapolicy.models import PluginFailure
from dapolicy.settings import LimitsSettings

__all__ = ["DEBUG_PLUGINS_ENV", "Call", "Guard", "error_text", "safe_path"]

#: What each argument a hook may take is called in a failure record.
_LABELS = {
    "incident": "the incident",
    "form": "the risk form",
    "dara": "the DARA form",
    "decision": "the draft decision (or another plug-in's contribution in it)",
    "settings": "the settings",
    "call": "the call",
    "thrive": "the THRIVE assessment",
    "event": "the event",
}


@attrs.define
class Call:
    """What one round of a contribution hook gathered."""

    results: list[tuple[str, Any]] = attrs.Factory(list)
    failures: list[PluginFailure] = attrs.Factory(list)


#: For each hook implementation's argument names, the labels of what it is given.
_PLANS: dict[tuple[str, ...], tuple[str, ...]] = {}
#: The labels of what the policy's shared snapshots watch (every decision's).
_SHARED_LABELS = ("the settings", "the policy's list of plug-ins")
#: For each hook implementation's argument names, what picks its arguments from the
#: keyword arguments of the call (as a tuple, in order).
_ARGS: dict[tuple[str, ...], Callable[[dict[str, Any]], tuple[Any, ...]]] = {}
#: What one plug-in call gave: its items, the exception it ended with, whether reading
#: stopped at the cap, and how many were left unread (when it gave a list or tuple).
_Outcome = tuple[list[Any], BaseException | None, bool, int | None]
_monotonic = time.monotonic
#: What is fixed about one hook for a policy: the implementations it was worked out
#: from (the sequence itself, to know it is still theirs), whether any of them is not
#: trusted, and for each, in call order: its plug-in's name, the implementation, whether
#: it is trusted, what picks its arguments, and the labels of what it is given.
_HookPlan = tuple[
    Sequence[pluggy.HookImpl],
    bool,
    tuple[
        tuple[
            str,
            pluggy.HookImpl,
            bool,
            Callable[[dict[str, Any]], tuple[Any, ...]],
            tuple[str, ...],
        ],
        ...,
    ],
]


def _args(argnames: tuple[str, ...]) -> Callable[[dict[str, Any]], tuple[Any, ...]]:
    getter: Callable[[dict[str, Any]], tuple[Any, ...]]
    if len(argnames) == 1:
        one = argnames[0]

        def getter(kwargs: dict[str, Any]) -> tuple[Any, ...]:
            return (kwargs[one],)

    elif argnames:
        getter = operator.itemgetter(*argnames)
    else:

        def getter(kwargs: dict[str, Any]) -> tuple[Any, ...]:
            return ()

    _ARGS[argnames] = getter
    return getter


def _plan(argnames: tuple[str, ...]) -> tuple[str, ...]:
    plan = _PLANS.get(argnames)
    if plan is None:
        plan = _PLANS[argnames] = tuple(_LABELS[a] for a in argnames if a in _LABELS)
    return plan


class Guard:
    """Calls the plug-ins of one decision, each call isolated; a context manager.

    The ``with`` block is the decision: it starts the time budget. Inside it, the
    same per-decision caps and snapshots apply to every hook called.

    :param impls: each hook's implementations, in the order they are called.
    :param limits: the decision's time budget and caps.
    :param shared: snapshots of what every decision shares (the settings), kept by
        the policy; checked after each call that was given the settings.
    """

    def __init__(
        self,
        impls: Callable[[str], Sequence[pluggy.HookImpl]],
        limits: LimitsSettings,
        shared: Watch | None = None,
        trusted: frozenset[int] = frozenset(),
        plans: dict[str, _HookPlan] | None = None,
    ) -> None:
        """A guard for one decision.

        :param trusted: the ids of the plug-in objects whose calls need no snapshot
            check (the built-ins); what they are given is still checked before they
            are given it, if another plug-in could have changed it.
        :param plans: what is fixed about each hook (its implementations, which of
            them are trusted, how each is given its arguments), filled in as hooks are
            called and kept by the policy, so that each is worked out once.
        """
        self._impls = impls
        self.limits = limits
        self.budget = Budget(limits.decision_seconds)
        self._shared = shared
        self._trusted = trusted
        self._plans = plans if plans is not None else {}
        self._watch = Watch(shared)
        self._caps = Caps(limits)
        # Each label watched, and the plug-ins run since it was last checked.
        self._unchecked: dict[str, list[str]] = {label: [] for label in _SHARED_LABELS}
        self._last_hook = ""
        self._any_unchecked = False  # no plug-in but the built-ins has run yet

    def __enter__(self) -> Guard:
        """Start the decision's time budget."""
        self.budget.__enter__()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Stop the time budget's timer."""
        self.budget.__exit__(kind, exc, tb)

    # --- one round ----------------------------------------------------------------------

    def _plan_of(self, hook: str) -> _HookPlan:
        """What is fixed about ``hook`` for this policy, worked out once (see ``_HookPlan``).

        The policy keeps the plans for as long as it keeps its implementations (a copy
        of a policy given other implementations is given no plans: ``trace``'s).
        """
        impls = self._impls(hook)
        trusted = self._trusted
        entries = tuple(
            (
                impl.plugin_name,
                impl,
                id(impl.plugin) in trusted,
                _ARGS.get(impl.argnames) or _args(impl.argnames),
                _plan(impl.argnames),
            )
            for impl in impls
        )
        watched = not all(mine for _, _, mine, _, _ in entries)
        plan = self._plans[hook] = (impls, watched, entries)
        return plan

    def call(
        self,
        hook: str,
        accept: type | tuple[type, ...],
        expected: str,
        *,
        many: bool,
        cap: str | None = None,
        only: Sequence[str] | None = None,
        **kwargs: Any,
    ) -> Call:
        """Call each implementation in isolation; collect results and failures.

        :param accept: the type (or types) of item a plug-in may give; any other is a
            failure, named with ``expected``.
        :param cap: for ``many``, which per-decision cap the items count against
            (``"referrals"`` or ``"tasks"``). What is left of it is shared out among
            this hook's plug-ins as evenly as their contributions allow, so that no
            plug-in's flood crowds out another's.
        """
        self._last_hook = hook
        _, watched, entries = self._plans.get(hook) or self._plan_of(hook)
        if watched:
            # Only a plug-in that is not dapolicy's own is watched: snapshot what it
            # may be given (what was snapshotted already is not taken again).
            for arg, value in kwargs.items():
                if arg in _LABELS and arg != "settings" and value is not None:
                    self._watch.add(_LABELS[arg], value)
                    self._unchecked.setdefault(_LABELS[arg], [])
        budget = self.budget
        caps = self._caps
        room = caps.room(cap) if many else 1
        # Each run: the plug-in's name, what it gave, whether reading stopped at the
        # cap, how many were left unread, and its failures (None: none).
        runs: list[tuple[str, Sequence[Any], bool, int | None, list[PluginFailure] | None]] = []
        given = 0  # items given in all
        stopped = False  # some plug-in was read only up to the cap
        run = self._run
        for name, impl, mine, args, labels in entries:
            if only is not None and name not in only:
                continue
            if budget.expired or _monotonic() >= budget.deadline:  # budget.spent()
                failure = PluginFailure(name, hook, not_run_text(self.limits))
                runs.append((name, (), False, None, [failure]))
                continue
            failures: list[PluginFailure] | None = None
            if self._any_unchecked:
                failures = self._changes_before(hook, labels) or None
            gave, exc, over_cap, dropped = run(impl.function, args(kwargs), many, room)
            if exc is not None:
                failures = (failures or []) + self._error(name, hook, exc)
            if not mine:
                changed = self._changes(name, hook, labels)
                if changed:
                    failures = (failures or []) + changed
            runs.append((name, gave, over_cap, dropped, failures))
            given += len(gave)
            stopped = stopped or over_cap
        results: list[tuple[str, Any]] = []
        failed: list[PluginFailure] = []
        kept = None
        if cap is not None:
            # Within the cap, and nothing left unread: every plug-in keeps all it gave.
            if given > room or stopped:
                kept = share(room, [len(r[1]) for r in runs])
            else:
                caps.taken[cap] += given
        last: type | None = None  # the type of the last item, known to be accepted
        trims: tuple[tuple[str, str, int], ...] = ()  # and its capped fields
        for index, (name, items, over_cap, dropped, failures) in enumerate(runs):
            if failures:
                failed += failures
            if kept is not None and cap is not None:
                keep = kept[index]
                if keep < len(items) or over_cap:
                    failed.append(
                        caps.over_cap(name, hook, cap, keep, len(items), over_cap, dropped)
                    )
                    items = items[:keep]
                caps.taken[cap] += len(items)
            for item in items:
                cls = type(item)
                if cls is not last:
                    if not isinstance(item, accept):
                        failed.append(
                            PluginFailure(
                                name, hook, f"returned {cls.__name__}, expected {expected}"
                            )
                        )
                        continue
                    # An instance of a subclass of what is accepted is accepted, so the
                    # next item of its type need not be asked (one that only claims a
                    # class, by its __class__, is asked each time).
                    last = cls if issubclass(cls, accept) else None
                    found = _TRIMS.get(cls)
                    trims = trims_of(cls) if found is None else found
                # Only an item with more than its always-kept reasons (or with any
                # prompts) counts against the caps: trim leaves any other alone.
                if trims is REASONS_ONLY:  # a task's or a referral's: one field, read
                    if len(item.reasons) > 1:
                        item = caps.trim(name, hook, item, trims, failed)
                else:
                    for field, _, first in trims:
                        if len(getattr(item, field)) > first:
                            item = caps.trim(name, hook, item, trims, failed)
                            break
                results.append((name, item))
        return Call(results, failed)

    def _run(
        self, function: Callable[..., Any], args: tuple[Any, ...], many: bool, room: int
    ) -> _Outcome:
        """One plug-in call, with the budget armed; every exception caught but the user's."""
        budget = self.budget
        items: list[Any] = []
        over_cap = False
        dropped: int | None = None
        try:
            try:
                budget.armed = True
                if budget.expired:
                    raise OutOfTime(budget)
                result: Any = function(*args)
                if not many:
                    items.append(result)
                elif type(result) in (list, tuple):
                    # Read in C: a list or tuple gives its items without running code.
                    if len(result) > room:
                        over_cap = True
                        dropped = len(result) - room
                        items += result[:room]
                    else:
                        items += result
                elif budget.timed:
                    # Up to the cap and one more to know it was passed; what a generator
                    # yielded before it failed is kept: a referral already made is never
                    # lost. A loop of Python's, not ``list.extend``: the timer's handler
                    # runs only between bytecodes, so an iterator of C's own (``map`` of
                    # a builtin, ``itertools``, a ``yield from`` one) read by one C call
                    # would run past the budget to the cap, or for ever on a hook with none.
                    iterator = iter(result)
                    try:
                        append = items.append
                        for item in islice(iterator, room):
                            append(item)
                        if len(items) == room:
                            for _ in iterator:
                                over_cap = True
                                break
                    finally:
                        close = getattr(iterator, "close", None)
                        if close is not None:
                            close()  # a generator's own clean-up runs here, guarded
                else:
                    # Without the timer, item by item: the clock is read between items.
                    iterator = iter(result)
                    try:
                        for item in iterator:
                            if len(items) == room:
                                over_cap = True
                                break
                            items.append(item)
                            if budget.spent():
                                raise OutOfTime(budget)
                    finally:
                        close = getattr(iterator, "close", None)
                        if close is not None:
                            close()  # a generator's own clean-up runs here, guarded
                if not budget.timed and budget.spent():
                    raise OutOfTime(budget)  # finished, but late (no timer here)
            finally:
                budget.armed = False
        except BaseException as exc:
            if is_user_interrupt(exc):
                raise
            if isinstance(exc, OutOfTime) and exc.budget is not budget:
                raise  # an outer decision's budget: not ours to record
            return items, exc, over_cap, dropped
        return items, None, over_cap, dropped

    def _error(self, name: str, hook: str, exc: BaseException) -> list[PluginFailure]:
        debug(name, hook, exc)
        if isinstance(exc, OutOfTime):
            return [PluginFailure(name, hook, out_of_time_text(self.limits))]
        return [PluginFailure(name, hook, error_text(exc))]

    # --- what the plug-ins were given -----------------------------------------------------

    def _check(self, labels: Iterable[str]) -> list[str]:
        """The labels (of ``labels``) whose objects changed; each is put back."""
        changed = []
        for label in labels:
            watch = self._shared if label in _SHARED_LABELS else self._watch
            if watch is not None and watch.changed((label,)):
                changed.append(label)
        return changed

    def _changes_before(self, hook: str, labels: tuple[str, ...]) -> list[PluginFailure]:
        """Before a call: what it is given must be as it was; if not, who changed it.

        A label not checked since some plug-ins ran that were not given it (one may
        have kept a reference from an earlier call) is checked first; a change is
        recorded against those plug-ins.
        """
        stale = [label for label in labels if self._unchecked.get(label)]
        if not stale:
            return []
        return self._blame(hook, stale)

    def _blame(self, hook: str, labels: Iterable[str]) -> list[PluginFailure]:
        failures = []
        for label in self._check(labels):
            for name in dict.fromkeys(self._unchecked[label]):
                failures.append(
                    PluginFailure(
                        name,
                        hook,
                        f"changed {label}, which it kept from an earlier call (or another "
                        "plug-in run since did): put back as it was",
                    )
                )
        for label in labels:
            self._unchecked[label] = []
        return failures

    def _changes(self, name: str, hook: str, labels: tuple[str, ...]) -> list[PluginFailure]:
        """After a call: failures for what it changed of what it was given; put back."""
        self._any_unchecked = True
        for label, since in self._unchecked.items():
            if label in labels:
                since.clear()
            else:
                since.append(name)
        changed = self._check(labels)
        return [
            PluginFailure(name, hook, f"changed {label} it was given: put back as it was")
            for label in changed
        ]

    def final_check(self) -> list[PluginFailure]:
        """Failures for anything changed out of sight since it was last checked.

        Run once, when the decision is about to be built: a plug-in that kept a
        reference from an earlier call and changed it in a later call, to which it
        was not given, is caught here (or before the next call given it).
        """
        stale = [label for label, since in self._unchecked.items() if since]
        return self._blame(self._last_hook or "policy", stale)
