"""The plan of a synthetic year: victims, report times and who gets what (private)."""

from __future__ import annotations

import itertools
import random
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, time, timedelta, timezone

import attrs

from dapolicy.models import (
    Child,
    FamilyRelation,
    OffenceCategory,
    Outcome,
    Person,
    Relationship,
    RelationshipKind,
    Vulnerability,
)
from dapolicy.models._base import LONDON, micros
from dapolicy.synth._counts import SynthCounts
from dapolicy.synth._profiles import Profile


def pick(rng: random.Random, pool: Sequence[int], k: int, weight: Sequence[float]) -> list[int]:
    """Exactly ``k`` of ``pool`` without replacement, each more likely by its weight.

    Efraimidis-Spirakis: key ``u ** (1 / w)``, keep the ``k`` largest. ``weight`` is
    indexed by the pool's values. Returns the chosen values sorted.
    """
    if k <= 0:
        return []
    keyed = sorted(
        ((rng.random() ** (1.0 / weight[i]), i) for i in pool), key=lambda t: (-t[0], t[1])
    )
    return sorted(i for _, i in keyed[:k])


def sample(rng: random.Random, pool: Sequence[int], k: int) -> list[int]:
    """Exactly ``k`` of ``pool`` uniformly, sorted."""
    return sorted(rng.sample(list(pool), k)) if k > 0 else []


# Weights used to make the picks realistic; none changes a count.
_ARREST_WEIGHT = {
    OffenceCategory.ASSAULT_WITH_INTENT: 6.0,
    OffenceCategory.ASSAULT_WITH_INJURY: 3.0,
    OffenceCategory.SEXUAL_OFFENCE: 2.5,
    OffenceCategory.THREATS_TO_KILL: 2.5,
    OffenceCategory.BREACH_OF_ORDER: 2.5,
    OffenceCategory.COMMON_ASSAULT: 1.5,
    OffenceCategory.STALKING: 1.5,
    OffenceCategory.CONTROLLING_OR_COERCIVE_BEHAVIOUR: 1.2,
    OffenceCategory.HARASSMENT: 1.0,
    OffenceCategory.CRIMINAL_DAMAGE: 1.0,
    OffenceCategory.OTHER: 0.8,
}
_RISK_WEIGHT = {
    OffenceCategory.ASSAULT_WITH_INTENT: 6.0,
    OffenceCategory.THREATS_TO_KILL: 4.0,
    OffenceCategory.SEXUAL_OFFENCE: 3.5,
    OffenceCategory.STALKING: 3.0,
    OffenceCategory.ASSAULT_WITH_INJURY: 2.5,
    OffenceCategory.BREACH_OF_ORDER: 2.0,
    OffenceCategory.CONTROLLING_OR_COERCIVE_BEHAVIOUR: 2.0,
    OffenceCategory.HARASSMENT: 1.5,
    OffenceCategory.COMMON_ASSAULT: 1.3,
    OffenceCategory.CRIMINAL_DAMAGE: 1.0,
    OffenceCategory.OTHER: 1.0,
}
#: Hours of the day (London) when incidents are reported: an evening and night peak.
_HOUR_WEIGHT = (
    3.0, 2.6, 2.1, 1.6, 1.1, 0.7, 0.6, 0.7, 0.9, 1.0, 1.1, 1.2,
    1.3, 1.4, 1.5, 1.7, 2.0, 2.4, 2.8, 3.1, 3.3, 3.4, 3.3, 3.2,
)  # fmt: skip
#: Extra incidents a repeat victim has (1 to 8) and how likely each is.
_EXTRA = (1, 2, 3, 4, 5, 6, 7, 8)
_EXTRA_WEIGHT = (0.55, 0.21, 0.10, 0.06, 0.03, 0.02, 0.02, 0.01)
_ADULT_AGES = ((18, 24, 0.20), (25, 34, 0.30), (35, 44, 0.22), (45, 54, 0.15), (55, 64, 0.08))
_ADULT_AGES_OLD = (65, 85, 0.05)
_FAMILY = (
    (FamilyRelation.CHILD, 0.30),
    (FamilyRelation.SIBLING, 0.22),
    (FamilyRelation.PARENT, 0.20),
    (FamilyRelation.STEP_PARENT, 0.06),
    (FamilyRelation.IN_LAW, 0.08),
    (FamilyRelation.GRANDCHILD, 0.06),
    (FamilyRelation.OTHER_FAMILY, 0.08),
)


