"""The API a force's developer writes against: assess_case, Decision's questions, builders."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dapolicy import (
    Case,
    Decision,
    Destination,
    Incident,
    Policy,
    Reason,
    RiskGrade,
    Task,
    from_json,
    hookimpl,
)
from dapolicy.batch import assess_line, decision_time
from dapolicy.history import InMemoryHistory, record
from dapolicy.models._base import LONDON, micros
from dapolicy.testing.strategies import decisions

ROOT = Path(__file__).resolve().parent.parent
AT = datetime(2024, 1, 6, 23, tzinfo=UTC)
CASES = (ROOT / "examples" / "cases.jsonl").read_text(encoding="utf-8").splitlines()


@pytest.fixture(scope="module")
def policy() -> Policy:
    return Policy(load_entry_points=False)


# --- Policy.assess_case ---------------------------------------------------------------


def test_assess_case_gives_what_the_batch_gives(policy: Policy) -> None:
    history, batch = InMemoryHistory(), InMemoryHistory()
    for number, line in enumerate(CASES, start=1):
        case = from_json(Case, line)
        decision = policy.assess_case(case, history=history)
        record(history, case.incident, decision)
        if case.call is not None:
            from dapolicy.history import CallEntry

            history.record_call(CallEntry.from_call(case.call))
        result = assess_line(policy, batch, number, line.encode())
        assert result.decision is not None
        assert from_json(Decision, result.decision) == decision
        assert decision.decided_at == decision_time(case)


def test_assess_case_decides_at_the_point_of_attendance(policy: Policy) -> None:
    case = from_json(Case, CASES[0])
    assert case.form is not None
    decision = policy.assess_case(case)
    assert decision.decided_at == case.form.completed_at
    formless = Case(case.incident)
    assert policy.assess_case(formless).decided_at == case.incident.reported_at


# --- Decision's questions -------------------------------------------------------------


def test_find_a_referral_ask_a_rule_list_the_rules(policy: Policy) -> None:
    case = from_json(Case, CASES[0])
    decision = policy.assess_case(case)
    hub = decision.referral(Destination.PARTNERSHIP_HUB)
    assert hub is not None
    assert hub.destination is Destination.PARTNERSHIP_HUB
    assert decision.referral("partnership_hub") is hub
    assert decision.referral(Destination.SANCTUARY_SCHEME) is None
    with pytest.raises(ValueError, match="one of: marac, idva") as raised:
        decision.referral("nowhere")
    assert "nowhere" not in str(raised.value)
    rules = decision.rules()
    assert len(rules) == len(set(rules))
    assert rules[0] == decision.reasons[0].rule
    for reason in hub.reasons:
        assert decision.fired(reason.rule)
    assert not decision.fired("no.such-rule")


@settings(max_examples=60, deadline=None)
@given(decisions())
def test_rules_are_every_rule_id_on_the_decision_once(decision: Decision) -> None:
    everywhere = [
        *decision.reasons,
        *(r for f in decision.findings for r in (*f.reasons, *f.prompts)),
        *(r for ref in decision.referrals for r in ref.reasons),
        *(r for task in decision.tasks for r in task.reasons),
        *(decision.allocation.reasons if decision.allocation is not None else ()),
        *decision.prompts,
        *decision.review_reasons,
    ]
    assert set(decision.rules()) == {r.rule for r in everywhere}
    assert len(decision.rules()) == len(set(decision.rules()))
    assert all(decision.fired(r.rule) for r in everywhere)
    for referral in decision.referrals:
        assert decision.referral(referral.destination) is not None
    assert decision.ungraded == (not decision.findings and decision.grade is RiskGrade.STANDARD)


def test_a_case_nothing_graded_is_ungraded_and_needs_review(policy: Policy) -> None:
    case = from_json(Case, CASES[0])
    decision = policy.assess_case(Case(case.incident))
    assert decision.findings == ()  # the victim's first incident: no series behind it
    assert decision.ungraded
    assert decision.needs_review
    assert decision.fired("grade.no-finding")
    assert not policy.assess_case(case).ungraded


def test_the_decision_helpers_are_not_fields() -> None:
    """They are methods and a property: the JSON of a decision does not change."""
    decision = from_json(Decision, json.dumps(_a_decision_json()))
    assert "rules" not in json.loads(json.dumps(_a_decision_json()))
    assert decision.rules() == ("grade.highest-finding",)


def _a_decision_json() -> dict[str, object]:
    return {
        "incident_id": "I-1",
        "victim_id": "V-1",
        "grade": "standard",
        "decided_at": datetime(2024, 1, 1, tzinfo=UTC).isoformat(),
        "domestic_abuse": "domestic_abuse",
        "reasons": [{"rule": "grade.highest-finding", "source": "s", "text": "t"}],
        "findings": [
            {
                "model": "dash",
                "grade": "standard",
                "reasons": [{"rule": "grade.highest-finding", "source": "s", "text": "t"}],
            }
        ],
    }


# --- builders -------------------------------------------------------------------------


def test_a_risk_form_from_its_yes_items(policy: Policy) -> None:
    from dapolicy import Answer, RiskForm
    from dapolicy.errors import ValidationError

    case = from_json(Case, CASES[0])
    form = RiskForm.from_yes(case.incident, {"1", "2", "8"}, no={"3"}, completed_by="PC-1")
    assert form.incident_id == case.incident.id
    assert form.completed_at == case.incident.reported_at
    assert form.checklist == "dash-2009-police"
    assert form.yes_items() == {"1", "2", "8"}
    assert form.answer("3") is Answer.NO
    assert form.answer("4") is Answer.NOT_KNOWN  # unasked: never a quiet "no"
    decision = policy.assess_case(Case(case.incident, form))
    assert decision.findings[0].score == 3
    with pytest.raises(ValidationError, match="both yes and no"):
        RiskForm.from_yes(case.incident, {"1"}, no={"1"}, completed_by="PC-1")
    with pytest.raises(ValidationError, match="completed_at"):
        RiskForm.from_yes("INC-1", {"1"}, completed_by="PC-1")


@settings(max_examples=50, deadline=None)
@given(st.sets(st.sampled_from([str(n) for n in range(1, 28)])))
def test_from_yes_scores_exactly_the_yes_items(yes: set[str]) -> None:
    from dapolicy import RiskForm

    form = RiskForm.from_yes("INC-1", yes, completed_by="PC-1", completed_at=AT)
    assert form.yes_items() == frozenset(yes)
    assert set(form.answers) == yes


def test_thrive_by_keyword() -> None:
    from dapolicy import ResponseGrade, Thrive
    from dapolicy.errors import ValidationError
    from dapolicy.models.operations import NOT_RECORDED

    thrive = Thrive.from_facts("priority", {"weapons", "injury"}, threat="Threat repeated.")
    assert thrive.proposed is ResponseGrade.PRIORITY
    assert (thrive.weapons, thrive.injury, thrive.danger_now) == (True, True, False)
    assert thrive.threat == "Threat repeated."
    assert thrive.harm == NOT_RECORDED
    assert Thrive.from_facts(ResponseGrade.IMMEDIATE).proposed is ResponseGrade.IMMEDIATE
    with pytest.raises(ValidationError) as raised:
        Thrive.from_facts("soon", {"knife"}, mood="calm")
    paths = {e.path for e in raised.value.errors}
    assert paths == {"$.proposed", "$.facts", "$.facets"}
    assert "knife" not in str(raised.value)
    assert "calm" not in str(raised.value)


class _UtcTasks:
    """A force's plug-in that computes its deadline in UTC."""

    __name__ = "utc-tasks"

    @staticmethod
    @hookimpl
    def dapolicy_tasks(incident: Incident) -> list[Task]:
        due = (incident.reported_at + timedelta(hours=2)).astimezone(UTC)
        return [Task("force-task", incident.victim.id, due, [Reason("force.t", "force", "t")])]


