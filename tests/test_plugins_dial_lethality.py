"""DIAL (a checklist the force configures) and the Maryland Lethality Screen."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dapolicy import Answer, Destination, RiskGrade, ValidationError
from dapolicy.plugins import lethality
from dapolicy.settings import DialSettings, Settings


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
#: Default DIAL items that are not key items.
PLAIN = ["1", "2", "3", "4", "5", "6", "7", "9", "10", "11", "12", "13", "15", "19", "20"]


def assess(form: object, policy: object = POLICY) -> object:
    return policy.assess(INCIDENT, form, now=NOW)  # type: ignore[attr-defined]


def dial(yes: object = (), answers: dict[str, Answer] | None = None, checklist: str = "dial"):  # type: ignore[no-untyped-def]
    return h.make_form(INCIDENT, checklist, answers, yes=yes)


# --- DIAL ----------------------------------------------------------------------------------------


def test_dial_question_set_follows_the_settings() -> None:
    assert POLICY.question_sets["dial"].item_ids == {str(n) for n in range(1, 28)}
    custom = h.make_policy(Settings(dial=DialSettings("kent-dial", ("a", "b", "c"), {}, 1, 2)))
    assert "dial" not in custom.question_sets
    assert custom.question_sets["kent-dial"].item_ids == {"a", "b", "c"}
    assert custom.question_sets["kent-dial"].items[0].summary == "DIAL item a (force-defined)"


@pytest.mark.parametrize(
    ("count", "grade"),
    [
        (0, RiskGrade.STANDARD),
        (9, RiskGrade.STANDARD),
        (10, RiskGrade.MEDIUM),
        (13, RiskGrade.MEDIUM),
        (14, RiskGrade.HIGH),
        (15, RiskGrade.HIGH),
    ],
)
def test_dial_default_bands(count: int, grade: RiskGrade) -> None:
    decision = assess(dial(PLAIN[:count]))
    found = h.finding(decision, "dial")
    assert (found.score, found.grade) == (count, grade)
    assert h.rules(found.reasons) == [f"dial.band.{grade.value}"]
    assert found.reasons[0].text == f"{count} 'yes' answers: {grade.value}"
    assert found.reasons[0].source.endswith("(medium from 10, high from 14)")
    assert decision.grade is grade
    assert h.finding(decision, "dash") is None  # a DIAL form is not a DASH form


@pytest.mark.parametrize(
    ("item", "grade"),
    [
        ("18", RiskGrade.HIGH),
        ("17", RiskGrade.HIGH),
        ("16", RiskGrade.MEDIUM),
        ("8", RiskGrade.MEDIUM),
        ("14", RiskGrade.MEDIUM),
        ("1", RiskGrade.STANDARD),
    ],
)
def test_dial_key_item_alone_sets_the_least_grade(item: str, grade: RiskGrade) -> None:
    decision = assess(dial([item]))
    found = h.finding(decision, "dial")
    assert found.score == 1
    assert found.grade is grade
    assert decision.grade is grade
    expected = ["dial.band.standard"] + ([f"dial.key-item.{item}"] if item != "1" else [])
    assert h.rules(found.reasons) == expected


def test_dial_key_item_18_alone_is_high_and_reaches_marac_and_idva() -> None:
    decision = assess(dial(["18"]))
    assert decision.grade is RiskGrade.HIGH
    assert h.finding(decision, "dial").reasons[1].source == (
        "DIAL as described in the HMIC 2014 inspection; items and bands set by the force: "
        "key item 18 implies at least high"
    )
    assert h.referral_rules(decision, Destination.MARAC) == ["marac.high-risk"]
    assert h.referral_rules(decision, Destination.IDVA) == ["safeguarding.idva-high-risk"]


def test_dial_key_items_are_listed_in_natural_order_and_never_lower_the_band() -> None:
    decision = assess(dial([*PLAIN[:12], "8", "16", "18"]))
    found = h.finding(decision, "dial")
    assert found.score == 15
    assert found.grade is RiskGrade.HIGH
    assert h.rules(found.reasons) == [
        "dial.band.high",
        "dial.key-item.8",
        "dial.key-item.16",
        "dial.key-item.18",
    ]
    # a medium key item does not lower a high band
    assert assess(dial([*PLAIN[:14], "8"])).grade is RiskGrade.HIGH


def test_dial_not_known_is_not_yes() -> None:
    answers = {"18": Answer.NOT_KNOWN, "17": Answer.DECLINED, "16": Answer.NO}
    found = h.finding(assess(dial(answers=answers)), "dial")
    assert (found.score, found.grade) == (0, RiskGrade.STANDARD)


CUSTOM = Settings(
    dial=DialSettings(
        checklist="kent-dial",
        items=("a", "b", "c", "d", "10", "2"),
        key_items={
            "b": RiskGrade.HIGH,
            "c": RiskGrade.MEDIUM,
            "10": RiskGrade.MEDIUM,
            "2": RiskGrade.MEDIUM,
        },
        medium_from=2,
        high_from=4,
    )
)


@pytest.mark.parametrize(
    ("yes", "grade", "rules"),
    [
        ([], RiskGrade.STANDARD, ["dial.band.standard"]),
        (["a"], RiskGrade.STANDARD, ["dial.band.standard"]),
        (["a", "d"], RiskGrade.MEDIUM, ["dial.band.medium"]),
        (["c"], RiskGrade.MEDIUM, ["dial.band.standard", "dial.key-item.c"]),
        (["b"], RiskGrade.HIGH, ["dial.band.standard", "dial.key-item.b"]),
        (["a", "d", "10"], RiskGrade.MEDIUM, ["dial.band.medium", "dial.key-item.10"]),
        (
            ["a", "c", "10", "2"],
            RiskGrade.HIGH,
            ["dial.band.high", "dial.key-item.2", "dial.key-item.10", "dial.key-item.c"],
        ),
    ],
)
def test_custom_dial(yes: list[str], grade: RiskGrade, rules: list[str]) -> None:
    policy = h.make_policy(CUSTOM)
    decision = assess(dial(yes, checklist="kent-dial"), policy)
    found = h.finding(decision, "dial")
    assert found.grade is grade
    assert found.score == len(yes)
    assert h.rules(found.reasons) == rules
    assert found.reasons[0].source.endswith("(medium from 2, high from 4)")
    assert decision.needs_review is False


def test_custom_dial_ignores_forms_on_the_default_checklist_id() -> None:
    policy = h.make_policy(CUSTOM)
    decision = assess(dial(["18"]), policy)
    assert decision.findings == ()
    assert h.rules(decision.review_reasons) == ["form.unknown-checklist", "grade.no-finding"]


def test_custom_dial_answers_for_unknown_items_need_review() -> None:
    policy = h.make_policy(CUSTOM)
    decision = assess(dial(["a", "18"], checklist="kent-dial"), policy)
    assert h.rules(decision.review_reasons) == ["form.unknown-items"]
    assert decision.review_reasons[0].text == "checklist 'kent-dial' has no item(s) 18"
    assert h.finding(decision, "dial").score == 1


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        (
            {
                "items": ("a", "b"),
                "key_items": {"c": RiskGrade.HIGH},
                "medium_from": 1,
                "high_from": 2,
            },
            [("$.key_items", "every key item must be one of items")],
        ),
        (
            {"items": ("a", "b", "c"), "key_items": {}, "medium_from": 2, "high_from": 2},
            [("$.high_from", "must be greater than medium_from")],
        ),
        (
            {"items": ("a", "b", "c"), "key_items": {}, "medium_from": 3, "high_from": 2},
            [("$.high_from", "must be greater than medium_from")],
        ),
        (
            {"items": ("a", "b", "c"), "key_items": {}, "medium_from": 1, "high_from": 4},
            [("$.high_from", "is more than the number of items")],
        ),
        (
            {
                "items": ("a", "a", "b"),
                "key_items": {"z": RiskGrade.HIGH},
                "medium_from": 0,
                "high_from": 2,
            },
            [
                ("$.medium_from", "must be a whole number from 1 to 99"),
                ("$.items", "item ids must be unique"),
                ("$.key_items", "every key item must be one of items"),
            ],
        ),
    ],
)
def test_dial_settings_validation(
    kwargs: dict[str, object], expected: list[tuple[str, str]]
) -> None:
    with pytest.raises(ValidationError) as excinfo:
        DialSettings(**kwargs)  # type: ignore[arg-type]
    assert excinfo.value.type_name == "DialSettings"
    assert [(e.path, e.message) for e in excinfo.value.errors] == expected


@given(yes=st.sets(st.sampled_from([str(n) for n in range(1, 28)])), extra=st.integers(1, 27))
def test_dial_one_more_yes_never_lowers_the_grade(yes: set[str], extra: int) -> None:
    before = h.finding(assess(dial(sorted(yes))), "dial")
    after = h.finding(assess(dial(sorted(yes | {str(extra)}))), "dial")
    assert after.grade >= before.grade


# --- Lethality Screen ----------------------------------------------------------------------------


def screen(yes: object = (), answers: dict[str, Answer] | None = None):  # type: ignore[no-untyped-def]
    base = {str(n): Answer.NO for n in range(1, 12)}
    base["officer-belief"] = Answer.NO
    base.update(answers or {})
    return h.make_form(INCIDENT, "lethality-screen", base, yes=yes)


def test_lethality_question_set() -> None:
    assert POLICY.question_sets["lethality-screen"].item_ids == {
        *(str(n) for n in range(1, 12)),
        "officer-belief",
    }
    assert lethality.DECISIVE == ("1", "2", "3")
    assert tuple(str(n) for n in range(4, 12)) == lethality.COUNTED


@pytest.mark.parametrize("item", ["1", "2", "3"])
def test_lethality_any_decisive_item_screens_in(item: str) -> None:
    decision = assess(screen([item]))
    found = h.finding(decision, "lethality-screen")
    assert found.grade is RiskGrade.HIGH
    assert h.rules(found.reasons) == ["lethality.decisive-item"]
    assert found.reasons[0].text == f"'yes' to item(s) {item}"
    assert found.score == 1
    assert decision.grade is RiskGrade.HIGH
    assert h.referral_rules(decision, Destination.MARAC) == ["marac.high-risk"]
    assert Destination.IDVA in decision.referred_to()


def test_lethality_decisive_items_are_listed_and_counted_items_add_to_the_score() -> None:
    found = h.finding(assess(screen(["3", "1", "4", "5", "6", "7"])), "lethality-screen")
    assert h.rules(found.reasons) == ["lethality.decisive-item"]
    assert found.reasons[0].text == "'yes' to item(s) 1, 3"
    assert found.score == 6


@pytest.mark.parametrize(
    ("count", "grade"),
    [(0, RiskGrade.STANDARD), (3, RiskGrade.STANDARD), (4, RiskGrade.HIGH), (8, RiskGrade.HIGH)],
)
def test_lethality_four_of_items_4_to_11_screen_in(count: int, grade: RiskGrade) -> None:
    found = h.finding(assess(screen([str(n) for n in range(4, 4 + count)])), "lethality-screen")
    assert found.grade is grade
    assert found.score == count
    if grade is RiskGrade.HIGH:
        assert h.rules(found.reasons) == ["lethality.four-of-eight"]
        assert found.reasons[0].text == f"{count} 'yes' answers among items 4-11"
    else:
        assert h.rules(found.reasons) == ["lethality.not-screened-in"]
        assert found.reasons[0].text == f"not screened in ({count} of items 4-11 'yes')"


def test_lethality_officer_belief_screens_in() -> None:
    found = h.finding(assess(screen(["officer-belief"])), "lethality-screen")
    assert found.grade is RiskGrade.HIGH
    assert h.rules(found.reasons) == ["lethality.officer-belief"]
    assert found.score == 0
    both = h.finding(assess(screen(["2", "officer-belief"])), "lethality-screen")
    assert h.rules(both.reasons) == ["lethality.decisive-item", "lethality.officer-belief"]


def test_lethality_not_known_is_not_yes() -> None:
    unknown = {str(n): Answer.NOT_KNOWN for n in range(1, 12)}
    unknown["officer-belief"] = Answer.DECLINED
    found = h.finding(assess(screen(answers=unknown)), "lethality-screen")
    assert found.grade is RiskGrade.STANDARD
    assert h.rules(found.reasons) == ["lethality.not-screened-in"]
    # three "yes" and the rest not known is still not four
    mixed = h.finding(assess(screen(["4", "5", "6"], answers=unknown)), "lethality-screen")
    assert mixed.grade is RiskGrade.STANDARD


def test_lethality_screen_does_not_read_other_checklists() -> None:
    decision = assess(h.dash_form(INCIDENT, yes=[1, 2, 3]))
    assert h.finding(decision, "lethality-screen") is None
