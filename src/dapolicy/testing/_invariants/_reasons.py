"""Invariant 6: every grade, finding, referral and task carries a reason."""

from __future__ import annotations

from collections.abc import Sequence

from dapolicy.models import (
    Reason,
)
from dapolicy.policy import Policy
from dapolicy.testing._invariants._assess import _Run, _run
from dapolicy.testing._invariants._case import ConformanceCase
from dapolicy.testing._invariants._violation import violation


def _reason_problem(reasons: Sequence[object]) -> str | None:
    if not reasons:
        return "no reason"
    for reason in reasons:
        if not isinstance(reason, Reason):
            return f"a {type(reason).__name__} where a Reason belongs"
        for field in ("rule", "source"):
            value = getattr(reason, field)
            if not isinstance(value, str) or not value.strip():
                return f"a reason with no {field}"
    return None


def _reasons(run: _Run) -> None:
    decision = run.decision
    owners: list[tuple[str, Sequence[Reason]]] = [("the grade", decision.reasons)]
    owners += [(f"the finding of {f.model!r}", f.reasons) for f in decision.findings]
    owners += [(f"the referral to {r.destination.value}", r.reasons) for r in decision.referrals]
    owners += [(f"the task {t.what!r}", t.reasons) for t in decision.tasks]
    for owner, reasons in owners:
        problem = _reason_problem(reasons)
        if problem is not None:
            raise violation(6, f"{owner} has {problem} (each needs a rule id and a source)")


def check_reasons(policy: Policy, case: ConformanceCase) -> None:
    """Invariant 6: the grade, every finding, referral and task has a reason.

    Each reason is a :class:`~dapolicy.models.Reason` with a non-blank rule id and
    source.

    :raises InvariantViolation: naming what lacks a reason.
    """
    _reasons(_run(policy, case))
