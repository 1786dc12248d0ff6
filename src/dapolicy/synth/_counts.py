"""Exact counts by largest-remainder apportionment (private; public as :mod:`dapolicy.synth`)."""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction

import attrs

from dapolicy._totals import ForceTotals
from dapolicy.models import OffenceCategory
from dapolicy.synth._profiles import Profile


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
