"""The batch pipeline: parallel runs equal the single-process run, and survive faults."""

from __future__ import annotations

import contextlib
import json
import multiprocessing
import os
import signal
import time
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from dapolicy import (
    InMemoryHistory,
    Policy,
    Settings,
    _batch_workers,
    batch,
    calendar,
    default_policy,
    to_json,
)
from dapolicy._batch_index import Index
from dapolicy.hookspecs import hookimpl
from dapolicy.models._base import micros
from dapolicy.settings import PluginSettings
from dapolicy.synth import synthesize


def _lines(n: int) -> list[tuple[int, bytes]]:
    lines = [(to_json(case) + "\n").encode() for case in synthesize(n, 11)]
    lines.insert(40, b"{not json\n")
    lines.insert(90, b'{"incident": {"victim": {"id": 7}}}\n')
    return list(enumerate(lines, start=1))


def _file(tmp_path: Path, lines: list[tuple[int, bytes]], name: str = "in.jsonl") -> Path:
    path = tmp_path / name
    path.write_bytes(b"".join(raw for _, raw in lines))
    return path


def _one_process(path: Path, policy: Policy | None = None) -> list[batch.LineResult]:
    return list(batch.assess_file(path, policy or default_policy()))


@pytest.mark.parametrize(("jobs", "chunk", "in_flight"), [(2, 7, 2), (3, 50, 1), (2, 1, 3)])
def test_parallel_results_equal_the_single_process_ones(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, jobs: int, chunk: int, in_flight: int
) -> None:
    monkeypatch.setattr(_batch_workers, "CHUNK", chunk)
    monkeypatch.setattr(_batch_workers, "IN_FLIGHT", in_flight)
    lines = _lines(150)
    policy, history = default_policy(), InMemoryHistory()
    expected = [batch.assess_line(policy, history, number, raw) for number, raw in lines]
    got = list(batch.assess_parallel(lines, Settings(), jobs))
    assert got == expected
    assert [r.number for r in got] == list(range(1, len(lines) + 1))
    assert sum(r.reject is not None for r in got) == 2
    path = _file(tmp_path, lines)
    in_time_order = list(batch.assess_file(path, policy, jobs=jobs))
    assert in_time_order == _one_process(path)
    assert [r.number for r in in_time_order] == list(range(1, len(lines) + 1))


def test_workers_results_are_given_back_while_the_workers_go_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_batch_workers, "CHUNK", 5)
    monkeypatch.setattr(_batch_workers, "IN_FLIGHT", 1)
    cases = sorted(synthesize(40, 12), key=lambda case: micros(batch.decision_time(case)))
    lines = [(n, (to_json(case) + "\n").encode()) for n, case in enumerate(cases, start=1)]
    path = _file(tmp_path, lines)
    done: list[int] = []
    results = batch.assess_file(path, default_policy(), jobs=2, progress=done.append)
    first = next(results)
    decided_then = len(done)
    assert [first, *results] == _one_process(path)
    assert first.number == 1
    assert decided_then < len(lines) == len(done)  # line 1 came back before the last


def test_a_worker_that_cannot_start_stops_the_run() -> None:
    settings = Settings(plugins=PluginSettings(risk_models=("no-such-model",)))
    with pytest.raises(
        batch.WorkerError, match=r"(?s)ValidationError: .*plugins\.risk_models\[0\]"
    ):
        list(batch.assess_parallel(_lines(5), settings, 2))


def test_a_worker_that_dies_while_starting_stops_the_run(tmp_path: Path) -> None:
    def dies() -> Policy:
        os._exit(3)

    path = _file(tmp_path, _lines(5))
    with pytest.raises(batch.WorkerError, match=r"before it started.*exit code 3"):
        list(batch.assess_file(path, default_policy(), jobs=2, make_policy=dies))


