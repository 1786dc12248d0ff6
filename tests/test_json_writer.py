"""The fast ``to_json`` writes exactly the pure path's bytes, or hands the record back.

The contract is ``json.dumps(to_dict(obj), ensure_ascii=False, separators=(",", ":"))``.
Every test here compares the fast writer (``_json_writer.dumps``) with that text, byte
for byte, and checks that a value the fast writer cannot promise to spell the same way
makes it give ``None`` (so ``to_json`` takes the pure path for that record).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dapolicy import _json_writer, _speedups, _unstructure
from dapolicy.batch import decision_time
from dapolicy.history import InMemoryHistory, record
from dapolicy.models import (
    Case,
    Decision,
    DomesticAbuseVerdict,
    Finding,
    PluginInfo,
    Reason,
    RiskGrade,
    Task,
)
from dapolicy.models.risk import reason
from dapolicy.policy import default_policy
from dapolicy.serialization import _to_json_bytes, make_converter, to_dict, to_json
from dapolicy.synth import synthesize
from dapolicy.testing import strategies as ds

pytestmark = pytest.mark.skipif(not _speedups.FAST, reason="the fast path is switched off")


def pure(obj: object) -> str:
    return json.dumps(to_dict(obj), ensure_ascii=False, separators=(",", ":"))


def fast(obj: object) -> str | None:
    return _json_writer.dumps(obj)


def _decision(**changes: object) -> Decision:
    fields: dict[str, object] = {
        "incident_id": "INC-1",
        "victim_id": "V-1",
        "grade": RiskGrade.MEDIUM,
        "decided_at": datetime(2024, 3, 31, 0, 30, tzinfo=UTC),
        "domestic_abuse": DomesticAbuseVerdict.DOMESTIC_ABUSE,
        "reasons": [reason("grade.test", "a test source", "a test reason")],
        "findings": [Finding("dash", RiskGrade.MEDIUM, [Reason("dash.x", "DASH", "ten")], 10)],
        "tasks": [
            Task(
                "welfare-check",
                "C-1",
                datetime(2024, 3, 31, 2, 30, tzinfo=timezone(timedelta(hours=1))),
                [reason("task.test", "a test source", "check")],
                "attending officer",
            )
        ],
        "policy_fingerprint": "abc123",
        "plugins": (PluginInfo("dash", "builtin"), PluginInfo("marac", "1.2.3")),
        "policy_version": "base",
    }
    fields.update(changes)
    return Decision(**fields)  # type: ignore[arg-type]


def _policy_decisions(count: int) -> Iterator[Decision]:
    policy = default_policy()
    history = InMemoryHistory()
    cases = sorted(synthesize(count, 7), key=decision_time)
    for case in cases:
        now = decision_time(case)
        decision = policy.assess(case.incident, case.form, history=history, now=now)
        record(history, case.incident, decision)
        yield decision


def test_decisions_a_policy_makes_are_written_by_the_fast_writer_byte_for_byte() -> None:
    decisions = list(_policy_decisions(60))
    for decision in decisions:
        assert fast(decision) == pure(decision)
    # and to_json takes it (this fails on the old code, which has no fast writer)
    assert all(to_json(d) == fast(d) for d in decisions)


@settings(max_examples=25)  # drawing a decision is slow; the policy's are tested above
@given(ds.decisions())
def test_any_decision_of_the_kit_fast_equals_pure(decision: Decision) -> None:
    assert fast(decision) == pure(decision)
    assert to_json(decision) == pure(decision)
    assert _to_json_bytes(decision) == pure(decision).encode()


def test_the_bytes_path_is_to_json_encoded_on_both_paths(monkeypatch: pytest.MonkeyPatch) -> None:
    """``_to_json_bytes`` (the batch's) is ``to_json(x).encode()``, fast or pure."""
    decisions = list(_policy_decisions(20))
    written = [_to_json_bytes(d) for d in decisions]
    assert written == [pure(d).encode() for d in decisions]
    assert all(_json_writer.dumps_bytes(d) == w for d, w in zip(decisions, written, strict=True))
    odd = _decision(incident_id="INC-\u00e9-\u4e2d-\U0001f600", policy_fingerprint=1e16)
    assert _json_writer.dumps_bytes(odd) is None  # a float: the pure path writes it
    assert _to_json_bytes(odd) == pure(odd).encode()
    monkeypatch.setattr(_speedups, "FAST", False)
    assert [_to_json_bytes(d) for d in decisions] == written
    converter = make_converter()
    assert _to_json_bytes(decisions[0], converter=converter) == written[0]


def test_the_bytes_path_encodes_a_lone_surrogate_as_encode_does() -> None:
    """The fast writer hands it back; the pure path's ``errors`` is ``str.encode``'s."""
    decision = _decision(reasons=[Reason("r", "s", "a \ud800 b")])
    assert _json_writer.dumps_bytes(decision) is None
    with pytest.raises(UnicodeEncodeError):
        _to_json_bytes(decision)
    passed = _to_json_bytes(decision, errors="surrogatepass")
    assert passed == to_json(decision).encode(errors="surrogatepass")


@settings(max_examples=25)
@given(ds.cases())
def test_any_case_of_the_kit_fast_equals_pure(case: Case) -> None:
    assert fast(case) == pure(case)


@given(
    st.one_of(
        ds.incidents(), ds.events(), ds.event_outcomes(), ds.triage_decisions(), ds.risk_forms()
    )
)
def test_other_models_fast_equals_pure(obj: object) -> None:
    assert fast(obj) in (None, pure(obj))
    assert to_json(obj) == pure(obj)


_TEXT = st.text(st.characters(codec="utf-8"), min_size=1).filter(lambda t: t.strip() != "")


@given(_TEXT, _TEXT, _TEXT)
def test_any_text_is_escaped_as_the_stdlib_escapes_it(rule: str, source: str, text: str) -> None:
    decision = _decision(
        incident_id=text, reasons=[Reason(rule, source, text)], policy_fingerprint=source
    )
    assert fast(decision) == pure(decision)


@given(st.integers(min_value=0))
def test_scores_of_any_size(score: int) -> None:
    """orjson refuses integers past 64 bits: those records take the pure path."""
    finding = Finding("dash", RiskGrade.HIGH, [Reason("r", "s", "t")], score)
    decision = _decision(findings=[finding])
    assert to_json(decision) == pure(decision)
    if score >= 2**64:
        assert fast(decision) is None


def test_a_lone_surrogate_is_handed_to_the_pure_path() -> None:
    decision = _decision(reasons=[Reason("r", "s", "a \ud800 b")])
    assert fast(decision) is None
    assert to_json(decision) == pure(decision)


@pytest.mark.parametrize(
    "offset",
    [timedelta(seconds=30), timedelta(hours=1, microseconds=5), -timedelta(minutes=1, seconds=1)],
)
def test_an_offset_that_is_not_whole_minutes_is_written_by_isoformat(offset: timedelta) -> None:
    """orjson rounds such an offset (``+00:01`` for 30 s); isoformat keeps the seconds."""
    moment = datetime(2024, 6, 1, 12, 0, tzinfo=timezone(offset))
    decision = _decision(decided_at=moment)
    assert fast(decision) == pure(decision)
    assert f'"decided_at":"{moment.isoformat()}"' in (fast(decision) or "")


def _to_json_is_the_pure_path(decision: Decision) -> None:
    """``to_json`` gives what the pure path gives, or raises what it raises."""
    try:
        expected: str | type[Exception] = pure(decision)
    except Exception as exc:
        expected = type(exc)
    if isinstance(expected, str):
        assert to_json(decision) == expected
    else:
        with pytest.raises(expected):
            to_json(decision)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("policy_fingerprint", 1e16),  # orjson writes 1e16, the stdlib 1e+16
        ("policy_fingerprint", float("nan")),  # orjson writes null, the stdlib NaN
        ("incident_id", type("Str", (str,), {})("INC-1")),
        ("repeat_victim", 1),
        ("grade", "medium"),
        ("decided_at", "2024-01-01T00:00:00+00:00"),
        ("reasons", [Reason("r", "s", "t")]),
    ],
)
def test_a_value_of_an_unexpected_type_takes_the_pure_path(field: str, value: object) -> None:
    decision = _decision()
    object.__setattr__(decision, field, value)
    assert fast(decision) is None
    _to_json_is_the_pure_path(decision)


