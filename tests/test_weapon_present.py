"""A weapon present at the incident: a field of the incident, read where it matters."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import attrs
import pytest
from hypothesis import given, settings

from dapolicy import Answer, Case, Incident, Policy, RiskForm, from_json, to_json
from dapolicy.models._base import micros
from dapolicy.testing.strategies import cases

ROOT = Path(__file__).resolve().parent.parent
LINES = (ROOT / "examples" / "cases.jsonl").read_text(encoding="utf-8").splitlines()


@pytest.fixture(scope="module")
def policy() -> Policy:
    return Policy(load_entry_points=False)


def dash_case() -> Case:
    case = from_json(Case, LINES[0])
    assert case.form is not None
    assert case.form.checklist == "dash-2009-police"
    assert case.form.answer("16") is Answer.NO
    return case


def armed(case: Case) -> Case:
    return attrs.evolve(case, incident=attrs.evolve(case.incident, weapon_present=True))


def test_the_field_reads_and_writes_as_json() -> None:
    incident = dash_case().incident
    assert incident.weapon_present is False  # the default, and a missing key reads so
    data = json.loads(to_json(incident))
    assert data["weapon_present"] is False
    data["weapon_present"] = True
    assert from_json(Incident, json.dumps(data)).weapon_present is True
    data["weapon_present"] = "yes"
    with pytest.raises(Exception, match="weapon_present"):
        from_json(Incident, json.dumps(data))


def test_dash_prompts_to_ask_item_16_again(policy: Policy) -> None:
    plain = policy.assess_case(dash_case())
    decision = policy.assess_case(armed(dash_case()))
    assert not plain.fired("dash.weapon-at-incident")
    assert decision.fired("dash.weapon-at-incident")
    assert decision.grade is plain.grade  # a prompt, not a point on the score
    prompt = next(p for p in decision.prompts if p.rule == "dash.weapon-at-incident")
    assert "item 16" in prompt.text
    # Answered "yes" already: nothing to ask.
    form = dash_case().form
    assert form is not None
    answered = attrs.evolve(form, answers={**form.answers, "16": Answer.YES})
    case = attrs.evolve(armed(dash_case()), form=answered)
    assert not policy.assess_case(case).fired("dash.weapon-at-incident")


def test_the_partner_agency_checklist_asks_its_own_item_13(policy: Policy) -> None:
    case = armed(dash_case())
    form = RiskForm.from_yes(case.incident, {"1"}, completed_by="PC-1", checklist="dash-2009-ric")
    decision = policy.assess_case(attrs.evolve(case, form=form))
    prompt = next(p for p in decision.prompts if p.rule == "dash.weapon-at-incident")
    assert "item 13" in prompt.text


def test_the_lethality_screen_prompts_to_ask_item_1(policy: Policy) -> None:
    case = armed(dash_case())
    screen = RiskForm.from_yes(
        case.incident, {"5"}, no={"1"}, completed_by="PC-1", checklist="lethality-screen"
    )
    decision = policy.assess_case(attrs.evolve(case, form=screen))
    assert decision.fired("lethality.weapon-at-incident")
    yes = RiskForm.from_yes(
        case.incident, {"1"}, completed_by="PC-1", checklist="lethality-screen"
    )
    assert not policy.assess_case(attrs.evolve(case, form=yes)).fired(
        "lethality.weapon-at-incident"
    )


def test_safeguarding_sets_a_weapon_task_within_the_hour_form_or_no_form(policy: Policy) -> None:
    for case in (armed(dash_case()), Case(armed(dash_case()).incident)):
        decision = policy.assess_case(case)
        task = next(t for t in decision.tasks if t.what == "weapon-safety")
        assert task.for_whom == case.incident.victim.id
        reported = case.incident.reported_at
        assert micros(reported) < micros(task.due_by) <= micros(reported + timedelta(hours=1))
        assert "firearm" in task.reasons[0].text
        assert "firearms licensing" in task.reasons[0].source
    assert not any(t.what == "weapon-safety" for t in policy.assess_case(dash_case()).tasks)


@settings(max_examples=40, deadline=None)
@given(cases())
def test_a_weapon_never_lowers_the_grade_nor_removes_work(case: Case) -> None:
    policy = Policy(load_entry_points=False)
    unarmed = attrs.evolve(case, incident=attrs.evolve(case.incident, weapon_present=False))
    before = policy.assess_case(unarmed)
    after = policy.assess_case(armed(unarmed))
    assert after.grade >= before.grade
    assert before.referred_to() <= after.referred_to()
    assert {t.what for t in before.tasks} <= {t.what for t in after.tasks}
    assert any(t.what == "weapon-safety" for t in after.tasks)
