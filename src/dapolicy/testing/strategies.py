"""Hypothesis strategies for every dapolicy type, valid by construction.

Each model type in :data:`dapolicy.models.MODEL_TYPES` has a strategy here, named after
the type in the plural (``incidents()``, ``risk_forms()`` ...), and every enum has one
too. Objects drawn from them pass their own invariants, so a property test starts from
a case the library must accept; parameters narrow the draw where a test needs control
(``incidents(domestic=True)``, ``risk_forms(item_ids=...)``, ``decisions(needs_review=True)``).

:func:`register_type_strategies` makes ``st.from_type(Incident)`` use these. Hypothesis
calls it through dapolicy's ``hypothesis`` entry point whenever hypothesis is imported,
so a test needs no import of this module for ``from_type`` to work.

Personal data is generated -- names, addresses, phone numbers, dates of birth and free
text -- so privacy tests have something to look for, but none of it is real: names come
from :data:`FICTIONAL_NAMES`, addresses use the non-geographic postcode area ``ZZ99``,
phone numbers come from Ofcom's ranges reserved for drama (``07700 900xxx`` and
``01632 960xxx``), and free text starts with :data:`FICTIONAL_MARKER`.

Datetimes are always timezone-aware: UTC, fixed offsets and Europe/London, with extra
weight on the hours around London's clock changes, where day and due-time arithmetic
goes wrong.
"""

from __future__ import annotations

import enum
import functools
from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo
from typing import Any, TypeVar

import attrs
from hypothesis import assume
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument
from hypothesis.strategies import DrawFn, SearchStrategy

from dapolicy.models import (
    MODEL_TYPES,
    AbuseType,
    Allocation,
    Answer,
    Call,
    Case,
    Child,
    Crime,
    Decision,
    Destination,
    DomesticAbuseVerdict,
    Event,
    EventKind,
    EventOutcome,
    FamilyRelation,
    Finding,
    FormCompliance,
    FormStatus,
    Incident,
    InvestigatorLevel,
    OffenceCategory,
    Outcome,
    Person,
    PluginFailure,
    PluginInfo,
    ProfessionalJudgement,
    QuestionItem,
    QuestionSet,
    Reason,
    Referral,
    Relationship,
    RelationshipKind,
    ResponseFinding,
    ResponseGrade,
    RiskForm,
    RiskGrade,
    Task,
    Thrive,
    TriageDecision,
    Vulnerability,
)
from dapolicy.models._base import LONDON, micros
from dapolicy.models.people import ADULT_AGE

__all__ = [
    "FICTIONAL_MARKER",
    "FICTIONAL_NAMES",
    "abuse_types",
    "allocations",
    "answers",
    "aware_datetimes",
    "calls",
    "cases",
    "children",
    "crimes",
    "decisions",
    "destinations",
    "domestic_abuse_verdicts",
    "event_kinds",
    "event_outcomes",
    "events",
    "family_relations",
    "findings",
    "form_compliances",
    "form_statuses",
    "incidents",
    "investigator_levels",
    "offence_categories",
    "outcomes",
    "persons",
    "plugin_failures",
    "plugin_infos",
    "professional_judgements",
    "question_items",
    "question_sets",
    "reasons",
    "referrals",
    "register_type_strategies",
    "relationship_kinds",
    "relationships",
    "response_findings",
    "response_grades",
    "risk_forms",
    "risk_grades",
    "tasks",
    "thrives",
    "triage_decisions",
    "vulnerabilities",
]

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


# --- helpers ---------------------------------------------------------------------------


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


@functools.cache
def _reason_lists(min_size: int, max_size: int) -> SearchStrategy[list[Reason]]:
    return st.lists(reasons(), min_size=min_size, max_size=max_size)


@functools.cache
def _failure_lists(min_size: int) -> SearchStrategy[list[PluginFailure]]:
    return st.lists(plugin_failures(), min_size=min_size, max_size=2)


def _person_fields(personal_data: bool | None) -> SearchStrategy[dict[str, Any]]:
    """Everything of a Person but the date of birth, as keyword arguments."""
    return st.fixed_dictionaries(
        {
            "id": _references("P"),
            "name": _present(_names(), personal_data),
            "address": _present(_addresses(), personal_data),
            "address_confidential": st.booleans(),
            "phone": _present(_phones(), personal_data),
            "vulnerabilities": st.frozensets(vulnerabilities(), max_size=3),
        }
    )


def _with_household_child(kids: list[Child]) -> list[Child]:
    if not any(child.in_household for child in kids):
        kids[0] = attrs.evolve(kids[0], present=True)
    return kids


def _households(in_household: bool | None, max_children: int) -> SearchStrategy[tuple[Child, ...]]:
    """The children of an incident, unique by id; ``in_household`` as for incidents."""
    if in_household is True and max_children < 1:
        raise InvalidArgument("children=True needs max_children of 1 or more")
    kids = st.lists(
        children(in_household=False if in_household is False else None),
        min_size=1 if in_household else 0,
        max_size=max_children,
        unique_by=lambda child: child.id,
    )
    if in_household:
        kids = kids.map(_with_household_child)
    return kids.map(tuple)


# --- datetimes -------------------------------------------------------------------------


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


# --- enums -----------------------------------------------------------------------------


def _members(cls: type[E]) -> SearchStrategy[E]:
    return st.sampled_from(cls)


def abuse_types() -> SearchStrategy[AbuseType]:
    """Any :class:`~dapolicy.models.AbuseType`."""
    return _members(AbuseType)


