"""The control room and after the incident: triage of calls, and events."""

from __future__ import annotations

from datetime import datetime
from types import NoneType
from typing import TYPE_CHECKING

from dapolicy._policy._shared import check_now, task_call, task_key, unique
from dapolicy._reassess import event_decision
from dapolicy._time import add_local, months_before
from dapolicy.history import History, decision_view
from dapolicy.models import Call, Event, PluginFailure, Reason
from dapolicy.models.operations import (
    EventOutcome,
    ResponseFinding,
    ResponseGrade,
    Thrive,
    TriageDecision,
)
from dapolicy.rcrp import CallType, rcrp_call_type, rcrp_may_divert

if TYPE_CHECKING:
    from dapolicy.policy import Policy

__all__ = ["on_event", "triage"]


def triage(
    policy: Policy,
    call: Call,
    thrive: Thrive | None = None,
    *,
    history: History | None = None,
    now: datetime,
) -> TriageDecision:
    """What :meth:`dapolicy.policy.Policy.triage` does (documented there)."""
    check_now(now, call.received_at, "the call was received")
    # Hooks, and the policy's own lookups, see the past as the force knew it before now.
    view = decision_view(history, now)
    rules = policy.settings.triage
    since = months_before(call.received_at, rules.repeat_months)
    caller = call.caller.id if call.caller is not None else None
    repeat_caller = call.repeat_caller or bool(
        caller
        and view.calls(since=since, until=call.received_at, caller_id=caller, exclude=call.id)
    )
    repeat_location = bool(
        call.location_id
        and view.calls(
            since=since, until=call.received_at, location_id=call.location_id, exclude=call.id
        )
    )
    with policy._guard() as guard:
        found = guard.call(
            "dapolicy_triage",
            (ResponseFinding, NoneType),
            "a ResponseFinding or None",
            many=False,
            call=call,
            thrive=thrive,
            history=view,
            settings=policy.settings,
        )
        found.failures += guard.final_check()
    findings = [f for _, f in found.results if f is not None]
    # Right Care, Right Person: only a call dapolicy.rcrp allows is diverted, whatever a
    # plug-in asks; one that asks to divert any other call has failed.
    kind, signs = rcrp_call_type(call, view)
    crime = thrive is not None and thrive.crime_to_investigate
    may_divert, _ = rcrp_may_divert(kind, thrive, crime_to_investigate=crime)
    asked = [name for name, f in found.results if f is not None and f.divert]
    if asked and not may_divert:
        found.failures += [
            PluginFailure(
                name,
                "dapolicy_triage",
                "asked to divert a call that Right Care, Right Person does not divert",
            )
            for name in asked
        ]
    candidates = [(f.response, r) for f in findings for r in f.reasons]
    review: list[Reason] = []
    if thrive is None:
        review.append(
            Reason(
                "triage.no-thrive",
                "THRIVE (threat, harm, risk, investigation, vulnerability, engagement)",
                "no THRIVE rationale recorded for this call",
            )
        )
    else:
        candidates.append(
            (
                thrive.proposed,
                Reason(
                    "triage.call-handler",
                    "THRIVE: the call handler's judgement",
                    f"the call handler graded the call {thrive.proposed.value}",
                ),
            )
        )
    lowest = ResponseGrade.RESOLVED_WITHOUT_DEPLOYMENT
    # A failure anywhere may have hidden a higher response: then no call is diverted.
    diverted = (
        bool(asked)
        and may_divert
        and not found.failures
        and max((grade for grade, _ in candidates), default=lowest) is lowest
    )
    if not diverted:
        what = "domestic-abuse call" if kind is CallType.DOMESTIC_ABUSE else "call not diverted"
        minimum = Reason(
            "triage.force-minimum",
            "force setting triage.minimum",
            f"the least response to a {what} is {rules.minimum.value}",
        )
        candidates.insert(0, (rules.minimum, minimum))
    response = max(grade for grade, _ in candidates)
    reasons = unique(r for grade, r in candidates if grade is response)
    briefing = list(unique(r for f in findings for r in f.briefing))
    briefing += signs
    if repeat_caller:
        briefing.append(_briefing("triage.repeat-caller", "the caller has called before"))
    if repeat_location:
        briefing.append(
            _briefing("triage.repeat-location", "there have been calls to this location")
        )
    if caller is not None:
        # The victim's own history uses the force's one repeat-victim window, as the
        # triage rules do; calls use the control room's window.
        months = policy.settings.repeat_victim_months
        victim_since = months_before(call.received_at, months)
        prior = view.count_incidents(caller, since=victim_since, until=call.received_at)
        if prior:
            briefing.append(
                _briefing(
                    "triage.caller-prior-incidents",
                    f"{prior} domestic-abuse incident(s) with the caller as victim "
                    f"in {months} months",
                )
            )
    alert_minutes = {
        ResponseGrade.IMMEDIATE: rules.immediate_resourced_minutes,
        ResponseGrade.PRIORITY: rules.priority_dispatched_minutes,
    }.get(response)
    attend_minutes = {
        ResponseGrade.IMMEDIATE: rules.immediate_attend_minutes,
        ResponseGrade.PRIORITY: rules.priority_attend_minutes,
        ResponseGrade.SCHEDULED: rules.scheduled_within_hours * 60,
    }.get(response)
    return TriageDecision(
        call_id=call.id,
        response=response,
        decided_at=now,
        reasons=reasons,
        alert_at=_after(call.received_at, alert_minutes),
        attend_by=_after(call.received_at, attend_minutes),
        appointment_minutes=(
            rules.appointment_minutes if response is ResponseGrade.SCHEDULED else None
        ),
        repeat_caller=repeat_caller,
        repeat_location=repeat_location,
        briefing=tuple(briefing),
        needs_review=bool(review or found.failures),
        review_reasons=tuple(review),
        failures=tuple(found.failures),
        diverted=diverted,
    )


def on_event(
    policy: Policy, event: Event, *, history: History | None = None, now: datetime
) -> EventOutcome:
    """What :meth:`dapolicy.policy.Policy.on_event` does (documented there)."""
    check_now(now, None, "")
    view = decision_view(history, now)
    with policy._guard() as guard:
        call = task_call(
            guard,
            "dapolicy_on_event",
            event.occurred_at,
            "event",
            event=event,
            history=view,
            settings=policy.settings,
        )
        call.failures += guard.final_check()
    tasks = tuple(sorted((t for _, t in call.results), key=task_key))
    failures = list(call.failures)
    if not tasks:
        failures.append(
            PluginFailure("policy", "dapolicy_on_event", "no plug-in set any task for the event")
        )
    reason = Reason(
        f"event.{event.kind.value}",
        "HMIC 2014 inspection, recommendation 6",
        f"{event.kind.value.replace('_', ' ')}: tell the victim and re-assess the risk",
    )
    # Every event re-grades: a new decision for the victim (see dapolicy._reassess).
    decision = event_decision(policy, event, view, now, tasks, failures)
    return EventOutcome(
        event_id=event.id,
        decided_at=now,
        reassess=any(t.what == "re-assess-risk" for t in tasks),
        tasks=tasks,
        reasons=(reason,),
        needs_review=bool(failures),
        failures=tuple(failures),
        decision=decision,
    )


def _after(start: datetime, minutes: int | None) -> datetime | None:
    return None if minutes is None else add_local(start, hours=minutes / 60)


def _briefing(rule: str, text: str) -> Reason:
    return Reason(rule, "control-room check of previous calls (HMIC 2014)", text)
