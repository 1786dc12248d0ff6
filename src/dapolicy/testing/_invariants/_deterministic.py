"""Invariant 1: the same inputs give the same decision."""

from __future__ import annotations

import attrs

from dapolicy.models import (
    Decision,
)
from dapolicy.policy import Policy
from dapolicy.serialization import to_json
from dapolicy.testing._invariants._assess import _assess, _Run, _run
from dapolicy.testing._invariants._case import ConformanceCase


def _differences(first: Decision, second: Decision) -> str:
    names = [
        f.name for f in attrs.fields(Decision) if getattr(first, f.name) != getattr(second, f.name)
    ]
    return ", ".join(names) if names else "none of the fields, but the JSON"


def _deterministic(run: _Run) -> None:
    history = run.case.history
    size = len(history)
    first = _assess(run.policy, run.case, history=history)
    if len(history) != size:
        raise AssertionError(
            "invariant 1 (deterministic): assess modified the history it was given "
            f"({size} incidents before, {len(history)} after)"
        )
    second = _assess(run.policy, run.case, history=history)
    for other in (first, second):
        if other != run.decision:
            raise AssertionError(
                "invariant 1 (deterministic): the same case assessed again gave a "
                f"different decision (differing: {_differences(run.decision, other)})"
            )
        if to_json(other) != to_json(run.decision):
            raise AssertionError(
                "invariant 1 (deterministic): the same case assessed again gave a "
                "different to_json(decision)"
            )


def check_deterministic(policy: Policy, case: ConformanceCase) -> None:
    """Invariant 1: the same inputs give equal decisions and equal JSON.

    The case is assessed three times, the last two with one history object, which must
    come back unchanged.

    :raises AssertionError: naming the fields that differed.
    """
    _deterministic(_run(policy, case))