def answers() -> SearchStrategy[Answer]:
    """Any :class:`~dapolicy.models.Answer`."""
    return _members(Answer)


def destinations() -> SearchStrategy[Destination]:
    """Any :class:`~dapolicy.models.Destination`."""
    return _members(Destination)


def domestic_abuse_verdicts() -> SearchStrategy[DomesticAbuseVerdict]:
    """Any :class:`~dapolicy.models.DomesticAbuseVerdict`."""
    return _members(DomesticAbuseVerdict)


def event_kinds() -> SearchStrategy[EventKind]:
    """Any :class:`~dapolicy.models.EventKind`."""
    return _members(EventKind)


def family_relations() -> SearchStrategy[FamilyRelation]:
    """Any :class:`~dapolicy.models.FamilyRelation`."""
    return _members(FamilyRelation)


def offence_categories() -> SearchStrategy[OffenceCategory]:
    """Any :class:`~dapolicy.models.OffenceCategory`."""
    return _members(OffenceCategory)


def outcomes() -> SearchStrategy[Outcome]:
    """Any :class:`~dapolicy.models.Outcome`."""
    return _members(Outcome)


def relationship_kinds() -> SearchStrategy[RelationshipKind]:
    """Any :class:`~dapolicy.models.RelationshipKind`."""
    return _members(RelationshipKind)


def risk_grades() -> SearchStrategy[RiskGrade]:
    """Any :class:`~dapolicy.models.RiskGrade`."""
    return _members(RiskGrade)


def vulnerabilities() -> SearchStrategy[Vulnerability]:
    """Any :class:`~dapolicy.models.Vulnerability`."""
    return _members(Vulnerability)


def form_statuses() -> SearchStrategy[FormStatus]:
    """Any :class:`~dapolicy.models.FormStatus`."""
    return _members(FormStatus)


def response_grades() -> SearchStrategy[ResponseGrade]:
    """Any :class:`~dapolicy.models.ResponseGrade`."""
    return _members(ResponseGrade)


def investigator_levels() -> SearchStrategy[InvestigatorLevel]:
    """Any :class:`~dapolicy.models.InvestigatorLevel`."""
    return _members(InvestigatorLevel)


# --- people ----------------------------------------------------------------------------


def persons(
    *,
    ids: str | SearchStrategy[str] | None = None,
    dates_of_birth: SearchStrategy[date | None] | None = None,
    personal_data: bool | None = None,
) -> SearchStrategy[Person]:
    """People, with fictional personal data.

    :param ids: the id, or a strategy of ids; by default ``P-000`` to ``P-999`` (so ids
        repeat across draws, as a victim's does across incidents) or odd Unicode text.
    :param dates_of_birth: a strategy of dates of birth (``None`` for unknown); by
        default follows ``personal_data``, drawing from 1900 to 2030.
    :param personal_data: ``True``: name, date of birth, address and phone all set;
        ``False``: none of them set; ``None`` (default): each set or not.
    :return: a strategy of valid :class:`~dapolicy.models.Person`.
    """

    def maybe(strategy: SearchStrategy[T]) -> SearchStrategy[T | None]:
        return _present(strategy, personal_data)

    births: SearchStrategy[date | None]
    if dates_of_birth is not None:
        births = dates_of_birth
    else:
        births = maybe(st.dates(_MIN_BIRTH, _MAX_BIRTH))
    return st.builds(
        Person,
        id=_given_or(ids, _references("P")),
        name=maybe(_names()),
        date_of_birth=births,
        address=maybe(_addresses()),
        address_confidential=st.booleans(),
        phone=maybe(_phones()),
        vulnerabilities=st.frozensets(vulnerabilities(), max_size=3),
    )


_HOUSEHOLD_FLAGS: dict[bool | None, SearchStrategy[tuple[bool, bool]]] = {
    True: st.sampled_from(((True, False), (False, True), (True, True))),
    False: st.just((False, False)),
    None: st.tuples(st.booleans(), st.booleans()),
}


def children(
    *,
    ids: str | SearchStrategy[str] | None = None,
    ages: int | SearchStrategy[int] | None = None,
    in_household: bool | None = None,
) -> SearchStrategy[Child]:
    """Children aged 0 to 17.

    :param ids: the id, or a strategy of ids; by default ``C-000`` to ``C-999`` or odd text.
    :param ages: the age, or a strategy of ages (each must be 0 to 17); by default any.
    :param in_household: ``True``: present or usually resident (the safeguarding
        trigger); ``False``: neither; ``None`` (default): either.
    :return: a strategy of valid :class:`~dapolicy.models.Child`.
    """
    return st.builds(
        lambda id_, age, flags, checked: Child(id_, age, flags[0], flags[1], checked),
        _given_or(ids, _references("C")),
        _given_or(ages, st.integers(0, 17)),
        _HOUSEHOLD_FLAGS[in_household],
        st.booleans(),
    )


def relationships(*, domestic: bool | None = None) -> SearchStrategy[Relationship]:
    """Relationships between victim and suspect, with a family relation iff family.

    :param domestic: ``True``: partners, former partners or family (the definition's
        relationships); ``False``: ``OTHER`` only; ``None`` (default): any.
    :return: a strategy of valid :class:`~dapolicy.models.Relationship`.
    """
    kinds = [
        kind
        for kind in RelationshipKind
        if domestic is None or (kind is not RelationshipKind.OTHER) is domestic
    ]

    def build(kind: RelationshipKind) -> SearchStrategy[Relationship]:
        if kind is RelationshipKind.FAMILY_MEMBER:
            return st.builds(Relationship, st.just(kind), family_relations())
        return st.just(Relationship(kind))

    return st.sampled_from(kinds).flatmap(build)