def test_every_due_time_a_decision_returns_is_on_the_london_clock() -> None:
    policy = Policy(load_entry_points=False, plugins=[_UtcTasks()])
    summer = from_json(Case, CASES[2])  # June: London is an hour ahead of UTC
    assert summer.incident.reported_at.utcoffset() == timedelta(hours=1)
    decision = policy.assess_case(summer)
    task = next(t for t in decision.tasks if t.what == "force-task")
    assert task.due_by.utcoffset() == timedelta(hours=1)  # given in UTC, returned in BST
    assert task.due_by == summer.incident.reported_at + timedelta(hours=2)  # same instant
    for each in decision.tasks:
        london = each.due_by.astimezone(LONDON)
        assert each.due_by.utcoffset() == london.utcoffset()
    winter = policy.assess_case(from_json(Case, CASES[0]))
    assert all(t.due_by.utcoffset() == timedelta(0) for t in winter.tasks)


@settings(max_examples=40, deadline=None)
@given(st.datetimes(timezones=st.sampled_from([UTC, LONDON, timezone(timedelta(hours=-5))])))
def test_on_london_clock_keeps_the_instant(moment: datetime) -> None:
    from dapolicy._time import on_london_clock

    moved = on_london_clock(moment)
    assert micros(moved) == micros(moment)
    assert moved.utcoffset() == moment.astimezone(LONDON).utcoffset()
    assert type(moved.tzinfo) is timezone


def test_a_history_seeded_with_a_past_incident_and_a_marac_referral(policy: Policy) -> None:
    from dapolicy import InMemoryHistory
    from dapolicy.errors import ValidationError

    case = from_json(Case, CASES[2])  # V001, June 2024
    earlier = attrs.evolve(
        case.incident,
        id="INC-PAST-1",
        reported_at=case.incident.reported_at - timedelta(days=60),
        occurred_at=case.incident.occurred_at - timedelta(days=60),
        crime=None,
    )
    alone = policy.assess_case(case)
    assert not alone.repeat_victim
    assert not alone.fired("marac.repeat")
    seeded = InMemoryHistory.of(incidents=[earlier])
    assert len(seeded) == 1
    assert policy.assess_case(case, history=seeded).repeat_victim
    referred = InMemoryHistory.of(marac_referrals=[(earlier, earlier.reported_at)])
    decision = policy.assess_case(case, history=referred)
    assert decision.repeat_victim
    assert decision.fired("marac.repeat")
    assert decision.referral(Destination.MARAC) is not None
    # Known only from when it happened: a decision before then does not see it.
    later = earlier.reported_at + timedelta(days=1)
    late = InMemoryHistory.of(marac_referrals=[(earlier, later)])
    before = attrs.evolve(
        case,
        incident=attrs.evolve(
            case.incident,
            reported_at=earlier.reported_at + timedelta(hours=2),
            occurred_at=earlier.reported_at + timedelta(hours=1),
        ),
        form=None,
    )
    assert not policy.assess_case(before, history=late).fired("marac.repeat")
    with pytest.raises(ValidationError, match="made before the report"):
        InMemoryHistory.of(marac_referrals=[(earlier, earlier.reported_at - timedelta(days=1))])
