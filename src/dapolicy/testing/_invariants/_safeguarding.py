"""Invariants 4 and 5: high risk is referred; children are safeguarded."""

from __future__ import annotations

from dapolicy.models import (
    Destination,
    RiskGrade,
)
from dapolicy.policy import Policy
from dapolicy.testing._invariants._assess import _Run, _run
from dapolicy.testing._invariants._case import WELFARE_CHECK, ConformanceCase


def _high_risk_referrals(run: _Run) -> None:
    decision = run.decision
    if decision.grade is RiskGrade.HIGH:
        missing = sorted(
            d.value for d in {Destination.MARAC, Destination.IDVA} - decision.referred_to()
        )
        if missing:
            raise AssertionError(
                f"invariant 4 (high risk => MARAC and IDVA): graded high but no referral "
                f"to {' or '.join(missing)}"
            )


def check_high_risk_referrals(policy: Policy, case: ConformanceCase) -> None:
    """Invariant 4: a decision graded high refers the victim to MARAC and to an IDVA.

    :raises AssertionError: naming the missing referral.
    """
    _high_risk_referrals(_run(policy, case))


def _children_safeguarded(run: _Run) -> None:
    decision, children = run.decision, run.case.incident.children_in_household
    if not children:
        return
    if Destination.CHILDRENS_SOCIAL_CARE not in decision.referred_to():
        raise AssertionError(
            f"invariant 5 (children): {len(children)} child(ren) present or usually "
            "resident but no children's social care referral"
        )
    checked = {t.for_whom for t in decision.tasks if t.what == WELFARE_CHECK}
    missing = [child.id for child in children if child.id not in checked]
    if missing:
        raise AssertionError(
            f"invariant 5 (children): no {WELFARE_CHECK!r} task for child(ren) "
            f"{', '.join(map(repr, missing))} (present or usually resident)"
        )


def check_children_safeguarded(policy: Policy, case: ConformanceCase) -> None:
    """Invariant 5: children present or usually resident are safeguarded, always.

    Each such child gets a ``child-welfare-check`` task for its id, and the victim a
    children's social care referral.

    :raises AssertionError: naming the child (by pseudonymous id) or the referral.
    """
    _children_safeguarded(run=_run(policy, case))
