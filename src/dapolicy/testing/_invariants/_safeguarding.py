"""Invariants 4, 5 and 13: high risk is referred; children and child victims are safeguarded."""

from __future__ import annotations

from dapolicy.models import Destination, DomesticAbuseVerdict, RiskGrade
from dapolicy.policy import Policy
from dapolicy.testing._invariants._assess import _Run, _run
from dapolicy.testing._invariants._case import WELFARE_CHECK, ConformanceCase
from dapolicy.testing._invariants._violation import violation


def _high_risk_referrals(run: _Run) -> None:
    decision = run.decision
    if decision.grade is RiskGrade.HIGH:
        missing = sorted(
            d.value for d in {Destination.MARAC, Destination.IDVA} - decision.referred_to()
        )
        if missing:
            raise violation(4, f"graded high but no referral to {' or '.join(missing)}")


def check_high_risk_referrals(policy: Policy, case: ConformanceCase) -> None:
    """Invariant 4: a decision graded high refers the victim to MARAC and to an IDVA.

    :raises InvariantViolation: naming the missing referral.
    """
    _high_risk_referrals(_run(policy, case))


def _children_safeguarded(run: _Run) -> None:
    decision, children = run.decision, run.case.incident.children_in_household
    if not children:
        return
    if Destination.CHILDRENS_SOCIAL_CARE not in decision.referred_to():
        raise violation(
            5,
            f"{len(children)} child(ren) present or usually resident but no children's "
            "social care referral",
        )
    checked = {t.for_whom for t in decision.tasks if t.what == WELFARE_CHECK}
    missing = [child.id for child in children if child.id not in checked]
    if missing:
        raise violation(
            5,
            f"no {WELFARE_CHECK!r} task for child(ren) {', '.join(map(repr, missing))} "
            f"(present or usually resident; {len(children)} in the household)",
        )


def check_children_safeguarded(policy: Policy, case: ConformanceCase) -> None:
    """Invariant 5: children present or usually resident are safeguarded, always.

    Each such child gets a ``child-welfare-check`` task for its id, and the victim a
    children's social care referral.

    :raises InvariantViolation: naming the child (by pseudonymous id) or the referral.
    """
    _children_safeguarded(run=_run(policy, case))


def _child_victims(run: _Run) -> None:
    # The verdict of the definition in force on the day (the 2013 definition, or the
    # 2021 Act's from its commencement), as the decision records it.
    decision = run.decision
    if decision.domestic_abuse is not DomesticAbuseVerdict.CHILD_SAFEGUARDING:
        return
    if Destination.CHILDRENS_SOCIAL_CARE not in decision.referred_to():
        raise violation(
            13,
            "a person under 16 on the day of the incident (a child-safeguarding matter) "
            "but no children's social care referral",
        )
    if not decision.needs_review:
        raise violation(
            13, "a person under 16 on the day of the incident, and the decision needs no review"
        )


def check_child_victims(policy: Policy, case: ConformanceCase) -> None:
    """Invariant 13: a victim or suspect under 16 is a child-safeguarding matter.

    Ages are taken on the incident's London calendar day (a 16th birthday counts from
    its first moment). Such a case is not domestic abuse by the definition: it must
    refer to children's social care and need a person's review. (Child victims in
    their own right, the 2021 Act's s.3, are not modelled yet; when they are, each is
    checked here too.)

    :raises InvariantViolation: naming what is missing.
    """
    _child_victims(_run(policy, case))
