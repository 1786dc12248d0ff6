"""The seven-step plan: the same 28 days for crimes and non-crime incidents.

Steps 1-3 (the golden hour) are due an hour after the report, step 4 (neighbourhood
visit) 24 hours after it, steps 5 and 6 (reassurance visits, the inspector's letter)
within the next two weeks, step 7 at 28 days; the action plan is reviewed at least every
ten days (HMIC 2014). Hour deadlines are elapsed time; day deadlines keep the London
wall-clock time across the clock changes.
"""

from __future__ import annotations

import importlib.util
import sys
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from types import ModuleType
from typing import Any

import attrs
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from dapolicy import (
    Child,
    Crime,
    Decision,
    DomesticAbuseVerdict,
    Incident,
    InMemoryHistory,
    OffenceCategory,
    Relationship,
    RelationshipKind,
    Task,
)
from dapolicy.history import HistoryEntry
from dapolicy.models._base import LONDON, micros
from dapolicy.policy import Policy
from dapolicy.settings import Settings, SevenStepSettings
from dapolicy.testing.strategies import children, incidents


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
SOURCE = "HMIC 2014 inspection: the seven-step plan"
STEPS = (
    "step-1-respond",
    "step-2-intelligence",
    "step-3-positive-action",
    "step-4-neighbourhood-visit",
    "step-5-reassurance-visits",
    "step-6-inspector-letter",
    "step-7-review-visit",
)
PLAN_TASKS = frozenset({*STEPS, "action-plan-review"})
CRIME = Crime("CR-1", OffenceCategory.COMMON_ASSAULT)
CRIME_SCOPE = "a domestic-abuse crime"
INCIDENT_SCOPE = "a non-crime incident, given the same plan (force setting)"


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]


def incident_reported(at: datetime, *, crime: Crime | None = None, **kwargs: Any) -> Incident:
    return h.make_incident(at=at, reported_at=at, crime=crime, **kwargs)


def decide(incident: Incident, policy: Policy = POLICY, **kwargs: Any) -> Decision:
    return policy.assess(incident, None, now=incident.reported_at, **kwargs)


def plan(decision: Decision) -> list[Task]:
    return [t for t in decision.tasks if t.what in PLAN_TASKS]


def timetable(decision: Decision) -> list[tuple[str, int]]:
    """(task, due instant in microseconds), in the decision's order."""
    return [(t.what, micros(t.due_by)) for t in plan(decision)]


def expected(*rows: tuple[str, datetime]) -> list[tuple[str, int]]:
    return [(what, micros(due)) for what, due in rows]


def default_timetable(
    reported: datetime, d10: datetime, d15: datetime, d20: datetime, d28: datetime
) -> list[tuple[str, int]]:
    reported = reported.astimezone(UTC)
    golden = reported + timedelta(hours=1)
    return expected(
        ("step-1-respond", golden),
        ("step-2-intelligence", golden),
        ("step-3-positive-action", golden),
        ("step-4-neighbourhood-visit", reported + timedelta(hours=24)),
        ("action-plan-review", d10),
        ("step-5-reassurance-visits", d15),
        ("step-6-inspector-letter", d15),
        ("action-plan-review", d20),
        ("step-7-review-visit", d28),
    )


#: A Wednesday evening in January (GMT); the 28 days end on 7 February, no clock change.
WINTER = utc(2024, 1, 10, 20, 10)
WINTER_TIMETABLE = default_timetable(
    WINTER,
    utc(2024, 1, 20, 20, 10),
    utc(2024, 1, 25, 20, 10),
    utc(2024, 1, 30, 20, 10),
    utc(2024, 2, 7, 20, 10),
)


# --- the plan ------------------------------------------------------------------------------------


@pytest.mark.parametrize("crime", [CRIME, None], ids=["crime", "non-crime"])
def test_the_nine_tasks_and_their_due_times(crime: Crime | None) -> None:
    decision = decide(incident_reported(WINTER, crime=crime))
    assert timetable(decision) == WINTER_TIMETABLE
    assert decision.tasks == tuple(plan(decision))  # nothing else without children
    assignees = {t.what: t.assignee for t in decision.tasks}
    assert assignees == {
        "step-1-respond": "control room",
        "step-2-intelligence": "control room",
        "step-3-positive-action": "attending officer",
        "step-4-neighbourhood-visit": "neighbourhood officer",
        "step-5-reassurance-visits": "neighbourhood officer or PCSO",
        "step-6-inspector-letter": "local inspector",
        "step-7-review-visit": "neighbourhood officer or PCSO",
        "action-plan-review": "neighbourhood team",
    }
    assert {t.for_whom for t in decision.tasks} == {"V-1"}
    assert decision.needs_review  # no form: chase it; the plan is set anyway


