"""The synthetic profiles: what a year looks like (private; public as :mod:`dapolicy.synth`)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from types import MappingProxyType

import attrs

from dapolicy.models import OffenceCategory
from dapolicy.models._base import Checked, Problems, not_blank

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
    :param pilot_area_share: share of victims living in a DAPN pilot area (the 2026
        rules; every share below is 0 by default, and a profile that sets none of them
        and no ``term_ends`` is built exactly as before they existed).
    :param child_victim_share: share of households with children whose children saw or
        heard the abuse: victims in their own right (DA Act 2021 s.3).
    :param weapon_share: share of incidents with a weapon present (every assault with
        intent has one as well).
    :param key_not_known_share: share of the forms received with one key DASH item
        answered "not known".
    :param term_ends: last days of school terms in the year; each gets an incident in a
        household with children that day, when the year has one.
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
    pilot_area_share: float = 0.0
    child_victim_share: float = 0.0
    weapon_share: float = 0.0
    key_not_known_share: float = 0.0
    term_ends: tuple[date, ...] = ()

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
            "pilot_area_share",
            "child_victim_share",
            "weapon_share",
            "key_not_known_share",
        ):
            yield from _share(name, getattr(self, name))
        if any(not self.period_start <= day <= self.period_end for day in self.term_ends):
            yield "term_ends", "each must fall within the period"
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
    def exercises_2026_rules(self) -> bool:
        """Any of the 2026 rules' shares, or a term's end, is set."""
        return bool(
            self.pilot_area_share
            or self.child_victim_share
            or self.weapon_share
            or self.key_not_known_share
            or self.term_ends
        )

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

_PILOT_ASSUMPTIONS = (
    "every share is a round number chosen to exercise the 2026 rules, not a real force's; "
    "the crime, outcome, form and grade figures are those of the uniform profile",
    "the year runs from 1 September 2024 to 31 August 2025, so it holds the first day of "
    "every DAPN pilot (27 November 2024, 11 March 2025, 28 April 2025), the Domestic "
    "Abuse Act's definition and the DVDS statutory guidance's 28 days",
    "pilot_area_share 0.30 of victims in a pilot area; child_victim_share 0.50 of "
    "households with children whose children saw or heard the abuse (half of them the "
    "suspect's children too); weapon_share 0.05; key_not_known_share 0.10",
    "term_ends: the last days of the three terms of 2024-25 in many English schools "
    "(20 December 2024, 4 April 2025, 22 July 2025); a force sets its own term dates",
    "stalking is 10 % of the offence mix, so that Stalking Protection Orders are considered",
)

#: A year that exercises the rules of the 2026 policy: pilot areas and their first days,
#: child victims, weapons, "not known" key items, the ends of school terms, stalking.
PILOT_2024_25 = attrs.evolve(
    UNIFORM,
    name="pilot-2024-25",
    description=(
        "round numbers over 1 Sep 2024 to 31 Aug 2025, exercising the 2026 rules: DAPN "
        "pilot areas and their first days, child victims, weapons, key items not known, "
        "the last days of school terms, stalking"
    ),
    reference_cases=2_000,
    period_start=date(2024, 9, 1),
    period_end=date(2025, 8, 31),
    offence_mix=(
        *(
            (category, 9)
            for category in OffenceCategory
            if category is not OffenceCategory.STALKING
        ),
        (OffenceCategory.STALKING, 10),
    ),
    force_offence_totals=tuple((category, 45) for category in _FOUR_GROUPS),
    children_share=0.30,
    welfare_unchecked_share=0.2,
    age_16_17_share=0.02,
    assumptions=_PILOT_ASSUMPTIONS,
    pilot_area_share=0.30,
    child_victim_share=0.50,
    weapon_share=0.05,
    key_not_known_share=0.10,
    term_ends=(date(2024, 12, 20), date(2025, 4, 4), date(2025, 7, 22)),
)

#: The built-in profiles by name; ``staffordshire-2013`` is the default.
PROFILES: Mapping[str, Profile] = MappingProxyType(
    {profile.name: profile for profile in (STAFFORDSHIRE_2013, UNIFORM, PILOT_2024_25)}
)
