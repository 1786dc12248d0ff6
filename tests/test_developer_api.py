"""The API a force's developer writes against: assess_case, Decision's questions, builders."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given, settings

from dapolicy import Case, Decision, Destination, Policy, RiskGrade, from_json
from dapolicy.batch import assess_line, decision_time
from dapolicy.history import InMemoryHistory, record
from dapolicy.testing.strategies import decisions

ROOT = Path(__file__).resolve().parent.parent
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
