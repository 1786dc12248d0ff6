"""Example-based tests for dapolicy.models.risk, .work and .decision."""

from __future__ import annotations

import enum
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from dapolicy import (
    Answer,
    Decision,
    Destination,
    DomesticAbuseVerdict,
    Event,
    EventKind,
    Finding,
    PluginFailure,
    PluginInfo,
    ProfessionalJudgement,
    Reason,
    Referral,
    RiskForm,
    RiskGrade,
    Task,
    ValidationError,
)
from dapolicy.models._base import micros
from dapolicy.models.checklist import QuestionItem, QuestionSet
from dapolicy.models.operations import (
    DvpnCheck,
    EventOutcome,
    FormCompliance,
    FormStatus,
    ResponseFinding,
    ResponseGrade,
    Thrive,
    TriageDecision,
)
from dapolicy.models.work import Allocation, InvestigatorLevel, InvestigatorSkill

WHEN = datetime(2024, 3, 1, 12, 0, tzinfo=UTC)
NAIVE = datetime(2024, 3, 1, 12, 0)
NAIVE_MESSAGE = "naive datetime: a UTC offset or time zone is required"
REASON = Reason("rule.id", "a source", "a reason")


def problems(excinfo: pytest.ExceptionInfo[ValidationError]) -> list[tuple[str, str]]:
    return [(error.path, error.message) for error in excinfo.value.errors]


def make_form(**overrides: Any) -> RiskForm:
    fields: dict[str, Any] = {
        "incident_id": "INC-1",
        "checklist": "dash-2009-police",
        "answers": {"q1": Answer.YES, "q2": Answer.NO, "q3": Answer.NOT_KNOWN},
        "completed_by": "PC-1",
        "completed_at": WHEN,
    }
    fields.update(overrides)
    return RiskForm(**fields)


def make_finding(**overrides: Any) -> Finding:
    fields: dict[str, Any] = {"model": "dash", "grade": RiskGrade.MEDIUM, "reasons": [REASON]}
    fields.update(overrides)
    return Finding(**fields)


def make_referral(**overrides: Any) -> Referral:
    fields: dict[str, Any] = {
        "destination": Destination.MARAC,
        "victim_id": "V1",
        "reasons": [REASON],
    }
    fields.update(overrides)
    return Referral(**fields)


def make_task(**overrides: Any) -> Task:
    fields: dict[str, Any] = {
        "what": "child-welfare-check",
        "for_whom": "C1",
        "due_by": WHEN,
        "reasons": [REASON],
    }
    fields.update(overrides)
    return Task(**fields)


def make_event(**overrides: Any) -> Event:
    fields: dict[str, Any] = {
        "id": "EV-1",
        "kind": EventKind.PERPETRATOR_RELEASED,
        "occurred_at": WHEN,
        "victim_id": "V1",
        "perpetrator_id": "S1",
    }
    fields.update(overrides)
    return Event(**fields)


def make_decision(**overrides: Any) -> Decision:
    fields: dict[str, Any] = {
        "incident_id": "INC-1",
        "victim_id": "V1",
        "grade": RiskGrade.STANDARD,
        "decided_at": WHEN,
        "domestic_abuse": DomesticAbuseVerdict.DOMESTIC_ABUSE,
        "reasons": [REASON],
    }
    fields.update(overrides)
    return Decision(**fields)


# --- RiskGrade -------------------------------------------------------------------------


def test_risk_grade_order() -> None:
    assert RiskGrade.STANDARD < RiskGrade.MEDIUM < RiskGrade.HIGH
    assert RiskGrade.HIGH > RiskGrade.MEDIUM > RiskGrade.STANDARD
    assert RiskGrade.MEDIUM <= RiskGrade.MEDIUM
    assert RiskGrade.MEDIUM >= RiskGrade.MEDIUM
    assert not RiskGrade.HIGH < RiskGrade.HIGH
    assert not RiskGrade.HIGH < RiskGrade.STANDARD
    assert [g.rank for g in RiskGrade] == [0, 1, 2]


