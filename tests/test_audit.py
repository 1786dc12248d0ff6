"""The audit: the report's headline figures back from a synthetic year, and exact counts."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import attrs
import pytest

from dapolicy import (
    AbuseType,
    Answer,
    Call,
    Case,
    Child,
    Crime,
    Incident,
    OffenceCategory,
    Outcome,
    Person,
    Relationship,
    RelationshipKind,
    RiskForm,
    RiskGrade,
    from_json,
    to_json,
)
from dapolicy.audit import (
    ARREST_BAND,
    PUBLISHED,
    AuditReport,
    ForceTotals,
    Share,
    audit,
    figures,
    percentile,
    render_text,
)
from dapolicy.errors import ValidationError
from dapolicy.policy import Policy
from dapolicy.synth import STAFFORDSHIRE_2013, plan_counts, synthesize, totals_for

#: A Monday evening in March (GMT).
T0 = datetime(2024, 3, 4, 20, 0, tzinfo=UTC)
PARTNER = Relationship(RelationshipKind.INTIMATE_PARTNER)


@pytest.fixture(scope="module")
def policy() -> Policy:
    return Policy()


# --- the headline ---------------------------------------------------------------------


def test_a_synthetic_year_gives_back_the_reports_headline_figures(policy: Policy) -> None:
    """synth --profile staffordshire-2013, then audit: the report's percentages, exactly.

    n is the profile's reference size, 14,610 incidents: 40 % of them (the assumed
    crime share) are the report's 5,844 crimes, so every count is the report's own and
    the force totals are the report's (269, 6,884, 1,307, 1,246). Grading all 14,610
    with the policy takes a few seconds.
    """
    profile = STAFFORDSHIRE_2013
    n = profile.reference_cases
    report = audit(synthesize(n, 2014, profile), totals=totals_for(profile, n), policy=policy)

    def pct(share: Share | None) -> int:
        assert share is not None
        assert share.percent is not None
        return round(share.percent)

    assert report.cases == n
    assert report.crimes == 5_844
    assert pct(report.da_share_of_calls) == 5
    assert pct(report.repeat_caller_share) == 32
    assert pct(report.da_share_of_crime) == 10
    groups = {g.offence: g for g in report.offence_groups}
    expected = {
        OffenceCategory.ASSAULT_WITH_INTENT: (36, 269, 13),
        OffenceCategory.ASSAULT_WITH_INJURY: (2_084, 6_884, 30),
        OffenceCategory.HARASSMENT: (704, 1_307, 54),
        OffenceCategory.SEXUAL_OFFENCE: (156, 1_246, 13),
    }
    for category, (count, total, percent) in expected.items():
        assert (groups[category].domestic_abuse, groups[category].force_total) == (count, total)
        assert pct(groups[category].share) == percent
    assert report.arrests_per_100 is not None
    assert round(report.arrests_per_100) == 64
    assert report.arrests_within_band is True
    assert pct(report.charge_rate) == 26
    assert pct(report.caution_rate) == 9
    assert pct(report.out_of_court_rate) == 1
    assert pct(report.forms_crime.not_received) == 38
    # Every published figure, rounded as the report rounds, and nothing more.
    for row in figures(report):
        if row.published is not None:
            assert row.value is not None
            assert round(row.value) == row.published, row.key
    assert {r.key for r in figures(report) if r.published is not None} == set(PUBLISHED)
    # Every review reason of the year is in words: a rule id shown raw was a gap.
    unlabelled = [r.rule for r in report.review_reasons if r.label == r.rule]
    assert unlabelled == []
    assert len(report.review_reasons) >= 5
    # What the report could not give: active cases by grade, all of them graded.
    assert report.grades.total == n
    assert report.grades.high > 0
    # The synthetic MASH: next day, and the weekend (and late forms) beyond 24 h.
    counts = plan_counts(profile, n)
    assert report.latency.graded == counts.forms_received
    assert report.latency.median_hours is not None
    assert 12 < report.latency.median_hours < 36
    assert report.latency.over_24h > 0
    assert report.children.incidents_present_unchecked == counts.welfare_unchecked_incidents
    assert report.victims == counts.victims
    assert report.repeat_calls_detected == report.repeat_calls


# --- hand-built cases -----------------------------------------------------------------


def person(pid: str) -> Person:
    return Person(pid, date_of_birth=date(1990, 5, 17))


def incident(
    iid: str,
    *,
    victim: str,
    at: datetime,
    crime: Crime | None = None,
    children: tuple[Child, ...] = (),
    call_id: str | None = None,
) -> Incident:
    return Incident(
        id=iid,
        reported_at=at,
        occurred_at=at - timedelta(minutes=10),
        victim=person(victim),
        suspect=person(f"S-{victim}"),
        relationship=PARTNER,
        abuse_types=frozenset({AbuseType.PHYSICAL}),
        children=children,
        crime=crime,
        call_id=call_id,
    )


def form(
    item: Incident, *, submitted_after_h: float | None, off_duty_after_h: float = 8
) -> RiskForm:
    completed = item.reported_at + timedelta(hours=1)
    return RiskForm(
        incident_id=item.id,
        checklist="dash-2009-police",
        answers={"1": Answer.YES, "2": Answer.NO},
        completed_by="PC-1",
        completed_at=completed,
        submitted_at=(
            None if submitted_after_h is None else completed + timedelta(hours=submitted_after_h)
        ),
        officer_off_duty_at=completed + timedelta(hours=off_duty_after_h),
    )


def call(cid: str, item: Incident, *, repeat: bool) -> Call:
    return Call(cid, item.reported_at, caller=Person(item.victim.id), repeat_caller=repeat)


def hand_built() -> list[Case]:
    one = incident(
        "I-1",
        victim="V-1",
        at=T0,
        crime=Crime("C-1", OffenceCategory.ASSAULT_WITH_INJURY, True, Outcome.CHARGE),
        children=(Child("K-1", 4, present=True, usually_resident=True, welfare_checked=True),),
        call_id="CALL-1",
    )
    two = incident(
        "I-2",
        victim="V-1",
        at=T0 + timedelta(days=60),
        children=(
            Child("K-1", 4, present=True, usually_resident=True),
            Child("K-2", 9, present=False, usually_resident=True),
        ),
        call_id="CALL-2",
    )
    three = incident(
        "I-3",
        victim="V-2",
        at=T0 + timedelta(days=1),
        crime=Crime(
            "C-3",
            OffenceCategory.HARASSMENT,
            outcome=Outcome.NO_FURTHER_ACTION,
            outcome_rationale="victim withdrew support",
        ),
    )
    four = incident(
        "I-4",
        victim="V-3",
        at=T0 + timedelta(days=2),
        crime=Crime("C-4", OffenceCategory.SEXUAL_OFFENCE),
    )
    return [
        Case(
            one,
            form(one, submitted_after_h=2),
            call("CALL-1", one, repeat=False),
            one.reported_at + timedelta(hours=14),
            RiskGrade.STANDARD,
        ),
        Case(two, None, call("CALL-2", two, repeat=True)),
        Case(
            three,
            form(three, submitted_after_h=20),
            None,
            three.reported_at + timedelta(hours=80),
            RiskGrade.MEDIUM,
        ),
        Case(four, form(four, submitted_after_h=None)),
    ]


TOTALS = ForceTotals(
    all_calls=40,
    all_crimes=30,
    assault_with_intent=10,
    assault_with_injury=4,
    harassment=2,
    sexual_offences=8,
)


def test_hand_built_cases_give_exact_figures(policy: Policy) -> None:
    report = audit(iter(hand_built()), totals=TOTALS, policy=policy)
    assert report.cases == 4
    assert report.calls == 2
    assert report.repeat_calls == 1
    assert report.repeat_calls_detected == 1
    assert report.da_share_of_calls == Share(2, 40)
    assert report.da_share_of_crime == Share(3, 30)
    assert report.repeat_caller_share.percent == 50
    shares = {g.offence: g.share for g in report.offence_groups}
    assert shares == {
        OffenceCategory.ASSAULT_WITH_INTENT: Share(0, 10),
        OffenceCategory.ASSAULT_WITH_INJURY: Share(1, 4),
        OffenceCategory.HARASSMENT: Share(1, 2),
        OffenceCategory.SEXUAL_OFFENCE: Share(1, 8),
    }
    assert report.crimes == 3
    assert report.non_crime_incidents == 1
    assert report.arrests == 1
    assert report.arrests_per_100 == pytest.approx(100 / 3)
    assert report.arrests_within_band is False
    assert (report.outcomes.charge, report.outcomes.no_further_action, report.outcomes.open) == (
        1,
        1,
        1,
    )
    assert report.charge_rate == Share(1, 3)
    assert (report.forms_crime.on_time, report.forms_crime.late) == (1, 1)
    assert (report.forms_crime.not_submitted, report.forms_crime.missing) == (1, 0)
    assert report.forms_crime.not_received == Share(1, 3)
    assert report.forms_crime.missing_or_late == Share(2, 3)
    assert report.forms_non_crime.missing == 1
    assert report.forms_non_crime.not_received == Share(1, 1)
    kids = report.children
    assert (kids.incidents_with_children, kids.incidents_children_present) == (2, 2)
    assert kids.incidents_present_unchecked == 1
    assert (kids.children_present, kids.children_present_unchecked) == (2, 1)
    latency = report.latency
    assert latency.graded == 2
    assert latency.awaiting_grade == 0
    assert latency.median_hours == pytest.approx(47)
    assert latency.p90_hours == pytest.approx(14 + 0.9 * 66)
    assert (latency.over_24h, latency.over_72h) == (1, 1)
    assert {b.label: b.count for b in latency.bins if b.count} == {"12-24 h": 1, "72 h or more": 1}
    assert report.recorded_grades.standard == report.recorded_grades.medium == 1
    assert report.grades.total == 4
    assert report.needs_review >= 1  # the incident with no form
    assert (report.victims, report.repeat_victims) == (3, 1)
    assert report.repeat_victim_incidents == 1
    assert report.definition.domestic_abuse == 4
    assert report.first_reported_at == T0
    assert report.last_reported_at == T0 + timedelta(days=60)
    assert report.as_of == report.last_reported_at


def test_without_totals_the_shares_of_force_figures_are_not_computed(policy: Policy) -> None:
    report = audit(hand_built(), policy=policy)
    assert report.totals is None
    assert report.da_share_of_calls is None
    assert report.da_share_of_crime is None
    assert all(group.share is None for group in report.offence_groups)
    assert [g.domestic_abuse for g in report.offence_groups] == [0, 1, 1, 1]
    text = render_text(report)
    assert "force totals not given" in text
    assert "n/a" in text


def test_empty_input(policy: Policy) -> None:
    report = audit([], policy=policy)
    assert report.cases == 0
    assert report.as_of is None
    assert report.arrests_per_100 is None
    assert report.arrests_within_band is None
    assert report.charge_rate.percent is None
    assert report.repeat_victim_share.ratio is None
    assert report.latency.median_hours is None
    assert report.latency.p90_hours is None
    assert all(b.count == 0 for b in report.latency.bins)
    assert "0 cases, no cases" in render_text(report)


def test_no_forms_at_all(policy: Policy) -> None:
    cases = [Case(case.incident) for case in hand_built()]
    report = audit(cases, policy=policy)
    assert report.forms_crime.missing == 3
    assert report.forms_non_crime.missing == 1
    assert report.forms_crime.not_received == Share(3, 3)
    assert report.latency.graded == 0
    assert report.needs_review == 4


def test_awaiting_grade_and_the_as_of_stamp(policy: Policy) -> None:
    one = hand_built()[0]
    now = T0 + timedelta(days=3)
    report = audit([Case(one.incident, one.form, one.call)], policy=policy, now=now)
    assert report.latency.awaiting_grade == 1
    assert report.as_of == now


def test_a_naive_now_is_refused(policy: Policy) -> None:
    with pytest.raises(ValidationError):
        audit([], policy=policy, now=datetime(2024, 1, 1))


def test_repeat_victims_need_two_incidents_within_twelve_months(policy: Policy) -> None:
    cases = [
        Case(incident("A-1", victim="A", at=T0)),
        Case(incident("A-2", victim="A", at=T0 + timedelta(days=400))),  # 13 months on
        Case(incident("B-1", victim="B", at=T0 + timedelta(days=10))),
        Case(incident("B-2", victim="B", at=T0 + timedelta(days=300))),  # 10 months on
        Case(incident("C-1", victim="C", at=T0 + timedelta(days=20))),
    ]
    report = audit(cases, policy=policy)
    assert (report.victims, report.repeat_victims) == (3, 1)


def test_arrests_band_edges(policy: Policy) -> None:
    report = audit([], policy=policy)
    assert ARREST_BAND == (45, 90)
    for arrests, inside in ((45, True), (90, True), (44, False), (91, False)):
        changed = attrs.evolve(report, arrests=arrests, crimes=100)
        assert changed.arrests_within_band is inside


def test_percentiles_on_known_data() -> None:
    assert percentile([], 0.5) is None
    assert percentile([7.0], 0.9) == 7.0
    assert percentile([4.0, 1.0, 3.0, 2.0], 0.5) == 2.5
    assert percentile([1.0, 2.0, 3.0, 4.0], 0.9) == pytest.approx(3.7)
    assert percentile([float(i) for i in range(1, 11)], 0.9) == pytest.approx(9.1)
    assert percentile([10.0, 20.0], 0.0) == 10.0
    assert percentile([10.0, 20.0], 1.0) == 20.0


def test_the_report_round_trips_through_json(policy: Policy) -> None:
    report = audit(hand_built(), totals=TOTALS, policy=policy)
    text = to_json(report)
    assert from_json(AuditReport, text) == report
    assert "V-1" not in text  # no ids, no personal data: counts only
    assert "I-1" not in text


def test_force_totals_are_checked() -> None:
    with pytest.raises(ValidationError) as caught:
        ForceTotals(-1, 0, 0, 0, 0, 0)
    assert caught.value.errors[0].path == "$.all_calls"
    assert TOTALS.for_offence(OffenceCategory.STALKING) is None
    assert from_json(ForceTotals, to_json(TOTALS)) == TOTALS


def test_render_text_is_an_aligned_table_with_the_published_figures(policy: Policy) -> None:
    profile = STAFFORDSHIRE_2013
    report = audit(synthesize(400, 1, profile), totals=totals_for(profile, 400), policy=policy)
    text = render_text(report)
    lines = text.splitlines()
    header = next(line for line in lines if line.startswith("Figure"))
    value_end = header.index("Value") + len("Value")
    for row in figures(report):
        line = next(line for line in lines if line.startswith(row.label))
        assert line[:value_end].endswith(row.formatted())
        if row.published is not None:
            assert line[value_end + 2 :].startswith(row.formatted_published())
    assert "HMIC 2014" in text
    assert "38%" in text
    assert "45-90" in text
    bare = render_text(report, published=None)
    assert "HMIC 2014" not in bare
