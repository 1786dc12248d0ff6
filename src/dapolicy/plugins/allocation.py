"""Investigation allocation that weighs risk as well as seriousness (recommendation 1).

The inspected force allocated by the seriousness of the crime, so inexperienced
officers could hold the highest-risk cases. Here a serious offence goes to a detective,
and a case at or above ``settings.allocation.trained_from`` (high) goes to at least a
trained domestic-abuse investigator whatever the offence.
"""

from __future__ import annotations

from dapolicy.hookspecs import hookimpl
from dapolicy.models import Decision, Incident
from dapolicy.models.risk import reason
from dapolicy.models.work import Allocation, InvestigatorLevel
from dapolicy.settings import Settings

SOURCE = "HMIC 2014 inspection, recommendation 1"


@hookimpl
def dapolicy_allocate(
    incident: Incident, decision: Decision, settings: Settings
) -> Allocation | None:
    """The least level of investigator for the crime."""
    crime = incident.crime
    if crime is None:
        return None
    rules = settings.allocation
    found = []
    if crime.offence in rules.detective_offences:
        found.append(
            (
                InvestigatorLevel.DETECTIVE,
                reason(
                    "allocation.serious-offence",
                    f"{SOURCE}; force setting",
                    f"{crime.offence.value} is a serious offence",
                ),
            )
        )
    if decision.grade >= rules.trained_from:
        found.append(
            (
                InvestigatorLevel.TRAINED_DA_INVESTIGATOR,
                reason(
                    "allocation.risk",
                    SOURCE,
                    f"graded {decision.grade.value}: a trained investigator whatever the offence",
                ),
            )
        )
    if not found:
        found.append(
            (
                InvestigatorLevel.RESPONSE_OFFICER,
                reason("allocation.standard", SOURCE, "neither a serious offence nor high risk"),
            )
        )
    return Allocation(max(level for level, _ in found), tuple(r for _, r in found))
