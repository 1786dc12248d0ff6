"""Protection notices and orders (issue 11): regime by area and date, eligibility naming
every unmet condition, and the statutory deadlines as tasks.

Boundaries: the day a pilot starts in an area; the last day of the pilot; a notice at
23:00 on the Friday before a bank-holiday Monday; Christmas, Good Friday and a clock
change; an 18th birthday on the day of the notice.
"""

from __future__ import annotations

import runpy
from datetime import date, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from dapolicy.calendar import (
    add_hours_disregarding,
    bank_holidays,
    end_of_working_days,
    is_disregarded_day,
)
from dapolicy.models import AbuseType, Event, EventKind, Relationship, RelationshipKind
from dapolicy.models.protection import ProtectionRegime, Rank, RegimeChoice
from dapolicy.protection import (
    DAPN_PILOT,
    breach_court_due,
    order_hearing_due,
    protection_notice_eligibility,
    regime_for,
    spo_notification_due,
)
from dapolicy.settings import ProtectionSettings, Settings

#: The shared builders of the engine tests, run from their file (tests/ is not a package).
h = SimpleNamespace(**runpy.run_path(str(Path(__file__).with_name("engine_helpers.py"))))

LONDON = h.LONDON
POLICY = h.make_policy()


def at(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=LONDON)


# --- the regime --------------------------------------------------------------------------------


@pytest.mark.parametrize(("area", "started"), sorted(DAPN_PILOT.items()))
def test_the_day_a_pilot_starts_in_an_area(area: str, started: date) -> None:
    midnight = datetime.combine(started, datetime.min.time(), tzinfo=LONDON)
    assert regime_for(midnight - timedelta(minutes=1), area)[0] is ProtectionRegime.DVPN
    regime, why = regime_for(midnight, area)
    assert regime is ProtectionRegime.DAPN
    assert why.rule == "protection.regime-dapn"
    assert "HCWS254" in why.source


def test_cleveland_is_dvpn_while_manchester_is_dapn() -> None:
    day = at(2025, 1, 15, 12, 0)
    assert regime_for(day, "greater-manchester")[0] is ProtectionRegime.DAPN
    assert regime_for(day, "cleveland")[0] is ProtectionRegime.DVPN
    assert regime_for(day, "staffordshire")[0] is ProtectionRegime.DVPN
    assert regime_for(day, None)[0] is ProtectionRegime.DVPN


def test_after_the_pilot_ends_the_regime_is_not_known_unless_the_force_sets_it() -> None:
    assert regime_for(at(2026, 3, 31, 23, 59), "met-sutton")[0] is ProtectionRegime.DAPN
    regime, why = regime_for(at(2026, 4, 1, 0, 0), "met-sutton")
    assert regime is None
    assert why.rule == "protection.regime-not-known"
    assert regime_for(at(2026, 4, 1, 0, 0), "staffordshire")[0] is ProtectionRegime.DVPN
    chosen = Settings(protection=ProtectionSettings(regime=RegimeChoice.DAPN))
    assert regime_for(at(2026, 4, 1, 0, 0), "met-sutton", chosen)[0] is ProtectionRegime.DAPN
    incident = attrs.evolve(h.make_incident(), area="met-sutton")
    check = protection_notice_eligibility(
        incident,
        now=at(2026, 6, 1, 9, 0),
        issuer_rank=Rank.INSPECTOR,
        abusive=True,
        necessary=True,
    )
    assert (check.regime, check.eligible) == (None, False)
    assert "not known" in check.unmet[0]


# --- eligibility -------------------------------------------------------------------------------

NOTICE = at(2025, 6, 10, 14, 0)
ALL_MET = {
    "issuer_rank": Rank.INSPECTOR,
    "abusive": True,
    "necessary": True,
    "child_welfare_considered": True,
    "victim_opinion_considered": True,
    "representations_considered": True,
}


def pilot_incident(**kwargs: object) -> object:
    return attrs.evolve(
        h.make_incident(at=NOTICE - timedelta(hours=3), **kwargs), area="greater-manchester"
    )


def test_every_dapn_condition_met_is_eligible() -> None:
    check = protection_notice_eligibility(pilot_incident(), now=NOTICE, **ALL_MET)
    assert (check.regime, check.eligible, check.unmet) == (ProtectionRegime.DAPN, True, ())
    assert [r.rule for r in check.reasons] == [
        "protection.regime-dapn",
        "protection.dapn-conditions",
    ]


