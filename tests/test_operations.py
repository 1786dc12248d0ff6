"""Operational checks: partner tasking without duplication, form timeliness, grading
latency and DVPN eligibility (recommendations 2 and 5; the report's glossary).
"""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from types import ModuleType

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dapolicy import Destination, Incident, Reason, Referral, RiskForm
from dapolicy.models._base import LONDON, micros
from dapolicy.models.operations import DvpnCheck, FormCompliance, FormStatus
from dapolicy.operations import (
    DVPN_MINIMUM_AGE,
    dvpn_eligibility,
    form_compliance,
    grading_latency,
    merge_partner_requests,
)
from dapolicy.settings import Settings, TaskingSettings
from dapolicy.testing.strategies import aware_datetimes, referrals


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

DAY = timedelta(days=1)
T = datetime(2024, 6, 3, 9, 0, tzinfo=UTC)  # a Monday morning, BST
MASH_REASON = Reason("mash.review", "MASH daily review", "graded medium at the MASH")
HUB_REASON = Reason("hub.review", "partnership hub meeting", "repeat victim at the hub")
COMPLIANCE_SOURCE = "HMIC 2014: the form is submitted to the MASH before the officer goes off duty"


def request(
    requester: str,
    at: datetime | None,
    *,
    victim: str = "V-1",
    destination: Destination = Destination.IDVA,
    reason: Reason | None = None,
) -> Referral:
    chosen = reason or (MASH_REASON if requester == "mash" else HUB_REASON)
    return Referral(destination, victim, (chosen,), (requester,), at)


# --- merge_partner_requests ----------------------------------------------------------------------


def test_mash_and_hub_asking_for_the_same_service_within_7_days_is_one_request() -> None:
    merged = merge_partner_requests([request("hub-north", T + 3 * DAY), request("mash", T)])
    assert merged == (
        Referral(Destination.IDVA, "V-1", (MASH_REASON, HUB_REASON), ("mash", "hub-north"), T),
    )


def test_exactly_7_days_apart_is_within_the_window() -> None:
    merged = merge_partner_requests([request("mash", T), request("hub-north", T + 7 * DAY)])
    assert [r.requested_by for r in merged] == [("mash", "hub-north")]
    apart = merge_partner_requests(
        [request("mash", T), request("hub-north", T + 7 * DAY + timedelta(microseconds=1))]
    )
    assert [r.requested_by for r in apart] == [("mash",), ("hub-north",)]


def test_8_days_apart_are_two_requests() -> None:
    merged = merge_partner_requests([request("hub-north", T + 8 * DAY), request("mash", T)])
    assert merged == (request("mash", T), request("hub-north", T + 8 * DAY))


def test_the_window_runs_from_the_first_request_of_the_group() -> None:
    # Day 0, day 5 (merged), day 10: 10 days after the first, so a new request.
    merged = merge_partner_requests(
        [request("mash", T), request("hub-north", T + 5 * DAY), request("hub-south", T + 10 * DAY)]
    )
    assert [(r.requested_by, r.requested_at) for r in merged] == [
        (("mash", "hub-north"), T),
        (("hub-south",), T + 10 * DAY),
    ]


@pytest.mark.parametrize(
    "other",
    [
        {"victim": "V-2"},
        {"destination": Destination.PARTNERSHIP_HUB},
    ],
    ids=["other-victim", "other-destination"],
)
def test_other_victims_or_destinations_are_separate(other: dict[str, object]) -> None:
    second = request("hub-north", T + DAY, **other)  # type: ignore[arg-type]
    merged = merge_partner_requests([request("mash", T), second])
    assert merged == (request("mash", T), second)


def test_requests_without_a_time_merge_only_with_each_other() -> None:
    merged = merge_partner_requests(
        [
            request("mash", None),
            request("hub-north", T),
            request("hub-south", None),
            request("idva", T + DAY),
        ]
    )
    assert [(r.requested_by, r.requested_at) for r in merged] == [
        (("hub-north", "idva"), T),
        (("mash", "hub-south"), None),
    ]


def test_the_same_requester_and_reason_twice_are_recorded_once() -> None:
    merged = merge_partner_requests([request("mash", T), request("mash", T + DAY)])
    assert merged == (request("mash", T),)


def test_nothing_in_nothing_out_and_order_is_earliest_first() -> None:
    assert merge_partner_requests([]) == ()
    a = request("mash", T + 2 * DAY, victim="V-2")
    b = request("mash", T, victim="V-1")
    assert merge_partner_requests([a, b]) == (b, a)


def test_a_custom_window() -> None:
    settings = Settings(tasking=TaskingSettings(merge_window_days=14))
    merged = merge_partner_requests(
        [request("mash", T), request("hub-north", T + 8 * DAY)], settings
    )
    assert [r.requested_by for r in merged] == [("mash", "hub-north")]