def test_crimes_and_non_crime_incidents_get_the_same_plan() -> None:
    crime = decide(incident_reported(WINTER, crime=CRIME))
    incident = decide(incident_reported(WINTER))
    as_work = [(t.what, t.for_whom, t.due_by, t.assignee) for t in crime.tasks]
    assert as_work == [(t.what, t.for_whom, t.due_by, t.assignee) for t in incident.tasks]
    for task in plan(crime):
        if task.what in STEPS:
            assert task.reasons[0].text.endswith(f": {CRIME_SCOPE}")
    for task in plan(incident):
        if task.what in STEPS:
            assert task.reasons[0].text.endswith(f": {INCIDENT_SCOPE}")


def test_every_task_has_a_reason_with_its_rule_and_source() -> None:
    decision = decide(incident_reported(WINTER, crime=CRIME))
    for task in plan(decision):
        (reason,) = task.reasons
        assert reason.rule == f"seven-step.{task.what}"
        assert reason.source.startswith(SOURCE)
        assert reason.text
    reviews = [t for t in decision.tasks if t.what == "action-plan-review"]
    assert [t.reasons[0].text for t in reviews] == [
        "review the action plan (day 10)",
        "review the action plan (day 20)",
    ]
    assert {t.reasons[0].source for t in reviews} == {
        f"{SOURCE}: action plans updated at least every 10 days"
    }
    step4 = next(t for t in decision.tasks if t.what == "step-4-neighbourhood-visit")
    assert step4.reasons[0].text == (
        f"visit to reassure, signpost and review safeguarding: {CRIME_SCOPE}"
    )


def test_the_plan_is_due_from_the_report_not_the_incident() -> None:
    incident = h.make_incident(at=WINTER - timedelta(days=3), reported_at=WINTER)
    assert timetable(decide(incident)) == WINTER_TIMETABLE


def test_turning_the_plan_off_for_incidents_keeps_it_for_crimes() -> None:
    policy = h.make_policy(Settings(seven_step=SevenStepSettings(apply_to_incidents=False)))
    assert plan(decide(incident_reported(WINTER), policy)) == []
    assert timetable(decide(incident_reported(WINTER, crime=CRIME), policy)) == WINTER_TIMETABLE
    # Other work still stands for a non-crime incident: the children's welfare checks.
    kid = Child("C-1", 4, present=True)
    with_child = decide(incident_reported(WINTER, children=[kid]), policy)
    assert [t.what for t in with_child.tasks] == ["child-welfare-check", "operation-encompass"]


def test_a_custom_timetable() -> None:
    settings = SevenStepSettings(
        golden_hour_minutes=30,
        neighbourhood_visit_hours=48,
        reassurance_days=14,
        review_days=30,
        action_plan_review_days=7,
    )
    decision = decide(incident_reported(WINTER), h.make_policy(Settings(seven_step=settings)))
    golden = WINTER + timedelta(minutes=30)
    assert timetable(decision) == expected(
        ("step-1-respond", golden),
        ("step-2-intelligence", golden),
        ("step-3-positive-action", golden),
        ("step-4-neighbourhood-visit", WINTER + timedelta(hours=48)),
        ("action-plan-review", utc(2024, 1, 17, 20, 10)),
        ("action-plan-review", utc(2024, 1, 24, 20, 10)),
        ("step-5-reassurance-visits", utc(2024, 1, 24, 20, 10)),
        ("step-6-inspector-letter", utc(2024, 1, 24, 20, 10)),
        ("action-plan-review", utc(2024, 1, 31, 20, 10)),
        ("action-plan-review", utc(2024, 2, 7, 20, 10)),
        ("step-7-review-visit", utc(2024, 2, 9, 20, 10)),
    )
    reviews = [t for t in decision.tasks if t.what == "action-plan-review"]
    assert [t.reasons[0].text for t in reviews] == [
        f"review the action plan (day {d})" for d in (7, 14, 21, 28)
    ]
    assert reviews[0].reasons[0].source.endswith("at least every 7 days")


