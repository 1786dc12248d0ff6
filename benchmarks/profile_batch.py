"""Where a batch's time goes: cProfile of one ``assess_file`` run, its top functions.

One process (``jobs=1``), the default policy, N synthetic cases written as
``dapolicy synth`` writes them; every result is read, as the command reads them to
write them out. A batch of 50 other cases runs first, unprofiled, so the one-off
costs of a first batch (lazy imports, cattrs' generated functions) are left out.
Prints the top functions by own time and by cumulative time, with the share of the
whole run each takes (cProfile's overhead inflates small, often-called functions;
read the shares, not the seconds).

    python benchmarks/profile_batch.py --cases 3000 > docs/profiles/batch-cprofile.txt
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import tempfile
from pathlib import Path

from dapolicy import _speedups, default_policy, to_json
from dapolicy.batch import assess_file
from dapolicy.synth import synthesize


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=3000)
    parser.add_argument("--seed", type=int, default=30)
    parser.add_argument("--top", type=int, default=30)
    args = parser.parse_args()
    policy = default_policy()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "cases.jsonl"
        path.write_text("".join(to_json(c) + "\n" for c in synthesize(args.cases, args.seed)))
        warm = Path(tmp) / "warm.jsonl"
        warm.write_text("".join(to_json(c) + "\n" for c in synthesize(50, args.seed + 1)))
        list(assess_file(warm, policy))  # the first batch's lazy imports and code generation
        profile = cProfile.Profile()
        profile.enable()
        decided = sum(r.decision is not None for r in assess_file(path, policy))
        profile.disable()
    stats = pstats.Stats(profile)
    total = stats.total_tt  # type: ignore[attr-defined]
    print(
        f"# cProfile of assess_file(): {args.cases:,} cases of synthesize({args.cases}, "
        f"{args.seed}), jobs=1, {decided:,} decided, after a warm-up batch, fast paths "
        f"{'on' if _speedups.FAST else 'off'}; {total:.2f} s under the profiler."
    )
    for order, title in (("tottime", "own time"), ("cumulative", "cumulative time")):
        out = io.StringIO()
        pstats.Stats(profile, stream=out).strip_dirs().sort_stats(order).print_stats(args.top)
        print(f"\n## Top {args.top} by {title} (share of the run's {total:.2f} s)\n")
        rows = out.getvalue().splitlines()
        start = next(i for i, row in enumerate(rows) if row.lstrip().startswith("ncalls"))
        print("  share " + rows[start])
        for row in rows[start + 1 :]:
            if not row.strip():
                continue
            fields = row.split()
            seconds = float(fields[1] if order == "tottime" else fields[3])
            print(f"{seconds / total:6.1%} {row}")


if __name__ == "__main__":
    main()
