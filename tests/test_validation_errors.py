"""Invalid input is rejected with the JSON path of every problem, and never the value.

The records start from valid objects drawn from dapolicy.testing.strategies; one fault
is put in at a known place, and the error must point at exactly that place.
"""

from __future__ import annotations

import enum
import json
from collections.abc import Iterable, Iterator, Mapping
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from dapolicy import ValidationError, from_dict, from_json, to_dict
from dapolicy.models import (
    MODEL_TYPES,
    AbuseType,
    Child,
    Crime,
    Decision,
    DomesticAbuseVerdict,
    Event,
    FamilyRelation,
    Finding,
    Incident,
    OffenceCategory,
    Outcome,
    Person,
    PluginFailure,
    Reason,
    Referral,
    Relationship,
    RelationshipKind,
    RiskForm,
    RiskGrade,
    Task,
)
from dapolicy.testing import strategies as ds

LONDON = ZoneInfo("Europe/London")
SECRET = "Zebedee Fakename"  # one of the fictional names: it must never be echoed
NUMBER = 987654321

any_model = st.sampled_from(MODEL_TYPES).flatmap(
    lambda cls: st.tuples(st.just(cls), st.from_type(cls))
)


def path_join(base: str, part: str | int) -> str:
    """The JSON path convention of dapolicy.errors, written out independently."""
    if isinstance(part, int):
        return f"{base}[{part}]"
    return f"{base}.{part}" if part.isidentifier() else f"{base}[{part!r}]"


def paths(error: ValidationError) -> list[str]:
    return [field_error.path for field_error in error.errors]


def assert_not_echoed(error: ValidationError, *values: object) -> None:
    texts = [str(error), repr(error), *(fe.message for fe in error.errors)]
    for value in values:
        for text in texts:
            assert str(value) not in text


@attrs.define
class Slot:
    """One value in a record: its path, and where it sits in the JSON data."""

    path: str
    container: Any
    key: str | int
    value: Any  # the model's value (not the JSON one)


def slots(obj: object, data: Any, path: str = "$") -> Iterator[Slot]:
    """Every field value of every attrs object in ``obj``, with ``data`` = to_dict(obj).

    Only the fields a constructor takes are in the JSON; ``init=False`` ones (a model's
    own look-up tables, such as the training register's) are not.
    """
    if not attrs.has(type(obj)):
        return
    for field in attrs.fields(type(obj)):
        if not field.init:
            continue
        value = getattr(obj, field.name)
        here = path_join(path, field.name)
        yield Slot(here, data, field.name, value)
        if attrs.has(type(value)):
            yield from slots(value, data[field.name], here)
        elif isinstance(value, tuple):
            for index, item in enumerate(value):
                yield from slots(item, data[field.name][index], path_join(here, index))


def objects(obj: object, data: Any, path: str = "$") -> Iterator[tuple[str, type, dict[str, Any]]]:
    """Every attrs object in ``obj``: its path, type and JSON object."""
    yield path, type(obj), data
    for slot in slots(obj, data, path):
        if attrs.has(type(slot.value)):
            yield slot.path, type(slot.value), slot.container[slot.key]
        elif isinstance(slot.value, tuple):
            for index, item in enumerate(slot.value):
                if attrs.has(type(item)):
                    yield path_join(slot.path, index), type(item), slot.container[slot.key][index]


def rejected(model_type: type, data: Any) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        from_dict(model_type, data)
    assert caught.value.type_name == model_type.__name__
    return caught.value


# --- generic faults, anywhere in any model ---------------------------------------------


def json_nodes(data: Any, path: str = "$") -> Iterator[tuple[str, Any, str | int]]:
    """Every value below the root of a JSON document: (path, container, key)."""
    items = data.items() if isinstance(data, dict) else enumerate(data)
    for key, value in items:
        here = path_join(path, key)
        yield here, data, key
        if isinstance(value, dict | list):
            yield from json_nodes(value, here)


@given(any_model, st.data())
def test_a_value_of_the_wrong_json_type_is_reported_at_its_path(
    drawn: tuple[type, Any], data: st.DataObject
) -> None:
    model_type, obj = drawn
    record = to_dict(obj)
    nodes = [(p, c, k) for p, c, k in json_nodes(record) if c[k] is not None]
    if not nodes:  # e.g. a type whose every value may be null: nothing to break
        return
    path, container, key = data.draw(st.sampled_from(nodes))
    # A number where a string belongs, a string (a name) anywhere else.
    wrong = NUMBER if isinstance(container[key], str) else SECRET
    container[key] = wrong
    error = rejected(model_type, record)
    assert paths(error) == [path]
    assert_not_echoed(error, wrong)


