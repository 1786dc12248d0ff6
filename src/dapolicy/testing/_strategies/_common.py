"""What every family of strategies shares: fictional data, ids, bounds, small helpers."""

from __future__ import annotations

import enum
import functools
from datetime import date, datetime, timedelta
from typing import TypeVar

from hypothesis import strategies as st
from hypothesis.strategies import DrawFn, SearchStrategy

from dapolicy.models import (
    RiskGrade,
)
from dapolicy.models._base import micros
from dapolicy.models.people import ADULT_AGE

T = TypeVar("T")

E = TypeVar("E", bound=enum.Enum)

#: Names that are plainly not real people; every generated name is one of these.
FICTIONAL_NAMES: tuple[str, ...] = (
    "Testy McTestface",
    "Zebedee Fakename",
    "Ima Placeholder",
    "Noah Realperson",
    "Fictitia Nonesuch",
    "Dummy Exampleton",
    "Anonyma Samplewright",
    "Mockford Q. Fixture",
)

#: The start of every generated free text (rationales, event details, call locations).
FICTIONAL_MARKER = "FICTIONAL"

_STREETS = ("Nowhere Lane", "Imaginary Close", "Fiction Street", "Placeholder Road")

_TOWNS = ("Notaplace", "Testbury", "Exampleshire")

_PHRASES = (
    "victim did not support a prosecution",
    "insufficient evidence after review",
    "officer judged escalation likely",
    "suspect released under investigation",
    "neighbour reported shouting",
)

_CHECKLISTS = ("dash-2009-police", "dash-24", "s-dash", "dial", "local-checklist")

_DASH_ITEMS = tuple(f"q{n}" for n in range(1, 28))

_MODELS = ("dash", "dial", "local-thresholds", "marac-criteria", "safeguarding")

_SOURCES = (
    "HMICFRS inspection report, recommendation 3",
    "SafeLives MARAC criteria, criterion 1",
    "SafeLives MARAC criteria, criterion 3",
    "force setting: repeat_window_days",
    "Children Act 2004, s.11",
)

_HOOKS = (
    "dapolicy_assess_risk",
    "dapolicy_escalations",
    "dapolicy_referrals",
    "dapolicy_tasks",
    "dapolicy_triage",
    "dapolicy_on_event",
)

_ERRORS = ("RuntimeError", "KeyError", "ZeroDivisionError", "TypeError")

_ROLES = ("attending officer", "mash", "idva service", "safeguarding team")

_RULES = tuple(f"{model}.rule-{n}" for model in _MODELS for n in range(12))

_REASON_TEXTS = tuple(
    f"indicator {n} points to {grade.value} risk" for grade in RiskGrade for n in range(12)
)

_SUMMARIES = (
    "current injury",
    "victim very frightened",
    "separation within the last year",
    "pregnancy or new baby",
    "escalation of abuse",
    "threats to kill",
    "use of weapons",
)

_SECTIONS = ("current situation", "children and dependants", "history of abuse", "abuser")

_TITLES = ("DASH (police)", "DASH 24", "S-DASH", "DIAL", "Local checklist")

#: Default bounds of generated datetimes (wall-clock time in the drawn zone).
_MIN_DATETIME = datetime(1970, 1, 1)

_MAX_DATETIME = datetime(2100, 12, 31, 23, 59, 59, 999999)

#: Dates of birth of a free-standing person.
_MIN_BIRTH = date(1900, 1, 1)

_MAX_BIRTH = date(2030, 12, 31)

#: Oldest age given to a generated victim or suspect.
_MAX_AGE = 105

#: How far either side of a London clock change the "near a change" datetimes fall.
_NEAR_CHANGE = timedelta(hours=3)

_NEAR_CHANGE_SHIFTS = st.integers(
    -_NEAR_CHANGE // timedelta(microseconds=1), _NEAR_CHANGE // timedelta(microseconds=1)
)

_ADULT_DAYS = st.one_of(st.integers(0, 2), st.integers(0, (_MAX_AGE - ADULT_AGE) * 366))

_YOUNG_DAYS = st.one_of(st.integers(0, 2), st.integers(0, ADULT_AGE * 366))

_BIRTH_KINDS = st.sampled_from(("unknown", "adult", "young"))

_ADULT_OR_UNKNOWN = st.sampled_from(("unknown", "adult"))

_NON_DOMESTIC_ROUTES = st.sampled_from(("not_related", "under_16", "age_unknown"))

_APPOINTMENT_MINUTES = st.one_of(st.none(), st.integers(0, 8 * 60))

_FINGERPRINTS = st.one_of(st.just(""), st.text("0123456789abcdef", min_size=16, max_size=16))


