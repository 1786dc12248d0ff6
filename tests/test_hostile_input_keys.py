"""Keys from input are input: an error names an unsafe key by its place, never quotes it.

Found by the hostile tester: an unknown key, a key given twice, or a key whose value
holds a lone surrogate was copied into the error path (and so into the rejects file,
even with ``--redact-rejects``), although a key may be a name or a phone number typed
in the wrong place.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from dapolicy import Incident, ValidationError
from dapolicy.serialization import from_json

NAME_KEY = "Jane Smith 07700900123"


def _dapolicy(*args: object) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "dapolicy", *map(str, args)]
    return subprocess.run(command, capture_output=True, text=True, check=False)


def _incident_line() -> dict[str, object]:
    out = _dapolicy("synth", "1").stdout
    case: dict[str, object] = json.loads(out.splitlines()[0])
    return case


def _paths(text: str) -> list[tuple[str, str]]:
    with pytest.raises(ValidationError) as excinfo:
        from_json(Incident, text)
    assert NAME_KEY not in str(excinfo.value)
    assert "Jane" not in str(excinfo.value)
    return [(error.path, error.message) for error in excinfo.value.errors]


def test_an_unknown_key_that_is_not_a_safe_name_is_named_by_position() -> None:
    case = _incident_line()
    incident = case["incident"]
    assert isinstance(incident, dict)
    incident[NAME_KEY] = 1
    incident["nickname"] = 2
    places = list(incident)
    assert _paths(json.dumps(incident)) == [
        (f"$['#{places.index(NAME_KEY)}']", "unknown field"),
        ("$.nickname", "unknown field"),
    ]


def test_a_nested_unknown_key_is_named_by_position() -> None:
    incident = _incident_line()["incident"]
    assert isinstance(incident, dict)
    victim = incident["victim"]
    assert isinstance(victim, dict)
    victim[NAME_KEY] = "x"
    assert _paths(json.dumps(incident)) == [(f"$.victim['#{len(victim) - 1}']", "unknown field")]


def test_a_key_given_twice_that_is_not_safe_is_counted_not_quoted() -> None:
    text = f'{{"id": "a", "{NAME_KEY}": 1, "{NAME_KEY}": 2, "name": 1, "name": 2}}'
    assert _paths(text) == [("$", "not valid JSON: key(s) given twice: name and 1 more")]
    only = f'{{"{NAME_KEY}": 1, "{NAME_KEY}": 2}}'
    message = "not valid JSON: key(s) given twice: 1, not quoted (they may hold personal data)"
    assert _paths(only) == [("$", message)]


def test_a_lone_surrogate_under_an_unsafe_key_is_named_by_position() -> None:
    text = json.dumps({"id": "a", NAME_KEY: "\\ud800"}).replace("\\\\ud800", "\\ud800")
    assert _paths(text) == [
        ("$['#1']", "contains a lone surrogate escape: not valid Unicode text")
    ]


def test_the_rejects_file_never_holds_an_unsafe_key_in_its_errors(tmp_path: Path) -> None:
    incident = _incident_line()
    inner = incident["incident"]
    assert isinstance(inner, dict)
    inner[NAME_KEY] = 1
    cases = tmp_path / "cases.jsonl"
    cases.write_text(json.dumps(incident) + "\n", encoding="utf-8")
    rejects = tmp_path / "rejects.jsonl"
    output = tmp_path / "d.jsonl"
    args = ["assess", cases, "-o", output, "--rejects", rejects, "--redact-rejects", "-q"]
    result = _dapolicy(*args)
    assert result.returncode == 1
    assert NAME_KEY not in result.stderr + result.stdout
    text = rejects.read_text(encoding="utf-8")
    assert NAME_KEY not in text
    assert json.loads(text)["errors"][0]["message"] == "unknown field"
