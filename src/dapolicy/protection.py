"""Protection notices and orders: which regime, who may give one, and the deadlines.

The Domestic Abuse Act 2021 Part 3 (DAPN and DAPO, ss.22-29) replaces the Domestic
Violence Protection Notice and Order (Crime and Security Act 2010 ss.24-33) in pilot
areas from their start dates; everywhere else, and before, the DVPN regime applies.

- :func:`regime_for`: the regime in force for an area at a moment.
- :func:`protection_notice_eligibility`: every unmet condition, named.
- :func:`order_hearing_due`, :func:`breach_court_due`: the 48- and 24-hour periods,
  Sundays, Christmas Day, Good Friday and bank holidays disregarded (ss.26, 29).
- :func:`spo_notification_due`: a Stalking Protection Order's notification period.

The pilot table (:data:`DAPN_PILOT`) is from Written Statement HCWS254 (27 November
2024), the College of Policing, and the Commencement (Amendment) Regulations 2025 that
extended the pilot to 31 March 2026. What follows the pilot's end is not known (no
national rollout date was found): from 1 April 2026 a pilot area's regime is not
known, and a check says so, unless the force sets ``[protection] regime`` (in a dated
version for its areas, see the configuration docs).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from dapolicy.calendar import BANK_HOLIDAY_SOURCE, add_hours_disregarding
from dapolicy.models import Incident, Reason
from dapolicy.models._base import LONDON, fixed_offset, micros
from dapolicy.models.protection import ProtectionNoticeCheck, ProtectionRegime, Rank
from dapolicy.models.risk import reason
from dapolicy.operations import dvpn_eligibility
from dapolicy.settings import RegimeChoice, Settings

__all__ = [
    "BREACH_SOURCE",
    "DAPN_PILOT",
    "HEARING_SOURCE",
    "PILOT_UNTIL",
    "breach_court_due",
    "order_hearing_due",
    "protection_notice_eligibility",
    "regime_for",
    "spo_notification_due",
]

#: Pilot area id -> the day the DAPN/DAPO pilot started there.
DAPN_PILOT: dict[str, date] = {
    "greater-manchester": date(2024, 11, 27),
    "met-croydon": date(2024, 11, 27),
    "met-bromley": date(2024, 11, 27),
    "met-sutton": date(2024, 11, 27),
    "british-transport-police": date(2024, 11, 27),
    "cleveland": date(2025, 3, 11),
    "north-wales": date(2025, 4, 28),
}
#: The last day of the pilot as extended (Commencement (Amendment) Regulations 2025).
PILOT_UNTIL = date(2026, 3, 31)

PILOT_SOURCE = (
    "Domestic Abuse Act 2021 Part 3 pilot: Written Statement HCWS254 (27 Nov 2024); "
    "Cleveland from 11 Mar 2025, North Wales from 28 Apr 2025; extended to 31 Mar 2026"
)
DAPN_SOURCE = "Domestic Abuse Act 2021 s.22 (DAPN) and s.24 (matters to be considered)"
DVPN_SOURCE = "Crime and Security Act 2010 s.24 (DVPN)"


def regime_for(
    moment: datetime, area: str | None, settings: Settings | None = None
) -> tuple[ProtectionRegime | None, Reason]:
    """The protection-notice regime in force for ``area`` at ``moment``, and why.

    ``None`` when it is not known: a pilot area after the pilot's end (31 March 2026)
    with ``[protection] regime`` left at ``auto``.
    """
    choice = (settings or Settings()).protection.regime
    if choice is not RegimeChoice.AUTO:
        regime = ProtectionRegime(choice.value)
        return regime, reason(
            "protection.regime-set",
            "force setting protection.regime",
            f"the force sets the {regime.value} regime",
        )
    day = moment.astimezone(LONDON).date()
    started = DAPN_PILOT.get(area) if area is not None else None
    if started is None or day < started:
        where = "no area recorded" if area is None else "not a pilot area, or before its start"
        return ProtectionRegime.DVPN, reason(
            "protection.regime-dvpn", PILOT_SOURCE, f"DVPN regime: {where}"
        )
    if day > PILOT_UNTIL:
        return None, reason(
            "protection.regime-not-known",
            PILOT_SOURCE,
            "a pilot area after the pilot's end (31 March 2026): the regime in force is not "
            "known; confirm it and set protection.regime",
        )
    return ProtectionRegime.DAPN, reason(
        "protection.regime-dapn", PILOT_SOURCE, f"DAPN regime: a pilot area from {started}"
    )


def _condition(value: bool | None, text: str) -> list[str]:
    if value is None:
        return [f"not known: {text}"]
    return [] if value else [f"not met: {text}"]


def protection_notice_eligibility(
    incident: Incident,
    *,
    now: datetime,
    issuer_rank: Rank | None,
    abusive: bool | None,
    necessary: bool | None,
    child_welfare_considered: bool | None = None,
    victim_opinion_considered: bool | None = None,
    representations_considered: bool | None = None,
    settings: Settings | None = None,
) -> ProtectionNoticeCheck:
    """Whether a protection notice may be given now, naming every unmet condition.

    Under the DAPN regime (DA Act 2021 s.22): given by an inspector or above; the
    suspect 18 or over; the victim 16 or over and personally connected to the suspect;
    reasonable grounds that the suspect has been *abusive* (any s.1 behaviour, coercive
    control included, not only violence); the notice necessary to protect the victim;
    and the s.24 matters considered (the welfare of any child, the victim's opinion,
    the suspect's representations). Under the DVPN regime, the DVPN's conditions
    (:func:`dapolicy.operations.dvpn_eligibility`; violence or its threat, a
    superintendent). A condition given as ``None`` is not known, and so not met.

    :param now: when the notice would be given (ages and the regime are taken then).
    :param issuer_rank: the rank of the officer giving or authorising it.
    :param abusive: reasonable grounds to believe the suspect has been abusive (DAPN)
        or violent or threatening (DVPN) towards the victim.
    """
    regime, why = regime_for(now, incident.area, settings)
    if regime is None:
        return ProtectionNoticeCheck(None, False, (why.text,), (why,))
    day = now.astimezone(LONDON).date()
    if regime is ProtectionRegime.DVPN:
        dvpn = dvpn_eligibility(
            incident,
            violence_or_threat=abusive,
            necessary=necessary,
            superintendent_authorised=None
            if issuer_rank is None
            else issuer_rank >= Rank.SUPERINTENDENT,
            on=now,
        )
        source = reason("protection.dvpn-conditions", DVPN_SOURCE, "the DVPN's conditions")
        return ProtectionNoticeCheck(regime, dvpn.eligible, dvpn.unmet, (why, source))
    unmet: list[str] = []
    if issuer_rank is None:
        unmet.append("not known: given by an inspector or above")
    elif issuer_rank < Rank.INSPECTOR:
        unmet.append("not met: given by an inspector or above")
    suspect_age = incident.suspect.age_on(day)
    if suspect_age is None:
        unmet.append("the suspect's age is not known (must be 18 or over)")
    elif suspect_age < 18:
        unmet.append("the suspect is under 18 (s.22(6))")
    victim_age = incident.victim.age_on(incident.occurred_at.astimezone(LONDON).date())
    if victim_age is None:
        unmet.append("the victim's age is not known (must be 16 or over)")
    elif victim_age < 16:
        unmet.append("the victim is under 16")
    if not incident.relationship.personally_connected:
        unmet.append("not met: the victim and suspect are personally connected (s.2)")
    unmet += _condition(abusive, "reasonable grounds that the suspect has been abusive")
    unmet += _condition(necessary, "the notice is necessary to protect the victim")
    for value, text in (
        (child_welfare_considered, "s.24: the welfare of any child considered"),
        (victim_opinion_considered, "s.24: the victim's opinion considered"),
        (representations_considered, "s.24: the suspect's representations considered"),
    ):
        unmet += _condition(value, text)
    source = reason("protection.dapn-conditions", DAPN_SOURCE, "the DAPN's conditions")
    return ProtectionNoticeCheck(regime, not unmet, tuple(unmet), (why, source))


#: Where the deadlines come from.
HEARING_SOURCE = (
    "Domestic Abuse Act 2021 s.29 (DAPO hearing within 48 hours of the notice); "
    "Sundays, Christmas Day, Good Friday and bank holidays disregarded; " + BANK_HOLIDAY_SOURCE
)
BREACH_SOURCE = (
    "Domestic Abuse Act 2021 s.26 (after arrest for breach, before the court within 24 "
    "hours); Sundays, Christmas Day, Good Friday and bank holidays disregarded; "
    + BANK_HOLIDAY_SOURCE
)


def order_hearing_due(notice_given_at: datetime) -> datetime:
    """When the order's hearing must be, at the latest: 48 hours after the notice."""
    return add_hours_disregarding(notice_given_at, 48)


def breach_court_due(arrested_at: datetime, hearing_due: datetime | None = None) -> datetime:
    """When a person arrested for breach must be before the court.

    24 hours after the arrest (the same days disregarded), or the order's hearing if
    that is earlier.
    """
    due = add_hours_disregarding(arrested_at, 24)
    if hearing_due is not None and micros(hearing_due) < micros(due):
        return hearing_due
    return due


def spo_notification_due(order_served_at: datetime) -> datetime:
    """The end of a Stalking Protection Order's notification period.

    Three days beginning with the day the order is served (Stalking Protection Act
    2019 s.9): the start of the fourth London day.
    """
    day = order_served_at.astimezone(LONDON).date() + timedelta(days=3)
    return fixed_offset(datetime.combine(day, time(0), tzinfo=LONDON))
