"""End-to-end, memory and growth benchmarks for ``dapolicy assess``.

1. End to end: ``dapolicy assess --jobs J`` on N synthetic records (the installed
   command, in a subprocess, start-up included) against **the floor**: one process that
   reads each line with orjson and writes a decision-sized record with orjson. The
   record written for each line is a real decision of the default policy (one of a few
   dozen, made before timing) with the line's incident id in it, so the floor writes
   about as many bytes as dapolicy does (both are printed). Rounds alternate
   (``_harness.interleave``). The parallel output is checked to be byte for byte the
   output of ``--jobs 1`` (unless ``--no-jobs-1``: ``run.py`` skips that run to save
   time, as the test suite checks the same).
2. Memory and growth: the same command on N and 10 x N records. Peak memory is the
   largest sum, over the command's processes, of their proportional set size (PSS:
   pages shared after ``fork`` are counted once, split between the processes sharing
   them), sampled every 20 ms from ``/proc``; the largest single process's peak
   resident set is printed beside it. What the history keeps is measured apart with
   ``tracemalloc``, per incident and per record as a batch fills it (incident, call,
   grade), since it is the one part that must grow with the input (with the pages of
   its large columns, maps of their own that ``tracemalloc`` does not see).
3. Start-up as an installed command has it: the command runs with a bytecode cache of
   its own (``PYTHONPYCACHEPREFIX`` in the benchmark's temporary folder, and
   ``PYTHONDONTWRITEBYTECODE`` removed from its environment), filled by one untimed run
   first. An installed dapolicy has its modules compiled (pip compiles them when it
   installs), but where ``PYTHONDONTWRITEBYTECODE`` is set and the packages were
   installed without bytecode (``uv pip install`` by default), every run of the command
   compiled its modules and its dependencies' again: about 0.7 s of CPU, in the
   parent, before a worker starts. ``--no-bytecode-cache`` measures it that way.
4. The projected time for 1.5 million records: a straight line through the two growth
   runs' times (start-up plus a cost per record), taken to 1,500,000; once by the wall
   clock (what this machine gave, under whatever load it had), once by the CPU time of
   all the command's processes over the cores (what an idle machine would take with
   every core busy: a lower bound).

Run: ``nox -s bench`` (``-- --quick`` for small sizes), or this script alone:
``python benchmarks/bench_batch.py --records 20000 --growth 10000``.
"""

from __future__ import annotations

import argparse
import gc
import os
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any, NamedTuple

import orjson
from _harness import Ratio, Result, interleave, report
from bench_write import make_decisions

from dapolicy import InMemoryHistory, default_policy, to_dict, to_json
from dapolicy.batch import decision_time
from dapolicy.history import CallEntry, HistoryEntry, record
from dapolicy.synth import synthesize

NATIONAL_YEAR = 1_500_000
TEMPLATES = 48  # real decisions the floor cycles through


def write_cases(path: Path, n: int, seed: int) -> None:
    """Write ``n`` synthetic cases as ``dapolicy synth`` does."""
    with path.open("w", encoding="utf-8") as out:
        for case in synthesize(n, seed):
            out.write(to_json(case) + "\n")


def floor_templates(seed: int) -> list[dict[str, Any]]:
    """Real decisions' dicts: what a decision-sized record looks like, to the byte."""
    return [to_dict(d) for d in make_decisions(TEMPLATES, seed)]


def floor(source: Path, sink: Path, templates: list[dict[str, Any]]) -> None:
    """Read each line with orjson and write a decision-sized record for it."""
    count = len(templates)
    with source.open("rb") as lines, sink.open("wb") as out:
        for number, line in enumerate(lines):
            case = orjson.loads(line)
            decision = {**templates[number % count], "incident_id": case["incident"]["id"]}
            out.write(orjson.dumps(decision) + b"\n")


#: The command's environment (:func:`command_env`); the benchmark's own, until set.
ENV: dict[str, str] | None = None


def command_env(folder: Path, cache: bool) -> dict[str, str]:
    """The command's environment: with a bytecode cache of its own in ``folder``, or not.

    Without the cache, as this process's environment has it (which may forbid writing
    bytecode: then every run compiles the package and its dependencies again).
    """
    env = dict(os.environ)
    if cache:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = str(folder / "pycache")
    return env


def command(source: Path, sink: Path, jobs: int) -> list[str]:
    return [
        sys.executable,
        "-m",
        "dapolicy",
        "assess",
        str(source),
        "-o",
        str(sink),
        "--jobs",
        str(jobs),
        "--no-progress",
        "--allow-rejects",
        "--quiet",
    ]


def _descendants(pid: int) -> Iterator[int]:
    yield pid
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return
    for task in tasks:
        try:
            children = Path(f"/proc/{pid}/task/{task}/children").read_text().split()
        except OSError:
            continue
        for child in children:
            yield from _descendants(int(child))


