"""Calls, crimes and incidents, with ages drawn against the London calendar day."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from hypothesis import assume
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument
from hypothesis.strategies import DrawFn, SearchStrategy

from dapolicy.models import (
    Call,
    Child,
    Crime,
    Incident,
    OffenceCategory,
    Outcome,
    Person,
    Relationship,
    RelationshipKind,
)
from dapolicy.models._base import LONDON
from dapolicy.testing._strategies._common import (
    _ADULT_OR_UNKNOWN,
    _BIRTH_KINDS,
    _MAX_AGE,
    _NON_DOMESTIC_ROUTES,
    _addresses,
    _areas,
    _birth_date,
    _free_texts,
    _given_or,
    _optional,
    _ordered_pair,
    _present,
    _references,
)
from dapolicy.testing._strategies._datetimes import aware_datetimes
from dapolicy.testing._strategies._enums import (
    abuse_types,
    call_types,
    offence_categories,
    outcomes,
)
from dapolicy.testing._strategies._people import (
    _DOMESTIC_RELATIONSHIPS,
    _households,
    _person_fields,
    persons,
)


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
        call_type=call_types(),
        domestic_abuse_marker=st.booleans(),
        partner_or_family_mentioned=st.booleans(),
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
    areas: SearchStrategy[str | None],
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
        area=draw(areas),
        weapon_present=draw(st.booleans()),
    )


def incidents(
    *,
    domestic: bool | None = None,
    crime: bool | None = None,
    children: bool | None = None,
    max_children: int = 4,
    datetimes: SearchStrategy[datetime] | None = None,
    personal_data: bool | None = None,
    area: str | SearchStrategy[str | None] | None = None,
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
    :param area: the area, or a strategy of areas (``None`` in it for none); by default
        none, a DAPN pilot area (often) or another safe id.
    :return: a strategy of valid :class:`~dapolicy.models.Incident`, a weapon present
        or not; each child related to either party, affected, both or neither.
    """
    if max_children < 0:
        raise InvalidArgument("max_children must be 0 or more")
    return _incident(
        domestic=domestic,
        people=_person_fields(personal_data),
        crimes_or_none=_present(crimes(), crime),
        households=_households(children, max_children),
        datetimes=_given_or(datetimes, aware_datetimes()),
        areas=_given_or(area, _areas()),
    )


_ABUSE_TYPE_SETS = st.frozensets(abuse_types(), min_size=1, max_size=4)

_OPTIONAL_OFFICERS = _optional(_references("PC"))

_OPTIONAL_CALL_IDS = _optional(_references("CALL"))
