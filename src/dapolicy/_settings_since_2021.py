"""The settings sections for the law and guidance since 2021.

Protection notices and orders (the Domestic Abuse Act 2021's DAPN/DAPO), Operation
Encompass's school days, and the Victims' Code's timings. The public face is
:mod:`dapolicy.settings`, which re-exports every class here.
"""

from __future__ import annotations

from datetime import date, datetime

import attrs

from dapolicy._settings_ranges import Flag, Items, OneOf, Section, Whole, bounded
from dapolicy.models._base import Problems, to_tuple
from dapolicy.models.protection import RegimeChoice

__all__ = [
    "Day",
    "EncompassSettings",
    "ProtectionSettings",
    "SchoolTerm",
    "VictimsCodeSettings",
]


@attrs.frozen
class ProtectionSettings(Section):
    """Protection notices and orders (DVPN, DAPN/DAPO, Stalking Protection Orders).

    :param regime: ``auto`` chooses the DAPN regime in the pilot areas from their start
        dates and DVPN elsewhere and before (``dapolicy.protection.DAPN_PILOT``); a
        force sets ``dvpn`` or ``dapn`` (in a dated version for its areas) where it
        knows better, e.g. after the pilot's end, when ``auto`` says "not known".
    :param spo_consider_days: when stalking is indicated, consider a Stalking
        Protection Order within this many days (7; an assumption, no figure found).
    """

    regime: RegimeChoice = bounded(RegimeChoice.AUTO, OneOf(RegimeChoice))
    spo_consider_days: int = bounded(7, Whole(1, 28))


@attrs.frozen
class Day:
    """A calendar day (a TOML date)."""

    text = "a date"

    def problems(self, name: str, value: object) -> Problems:
        """Anything but a date."""
        if not isinstance(value, date) or isinstance(value, datetime):
            yield name, "must be a date"


@attrs.frozen
class SchoolTerm(Section):
    """A school term: school days are its weekdays that are not bank holidays.

    In a file, ``{first_day = 2026-09-02, last_day = 2026-10-23}`` (TOML dates).

    :param first_day: the term's first day.
    :param last_day: its last day, included.
    """

    first_day: date = bounded(attrs.NOTHING, Day())
    last_day: date = bounded(attrs.NOTHING, Day())

    def _related(self, bad: set[str]) -> Problems:
        if bad.isdisjoint({"first_day", "last_day"}) and self.last_day < self.first_day:
            yield "last_day", "must not be before first_day"


@attrs.frozen
class EncompassSettings(Section):
    """Operation Encompass: the school-day calendar the notification is due by.

    :param terms: the force's school terms; none (the default) means every weekday
        that is not a bank holiday is a school day (an assumption a force replaces with
        its local authorities' term dates).
    :param school_day_starts_minutes: minutes after midnight the school day starts
        (510, 08:30; an assumption).
    """

    terms: tuple[SchoolTerm, ...] = bounded((), Items(0, 60), converter=to_tuple)
    school_day_starts_minutes: int = bounded(510, Whole(0, 1439))


@attrs.frozen
class VictimsCodeSettings(Section):
    """The Victims' Code's timings (in force 1 April 2021).

    :param domestic_abuse_enhanced: treat every domestic-abuse victim as entitled to
        enhanced rights (told of key decisions within 1 working day, else 5). True by
        default: an ASSUMPTION (the reference reads DA victims as victims of the most
        serious crime but could not confirm it); vulnerable victims are always enhanced.
    """

    domestic_abuse_enhanced: bool = bounded(True, Flag())
