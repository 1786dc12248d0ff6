"""Invariants 11 and 12: what follows an event, and the control room's call grading.

11. After every kind of event (a release, a bail change, a breach, a new incident) the
    victim is told and the risk re-assessed: ``Policy.on_event`` gives a task for the
    victim and a re-assessment, with no plug-in failure, the same every time, and with
    no personal data in its tasks.
12. Triage never diverts a domestic-abuse call (Right Care, Right Person): the kit asks
    :func:`dapolicy.rcrp.rcrp_may_divert` whether each of its calls may be diverted,
    and one that may not -- a domestic-abuse call, and a welfare call with a sign of
    domestic abuse -- must not be diverted nor answered below the force's minimum or
    the handler's grade. No call is answered below the handler's grade, no plug-in may
    fail, and a call is triaged the same every time.
"""

from __future__ import annotations

from datetime import timedelta

import attrs

from dapolicy._time import add_local
from dapolicy.history import HistoryEntry, InMemoryHistory
from dapolicy.models import Call, CallType, Event, EventKind, Thrive
from dapolicy.models.operations import ResponseGrade
from dapolicy.policy import Policy
from dapolicy.rcrp import rcrp_may_divert
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
        area=incident.area,
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


def _thrive(case: ConformanceCase, proposed: ResponseGrade, *facts: str) -> Thrive:
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
        **dict.fromkeys(facts, True),
    )


@attrs.frozen
class _Variant:
    """A call the kit triages, the type RCRP must treat it as, and its history."""

    words: str
    call: Call
    kind: CallType
    history: InMemoryHistory
    thrives: tuple[Thrive, ...]
    again: bool = False


def _variants(case: ConformanceCase) -> list[_Variant]:
    """The case's call as a domestic-abuse call, and as welfare calls.

    With and without a sign of domestic abuse: the kit knows which, having built them.
    """
    incident, history = case.incident, case.history
    da = _call(case)
    welfare = attrs.evolve(da, call_type=CallType.CONCERN_FOR_WELFARE)
    lowest = ResponseGrade.RESOLVED_WITHOUT_DEPLOYMENT
    every = tuple(_thrive(case, grade) for grade in ResponseGrade)
    low = (_thrive(case, lowest),)
    # The victim's earlier incident, known before the call.
    known = case.history
    known.record_incident(
        HistoryEntry(
            f"{incident.id}-EARLIER",
            incident.victim.id,
            incident.suspect.id,
            incident.occurred_at - timedelta(days=30),
        )
    )
    nobody = attrs.evolve(
        welfare,
        caller=attrs.evolve(incident.victim, id=f"{incident.victim.id}-WELFARE"),
        location_id=f"LOC-{incident.victim.id}-WELFARE",
    )
    clear = (
        *low,
        _thrive(case, ResponseGrade.SCHEDULED),
        *(_thrive(case, lowest, fact) for fact in ("crime_to_investigate", "injury", "weapons")),
    )
    da_kind = CallType.DOMESTIC_ABUSE
    return [
        _Variant("a domestic-abuse call", da, da_kind, history, every, again=True),
        _Variant(
            "a welfare call with a domestic-abuse marker",
            attrs.evolve(welfare, domestic_abuse_marker=True),
            da_kind,
            history,
            low,
        ),
        _Variant(
            "a welfare call that mentions a partner or family member",
            attrs.evolve(welfare, partner_or_family_mentioned=True),
            da_kind,
            history,
            low,
        ),
        _Variant(
            "a welfare call from a victim of domestic abuse known before the call",
            welfare,
            da_kind,
            known,
            low,
        ),
        _Variant(
            "a welfare call with no sign of domestic abuse",
            nobody,
            CallType.CONCERN_FOR_WELFARE,
            history,
            clear,
            again=True,
        ),
    ]


def _triage(run: _Run) -> None:
    policy, case = run.policy, run.case
    minimum = policy.settings.triage.minimum
    for variant in _variants(case):
        call = variant.call
        now = call.received_at + timedelta(minutes=2)
        for thrive in variant.thrives:
            proposed = thrive.proposed
            try:
                decision = policy.triage(call, thrive, history=variant.history, now=now)
                again = (
                    policy.triage(call, thrive, history=variant.history, now=now)
                    if variant.again
                    else decision
                )
            except Exception as exc:
                raise violation(
                    12, f"triage raised {type(exc).__name__} for {variant.words}"
                ) from None
            if decision.failures and not decision.needs_review:
                raise violation(12, "a triage plug-in failed and the call needs no review")
            if decision.failures:
                failure = decision.failures[0]
                raise violation(
                    12,
                    f"plug-in {failure.plugin!r} failed in {failure.hook} on {variant.words} "
                    f"({failure.error})",
                )
            may, why = rcrp_may_divert(
                variant.kind, thrive, crime_to_investigate=thrive.crime_to_investigate
            )
            floor = proposed if may else max(minimum, proposed)
            got = f"got the response {decision.response.value}"
            graded = f"{variant.words}, graded {proposed.value} by the handler,"
            if not may and (decision.response < floor or decision.diverted):
                below = "" if decision.response >= floor else f", below {floor.value}"
                raise violation(
                    12,
                    f"{graded} {got}{below}: diverted, and Right Care, Right Person does not "
                    f"divert it ({why.rule})",
                )
            if decision.response < floor:
                raise violation(12, f"{graded} {got}: below the handler's grade")
            if to_json(again) != to_json(decision):
                raise violation(
                    12, f"the same call was triaged differently the second time ({variant.words})"
                )
            _scan([("the triage decision", to_json(decision))], case)


def check_triage(policy: Policy, case: ConformanceCase) -> None:
    """Invariant 12: triage never diverts a domestic-abuse call.

    The case's call (the victim calling from their address) is triaged as a
    domestic-abuse call with a THRIVE assessment at each response grade, and as
    concern-for-welfare calls: with a domestic-abuse marker, mentioning a partner or
    family member, from the victim of an incident known before the call, and with no
    sign of domestic abuse (another caller and location; THRIVE clear, or with a crime,
    an injury or weapons). For each, :func:`dapolicy.rcrp.rcrp_may_divert` says whether
    Right Care, Right Person may divert it: one it may not must be neither diverted nor
    below the force's minimum and the handler's grade; none may be below the handler's
    grade. No triage plug-in may fail, the response must be the same twice, and no
    personal data may reach the decision.

    :raises InvariantViolation: naming the call and the grades.
    """
    _triage(_run(policy, case))