@attrs.define
class Victim:
    """A synthetic victim and their household: fixed for all their incidents."""

    age: int  # at the first incident
    relationship: Relationship
    suspect_age: int
    vulnerability: Vulnerability | None
    children: tuple[int, ...]  # ages, at the first incident
    incidents: int
    number: int = 0  # 1-based, in order of first incident
    person: Person | None = None
    suspect: Person | None = None
    caller: Person | None = None
    kids: tuple[Child, ...] = ()
    children_from: int = 0  # the ordinal of the first incident that lists the children


@attrs.define
class Slot:
    """One case before it is built: when, whose, and what it has."""

    reported_at: datetime
    delay_minutes: int
    victim: int
    ordinal: int  # 0 for the victim's first incident
    offence: OffenceCategory | None = None
    arrest: bool = False
    outcome: Outcome | None = None
    form: bool = True
    late: bool = False
    band: int = 0  # 0 standard, 1 medium, 2 high
    children_present: bool = False
    unchecked: bool = False

    @property
    def occurred_at(self) -> datetime:
        """When the incident happened: ``delay_minutes`` before the report."""
        return after(self.reported_at, -self.delay_minutes)


def lists_children(victim: Victim, slot: Slot) -> bool:
    return bool(victim.children) and slot.ordinal >= victim.children_from


def stage_rng(seed: int, stage: str) -> random.Random:
    return random.Random(f"dapolicy.synth:{seed}:{stage}")


def _adult_age(rng: random.Random) -> int:
    bands = (*_ADULT_AGES, _ADULT_AGES_OLD)
    low, high, _ = rng.choices(bands, [w for _, _, w in bands])[0]
    return rng.randint(low, high)


def plan_victims(profile: Profile, counts: SynthCounts, seed: int) -> list[Victim]:
    rng = stage_rng(seed, "victims")
    n_victims = counts.victims
    # Incidents per victim: every victim one, the repeat calls spread as extras.
    extras: list[int] = []
    remaining = counts.repeat_calls
    room = n_victims - counts.victims_under_16  # under-16 victims have one incident
    spill = 0
    while remaining > 0:
        extra = min(rng.choices(_EXTRA, _EXTRA_WEIGHT)[0], remaining)
        if len(extras) < room:
            extras.append(extra)
        else:
            extras[spill % room] += extra
            spill += 1
        remaining -= extra
    per_victim = [1 + e for e in extras] + [1] * (n_victims - len(extras))
    singles = range(len(extras), n_victims)
    under_16 = set(sample(rng, singles, counts.victims_under_16))
    young = set(
        sample(rng, [v for v in range(n_victims) if v not in under_16], counts.victims_16_17)
    )
    # Households with children: whole victims, so every incident of theirs lists them,
    # greedily to the exact number of incidents. If no whole victim fits the last few,
    # the children join one household part-way through its incidents.
    with_children: set[int] = set()
    need = counts.children_incidents
    order = rng.sample(range(n_victims), n_victims)
    for v in order:
        if need == 0:
            break
        if per_victim[v] <= need:
            with_children.add(v)
            need -= per_victim[v]
    joined = next((v for v in order if v not in with_children), None) if need else None
    if joined is not None:
        with_children.add(joined)
    victims = []
    for v in range(n_victims):
        victims.append(_victim(rng, profile, v in under_16, v in young, v in with_children))
        victims[-1].incidents = per_victim[v]
    if joined is not None:
        victims[joined].children_from = per_victim[joined] - need
    return victims


