"""Engine benchmark: ``Policy.assess`` against the same rules hand-written over dicts.

Both sides grade the same deterministic cases (DASH forms, crimes and non-crime
incidents, children, vulnerable victims, histories with prior incidents and MARAC
referrals). The hand-written side is one plain function implementing the default
built-in rules directly: DASH bands, the series rule, the four MARAC criteria, IDVA,
children's and adult social care, the hub thresholds, welfare checks, the seven-step
plan with its due times, and allocation. Before timing, the two must agree on grade,
referrals, every task's name and due time, and allocation for every case -- so the
ratio compares equal work. Rounds alternate so machine noise hits both alike; the
figure is the ratio of median times per case.

Run: ``nox -s bench`` (or ``python benchmarks/bench_engine.py --cases 2000 --rounds 7``).
"""

from __future__ import annotations

import argparse
import bisect
import random
import statistics
import time
from datetime import UTC, date, datetime, timedelta
from typing import Any

from dapolicy import (
    AbuseType,
    Answer,
    Child,
    Crime,
    Incident,
    InMemoryHistory,
    OffenceCategory,
    Person,
    Relationship,
    RelationshipKind,
    RiskForm,
    Vulnerability,
    default_policy,
)
from dapolicy._time import add_local, months_before
from dapolicy.history import HistoryEntry, MaracReferralEntry
from dapolicy.models._base import micros

START = datetime(2024, 1, 1, tzinfo=UTC)
LATER = datetime(2100, 1, 1, tzinfo=UTC)  # every entry is known by then
OFFENCES = (
    OffenceCategory.ASSAULT_WITH_INJURY,
    OffenceCategory.HARASSMENT,
    OffenceCategory.SEXUAL_OFFENCE,
)


def make_cases(n: int, seed: int) -> tuple[list[tuple[Incident, RiskForm]], InMemoryHistory]:
    rng = random.Random(seed)
    history = InMemoryHistory()
    cases = []
    for k in range(n):
        pair = k % (n // 3 + 1)
        victim, suspect = f"V{pair}", f"S{pair}"
        reported = START + timedelta(minutes=37 * k)
        for j in range(rng.randint(0, 3)):
            when = reported - timedelta(days=rng.randint(1, 500))
            history.record_incident(HistoryEntry(f"P{k}-{j}", victim, suspect, when))
        if rng.random() < 0.1:
            referred = reported - timedelta(days=rng.randint(1, 500))
            history.record_marac_referral(MaracReferralEntry(victim, suspect, referred, f"M{k}"))
        children = tuple(
            Child(
                f"C{k}-{c}", rng.randint(0, 17), present=rng.random() < 0.5, usually_resident=True
            )
            for c in range(rng.choice((0, 0, 1, 2)))
        )
        crime = (
            Crime(f"CR{k}", rng.choice(OFFENCES), arrest_made=True) if rng.random() < 0.4 else None
        )
        marks = [Vulnerability.DISABILITY] if rng.random() < 0.15 else []
        incident = Incident(
            f"I{k}",
            reported,
            reported - timedelta(minutes=30),
            Person(victim, date_of_birth=date(1990, 1, 1), vulnerabilities=marks),
            Person(suspect, date_of_birth=date(1988, 1, 1)),
            Relationship(RelationshipKind.INTIMATE_PARTNER),
            frozenset({AbuseType.PHYSICAL}),
            children,
            crime=crime,
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

DETECTIVE = {"assault_with_intent", "sexual_offence", "threats_to_kill"}
PLAN = (
    ("step-1-respond", "h", 1),
    ("step-2-intelligence", "h", 1),
    ("step-3-positive-action", "h", 1),
    ("step-4-neighbourhood-visit", "h", 24),
    ("action-plan-review", "d", 10),
    ("step-5-reassurance-visits", "d", 15),
    ("step-6-inspector-letter", "d", 15),
    ("action-plan-review", "d", 20),
    ("step-7-review-visit", "d", 28),
)


def plain_history(
    history: InMemoryHistory, cases: list[tuple[Incident, RiskForm]]
) -> dict[str, Any]:
    far = timedelta(days=3650)
    incidents: dict[str, list[int]] = {}
    marac: dict[tuple[str, str], int] = {}
    for incident, _ in cases:
        victim, suspect = incident.victim.id, incident.suspect.id
        entries = history.incidents(victim, since=START - far, until=START + far, known_at=LATER)
        incidents[victim] = [micros(e.occurred_at) for e in entries]
        last = history.last_marac_referral(victim, suspect, before=START + far, known_at=LATER)
        if last is not None:
            marac[(victim, suspect)] = micros(last.referred_at)
    return {"incidents": incidents, "marac": marac}


def assess_plain(case: dict[str, Any], hist: dict[str, Any]) -> dict[str, Any]:
    answers = case["answers"]
    score = sum(1 for i in range(1, 28) if answers.get(str(i)) == "yes")
    grade = 2 if score >= 14 else 1 if score >= 10 else 0
    occurred_at, reported_at = case["occurred_at"], case["reported_at"]
    occurred, since = micros(occurred_at), micros(months_before(occurred_at, 12))
    times = hist["incidents"].get(case["victim"], [])
    prior = bisect.bisect_right(times, occurred) - bisect.bisect_left(times, since)
    if prior + 1 >= 3:
        grade = 2
    referrals = set()
    last = hist["marac"].get((case["victim"], case["suspect"]))
    if grade == 2 or prior + 1 >= 3 or (last is not None and since <= last <= occurred):
        referrals.add("marac")
    if grade == 2:
        referrals.add("idva")
    children = [c for c in case["children"] if c["present"] or c["usually_resident"]]
    if children:
        referrals.add("childrens_social_care")
    if case["vulnerable"]:
        referrals.add("adult_social_care")
    if grade >= 1 or prior > 0 or children or case["vulnerable"]:
        referrals.add("partnership_hub")
    tasks = [
        ("child-welfare-check", add_local(reported_at, hours=1 if c["present"] else 24))
        for c in children
    ]
    tasks += [
        (what, add_local(reported_at, hours=n) if unit == "h" else add_local(reported_at, days=n))
        for what, unit, n in PLAN
    ]
    allocation = None
    if case["offence"] is not None:
        if case["offence"] in DETECTIVE:
            allocation = "detective"
        elif grade == 2:
            allocation = "trained_da_investigator"
        else:
            allocation = "response_officer"
    return {
        "grade": ("standard", "medium", "high")[grade],
        "referrals": referrals,
        "tasks": sorted((micros(due), what) for what, due in tasks),
        "allocation": allocation,
    }


def to_plain(incident: Incident, form: RiskForm) -> dict[str, Any]:
    return {
        "victim": incident.victim.id,
        "suspect": incident.suspect.id,
        "occurred_at": incident.occurred_at,
        "reported_at": incident.reported_at,
        "answers": {k: v.value for k, v in form.answers.items()},
        "children": [
            {"present": c.present, "usually_resident": c.usually_resident}
            for c in incident.children
        ],
        "vulnerable": bool(incident.victim.vulnerabilities),
        "offence": incident.crime.offence.value if incident.crime else None,
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
        got = {
            "grade": d.grade.value,
            "referrals": {r.destination.value for r in d.referrals},
            "tasks": sorted((micros(t.due_by), t.what) for t in d.tasks),
            "allocation": d.allocation.level.value if d.allocation else None,
        }
        mismatches += got != assess_plain(case, hist)
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
    print(f"  ratio dapolicy/plain    {ours / base:9.1f}x   (target <= 3x)")


if __name__ == "__main__":
    main()