def _kb(pid: int, path: str, field: str) -> int:
    try:
        text = Path(f"/proc/{pid}/{path}").read_text()
    except OSError:
        return 0
    for row in text.splitlines():
        if row.startswith(field):
            return int(row.split()[1])
    return 0


class Run(NamedTuple):
    """One measured run of the command."""

    seconds: float  # wall-clock
    cpu: float  # user + system seconds of all its processes
    pss: float  # peak sum of all its processes' PSS, MB
    rss: float  # peak resident set of its largest process, MB


def _cpu_of_children() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_measured(argv: list[str]) -> Run:
    """Run ``argv`` and measure it (its workers' CPU time too: the command waits for them)."""
    cpu = _cpu_of_children()
    started = time.perf_counter()
    process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=ENV)
    pss = rss = 0
    while process.poll() is None:
        pids = list(_descendants(process.pid))
        pss = max(pss, sum(_kb(p, "smaps_rollup", "Pss:") for p in pids))
        rss = max(rss, max(_kb(p, "status", "VmRSS:") for p in pids))
        time.sleep(0.02)
    seconds = time.perf_counter() - started
    if process.returncode != 0:
        error = process.stderr.read().decode() if process.stderr else ""
        raise SystemExit(f"dapolicy assess failed ({process.returncode}): {error[-2000:]}")
    return Run(seconds, _cpu_of_children() - cpu, pss / 1024, rss / 1024)


def history_bytes_per_incident(victims: int = 20000) -> float:
    """What the in-memory history keeps per incident (victims with two incidents each)."""
    start = next(synthesize(1, 1)).incident.occurred_at
    tracemalloc.start()
    before = tracemalloc.take_snapshot()
    history = InMemoryHistory()
    for v in range(victims):
        for k in range(2):
            history.record_incident(
                HistoryEntry(f"I{v}-{k}", f"V{v:07d}", f"S{v:07d}", start + timedelta(days=k))
            )
    after = tracemalloc.take_snapshot()
    tracemalloc.stop()
    traced = sum(s.size_diff for s in after.compare_to(before, "filename"))
    return (traced + _mapped(history)) / (2 * victims)


def history_bytes_per_record(n: int = 5000, seed: int = 31) -> float:
    """What the in-memory history keeps per record as a batch fills it (all it records).

    The batch's records (incident, grade, MARAC referral, call) are made by deciding the
    cases against a history as the batch does, then recorded again into a new history,
    measured whole after a garbage collection: traced memory taken across each record
    call alone moved by about 20 bytes a record with when the collector freed what
    the assessments had left.
    """
    policy = default_policy()
    cases = sorted(synthesize(n, seed), key=lambda c: decision_time(c).timestamp())
    history, decided = InMemoryHistory(), []
    for case in cases:
        decision = policy.assess(
            case.incident, case.form, history=history, now=decision_time(case)
        )
        record(history, case.incident, decision)
        if case.call is not None:
            history.record_call(CallEntry.from_call(case.call))
        decided.append((case, decision))
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        again = InMemoryHistory()
        for case, decision in decided:
            record(again, case.incident, decision)
            if case.call is not None:
                again.record_call(CallEntry.from_call(case.call))
        gc.collect()
        grown = tracemalloc.get_traced_memory()[0] - before + _mapped(again)
    finally:
        tracemalloc.stop()
    return grown / n