def _victim(
    rng: random.Random, profile: Profile, under_16: bool, young: bool, children: bool
) -> Victim:
    if under_16:
        age = rng.randint(13, 15)
        family = rng.choice((FamilyRelation.PARENT, FamilyRelation.STEP_PARENT))
        relationship = Relationship(RelationshipKind.FAMILY_MEMBER, family)
        suspect_age = age + rng.randint(20, 35)
    elif young:
        age = rng.randint(16, 17)
        if rng.random() < 0.6:
            relationship = Relationship(RelationshipKind.INTIMATE_PARTNER)
            suspect_age = rng.randint(17, 23)
        else:
            relationship = Relationship(RelationshipKind.FAMILY_MEMBER, FamilyRelation.PARENT)
            suspect_age = age + rng.randint(18, 35)
    else:
        age = _adult_age(rng)
        roll = rng.random()
        if roll < 0.55:
            relationship = Relationship(RelationshipKind.INTIMATE_PARTNER)
            suspect_age = max(18, age + rng.randint(-4, 8))
        elif roll < 0.82:
            relationship = Relationship(RelationshipKind.FORMER_INTIMATE_PARTNER)
            suspect_age = max(18, age + rng.randint(-4, 8))
        else:
            family = rng.choices([f for f, _ in _FAMILY], [w for _, w in _FAMILY])[0]
            if family is FamilyRelation.CHILD and age < 40:
                family = FamilyRelation.SIBLING
            if family is FamilyRelation.GRANDCHILD and age < 55:
                family = FamilyRelation.OTHER_FAMILY
            relationship = Relationship(RelationshipKind.FAMILY_MEMBER, family)
            suspect_age = {
                FamilyRelation.CHILD: age - rng.randint(20, 35),
                FamilyRelation.GRANDCHILD: age - rng.randint(40, 55),
                FamilyRelation.PARENT: age + rng.randint(18, 35),
                FamilyRelation.STEP_PARENT: age + rng.randint(18, 35),
            }.get(family, max(18, age + rng.randint(-10, 10)))
            suspect_age = max(18, suspect_age)
    vulnerability = None
    if rng.random() < profile.vulnerable_share:
        vulnerability = rng.choice(list(Vulnerability))
    kids: tuple[int, ...] = ()
    if children:
        kids = tuple(
            sorted(rng.randint(0, 16) for _ in range(rng.choices((1, 2, 3), (5, 3, 1))[0]))
        )
    return Victim(age, relationship, suspect_age, vulnerability, kids, 1)


class _Clock:
    """Draws report times over the profile's year: busier at weekends and at night."""

    _DELAYS = (5, 10, 15, 20, 30, 45, 60, 90, 120, 180)

    def __init__(self, profile: Profile) -> None:
        self.start = profile.period_start
        days = (profile.period_end - profile.period_start).days + 1
        self.days = range(days)
        weights = [
            1.25 if (profile.period_start + timedelta(days=d)).weekday() >= 5 else 1.0
            for d in self.days
        ]
        self.day_cum = list(itertools.accumulate(weights))
        self.hour_cum = list(itertools.accumulate(_HOUR_WEIGHT))

    def draw(self, rng: random.Random) -> tuple[datetime, int]:
        """A report time and how many minutes before it the incident happened."""
        day = self.start + timedelta(days=rng.choices(self.days, cum_weights=self.day_cum)[0])
        hour = rng.choices(range(24), cum_weights=self.hour_cum)[0]
        reported = london_time(datetime.combine(day, time(hour, rng.randrange(60))))
        return reported, rng.choice(self._DELAYS)


def fixed_offset(instant: datetime) -> datetime:
    """``instant`` on the London clock, with its UTC offset fixed (as JSON gives it back).

    A fixed offset also keeps comparisons honest: Python compares two datetimes that
    share a ``ZoneInfo`` by wall clock, which is wrong in the autumn's repeated hour.
    """
    local = instant.astimezone(LONDON)
    offset = local.utcoffset()
    assert offset is not None
    return local.replace(tzinfo=timezone(offset), fold=0)


def london_time(wall: datetime) -> datetime:
    """A London wall-clock time as an aware time; a time the clocks skip moves on an hour."""
    return fixed_offset(wall.replace(tzinfo=LONDON).astimezone(UTC))


def after(moment: datetime, minutes: float) -> datetime:
    """``minutes`` of elapsed time after ``moment`` (right across clock changes)."""
    return fixed_offset(moment.astimezone(UTC) + timedelta(minutes=minutes))


