"""The fast read path gives the pure path's answers: the same objects, the same errors.

``from_json``/``from_dict`` read with orjson and a generated structuring function when
``dapolicy._speedups.FAST`` (``dapolicy._read_fast``), and fall back to the pure path
(``dapolicy._read``, which ``DAPOLICY_PURE_PYTHON=1`` chooses) for anything the fast path
is not sure of. Each test reads the same input both ways in one process and compares
everything: accept or reject, the object, its JSON and the types it holds, the error's
paths, messages and text. The longer, seeded run is ``tests/fuzz/test_fuzz_read.py``.
"""

from __future__ import annotations

import enum
import json
import sys
import types
from collections.abc import Callable, Iterator, Mapping
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import attrs
import cattrs
import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st

from dapolicy import (
    Case,
    Decision,
    Incident,
    _read,
    _read_checks,
    _read_fast,
    _read_gen,
    _read_inline,
    _speedups,
    default_policy,
    from_dict,
    from_json,
    make_converter,
    to_json,
)
from dapolicy import models as m
from dapolicy import serialization as ser
from dapolicy.models._base import Checked

sys.path.insert(0, str(Path(__file__).with_name("fuzz")))
from _read_corpus import BREAKS, CASES, DECISIONS, HOSTILE, SPARSE, compact, outcome, texts


@pytest.fixture(autouse=True)
def fast_on(monkeypatch: pytest.MonkeyPatch) -> None:
    """The fast path on, even under DAPOLICY_PURE_PYTHON=1 (the pure side is called directly)."""
    monkeypatch.setattr(_speedups, "FAST", True)
    monkeypatch.setattr(_speedups, "orjson", orjson)


def pure_json(cls: type, text: str | bytes, converter: cattrs.Converter | None = None) -> Any:
    """What ``from_json`` does with ``DAPOLICY_PURE_PYTHON=1``."""
    chosen = ser._converter(converter)
    return _read.structure(cls, _read.loads(cls.__name__, text), chosen)


#: A converter whose errors are found again with detailed validation (as the bench's was).
DETAILED_OFF = make_converter(detailed_validation=False)


def same_reading(text: str | bytes, cls: type = Case) -> tuple[Any, ...]:
    """Read ``text`` both ways, with both kinds of converter: all four agree."""
    fast = outcome(lambda: from_json(cls, text))
    assert fast == outcome(lambda: pure_json(cls, text))
    detailed_off = DETAILED_OFF
    assert outcome(lambda: from_json(cls, text, converter=detailed_off)) == outcome(
        lambda: pure_json(cls, text, detailed_off)
    )
    return fast


# --- the fast path is taken, and builds the same objects ------------------------------


@pytest.mark.parametrize("line", CASES, ids=range(len(CASES)))
def test_a_valid_line_is_read_and_built_on_the_fast_path(line: str) -> None:
    data = _read_fast.loads(line)
    assert data is not _read_fast.UNSURE
    built = _read_fast.structure(Case, data, ser._converter(None))
    assert built is not _read_fast.UNSURE
    assert to_json(built) == line
    assert same_reading(line)[0] == "accepted"


def test_the_fast_path_builds_every_model_the_same_way_as_the_pure_path() -> None:
    for line in CASES[-2:] + SPARSE:  # the enriched cases: every field of every model
        if line in SPARSE:  # fields left to their defaults: the second branch
            data = _read_fast.loads(line)
            assert _read_fast.structure(Case, data, ser._converter(None)) is not _read_fast.UNSURE
        pure = outcome(lambda line=line: pure_json(Case, line))
        assert outcome(lambda line=line: from_json(Case, line)) == pure
        assert outcome(lambda line=line: from_dict(Case, json.loads(line))) == pure


@given(texts())
def test_any_text_reads_the_same_on_both_paths(text: str | bytes) -> None:
    same_reading(text)


# --- the hostile corpus ---------------------------------------------------------------

