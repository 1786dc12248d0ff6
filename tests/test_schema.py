"""JSON Schemas of the models: every valid record passes, an unknown key anywhere fails."""

from __future__ import annotations

import json
import re
from datetime import datetime
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dapolicy import Case, Decision, Incident, RiskForm, from_dict, from_json, to_dict
from dapolicy.batch import decision_time
from dapolicy.errors import ValidationError
from dapolicy.models import MODEL_TYPES
from dapolicy.policy import Policy
from dapolicy.schema import DATE_TIME_PATTERN, SCHEMA_TYPES, json_schema, schema_type

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = {
    "cases.jsonl": Case,
    "forms.jsonl": RiskForm,
    "incidents.jsonl": Incident,
}
Validator = jsonschema.Draft202012Validator


def validator(cls: type) -> jsonschema.protocols.Validator:
    schema = json_schema(cls)
    Validator.check_schema(schema)
    return Validator(schema, format_checker=Validator.FORMAT_CHECKER)


VALIDATORS = {cls: validator(cls) for cls in MODEL_TYPES}


def errors(cls: type, data: Any) -> list[str]:
    return [e.message for e in VALIDATORS[cls].iter_errors(data)]


def test_every_public_model_has_a_valid_draft_2020_12_schema() -> None:
    assert set(SCHEMA_TYPES.values()) == set(MODEL_TYPES)
    for cls in MODEL_TYPES:
        schema = json_schema(cls)
        assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
        assert schema["title"] == cls.__name__
        assert schema["additionalProperties"] is False
        for body in schema.get("$defs", {}).values():
            assert body["additionalProperties"] is False


def test_the_case_schema_follows_the_converters_rules() -> None:
    schema = json_schema(Case)
    incident = schema["$defs"]["Incident"]
    assert set(incident["required"]) == {
        "id",
        "reported_at",
        "occurred_at",
        "victim",
        "suspect",
        "relationship",
        "abuse_types",
    }
    assert incident["properties"]["reported_at"]["format"] == "date-time"
    assert incident["properties"]["abuse_types"]["type"] == "array"
    assert "physical" in incident["properties"]["abuse_types"]["items"]["enum"]
    assert schema["properties"]["form"] == {
        "anyOf": [{"$ref": "#/$defs/RiskForm"}, {"type": "null"}]
    }
    assert schema["required"] == ["incident"]


@pytest.mark.parametrize(
    ("text", "ok"),
    [
        ("2024-03-31T01:30:00+00:00", True),
        ("2024-03-31T01:30:00Z", True),
        ("2024-03-31T01:30:00.123456+01:00", True),
        ("2024-03-31T01:30:00", False),  # naive: no offset
        ("2024-03-31", False),
        ("2024-03-31T01:30:00+0100", False),
    ],
)
def test_date_times_need_an_offset(text: str, ok: bool) -> None:
    assert bool(re.match(DATE_TIME_PATTERN, text)) is ok


@pytest.mark.parametrize(("name", "cls"), sorted(EXAMPLES.items()))
def test_every_example_file_validates(name: str, cls: type) -> None:
    lines = (ROOT / "examples" / name).read_text(encoding="utf-8").splitlines()
    assert lines
    for number, line in enumerate(lines, start=1):
        assert errors(cls, json.loads(line)) == [], f"{name}:{number}"


def test_the_decisions_of_the_example_cases_validate() -> None:
    policy = Policy(load_entry_points=False)
    for line in (ROOT / "examples" / "cases.jsonl").read_text(encoding="utf-8").splitlines():
        case = from_json(Case, line)
        decision = policy.assess(case.incident, case.form, now=decision_time(case))
        assert errors(Decision, to_dict(decision)) == []


