"""The DASH 2009 plug-in through the policy: score, bands, checklists, prompts, form review."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dapolicy import Answer, Destination, RiskGrade
from dapolicy.plugins import dash
from dapolicy.settings import DashSettings, Settings


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

POLICY = h.make_policy()
INCIDENT = h.make_incident("INC-1")
NOW = INCIDENT.reported_at
NON_KEY = [1, 2, 3, 4, 5, 6, 7, 9, 10, 11, 12, 13, 15, 19, 20, 21, 22]


def assess(form: object, policy: object = POLICY) -> object:
    return policy.assess(INCIDENT, form, now=NOW)  # type: ignore[attr-defined]


# --- checklists ---------------------------------------------------------------------------------


def test_police_to_ric_mapping() -> None:
    assert len(dash.POLICE_TO_RIC) == 24
    assert {n: dash.POLICE_TO_RIC[str(n)] for n in (1, 8, 9, 13, 14, 18, 27)} == {
        1: "1",
        8: "8",
        9: "9",
        13: "10",
        14: "11",
        18: "15",
        27: "24",
    }
    # police items 10-12 (children and dependants) have no RIC counterpart
    assert {"10", "11", "12"}.isdisjoint(dash.POLICE_TO_RIC)
    assert sorted(dash.POLICE_TO_RIC.values(), key=int) == [str(n) for n in range(1, 25)]


def test_question_sets_have_the_scored_items_plus_s_dash() -> None:
    police = POLICY.question_sets["dash-2009-police"]
    ric = POLICY.question_sets["dash-2009-ric"]
    stalking = {f"s{n}" for n in range(1, 12)}
    assert police.item_ids == {str(n) for n in range(1, 28)} | stalking
    assert ric.item_ids == {str(n) for n in range(1, 25)} | stalking
    assert dash.SCORED["dash-2009-police"] == {str(n) for n in range(1, 28)}
    assert dash.SCORED["dash-2009-ric"] == {str(n) for n in range(1, 25)}
    # the RIC item shares the police item's paraphrase
    summaries = {item.id: item.summary for item in ric.items}
    assert summaries["15"] == "strangling, choking, suffocating or drowning"
    assert [item.id for item in dash.STALKING] == [f"s{n}" for n in range(1, 12)]


# --- score and bands ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("yes", "grade"),
    [
        (0, RiskGrade.STANDARD),
        (9, RiskGrade.STANDARD),
        (10, RiskGrade.MEDIUM),
        (13, RiskGrade.MEDIUM),
        (14, RiskGrade.HIGH),
        (27, RiskGrade.HIGH),
    ],
)
def test_default_bands(yes: int, grade: RiskGrade) -> None:
    decision = assess(h.dash_form(INCIDENT, yes=range(1, yes + 1)))
    found = h.finding(decision, "dash")
    assert (found.score, found.grade) == (yes, grade)
    assert h.rules(found.reasons)[0] == f"dash.band.{grade.value}"
    assert found.reasons[0].text == (f"{yes} 'yes' answers on dash-2009-police: {grade.value}")
    assert found.reasons[0].source == (
        "DASH 2009 risk model (ACPO / CAADA, now SafeLives); grade bands set by the force "
        "(medium from 10, high from 14)"
    )
    assert decision.grade is grade
    assert decision.needs_review is False


def test_only_yes_counts_not_known_and_declined_do_not() -> None:
    answers = {str(n): Answer.NOT_KNOWN for n in range(1, 14)}
    answers.update({str(n): Answer.DECLINED for n in range(14, 28)})
    form = h.make_form(INCIDENT, "dash-2009-police", answers, yes=[1, 2, 3])
    found = h.finding(assess(form), "dash")
    assert (found.score, found.grade) == (3, RiskGrade.STANDARD)
    # an item not answered at all is not a yes either
    sparse = h.make_form(INCIDENT, "dash-2009-police", {}, yes=[5])
    assert h.finding(assess(sparse), "dash").score == 1


def test_fourteen_yes_is_visible_high_risk_and_goes_to_marac() -> None:
    decision = assess(h.dash_form(INCIDENT, yes=range(1, 15)))
    found = h.finding(decision, "dash")
    assert h.rules(found.reasons) == ["dash.band.high", "dash.visible-high-risk"]
    assert h.referral_rules(decision, Destination.MARAC) == ["marac.visible-high-risk"]
    assert h.referral_rules(decision, Destination.IDVA) == ["safeguarding.idva-high-risk"]


def test_thirteen_yes_is_not_visible_high_risk() -> None:
    decision = assess(h.dash_form(INCIDENT, yes=range(1, 14)))
    assert h.rules(h.finding(decision, "dash").reasons) == ["dash.band.medium"]
    assert Destination.MARAC not in decision.referred_to()
    assert Destination.IDVA not in decision.referred_to()


def test_ric_checklist_is_scored_on_its_24_items() -> None:
    form = h.dash_form(INCIDENT, yes=range(1, 15), checklist="dash-2009-ric")
    decision = assess(form)
    found = h.finding(decision, "dash")
    assert (found.score, found.grade) == (14, RiskGrade.HIGH)
    assert found.reasons[0].text == "14 'yes' answers on dash-2009-ric: high"
    assert h.referral_rules(decision, Destination.MARAC) == ["marac.visible-high-risk"]
    assert decision.needs_review is False


@pytest.mark.parametrize(
    ("yes", "grade"),
    [(4, RiskGrade.STANDARD), (5, RiskGrade.MEDIUM), (7, RiskGrade.MEDIUM), (8, RiskGrade.HIGH)],
)
def test_custom_bands(yes: int, grade: RiskGrade) -> None:
    policy = h.make_policy(Settings(dash=DashSettings(medium_from=5, high_from=8)))
    decision = assess(h.dash_form(INCIDENT, yes=range(1, yes + 1)), policy)
    found = h.finding(decision, "dash")
    assert found.grade is grade
    assert found.reasons[0].source.endswith("(medium from 5, high from 8)")
    assert decision.grade is grade
    # high by the force's bands is high risk, but not SafeLives' visible high risk (14)
    if grade is RiskGrade.HIGH:
        assert h.referral_rules(decision, Destination.MARAC) == ["marac.high-risk"]


def test_visible_high_risk_is_safelives_14_whatever_the_force_bands() -> None:
    policy = h.make_policy(Settings(dash=DashSettings(medium_from=10, high_from=20)))
    decision = assess(h.dash_form(INCIDENT, yes=range(1, 15)), policy)
    assert decision.grade is RiskGrade.MEDIUM
    assert h.rules(h.finding(decision, "dash").reasons) == [
        "dash.band.medium",
        "dash.visible-high-risk",
    ]
    assert h.referral_rules(decision, Destination.MARAC) == ["marac.visible-high-risk"]


def test_grade_for() -> None:
    settings = Settings(dash=DashSettings(medium_from=2, high_from=3))
    assert [dash.grade_for(n, settings) for n in range(5)] == [
        RiskGrade.STANDARD,
        RiskGrade.STANDARD,
        RiskGrade.MEDIUM,
        RiskGrade.HIGH,
        RiskGrade.HIGH,
    ]


@given(yes=st.sets(st.integers(min_value=1, max_value=27)), extra=st.integers(1, 27))
def test_one_more_yes_never_lowers_the_grade(yes: set[int], extra: int) -> None:
    before = assess(h.dash_form(INCIDENT, yes=yes))
    after = assess(h.dash_form(INCIDENT, yes=yes | {extra}))
    assert h.finding(before, "dash").score == len(yes)
    assert after.grade >= before.grade


# --- S-DASH and honour-based abuse prompts -------------------------------------------------------


def test_s_dash_items_are_never_scored() -> None:
    stalking = [f"s{n}" for n in range(1, 12)]
    decision = assess(h.dash_form(INCIDENT, yes=stalking))
    assert h.finding(decision, "dash").score == 0
    assert decision.prompts == ()  # item 8 not yes: S-DASH not offered
    assert decision.needs_review is False


def test_item_8_offers_s_dash_and_reports_its_yes_answers_as_prompts() -> None:
    decision = assess(h.dash_form(INCIDENT, yes=[8, "s1", "s4", "s11"]))
    found = h.finding(decision, "dash")
    assert found.score == 1
    assert h.rules(decision.prompts) == ["dash.offer-s-dash", "dash.s-dash-answers"]
    assert decision.prompts == found.prompts
    assert decision.prompts[1].text == (
        "3 of 11 S-DASH answers 'yes' (s1, s4, s11): weigh them in professional judgement"
    )
    assert decision.grade is RiskGrade.STANDARD  # prompts never change the grade


def test_item_8_without_s_dash_answers_only_offers_it() -> None:
    decision = assess(h.dash_form(INCIDENT, yes=[8], extra={"s1": Answer.NOT_KNOWN}))
    assert h.rules(decision.prompts) == ["dash.offer-s-dash"]


def test_item_4_prompts_honour_based_abuse_questions() -> None:
    decision = assess(h.dash_form(INCIDENT, yes=[4]))
    assert h.rules(decision.prompts) == ["dash.ask-honour-based-abuse"]
    both = assess(h.dash_form(INCIDENT, yes=[4, 8, "s2"]))
    assert h.rules(both.prompts) == [
        "dash.offer-s-dash",
        "dash.s-dash-answers",
        "dash.ask-honour-based-abuse",
    ]


def test_same_prompts_on_the_ric() -> None:
    form = h.dash_form(INCIDENT, yes=[4, 8], checklist="dash-2009-ric")
    assert h.rules(assess(form).prompts) == ["dash.offer-s-dash", "dash.ask-honour-based-abuse"]


# --- form review ---------------------------------------------------------------------------------


def test_unknown_items_need_review_but_are_still_scored() -> None:
    form = h.dash_form(INCIDENT, yes=[1, 2], extra={"28": Answer.YES, "q99": Answer.NO})
    decision = assess(form)
    assert decision.needs_review is True
    assert h.rules(decision.review_reasons) == ["form.unknown-items"]
    assert decision.review_reasons[0].text == (
        "checklist 'dash-2009-police' has no item(s) 28, q99"
    )
    assert h.finding(decision, "dash").score == 2


def test_police_only_items_on_a_ric_form_are_unknown() -> None:
    form = h.dash_form(INCIDENT, checklist="dash-2009-ric", extra={"25": Answer.YES})
    decision = assess(form)
    assert h.rules(decision.review_reasons) == ["form.unknown-items"]
    assert decision.review_reasons[0].text == "checklist 'dash-2009-ric' has no item(s) 25"
    assert h.finding(decision, "dash").score == 0  # not a RIC item, not scored


def test_unknown_checklist_needs_review_and_is_not_scored() -> None:
    form = h.make_form(INCIDENT, "dash-2008", yes=range(1, 20))
    decision = assess(form)
    assert decision.findings == ()
    assert decision.grade is RiskGrade.STANDARD
    assert decision.needs_review is True
    assert h.rules(decision.review_reasons) == ["form.unknown-checklist", "grade.no-finding"]
    assert decision.review_reasons[0].text == (
        "no plug-in knows checklist 'dash-2008': it was not scored"
    )


def test_no_form_is_never_a_quiet_standard() -> None:
    decision = assess(None)
    assert decision.grade is RiskGrade.STANDARD
    assert decision.needs_review is True
    assert decision.findings == ()
    assert h.rules(decision.reasons) == ["grade.no-finding"]
    assert h.rules(decision.review_reasons) == ["form.missing", "grade.no-finding"]
    assert decision.review_reasons[0].source == "HMIC 2014 inspection, recommendation 2"


def test_a_complete_valid_form_needs_no_review() -> None:
    decision = assess(h.dash_form(INCIDENT, yes=[1]))
    assert decision.needs_review is False
    assert decision.review_reasons == ()
    assert decision.failures == ()
    assert h.rules(decision.reasons) == ["grade.highest-finding"]
    assert decision.reasons[0].text == ("standard: the highest grade of any risk model (dash)")
