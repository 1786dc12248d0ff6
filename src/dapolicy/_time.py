"""Calendar arithmetic in the force's time zone (Europe/London).

Due times and 12-month windows are reckoned on the local wall clock, so "28 days after
22:40 on 20 March" is 22:40 on 17 April whether or not the clocks changed in between.
"""

from __future__ import annotations

import calendar
import functools
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta, timezone

from dapolicy.models._base import LONDON

__all__ = ["LondonClock", "add_local", "london_due", "months_before", "on_london_clock"]


def _localise(naive_local: datetime) -> datetime:
    """Attach London time to a wall-clock time; a time the clocks skip moves forward.

    In the spring gap (01:00-02:00 on the last Sunday of March) the wall time does not
    exist; the result is the same instant an hour later on the wall clock, so a
    deadline is never moved earlier. In the autumn overlap the first (BST) occurrence
    is taken, the earlier instant, so a window start is never moved later.
    """
    aware = naive_local.replace(tzinfo=LONDON, fold=0)
    # Through UTC: astimezone() to the zone a datetime is already in changes nothing.
    round_trip = aware.astimezone(UTC).astimezone(LONDON).replace(tzinfo=None)
    if round_trip != naive_local:  # inside the spring gap
        aware = (naive_local + timedelta(hours=1)).replace(tzinfo=LONDON)
    return aware


def add_local(start: datetime, *, days: int = 0, hours: float = 0) -> datetime:
    """``start`` plus whole local days (same wall-clock time) and then elapsed hours."""
    moved = start
    if days:
        local = start.astimezone(LONDON).replace(tzinfo=None)
        moved = _localise(local + timedelta(days=days))
        if not hours:
            return moved
    # Aware arithmetic within one tzinfo is wall-clock arithmetic in Python; elapsed
    # hours must be added in UTC.
    return (moved.astimezone(UTC) + timedelta(hours=hours)).astimezone(LONDON)


@functools.lru_cache(maxsize=4096)
def months_before(moment: datetime, months: int) -> datetime:
    """The same local wall-clock time ``months`` calendar months earlier.

    A day that the earlier month lacks is clamped to its last day: 12 months before
    29 February 2024 is 28 February 2023; one month before 31 March is 28 or 29 February.
    """
    local = moment.astimezone(LONDON).replace(tzinfo=None)
    total = local.year * 12 + (local.month - 1) - months
    year, month = divmod(total, 12)
    day = min(local.day, calendar.monthrange(year, month + 1)[1])
    return _localise(local.replace(year=year, month=month + 1, day=day))


def on_london_clock(moment: datetime) -> datetime:
    """``moment`` in Europe/London, at the fixed UTC offset London had at that instant.

    The one zone every due time a policy returns is in (``+00:00`` in winter, ``+01:00``
    in summer), whatever zone a plug-in computed it in. The instant is unchanged.
    """
    zone = moment.tzinfo
    if type(zone) is timezone and type(moment) is datetime:  # a model's: look it up
        day = moment.toordinal()
        london = _STEADY_NEAR.get(day, _UNKNOWN)
        if london is _UNKNOWN:
            london = _steady_near(day)
        if london is not None:
            if moment.utcoffset() == london:
                return moment
            # The same instant at London's offset (astimezone takes no keywords to
            # parse, as replace(tzinfo=...) does).
            return moment.astimezone(_fixed(london))
    local = moment.astimezone(LONDON)
    offset = local.utcoffset()
    if offset == moment.utcoffset() and type(moment.tzinfo) is timezone:
        return moment
    assert offset is not None
    return local.replace(tzinfo=timezone(offset), fold=0)


_OFFSETS: dict[timedelta, timezone] = {}


def _fixed(offset: timedelta) -> timezone:
    """The fixed-offset zone of ``offset``, one instance for each offset."""
    zone = _OFFSETS.get(offset)
    if zone is None:
        zone = _OFFSETS[offset] = timezone(offset)
    return zone


class _Spans(dict[float, timedelta]):
    """``timedelta(**{unit: n})`` for each ``n`` asked for, made once.

    A ``timedelta`` made with keywords costs about as much as the arithmetic it serves.
    """

    def __init__(self, unit: str) -> None:
        super().__init__()
        self.unit = unit

    def __missing__(self, amount: float) -> timedelta:
        if len(self) >= 1024:
            self.clear()
        span = self[amount] = timedelta(**{self.unit: amount})
        return span


_DAYS = _Spans("days")
_HOURS = _Spans("hours")


#: London's UTC offset all through each London day on which it does not change, by the
#: day's ordinal (``None`` for a day the clocks change on); and the same for the five
#: days around each day, so that any instant written at any offset on that day (less
#: than a day from UTC) falls in London on a day with that offset.
_STEADY: dict[int, timedelta | None] = {}
_STEADY_NEAR: dict[int, timedelta | None] = {}
#: How many days each table keeps before it is emptied (about 27 years' worth).
_STEADY_KEPT = 10_000
_UNKNOWN = timedelta(days=-2)  # not in a table yet (no offset is a day or more)


def _steady(day: int) -> timedelta | None:
    """London's offset through London day ``day`` (an ordinal), or None if it changes.

    London's clocks change at most once a day, so a day that starts and ends at one
    offset is at that offset throughout (the tests check every change from 1900 to
    2200 against this).
    """
    if day in _STEADY:
        return _STEADY[day]
    if len(_STEADY) >= _STEADY_KEPT:
        _STEADY.clear()
    start = datetime.fromordinal(day)
    first = LONDON.utcoffset(start)
    found = first if first == LONDON.utcoffset(start + timedelta(days=1)) else None
    _STEADY[day] = found
    return found