def _mapped(history: InMemoryHistory) -> int:
    """The bytes of the history's large columns, maps of their own that tracing misses."""
    mapped = getattr(history, "_mapped", None)  # (a history from before them has none)
    return mapped() if mapped is not None else 0


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=20000, help="end-to-end size")
    parser.add_argument("--rounds", type=int, default=3, help="end-to-end rounds")
    parser.add_argument("--growth", type=int, default=10000, help="growth: N and 10 x N")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--seed", type=int, default=30)
    parser.add_argument(
        "--no-jobs-1",
        action="store_true",
        help="skip the --jobs 1 run (its output is compared with --jobs 2's)",
    )
    parser.add_argument(
        "--no-bytecode-cache",
        action="store_true",
        help="run the command as this environment has it, even if that compiles every "
        "module at each start (PYTHONDONTWRITEBYTECODE)",
    )
    parser.add_argument("--results", type=Path, help="append the figures here (JSON lines)")
    args = parser.parse_args()
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    global ENV
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        ENV = command_env(work, cache=not args.no_bytecode_cache)
        cases = work / "cases.jsonl"
        write_cases(cases, args.records, args.seed)
        # Untimed: fills the bytecode cache (and the system's file cache) first.
        head = work / "head.jsonl"
        head.write_bytes(b"".join(cases.read_bytes().splitlines(keepends=True)[:50]))
        run_measured(command(head, work / "head.out.jsonl", args.jobs))
        compiled = (
            "each run compiles its modules (--no-bytecode-cache)"
            if args.no_bytecode_cache
            else "bytecode cached, as installed"
        )
        templates = floor_templates(args.seed)
        one_s = (
            None if args.no_jobs_1 else run_measured(command(cases, work / "one.jsonl", 1)).seconds
        )
        many = work / "many.jsonl"
        cpu: dict[str, list[float]] = {"dapolicy": [], "floor": []}

        def ours() -> None:
            before = _cpu_of_children()
            subprocess.run(
                command(cases, many, args.jobs), check=True, stderr=subprocess.DEVNULL, env=ENV
            )
            cpu["dapolicy"].append((_cpu_of_children() - before) / args.jobs)

        def theirs() -> None:
            before = time.process_time()
            floor(cases, work / "floor.jsonl", templates)
            cpu["floor"].append(time.process_time() - before)

        timings = interleave({"dapolicy": ours, "floor": theirs}, args.rounds)
        if one_s is not None and (work / "one.jsonl").read_bytes() != many.read_bytes():
            raise SystemExit("the parallel output differs from the single-process output")
        same = (
            "--jobs 1 not run"
            if one_s is None
            else f"output identical to --jobs 1, which took {one_s:.1f} s"
        )
        ours_mb = many.stat().st_size / 2**20
        floor_mb = (work / "floor.jsonl").stat().st_size / 2**20
        best = min(timings["dapolicy"])
        print(
            f"end to end: {args.records:,} records, --jobs {args.jobs} ({same}; {compiled}); "
            f"{args.records / best:,.0f} records/s at "
            f"best; written: dapolicy {ours_mb:,.1f} MB, floor {floor_mb:,.1f} MB"
        )
        report(
            Ratio(
                f"dapolicy assess --jobs {args.jobs} / floor (orjson in, decision-sized out)",
                timings["dapolicy"],
                timings["floor"],
                6.0,
                unit="s",
            ),
            args.results,
        )
        # The same by CPU time, the command's over its cores: what an idle machine would
        # show, if the workers kept every core busy. Load inflates the wall-clock ratio,
        # as the command's processes share the cores with everything else running.
        report(
            Ratio(
                f"the same by CPU time (the command's over {args.jobs} cores)",
                cpu["dapolicy"],
                cpu["floor"],
                6.0,
                unit="s",
            ),
            args.results,
        )

        small, large = work / "small.jsonl", work / "large.jsonl"
        write_cases(small, args.growth, args.seed + 1)
        write_cases(large, 10 * args.growth, args.seed + 1)
        small = run_measured(command(small, work / "s.jsonl", args.jobs))
        large = run_measured(command(large, work / "l.jsonl", args.jobs))
        print(
            f"growth: {args.growth:,} and {10 * args.growth:,} records, --jobs {args.jobs}: "
            f"{small.seconds:.1f} s and {large.seconds:.1f} s ({small.cpu:.1f} and "
            f"{large.cpu:.1f} s of CPU); peak memory (all processes, PSS) {small.pss:.0f} MB "
            f"and {large.pss:.0f} MB; largest process (RSS) {small.rss:.0f} MB and "
            f"{large.rss:.0f} MB"
        )
        report(
            Ratio("peak memory, 10x the records / 1x", [large.pss], [small.pss], 1.5, unit="MB"),
            args.results,
        )
        report(
            Ratio("time, 10x the records / 1x", [large.seconds], [small.seconds], 11.0, unit="s"),
            args.results,
        )
        # A straight line through the two runs: start-up plus a cost per record. The wall
        # clock is what this machine gave under its load; CPU time over the cores is what
        # an idle machine would take if both cores were kept busy (a lower bound).
        for what, low, high, over in (
            ("wall clock", small.seconds, large.seconds, 1),
            (f"CPU time / {args.jobs} cores", small.cpu, large.cpu, args.jobs),
        ):
            per_record = (high - low) / (9 * args.growth) / over
            start_up = low / over - per_record * args.growth
            projected = start_up + per_record * NATIONAL_YEAR
            print(f"  {what}: {start_up:.1f} s + {per_record * 1e6:.0f} us a record")
            report(
                Result(
                    f"projected time for 1.5 million records, --jobs {args.jobs}, {what}",
                    projected,
                    180.0,
                    "min",
                ),
                args.results,
            )
        report(
            Result("the in-memory history, per incident", history_bytes_per_incident(), 300, "B"),
            args.results,
        )
        report(
            Result(
                "the in-memory history, per record as a batch fills it",
                history_bytes_per_record(),
                300,
                "B",
            ),
            args.results,
        )


if __name__ == "__main__":
    main()
