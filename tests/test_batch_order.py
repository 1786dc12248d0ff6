"""A batch does not depend on its order: the same decisions however its lines are shuffled."""

from __future__ import annotations

import io
import json
import random
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dapolicy import InMemoryHistory, _batch_index, batch, default_policy, to_json
from dapolicy.synth import synthesize

POLICY = default_policy()
CASES = [to_json(case) for case in synthesize(300, 17)]
LINES = [*CASES[:150], "{not json", *CASES[150:], ""]


def _decisions(lines: list[str], tmp: Path, **kwargs: Any) -> dict[str, str | None]:
    """Each line's outcome by its content: the decision, or the reject's errors."""
    path = tmp / "in.jsonl"
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    outcome: dict[str, str | None] = {}
    for line, result in zip(lines, batch.assess_file(path, POLICY, **kwargs), strict=True):
        if result.reject is not None:
            outcome[line] = json.dumps(json.loads(result.reject)["errors"])
        else:
            outcome[line] = result.decision
    return outcome


def test_the_input_order_would_matter_without_the_sort(tmp_path: Path) -> None:
    """The test below can fail: deciding in input order changes decisions."""
    policy, forward, backward = POLICY, InMemoryHistory(), InMemoryHistory()
    ahead = [batch.assess_line(policy, forward, n, c.encode()) for n, c in enumerate(CASES)]
    behind = [
        batch.assess_line(policy, backward, n, c.encode()) for n, c in enumerate(CASES[::-1])
    ]
    assert [r.decision for r in ahead] != [r.decision for r in behind][::-1]


@settings(max_examples=8, derandomize=True, database=None)
@given(st.randoms(use_true_random=False))
def test_shuffled_input_gives_the_same_decisions(
    tmp_path_factory: Any, shuffler: random.Random
) -> None:
    tmp = tmp_path_factory.mktemp("order")
    expected = _decisions(LINES, tmp)
    shuffled = list(LINES)
    shuffler.shuffle(shuffled)
    assert _decisions(shuffled, tmp) == expected
    assert sum(v is not None and '"repeat_victim":true' in v for v in expected.values()) > 10


def test_shuffled_input_gives_the_same_decisions_on_workers(tmp_path: Path) -> None:
    expected = _decisions(LINES, tmp_path)
    shuffled = list(LINES)
    random.Random(4).shuffle(shuffled)
    assert _decisions(shuffled, tmp_path, jobs=3) == expected


def test_the_results_come_back_in_input_order(tmp_path: Path) -> None:
    path = tmp_path / "in.jsonl"
    path.write_text("".join(line + "\n" for line in reversed(LINES)), encoding="utf-8")
    results = list(batch.assess_file(path, POLICY))
    assert [r.number for r in results] == list(range(1, len(LINES) + 1))
    for line, result in zip(reversed(LINES), results, strict=True):
        if result.decision is not None:
            assert json.loads(result.decision)["incident_id"] == json.loads(line)["incident"]["id"]


def test_a_stream_is_spooled_and_decided_like_its_file(tmp_path: Path) -> None:
    data = "".join(line + "\n" for line in LINES).encode()
    path = tmp_path / "in.jsonl"
    path.write_bytes(data)
    expected = list(batch.assess_file(path, POLICY))
    with path.open("rb") as given:
        reader = subprocess.Popen(
            [sys.executable, "-c", "import sys; sys.stdout.buffer.write(sys.stdin.buffer.read())"],
            stdin=given,
            stdout=subprocess.PIPE,
        )
    assert reader.stdout is not None
    with reader, batch.spool(reader.stdout) as seekable:  # a pipe
        assert list(batch.assess_file(seekable, POLICY)) == expected
    with batch.spool(io.BytesIO(data)) as copied:  # not a file at all
        assert list(batch.assess_file(copied, POLICY)) == expected
    with path.open("rb") as handle, batch.spool(handle) as same:
        assert same is handle


