"""Honest figures: a case nothing graded is "ungraded: needs review", never "standard"."""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dapolicy import (
    AbuseType,
    Answer,
    Case,
    Finding,
    Incident,
    Person,
    Reason,
    Relationship,
    RelationshipKind,
    RiskForm,
    RiskGrade,
    from_json,
    hookimpl,
    to_json,
)
from dapolicy.audit import (
    SMALL_COUNT,
    AuditReport,
    GradeCounts,
    ReviewCount,
    audit,
    figures,
    render_text,
)
from dapolicy.batch import assess_line
from dapolicy.history import InMemoryHistory
from dapolicy.policy import Policy
from dapolicy.synth import STAFFORDSHIRE_2013, UNIFORM, synthesize

T0 = datetime(2024, 3, 4, 20, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def policy() -> Policy:
    return Policy(load_entry_points=False)


def incident(iid: str, victim: str, at: datetime = T0) -> Incident:
    return Incident(
        id=iid,
        reported_at=at,
        occurred_at=at - timedelta(minutes=10),
        victim=Person(victim, date_of_birth=datetime(1990, 1, 1).date()),
        suspect=Person(f"S-{victim}", date_of_birth=datetime(1988, 1, 1).date()),
        relationship=Relationship(RelationshipKind.INTIMATE_PARTNER),
        abuse_types=frozenset({AbuseType.PHYSICAL}),
    )


def scored(item: Incident) -> RiskForm:
    return RiskForm(
        incident_id=item.id,
        checklist="dash-2009-police",
        # Every item answered: an unanswered key item is "not known", which needs review.
        answers={str(n): Answer.YES if n == 1 else Answer.NO for n in range(1, 28)},
        completed_by="PC-1",
        completed_at=item.reported_at + timedelta(hours=1),
    )


def test_a_case_with_no_form_and_no_finding_is_ungraded_not_standard(policy: Policy) -> None:
    report = audit([Case(incident("I-1", "V-1"))], policy=policy)
    # Before: GradeCounts(standard=1), a "standard" nobody graded.
    assert report.grades == GradeCounts(ungraded=1)
    assert report.grades.total == 1
    assert report.needs_review == 1
    assert set(report.review_reasons) == {
        ReviewCount("form.missing", 1),
        ReviewCount("grade.no-finding", 1),
    }
    rows = {row.key: row for row in figures(report)}
    assert rows["grade.standard"].value == 0
    assert rows["grade.ungraded"].value == 100
    assert rows["review.form.missing"].detail == "1 of 1"
    text = render_text(report)
    assert "Ungraded: needs review" in text
    assert "(small count)" in text
    assert f"fewer than {SMALL_COUNT}" in text


def test_a_scored_standard_form_stays_standard(policy: Policy) -> None:
    item = incident("I-1", "V-1")
    report = audit([Case(item, scored(item))], policy=policy)
    assert report.grades == GradeCounts(standard=1)
    assert report.review_reasons == ()


def test_needs_review_is_broken_down_by_reason_most_common_first(policy: Policy) -> None:
    first, second = incident("I-1", "V-1"), incident("I-2", "V-2", T0 + timedelta(hours=1))
    unknown = RiskForm(
        incident_id=second.id,
        checklist="no-such-checklist",
        answers={},
        completed_by="PC-1",
        completed_at=second.reported_at + timedelta(hours=1),
    )
    third = incident("I-3", "V-3", T0 + timedelta(hours=2))
    report = audit([Case(first), Case(second, unknown), Case(third)], policy=policy)
    assert report.review_reasons == (
        ReviewCount("grade.no-finding", 3),
        ReviewCount("form.missing", 2),
        ReviewCount("form.unknown-checklist", 1),
    )
    # A form no plug-in could score graded nothing either: ungraded, not standard.
    assert report.grades == GradeCounts(ungraded=3)
    assert [r.label for r in report.review_reasons] == [
        "no risk model graded it (ungraded)",
        "no risk form",
        "form on a checklist no plug-in knows",
    ]
    assert ReviewCount("definition.child_safeguarding", 1).label == (
        "definition test: child safeguarding"
    )
    assert ReviewCount("force.own-rule", 1).label == "force.own-rule"
    assert ReviewCount("dash.not-known-key-item", 1).label == "a key DASH item not known"


class _OwnReview:
    """A force's risk model that asks for review under its own rule id."""

    __name__ = "own-review"

    @staticmethod
    @hookimpl
    def dapolicy_assess_risk() -> Finding:
        why = Reason("Force.DA-9", "Force policy DA-9", "look again")
        return Finding("own-review", RiskGrade.STANDARD, [why], review_reasons=[why])


def test_a_forces_own_review_rule_is_shown_by_its_id_as_it_is() -> None:
    policy = Policy(load_entry_points=False, plugins=[_OwnReview()])
    item = incident("I-1", "V-1")
    report = audit([Case(item, scored(item))], policy=policy)
    rows = {row.key: row for row in figures(report)}
    assert rows["review.Force.DA-9"].label == "Force.DA-9"  # not "Force.da-9"
    assert rows["review.Force.DA-9"].detail == "1 of 1"


def test_the_json_report_carries_the_ungraded_count_and_the_reasons(policy: Policy) -> None:
    report = audit([Case(incident("I-1", "V-1"))], policy=policy)
    data = json.loads(to_json(report))
    assert data["grades"]["ungraded"] == 1
    assert data["review_reasons"] == [  # a tie: by rule id
        {"rule": "form.missing", "count": 1},
        {"rule": "grade.no-finding", "count": 1},
    ]
    assert from_json(AuditReport, to_json(report)) == report


def test_a_synthetic_year_no_longer_calls_formless_cases_standard(policy: Policy) -> None:
    report = audit(synthesize(1_000, 7, STAFFORDSHIRE_2013), policy=policy)
    grades = report.grades
    assert grades.ungraded > 0
    assert grades.total == report.cases
    # Every ungraded case needs review for want of a finding; most had no form at all.
    reasons = {r.rule: r.count for r in report.review_reasons}
    assert reasons["grade.no-finding"] == grades.ungraded
    assert reasons["form.missing"] >= grades.ungraded * 9 // 10


@settings(max_examples=10, deadline=None)
@given(n=st.integers(0, 60), seed=st.integers(0, 2**16))
def test_the_audits_grades_agree_with_the_decisions_one_by_one(n: int, seed: int) -> None:
    """The audit's counts, checked against the decisions ``dapolicy assess`` writes."""
    policy = Policy(load_entry_points=False)
    cases = list(synthesize(n, seed, UNIFORM))
    history = InMemoryHistory()
    expected: Counter[str] = Counter()
    reasons: Counter[str] = Counter()
    for number, case in enumerate(cases, start=1):
        result = assess_line(policy, history, number, to_json(case).encode())
        assert result.decision is not None
        decision = json.loads(result.decision)
        nothing = not decision["findings"] and decision["grade"] == "standard"
        expected["ungraded" if nothing else decision["grade"]] += 1
        reasons.update({r["rule"] for r in decision["review_reasons"]})
    report = audit(cases, policy=policy)
    assert report.grades == GradeCounts(
        expected["standard"], expected["medium"], expected["high"], expected["ungraded"]
    )
    assert {r.rule: r.count for r in report.review_reasons} == dict(reasons)
    counts = [r.count for r in report.review_reasons]
    assert counts == sorted(counts, reverse=True)
