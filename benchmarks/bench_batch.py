"""End-to-end and growth benchmarks for ``dapolicy assess``.

1. End to end: ``dapolicy assess --jobs J`` on N synthetic records against the floor
   of reading, parsing and re-writing the same lines with the same JSON library
   (stdlib ``json``), both timed in this run. The parallel output is first checked to
   be byte-for-byte the single-process output.
2. Growth: the same command on N and 10 x N records: the ratio of times and of peak
   memory (resident set of the largest process), with the in-memory history's size per
   victim measured separately, since it is the one part that grows with the input.

Run: ``nox -s bench`` (small sizes), or the issue's sizes:
``python benchmarks/bench_batch.py --records 1000000 --growth 100000``.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import tracemalloc
from datetime import timedelta
from pathlib import Path

from dapolicy import InMemoryHistory
from dapolicy.history import CallEntry, HistoryEntry
from dapolicy.synth import synthesize

RUSAGE_CHILD_KB = 1024  # ru_maxrss is in kilobytes on Linux


def write_cases(path: Path, n: int, seed: int) -> tuple[int, int]:
    """Write ``n`` cases; return the number of victims and of incidents per victim."""
    victims: set[str] = set()
    with path.open("w", encoding="utf-8") as out:
        for case in synthesize(n, seed):
            victims.add(case.incident.victim.id)
            out.write(json.dumps(_plain(case), separators=(",", ":"), ensure_ascii=False) + "\n")
    return len(victims), n


def _plain(case: object) -> object:
    from dapolicy import to_dict

    return to_dict(case)


def floor(path: Path, out: Path) -> float:
    t0 = time.perf_counter()
    with path.open(encoding="utf-8") as source, out.open("w", encoding="utf-8") as sink:
        for line in source:
            sink.write(json.dumps(json.loads(line), ensure_ascii=False) + "\n")
    return time.perf_counter() - t0


def assess(path: Path, out: Path, jobs: int) -> tuple[float, float]:
    """Wall time and the peak RSS (MiB) of the largest process, for one run."""
    probe = (
        "import resource, subprocess, sys\n"
        "subprocess.run(sys.argv[1:], check=True)\n"
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
    )
    command = [
        sys.executable,
        "-m",
        "dapolicy",
        "assess",
        str(path),
        "-o",
        str(out),
        "--jobs",
        str(jobs),
        "--no-progress",
        "--allow-rejects",
    ]
    t0 = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-c", probe, *command], capture_output=True, text=True, check=True
    )
    seconds = time.perf_counter() - t0
    return seconds, int(result.stdout.split()[-1]) / RUSAGE_CHILD_KB


def call_bytes(calls: int = 20000) -> float:
    """What the history keeps per call (for repeat caller and repeat location checks)."""
    start = synthesize(1, 1).__next__().incident.occurred_at
    tracemalloc.start()
    before = tracemalloc.take_snapshot()
    history = InMemoryHistory()
    for n in range(calls):
        history.record_call(
            CallEntry(f"CALL-{n:07d}", start + timedelta(minutes=n), f"V{n:07d}", f"L{n:07d}")
        )
    after = tracemalloc.take_snapshot()
    tracemalloc.stop()
    return sum(s.size_diff for s in after.compare_to(before, "filename")) / calls


def history_bytes_per_victim(victims: int = 20000, incidents_each: int = 3) -> float:
    start = synthesize(1, 1).__next__().incident.occurred_at
    tracemalloc.start()
    before = tracemalloc.take_snapshot()
    history = InMemoryHistory()
    for v in range(victims):
        for k in range(incidents_each):
            history.record_incident(
                HistoryEntry(f"I{v}-{k}", f"V{v:07d}", f"S{v:07d}", start + timedelta(days=k))
            )
    after = tracemalloc.take_snapshot()
    tracemalloc.stop()
    grown = sum(s.size_diff for s in after.compare_to(before, "filename"))
    return grown / victims


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=50000, help="end-to-end size")
    parser.add_argument("--growth", type=int, default=10000, help="growth: N and 10 x N")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--seed", type=int, default=30)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        cases = work / "cases.jsonl"
        write_cases(cases, args.records, args.seed)
        one_s, _ = assess(cases, work / "one.jsonl", 1)
        many_s, _ = assess(cases, work / "many.jsonl", args.jobs)
        if (work / "one.jsonl").read_bytes() != (work / "many.jsonl").read_bytes():
            raise SystemExit("the parallel output differs from the single-process output")
        floor_s = min(floor(cases, work / "floor.jsonl") for _ in range(3))
        same = "output identical to --jobs 1"
        print(f"end to end: {args.records} records, --jobs {args.jobs} ({same})")
        print(f"  floor: read, parse, write with json  {floor_s:8.1f} s")
        print(f"  dapolicy assess --jobs 1             {one_s:8.1f} s")
        print(f"  dapolicy assess --jobs {args.jobs:<2}            {many_s:8.1f} s")
        print(f"  ratio dapolicy/floor                 {many_s / floor_s:8.1f}x   (target <= 4x)")

        small, large = work / "small.jsonl", work / "large.jsonl"
        small_victims, _ = write_cases(small, args.growth, args.seed + 1)
        large_victims, _ = write_cases(large, 10 * args.growth, args.seed + 1)
        small_s, small_mb = assess(small, work / "s.jsonl", args.jobs)
        large_s, large_mb = assess(large, work / "l.jsonl", args.jobs)
        per_victim = history_bytes_per_victim(incidents_each=1)
        per_incident = history_bytes_per_victim(incidents_each=2) - per_victim
        per_call = call_bytes()
        print(f"growth: {args.growth} and {10 * args.growth} records, --jobs {args.jobs}")
        time_ratio, memory_ratio = large_s / small_s, large_mb / small_mb
        print(
            f"  time         {small_s:8.1f} s  {large_s:8.1f} s   ratio {time_ratio:5.1f}  (<= 11)"
        )
        memory = f"{small_mb:6.0f} MB {large_mb:8.0f} MB"
        print(f"  peak memory  {memory}  ratio {memory_ratio:5.2f}  (<= 1.5)")

        # The history holds every victim and incident seen: it is the one part that must
        # grow with the input. Take its estimated size out (split across the workers,
        # of which the largest process holds about one share) to check the rest is flat.
        def history_mb(victims: int, records: int) -> float:
            size = victims * per_victim + (records - victims) * per_incident + records * per_call
            return size / args.jobs / 2**20

        rest_small = small_mb - history_mb(small_victims, args.growth)
        rest_large = large_mb - history_mb(large_victims, 10 * args.growth)
        print(
            f"  history index: about {per_victim:.0f} bytes per victim, "
            f"{per_incident:.0f} per further incident, {per_call:.0f} per call"
        )
        print(
            f"  peak memory less the history  {rest_small:6.0f} MB {rest_large:8.0f} MB  "
            f"ratio {rest_large / rest_small:5.2f}  (<= 1.5)"
        )


if __name__ == "__main__":
    main()
