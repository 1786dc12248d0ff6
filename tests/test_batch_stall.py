"""A stall is no line's fault: ``--jobs`` waits out a machine or a process that stopped.

The parent stops a worker whose line has been held past the decision time budget and a
margin. Time in which the worker could not run -- the whole command stopped (Ctrl-Z, a
machine stalled for memory), the parent alone, a worker stopped by a signal -- is not
charged to the line, so the line is decided as if nothing had happened, and a stall
while a replacement decides again its partition's finished lines never stops the run.
A line that is really stuck is still stopped: see ``test_batch.py``.

Each stall here is a real ``SIGSTOP`` of the processes named, for a bounded time: a
child the plug-in forks continues them. The limit is short (the budget passed to
``assess_file``, 0.5 s, and its margin: 1 s), so the tests are cheap; nothing in them
asserts how long anything took.
"""

from __future__ import annotations

import json
import os
import signal
import time
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dapolicy import _batch_watch, _batch_workers, batch, default_policy, to_json
from dapolicy._batch_watch import Watch, is_stopped, started_of
from dapolicy.hookspecs import hookimpl
from dapolicy.synth import synthesize

#: The budget given to the pool (its limit is twice this), the stall, and how long the
#: line is still held once everything runs again.
BUDGET, STALL, AFTER = 0.5, 1.25, 0.2

needs_proc = pytest.mark.skipif(
    not Path("/proc/self/stat").exists(), reason="a stopped process is seen in /proc"
)


def _stop_for(pids: list[int], seconds: float) -> None:
    """Stop ``pids`` (this process last, if named) for ``seconds``; then continue them.

    A forked child continues them in the order given, a tenth of a second apart, so a
    parent named first runs again while the worker is still stopped.
    """
    child = os.fork()
    if child == 0:  # pragma: no cover - the child that continues them
        try:
            time.sleep(seconds)
            for pid in pids:
                os.kill(pid, signal.SIGCONT)
                time.sleep(0.1)
        finally:
            os._exit(0)  # the real one: a forked process's is never guarded
    for pid in pids:
        os.kill(pid, signal.SIGSTOP)  # this process stops here, until continued
    os.waitpid(child, 0)


class _Stall:
    """Stops ``who`` while the incident named is decided, its ``sighting``-th time.

    The sightings are counted in a file, so that a replacement deciding the line again
    (forked from the parent, which never decided it) knows it is not the first.
    """

    def __init__(self, target: str | None, who: str, tally: Path, sighting: int = 1) -> None:
        self.target, self.who, self.tally, self.sighting = target, who, tally, sighting

    @hookimpl
    def dapolicy_referrals(self, incident: Any) -> list[Any]:
        if incident.id == self.target:
            with self.tally.open("ab") as tally:
                tally.write(b".")
                seen = tally.tell()
            if seen == self.sighting:
                pids = [os.getppid(), os.getpid()] if self.who == "all" else [os.getpid()]
                _stop_for(pids, STALL)
                time.sleep(AFTER)  # the line is still held once everything runs again
        return []


class _Fault:
    """On the incident named, kills its own process, or loops for ever (``spin``)."""

    def __init__(self, target: str | None, spin: bool = False) -> None:
        self.target, self.spin = target, spin

    @hookimpl
    def dapolicy_tasks(self, incident: Any) -> list[Any]:
        while incident.id == self.target and self.spin:
            pass  # burning the processor, never stopped in the process
        if incident.id == self.target:
            os.kill(os.getpid(), signal.SIGKILL)
        return []


def _lines(tmp_path: Path, n: int = 60) -> tuple[Path, list[tuple[int, bytes, str]]]:
    """An input of ``n`` cases, and its lines (number, bytes, incident id) in decision order."""
    cases = list(synthesize(n, 11))
    raws = [(to_json(case) + "\n").encode() for case in cases]
    path = tmp_path / "in.jsonl"
    path.write_bytes(b"".join(raws))
    ids = [case.incident.id for case in cases]
    numbered = [(n, raw, i) for n, (raw, i) in enumerate(zip(raws, ids, strict=True), 1)]
    return path, sorted(numbered, key=lambda line: batch.order_key(line[0], line[1]))


def _run(path: Path, *plugins: Any, jobs: int = 2) -> list[batch.LineResult]:
    policy = default_policy().with_plugins(*plugins)
    return list(
        batch.assess_file(
            path, policy, jobs=jobs, make_policy=lambda: policy, decision_seconds=BUDGET
        )
    )


