"""A line's decision key by byte search: the parser's key for every valid case, or none."""

from __future__ import annotations

import json
import typing
from datetime import timedelta

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dapolicy import _speedups, batch, to_json
from dapolicy._batch_keys import byte_key, case_key, json_key, quick_key, victim_id
from dapolicy.models import Case, Incident
from dapolicy.models._base import micros
from dapolicy.models.dara import DaraForm
from dapolicy.synth import synthesize
from dapolicy.testing import strategies as dst

SYNTH = [(to_json(case) + "\n").encode() for case in synthesize(400, 23)]


def _field_names(root: type) -> dict[str, list[str]]:
    """Every attrs field name reachable from ``root``, with the classes that have it."""
    seen: set[type] = set()
    owners: dict[str, list[str]] = {}

    def walk(kind: object) -> None:
        for arg in typing.get_args(kind):
            walk(arg)
        if isinstance(kind, type) and attrs.has(kind) and kind not in seen:
            seen.add(kind)
            hints = typing.get_type_hints(kind)
            for field in attrs.fields(kind):
                owners.setdefault(field.name, []).append(kind.__name__)
                walk(hints[field.name])

    walk(root)
    return owners


def test_the_keys_searched_for_are_each_one_models_field() -> None:
    """What the byte search relies on: change the schema and this fails first."""
    owners = _field_names(Case)
    assert owners["incident"] == ["Case"]
    assert owners["form"] == ["Case"]
    assert owners["victim"] == ["Incident"]
    assert owners["reported_at"] == ["Incident"]
    assert owners["dara"] == ["Case"]
    assert sorted(owners["completed_at"]) == ["DaraForm", "RiskForm"]
    # The line must start {"incident":{"id":": the written field order.
    assert attrs.fields(Case)[0].name == "incident"
    assert attrs.fields(Incident)[0].name == "id"


def test_every_line_dapolicy_writes_takes_the_byte_search() -> None:
    forms = 0
    for raw in SYNTH:
        key = byte_key(raw)
        assert key is not None
        assert key == json_key(raw)
        forms += b'"form":{' in raw
    assert 50 < forms < len(SYNTH)  # both with a form and without


def _with_dara(case: Case, hours: int, form: bool) -> Case:
    """``case`` with a DARA form completed ``hours`` after the report, and its DASH or not."""
    at = case.incident.reported_at + timedelta(hours=hours)
    dara = DaraForm(case.incident.id, {}, "PC-0001", at)
    return attrs.evolve(case, dara=dara, form=case.form if form else None)


@pytest.mark.parametrize(("hours", "form"), [(5, False), (5, True), (-1, True), (0, False)])
def test_a_dara_form_counts_in_the_decision_time(hours: int, form: bool) -> None:
    case = next(c for c in synthesize(40, 23) if c.form is not None)
    case = _with_dara(case, hours, form)
    raw = to_json(case).encode()
    assert quick_key(raw) == case_key(case)
    assert case_key(case)[0] == micros(batch.decision_time(case))
    assert byte_key(raw) == (None if form else case_key(case))  # two forms: parsed
    _assert_agrees(raw)


def _assert_agrees(raw: bytes) -> None:
    """The invariant: for a valid case, the byte key is none or the case's own key."""
    found, quick, victim = byte_key(raw), quick_key(raw), batch.victim_key(raw)
    parsed = batch.parse_line(1, raw)
    if isinstance(parsed, Case):
        assert found in (None, case_key(parsed))
        assert quick == case_key(parsed)
        assert victim == parsed.incident.victim.id


@settings(max_examples=6, deadline=None, derandomize=True, database=None)
@given(dst.cases())
def test_a_drawn_case_is_keyed_as_its_parse(case: Case) -> None:
    raw = (to_json(case) + "\n").encode()
    _assert_agrees(raw)
    if b"\\" not in raw:
        assert byte_key(raw) == case_key(case)


# Edits a hostile or unusual line might have; each keeps the line JSON.
_DECOYS = ["victim", "reported_at", "form", "completed_at", "incident", "id"]