@pytest.mark.parametrize(
    ("changes", "unmet"),
    [
        ({"issuer_rank": Rank.SERGEANT}, "not met: given by an inspector or above"),
        ({"issuer_rank": None}, "not known: given by an inspector or above"),
        ({"abusive": False}, "not met: reasonable grounds that the suspect has been abusive"),
        ({"necessary": None}, "not known: the notice is necessary to protect the victim"),
        (
            {"child_welfare_considered": None},
            "not known: s.24: the welfare of any child considered",
        ),
        (
            {"victim_opinion_considered": False},
            "not met: s.24: the victim's opinion considered",
        ),
        (
            {"representations_considered": False},
            "not met: s.24: the suspect's representations considered",
        ),
    ],
)
def test_each_unmet_dapn_condition_is_named(changes: dict[str, object], unmet: str) -> None:
    check = protection_notice_eligibility(pilot_incident(), now=NOTICE, **{**ALL_MET, **changes})
    assert check.eligible is False
    assert check.unmet == (unmet,)


@given(st.sets(st.sampled_from(sorted(ALL_MET))))
def test_property_every_unmet_condition_is_named_at_once(failed: set[str]) -> None:
    given_ = {k: (None if k in failed else v) for k, v in ALL_MET.items()}
    check = protection_notice_eligibility(pilot_incident(), now=NOTICE, **given_)
    assert len(check.unmet) == len(failed)
    assert check.eligible is not failed


@pytest.mark.parametrize(
    ("born", "eligible"),
    [(date(2007, 6, 10), True), (date(2007, 6, 11), False)],
    ids=["18th-birthday-today", "18-tomorrow"],
)
def test_the_suspect_must_be_18_on_the_day_of_the_notice(born: date, eligible: bool) -> None:
    check = protection_notice_eligibility(pilot_incident(suspect_born=born), now=NOTICE, **ALL_MET)
    assert check.eligible is eligible
    if not eligible:
        assert check.unmet == ("the suspect is under 18 (s.22(6))",)


def test_the_victim_16_or_over_and_personally_connected() -> None:
    young = pilot_incident(victim_born=date(2009, 6, 11))  # 16 tomorrow
    neighbour = pilot_incident(relationship=Relationship(RelationshipKind.OTHER))
    assert protection_notice_eligibility(young, now=NOTICE, **ALL_MET).unmet == (
        "the victim is under 16",
    )
    assert protection_notice_eligibility(neighbour, now=NOTICE, **ALL_MET).unmet == (
        "not met: the victim and suspect are personally connected (s.2)",
    )


def test_coercive_control_without_violence_can_found_a_dapn_but_not_a_dvpn() -> None:
    controlling = pilot_incident(abuse_types={AbuseType.CONTROLLING_OR_COERCIVE})
    assert protection_notice_eligibility(controlling, now=NOTICE, **ALL_MET).eligible
    elsewhere = attrs.evolve(controlling, area="staffordshire")
    # Outside the pilot: the DVPN's conditions (violence or its threat; a superintendent).
    check = protection_notice_eligibility(elsewhere, now=NOTICE, **{**ALL_MET, "abusive": False})
    assert check.regime is ProtectionRegime.DVPN
    assert check.unmet == (
        "not met: violence or a threat of violence towards the victim",
        "not met: a superintendent's authorisation",
    )
    superintendent = {**ALL_MET, "issuer_rank": Rank.SUPERINTENDENT}
    assert protection_notice_eligibility(elsewhere, now=NOTICE, **superintendent).eligible


# --- deadlines ---------------------------------------------------------------------------------


def test_a_notice_at_2300_on_the_friday_before_a_bank_holiday_monday() -> None:
    friday = at(2026, 8, 28, 23, 0)  # Monday 31 August 2026 is the late summer bank holiday
    assert date(2026, 8, 31) in bank_holidays(2026)
    # 1 hour of Friday, all of Saturday, then Tuesday: Sunday and Monday do not count.
    assert order_hearing_due(friday) == at(2026, 9, 1, 23, 0)
    assert breach_court_due(friday) == at(2026, 8, 29, 23, 0)
    # Arrested on Saturday at 23:30: Sunday and Monday do not count either.
    assert breach_court_due(at(2026, 8, 29, 23, 30)) == at(2026, 9, 1, 23, 30)


def test_christmas_good_friday_and_easter_monday_are_disregarded() -> None:
    # Thursday 24 Dec 2026: Christmas (Fri), Sunday, Boxing Day's substitute (Mon 28).
    assert order_hearing_due(at(2026, 12, 24, 12, 0)) == at(2026, 12, 29, 12, 0)
    # Thursday 2 April 2026: Good Friday, Sunday and Easter Monday do not count.
    assert order_hearing_due(at(2026, 4, 2, 10, 0)) == at(2026, 4, 7, 10, 0)


def test_a_weekend_holiday_with_a_substitute_day_is_not_itself_a_bank_holiday() -> None:
    # Boxing Day 2026 is a Saturday; the bank holiday is Monday 28 December.
    assert date(2026, 12, 26) not in bank_holidays(2026)
    assert date(2026, 12, 28) in bank_holidays(2026)
    assert is_disregarded_day(date(2021, 12, 25))  # Christmas Day on a Saturday still is