@pytest.fixture
def quick(monkeypatch: pytest.MonkeyPatch) -> None:
    """Small chunks (a replacement has lines to decide again) and a parent that looks often."""
    monkeypatch.setattr(_batch_workers, "CHUNK", 5)
    monkeypatch.setattr(_batch_workers, "POLL", 0.05)


@needs_proc
@pytest.mark.parametrize("who", ["worker", "all"])
def test_a_line_held_through_a_stall_is_decided_as_without_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, quick: None, who: str
) -> None:
    # "worker": the worker alone is stopped (the parent sees it stopped: not charged).
    # "all": the parent too, as Ctrl-Z or a machine stalled for memory stops both;
    # the parent is not told that the worker was stopped (as where /proc is missing,
    # or a worker stalled on page faults): only its own gap is not charged.
    if who == "all":
        monkeypatch.setattr(_batch_workers, "is_stopped", lambda pid: False)
    path, lines = _lines(tmp_path)
    target = lines[len(lines) // 2][2]
    got = _run(path, _Stall(target, who, tmp_path / "tally"))
    assert (tmp_path / "tally").read_bytes() == b"."  # stalled once, decided once
    assert got == _run(path, _Stall(None, who, tmp_path / "unused"), jobs=1)
    assert all(result.reject is None for result in got)


@needs_proc
@pytest.mark.parametrize("seen_stopped", [True, False])
def test_a_replacement_stalled_while_it_decides_again_does_not_stop_the_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, quick: None, seen_stopped: bool
) -> None:
    # A worker dies on one line; its replacement decides again the lines its partition
    # had finished, and is stopped past the limit on one of them. Seen stopped, it is
    # waited for; not seen (no /proc, a stall of the machine), it is stopped and
    # replaced again, a fault no line explains: either way the run goes on.
    if not seen_stopped:
        monkeypatch.setattr(_batch_workers, "is_stopped", lambda pid: False)
    path, lines = _lines(tmp_path)
    part = batch.partition(lines[0][1], 2)
    ours = [line for line in lines if batch.partition(line[1], 2) == part]
    assert len(ours) > 4 * 5  # the line that dies is chunks after the one decided again
    (_, _, replayed), (dies, _, killed) = ours[0], ours[len(ours) // 2]
    got = _run(path, _Stall(replayed, "worker", tmp_path / "tally", 2), _Fault(killed))
    sightings = (tmp_path / "tally").read_bytes()
    assert sightings == (b".." if seen_stopped else b"...")
    # What one process gives when the killed line could not be read: nothing recorded.
    blanked = tmp_path / "blanked.jsonl"
    blanked.write_bytes(b"".join(b"{}\n" if n == dies else raw for n, raw, _ in sorted(lines)))
    expected = _run(blanked, _Stall(None, "worker", tmp_path / "unused"), _Fault(None), jobs=1)
    for result, reference in zip(got, expected, strict=True):
        if result.number == dies:
            (error,) = json.loads(result.reject or "")["errors"]
            assert "ended (signal 9)" in error["message"]
        else:
            assert result == reference


def test_a_line_that_loops_for_ever_is_still_rejected(tmp_path: Path, quick: None) -> None:
    # Not stalled: running all along (test_batch.py has one asleep all along). The
    # limit is the budget given (0.25 s here) and its margin: all of it is charged.
    path, lines = _lines(tmp_path, 30)
    number, _, target = lines[len(lines) // 2]
    policy = default_policy().with_plugins(_Fault(target, spin=True))
    got = list(
        batch.assess_file(path, policy, jobs=2, make_policy=lambda: policy, decision_seconds=0.25)
    )
    # What one process gives when that line could not be read: nothing recorded.
    blanked = tmp_path / "blanked.jsonl"
    blanked.write_bytes(b"".join(b"{}\n" if n == number else raw for n, raw, _ in sorted(lines)))
    expected = _run(blanked, _Fault(None, spin=True), jobs=1)
    for result, reference in zip(got, expected, strict=True):
        if result.number == number:
            (error,) = json.loads(result.reject or "")["errors"]
            assert error["message"].startswith("not decided: no decision within 0.5 s")
        else:
            assert result == reference


@needs_proc
def test_a_stopped_process_is_seen_stopped_and_a_continued_one_is_not() -> None:
    child = os.fork()
    if child == 0:  # pragma: no cover - a process to stop
        time.sleep(30)
        os._exit(0)
    try:
        assert not is_stopped(child)
        os.kill(child, signal.SIGSTOP)
        os.waitpid(child, os.WUNTRACED)  # returns once it has stopped
        assert is_stopped(child)
        os.kill(child, signal.SIGCONT)
        os.waitpid(child, os.WCONTINUED)  # returns once it runs again
        assert not is_stopped(child)
    finally:
        os.kill(child, signal.SIGKILL)
        os.waitpid(child, 0)
    assert not is_stopped(child)  # gone: not stopped (its sentinel says it ended)


STEP = 0.5

#: The parent's looks at one slot: (seconds since the look before, the slot changed to
#: another line, the worker is seen stopped).
looks = st.lists(
    st.tuples(
        st.floats(0, 40, allow_nan=False),
        st.booleans(),
        st.booleans(),
    ),
    min_size=1,
    max_size=30,
)


@given(looks=looks, start=st.floats(0, 1000, allow_nan=False))
def test_a_line_is_charged_its_time_except_gaps_and_stops(
    looks: list[tuple[float, bool, bool]], start: float
) -> None:
    watch, now, value, line = Watch(), start, 0, 0
    charged = 0.0
    for gap, other_line, stopped in looks:
        now += gap
        if other_line or not value:
            line += 1
            value = (int(now * 1000) << 32) | line  # started now (to the millisecond)
            expected = min(now - started_of(value), STEP)
        else:
            expected = charged + (0.0 if stopped else min(gap, STEP))
        charged = watch.look(value, now, STEP, lambda stopped=stopped: stopped)
        assert charged == pytest.approx(expected)
        # Never more than the wall clock, nor more than a step a look.
        assert charged <= now - started_of(value) + 1e-9


@given(gaps=st.lists(st.floats(0, STEP, allow_nan=False), min_size=1, max_size=50))
def test_a_stuck_line_watched_is_charged_every_second_of_it(gaps: list[float]) -> None:
    # A plug-in in an endless loop, or asleep on a socket: the parent looks at least
    # every step and the worker is never stopped, so the whole time counts.
    watch, now = Watch(), 0.0
    value = 1 << 32 | 7  # line 7, started at 1 ms
    watch.look(value, 0.001, STEP, lambda: False)
    for gap in gaps:
        now += gap
        charged = watch.look(value, 0.001 + now, STEP, lambda: False)
    assert charged == pytest.approx(now)


@given(gaps=st.lists(st.floats(0, STEP, allow_nan=False), min_size=1, max_size=50))
def test_a_line_stopped_for_ever_is_charged_once_its_stop_is_past_the_most_waited(
    gaps: list[float],
) -> None:
    # Seen stopped at every look: nothing is charged until STOPPED_MAX seconds of it
    # have gone uncharged, then every interval is; so it is rejected in the end.
    most = _batch_watch.STOPPED_MAX
    watch, now, value = Watch(), 0.0, 1 << 32 | 7
    watch.look(value, 0.001, STEP, lambda: True)
    paused = charged = 0.0
    for gap in [*gaps, most, STEP, STEP]:
        now += gap
        interval = min(gap, STEP)
        if paused < most:
            paused += interval
        else:
            charged += interval
        assert watch.look(value, 0.001 + now, STEP, lambda: True) == pytest.approx(charged)
    assert watch.paused >= most or charged == 0.0


class _StopsItself:
    """A plug-in that stops its own worker process on one incident, never continued."""

    def __init__(self, target: str) -> None:
        self.target, self.parent = target, os.getpid()

    @hookimpl
    def dapolicy_referrals(self, incident: Any) -> list[Any]:
        if incident.id == self.target and os.getpid() != self.parent:
            os.kill(os.getpid(), signal.SIGSTOP)
        return []


@needs_proc
def test_a_worker_stopped_for_ever_is_stopped_for_good_and_the_run_ends(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, quick: None
) -> None:
    # Waited for while stopped, but not for ever: past STOPPED_MAX it is charged, so
    # its line is rejected a limit later, and the run ends with every other line.
    monkeypatch.setattr(_batch_watch, "STOPPED_MAX", 0.3)
    path, lines = _lines(tmp_path, 30)
    number, _, target = lines[len(lines) // 2]
    got = _run(path, _StopsItself(target))
    (error,) = json.loads(got[number - 1].reject or "")["errors"]
    assert error["message"].startswith("not decided: no decision within 1 s")
    assert [r.number for r in got if r.reject is not None] == [number]


def test_an_idle_slot_is_charged_nothing() -> None:
    watch = Watch()
    assert watch.look(0, 100.0, STEP, lambda: False) == 0.0
    assert watch.look(0, 200.0, STEP, lambda: False) == 0.0
    assert _batch_watch.started_of(0) == 0.0
