"""Invariants 11 and 12: what follows an event, and the control room's call grading.

11. After every kind of event (a release, a bail change, a breach, a new incident) the
    victim is told and the risk re-assessed: ``Policy.on_event`` gives a task for the
    victim and a re-assessment, with no plug-in failure, the same every time, and with
    no personal data in its tasks.
12. A domestic-abuse call is never diverted by triage: its response is never below the
    force's minimum nor below the call handler's own THRIVE grade, a plug-in failure
    needs review, and the response is the same every time. (The 2026 policy's "Right
    Care, Right Person" diversion of concern-for-welfare calls is not modelled yet;
    when it is, this invariant holds it off domestic-abuse calls.)
"""

from __future__ import annotations

from datetime import timedelta

from dapolicy._time import add_local
from dapolicy.models import Call, Event, EventKind, Thrive
from dapolicy.models.operations import ResponseGrade
from dapolicy.policy import Policy
from dapolicy.serialization import to_json
from dapolicy.testing._invariants._assess import _Run, _run
from dapolicy.testing._invariants._case import ConformanceCase
from dapolicy.testing._invariants._personal import (
    PLANTED_TEXT,
    _personal_data,
    _scan,
)
from dapolicy.testing._invariants._violation import violation


def _event(case: ConformanceCase, kind: EventKind) -> Event:
    incident = case.incident
    return Event(
        id=f"{incident.id}-{kind.value}",
        kind=kind,
        occurred_at=add_local(case.now, days=2),
        victim_id=incident.victim.id,
        perpetrator_id=incident.suspect.id,
        incident_id=incident.id,
        details=PLANTED_TEXT,
    )


def _events(run: _Run) -> None:
    policy, case = run.policy, run.case
    victim = case.incident.victim.id
    for kind in EventKind:
        event = _event(case, kind)
        try:
            outcome = policy.on_event(event, history=case.history, now=case.now)
            again = policy.on_event(event, history=case.history, now=case.now)
        except Exception as exc:
            raise violation(
                11, f"on_event raised {type(exc).__name__} for a {kind.value} event"
            ) from None
        what = f"after a {kind.value.replace('_', ' ')} event"
        if outcome.failures:
            failure = outcome.failures[0]
            raise violation(
                11, f"plug-in {failure.plugin!r} failed in {failure.hook} {what} ({failure.error})"
            )
        if not any(t.for_whom == victim for t in outcome.tasks):
            raise violation(11, f"no task for the victim {what} (the victim must be told)")
        if not outcome.reassess:
            raise violation(11, f"no re-assessment of the risk {what}")
        if to_json(again) != to_json(outcome):
            raise violation(
                11, f"the same event gave a different outcome the second time ({what})"
            )
        text = to_json(outcome)
        places = [(f"the outcome {what}", text), (f"repr of the outcome {what}", repr(outcome))]
        _scan(
            places, case, secrets=[*_personal_data(case), ("the event's details", "PC Wendlebury")]
        )


def check_events(policy: Policy, case: ConformanceCase) -> None:
    """Invariant 11: every kind of event tells the victim and re-assesses the risk.

    For each :class:`~dapolicy.models.EventKind`, an event two days after the decision
    (about the case's victim and suspect, its details written in distinctive fictional
    text) must give a task for the victim, a re-assessment, no plug-in failure, the same
    outcome twice, and no personal data.

    :raises InvariantViolation: naming the event kind and what is missing.
    """
    _events(_run(policy, case))


def _call(case: ConformanceCase) -> Call:
    incident = case.incident
    return Call(
        id=f"{incident.id}-CALL",
        received_at=incident.reported_at,
        caller=incident.victim,
        location=incident.victim.address,
        location_id=f"LOC-{incident.victim.id}",
    )


def _thrive(case: ConformanceCase, proposed: ResponseGrade) -> Thrive:
    incident = case.incident
    text = "FICTIONAL facet of the call handler's assessment"
    return Thrive(
        threat=text,
        harm=text,
        risk=text,
        investigation=text,
        vulnerability=text,
        engagement=text,
        proposed=proposed,
        children_present=any(c.present for c in incident.children),
    )


def _triage(run: _Run) -> None:
    policy, case = run.policy, run.case
    call = _call(case)
    minimum = policy.settings.triage.minimum
    now = call.received_at + timedelta(minutes=2)
    for proposed in ResponseGrade:
        thrive = _thrive(case, proposed)
        try:
            decision = policy.triage(call, thrive, history=case.history, now=now)
            again = policy.triage(call, thrive, history=case.history, now=now)
        except Exception as exc:
            raise violation(
                12, f"triage raised {type(exc).__name__} for a domestic-abuse call"
            ) from None
        floor = max(minimum, proposed)
        if decision.response < floor:
            raise violation(
                12,
                f"a domestic-abuse call the handler graded {proposed.value} got the response "
                f"{decision.response.value}, below {floor.value}: diverted",
            )
        if decision.failures and not decision.needs_review:
            raise violation(12, "a triage plug-in failed and the call needs no review")
        if decision.failures:
            failure = decision.failures[0]
            raise violation(
                12, f"plug-in {failure.plugin!r} failed in {failure.hook} on a valid call"
            )
        if to_json(again) != to_json(decision):
            raise violation(12, "the same call was triaged differently the second time")
        _scan([("the triage decision", to_json(decision))], case)


def check_triage(policy: Policy, case: ConformanceCase) -> None:
    """Invariant 12: triage never diverts a domestic-abuse call.

    The case's call (the victim calling from their address) is triaged with a THRIVE
    assessment at each response grade: the response must be at least the handler's
    grade and the force's minimum, no triage plug-in may fail, the response must be the
    same twice, and no personal data may reach the decision.

    :raises InvariantViolation: naming the grades.
    """
    _triage(_run(policy, case))