#: A field of each kind the models have (str, optional str, a safe id, datetime,
#: optional datetime, date, int, bool, enum, optional enum, frozenset of enums, tuple of
#: objects, mapping, an object, an optional object), in the enriched case.
PATHS = [
    ("incident", "id"),
    ("incident", "attending_officer"),
    ("incident", "area"),
    ("incident", "reported_at"),
    ("graded_at",),
    ("incident", "victim", "date_of_birth"),
    ("incident", "children", 0, "age"),
    ("incident", "victim", "address_confidential"),
    ("incident", "relationship", "kind"),
    ("recorded_grade",),
    ("incident", "abuse_types"),
    ("incident", "children"),
    ("form", "answers"),
    ("incident", "relationship"),
    ("incident", "crime"),
    ("form", "answers", "1"),
    (),
]


def _replaced(path: tuple[Any, ...], value: str) -> str:
    record = json.loads(CASES[-1])
    target = record
    for part in path[:-1]:
        target = target[part]
    if path:
        target[path[-1]] = "\x00here\x00"
    else:
        record = "\x00here\x00"
    text = json.dumps(record, ensure_ascii=False, separators=(",", ":"))
    return text.replace(json.dumps("\x00here\x00"), value)


@pytest.mark.parametrize("value", HOSTILE, ids=range(len(HOSTILE)))
def test_a_hostile_value_anywhere_reads_the_same(value: str) -> None:
    # A long value (a limit's edge) at a field of each container kind only, to stay quick.
    for path in PATHS if len(value) < 1000 else PATHS[10:]:
        same_reading(_replaced(path, value))


@pytest.mark.parametrize("name", sorted(BREAKS))
def test_a_rule_across_fields_is_kept_on_the_fast_path(name: str) -> None:
    for line in (CASES[-1], CASES[3]):
        record = json.loads(line)
        BREAKS[name](record)
        same_reading(json.dumps(record, ensure_ascii=False, separators=(",", ":")))


@pytest.mark.parametrize(
    "text",
    [
        '{"a":1,"a":2}',
        '{"incident":1,"incident":2}',
        CASES[0].replace('"id":', '"id":"x","id":', 1),
        CASES[0].replace("{", '{"Jane Smith":1,"Jane Smith":2,', 1),
        CASES[0].replace(',"', ', "', 1),
        CASES[0].replace("V-", "\\u0056-", 1),
        "\ufeff" + CASES[0],
        CASES[0].encode("utf-8"),
        b"\xef\xbb\xbf" + CASES[0].encode("utf-8"),
        CASES[0].encode("utf-8") + b"\xff",
        CASES[0] + "\ud800",
        "[" * 65 + "]" * 65,
        "[" * 2000 + "]" * 2000,
        "",
        "   ",
        "null",
    ],
)
def test_keys_given_twice_layout_and_bad_text_read_the_same(text: str | bytes) -> None:
    same_reading(text)


def test_orjson_is_trusted_only_for_text_it_writes_back_byte_for_byte() -> None:
    assert _read_fast.loads('{"a":1}') == {"a": 1}
    assert _read_fast.loads(b'{"a":[1,"\xc3\xa9"]}') == {"a": [1, "\u00e9"]}
    for doubtful in [
        '{"a":1,"a":2}',  # orjson keeps the last silently
        "123456789012345678901234567890",  # orjson reads it as a float
        "18446744073709551616",  # past 64 bits
        '{"a": 1}',  # laid out otherwise: the pure path reads it
        '"\\u00e9"',
        '"\\ud800"',
        "NaN",
        "\ufeff{}",
        "\ud800",
        "{",
    ]:
        assert _read_fast.loads(doubtful) is _read_fast.UNSURE, doubtful


# --- Python values through from_dict ---------------------------------------------------


class _Str(str):
    pass


class _Dict(dict[str, Any]):
    pass


class _Int(enum.IntEnum):
    THREE = 3


