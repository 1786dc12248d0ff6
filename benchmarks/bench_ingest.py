"""Ingestion benchmark: JSON lines to validated objects, dapolicy against pydantic v2.

dapolicy: ``from_json(Case, line)`` with the default converter, as ``dapolicy assess``
reads each line (a failing record is re-read on the detailed path, so every error
has its path). pydantic: ``PydanticCase.model_validate_json(line)`` on equivalent
models (``_ingest_models.py``): strict types, unknown keys forbidden, aware datetimes,
the same enums and the same cross-field invariants. A reference line: msgspec
``Struct``s with the same constraints (``forbid_unknown_fields``, ``Meta`` bounds and
patterns, the invariants in ``__post_init__``), the fastest validating reader in
Python we know of. All three must
agree on which lines are valid before anything is timed; rounds alternate
(``_harness.interleave``). pydantic and msgspec are benchmark-only dependencies,
installed by ``nox -s bench``.

Run: ``nox -s bench`` (or ``python benchmarks/bench_ingest.py --lines 20000``).
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path

import msgspec
from _harness import Ratio, interleave, report
from _ingest_models import MsgspecCase, PydanticCase
from pydantic import ValidationError

from dapolicy import Case, from_json, to_json
from dapolicy.errors import ValidationError as DapolicyValidationError
from dapolicy.synth import synthesize

TARGET = 1.5


def make_lines(n: int, seed: int) -> list[str]:
    lines = [to_json(case) for case in synthesize(n, seed)]
    # A few bad records, as a real extract has: every side must reject the same ones.
    for k in range(0, n, 97):
        lines[k] = (
            lines[k].replace('"age":', '"age":"x",  "_":', 1)
            if '"age":' in lines[k]
            else lines[k][:-7]
        )
    return lines


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--lines", type=int, default=20000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=6)
    parser.add_argument("--results", type=Path, help="append the ratios here (JSON lines)")
    args = parser.parse_args()
    lines = make_lines(args.lines, args.seed)
    structs = msgspec.json.Decoder(MsgspecCase)

    def ours(line: str) -> bool:
        try:
            from_json(Case, line)
        except DapolicyValidationError:
            return False
        return True

    def theirs(line: str) -> bool:
        try:
            PydanticCase.model_validate_json(line)
        except ValidationError:
            return False
        return True

    def reference(line: str) -> bool:
        try:
            structs.decode(line)
        except msgspec.ValidationError:
            return False
        except msgspec.DecodeError:
            return False
        return True

    verdicts = [(ours(line), theirs(line), reference(line)) for line in lines]
    for name, k in (("pydantic", 1), ("msgspec", 2)):
        disagree = sum(v[0] != v[k] for v in verdicts)
        if disagree:
            raise SystemExit(f"dapolicy and {name} disagree on {disagree} lines: not comparable")
    bad = sum(not v[0] for v in verdicts)

    def run(check: Callable[[str], bool]) -> Callable[[], None]:
        def every_line() -> None:
            for line in lines:
                check(line)

        return every_line

    timings = interleave(
        {"dapolicy": run(ours), "pydantic": run(theirs), "msgspec": run(reference)},
        args.rounds,
        len(lines),
    )
    print(
        f"ingestion: {len(lines)} lines ({bad} invalid, rejected by all three), "
        "from_json(Case) with the default converter"
    )
    report(
        Ratio(
            "from_json(Case) / pydantic model_validate_json",
            timings["dapolicy"],
            timings["pydantic"],
            TARGET,
        ),
        args.results,
    )
    report(
        Ratio(
            "from_json(Case) / msgspec Structs (reference)",
            timings["dapolicy"],
            timings["msgspec"],
            None,
        ),
        args.results,
    )


if __name__ == "__main__":
    main()