# --- calls, crimes, incidents ----------------------------------------------------------


def calls(
    *,
    datetimes: SearchStrategy[datetime] | None = None,
    caller: bool | None = None,
    personal_data: bool | None = None,
) -> SearchStrategy[Call]:
    """Calls for assistance.

    :param datetimes: where ``received_at`` comes from; by default :func:`aware_datetimes`.
    :param caller: ``True``: a known caller; ``False``: none; ``None`` (default): either.
    :param personal_data: as for :func:`persons`, for the caller; the location (a
        fictional address) is set when ``True``, absent when ``False``.
    :return: a strategy of valid :class:`~dapolicy.models.Call`.
    """
    return st.builds(
        Call,
        id=_references("CALL"),
        received_at=_given_or(datetimes, aware_datetimes()),
        caller=_present(persons(personal_data=personal_data), caller),
        location=_present(_addresses(), personal_data),
        location_id=_optional(_references("LOC")),
        repeat_caller=st.booleans(),
    )


def crimes(
    *, outcome: Outcome | SearchStrategy[Outcome | None] | None = None
) -> SearchStrategy[Crime]:
    """Recorded crimes; no further action always comes with a written rationale.

    :param outcome: the outcome, or a strategy of outcomes (``None`` in it for an open
        crime); by default open or any outcome.
    :return: a strategy of valid :class:`~dapolicy.models.Crime`.
    """
    values: SearchStrategy[Outcome | None]
    if outcome is None:
        values = _optional(outcomes())
    elif isinstance(outcome, Outcome):
        values = st.just(outcome)
    else:
        values = outcome

    def build(
        id_: str,
        offence: OffenceCategory,
        arrest_made: bool,
        outcome: Outcome | None,
        required: str,
        optional: str | None,
    ) -> Crime:
        rationale = required if outcome is Outcome.NO_FURTHER_ACTION else optional
        return Crime(id_, offence, arrest_made, outcome, rationale)

    rationales = _free_texts("rationale")
    return st.builds(
        build,
        _references("CR"),
        offence_categories(),
        st.booleans(),
        values,
        rationales,
        _optional(rationales),
    )


@st.composite
def _incident(
    draw: DrawFn,
    *,
    domestic: bool | None,
    people: SearchStrategy[dict[str, Any]],
    crimes_or_none: SearchStrategy[Crime | None],
    households: SearchStrategy[tuple[Child, ...]],
    datetimes: SearchStrategy[datetime],
) -> Incident:
    occurred_at, reported_at = _ordered_pair(draw, datetimes)
    day = occurred_at.astimezone(LONDON).date()
    assume(day.year > _MAX_AGE)
    meets_definition = draw(st.booleans()) if domestic is None else domestic
    if meets_definition:
        relationship = draw(_DOMESTIC_RELATIONSHIPS)
        victim_kind = suspect_kind = "adult"
    else:
        route = draw(_NON_DOMESTIC_ROUTES)
        if route == "not_related":
            relationship = Relationship(RelationshipKind.OTHER)
            victim_kind = draw(_BIRTH_KINDS)
            suspect_kind = draw(_BIRTH_KINDS)
        else:
            relationship = draw(_DOMESTIC_RELATIONSHIPS)
            decisive = "young" if route == "under_16" else "unknown"
            other = draw(_BIRTH_KINDS if route == "under_16" else _ADULT_OR_UNKNOWN)
            victim_kind, suspect_kind = (
                (decisive, other) if draw(st.booleans()) else (other, decisive)
            )
    victim = Person(**draw(people), date_of_birth=_birth_date(draw, victim_kind, day))
    suspect_fields = draw(people)
    assume(suspect_fields["id"] != victim.id)
    suspect = Person(**suspect_fields, date_of_birth=_birth_date(draw, suspect_kind, day))
    return Incident(
        id=draw(_references("INC")),
        reported_at=reported_at,
        occurred_at=occurred_at,
        victim=victim,
        suspect=suspect,
        relationship=relationship,
        abuse_types=draw(_ABUSE_TYPE_SETS),
        children=draw(households),
        attending_officer=draw(_OPTIONAL_OFFICERS),
        crime=draw(crimes_or_none),
        call_id=draw(_OPTIONAL_CALL_IDS),
        counter_allegation=draw(st.booleans()),
    )


def incidents(
    *,
    domestic: bool | None = None,
    crime: bool | None = None,
    children: bool | None = None,
    max_children: int = 4,
    datetimes: SearchStrategy[datetime] | None = None,
    personal_data: bool | None = None,
) -> SearchStrategy[Incident]:
    """Incidents, crime or not, with their people, relationship and children.

    Victim and suspect ages are drawn relative to the Europe/London calendar day of
    ``occurred_at`` (the day the definition test uses), with extra weight on the 16th
    birthday itself.

    :param domestic: ``True``: the cross-government definition is met for certain
        (both aged 16 or over that day, partners or family), so
        ``incident.domestic_abuse_check().is_domestic_abuse``; ``False``: it is not
        (not related, someone under 16, or an age unknown); ``None`` (default): either.
    :param crime: ``True``: a crime is recorded; ``False``: a non-crime incident;
        ``None`` (default): either.
    :param children: ``True``: at least one child present or usually resident;
        ``False``: no child in the household (linked children may still be listed);
        ``None`` (default): any.
    :param max_children: the most children listed.
    :param datetimes: where ``occurred_at`` and ``reported_at`` come from (drawn and put
        in order); by default :func:`aware_datetimes`.
    :param personal_data: as for :func:`persons`, for victim and suspect; dates of birth
        follow ``domestic`` instead.
    :return: a strategy of valid :class:`~dapolicy.models.Incident`.
    """
    if max_children < 0:
        raise InvalidArgument("max_children must be 0 or more")
    return _incident(
        domestic=domestic,
        people=_person_fields(personal_data),
        crimes_or_none=_present(crimes(), crime),
        households=_households(children, max_children),
        datetimes=_given_or(datetimes, aware_datetimes()),
    )