def test_jobs_are_refused_before_reading_where_processes_cannot_fork(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(multiprocessing, "get_all_start_methods", lambda: ["spawn"])
    path = _file(tmp_path, _lines(3))
    for results in (
        batch.assess_file(path, default_policy(), jobs=2),
        batch.assess_parallel(_lines(3), Settings(), 2),
    ):
        with pytest.raises(batch.WorkerError, match="need the fork start method"):
            next(iter(results))
    assert len(_one_process(path)) == 5  # one job needs no worker (3 cases, 2 bad lines)


def test_the_workers_inherit_what_the_parent_built_once_before_forking(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    built: list[int] = []
    read: list[bytes] = []
    real_holidays, real_parse = calendar.bank_holidays, batch.parse_line

    def holidays(year: int) -> frozenset[date]:
        built.append(year)  # in the parent's memory: a worker's calls are its own
        return real_holidays(year)

    def parse(number: int, raw: bytes) -> Any:
        read.append(raw)
        return real_parse(number, raw)

    monkeypatch.setattr(calendar, "bank_holidays", holidays)
    monkeypatch.setattr(batch, "parse_line", parse)
    lines = _lines(40)
    path = _file(tmp_path, lines)
    results = list(batch.assess_file(path, default_policy(), jobs=2))
    warmed, parsed_here = list(built), list(read)
    assert results == _one_process(path)
    parsed = [real_parse(n, raw) for n, raw in lines]
    years = {batch.decision_time(c).year for c in parsed if not isinstance(c, dict)}
    assert {y + step for y in years for step in (-1, 0, 1)} <= set(warmed)
    assert len(set(warmed)) == len(warmed)  # each year built once, in the parent
    index = Index(None, -1)  # only its order is wanted: nothing is read
    index.build(lines, iter(range(len(lines) + 1)).__next__, real_parse, lambda *_: None)
    first = [dict(lines)[number] for number in index.order[: _batch_workers.WARM_LINES]]
    assert set(first) <= set(parsed_here)  # the first lines to decide were read here


def test_the_warm_up_spans_the_decisions_years_within_a_bound() -> None:
    calendar.bank_holidays.cache_clear()
    spring, winter = datetime(2025, 3, 1, tzinfo=UTC), datetime(2026, 12, 31, tzinfo=UTC)
    _batch_workers.warm((micros(spring), micros(winter)))
    assert calendar.bank_holidays.cache_info().currsize == 4  # 2024 to 2027
    calendar.bank_holidays.cache_clear()
    _batch_workers.warm((micros(datetime.min.replace(tzinfo=UTC)), 2**62))
    assert calendar.bank_holidays.cache_info().currsize == _batch_workers.WARM_YEARS + 1


@pytest.mark.parametrize(
    ("raw", "key"),
    [
        (b'{"incident": {"victim": {"id": "V1"}}}', "V1"),
        (b'\xef\xbb\xbf{"incident": {"victim": {"id": "V1"}}}', "V1"),
        (b'{"incident": {"victim": {"id": 5}}}', ""),
        (b'{"incident": []}', ""),
        (b"not json", ""),
        (b"\xff", ""),
        (b"[" * 5000 + b"]" * 5000, ""),
    ],
)
def test_victim_key(raw: bytes, key: str) -> None:
    assert batch.victim_key(raw) == key


def test_decision_time_is_the_later_instant_in_the_hour_the_clocks_go_back() -> None:
    from datetime import datetime
    from zoneinfo import ZoneInfo

    import attrs

    london = ZoneInfo("Europe/London")
    reported = datetime(2024, 10, 27, 1, 45, tzinfo=london)  # 00:45 UTC (BST)
    completed = datetime(2024, 10, 27, 1, 10, fold=1, tzinfo=london)  # 01:10 UTC (GMT)
    case = next(c for c in synthesize(50, 2) if c.form is not None)
    incident = attrs.evolve(case.incident, reported_at=reported, occurred_at=reported)
    form = attrs.evolve(
        case.form, incident_id=incident.id, completed_at=completed, submitted_at=None
    )
    late = attrs.evolve(case, incident=incident, form=form, graded_at=None, recorded_grade=None)
    # Models keep times at a fixed offset: compare the instants (01:45 is the earlier one).
    assert batch.decision_time(late).isoformat() == "2024-10-27T01:10:00+00:00"
    assert batch.decision_time(attrs.evolve(late, form=None)).isoformat() == (
        "2024-10-27T01:45:00+01:00"
    )


# --- faults in the workers ----------------------------------------------------------------


class _Fault:
    """A plug-in that misbehaves on the incidents named, and is harmless on the others."""

    def __init__(self, targets: set[str], how: str) -> None:
        self.targets, self.how = targets, how

    @hookimpl
    def dapolicy_referrals(self, incident: Any) -> list[Any]:
        if incident.id in self.targets:
            if self.how == "exit":  # dies, as if killed (os._exit only rejects its line)
                os.kill(os.getpid(), signal.SIGKILL)
            while True:  # stuck, and deaf to anything that would interrupt it in-process
                with contextlib.suppress(BaseException):
                    time.sleep(60)
        return []


def _victims_seen_again(lines: list[tuple[int, bytes]]) -> list[tuple[int, str]]:
    """(line, incident id) of cases whose victim has at least two later cases."""
    records = []
    for number, raw in lines:
        try:
            records.append((number, json.loads(raw)["incident"]))
        except (ValueError, KeyError):
            continue
    count = Counter(incident["victim"]["id"] for _, incident in records)
    return [(n, i["id"]) for n, i in records if count[i["victim"]["id"]] >= 3]


@pytest.mark.parametrize("how", ["exit", "stuck"])
def test_a_worker_that_dies_or_sticks_is_replaced_and_only_its_line_is_lost(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, how: str
) -> None:
    monkeypatch.setattr(_batch_workers, "CHUNK", 5)
    monkeypatch.setattr(_batch_workers, "POLL", 0.05)
    lines = _lines(150)
    chosen = _victims_seen_again(lines)[:3:2]
    targets = {incident for _, incident in chosen}
    assert len(targets) == 2
    faulty = default_policy().with_plugins(_Fault(targets, how))
    # A death needs no budget; a stuck line is given 1 s (and the margin), which a
    # real decision does not reach even on a loaded machine.
    budget = 60.0 if how == "exit" else 1.0
    path = _file(tmp_path, lines)
    got = list(
        batch.assess_file(
            path, default_policy(), jobs=2, make_policy=lambda: faulty, decision_seconds=budget
        )
    )
    # What one process gives when those lines could not be read: nothing recorded.
    blanked = [
        (n, b"{}\n" if any(f'"id":"{t}"'.encode() in raw for t in targets) else raw)
        for n, raw in lines
    ]
    harmless = default_policy().with_plugins(_Fault(set(), how))
    expected = _one_process(_file(tmp_path, blanked, "blanked.jsonl"), harmless)
    lost = {n for n, _ in chosen}
    for result, reference in zip(got, expected, strict=True):
        if result.number in lost:
            assert result.decision is None
            assert result.reject is not None
            (error,) = json.loads(result.reject)["errors"]
            reason = "ended (signal 9)" if how == "exit" else "no decision within 2 s"
            assert error["message"].startswith("not decided: ")
            assert reason in error["message"]
        else:
            assert result == reference
    assert sum(r.decision is not None and '"repeat_victim":true' in r.decision for r in got)


class _Ends:
    """A plug-in that asks the process to end (``os._exit``) on the incidents named."""

    def __init__(self, targets: set[str], status: int) -> None:
        self.targets, self.status = targets, status

    @hookimpl
    def dapolicy_tasks(self, incident: Any) -> list[Any]:
        if incident.id in self.targets:
            os._exit(self.status)
        return []


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_plugins_os_exit_rejects_its_line_and_the_batch_goes_on(
    tmp_path: Path, jobs: int
) -> None:
    real = os._exit
    lines = _lines(60)
    chosen = _victims_seen_again(lines)[:1]
    # Not 0, which the command would once have ended with, as a success: were the
    # guard to fail, the test run itself would end, and with 0 it would look passed.
    (number, target), status = chosen[0], 3
    path = _file(tmp_path, lines)
    ends = default_policy().with_plugins(_Ends({target}, status))
    got = list(batch.assess_file(path, ends, jobs=jobs, make_policy=lambda: ends))
    assert os._exit is real  # the guard is lifted once the batch is done
    # What one process gives when that line could not be read: nothing recorded.
    blanked = [(n, b"{}\n" if n == number else raw) for n, raw in lines]
    harmless = default_policy().with_plugins(_Ends(set(), status))
    expected = _one_process(_file(tmp_path, blanked, "blanked.jsonl"), harmless)
    for result, reference in zip(got, expected, strict=True):
        if result.number == number:
            assert result.decision is None
            (error,) = json.loads(result.reject or "")["errors"]
            assert error == {
                "path": "$",
                "message": "not decided: os._exit(3) was called while deciding it",
            }
        else:
            assert result == reference


def test_os_exit_is_the_real_one_outside_the_thread_that_decides() -> None:
    import threading

    from dapolicy import _batch_exit

    seen: list[object] = []
    with _batch_exit.guarded():
        assert os._exit is not _batch_exit._REAL
        thread = threading.Thread(
            target=lambda: seen.append(_batch_exit._GUARDED.get(threading.get_ident()))
        )
        thread.start()
        thread.join()
        with pytest.raises(_batch_exit.ProcessExit):
            os._exit(4)
        with pytest.raises(TypeError):
            os._exit("4")  # type: ignore[arg-type]
        assert _batch_exit.taken() == 4
        assert _batch_exit.taken() is None  # each call is reported once
        child = os.fork()
        if child == 0:  # a process a plug-in forked: its os._exit ends it, as ever
            os._exit(5)
        _, code = os.waitpid(child, 0)
    assert os.waitstatus_to_exitcode(code) == 5
    assert seen == [None]
    assert os._exit is _batch_exit._REAL
    assert _batch_exit.taken() is None


def test_an_incident_with_two_victims_is_in_each_ones_history_with_one_job_or_two(
    tmp_path: Path,
) -> None:
    # Two lines with one incident id and two victims, then each victim's next incident
    # five months on. With one history the second victim's copy was refused (the id was
    # there), with two partitions it was not: --jobs 2 and --jobs 1 differed.
    import attrs

    from dapolicy._batch_index import victim_hash

    [base] = synthesize(1, 5)
    pairs = [(f"V-{n}", f"W-{n}") for n in range(40)]
    pairs = [p for p in pairs if victim_hash(p[0]) % 2 != victim_hash(p[1]) % 2]
    assert pairs  # the two victims of an incident fall in different partitions
    cases, later = [], timedelta(days=150)
    for n, (first, second) in enumerate(pairs[:4]):
        for victim in (first, second):
            person = attrs.evolve(base.incident.victim, id=victim)
            shared = attrs.evolve(base.incident, id=f"I-{n}", victim=person)
            again = attrs.evolve(
                shared,
                id=f"I-{n}-{victim}",
                reported_at=shared.reported_at + later,
                occurred_at=shared.occurred_at + later,
            )
            cases += [attrs.evolve(base, incident=shared), attrs.evolve(base, incident=again)]
    path = tmp_path / "in.jsonl"
    path.write_text("".join(to_json(case) + "\n" for case in cases), encoding="utf-8")
    one = _one_process(path)
    assert list(batch.assess_file(path, default_policy(), jobs=2)) == one
    repeats = {
        (d["victim_id"], d["incident_id"]): d["repeat_victim"]
        for d in (json.loads(r.decision) for r in one if r.decision is not None)
    }
    for n, (first, second) in enumerate(pairs[:4]):
        for victim in (first, second):
            assert repeats[(victim, f"I-{n}-{victim}")], victim  # the shared one counts
