"""Example-based tests for dapolicy.errors and the all-at-once checking of models."""

from __future__ import annotations

import copy
import pickle
from datetime import UTC, datetime

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

import dapolicy
from dapolicy import DapolicyError, FieldError, Incident, Person, ValidationError, from_dict
from dapolicy.errors import SAFE_NAME, join_path, safe_name
from dapolicy.models._base import Checked, Problems

# --- FieldError ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("$", ""),
        ("$.id", "id"),
        ("$.victim.date_of_birth", "victim.date_of_birth"),
        ("$.children[1].age", "children[1].age"),
        ("$['home address']", "['home address']"),
        ("$[0]", "[0]"),
    ],
)
def test_field_error_field(path: str, field: str) -> None:
    assert FieldError(path, "m").field == field


@pytest.mark.parametrize(
    ("error", "text"),
    [
        (
            FieldError("$.victim.date_of_birth", "must be a calendar date"),
            "victim.date_of_birth: must be a calendar date @ $.victim.date_of_birth",
        ),
        (FieldError("$.children[1].age", "bad"), "children[1].age: bad @ $.children[1].age"),
        (
            FieldError("$", "expected an object, got an array"),
            "expected an object, got an array @ $",
        ),
    ],
)
def test_field_error_str(error: FieldError, text: str) -> None:
    assert str(error) == text


def test_field_error_is_a_frozen_value() -> None:
    error = FieldError("$.id", "must not be empty")
    assert error == FieldError("$.id", "must not be empty")
    assert error != FieldError("$.id", "must be a string")
    assert hash(error) == hash(FieldError("$.id", "must not be empty"))
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        error.path = "$"  # type: ignore[misc]


# --- ValidationError -------------------------------------------------------------------


def test_validation_error_str_one_problem() -> None:
    error = ValidationError("Person", [FieldError("$.id", "must not be empty")])
    assert str(error) == "invalid Person: 1 problem\n  id: must not be empty @ $.id"


def test_validation_error_str_several_problems() -> None:
    error = ValidationError(
        "Incident",
        [
            FieldError("$.id", "must not be empty"),
            FieldError("$.children[0].age", "expected a whole number, got a string"),
            FieldError("$", "not valid JSON: Expecting value (line 1, column 1)"),
        ],
    )
    assert str(error).splitlines() == [
        "invalid Incident: 3 problems",
        "  id: must not be empty @ $.id",
        "  children[0].age: expected a whole number, got a string @ $.children[0].age",
        "  not valid JSON: Expecting value (line 1, column 1) @ $",
    ]


def test_validation_error_attributes_and_types() -> None:
    errors = [FieldError("$.id", "must not be empty"), FieldError("$.age", "too old")]
    error = ValidationError("Child", iter(errors))  # any iterable, consumed once
    assert error.type_name == "Child"
    assert error.errors == tuple(errors)
    assert error.args == ("Child", tuple(errors))
    assert isinstance(error, DapolicyError)
    assert isinstance(error, ValueError)
    assert isinstance(error, Exception)
    assert dapolicy.ValidationError is ValidationError


@pytest.mark.parametrize("errors", [[], (), iter(())])
def test_validation_error_needs_at_least_one_problem(errors: object) -> None:
    with pytest.raises(ValueError, match="needs at least one FieldError") as excinfo:
        ValidationError("Person", errors)  # type: ignore[arg-type]
    assert type(excinfo.value) is ValueError


def test_validation_error_survives_pickle_and_copy() -> None:
    error = ValidationError("Person", [FieldError("$.id", "must not be empty")])
    for clone in (pickle.loads(pickle.dumps(error)), copy.copy(error)):
        assert isinstance(clone, ValidationError)
        assert clone.type_name == "Person"
        assert clone.errors == error.errors
        assert str(clone) == str(error)


@pytest.mark.parametrize(
    ("path", "under", "rerooted"),
    [
        ("$", "$.crime", "$.crime"),
        ("$.id", "$.crime", "$.crime.id"),
        ("$.children[1].age", "$.incidents[2]", "$.incidents[2].children[1].age"),
        ("$[0]", "$.items", "$.items[0]"),
        ("$.id", "$", "$.id"),
    ],
)
def test_under_reroots_paths(path: str, under: str, rerooted: str) -> None:
    error = ValidationError("Crime", [FieldError(path, "msg")])
    assert error.under(under) == (FieldError(rerooted, "msg"),)