# --- risk ------------------------------------------------------------------------------


def reasons(
    *,
    rules: str | SearchStrategy[str] | None = None,
    sources: str | SearchStrategy[str] | None = None,
) -> SearchStrategy[Reason]:
    """Reasons with a rule id, a source and plain words (never personal data).

    :param rules: the rule id, or a strategy of them; by default ``model.rule-n`` ids.
    :param sources: the source, or a strategy of them; by default report
        recommendations, SafeLives criteria and force settings.
    :return: a strategy of valid :class:`~dapolicy.models.Reason`.
    """
    return st.builds(
        Reason,
        rule=_given_or(rules, st.sampled_from(_RULES)),
        source=_given_or(sources, st.sampled_from(_SOURCES)),
        text=st.sampled_from(_REASON_TEXTS),
    )


def professional_judgements(
    *, grades: RiskGrade | SearchStrategy[RiskGrade] | None = None
) -> SearchStrategy[ProfessionalJudgement]:
    """Officers' judgements, each with a fictional written rationale.

    :param grades: the grade, or a strategy of grades; by default any.
    :return: a strategy of valid :class:`~dapolicy.models.ProfessionalJudgement`.
    """
    return st.builds(
        ProfessionalJudgement,
        grade=_given_or(grades, risk_grades()),
        rationale=_free_texts("rationale"),
        refer_to_marac=st.booleans(),
    )


def _check_item_ids(item_ids: Iterable[str]) -> tuple[str, ...]:
    items = tuple(dict.fromkeys(item_ids))
    if any(not isinstance(item, str) or not item.strip() for item in items):
        raise InvalidArgument("item_ids must be non-empty strings")
    return items


@st.composite
def _risk_form(
    draw: DrawFn,
    *,
    incident_ids: SearchStrategy[str],
    checklists: SearchStrategy[str],
    asked_items: SearchStrategy[list[str]],
    answer_values: SearchStrategy[Answer],
    submitted: bool | None,
    judgements: SearchStrategy[ProfessionalJudgement | None],
    datetimes: SearchStrategy[datetime],
) -> RiskForm:
    asked = draw(asked_items)
    completed_at, later = _ordered_pair(draw, datetimes)
    submitted_now = draw(st.booleans()) if submitted is None else submitted
    return RiskForm(
        incident_id=draw(incident_ids),
        checklist=draw(checklists),
        answers={item: draw(answer_values) for item in asked},
        completed_by=draw(_references("PC")),
        completed_at=completed_at,
        submitted_at=later if submitted_now else None,
        professional_judgement=draw(judgements),
        officer_off_duty_at=draw(datetimes) if draw(st.booleans()) else None,
    )


def risk_forms(
    *,
    incident_id: str | SearchStrategy[str] | None = None,
    checklist: str | SearchStrategy[str] | None = None,
    item_ids: Iterable[str] | None = None,
    answer_values: SearchStrategy[Answer] | None = None,
    answer_all: bool = False,
    submitted: bool | None = None,
    judgement: bool | None = None,
    datetimes: SearchStrategy[datetime] | None = None,
) -> SearchStrategy[RiskForm]:
    """Completed risk checklists.

    :param incident_id: the incident assessed, or a strategy of ids.
    :param checklist: the checklist id, or a strategy of them; by default DASH, S-DASH,
        DIAL and a local one.
    :param item_ids: the item ids answers are drawn for; by default ``q1`` to ``q27``.
    :param answer_values: the answers given; by default any :class:`Answer`.
    :param answer_all: answer every item (by default a random subset is asked).
    :param submitted: ``True``: sent to the MASH (at or after completion); ``False``:
        not sent; ``None`` (default): either.
    :param judgement: ``True``: with a professional judgement; ``False``: without;
        ``None`` (default): either.
    :param datetimes: where ``completed_at``, ``submitted_at`` and
        ``officer_off_duty_at`` come from; by default :func:`aware_datetimes`.
    :return: a strategy of valid :class:`~dapolicy.models.RiskForm`.
    """
    items = _DASH_ITEMS if item_ids is None else _check_item_ids(item_ids)
    asked: SearchStrategy[list[str]]
    if answer_all or not items:
        asked = st.just(list(items))
    else:
        asked = st.lists(st.sampled_from(items), unique=True)
    return _risk_form(
        incident_ids=_given_or(incident_id, _references("INC")),
        checklists=_given_or(checklist, st.sampled_from(_CHECKLISTS)),
        asked_items=asked,
        answer_values=_given_or(answer_values, answers()),
        submitted=submitted,
        judgements=_present(professional_judgements(), judgement),
        datetimes=_given_or(datetimes, aware_datetimes()),
    )