def test_times_in_other_zones_are_compared_as_instants() -> None:
    # 10:00 BST on day 7 is 09:00 UTC: exactly 7 days after T.
    later = datetime(2024, 6, 10, 10, 0, tzinfo=LONDON)
    merged = merge_partner_requests([request("hub-north", later), request("mash", T)])
    assert [r.requested_by for r in merged] == [("mash", "hub-north")]


def test_a_week_over_the_spring_clock_change_is_merged() -> None:
    # Thursday 10:00 GMT and the next Thursday 09:30 BST: under a week on any clock.
    first = datetime(2024, 3, 28, 10, 0, tzinfo=LONDON)
    second = datetime(2024, 4, 4, 9, 30, tzinfo=LONDON)
    assert len(merge_partner_requests([request("mash", first), request("hub-north", second)])) == 1


def test_a_week_over_the_autumn_clock_change_is_merged() -> None:
    # Thursday 10:00 BST and the next Thursday 09:30 GMT: under a week on the wall clock.
    first = datetime(2024, 10, 24, 10, 0, tzinfo=LONDON)
    second = datetime(2024, 10, 31, 9, 30, tzinfo=LONDON)
    assert len(merge_partner_requests([request("mash", first), request("hub-north", second)])) == 1


# Merge property: small pools of victims and destinations so that requests collide, and
# times within two months around the March clock change so that windows overlap.
_TIMES = aware_datetimes(min_value=datetime(2024, 3, 1), max_value=datetime(2024, 4, 30))
_REQUESTS = st.lists(
    referrals(
        destination=st.sampled_from([Destination.IDVA, Destination.PARTNERSHIP_HUB]),
        victim_id=st.sampled_from(["V-1", "V-2"]),
        datetimes=_TIMES,
    ),
    max_size=12,
)


def _triples(requests: Sequence[Referral]) -> set[tuple[str, Destination, str]]:
    return {(r.victim_id, r.destination, who) for r in requests for who in r.requested_by}


def _reasons(requests: Sequence[Referral]) -> set[tuple[str, Destination, Reason]]:
    return {(r.victim_id, r.destination, reason) for r in requests for reason in r.reasons}


def _within(first: datetime, second: datetime, days: int) -> bool:
    """Within ``days`` both in elapsed time and on the London wall clock."""
    elapsed = abs(micros(second) - micros(first)) <= days * 86_400 * 10**6
    one = first.astimezone(LONDON).replace(tzinfo=None)
    two = second.astimezone(LONDON).replace(tzinfo=None)
    return elapsed and abs(two - one) <= timedelta(days=days)


@given(_REQUESTS, st.integers(1, 30))
def test_property_merging_drops_nothing_and_leaves_no_duplicate(
    requests: list[Referral], days: int
) -> None:
    merged = merge_partner_requests(requests, Settings(tasking=TaskingSettings(days)))
    assert _triples(merged) == _triples(requests)
    assert _reasons(merged) == _reasons(requests)
    assert len(merged) <= len(requests)
    assert bool(merged) == bool(requests)
    inputs = {micros(r.requested_at) for r in requests if r.requested_at is not None}
    times = [r.requested_at for r in merged]
    assert {micros(t) for t in times if t is not None} <= inputs
    # Earliest first, those without a time last.
    timed = [micros(t) for t in times if t is not None]
    assert timed == sorted(timed)
    assert times == [t for t in times if t is not None] + [t for t in times if t is None]
    by_pair: dict[tuple[str, Destination], list[Referral]] = {}
    for referral in merged:
        by_pair.setdefault((referral.victim_id, referral.destination), []).append(referral)
    for group in by_pair.values():
        untimed = [r for r in group if r.requested_at is None]
        assert len(untimed) <= 1
        timed_group = [r.requested_at for r in group if r.requested_at is not None]
        for i, first in enumerate(timed_group):
            for second in timed_group[i + 1 :]:
                assert not _within(first, second, days)


@given(_REQUESTS)
def test_property_merging_is_idempotent(requests: list[Referral]) -> None:
    once = merge_partner_requests(requests)
    assert merge_partner_requests(once) == once


# --- form_compliance -----------------------------------------------------------------------------

INCIDENT = h.make_incident("INC-9", at=datetime(2024, 6, 10, 20, 0, tzinfo=UTC))


def form(
    completed: datetime,
    submitted: datetime | None,
    off_duty: datetime | None = None,
) -> RiskForm:
    return RiskForm(
        incident_id=INCIDENT.id,
        checklist=h.POLICE,
        answers={},
        completed_by="PC-1",
        completed_at=completed,
        submitted_at=submitted,
        officer_off_duty_at=off_duty,
    )


