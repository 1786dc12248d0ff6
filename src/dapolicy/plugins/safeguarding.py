"""Safeguarding that follows from the grade and the household, whatever the model.

- High risk => IDVA referral (the report: high-risk victims get an IDVA's support).
- Children present or usually resident => children's social care referral and, for each
  child, a physical welfare-check task (recommendation 3): within the golden hour for a
  child present, within 24 hours for a child usually resident but not present.
- A victim or suspect under 16 => children's social care referral: a child-safeguarding
  matter, not domestic abuse.
- A victim with a vulnerability marker => adult social care referral.
"""

from __future__ import annotations

from collections.abc import Iterator

from dapolicy._time import add_local
from dapolicy.hookspecs import hookimpl
from dapolicy.models import (
    Decision,
    Destination,
    DomesticAbuseVerdict,
    Incident,
    Referral,
    RiskGrade,
    Task,
)
from dapolicy.models.risk import reason

REPORT = "HMIC 2014 inspection"

#: Hours within which a child's welfare must be checked.
PRESENT_HOURS = 1
RESIDENT_HOURS = 24


@hookimpl
def dapolicy_referrals(incident: Incident, decision: Decision) -> Iterator[Referral]:
    """IDVA for high risk; children's and adult social care as the household requires."""
    victim = incident.victim.id
    if decision.grade is RiskGrade.HIGH:
        yield Referral(
            Destination.IDVA,
            victim,
            (
                reason(
                    "safeguarding.idva-high-risk",
                    f"{REPORT}: high-risk victims get specialist IDVA support",
                    "graded high risk",
                ),
            ),
            ("safeguarding",),
        )
    children = incident.children_in_household
    if children:
        yield Referral(
            Destination.CHILDRENS_SOCIAL_CARE,
            victim,
            (
                reason(
                    "safeguarding.children-in-household",
                    f"{REPORT}, recommendation 3; children's details shared with the "
                    "local authority",
                    f"{len(children)} child(ren) present or usually resident",
                ),
            ),
            ("safeguarding",),
        )
    if decision.domestic_abuse is DomesticAbuseVerdict.CHILD_SAFEGUARDING:
        yield Referral(
            Destination.CHILDRENS_SOCIAL_CARE,
            victim,
            (
                reason(
                    "safeguarding.under-16",
                    "Cross-government definition of domestic abuse: under 16 is a "
                    "child-safeguarding matter",
                    "a person under 16 is involved",
                ),
            ),
            ("safeguarding",),
        )
    if incident.victim.vulnerabilities:
        yield Referral(
            Destination.ADULT_SOCIAL_CARE,
            victim,
            (
                reason(
                    "safeguarding.vulnerable-adult",
                    f"{REPORT}: vulnerability assessment for vulnerable victims",
                    f"{len(incident.victim.vulnerabilities)} vulnerability marker(s)",
                ),
            ),
            ("safeguarding",),
        )


@hookimpl
def dapolicy_tasks(incident: Incident) -> Iterator[Task]:
    """A welfare-check task for every child present or usually resident -- always."""
    for child in incident.children_in_household:
        hours = PRESENT_HOURS if child.present else RESIDENT_HOURS
        done = " (recorded as done; confirm)" if child.welfare_checked else ""
        yield Task(
            "child-welfare-check",
            child.id,
            add_local(incident.reported_at, hours=hours),
            (
                reason(
                    "safeguarding.child-welfare-check",
                    f"{REPORT}, recommendation 3: physically check every child's welfare",
                    f"check the child's welfare in person within {hours} hour(s){done}",
                ),
            ),
            "attending officer" if child.present else "neighbourhood officer",
        )
