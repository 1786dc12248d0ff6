"""Referrals, tasks and the events that come after an incident."""

from __future__ import annotations

import enum
from datetime import datetime

import attrs

from dapolicy.models._base import (
    Checked,
    OrderedEnum,
    Problems,
    aware,
    fixed_offset,
    fixed_offset_or_none,
    not_blank,
    to_tuple,
)
from dapolicy.models.risk import Reason

__all__ = [
    "Allocation",
    "Destination",
    "Event",
    "EventKind",
    "InvestigatorLevel",
    "Referral",
    "Task",
]


class Destination(enum.Enum):
    """Where a referral goes (report glossary and hub pathways)."""

    MARAC = "marac"
    IDVA = "idva"
    MASH = "mash"
    PARTNERSHIP_HUB = "partnership_hub"
    CHILDRENS_SOCIAL_CARE = "childrens_social_care"
    ADULT_SOCIAL_CARE = "adult_social_care"
    SANCTUARY_SCHEME = "sanctuary_scheme"
    INTEGRATED_OFFENDER_MANAGEMENT = "integrated_offender_management"


def _reasons_present(reasons: tuple[Reason, ...]) -> Problems:
    if not reasons:
        yield "reasons", "at least one reason is required"


@attrs.frozen
class Referral(Checked):
    """A referral of a victim to a partner agency or meeting.

    :param destination: where to.
    :param victim_id: whom for.
    :param reasons: why (at least one: rule id and source).
    :param requested_by: who asked for it (e.g. ``"mash"``, a hub's id); when the same
        referral is asked for twice and merged, both are kept here.
    :param requested_at: when it was asked for.
    """

    destination: Destination
    victim_id: str
    reasons: tuple[Reason, ...] = attrs.field(converter=to_tuple)
    requested_by: tuple[str, ...] = attrs.field(default=(), converter=to_tuple)
    requested_at: datetime | None = attrs.field(default=None, converter=fixed_offset_or_none)

    def _problems(self) -> Problems:
        yield from not_blank("victim_id", self.victim_id)
        yield from _reasons_present(self.reasons)
        yield from aware("requested_at", self.requested_at, optional=True)


@attrs.frozen
class Task(Checked):
    """A piece of work with a deadline.

    :param what: a stable task id, e.g. ``"child-welfare-check"``.
    :param for_whom: the pseudonymous id of the person it protects or concerns.
    :param due_by: the deadline (timezone-aware).
    :param reasons: why (at least one).
    :param assignee: the role that does it, e.g. ``"attending officer"``.
    """

    what: str
    for_whom: str
    due_by: datetime = attrs.field(converter=fixed_offset)
    reasons: tuple[Reason, ...] = attrs.field(converter=to_tuple)
    assignee: str | None = None

    def _problems(self) -> Problems:
        yield from not_blank("what", self.what)
        yield from not_blank("for_whom", self.for_whom)
        yield from aware("due_by", self.due_by)
        yield from _reasons_present(self.reasons)
        yield from not_blank("assignee", self.assignee, optional=True)


class EventKind(enum.Enum):
    """Changes after an incident that must trigger a victim notification and re-assessment."""

    PERPETRATOR_RELEASED = "perpetrator_released"
    BAIL_CHANGED = "bail_changed"
    ORDER_BREACHED = "order_breached"
    NEW_INCIDENT = "new_incident"


@attrs.frozen
class Event(Checked):
    """Something that happened to a case after the incident.

    :param id: the event's reference.
    :param kind: what happened.
    :param occurred_at: when (timezone-aware).
    :param victim_id: the victim it concerns.
    :param perpetrator_id: the perpetrator it concerns.
    :param incident_id: the incident it relates to, if any.
    :param details: free text; kept out of ``repr``.
    """

    id: str
    kind: EventKind
    occurred_at: datetime = attrs.field(converter=fixed_offset)
    victim_id: str
    perpetrator_id: str
    incident_id: str | None = None
    details: str | None = attrs.field(default=None, repr=False)

    def _problems(self) -> Problems:
        yield from not_blank("id", self.id)
        yield from aware("occurred_at", self.occurred_at)
        yield from not_blank("victim_id", self.victim_id)
        yield from not_blank("perpetrator_id", self.perpetrator_id)
        if self.victim_id == self.perpetrator_id and str(self.victim_id).strip():
            yield "perpetrator_id", "victim and perpetrator must be different people"


class InvestigatorLevel(OrderedEnum):
    """Who investigates, least to most specialist."""

    RESPONSE_OFFICER = "response_officer"
    TRAINED_DA_INVESTIGATOR = "trained_da_investigator"
    DETECTIVE = "detective"


@attrs.frozen
class Allocation(Checked):
    """Who should investigate a crime, weighing risk as well as seriousness.

    :param level: the least level of investigator.
    :param reasons: why (at least one).
    """

    level: InvestigatorLevel
    reasons: tuple[Reason, ...] = attrs.field(converter=to_tuple)

    def _problems(self) -> Problems:
        if not self.reasons:
            yield "reasons", "an allocation needs at least one reason"
