"""The default policy's rules for one incident, hand-written over plain dicts.

The baseline of ``bench_engine.py``: the built-in plug-ins' rules with the default
settings, written out directly -- the definition in force by the decision's day (the
2013 one before 31 January 2022, the Domestic Abuse Act 2021's from then), DASH bands
and its "not known" review rules, the series rule, the four MARAC criteria, IDVA,
children's and adult social care (child victims in their own right included), the hub
thresholds, welfare checks, child-victim and weapon-safety tasks, the seven-step plan,
Operation Encompass, the Victims' Code outcome task, considering a Stalking Protection
Order, and allocation on two axes. Date arithmetic (London wall-clock days, bank
holidays, school days) uses the same helpers the library does.
"""

from __future__ import annotations

import bisect
from datetime import UTC, date, datetime, timedelta
from typing import Any

from dapolicy import Incident, InMemoryHistory, RiskForm
from dapolicy._time import add_local, months_before
from dapolicy.calendar import end_of_working_days, next_school_day_start
from dapolicy.models._base import LONDON, micros

POLICY_VERSION = "base"
ACT_FROM = date(2022, 1, 31)  # the Domestic Abuse Act 2021 definition (and s.3)
FAR = timedelta(days=36500)
KNOWN = datetime(2200, 1, 1, tzinfo=UTC)  # every entry is known by then
DETECTIVE = {"assault_with_intent", "sexual_offence", "threats_to_kill"}
HUB_ABUSE = {"honour_based", "fgm", "stalking", "forced_marriage"}
KEY_ITEMS = ("17", "18", "16", "9", "6", "14", "8")
PARTNERS_2013 = {
    "intimate_partner",
    "former_intimate_partner",
    "married",
    "formerly_married",
    "civil_partners",
    "former_civil_partners",
    "agreed_to_marry",
    "civil_partnership_agreement",
}
NOT_FAMILY_2013 = {"aunt_or_uncle", "niece_or_nephew", "cousin"}
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
    """Each victim's incidents and each pair's MARAC referrals: sorted (when, known) micros."""
    incidents: dict[str, list[tuple[int, int]]] = {}
    marac: dict[tuple[str, str], list[tuple[int, int]]] = {}
    for incident, _ in cases:
        victim, suspect = incident.victim.id, incident.suspect.id
        moment = incident.occurred_at
        entries = history.incidents(victim, since=moment - FAR, until=moment + FAR, known_at=KNOWN)
        incidents[victim] = sorted((micros(e.occurred_at), micros(e.recorded_at)) for e in entries)
        referred = []
        last = history.last_marac_referral(victim, suspect, before=moment + FAR, known_at=KNOWN)
        while last is not None:
            referred.append((micros(last.referred_at), micros(last.recorded_at)))
            earlier = last.referred_at - timedelta(microseconds=1)
            last = history.last_marac_referral(victim, suspect, before=earlier, known_at=KNOWN)
        marac[(victim, suspect)] = sorted(referred)
    return {"incidents": incidents, "marac": marac}


def to_plain(incident: Incident, form: RiskForm) -> dict[str, Any]:
    """The facts the rules read, as plain values."""
    crime = incident.crime
    relationship = incident.relationship
    return {
        "id": incident.id,
        "victim": incident.victim.id,
        "suspect": incident.suspect.id,
        "occurred_at": incident.occurred_at,
        "reported_at": incident.reported_at,
        "answers": {k: v.value for k, v in form.answers.items()},
        "children": [
            {
                "present": c.present,
                "household": c.present or c.usually_resident,
                "related": c.related_to_victim or c.related_to_suspect,
                "affected": c.affected,
            }
            for c in incident.children
        ],
        "vulnerable": bool(incident.victim.vulnerabilities),
        "births": (incident.victim.date_of_birth, incident.suspect.date_of_birth),
        "kind": relationship.kind.value,
        "family": relationship.family.value if relationship.family else None,
        "abuse": {a.value for a in incident.abuse_types},
        "offence": crime.offence.value if crime else None,
        "outcome": crime.outcome.value if crime and crime.outcome else None,
        "weapon": incident.weapon_present,
        "counter_allegation": incident.counter_allegation,
    }