def test_risk_grade_max_and_sorted() -> None:
    assert max([RiskGrade.MEDIUM, RiskGrade.HIGH, RiskGrade.STANDARD]) is RiskGrade.HIGH
    assert max([RiskGrade.STANDARD, RiskGrade.MEDIUM]) is RiskGrade.MEDIUM
    assert min(RiskGrade) is RiskGrade.STANDARD
    assert sorted([RiskGrade.HIGH, RiskGrade.STANDARD, RiskGrade.MEDIUM]) == [
        RiskGrade.STANDARD,
        RiskGrade.MEDIUM,
        RiskGrade.HIGH,
    ]


class _Other(enum.Enum):
    HIGH = "high"


@pytest.mark.parametrize("other", [1, "high", None, _Other.HIGH, Answer.YES])
@pytest.mark.parametrize(
    "compare",
    [
        lambda a, b: a < b,
        lambda a, b: a <= b,
        lambda a, b: a > b,
        lambda a, b: a >= b,
        lambda a, b: b < a,
        lambda a, b: b > a,
    ],
)
def test_risk_grade_does_not_compare_with_other_types(
    other: object, compare: Callable[[object, object], bool]
) -> None:
    with pytest.raises(TypeError, match="not supported between instances"):
        compare(RiskGrade.HIGH, other)


def test_risk_grade_equality_is_by_member() -> None:
    assert RiskGrade.HIGH == RiskGrade.HIGH
    assert RiskGrade.HIGH != "high"
    assert RiskGrade.HIGH != _Other.HIGH
    assert len({RiskGrade.HIGH, RiskGrade.HIGH, RiskGrade.MEDIUM}) == 2


# --- Reason, ProfessionalJudgement -----------------------------------------------------


def test_reason_reports_every_blank_field() -> None:
    with pytest.raises(ValidationError) as excinfo:
        Reason("", " ", None)  # type: ignore[arg-type]
    assert excinfo.value.type_name == "Reason"
    assert len(excinfo.value.errors) == 3
    assert problems(excinfo) == [
        ("$.rule", "must not be empty"),
        ("$.source", "must not be empty"),
        ("$.text", "must be a string"),
    ]


@pytest.mark.parametrize(
    ("rationale", "message"), [("", "must not be empty"), (None, "must be a string")]
)
def test_professional_judgement_needs_a_rationale(rationale: object, message: str) -> None:
    with pytest.raises(ValidationError) as excinfo:
        ProfessionalJudgement(RiskGrade.HIGH, rationale)  # type: ignore[arg-type]
    assert problems(excinfo) == [("$.rationale", message)]


def test_professional_judgement_valid() -> None:
    judgement = ProfessionalJudgement(RiskGrade.HIGH, "escalating threats")
    assert judgement.refer_to_marac is False


# --- RiskForm --------------------------------------------------------------------------


def test_answer_returns_the_answer_given() -> None:
    form = make_form(answers={"q1": Answer.YES, "q2": Answer.NO, "q4": Answer.DECLINED})
    assert form.answer("q1") is Answer.YES
    assert form.answer("q2") is Answer.NO
    assert form.answer("q4") is Answer.DECLINED


def test_an_item_not_asked_is_not_known() -> None:
    form = make_form(answers={"q1": Answer.YES})
    assert form.answer("q99") is Answer.NOT_KNOWN
    assert make_form(answers={}).answer("q1") is Answer.NOT_KNOWN


def test_yes_items_counts_only_yes() -> None:
    form = make_form(
        answers={
            "q1": Answer.YES,
            "q2": Answer.NO,
            "q3": Answer.NOT_KNOWN,
            "q4": Answer.DECLINED,
            "q5": Answer.YES,
        }
    )
    assert form.yes_items() == frozenset({"q1", "q5"})
    assert make_form(answers={"q3": Answer.NOT_KNOWN}).yes_items() == frozenset()
    assert make_form(answers={}).yes_items() == frozenset()


def test_yes_items_among_given_items() -> None:
    form = make_form(answers={"q1": Answer.YES, "q2": Answer.NO, "q5": Answer.YES})
    assert form.yes_items(["q1", "q2", "q99"]) == frozenset({"q1"})
    assert form.yes_items(iter(["q5", "q5"])) == frozenset({"q5"})
    assert form.yes_items([]) == frozenset()


