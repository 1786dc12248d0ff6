"""One victim from the 999 call to a release from custody on day 40, and a new incident.

The walk, in London time:

- Sunday 31 March 2024, 00:50 GMT -- ten minutes before the clocks go forward -- the
  victim calls 999: injured, the suspect still there, a child at the scene. There has
  been one call to the address before (a neighbour, in February).
- The officers attend; a crime of assault with injury is recorded, a DASH form
  completed (5 "yes": standard), the child present. The seven-step plan runs to day 28
  (Sunday 28 April, 00:50 BST), with a welfare check on the child within the hour.
- Day 40 (Friday 10 May, 11:00 BST): the suspect is released from custody, after the plan
  has ended. The victim must be told within 4 hours and the risk re-assessed within 24.
- Day 45 (Wednesday 15 May, 19:00 BST): the victim calls again; a non-crime incident of
  harassment. The control room and the assessment both see the history: a repeat caller
  and a repeat victim, referred to the partnership hub.

Every task and every due time is checked exactly; nothing needs review.
"""

from __future__ import annotations

import importlib.util
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import ModuleType

import attrs

from dapolicy import (
    AbuseType,
    Child,
    Crime,
    Decision,
    Destination,
    DomesticAbuseVerdict,
    Event,
    EventKind,
    Incident,
    InMemoryHistory,
    InvestigatorLevel,
    OffenceCategory,
    Person,
    ResponseGrade,
    RiskGrade,
    Thrive,
    record,
)
from dapolicy.history import CallEntry
from dapolicy.models import Call
from dapolicy.models._base import LONDON, micros
from dapolicy.models.operations import FormStatus
from dapolicy.operations import form_compliance, grading_latency


def _load_helpers() -> ModuleType:
    name = "engine_helpers"
    if name not in sys.modules:
        path = Path(__file__).with_name("engine_helpers.py")
        spec = importlib.util.spec_from_file_location(name, path)
        assert spec is not None
        assert spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


h = _load_helpers()


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]


def bst(*args: int) -> datetime:
    """A London wall-clock time in summer time (checked to be BST)."""
    moment = datetime(*args, tzinfo=LONDON)  # type: ignore[misc]
    assert moment.utcoffset() == timedelta(hours=1)
    return moment


def schedule(decision: Decision) -> list[tuple[str, str, int, str | None]]:
    """Every task as (what, for whom, due instant, assignee), in the decision's order."""
    return [(t.what, t.for_whom, micros(t.due_by), t.assignee) for t in decision.tasks]


def row(what: str, due: datetime, who: str, whom: str = "V-1") -> tuple[str, str, int, str]:
    return (what, whom, micros(due), who)


def rules(reasons: tuple[object, ...]) -> list[str]:
    return [r.rule for r in reasons]  # type: ignore[attr-defined]


VICTIM = Person("V-1", date_of_birth=h.ADULT)
SUSPECT = Person("S-1", date_of_birth=h.ADULT)
CHILD = Child("C-1", 6, present=True)
POLICY = h.make_policy()

#: Day 0: 00:50 GMT on Sunday 31 March 2024; the clocks go forward at 01:00 GMT.
CALL_AT = utc(2024, 3, 31, 0, 50)
#: Day 40, London calendar: Friday 10 May 2024.
RELEASED_AT = bst(2024, 5, 10, 11, 0)
#: Day 45: Wednesday 15 May 2024.
SECOND_CALL_AT = bst(2024, 5, 15, 19, 0)


