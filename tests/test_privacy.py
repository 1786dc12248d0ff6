"""Personal data never reaches ``repr``, ``str`` or an error message.

Generated objects carry fictional names, addresses, phone numbers, dates of birth and
free text (see dapolicy.testing.strategies); each test collects the personal values of
an object and checks that none of them shows.
"""

from __future__ import annotations

import logging
import re
import traceback
from datetime import date
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from dapolicy import ValidationError, from_dict, to_dict
from dapolicy.models import (
    MODEL_TYPES,
    Call,
    Case,
    Child,
    Crime,
    Decision,
    Event,
    Incident,
    Outcome,
    Person,
    ProfessionalJudgement,
    Reason,
    RiskForm,
    Task,
    Thrive,
)
from dapolicy.testing import strategies as ds

#: The fields that hold personal data or free text, by type.
PERSONAL_FIELDS: dict[type, tuple[str, ...]] = {
    Person: ("name", "date_of_birth", "address", "phone"),
    Call: ("location",),
    Crime: ("outcome_rationale",),
    ProfessionalJudgement: ("rationale",),
    Event: ("details",),
    Thrive: ("threat", "harm", "risk", "investigation", "vulnerability", "engagement"),
}

PHONE = re.compile(r"(07700 900|01632 960)\d{3}")


def renderings(value: object) -> set[str]:
    """The ways a personal value could show in text."""
    if isinstance(value, date):
        return {value.isoformat(), repr(value), value.strftime("%d/%m/%Y")}
    return {str(value)}


def personal_values(obj: object) -> set[str]:
    """Every personal value in ``obj`` and the objects nested in it."""
    found: set[str] = set()

    def walk(value: object) -> None:
        if attrs.has(type(value)):
            for name in PERSONAL_FIELDS.get(type(value), ()):
                held = getattr(value, name)
                if held is not None:
                    found.update(renderings(held))
            for field in attrs.fields(type(value)):
                walk(getattr(value, field.name))
        elif isinstance(value, tuple):
            for item in value:
                walk(item)

    walk(obj)
    return found


def texts_of(obj: object) -> list[str]:
    return [repr(obj), str(obj), f"{obj}", repr([obj]), repr({"value": obj})]


def assert_private(obj: object) -> None:
    secrets = personal_values(obj)
    assert secrets, "the strategy gave no personal data to look for"
    for text in texts_of(obj):
        assert type(obj).__name__ in text
        for secret in secrets:
            assert secret not in text


def test_personal_fields_are_kept_out_of_repr_by_declaration() -> None:
    for cls, names in PERSONAL_FIELDS.items():
        hidden = {field.name for field in attrs.fields(cls) if not field.repr}
        assert set(names) <= hidden, cls.__name__


@given(ds.persons(personal_data=True))
def test_persons(person: Person) -> None:
    assert person.name in ds.FICTIONAL_NAMES
    assert_private(person)


@given(ds.incidents(personal_data=True, crime=True))
def test_incidents(incident: Incident) -> None:
    assert_private(incident)
    check = incident.domestic_abuse_check()
    for secret in personal_values(incident):
        assert secret not in repr(check)


@given(ds.calls(caller=True, personal_data=True))
def test_calls(call: Call) -> None:
    assert call.location is not None
    assert_private(call)


@given(ds.crimes(outcome=Outcome.NO_FURTHER_ACTION))
def test_crimes(crime: Crime) -> None:
    assert_private(crime)


@given(ds.risk_forms(judgement=True))
def test_risk_forms(form: RiskForm) -> None:
    assert_private(form)


@given(ds.events().filter(lambda event: event.details is not None))
def test_events(event: Event) -> None:
    assert_private(event)


@given(ds.thrives())
def test_thrive_assessments(thrive: Thrive) -> None:
    assert_private(thrive)


@given(
    ds.cases(
        incident=ds.incidents(personal_data=True),
        form=True,
        call=True,
        datetimes=ds.aware_datetimes(),
    )
)
def test_cases(case: Case) -> None:
    assert_private(case)


