"""What grows with a run's size: a record's function calls early and late in one history.

One process, one history, the lines of a ``dapolicy synth`` file decided in the batch's
decision order (:func:`dapolicy.batch.order_key`) as ``dapolicy assess --jobs 1`` decides
them (:func:`dapolicy._batch_line.decide_line`: parse, assess, record). cProfile is on
only for the windows asked for (``--windows 20000:25000,255000:260000``), so the run
between them goes at full speed; each window's calls are printed per record, and the
functions whose calls differ most between the first window and the last. Counted in
function calls, which the machine's load does not move (times are printed too, but a
profiled microsecond says little). ``--time`` measures each window's CPU time instead,
with no profiler.

    python benchmarks/history_growth.py cases.jsonl --windows 20000:25000,255000:260000

The file is read by offset (a 300,000-line file is not held in memory).
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import time
from typing import Any

from dapolicy import default_policy
from dapolicy._batch_line import decide_line
from dapolicy.batch import order_key, parse_line
from dapolicy.history import InMemoryHistory


def _lines(path: str, limit: int) -> tuple[list[int], list[int]]:
    """Every line's offset and length, up to the ``limit``-th (decision order is global)."""
    offsets, lengths = [], []
    with open(path, "rb") as source:
        at = 0
        for line in source:
            offsets.append(at)
            lengths.append(len(line))
            at += len(line)
    return offsets, lengths


def _counts(stats: pstats.Stats) -> dict[str, int]:
    out: dict[str, int] = {}
    for (file, line, name), row in stats.stats.items():  # type: ignore[attr-defined]
        where = file.rsplit("/", 2)[-1] if "/" in file else file
        out[f"{where}:{line}({name})"] = row[1]  # total calls
    return out


def main() -> None:
    """Decide the file's lines in order and print each window's calls per record."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("path")
    parser.add_argument("--windows", default="20000:25000,255000:260000")
    parser.add_argument("--time", action="store_true", help="CPU time, no profiler")
    parser.add_argument("--top", type=int, default=25)
    args = parser.parse_args()
    windows = [tuple(int(n) for n in part.split(":")) for part in args.windows.split(",")]
    last = max(end for _, end in windows)
    offsets, lengths = _lines(args.path, last)
    with open(args.path, "rb") as source:

        def raw(number: int) -> bytes:
            source.seek(offsets[number - 1])
            return source.read(lengths[number - 1])

        order = sorted(
            range(1, len(offsets) + 1), key=lambda number: order_key(number, raw(number))
        )
        policy, history = default_policy(), InMemoryHistory()
        results: list[dict[str, Any]] = []
        position = 0
        for start, end in windows:
            for number in order[position:start]:
                decide_line(policy, history, number, raw(number), parse_line)
            chunk = [(number, raw(number)) for number in order[start:end]]
            profile = None if args.time else cProfile.Profile()
            began = time.process_time()
            if profile is not None:
                profile.enable()
            for number, line in chunk:
                decide_line(policy, history, number, line, parse_line)
            if profile is not None:
                profile.disable()
            spent = time.process_time() - began
            position = end
            found: dict[str, Any] = {"window": (start, end), "us": 1e6 * spent / (end - start)}
            if profile is not None:
                stats = pstats.Stats(profile)
                found["calls"] = stats.total_calls  # type: ignore[attr-defined]
                found["counts"] = _counts(stats)
            results.append(found)
            records = end - start
            line = f"records {start:,} to {end:,}: {found['us']:.0f} us a record"
            if profile is not None:
                line += f", {found['calls'] / records:.1f} calls a record"
            print(line, f"(history: {len(history):,} incidents)", flush=True)
    if args.time or len(results) < 2:
        return
    first, final = results[0], results[-1]
    scale = 5000 / (first["window"][1] - first["window"][0])
    scale_last = 5000 / (final["window"][1] - final["window"][0])
    rows = []
    for name in set(first["counts"]) | set(final["counts"]):
        a = first["counts"].get(name, 0) * scale
        b = final["counts"].get(name, 0) * scale_last
        rows.append((abs(b - a), name, a, b))
    rows.sort(reverse=True)
    print(f"\ncalls a 5,000 records, first window against last (top {args.top} by change):")
    for _, name, a, b in rows[: args.top]:
        print(f"  {a:>10,.0f} {b:>10,.0f}  {name}")


if __name__ == "__main__":
    main()
