"""Right Care, Right Person: which calls the control room may divert to health services.

Under the National Partnership Agreement (Home Office, DHSC, NPCC, APCC, NHS England,
July 2023) police attend a health or welfare call only where there is a crime to
investigate or an immediate risk to life or of serious harm. So a concern-for-welfare
call may be diverted -- and a domestic-abuse call never is: domestic abuse is a crime
and a safeguarding matter, whatever the call looks like (the conformance kit checks it).
"""

from __future__ import annotations

import enum

from dapolicy.models.operations import Thrive
from dapolicy.models.risk import Reason, reason

__all__ = ["CallType", "rcrp_may_divert"]

SOURCE = "Right Care, Right Person: National Partnership Agreement (July 2023)"


class CallType(enum.Enum):
    """What the call handler recorded the call as."""

    DOMESTIC_ABUSE = "domestic_abuse"
    CONCERN_FOR_WELFARE = "concern_for_welfare"
    OTHER = "other"


def rcrp_may_divert(
    call_type: CallType, thrive: Thrive | None, *, crime_to_investigate: bool
) -> tuple[bool, Reason]:
    """Whether the call may be diverted to partners under Right Care, Right Person.

    Only a concern-for-welfare call with no crime to investigate and no immediate risk
    (THRIVE's danger now, weapons or an injury) and a THRIVE assessment recorded; never
    a domestic-abuse call.
    """
    if call_type is CallType.DOMESTIC_ABUSE:
        return False, reason(
            "rcrp.never-domestic-abuse",
            SOURCE,
            "a domestic-abuse call is never diverted: it is a crime and safeguarding matter",
        )
    if call_type is not CallType.CONCERN_FOR_WELFARE:
        return False, reason("rcrp.not-welfare", SOURCE, "only a concern-for-welfare call")
    if crime_to_investigate:
        return False, reason("rcrp.crime", SOURCE, "there is a crime to investigate")
    if thrive is None:
        return False, reason("rcrp.no-thrive", SOURCE, "no THRIVE assessment recorded")
    if thrive.danger_now or thrive.weapons or thrive.injury:
        return False, reason(
            "rcrp.immediate-risk", SOURCE, "an immediate risk to life or of serious harm"
        )
    return True, reason(
        "rcrp.divert",
        SOURCE,
        "concern for welfare, no crime, no immediate risk: may go to the right agency",
    )