def findings(
    *,
    model: str | SearchStrategy[str] | None = None,
    grades: RiskGrade | SearchStrategy[RiskGrade] | None = None,
) -> SearchStrategy[Finding]:
    """What a risk model found: a grade with at least one reason.

    :param model: the risk model's name, or a strategy of names.
    :param grades: the grade, or a strategy of grades; by default any.
    :return: a strategy of valid :class:`~dapolicy.models.Finding`.
    """
    return st.builds(
        Finding,
        model=_given_or(model, st.sampled_from(_MODELS)),
        grade=_given_or(grades, risk_grades()),
        reasons=st.lists(reasons(), min_size=1, max_size=3).map(tuple),
        score=_optional(st.integers(0, 10_000)),
        prompts=st.lists(reasons(), max_size=2).map(tuple),
    )


# --- work ------------------------------------------------------------------------------


def referrals(
    *,
    destination: Destination | SearchStrategy[Destination] | None = None,
    victim_id: str | SearchStrategy[str] | None = None,
    datetimes: SearchStrategy[datetime] | None = None,
) -> SearchStrategy[Referral]:
    """Referrals to partner agencies, each with at least one reason.

    :param destination: where to, or a strategy of destinations; by default any.
    :param victim_id: whom for, or a strategy of ids.
    :param datetimes: where ``requested_at`` comes from (when set); by default
        :func:`aware_datetimes`.
    :return: a strategy of valid :class:`~dapolicy.models.Referral`.
    """
    return st.builds(
        Referral,
        destination=_given_or(destination, destinations()),
        victim_id=_given_or(victim_id, _references("P")),
        reasons=st.lists(reasons(), min_size=1, max_size=3).map(tuple),
        requested_by=st.lists(
            st.sampled_from(("mash", "hub-north", "hub-south", "idva")), unique=True, max_size=2
        ).map(tuple),
        requested_at=_optional(_given_or(datetimes, aware_datetimes())),
    )


def tasks(
    *,
    for_whom: str | SearchStrategy[str] | None = None,
    datetimes: SearchStrategy[datetime] | None = None,
) -> SearchStrategy[Task]:
    """Tasks with an aware deadline and at least one reason.

    :param for_whom: the person's id, or a strategy of ids.
    :param datetimes: where ``due_by`` comes from; by default :func:`aware_datetimes`.
    :return: a strategy of valid :class:`~dapolicy.models.Task`.
    """
    return st.builds(
        Task,
        what=st.sampled_from(
            ("child-welfare-check", "victim-notification", "re-assessment", "safety-plan")
        ),
        for_whom=_given_or(for_whom, _references("P")),
        due_by=_given_or(datetimes, aware_datetimes()),
        reasons=st.lists(reasons(), min_size=1, max_size=3).map(tuple),
        assignee=_optional(st.sampled_from(_ROLES)),
    )


@st.composite
def _event(
    draw: DrawFn,
    kinds: SearchStrategy[EventKind],
    victim_ids: SearchStrategy[str],
    perpetrator_ids: SearchStrategy[str],
    datetimes: SearchStrategy[datetime],
) -> Event:
    victim_id = draw(victim_ids)
    perpetrator_id = draw(perpetrator_ids)
    assume(perpetrator_id != victim_id)
    return Event(
        id=draw(_references("EV")),
        kind=draw(kinds),
        occurred_at=draw(datetimes),
        victim_id=victim_id,
        perpetrator_id=perpetrator_id,
        incident_id=draw(_OPTIONAL_INCIDENT_IDS),
        details=draw(_OPTIONAL_DETAILS),
    )


def events(
    *,
    kind: EventKind | SearchStrategy[EventKind] | None = None,
    victim_id: str | SearchStrategy[str] | None = None,
    perpetrator_id: str | SearchStrategy[str] | None = None,
    datetimes: SearchStrategy[datetime] | None = None,
) -> SearchStrategy[Event]:
    """Events after an incident (release, bail change, breach, new incident).

    :param kind: what happened, or a strategy of kinds; by default any.
    :param victim_id: the victim's id, or a strategy of ids.
    :param perpetrator_id: the perpetrator's id, or a strategy of ids; never the
        victim's.
    :param datetimes: where ``occurred_at`` comes from; by default :func:`aware_datetimes`.
    :return: a strategy of valid :class:`~dapolicy.models.Event`.
    """
    if isinstance(victim_id, str) and victim_id == perpetrator_id:
        raise InvalidArgument("victim_id and perpetrator_id must differ")
    return _event(
        _given_or(kind, event_kinds()),
        _given_or(victim_id, _references("P")),
        _given_or(perpetrator_id, _references("P")),
        _given_or(datetimes, aware_datetimes()),
    )


# --- decisions -------------------------------------------------------------------------


def plugin_infos() -> SearchStrategy[PluginInfo]:
    """Plug-ins that took part in a decision, built-in or versioned.

    :return: a strategy of valid :class:`~dapolicy.models.PluginInfo`.
    """
    versions = st.one_of(
        st.just("builtin"),
        st.builds(
            lambda major, minor, patch: f"{major}.{minor}.{patch}",
            st.integers(0, 20),
            st.integers(0, 40),
            st.integers(0, 9),
        ),
    )
    return st.builds(PluginInfo, name=st.sampled_from(_MODELS), version=versions)


def plugin_failures() -> SearchStrategy[PluginFailure]:
    """Plug-ins that failed in a hook, with the exception type as the error.

    :return: a strategy of valid :class:`~dapolicy.models.PluginFailure`.
    """
    return st.builds(
        PluginFailure,
        plugin=st.sampled_from(_MODELS),
        hook=st.sampled_from(_HOOKS),
        error=st.sampled_from(_ERRORS),
    )


