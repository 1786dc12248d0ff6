"""Every invariant by number, and checking them all on one case."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

import attrs

from dapolicy.policy import Policy
from dapolicy.testing._invariants._assess import _Run, _run
from dapolicy.testing._invariants._case import ConformanceCase
from dapolicy.testing._invariants._control_room import _events, _triage, check_events, check_triage
from dapolicy.testing._invariants._deterministic import _deterministic, check_deterministic
from dapolicy.testing._invariants._due_times import _due_times, check_due_times
from dapolicy.testing._invariants._inputs import _inputs_unchanged, check_inputs_unchanged
from dapolicy.testing._invariants._monotone import _monotone, check_monotone
from dapolicy.testing._invariants._parity import _crime_parity, check_crime_parity
from dapolicy.testing._invariants._privacy import _no_personal_data, check_no_personal_data
from dapolicy.testing._invariants._reasons import _reasons, check_reasons
from dapolicy.testing._invariants._safeguarding import (
    _child_victims,
    _children_safeguarded,
    _high_risk_referrals,
    check_child_victims,
    check_children_safeguarded,
    check_high_risk_referrals,
)
from dapolicy.testing._invariants._total import _total, check_total
from dapolicy.testing._invariants._versions import _version_switch, check_version_switch
from dapolicy.testing._invariants._violation import InvariantViolation


@attrs.frozen
class Invariant:
    """One invariant: its number, its title and its check.

    The kit's own are numbered 1 to 9 as in the design, 10 and up as they were added.
    A force's own invariant takes a number of 100 or more and is passed to
    :func:`check_all` or :func:`run_conformance` as ``extra``; its check assesses the
    case itself and raises :class:`AssertionError` when the invariant is broken.
    """

    number: int
    title: str
    check: Callable[[Policy, ConformanceCase], None]


#: Every invariant, by number, in the order :func:`check_all` checks them.
INVARIANTS: Mapping[int, Invariant] = {
    invariant.number: invariant
    for invariant in (
        Invariant(1, "deterministic", check_deterministic),
        Invariant(10, "a plug-in does not change what it was given", check_inputs_unchanged),
        Invariant(9, "no personal data", check_no_personal_data),
        Invariant(3, "total", check_total),
        Invariant(6, "every grade, referral and task has a reason", check_reasons),
        Invariant(4, "high risk => MARAC and IDVA", check_high_risk_referrals),
        Invariant(5, "children => welfare checks and referral", check_children_safeguarded),
        Invariant(13, "child victims => children's social care", check_child_victims),
        Invariant(8, "due times", check_due_times),
        Invariant(7, "crime parity", check_crime_parity),
        Invariant(2, "monotone", check_monotone),
        Invariant(11, "every event tells the victim and re-assesses", check_events),
        Invariant(12, "triage never diverts a domestic-abuse call", check_triage),
        Invariant(14, "a policy version switches at its boundary", check_version_switch),
    )
}

_RUNNERS: Mapping[int, Callable[[_Run], None]] = {
    1: _deterministic,
    2: _monotone,
    3: _total,
    4: _high_risk_referrals,
    5: _children_safeguarded,
    6: _reasons,
    7: _crime_parity,
    8: _due_times,
    9: _no_personal_data,
    10: _inputs_unchanged,
    11: _events,
    12: _triage,
    13: _child_victims,
    14: _version_switch,
}


def _chosen(invariants: Iterable[int] | None) -> tuple[int, ...]:
    if invariants is None:
        return tuple(INVARIANTS)
    chosen = tuple(invariants)
    unknown = sorted(set(chosen) - set(INVARIANTS))
    if unknown:
        raise ValueError(f"no invariant numbered {', '.join(map(str, unknown))}")
    return tuple(n for n in INVARIANTS if n in chosen)


def check_all(
    policy: Policy,
    case: ConformanceCase,
    *,
    invariants: Iterable[int] | None = None,
    extra: Iterable[Invariant] = (),
) -> None:
    """Check every invariant (or those numbered in ``invariants``) on one case.

    The case is assessed once (with log capture, through a spied copy of the policy)
    and that decision shared by the checks; invariant 3's "assess must not raise"
    applies whichever are chosen. ``extra`` invariants -- a force's own -- run last,
    each with its own check.

    :raises InvariantViolation: at the first invariant broken, with the case attached.
        An ``extra`` check's plain :class:`AssertionError` is turned into one, under
        that invariant's number.
    :raises ValueError: ``invariants`` names a number that is not an invariant.
    """
    numbers = _chosen(invariants)
    try:
        run = _run(policy, case)
        for number in numbers:
            _RUNNERS[number](run)
        for invariant in extra:
            try:
                invariant.check(policy, case)
            except InvariantViolation:
                raise
            except AssertionError as exc:
                raise InvariantViolation(
                    invariant.number, str(exc) or "broken", title=invariant.title
                ) from exc
    except InvariantViolation as exc:
        if exc.case is None:
            exc.case = case
        raise
