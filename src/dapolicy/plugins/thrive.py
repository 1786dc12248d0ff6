"""Call triage on THRIVE: what the handler found raises the response, never lowers it.

THRIVE is a structured judgement with no score; these rules read only the flags the
handler recorded and the caller's recent history:

- danger now (threat to life, assault in progress) or weapons => immediate;
- an injury with the suspect still present => immediate;
- an injury, children present, a vulnerable caller, or a caller who was the victim of
  another domestic-abuse incident in the force's window => at least priority.

Right Care, Right Person (:mod:`dapolicy.rcrp`): a concern-for-welfare call with no
sign of domestic abuse (no marker, no partner or family member in the concern, no
domestic-abuse history of the caller or the location), no crime to investigate and no
immediate risk, which no rule above raises, may be diverted to the right agency; a
domestic-abuse call never is.
"""

from __future__ import annotations

from dapolicy._time import months_before
from dapolicy.history import HistoryView
from dapolicy.hookspecs import hookimpl
from dapolicy.models import Call, Reason
from dapolicy.models.incident import CallType
from dapolicy.models.operations import ResponseFinding, ResponseGrade, Thrive
from dapolicy.models.risk import reason
from dapolicy.rcrp import rcrp_call_type, rcrp_may_divert
from dapolicy.settings import Settings

SOURCE = "THRIVE call grading (NPCC); force triage rules"


@hookimpl
def dapolicy_triage(
    call: Call, thrive: Thrive | None, history: HistoryView, settings: Settings
) -> ResponseFinding | None:
    """The least response the recorded THRIVE flags and the caller's history imply."""
    found: list[tuple[ResponseGrade, Reason]] = []

    def rule(grade: ResponseGrade, name: str, text: str) -> None:
        found.append((grade, reason(f"thrive.{name}", SOURCE, text)))

    if thrive is not None:
        if thrive.danger_now:
            rule(ResponseGrade.IMMEDIATE, "danger-now", "threat to life or assault in progress")
        if thrive.weapons:
            rule(ResponseGrade.IMMEDIATE, "weapons", "weapons mentioned or suspected")
        if thrive.injury and thrive.suspect_present:
            rule(ResponseGrade.IMMEDIATE, "injury-suspect-present", "injured, suspect present")
        if thrive.injury:
            rule(ResponseGrade.PRIORITY, "injury", "someone is injured")
        if thrive.children_present:
            rule(ResponseGrade.PRIORITY, "children-present", "children are at the scene")
        if thrive.vulnerable:
            rule(ResponseGrade.PRIORITY, "vulnerable", "the caller is vulnerable")
    if call.caller is not None:
        months = settings.repeat_victim_months
        since = months_before(call.received_at, months)
        if history.count_incidents(call.caller.id, since=since, until=call.received_at):
            rule(
                ResponseGrade.PRIORITY,
                "repeat-victim",
                f"the caller was the victim of domestic abuse within {months} months",
            )
    if not found:
        return _divert(call, thrive, history)
    response = max(grade for grade, _ in found)
    return ResponseFinding(response, tuple(r for g, r in found if g is response))


def _divert(call: Call, thrive: Thrive | None, history: HistoryView) -> ResponseFinding | None:
    """A diversion under Right Care, Right Person, when the call may have one."""
    if call.call_type is CallType.DOMESTIC_ABUSE or thrive is None:
        return None
    kind, _ = rcrp_call_type(call, history)
    may, why = rcrp_may_divert(kind, thrive, crime_to_investigate=thrive.crime_to_investigate)
    if not may:
        return None
    return ResponseFinding(ResponseGrade.RESOLVED_WITHOUT_DEPLOYMENT, (why,), divert=True)