def test_under_keeps_every_error_in_order() -> None:
    error = ValidationError("Crime", [FieldError("$.id", "a"), FieldError("$", "b")])
    assert error.under("$.crime") == (FieldError("$.crime.id", "a"), FieldError("$.crime", "b"))
    # the error itself is unchanged
    assert error.errors == (FieldError("$.id", "a"), FieldError("$", "b"))


# --- join_path -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("base", "part", "path"),
    [
        ("$", "id", "$.id"),
        ("$.victim", "date_of_birth", "$.victim.date_of_birth"),
        ("$", 0, "$[0]"),
        ("$.children", 12, "$.children[12]"),
        ("$", "home address", "$['home address']"),
        ("$.answers", "dash-1", "$.answers['dash-1']"),
        ("$.answers", "1st", "$.answers['1st']"),
        ("$", "it's", '$["it\'s"]'),
        ("$", "", "$['']"),
    ],
)
def test_join_path(base: str, part: str | int, path: str) -> None:
    assert join_path(base, part) == path


# --- the Checked mixin: every problem at once, each with its path ----------------------


def test_a_model_error_names_every_problem_in_str() -> None:
    with pytest.raises(ValidationError) as excinfo:
        Person(" ", date_of_birth=datetime(2000, 1, 1, tzinfo=UTC))
    assert str(excinfo.value) == (
        "invalid Person: 2 problems\n"
        "  id: must not be empty @ $.id\n"
        "  date_of_birth: must be a calendar date @ $.date_of_birth"
    )


def test_nested_model_error_is_rerooted_by_from_dict() -> None:
    data = {
        "id": "INC-1",
        "reported_at": "2024-01-01T10:00:00+00:00",
        "occurred_at": "2024-01-01T09:00:00+00:00",
        "victim": {"id": "V1"},
        "suspect": {"id": ""},
        "relationship": {"kind": "family_member"},
        "abuse_types": ["physical"],
    }
    with pytest.raises(ValidationError) as excinfo:
        from_dict(Incident, data)
    assert str(excinfo.value).splitlines() == [
        "invalid Incident: 2 problems",
        "  suspect.id: must not be empty @ $.suspect.id",
        "  relationship.family: required when kind is family_member @ $.relationship.family",
    ]


@attrs.frozen
class _Whole(Checked):
    low: int
    high: int

    def _problems(self) -> Problems:
        if self.low > self.high:
            yield "", "low must not exceed high"
        if self.low < 0:
            yield "low", "must not be negative"


@attrs.frozen
class _Plain(Checked):
    value: int


def test_checked_problem_about_the_whole_record_is_at_the_root() -> None:
    with pytest.raises(ValidationError) as excinfo:
        _Whole(-1, -2)
    assert excinfo.value.type_name == "_Whole"
    assert excinfo.value.errors == (
        FieldError("$", "low must not exceed high"),
        FieldError("$.low", "must not be negative"),
    )
    assert str(excinfo.value).splitlines()[1] == "  low must not exceed high @ $"


def test_checked_without_rules_accepts_anything() -> None:
    assert _Plain(-5).value == -5
    assert _Whole(1, 2).high == 2


# --- safe_name: which names from input may be quoted ------------------------------------


@pytest.mark.parametrize(
    "name",
    ["date_of_brith", "dash-2009-police", "27", "q16", "item.3", "a" * 32, "dial-v2"],
)
def test_safe_name_quotes_ids_and_field_names(name: str) -> None:
    assert safe_name(name) == name


@pytest.mark.parametrize(
    "name",
    [
        "Jane Smith",  # a space
        "Jane",  # a capital
        "07700900123",  # a phone number: too many digits
        "1990-01-01",  # a date of birth
        "SW1A 1AA",
        "SW1A1AA",
        "jane@example.org",
        "a" * 33,
        "",
        "-x",
        "caf\u00e9",
        "\u0661",  # a digit, but not an ASCII one
        "x\n",
        3,
        None,
    ],
)
def test_safe_name_refuses_what_may_be_personal_data(name: object) -> None:
    assert safe_name(name) is None


def test_safe_name_quotes_a_known_name_whatever_it_looks_like() -> None:
    assert safe_name("Q 16", known={"Q 16"}) == "Q 16"
    assert safe_name("Q 17", known={"Q 16"}) is None


@given(st.text(max_size=40))
def test_safe_name_never_quotes_a_space_a_capital_or_a_long_number(text: str) -> None:
    quoted = safe_name(text)
    assert quoted is None or quoted == text
    if quoted is not None:
        assert SAFE_NAME.fullmatch(text)
        assert not any(c.isspace() or c.isupper() for c in text)
        assert sum(c.isdigit() for c in text) <= 4