def _steady_near(day: int) -> timedelta | None:
    """London's offset through days ``day - 2`` to ``day + 2``, or None if it changes."""
    if day in _STEADY_NEAR:
        return _STEADY_NEAR[day]
    if len(_STEADY_NEAR) >= _STEADY_KEPT:
        _STEADY_NEAR.clear()
    offsets = {_steady(near) for near in range(day - 2, day + 3)}
    found = offsets.pop() if len(offsets) == 1 else None
    _STEADY_NEAR[day] = found
    return found


def _days_later(local: datetime, days: int, fixed: datetime | None = None) -> datetime:
    """``fixed_offset(_localise(wall + days))`` for ``local``, an aware London time.

    :param fixed: ``local`` at its own fixed offset (the same wall clock), if known:
        then a day on which London keeps one offset needs no zone at all.
    """
    # Aware arithmetic in one zone is wall-clock arithmetic, and gives fold=0: the
    # same wall clock, and so the same London day, from either.
    moved = (local if fixed is None else fixed) + _DAYS[days]
    day = moved.toordinal()
    steady = _STEADY.get(day, _UNKNOWN)
    if steady is _UNKNOWN:
        steady = _steady(day)
    if steady is not None:  # the wall time exists, once, at the day's one offset
        if fixed is None:
            return moved.replace(tzinfo=_fixed(steady))
        offset = fixed.utcoffset()
        if offset == steady:
            return moved
        assert offset is not None
        # The same wall time at the other offset: the instant moves by their gap.
        return (moved + (offset - steady)).astimezone(_fixed(steady))
    if fixed is not None:
        moved = local + _DAYS[days]
    offset = LONDON.utcoffset(moved)
    # ``fromutc`` reads the wall clock of what it is given as UTC: back on London's
    # clock, the same wall time unless it is one the spring change skips (or one the
    # autumn change repeats: compared in one zone, that never equals). Either goes
    # the exact slow way, which moves a skipped time forward.
    if offset is None or LONDON.fromutc(moved - offset) != moved:
        return _on_clock(_localise(moved.replace(tzinfo=None)))
    return datetime.combine(moved.date(), moved.time(), _fixed(offset))


def _on_clock(moment: datetime) -> datetime:
    """An aware London time at its fixed offset (what every model field holds)."""
    offset = moment.utcoffset()
    assert offset is not None
    return moment.astimezone(_fixed(offset))


def _utc_on_clock(utc: datetime) -> datetime:
    """:func:`_on_clock` of an aware UTC time put on London's clock."""
    day = utc.toordinal()
    steady = _STEADY_NEAR.get(day, _UNKNOWN)
    if steady is _UNKNOWN:
        steady = _steady_near(day)
    if steady is not None:
        return utc.astimezone(_fixed(steady))
    offset = LONDON.utcoffset(utc.astimezone(LONDON))
    assert offset is not None
    return utc.astimezone(_fixed(offset))


def london_due(start: datetime, *, days: int = 0, hours: float = 0) -> datetime:
    """:func:`add_local`, at the fixed offset London has then (as a model keeps it).

    The same instant, wall-clock time and offset as ``fixed_offset(add_local(...))``,
    and so already on the London clock (:func:`on_london_clock` returns it as it is).
    """
    return LondonClock(start).after(days=days, hours=hours)


class LondonClock:
    """Due times from one start, its London wall clock found once.

    ``after(days=d, hours=h)`` is :func:`london_due` ``(start, days=d, hours=h)``;
    each distinct ``(d, h)`` is worked out once, so a plan whose steps share a
    deadline pays for it once.
    """

    __slots__ = ("_due", "_fixed", "_local", "start")

    def __init__(self, start: datetime) -> None:
        """A clock for due times after ``start`` (an aware datetime)."""
        self.start = start
        self._local: datetime | None = None
        self._fixed: datetime | None = None
        self._due: dict[tuple[int, float], datetime] = {}

    def after(self, *, days: int = 0, hours: float = 0) -> datetime:
        """``start`` plus whole London days (same wall-clock time), then elapsed hours."""
        key = (days, hours)
        due = self._due.get(key)
        if due is None:
            due = self._due[key] = self._after(days, hours)
        return due

    def each_after(self, spans: Iterable[tuple[int, float]]) -> list[datetime]:
        """``after(days=d, hours=h)`` for each ``(d, h)`` of ``spans``, in order."""
        due = self._due
        found = []
        for key in spans:
            moment = due.get(key)
            if moment is None:
                moment = due[key] = self._after(*key)
            found.append(moment)
        return found

    def _after(self, days: int, hours: float) -> datetime:
        if days:
            local = self._local
            if local is None:
                local = self._local = self.start.astimezone(LONDON)
                # The same wall clock at London's fixed offset then, where a day on
                # which London keeps one offset is reached without the zone.
                fixed = on_london_clock(self.start)
                offset = fixed.utcoffset()
                assert offset is not None
                zone = _fixed(offset)
                self._fixed = fixed if fixed.tzinfo is zone else fixed.astimezone(zone)
            moved = _days_later(local, days, self._fixed)
            if not hours:
                return moved
        else:
            moved = self.start
        return _utc_on_clock(moved.astimezone(UTC) + _HOURS[hours])
