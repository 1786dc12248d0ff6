"""Engine benchmark: ``Policy.assess`` against the same rules hand-written over dicts.

Both sides grade the same deterministic cases (DASH forms with "not known" answers,
crimes with and without outcomes and non-crime incidents, children in the household
and child victims in their own right, weapons, stalking, vulnerable victims, victims
and suspects under 16 or of unknown age, relationships domestic under one definition
and not the other, incidents before and after 31 January 2022, histories with prior
incidents and MARAC referrals, some recorded late). The hand-written side is
``_plain_rules.assess_plain``, every built-in rule the default policy applies to an
incident written out directly. Before timing, the two must agree on grade, referrals,
every task's name and due time, allocation, needs-review and the policy version for
every case -- so the ratio compares equal work. Rounds alternate so machine noise hits
both alike (``_harness.interleave``); the figures are the ratio of the median rounds
and of the minima.

Run: ``nox -s bench`` (or ``python benchmarks/bench_engine.py --cases 2000 --rounds 7``).
"""

from __future__ import annotations

import argparse
import random
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from _harness import Ratio, interleave, report
from _plain_rules import assess_plain, plain_history, to_plain

from dapolicy import (
    AbuseType,
    Answer,
    Child,
    Crime,
    FamilyRelation,
    Incident,
    InMemoryHistory,
    OffenceCategory,
    Outcome,
    Person,
    Relationship,
    RelationshipKind,
    RiskForm,
    Vulnerability,
    default_policy,
)
from dapolicy.history import HistoryEntry, MaracReferralEntry
from dapolicy.models._base import micros

START = datetime(2024, 1, 1, tzinfo=UTC)
BEFORE_ACT = timedelta(days=1000)  # 2021: the 2013 definition, no s.3 child victims
OFFENCES = (
    OffenceCategory.ASSAULT_WITH_INJURY,
    OffenceCategory.HARASSMENT,
    OffenceCategory.SEXUAL_OFFENCE,
    OffenceCategory.ASSAULT_WITH_INTENT,
    OffenceCategory.STALKING,
)
RELATIONSHIPS = (
    *[Relationship(RelationshipKind.INTIMATE_PARTNER)] * 7,
    Relationship(RelationshipKind.FORMERLY_MARRIED),
    Relationship(RelationshipKind.FAMILY_MEMBER, FamilyRelation.AUNT_OR_UNCLE),
    Relationship(RelationshipKind.FAMILY_MEMBER, FamilyRelation.SIBLING),
    Relationship(RelationshipKind.PARENTS_OF_SAME_CHILD),
    Relationship(RelationshipKind.OTHER),
)
SUSPECT_BIRTHS = (*[date(1988, 1, 1)] * 18, date(2010, 6, 1), None)


def make_cases(n: int, seed: int) -> tuple[list[tuple[Incident, RiskForm]], InMemoryHistory]:
    rng = random.Random(seed)
    history = InMemoryHistory()
    cases = []
    for k in range(n):
        pair = k % (n // 3 + 1)
        victim, suspect = f"V{pair}", f"S{pair}"
        reported = START + timedelta(minutes=37 * k)
        if rng.random() < 0.15:
            reported -= BEFORE_ACT
        for j in range(rng.randint(0, 3)):
            when = reported - timedelta(days=rng.randint(1, 500))
            late = when + timedelta(days=rng.randint(0, 600)) if rng.random() < 0.2 else when
            history.record_incident(
                HistoryEntry(f"P{k}-{j}", victim, suspect, when, recorded_at=late)
            )
        if rng.random() < 0.1:
            referred = reported - timedelta(days=rng.randint(1, 500))
            late = (
                referred + timedelta(days=rng.randint(0, 300)) if rng.random() < 0.2 else referred
            )
            history.record_marac_referral(
                MaracReferralEntry(victim, suspect, referred, f"M{k}", recorded_at=late)
            )
        children = tuple(
            Child(
                f"C{k}-{c}",
                rng.randint(0, 17),
                present=rng.random() < 0.5,
                usually_resident=rng.random() < 0.7,
                related_to_victim=rng.random() < 0.5,
                affected=rng.random() < 0.5,
            )
            for c in range(rng.choice((0, 0, 1, 2)))
        )
        crime = None
        if rng.random() < 0.4:
            outcome = rng.choice((None, None, Outcome.CHARGE, Outcome.CAUTION))
            crime = Crime(f"CR{k}", rng.choice(OFFENCES), arrest_made=True, outcome=outcome)
        marks = [Vulnerability.DISABILITY] if rng.random() < 0.15 else []
        abuse = {AbuseType.PHYSICAL} | ({AbuseType.STALKING} if rng.random() < 0.1 else set())
        incident = Incident(
            f"I{k}",
            reported,
            reported - timedelta(minutes=30),
            Person(victim, date_of_birth=date(1990, 1, 1), vulnerabilities=marks),
            Person(suspect, date_of_birth=rng.choice(SUSPECT_BIRTHS)),
            rng.choice(RELATIONSHIPS),
            frozenset(abuse),
            children,
            crime=crime,
            counter_allegation=rng.random() < 0.05,
            weapon_present=rng.random() < 0.1,
        )
        answers = {
            str(i): rng.choice((Answer.YES, Answer.NO, Answer.NO, Answer.NOT_KNOWN))
            for i in range(1, 28)
        }
        if rng.random() < 0.3:  # a quieter form: few "not known", and some declined
            answers = {
                i: Answer.NO if a is Answer.NOT_KNOWN else a for i, a in answers.items()
            } | {str(rng.randint(1, 27)): Answer.DECLINED}
        cases.append(
            (incident, RiskForm(incident.id, "dash-2009-police", answers, "PC1", reported))
        )
    return cases, history


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--seed", type=int, default=20140327)
    parser.add_argument("--results", type=Path, help="append the ratio here (JSON lines)")
    args = parser.parse_args()
    cases, history = make_cases(args.cases, args.seed)
    policy = default_policy()
    plain = [to_plain(i, f) for i, f in cases]
    hist = plain_history(history, cases)

    mismatches, fields = 0, Counter[str]()
    for (incident, form), case in zip(cases, plain, strict=True):
        d = policy.assess(incident, form, history=history, now=incident.reported_at)
        got = {
            "grade": d.grade.value,
            "referrals": {r.destination.value for r in d.referrals},
            "tasks": sorted((micros(t.due_by), t.what) for t in d.tasks),
            "allocation": d.allocation.level.value if d.allocation else None,
            "needs_review": d.needs_review,
            "policy_version": d.policy_version,
        }
        expected = assess_plain(case, hist, incident.reported_at)
        mismatches += got != expected
        fields.update(k for k in got if got[k] != expected[k])
    if mismatches:
        where = ", ".join(f"{k} {n}" for k, n in sorted(fields.items()))
        raise SystemExit(
            f"the two implementations disagree on {mismatches} cases ({where}): not comparable"
        )

    def run_policy() -> None:
        for incident, form in cases:
            policy.assess(incident, form, history=history, now=incident.reported_at)

    def run_plain() -> None:
        for case in plain:
            assess_plain(case, hist, case["reported_at"])

    timings = interleave({"dapolicy": run_policy, "plain": run_plain}, args.rounds, len(cases))
    print(f"engine: {len(cases)} cases, outputs agree on every case")
    report(
        Ratio("Policy.assess / hand-written rules", timings["dapolicy"], timings["plain"], 3.0),
        args.results,
    )


if __name__ == "__main__":
    main()