@st.composite
def _decision(
    draw: DrawFn,
    *,
    incident_ids: SearchStrategy[str],
    victim_ids: SearchStrategy[str],
    grades: SearchStrategy[RiskGrade],
    needs_review: bool | None,
    datetimes: SearchStrategy[datetime],
    referral_lists: SearchStrategy[list[Referral]],
    task_lists: SearchStrategy[list[Task]],
) -> Decision:
    victim_id = draw(victim_ids)
    review, review_reasons, failures = _review(draw, needs_review, with_reasons=True)
    return Decision(
        incident_id=draw(incident_ids),
        victim_id=victim_id,
        grade=draw(grades),
        decided_at=draw(datetimes),
        domestic_abuse=draw(_VERDICTS),
        reasons=draw(_reason_lists(1, 3)),
        findings=draw(_FINDING_LISTS),
        referrals=[attrs.evolve(r, victim_id=victim_id) for r in draw(referral_lists)],
        tasks=draw(task_lists),
        prompts=draw(_reason_lists(0, 2)),
        allocation=draw(_OPTIONAL_ALLOCATIONS),
        repeat_victim=draw(st.booleans()),
        needs_review=review,
        review_reasons=review_reasons,
        failures=failures,
        policy_fingerprint=draw(_FINGERPRINTS),
        plugins=draw(_PLUGIN_LISTS),
    )


def decisions(
    *,
    incident_id: str | SearchStrategy[str] | None = None,
    victim_id: str | SearchStrategy[str] | None = None,
    grades: RiskGrade | SearchStrategy[RiskGrade] | None = None,
    needs_review: bool | None = None,
    datetimes: SearchStrategy[datetime] | None = None,
) -> SearchStrategy[Decision]:
    """Decisions, with ``needs_review`` true exactly when there is a reason for review.

    Referrals are for the decision's victim. Nothing here is derived by a policy: these
    are shapes for serialization and consumer tests, not correct decisions.

    :param incident_id: the incident decided, or a strategy of ids.
    :param victim_id: the victim, or a strategy of ids.
    :param grades: the grade, or a strategy of grades; by default any.
    :param needs_review: ``True``: with review reasons or plug-in failures; ``False``:
        with neither; ``None`` (default): either.
    :param datetimes: where ``decided_at`` and every other datetime come from; by
        default :func:`aware_datetimes`.
    :return: a strategy of valid :class:`~dapolicy.models.Decision`.
    """
    times = _given_or(datetimes, aware_datetimes())
    return _decision(
        incident_ids=_given_or(incident_id, _references("INC")),
        victim_ids=_given_or(victim_id, _references("P")),
        grades=_given_or(grades, risk_grades()),
        needs_review=needs_review,
        datetimes=times,
        referral_lists=st.lists(referrals(datetimes=times), max_size=3),
        task_lists=st.lists(tasks(datetimes=times), max_size=3),
    )


# --- checklists ------------------------------------------------------------------------


def _item_ids() -> SearchStrategy[str]:
    return st.one_of(
        st.sampled_from(_DASH_ITEMS),
        st.integers(1, 99).map(str),
        _references("item"),
    )


def question_items(
    *, ids: str | SearchStrategy[str] | None = None
) -> SearchStrategy[QuestionItem]:
    """Checklist items: an id and a short paraphrase, never an instrument's wording.

    :param ids: the item id, or a strategy of ids; by default ``q1`` to ``q27``, bare
        numbers or other ids.
    :return: a strategy of valid :class:`~dapolicy.models.QuestionItem`.
    """
    return st.builds(
        QuestionItem,
        id=_given_or(ids, _item_ids()),
        summary=st.sampled_from(_SUMMARIES),
        section=_optional(st.sampled_from(_SECTIONS)),
        text=_optional(st.integers(0, 999).map(lambda n: f"licensed wording placeholder {n}")),
    )


def question_sets(
    *,
    ids: str | SearchStrategy[str] | None = None,
    item_ids: Iterable[str] | None = None,
) -> SearchStrategy[QuestionSet]:
    """Checklists with at least one item and unique item ids.

    :param ids: the checklist id, or a strategy of ids; by default DASH, S-DASH, DIAL
        and a local one.
    :param item_ids: the item ids, in order; by default one to eight drawn ids.
    :return: a strategy of valid :class:`~dapolicy.models.QuestionSet`.
    """
    items: SearchStrategy[list[QuestionItem]]
    if item_ids is None:
        items = st.lists(question_items(), min_size=1, max_size=8, unique_by=lambda i: i.id)
    else:
        chosen = _check_item_ids(item_ids)
        if not chosen:
            raise InvalidArgument("a question set needs at least one item id")
        items = st.tuples(*(question_items(ids=item) for item in chosen)).map(list)
    return st.builds(
        QuestionSet,
        id=_given_or(ids, st.sampled_from(_CHECKLISTS)),
        title=st.sampled_from(_TITLES),
        items=items,
        source=st.one_of(st.just(""), st.sampled_from(_SOURCES)),
    )


# --- operations ------------------------------------------------------------------------


def allocations(
    *, level: InvestigatorLevel | SearchStrategy[InvestigatorLevel] | None = None
) -> SearchStrategy[Allocation]:
    """Who should investigate a crime, with at least one reason.

    :param level: the investigator level, or a strategy of levels; by default any.
    :return: a strategy of valid :class:`~dapolicy.models.Allocation`.
    """
    return st.builds(
        Allocation,
        level=_given_or(level, investigator_levels()),
        reasons=st.lists(reasons(), min_size=1, max_size=3).map(tuple),
    )


