"""What the plug-in guard costs a decision: ``Policy.assess`` CPU time per case.

Two policies over ``bench_engine``'s deterministic cases: the built-ins alone, and the
built-ins plus a force's plug-in on every decision hook that gives nothing (the guard
snapshots what such a plug-in is given, and checks it after each of its calls). The
figure is the least of ``--rounds`` rounds of CPU time (``time.process_time``), which
a shared machine disturbs less than wall time.

Run it against another checkout to compare: ``PYTHONPATH=/path/to/other/src python
benchmarks/bench_guard.py`` (the cases and the plug-in come from this folder).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))

from bench_engine import make_cases

from dapolicy import Policy, default_policy, hookimpl


class NoOpForcePlugin:
    """A force's plug-in on every decision hook that adds nothing."""

    @hookimpl
    def dapolicy_assess_risk(self, incident: Any, form: Any, history: Any, settings: Any) -> None:
        return None

    @hookimpl
    def dapolicy_escalations(
        self, incident: Any, form: Any, decision: Any, history: Any, settings: Any
    ) -> list[Any]:
        return []

    @hookimpl
    def dapolicy_referrals(
        self, incident: Any, form: Any, decision: Any, history: Any, settings: Any
    ) -> list[Any]:
        return []

    @hookimpl
    def dapolicy_tasks(self, incident: Any, decision: Any, settings: Any) -> list[Any]:
        return []

    @hookimpl
    def dapolicy_allocate(self, incident: Any, decision: Any, settings: Any) -> None:
        return None


def per_case(policy: Policy, cases: list[Any], history: Any, rounds: int) -> float:
    """The least CPU time of one round, per case, in microseconds."""
    best = float("inf")
    for _ in range(rounds):
        start = time.process_time()
        for incident, form in cases:
            policy.assess(incident, form, history=history, now=incident.reported_at)
        best = min(best, (time.process_time() - start) / len(cases))
    return best * 1e6


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    cases, history = make_cases(args.cases, args.seed)
    builtins = default_policy()
    forced = builtins.with_plugins(NoOpForcePlugin())
    print(f"guard: {len(cases)} cases, least of {args.rounds} rounds of CPU time")
    for label, policy in (("built-ins only", builtins), ("with a no-op force plug-in", forced)):
        print(f"  {label:<28} {per_case(policy, cases, history, args.rounds):8.1f} us/case")


if __name__ == "__main__":
    main()