def _python_values() -> Iterator[tuple[str, Any]]:
    record = json.loads(CASES[-1])
    incident = record["incident"]
    yield "a datetime object", {**record, "graded_at": datetime(2031, 1, 1, tzinfo=UTC)}
    yield "a naive datetime object", {**record, "graded_at": datetime(2031, 1, 1)}
    zoned = datetime(2031, 1, 1, tzinfo=timezone(timedelta(hours=2)))
    yield "a zoned datetime", {**record, "incident": {**incident, "reported_at": zoned}}
    yield (
        "a date object",
        {
            **record,
            "incident": {
                **incident,
                "victim": {**incident["victim"], "date_of_birth": date(1980, 1, 1)},
            },
        },
    )
    yield "a str subclass", {**record, "incident": {**incident, "id": _Str("I-1")}}
    yield "a dict subclass", {**record, "incident": _Dict(incident)}
    yield "a tuple for a list", {**record, "incident": {**incident, "abuse_types": ("physical",)}}
    yield (
        "an IntEnum for an int",
        {**record, "incident": {**incident, "children": [{"id": "c", "age": _Int.THREE}]}},
    )
    yield (
        "a bool for an int",
        {**record, "incident": {**incident, "children": [{"id": "c", "age": True}]}},
    )
    yield "a mapping proxy", {**record, "form": types.MappingProxyType(record["form"])}
    yield "a list of keys", list(record)
    yield "None", None


@pytest.mark.parametrize(("name", "data"), list(_python_values()), ids=lambda x: str(x)[:20])
def test_python_values_build_the_same_through_from_dict(name: str, data: Any) -> None:
    pure = outcome(lambda: _read.structure(Case, data, ser._converter(None)))
    assert outcome(lambda: from_dict(Case, data)) == pure


# --- when the fast path is not used ---------------------------------------------------


def test_a_converter_with_a_hook_added_reads_through_that_hook() -> None:
    converter = make_converter()
    assert _read_fast.is_pristine(converter)
    converter.register_structure_hook(str, lambda value, _: value.lower())
    assert not _read_fast.is_pristine(converter)
    case = from_json(Case, CASES[0], converter=converter)
    assert case.incident.id == json.loads(CASES[0])["incident"]["id"].lower()


@pytest.mark.parametrize(
    "register",
    [
        lambda c: c.register_structure_hook_func(lambda t: t is str, lambda v, _: v),
        lambda c: c.register_structure_hook_factory(lambda t: t is str, lambda t: str),
        lambda c: c.register_structure_hook_factory(lambda t: t is str)(lambda t: str),
    ],
)
def test_any_structure_hook_added_turns_the_fast_path_off(
    register: Callable[[cattrs.Converter], Any],
) -> None:
    converter = make_converter()
    register(converter)
    assert not _read_fast.is_pristine(converter)


def test_a_copy_is_pristine_only_when_only_the_validation_differs() -> None:
    converter = make_converter(detailed_validation=False)
    assert _read_fast.is_pristine(converter.copy(detailed_validation=True))
    assert not _read_fast.is_pristine(converter.copy(forbid_extra_keys=False))
    touched = make_converter()
    touched.register_structure_hook(int, lambda v, _: v)
    assert not _read_fast.is_pristine(touched.copy())
    assert not _read_fast.is_pristine(default_policy().make_converter())
    assert not _read_fast.is_pristine(cattrs.Converter())