def _edits(raw: bytes) -> list[bytes]:
    line = raw.decode()
    data = json.loads(line)
    victim, incident = data["incident"]["victim"]["id"], data["incident"]["id"]
    edited = [
        b"\xef\xbb\xbf" + raw,  # a byte-order mark: still searched
        raw.replace(b'{"incident":{"id":', b'{ "incident":{"id":', 1),
        raw.replace(b'"victim":{', b'"victim" : {', 1),
        raw.replace(f'"id":"{victim}"'.encode(), b'"id":"V\\u00e9"', 1),  # an escape
        raw.replace(f'"id":"{incident}"'.encode(), f'"id":"{incident}","id":"X"'.encode(), 1),
        raw.replace(b'"victim":{"id":', b'"victim":{"id":"W","id":', 1),  # repeated
        raw.replace(b',"form":', b',"form":null,"form":', 1),
        raw.replace(b',"form":null', b"", 1),  # the form left out
        raw.replace(b'"reported_at":"', b'"reported_at":"x', 1),
        raw.replace(b'"reported_at":"', b'"reported_at": "', 1),
        raw.replace(b'"completed_at":"', b'"completed_at":"2999', 1),
        raw.replace(b'"completed_at":"', b'"completed_at":1,"x":"', 1),
        raw.replace(b'"incident":{', b'"incident":{"x":{"victim":{"id":"Z"}},', 1),
        raw.replace(b'"id":"', b'"id":"\xff', 1),
    ]
    for decoy in _DECOYS:
        edited.append(raw.replace(b'"name":null', f'"name":"{decoy}"'.encode(), 1))
        edited.append(
            raw.replace(b'"attending_officer":"', f'"attending_officer":"{decoy}'.encode(), 1)
        )
        edited.append(raw.replace(b'"name":null', f'"name":"\\"{decoy}\\":"'.encode(), 1))
    return edited


@pytest.mark.parametrize("which", range(0, 400, 37))
def test_edited_lines_are_keyed_as_their_parse_or_not_at_all(which: int) -> None:
    for raw in _edits(SYNTH[which]):
        _assert_agrees(raw)


def test_a_decoy_value_sends_the_line_to_the_full_parse() -> None:
    raw = next(r for r in SYNTH if b'"name":null' in r)
    for decoy in ("victim", "reported_at", "form"):
        edited = raw.replace(b'"name":null', f'"name":"{decoy}"'.encode(), 1)
        assert isinstance(batch.parse_line(1, edited), Case)
        assert byte_key(edited) is None
        assert quick_key(edited) == json_key(edited) is not None


@settings(max_examples=60, deadline=None, derandomize=True, database=None)
@given(
    st.sampled_from(SYNTH), st.text(max_size=12), st.sampled_from(["name", "attending_officer"])
)
def test_any_text_in_a_field_keeps_the_key(raw: bytes, text: str, field: str) -> None:
    data = json.loads(raw)
    if field == "name":
        data["incident"]["victim"]["name"] = text or None
    else:
        data["incident"]["attending_officer"] = text
    line = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode(
        errors="surrogatepass"
    )
    _assert_agrees(line)


@pytest.mark.parametrize(
    "raw",
    [b"", b"{", b'{"incident":{"id":"', b'{"incident":{"id":"A","victim":{"id":"', b"\\", b"\xff"],
)
def test_broken_lines_get_no_byte_key(raw: bytes) -> None:
    assert byte_key(raw) is None
    assert victim_id(raw) is None


def _hostile_readings(raw: bytes) -> list[bytes]:
    """``raw`` edited where orjson and the stdlib might read it differently."""
    line = raw.decode()
    return [
        line.replace('"name":null', '"name":"\\ud800"', 1).encode(),  # a lone surrogate
        line.replace('"name":null', '"name":"\\u00e9\\"\\n"', 1).encode(),
        line.replace('"name":null', '"name":NaN', 1).encode(),
        line.replace('"name":null', f'"name":{2**70}', 1).encode(),  # past 64 bits
        line.replace('"name":null', '"name":' + "[" * 2000 + "]" * 2000, 1).encode(),
        line.replace('"incident":{"id":', '"incident":{"id":"X","id":', 1).encode(),
        line.replace('"victim":{"id":"', '"victim":{"id":"\\ud83d\\ude00', 1).encode(),
        line.replace('"victim":{"id":"', '"victim":{"id":"\\udc00', 1).encode(),
        b"\xef\xbb\xbf" + raw.replace(b'"id":"', b'"id":"\\u0041', 1),
        raw.replace(b'"id":"', b'"id":"\xff', 1),
        b"\xef\xbb\xbf\xef\xbb\xbf" + raw,
    ]


@pytest.mark.parametrize("which", range(0, 400, 57))
def test_the_full_reading_of_a_key_is_the_stdlibs(
    which: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    lines = _hostile_readings(SYNTH[which]) + _edits(SYNTH[which])
    fast = [(json_key(raw), batch.victim_key(raw)) for raw in lines]
    monkeypatch.setattr(_speedups, "orjson", None)
    assert fast == [(json_key(raw), batch.victim_key(raw)) for raw in lines]
    assert any(key is not None for key, _ in fast)
