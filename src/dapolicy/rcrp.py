"""Right Care, Right Person: which calls the control room may divert to health services.

Under the National Partnership Agreement (Home Office, DHSC, NPCC, APCC, NHS England,
July 2023) police attend a health or welfare call only where there is a crime to
investigate or an immediate risk to life or of serious harm. So a concern-for-welfare
call may be diverted -- and a domestic-abuse call never is: domestic abuse is a crime
and a safeguarding matter, whatever the call looks like (the conformance kit checks it).
"""

from __future__ import annotations

from datetime import UTC, datetime

from dapolicy.history import HistoryView
from dapolicy.models.incident import Call, CallType
from dapolicy.models.operations import Thrive
from dapolicy.models.risk import Reason, reason

__all__ = ["CallType", "rcrp_call_type", "rcrp_may_divert"]

SOURCE = "Right Care, Right Person: National Partnership Agreement (July 2023)"
#: Where the rule that a call with any sign of domestic abuse is a domestic-abuse call
#: comes from. The agreement puts domestic abuse outside its scope; that a marker, a
#: partner in the story or the address's history is such a sign is dapolicy's
#: assumption (a handler cannot rule domestic abuse out from one call).
INDICATOR_SOURCE = f"{SOURCE}; domestic abuse is out of its scope (dapolicy: any sign of it)"
#: History is looked up from here on: a domestic-abuse history does not expire.
_EARLIEST = datetime(1900, 1, 1, tzinfo=UTC)


def rcrp_call_type(call: Call, history: HistoryView) -> tuple[CallType, tuple[Reason, ...]]:
    """The type Right Care, Right Person treats ``call`` as, and why.

    A call the handler recorded as a concern for welfare (or anything else) is treated
    as a domestic-abuse call when there is any sign of domestic abuse: a
    domestic-abuse marker on the call (:attr:`Call.domestic_abuse_marker`), a partner,
    former partner or family member in the concern
    (:attr:`Call.partner_or_family_mentioned`), the caller the victim of a
    domestic-abuse incident, or a call to the same location (the history's calls are
    those of its domestic-abuse cases) -- in the history as the force knew it at the
    view's moment, at any time before the call.

    :param call: the call.
    :param history: the history, bound to the moment of the triage.
    :return: the type, and one reason for each sign found (none for a call recorded as
        domestic abuse, or with no sign).
    """
    if call.call_type is CallType.DOMESTIC_ABUSE:
        return CallType.DOMESTIC_ABUSE, ()
    signs: list[Reason] = []

    def sign(rule: str, text: str) -> None:
        signs.append(reason(f"rcrp.{rule}", INDICATOR_SOURCE, f"{text}: a domestic-abuse call"))

    if call.domestic_abuse_marker:
        sign("domestic-abuse-marker", "a domestic-abuse marker on the call")
    if call.partner_or_family_mentioned:
        sign("partner-or-family", "a partner, former partner or family member in the concern")
    until = call.received_at
    if call.caller is not None and history.incidents(call.caller.id, since=_EARLIEST, until=until):
        sign("victim-history", "the caller is the victim of an earlier domestic-abuse incident")
    if call.location_id is not None and history.calls(
        since=_EARLIEST, until=until, location_id=call.location_id, exclude=call.id
    ):
        sign("location-history", "earlier domestic-abuse calls to the location")
    return (CallType.DOMESTIC_ABUSE if signs else call.call_type), tuple(signs)


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
