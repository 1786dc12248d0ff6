"""'Not known' DASH answers (issue 11): never a 'yes' or a 'no', always a prompt.

A form with ``dash.not_known_review_from`` (5) or more scored items not known, not asked
or declined needs review; a key item (threats to kill, strangulation, weapons,
pregnancy, separation, escalation, stalking) not known gives a prompt to complete it
and a review reason. The score counts "yes" answers only, so neither changes the grade.
A form declined on all 27 items is no longer a quiet "standard". When professional
judgement alone raises the grade to high, MARAC cites SafeLives' criterion 2; visible
high risk counts DASH/RIC answers only.
"""

from __future__ import annotations

import runpy
from pathlib import Path
from types import SimpleNamespace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dapolicy import Answer, Destination, RiskGrade, ValidationError
from dapolicy.plugins import dash
from dapolicy.settings import DEFAULT_DASH_KEY_ITEMS, DashSettings, DialSettings, Settings

#: The shared builders of the engine tests, run from their file (tests/ is not a package).
h = SimpleNamespace(**runpy.run_path(str(Path(__file__).with_name("engine_helpers.py"))))

POLICY = h.make_policy()
INCIDENT = h.make_incident("INC-1")
#: Police items that are not key items by default.
NON_KEY = [str(n) for n in range(1, 28) if str(n) not in DEFAULT_DASH_KEY_ITEMS]


def assess(form: object, policy: object = POLICY) -> object:
    return policy.assess(INCIDENT, form, now=INCIDENT.reported_at)  # type: ignore[attr-defined]


def form_with(
    unanswered: list[str], answer: Answer = Answer.NOT_KNOWN, **kwargs: object
) -> object:
    return h.dash_form(INCIDENT, extra=dict.fromkeys(unanswered, answer), **kwargs)


def test_the_default_key_items_are_the_seven_named_and_on_the_police_checklist() -> None:
    summaries = {item.id: item.summary for item in dash.POLICE.items}
    assert [summaries[i] for i in DEFAULT_DASH_KEY_ITEMS] == [
        "threats to kill, believed",
        "strangling, choking, suffocating or drowning",
        "weapons or objects used to hurt",
        "pregnant or a baby in the past 18 months",
        "separated or tried to separate in the past year",
        "abuse getting worse",
        "constant contact, following, stalking or harassment",
    ]


@pytest.mark.parametrize("answer", [Answer.NOT_KNOWN, Answer.DECLINED])
def test_one_below_the_threshold_is_not_reviewed_and_at_it_is(answer: Answer) -> None:
    below = assess(form_with(NON_KEY[:4], answer))
    assert below.needs_review is False
    at = assess(form_with(NON_KEY[:5], answer))
    assert at.needs_review is True
    assert h.rules(at.review_reasons) == ["dash.not-known-many"]
    assert at.grade is below.grade is RiskGrade.STANDARD
    assert h.finding(at, "dash").score == 0


def test_items_not_asked_count_as_not_known() -> None:
    form = h.make_form(INCIDENT, h.POLICE, {str(n): Answer.NO for n in range(1, 23)})
    decision = assess(form)
    assert "dash.not-known-many" in h.rules(decision.review_reasons)
    assert "5 of 27 items not answered (5 not known, 0 declined)" in (
        decision.review_reasons[0].text
    )


def test_a_form_declined_on_every_item_is_not_a_quiet_standard() -> None:
    form = h.dash_form(INCIDENT, others=Answer.DECLINED)
    decision = assess(form)
    assert decision.grade is RiskGrade.STANDARD
    assert decision.needs_review is True
    (many,) = [r for r in decision.review_reasons if r.rule == "dash.not-known-many"]
    assert many.text.startswith("27 of 27 items not answered (0 not known, 27 declined)")
    assert "IOPC 2025" in many.source


@pytest.mark.parametrize(
    ("police_item", "checklist", "item"),
    [(i, h.POLICE, i) for i in DEFAULT_DASH_KEY_ITEMS]
    + [(i, h.RIC, dash.POLICE_TO_RIC[i]) for i in DEFAULT_DASH_KEY_ITEMS],
)
def test_a_key_item_not_known_prompts_and_needs_review(
    police_item: str, checklist: str, item: str
) -> None:
    form = h.dash_form(INCIDENT, checklist=checklist, extra={item: Answer.NOT_KNOWN})
    decision = assess(form)
    assert h.rules(decision.review_reasons) == ["dash.not-known-key-item"]
    assert decision.review_reasons[0].text.startswith(f"key item(s) {item} not known")
    prompts = [p for p in decision.prompts if p.rule == "dash.complete-key-item"]
    assert [p.text.split(" (")[0] for p in prompts] == [f"item {item}"]
    # Answered "no" (or "declined"), the same item asks for nothing.
    for answer in (Answer.NO, Answer.DECLINED):
        other = assess(h.dash_form(INCIDENT, checklist=checklist, extra={item: answer}))
        assert other.needs_review is False, answer
    # Never a "yes" or a "no": the score and the grade are those of the answers given.
    assert h.finding(decision, "dash").score == 0
    assert decision.grade is RiskGrade.STANDARD