def test_answers_are_immutable_and_copied() -> None:
    given = {"q1": Answer.YES}
    form = make_form(answers=given)
    with pytest.raises(TypeError):
        form.answers["q1"] = Answer.NO  # type: ignore[index]
    with pytest.raises(TypeError):
        del form.answers["q1"]  # type: ignore[attr-defined]
    given["q1"] = Answer.NO
    given["q2"] = Answer.YES
    assert dict(form.answers) == {"q1": Answer.YES}


def test_risk_form_is_hashable_and_equal_to_an_identical_form() -> None:
    first = make_form()
    second = make_form()
    assert first == second
    assert hash(first) == hash(second)
    assert len({first, second}) == 1
    other = make_form(answers={"q1": Answer.NO})
    assert first != other
    assert len({first, other}) == 2


@pytest.mark.parametrize(
    ("overrides", "path", "message"),
    [
        ({"incident_id": ""}, "$.incident_id", "must not be empty"),
        ({"checklist": " "}, "$.checklist", "must not be empty"),
        ({"completed_by": None}, "$.completed_by", "must be a string"),
        ({"answers": {"": Answer.YES}}, "$.answers", "item ids must be non-empty strings"),
        ({"answers": {"  ": Answer.YES}}, "$.answers", "item ids must be non-empty strings"),
        ({"answers": {1: Answer.YES}}, "$.answers", "item ids must be non-empty strings"),
        ({"answers": {"q1": "yes"}}, "$.answers", "each answer must be an Answer"),
        ({"answers": {"q1": None}}, "$.answers", "each answer must be an Answer"),
        ({"completed_at": NAIVE}, "$.completed_at", NAIVE_MESSAGE),
        ({"completed_at": None}, "$.completed_at", "must be a datetime with a UTC offset"),
        ({"submitted_at": NAIVE}, "$.submitted_at", NAIVE_MESSAGE),
        ({"officer_off_duty_at": NAIVE}, "$.officer_off_duty_at", NAIVE_MESSAGE),
        (
            {"officer_off_duty_at": "18:00"},
            "$.officer_off_duty_at",
            "must be a datetime with a UTC offset",
        ),
        ({"submitted_at": "soon"}, "$.submitted_at", "must be a datetime with a UTC offset"),
        (
            {"submitted_at": WHEN - timedelta(microseconds=1)},
            "$.submitted_at",
            "must not be before completed_at",
        ),
        ({"professional_judgement": None, "incident_id": 3}, "$.incident_id", "must be a string"),
    ],
)
def test_risk_form_invariant(overrides: dict[str, Any], path: str, message: str) -> None:
    with pytest.raises(ValidationError) as excinfo:
        make_form(**overrides)
    assert excinfo.value.type_name == "RiskForm"
    assert problems(excinfo) == [(path, message)]


@pytest.mark.parametrize("submitted_at", [None, WHEN, WHEN + timedelta(days=3)])
def test_risk_form_submission_times(submitted_at: datetime | None) -> None:
    assert make_form(submitted_at=submitted_at).submitted_at == submitted_at


def test_risk_form_submission_order_is_by_instant_in_the_repeated_autumn_hour() -> None:
    london = ZoneInfo("Europe/London")
    completed = datetime(2024, 10, 27, 1, 45, tzinfo=london)  # BST: 00:45 UTC
    submitted = datetime(2024, 10, 27, 1, 10, tzinfo=london, fold=1)  # GMT: 01:10 UTC
    form = make_form(completed_at=completed, submitted_at=submitted)
    assert micros(form.submitted_at) == micros(submitted)  # kept at its fixed offset
    assert form.submitted_at.utcoffset() == submitted.utcoffset()
    with pytest.raises(ValidationError) as excinfo:
        make_form(completed_at=submitted, submitted_at=completed)
    assert problems(excinfo) == [("$.submitted_at", "must not be before completed_at")]