def _given_or(
    value: T | SearchStrategy[T] | None, default: SearchStrategy[T]
) -> SearchStrategy[T]:
    """``value`` as a strategy: itself if a strategy, ``just`` if a plain value."""
    if value is None:
        return default
    if isinstance(value, SearchStrategy):
        return value
    return st.just(value)


def _optional(strategy: SearchStrategy[T]) -> SearchStrategy[T | None]:
    return st.one_of(st.none(), strategy)


def _present(strategy: SearchStrategy[T], present: bool | None) -> SearchStrategy[T | None]:
    """``strategy`` (``True``), ``None`` (``False``) or either (``None``)."""
    if present is None:
        return _optional(strategy)
    return strategy if present else st.none()


@functools.cache
def _references(prefix: str) -> SearchStrategy[str]:
    """Identifiers: mostly ``PREFIX-123`` (few enough to repeat), sometimes odd Unicode."""
    return st.one_of(
        st.integers(0, 999).map(lambda n: f"{prefix}-{n:03d}"),
        st.text(
            st.characters(codec="utf-8"),
            min_size=1,
            max_size=12,
        ).filter(lambda text: bool(text.strip())),
    )


@functools.cache
def _free_texts(kind: str) -> SearchStrategy[str]:
    """Free text that is recognisably fictional: ``FICTIONAL <kind> #12: <phrase>``."""
    return st.builds(
        lambda n, phrase: f"{FICTIONAL_MARKER} {kind} #{n}: {phrase}",
        st.integers(0, 9999),
        st.sampled_from(_PHRASES),
    )


@functools.cache
def _names() -> SearchStrategy[str]:
    return st.sampled_from(FICTIONAL_NAMES)


@functools.cache
def _addresses() -> SearchStrategy[str]:
    return st.builds(
        lambda n, street, town, digit: f"{n} {street}, {town}, ZZ99 {digit}ZZ",
        st.integers(1, 250),
        st.sampled_from(_STREETS),
        st.sampled_from(_TOWNS),
        st.integers(0, 9),
    )


@functools.cache
def _phones() -> SearchStrategy[str]:
    return st.builds(
        lambda prefix, n: f"{prefix}{n:03d}",
        st.sampled_from(("07700 900", "01632 960")),
        st.integers(0, 999),
    )


def _years_before(day: date, years: int) -> date:
    """The same calendar day ``years`` earlier; 29 February falls back to the 28th."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def _ordered_pair(draw: DrawFn, datetimes: SearchStrategy[datetime]) -> tuple[datetime, datetime]:
    """Two datetimes, the earlier instant first; sometimes the very same instant.

    Instants are compared with ``micros``, as the models do: ``<`` on two datetimes in
    the same zone compares wall clocks and ignores ``fold``.
    """
    first = draw(datetimes)
    if draw(st.booleans()):
        return first, first
    second = draw(datetimes)
    return (first, second) if micros(first) <= micros(second) else (second, first)


def _not_before(draw: DrawFn, datetimes: SearchStrategy[datetime], start: datetime) -> datetime:
    """A datetime from ``datetimes`` not before ``start`` (else ``start`` itself)."""
    moment = draw(datetimes)
    return moment if micros(moment) >= micros(start) else start


def _adult_birth_date(draw: DrawFn, day: date) -> date:
    """A date of birth of someone aged 16 to 105 on ``day``; shrinks to the 16th birthday."""
    latest = _years_before(day, ADULT_AGE)
    earliest = _years_before(day, _MAX_AGE)
    return max(earliest, latest - timedelta(days=draw(_ADULT_DAYS)))


def _young_birth_date(draw: DrawFn, day: date) -> date:
    """A date of birth of someone aged 0 to 15 on ``day``; shrinks to the day before 16."""
    earliest = _years_before(day, ADULT_AGE) + timedelta(days=1)
    return min(day, earliest + timedelta(days=draw(_YOUNG_DAYS)))


def _birth_date(draw: DrawFn, kind: str, day: date) -> date | None:
    """A date of birth of the ``kind`` given: ``adult``, ``young`` or ``unknown``."""
    if kind == "adult":
        return _adult_birth_date(draw, day)
    if kind == "young":
        return _young_birth_date(draw, day)
    return None


def _safe_ids(prefix: str) -> SearchStrategy[str]:
    """Safe ids (:data:`dapolicy.models._ids.SAFE_ID`): mostly ``PREFIX-123``, sometimes odd."""
    from dapolicy.models._ids import SAFE_ID

    return st.integers(0, 999).map(lambda n: f"{prefix}-{n:03d}") | st.from_regex(
        SAFE_ID, fullmatch=True
    )


@functools.cache
def _areas() -> SearchStrategy[str | None]:
    """An incident's or event's area: none, a DAPN pilot area (often), or another."""
    from dapolicy.protection import DAPN_PILOT

    return st.one_of(st.none(), st.sampled_from(sorted(DAPN_PILOT)), _safe_ids("AREA"))