def compliance(status: FormStatus, rule: str, text: str) -> FormCompliance:
    return FormCompliance(INCIDENT.id, status, (Reason(rule, COMPLIANCE_SOURCE, text),))


def test_a_missing_form() -> None:
    assert form_compliance(INCIDENT, None) == compliance(
        FormStatus.MISSING, "compliance.form-missing", "no risk form for this incident"
    )


def test_a_form_never_submitted() -> None:
    completed = datetime(2024, 6, 10, 21, 0, tzinfo=UTC)
    assert form_compliance(INCIDENT, form(completed, None)) == compliance(
        FormStatus.NOT_SUBMITTED, "compliance.form-not-submitted", "completed, never submitted"
    )


@pytest.mark.parametrize(
    ("submitted", "status"),
    [
        (datetime(2024, 6, 11, 5, 59, tzinfo=UTC), FormStatus.ON_TIME),
        (datetime(2024, 6, 11, 6, 0, tzinfo=UTC), FormStatus.ON_TIME),  # at the end of shift
        (datetime(2024, 6, 11, 6, 0, 0, 1, tzinfo=UTC), FormStatus.LATE),
        (datetime(2024, 6, 13, 9, 0, tzinfo=UTC), FormStatus.LATE),  # the MASH's "72 hours"
    ],
    ids=["before", "at", "just-after", "days-after"],
)
def test_against_the_officers_off_duty_time(submitted: datetime, status: FormStatus) -> None:
    completed = datetime(2024, 6, 10, 21, 0, tzinfo=UTC)
    off_duty = datetime(2024, 6, 11, 7, 0, tzinfo=LONDON)  # 06:00 UTC
    result = form_compliance(INCIDENT, form(completed, submitted, off_duty))
    if status is FormStatus.ON_TIME:
        assert result == compliance(
            status, "compliance.form-on-time", "submitted before the officer went off duty"
        )
    else:
        assert result == compliance(
            status, "compliance.form-late", "submitted after the officer went off duty"
        )


@pytest.mark.parametrize(
    ("completed", "submitted", "status"),
    [
        # 23:30 BST and 00:15 BST next day: the same UTC day, different London days.
        (
            datetime(2024, 6, 10, 22, 30, tzinfo=UTC),
            datetime(2024, 6, 10, 23, 15, tzinfo=UTC),
            FormStatus.LATE,
        ),
        # 00:30 BST and 23:00 BST the same London day: different UTC days.
        (
            datetime(2024, 6, 9, 23, 30, tzinfo=UTC),
            datetime(2024, 6, 10, 22, 0, tzinfo=UTC),
            FormStatus.ON_TIME,
        ),
        (
            datetime(2024, 6, 10, 21, 0, tzinfo=LONDON),
            datetime(2024, 6, 10, 23, 59, 59, tzinfo=LONDON),
            FormStatus.ON_TIME,
        ),
        (
            datetime(2024, 6, 10, 21, 0, tzinfo=LONDON),
            datetime(2024, 6, 11, 0, 0, tzinfo=LONDON),
            FormStatus.LATE,
        ),
    ],
    ids=["utc-same-london-next", "utc-next-london-same", "last-second", "midnight"],
)
def test_without_an_off_duty_time_the_same_london_day_is_on_time(
    completed: datetime, submitted: datetime, status: FormStatus
) -> None:
    result = form_compliance(INCIDENT, form(completed, submitted))
    if status is FormStatus.ON_TIME:
        assert result == compliance(
            status, "compliance.form-on-time", "submitted the day it was completed"
        )
    else:
        assert result == compliance(
            status, "compliance.form-late", "submitted on a later day than completed"
        )


# --- grading_latency -----------------------------------------------------------------------------

POLICY = h.make_policy()


def test_grading_latency_is_the_time_from_report_to_grade() -> None:
    incident = h.make_incident(at=datetime(2024, 6, 10, 20, 0, tzinfo=UTC))
    assert grading_latency(incident, POLICY.assess(incident, now=incident.reported_at)) == (
        timedelta(0)
    )
    # The MASH grading the next morning, as the report found.
    later = incident.reported_at + timedelta(hours=13, minutes=5)
    assert grading_latency(incident, POLICY.assess(incident, now=later)) == timedelta(
        hours=13, minutes=5
    )


def test_grading_latency_over_a_weekend_in_different_zones() -> None:
    incident = h.make_incident(at=datetime(2024, 6, 7, 22, 0, tzinfo=UTC))  # Friday night
    monday = datetime(2024, 6, 10, 23, 10, tzinfo=LONDON)  # 22:10 UTC
    assert grading_latency(incident, POLICY.assess(incident, now=monday)) == timedelta(hours=72)