def test_risk_form_naive_submission_is_not_compared() -> None:
    with pytest.raises(ValidationError) as excinfo:
        make_form(submitted_at=datetime(2000, 1, 1))
    assert problems(excinfo) == [("$.submitted_at", NAIVE_MESSAGE)]


def test_risk_form_reports_every_problem_together() -> None:
    with pytest.raises(ValidationError) as excinfo:
        make_form(
            incident_id="",
            checklist="",
            answers={"": "yes"},
            completed_by="",
            completed_at=WHEN,
            submitted_at=WHEN - timedelta(hours=1),
            officer_off_duty_at=NAIVE,
        )
    assert len(excinfo.value.errors) == 7
    assert problems(excinfo) == [
        ("$.incident_id", "must not be empty"),
        ("$.officer_off_duty_at", NAIVE_MESSAGE),
        ("$.checklist", "must not be empty"),
        ("$.completed_by", "must not be empty"),
        ("$.answers", "item ids must be non-empty strings"),
        ("$.answers", "each answer must be an Answer"),
        ("$.submitted_at", "must not be before completed_at"),
    ]


# --- Finding ---------------------------------------------------------------------------


@pytest.mark.parametrize("score", [None, 0, 1, 27])
def test_finding_valid_scores(score: int | None) -> None:
    finding = make_finding(score=score)
    assert finding.score == score
    assert finding.reasons == (REASON,)
    assert finding.prompts == ()


@pytest.mark.parametrize("score", [-1, True, False, 1.5, "3"])
def test_finding_score_must_be_a_whole_number(score: object) -> None:
    with pytest.raises(ValidationError) as excinfo:
        make_finding(score=score)
    assert problems(excinfo) == [("$.score", "must be a whole number, 0 or more")]


def test_finding_reports_every_problem_together() -> None:
    with pytest.raises(ValidationError) as excinfo:
        make_finding(model="", reasons=[], score=-5)
    assert excinfo.value.type_name == "Finding"
    assert problems(excinfo) == [
        ("$.model", "must not be empty"),
        ("$.reasons", "a finding needs at least one reason"),
        ("$.score", "must be a whole number, 0 or more"),
    ]


# --- Referral, Task, Event -------------------------------------------------------------


def test_referral_valid_and_converted() -> None:
    referral = make_referral(requested_by=["mash", "hub-1"], requested_at=WHEN)
    assert referral.requested_by == ("mash", "hub-1")
    assert referral.reasons == (REASON,)
    assert make_referral().requested_at is None


def test_referral_reports_every_problem_together() -> None:
    with pytest.raises(ValidationError) as excinfo:
        make_referral(victim_id=" ", reasons=(), requested_at=NAIVE)
    assert excinfo.value.type_name == "Referral"
    assert problems(excinfo) == [
        ("$.victim_id", "must not be empty"),
        ("$.reasons", "at least one reason is required"),
        ("$.requested_at", NAIVE_MESSAGE),
    ]


def test_task_valid() -> None:
    task = make_task(assignee="attending officer")
    assert task.assignee == "attending officer"
    assert make_task().assignee is None


def test_task_reports_every_problem_together() -> None:
    with pytest.raises(ValidationError) as excinfo:
        make_task(what="", for_whom="  ", due_by=NAIVE, reasons=[], assignee="")
    assert excinfo.value.type_name == "Task"
    assert len(excinfo.value.errors) == 5
    assert problems(excinfo) == [
        ("$.what", "must not be empty"),
        ("$.for_whom", "must not be empty"),
        ("$.due_by", NAIVE_MESSAGE),
        ("$.reasons", "at least one reason is required"),
        ("$.assignee", "must not be empty"),
    ]


def test_event_valid() -> None:
    event = make_event(incident_id="INC-1", details="released on licence")
    assert event.incident_id == "INC-1"


def test_event_victim_and_perpetrator_must_differ() -> None:
    with pytest.raises(ValidationError) as excinfo:
        make_event(victim_id="P1", perpetrator_id="P1")
    assert problems(excinfo) == [
        ("$.perpetrator_id", "victim and perpetrator must be different people")
    ]


