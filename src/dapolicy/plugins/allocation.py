"""Investigation allocation on two axes, risk and seriousness (recommendation 1).

The inspected force allocated by the seriousness of the crime, so inexperienced
officers could hold the highest-risk cases. Allocation here names the *skills* the
investigator must hold, on two axes:

- detective accreditation, which seriousness calls for: an offence in
  ``settings.allocation.detective_offences`` needs a detective;
- domestic-abuse training, which risk calls for: a case at or above
  ``settings.allocation.trained_from`` (high) needs a DA-trained investigator;
- and a case at or above ``settings.allocation.detective_from`` (high) needs a
  detective too, whatever the offence.

So a high-risk case always needs a DA-trained detective, and never gets a less
specialist investigator than a standard-risk case of any seriousness. (Before, a
high-risk common assault got a trained DA investigator while a standard-risk assault
with intent got a detective, ranked above it.)
"""

from __future__ import annotations

from dapolicy.hookspecs import hookimpl
from dapolicy.models import Decision, Incident, Reason
from dapolicy.models.risk import reason
from dapolicy.models.work import Allocation, InvestigatorSkill
from dapolicy.settings import Settings

SOURCE = "HMIC 2014 inspection, recommendation 1"


@hookimpl
def dapolicy_allocate(
    incident: Incident, decision: Decision, settings: Settings
) -> Allocation | None:
    """The skills the crime's investigator must hold, and so the least level."""
    crime = incident.crime
    if crime is None:
        return None
    rules = settings.allocation
    skills: set[InvestigatorSkill] = set()
    reasons: list[Reason] = []

    def need(skill: InvestigatorSkill, rule: str, source: str, text: str) -> None:
        skills.add(skill)
        reasons.append(reason(f"allocation.{rule}", source, text))

    grade = decision.grade.value
    if crime.offence in rules.detective_offences:
        need(
            InvestigatorSkill.DETECTIVE,
            "serious-offence",
            f"{SOURCE}; force setting",
            f"{crime.offence.value} is a serious offence",
        )
    if decision.grade >= rules.trained_from:
        need(
            InvestigatorSkill.DA_TRAINED,
            "risk",
            SOURCE,
            f"graded {grade}: a trained investigator whatever the offence",
        )
    if decision.grade >= rules.detective_from:
        need(
            InvestigatorSkill.DETECTIVE,
            "risk-detective",
            f"{SOURCE}: high risk never gets a less specialist investigator than a "
            "standard-risk case of any seriousness",
            f"graded {grade}: a detective whatever the offence",
        )
    if not reasons:
        reasons.append(
            reason("allocation.standard", SOURCE, "neither a serious offence nor high risk")
        )
    return Allocation.from_skills(frozenset(skills), tuple(reasons))