def test_with_the_switch_off_the_fast_path_is_never_called(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def refuse(*_: Any) -> Any:
        raise AssertionError("the fast path was called")

    monkeypatch.setattr(_speedups, "FAST", False)
    monkeypatch.setattr(_read_fast, "loads", refuse)
    monkeypatch.setattr(_read_fast, "structure", refuse)
    assert to_json(from_json(Case, CASES[0])) == CASES[0]
    assert to_json(from_dict(Case, json.loads(CASES[0]))) == CASES[0]


@attrs.frozen
class _Measured:
    value: float
    unit: str = "m"


@attrs.frozen
class _Loose:
    payload: dict[str, Any]


@attrs.frozen
class _Node:
    name: str
    child: _Node | None = None


def test_a_type_the_fast_path_does_not_mirror_goes_through_its_hook_or_the_pure_path() -> None:
    converter = make_converter()
    # A float is structured by the converter's own hook, in the generated function.
    built = _read_fast.structure(_Measured, {"value": 1.5}, converter)
    assert built == _Measured(1.5) == from_dict(_Measured, {"value": 1.5})
    for bad in ({"value": 1.5, "unit": 1}, {"value": 1.5, "x": 1}, {}):
        assert _read_fast.structure(_Measured, bad, converter) is _read_fast.UNSURE
    # (cattrs' own float hook takes "1.5": the same on both paths, as it should be.)
    for data in ({"value": "1.5"}, {"value": "x"}, {"value": 1.5, "unit": 1}, {}):
        pure = outcome(lambda data=data: _read.structure(_Measured, data, ser._converter(None)))
        assert outcome(lambda data=data: from_dict(_Measured, data)) == pure
    # A value that may nest without bound (a dict of Any, a recursive type): the pure
    # path, which checks the nesting first.
    assert _read_fast.structure(_Loose, {"payload": {}}, converter) is _read_fast.UNSURE
    assert from_dict(_Loose, {"payload": {"a": [1]}}) == _Loose({"a": [1]})
    nested = {"name": "a", "child": {"name": "b"}}
    assert _read_fast.structure(_Node, nested, converter) is _read_fast.UNSURE
    assert from_dict(_Node, nested) == _Node("a", _Node("b"))
    deep = '{"payload":' + '{"a":' * 70 + "1" + "}" * 71
    assert same_reading(deep, _Loose)[0] == "rejected"


# --- the models' checks as the fast path does them ------------------------------------


def test_every_check_is_written_against_its_model_as_it_is() -> None:
    stale = [cls.__name__ for cls in _read_checks.CHECKS if _read_checks.check_for(cls) is None]
    assert not stale, (
        f"_problems changed in {stale}: bring their checks in dapolicy/_read_checks.py up "
        "to date, and their fingerprints (_read_checks.fingerprint)"
    )


def _objects(value: Any) -> Iterator[Any]:
    if attrs.has(type(value)):
        yield value
        for field in attrs.fields(type(value)):
            yield from _objects(getattr(value, field.name))
    elif isinstance(value, tuple):
        for item in value:
            yield from _objects(item)


_BUILT = [from_json(Case, line) for line in CASES] + [
    from_json(Decision, line) for line in DECISIONS
]
_INSTANCES = {
    cls: [obj for case in _BUILT for obj in _objects(case) if type(obj) is cls]
    for cls in _read_checks.CHECKS
}
_AT = timezone(timedelta(hours=-14)), UTC, timezone(timedelta(hours=14))
_EDGES: dict[Any, list[Any]] = {
    str: ["", " ", "\t\n", "\u2003", "\u200b", "x", " x ", "bcu-1", "Bad Area!", "a" * 65],
    datetime: [
        datetime(year, month, day, hour, tzinfo=tz)
        for year, month, day, hour in [
            (1899, 12, 31, 23),
            (1900, 1, 1, 0),
            (2200, 12, 31, 23),
            (2201, 1, 1, 0),
            (2031, 6, 1, 12),
        ]
        for tz in _AT
    ],
    int: [-1, 0, 17, 18],
    bool: [True, False],
    date: [date(1900, 1, 1), date(1980, 2, 29), date(2031, 12, 31)],
}


def _pool(tp: Any, cls: type, name: str) -> list[Any]:
    origin = getattr(tp, "__origin__", None)
    if tp in _EDGES:
        return _EDGES[tp]
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        return list(tp)
    if attrs.has(tp):
        return _INSTANCES.get(tp, [])[:6]
    args = getattr(tp, "__args__", ())
    if type(None) in args:
        (inner,) = (a for a in args if a is not type(None))
        return [None, *_pool(inner, cls, name)]
    values = [getattr(obj, name) for obj in _INSTANCES[cls]]
    if origin is frozenset:
        return [frozenset(), *values]
    if origin is tuple and not attrs.has(args[0]):  # a referral's requesters
        return [(), *values]
    if origin is tuple:
        twice = tuple(_INSTANCES[args[0]][:1] * 2)  # the same child twice
        return [(), *values, twice]
    assert origin is Mapping, tp  # the answers (of a risk form or a DARA)
    yes = next(iter(args[1]))  # a member of the answers' enum
    return [{}, {"": yes}, {" ": yes}, {"\u2003": yes}, {"1": yes}, *values]


@st.composite
def _altered(draw: st.DrawFn) -> tuple[Any, Any]:
    cls = draw(st.sampled_from(sorted(_read_checks.CHECKS, key=lambda c: c.__name__)))
    original = draw(st.sampled_from(_INSTANCES[cls]))
    fields = attrs.fields(attrs.resolve_types(cls))
    obj = object.__new__(cls)
    for field in fields:
        object.__setattr__(obj, field.name, getattr(original, field.name))
    for field in draw(st.lists(st.sampled_from(fields), max_size=3, unique=True)):
        pool = _pool(field.type, cls, field.name)
        if pool:
            object.__setattr__(obj, field.name, draw(st.sampled_from(pool)))
    return cls, obj


def _inlined(check: Callable[[Any], bool], cls: type) -> Callable[[Any], bool] | None:
    """The check as the generated function tests it, over its fields' values."""
    namespace: dict[str, Any] = {}

    def bind(prefix: str, value: Any) -> str:
        name = f"{prefix}{len(namespace)}"
        namespace[name] = value
        return name

    fields = [field.name for field in attrs.fields(cls)]
    condition = _read_inline.condition(check, {name: f"v_{name}" for name in fields}, bind)
    if condition is None:
        return None
    code = compile(condition, "<inlined>", "eval")
    return lambda obj: bool(
        eval(code, namespace, {f"v_{name}": getattr(obj, name) for name in fields})
    )


@given(_altered())
def test_each_check_agrees_with_its_models_problems(altered: tuple[Any, Any]) -> None:
    cls, obj = altered
    check = _read_checks.check_for(cls)
    assert check is not None
    assert issubclass(cls, Checked)
    problems = list(obj._problems())
    assert check(obj) == (not problems), problems
    inlined = _inlined(check, cls)
    assert inlined is None or inlined(obj) == (not problems), problems


def test_the_checks_are_written_into_the_generated_functions_where_plain() -> None:
    plain = {cls for cls, (_, check) in _read_checks.CHECKS.items() if _inlined(check, cls)}
    # The forms' checks give the instance to a helper they share: left a call.
    assert plain == set(_read_checks.CHECKS) - {m.RiskForm, m.DaraForm}

    def bind(prefix: str, value: Any) -> str:
        return prefix

    def helper(o: Any) -> bool:
        return bool(o)

    def gives_the_instance(o: Any) -> bool:
        return helper(o)

    def has_a_statement(o: Any) -> bool:
        a = o.a
        a += 1
        return a > 1

    def reads_another_attribute(o: Any) -> bool:
        return o.__class__ is object

    def binds_a_computed_name(o: Any) -> bool:
        a = len(o.a)
        return a > 1

    for function in (gives_the_instance, has_a_statement, reads_another_attribute):
        assert _read_inline.condition(function, {"a": "x"}, bind) is None, function
    assert _read_inline.condition(binds_a_computed_name, {"a": "x"}, bind) is None

    def comprehends(o: Any) -> bool:
        a, b = o.a, o.b
        return len({item.id for item in a}) == len(a) and b is not None

    assert _read_inline.condition(comprehends, {"a": "x", "b": "y"}, bind) == (
        "G({item.id for item in x}) == G(x) and y is not None"
    )


def test_every_model_in_a_case_has_a_check_and_is_built_slot_by_slot() -> None:
    for cls in _read_checks.CHECKS:
        assert _read_gen.trusted_build(cls), cls
    for built in (_BUILT[len(CASES) - 1], _BUILT[-1]):  # the enriched case, the decision
        assert set(_read_checks.CHECKS) >= {type(obj) for obj in _objects(built)}
    assert Incident in _read_checks.CHECKS


def test_a_short_text_is_structured_without_counting_and_the_same_way() -> None:
    # Each character of a string takes one of the text's at least, each item two.
    assert min(ser.MAX_STRING_CHARS, 2 * ser.MAX_ITEMS) >= _read_fast.BOUNDED
    converter = ser._converter(None)
    for line in CASES + SPARSE:
        data = json.loads(line)
        counted = _read_fast.structure(Case, data, converter, bounded=False)
        assert counted is not _read_fast.UNSURE
        assert _read_fast.structure(Case, data, converter, bounded=True) == counted
    record = json.loads(CASES[-1])
    record["incident"]["victim"]["name"] = "x" * ser.MAX_STRING_CHARS
    long_but_valid = json.dumps(record, ensure_ascii=False, separators=(",", ":"))
    assert len(long_but_valid) > _read_fast.BOUNDED
    assert same_reading(long_but_valid)[0] == "accepted"
    record["incident"]["victim"]["name"] += "x"
    assert _read_fast.structure(Case, record, converter) is _read_fast.UNSURE
    assert same_reading(json.dumps(record))[0] == "rejected"


def test_a_text_too_short_for_a_long_string_still_has_its_items_counted() -> None:
    # Between BOUNDED and SHORT characters: no string can be too long, an array can.
    assert _read_fast.BOUNDED < _read_fast.SHORT <= ser.MAX_STRING_CHARS
    record = json.loads(DECISIONS[-1])
    for count, answer in ((ser.MAX_ITEMS, "accepted"), (ser.MAX_ITEMS + 1, "rejected")):
        record["referrals"][0]["requested_by"] = ["a"] * count
        text = compact(record)
        assert _read_fast.BOUNDED < len(text) <= _read_fast.SHORT
        assert same_reading(text, Decision)[0] == answer
    data = json.loads(text)
    assert _read_fast.structure(Decision, data, ser._converter(None), short=True) is (
        _read_fast.UNSURE
    )


@pytest.mark.parametrize(
    ("path", "key"),
    [
        (("incident", "victim"), "name"),  # a field with a default
        (("incident", "victim"), "id"),  # a required one
        (("incident",), "weapon_present"),
        (("incident", "children", 0), "present"),
        (("form",), "answers"),
        ((), "graded_at"),
    ],
)
def test_an_unknown_key_in_place_of_a_field_reads_the_same(
    path: tuple[Any, ...], key: str
) -> None:
    # As many keys as the model has fields, one of them unknown: never taken for a record.
    record = json.loads(CASES[-1])
    target = record
    for part in path:
        target = target[part]
    target["unknown"] = target.pop(key)
    assert same_reading(compact(record))[0] == "rejected"
    assert _read_fast.structure(Case, record, ser._converter(None)) is _read_fast.UNSURE


def test_a_line_read_with_its_end_is_trusted_too() -> None:
    # dapolicy assess reads each line with its "\n" (or "\r\n"): the fast path must
    # take it, or every line of a batch goes the pure way.
    line = CASES[0]
    for end in ("\n", "\r\n"):
        assert _read_fast.loads(line + end) == _read_fast.loads(line) != _read_fast.UNSURE
        assert same_reading(line + end)[0] == "accepted"
    for doubtful in ['{"a":1} \n', '{"a":1}\n\n', '{"a":1}\r', '{"a":1,"a":2}\n', "NaN\n"]:
        assert _read_fast.loads(doubtful) is _read_fast.UNSURE, doubtful


def test_a_decision_reads_the_same_both_ways_on_the_fast_path() -> None:
    # Allocation's skills default takes the instance: a record without them is the pure
    # path's to build; one with them (as dapolicy writes them) is built fast.
    text = DECISIONS[-1]
    data = json.loads(text)
    built = _read_fast.structure(Decision, data, ser._converter(None))
    assert built is not _read_fast.UNSURE
    assert to_json(built) == text
    assert same_reading(text, Decision)[0] == "accepted"
    for path, value in [
        (("allocation", "skills"), ["nonsense"]),
        (("allocation", "level"), "constable"),
        (("allocation", "reasons"), []),
        (("tasks", 0, "due_by"), "2031-03-30T01:30:00"),
        (("findings", 0, "score"), -1),
    ]:
        broken = json.loads(text)
        target = broken
        for part in path[:-1]:
            target = target[part]
        target[path[-1]] = value
        assert same_reading(json.dumps(broken), Decision)[0] == "rejected", path
    for path, value in [
        (("allocation", "skills"), ["investigate_domestic_abuse"]),  # not the level's
        (("needs_review",), False),
        (("policy_version",), "Bad Version!"),
        (("reasons", 0, "text"), " "),
        (("plugins", 0, "version"), ""),
        (("failures", 0, "error"), "\t"),
        (("decided_at",), "2201-01-01T00:00:00+00:00"),
        (("referrals", 0, "requested_at"), "1899-12-31T23:59:59+00:00"),
        (("tasks", 0, "assignee"), "\u2003"),
        (("findings", 0, "reasons"), []),
    ]:
        broken = json.loads(text)
        target = broken
        for part in path[:-1]:
            target = target[part]
        target[path[-1]] = value
        assert same_reading(compact(broken), Decision)[0] == "rejected", path
    # Left to their defaults: the allocation's skills (made from the instance) go the
    # pure way, the rest are built fast.
    sparse = json.loads(text)
    del sparse["allocation"]["skills"], sparse["prompts"], sparse["tasks"][0]["assignee"]
    assert same_reading(compact(sparse), Decision)[0] == "accepted"
    assert _read_fast.structure(Decision, sparse, ser._converter(None)) is _read_fast.UNSURE
    del sparse["allocation"]
    assert _read_fast.structure(Decision, sparse, ser._converter(None)) is not _read_fast.UNSURE


#: A field of each kind a decision has, in the decision made by hand.
DECISION_PATHS = [
    ("incident_id",),
    ("grade",),
    ("decided_at",),
    ("reasons",),
    ("reasons", 0),
    ("reasons", 0, "source"),
    ("findings", 0, "score"),
    ("referrals", 0, "requested_by"),
    ("tasks", 0, "due_by"),
    ("allocation",),
    ("allocation", "skills"),
    ("needs_review",),
    ("plugins", 0, "name"),
    ("policy_version",),
]


@pytest.mark.parametrize("value", HOSTILE, ids=range(len(HOSTILE)))
def test_a_hostile_value_anywhere_in_a_decision_reads_the_same(value: str) -> None:
    for path in DECISION_PATHS if len(value) < 1000 else DECISION_PATHS[3:5]:
        target = json.loads(DECISIONS[-1])
        inner = target
        for part in path[:-1]:
            inner = inner[part]
        inner[path[-1]] = "\x00here\x00"
        text = compact(target).replace(json.dumps("\x00here\x00"), value)
        same_reading(text, Decision)


def test_decisions_read_the_same_both_ways_and_share_their_reasons() -> None:
    converter = ser._converter(None)
    for text in DECISIONS:
        assert _read_fast.structure(Decision, json.loads(text), converter) is not _read_fast.UNSURE
        assert same_reading(text, Decision)[0] == "accepted"
    first, again = from_json(Decision, DECISIONS[0]), from_json(Decision, DECISIONS[0])
    assert first == again == pure_json(Decision, DECISIONS[0])
    # The same reason, or plug-in, on two lines: one instance, equal to the pure path's.
    assert first.reasons[0] is again.reasons[0]
    assert first.plugins[0] is again.plugins[0]
    assert first.tasks == again.tasks
    assert first.tasks[0] is not again.tasks[0]


def test_a_shared_model_keeps_few_and_short_instances() -> None:
    def structure(record: Any) -> Any:
        built = _read_fast.structure(Decision, record, ser._converter(None))
        assert built is not _read_fast.UNSURE
        return built

    kept = _read_gen._kept[m.Reason]
    record = json.loads(DECISIONS[-1])
    long_text = "x" * (_read_gen.SHARED_CHARS + 1)
    record["reasons"] = [{"rule": "r", "source": "s", "text": long_text}]
    built = structure(record)
    assert built.reasons[0] == m.Reason("r", "s", long_text)
    assert ("r", "s", long_text) not in kept
    record["reasons"] = [{"rule": "r", "source": "s", "text": str(n)} for n in range(999)]
    for _ in range(3):  # 2,997 reasons: never more than SHARED_KEPT kept
        structure(record)
        assert 0 < len(kept) <= _read_gen.SHARED_KEPT
        record["reasons"] = [dict(r, rule="q" + r["rule"]) for r in record["reasons"]]