@given(any_model, st.data())
def test_a_missing_required_field_is_reported_at_its_path(
    drawn: tuple[type, Any], data: st.DataObject
) -> None:
    model_type, obj = drawn
    record = to_dict(obj)
    required = [
        (path, name, json_object)
        for path, cls, json_object in objects(obj, record)
        for name in (f.name for f in attrs.fields(cls) if f.init and f.default is attrs.NOTHING)
    ]
    path, name, json_object = data.draw(st.sampled_from(required))
    del json_object[name]
    error = rejected(model_type, record)
    assert paths(error) == [path_join(path, name)]
    assert error.errors[0].message == "required field missing"


@given(any_model, st.data())
def test_an_unknown_field_is_reported_at_its_path(
    drawn: tuple[type, Any], data: st.DataObject
) -> None:
    model_type, obj = drawn
    record = to_dict(obj)
    path, _, json_object = data.draw(st.sampled_from(list(objects(obj, record))))
    json_object["nickname"] = SECRET
    error = rejected(model_type, record)
    assert paths(error) == [path_join(path, "nickname")]
    assert error.errors[0].message == "unknown field"
    assert_not_echoed(error, SECRET)


def _all_enums(values: Iterable[object]) -> bool:
    return all(isinstance(value, enum.Enum) for value in values)


def enum_slots(obj: object, record: Any) -> Iterator[tuple[str, Any, str | int]]:
    """Where each enum value sits in the JSON: a field, a set member or a mapping value."""
    for slot in slots(obj, record):
        value = slot.value
        if isinstance(value, enum.Enum):
            yield slot.path, slot.container, slot.key
        # Sets and mappings of enums only: a training requirement's courses are text.
        elif isinstance(value, frozenset) and value and _all_enums(value):
            listed = slot.container[slot.key]
            yield path_join(slot.path, 0), listed, 0
        elif isinstance(value, Mapping) and value and _all_enums(value.values()):
            answers = slot.container[slot.key]
            item = next(iter(answers))
            yield path_join(slot.path, item), answers, item


@given(any_model, st.data())
def test_an_unknown_enum_value_is_reported_at_its_path(
    drawn: tuple[type, Any], data: st.DataObject
) -> None:
    model_type, obj = drawn
    record = to_dict(obj)
    places = list(enum_slots(obj, record))
    if not places:
        return
    path, container, key = data.draw(st.sampled_from(places))
    container[key] = f"not-a-member {SECRET}"
    error = rejected(model_type, record)
    assert paths(error) == [path]
    assert error.errors[0].message.startswith("must be one of: ")
    assert_not_echoed(error, SECRET)


@given(any_model, st.data())
def test_a_naive_datetime_is_reported_at_its_path(
    drawn: tuple[type, Any], data: st.DataObject
) -> None:
    model_type, obj = drawn
    record = to_dict(obj)
    places = [s for s in slots(obj, record) if isinstance(s.value, datetime)]
    if not places:
        return
    slot = data.draw(st.sampled_from(places))
    naive = slot.value.replace(tzinfo=None).isoformat()
    slot.container[slot.key] = naive
    error = rejected(model_type, record)
    assert paths(error) == [slot.path]
    assert "naive datetime" in error.errors[0].message
    assert_not_echoed(error, naive)


# --- the faults the brief names, one by one --------------------------------------------


@given(ds.incidents(children=True), st.data())
def test_a_child_aged_18_is_rejected_at_its_path(incident: Incident, data: st.DataObject) -> None:
    record = to_dict(incident)
    index = data.draw(st.integers(0, len(record["children"]) - 1))
    record["children"][index]["age"] = 18
    error = rejected(Incident, record)
    assert paths(error) == [f"$.children[{index}].age"]
    assert "18" not in error.errors[0].message


@pytest.mark.parametrize("age", [18, -1, 120])
def test_child_ages_outside_0_to_17_are_rejected_in_python(age: int) -> None:
    with pytest.raises(ValidationError) as caught:
        Child("C-1", age)
    assert paths(caught.value) == ["$.age"]


def birthday_years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February in a common year
        return day.replace(year=day.year - years, day=28)


@pytest.mark.parametrize("role", ["victim", "suspect"])
@given(ds.incidents(domestic=True), st.data())
def test_someone_aged_15_makes_it_child_safeguarding_not_an_error(
    role: str, incident: Incident, data: st.DataObject
) -> None:
    day = incident.occurred_at.astimezone(LONDON).date()
    sixteenth = birthday_years_before(day, 16) + timedelta(days=1)  # 16 tomorrow at the soonest
    born = sixteenth + timedelta(days=data.draw(st.integers(0, 364)))
    record = to_dict(incident)
    record[role]["date_of_birth"] = born.isoformat()
    rebuilt = from_dict(Incident, record)  # valid data: no ValidationError
    check = rebuilt.domestic_abuse_check()
    assert check.verdict is DomesticAbuseVerdict.CHILD_SAFEGUARDING
    assert not check.is_domestic_abuse
    assert any(role in reason for reason in check.reasons)