def test_one_victim_from_the_call_to_a_release_on_day_40_and_a_new_incident() -> None:
    history = InMemoryHistory()
    history.record_call(
        CallEntry("CALL-0", utc(2024, 2, 10, 23, 0), caller_id="NEIGHBOUR", location_id="LOC-7")
    )

    # --- the 999 call ---------------------------------------------------------------------
    call = Call("CALL-1", CALL_AT, caller=VICTIM, location_id="LOC-7")
    thrive = Thrive(
        "partner hitting her now",
        "further assault",
        "high: suspect still present",
        "assault with injury",
        "child in the house",
        "attend now",
        ResponseGrade.PRIORITY,
        injury=True,
        suspect_present=True,
        children_present=True,
    )
    triage = POLICY.triage(call, thrive, history=history, now=CALL_AT + timedelta(minutes=1))
    assert triage.response is ResponseGrade.IMMEDIATE  # raised from the handler's priority
    assert rules(triage.reasons) == ["thrive.injury-suspect-present"]
    assert triage.alert_at == utc(2024, 3, 31, 0, 53)  # 00:53 GMT: not resourced? alert
    assert triage.attend_by == utc(2024, 3, 31, 1, 10)  # 02:10 BST: the clocks went forward
    assert triage.attend_by.astimezone(LONDON) == bst(2024, 3, 31, 2, 10)
    assert triage.appointment_minutes is None
    assert (triage.repeat_caller, triage.repeat_location) == (False, True)
    assert rules(triage.briefing) == ["triage.repeat-location"]
    assert triage.needs_review is False
    history.record_call(CallEntry.from_call(call))

    # --- the incident, assessed at the scene --------------------------------------------------
    incident = Incident(
        id="INC-1",
        reported_at=CALL_AT,
        occurred_at=CALL_AT - timedelta(minutes=5),
        victim=VICTIM,
        suspect=SUSPECT,
        relationship=h.PARTNER,
        abuse_types=frozenset({AbuseType.PHYSICAL}),
        children=(CHILD,),
        attending_officer="PC-1",
        crime=Crime("CR-1", OffenceCategory.ASSAULT_WITH_INJURY, arrest_made=True),
        call_id="CALL-1",
    )
    form = attrs.evolve(
        h.dash_form(incident, yes=[1, 2, 3, 7, 10]),
        completed_at=bst(2024, 3, 31, 3, 15),
        submitted_at=bst(2024, 3, 31, 3, 20),
        officer_off_duty_at=bst(2024, 3, 31, 7, 0),
    )
    graded_at = bst(2024, 3, 31, 3, 30)
    decision = POLICY.assess(incident, form, history=history, now=graded_at)
    assert decision.domestic_abuse is DomesticAbuseVerdict.DOMESTIC_ABUSE
    assert decision.grade is RiskGrade.STANDARD
    assert rules(decision.reasons) == ["grade.highest-finding"]
    assert decision.repeat_victim is False
    assert decision.needs_review is False
    assert decision.failures == ()
    assert [r.destination for r in decision.referrals] == [
        Destination.PARTNERSHIP_HUB,
        Destination.CHILDRENS_SOCIAL_CARE,
    ]
    hub = h.referral(decision, Destination.PARTNERSHIP_HUB)
    assert hub.reasons[0].text == "children present or usually resident"
    assert h.referral_rules(decision, Destination.CHILDRENS_SOCIAL_CARE) == [
        "safeguarding.children-in-household"
    ]
    assert decision.allocation is not None
    assert decision.allocation.level is InvestigatorLevel.RESPONSE_OFFICER
    assert form_compliance(incident, form).status is FormStatus.ON_TIME
    assert grading_latency(incident, decision) == timedelta(hours=1, minutes=40)

    golden = bst(2024, 3, 31, 2, 50)  # 01:50 GMT + the clock change: one elapsed hour
    assert micros(golden) - micros(CALL_AT) == 3600 * 10**6
    assert schedule(decision) == [
        row("child-welfare-check", golden, "attending officer", whom="C-1"),
        row("step-1-respond", golden, "control room"),
        row("step-2-intelligence", golden, "control room"),
        row("step-3-positive-action", golden, "attending officer"),
        # 24 elapsed hours: 01:50 BST on Monday 1 April.
        row("step-4-neighbourhood-visit", bst(2024, 4, 1, 1, 50), "neighbourhood officer"),
        # Easter Monday is a bank holiday: the school hears before Tuesday's start.
        row("operation-encompass", bst(2024, 4, 2, 8, 30), "Operation Encompass notifier",
            whom="C-1"),
        # Local days keep the 00:50 wall clock of the report, now in BST.
        row("action-plan-review", bst(2024, 4, 10, 0, 50), "neighbourhood team"),
        row("step-5-reassurance-visits", bst(2024, 4, 15, 0, 50), "neighbourhood officer or PCSO"),
        row("step-6-inspector-letter", bst(2024, 4, 15, 0, 50), "local inspector"),
        row("action-plan-review", bst(2024, 4, 20, 0, 50), "neighbourhood team"),
        row("step-7-review-visit", bst(2024, 4, 28, 0, 50), "neighbourhood officer or PCSO"),
    ]  # fmt: skip
    assert schedule(decision)[-1][2] == micros(utc(2024, 4, 27, 23, 50))
    for task in decision.tasks:
        assert task.reasons
        assert micros(task.due_by) > micros(incident.reported_at)
    record(history, incident, decision)

    # --- day 40: released from custody, after the plan ended -----------------------------------
    plan_end = max(micros(t.due_by) for t in decision.tasks)
    assert micros(RELEASED_AT) > plan_end
    assert (RELEASED_AT.date() - CALL_AT.astimezone(LONDON).date()).days == 40
    release = Event(
        "EV-1",
        EventKind.PERPETRATOR_RELEASED,
        RELEASED_AT,
        victim_id="V-1",
        perpetrator_id="S-1",
        incident_id="INC-1",
    )
    outcome = POLICY.on_event(release, history=history, now=RELEASED_AT + timedelta(minutes=15))
    assert outcome.reassess is True
    assert outcome.needs_review is False
    assert outcome.failures == ()
    assert rules(outcome.reasons) == ["event.perpetrator_released"]
    assert [(t.what, t.for_whom, micros(t.due_by), t.assignee) for t in outcome.tasks] == [
        row("notify-victim", bst(2024, 5, 10, 15, 0), "officer in charge"),
        row("re-assess-risk", bst(2024, 5, 11, 11, 0), "MASH"),
        # A release is a key decision: told by the end of the next working day (Monday).
        row("victims-code-tell-victim", bst(2024, 5, 14, 0, 0), "officer in charge"),
    ]

    # --- day 45: the victim calls again ---------------------------------------------------------
    second_call = Call("CALL-2", SECOND_CALL_AT, caller=VICTIM, location_id="LOC-7")
    handler = attrs.evolve(
        thrive,
        proposed=ResponseGrade.SCHEDULED,
        injury=False,
        suspect_present=False,
        children_present=False,
    )
    second = POLICY.triage(second_call, handler, history=history, now=SECOND_CALL_AT)
    assert second.response is ResponseGrade.PRIORITY  # a recent victim: at least priority
    assert rules(second.reasons) == ["thrive.repeat-victim"]
    assert second.alert_at == SECOND_CALL_AT + timedelta(minutes=20)
    assert second.attend_by == SECOND_CALL_AT + timedelta(hours=2)
    assert (second.repeat_caller, second.repeat_location) == (True, True)
    assert rules(second.briefing) == [
        "triage.repeat-caller",
        "triage.repeat-location",
        "triage.caller-prior-incidents",
    ]
    assert second.briefing[2].text == (
        "1 domestic-abuse incident(s) with the caller as victim in 12 months"
    )
    assert second.needs_review is False
    history.record_call(CallEntry.from_call(second_call))

    new_incident = Incident(
        id="INC-2",
        reported_at=SECOND_CALL_AT,
        occurred_at=SECOND_CALL_AT - timedelta(minutes=10),
        victim=VICTIM,
        suspect=SUSPECT,
        relationship=h.PARTNER,
        abuse_types=frozenset({AbuseType.PSYCHOLOGICAL, AbuseType.HARASSMENT}),
        children=(Child("C-1", 6, usually_resident=True),),  # at school, lives there
        attending_officer="PC-2",
        call_id="CALL-2",
    )
    new_form = h.dash_form(new_incident, yes=[2, 3, 6, 7, 13, 14, 15, 20, 23, 24])
    reassessed = POLICY.assess(
        new_incident, new_form, history=history, now=SECOND_CALL_AT + timedelta(hours=1)
    )
    assert reassessed.repeat_victim is True
    assert reassessed.grade is RiskGrade.MEDIUM
    assert reassessed.needs_review is False
    assert reassessed.allocation is None  # no crime recorded
    assert [r.destination for r in reassessed.referrals] == [
        Destination.PARTNERSHIP_HUB,
        Destination.CHILDRENS_SOCIAL_CARE,
    ]
    hub = h.referral(reassessed, Destination.PARTNERSHIP_HUB)
    assert rules(hub.reasons) == ["local.hub-threshold"]
    assert hub.reasons[0].text == (
        "graded medium; repeat victim; children present or usually resident"
    )
    assert Destination.MARAC not in reassessed.referred_to()  # two incidents, not three
    golden = bst(2024, 5, 15, 20, 0)
    next_day = bst(2024, 5, 16, 19, 0)
    assert schedule(reassessed) == [
        row("step-1-respond", golden, "control room"),
        row("step-2-intelligence", golden, "control room"),
        row("step-3-positive-action", golden, "attending officer"),
        row("operation-encompass", bst(2024, 5, 16, 8, 30), "Operation Encompass notifier",
            whom="C-1"),
        row("child-welfare-check", next_day, "neighbourhood officer", whom="C-1"),
        row("step-4-neighbourhood-visit", next_day, "neighbourhood officer"),
        row("action-plan-review", bst(2024, 5, 25, 19, 0), "neighbourhood team"),
        row("step-5-reassurance-visits", bst(2024, 5, 30, 19, 0), "neighbourhood officer or PCSO"),
        row("step-6-inspector-letter", bst(2024, 5, 30, 19, 0), "local inspector"),
        row("action-plan-review", bst(2024, 6, 4, 19, 0), "neighbourhood team"),
        row("step-7-review-visit", bst(2024, 6, 12, 19, 0), "neighbourhood officer or PCSO"),
    ]  # fmt: skip
    # The non-crime incident's plan says why it has one.
    step7 = reassessed.tasks[-1]
    assert step7.reasons[0].text.endswith(
        "a non-crime incident, given the same plan (force setting)"
    )
    record(history, new_incident, reassessed)
    assert len(history) == 2


def test_a_third_incident_within_the_year_goes_to_marac() -> None:
    """The series, not the single event: a third incident by day 60 is high risk."""
    history = InMemoryHistory()
    for n, day in enumerate((0, 45), start=1):
        at = CALL_AT + timedelta(days=day)
        record(history, h.make_incident(f"INC-{n}", at=at, victim="V-1", suspect="S-1"))
    third = h.make_incident("INC-3", at=CALL_AT + timedelta(days=60))
    decision = POLICY.assess(
        third, h.dash_form(third, yes=[2]), history=history, now=third.reported_at
    )
    assert decision.grade is RiskGrade.HIGH
    assert decision.repeat_victim is True
    assert {Destination.MARAC, Destination.IDVA, Destination.PARTNERSHIP_HUB} <= (
        decision.referred_to()
    )
    assert "marac.potential-escalation" in h.referral_rules(decision, Destination.MARAC)
