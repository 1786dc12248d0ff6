"""After the incident (issue 11): Operation Encompass, Clare's Law, the Victims' Code,
and Right Care, Right Person.

Boundaries: an incident on the last school day of term; a Friday evening before a
bank holiday; the day the DVDS statutory guidance applied; a domestic-abuse call that
looks like a welfare call.
"""

from __future__ import annotations

import runpy
from datetime import date, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dapolicy.calendar import is_school_day, next_school_day_start
from dapolicy.models import (
    Child,
    Crime,
    Event,
    EventKind,
    OffenceCategory,
    Outcome,
    Relationship,
    RelationshipKind,
    Vulnerability,
)
from dapolicy.models.operations import ResponseGrade, Thrive
from dapolicy.rcrp import CallType, rcrp_may_divert
from dapolicy.settings import EncompassSettings, SchoolTerm, Settings, VictimsCodeSettings

#: The shared builders of the engine tests, run from their file (tests/ is not a package).
h = SimpleNamespace(**runpy.run_path(str(Path(__file__).with_name("engine_helpers.py"))))

LONDON = h.LONDON
POLICY = h.make_policy()
AUTUMN = SchoolTerm(date(2026, 9, 2), date(2026, 10, 23))
SPRING = SchoolTerm(date(2026, 11, 2), date(2026, 12, 18))
TERMS = Settings(encompass=EncompassSettings(terms=(AUTUMN, SPRING)))


def at(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=LONDON)


def tasks(decision: object, what: str) -> list[object]:
    return [t for t in decision.tasks if t.what == what]  # type: ignore[attr-defined]


def assess(incident: object, policy: object = POLICY) -> object:
    return policy.assess(incident, h.dash_form(incident), now=incident.reported_at)  # type: ignore[attr-defined]


# --- Operation Encompass -----------------------------------------------------------------------


def test_each_related_child_present_or_not_gets_a_school_notification() -> None:
    children = [
        Child("C-1", 7, present=True, related_to_victim=True),
        Child("C-2", 12, related_to_suspect=True),  # elsewhere, related
        Child("C-3", 9),  # neither related nor in the household: not this incident's
    ]
    # Wednesday 22:00: the next school day starts on Thursday at 08:30.
    incident = h.make_incident(at=at(2026, 9, 16, 21, 30), children=children)
    found = tasks(assess(incident), "operation-encompass")
    assert [t.for_whom for t in found] == ["C-1", "C-2"]
    assert {t.due_by for t in found} == {at(2026, 9, 17, 8, 30)}
    assert "Operation Encompass" in found[0].reasons[0].source


def test_an_incident_on_the_last_school_day_of_term_is_told_on_the_first_day_of_the_next() -> None:
    incident = h.make_incident(
        at=at(2026, 10, 23, 18, 0), children=[Child("C-1", 8, present=True)]
    )
    (task,) = tasks(assess(incident, h.make_policy(TERMS)), "operation-encompass")
    assert task.due_by == at(2026, 11, 2, 8, 30)
    assert "term dates" in task.reasons[0].text
    # Without term dates, every weekday that is not a bank holiday: Monday 26 October.
    (task,) = tasks(assess(incident), "operation-encompass")
    assert task.due_by == at(2026, 10, 26, 8, 30)


def test_before_school_on_a_school_day_is_that_morning_and_bank_holidays_are_not() -> None:
    early = h.make_incident(at=at(2026, 9, 17, 6, 0), children=[Child("C-1", 8, present=True)])
    (task,) = tasks(assess(early), "operation-encompass")
    assert task.due_by == at(2026, 9, 17, 8, 30)
    friday = h.make_incident(at=at(2026, 8, 28, 19, 0), children=[Child("C-1", 8, present=True)])
    (task,) = tasks(assess(friday), "operation-encompass")
    assert task.due_by == at(2026, 9, 1, 8, 30)  # Monday 31 August is a bank holiday


def test_past_the_last_term_date_the_next_weekday_is_assumed_and_said() -> None:
    late = h.make_incident(at=at(2026, 12, 18, 18, 0), children=[Child("C-1", 8, present=True)])
    (task,) = tasks(assess(late, h.make_policy(TERMS)), "operation-encompass")
    assert task.due_by == at(2026, 12, 21, 8, 30)
    assert "no term dates are set after this day" in task.reasons[0].text


def test_no_school_notification_when_it_is_not_domestic_abuse() -> None:
    other = h.make_incident(
        relationship=Relationship(RelationshipKind.OTHER), children=[Child("C-1", 8, present=True)]
    )
    assert tasks(assess(other), "operation-encompass") == []


@given(
    st.datetimes(datetime(2024, 1, 1), datetime(2027, 12, 1)).map(
        lambda d: d.replace(tzinfo=LONDON)
    )
)
def test_property_the_notification_is_the_first_school_day_start_after_the_report(
    moment: datetime,
) -> None:
    due = next_school_day_start(moment)
    assert due is not None
    assert due > moment
    assert is_school_day(due.astimezone(LONDON).date())
    day = moment.astimezone(LONDON).date()
    while day < due.astimezone(LONDON).date():
        start = datetime.combine(day, datetime.min.time(), tzinfo=LONDON) + timedelta(minutes=510)
        assert not is_school_day(day) or start <= moment
        day += timedelta(days=1)