def test_a_subclass_of_a_model_takes_the_pure_path() -> None:
    @attrs.frozen
    class Noted(Reason):
        note: str = "x"

    finding = Finding("dash", RiskGrade.HIGH, [Noted("r.new", "s", "t")])
    decision = _decision(findings=[finding])
    assert fast(decision) is None
    assert to_json(decision) == pure(decision)
    # a class of its own gets a writer of its own
    assert fast(Noted("r", "s", "t")) == pure(Noted("r", "s", "t"))


@pytest.mark.parametrize("alone", [True, False])  # a tuple of one reason is kept whole
def test_a_reason_changed_in_place_is_not_written_from_the_cache(alone: bool) -> None:
    shared = Reason("cache.test", "source", "before")
    others = [] if alone else [Reason("cache.other", "source", "other")]
    assert '"before"' in (fast(_decision(reasons=[shared, *others])) or "")
    object.__setattr__(shared, "text", "after")
    decision = _decision(reasons=[shared, *others])
    assert fast(decision) == pure(decision)
    assert '"after"' in pure(decision)


def test_the_reason_caches_are_bounded() -> None:
    for number in range(_json_writer.REASONS_KEPT + 10):
        one = Reason(f"r.{number}", "s", "t")
        decision = _decision(reasons=[one], prompts=[one, Reason("r", "s", "t")])
        assert fast(decision) == pure(decision)
        assert len(_json_writer._reasons) <= _json_writer.REASONS_KEPT
        assert len(_json_writer._alone) <= _json_writer.REASONS_KEPT
    long = Reason("r.long", "s", "x" * _json_writer.REASON_BYTES_KEPT)
    decision = _decision(reasons=[long], prompts=[long, long])
    assert fast(decision) == pure(decision)
    assert ("r.long", "s", long.text) not in _json_writer._reasons
    assert ("r.long", "s", long.text) not in _json_writer._alone


