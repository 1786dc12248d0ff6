"""JSON round trips of every model type, drawn from dapolicy.testing.strategies."""

from __future__ import annotations

import json
import typing
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from dapolicy import from_dict, from_json, to_dict, to_json
from dapolicy.history import CallEntry, HistoryEntry, MaracReferralEntry
from dapolicy.models import (
    MODEL_TYPES,
    Answer,
    Call,
    Case,
    Decision,
    Event,
    Incident,
    Reason,
    RiskForm,
    Task,
)
from dapolicy.models._base import fixed_offset, fixed_offset_or_none
from dapolicy.testing import strategies as ds

LONDON = ZoneInfo("Europe/London")

ids = pytest.mark.parametrize("model_type", MODEL_TYPES, ids=lambda t: t.__name__)


def datetimes_in(obj: object) -> list[datetime]:
    found: list[datetime] = []

    def walk(value: object) -> None:
        if isinstance(value, datetime):
            found.append(value)
        elif attrs.has(type(value)):
            for field in attrs.fields(type(value)):
                walk(getattr(value, field.name))
        elif isinstance(value, tuple):
            for item in value:
                walk(item)

    walk(obj)
    return found


def datetime_fields(cls: type) -> list[str]:
    hints = typing.get_type_hints(cls)
    return [
        name
        for name, hint in hints.items()
        if hint is datetime or datetime in typing.get_args(hint)
    ]


@pytest.mark.parametrize(
    "model_type",
    [*MODEL_TYPES, HistoryEntry, MaracReferralEntry, CallEntry],
    ids=lambda t: t.__name__,
)
def test_every_datetime_field_is_put_at_a_fixed_offset(model_type: type) -> None:
    """A guard: a datetime field added without the converter would break equality."""
    by_name = {field.name: field for field in attrs.fields(model_type)}
    for name in datetime_fields(model_type):
        assert by_name[name].converter in (fixed_offset, fixed_offset_or_none), name


def test_models_with_datetimes_are_all_found() -> None:
    with_times = {cls for cls in MODEL_TYPES if datetime_fields(cls)}
    assert {Task, Incident, Call, Decision, RiskForm, Event, Case} <= with_times


@ids
@given(data=st.data())
def test_json_round_trip_gives_an_equal_object(model_type: type, data: st.DataObject) -> None:
    """In every hour of the year, London's repeated autumn hour included."""
    obj = data.draw(st.from_type(model_type))
    text = to_json(obj)
    back = from_json(model_type, text)
    assert type(back) is model_type
    assert back == obj
    assert to_json(back) == text
    as_dict = to_dict(obj)
    assert json.loads(text) == as_dict  # to_dict is the JSON document, in plain types
    assert from_dict(model_type, as_dict) == obj


@ids
@given(data=st.data())
def test_json_text_is_stable_and_a_fixed_point(model_type: type, data: st.DataObject) -> None:
    """Including times in London's repeated hour: the text and the instants survive."""
    obj = data.draw(st.from_type(model_type))
    text = to_json(obj)
    assert to_json(obj) == text
    assert "\n" not in text  # one record, one line (JSON Lines)
    assert "\r" not in text
    assert to_json(attrs.evolve(obj)) == text
    back = from_json(model_type, text)
    assert to_json(back) == text
    assert [d.astimezone(UTC) for d in datetimes_in(back)] == [
        d.astimezone(UTC) for d in datetimes_in(obj)
    ]
    assert [d.utcoffset() for d in datetimes_in(back)] == [
        d.utcoffset() for d in datetimes_in(obj)
    ]


@given(ds.incidents(), ds.persons())
def test_sets_are_written_sorted(incident: Incident, person: object) -> None:
    as_dict = to_dict(incident)
    assert as_dict["abuse_types"] == sorted(as_dict["abuse_types"])
    for role in ("victim", "suspect"):
        listed = as_dict[role]["vulnerabilities"]
        assert listed == sorted(listed)
    assert to_dict(person)["vulnerabilities"] == sorted(to_dict(person)["vulnerabilities"])


@given(ds.risk_forms(item_ids=[f"q{n}" for n in range(1, 28)]))
def test_answers_order_does_not_change_the_text(form: RiskForm) -> None:
    reordered = attrs.evolve(form, answers=dict(reversed(list(form.answers.items()))))
    assert to_json(reordered) == to_json(form)
    keys = list(to_dict(form)["answers"])
    assert keys == sorted(keys)


def test_equal_instants_in_other_zones_keep_their_own_offsets() -> None:
    reason = Reason("dash.yes-count", "SafeLives DASH guidance", "14 or more yes answers")
    one = Task("safety-plan", "P-1", datetime(2024, 5, 1, 12, tzinfo=UTC), [reason])
    two = Task("safety-plan", "P-1", datetime(2024, 5, 1, 13, tzinfo=LONDON), (reason,))
    assert one == two
    # Equal objects, different zones: the text keeps each one's own offset.
    assert to_json(one) != to_json(two)
    assert from_json(Task, to_json(two)).due_by.utcoffset() == two.due_by.utcoffset()


def test_round_trip_equality_in_londons_repeated_hour() -> None:
    repeated = datetime(2024, 10, 27, 1, 30, tzinfo=LONDON)  # 00:30 UTC, BST
    reason = Reason("events.release", "force setting", "perpetrator released")
    task = Task("victim-notification", "P-1", repeated, [reason])
    back = from_json(Task, to_json(task))
    assert back.due_by.astimezone(UTC) == repeated.astimezone(UTC)  # the instant survives
    assert back == task  # ... and so does equality (PEP 495 no longer bites)
    assert hash(back) == hash(task)
    assert task.due_by.utcoffset() == timedelta(hours=1)  # the offset the user gave
    assert task.due_by.replace(tzinfo=None) == datetime(2024, 10, 27, 1, 30)  # its wall clock
    second = Task("victim-notification", "P-1", repeated.replace(fold=1), [reason])  # GMT
    assert second != task  # one hour later: the two 01:30s are different instants
    assert from_json(Task, to_json(second)) == second


def test_every_hour_of_a_year_in_london_reads_back_equal() -> None:
    start = datetime(2024, 1, 1, tzinfo=UTC)
    reason = Reason("events.release", "force setting", "perpetrator released")
    hours = [(start + timedelta(hours=n)).astimezone(LONDON) for n in range(366 * 24)]
    assert sum(moment.fold for moment in hours) == 1  # 01:00 GMT on 27 October
    for moment in hours:
        task = Task("victim-notification", "P-1", moment, [reason])
        assert from_json(Task, to_json(task)) == task, moment.isoformat()


def test_an_instant_in_two_zones_is_one_value() -> None:
    reason = Reason("events.release", "force setting", "perpetrator released")
    utc = datetime(2024, 10, 27, 1, 30, tzinfo=UTC)
    tasks = {
        Task("victim-notification", "P-1", utc, [reason]),
        Task("victim-notification", "P-1", utc.astimezone(LONDON), [reason]),  # fold=1
    }
    assert len(tasks) == 1


def test_answers_json_uses_values() -> None:
    form = RiskForm(
        incident_id="INC-1",
        checklist="dash-2009-police",
        answers={"q2": Answer.NO, "q1": Answer.YES},
        completed_by="PC-1",
        completed_at=datetime(2024, 3, 31, 0, 30, tzinfo=LONDON),
    )
    as_dict = json.loads(to_json(form))
    assert as_dict["answers"] == {"q1": "yes", "q2": "no"}
    assert list(as_dict["answers"]) == ["q1", "q2"]
    assert as_dict["completed_at"] == "2024-03-31T00:30:00+00:00"
