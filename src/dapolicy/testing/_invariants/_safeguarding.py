"""Invariants 4, 5 and 13: high risk is referred; children and child victims are safeguarded."""

from __future__ import annotations

from dapolicy.models import Destination, DomesticAbuseVerdict, RiskGrade
from dapolicy.models._base import LONDON
from dapolicy.models.incident import ACT_DEFINITION_FROM
from dapolicy.policy import Policy
from dapolicy.testing._invariants._assess import _Run, _run
from dapolicy.testing._invariants._case import WELFARE_CHECK, ConformanceCase
from dapolicy.testing._invariants._violation import violation

#: The task the built-in safeguarding plug-in sets for each child victim (invariant 13).
CHILD_VICTIM_TASK = "safeguard-child-victim"


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
        _s3_victims(run)
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


def _s3_victims(run: _Run) -> None:
    """Each child victim in their own right (s.3) is referred and safeguarded."""
    decision, incident = run.decision, run.case.incident
    if decision.domestic_abuse not in (
        DomesticAbuseVerdict.DOMESTIC_ABUSE,
        DomesticAbuseVerdict.UNDETERMINED,
    ):
        return
    if decision.decided_at.astimezone(LONDON).date() < ACT_DEFINITION_FROM:
        return  # the 2013 definition had no child victims in their own right
    victims = [c for c in incident.children if c.affected and c.related]
    if not victims:
        return
    where = "present or not" if any(not c.in_household for c in victims) else "in the household"
    if Destination.CHILDRENS_SOCIAL_CARE not in decision.referred_to():
        raise violation(
            13,
            f"{len(victims)} child victim(s) in their own right (DA Act 2021 s.3: affected "
            f"by the abuse and related to either party; {where}) but no children's social "
            "care referral",
        )
    safeguarded = {t.for_whom for t in decision.tasks if t.what == CHILD_VICTIM_TASK}
    missing = [c.id for c in victims if c.id not in safeguarded]
    if missing:
        raise violation(
            13,
            f"no {CHILD_VICTIM_TASK!r} task for child victim(s) "
            f"{', '.join(map(repr, missing))} (DA Act 2021 s.3; {where})",
        )


def check_child_victims(policy: Policy, case: ConformanceCase) -> None:
    """Invariant 13: child victims and children under 16 are safeguarded.

    A victim or suspect under 16, ages taken on the incident's London calendar day (a
    16th birthday counts from its first moment), makes the case a child-safeguarding
    matter, not domestic abuse by the definition: it must refer to children's social
    care and need a person's review. And once the Domestic Abuse Act 2021's definition
    is in force on the decision's London day (31 January 2022), each child victim in
    their own right (s.3: affected by the abuse and related to the victim or the
    suspect, present or not) of a case that is, or may be, domestic abuse must be
    referred to children's social care and get a ``safeguard-child-victim`` task.

    :raises InvariantViolation: naming what is missing.
    """
    _child_victims(_run(policy, case))
