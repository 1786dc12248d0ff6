"""Hostile lines never stop a batch: every line is a decision or a reject, never a crash.

Lines are drawn from three kinds: valid cases from ``dapolicy synth``; those cases
mutated (a value anywhere replaced by a hostile one -- nested 1,000 deep, an integer
of 5,000 digits, a date-time in year 1 or 9999, NaN, a lone surrogate ... -- a key
removed, added or given twice, the text cut, a byte flipped); and arbitrary bytes.
Most examples call the pipeline directly; a few run the installed command on a file.
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

from _command import run_dapolicy
from _scale import fuzz_settings, tally
from hypothesis import event, given
from hypothesis import strategies as st

from dapolicy import batch, default_policy, to_json
from dapolicy._batch_keys import byte_key, case_key, quick_key
from dapolicy.models import Case
from dapolicy.synth import synthesize
from dapolicy.testing.strategies import cases

POLICY = default_policy()
CASES = [to_json(case) for case in synthesize(40, 3)]

#: Values put in place of any value of a valid case, as JSON text.
HOSTILE: dict[str, str] = {
    "nested 1000 deep": "[" * 1000 + "]" * 1000,
    "objects nested 1000 deep": '{"a":' * 1000 + "1" + "}" * 1000,
    "nested 65 deep": "[" * 65 + "]" * 65,
    "integer of 5000 digits": "1" * 5000,
    "integer of 4300 digits": "9" * 4300,
    "date-time in year 1": '"0001-01-01T00:00:00+00:00"',
    "date-time at the end of 9999": '"9999-12-31T23:00:00-05:00"',
    "date-time in 1899": '"1899-12-31T23:59:59+00:00"',
    "date-time at the end of 2200": '"2200-12-31T23:59:59-14:00"',
    "date-time at the start of 1900": '"1900-01-01T00:00:00+14:00"',
    "naive date-time": '"2024-03-31T01:30:00"',
    "date in year 1": '"0001-01-01"',
    "date in 9999": '"9999-12-31"',
    "impossible date": '"2023-02-29"',
    "NaN": "NaN",
    "Infinity": "Infinity",
    "-Infinity": "-Infinity",
    "1e400": "1e400",
    "negative": "-1",
    "zero": "0",
    "fraction": "0.5",
    "empty string": '""',
    "blank string": '"   "',
    "lone surrogate": '"\\ud800"',
    "NUL": '"\\u0000"',
    "long string": '"' + "x" * 20000 + '"',
    "null": "null",
    "true": "true",
    "empty object": "{}",
    "empty array": "[]",
    "array of nulls": "[null, null]",
}

_PLACEHOLDER = "\x00hostile\x00"

#: The kinds of fault drawn in the example being run (for the tally).
_drawn: list[str] = []


def _fault(kind: str) -> None:
    event(f"fault: {kind}")
    _drawn.append(kind)


def _paths(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [path]
    if isinstance(value, dict):
        for key, item in value.items():
            found += _paths(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += _paths(item, (*path, index))
    return found


def _set(record: Any, path: tuple[Any, ...], value: Any) -> Any:
    if not path:
        return value
    parent = record
    for part in path[:-1]:
        parent = parent[part]
    parent[path[-1]] = value
    return record


@st.composite
def mutated(draw: st.DrawFn) -> bytes:
    """A valid case with one fault put anywhere in it."""
    record = json.loads(draw(st.sampled_from(CASES)))
    path = draw(st.sampled_from(_paths(record)))
    kind = draw(
        st.sampled_from(["replace"] * 4 + ["remove", "add", "twice", "cut", "flip", "wrap"])
    )
    if kind == "replace":
        name = draw(st.sampled_from(sorted(HOSTILE)))
        _fault(name)
        text = json.dumps(_set(record, path, _PLACEHOLDER), ensure_ascii=False)
        return text.replace(json.dumps(_PLACEHOLDER), HOSTILE[name]).encode()
    _fault(kind)
    if kind == "remove" and path:
        parent = record
        for part in path[:-1]:
            parent = parent[part]
        del parent[path[-1]]
    elif kind == "add":
        target = record
        for part in path:
            target = target[part]
        if isinstance(target, dict):
            target["unknown_key"] = draw(st.sampled_from([None, 1, "x", []]))
    text = json.dumps(record, ensure_ascii=False, separators=(",", ":"))
    if kind == "twice":
        text = text.replace("{", '{"id":"again",', 1 + draw(st.integers(0, 3)))
    elif kind == "cut":
        text = text[: draw(st.integers(0, len(text)))]
    elif kind == "flip":
        at = draw(st.integers(0, len(text) - 1))
        raw = bytearray(text.encode())
        raw[min(at, len(raw) - 1)] ^= 1 << draw(st.integers(0, 7))
        return bytes(raw)
    elif kind == "wrap":
        text = draw(st.sampled_from(["\ufeff{}", "[{}]", "{}\r", "  {} "])).replace("{}", text)
    return text.encode()


def _valid() -> st.SearchStrategy[bytes]:
    return st.sampled_from(CASES).map(str.encode)


def _line() -> st.SearchStrategy[bytes]:
    return st.one_of(
        _valid(),
        mutated(),
        mutated(),
        st.binary(max_size=120).map(lambda b: (_fault("arbitrary bytes"), b)[1]),
    )


lines = st.lists(_line(), min_size=1, max_size=12)


def _numbered_lines(data: bytes) -> int:
    """How many lines reading ``data`` as a file gives (what the command counts)."""
    return sum(1 for _ in io.BytesIO(data))


def _strict(text: str) -> Any:
    def refuse(token: str) -> Any:
        raise AssertionError(f"not strict JSON: {token}")

    return json.loads(text, parse_constant=refuse)


def _check(results: list[batch.LineResult], expected: int, test: str) -> None:
    tally(test, expected, sorted(set(_drawn)))
    _drawn.clear()
    assert len(results) == expected  # decisions + rejects = input lines
    for number, result in enumerate(results, start=1):
        assert result.number == number
        assert (result.decision is None) != (result.reject is None)
        if result.reject is not None:
            record = _strict(result.reject)
            assert record["line"] == number
            assert record["errors"]
            for error in record["errors"]:
                assert error["path"].startswith("$")
                assert error["message"]
        else:
            assert result.decision is not None
            _strict(result.decision)


def _write(tmp_path_factory: Any, drawn: list[bytes]) -> tuple[Path, bytes]:
    data = b"".join(line + b"\n" for line in drawn)
    path = tmp_path_factory.mktemp("fuzz") / "in.jsonl"
    path.write_bytes(data)
    return path, data


@fuzz_settings(60)
@given(lines)
def test_any_line_is_a_decision_or_a_reject(tmp_path_factory: Any, drawn: list[bytes]) -> None:
    path, data = _write(tmp_path_factory, drawn)
    results = list(batch.assess_file(path, POLICY))
    _check(results, _numbered_lines(data), "pipeline")
    event(f"rejects: {sum(r.reject is not None for r in results) > 0}")


@fuzz_settings(40)
@given(st.binary(max_size=400))
def test_arbitrary_bytes_parse_to_a_case_or_a_reject(raw: bytes) -> None:
    tally("parse", 1, ["arbitrary bytes"])
    parsed = batch.parse_line(7, raw)
    if isinstance(parsed, dict):
        assert parsed["line"] == 7
        _strict(json.dumps(parsed))


@fuzz_settings(4)
@given(lines)
def test_workers_give_the_same_results(tmp_path_factory: Any, drawn: list[bytes]) -> None:
    path, data = _write(tmp_path_factory, drawn)
    single = list(batch.assess_file(path, POLICY))
    assert list(batch.assess_file(path, POLICY, jobs=2)) == single
    _check(single, _numbered_lines(data), "workers")


def _count(path: Path) -> int:
    return _numbered_lines(path.read_bytes()) if path.exists() else 0


@fuzz_settings(2)
@given(st.lists(mutated(), min_size=3, max_size=8), _valid())
def test_the_command_never_prints_a_traceback(
    tmp_path_factory: Any, drawn: list[bytes], valid: bytes
) -> None:
    folder = tmp_path_factory.mktemp("command")
    data = b"".join(line + b"\n" for line in [valid, *drawn, valid])
    (folder / "in.jsonl").write_bytes(data)
    (folder / "case.json").write_bytes(drawn[0])
    expected = _numbered_lines(data)
    tally("command", expected, sorted(set(_drawn)))
    _drawn.clear()
    for args in (
        ("assess", "in.jsonl", "-o", "out.jsonl", "--rejects", "bad.jsonl"),
        ("assess", "in.jsonl", "-o", "out2.jsonl", "--rejects", "bad2.jsonl", "--jobs", "2"),
    ):
        result = run_dapolicy(*args, cwd=folder)
        assert "Traceback" not in result.stderr
        assert result.returncode in (0, 1), result.stderr
        out, bad = folder / args[3], folder / args[5]
        assert _count(out) + _count(bad) == expected
        assert f"{expected} = " in result.stderr
    assert (folder / "out.jsonl").read_bytes() == (folder / "out2.jsonl").read_bytes()
    audit = run_dapolicy("audit", "in.jsonl", "--rejects", "audit-bad.jsonl", cwd=folder)
    assert "Traceback" not in audit.stderr
    assert audit.returncode in (0, 1), audit.stderr
    assert f"{expected} lines = " in audit.stderr
    explain = run_dapolicy("explain", "case.json", cwd=folder)
    assert "Traceback" not in explain.stderr
    assert explain.returncode in (0, 2), explain.stderr


@fuzz_settings(60)
@given(st.one_of(mutated(), _valid(), cases().map(lambda c: to_json(c).encode())))
def test_a_line_is_keyed_by_byte_search_as_its_parse_or_not_at_all(raw: bytes) -> None:
    """The byte search finds a valid case's own decision key, or leaves it to the parse."""
    tally("keys", 1, sorted(set(_drawn)))
    _drawn.clear()
    parsed = batch.parse_line(1, raw)
    found = byte_key(raw)
    if isinstance(parsed, Case):
        assert found in (None, case_key(parsed))
        assert quick_key(raw) == case_key(parsed)
        assert batch.victim_key(raw) == parsed.incident.victim.id
        event(f"byte search certain: {found is not None}")