def test_a_tuple_of_one_reason_is_kept_as_its_array() -> None:
    """Written whole from the second cache: the same bytes as a list of the one reason."""
    one = Reason("alone.test", "source", 't\u00e9xt "quoted"')
    decision = _decision(reasons=[one], tasks=[], findings=[])
    assert fast(decision) == pure(decision)
    kept = _json_writer._alone[("alone.test", "source", one.text)]
    assert _json_writer._orjson.dumps(kept) == _json_writer._orjson.dumps([to_dict(one)])


def _task(reasons: list[Reason], assignee: str | None) -> Task:
    moment = datetime(2024, 3, 31, 2, 30, tzinfo=timezone(timedelta(hours=1)))
    return Task("welfare-check", "C-1", moment, reasons, assignee)


@settings(max_examples=40)
@given(
    st.lists(st.tuples(_TEXT, _TEXT, _TEXT), min_size=1, max_size=3),
    st.one_of(st.none(), _TEXT, st.sampled_from(["attending officer", "control room"])),
)
def test_a_tasks_reasons_and_assignee_kept_together_are_the_pure_bytes(
    strings: list[tuple[str, str, str]], assignee: str | None
) -> None:
    """A task's one reason and its assignee are one kept fragment: any of them, any text."""
    reasons = [Reason(*three) for three in strings]
    decision = _decision(tasks=[_task(reasons, assignee), _task(reasons[:1], assignee)])
    assert fast(decision) == pure(decision)
    assert to_json(decision) == pure(decision)


def test_the_kept_reason_and_assignee_are_keyed_by_both() -> None:
    one = Reason("tail.test", "source", "check")
    tasks = [_task([one], "control room"), _task([one], None), _task([one], "officer")]
    decision = _decision(tasks=tasks)
    assert fast(decision) == pure(decision)
    assert '"reasons":[{"rule":"tail.test","source":"source","text":"check"}],"assignee":null' in (
        fast(decision) or ""
    )
    object.__setattr__(one, "text", "changed")  # changed in place: not the kept text
    assert fast(decision) == pure(decision)
    assert '"changed"' in pure(decision)
    kept, _ = _json_writer._tails["assignee"]
    assert ("tail.test", "source", "check", None) in kept


@pytest.mark.parametrize("assignee", [type("Str", (str,), {})("x"), 1, "a \ud800 b"])
def test_an_odd_assignee_beside_one_reason_takes_the_pure_path(assignee: object) -> None:
    task = _task([Reason("r", "s", "t")], "x")
    object.__setattr__(task, "assignee", assignee)
    decision = _decision(tasks=[task])
    assert fast(decision) is None
    _to_json_is_the_pure_path(decision)


