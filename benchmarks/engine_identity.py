"""Are the engine's decisions byte for byte what another checkout's are?

Decides ``dapolicy synth`` cases in order with an ``InMemoryHistory`` (recording each
decision, and each call, as ``dapolicy assess`` does) under four policies: the
built-ins; the built-ins with a force's no-op plug-in on every hook (so the guard's
snapshots run); the same with a busy force plug-in that fails in every way the guard
records deterministically (raises, returns the wrong type, refers another person, sets
a task due before the report or in another zone, floods the caps, changes the draft
decision, keeps a reference and changes it later); and a policy with dated versions
and small caps. It prints one SHA-256 of the ``to_json`` lines for each policy, or
writes the lines themselves with ``--lines``.

Compare two checkouts (each run with its own source)::

    PYTHONPATH=/path/to/old/src python benchmarks/engine_identity.py --cases 3000 > old
    python benchmarks/engine_identity.py --cases 3000 > new
    diff old new
"""

from __future__ import annotations

import argparse
import hashlib
import os
import sys
import tempfile
from collections.abc import Iterator
from datetime import UTC, timedelta
from pathlib import Path
from typing import Any

os.environ.setdefault("DAPOLICY_DISABLE_ENTRY_POINTS", "1")

from _harness import decide_in_order  # below the environment line: it imports dapolicy

from dapolicy import (
    Destination,
    Policy,
    Reason,
    Referral,
    Task,
    default_policy,
    hookimpl,
)
from dapolicy.serialization import to_json
from dapolicy.settings import load_settings
from dapolicy.synth import synthesize

WHY = (Reason("force.test", "a force's test plug-in", "for the identity check"),)


class NoOp:
    """A force's plug-in on every decision hook that adds nothing."""

    @hookimpl
    def dapolicy_assess_risk(self, incident: Any) -> None:
        return None

    @hookimpl
    def dapolicy_escalations(self, decision: Any) -> list[Any]:
        return []

    @hookimpl
    def dapolicy_referrals(self, decision: Any) -> list[Any]:
        return []

    @hookimpl
    def dapolicy_tasks(self, decision: Any) -> list[Any]:
        return []

    @hookimpl
    def dapolicy_allocate(self, decision: Any) -> None:
        return None


class Busy:
    """A force's plug-in that goes wrong in each deterministic way, by the case's number."""

    def __init__(self) -> None:
        self.kept: Any = None

    @hookimpl
    def dapolicy_assess_risk(self, incident: Any) -> Any:
        n = int(incident.id[-6:])
        if n % 7 == 0:
            raise ValueError("boom")
        if n % 11 == 0:
            return "not a finding"
        if n % 31 == 0:
            object.__setattr__(incident, "counter_allegation", not incident.counter_allegation)
        return None

    @hookimpl
    def dapolicy_referrals(self, incident: Any, decision: Any) -> Iterator[Any]:
        n = int(incident.id[-6:])
        if n % 5 == 0:
            yield Referral(Destination.MASH, "SOMEONE-ELSE", WHY)
        if n % 9 == 0:
            yield Referral(Destination.SANCTUARY_SCHEME, incident.victim.id, WHY, ("force",))
        if n % 13 == 0:
            object.__setattr__(decision, "grade", decision.grade)  # same value: no change
        if n % 17 == 0:
            self.kept = decision
        if n % 19 == 0:
            raise SystemExit(0)

    @hookimpl
    def dapolicy_tasks(self, incident: Any, decision: Any) -> Iterator[Any]:
        n = int(incident.id[-6:])
        victim = incident.victim.id
        reported = incident.reported_at
        if n % 3 == 0:
            yield Task(
                "force-utc-call", victim, (reported + timedelta(hours=5)).astimezone(UTC), WHY
            )
        if n % 4 == 0:
            yield Task("force-too-early", victim, reported - timedelta(minutes=1), WHY)
        if n % 6 == 0:
            for k in range(40):
                yield Task(f"force-flood-{k}", victim, reported + timedelta(days=k + 1), WHY)
        if n % 8 == 0:
            object.__setattr__(decision, "needs_review", not decision.needs_review)
        if n % 17 == 0 and self.kept is not None:  # the referrals' draft, kept
            object.__setattr__(self.kept, "repeat_victim", not self.kept.repeat_victim)
        if n % 23 == 0:
            yield 42

    @hookimpl
    def dapolicy_allocate(self, incident: Any) -> Any:
        if int(incident.id[-6:]) % 29 == 0:
            return ["wrong"]
        return None


#: Small caps (the busy plug-in's floods reach them), and a national version from
#: March 2013 with a shorter plan and a review date (the overdue prompt).
VERSIONS_TOML = """
review_by = 2013-01-01
[limits]
max_tasks = 24
max_reasons = 24

[[versions]]
id = "national-2013"
from = 2013-03-01
review_by = 2013-06-01
[versions.seven_step]
review_days = 21
action_plan_review_days = 7
"""


def policies() -> list[tuple[str, Policy]]:
    """The policies compared, by name."""
    base = default_policy()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder, "policy.toml")
        path.write_text(VERSIONS_TOML, encoding="utf-8")
        dated = load_settings(path)
    return [
        ("built-ins", base),
        ("no-op force plug-in", base.with_plugins(NoOp())),
        ("busy force plug-in", base.with_plugins(Busy())),
        ("dated versions, small caps, busy", base.with_plugins(Busy(), settings=dated)),
    ]


def decide(policy: Policy, cases: list[Any]) -> Iterator[str]:
    """Each case's decision as ``to_json`` text, recorded in order as the command does."""
    return (to_json(decision) for decision in decide_in_order(policy, cases))


def main() -> None:
    """Print one digest per policy (or every line, with ``--lines``)."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=3000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--lines", action="store_true", help="write every decision line")
    args = parser.parse_args()
    cases = list(synthesize(args.cases, seed=args.seed))
    for name, policy in policies():
        digest = hashlib.sha256()
        for line in decide(policy, cases):
            digest.update(line.encode() + b"\n")
            if args.lines:
                sys.stdout.write(f"{name}\t{line}\n")
        print(f"{name}: {args.cases} cases, sha256 {digest.hexdigest()}")


if __name__ == "__main__":
    main()
