"""Calendar rules for statutory deadlines: bank holidays, working days, excluded days.

Bank holidays come from the maintained `holidays <https://pypi.org/project/holidays/>`_
package (England and Wales: the ``GB`` country, ``ENG`` subdivision, whose bank
holidays are the same as Wales'), not a hand-written table: substitute days ("Boxing
Day (observed)"), one-off holidays (a coronation, a funeral) and moved days (VE Day)
are kept up to date there, as ``docs/dependencies.md`` says.

Every day is a Europe/London calendar day; every period of hours is elapsed time, so
a deadline is right across a clock change.

- :func:`add_hours_disregarding`: the Domestic Abuse Act 2021 ss.26 and 29 periods (24
  and 48 hours) in which Sundays, Christmas Day, Good Friday and bank holidays are
  disregarded.
- :func:`is_working_day` and :func:`end_of_working_days`: Monday to Friday that is not
  a bank holiday (the Victims' Code's working days).
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from datetime import date, datetime, time, timedelta

from dapolicy.models._base import LONDON, fixed_offset

__all__ = [
    "add_hours_disregarding",
    "bank_holidays",
    "end_of_working_days",
    "is_bank_holiday",
    "is_disregarded_day",
    "is_working_day",
    "is_school_day",
    "next_london_midnight",
    "next_school_day_start",
]

#: Where the bank holidays come from (cited by every rule that uses them).
BANK_HOLIDAY_SOURCE = "bank holidays of England and Wales (the holidays package, GB-ENG)"


@functools.cache
def bank_holidays(year: int) -> frozenset[date]:
    """The bank holidays of England and Wales in ``year``, substitute days included."""
    import holidays

    found = holidays.country_holidays("GB", subdiv="ENG", years=year)
    # A holiday on a weekend whose bank holiday is a substitute weekday ("Boxing Day
    # (observed)") is not itself a bank holiday: keep only the substitute.
    observed = {
        name.removesuffix(" (observed)")
        for names in found.values()
        for name in names.split("; ")
        if name.endswith(" (observed)")
    }
    return frozenset(
        day
        for day, names in found.items()
        if not (day.weekday() >= 5 and set(names.split("; ")) <= observed)
    )


def is_bank_holiday(day: date) -> bool:
    """``day`` is a bank holiday in England and Wales."""
    return day in bank_holidays(day.year)


def _good_friday(year: int) -> date:
    # Anonymous Gregorian algorithm (Meeus/Jones/Butcher) for Easter Sunday.
    a, b, c = year % 19, year // 100, year % 100
    d, e = divmod(b, 4)
    g = (8 * b + 13) // 25
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    ell = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * ell) // 451
    month, day = divmod(h + ell - 7 * m + 114, 31)
    return date(year, month, day + 1) - timedelta(days=2)


def is_disregarded_day(day: date) -> bool:
    """A Sunday, Christmas Day, Good Friday or a bank holiday (DA Act 2021 ss.26, 29)."""
    return (
        day.weekday() == 6
        or (day.month, day.day) == (12, 25)
        or day == _good_friday(day.year)
        or is_bank_holiday(day)
    )


def next_london_midnight(moment: datetime) -> datetime:
    """The start of the London calendar day after the one ``moment`` falls on."""
    day = moment.astimezone(LONDON).date() + timedelta(days=1)
    return fixed_offset(datetime.combine(day, time(0), tzinfo=LONDON))


def add_hours_disregarding(start: datetime, hours: int) -> datetime:
    """``hours`` elapsed hours after ``start``, not counting time on disregarded days.

    Time on a Sunday, Christmas Day, Good Friday or bank holiday (London days) does not
    count; the period runs on from the next day that is not one.
    """
    remaining = timedelta(hours=hours)
    cursor = start.astimezone(LONDON)
    while True:
        midnight = next_london_midnight(cursor)
        if is_disregarded_day(cursor.date()):
            cursor = midnight.astimezone(LONDON)
            continue
        left_today = midnight - cursor
        if remaining <= left_today:
            return fixed_offset((cursor + remaining).astimezone(LONDON))
        remaining -= left_today
        cursor = midnight.astimezone(LONDON)


def is_working_day(day: date) -> bool:
    """Monday to Friday, not a bank holiday in England and Wales."""
    return day.weekday() < 5 and not is_bank_holiday(day)


def end_of_working_days(start: datetime, days: int) -> datetime:
    """The end of the ``days``-th working day after ``start``'s London day.

    "Within 1 working day" of something on a Friday evening is by the end of Monday
    (the next working day): the deadline is the start of the day after it.
    """
    day = start.astimezone(LONDON).date()
    counted = 0
    while counted < days:
        day += timedelta(days=1)
        if is_working_day(day):
            counted += 1
    return fixed_offset(datetime.combine(day + timedelta(days=1), time(0), tzinfo=LONDON))


def is_school_day(day: date, terms: Sequence[tuple[date, date]] = ()) -> bool:
    """A weekday that is not a bank holiday, within one of ``terms`` if any are given."""
    if not is_working_day(day):
        return False
    return not terms or any(first <= day <= last for first, last in terms)


def next_school_day_start(
    moment: datetime, terms: Sequence[tuple[date, date]] = (), starts_minutes: int = 510
) -> datetime | None:
    """The start of the first school day that starts after ``moment``.

    ``None`` when ``terms`` are given and none has a school day after ``moment`` (the
    force's term dates have run out).
    """
    day = moment.astimezone(LONDON).date()
    last = max((end for _, end in terms), default=None)
    while last is None or day <= last:
        if is_school_day(day, terms):
            start = datetime.combine(day, time(0), tzinfo=LONDON) + timedelta(
                minutes=starts_minutes
            )
            start = fixed_offset(start.astimezone(LONDON))
            if start > moment:
                return start
        day += timedelta(days=1)
        if last is None and day > moment.astimezone(LONDON).date() + timedelta(days=31):
            return None  # pragma: no cover - a month always has a weekday
    return None
