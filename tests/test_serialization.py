"""Example-based tests for dapolicy.serialization: strict JSON in, stable JSON out."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import cattrs
import pytest
from cattrs.errors import IterableValidationError

from dapolicy import (
    AbuseType,
    Answer,
    Call,
    Child,
    Crime,
    Decision,
    Destination,
    DomesticAbuseVerdict,
    Event,
    EventKind,
    FieldError,
    Finding,
    Incident,
    OffenceCategory,
    Outcome,
    Person,
    PluginFailure,
    PluginInfo,
    ProfessionalJudgement,
    Reason,
    Referral,
    RelationshipKind,
    RiskForm,
    RiskGrade,
    Task,
    ValidationError,
    Vulnerability,
    from_dict,
    from_json,
    make_converter,
    to_dict,
    to_json,
)
from dapolicy.serialization import configure_converter

EXAMPLES = Path(__file__).resolve().parents[1] / "examples" / "incidents.jsonl"
EXAMPLE_LINES = EXAMPLES.read_text(encoding="utf-8").splitlines()
FIRST = EXAMPLE_LINES[0]
BST = timezone(timedelta(hours=1))
SECRET = "Zed-Secret-Value-4711"

KINDS = ", ".join(member.value for member in RelationshipKind)
ABUSE_TYPES = ", ".join(member.value for member in AbuseType)
OFFENCES = ", ".join(member.value for member in OffenceCategory)
ANSWERS = "yes, no, not_known, declined"


def record() -> dict[str, Any]:
    """A fresh, valid incident record (the first example line: it has children and a crime)."""
    data: dict[str, Any] = json.loads(FIRST)
    return data


def problems(excinfo: pytest.ExceptionInfo[ValidationError]) -> list[tuple[str, str]]:
    return [(error.path, error.message) for error in excinfo.value.errors]


# --- round trips -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "line", EXAMPLE_LINES, ids=[f"line{n}" for n in range(1, len(EXAMPLE_LINES) + 1)]
)
def test_example_line_round_trips_exactly(line: str) -> None:
    incident = from_json(Incident, line)
    assert to_json(incident) == line
    assert from_dict(Incident, to_dict(incident)) == incident
    assert to_dict(incident) == json.loads(line)


def test_example_file_has_thirteen_records() -> None:
    assert len(EXAMPLE_LINES) == 13


def test_from_json_accepts_bytes() -> None:
    assert from_json(Incident, FIRST.encode("utf-8")) == from_json(Incident, FIRST)


def _risk_form() -> RiskForm:
    return RiskForm(
        incident_id="INC-1",
        checklist="dash-2009-police",
        answers={"q9": Answer.YES, "q10": Answer.NOT_KNOWN, "q1": Answer.DECLINED},
        completed_by="PC-1",
        completed_at=datetime(2024, 6, 1, 12, 0, 0, 123456, tzinfo=BST),
        submitted_at=datetime(2024, 6, 1, 12, 5, tzinfo=UTC),
        professional_judgement=ProfessionalJudgement(RiskGrade.HIGH, "threats", True),
    )


def _decision() -> Decision:
    reason = Reason("marac.visible-high-risk", "SafeLives MARAC criteria", "14 yes answers")
    return Decision(
        incident_id="INC-1",
        victim_id="V1",
        grade=RiskGrade.HIGH,
        decided_at=datetime(2024, 6, 1, 12, 0, tzinfo=BST),
        domestic_abuse=DomesticAbuseVerdict.UNDETERMINED,
        reasons=[reason],
        findings=[Finding("dash", RiskGrade.HIGH, [reason], score=14, prompts=[reason])],
        referrals=[
            Referral(
                Destination.MARAC,
                "V1",
                [reason],
                requested_by=["mash", "hub-1"],
                requested_at=datetime(2024, 6, 1, 12, 0, tzinfo=UTC),
            )
        ],
        tasks=[Task("child-welfare-check", "C1", datetime(2024, 6, 2, tzinfo=UTC), [reason])],
        needs_review=True,
        failures=[PluginFailure("dial", "dapolicy_assess_risk", "RuntimeError")],
        policy_fingerprint="sha256:abc",
        plugins=[PluginInfo("dash", "builtin")],
    )


@pytest.mark.parametrize(
    "obj",
    [
        _risk_form(),
        _decision(),
        Event(
            "EV-1",
            EventKind.BAIL_CHANGED,
            datetime(2024, 1, 1, tzinfo=UTC),
            "V1",
            "S1",
            details="bail conditions lifted",
        ),
        Call("CALL-1", datetime(2024, 1, 1, tzinfo=UTC), caller=Person("P1"), repeat_caller=True),
    ],
    ids=["RiskForm", "Decision", "Event", "Call"],
)
def test_other_types_round_trip(obj: object) -> None:
    text = to_json(obj)
    assert from_json(type(obj), text) == obj
    assert to_json(from_json(type(obj), text)) == text


def test_risk_form_json_shape() -> None:
    assert to_dict(_risk_form()) == {
        "incident_id": "INC-1",
        "checklist": "dash-2009-police",
        "answers": {"q1": "declined", "q10": "not_known", "q9": "yes"},
        "completed_by": "PC-1",
        "completed_at": "2024-06-01T12:00:00.123456+01:00",
        "submitted_at": "2024-06-01T12:05:00+00:00",
        "professional_judgement": {
            "grade": "high",
            "rationale": "threats",
            "refer_to_marac": True,
        },
        "officer_off_duty_at": None,
    }


def test_to_json_is_compact_stable_and_keeps_non_ascii() -> None:
    person = Person("P1", name="Zoë Ångström", vulnerabilities=[Vulnerability.PREGNANT])
    text = to_json(person)
    assert text == (
        '{"id":"P1","name":"Zoë Ångström","date_of_birth":null,"address":null,'
        '"address_confidential":false,"phone":null,"vulnerabilities":["pregnant"]}'
    )
    assert (
        to_json(Person("P1", name="Zoë Ångström", vulnerabilities={Vulnerability.PREGNANT}))
        == text
    )


# --- datetimes and dates ---------------------------------------------------------------


def test_datetimes_keep_their_original_offset() -> None:
    data = record()
    data["occurred_at"] = "2024-06-20T18:30:00+01:00"
    data["reported_at"] = "2024-06-20T19:00:00-04:00"
    incident = from_dict(Incident, data)
    assert incident.occurred_at.utcoffset() == timedelta(hours=1)
    out = to_dict(incident)
    assert out["occurred_at"] == "2024-06-20T18:30:00+01:00"
    assert out["reported_at"] == "2024-06-20T19:00:00-04:00"


def test_z_is_accepted_and_written_as_utc_offset() -> None:
    data = record()
    data["reported_at"] = "2024-01-06T22:40:00Z"
    incident = from_dict(Incident, data)
    assert incident.reported_at == datetime(2024, 1, 6, 22, 40, tzinfo=UTC)
    assert incident.reported_at.utcoffset() == timedelta(0)
    assert to_dict(incident)["reported_at"] == "2024-01-06T22:40:00+00:00"


def test_zoneinfo_datetime_is_written_with_its_offset() -> None:
    call = Call("CALL-1", datetime(2024, 7, 1, 9, 0, tzinfo=ZoneInfo("Europe/London")))
    assert to_dict(call)["received_at"] == "2024-07-01T09:00:00+01:00"


def test_python_datetime_and_date_objects_are_accepted() -> None:
    data = record()
    data["reported_at"] = datetime(2024, 1, 6, 22, 40, tzinfo=UTC)
    data["victim"]["date_of_birth"] = date(1991, 6, 3)
    assert from_dict(Incident, data) == from_json(Incident, FIRST)


def test_python_naive_datetime_object_is_rejected() -> None:
    data = record()
    data["reported_at"] = datetime(2024, 1, 6, 22, 40)
    with pytest.raises(ValidationError) as excinfo:
        from_dict(Incident, data)
    assert problems(excinfo) == [
        ("$.reported_at", "naive datetime: a UTC offset is required (e.g. +01:00 or Z)")
    ]


def test_sets_are_written_sorted() -> None:
    data = record()
    data["abuse_types"] = ["stalking", "controlling", "physical", "controlling"]
    data["victim"]["vulnerabilities"] = ["pregnant", "elderly", "disability"]
    out = to_dict(from_dict(Incident, data))
    assert out["abuse_types"] == ["controlling", "physical", "stalking"]
    assert out["victim"]["vulnerabilities"] == ["disability", "elderly", "pregnant"]


def test_tuples_keep_their_order() -> None:
    data = record()
    data["children"] = list(reversed(data["children"]))
    assert [c["id"] for c in to_dict(from_dict(Incident, data))["children"]] == ["C002", "C001"]


# --- strictness: each bad value, its path and a safe message ---------------------------


def _set(*path: str | int, value: Any) -> Callable[[dict[str, Any]], None]:
    def mutate(data: dict[str, Any]) -> None:
        target: Any = data
        for part in path[:-1]:
            target = target[part]
        target[path[-1]] = value

    return mutate


def _delete(*path: str | int) -> Callable[[dict[str, Any]], None]:
    def mutate(data: dict[str, Any]) -> None:
        target: Any = data
        for part in path[:-1]:
            target = target[part]
        del target[path[-1]]

    return mutate


STRICTNESS_CASES = [
    # (id, mutation, path, message)
    (
        "string for int",
        _set("children", 0, "age", value="5"),
        "$.children[0].age",
        "expected a whole number, got a string",
    ),
    (
        "fraction for int",
        _set("children", 1, "age", value=4.5),
        "$.children[1].age",
        "expected a whole number, got a number with a fraction",
    ),
    (
        "float for int",
        _set("children", 1, "age", value=4.0),
        "$.children[1].age",
        "expected a whole number, got a number with a fraction",
    ),
    (
        "bool for int",
        _set("children", 0, "age", value=True),
        "$.children[0].age",
        "expected a whole number, got a boolean",
    ),
    (
        "number for bool",
        _set("counter_allegation", value=1),
        "$.counter_allegation",
        "expected true or false, got a number",
    ),
    (
        "string for bool",
        _set("counter_allegation", value="true"),
        "$.counter_allegation",
        "expected true or false, got a string",
    ),
    (
        "null for bool",
        _set("crime", "arrest_made", value=None),
        "$.crime.arrest_made",
        "expected true or false, got null",
    ),
    ("number for string", _set("id", value=4711), "$.id", "expected a string, got a number"),
    (
        "number for optional string",
        _set("victim", "name", value=4711),
        "$.victim.name",
        "expected a string, got a number",
    ),
    (
        "object for string",
        _set("attending_officer", value={"id": SECRET}),
        "$.attending_officer",
        "expected a string, got an object",
    ),
    (
        "string for list",
        _set("abuse_types", value="physical"),
        "$.abuse_types",
        "expected an array, got a string",
    ),
    (
        "object for list",
        _set("children", value={"id": "C001", "age": 4}),
        "$.children",
        "expected an array, got an object",
    ),
    (
        "list for object",
        _set("victim", value=["V001"]),
        "$.victim",
        "expected an object, got an array",
    ),
    (
        "null for object",
        _set("victim", value=None),
        "$.victim",
        "expected an object, got null",
    ),
    (
        "string for optional object",
        _set("crime", value=SECRET),
        "$.crime",
        "expected an object, got a string",
    ),
    (
        "unknown enum value",
        _set("relationship", "kind", value=SECRET),
        "$.relationship.kind",
        f"must be one of: {KINDS}",
    ),
    (
        "array for enum",
        _set("relationship", "kind", value=[SECRET]),
        "$.relationship.kind",
        f"must be one of: {KINDS}",
    ),
    (
        "null for enum",
        _set("crime", "offence", value=None),
        "$.crime.offence",
        f"must be one of: {OFFENCES}",
    ),
    (
        "enum value in another case",
        _set("crime", "offence", value="STALKING"),
        "$.crime.offence",
        f"must be one of: {OFFENCES}",
    ),
    (
        "unknown enum in a set",
        _set("abuse_types", value=["physical", SECRET]),
        "$.abuse_types[1]",
        f"must be one of: {ABUSE_TYPES}",
    ),
    (
        "unknown key, top level",
        _set("notes", value=SECRET),
        "$.notes",
        "unknown field",
    ),
    (
        "unknown key, nested",
        _set("victim", "nickname", value=SECRET),
        "$.victim.nickname",
        "unknown field",
    ),
    (
        "unknown key, in a list item",
        _set("children", 1, "school", value=SECRET),
        "$.children[1].school",
        "unknown field",
    ),
    (
        "unknown key, not an identifier",
        _set("victim", "home address", value=SECRET),
        "$.victim['#7']",
        "unknown field",
    ),
    ("missing key", _delete("reported_at"), "$.reported_at", "required field missing"),
    ("missing nested key", _delete("victim", "id"), "$.victim.id", "required field missing"),
    (
        "missing key in a list item",
        _delete("children", 1, "age"),
        "$.children[1].age",
        "required field missing",
    ),
    (
        "date in another format",
        _set("victim", "date_of_birth", value="03/06/1991"),
        "$.victim.date_of_birth",
        "not a date in the form YYYY-MM-DD",
    ),
    (
        "impossible date",
        _set("victim", "date_of_birth", value="1991-02-30"),
        "$.victim.date_of_birth",
        "not a date in the form YYYY-MM-DD",
    ),
    (
        "number for date",
        _set("victim", "date_of_birth", value=19910603),
        "$.victim.date_of_birth",
        "expected a date string YYYY-MM-DD, got a number",
    ),
    (
        "not a date-time",
        _set("reported_at", value="last Tuesday"),
        "$.reported_at",
        "not an ISO 8601 date-time",
    ),
    (
        "naive date-time",
        _set("reported_at", value="2024-01-06T22:40:00"),
        "$.reported_at",
        "naive datetime: a UTC offset is required (e.g. +01:00 or Z)",
    ),
    (
        "date for date-time",
        _set("reported_at", value="2024-01-06"),
        "$.reported_at",
        "naive datetime: a UTC offset is required (e.g. +01:00 or Z)",
    ),
    (
        "number for date-time",
        _set("reported_at", value=1704580800),
        "$.reported_at",
        "expected an ISO 8601 date-time string, got a number",
    ),
    # The model's own invariants, reached through JSON, carry the nested path too.
    (
        "model: empty set",
        _set("abuse_types", value=[]),
        "$.abuse_types",
        "at least one form of abuse is required",
    ),
    (
        "model: child too old",
        _set("children", 1, "age", value=18),
        "$.children[1].age",
        "a child's age must be from 0 to 17",
    ),
    (
        "model: blank nested id",
        _set("victim", "id", value="  "),
        "$.victim.id",
        "must not be empty",
    ),
    (
        "model: same person",
        _set("suspect", "id", value="V001"),
        "$.suspect",
        "victim and suspect must be different people",
    ),
    (
        "model: occurred after reported",
        _set("occurred_at", value="2024-01-06T23:59:00+00:00"),
        "$.occurred_at",
        "must not be after reported_at",
    ),
    (
        "model: NFA without rationale",
        _set("crime", "outcome", value="no_further_action"),
        "$.crime.outcome_rationale",
        "a written rationale is required for no further action",
    ),
    (
        "model: family relation without family kind",
        _set("relationship", "family", value="sibling"),
        "$.relationship.family",
        "only allowed when kind is family_member",
    ),
]


@pytest.mark.parametrize(
    ("mutate", "path", "message"),
    [case[1:] for case in STRICTNESS_CASES],
    ids=[case[0] for case in STRICTNESS_CASES],
)
def test_strict_input(mutate: Callable[[dict[str, Any]], None], path: str, message: str) -> None:
    data = record()
    mutate(data)
    text = json.dumps(data)
    with pytest.raises(ValidationError) as excinfo:
        from_json(Incident, text)
    assert excinfo.value.type_name == "Incident"
    assert problems(excinfo) == [(path, message)]
    shown = str(excinfo.value)
    assert SECRET not in shown
    assert SECRET not in repr(excinfo.value)
    # from_dict agrees with from_json
    with pytest.raises(ValidationError) as again:
        from_dict(Incident, json.loads(text))
    assert again.value.errors == excinfo.value.errors


@pytest.mark.parametrize(
    ("bad_value", "shown_as"),
    [("5", "a string"), (1, "a number"), ("true", "a string"), (987654, "a number")],
)
def test_messages_do_not_contain_the_bad_value(bad_value: object, shown_as: str) -> None:
    data = record()
    data["crime"]["arrest_made"] = bad_value
    with pytest.raises(ValidationError) as excinfo:
        from_dict(Incident, data)
    [error] = excinfo.value.errors
    assert error.message == f"expected true or false, got {shown_as}"
    assert json.dumps(bad_value) not in error.message


def test_every_problem_is_reported_together() -> None:
    data = record()
    data["id"] = 987654
    del data["reported_at"]
    data["victim"]["nickname"] = SECRET
    data["children"][0]["age"] = "5"
    data["abuse_types"] = ["physical", SECRET]
    data["relationship"]["kind"] = SECRET
    with pytest.raises(ValidationError) as excinfo:
        from_dict(Incident, data)
    assert len(excinfo.value.errors) == 6
    assert problems(excinfo) == [
        ("$.id", "expected a string, got a number"),
        ("$.reported_at", "required field missing"),
        ("$.victim.nickname", "unknown field"),
        ("$.relationship.kind", f"must be one of: {KINDS}"),
        ("$.abuse_types[1]", f"must be one of: {ABUSE_TYPES}"),
        ("$.children[0].age", "expected a whole number, got a string"),
    ]
    assert str(excinfo.value).startswith("invalid Incident: 6 problems\n")
    assert SECRET not in str(excinfo.value)


def test_problems_in_several_list_items_are_all_reported() -> None:
    data = record()
    data["children"][0]["age"] = "4"
    data["children"][1]["age"] = 18
    with pytest.raises(ValidationError) as excinfo:
        from_dict(Incident, data)
    assert problems(excinfo) == [
        ("$.children[0].age", "expected a whole number, got a string"),
        ("$.children[1].age", "a child's age must be from 0 to 17"),
    ]


def test_several_unknown_keys_are_reported_sorted() -> None:
    data = record()
    # Eight keys: a set's order (it varies with the hash seed) is almost never sorted.
    extra = ["zeta", "eta", "alpha", "theta", "delta", "iota", "beta", "gamma"]
    for key in extra:
        data[key] = 1
    with pytest.raises(ValidationError) as excinfo:
        from_dict(Incident, data)
    assert problems(excinfo) == [(f"$.{key}", "unknown field") for key in sorted(extra)]


# --- the risk form's answers mapping ---------------------------------------------------


def _form_record(**answers: Any) -> dict[str, Any]:
    return {
        "incident_id": "INC-1",
        "checklist": "dash",
        "answers": answers,
        "completed_by": "PC-1",
        "completed_at": "2024-01-01T10:00:00Z",
    }


def test_answers_structure_into_an_immutable_mapping() -> None:
    form = from_dict(RiskForm, _form_record(q1="yes", q2="not_known"))
    assert dict(form.answers) == {"q1": Answer.YES, "q2": Answer.NOT_KNOWN}
    assert form.yes_items() == frozenset({"q1"})
    with pytest.raises(TypeError):
        form.answers["q3"] = Answer.YES  # type: ignore[index]


def test_answer_problems_name_the_item() -> None:
    data = _form_record(q1="maybe", q2="yes", q3=True)
    data["answers"]["dash-1"] = SECRET
    with pytest.raises(ValidationError) as excinfo:
        from_dict(RiskForm, data)
    assert problems(excinfo) == [
        ("$.answers.q1", f"must be one of: {ANSWERS}"),
        ("$.answers.q3", f"must be one of: {ANSWERS}"),
        ("$.answers['dash-1']", f"must be one of: {ANSWERS}"),
    ]
    assert SECRET not in str(excinfo.value)


@pytest.mark.parametrize(
    ("answers", "message"),
    [(["q1"], "expected an object, got an array"), ("yes", "expected an object, got a string")],
)
def test_answers_must_be_an_object(answers: object, message: str) -> None:
    data = _form_record()
    data["answers"] = answers
    with pytest.raises(ValidationError) as excinfo:
        from_dict(RiskForm, data)
    assert problems(excinfo) == [("$.answers", message)]


def test_answer_keys_must_be_strings_when_built_from_python() -> None:
    data = _form_record()
    data["answers"] = {1: "yes"}
    with pytest.raises(ValidationError) as excinfo:
        from_dict(RiskForm, data)
    assert problems(excinfo) == [("$.answers[1]", "expected a string, got a number")]


# --- malformed JSON and the top level --------------------------------------------------


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "not valid JSON: Expecting value (line 1, column 1)"),
        (
            '{"id": "INC", ',
            "not valid JSON: Expecting property name enclosed in double quotes "
            "(line 1, column 15)",
        ),
        (
            '{\n  "id": 1,\n  oops\n}',
            "not valid JSON: Expecting property name enclosed in double quotes (line 3, column 3)",
        ),
        (
            '{"name": "' + SECRET + '" oops}',
            "not valid JSON: Expecting ',' delimiter (line 1, column 34)",
        ),
        ('{"id": "a"} {"id": "b"}', "not valid JSON: Extra data (line 1, column 13)"),
    ],
)
def test_malformed_json_reports_line_and_column(text: str, message: str) -> None:
    with pytest.raises(ValidationError) as excinfo:
        from_json(Incident, text)
    assert excinfo.value.type_name == "Incident"
    assert problems(excinfo) == [("$", message)]
    assert str(excinfo.value) == f"invalid Incident: 1 problem\n  {message} @ $"
    assert SECRET not in str(excinfo.value)


@pytest.mark.parametrize(
    ("text", "keys"),
    [
        ('{"name": "a", "name": "' + SECRET + '", "version": "1"}', "name"),
        ('{"version": "1", "name": "a", "version": "2", "name": "b"}', "name, version"),
    ],
)
def test_a_key_given_twice_is_rejected(text: str, keys: str) -> None:
    with pytest.raises(ValidationError) as excinfo:
        from_json(PluginInfo, text)
    assert excinfo.value.type_name == "PluginInfo"
    assert problems(excinfo) == [("$", f"not valid JSON: key(s) given twice: {keys}")]
    assert SECRET not in str(excinfo.value)


def test_a_key_given_twice_in_a_nested_object_is_rejected() -> None:
    text = FIRST.replace('"name":"Sam Example"', '"name":"Sam Example","name":"' + SECRET + '"')
    assert text != FIRST
    with pytest.raises(ValidationError) as excinfo:
        from_json(Incident, text)
    assert problems(excinfo) == [("$", "not valid JSON: key(s) given twice: name")]
    assert SECRET not in str(excinfo.value)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[]", "expected an object, got an array"),
        ('"' + SECRET + '"', "expected an object, got a string"),
        ("5", "expected an object, got a number"),
        ("5.5", "expected an object, got a number with a fraction"),
        ("true", "expected an object, got a boolean"),
        ("null", "expected an object, got null"),
    ],
)
def test_top_level_must_be_an_object(text: str, message: str) -> None:
    with pytest.raises(ValidationError) as excinfo:
        from_json(Incident, text)
    assert problems(excinfo) == [("$", message)]
    assert SECRET not in str(excinfo.value)


def test_top_level_of_another_python_type() -> None:
    with pytest.raises(ValidationError) as excinfo:
        from_dict(Person, (SECRET,))
    assert problems(excinfo) == [("$", "expected an object, got a value of another type")]


def test_missing_everything_is_reported_field_by_field() -> None:
    with pytest.raises(ValidationError) as excinfo:
        from_json(PluginInfo, "{}")
    assert problems(excinfo) == [
        ("$.name", "required field missing"),
        ("$.version", "required field missing"),
    ]


# --- converters ------------------------------------------------------------------------


def test_make_converter_returns_a_fresh_strict_converter() -> None:
    first = make_converter()
    assert isinstance(first, cattrs.Converter)
    assert first is not make_converter()
    assert first.detailed_validation is True
    assert make_converter(detailed_validation=False).detailed_validation is False


def test_non_detailed_converter_structures_valid_data() -> None:
    fast = make_converter(detailed_validation=False)
    for line in EXAMPLE_LINES:
        incident = from_json(Incident, line, converter=fast)
        assert incident == from_json(Incident, line)
        assert to_json(incident, converter=fast) == line
    assert from_dict(RiskForm, to_dict(_risk_form()), converter=fast) == _risk_form()


@pytest.mark.parametrize(
    ("mutate", "path", "message"),
    [
        (_set("victim", "nickname", value=SECRET), "$.victim.nickname", "unknown field"),
        (_delete("reported_at"), "$.reported_at", "required field missing"),
        (_delete("children", 1, "age"), "$.children[1].age", "required field missing"),
    ],
    ids=["unknown key", "missing key", "missing key in a list item"],
)
def test_non_detailed_converter_falls_back_to_the_detailed_path(
    mutate: Callable[[dict[str, Any]], None], path: str, message: str
) -> None:
    data = record()
    mutate(data)
    with pytest.raises(ValidationError) as excinfo:
        from_dict(Incident, data, converter=make_converter(detailed_validation=False))
    assert problems(excinfo) == [(path, message)]
    assert SECRET not in str(excinfo.value)


def test_non_detailed_converter_still_raises_validation_error_for_a_bad_scalar() -> None:
    data = record()
    data["children"][1]["age"] = "9"
    with pytest.raises(ValidationError) as excinfo:
        from_dict(Incident, data, converter=make_converter(detailed_validation=False))
    [error] = excinfo.value.errors
    assert error.message == "expected a whole number, got a string"


def test_non_detailed_converter_reports_the_path_of_a_bad_scalar() -> None:
    data = record()
    data["children"][1]["age"] = "9"
    with pytest.raises(ValidationError) as excinfo:
        from_dict(Incident, data, converter=make_converter(detailed_validation=False))
    assert problems(excinfo) == [("$.children[1].age", "expected a whole number, got a string")]


@pytest.mark.parametrize(
    ("mutate", "path"),
    [
        (_set("victim", "id", value=" "), "$.victim.id"),
        (_set("children", 1, "age", value=18), "$.children[1].age"),
    ],
    ids=["victim.id", "children[1].age"],
)
def test_non_detailed_converter_does_not_report_a_wrong_path(
    mutate: Callable[[dict[str, Any]], None], path: str
) -> None:
    data = record()
    mutate(data)
    with pytest.raises(ValidationError) as excinfo:
        from_dict(Incident, data, converter=make_converter(detailed_validation=False))
    # The exact path, or at least no path that names a different, valid field.
    assert [e.path for e in excinfo.value.errors] in ([path], ["$"])


def test_a_bare_error_from_a_detailed_converter_is_not_disguised() -> None:
    # A detailed converter has no fast path to fall back from: a bare exception from a
    # foreign hook at the top level is a programming error and propagates unchanged.
    def broken(value: Any, _: Any) -> PluginInfo:
        raise KeyError("missing-thing")

    converter = make_converter()
    converter.register_structure_hook(PluginInfo, broken)
    with pytest.raises(KeyError, match="missing-thing"):
        from_dict(PluginInfo, {"name": "dash", "version": "1.0"}, converter=converter)


def test_the_fallback_never_overrules_the_callers_converter() -> None:
    def refuse(value: Any, _: Any) -> PluginInfo:
        raise ValueError("this force does not accept plug-in records")

    fast = make_converter(detailed_validation=False)
    fast.register_structure_hook(PluginInfo, refuse)
    with pytest.raises((ValidationError, ValueError)):
        from_dict(PluginInfo, {"name": "dash", "version": "1.0"}, converter=fast)


def test_configure_converter_on_a_plain_cattrs_converter() -> None:
    converter = cattrs.Converter()
    configure_converter(converter)
    for line in EXAMPLE_LINES:
        incident = from_json(Incident, line, converter=converter)
        assert incident == from_json(Incident, line)
        assert to_json(incident, converter=converter) == line
    data = record()
    data["reported_at"] = "2024-01-06T22:40:00"
    with pytest.raises(ValidationError) as excinfo:
        from_dict(Incident, data, converter=converter)
    assert problems(excinfo) == [
        ("$.reported_at", "naive datetime: a UTC offset is required (e.g. +01:00 or Z)")
    ]


@pytest.mark.parametrize(
    ("failure", "message"),
    [
        (lambda: RuntimeError(SECRET), "invalid value (RuntimeError)"),
        # A container error that names no index stays at the field's own path.
        (
            lambda: IterableValidationError(SECRET, [ValueError(SECRET)], list),
            "invalid value (ValueError)",
        ),
    ],
    ids=["plain exception", "container error without index"],
)
def test_a_failing_plugin_hook_is_reported_without_its_message(
    failure: Callable[[], Exception], message: str
) -> None:
    def broken(value: Any, _: Any) -> str:
        raise failure()  # a new exception each time, as a real hook would raise

    converter = make_converter()
    converter.register_structure_hook(str, broken)
    with pytest.raises(ValidationError) as excinfo:
        from_dict(PluginInfo, {"name": "dash", "version": "1.0"}, converter=converter)
    assert problems(excinfo) == [("$.name", message), ("$.version", message)]
    assert SECRET not in str(excinfo.value)


def test_to_dict_and_to_json_use_the_given_converter() -> None:
    converter = make_converter()
    converter.register_unstructure_hook(datetime, lambda dt: "WHEN")
    call = Call("CALL-1", datetime(2024, 1, 1, tzinfo=UTC))
    assert to_dict(call, converter=converter)["received_at"] == "WHEN"
    assert '"received_at":"WHEN"' in to_json(call, converter=converter)
    assert to_dict(call)["received_at"] == "2024-01-01T00:00:00+00:00"


def test_default_converter_is_reused() -> None:
    # Two calls without a converter give the same results (the default is built once).
    assert to_json(from_json(Incident, FIRST)) == to_json(from_json(Incident, FIRST))


def test_from_dict_does_not_mutate_its_input() -> None:
    data = record()
    before = copy.deepcopy(data)
    from_dict(Incident, data)
    assert data == before


def test_structured_values_are_the_model_types() -> None:
    incident = from_json(Incident, FIRST)
    assert isinstance(incident.victim, Person)
    assert isinstance(incident.children[0], Child)
    assert isinstance(incident.crime, Crime)
    assert incident.crime.outcome is Outcome.CHARGE
    assert incident.abuse_types == frozenset({AbuseType.CONTROLLING, AbuseType.PHYSICAL})
    assert incident.victim.date_of_birth == date(1991, 6, 3)
    assert incident.reported_at == datetime(2024, 1, 6, 22, 40, tzinfo=UTC)


# --- known gaps in strictness ----------------------------------------------------------


def test_undecodable_bytes_are_a_validation_error() -> None:
    with pytest.raises(ValidationError) as excinfo:
        from_json(Incident, b'{"id": "\xff"}')
    assert excinfo.value.errors[0].path == "$"


@pytest.mark.parametrize("text", ["19910603", "1991-W22-1"])
def test_dates_only_in_the_documented_form(text: str) -> None:
    data = record()
    data["victim"]["date_of_birth"] = text
    with pytest.raises(ValidationError) as excinfo:
        from_dict(Incident, data)
    assert problems(excinfo) == [("$.victim.date_of_birth", "not a date in the form YYYY-MM-DD")]


def test_field_error_type_is_reexported() -> None:
    # from_json builds FieldErrors of the public type
    with pytest.raises(ValidationError) as excinfo:
        from_json(Incident, "[]")
    assert excinfo.value.errors == (FieldError("$", "expected an object, got an array"),)