def test_no_action_plan_review_on_or_after_the_review_day() -> None:
    settings = SevenStepSettings(reassurance_days=10, review_days=20, action_plan_review_days=10)
    decision = decide(incident_reported(WINTER), h.make_policy(Settings(seven_step=settings)))
    reviews = [t for t in decision.tasks if t.what == "action-plan-review"]
    assert [micros(t.due_by) for t in reviews] == [micros(utc(2024, 1, 20, 20, 10))]
    step7 = next(t for t in decision.tasks if t.what == "step-7-review-visit")
    assert step7.due_by == utc(2024, 1, 30, 20, 10)


# --- which cases ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "verdict"),
    [
        (
            {"relationship": Relationship(RelationshipKind.OTHER)},
            DomesticAbuseVerdict.NOT_DOMESTIC,
        ),
        ({"victim_born": date(2010, 1, 1)}, DomesticAbuseVerdict.CHILD_SAFEGUARDING),
        ({"suspect_born": date(2009, 6, 1)}, DomesticAbuseVerdict.CHILD_SAFEGUARDING),
    ],
    ids=["not-domestic", "victim-under-16", "suspect-under-16"],
)
@pytest.mark.parametrize("crime", [CRIME, None], ids=["crime", "non-crime"])
def test_no_plan_outside_the_definition(
    changes: dict[str, Any], verdict: DomesticAbuseVerdict, crime: Crime | None
) -> None:
    decision = decide(incident_reported(WINTER, crime=crime, **changes))
    assert decision.domestic_abuse is verdict
    assert plan(decision) == []


def test_an_undetermined_case_gets_the_plan() -> None:
    decision = decide(incident_reported(WINTER, suspect_born=None))
    assert decision.domestic_abuse is DomesticAbuseVerdict.UNDETERMINED
    assert timetable(decision) == WINTER_TIMETABLE


def test_sixteenth_birthday_on_the_day_is_domestic_abuse_and_gets_the_plan() -> None:
    decision = decide(incident_reported(WINTER, victim_born=date(2008, 1, 10)))
    assert decision.domestic_abuse is DomesticAbuseVerdict.DOMESTIC_ABUSE
    assert timetable(decision) == WINTER_TIMETABLE


# --- daylight saving -----------------------------------------------------------------------------


def wall(moment: datetime) -> tuple[datetime, timedelta | None]:
    """The London wall-clock time and offset of an instant."""
    local = moment.astimezone(LONDON)
    return local.replace(tzinfo=None), local.utcoffset()


GMT, BST = timedelta(0), timedelta(hours=1)


def test_march_clock_change_keeps_the_wall_clock_for_days() -> None:
    # Reported 22:40 GMT on Wednesday 20 March 2024; clocks go forward on 31 March.
    reported = utc(2024, 3, 20, 22, 40)
    decision = decide(incident_reported(reported))
    assert timetable(decision) == default_timetable(
        reported,
        utc(2024, 3, 30, 22, 40),  # day 10: still GMT
        utc(2024, 4, 4, 21, 40),  # day 15: 22:40 BST
        utc(2024, 4, 9, 21, 40),
        utc(2024, 4, 17, 21, 40),
    )
    step7 = next(t for t in decision.tasks if t.what == "step-7-review-visit")
    assert wall(step7.due_by) == (datetime(2024, 4, 17, 22, 40), BST)
    assert micros(step7.due_by) - micros(reported) == (28 * 24 - 1) * 3600 * 10**6


def test_october_clock_change_keeps_the_wall_clock_for_days() -> None:
    # Reported 08:15 BST on Thursday 10 October 2024; clocks go back on 27 October.
    reported = datetime(2024, 10, 10, 8, 15, tzinfo=LONDON)
    decision = decide(incident_reported(reported))
    assert timetable(decision) == default_timetable(
        reported,
        utc(2024, 10, 20, 7, 15),  # day 10: 08:15 BST
        utc(2024, 10, 25, 7, 15),  # day 15: 08:15 BST
        utc(2024, 10, 30, 8, 15),  # day 20: 08:15 GMT
        utc(2024, 11, 7, 8, 15),  # day 28: 08:15 GMT
    )
    step7 = next(t for t in decision.tasks if t.what == "step-7-review-visit")
    assert wall(step7.due_by) == (datetime(2024, 11, 7, 8, 15), GMT)


