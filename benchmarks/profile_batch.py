"""Where a batch's time goes: cProfile of one ``assess_file`` run, its top functions.

One process (``jobs=1``), the default policy, N synthetic cases written as
``dapolicy synth`` writes them; every result is read, as the command reads them to
write them out. A batch of 50 other cases runs first, unprofiled, so the one-off
costs of a first batch (lazy imports, cattrs' generated functions) are left out.
Prints the top functions by own time and by cumulative time, with the share of the
whole run each takes (cProfile's overhead inflates small, often-called functions;
read the shares, not the seconds).

    python benchmarks/profile_batch.py --cases 3000 > docs/profiles/batch-cprofile.txt

With ``--jobs 2`` the run is the command's own: ``assess_file(..., jobs=2)``, the parent
profiled apart from its forked workers (each worker profiles itself into a file of its
own, from its start to its end), and the parent's top functions printed, then the
busiest worker's: where the parent's index, dispatch and read-back go, and what a
worker does besides ``Policy.assess``. The warm-up batch runs first here too.
"""

from __future__ import annotations

import argparse
import cProfile
import glob
import io
import os
import pstats
import sys
import tempfile
from pathlib import Path
from typing import Any

from dapolicy import _batch_workers, _speedups, default_policy, to_json
from dapolicy.batch import assess_file
from dapolicy.synth import synthesize


def _profiled_workers(folder: str) -> None:
    """Make each worker process profile itself into ``folder`` (forked: inherited)."""
    real = _batch_workers._decide_lines
    # A forked child inherits the parent's profiler: it is turned off there first.
    os.register_at_fork(after_in_child=lambda: sys.setprofile(None))

    def profiled(job: Any) -> None:
        profile = cProfile.Profile()
        profile.enable()
        try:
            real(job)
        finally:
            profile.disable()
            profile.dump_stats(os.path.join(folder, f"worker-{os.getpid()}.prof"))

    _batch_workers._decide_lines = profiled


def _top(stats: pstats.Stats, title: str | None, top: int) -> None:
    """Print the ``top`` functions of ``stats`` by own and by cumulative time, with shares."""
    total = stats.total_tt  # type: ignore[attr-defined]
    for order, what in (("tottime", "own time"), ("cumulative", "cumulative time")):
        out = io.StringIO()
        stats.stream = out  # type: ignore[attr-defined]
        stats.strip_dirs().sort_stats(order).print_stats(top)
        heading = f"{title}: top" if title else "Top"
        whose = "its" if title else "the run's"
        print(f"\n## {heading} {top} by {what} (share of {whose} {total:.2f} s)\n")
        rows = out.getvalue().splitlines()
        start = next(i for i, row in enumerate(rows) if row.lstrip().startswith("ncalls"))
        print("  share " + rows[start])
        for row in rows[start + 1 :]:
            if not row.strip():
                continue
            fields = row.split()
            seconds = float(fields[1] if order == "tottime" else fields[3])
            print(f"{seconds / total:6.1%} {row}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=3000)
    parser.add_argument("--seed", type=int, default=30)
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument("--jobs", type=int, default=1, help="above 1: profile workers too")
    args = parser.parse_args()
    policy = default_policy()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "cases.jsonl"
        path.write_text("".join(to_json(c) + "\n" for c in synthesize(args.cases, args.seed)))
        warm = Path(tmp) / "warm.jsonl"
        warm.write_text("".join(to_json(c) + "\n" for c in synthesize(50, args.seed + 1)))
        list(assess_file(warm, policy))  # the first batch's lazy imports and code generation
        if args.jobs > 1:
            _profiled_workers(tmp)
        profile = cProfile.Profile()
        profile.enable()
        results = assess_file(path, policy, jobs=args.jobs)
        decided = sum(r.decision is not None for r in results)
        profile.disable()
        workers = [pstats.Stats(name) for name in glob.glob(os.path.join(tmp, "worker-*"))]
    if args.jobs > 1:
        print(
            f"# cProfile of assess_file(jobs={args.jobs}): {args.cases:,} cases of "
            f"synthesize({args.cases}, {args.seed}), {decided:,} decided, after a warm-up "
            f"batch, fast paths {'on' if _speedups.FAST else 'off'}; the parent and the "
            f"busiest of {len(workers)} workers, each under its own profiler."
        )
        _top(pstats.Stats(profile), "the parent", args.top)
        busiest = max(workers, key=lambda s: s.total_tt)  # type: ignore[attr-defined]
        _top(busiest, "the busiest worker", args.top)
        return
    stats = pstats.Stats(profile)
    total = stats.total_tt  # type: ignore[attr-defined]
    print(
        f"# cProfile of assess_file(): {args.cases:,} cases of synthesize({args.cases}, "
        f"{args.seed}), jobs=1, {decided:,} decided, after a warm-up batch, fast paths "
        f"{'on' if _speedups.FAST else 'off'}; {total:.2f} s under the profiler."
    )
    _top(stats, None, args.top)


if __name__ == "__main__":
    main()