def _json_in_docs() -> list[tuple[str, Any]]:
    """Every JSON object written in the docs and the README: ```json blocks, and
    strings in examples ('{...}')."""
    found = []
    for path in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        text = path.read_text(encoding="utf-8")
        blocks = re.findall(r"```json\n(.*?)```", text, flags=re.S)
        quoted = re.findall(r"'(\{.*?\})'", text)
        for raw in [*blocks, *quoted]:
            try:
                data = json.loads(raw)
            except json.JSONDecodeError:
                continue
            if isinstance(data, dict):
                found.append((path.name, data))
    return found


def test_every_json_example_in_the_docs_that_dapolicy_accepts_validates() -> None:
    found = _json_in_docs()
    accepted = 0
    for where, data in found:
        for cls in MODEL_TYPES:
            try:
                from_dict(cls, data)
            except ValidationError:
                continue
            accepted += 1
            assert errors(cls, data) == [], (where, cls.__name__)
    assert accepted >= 3  # the docs do show records


def test_an_unknown_key_fails_at_the_top_and_deep_down() -> None:
    line = (ROOT / "examples" / "cases.jsonl").read_text(encoding="utf-8").splitlines()[0]
    record = json.loads(line)
    assert errors(Case, record) == []
    record["colour"] = "blue"
    assert any("colour" in m for m in errors(Case, record))
    del record["colour"]
    record["incident"]["victim"]["nickname"] = "x"
    assert any("nickname" in m for m in errors(Case, record))
    with pytest.raises(ValidationError):
        from_dict(Case, record)


def test_a_naive_date_time_and_a_bad_enum_fail() -> None:
    record = json.loads((ROOT / "examples" / "cases.jsonl").read_text().splitlines()[0])
    record["incident"]["reported_at"] = "2024-01-06T22:40:00"
    assert errors(Case, record)
    record = json.loads((ROOT / "examples" / "cases.jsonl").read_text().splitlines()[0])
    record["incident"]["relationship"]["kind"] = "neighbour"
    assert errors(Case, record)
    record = json.loads((ROOT / "examples" / "cases.jsonl").read_text().splitlines()[0])
    record["incident"]["counter_allegation"] = "false"  # a string is not a boolean
    assert errors(Case, record)


def test_schema_type_by_name() -> None:
    assert schema_type("Case") is Case
    assert schema_type("decision") is Decision
    with pytest.raises(KeyError, match=r"one of: .*Case"):
        schema_type("Nothing")
    with pytest.raises(TypeError):
        json_schema(datetime)


# --- properties -----------------------------------------------------------------------


def _objects(data: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """The path of every JSON object in ``data``; values of a mapping field excepted."""
    found = []
    if isinstance(data, dict):
        found.append(path)
        for key, value in data.items():
            found.extend(_objects(value, (*path, key)))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            found.extend(_objects(value, (*path, index)))
    return found


def _at(data: Any, path: tuple[Any, ...]) -> Any:
    for step in path:
        data = data[step]
    return data


@settings(max_examples=60, deadline=None)
@given(
    st.sampled_from(MODEL_TYPES).flatmap(lambda cls: st.tuples(st.just(cls), st.from_type(cls)))
)
def test_the_schema_accepts_every_valid_generated_record(drawn: tuple[type, object]) -> None:
    cls, value = drawn
    assert errors(cls, to_dict(value)) == []


@settings(max_examples=60, deadline=None)
@given(data=st.data(), value=st.from_type(Case))
def test_an_unknown_key_injected_at_any_depth_fails(data: st.DataObject, value: Case) -> None:
    record = to_dict(value)
    # The objects that are records (a mapping's keys are the data's own, e.g. answers).
    places = [p for p in _objects(record) if not (p and p[-1] == "answers")]
    place = data.draw(st.sampled_from(places))
    key = data.draw(st.sampled_from(["x_unknown", "Id", "extra", "incident_id "]))
    target = _at(record, place)
    if key in target:
        key = key + "_"
    target[key] = 1
    assert errors(Case, record), place
    with pytest.raises(ValidationError):
        from_dict(Case, record)