@pytest.mark.parametrize(
    ("reported", "graded", "elapsed"),
    [
        (datetime(2024, 3, 30, 22, 0), datetime(2024, 3, 31, 22, 0), timedelta(hours=23)),
        (datetime(2024, 10, 26, 22, 0), datetime(2024, 10, 27, 22, 0), timedelta(hours=25)),
    ],
    ids=["spring", "autumn"],
)
def test_grading_latency_across_a_clock_change_is_elapsed_time(
    reported: datetime, graded: datetime, elapsed: timedelta
) -> None:
    at = reported.replace(tzinfo=LONDON)
    incident = h.make_incident(at=at, reported_at=at)
    decision = POLICY.assess(incident, now=graded.replace(tzinfo=LONDON))
    assert grading_latency(incident, decision) == elapsed


def test_grading_latency_in_the_repeated_hour_is_never_negative() -> None:
    # Reported at the first 01:30 (BST), graded at the second 01:10 (GMT): 40 minutes on.
    at = datetime(2024, 10, 27, 1, 30, tzinfo=LONDON)
    incident = h.make_incident(at=at, reported_at=at)
    decision = POLICY.assess(incident, now=datetime(2024, 10, 27, 1, 10, tzinfo=LONDON, fold=1))
    assert grading_latency(incident, decision) == timedelta(minutes=40)


# --- dvpn_eligibility ----------------------------------------------------------------------------

#: 23:30 UTC on 10 June is 00:30 BST on 11 June: the London day is the 11th.
LATE_NIGHT = datetime(2024, 6, 10, 23, 30, tzinfo=UTC)
ALL_MET = {"violence_or_threat": True, "necessary": True, "superintendent_authorised": True}
TEXTS = {
    "violence_or_threat": "violence or a threat of violence towards the victim",
    "necessary": "the notice is necessary to protect the victim",
    "superintendent_authorised": "a superintendent's authorisation",
}


def suspect_born(born: date | None) -> Incident:
    return h.make_incident(at=LATE_NIGHT, suspect_born=born)


def test_every_condition_met() -> None:
    assert DVPN_MINIMUM_AGE == 18
    assert dvpn_eligibility(suspect_born(h.ADULT), **ALL_MET) == DvpnCheck(True, ())


def test_an_18th_birthday_on_the_london_day_of_the_incident_is_eligible() -> None:
    # 18 on 11 June (London), still 17 on 10 June (UTC).
    assert dvpn_eligibility(suspect_born(date(2006, 6, 11)), **ALL_MET) == DvpnCheck(True, ())


def test_a_suspect_aged_17_on_the_day_is_not_eligible() -> None:
    result = dvpn_eligibility(suspect_born(date(2006, 6, 12)), **ALL_MET)
    assert result == DvpnCheck(False, ("the suspect is under 18",))


def test_the_age_may_be_taken_on_another_day() -> None:
    incident = suspect_born(date(2006, 6, 12))
    on = datetime(2024, 6, 12, 0, 30, tzinfo=LONDON)
    assert dvpn_eligibility(incident, **ALL_MET, on=on) == DvpnCheck(True, ())
    # The day is London's: 23:30 UTC on 11 June is already 12 June in London.
    on = datetime(2024, 6, 11, 23, 30, tzinfo=UTC)
    assert dvpn_eligibility(incident, **ALL_MET, on=on) == DvpnCheck(True, ())
    on = datetime(2024, 6, 11, 22, 30, tzinfo=UTC)
    assert dvpn_eligibility(incident, **ALL_MET, on=on).eligible is False


def test_an_unknown_date_of_birth_is_not_met() -> None:
    result = dvpn_eligibility(suspect_born(None), **ALL_MET)
    assert result == DvpnCheck(False, ("the suspect's age is not known (must be 18 or over)",))


@pytest.mark.parametrize("condition", sorted(TEXTS))
@pytest.mark.parametrize(("value", "prefix"), [(None, "not known"), (False, "not met")])
def test_each_condition_unknown_or_unmet(condition: str, value: bool | None, prefix: str) -> None:
    given_ = {**ALL_MET, condition: value}
    result = dvpn_eligibility(suspect_born(h.ADULT), **given_)
    assert result == DvpnCheck(False, (f"{prefix}: {TEXTS[condition]}",))


def test_everything_unmet_is_listed_in_order() -> None:
    result = dvpn_eligibility(
        suspect_born(date(2010, 1, 1)),
        violence_or_threat=None,
        necessary=False,
        superintendent_authorised=None,
    )
    assert result == DvpnCheck(
        False,
        (
            "the suspect is under 18",
            f"not known: {TEXTS['violence_or_threat']}",
            f"not met: {TEXTS['necessary']}",
            f"not known: {TEXTS['superintendent_authorised']}",
        ),
    )