def looks_personal(text: str) -> list[str]:
    """Any of the strategies' fictional personal data, wherever it came from."""
    hits = [name for name in ds.FICTIONAL_NAMES if name in text]
    hits += PHONE.findall(text)
    hits += [marker for marker in ("ZZ99", ds.FICTIONAL_MARKER) if marker in text]
    return hits


@pytest.mark.parametrize("model_type", MODEL_TYPES, ids=lambda t: t.__name__)
@given(data=st.data())
def test_no_model_type_shows_personal_data(model_type: type, data: st.DataObject) -> None:
    obj = data.draw(st.from_type(model_type))
    for text in texts_of(obj):
        assert looks_personal(text) == []


@given(ds.decisions())
def test_decisions(decision: Decision) -> None:
    for text in texts_of(decision):
        assert looks_personal(text) == []


def test_looks_personal_finds_what_it_should() -> None:
    """The detector above is not blind: unhidden personal data is found."""
    name = ds.FICTIONAL_NAMES[0]
    assert looks_personal(f"Person(name={name!r}, phone='07700 900123')") == [
        name,
        "07700 900",
    ]


# --- error messages --------------------------------------------------------------------


def error_texts(error: ValidationError) -> list[str]:
    texts = [str(error), repr(error), repr(error.args), "".join(traceback.format_exception(error))]
    texts += [str(field_error) for field_error in error.errors]
    return texts


#: Where a value of the wrong JSON type can go in an incident: a path of keys.
WRONG_TYPE_PLACES: tuple[tuple[str | int, ...], ...] = (
    ("victim", "date_of_birth"),
    ("suspect", "date_of_birth"),
    ("reported_at",),
    ("occurred_at",),
    ("children", 0, "age"),
    ("children", 0, "present"),
    ("relationship", "kind"),
    ("abuse_types", 0),
    ("abuse_types",),
    ("victim", "vulnerabilities"),
    ("victim", "address_confidential"),
    ("victim",),
    ("crime",),
    ("crime", "offence"),
    ("crime", "arrest_made"),
    ("counter_allegation",),
)


def put(record: Any, place: tuple[str | int, ...], value: object) -> None:
    for key in place[:-1]:
        record = record[key]
    record[place[-1]] = value


@given(
    ds.incidents(personal_data=True, domestic=True, crime=True, children=True),
    st.sampled_from(WRONG_TYPE_PLACES),
    st.sampled_from(("name", "address", "phone", "date_of_birth")),
)
def test_personal_data_in_a_wrong_typed_field_is_not_echoed(
    incident: Incident, place: tuple[str | int, ...], kind: str
) -> None:
    held = getattr(incident.victim, kind)
    secret = held.isoformat() if isinstance(held, date) else held
    assert isinstance(secret, str)
    if place[-1] == "date_of_birth" and kind == "date_of_birth":
        secret = f"born {secret}"  # a date there would be valid; make it a bad one
    record = to_dict(incident)
    put(record, place, secret)
    with pytest.raises(ValidationError) as caught:
        from_dict(Incident, record)
    for text in error_texts(caught.value):
        assert secret not in text


@pytest.mark.parametrize(
    "build",
    [
        lambda secret: Person("P-1", date_of_birth=secret),
        lambda secret: Child("C-1", secret),
        lambda secret: Task("check", "P-1", secret, [Reason("r", "s", "t")]),
        lambda secret: Person(" ", name=secret),
    ],
    ids=["date_of_birth", "child_age", "due_by", "blank_id_with_name"],
)
def test_errors_from_python_do_not_echo_values(build: Any) -> None:
    secret = ds.FICTIONAL_NAMES[1]
    with pytest.raises(ValidationError) as caught:
        build(secret)
    for text in error_texts(caught.value):
        assert secret not in text


def test_logged_errors_do_not_echo_values(caplog: pytest.LogCaptureFixture) -> None:
    secret = ds.FICTIONAL_NAMES[2]
    logger = logging.getLogger("dapolicy.tests.privacy")
    try:
        from_dict(Person, {"id": "P-1", "date_of_birth": secret, "nickname": "x"})
    except ValidationError:
        logger.exception("rejected a record")
    assert caplog.records
    assert "rejected a record" in caplog.text
    assert "date_of_birth" in caplog.text
    assert secret not in caplog.text