def test_hour_deadlines_across_the_change_are_elapsed_time() -> None:
    # 09:00 GMT on Saturday 30 March: the neighbourhood visit is due 24 hours later,
    # which is 10:00 BST on the Sunday.
    reported = utc(2024, 3, 30, 9, 0)
    decision = decide(incident_reported(reported))
    step4 = next(t for t in decision.tasks if t.what == "step-4-neighbourhood-visit")
    assert step4.due_by == utc(2024, 3, 31, 9, 0)
    assert wall(step4.due_by) == (datetime(2024, 3, 31, 10, 0), BST)
    # And in October, 24 hours after 09:00 BST on Saturday 26th is 08:00 GMT on Sunday.
    reported = datetime(2024, 10, 26, 9, 0, tzinfo=LONDON)
    step4 = next(
        t
        for t in decide(incident_reported(reported)).tasks
        if t.what == "step-4-neighbourhood-visit"
    )
    assert wall(step4.due_by) == (datetime(2024, 10, 27, 8, 0), GMT)


def test_a_day_deadline_in_the_spring_gap_moves_later() -> None:
    # Reported 01:30 GMT on 3 March; 28 days later 01:30 does not exist in London:
    # the deadline is 02:30 BST, the same instant as 01:30 GMT would have been.
    reported = utc(2024, 3, 3, 1, 30)
    step7 = next(
        t for t in decide(incident_reported(reported)).tasks if t.what == "step-7-review-visit"
    )
    assert step7.due_by == utc(2024, 3, 31, 1, 30)
    assert wall(step7.due_by) == (datetime(2024, 3, 31, 2, 30), BST)


def test_a_day_deadline_in_the_autumn_overlap_is_the_first_occurrence() -> None:
    # Reported 01:30 BST on 29 September; 28 days later 01:30 happens twice: the first
    # (BST, the earlier instant) is the deadline.
    reported = datetime(2024, 9, 29, 1, 30, tzinfo=LONDON)
    step7 = next(
        t for t in decide(incident_reported(reported)).tasks if t.what == "step-7-review-visit"
    )
    assert micros(step7.due_by) == micros(utc(2024, 10, 27, 0, 30))
    assert wall(step7.due_by) == (datetime(2024, 10, 27, 1, 30), BST)


@pytest.mark.parametrize("fold", [0, 1], ids=["first-01:30-BST", "second-01:30-GMT"])
def test_a_report_in_the_repeated_hour(fold: int) -> None:
    reported = datetime(2024, 10, 27, 1, 30, tzinfo=LONDON, fold=fold)
    start = reported.astimezone(UTC)
    decision = decide(incident_reported(reported))
    assert timetable(decision) == default_timetable(
        start,
        datetime(2024, 11, 6, 1, 30, tzinfo=UTC),
        datetime(2024, 11, 11, 1, 30, tzinfo=UTC),
        datetime(2024, 11, 16, 1, 30, tzinfo=UTC),
        datetime(2024, 11, 24, 1, 30, tzinfo=UTC),
    )
    assert all(micros(t.due_by) > micros(reported) for t in decision.tasks)
    assert not [f for f in decision.failures if f.hook == "dapolicy_tasks"]


# --- properties ----------------------------------------------------------------------------------

OFFSETS = (UTC, LONDON, timezone(timedelta(hours=5, minutes=30)), timezone(-timedelta(hours=11)))


def work(decision: Decision) -> list[tuple[str, str, int, str | None]]:
    return [(t.what, t.for_whom, micros(t.due_by), t.assignee) for t in decision.tasks]


@given(incidents())
def test_property_every_task_is_due_strictly_after_the_report(incident: Incident) -> None:
    decision = decide(incident)
    for task in decision.tasks:
        assert micros(task.due_by) > micros(incident.reported_at), task.what
    assert not [f for f in decision.failures if f.hook == "dapolicy_tasks"]
    if decision.domestic_abuse in (
        DomesticAbuseVerdict.DOMESTIC_ABUSE,
        DomesticAbuseVerdict.UNDETERMINED,
    ):
        assert sorted(t.what for t in plan(decision)) == sorted(
            [*STEPS, "action-plan-review", "action-plan-review"]
        )
    else:
        assert plan(decision) == []


