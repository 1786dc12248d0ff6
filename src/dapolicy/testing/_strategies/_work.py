"""Referrals, tasks, events and allocations."""

from __future__ import annotations

from datetime import datetime

from hypothesis import assume
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument
from hypothesis.strategies import DrawFn, SearchStrategy

from dapolicy.models import (
    Allocation,
    Destination,
    Event,
    EventKind,
    InvestigatorLevel,
    Referral,
    Task,
)
from dapolicy.testing._strategies._common import (
    _ROLES,
    _areas,
    _free_texts,
    _given_or,
    _optional,
    _references,
)
from dapolicy.testing._strategies._datetimes import aware_datetimes
from dapolicy.testing._strategies._enums import destinations, event_kinds, investigator_levels
from dapolicy.testing._strategies._risk import reasons


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
        area=draw(_areas()),
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
    :return: a strategy of valid :class:`~dapolicy.models.Event`, in no area, a DAPN
        pilot area or another.
    """
    if isinstance(victim_id, str) and victim_id == perpetrator_id:
        raise InvalidArgument("victim_id and perpetrator_id must differ")
    return _event(
        _given_or(kind, event_kinds()),
        _given_or(victim_id, _references("P")),
        _given_or(perpetrator_id, _references("P")),
        _given_or(datetimes, aware_datetimes()),
    )


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


_OPTIONAL_INCIDENT_IDS = _optional(_references("INC"))

_OPTIONAL_DETAILS = _optional(_free_texts("details"))
