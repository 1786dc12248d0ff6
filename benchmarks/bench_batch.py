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
   resident set is printed beside it. What the history keeps per incident is measured
   apart with ``tracemalloc``, since it is the one part that must grow with the input.
3. The projected time for 1.5 million records: a straight line through the two growth
   runs' times (start-up plus a cost per record), taken to 1,500,000.

Run: ``nox -s bench`` (``-- --quick`` for small sizes), or this script alone:
``python benchmarks/bench_batch.py --records 20000 --growth 10000``.
"""

from __future__ import annotations

import argparse
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
from typing import Any

import orjson
from _harness import Ratio, Result, interleave, report
from bench_write import make_decisions

from dapolicy import InMemoryHistory, to_dict, to_json
from dapolicy.history import HistoryEntry
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


def run_measured(argv: list[str]) -> tuple[float, float, float]:
    """Run ``argv``: wall seconds, peak summed PSS (MB) and peak largest RSS (MB)."""
    started = time.perf_counter()
    process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
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
    return seconds, pss / 1024, rss / 1024


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
    return sum(s.size_diff for s in after.compare_to(before, "filename")) / (2 * victims)


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
    parser.add_argument("--results", type=Path, help="append the figures here (JSON lines)")
    args = parser.parse_args()
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        cases = work / "cases.jsonl"
        write_cases(cases, args.records, args.seed)
        templates = floor_templates(args.seed)
        one_s = None if args.no_jobs_1 else run_measured(command(cases, work / "one.jsonl", 1))[0]
        many = work / "many.jsonl"
        timings = interleave(
            {
                "dapolicy": lambda: subprocess.run(
                    command(cases, many, args.jobs), check=True, stderr=subprocess.DEVNULL
                ),
                "floor": lambda: floor(cases, work / "floor.jsonl", templates),
            },
            args.rounds,
        )
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
            f"end to end: {args.records:,} records, --jobs {args.jobs} ({same}); "
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

        small, large = work / "small.jsonl", work / "large.jsonl"
        write_cases(small, args.growth, args.seed + 1)
        write_cases(large, 10 * args.growth, args.seed + 1)
        small_s, small_mb, small_rss = run_measured(command(small, work / "s.jsonl", args.jobs))
        large_s, large_mb, large_rss = run_measured(command(large, work / "l.jsonl", args.jobs))
        print(
            f"growth: {args.growth:,} and {10 * args.growth:,} records, --jobs {args.jobs}: "
            f"{small_s:.1f} s and {large_s:.1f} s; peak memory (all processes, PSS) "
            f"{small_mb:.0f} MB and {large_mb:.0f} MB; largest process (RSS) "
            f"{small_rss:.0f} MB and {large_rss:.0f} MB"
        )
        report(
            Ratio("peak memory, 10x the records / 1x", [large_mb], [small_mb], 1.5, unit="MB"),
            args.results,
        )
        report(
            Ratio("time, 10x the records / 1x", [large_s], [small_s], 11.0, unit="s"),
            args.results,
        )
        per_record = (large_s - small_s) / (9 * args.growth)
        start_up = small_s - per_record * args.growth
        projected = start_up + per_record * NATIONAL_YEAR
        print(
            f"  a straight line through the two: {start_up:.1f} s + {per_record * 1e6:.0f} us "
            f"a record"
        )
        report(
            Result(
                f"projected time for 1.5 million records, --jobs {args.jobs}",
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


if __name__ == "__main__":
    main()
