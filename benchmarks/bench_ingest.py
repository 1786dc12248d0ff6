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
(``_harness.interleave``), each round reading every line a chunk of about
:data:`CHUNK` lines at a time, the sides taking turns on each chunk, so that a burst
of load on a shared machine falls on both sides alike (each chunk is a sample).
pydantic and msgspec are benchmark-only dependencies, installed by ``nox -s bench``.

Decisions: ``from_json(Decision, line)``, as ``dapolicy export``, ``verify`` and
``explain --decisions`` read a decisions file, against
``PydanticDecision.model_validate_json(line)`` (``_decision_models.py``: the same
checks in pydantic's spelling). No target of its own (a reference line); lines are the
policy's decisions of the same synthetic cases, a few broken so that both sides reject
the same ones.

Run: ``nox -s bench`` (or ``python benchmarks/bench_ingest.py --lines 20000``).
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path

import msgspec
from _decision_models import PydanticDecision
from _harness import Ratio, interleave, report
from _ingest_models import MsgspecCase, PydanticCase
from pydantic import BaseModel, ValidationError

from dapolicy import Case, Decision, default_policy, from_json, to_json
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


def make_decisions(n: int, seed: int) -> list[str]:
    policy = default_policy()
    lines = [to_json(policy.assess_case(case)) for case in synthesize(n, seed)]
    # A few broken, half by a blank rule id, half cut short: both sides reject them.
    for k in range(0, n, 97):
        blanked = lines[k].replace('"rule":"', '"rule":"   ","_":"', 1)
        lines[k] = blanked if k % 2 else lines[k][:-7]
    return lines


def readers(ours: type, theirs: type[BaseModel]) -> tuple[Callable[[str], bool], ...]:
    """dapolicy's reader of ``ours`` and pydantic's of ``theirs``: True if a line is valid."""

    def read_ours(line: str) -> bool:
        try:
            from_json(ours, line)
        except DapolicyValidationError:
            return False
        return True

    def read_theirs(line: str) -> bool:
        try:
            theirs.model_validate_json(line)
        except ValidationError:
            return False
        return True

    return read_ours, read_theirs


def bench_decisions(args: argparse.Namespace) -> None:
    lines = make_decisions(args.decisions, args.seed)
    ours, theirs = readers(Decision, PydanticDecision)
    disagree = sum(ours(line) != theirs(line) for line in lines)
    if disagree:
        raise SystemExit(f"dapolicy and pydantic disagree on {disagree} decisions")
    bad = sum(not ours(line) for line in lines)
    timings = timed({"dapolicy": ours, "pydantic": theirs}, lines, args.rounds, DECISIONS_CHUNK)
    print(f"decisions: {len(lines)} lines ({bad} invalid, rejected by both), from_json(Decision)")
    report(
        Ratio(
            "from_json(Decision) / pydantic model_validate_json",
            timings["dapolicy"],
            timings["pydantic"],
            None,
        ),
        args.results,
    )


#: About how many cases one timed call reads (one sample of each side), and decisions
#: (four times the size).
CHUNK, DECISIONS_CHUNK = 2000, 500


def timed(
    checks: dict[str, Callable[[str], bool]], lines: list[str], rounds: int, chunk: int = CHUNK
) -> dict[str, list[float]]:
    """Seconds a line for each side, a sample a chunk: ``rounds`` times every line.

    The chunks are every n-th line (their sizes differ by one at most), and in each
    turn every side reads the same chunk, one after the other.
    """
    count = max(1, round(len(lines) / chunk))
    chunks = [lines[k::count] for k in range(count)]

    def side(check: Callable[[str], bool]) -> Callable[[], None]:
        turn = iter(range(rounds * count))

        def next_chunk() -> None:
            for line in chunks[next(turn) % count]:
                check(line)

        return next_chunk

    sides = {name: side(check) for name, check in checks.items()}
    return interleave(sides, rounds * count, len(lines) / count)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--lines", type=int, default=20000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=6)
    parser.add_argument("--decisions", type=int, help="decisions to read (default: lines / 4)")
    parser.add_argument("--results", type=Path, help="append the ratios here (JSON lines)")
    args = parser.parse_args()
    lines = make_lines(args.lines, args.seed)
    structs = msgspec.json.Decoder(MsgspecCase)
    ours, theirs = readers(Case, PydanticCase)

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

    timings = timed(
        {"dapolicy": ours, "pydantic": theirs, "msgspec": reference}, lines, args.rounds
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
    if args.decisions is None:
        args.decisions = max(args.lines // 4, 1)
    if args.decisions:
        bench_decisions(args)


if __name__ == "__main__":
    main()
