"""Safeguarding that follows from the grade and the household, whatever the model.

- High risk => IDVA referral (the report: high-risk victims get an IDVA's support).
- Children present or usually resident => children's social care referral and, for each
  child, a physical welfare-check task (recommendation 3): within the golden hour for a
  child present, within 24 hours for a child usually resident but not present.
- A child victim in their own right (Domestic Abuse Act 2021 s.3: sees or hears, or
  experiences the effects of, the abuse, and is related to the victim or the suspect),
  present or not => children's social care referral and, for each, a task to record and
  safeguard them as a victim within 24 hours. From the day the Act's definition applies
  (31 January 2022, by the decision's time), for domestic abuse (or undetermined).
- A victim or suspect under 16 => children's social care referral: a child-safeguarding
  matter, not domestic abuse.
- A victim with a vulnerability marker => adult social care referral.
- A weapon present at the incident => a task, within the hour, to secure it and to
  check whether the suspect holds a firearm or shotgun certificate (the Home Office's
  statutory guidance on firearms licensing asks forces to tell their firearms
  licensing team of domestic abuse by a certificate holder).
"""

from __future__ import annotations

from collections.abc import Iterator

from dapolicy._time import LondonClock
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
from dapolicy.models._base import LONDON
from dapolicy.models.incident import ACT_DEFINITION_FROM
from dapolicy.models.people import Child
from dapolicy.models.risk import reason

REPORT = "HMIC 2014 inspection"

#: Hours within which a child's welfare must be checked.
PRESENT_HOURS = 1
RESIDENT_HOURS = 24
#: Hours within which a child victim (s.3) is recorded and safeguarded: an ASSUMPTION,
#: the same day's-work window as a resident child's welfare check.
CHILD_VICTIM_HOURS = 24
#: Hours within which a weapon at the scene is to be secured and certificates checked.
WEAPON_HOURS = 1
FIREARMS_GUIDANCE = (
    "Home Office, Statutory guidance for chief officers of police on firearms licensing "
    "(2021): domestic abuse by a certificate holder is reported to firearms licensing"
)
S3_SOURCE = (
    "Domestic Abuse Act 2021 s.3, children as victims of domestic abuse (in force 31 January 2022)"
)


def child_victims(incident: Incident, decision: Decision) -> tuple[Child, ...]:
    """The children who are victims in their own right under s.3, on the decision's day.

    Only where the behaviour is domestic abuse (or may be: undetermined), and only
    once the Act's definition is the rule (the 2013 definition had no s.3).
    """
    if decision.domestic_abuse not in (
        DomesticAbuseVerdict.DOMESTIC_ABUSE,
        DomesticAbuseVerdict.UNDETERMINED,
    ):
        return ()
    if decision.decided_at.astimezone(LONDON).date() < ACT_DEFINITION_FROM:
        return ()
    return incident.child_victims


@hookimpl
def dapolicy_referrals(incident: Incident, decision: Decision) -> Iterator[Referral]:
    """IDVA for high risk; children's and adult social care as the household requires."""
    victim = incident.victim.id
    if decision.grade is RiskGrade.HIGH:
        yield Referral._made(
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
        yield Referral._made(
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
    victims = child_victims(incident, decision)
    if victims:
        yield Referral._made(
            Destination.CHILDRENS_SOCIAL_CARE,
            victim,
            (
                reason(
                    "safeguarding.child-victims",
                    S3_SOURCE,
                    f"{len(victims)} child(ren) a victim of domestic abuse in their own "
                    "right, present or not",
                ),
            ),
            ("safeguarding",),
        )
    if decision.domestic_abuse is DomesticAbuseVerdict.CHILD_SAFEGUARDING:
        yield Referral._made(
            Destination.CHILDRENS_SOCIAL_CARE,
            victim,
            (
                reason(
                    "safeguarding.under-16",
                    "Cross-government definition (2013) and Domestic Abuse Act 2021 "
                    "s.1(2)(a): under 16 is a child-safeguarding matter",
                    "a person under 16 is involved",
                ),
            ),
            ("safeguarding",),
        )
    if incident.victim.vulnerabilities:
        yield Referral._made(
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
def dapolicy_tasks(incident: Incident, decision: Decision) -> Iterator[Task]:
    """Welfare checks and child-victim tasks.

    A welfare check for every child present or usually resident -- always -- and a
    safeguarding task for every child victim (s.3), present or not. When a weapon was
    present at the incident, a task to secure it and check the suspect's firearm and
    shotgun certificates.
    """
    # The report's London time is found once for every task here.
    clock = LondonClock(incident.reported_at)

    def task(
        what: str, child: str, hours: int, rule: str, source: str, text: str, assignee: str
    ) -> Task:
        why = (reason(f"safeguarding.{rule}", source, text),)
        return Task._made(what, child, clock.after(hours=hours), why, assignee)

    for victim in child_victims(incident, decision):
        yield task(
            "safeguard-child-victim",
            victim.id,
            CHILD_VICTIM_HOURS,
            "child-victim",
            S3_SOURCE,
            "record the child as a victim in their own right and safeguard them "
            f"within {CHILD_VICTIM_HOURS} hours, present or not",
            "officer in charge",
        )
    for child in incident.children_in_household:
        hours = PRESENT_HOURS if child.present else RESIDENT_HOURS
        done = " (recorded as done; confirm)" if child.welfare_checked else ""
        yield task(
            "child-welfare-check",
            child.id,
            hours,
            "child-welfare-check",
            f"{REPORT}, recommendation 3: physically check every child's welfare",
            f"check the child's welfare in person within {hours} hour(s){done}",
            "attending officer" if child.present else "neighbourhood officer",
        )
    if incident.weapon_present:
        yield task(
            "weapon-safety",
            incident.victim.id,
            WEAPON_HOURS,
            "weapon-at-incident",
            FIREARMS_GUIDANCE,
            f"a weapon was present: secure it within {WEAPON_HOURS} hour(s), and check "
            "whether the suspect holds a firearm or shotgun certificate (tell firearms "
            "licensing if so)",
            "attending officer",
        )