@pytest.mark.parametrize(
    ("occurred_at", "expected"),
    [
        # 23:30 UTC on 1 June is 00:30 BST on 2 June: the 16th birthday, in London.
        ("2024-06-01T23:30:00+00:00", DomesticAbuseVerdict.DOMESTIC_ABUSE),
        ("2024-06-01T20:00:00-05:00", DomesticAbuseVerdict.DOMESTIC_ABUSE),
        # 22:30 UTC on 1 June is 23:30 BST on 1 June: still 15 in London.
        ("2024-06-01T22:30:00+00:00", DomesticAbuseVerdict.CHILD_SAFEGUARDING),
        # 06:30 on 2 June at +09:00 is 22:30 BST on 1 June.
        ("2024-06-02T06:30:00+09:00", DomesticAbuseVerdict.CHILD_SAFEGUARDING),
    ],
)
def test_the_age_test_uses_the_london_calendar_day(
    occurred_at: str, expected: DomesticAbuseVerdict
) -> None:
    moment = datetime.fromisoformat(occurred_at)
    incident = Incident(
        id="INC-1",
        reported_at=moment,
        occurred_at=moment,
        victim=Person("P-1", date_of_birth=date(2008, 6, 2)),
        suspect=Person("P-2", date_of_birth=date(1990, 1, 1)),
        relationship=Relationship(RelationshipKind.INTIMATE_PARTNER),
        abuse_types={AbuseType.PHYSICAL},
    )
    assert incident.domestic_abuse_check().verdict is expected


@given(ds.incidents(children=True))
def test_strings_for_numbers_and_numbers_for_strings(incident: Incident) -> None:
    record = to_dict(incident)
    record["children"][0]["age"] = str(record["children"][0]["age"])
    record["id"] = NUMBER
    record["victim"]["address_confidential"] = "true"
    record["counter_allegation"] = 1
    error = rejected(Incident, record)
    assert set(paths(error)) == {
        "$.children[0].age",
        "$.id",
        "$.victim.address_confidential",
        "$.counter_allegation",
    }
    messages = {fe.path: fe.message for fe in error.errors}
    assert messages["$.children[0].age"] == "expected a whole number, got a string"
    assert messages["$.id"] == "expected a string, got a number"
    assert_not_echoed(error, NUMBER)


@given(ds.findings())
def test_a_fraction_is_not_a_whole_number(finding: Finding) -> None:
    record = to_dict(finding)
    record["score"] = 2.5
    error = rejected(Finding, record)
    assert paths(error) == ["$.score"]
    assert "2.5" not in str(error)


@given(ds.incidents(crime=True, personal_data=True))
def test_every_problem_is_reported_at_once(incident: Incident) -> None:
    record = to_dict(incident)
    record["occurred_at"] = "2024-01-01T10:00:00"
    record["victim"]["date_of_birth"] = SECRET
    record["relationship"]["kind"] = "neighbour"
    record["crime"]["offence"] = 7
    record["abuse_types"] = "physical"
    record.pop("suspect")
    record["extra"] = True
    error = rejected(Incident, record)
    assert set(paths(error)) == {
        "$.occurred_at",
        "$.victim.date_of_birth",
        "$.relationship.kind",
        "$.crime.offence",
        "$.abuse_types",
        "$.suspect",
        "$.extra",
    }
    assert len(error.errors) == 7
    assert_not_echoed(error, SECRET, "neighbour", "2024-01-01T10:00:00")


def test_malformed_json_is_reported_at_the_root_without_the_text() -> None:
    text = '{"id": "INC-1", "victim": {"name": "' + SECRET + '", '
    with pytest.raises(ValidationError) as caught:
        from_json(Incident, text)
    assert paths(caught.value) == ["$"]
    assert "line 1" in caught.value.errors[0].message
    assert_not_echoed(caught.value, SECRET)


@pytest.mark.parametrize("document", ["[]", '"Zebedee Fakename"', "42", "null"])
def test_a_record_that_is_not_an_object(document: str) -> None:
    with pytest.raises(ValidationError) as caught:
        from_json(Incident, document)
    assert paths(caught.value) == ["$"]
    assert_not_echoed(caught.value, SECRET)


# --- invariants checked in Python, with their paths ------------------------------------


def test_naive_datetimes_are_rejected_in_python() -> None:
    naive = datetime(2024, 1, 1, 10, 0)
    reason = Reason("r", "s", "t")
    with pytest.raises(ValidationError) as caught:
        Task("check", "P-1", naive, [reason])
    assert paths(caught.value) == ["$.due_by"]
    assert "naive" in caught.value.errors[0].message