def thrives(
    *, proposed: ResponseGrade | SearchStrategy[ResponseGrade] | None = None
) -> SearchStrategy[Thrive]:
    """Call handlers' THRIVE assessments; the six rationales are fictional free text.

    :param proposed: the handler's response grade, or a strategy of grades.
    :return: a strategy of valid :class:`~dapolicy.models.Thrive`.
    """
    return st.builds(
        Thrive,
        threat=_free_texts("threat"),
        harm=_free_texts("harm"),
        risk=_free_texts("risk"),
        investigation=_free_texts("investigation"),
        vulnerability=_free_texts("vulnerability"),
        engagement=_free_texts("engagement"),
        proposed=_given_or(proposed, response_grades()),
        danger_now=st.booleans(),
        weapons=st.booleans(),
        injury=st.booleans(),
        children_present=st.booleans(),
        suspect_present=st.booleans(),
        vulnerable=st.booleans(),
    )


def response_findings(
    *, response: ResponseGrade | SearchStrategy[ResponseGrade] | None = None
) -> SearchStrategy[ResponseFinding]:
    """What a triage plug-in found: a response grade with at least one reason.

    :param response: the response grade, or a strategy of grades; by default any.
    :return: a strategy of valid :class:`~dapolicy.models.ResponseFinding`.
    """
    return st.builds(
        ResponseFinding,
        response=_given_or(response, response_grades()),
        reasons=st.lists(reasons(), min_size=1, max_size=3).map(tuple),
        briefing=st.lists(reasons(), max_size=2).map(tuple),
    )


def _review(
    draw: DrawFn, needs_review: bool | None, *, with_reasons: bool
) -> tuple[bool, list[Reason], list[PluginFailure]]:
    """``needs_review`` and what justifies it: review reasons and/or plug-in failures."""
    review = draw(st.booleans()) if needs_review is None else needs_review
    if not review:
        return False, [], []
    review_reasons = draw(_reason_lists(0, 2)) if with_reasons else []
    failures = draw(_failure_lists(0 if review_reasons else 1))
    return True, review_reasons, failures


@st.composite
def _triage_decision(
    draw: DrawFn,
    *,
    call_ids: SearchStrategy[str],
    responses: SearchStrategy[ResponseGrade],
    needs_review: bool | None,
    datetimes: SearchStrategy[datetime],
) -> TriageDecision:
    decided_at = draw(datetimes)
    review, review_reasons, failures = _review(draw, needs_review, with_reasons=True)
    alert_at = _not_before(draw, datetimes, decided_at) if draw(st.booleans()) else None
    attend_by = _not_before(draw, datetimes, decided_at) if draw(st.booleans()) else None
    return TriageDecision(
        call_id=draw(call_ids),
        response=draw(responses),
        decided_at=decided_at,
        reasons=draw(_reason_lists(1, 3)),
        alert_at=alert_at,
        attend_by=attend_by,
        appointment_minutes=draw(_APPOINTMENT_MINUTES),
        repeat_caller=draw(st.booleans()),
        repeat_location=draw(st.booleans()),
        briefing=draw(_reason_lists(0, 2)),
        needs_review=review,
        review_reasons=review_reasons,
        failures=failures,
    )


def triage_decisions(
    *,
    call_id: str | SearchStrategy[str] | None = None,
    response: ResponseGrade | SearchStrategy[ResponseGrade] | None = None,
    needs_review: bool | None = None,
    datetimes: SearchStrategy[datetime] | None = None,
) -> SearchStrategy[TriageDecision]:
    """Control-room decisions, with ``needs_review`` true exactly when justified.

    The alert and attendance times, when set, are not before ``decided_at``.

    :param call_id: the call, or a strategy of ids.
    :param response: the response grade, or a strategy of grades; by default any.
    :param needs_review: ``True``: with review reasons or plug-in failures; ``False``:
        with neither; ``None`` (default): either.
    :param datetimes: where every datetime comes from; by default :func:`aware_datetimes`.
    :return: a strategy of valid :class:`~dapolicy.models.TriageDecision`.
    """
    return _triage_decision(
        call_ids=_given_or(call_id, _references("CALL")),
        responses=_given_or(response, response_grades()),
        needs_review=needs_review,
        datetimes=_given_or(datetimes, aware_datetimes()),
    )


def form_compliances(
    *,
    incident_id: str | SearchStrategy[str] | None = None,
    status: FormStatus | SearchStrategy[FormStatus] | None = None,
) -> SearchStrategy[FormCompliance]:
    """Risk-form timeliness findings, each with at least one reason.

    :param incident_id: the incident, or a strategy of ids.
    :param status: the status, or a strategy of statuses; by default any.
    :return: a strategy of valid :class:`~dapolicy.models.FormCompliance`.
    """
    return st.builds(
        FormCompliance,
        incident_id=_given_or(incident_id, _references("INC")),
        status=_given_or(status, form_statuses()),
        reasons=st.lists(reasons(), min_size=1, max_size=3).map(tuple),
    )


@st.composite
def _event_outcome(
    draw: DrawFn,
    *,
    event_ids: SearchStrategy[str],
    needs_review: bool | None,
    datetimes: SearchStrategy[datetime],
    task_lists: SearchStrategy[list[Task]],
) -> EventOutcome:
    review, _, failures = _review(draw, needs_review, with_reasons=False)
    return EventOutcome(
        event_id=draw(event_ids),
        decided_at=draw(datetimes),
        reassess=draw(st.booleans()),
        tasks=draw(task_lists),
        reasons=draw(_reason_lists(1, 3)),
        needs_review=review,
        failures=failures,
    )