def test_lines_not_read_are_rejected_in_their_place(tmp_path: Path) -> None:
    path = tmp_path / "in.jsonl"
    path.write_text("".join(line + "\n" for line in CASES[:5]), encoding="utf-8")

    def lines(handle: Any) -> Any:
        for number, raw in enumerate(handle, start=1):
            yield number, None if number == 3 else raw

    with path.open("rb") as handle:
        results = list(
            batch.assess_file(handle, POLICY, lines=lines(handle), unread=lambda n: f"{n}!")
        )
    assert [r.reject for r in results] == [None, None, "3!", None, None]


def test_parallel_lines_may_skip_numbers() -> None:
    given = [(n * 2 + 1, (line + "\n").encode()) for n, line in enumerate(LINES[140:160])]
    got = list(batch.assess_parallel(given, POLICY.settings, 2))
    assert [r.number for r in got] == [n for n, _ in given]
    (reject,) = [r for r in got if r.reject is not None]
    assert json.loads(reject.reject or "")["line"] == reject.number == 21


def test_a_large_batch_keeps_its_history_on_disk_with_the_same_decisions(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    expected = _decisions(LINES, tmp_path)
    made: list[object] = []
    real = _batch_index.own_history

    def watched(lines: int, directory: str | None = None) -> Any:
        made.append(lines > _batch_index.IN_MEMORY_LINES)
        return real(lines, directory)

    monkeypatch.setattr(_batch_index, "IN_MEMORY_LINES", 50)
    monkeypatch.setattr(batch, "own_history", watched)
    assert _decisions(LINES, tmp_path, temp_dir=str(tmp_path)) == expected
    assert made == [True]
    assert _decisions(LINES, tmp_path, jobs=2) == expected  # each worker's on disk too
    assert list(tmp_path.iterdir()) == [tmp_path / "in.jsonl"]  # and removed


def test_explain_gives_the_decision_assess_gives_a_line_of_a_shuffled_file(
    tmp_path: Path,
) -> None:
    sys.path.insert(0, str(Path(__file__).with_name("fuzz")))
    from _command import run_dapolicy

    shuffled = list(CASES)
    random.Random(9).shuffle(shuffled)
    (tmp_path / "in.jsonl").write_text("".join(f"{c}\n" for c in shuffled), encoding="utf-8")
    assert run_dapolicy("assess", "in.jsonl", "-o", "out.jsonl", cwd=tmp_path).returncode == 0
    decided = (tmp_path / "out.jsonl").read_text(encoding="utf-8").splitlines()
    repeat = [n for n, d in enumerate(decided, 1) if '"repeat_victim":true' in d]
    for line in (repeat[0], repeat[-1]):
        explained = run_dapolicy("explain", "in.jsonl", "--line", line, "--json", cwd=tmp_path)
        assert explained.returncode == 0, explained.stderr
        assert json.loads(explained.stdout)["decision"] == json.loads(decided[line - 1])


def _tied(line: str, officer: str) -> str:
    """``line`` with another attending officer: the same incident at the same time."""
    data = json.loads(line)
    data["incident"]["attending_officer"] = officer
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


@settings(max_examples=25, deadline=None, derandomize=True, database=None)
@given(st.randoms(use_true_random=False))
def test_the_index_orders_ties_as_the_order_key_does(rng: random.Random) -> None:
    picked = rng.sample(CASES, 6)
    ties = [_tied(line, officer) for line in picked[:3] for officer in ("PC 1", "PC 2", "PC 3")]
    lines = [*picked, *ties, *picked[:2], *rng.sample(CASES, 20), "{not json"]
    rng.shuffle(lines)
    raws = [(line + "\n").encode() for line in lines]
    with tempfile.TemporaryFile() as source:
        source.write(b"".join(raws))
        source.seek(0)
        index = _batch_index.Index(None, source.fileno())
        index.build(enumerate(source, start=1), source.tell, batch.parse_line, lambda *_: None)
    valid = [n for n, raw in enumerate(raws, start=1) if batch.order_key(n, raw) != n]
    assert list(index.order) == sorted(valid, key=lambda n: batch.order_key(n, raws[n - 1]))