def test_a_non_key_item_not_known_alone_asks_for_nothing() -> None:
    decision = assess(form_with(NON_KEY[:1]))
    assert decision.needs_review is False
    assert not [p for p in decision.prompts if p.rule == "dash.complete-key-item"]


def test_a_force_sets_its_own_key_items_and_threshold() -> None:
    policy = h.make_policy(Settings(dash=DashSettings(not_known_review_from=2, key_items=("1",))))
    decision = assess(form_with(["1"]), policy)
    assert h.rules(decision.review_reasons) == ["dash.not-known-key-item"]
    decision = assess(form_with(["17", "2"]), policy)
    assert h.rules(decision.review_reasons) == ["dash.not-known-many"]
    assert "(2)" in decision.review_reasons[0].source


@pytest.mark.parametrize(
    ("changes", "path"),
    [
        ({"not_known_review_from": 0}, "$.not_known_review_from"),
        ({"not_known_review_from": 25}, "$.not_known_review_from"),
        ({"key_items": ("28",)}, "$.key_items[0]"),
        ({"key_items": ("17", "17")}, "$.key_items"),
    ],
)
def test_bad_not_known_settings_are_refused(changes: dict[str, object], path: str) -> None:
    with pytest.raises(ValidationError) as excinfo:
        DashSettings(**changes)  # type: ignore[arg-type]
    assert path in str(excinfo.value)


@given(
    st.dictionaries(st.sampled_from([str(n) for n in range(1, 28)]), st.sampled_from(list(Answer)))
)
def test_property_not_known_is_never_a_yes_or_a_no(answers: dict[str, Answer]) -> None:
    form = h.make_form(INCIDENT, h.POLICE, answers)
    decision = assess(form)
    finding = h.finding(decision, "dash")
    assert finding.score == sum(a is Answer.YES for a in answers.values())
    # Turning every not-known into "no" or "yes" changes the score by exactly the yeses.
    as_no = {k: Answer.NO if a is Answer.NOT_KNOWN else a for k, a in answers.items()}
    assert h.finding(assess(h.make_form(INCIDENT, h.POLICE, as_no)), "dash").score == (
        finding.score
    )
    unanswered = 27 - sum(a in (Answer.YES, Answer.NO) for a in answers.values())
    key_not_known = any(
        answers.get(k, Answer.NOT_KNOWN) is Answer.NOT_KNOWN for k in DEFAULT_DASH_KEY_ITEMS
    )
    assert ("dash.not-known-many" in h.rules(decision.review_reasons)) is (unanswered >= 5)
    assert ("dash.not-known-key-item" in h.rules(decision.review_reasons)) is key_not_known
    assert decision.needs_review is (unanswered >= 5 or key_not_known)


# --- MARAC: professional judgement, and visible high risk from DASH only ----------------------


def test_judgement_alone_raising_to_high_cites_the_professional_judgement_criterion() -> None:
    form = h.dash_form(INCIDENT, yes=range(1, 11), judgement=h.judgement(RiskGrade.HIGH))
    decision = assess(form)
    assert h.finding(decision, "dash").grade is RiskGrade.MEDIUM
    assert h.referral_rules(decision, Destination.MARAC) == ["marac.professional-judgement"]
    # A model that finds high itself: judgement did not raise it alone.
    form = h.dash_form(INCIDENT, yes=range(1, 15), judgement=h.judgement(RiskGrade.HIGH))
    assert h.referral_rules(assess(form), Destination.MARAC) == ["marac.visible-high-risk"]


def test_visible_high_risk_counts_dash_answers_only() -> None:
    dial = DialSettings()
    form = h.make_form(INCIDENT, dial.checklist, yes=range(1, 15))
    decision = assess(form)
    assert decision.grade is RiskGrade.HIGH
    assert h.referral_rules(decision, Destination.MARAC) == ["marac.high-risk"]