def test_event_reports_every_problem_together() -> None:
    with pytest.raises(ValidationError) as excinfo:
        make_event(id="", occurred_at=NAIVE, victim_id=" ", perpetrator_id="")
    assert excinfo.value.type_name == "Event"
    assert len(excinfo.value.errors) == 4
    assert problems(excinfo) == [
        ("$.id", "must not be empty"),
        ("$.occurred_at", NAIVE_MESSAGE),
        ("$.victim_id", "must not be empty"),
        ("$.perpetrator_id", "must not be empty"),
    ]


# --- PluginInfo, PluginFailure ---------------------------------------------------------


def test_plugin_info_and_failure_need_every_field() -> None:
    assert PluginInfo("dash", "builtin").version == "builtin"
    assert PluginFailure("dash", "dapolicy_assess_risk", "RuntimeError").error == "RuntimeError"
    with pytest.raises(ValidationError) as excinfo:
        PluginInfo("", " ")
    assert problems(excinfo) == [
        ("$.name", "must not be empty"),
        ("$.version", "must not be empty"),
    ]
    with pytest.raises(ValidationError) as excinfo:
        PluginFailure("", "", None)  # type: ignore[arg-type]
    assert problems(excinfo) == [
        ("$.plugin", "must not be empty"),
        ("$.hook", "must not be empty"),
        ("$.error", "must be a string"),
    ]


# --- Decision --------------------------------------------------------------------------

FAILURE = PluginFailure("dash", "dapolicy_assess_risk", "RuntimeError")


def test_decision_defaults() -> None:
    decision = make_decision()
    assert decision.needs_review is False
    assert (decision.findings, decision.referrals, decision.tasks) == ((), (), ())
    assert decision.allocation is None
    assert decision.policy_fingerprint == ""


def test_decision_never_assumes_domestic_abuse() -> None:
    with pytest.raises(TypeError, match="domestic_abuse"):
        Decision("INC-1", "V1", RiskGrade.STANDARD, WHEN, reasons=[REASON])  # type: ignore[call-arg]
    for verdict in DomesticAbuseVerdict:
        assert make_decision(domestic_abuse=verdict).domestic_abuse is verdict


@pytest.mark.parametrize(
    ("needs_review", "review_reasons", "failures", "message"),
    [
        (False, (), (), None),
        (True, (REASON,), (), None),
        (True, (), (FAILURE,), None),
        (True, (REASON,), (FAILURE,), None),
        (True, (), (), "set without a review reason or a failure"),
        (False, (REASON,), (), "must be true when there are review reasons or failures"),
        (False, (), (FAILURE,), "must be true when there are review reasons or failures"),
        (False, (REASON,), (FAILURE,), "must be true when there are review reasons or failures"),
    ],
)
def test_needs_review_exactly_when_there_is_a_reason_or_failure(
    needs_review: bool,
    review_reasons: tuple[Reason, ...],
    failures: tuple[PluginFailure, ...],
    message: str | None,
) -> None:
    fields = {"needs_review": needs_review, "review_reasons": review_reasons, "failures": failures}
    if message is None:
        assert make_decision(**fields).needs_review is needs_review
        return
    with pytest.raises(ValidationError) as excinfo:
        make_decision(**fields)
    assert problems(excinfo) == [("$.needs_review", message)]


def test_decision_reports_every_problem_together() -> None:
    with pytest.raises(ValidationError) as excinfo:
        make_decision(
            incident_id="", victim_id="", decided_at=NAIVE, reasons=[], needs_review=True
        )
    assert excinfo.value.type_name == "Decision"
    assert len(excinfo.value.errors) == 5
    assert problems(excinfo) == [
        ("$.incident_id", "must not be empty"),
        ("$.victim_id", "must not be empty"),
        ("$.decided_at", NAIVE_MESSAGE),
        ("$.reasons", "a decision needs at least one reason for its grade"),
        ("$.needs_review", "set without a review reason or a failure"),
    ]