def test_the_period_is_elapsed_hours_across_a_clock_change() -> None:
    # Saturday 28 March 2026 noon; the clocks go forward early on Sunday (disregarded).
    due = order_hearing_due(at(2026, 3, 28, 12, 0))
    assert due == at(2026, 3, 31, 12, 0)
    assert due.utcoffset() == timedelta(hours=1)


def test_the_breach_goes_to_the_hearing_if_it_is_sooner() -> None:
    hearing = at(2026, 9, 1, 10, 0)
    assert breach_court_due(at(2026, 9, 1, 9, 0), hearing) == hearing


@given(
    st.datetimes(datetime(2024, 1, 1), datetime(2027, 12, 1)).map(
        lambda d: d.replace(tzinfo=LONDON)
    ),
    st.sampled_from([24, 48]),
)
def test_property_the_counted_time_is_exactly_the_period(start: datetime, hours: int) -> None:
    due = add_hours_disregarding(start, hours)
    counted = timedelta()
    cursor = start
    step = timedelta(minutes=30)
    while cursor < due:
        nxt = min(cursor + step, due)
        if not is_disregarded_day(cursor.astimezone(LONDON).date()):
            counted += nxt - cursor
        cursor = nxt
    assert due > start
    assert abs(counted - timedelta(hours=hours)) <= step


def test_working_days() -> None:
    # Friday evening before the bank holiday: one working day is Tuesday, ending midnight.
    assert end_of_working_days(at(2026, 8, 28, 19, 0), 1) == at(2026, 9, 2, 0, 0)
    # Wednesday: Thu, Fri, (bank holiday), Tue, Wed, Thu -- the end of Thursday 3 Sep.
    assert end_of_working_days(at(2026, 8, 26, 10, 0), 5) == at(2026, 9, 4, 0, 0)


# --- as tasks, through the policy ----------------------------------------------------------------


def event(kind: EventKind, when: datetime, area: str | None = "greater-manchester") -> Event:
    return Event("EV-1", kind, when, "V-1", "S-1", area=area)


def tasks_of(outcome: object, what: str) -> list[object]:
    return [t for t in outcome.tasks if t.what == what]  # type: ignore[attr-defined]


def test_a_notice_event_sets_the_hearing_task() -> None:
    friday = at(2026, 3, 27, 23, 0)
    outcome = POLICY.on_event(event(EventKind.PROTECTION_NOTICE_GIVEN, friday), now=friday)
    (task,) = tasks_of(outcome, "protection-order-hearing")
    assert task.due_by == order_hearing_due(friday)
    assert "DAPO" in task.reasons[0].text
    assert task.reasons[0].source.startswith("Domestic Abuse Act 2021 s.29")
    dvpn = POLICY.on_event(event(EventKind.PROTECTION_NOTICE_GIVEN, friday, "kent"), now=friday)
    (task,) = tasks_of(dvpn, "protection-order-hearing")
    assert "DVPO" in task.reasons[0].text


def test_a_breach_arrest_event_sets_the_court_task() -> None:
    arrest = at(2026, 8, 28, 23, 0)
    outcome = POLICY.on_event(event(EventKind.PROTECTION_NOTICE_BREACH_ARREST, arrest), now=arrest)
    (task,) = tasks_of(outcome, "breach-before-court")
    assert (task.for_whom, task.due_by) == ("S-1", at(2026, 8, 29, 23, 0))


def test_stalking_indicated_gives_a_task_to_consider_an_spo_and_its_notification() -> None:
    stalking = h.make_incident(abuse_types={AbuseType.STALKING})
    decision = POLICY.assess(stalking, h.dash_form(stalking), now=stalking.reported_at)
    (task,) = tasks_of(decision, "consider-stalking-protection-order")
    assert task.due_by == stalking.reported_at + timedelta(days=7)
    item_8 = h.make_incident()
    decision = POLICY.assess(item_8, h.dash_form(item_8, yes=[8]), now=item_8.reported_at)
    assert len(tasks_of(decision, "consider-stalking-protection-order")) == 1
    plain = h.make_incident()
    decision = POLICY.assess(plain, h.dash_form(plain), now=plain.reported_at)
    assert tasks_of(decision, "consider-stalking-protection-order") == []
    served = at(2026, 5, 14, 16, 0)
    made = POLICY.on_event(event(EventKind.STALKING_PROTECTION_ORDER_MADE, served), now=served)
    (task,) = tasks_of(made, "spo-notification-check")
    assert task.due_by == spo_notification_due(served) == at(2026, 5, 17, 0, 0)