def _age(born: date, day: date) -> int:
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def verdict(case: dict[str, Any], now: datetime) -> str:
    """The definition of domestic abuse in force on ``now``'s London day, tested."""
    if now.astimezone(LONDON).date() >= ACT_FROM:
        connected = case["kind"] != "other"
    elif case["kind"] == "family_member":
        connected = case["family"] not in NOT_FAMILY_2013
    else:
        connected = case["kind"] in PARTNERS_2013
    if not connected:
        return "not_domestic"
    day = case["occurred_at"].astimezone(LONDON).date()
    ages = [None if born is None else _age(born, day) for born in case["births"]]
    if any(a is not None and a < 16 for a in ages):
        return "child_safeguarding"
    return "undetermined" if None in ages else "domestic_abuse"


def _between(times: list[tuple[int, int]], since: int, until: int, known: int) -> int:
    """How many entries happened in [since, until] and were known before ``known``."""
    low, high = bisect.bisect_left(times, (since,)), bisect.bisect_left(times, (until + 1,))
    return sum(1 for _, recorded in times[low:high] if recorded < known)


def assess_plain(case: dict[str, Any], hist: dict[str, Any], now: datetime) -> dict[str, Any]:
    """Grade, refer, task and allocate one case decided at ``now``."""
    answers = case["answers"]
    got = [answers.get(str(i), "not_known") for i in range(1, 28)]
    score = got.count("yes")
    grade = 2 if score >= 14 else 1 if score >= 10 else 0
    occurred_at, reported_at = case["occurred_at"], case["reported_at"]
    occurred, since = micros(occurred_at), micros(months_before(occurred_at, 12))
    known = micros(now)
    prior = _between(hist["incidents"].get(case["victim"], []), since, occurred, known)
    if prior + 1 >= 3:
        grade = 2
    found = verdict(case, now)
    in_scope = found in ("domestic_abuse", "undetermined")
    needs_review = (
        found != "domestic_abuse"
        or case["counter_allegation"]
        or got.count("not_known") + got.count("declined") >= 5
        or any(answers.get(i, "not_known") == "not_known" for i in KEY_ITEMS)
    )

    referrals = set()
    pair = (case["victim"], case["suspect"])
    repeat = _between(hist["marac"].get(pair, []), since, occurred, known)
    if grade == 2 or prior + 1 >= 3 or repeat:
        referrals.add("marac")
    if grade == 2:
        referrals.add("idva")
    household = [c for c in case["children"] if c["household"]]
    act = now.astimezone(LONDON).date() >= ACT_FROM
    victims = (
        [c for c in case["children"] if c["affected"] and c["related"]] if in_scope and act else []
    )
    if household or victims or found == "child_safeguarding":
        referrals.add("childrens_social_care")
    if case["vulnerable"]:
        referrals.add("adult_social_care")
    if grade >= 1 or prior > 0 or household or case["vulnerable"] or case["abuse"] & HUB_ABUSE:
        referrals.add("partnership_hub")

    tasks = [("safeguard-child-victim", add_local(reported_at, hours=24)) for _ in victims]
    tasks += [
        ("child-welfare-check", add_local(reported_at, hours=1 if c["present"] else 24))
        for c in household
    ]
    if case["weapon"]:
        tasks.append(("weapon-safety", add_local(reported_at, hours=1)))
    if in_scope:
        tasks += [
            (
                what,
                add_local(reported_at, hours=n) if unit == "h" else add_local(reported_at, days=n),
            )
            for what, unit, n in PLAN
        ]
        notified = [c for c in case["children"] if c["related"] or c["household"]]
        if notified:
            school = next_school_day_start(reported_at, (), 510)
            assert school is not None  # no term dates set: a month always has a weekday
            tasks += [("operation-encompass", school) for _ in notified]
    if case["outcome"] is not None:
        tasks.append(("victims-code-tell-victim", end_of_working_days(now, 1)))
    if "stalking" in case["abuse"] or case["offence"] == "stalking" or answers.get("8") == "yes":
        tasks.append(("consider-stalking-protection-order", add_local(reported_at, days=7)))

    allocation = None
    if case["offence"] is not None:
        detective = case["offence"] in DETECTIVE or grade == 2
        trained = grade == 2
        allocation = (
            ("da_trained_detective" if trained else "detective")
            if detective
            else ("trained_da_investigator" if trained else "response_officer")
        )
    return {
        "grade": ("standard", "medium", "high")[grade],
        "referrals": referrals,
        "tasks": sorted((micros(due), what) for what, due in tasks),
        "allocation": allocation,
        "needs_review": needs_review,
        "policy_version": POLICY_VERSION,
    }