def test_referred_to() -> None:
    decision = make_decision(
        grade=RiskGrade.HIGH,
        referrals=[
            make_referral(destination=Destination.MARAC),
            make_referral(destination=Destination.MARAC, requested_by=["hub-1"]),
            make_referral(destination=Destination.IDVA),
            make_referral(destination=Destination.CHILDRENS_SOCIAL_CARE, victim_id="V1"),
        ],
    )
    assert decision.referred_to() == frozenset(
        {Destination.MARAC, Destination.IDVA, Destination.CHILDRENS_SOCIAL_CARE}
    )
    assert make_decision().referred_to() == frozenset()


# --- every datetime field rejects naive values -----------------------------------------


@pytest.mark.parametrize(
    ("build", "path"),
    [
        (lambda: make_form(completed_at=NAIVE), "$.completed_at"),
        (lambda: make_form(submitted_at=NAIVE), "$.submitted_at"),
        (lambda: make_form(officer_off_duty_at=NAIVE), "$.officer_off_duty_at"),
        (lambda: make_task(due_by=NAIVE), "$.due_by"),
        (lambda: make_event(occurred_at=NAIVE), "$.occurred_at"),
        (lambda: make_decision(decided_at=NAIVE), "$.decided_at"),
        (lambda: make_referral(requested_at=NAIVE), "$.requested_at"),
    ],
    ids=[
        "form.completed_at",
        "form.submitted_at",
        "form.officer_off_duty_at",
        "task.due_by",
        "event",
        "decision",
        "referral",
    ],
)
def test_naive_datetime_rejected(build: Callable[[], object], path: str) -> None:
    with pytest.raises(ValidationError) as excinfo:
        build()
    assert problems(excinfo) == [(path, NAIVE_MESSAGE)]


@pytest.mark.parametrize(
    ("build", "path"),
    [
        (lambda: make_form(completed_at=date(2024, 3, 1)), "$.completed_at"),
        (lambda: make_task(due_by="2024-03-01T12:00:00+00:00"), "$.due_by"),
        (lambda: make_event(occurred_at=None), "$.occurred_at"),
        (lambda: make_decision(decided_at=0), "$.decided_at"),
        (lambda: make_referral(requested_at=date(2024, 3, 1)), "$.requested_at"),
    ],
    ids=["form", "task", "event", "decision", "referral"],
)
def test_non_datetime_rejected(build: Callable[[], object], path: str) -> None:
    with pytest.raises(ValidationError) as excinfo:
        build()
    assert problems(excinfo) == [(path, "must be a datetime with a UTC offset")]


# --- checklists (QuestionItem, QuestionSet) --------------------------------------------


def test_question_item_valid_and_invalid() -> None:
    item = QuestionItem("8", "injury now", section="current situation")
    assert (item.id, item.summary, item.section, item.text) == (
        "8",
        "injury now",
        "current situation",
        None,
    )
    with pytest.raises(ValidationError) as excinfo:
        QuestionItem(" ", "")
    assert excinfo.value.type_name == "QuestionItem"
    assert problems(excinfo) == [("$.id", "must not be empty"), ("$.summary", "must not be empty")]


def test_question_set_item_ids() -> None:
    question_set = QuestionSet(
        "dash-2009-police", "DASH", [QuestionItem("1", "a"), QuestionItem("2", "b")]
    )
    assert question_set.items == (QuestionItem("1", "a"), QuestionItem("2", "b"))
    assert question_set.item_ids == frozenset({"1", "2"})
    assert question_set.source == ""


@pytest.mark.parametrize(
    ("fields", "errors"),
    [
        ({"items": []}, [("$.items", "a question set needs at least one item")]),
        (
            {"items": [QuestionItem("1", "a"), QuestionItem("1", "b")]},
            [("$.items", "item ids must be unique")],
        ),
        (
            {"id": "", "title": " ", "items": ()},
            [
                ("$.id", "must not be empty"),
                ("$.title", "must not be empty"),
                ("$.items", "a question set needs at least one item"),
            ],
        ),
    ],
)
def test_question_set_invariants(fields: dict[str, Any], errors: list[tuple[str, str]]) -> None:
    arguments: dict[str, Any] = {"id": "dash", "title": "DASH"}
    arguments.update(fields)
    with pytest.raises(ValidationError) as excinfo:
        QuestionSet(**arguments)
    assert excinfo.value.type_name == "QuestionSet"
    assert problems(excinfo) == errors


