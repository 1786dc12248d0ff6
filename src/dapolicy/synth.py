"""Synthetic domestic-abuse cases for demos, tests and benchmarks.

``synthesize(n, seed, profile)`` yields ``n`` valid :class:`~dapolicy.models.Case`
records (incident, call, DASH form or none, the force's grade and when it was
recorded), in the order they were reported, over one year in Europe/London.

Exact, not approximate. Every count a profile fixes (crimes, each offence category,
arrests, each outcome, missing and late forms, repeat calls, incidents with children,
16- and 17-year-old victims...) is apportioned over ``n`` by the largest-remainder
method (:func:`plan_counts`; it depends on ``n`` and the profile only, never on the
seed), and the seed only decides *which* records get each attribute. So for the
``staffordshire-2013`` profile at its reference size (``n = 14,610``),
``dapolicy.audit`` gives back the inspection report's headline percentages exactly.

Deterministic. The same ``(n, seed, profile)`` gives the same records and so the same
bytes of :func:`dapolicy.serialization.to_json`: no clock is read, no global random
state is touched (each stage has its own :class:`random.Random`, seeded from a string),
nothing depends on set or dict iteration order.

Synthetic. Ids are pseudonymous (``V-000123``, ``SYN-INC-000123``); no name, address
or telephone number is generated. Dates of birth are generated because the
domestic-abuse definition needs ages.

Memory: the plan (a few small integers per record and per victim) is built up front so
that repeat victims and time order are right; the cases themselves are built one at a
time as they are yielded.

Profiles
--------
``staffordshire-2013`` takes its figures from HMIC's 2014 inspection of Staffordshire
Police, "Domestic abuse in Staffordshire" page (12 months to 31 August 2013):
domestic abuse is 5 % of calls for assistance and 10 % of recorded crime; 32 % of those
calls were from repeat victims; 36 of 269 assaults with intent, 2,084 of 6,884 assaults
with injury, 704 of 1,307 harassment offences and 156 of 1,246 sexual offences were
domestic abuse related, out of 5,844 domestic-abuse crimes; 64 arrests per 100 crimes;
26 % charged, 9 % cautioned, 1 % out-of-court disposal; 38 % of risk forms for
domestic-abuse crimes were not received by the MASH; grades were recorded by the MASH
the following day, up to 72 hours later over a weekend. Everything else is an
assumption, listed in :attr:`Profile.assumptions` and marked ``ASSUMPTION`` below.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Iterator, Mapping, Sequence
from datetime import UTC, date, datetime, time, timedelta, timezone
from fractions import Fraction
from types import MappingProxyType

import attrs

from dapolicy.audit import ForceTotals
from dapolicy.models import (
    AbuseType,
    Answer,
    Call,
    Case,
    Child,
    Crime,
    FamilyRelation,
    Incident,
    OffenceCategory,
    Outcome,
    Person,
    Relationship,
    RelationshipKind,
    RiskForm,
    RiskGrade,
    Vulnerability,
)
from dapolicy.models._base import LONDON, Checked, Problems, not_blank
from dapolicy.settings import DashSettings

__all__ = [
    "CHECKLIST",
    "NFA_RATIONALE",
    "PROFILES",
    "STAFFORDSHIRE_2013",
    "UNIFORM",
    "Profile",
    "SynthCounts",
    "apportion",
    "plan_counts",
    "synthesize",
    "totals_for",
]

#: The checklist every synthetic form uses (the police DASH 2009, items "1" to "27").
CHECKLIST = "dash-2009-police"
_ITEMS = tuple(str(i) for i in range(1, 28))
_CHILD_ITEMS = frozenset({"10", "11", "12"})
#: The rationale written on every synthetic no-further-action outcome.
NFA_RATIONALE = (
    "Synthetic record: evidential difficulties, the victim did not support a prosecution "
    "and there was not enough independent evidence to proceed."
)

_FOUR_GROUPS = (
    OffenceCategory.ASSAULT_WITH_INTENT,
    OffenceCategory.ASSAULT_WITH_INJURY,
    OffenceCategory.HARASSMENT,
    OffenceCategory.SEXUAL_OFFENCE,
)


def _share(name: str, value: float) -> Problems:
    if not isinstance(value, int | float) or isinstance(value, bool) or not 0 <= value <= 1:
        yield name, "must be a share from 0 to 1"


@attrs.frozen
class Profile(Checked):
    """What a synthetic year looks like: the shares and rates to reproduce exactly.

    Shares are fractions (0.32 for 32 %). Counts derived from them are apportioned over
    the number of cases requested (see :func:`plan_counts`).

    :param name: the profile's name (the key in :data:`PROFILES`).
    :param description: one line on where the figures come from.
    :param reference_cases: the number of cases at which the derived counts equal the
        source's own counts.
    :param period_start: first London day of the synthetic year.
    :param period_end: last London day (inclusive).
    :param da_share_of_calls: domestic-abuse calls as a share of all calls for
        assistance (every synthetic case comes from one call).
    :param da_share_of_crime: domestic-abuse crimes as a share of all recorded crime.
    :param repeat_caller_share: share of domestic-abuse calls from a victim who has
        called before.
    :param crime_share: share of domestic-abuse incidents recorded as a crime.
    :param offence_mix: domestic-abuse crimes per offence category in the source (the
        weights the crimes are apportioned by).
    :param force_offence_totals: all crimes the force recorded in those categories, at
        the same scale as ``offence_mix`` (for the domestic-abuse share of each group).
    :param arrests_per_100_crimes: arrests per 100 domestic-abuse crimes (one arrest at
        most per synthetic crime).
    :param charge_rate: share of crimes charged.
    :param caution_rate: share of crimes cautioned.
    :param out_of_court_rate: share of crimes with an out-of-court disposal.
    :param open_rate: share of crimes still under investigation (no outcome); the rest
        are no further action.
    :param forms_missing: share of crimes with no risk form received.
    :param forms_missing_non_crime: share of non-crime incidents with no risk form.
    :param forms_late: share of received forms submitted after the officer went off duty.
    :param grade_mix: shares of the forms received, by DASH band (standard, medium,
        high); the MASH records the band as the grade.
    :param children_share: share of incidents with children usually resident or present.
    :param children_present_share: of those, the share where children were present.
    :param welfare_unchecked_share: of incidents with children present, the share where
        at least one child's welfare was not checked.
    :param age_16_17_share: share of victims aged 16 or 17 at their first incident.
    :param under_16_share: share of victims under 16 (a child-safeguarding matter,
        recorded with a domestic-abuse marker all the same).
    :param vulnerable_share: share of victims with a vulnerability marker.
    :param assumptions: every figure not taken from the source, in words.
    """

    name: str
    description: str
    reference_cases: int
    period_start: date
    period_end: date
    da_share_of_calls: float
    da_share_of_crime: float
    repeat_caller_share: float
    crime_share: float
    offence_mix: tuple[tuple[OffenceCategory, int], ...]
    force_offence_totals: tuple[tuple[OffenceCategory, int], ...]
    arrests_per_100_crimes: float
    charge_rate: float
    caution_rate: float
    out_of_court_rate: float
    open_rate: float
    forms_missing: float
    forms_missing_non_crime: float
    forms_late: float
    grade_mix: tuple[float, float, float]
    children_share: float
    children_present_share: float
    welfare_unchecked_share: float
    age_16_17_share: float
    under_16_share: float
    vulnerable_share: float
    assumptions: tuple[str, ...] = ()

    def _problems(self) -> Problems:
        yield from not_blank("name", self.name)
        if not isinstance(self.reference_cases, int) or self.reference_cases < 1:
            yield "reference_cases", "must be a whole number, 1 or more"
        if self.period_end < self.period_start:
            yield "period_end", "must not be before period_start"
        for name in (
            "da_share_of_calls",
            "da_share_of_crime",
            "repeat_caller_share",
            "crime_share",
            "charge_rate",
            "caution_rate",
            "out_of_court_rate",
            "open_rate",
            "forms_missing",
            "forms_missing_non_crime",
            "forms_late",
            "children_share",
            "children_present_share",
            "welfare_unchecked_share",
            "age_16_17_share",
            "under_16_share",
            "vulnerable_share",
        ):
            yield from _share(name, getattr(self, name))
        for name in ("da_share_of_calls", "da_share_of_crime"):
            if getattr(self, name) == 0:
                yield name, "must be more than 0"
        if self.repeat_caller_share >= 1:
            yield "repeat_caller_share", "must be less than 1 (every victim calls once first)"
        outcomes = self.charge_rate + self.caution_rate + self.out_of_court_rate + self.open_rate
        if outcomes > 1:
            yield "open_rate", "charge, caution, out-of-court and open rates add up to over 1"
        if self.age_16_17_share + self.under_16_share > 1:
            yield "under_16_share", "the age shares add up to over 1"
        if not 0 <= self.arrests_per_100_crimes <= 100:
            yield "arrests_per_100_crimes", "must be from 0 to 100 (one arrest per crime)"
        if not self.offence_mix or any(c < 0 for _, c in self.offence_mix):
            yield "offence_mix", "needs at least one category, no negative counts"
        elif sum(c for _, c in self.offence_mix) == 0:
            yield "offence_mix", "the counts must not all be 0"
        if len({cat for cat, _ in self.offence_mix}) != len(self.offence_mix):
            yield "offence_mix", "each category must appear once"
        mix = dict(self.offence_mix)
        for category, total in self.force_offence_totals:
            if category not in mix or total < mix[category]:
                yield "force_offence_totals", "each total needs a category in offence_mix"
        if len(self.grade_mix) != 3 or abs(sum(self.grade_mix) - 1) > 1e-9:
            yield "grade_mix", "three shares (standard, medium, high) adding up to 1"

    @property
    def arrest_rate(self) -> float:
        """Arrests per crime (``arrests_per_100_crimes / 100``)."""
        return self.arrests_per_100_crimes / 100


_STAFFORDSHIRE_ASSUMPTIONS = (
    "crime_share 0.40: share of domestic-abuse incidents recorded as a crime; not in the "
    "report. With it, 14,610 incidents give the report's 5,844 crimes.",
    "offence_mix: the report gives 36 assaults with intent, 2,084 with injury, 704 "
    "harassment and 156 sexual offences of 5,844 crimes; the other 2,864 are split "
    "1,500 common assault, 700 criminal damage, 250 breach of order, 150 threats to "
    "kill, 50 stalking, 214 other (assumed).",
    "open_rate 0.10: crimes still under investigation; the remaining 54 % no further action.",
    "forms_missing_non_crime 0.60: forms are discretionary for non-crime incidents in "
    "the inspected force; the report gives no figure.",
    "forms_late 0.15: share of received forms submitted after the officer went off duty.",
    "grade_mix 60 % standard, 28 % medium, 12 % high by DASH score (default bands "
    "0-9, 10-13, 14+); the force could not provide active cases by grade.",
    "children_share 0.30 of incidents with children in the household; present at 60 % "
    "of those; welfare not checked for at least one present child at 20 % of those "
    "(the report found the check inconsistent, e.g. children asleep in bed).",
    "age_16_17_share 0.02 of victims aged 16 or 17; under_16_share 0.002 of victims "
    "under 16 (child safeguarding, marked domestic abuse by the force all the same).",
    "vulnerable_share 0.15 of victims with one vulnerability marker.",
    "every incident comes from one call to the control room, made by the victim; a "
    "call is from a repeat caller when that victim has called before in the year.",
    "the MASH grades at 10:00 London time on the first weekday (Monday to Friday) after "
    "the form arrives; public holidays are not modelled.",
)

#: Calibrated to HMIC's 2014 inspection of Staffordshire Police (12 months to 31 Aug 2013).
STAFFORDSHIRE_2013 = Profile(
    name="staffordshire-2013",
    description=(
        "HMIC 2014, 'Domestic abuse in Staffordshire' (12 months to 31 August 2013); "
        "14,610 incidents give the report's 5,844 crimes"
    ),
    reference_cases=14_610,
    period_start=date(2012, 9, 1),
    period_end=date(2013, 8, 31),
    da_share_of_calls=0.05,
    da_share_of_crime=0.10,
    repeat_caller_share=0.32,
    crime_share=0.40,
    offence_mix=(
        (OffenceCategory.ASSAULT_WITH_INTENT, 36),
        (OffenceCategory.ASSAULT_WITH_INJURY, 2_084),
        (OffenceCategory.HARASSMENT, 704),
        (OffenceCategory.SEXUAL_OFFENCE, 156),
        (OffenceCategory.COMMON_ASSAULT, 1_500),
        (OffenceCategory.CRIMINAL_DAMAGE, 700),
        (OffenceCategory.BREACH_OF_ORDER, 250),
        (OffenceCategory.THREATS_TO_KILL, 150),
        (OffenceCategory.STALKING, 50),
        (OffenceCategory.OTHER, 214),
    ),
    force_offence_totals=(
        (OffenceCategory.ASSAULT_WITH_INTENT, 269),
        (OffenceCategory.ASSAULT_WITH_INJURY, 6_884),
        (OffenceCategory.HARASSMENT, 1_307),
        (OffenceCategory.SEXUAL_OFFENCE, 1_246),
    ),
    arrests_per_100_crimes=64,
    charge_rate=0.26,
    caution_rate=0.09,
    out_of_court_rate=0.01,
    open_rate=0.10,
    forms_missing=0.38,
    forms_missing_non_crime=0.60,
    forms_late=0.15,
    grade_mix=(0.60, 0.28, 0.12),
    children_share=0.30,
    children_present_share=0.60,
    welfare_unchecked_share=0.20,
    age_16_17_share=0.02,
    under_16_share=0.002,
    vulnerable_share=0.15,
    assumptions=_STAFFORDSHIRE_ASSUMPTIONS,
)

#: Round numbers, every offence category equally likely: for tests and quick demos.
UNIFORM = Profile(
    name="uniform",
    description="round numbers and an even offence mix, for tests and demos",
    reference_cases=1_000,
    period_start=date(2024, 1, 1),
    period_end=date(2024, 12, 31),
    da_share_of_calls=0.10,
    da_share_of_crime=0.20,
    repeat_caller_share=0.25,
    crime_share=0.50,
    offence_mix=tuple((category, 1) for category in OffenceCategory),
    force_offence_totals=tuple((category, 2) for category in _FOUR_GROUPS),
    arrests_per_100_crimes=50,
    charge_rate=0.25,
    caution_rate=0.10,
    out_of_court_rate=0.05,
    open_rate=0.10,
    forms_missing=0.25,
    forms_missing_non_crime=0.25,
    forms_late=0.10,
    grade_mix=(0.5, 0.3, 0.2),
    children_share=0.25,
    children_present_share=0.5,
    welfare_unchecked_share=0.5,
    age_16_17_share=0.0,
    under_16_share=0.0,
    vulnerable_share=0.10,
    assumptions=("every figure is a round number chosen for testing, not a real force's",),
)

#: The built-in profiles by name; ``staffordshire-2013`` is the default.
PROFILES: Mapping[str, Profile] = MappingProxyType(
    {profile.name: profile for profile in (STAFFORDSHIRE_2013, UNIFORM)}
)


# --- counts ---------------------------------------------------------------------------


def _exact(share: float | Fraction) -> Fraction:
    """A float share as the decimal it was written as (0.26 is 13/50, not 0.2600000000001)."""
    return share if isinstance(share, Fraction) else Fraction(repr(share))


def apportion(total: int, weights: Sequence[float | Fraction]) -> tuple[int, ...]:
    """Split ``total`` in proportion to ``weights`` by the largest-remainder method.

    Each part is the floor of its quota plus one for the largest remainders, ties going
    to the earlier weight, so the parts add up to ``total`` exactly.

    :param total: what to split (0 or more).
    :param weights: one weight per part, none negative, not all 0 (unless ``total`` is 0).
    """
    exact = [_exact(w) for w in weights]
    whole = sum(exact, Fraction(0))
    if total == 0 or whole == 0:
        return tuple(0 for _ in exact)
    quotas = [total * w / whole for w in exact]
    parts = [int(q) for q in quotas]
    order = sorted(range(len(quotas)), key=lambda i: (-(quotas[i] - parts[i]), i))
    for i in order[: total - sum(parts)]:
        parts[i] += 1
    return tuple(parts)


def _part(total: int, share: float) -> int:
    """``share`` of ``total``, rounded to the nearest whole (half up), by apportionment."""
    return apportion(total, [share, 1 - _exact(share)])[0]


@attrs.frozen
class SynthCounts:
    """What :func:`synthesize` will produce for a profile and ``n``, whatever the seed.

    :param cases: incidents (each with one call).
    :param repeat_calls: calls from a victim who has called before.
    :param victims: distinct victims (``cases - repeat_calls``).
    :param crimes: incidents recorded as crimes.
    :param offences: crimes per offence category, in the profile's order.
    :param arrests: crimes with an arrest.
    :param charges: crimes charged.
    :param cautions: crimes cautioned.
    :param out_of_court: crimes with an out-of-court disposal.
    :param open: crimes with no outcome yet.
    :param no_further_action: crimes closed with no further action.
    :param forms_missing_crime: crimes with no risk form.
    :param forms_missing_non_crime: non-crime incidents with no risk form.
    :param forms_late: received forms submitted after the officer went off duty.
    :param grades: received forms by DASH band (standard, medium, high).
    :param children_incidents: incidents with children in the household.
    :param children_present_incidents: of those, with children present.
    :param welfare_unchecked_incidents: of those, with a present child not checked.
    :param victims_16_17: victims aged 16 or 17 at their first incident.
    :param victims_under_16: victims under 16 (one incident each).
    """

    cases: int
    repeat_calls: int
    victims: int
    crimes: int
    offences: tuple[tuple[OffenceCategory, int], ...]
    arrests: int
    charges: int
    cautions: int
    out_of_court: int
    open: int
    no_further_action: int
    forms_missing_crime: int
    forms_missing_non_crime: int
    forms_late: int
    grades: tuple[int, int, int]
    children_incidents: int
    children_present_incidents: int
    welfare_unchecked_incidents: int
    victims_16_17: int
    victims_under_16: int

    @property
    def forms_received(self) -> int:
        """Incidents with a risk form."""
        return self.cases - self.forms_missing_crime - self.forms_missing_non_crime

    def offence_count(self, category: OffenceCategory) -> int:
        """Crimes in ``category``."""
        return dict(self.offences).get(category, 0)


def plan_counts(profile: Profile, n: int) -> SynthCounts:
    """Every count a synthetic year of ``n`` cases under ``profile`` has (seed-free).

    :raises ValueError: ``n`` is negative.
    """
    if not isinstance(n, int) or n < 0:
        raise ValueError("n must be a whole number, 0 or more")
    repeat_calls = _part(n, profile.repeat_caller_share)
    victims = n - repeat_calls
    crimes = _part(n, profile.crime_share)
    offence_parts = apportion(crimes, [c for _, c in profile.offence_mix])
    offences = tuple(
        (category, part)
        for (category, _), part in zip(profile.offence_mix, offence_parts, strict=True)
    )
    rest = (
        1
        - _exact(profile.charge_rate)
        - _exact(profile.caution_rate)
        - _exact(profile.out_of_court_rate)
        - _exact(profile.open_rate)
    )
    charges, cautions, out_of_court, open_, nfa = apportion(
        crimes,
        [
            profile.charge_rate,
            profile.caution_rate,
            profile.out_of_court_rate,
            profile.open_rate,
            rest,
        ],
    )
    missing_crime = _part(crimes, profile.forms_missing)
    missing_non_crime = _part(n - crimes, profile.forms_missing_non_crime)
    received = n - missing_crime - missing_non_crime
    grades = apportion(received, list(profile.grade_mix))
    children = _part(n, profile.children_share)
    present = _part(children, profile.children_present_share)
    under_16 = _part(victims, profile.under_16_share)
    return SynthCounts(
        cases=n,
        repeat_calls=repeat_calls,
        victims=victims,
        crimes=crimes,
        offences=offences,
        arrests=_part(crimes, profile.arrest_rate),
        charges=charges,
        cautions=cautions,
        out_of_court=out_of_court,
        open=open_,
        no_further_action=nfa,
        forms_missing_crime=missing_crime,
        forms_missing_non_crime=missing_non_crime,
        forms_late=_part(received, profile.forms_late),
        grades=(grades[0], grades[1], grades[2]),
        children_incidents=children,
        children_present_incidents=present,
        welfare_unchecked_incidents=_part(present, profile.welfare_unchecked_share),
        victims_16_17=min(_part(victims, profile.age_16_17_share), victims - under_16),
        victims_under_16=under_16,
    )


def totals_for(profile: Profile, n: int) -> ForceTotals:
    """The force-wide totals a synthetic year of ``n`` cases is measured against.

    Each total is the synthetic domestic-abuse count divided by the profile's share,
    rounded, so that the audit's shares come back as the profile's: all calls from the
    calls (every case has one) and ``da_share_of_calls``; all recorded crime from the
    crimes and ``da_share_of_crime``; each of the four offence groups from its
    synthetic count and the profile's force total per domestic-abuse crime. At the
    profile's reference size these are the source's own totals (Staffordshire: 269,
    6,884, 1,307 and 1,246).
    """
    counts = plan_counts(profile, n)
    mix = dict(profile.offence_mix)
    whole = sum(mix.values())
    force = dict(profile.force_offence_totals)

    def group(category: OffenceCategory) -> int:
        total = force.get(category)
        if total is None:
            return counts.offence_count(category)
        count = counts.offence_count(category)
        if count:
            return _round(Fraction(count * total, mix[category]))
        return _round(Fraction(counts.crimes * total, whole))

    return ForceTotals(
        all_calls=_round(counts.cases / _exact(profile.da_share_of_calls)),
        all_crimes=_round(counts.crimes / _exact(profile.da_share_of_crime)),
        assault_with_intent=group(OffenceCategory.ASSAULT_WITH_INTENT),
        assault_with_injury=group(OffenceCategory.ASSAULT_WITH_INJURY),
        harassment=group(OffenceCategory.HARASSMENT),
        sexual_offences=group(OffenceCategory.SEXUAL_OFFENCE),
    )


def _round(value: Fraction) -> int:
    """Nearest whole number, halves up (exact: no float)."""
    return int(value + Fraction(1, 2)) if value >= 0 else -_round(-value)


# --- picking --------------------------------------------------------------------------


def _pick(rng: random.Random, pool: Sequence[int], k: int, weight: Sequence[float]) -> list[int]:
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


def _sample(rng: random.Random, pool: Sequence[int], k: int) -> list[int]:
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
_ABUSE = {
    OffenceCategory.ASSAULT_WITH_INTENT: AbuseType.PHYSICAL,
    OffenceCategory.ASSAULT_WITH_INJURY: AbuseType.PHYSICAL,
    OffenceCategory.COMMON_ASSAULT: AbuseType.PHYSICAL,
    OffenceCategory.HARASSMENT: AbuseType.HARASSMENT,
    OffenceCategory.SEXUAL_OFFENCE: AbuseType.SEXUAL,
    OffenceCategory.STALKING: AbuseType.STALKING,
    OffenceCategory.CONTROLLING_OR_COERCIVE_BEHAVIOUR: AbuseType.COERCIVE,
    OffenceCategory.THREATS_TO_KILL: AbuseType.PSYCHOLOGICAL,
    OffenceCategory.CRIMINAL_DAMAGE: AbuseType.EMOTIONAL,
    OffenceCategory.BREACH_OF_ORDER: AbuseType.HARASSMENT,
    OffenceCategory.OTHER: AbuseType.PSYCHOLOGICAL,
}
#: DASH items a crime of this kind answers "yes" (when the score allows).
_REQUIRED_YES = {
    OffenceCategory.ASSAULT_WITH_INTENT: ("1", "16"),
    OffenceCategory.ASSAULT_WITH_INJURY: ("1",),
    OffenceCategory.SEXUAL_OFFENCE: ("19",),
    OffenceCategory.HARASSMENT: ("8",),
    OffenceCategory.STALKING: ("8",),
    OffenceCategory.THREATS_TO_KILL: ("17",),
    OffenceCategory.BREACH_OF_ORDER: ("26",),
    OffenceCategory.CONTROLLING_OR_COERCIVE_BEHAVIOUR: ("15",),
}
_SECONDARY = (
    AbuseType.PSYCHOLOGICAL,
    AbuseType.EMOTIONAL,
    AbuseType.CONTROLLING,
    AbuseType.FINANCIAL,
    AbuseType.COERCIVE,
)
_NON_CRIME_ABUSE = (
    AbuseType.PSYCHOLOGICAL,
    AbuseType.EMOTIONAL,
    AbuseType.CONTROLLING,
    AbuseType.HARASSMENT,
    AbuseType.FINANCIAL,
)
#: How likely each DASH item is to be "yes" when the score says some are.
_ITEM_WEIGHT = {
    "2": 4.0, "3": 3.0, "13": 3.0, "14": 3.0, "15": 3.0, "24": 3.0, "6": 2.5,
    "4": 2.0, "5": 2.0, "7": 1.5, "23": 1.5, "27": 2.0, "1": 1.5, "8": 1.5, "21": 1.2,
}  # fmt: skip
_ITEM_WEIGHTS = tuple(_ITEM_WEIGHT.get(i, 1.0) for i in _ITEMS)
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


# --- the plan -------------------------------------------------------------------------


@attrs.define
class _Victim:
    """A synthetic victim and their household: fixed for all their incidents."""

    age: int  # at the first incident
    relationship: Relationship
    suspect_age: int
    vulnerability: Vulnerability | None
    children: tuple[int, ...]  # ages, at the first incident
    incidents: int
    number: int = 0  # 1-based, in order of first report
    person: Person | None = None
    suspect: Person | None = None
    caller: Person | None = None
    kids: tuple[Child, ...] = ()
    children_from: int = 0  # the ordinal of the first incident that lists the children


@attrs.define
class _Slot:
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


def _lists_children(victim: _Victim, slot: _Slot) -> bool:
    return bool(victim.children) and slot.ordinal >= victim.children_from


def _rng(seed: int, stage: str) -> random.Random:
    return random.Random(f"dapolicy.synth:{seed}:{stage}")


def _adult_age(rng: random.Random) -> int:
    bands = (*_ADULT_AGES, _ADULT_AGES_OLD)
    low, high, _ = rng.choices(bands, [w for _, _, w in bands])[0]
    return rng.randint(low, high)


def _victims(profile: Profile, counts: SynthCounts, seed: int) -> list[_Victim]:
    rng = _rng(seed, "victims")
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
    under_16 = set(_sample(rng, singles, counts.victims_under_16))
    young = set(
        _sample(rng, [v for v in range(n_victims) if v not in under_16], counts.victims_16_17)
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
) -> _Victim:
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
    return _Victim(age, relationship, suspect_age, vulnerability, kids, 1)


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
        reported = _london(datetime.combine(day, time(hour, rng.randrange(60))))
        return reported, rng.choice(self._DELAYS)


def _fixed(instant: datetime) -> datetime:
    """``instant`` on the London clock, with its UTC offset fixed (as JSON gives it back).

    A fixed offset also keeps comparisons honest: Python compares two datetimes that
    share a ``ZoneInfo`` by wall clock, which is wrong in the autumn's repeated hour.
    """
    local = instant.astimezone(LONDON)
    offset = local.utcoffset()
    assert offset is not None
    return local.replace(tzinfo=timezone(offset), fold=0)


def _london(wall: datetime) -> datetime:
    """A London wall-clock time as an aware time; a time the clocks skip moves on an hour."""
    return _fixed(wall.replace(tzinfo=LONDON).astimezone(UTC))


def _after(moment: datetime, minutes: float) -> datetime:
    """``minutes`` of elapsed time after ``moment`` (right across clock changes)."""
    return _fixed(moment.astimezone(UTC) + timedelta(minutes=minutes))


def _slots(
    profile: Profile, counts: SynthCounts, victims: list[_Victim], seed: int
) -> list[_Slot]:
    rng = _rng(seed, "times")
    clock = _Clock(profile)
    slots: list[_Slot] = []
    for v, victim in enumerate(victims):
        times = sorted(clock.draw(rng) for _ in range(victim.incidents))
        slots.extend(_Slot(at, delay, v, k) for k, (at, delay) in enumerate(times))
    slots.sort(key=lambda s: (s.reported_at, s.victim, s.ordinal))
    number = 0
    for slot in slots:
        victim = victims[slot.victim]
        if slot.ordinal == 0:
            number += 1
            victim.number = number
    n = len(slots)
    everyone = range(n)

    crime_rng = _rng(seed, "crimes")
    crimes = _sample(crime_rng, everyone, counts.crimes)
    offences = [c for c, k in counts.offences for _ in range(k)]
    crime_rng.shuffle(offences)
    for i, offence in zip(crimes, offences, strict=True):
        slots[i].offence = offence
    arrest_weight = [_ARREST_WEIGHT[s.offence] if s.offence is not None else 0.0 for s in slots]
    for i in _pick(crime_rng, crimes, counts.arrests, arrest_weight):
        slots[i].arrest = True
    outcome_weight = [3.0 if s.arrest else 1.0 for s in slots]
    left = list(crimes)
    for outcome, k in (
        (Outcome.CHARGE, counts.charges),
        (Outcome.CAUTION, counts.cautions),
        (Outcome.OUT_OF_COURT_DISPOSAL, counts.out_of_court),
    ):
        chosen = set(_pick(crime_rng, left, k, outcome_weight))
        for i in chosen:
            slots[i].outcome = outcome
        left = [i for i in left if i not in chosen]
    still_open = set(_sample(crime_rng, left, counts.open))
    for i in left:
        if i not in still_open:
            slots[i].outcome = Outcome.NO_FURTHER_ACTION

    form_rng = _rng(seed, "forms")
    crime_set = set(crimes)
    non_crimes = [i for i in everyone if i not in crime_set]
    missing = set(_sample(form_rng, crimes, counts.forms_missing_crime))
    missing.update(_sample(form_rng, non_crimes, counts.forms_missing_non_crime))
    received = [i for i in everyone if i not in missing]
    for i in missing:
        slots[i].form = False
    for i in _sample(form_rng, received, counts.forms_late):
        slots[i].late = True
    risk_weight = [
        (_RISK_WEIGHT[s.offence] if s.offence is not None else 0.8) * (1.6 if s.ordinal else 1.0)
        for s in slots
    ]
    high = set(_pick(form_rng, received, counts.grades[2], risk_weight))
    rest = [i for i in received if i not in high]
    medium = set(_pick(form_rng, rest, counts.grades[1], [w**0.5 for w in risk_weight]))
    for i in high:
        slots[i].band = 2
    for i in medium:
        slots[i].band = 1

    child_rng = _rng(seed, "children")
    with_children = [i for i in everyone if _lists_children(victims[slots[i].victim], slots[i])]
    present = _sample(child_rng, with_children, counts.children_present_incidents)
    for i in present:
        slots[i].children_present = True
    for i in _sample(child_rng, present, counts.welfare_unchecked_incidents):
        slots[i].unchecked = True
    return slots


# --- building cases -------------------------------------------------------------------


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February in a common year
        return day.replace(year=day.year - years, day=28)


def _born(rng: random.Random, age: int, on: date) -> date:
    """A date of birth that makes someone exactly ``age`` on ``on``."""
    return _years_before(on, age) - timedelta(days=rng.randint(1, 360))


def _people(victim: _Victim, first_day: date, seed: int) -> None:
    rng = _rng(seed, f"person:{victim.number}")
    vid = f"V-{victim.number:06d}"
    vulnerabilities: frozenset[Vulnerability] = frozenset()
    if victim.vulnerability is not None:
        vulnerabilities = frozenset({victim.vulnerability})
    victim.person = Person(
        vid,
        date_of_birth=_born(rng, victim.age, first_day),
        # mypy's attrs plugin cannot see through the generic ``frozenset`` converter.
        vulnerabilities=vulnerabilities,  # type: ignore[arg-type]
    )
    victim.suspect = Person(
        f"S-{victim.number:06d}", date_of_birth=_born(rng, victim.suspect_age, first_day)
    )
    victim.caller = Person(vid)


def _form(
    rng: random.Random,
    slot: _Slot,
    incident: Incident,
    children: bool,
    bands: DashSettings,
) -> RiskForm:
    if slot.band == 0:
        low, high = 0, bands.medium_from - 1
        score = round(rng.triangular(low, high, (low + high) / 2))
    elif slot.band == 1:
        score = rng.randint(bands.medium_from, bands.high_from - 1)
    else:
        low, high = bands.high_from, min(22, bands.high_from + 8)
        score = round(rng.triangular(low, high, low))
    eligible = [i for i in _ITEMS if children or i not in _CHILD_ITEMS]
    facts = _REQUIRED_YES.get(slot.offence, ()) if slot.offence is not None else ()
    required = [i for i in facts if i in eligible]
    yes = set(required[:score])
    others = [k for k, i in enumerate(_ITEMS) if i in eligible and i not in yes]
    yes.update(_ITEMS[k] for k in _pick(rng, others, score - len(yes), _ITEM_WEIGHTS))
    answers: dict[str, Answer] = {}
    for item in _ITEMS:
        if item in yes:
            answers[item] = Answer.YES
        else:
            roll = rng.random()
            answers[item] = (
                Answer.NOT_KNOWN if roll < 0.05 else Answer.DECLINED if roll < 0.06 else Answer.NO
            )
    completed = _after(incident.reported_at, rng.randint(20, 180))
    off_duty = _after(completed, rng.randint(30, 360))
    if slot.late:
        submitted = _after(off_duty, rng.randint(30, 36 * 60))
    else:
        gap = int((off_duty.timestamp() - completed.timestamp()) // 60)
        submitted = _after(completed, rng.randint(min(5, gap), gap))
    officer = incident.attending_officer or "PC-0000"
    return RiskForm(
        incident_id=incident.id,
        checklist=CHECKLIST,
        answers=answers,
        completed_by=officer,
        completed_at=completed,
        submitted_at=submitted,
        officer_off_duty_at=off_duty,
    )


def _graded_at(submitted: datetime) -> datetime:
    """10:00 London time on the first weekday after the form arrived (the MASH's run)."""
    day = submitted.astimezone(LONDON).date()
    while True:
        at = _fixed(datetime.combine(day, time(10), tzinfo=LONDON))
        if at > submitted and day.weekday() < 5:
            return at
        day += timedelta(days=1)


def _grade_of(band: int) -> RiskGrade:
    return (RiskGrade.STANDARD, RiskGrade.MEDIUM, RiskGrade.HIGH)[band]


def synthesize(n: int, seed: int, profile: Profile = STAFFORDSHIRE_2013) -> Iterator[Case]:
    """``n`` synthetic, valid cases under ``profile``, in the order they were reported.

    Counts are exactly :func:`plan_counts` ``(profile, n)``; the seed decides which
    records have what. The same arguments give the same cases, and the same bytes of
    :func:`~dapolicy.serialization.to_json`.

    - every incident comes from one call by the victim; ``repeat_caller`` is set when
      the victim has called before (in this synthetic year);
    - a repeat victim keeps the same suspect and household; a household with children
      lists them on every incident, present or usually resident;
    - forms are DASH 2009 police checklists (items ``"1"`` to ``"27"``), scored in the
      default DASH bands; the MASH's grade (``recorded_grade``, the form's DASH band) is
      recorded at 10:00 on the first weekday after the form arrived (``graded_at``),
      and not at all when no form arrived;
    - no further action always carries :data:`NFA_RATIONALE`.

    :param n: how many cases.
    :param seed: any integer.
    :param profile: the profile (see :data:`PROFILES`).
    :raises ValueError: ``n`` is negative.
    """
    counts = plan_counts(profile, n)
    return _build(profile, counts, seed)


def _build(profile: Profile, counts: SynthCounts, seed: int) -> Iterator[Case]:
    victims = _victims(profile, counts, seed)
    slots = _slots(profile, counts, victims, seed)
    bands = DashSettings()
    rng = _rng(seed, "cases")
    crime_number = 0
    for number, slot in enumerate(slots, start=1):
        victim = victims[slot.victim]
        occurred = _after(slot.reported_at, -slot.delay_minutes)
        if victim.person is None:
            _people(victim, occurred.astimezone(LONDON).date(), seed)
            victim.kids = tuple(
                Child(f"C-{victim.number:06d}-{k}", age, usually_resident=True)
                for k, age in enumerate(victim.children, start=1)
            )
        assert victim.person is not None
        assert victim.suspect is not None
        crime = None
        if slot.offence is not None:
            crime_number += 1
            crime = Crime(
                f"SYN-CR-{crime_number:06d}",
                slot.offence,
                arrest_made=slot.arrest,
                outcome=slot.outcome,
                outcome_rationale=(
                    NFA_RATIONALE if slot.outcome is Outcome.NO_FURTHER_ACTION else None
                ),
            )
            abuse = {_ABUSE[slot.offence]}
        else:
            abuse = {rng.choice(_NON_CRIME_ABUSE)}
        if rng.random() < 0.3:
            abuse.add(rng.choice(_SECONDARY))
        children = tuple(
            attrs.evolve(
                child,
                present=slot.children_present,
                welfare_checked=slot.children_present and not (slot.unchecked and k == 0),
            )
            for k, child in enumerate(victim.kids)
            if _lists_children(victim, slot)
        )
        call = Call(
            f"SYN-CALL-{number:06d}",
            slot.reported_at,
            caller=victim.caller,
            location_id=f"L-{victim.number:06d}",
            repeat_caller=slot.ordinal > 0,
        )
        incident = Incident(
            id=f"SYN-INC-{number:06d}",
            reported_at=slot.reported_at,
            occurred_at=occurred,
            victim=victim.person,
            suspect=victim.suspect,
            relationship=victim.relationship,
            abuse_types=frozenset(abuse),
            children=children,
            attending_officer=f"PC-{rng.randint(1, 800):04d}",
            crime=crime,
            call_id=call.id,
        )
        form = graded_at = grade = None
        if slot.form:
            form = _form(rng, slot, incident, bool(children), bands)
            assert form.submitted_at is not None
            graded_at = _graded_at(form.submitted_at)
            grade = _grade_of(slot.band)
        yield Case(incident, form, call, graded_at, grade)
