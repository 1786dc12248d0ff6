"""Writing benchmark: ``to_json(Decision)`` against orjson of the same dict.

The decisions are real ones: synthetic cases assessed in order by the default policy
against a history, as ``dapolicy assess`` does, so they share what real decisions share
(the plug-ins' ``Reason`` objects, the policy's plug-in list). The baseline is
``orjson.dumps`` of each decision's ``to_dict`` form, made before timing: the cost of
the bytes alone, with nothing to convert. Before timing, the two must give the same
text for every decision (``to_json``'s byte form is the contract), so the ratio
compares equal output. Rounds alternate (``_harness.interleave``).

Run: ``nox -s bench`` (or ``python benchmarks/bench_write.py --decisions 3000``).
"""

from __future__ import annotations

import argparse
from pathlib import Path

import orjson
from _harness import Ratio, decide_in_order, interleave, report

from dapolicy import Decision, default_policy, to_dict, to_json
from dapolicy.batch import decision_time
from dapolicy.synth import synthesize

TARGET = 3.0


def make_decisions(n: int, seed: int) -> list[Decision]:
    """``n`` decisions, made as a batch makes them: in decision order, with a history."""
    cases = sorted(synthesize(n, seed), key=lambda c: decision_time(c).timestamp())
    return list(decide_in_order(default_policy(), cases))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--decisions", type=int, default=3000)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--seed", type=int, default=12)
    parser.add_argument("--results", type=Path, help="append the ratio here (JSON lines)")
    args = parser.parse_args()
    decisions = make_decisions(args.decisions, args.seed)
    dicts = [to_dict(d) for d in decisions]
    differ = sum(
        orjson.dumps(data).decode() != to_json(d) for d, data in zip(decisions, dicts, strict=True)
    )
    if differ:
        raise SystemExit(f"to_json and orjson differ on {differ} decisions: not comparable")
    size = sum(len(to_json(d).encode()) for d in decisions) / len(decisions)

    def ours() -> None:
        for decision in decisions:
            to_json(decision)

    def theirs() -> None:
        for data in dicts:
            orjson.dumps(data)

    timings = interleave({"dapolicy": ours, "orjson": theirs}, args.rounds, len(decisions))
    print(
        f"writing: {len(decisions)} decisions ({size:,.0f} bytes each on average), "
        "the same text from both"
    )
    report(
        Ratio(
            "to_json(Decision) / orjson of the same dict",
            timings["dapolicy"],
            timings["orjson"],
            TARGET,
        ),
        args.results,
    )


if __name__ == "__main__":
    main()
