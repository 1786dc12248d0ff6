"""Example-based tests for dapolicy.models.incident: Call, Crime, Incident and the DA test."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone, tzinfo
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from dapolicy import (
    AbuseType,
    Answer,
    Call,
    Child,
    Crime,
    DomesticAbuseCheck,
    DomesticAbuseVerdict,
    FamilyRelation,
    Incident,
    OffenceCategory,
    Outcome,
    Person,
    Relationship,
    RelationshipKind,
    RiskForm,
    RiskGrade,
    ValidationError,
)
from dapolicy.models._base import micros
from dapolicy.models.case import Case

LONDON = ZoneInfo("Europe/London")
WHEN = datetime(2024, 3, 1, 12, 0, tzinfo=UTC)
ADULT = date(1990, 6, 15)
PARTNER = Relationship(RelationshipKind.INTIMATE_PARTNER)

DA = DomesticAbuseVerdict.DOMESTIC_ABUSE
CS = DomesticAbuseVerdict.CHILD_SAFEGUARDING
ND = DomesticAbuseVerdict.NOT_DOMESTIC
UD = DomesticAbuseVerdict.UNDETERMINED

VICTIM_UNDER = "the victim was under 16 on the day: a child-safeguarding matter"
SUSPECT_UNDER = "the suspect was under 16 on the day: a child-safeguarding matter"
VICTIM_UNKNOWN = "the victim's date of birth is not known"
SUSPECT_UNKNOWN = "the suspect's date of birth is not known"
NOT_RELATED = "victim and suspect are not personally connected (s.2)"


class NoOffset(tzinfo):
    """A tzinfo that does not know its offset: such a datetime counts as naive."""

    def utcoffset(self, dt: datetime | None) -> None:
        return None


def problems(excinfo: pytest.ExceptionInfo[ValidationError]) -> list[tuple[str, str]]:
    return [(error.path, error.message) for error in excinfo.value.errors]


def make_incident(
    *,
    victim_dob: date | None = ADULT,
    suspect_dob: date | None = ADULT,
    occurred_at: datetime = WHEN,
    **overrides: Any,
) -> Incident:
    fields: dict[str, Any] = {
        "id": "INC-1",
        "reported_at": occurred_at + timedelta(hours=1),
        "occurred_at": occurred_at,
        "victim": Person("V1", name="Victim Name", date_of_birth=victim_dob),
        "suspect": Person("S1", name="Suspect Name", date_of_birth=suspect_dob),
        "relationship": PARTNER,
        "abuse_types": {AbuseType.PHYSICAL},
    }
    fields.update(overrides)
    return Incident(**fields)


# --- Call ------------------------------------------------------------------------------


def test_call_valid_with_defaults() -> None:
    call = Call("CALL-1", WHEN)
    assert call.received_at == WHEN
    assert (call.caller, call.location, call.location_id, call.repeat_caller) == (
        None,
        None,
        None,
        False,
    )


@pytest.mark.parametrize(
    ("received_at", "message"),
    [
        (datetime(2024, 3, 1, 12, 0), "naive datetime: a UTC offset or time zone is required"),
        (
            datetime(2024, 3, 1, 12, 0, tzinfo=NoOffset()),
            "naive datetime: a UTC offset or time zone is required",
        ),
        ("2024-03-01T12:00:00+00:00", "must be a datetime with a UTC offset"),
        (date(2024, 3, 1), "must be a datetime with a UTC offset"),
        (None, "must be a datetime with a UTC offset"),
    ],
)
def test_call_received_at_must_be_aware(received_at: object, message: str) -> None:
    with pytest.raises(ValidationError) as excinfo:
        Call("CALL-1", received_at)  # type: ignore[arg-type]
    assert excinfo.value.type_name == "Call"
    assert problems(excinfo) == [("$.received_at", message)]


def test_call_reports_every_problem_together() -> None:
    with pytest.raises(ValidationError) as excinfo:
        Call("  ", datetime(2024, 3, 1))
    assert len(excinfo.value.errors) == 2
    assert problems(excinfo) == [
        ("$.id", "must not be empty"),
        ("$.received_at", "naive datetime: a UTC offset or time zone is required"),
    ]


# --- Crime -----------------------------------------------------------------------------

NFA_MESSAGE = "a written rationale is required for no further action"


@pytest.mark.parametrize("rationale", [None, "", "   ", "\n\t", 5])
def test_no_further_action_needs_a_written_rationale(rationale: object) -> None:
    with pytest.raises(ValidationError) as excinfo:
        Crime(
            "CR-1",
            OffenceCategory.COMMON_ASSAULT,
            outcome=Outcome.NO_FURTHER_ACTION,
            outcome_rationale=rationale,  # type: ignore[arg-type]
        )
    assert excinfo.value.type_name == "Crime"
    assert problems(excinfo) == [("$.outcome_rationale", NFA_MESSAGE)]


def test_no_further_action_with_a_rationale_is_valid() -> None:
    crime = Crime(
        "CR-1",
        OffenceCategory.STALKING,
        outcome=Outcome.NO_FURTHER_ACTION,
        outcome_rationale="Victim withdrew support.",
    )
    assert crime.outcome_rationale == "Victim withdrew support."


@pytest.mark.parametrize(
    "outcome", [None, Outcome.CHARGE, Outcome.CAUTION, Outcome.OUT_OF_COURT_DISPOSAL]
)
def test_other_outcomes_need_no_rationale(outcome: Outcome | None) -> None:
    crime = Crime("CR-1", OffenceCategory.HARASSMENT, outcome=outcome)
    assert crime.outcome is outcome
    assert crime.outcome_rationale is None
    assert crime.arrest_made is False


@pytest.mark.parametrize(
    ("outcome", "rationale", "message"),
    [
        (None, "  ", "must not be empty"),
        (Outcome.CHARGE, "", "must not be empty"),
        (Outcome.CAUTION, 5, "must be a string"),
    ],
)
def test_a_rationale_given_for_another_outcome_must_not_be_blank(
    outcome: Outcome | None, rationale: object, message: str
) -> None:
    with pytest.raises(ValidationError) as excinfo:
        Crime(
            "CR-1",
            OffenceCategory.HARASSMENT,
            outcome=outcome,
            outcome_rationale=rationale,  # type: ignore[arg-type]
        )
    assert problems(excinfo) == [("$.outcome_rationale", message)]


def test_crime_reports_every_problem_together() -> None:
    with pytest.raises(ValidationError) as excinfo:
        Crime("", OffenceCategory.OTHER, outcome=Outcome.NO_FURTHER_ACTION)
    assert len(excinfo.value.errors) == 2
    assert problems(excinfo) == [
        ("$.id", "must not be empty"),
        ("$.outcome_rationale", NFA_MESSAGE),
    ]


# --- Incident: invariants --------------------------------------------------------------


def test_incident_valid_with_defaults_and_conversions() -> None:
    incident = make_incident(
        abuse_types=[AbuseType.PHYSICAL, AbuseType.STALKING, AbuseType.PHYSICAL],
        children=[Child("C1", 3)],
    )
    assert incident.abuse_types == frozenset({AbuseType.PHYSICAL, AbuseType.STALKING})
    assert type(incident.abuse_types) is frozenset
    assert incident.children == (Child("C1", 3),)
    assert (incident.attending_officer, incident.crime, incident.call_id) == (None, None, None)
    assert incident.counter_allegation is False
    assert incident.crime_recorded is False


def test_incident_crime_recorded() -> None:
    incident = make_incident(crime=Crime("CR-1", OffenceCategory.COMMON_ASSAULT))
    assert incident.crime_recorded is True


@pytest.mark.parametrize(
    ("overrides", "path", "message"),
    [
        ({"id": ""}, "$.id", "must not be empty"),
        ({"id": "  "}, "$.id", "must not be empty"),
        ({"id": None}, "$.id", "must be a string"),
        (
            {"reported_at": datetime(2024, 3, 1, 13, 0)},
            "$.reported_at",
            "naive datetime: a UTC offset or time zone is required",
        ),
        ({"reported_at": "2024-03-01"}, "$.reported_at", "must be a datetime with a UTC offset"),
        ({"abuse_types": set()}, "$.abuse_types", "at least one form of abuse is required"),
        ({"abuse_types": []}, "$.abuse_types", "at least one form of abuse is required"),
        (
            {"suspect": Person("V1")},
            "$.suspect",
            "victim and suspect must be different people",
        ),
        (
            {"children": [Child("C1", 3), Child("C2", 5), Child("C1", 3)]},
            "$.children",
            "each child must appear once",
        ),
        (
            # the same id with different details is still the same child twice
            {"children": [Child("C1", 3), Child("C1", 4, present=True)]},
            "$.children",
            "each child must appear once",
        ),
        ({"attending_officer": ""}, "$.attending_officer", "must not be empty"),
        ({"attending_officer": " "}, "$.attending_officer", "must not be empty"),
        ({"attending_officer": 1147}, "$.attending_officer", "must be a string"),
    ],
)
def test_incident_invariant(overrides: dict[str, Any], path: str, message: str) -> None:
    with pytest.raises(ValidationError) as excinfo:
        make_incident(**overrides)
    assert excinfo.value.type_name == "Incident"
    assert problems(excinfo) == [(path, message)]


@pytest.mark.parametrize(
    "occurred_at",
    [datetime(2024, 3, 1, 12, 0), datetime(2024, 3, 1, 12, 0, tzinfo=NoOffset())],
)
def test_incident_occurred_at_must_be_aware(occurred_at: datetime) -> None:
    with pytest.raises(ValidationError) as excinfo:
        make_incident(occurred_at=occurred_at, reported_at=WHEN)
    assert problems(excinfo) == [
        ("$.occurred_at", "naive datetime: a UTC offset or time zone is required")
    ]


def test_incident_cannot_have_occurred_after_it_was_reported() -> None:
    with pytest.raises(ValidationError) as excinfo:
        make_incident(occurred_at=WHEN, reported_at=WHEN - timedelta(seconds=1))
    assert problems(excinfo) == [("$.occurred_at", "must not be after reported_at")]


def test_incident_may_be_reported_the_moment_it_occurred() -> None:
    assert make_incident(occurred_at=WHEN, reported_at=WHEN).reported_at == WHEN


def test_incident_order_is_by_instant_not_wall_clock() -> None:
    # 12:30 BST is 11:30 UTC: before a report at 12:00 UTC, although the clock reads later.
    occurred = datetime(2024, 6, 1, 12, 30, tzinfo=timezone(timedelta(hours=1)))
    reported = datetime(2024, 6, 1, 12, 0, tzinfo=UTC)
    assert make_incident(occurred_at=occurred, reported_at=reported).occurred_at == occurred
    # 11:45 at UTC-1 is 12:45 UTC: after the report, although the clock reads earlier.
    later = datetime(2024, 6, 1, 11, 45, tzinfo=timezone(timedelta(hours=-1)))
    with pytest.raises(ValidationError) as excinfo:
        make_incident(occurred_at=later, reported_at=reported)
    assert problems(excinfo) == [("$.occurred_at", "must not be after reported_at")]


# The clocks go back at 02:00 BST on 27 October 2024: 01:00-01:59 happens twice.
FIRST_0145 = datetime(2024, 10, 27, 1, 45, tzinfo=LONDON)  # BST, 00:45 UTC
SECOND_0110 = datetime(2024, 10, 27, 1, 10, tzinfo=LONDON, fold=1)  # GMT, 01:10 UTC


def test_order_is_by_instant_in_the_repeated_autumn_hour() -> None:
    # Same zone: Python would compare the wall clocks (01:45 > 01:10) and ignore fold.
    assert SECOND_0110.utcoffset() == timedelta(0)
    assert FIRST_0145.utcoffset() == timedelta(hours=1)
    incident = make_incident(occurred_at=FIRST_0145, reported_at=SECOND_0110)
    # Kept at its fixed offset (the same instant and wall clock): now ordered by instant.
    assert micros(incident.reported_at) == micros(SECOND_0110)
    assert incident.reported_at.replace(tzinfo=None) == SECOND_0110.replace(tzinfo=None)
    assert incident.reported_at.utcoffset() == timedelta(0)
    assert incident.occurred_at < incident.reported_at
    with pytest.raises(ValidationError) as excinfo:
        make_incident(
            occurred_at=SECOND_0110, reported_at=datetime(2024, 10, 27, 1, 5, tzinfo=LONDON)
        )
    assert problems(excinfo) == [("$.occurred_at", "must not be after reported_at")]


def test_naive_times_are_not_compared() -> None:
    # Only the naive one is reported: an order between naive and aware is meaningless.
    with pytest.raises(ValidationError) as excinfo:
        make_incident(occurred_at=WHEN, reported_at=datetime(2020, 1, 1))
    assert problems(excinfo) == [
        ("$.reported_at", "naive datetime: a UTC offset or time zone is required")
    ]


def test_incident_reports_every_problem_together() -> None:
    with pytest.raises(ValidationError) as excinfo:
        make_incident(
            id=" ",
            occurred_at=WHEN,
            reported_at=WHEN - timedelta(hours=1),
            abuse_types=(),
            suspect=Person("V1"),
            children=[Child("C1", 1), Child("C1", 1)],
            attending_officer="",
        )
    assert len(excinfo.value.errors) == 6
    assert problems(excinfo) == [
        ("$.id", "must not be empty"),
        ("$.occurred_at", "must not be after reported_at"),
        ("$.abuse_types", "at least one form of abuse is required"),
        ("$.suspect", "victim and suspect must be different people"),
        ("$.children", "each child must appear once"),
        ("$.attending_officer", "must not be empty"),
    ]


def test_both_naive_times_are_reported_together() -> None:
    with pytest.raises(ValidationError) as excinfo:
        make_incident(occurred_at=datetime(2024, 3, 1), reported_at=datetime(2024, 2, 1))
    assert problems(excinfo) == [
        ("$.reported_at", "naive datetime: a UTC offset or time zone is required"),
        ("$.occurred_at", "naive datetime: a UTC offset or time zone is required"),
    ]


def test_children_in_household_keeps_order_and_drops_the_others() -> None:
    present = Child("C1", 2, present=True)
    elsewhere = Child("C2", 9)
    resident = Child("C3", 12, usually_resident=True)
    both = Child("C4", 15, present=True, usually_resident=True)
    incident = make_incident(children=[present, elsewhere, resident, both])
    assert incident.children_in_household == (present, resident, both)


def test_children_in_household_empty() -> None:
    assert make_incident().children_in_household == ()
    assert make_incident(children=[Child("C1", 4)]).children_in_household == ()


# --- Incident: the domestic-abuse definition -------------------------------------------


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


@pytest.mark.parametrize(
    ("victim_dob", "occurred_at", "verdict"),
    [
        # 16th birthday on the day of the incident: 16.
        (date(2008, 5, 18), at("2024-05-18T12:00:00+01:00"), DA),
        (date(2008, 5, 18), at("2024-05-18T00:00:00+01:00"), DA),
        # The day before: 15.
        (date(2008, 5, 18), at("2024-05-17T12:00:00+01:00"), CS),
        (date(2008, 5, 18), at("2024-05-17T23:59:59+01:00"), CS),
        # The day is the London day: 23:30 UTC on 17 May is 00:30 BST on 18 May.
        (date(2008, 5, 18), at("2024-05-17T23:30:00+00:00"), DA),
        (date(2008, 5, 18), at("2024-05-17T22:59:59+00:00"), CS),
        # ... whatever offset the time is written in.
        (date(2008, 5, 18), at("2024-05-17T20:00:00-05:00"), DA),  # 02:00 BST on 18 May
        (date(2008, 5, 18), at("2024-05-18T05:00:00+10:00"), CS),  # 20:00 BST on 17 May
        (date(2008, 5, 18), datetime(2024, 5, 18, 0, 30, tzinfo=LONDON), DA),
        # In winter London is on GMT: no shift.
        (date(2008, 1, 18), at("2024-01-17T23:30:00+00:00"), CS),
        (date(2008, 1, 18), at("2024-01-18T00:00:00+00:00"), DA),
        # 29 February birthdays: 29 February in a leap year ...
        (date(2008, 2, 29), at("2024-02-28T12:00:00+00:00"), CS),
        (date(2008, 2, 29), at("2024-02-29T00:00:00+00:00"), DA),
        # ... 1 March in a common year (2100 is not a leap year).
        (date(2084, 2, 29), at("2100-02-28T23:59:00+00:00"), CS),
        (date(2084, 2, 29), at("2100-03-01T00:00:00+00:00"), DA),
        # Plainly adult or plainly a child.
        (date(1960, 1, 1), at("2024-05-18T12:00:00+01:00"), DA),
        (date(2020, 1, 1), at("2024-05-18T12:00:00+01:00"), CS),
    ],
)
def test_victim_age_on_the_london_day(
    victim_dob: date, occurred_at: datetime, verdict: DomesticAbuseVerdict
) -> None:
    check = make_incident(victim_dob=victim_dob, occurred_at=occurred_at).domestic_abuse_check()
    assert check.verdict is verdict
    if verdict is DA:
        assert check.reasons == ("both aged 16 or over and intimate_partner",)
    else:
        assert check.reasons == (VICTIM_UNDER,)


@pytest.mark.parametrize(
    ("suspect_dob", "occurred_at", "verdict"),
    [
        (date(2008, 5, 18), at("2024-05-17T23:30:00+00:00"), DA),
        (date(2008, 5, 18), at("2024-05-17T22:30:00+00:00"), CS),
    ],
)
def test_suspect_age_on_the_london_day(
    suspect_dob: date, occurred_at: datetime, verdict: DomesticAbuseVerdict
) -> None:
    check = make_incident(suspect_dob=suspect_dob, occurred_at=occurred_at).domestic_abuse_check()
    assert check.verdict is verdict
    if verdict is CS:
        assert check.reasons == (SUSPECT_UNDER,)


@pytest.mark.parametrize(
    ("victim_dob", "suspect_dob", "relationship", "verdict", "reasons"),
    [
        (ADULT, ADULT, PARTNER, DA, ("both aged 16 or over and intimate_partner",)),
        (
            ADULT,
            ADULT,
            Relationship(RelationshipKind.FORMER_INTIMATE_PARTNER),
            DA,
            ("both aged 16 or over and former_intimate_partner",),
        ),
        (
            ADULT,
            ADULT,
            Relationship(RelationshipKind.FAMILY_MEMBER, FamilyRelation.PARENT),
            DA,
            ("both aged 16 or over and family_member",),
        ),
        (ADULT, date(2010, 1, 1), PARTNER, CS, (SUSPECT_UNDER,)),
        (date(2010, 1, 1), ADULT, PARTNER, CS, (VICTIM_UNDER,)),
        (date(2010, 1, 1), date(2011, 1, 1), PARTNER, CS, (VICTIM_UNDER, SUSPECT_UNDER)),
        # An age under 16 settles it even when the other is not known.
        (None, date(2010, 1, 1), PARTNER, CS, (SUSPECT_UNDER,)),
        (date(2010, 1, 1), None, PARTNER, CS, (VICTIM_UNDER,)),
        (None, ADULT, PARTNER, UD, (VICTIM_UNKNOWN,)),
        (ADULT, None, PARTNER, UD, (SUSPECT_UNKNOWN,)),
        (None, None, PARTNER, UD, (VICTIM_UNKNOWN, SUSPECT_UNKNOWN)),
        # Not partners or family: not domestic abuse, whatever the ages.
        (ADULT, ADULT, Relationship(RelationshipKind.OTHER), ND, (NOT_RELATED,)),
        (None, None, Relationship(RelationshipKind.OTHER), ND, (NOT_RELATED,)),
        (
            date(2010, 1, 1),
            date(2011, 1, 1),
            Relationship(RelationshipKind.OTHER),
            ND,
            (NOT_RELATED,),
        ),
    ],
)
def test_domestic_abuse_check(
    victim_dob: date | None,
    suspect_dob: date | None,
    relationship: Relationship,
    verdict: DomesticAbuseVerdict,
    reasons: tuple[str, ...],
) -> None:
    incident = make_incident(
        victim_dob=victim_dob, suspect_dob=suspect_dob, relationship=relationship
    )
    check = incident.domestic_abuse_check()
    assert check == DomesticAbuseCheck(verdict, reasons)
    assert check.is_domestic_abuse is (verdict is DA)


@pytest.mark.parametrize("verdict", list(DomesticAbuseVerdict))
def test_is_domestic_abuse_only_for_a_certain_verdict(verdict: DomesticAbuseVerdict) -> None:
    assert DomesticAbuseCheck(verdict, ("r",)).is_domestic_abuse is (verdict is DA)


@pytest.mark.parametrize(
    ("victim_dob", "suspect_dob", "relationship"),
    [
        (date(1991, 6, 3), date(1988, 2, 14), PARTNER),
        (date(2009, 3, 1), date(2005, 9, 9), PARTNER),
        (date(2009, 3, 1), date(2010, 9, 9), PARTNER),
        (date(1991, 6, 3), None, PARTNER),
        (date(1991, 6, 3), date(1988, 2, 14), Relationship(RelationshipKind.OTHER)),
    ],
)
def test_reasons_carry_no_personal_data(
    victim_dob: date, suspect_dob: date | None, relationship: Relationship
) -> None:
    incident = make_incident(
        victim_dob=victim_dob,
        suspect_dob=suspect_dob,
        relationship=relationship,
        occurred_at=at("2024-07-02T16:00:00+01:00"),
    )
    reasons = incident.domestic_abuse_check().reasons
    assert reasons
    dobs = [d for d in (victim_dob, suspect_dob) if d is not None]
    forbidden = ["Victim Name", "Suspect Name", "V1", "S1"]
    for dob in dobs:
        forbidden += [dob.isoformat(), str(dob.year), dob.strftime("%d/%m"), dob.strftime("%B")]
    for reason in reasons:
        assert isinstance(reason, str)
        for text in forbidden:
            assert text not in reason


# --- Case: an incident with what arrived about it --------------------------------------


def make_form(incident_id: str = "INC-1") -> RiskForm:
    return RiskForm(incident_id, "dash-2009-police", {"1": Answer.YES}, "PC-1", WHEN)


def test_case_with_nothing_but_the_incident() -> None:
    case = Case(make_incident())
    assert (case.form, case.call, case.graded_at, case.recorded_grade) == (None,) * 4


def test_case_with_everything_matching() -> None:
    incident = make_incident(call_id="CALL-1")
    case = Case(
        incident,
        form=make_form(),
        call=Call("CALL-1", WHEN),
        graded_at=incident.reported_at,
        recorded_grade=RiskGrade.MEDIUM,
    )
    assert case.recorded_grade is RiskGrade.MEDIUM
    # An incident that does not name its call may be given one.
    assert Case(make_incident(), call=Call("CALL-9", WHEN)).call == Call("CALL-9", WHEN)


@pytest.mark.parametrize(
    ("overrides", "path", "message"),
    [
        (
            {"form": make_form("INC-2")},
            "$.form",
            "is for another incident (incident_id does not match)",
        ),
        (
            {"call": Call("CALL-2", WHEN)},
            "$.call",
            "is not the incident's call (call_id does not match)",
        ),
        (
            {"graded_at": datetime(2024, 3, 1, 14), "recorded_grade": RiskGrade.HIGH},
            "$.graded_at",
            "naive datetime: a UTC offset or time zone is required",
        ),
        (
            {"graded_at": WHEN, "recorded_grade": RiskGrade.HIGH},  # reported an hour later
            "$.graded_at",
            "must not be before the incident was reported",
        ),
        (
            {"graded_at": WHEN + timedelta(hours=2)},
            "$.recorded_grade",
            "graded_at and recorded_grade go together",
        ),
        (
            {"recorded_grade": RiskGrade.HIGH},
            "$.recorded_grade",
            "graded_at and recorded_grade go together",
        ),
    ],
    ids=[
        "form",
        "call",
        "naive graded_at",
        "graded before report",
        "grade missing",
        "time missing",
    ],
)
def test_case_invariant(overrides: dict[str, Any], path: str, message: str) -> None:
    with pytest.raises(ValidationError) as excinfo:
        Case(make_incident(call_id="CALL-1"), **overrides)
    assert excinfo.value.type_name == "Case"
    assert problems(excinfo) == [(path, message)]


def test_case_graded_by_instant_in_the_repeated_autumn_hour() -> None:
    incident = make_incident(
        occurred_at=FIRST_0145 - timedelta(minutes=30), reported_at=FIRST_0145
    )
    case = Case(incident, graded_at=SECOND_0110, recorded_grade=RiskGrade.HIGH)
    assert micros(case.graded_at) == micros(SECOND_0110)  # kept at its fixed offset
    assert case.graded_at.utcoffset() == SECOND_0110.utcoffset()


def test_case_graded_the_moment_it_was_reported_is_valid() -> None:
    incident = make_incident()
    case = Case(incident, graded_at=incident.reported_at, recorded_grade=RiskGrade.STANDARD)
    assert case.graded_at == incident.reported_at


def test_case_reports_every_problem_together() -> None:
    with pytest.raises(ValidationError) as excinfo:
        Case(
            make_incident(call_id="CALL-1"),
            form=make_form("INC-2"),
            call=Call("CALL-2", WHEN),
            graded_at=WHEN - timedelta(days=1),
        )
    assert len(excinfo.value.errors) == 4
    assert [error.path for error in excinfo.value.errors] == [
        "$.form",
        "$.call",
        "$.graded_at",
        "$.recorded_grade",
    ]