# --- Clare's Law ---------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", [EventKind.DVDS_RIGHT_TO_ASK, EventKind.DVDS_RIGHT_TO_KNOW])
@pytest.mark.parametrize(
    ("received", "days"),
    [(at(2023, 4, 4, 23, 59), 35), (at(2023, 4, 5, 0, 0), 28), (at(2026, 2, 1, 10, 0), 28)],
)
def test_a_dvds_request_is_decided_within_the_guidance_in_force(
    kind: EventKind, received: datetime, days: int
) -> None:
    event = Event("EV-1", kind, received, "V-1", "S-1")
    (task,) = tasks(POLICY.on_event(event, now=received), "dvds-decision")
    assert task.due_by == received + timedelta(days=days)
    assert f"{days} days" in task.reasons[0].source


# --- Victims' Code -------------------------------------------------------------------------------


def test_a_charge_is_told_within_1_working_day_to_an_enhanced_rights_victim() -> None:
    crime = Crime("CR-1", OffenceCategory.COMMON_ASSAULT, outcome=Outcome.CHARGE)
    incident = h.make_incident(at=at(2026, 8, 28, 18, 0), crime=crime)  # a Friday
    (task,) = tasks(assess(incident), "victims-code-tell-victim")
    assert task.due_by == at(2026, 9, 2, 0, 0)  # the end of Tuesday: Monday is a bank holiday
    standard = h.make_policy(Settings(victims_code=VictimsCodeSettings(False)))
    (task,) = tasks(assess(incident, standard), "victims-code-tell-victim")
    assert task.due_by == at(2026, 9, 8, 0, 0)  # five working days: Tue-Fri and Monday 7th
    vulnerable = h.make_incident(
        at=at(2026, 8, 28, 18, 0), crime=crime, vulnerabilities=[Vulnerability.DISABILITY]
    )
    (task,) = tasks(assess(vulnerable, standard), "victims-code-tell-victim")
    assert task.due_by == at(2026, 9, 2, 0, 0)  # vulnerable: always enhanced


def test_an_open_crime_has_no_key_decision_yet_and_bail_changes_are_one() -> None:
    open_crime = h.make_incident(crime=Crime("CR-1", OffenceCategory.COMMON_ASSAULT))
    assert tasks(assess(open_crime), "victims-code-tell-victim") == []
    bail = Event("EV-1", EventKind.BAIL_CHANGED, at(2026, 3, 6, 16, 0), "V-1", "S-1")
    (task,) = tasks(POLICY.on_event(bail, now=bail.occurred_at), "victims-code-tell-victim")
    assert task.due_by == at(2026, 3, 10, 0, 0)  # Friday: by the end of Monday


# --- Right Care, Right Person --------------------------------------------------------------------


def thrive(**facts: bool) -> Thrive:
    return Thrive("t", "h", "r", "i", "v", "e", ResponseGrade.SCHEDULED, **facts)


def test_a_concern_for_welfare_call_may_be_diverted() -> None:
    divert, why = rcrp_may_divert(
        CallType.CONCERN_FOR_WELFARE, thrive(), crime_to_investigate=False
    )
    assert (divert, why.rule) == (True, "rcrp.divert")


@pytest.mark.parametrize(
    ("kind", "facts", "crime", "rule"),
    [
        (CallType.CONCERN_FOR_WELFARE, {"danger_now": True}, False, "rcrp.immediate-risk"),
        (CallType.CONCERN_FOR_WELFARE, {"injury": True}, False, "rcrp.immediate-risk"),
        (CallType.CONCERN_FOR_WELFARE, {}, True, "rcrp.crime"),
        (CallType.OTHER, {}, False, "rcrp.not-welfare"),
    ],
)
def test_a_welfare_call_with_risk_or_a_crime_is_not_diverted(
    kind: CallType, facts: dict[str, bool], crime: bool, rule: str
) -> None:
    divert, why = rcrp_may_divert(kind, thrive(**facts), crime_to_investigate=crime)
    assert (divert, why.rule) == (False, rule)


@given(st.booleans(), st.booleans(), st.booleans(), st.booleans())
def test_property_a_domestic_abuse_call_is_never_diverted(
    danger: bool, weapons: bool, injury: bool, crime: bool
) -> None:
    facts = thrive(danger_now=danger, weapons=weapons, injury=injury)
    for assessment in (facts, None):
        divert, why = rcrp_may_divert(
            CallType.DOMESTIC_ABUSE, assessment, crime_to_investigate=crime
        )
        assert divert is False
        assert why.rule == "rcrp.never-domestic-abuse"


def test_synthetic_households_exercise_operation_encompass() -> None:
    from dapolicy.synth import STAFFORDSHIRE_2013, synthesize

    cases = [c for c in synthesize(200, 7, STAFFORDSHIRE_2013) if c.incident.children]
    assert cases, "the synthetic year has households with children"
    case = cases[0]
    assert all(child.related_to_victim for child in case.incident.children)
    decision = POLICY.assess(case.incident, case.form, now=case.incident.reported_at)
    assert {t.for_whom for t in tasks(decision, "operation-encompass")} == {
        child.id for child in case.incident.children
    }