def _in_order(victim: int, times: list[tuple[datetime, int]]) -> Iterator[Slot]:
    """One victim's slots, ``times`` sorted by report time, happening in the same order.

    An incident reported later but with a longer delay could have happened before the
    victim's previous one; its delay is shortened so that it happened no earlier, and a
    victim's incidents (and calls) keep one order on both clocks.
    """
    previous: Slot | None = None
    for k, (at, delay) in enumerate(times):
        slot = Slot(at, delay, victim, k)
        if previous is not None and micros(slot.occurred_at) < micros(previous.occurred_at):
            gap = micros(at) - micros(previous.occurred_at)
            slot.delay_minutes = gap // 60_000_000
        yield slot
        previous = slot


def plan_slots(
    profile: Profile, counts: SynthCounts, victims: list[Victim], seed: int
) -> list[Slot]:
    rng = stage_rng(seed, "times")
    clock = _Clock(profile)
    slots: list[Slot] = []
    for v, victim in enumerate(victims):
        times = sorted(clock.draw(rng) for _ in range(victim.incidents))
        slots.extend(_in_order(v, times))
    # The file is in the order incidents happened: a case is written after every case
    # that occurred before it, whoever the victim (ties by victim, then by ordinal).
    slots.sort(key=lambda s: (micros(s.occurred_at), s.victim, s.ordinal))
    number = 0
    for slot in slots:
        victim = victims[slot.victim]
        if slot.ordinal == 0:
            number += 1
            victim.number = number
    n = len(slots)
    everyone = range(n)

    crime_rng = stage_rng(seed, "crimes")
    crimes = sample(crime_rng, everyone, counts.crimes)
    offences = [c for c, k in counts.offences for _ in range(k)]
    crime_rng.shuffle(offences)
    for i, offence in zip(crimes, offences, strict=True):
        slots[i].offence = offence
    arrest_weight = [_ARREST_WEIGHT[s.offence] if s.offence is not None else 0.0 for s in slots]
    for i in pick(crime_rng, crimes, counts.arrests, arrest_weight):
        slots[i].arrest = True
    outcome_weight = [3.0 if s.arrest else 1.0 for s in slots]
    left = list(crimes)
    for outcome, k in (
        (Outcome.CHARGE, counts.charges),
        (Outcome.CAUTION, counts.cautions),
        (Outcome.OUT_OF_COURT_DISPOSAL, counts.out_of_court),
    ):
        chosen = set(pick(crime_rng, left, k, outcome_weight))
        for i in chosen:
            slots[i].outcome = outcome
        left = [i for i in left if i not in chosen]
    still_open = set(sample(crime_rng, left, counts.open))
    for i in left:
        if i not in still_open:
            slots[i].outcome = Outcome.NO_FURTHER_ACTION

    form_rng = stage_rng(seed, "forms")
    crime_set = set(crimes)
    non_crimes = [i for i in everyone if i not in crime_set]
    missing = set(sample(form_rng, crimes, counts.forms_missing_crime))
    missing.update(sample(form_rng, non_crimes, counts.forms_missing_non_crime))
    received = [i for i in everyone if i not in missing]
    for i in missing:
        slots[i].form = False
    for i in sample(form_rng, received, counts.forms_late):
        slots[i].late = True
    risk_weight = [
        (_RISK_WEIGHT[s.offence] if s.offence is not None else 0.8) * (1.6 if s.ordinal else 1.0)
        for s in slots
    ]
    high = set(pick(form_rng, received, counts.grades[2], risk_weight))
    rest = [i for i in received if i not in high]
    medium = set(pick(form_rng, rest, counts.grades[1], [w**0.5 for w in risk_weight]))
    for i in high:
        slots[i].band = 2
    for i in medium:
        slots[i].band = 1

    child_rng = stage_rng(seed, "children")
    with_children = [i for i in everyone if lists_children(victims[slots[i].victim], slots[i])]
    present = sample(child_rng, with_children, counts.children_present_incidents)
    for i in present:
        slots[i].children_present = True
    for i in sample(child_rng, present, counts.welfare_unchecked_incidents):
        slots[i].unchecked = True
    return slots
