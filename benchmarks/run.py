"""Every ratio of issue 12 in one run: what ``nox -s bench`` calls.

Runs each benchmark script in its own process (engine, ingestion, writing, then end
to end, memory and growth), each printing its lines as it goes, and ends with one
table of every figure: the ratio of the minima, the ratio of the medians, the target
and whether it is met. The machine and its load (``uptime``, before and after) are
printed with it, since a shared machine's figures mean little without them.

    python benchmarks/run.py            # the sizes of docs/performance.md, a few minutes
    python benchmarks/run.py --quick    # small sizes, about a minute: a smoke run
    python benchmarks/run.py --pure     # the same with DAPOLICY_PURE_PYTHON=1
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent

#: Each script's arguments: the full sizes, then the quick ones.
SIZES: dict[str, tuple[list[str], list[str]]] = {
    "bench_engine.py": (["--cases", "2000", "--rounds", "7"], ["--cases", "500", "--rounds", "5"]),
    "bench_ingest.py": (
        ["--lines", "20000", "--rounds", "5"],
        ["--lines", "3000", "--rounds", "5"],
    ),
    "bench_write.py": (
        ["--decisions", "3000", "--rounds", "7"],
        ["--decisions", "1000", "--rounds", "5"],
    ),
    "bench_batch.py": (
        ["--records", "10000", "--rounds", "3", "--growth", "5000", "--no-jobs-1"],
        ["--records", "3000", "--rounds", "3", "--growth", "2000", "--no-jobs-1"],
    ),
}


def _uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()


def _commit() -> str:
    result = subprocess.run(
        ["git", "-C", str(HERE), "log", "-1", "--format=%h %cI"], capture_output=True, text=True
    )
    return result.stdout.strip() or "unknown"


def _figure(row: dict[str, object], key: str) -> str:
    value = float(row[key])  # type: ignore[arg-type]
    unit = row["unit"]
    if row["kind"] == "Ratio":
        return f"{value:.2f}x"
    if unit == "min":
        return f"{value / 60:.1f} min"
    return f"{value:,.0f} {unit}"


def table(rows: list[dict[str, object]]) -> list[str]:
    """The figures as a Markdown table (as docs/performance.md shows them)."""
    out = ["| measure | of the minima | of the medians | target | |", "|---|---|---|---|---|"]
    for row in rows:
        target = row["target"]
        if row["kind"] == "Ratio":
            low, mid = _figure(row, "minimum"), _figure(row, "median")
            goal = "—" if target is None else f"≤ {float(target):g}x"  # type: ignore[arg-type]
        else:
            low = mid = _figure(row, "value")
            goal = "≤ " + _figure({**row, "value": target}, "value")
        verdict = {True: "met", False: "**missed**", None: "reference"}[row["met"]]  # type: ignore[index]
        out.append(f"| {row['measure']} | {low} | {mid} | {goal} | {verdict} |")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes (a smoke run)")
    parser.add_argument("--pure", action="store_true", help="with DAPOLICY_PURE_PYTHON=1")
    parser.add_argument("--only", action="append", help="run only this script (repeatable)")
    parser.add_argument("--save", type=Path, help="also keep every figure here (JSON lines)")
    args = parser.parse_args()
    env = {**os.environ, "DAPOLICY_PURE_PYTHON": "1" if args.pure else ""}
    from dapolicy import __version__

    print(f"dapolicy {__version__} at {_commit()}, Python {platform.python_version()}")
    print(f"{platform.platform()}, {os.cpu_count()} cores; {_uptime()}")
    print(f"fast paths {'off (DAPOLICY_PURE_PYTHON=1)' if args.pure else 'on'}")
    if os.environ.get("PYTHONDONTWRITEBYTECODE"):
        print(
            "note: PYTHONDONTWRITEBYTECODE is set; bench_batch.py gives the command a "
            "bytecode cache of its own, as an installed command has (--no-bytecode-cache "
            "to measure it compiling its modules at every start)"
        )
    started = time.monotonic()
    with tempfile.TemporaryDirectory() as tmp:
        results = Path(tmp) / "results.jsonl"
        results.touch()
        for script, (full, quick) in SIZES.items():
            if args.only and script not in args.only:
                continue
            print(f"\n$ python benchmarks/{script} {' '.join(quick if args.quick else full)}")
            sys.stdout.flush()
            sizes = quick if args.quick else full
            subprocess.run(
                [sys.executable, str(HERE / script), *sizes, "--results", str(results)],
                check=True,
                cwd=HERE,
                env=env,
            )
        rows = [json.loads(line) for line in results.read_text().splitlines()]
        if args.save is not None:
            args.save.write_text(results.read_text())
    minutes = (time.monotonic() - started) / 60
    print(f"\nall figures ({minutes:.1f} min; {_uptime()}):\n")
    print("\n".join(table(rows)))


if __name__ == "__main__":
    main()
