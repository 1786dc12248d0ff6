"""Example-based tests for dapolicy.models.people: Person, Child, Relationship."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from dapolicy import (
    Child,
    FamilyRelation,
    Person,
    Relationship,
    RelationshipKind,
    ValidationError,
    Vulnerability,
)


def problems(excinfo: pytest.ExceptionInfo[ValidationError]) -> list[tuple[str, str]]:
    return [(error.path, error.message) for error in excinfo.value.errors]


# --- Person ----------------------------------------------------------------------------


def test_person_minimal_has_defaults() -> None:
    person = Person("V1")
    assert person.id == "V1"
    assert person.name is None
    assert person.date_of_birth is None
    assert person.address is None
    assert person.address_confidential is False
    assert person.phone is None
    assert person.vulnerabilities == frozenset()


def test_person_vulnerabilities_are_converted_to_a_frozenset() -> None:
    person = Person(
        "V1",
        vulnerabilities=[Vulnerability.PREGNANT, Vulnerability.ELDERLY, Vulnerability.PREGNANT],
    )
    assert person.vulnerabilities == frozenset({Vulnerability.PREGNANT, Vulnerability.ELDERLY})
    assert type(person.vulnerabilities) is frozenset


@pytest.mark.parametrize(
    ("person_id", "message"),
    [
        ("", "must not be empty"),
        ("   ", "must not be empty"),
        ("\t\n", "must not be empty"),
        (None, "must be a string"),
        (7, "must be a string"),
    ],
)
def test_person_id_must_be_non_blank_text(person_id: object, message: str) -> None:
    with pytest.raises(ValidationError) as excinfo:
        Person(person_id)  # type: ignore[arg-type]
    assert excinfo.value.type_name == "Person"
    assert problems(excinfo) == [("$.id", message)]


@pytest.mark.parametrize(
    "date_of_birth",
    [
        datetime(2008, 5, 18, tzinfo=UTC),
        datetime(2008, 5, 18),  # a naive datetime is still not a date
        "2008-05-18",
        20080518,
    ],
)
def test_person_date_of_birth_must_be_a_calendar_date(date_of_birth: object) -> None:
    with pytest.raises(ValidationError) as excinfo:
        Person("V1", date_of_birth=date_of_birth)  # type: ignore[arg-type]
    assert problems(excinfo) == [("$.date_of_birth", "must be a calendar date")]


def test_person_reports_every_problem_together() -> None:
    with pytest.raises(ValidationError) as excinfo:
        Person(" ", date_of_birth="2008-05-18")  # type: ignore[arg-type]
    assert len(excinfo.value.errors) == 2
    assert problems(excinfo) == [
        ("$.id", "must not be empty"),
        ("$.date_of_birth", "must be a calendar date"),
    ]


def test_person_age_is_none_without_a_date_of_birth() -> None:
    assert Person("V1").age_on(date(2024, 5, 18)) is None


@pytest.mark.parametrize(
    ("born", "day", "age"),
    [
        (date(2008, 5, 18), date(2024, 5, 18), 16),  # birthday: the new age from the start
        (date(2008, 5, 18), date(2024, 5, 17), 15),  # the day before
        (date(2008, 5, 18), date(2024, 5, 19), 16),
        (date(2008, 5, 18), date(2008, 5, 18), 0),  # the day of birth
        (date(2008, 12, 31), date(2024, 1, 1), 15),  # later month, earlier in the year
        (date(2008, 1, 1), date(2024, 12, 31), 16),
        # 29 February: reached on 1 March in a common year ...
        (date(2008, 2, 29), date(2025, 2, 28), 16),
        (date(2008, 2, 29), date(2025, 3, 1), 17),
        # ... and on 29 February in a leap year.
        (date(2008, 2, 29), date(2024, 2, 28), 15),
        (date(2008, 2, 29), date(2024, 2, 29), 16),
        (date(2008, 2, 29), date(2024, 3, 1), 16),
        # 2100 is not a leap year (century rule).
        (date(2084, 2, 29), date(2100, 2, 28), 15),
        (date(2084, 2, 29), date(2100, 3, 1), 16),
        # Born on 1 March: nothing special about a leap year.
        (date(2008, 3, 1), date(2024, 2, 29), 15),
        (date(2008, 3, 1), date(2024, 3, 1), 16),
    ],
)
def test_person_age_on(born: date, day: date, age: int) -> None:
    assert Person("V1", date_of_birth=born).age_on(day) == age


# --- Child -----------------------------------------------------------------------------


@pytest.mark.parametrize("age", [0, 1, 16, 17])
def test_child_age_from_0_to_17_is_valid(age: int) -> None:
    child = Child("C1", age)
    assert child.age == age
    assert (child.present, child.usually_resident, child.welfare_checked) == (
        False,
        False,
        False,
    )


@pytest.mark.parametrize("age", [-1, 18, 40])
def test_child_age_outside_0_to_17_is_rejected(age: int) -> None:
    with pytest.raises(ValidationError) as excinfo:
        Child("C1", age)
    assert excinfo.value.type_name == "Child"
    assert problems(excinfo) == [("$.age", "a child's age must be from 0 to 17")]


@pytest.mark.parametrize("age", [True, False, 4.0, "4", None])
def test_child_age_must_be_a_whole_number(age: object) -> None:
    with pytest.raises(ValidationError) as excinfo:
        Child("C1", age)  # type: ignore[arg-type]
    assert problems(excinfo) == [("$.age", "must be a whole number of years")]


def test_child_reports_every_problem_together() -> None:
    with pytest.raises(ValidationError) as excinfo:
        Child("", 18)
    assert len(excinfo.value.errors) == 2
    assert problems(excinfo) == [
        ("$.id", "must not be empty"),
        ("$.age", "a child's age must be from 0 to 17"),
    ]


@pytest.mark.parametrize(
    ("present", "usually_resident", "in_household"),
    [
        (False, False, False),
        (True, False, True),
        (False, True, True),
        (True, True, True),
    ],
)
def test_child_in_household(present: bool, usually_resident: bool, in_household: bool) -> None:
    child = Child("C1", 5, present=present, usually_resident=usually_resident)
    assert child.in_household is in_household


def test_child_in_household_ignores_welfare_checked() -> None:
    assert Child("C1", 5, welfare_checked=True).in_household is False


# --- Relationship ----------------------------------------------------------------------


def test_family_member_needs_a_family_relation() -> None:
    with pytest.raises(ValidationError) as excinfo:
        Relationship(RelationshipKind.FAMILY_MEMBER)
    assert excinfo.value.type_name == "Relationship"
    assert problems(excinfo) == [("$.family", "required when kind is family_member")]


@pytest.mark.parametrize("family", list(FamilyRelation))
def test_family_member_with_a_relation_is_valid(family: FamilyRelation) -> None:
    relationship = Relationship(RelationshipKind.FAMILY_MEMBER, family)
    assert relationship.family is family


@pytest.mark.parametrize(
    "kind",
    [
        RelationshipKind.INTIMATE_PARTNER,
        RelationshipKind.FORMER_INTIMATE_PARTNER,
        RelationshipKind.OTHER,
    ],
)
def test_family_relation_only_allowed_for_family_members(kind: RelationshipKind) -> None:
    assert Relationship(kind).family is None
    with pytest.raises(ValidationError) as excinfo:
        Relationship(kind, FamilyRelation.SIBLING)
    assert problems(excinfo) == [("$.family", "only allowed when kind is family_member")]


@pytest.mark.parametrize(
    ("relationship", "is_domestic"),
    [
        (Relationship(RelationshipKind.INTIMATE_PARTNER), True),
        (Relationship(RelationshipKind.FORMER_INTIMATE_PARTNER), True),
        (Relationship(RelationshipKind.FAMILY_MEMBER, FamilyRelation.IN_LAW), True),
        (Relationship(RelationshipKind.OTHER), False),
    ],
)
def test_relationship_is_domestic(relationship: Relationship, is_domestic: bool) -> None:
    assert relationship.is_domestic is is_domestic
