"""A result says what a summary counts of its decision, and the spill gives it back whole."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dapolicy import InMemoryHistory, _speedups, batch, default_policy, to_json
from dapolicy._batch_spill import LineResult, Records, Spill, append_to, pack, spill_record
from dapolicy.hookspecs import hookimpl
from dapolicy.synth import synthesize


class _Breaks:
    """A plug-in that fails on every third incident."""

    @hookimpl
    def dapolicy_referrals(self, incident: Any) -> list[Any]:
        if int(incident.id[-1]) % 3 == 0:
            raise KeyError("boom")
        return []


def test_a_result_counts_as_its_decision_says() -> None:
    policy, history = default_policy().with_plugins(_Breaks()), InMemoryHistory()
    seen = {"ungraded": 0, "failed": 0, "rules": 0}
    for number, case in enumerate(synthesize(24, 8), start=1):
        result = batch.assess_line(policy, history, number, to_json(case).encode())
        assert result.decision is not None
        data = json.loads(result.decision)
        assert result.grade == data["grade"]
        assert result.needs_review is data["needs_review"]
        assert result.destinations == tuple(r["destination"] for r in data["referrals"])
        assert result.ungraded is (data["grade"] == "standard" and not data["findings"])
        assert result.review_rules == tuple(sorted({r["rule"] for r in data["review_reasons"]}))
        assert result.plugin_failed is bool(data["failures"])
        seen["ungraded"] += result.ungraded
        seen["failed"] += result.plugin_failed
        seen["rules"] += bool(result.review_rules)
    assert all(seen.values()), seen


@pytest.mark.parametrize("pure", [False, True])
def test_a_worker_writes_the_record_assess_line_would_have_spilled(
    monkeypatch: pytest.MonkeyPatch, pure: bool
) -> None:
    from dapolicy._batch_line import spill_line

    if pure:
        monkeypatch.setattr(_speedups, "FAST", False)
    policy = default_policy().with_plugins(_Breaks())
    texts, records = InMemoryHistory(), InMemoryHistory()
    lines = [to_json(case).encode() for case in synthesize(24, 9)]
    odd = lines[3].replace(b'"id":"', b'"id":"\\u00e9\\u2028', 1)  # escaped non-ASCII
    lines += [odd, b'{"incident": 1}\n', b"\xff\n", lines[5]]  # rejects, a repeat
    for number, raw in enumerate(lines, start=1):
        written = spill_line(policy, records, number, raw, batch.parse_line)
        assert written == spill_record(batch.assess_line(policy, texts, number, raw))
    early, late = datetime(2000, 1, 1, tzinfo=UTC), datetime(2100, 1, 1, tzinfo=UTC)
    held = 0
    for case in synthesize(24, 9):  # both histories hold the same
        victim = case.incident.victim.id
        found = records.incidents(victim, since=early, until=late, known_at=late)
        assert found == texts.incidents(victim, since=early, until=late, known_at=late)
        held += len(found)
    assert held >= 24


_TEXT = st.text(max_size=8)  # lone surrogates, tabs and newlines included
_RESULTS = st.one_of(
    st.builds(
        LineResult,
        st.integers(1, 40),
        _TEXT.map(json.dumps),
        st.none(),
        st.sampled_from(["standard", "medium", "high"]),
        st.booleans(),
        st.lists(_TEXT, max_size=3).map(tuple),
        st.booleans(),
        st.lists(_TEXT, max_size=3).map(tuple),
        st.booleans(),
    ),
    _TEXT.map(lambda text: LineResult(1, None, json.dumps(text))),
)


@settings(max_examples=40, deadline=None, derandomize=True, database=None)
@given(st.lists(_RESULTS, min_size=1, max_size=12), st.booleans())
def test_the_spill_gives_back_every_result_as_written(
    results: list[LineResult], pure: bool
) -> None:
    results = [r._replace(number=n) for n, r in enumerate(results, start=1)]
    half = len(results) // 2
    with pytest.MonkeyPatch.context() as patch:
        if pure:  # the stdlib's twin of the orjson path
            patch.setattr(_speedups, "orjson", None)
        spill = Spill()
        try:
            for result in results[half:]:  # one by one, as a single process does
                spill.write(result)
            # Ready: only as far as every line before has its result (line 1 first).
            assert list(spill.ready(len(results))) == ([] if half else results)
            assert not spill.has(1) if half else spill.has(len(results))
            # As a worker does: appended to its part's file (after what a worker
            # before it left there, never reported), and only where it is noted.
            target = spill.part_target(1)
            append_to(target, b"left by a worker that died")
            block = list(reversed(results[:half]))
            sizes, blob = pack(map(spill_record, block))
            start = append_to(target, blob)
            spill.add(Records([r.number for r in block], sizes, 2, start))
            assert list(spill.results(len(results))) == results
            assert list(spill.ready(len(results), half + 1)) == results[half:]
            assert not spill.has(len(results) + 1)
        finally:
            spill.close()


def test_a_record_is_one_line_whose_first_tab_ends_its_meta() -> None:
    rules = ("a\tb", "\ud800", "\n")
    record = spill_record(LineResult(1, '{"x":"\\t"}', None, "high", True, (), False, rules))
    meta, payload = record.split(b"\t", 1)
    assert record.count(b"\n") == 1
    assert record.endswith(b"\n")
    assert payload == b'{"x":"\\t"}\n'
    assert json.loads(meta)[4] == list(rules)


def test_the_spill_gives_its_disk_back_as_its_results_are_read(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from dapolicy import _batch_spill

    monkeypatch.setattr(_batch_spill, "SEGMENT", 8192)
    results = [LineResult(n, json.dumps("x" * 600), None, "standard") for n in range(1, 401)]
    spill, given, back, peak = Spill(), 1, [], 0
    try:
        target = spill.part_target(0)
        os.write(target, bytes(8192))
        if not _batch_spill.punch_hole(target, 0, 8192):
            pytest.skip("this system or file system cannot punch holes")
        for start in range(0, len(results), 20):  # a worker's blocks, out of line order
            block = results[start : start + 20][::-1]
            sizes, blob = pack(map(spill_record, block))
            spill.add(Records([r.number for r in block], sizes, 1, append_to(target, blob)))
            for result in spill.ready(len(results), given):
                back.append(result)
                given += 1
            peak = max(peak, spill.disk_bytes())
        assert back == results
        written = os.fstat(target).st_size
        assert written > 250_000
        # What is held is what is not read back yet: a segment or two, not the whole.
        assert peak <= 4 * 8192 + 20 * 700
        assert spill.disk_bytes() <= 2 * 8192
    finally:
        spill.close()


def test_a_spill_read_out_of_its_written_order_keeps_what_is_not_read(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from dapolicy import _batch_spill

    monkeypatch.setattr(_batch_spill, "SEGMENT", 4096)
    # Written last line first: nothing can be read until line 1 is there, at the end,
    # so nothing is given back early; every result still comes back whole.
    results = [LineResult(n, json.dumps(str(n) * 300), None, "high") for n in range(1, 61)]
    spill = Spill()
    try:
        target = spill.part_target(0)
        for result in reversed(results):
            sizes, blob = pack([spill_record(result)])
            spill.add(Records([result.number], sizes, 1, append_to(target, blob)))
            assert list(spill.ready(len(results))) == ([] if result.number > 1 else results)
    finally:
        spill.close()


def test_one_job_gives_a_result_that_is_next_back_without_spilling_it(
    tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    lines = [to_json(case).encode() for case in synthesize(12, 12)]
    policy = default_policy()
    in_order = sorted(lines, key=lambda raw: batch.order_key(0, raw))
    spilled: list[int] = []
    real = Spill.write

    def write(self: Spill, result: LineResult) -> None:
        spilled.append(result.number)
        real(self, result)

    monkeypatch.setattr(Spill, "write", write)
    decided = {}
    for name, ordered in (("ordered", in_order), ("shuffled", in_order[::-1])):
        path = tmp_path / f"{name}.jsonl"
        path.write_bytes(b"\n".join(ordered) + b"\n")
        spilled.clear()
        results = list(batch.assess_file(path, policy))
        assert [r.number for r in results] == list(range(1, 13))
        decided[name] = sorted(r.decision or "" for r in results)
        # In decision order already, each result is the next to write: none is spilled.
        assert len(spilled) == (0 if name == "ordered" else 11)
    assert decided["ordered"] == decided["shuffled"]