def event_outcomes(
    *,
    event_id: str | SearchStrategy[str] | None = None,
    needs_review: bool | None = None,
    datetimes: SearchStrategy[datetime] | None = None,
) -> SearchStrategy[EventOutcome]:
    """What follows from events, with ``needs_review`` true exactly when a plug-in failed.

    :param event_id: the event, or a strategy of ids.
    :param needs_review: ``True``: with plug-in failures; ``False``: without; ``None``
        (default): either.
    :param datetimes: where every datetime comes from; by default :func:`aware_datetimes`.
    :return: a strategy of valid :class:`~dapolicy.models.EventOutcome`.
    """
    times = _given_or(datetimes, aware_datetimes())
    return _event_outcome(
        event_ids=_given_or(event_id, _references("EV")),
        needs_review=needs_review,
        datetimes=times,
        task_lists=st.lists(tasks(datetimes=times), max_size=3),
    )


@st.composite
def _case(
    draw: DrawFn,
    *,
    incident_values: SearchStrategy[Incident],
    forms: SearchStrategy[RiskForm | None],
    known_calls: SearchStrategy[Call | None],
    graded: bool | None,
    datetimes: SearchStrategy[datetime],
) -> Case:
    incident = draw(incident_values)
    form = draw(forms)
    if form is not None:
        form = attrs.evolve(form, incident_id=incident.id)
    call = draw(known_calls)
    if call is not None and incident.call_id is not None:
        call = attrs.evolve(call, id=incident.call_id)
    graded_now = draw(st.booleans()) if graded is None else graded
    return Case(
        incident=incident,
        form=form,
        call=call,
        graded_at=_not_before(draw, datetimes, incident.reported_at) if graded_now else None,
        recorded_grade=draw(_GRADES) if graded_now else None,
    )


def cases(
    *,
    incident: Incident | SearchStrategy[Incident] | None = None,
    form: bool | None = None,
    call: bool | None = None,
    graded: bool | None = None,
    datetimes: SearchStrategy[datetime] | None = None,
) -> SearchStrategy[Case]:
    """Cases: an incident with its risk form, its call and the force's own grade.

    The form is for the case's incident, the call is the incident's call, and the force's
    grade is recorded no earlier than the incident was reported.

    :param incident: the incident, or a strategy of incidents; by default
        :func:`incidents` drawing from ``datetimes``.
    :param form: ``True``: a risk form arrived; ``False``: none did (the audit's missing
        form); ``None`` (default): either.
    :param call: ``True``: the call is known; ``False``: it is not; ``None``: either.
    :param graded: ``True``: the force recorded a grade (``graded_at`` and
        ``recorded_grade``); ``False``: it did not; ``None`` (default): either.
    :param datetimes: where every datetime comes from; by default :func:`aware_datetimes`.
    :return: a strategy of valid :class:`~dapolicy.models.Case`.
    """
    times = _given_or(datetimes, aware_datetimes())
    return _case(
        incident_values=_given_or(incident, incidents(datetimes=times)),
        forms=_present(risk_forms(datetimes=times), form),
        known_calls=_present(calls(datetimes=times), call),
        graded=graded,
        datetimes=times,
    )


# --- shared strategies -----------------------------------------------------------------
# Built once: building a strategy inside a draw costs more than the draw, and shrinking
# repeats draws by the hundred.

_DOMESTIC_RELATIONSHIPS = relationships(domestic=True)
_ABUSE_TYPE_SETS = st.frozensets(abuse_types(), min_size=1, max_size=4)
_OPTIONAL_OFFICERS = _optional(_references("PC"))
_OPTIONAL_CALL_IDS = _optional(_references("CALL"))
_OPTIONAL_INCIDENT_IDS = _optional(_references("INC"))
_OPTIONAL_DETAILS = _optional(_free_texts("details"))
_OPTIONAL_ALLOCATIONS = _optional(allocations())
_FINDING_LISTS = st.lists(findings(), max_size=3)
_PLUGIN_LISTS = st.lists(plugin_infos(), max_size=3)
_GRADES = risk_grades()
_VERDICTS = domestic_abuse_verdicts()


# --- st.from_type ----------------------------------------------------------------------

_TYPE_STRATEGIES: dict[type, Callable[[], SearchStrategy[Any]]] = {
    Person: persons,
    Child: children,
    Relationship: relationships,
    Call: calls,
    Crime: crimes,
    Incident: incidents,
    Reason: reasons,
    ProfessionalJudgement: professional_judgements,
    RiskForm: risk_forms,
    Finding: findings,
    Referral: referrals,
    Task: tasks,
    Event: events,
    PluginInfo: plugin_infos,
    PluginFailure: plugin_failures,
    Decision: decisions,
    QuestionItem: question_items,
    QuestionSet: question_sets,
    Allocation: allocations,
    Thrive: thrives,
    ResponseFinding: response_findings,
    TriageDecision: triage_decisions,
    FormCompliance: form_compliances,
    EventOutcome: event_outcomes,
    Case: cases,
}


def register_type_strategies() -> None:
    """Make ``st.from_type(T)`` draw valid objects for every model type ``T``.

    Hypothesis calls this through dapolicy's ``hypothesis`` entry point, as it is
    imported; calling it again is harmless. It never raises: a failure here would break
    every ``import hypothesis`` in the user's process. (dapolicy's own tests check that
    every type in :data:`dapolicy.models.MODEL_TYPES` has a strategy.)
    """
    for cls in MODEL_TYPES:
        factory = _TYPE_STRATEGIES.get(cls)
        if factory is not None:
            st.register_type_strategy(cls, factory())
