"""Invariant 1: the same inputs give the same decision -- whatever else is going on.

The case is assessed again on the same policy (twice, over one history), with the
global random state disturbed, with the clock shifted and watched, after a decoy case
of the same victim, and on a fresh build of the policy with new plug-in instances. Once
per run, :func:`check_fresh_processes` sends some cases to fresh processes with other
hash seeds.
"""

from __future__ import annotations

import random
from collections.abc import Sequence

import attrs

from dapolicy.models import Decision
from dapolicy.policy import Policy
from dapolicy.serialization import to_json
from dapolicy.testing._invariants._assess import _assess, _Run, _run
from dapolicy.testing._invariants._case import ConformanceCase
from dapolicy.testing._invariants._fresh import (
    ProcessResult,
    fresh_policy,
    in_fresh_processes,
    local_decisions,
)
from dapolicy.testing._invariants._spy import watching_the_clock
from dapolicy.testing._invariants._violation import InvariantViolation, violation


def _differences(first: Decision, second: Decision) -> str:
    names = [
        f.name for f in attrs.fields(Decision) if getattr(first, f.name) != getattr(second, f.name)
    ]
    return ", ".join(names) if names else "none of the fields, but the JSON"


def _same(run: _Run, other: Decision, how: str, aspect: str = "") -> None:
    if other != run.decision:
        raise violation(
            1,
            f"the same case assessed again{how} gave a different decision "
            f"(differing: {_differences(run.decision, other)})",
            aspect=aspect,
        )
    if to_json(other) != to_json(run.decision):
        raise violation(
            1,
            f"the same case assessed again{how} gave a different to_json(decision)",
            aspect=aspect,
        )


def _decoy(case: ConformanceCase) -> ConformanceCase:
    """Another case of the same victim: no form, other facts, a day earlier."""
    incident = case.incident
    return attrs.evolve(
        case,
        incident=attrs.evolve(
            incident,
            id=f"{incident.id}-decoy",
            children=(),
            crime=None,
            counter_allegation=not incident.counter_allegation,
        ),
        form=None,
        dara=None,
        prior_incidents=(),
        marac_referrals=(),
    )


def _deterministic(run: _Run) -> None:
    policy, case = run.policy, run.case
    if run.history_before != run.history_after:
        raise violation(1, "assess modified the history it was given (its content differs after)")
    if run.watched is not None:
        # The watched copy has its own plug-in manager: only its plug-in records differ.
        same = attrs.evolve(
            run.watched,
            policy_fingerprint=run.decision.policy_fingerprint,
            plugins=run.decision.plugins,
        )
        _same(run, same, " through a watched copy of the policy")
    history = case.history
    before = history.content()
    first = _assess(policy, case, history=history)
    if history.content() != before:
        raise violation(1, "assess modified the history it was given (its content differs after)")
    second = _assess(policy, case, history=history)
    _same(run, first, "")
    _same(run, second, " over the same history")
    state = random.getstate()
    try:
        random.seed(len(case.incident.id) * 7919 + 1)
        disturbed = _assess(policy, case)
    finally:
        random.setstate(state)
    _same(run, disturbed, " with the global random state disturbed", "random state")
    with watching_the_clock() as readers:
        shifted = _assess(policy, case)
    if readers:
        raise violation(
            1,
            f"a plug-in read the clock ({', '.join(sorted(set(readers)))}): a decision "
            "must depend on its inputs, and 'now' is one",
            aspect="clock",
        )
    _same(run, shifted, " with the clock shifted", "clock")
    _assess(policy, _decoy(case))
    after = _assess(policy, case)
    _same(run, after, " after another case of the same victim", "after other cases")
    fresh = fresh_policy(policy)
    if fresh is not None:
        anew = _assess(fresh, case)
        _same(
            run, anew, " on a fresh build of the policy (new plug-in instances)", "fresh instance"
        )


def check_deterministic(policy: Policy, case: ConformanceCase) -> None:
    """Invariant 1: the same inputs give equal decisions and equal JSON.

    The case is assessed again and again: over one history object, which must keep
    its whole content (every incident, referral and call); with the global random
    state disturbed; with the clock shifted and watched (a plug-in must not read it:
    ``time.time``, ``datetime.now`` and the like are caught by the kit); after a decoy
    case of the same victim; and on a fresh build of the policy with new plug-in
    instances (no stale per-victim cache), when the kit knows how it was built
    (:func:`policy_with`, :func:`isolated`).

    :raises InvariantViolation: naming the fields that differed, or what was read.
    """
    _deterministic(_run(policy, case))


def check_fresh_processes(policy: Policy, cases: Sequence[ConformanceCase]) -> str:
    """Invariant 1 across processes: each case decides alike in fresh processes.

    Each case is assessed on a fresh build here and in fresh processes with other
    ``PYTHONHASHSEED`` values, a shifted clock and another random seed; the JSON must
    be the same byte for byte. A policy the kit cannot send to another process is
    skipped.

    :return: ``""`` when checked; otherwise why it was skipped.
    :raises InvariantViolation: a case decided differently in a fresh process.
    """
    if not cases:
        return "no case to send"
    results = in_fresh_processes(policy, cases)
    if isinstance(results, str):
        return results
    here = local_decisions(policy, cases)
    problems = [r for r in results if r.problem]
    for result in results:
        if result.problem:
            continue
        _compare_process(result, here, cases)
    if problems:
        return "a fresh process failed: " + ", ".join(f"{r.seed}: {r.problem}" for r in problems)
    return ""


def _compare_process(
    result: ProcessResult, here: Sequence[str], cases: Sequence[ConformanceCase]
) -> None:
    for index, (mine, theirs) in enumerate(zip(here, result.decisions, strict=True)):
        if mine != theirs:
            error = InvariantViolation(
                1,
                f"a fresh process with PYTHONHASHSEED={result.seed} (and another random "
                "seed and clock) decided the same case differently: set or dict order, "
                "the random state or the clock reached the decision",
                aspect="fresh process",
            )
            error.case = cases[index]
            raise error
