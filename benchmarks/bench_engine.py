"""Engine benchmark: ``Policy.assess`` against the same rules hand-written over dicts.

Both sides grade the same deterministic cases (DASH forms, histories with prior
incidents and MARAC referrals, children); the hand-written side is one plain function
that implements the default built-in rules directly. Rounds alternate between the two
so machine noise hits both alike; the figure is the ratio of median times per case.
Before timing, the two are checked to agree on grade, referrals and task count for
every case, so the ratio compares equal work.

Run: ``nox -s bench`` (or ``python benchmarks/bench_engine.py --cases 2000 --rounds 7``).
"""

from __future__ import annotations

import argparse
import bisect
import random
import statistics
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from dapolicy import (
    AbuseType,
    Answer,
    Child,
    Incident,
    InMemoryHistory,
    Person,
    Relationship,
    RelationshipKind,
    RiskForm,
    default_policy,
    to_dict,
)
from dapolicy._time import months_before
from dapolicy.history import HistoryEntry, MaracReferralEntry

START = datetime(2024, 1, 1, tzinfo=UTC)


def make_cases(n: int, seed: int) -> tuple[list[tuple[Incident, RiskForm]], InMemoryHistory]:
    rng = random.Random(seed)
    history = InMemoryHistory()
    cases = []
    for k in range(n):
        victim, suspect = f"V{k % (n // 3 + 1)}", f"S{k % (n // 3 + 1)}"
        reported = START + timedelta(minutes=37 * k)
        for j in range(rng.randint(0, 3)):
            when = reported - timedelta(days=rng.randint(1, 500))
            history.record_incident(HistoryEntry(f"P{k}-{j}", victim, suspect, when))
        if rng.random() < 0.1:
            history.record_marac_referral(
                MaracReferralEntry(
                    victim, suspect, reported - timedelta(days=rng.randint(1, 500)), f"M{k}"
                )
            )
        children = tuple(
            Child(
                f"C{k}-{c}", rng.randint(0, 17), present=rng.random() < 0.5, usually_resident=True
            )
            for c in range(rng.choice((0, 0, 1, 2)))
        )
        incident = Incident(
            f"I{k}",
            reported,
            reported - timedelta(minutes=30),
            Person(victim),
            Person(suspect),
            Relationship(RelationshipKind.INTIMATE_PARTNER),
            frozenset({AbuseType.PHYSICAL}),
            children,
        )
        answers = {
            str(i): rng.choice((Answer.YES, Answer.NO, Answer.NO, Answer.NOT_KNOWN))
            for i in range(1, 28)
        }
        cases.append(
            (incident, RiskForm(incident.id, "dash-2009-police", answers, "PC1", reported))
        )
    return cases, history


# --- the same rules, hand-written over plain dicts ------------------------------------


def plain_history(
    history: InMemoryHistory, cases: list[tuple[Incident, RiskForm]]
) -> dict[str, Any]:
    incidents: dict[str, list[float]] = {}
    marac: dict[tuple[str, str], list[float]] = {}
    for victim in {i.victim.id for i, _ in cases}:
        entries = history.incidents(
            victim, since=START - timedelta(days=3650), until=START + timedelta(days=3650)
        )
        incidents[victim] = sorted(e.occurred_at.timestamp() for e in entries)
        referral = history.last_marac_referral(
            victim, "S" + victim[1:], before=START + timedelta(days=3650)
        )
        marac[(victim, "S" + victim[1:])] = (
            [] if referral is None else [referral.referred_at.timestamp()]
        )
    return {"incidents": incidents, "marac": marac}


def assess_plain(case: dict[str, Any], hist: dict[str, Any]) -> dict[str, Any]:
    answers = case["answers"]
    score = sum(1 for i in range(1, 28) if answers.get(str(i)) == "yes")
    grade = 2 if score >= 14 else 1 if score >= 10 else 0
    occurred_at = case["occurred_at"]
    occurred = occurred_at.timestamp()
    since = months_before(occurred_at, 12).timestamp()
    times = hist["incidents"].get(case["victim"], [])
    prior = bisect.bisect_right(times, occurred) - bisect.bisect_left(times, since)
    if prior + 1 >= 3:
        grade = 2
    referrals = set()
    marac = grade == 2 or prior + 1 >= 3
    last = hist["marac"].get((case["victim"], case["suspect"]), [])
    if last and since <= last[-1] <= occurred:
        marac = True
    if marac:
        referrals.add("marac")
    if grade == 2:
        referrals.add("idva")
    children = [c for c in case["children"] if c["present"] or c["usually_resident"]]
    if children:
        referrals.add("childrens_social_care")
    if grade >= 1 or prior > 0 or children:
        referrals.add("partnership_hub")
    tasks = [(c["id"], occurred + (3600 if c["present"] else 86400)) for c in children]
    return {
        "grade": ("standard", "medium", "high")[grade],
        "referrals": referrals,
        "tasks": len(tasks),
    }


def to_plain(incident: Incident, form: RiskForm) -> dict[str, Any]:
    return {
        "victim": incident.victim.id,
        "suspect": incident.suspect.id,
        "occurred_at": incident.occurred_at,
        "answers": to_dict(form)["answers"],
        "children": [to_dict(c) for c in incident.children],
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--seed", type=int, default=20140327)
    args = parser.parse_args()
    cases, history = make_cases(args.cases, args.seed)
    policy = default_policy()
    plain = [to_plain(i, f) for i, f in cases]
    hist = plain_history(history, cases)

    mismatches = 0
    for (incident, form), case in zip(cases, plain, strict=True):
        d = policy.assess(incident, form, history=history, now=incident.reported_at)
        p = assess_plain(case, hist)
        got = {
            "grade": d.grade.value,
            "referrals": {r.destination.value for r in d.referrals},
            "tasks": len(d.tasks),
        }
        mismatches += got != p
    if mismatches:
        raise SystemExit(f"the two implementations disagree on {mismatches} cases: not comparable")

    def run_policy() -> None:
        for incident, form in cases:
            policy.assess(incident, form, history=history, now=incident.reported_at)

    def run_plain() -> None:
        for case in plain:
            assess_plain(case, hist)

    timings: dict[str, list[float]] = {"dapolicy": [], "plain": []}
    for _ in range(args.rounds):
        for name, fn in (("dapolicy", run_policy), ("plain", run_plain)):
            t0 = time.perf_counter()
            fn()
            timings[name].append((time.perf_counter() - t0) / len(cases))
    ours, base = statistics.median(timings["dapolicy"]), statistics.median(timings["plain"])
    print(f"engine: {len(cases)} cases x {args.rounds} rounds, outputs agree on every case")
    print(f"  dapolicy Policy.assess  {ours * 1e6:9.1f} us/case")
    print(f"  hand-written function   {base * 1e6:9.1f} us/case")
    print(f"  ratio dapolicy/plain    {ours / base:9.1f}x")


if __name__ == "__main__":
    main()
