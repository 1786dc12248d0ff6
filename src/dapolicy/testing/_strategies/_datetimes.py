"""Aware datetimes, weighted towards London's clock changes."""

from __future__ import annotations

import functools
from datetime import UTC, datetime, timedelta, timezone, tzinfo

from hypothesis import assume
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument
from hypothesis.strategies import DrawFn, SearchStrategy

from dapolicy.models._base import LONDON
from dapolicy.testing._strategies._common import _MAX_DATETIME, _MIN_DATETIME, _NEAR_CHANGE_SHIFTS


def _default_timezones() -> SearchStrategy[tzinfo]:
    fixed = st.integers(-14 * 60, 14 * 60).map(lambda m: timezone(timedelta(minutes=m)))
    return st.one_of(st.just(LONDON), st.just(UTC), fixed)


@functools.cache
def _london_changes(year: int) -> tuple[datetime, ...]:
    """The instants (UTC) in ``year`` at which London's UTC offset changes."""
    changes: list[datetime] = []
    start = datetime(year, 1, 1, tzinfo=UTC)
    days = (datetime(year + 1, 1, 1, tzinfo=UTC) - start).days
    previous = start.astimezone(LONDON).utcoffset()
    for index in range(1, days + 1):
        moment = start + timedelta(days=index)
        offset = moment.astimezone(LONDON).utcoffset()
        if offset != previous:
            hour = moment - timedelta(days=1)
            while hour.astimezone(LONDON).utcoffset() == previous:
                hour += timedelta(hours=1)
            changes.append(hour)
            previous = offset
    return tuple(change for change in changes if change.year == year)


def _change_years(min_value: datetime, max_value: datetime) -> tuple[int, int]:
    """The years to look for clock changes in, kept clear of ``datetime``'s limits."""
    return max(min_value.year, 2), min(max_value.year, 9998)


@st.composite
def _near_london_changes(
    draw: DrawFn, min_value: datetime, max_value: datetime, zones: SearchStrategy[tzinfo]
) -> datetime:
    """A datetime within a few hours of a London clock change, in a drawn zone."""
    first, last = _change_years(min_value, max_value)
    year = draw(st.integers(first, last))
    # Some years have no change (British Standard Time, 1968-71): take the next that has.
    while not _london_changes(year) and year < last:
        year += 1
    changes = _london_changes(year)
    assume(changes)
    change = draw(st.sampled_from(changes))
    shift = timedelta(microseconds=draw(_NEAR_CHANGE_SHIFTS))
    value = (change + shift).astimezone(draw(zones))
    assume(min_value <= value.replace(tzinfo=None) <= max_value)
    return value


def _unambiguous(value: datetime) -> bool:
    """The wall-clock time is not one that occurs twice (clocks going back)."""
    return value.replace(fold=1 - value.fold).utcoffset() == value.utcoffset()


def aware_datetimes(
    *,
    min_value: datetime = _MIN_DATETIME,
    max_value: datetime = _MAX_DATETIME,
    timezones: SearchStrategy[tzinfo] | None = None,
    ambiguous: bool = True,
) -> SearchStrategy[datetime]:
    """Timezone-aware datetimes, weighted towards London's clock changes.

    Half the draws are plain :func:`hypothesis.strategies.datetimes` in the drawn zone
    (never a wall-clock time that does not exist); the other half fall within three
    hours of a Europe/London clock change, expressed in the drawn zone.

    :param min_value: earliest wall-clock time, naive (as for ``st.datetimes``).
    :param max_value: latest wall-clock time, naive.
    :param timezones: the zones to draw from; by default Europe/London (``zoneinfo``),
        UTC and fixed offsets from -14:00 to +14:00 in whole minutes.
    :param ambiguous: allow the wall-clock times that occur twice when clocks go back
        (``fold`` 0 or 1). Python never counts such a datetime equal to the same instant
        in another zone, so a test comparing across a JSON round trip may need
        ``False``.
    :return: a strategy of aware datetimes.
    """
    if min_value.tzinfo is not None or max_value.tzinfo is not None:
        raise InvalidArgument("min_value and max_value must be naive (wall-clock) datetimes")
    if min_value > max_value:
        raise InvalidArgument("min_value must not be after max_value")
    return _aware_datetimes(min_value, max_value, timezones, ambiguous)


@functools.cache
def _aware_datetimes(
    min_value: datetime,
    max_value: datetime,
    timezones: SearchStrategy[tzinfo] | None,
    ambiguous: bool,
) -> SearchStrategy[datetime]:
    """The strategy for :func:`aware_datetimes`, built once per set of arguments.

    Every model strategy draws its datetimes from here; sharing one object lets
    hypothesis keep what it learns about it, instead of starting again per strategy.
    """
    zones = _default_timezones() if timezones is None else timezones
    strategy = st.datetimes(min_value, max_value, timezones=zones, allow_imaginary=False)
    first, last = _change_years(min_value, max_value)
    if first <= last:
        strategy = st.one_of(strategy, _near_london_changes(min_value, max_value, zones))
    return strategy if ambiguous else strategy.filter(_unambiguous)