# --- Allocation and InvestigatorLevel --------------------------------------------------


def test_investigator_levels_are_ordered() -> None:
    assert (
        InvestigatorLevel.RESPONSE_OFFICER
        < InvestigatorLevel.TRAINED_DA_INVESTIGATOR
        < InvestigatorLevel.DETECTIVE
        < InvestigatorLevel.DA_TRAINED_DETECTIVE
    )
    # The most specialist holds both skills; each level is its set of skills.
    assert max(InvestigatorLevel) is InvestigatorLevel.DA_TRAINED_DETECTIVE
    assert max(InvestigatorLevel).skills == frozenset(InvestigatorSkill)
    for level in InvestigatorLevel:
        assert InvestigatorLevel.for_skills(level.skills) is level
    with pytest.raises(TypeError, match="not supported between instances"):
        _ = InvestigatorLevel.DETECTIVE < RiskGrade.HIGH


def test_allocation_needs_a_reason() -> None:
    allocation = Allocation(InvestigatorLevel.DETECTIVE, [REASON])
    assert allocation.reasons == (REASON,)
    assert make_decision(allocation=allocation).allocation == allocation
    with pytest.raises(ValidationError) as excinfo:
        Allocation(InvestigatorLevel.DETECTIVE, [])
    assert excinfo.value.type_name == "Allocation"
    assert problems(excinfo) == [("$.reasons", "an allocation needs at least one reason")]


# --- operations: triage, form compliance, event outcomes -------------------------------

THRIVE_FACETS = ("threat", "harm", "risk", "investigation", "vulnerability", "engagement")


def make_thrive(**overrides: Any) -> Thrive:
    fields: dict[str, Any] = dict.fromkeys(THRIVE_FACETS, "in words")
    fields["proposed"] = ResponseGrade.PRIORITY
    fields.update(overrides)
    return Thrive(**fields)


def make_triage(**overrides: Any) -> TriageDecision:
    fields: dict[str, Any] = {
        "call_id": "CALL-1",
        "response": ResponseGrade.IMMEDIATE,
        "decided_at": WHEN,
        "reasons": [REASON],
    }
    fields.update(overrides)
    return TriageDecision(**fields)


def make_event_outcome(**overrides: Any) -> EventOutcome:
    fields: dict[str, Any] = {
        "event_id": "EV-1",
        "decided_at": WHEN,
        "reassess": True,
        "tasks": [make_task()],
        "reasons": [REASON],
    }
    fields.update(overrides)
    return EventOutcome(**fields)


def test_response_grades_are_ordered_least_to_most_urgent() -> None:
    assert list(ResponseGrade) == sorted(ResponseGrade)
    assert (
        ResponseGrade.RESOLVED_WITHOUT_DEPLOYMENT
        < ResponseGrade.SCHEDULED
        < ResponseGrade.PRIORITY
        < ResponseGrade.IMMEDIATE
    )


def test_thrive_valid_with_flags_off() -> None:
    thrive = make_thrive()
    assert thrive.proposed is ResponseGrade.PRIORITY
    assert not any(
        (
            thrive.danger_now,
            thrive.weapons,
            thrive.injury,
            thrive.children_present,
            thrive.suspect_present,
            thrive.vulnerable,
        )
    )


@pytest.mark.parametrize("facet", THRIVE_FACETS)
def test_thrive_needs_every_facet_in_words(facet: str) -> None:
    with pytest.raises(ValidationError) as excinfo:
        make_thrive(**{facet: " "})
    assert problems(excinfo) == [(f"$.{facet}", "must not be empty")]


def test_thrive_reports_every_blank_facet_together() -> None:
    with pytest.raises(ValidationError) as excinfo:
        make_thrive(**dict.fromkeys(THRIVE_FACETS, ""))
    assert excinfo.value.type_name == "Thrive"
    assert problems(excinfo) == [(f"$.{facet}", "must not be empty") for facet in THRIVE_FACETS]