@given(incidents())
def test_property_no_task_without_a_reason(incident: Incident) -> None:
    for task in decide(incident).tasks:
        assert task.reasons
        for reason in task.reasons:
            assert reason.rule.strip()
            assert reason.source.strip()
            assert reason.text.strip()
        if task.what in PLAN_TASKS:
            assert [r.rule for r in task.reasons] == [f"seven-step.{task.what}"]
            assert task.reasons[0].source.startswith(SOURCE)
            # The plan makes its tasks without Task's checks once it has checked the
            # victim and the due times: each is one the public constructor makes alike.
            again = Task(task.what, task.for_whom, task.due_by, task.reasons, task.assignee)
            assert again == task
            assert again.due_by.utcoffset() == task.due_by.utcoffset()


def test_a_plan_past_the_supported_years_fails_at_its_first_task_out_of_range() -> None:
    """The plan's checks, made once for every task, still stop at the first bad one.

    Reported on 20 December 2200, steps 1-4 fall in 2200 and step 5 (15 days on) in
    2201, past the supported years: the four are kept, and the plan is a failure.
    """
    at = utc(2200, 12, 20, 12)
    decision = decide(incident_reported(at))
    assert [t.what for t in plan(decision)] == list(STEPS[:4])
    assert [(f.plugin, f.error) for f in decision.failures] == [
        ("seven-step-plan", "ValidationError raised, at $.due_by")
    ]
    assert decision.needs_review


@given(incidents(domestic=True), st.sampled_from(OFFSETS), st.sampled_from(OFFSETS))
def test_property_due_times_do_not_depend_on_the_offset_written(
    incident: Incident, first: timezone, second: timezone
) -> None:
    one = attrs.evolve(
        incident,
        reported_at=incident.reported_at.astimezone(first),
        occurred_at=incident.occurred_at.astimezone(first),
    )
    two = attrs.evolve(
        incident,
        reported_at=incident.reported_at.astimezone(second),
        occurred_at=incident.occurred_at.astimezone(second),
    )
    a, b = decide(one), decide(two)
    assert work(a) == work(b)
    assert [wall(t.due_by) for t in a.tasks] == [wall(t.due_by) for t in b.tasks]


def _exists(naive_local: datetime) -> bool:
    """The London wall-clock time happens (is not in the spring gap)."""
    there_and_back = naive_local.replace(tzinfo=LONDON).astimezone(UTC).astimezone(LONDON)
    return there_and_back.replace(tzinfo=None) == naive_local


@given(incidents(domestic=True, crime=True))
def test_property_day_deadlines_are_london_calendar_days(incident: Incident) -> None:
    decision = decide(incident)
    start = incident.reported_at.astimezone(LONDON).replace(tzinfo=None)
    for what, days in (
        ("action-plan-review", 10),
        ("step-5-reassurance-visits", 15),
        ("step-6-inspector-letter", 15),
        ("step-7-review-visit", 28),
    ):
        task = next(t for t in decision.tasks if t.what == what)
        local = task.due_by.astimezone(LONDON).replace(tzinfo=None)
        target = start + timedelta(days=days)
        if _exists(target):
            assert local == target, what
        else:  # in the spring gap: an hour on, never earlier
            assert local == target + timedelta(hours=1), what


@given(
    incidents(domestic=True),
    children(ids="C-NEW", in_household=True),
    st.booleans(),
)
def test_property_a_child_never_removes_a_task(
    incident: Incident, child: Child, crime: bool
) -> None:
    assume(all(c.id != "C-NEW" for c in incident.children))
    incident = attrs.evolve(incident, crime=CRIME if crime else None)
    before = set(work(decide(incident)))
    after_decision = decide(attrs.evolve(incident, children=(*incident.children, child)))
    after = set(work(after_decision))
    assert before <= after
    assert any(
        t.what == "child-welfare-check" and t.for_whom == "C-NEW" for t in after_decision.tasks
    )


@given(incidents(domestic=True), st.integers(1, 400))
def test_property_a_prior_incident_never_removes_a_task(incident: Incident, days: int) -> None:
    history = InMemoryHistory()
    before = set(work(decide(incident, history=history)))
    history.record_incident(
        HistoryEntry(
            "INC-PRIOR",
            incident.victim.id,
            incident.suspect.id,
            incident.occurred_at - timedelta(days=days),
        )
    )
    after = set(work(decide(incident, history=history)))
    assert before <= after