def test_the_kept_reasons_and_assignees_are_bounded() -> None:
    kept, _ = _json_writer._tails["assignee"]
    one = Reason("r", "s", "t")
    for number in range(_json_writer.REASONS_KEPT + 10):
        decision = _decision(tasks=[_task([one], f"officer {number}")])
        assert fast(decision) == pure(decision)
        assert len(kept) <= _json_writer.REASONS_KEPT
    long = _task([one], "x" * _json_writer.REASON_BYTES_KEPT)
    assert fast(_decision(tasks=[long])) == pure(_decision(tasks=[long]))
    assert ("r", "s", "t", long.assignee) not in kept


def test_a_new_plugin_list_is_written_not_the_kept_one() -> None:
    one = _decision(plugins=(PluginInfo("dash", "1.0.0"),))
    two = _decision(plugins=(PluginInfo("dash", "2.0.0"),))
    assert (fast(one), fast(two)) == (pure(one), pure(two))
    assert fast(one) != fast(two)


@attrs.frozen
class _Node:
    name: str
    children: tuple[_Node, ...] = ()


@attrs.frozen
class _Outer:
    inner: _Inner | None = None


@attrs.frozen
class _Inner:
    outer: tuple[_Outer, ...] = ()


def _nested_class(depth: int) -> type:
    """A class holding a tuple of a class holding a tuple of ... ``depth`` levels deep."""
    made: type = attrs.frozen(type("Leaf", (), {"__annotations__": {"name": "str"}}))
    for level in range(depth):
        annotations = {"name": "str", "items": tuple[made, ...], "one": made | None}  # type: ignore[valid-type]
        made = attrs.frozen(type(f"Level{level}", (), {"__annotations__": annotations}))
    return made


def _nested_value(cls: type, depth: int) -> object:
    if depth == 0:
        return cls(name="leaf \u00e9")
    inner = attrs.fields(cls).items.type.__args__[0]
    child = _nested_value(inner, depth - 1)
    return cls(name=f"level {depth}", items=(child,), one=child if depth % 8 == 1 else None)


def test_a_class_inside_itself_has_no_writer() -> None:
    """Nested models are written inline: one met again inside itself would never end."""
    tree = _Node("root", (_Node("leaf"),))
    assert fast(tree) is None
    assert to_json(tree) == pure(tree)
    both = _Outer(_Inner((_Outer(),)))
    assert fast(both) is None
    assert to_json(both) == pure(both)


@pytest.mark.parametrize("depth", [1, _json_writer.INLINED_DEPTH + 1, 21])
def test_models_nested_deeply_are_written_as_the_pure_path_writes_them(depth: int) -> None:
    """Past the inlined depth a nested model has its own writer (Python allows 20 loops)."""
    cls = _nested_class(depth)
    value = _nested_value(cls, depth)
    assert fast(value) == pure(value)
    assert to_json(value) == pure(value)


def test_a_nested_model_of_another_class_takes_the_pure_path() -> None:
    """Inline, a task is checked as its own writer checks it: a subclass is not a Task."""

    @attrs.frozen
    class Chore(Task):
        note: str = "x"

    moment = datetime(2024, 3, 31, 2, 30, tzinfo=UTC)
    decision = _decision(tasks=[Chore("t", "V-1", moment, [reason("r", "s", "t")], None)])
    assert fast(decision) is None
    assert to_json(decision) == pure(decision)


def test_objects_without_a_writer_take_the_pure_path() -> None:
    assert fast({"a": 1.5}) is None
    assert fast([1, 2]) is None
    assert to_json({"a": 1e16}) == '{"a":1e+16}'

    @attrs.frozen
    class Measured:
        value: float

    assert fast(Measured(1e16)) is None
    assert to_json(Measured(1e16)) == '{"value":1e+16}'


def test_a_given_converter_is_always_the_pure_path() -> None:
    converter = make_converter()
    converter.register_unstructure_hook(datetime, lambda moment: "WHEN")
    decision = _decision()
    assert '"decided_at":"WHEN"' in to_json(decision, converter=converter)
    assert '"decided_at":"WHEN"' not in to_json(decision)


def test_the_switch_off_takes_the_pure_path(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_speedups, "FAST", False)
    called: list[object] = []
    monkeypatch.setattr(_json_writer, "dumps", lambda obj: called.append(obj))
    decision = _decision()
    assert _unstructure.to_json(decision, make_converter(), default=True) == pure(decision)
    assert called == []