def test_response_finding_needs_a_reason() -> None:
    finding = ResponseFinding(ResponseGrade.SCHEDULED, [REASON])
    assert finding.briefing == ()
    with pytest.raises(ValidationError) as excinfo:
        ResponseFinding(ResponseGrade.SCHEDULED, [])
    assert problems(excinfo) == [("$.reasons", "a response finding needs at least one reason")]


def test_triage_decision_valid() -> None:
    triage = make_triage(alert_at=WHEN, attend_by=WHEN + timedelta(hours=1))
    assert (triage.appointment_minutes, triage.repeat_caller, triage.needs_review) == (
        None,
        False,
        False,
    )


@pytest.mark.parametrize(
    ("needs_review", "review_reasons", "failures", "valid"),
    [
        (False, (), (), True),
        (True, (REASON,), (), True),
        (True, (), (FAILURE,), True),
        (True, (), (), False),
        (False, (REASON,), (), False),
        (False, (), (FAILURE,), False),
    ],
)
def test_triage_needs_review_exactly_when_flagged(
    needs_review: bool,
    review_reasons: tuple[Reason, ...],
    failures: tuple[PluginFailure, ...],
    valid: bool,
) -> None:
    fields = {"needs_review": needs_review, "review_reasons": review_reasons, "failures": failures}
    if valid:
        assert make_triage(**fields).needs_review is needs_review
        return
    with pytest.raises(ValidationError) as excinfo:
        make_triage(**fields)
    assert problems(excinfo) == [
        ("$.needs_review", "must be true exactly when there are review reasons or failures")
    ]


def test_triage_decision_reports_every_problem_together() -> None:
    with pytest.raises(ValidationError) as excinfo:
        make_triage(call_id="", decided_at=NAIVE, alert_at=NAIVE, attend_by="soon", reasons=[])
    assert excinfo.value.type_name == "TriageDecision"
    assert problems(excinfo) == [
        ("$.call_id", "must not be empty"),
        ("$.decided_at", NAIVE_MESSAGE),
        ("$.alert_at", NAIVE_MESSAGE),
        ("$.attend_by", "must be a datetime with a UTC offset"),
        ("$.reasons", "a triage decision needs at least one reason"),
    ]


def test_form_compliance() -> None:
    compliance = FormCompliance("INC-1", FormStatus.LATE, [REASON])
    assert compliance.status is FormStatus.LATE
    with pytest.raises(ValidationError) as excinfo:
        FormCompliance(" ", FormStatus.MISSING, ())
    assert problems(excinfo) == [
        ("$.incident_id", "must not be empty"),
        ("$.reasons", "a compliance finding needs at least one reason"),
    ]


def test_dvpn_check_is_a_plain_value() -> None:
    check = DvpnCheck(False, ("the suspect is under 18",))
    assert check == DvpnCheck(False, ("the suspect is under 18",))
    assert check.eligible is False


@pytest.mark.parametrize(
    ("needs_review", "failures", "valid"),
    [(False, (), True), (True, (FAILURE,), True), (True, (), False), (False, (FAILURE,), False)],
)
def test_event_outcome_needs_review_exactly_when_a_plugin_failed(
    needs_review: bool, failures: tuple[PluginFailure, ...], valid: bool
) -> None:
    if valid:
        outcome = make_event_outcome(needs_review=needs_review, failures=failures)
        assert outcome.needs_review is needs_review
        return
    with pytest.raises(ValidationError) as excinfo:
        make_event_outcome(needs_review=needs_review, failures=failures)
    assert problems(excinfo) == [("$.needs_review", "must be true exactly when a plug-in failed")]


def test_event_outcome_reports_every_problem_together() -> None:
    with pytest.raises(ValidationError) as excinfo:
        make_event_outcome(event_id="", decided_at=NAIVE, reasons=[], tasks=[])
    assert excinfo.value.type_name == "EventOutcome"
    assert problems(excinfo) == [
        ("$.event_id", "must not be empty"),
        ("$.decided_at", NAIVE_MESSAGE),
        ("$.reasons", "an event outcome needs at least one reason"),
    ]
