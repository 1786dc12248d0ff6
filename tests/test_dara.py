"""DARA: the officer's structured judgement, checked and never lowered (issue 11).

Every rule of the ``dara`` plug-in at its boundary: no rationale, a blank one, every
item not known, a key item not known, answers pointing higher than the grade, no
grade, unknown items, a force that has not supplied its items; DARA beside DASH, where
the higher grade wins and MARAC's "visible high risk" counts DASH answers only; the
``[dara]`` settings (items inline or in a file, refused with the key named when
missing); the model's JSON and ``repr``; properties: the plug-in never lowers a grade,
and any failure needs review.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dapolicy import (
    AbuseType,
    Answer,
    Case,
    Incident,
    Person,
    Policy,
    Relationship,
    RelationshipKind,
    RiskForm,
    RiskGrade,
)
from dapolicy.batch import decision_time
from dapolicy.errors import ValidationError
from dapolicy.models import DaraForm, Frequency
from dapolicy.schema import json_schema
from dapolicy.serialization import from_json, to_json
from dapolicy.settings import DaraItem, DaraSettings, Settings, SettingsError, load_settings
from dapolicy.testing import strategies as ds

T0 = datetime(2026, 3, 4, 21, 0, tzinfo=UTC)
INCIDENT = Incident(
    "INC-D1",
    T0,
    T0 - timedelta(minutes=20),
    Person("V-D1", date_of_birth=date(1994, 2, 1)),
    Person("S-D1", date_of_birth=date(1990, 7, 9)),
    Relationship(RelationshipKind.INTIMATE_PARTNER),
    {AbuseType.CONTROLLING_OR_COERCIVE},
)
#: A force's DARA, as it might write it (ids and text are the force's; none is DARA's).
ITEMS = (
    DaraItem("cc-isolation", "Kept from friends or family", "coercive control", key=True),
    DaraItem("cc-money", "Money controlled", "coercive control"),
    DaraItem("nfs", "Strangled or choked", "violence", key=True, points_to=RiskGrade.HIGH),
    DaraItem(
        "stalking",
        "Followed or watched",
        "stalking",
        points_to=RiskGrade.MEDIUM,
        at_least=Frequency.SOMETIMES,
    ),
    DaraItem("threats", "Threats to kill", "violence", key=True, points_to=RiskGrade.HIGH),
    DaraItem("separation", "Separated in the past year", "circumstances"),
)
SETTINGS = Settings(dara=DaraSettings(enabled=True, items=ITEMS))
POLICY = Policy(SETTINGS, load_entry_points=False)
RATIONALE = "Coercive control daily; victim fears escalation after separation."


def dara(
    grade: RiskGrade | None = RiskGrade.STANDARD,
    rationale: str | None = RATIONALE,
    **answers: Frequency,
) -> DaraForm:
    """A DARA form: every item "never" unless given."""
    given = {item.id: Frequency.NEVER for item in ITEMS} | answers
    return DaraForm(INCIDENT.id, given, "PC-D1", T0 + timedelta(minutes=30), grade, rationale)


def dash(yes: int) -> RiskForm:
    answers = {str(n): Answer.YES if n <= yes else Answer.NO for n in range(1, 28)}
    return RiskForm(INCIDENT.id, "dash-2009-ric", answers, "IDVA-1", T0 + timedelta(hours=2))


def decide(form: RiskForm | None, dara_form: DaraForm | None, policy: Policy = POLICY):
    return policy.assess(INCIDENT, form, dara=dara_form, now=T0 + timedelta(hours=3))


def review_rules(decision) -> list[str]:  # type: ignore[no-untyped-def]
    return [r.rule for r in decision.review_reasons]


# --- the rationale ----------------------------------------------------------------------


def test_a_complete_dara_is_the_grade_with_no_review() -> None:
    decision = decide(None, dara(RiskGrade.MEDIUM))
    assert decision.grade is RiskGrade.MEDIUM
    assert not decision.needs_review, review_rules(decision)
    finding = decision.findings[0]
    assert (finding.model, finding.score) == ("dara", None)
    assert finding.reasons[0].rule == "dara.grade.medium"
    assert "no count threshold" in finding.reasons[0].source


@pytest.mark.parametrize(
    ("rationale", "words"), [(None, "no written rationale"), ("", "a blank"), (" \n\t", "a blank")]
)
def test_a_grade_without_a_rationale_is_not_accepted(rationale: str | None, words: str) -> None:
    decision = decide(None, dara(RiskGrade.HIGH, rationale))
    assert decision.grade is RiskGrade.HIGH  # the grade stands: never lowered
    assert decision.needs_review
    assert review_rules(decision) == ["dara.rationale-missing"]
    assert words in decision.review_reasons[0].text


def test_no_grade_needs_review_and_takes_what_the_answers_point_to() -> None:
    decision = decide(None, dara(None, nfs=Frequency.ONCE))
    assert decision.grade is RiskGrade.HIGH
    assert "dara.grade-missing" in review_rules(decision)
    assert decide(None, dara(None)).grade is RiskGrade.STANDARD


# --- "not known" ------------------------------------------------------------------------


def test_every_item_not_known_needs_review_and_prompts_the_key_items() -> None:
    empty = attrs.evolve(dara(RiskGrade.MEDIUM), answers={})
    decision = decide(None, empty)
    assert decision.grade is RiskGrade.MEDIUM
    assert review_rules(decision) == ["dara.not-known-many", "dara.not-known-key-item"]
    assert decision.review_reasons[0].text.startswith("6 of 6 DARA items not known")
    prompted = [p.text for p in decision.prompts if p.rule == "dara.complete-key-item"]
    assert prompted == [
        "DARA item cc-isolation (Kept from friends or family) not known: ask it again",
        "DARA item nfs (Strangled or choked) not known: ask it again",
        "DARA item threats (Threats to kill) not known: ask it again",
    ]


def test_the_not_known_threshold_is_met_exactly_and_capped_at_the_item_count() -> None:
    four = dara(**{i.id: Frequency.NOT_KNOWN for i in ITEMS if not i.key and i.id != "stalking"})
    assert review_rules(decide(None, four)) == []  # two not known, under 5
    policy = Policy(
        Settings(dara=DaraSettings(enabled=True, items=ITEMS, not_known_review_from=2)),
        load_entry_points=False,
    )
    assert review_rules(decide(None, four, policy)) == ["dara.not-known-many"]
    # 200 is more than the items: every item not known still needs review.
    policy = Policy(
        Settings(dara=DaraSettings(enabled=True, items=ITEMS, not_known_review_from=200)),
        load_entry_points=False,
    )
    none = dara(**{i.id: Frequency.NOT_KNOWN for i in ITEMS})
    assert "dara.not-known-many" in review_rules(decide(None, none, policy))
    five = dara(**{i.id: Frequency.NOT_KNOWN for i in ITEMS[:5]})
    assert "dara.not-known-many" not in review_rules(decide(None, five, policy))


def test_a_key_item_not_known_needs_review_but_never_is_an_answer() -> None:
    assert review_rules(decide(None, dara(nfs=Frequency.NOT_KNOWN))) == ["dara.not-known-key-item"]
    assert review_rules(decide(None, dara(nfs=Frequency.NEVER))) == []


# --- consistency: answers that point higher ---------------------------------------------


def test_answers_pointing_higher_prompt_and_need_review_without_changing_the_grade() -> None:
    decision = decide(None, dara(RiskGrade.MEDIUM, nfs=Frequency.ONCE))
    assert decision.grade is RiskGrade.MEDIUM
    assert review_rules(decision) == ["dara.grade-below-answers"]
    assert [p.rule for p in decision.prompts] == ["dara.answer-points-higher"]
    assert decision.prompts[0].text.startswith("DARA item nfs (Strangled or choked) answered once")


def test_at_least_is_the_boundary_of_pointing() -> None:
    assert review_rules(decide(None, dara(stalking=Frequency.ONCE))) == []
    assert review_rules(decide(None, dara(stalking=Frequency.SOMETIMES))) == [
        "dara.grade-below-answers"
    ]
    # A grade at what the answers point to is consistent.
    assert review_rules(decide(None, dara(RiskGrade.MEDIUM, stalking=Frequency.OFTEN))) == []
    assert review_rules(decide(None, dara(RiskGrade.HIGH, nfs=Frequency.OFTEN))) == []


def test_answers_to_items_the_force_does_not_have_need_review() -> None:
    odd = attrs.evolve(
        dara(), answers={**dara().answers, "q99": Frequency.OFTEN, "a b": Frequency.ONCE}
    )
    decision = decide(None, odd)
    assert review_rules(decision) == ["dara.unknown-items"]
    assert decision.review_reasons[0].text == (
        "the force's DARA has no item(s) q99, answer 8: not read"
    )


def test_a_dara_at_a_force_without_its_items_keeps_the_grade_and_needs_review() -> None:
    decision = decide(None, dara(RiskGrade.HIGH), Policy(load_entry_points=False))
    assert decision.grade is RiskGrade.HIGH
    assert review_rules(decision) == ["dara.not-configured"]


# --- DARA beside DASH -------------------------------------------------------------------


def test_a_dara_without_a_dash_is_not_a_missing_form() -> None:
    assert "form.missing" not in review_rules(decide(None, dara()))
    assert "form.missing" in review_rules(decide(None, None))


def test_dara_standard_with_dash_high_is_high_and_visible_high_risk() -> None:
    decision = decide(dash(14), dara(RiskGrade.STANDARD))
    assert decision.grade is RiskGrade.HIGH
    assert {f.model: f.grade for f in decision.findings} == {
        "dara": RiskGrade.STANDARD,
        "dash": RiskGrade.HIGH,
    }
    marac = decision.referral("marac")
    assert marac is not None
    assert [r.rule for r in marac.reasons] == ["marac.visible-high-risk"]


def test_dara_high_with_dash_below_14_is_high_risk_not_visible_high_risk() -> None:
    decision = decide(dash(13), dara(RiskGrade.HIGH))
    assert decision.grade is RiskGrade.HIGH
    marac = decision.referral("marac")
    assert marac is not None
    assert [r.rule for r in marac.reasons] == ["marac.high-risk"]


def test_dara_alone_never_counts_as_visible_high_risk() -> None:
    every = dara(RiskGrade.HIGH, **{i.id: Frequency.OFTEN for i in ITEMS})
    marac = decide(None, every).referral("marac")
    assert marac is not None
    assert "marac.visible-high-risk" not in [r.rule for r in marac.reasons]


def test_a_dara_for_another_incident_is_refused_with_its_path() -> None:
    other = attrs.evolve(dara(), incident_id="INC-OTHER")
    with pytest.raises(ValidationError) as raised:
        decide(None, other)
    assert [e.path for e in raised.value.errors] == ["$.dara.incident_id"]
    with pytest.raises(ValidationError) as raised:
        Case(INCIDENT, dara=other)
    assert [e.path for e in raised.value.errors] == ["$.dara"]


def test_a_case_is_decided_when_the_later_form_is_completed() -> None:
    late = attrs.evolve(dara(), completed_at=T0 + timedelta(hours=5))
    assert decision_time(Case(INCIDENT, dash(3), dara=late)) == late.completed_at
    assert decision_time(Case(INCIDENT, dash(3), dara=dara())) == dash(3).completed_at
    case = Case(INCIDENT, None, dara=dara(RiskGrade.MEDIUM))
    assert POLICY.assess_case(case).grade is RiskGrade.MEDIUM


# --- the model --------------------------------------------------------------------------


def test_the_form_round_trips_through_json_and_keeps_the_rationale_out_of_repr() -> None:
    form = dara(RiskGrade.MEDIUM, nfs=Frequency.NOT_KNOWN)
    assert from_json(DaraForm, to_json(form)) == form
    assert RATIONALE not in repr(form)
    case = Case(INCIDENT, dash(2), dara=form)
    assert from_json(Case, to_json(case)) == case
    schema = json_schema(DaraForm)
    assert set(schema["required"]) == {"incident_id", "answers", "completed_by", "completed_at"}


def test_a_bad_form_names_every_field() -> None:
    with pytest.raises(ValidationError) as raised:
        DaraForm(" ", {"": Frequency.NEVER}, "", datetime(2026, 1, 1), RiskGrade.HIGH)
    paths = sorted(e.path for e in raised.value.errors)
    assert paths == ["$.answers", "$.completed_at", "$.completed_by", "$.incident_id"]
    with pytest.raises(ValidationError) as raised:
        from_json(DaraForm, to_json(dara()).replace('"never"', '"always"', 1))
    assert raised.value.errors[0].path.startswith("$.answers")


def test_frequency_order_and_not_known() -> None:
    assert Frequency.OFTEN.at_least(Frequency.SOMETIMES)
    assert not Frequency.ONCE.at_least(Frequency.SOMETIMES)
    assert not Frequency.NOT_KNOWN.at_least(Frequency.ONCE)
    assert not Frequency.NOT_KNOWN.at_least(Frequency.NOT_KNOWN)


# --- the settings -----------------------------------------------------------------------


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_dara_enabled_without_items_is_refused_naming_the_key(tmp_path: Path) -> None:
    policy = _write(tmp_path / "policy.toml", "[dara]\nenabled = true\n")
    with pytest.raises(SettingsError) as raised:
        load_settings(policy)
    assert [e.path for e in raised.value.errors] == ["$.dara.items"]
    assert "the force supplies its DARA items" in str(raised.value)
    assert str(policy) in str(raised.value)


def test_items_inline_or_in_a_file(tmp_path: Path) -> None:
    inline = _write(
        tmp_path / "inline.toml",
        '[dara]\nenabled = true\n[[dara.items]]\nid = "cc-1"\ntext = "Isolation"\nkey = true\n'
        '[[dara.items]]\nid = "nfs"\ntext = "Strangled"\npoints_to = "high"\nat_least = "once"\n',
    )
    loaded = load_settings(inline).dara
    assert [i.id for i in loaded.items] == ["cc-1", "nfs"]
    assert loaded.items[1].points_to is RiskGrade.HIGH
    (tmp_path / "wording").mkdir()
    _write(
        tmp_path / "wording" / "dara.toml",
        '[[items]]\nid = "cc-1"\ntext = "Isolation"\nkey = true\n'
        '[[items]]\nid = "nfs"\ntext = "Strangled"\npoints_to = "high"\nat_least = "once"\n',
    )
    named = _write(
        tmp_path / "named.toml", '[dara]\nenabled = true\nitems_file = "wording/dara.toml"\n'
    )
    assert load_settings(named).dara == loaded


@pytest.mark.parametrize(
    ("policy", "items", "path", "words"),
    [
        ('items_file = "missing.toml"', None, "$.dara.items_file", "cannot be read"),
        ('items_file = "items.toml"', "[[items]]\nid = 'a'\n", "$.dara.items[0].text", "required"),
        ('items_file = "items.toml"', "[[item]]\nid = 'a'\n", "$.dara.items_file", "[[items]]"),
        ('items_file = "items.toml"', "not toml [", "$.dara.items_file", "not valid TOML"),
        (
            'items_file = "items.toml"\n[[dara.items]]\nid = "a"\ntext = "A"',
            "[[items]]\nid = 'a'\ntext = 'A'\n",
            "$.dara.items_file",
            "not both",
        ),
        (
            "[[dara.items]]\nid = 'a'\ntext = 'A'\nat_least = 'never'",
            None,
            "$.dara.items[0].at_least",
            "once",
        ),
        (
            "[[dara.items]]\nid = 'a'\ntext = 'A'\n[[dara.items]]\nid = 'a'\ntext = 'B'",
            None,
            "$.dara.items",
            "unique",
        ),
    ],
)
def test_bad_items_are_refused_naming_the_key(
    tmp_path: Path, policy: str, items: str | None, path: str, words: str
) -> None:
    if items is not None:
        _write(tmp_path / "items.toml", items)
    file = _write(tmp_path / "policy.toml", f"[dara]\nenabled = true\n{policy}\n")
    with pytest.raises(SettingsError) as raised:
        load_settings(file)
    assert path in [e.path for e in raised.value.errors], raised.value.errors
    assert words in str(raised.value)


# --- properties -------------------------------------------------------------------------

_GRADES = st.none() | st.sampled_from(RiskGrade)
_ITEM_IDS = [i.id for i in ITEMS]
_FORMS = ds.dara_forms(
    incident_id=INCIDENT.id,
    item_ids=[*_ITEM_IDS, "unknown-item"],
    datetimes=st.just(T0 + timedelta(minutes=30)),
)


@settings(max_examples=40)
@given(form=_FORMS, yes=st.integers(0, 24), with_dash=st.booleans())
def test_property_dara_never_lowers_the_grade(form: DaraForm, yes: int, with_dash: bool) -> None:
    """The decision is at least the officer's grade, and at least DASH's alone."""
    dash_form = dash(yes) if with_dash else None
    both = decide(dash_form, form)
    if form.grade is not None:
        assert both.grade >= form.grade
    if dash_form is not None:
        assert both.grade >= decide(dash_form, None).grade


@settings(max_examples=40)
@given(form=_FORMS)
def test_property_any_failure_needs_review(form: DaraForm) -> None:
    """No grade, no rationale, unknown items or too many not known: never a quiet grade."""
    decision = decide(None, form)
    missing = [i for i in ITEMS if not form.answer(i.id).known]
    failed = (
        form.grade is None
        or not form.has_rationale
        or "unknown-item" in form.answers
        or len(missing) >= SETTINGS.dara.review_from
        or any(i.key for i in missing)
    )
    if failed:
        assert decision.needs_review
    if not decision.needs_review:
        assert form.grade is not None
        assert decision.grade is form.grade


@settings(max_examples=40)
@given(
    form=_FORMS, item=st.sampled_from(_ITEM_IDS), value=st.sampled_from(Frequency), grade=_GRADES
)
def test_property_more_often_or_a_higher_grade_never_lowers(
    form: DaraForm, item: str, value: Frequency, grade: RiskGrade | None
) -> None:
    before = decide(None, form).grade
    old = form.answer(item)
    if value.at_least(old) or not old.known:
        assert (
            decide(None, attrs.evolve(form, answers={**form.answers, item: value})).grade >= before
        )
    if form.grade is not None and grade is not None and grade >= form.grade:
        assert decide(None, attrs.evolve(form, grade=grade)).grade >= before


def test_the_audit_takes_the_dara_as_the_police_form() -> None:
    """A DARA without a DASH is a form received, not a missing one."""
    from dapolicy.audit import audit
    from dapolicy.operations import form_compliance

    sent = attrs.evolve(dara(), submitted_at=T0 + timedelta(hours=1))
    assert form_compliance(INCIDENT, sent).status.value == "on_time"
    assert form_compliance(INCIDENT, dara()).status.value == "not_submitted"
    report = audit([Case(INCIDENT, None, dara=sent)], policy=POLICY)
    assert (report.forms_non_crime.on_time, report.forms_non_crime.missing) == (1, 0)
    report = audit([Case(INCIDENT, dash(3), dara=dara())], policy=POLICY)
    assert report.forms_non_crime.not_submitted == 1  # the officer's DARA, not the RIC


# --- synth --------------------------------------------------------------------------------


def test_synth_writes_the_officers_dara_and_changes_nothing_else() -> None:
    from dapolicy.audit import audit
    from dapolicy.synth import DARA_RATIONALE, synthesize

    items = [item.id for item in ITEMS]
    dash_year = list(synthesize(80, 11))
    dara_year = list(synthesize(80, 11, dara_items=items))
    assert [c.incident for c in dara_year] == [c.incident for c in dash_year]
    assert [c.recorded_grade for c in dara_year] == [c.recorded_grade for c in dash_year]
    with_forms = [(a, b) for a, b in zip(dash_year, dara_year, strict=True) if a.form]
    assert with_forms
    assert all(b.form is None and b.dara is not None for _, b in with_forms)
    for dash_case, dara_case in with_forms:
        assert dara_case.dara is not None
        assert dara_case.dara.grade is dara_case.recorded_grade
        assert dara_case.dara.rationale == DARA_RATIONALE
        assert set(dara_case.dara.answers) == set(items)
        assert dara_case.dara.completed_at == dash_case.form.completed_at  # type: ignore[union-attr]
    assert from_json(Case, to_json(dara_year[0])) == dara_year[0]
    # The same compliance figures: the DARA is the police form, due before off duty.
    assert (
        audit(dara_year, policy=POLICY).forms_crime == audit(dash_year, policy=POLICY).forms_crime
    )
    crimes = [c.incident.crime for c in dash_year if c.incident.crime is not None]
    assert any(c.investigator is None for c in crimes)
    assert sum(c.investigator is not None for c in crimes) > 0.8 * len(crimes)


def test_synth_command_takes_a_policy_with_dara_items(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from dapolicy.cli import cli

    repo = Path(__file__).resolve().parents[1]
    out = tmp_path / "cases.jsonl"
    policy = repo / "docs" / "examples" / "dara-policy.toml"
    result = CliRunner().invoke(cli, ["synth", "30", "--dara", str(policy), "-o", str(out)])
    assert result.exit_code == 0, result.output
    cases = [from_json(Case, line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert any(c.dara is not None for c in cases)
    assert all(c.form is None for c in cases)
    plain = _write(tmp_path / "plain.toml", 'force = "Examplia"\n')
    result = CliRunner().invoke(cli, ["synth", "3", "--dara", str(plain), "-o", str(out)])
    assert result.exit_code == 2
    assert "no [dara] items" in result.output


def test_batch_order_and_explain_see_the_dara_too() -> None:
    """The batch's sort key and ``explain``'s trace decide as ``assess`` does."""
    from dapolicy._batch_index import case_key, quick_key
    from dapolicy.models._base import micros
    from dapolicy.trace import trace_assessment

    late = attrs.evolve(dara(RiskGrade.HIGH), completed_at=T0 + timedelta(hours=5))
    case = Case(INCIDENT, None, dara=late)
    at = micros(decision_time(case))
    assert at == micros(late.completed_at)
    assert quick_key(to_json(case).encode()) == case_key(case) == (at, INCIDENT.id, "V-D1")
    decision, _ = trace_assessment(POLICY, INCIDENT, None, dara=late, now=late.completed_at)
    assert decision == POLICY.assess_case(case)
    assert decision.grade is RiskGrade.HIGH


def test_the_audit_names_each_dara_review_reason() -> None:
    from dapolicy.audit import ReviewCount

    rules = [
        "dara.rationale-missing",
        "dara.grade-missing",
        "dara.grade-below-answers",
        "dara.not-known-many",
        "dara.not-known-key-item",
        "dara.unknown-items",
        "dara.not-configured",
    ]
    labels = [ReviewCount(rule, 1).label for rule in rules]
    assert all(
        label != rule and "DARA" in label for label, rule in zip(labels, rules, strict=True)
    )
