"""The fast ``to_json`` against the pure path, and the compact form, at length.

Seeded and bounded (``_scale.py``): decisions a policy makes for a synthetic year
(``_scale.scaled(120)`` cases; 2,400 in ``nox -s fuzz``), and decisions of the kit's
strategies with hostile text in every string a decision writes, are written by the fast
writer and by the pure path (``json.dumps(to_dict(obj), ensure_ascii=False,
separators=(",", ":"))``): the bytes must be the same, or the fast writer must hand the
record back. Each batch is then written in the compact form and read back: the full
form, byte for byte.
"""

from __future__ import annotations

import json

import attrs
import orjson
import pytest
from _scale import fuzz_settings, scaled
from hypothesis import event, given
from hypothesis import strategies as st

from dapolicy import _json_writer, _speedups, default_policy, to_dict, to_json
from dapolicy.batch import decision_time
from dapolicy.compact import compact_lines, full_lines
from dapolicy.history import InMemoryHistory, record
from dapolicy.models import Decision, Reason, Task
from dapolicy.synth import STAFFORDSHIRE_2013, synthesize
from dapolicy.testing import strategies as ds


@pytest.fixture(autouse=True)
def fast_on(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_speedups, "FAST", True)
    monkeypatch.setattr(_speedups, "orjson", orjson)
    monkeypatch.setattr(_json_writer, "_orjson", orjson)


def _pure(obj: object) -> str:
    return json.dumps(to_dict(obj), ensure_ascii=False, separators=(",", ":"))


def test_a_synthetic_year_is_written_byte_for_byte() -> None:
    policy, history = default_policy(), InMemoryHistory()
    full = []
    for case in sorted(synthesize(scaled(120), 2013, STAFFORDSHIRE_2013), key=decision_time):
        now = decision_time(case)
        decision = policy.assess(case.incident, case.form, history=history, now=now)
        record(history, case.incident, decision)
        text = to_json(decision)
        assert _json_writer.dumps(decision) == text == _pure(decision)
        full.append(text)
    assert list(full_lines(compact_lines(full))) == full


_HOSTILE = st.one_of(
    st.text(st.characters(codec="utf-8"), min_size=1),
    st.sampled_from(
        ['"', "\\", '\\"', '"source":1', '","plugins":[', "\u2028", "\x7f", "é", "\ud800"]
    ),
).filter(lambda text: text.strip() != "")


@st.composite
def _hostile_decisions(draw: st.DrawFn) -> Decision:
    decision = draw(ds.decisions())

    def reasons() -> list[Reason]:
        count = draw(st.integers(1, 3))
        return [Reason(draw(_HOSTILE), draw(_HOSTILE), draw(_HOSTILE)) for _ in range(count)]

    tasks = [attrs.evolve(task, what=draw(_HOSTILE), reasons=reasons()) for task in decision.tasks]
    return attrs.evolve(
        decision,
        incident_id=draw(_HOSTILE),
        reasons=reasons(),
        tasks=tasks,
        policy_fingerprint=draw(_HOSTILE),
        policy_version=draw(st.sampled_from(["", "base", "v2026"])),
    )


@fuzz_settings(15)
@given(st.lists(_hostile_decisions(), min_size=1, max_size=3), st.integers(0, 2**70))
def test_hostile_decisions_are_written_byte_for_byte(
    decisions: list[Decision], score: int
) -> None:
    if decisions[0].findings:  # a score of any size: past 64 bits, orjson refuses it
        finding = attrs.evolve(decisions[0].findings[0], score=score)
        decisions[0] = attrs.evolve(decisions[0], findings=[finding])
    full = []
    for decision in decisions:
        fast = _json_writer.dumps(decision)
        event("handed to the pure path" if fast is None else "written fast")
        assert fast in (None, _pure(decision))
        full.append(to_json(decision))
        assert full[-1] == _pure(decision)
    assert list(full_lines(compact_lines(full))) == full


@fuzz_settings(30)
@given(ds.tasks())
def test_any_task_is_written_byte_for_byte(task: Task) -> None:
    assert _json_writer.dumps(task) in (None, _pure(task))
    assert to_json(task) == _pure(task)