@given(ds.incidents(children=True))
def test_incident_invariants_report_their_fields(incident: Incident) -> None:
    later = incident.reported_at.astimezone(UTC) + timedelta(minutes=1)
    with pytest.raises(ValidationError) as caught:
        attrs.evolve(
            incident,
            id="  ",
            occurred_at=later,
            suspect=attrs.evolve(incident.suspect, id=incident.victim.id),
            abuse_types=frozenset(),
            children=(*incident.children, incident.children[0]),
            attending_officer="",
        )
    assert set(paths(caught.value)) == {
        "$.id",
        "$.occurred_at",
        "$.suspect",
        "$.abuse_types",
        "$.children",
        "$.attending_officer",
    }


@given(ds.incidents())
def test_naive_incident_datetimes_are_rejected(incident: Incident) -> None:
    with pytest.raises(ValidationError) as caught:
        attrs.evolve(incident, reported_at=incident.reported_at.replace(tzinfo=None))
    assert paths(caught.value) == ["$.reported_at"]


def test_relationship_family_only_for_family_members() -> None:
    with pytest.raises(ValidationError) as missing:
        Relationship(RelationshipKind.FAMILY_MEMBER)
    assert paths(missing.value) == ["$.family"]
    with pytest.raises(ValidationError) as extra:
        Relationship(RelationshipKind.INTIMATE_PARTNER, FamilyRelation.SIBLING)
    assert paths(extra.value) == ["$.family"]


@pytest.mark.parametrize("rationale", [None, "", "   "])
def test_no_further_action_needs_a_rationale(rationale: str | None) -> None:
    with pytest.raises(ValidationError) as caught:
        Crime(
            "CR-1",
            OffenceCategory.COMMON_ASSAULT,
            outcome=Outcome.NO_FURTHER_ACTION,
            outcome_rationale=rationale,
        )
    assert paths(caught.value) == ["$.outcome_rationale"]


@given(ds.risk_forms(submitted=True))
def test_a_form_submitted_before_completion_is_rejected(form: RiskForm) -> None:
    earlier = form.completed_at.astimezone(UTC) - timedelta(microseconds=1)
    with pytest.raises(ValidationError) as caught:
        attrs.evolve(form, submitted_at=earlier)
    assert paths(caught.value) == ["$.submitted_at"]


@given(ds.decisions(needs_review=False), ds.decisions(needs_review=True))
def test_needs_review_must_match_its_reasons(calm: Decision, flagged: Decision) -> None:
    with pytest.raises(ValidationError) as set_without_reason:
        attrs.evolve(calm, needs_review=True)
    assert paths(set_without_reason.value) == ["$.needs_review"]
    with pytest.raises(ValidationError) as reason_without_flag:
        attrs.evolve(flagged, needs_review=False)
    assert paths(reason_without_flag.value) == ["$.needs_review"]
    with pytest.raises(ValidationError) as no_reasons:
        attrs.evolve(calm, reasons=())
    assert paths(no_reasons.value) == ["$.reasons"]


@given(ds.events())
def test_an_event_victim_is_not_its_perpetrator(event: Event) -> None:
    with pytest.raises(ValidationError) as caught:
        attrs.evolve(event, perpetrator_id=event.victim_id)
    assert paths(caught.value) == ["$.perpetrator_id"]


@given(ds.findings(), ds.referrals(), ds.tasks())
def test_reasons_are_required(finding: Finding, referral: Referral, task: Task) -> None:
    for obj in (finding, referral, task):
        with pytest.raises(ValidationError) as caught:
            attrs.evolve(obj, reasons=())
        assert paths(caught.value) == ["$.reasons"]


@pytest.mark.parametrize("score", [-1, True])
def test_finding_scores_are_whole_numbers_from_zero(score: int) -> None:
    with pytest.raises(ValidationError) as caught:
        Finding("dash", RiskGrade.HIGH, [Reason("r", "s", "t")], score=score)
    assert paths(caught.value) == ["$.score"]


def test_blank_plugin_failure_fields() -> None:
    with pytest.raises(ValidationError) as caught:
        PluginFailure(" ", "", "\t")
    assert paths(caught.value) == ["$.plugin", "$.hook", "$.error"]


def test_offsets_are_kept_exactly() -> None:
    """A fixed offset with seconds survives JSON (not only whole minutes)."""
    odd = timezone(timedelta(hours=5, minutes=30, seconds=15))
    reason = Reason("r", "s", "t")
    task = Task("check", "P-1", datetime(2024, 1, 1, 12, tzinfo=odd), [reason])
    back = from_json(Task, json.dumps(to_dict(task)))
    assert back == task
    assert back.due_by.utcoffset() == odd.utcoffset(None)
