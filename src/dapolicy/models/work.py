"""Referrals, tasks and the events that come after an incident."""

from __future__ import annotations

import enum
from collections.abc import Iterable
from datetime import datetime, timezone

import attrs

from dapolicy.models._base import (
    MAKERS,
    MAX_YEAR,
    MIN_YEAR,
    Checked,
    OrderedEnum,
    Problems,
    aware,
    fixed_offset,
    fixed_offset_or_none,
    not_blank,
    to_tuple,
    trusted_maker,
)
from dapolicy.models._ids import safe_id
from dapolicy.models.risk import Reason

__all__ = [
    "ABUSE_EVENTS",
    "Agency",
    "Allocation",
    "CivilOrder",
    "Destination",
    "Event",
    "EventKind",
    "InvestigatorLevel",
    "InvestigatorSkill",
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

    @classmethod
    def _made(
        cls,
        destination: Destination,
        victim_id: str,
        reasons: tuple[Reason, ...],
        requested_by: tuple[str, ...] = (),
    ) -> Referral:
        """``Referral(...)`` (asked for now: no ``requested_at``), quicker, every check run.

        As :meth:`Task._made`: the usual values (a victim id that is not blank, tuples
        of reasons and requesters) pass here; anything else goes through
        ``Referral(...)`` itself, for the same object or the same error.
        """
        if (
            type(victim_id) is str
            and type(reasons) is tuple
            and reasons
            and type(requested_by) is tuple
            and victim_id
            and not victim_id.isspace()
        ):
            make = MAKERS.get(cls) or trusted_maker(cls)
            return make(destination, victim_id, reasons, requested_by, None)  # type: ignore[no-any-return]
        return cls(destination, victim_id, reasons, requested_by)


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

    @classmethod
    def _made(
        cls,
        what: str,
        for_whom: str,
        due_by: datetime,
        reasons: tuple[Reason, ...],
        assignee: str | None = None,
    ) -> Task:
        """``Task(...)``, the same object or the same error, quicker for the usual values.

        Every check runs: values of the usual types (text that is not blank, a
        datetime at a fixed offset in the supported years, a tuple of reasons) pass
        here without the converters and the problem generator; anything else goes
        through ``Task(...)`` itself.
        """
        if (
            type(what) is str
            and type(for_whom) is str
            and type(due_by) is datetime
            and type(due_by.tzinfo) is timezone
            and MIN_YEAR <= due_by.year <= MAX_YEAR
            and type(reasons) is tuple
            and reasons
            and (
                assignee is None or (type(assignee) is str and assignee and not assignee.isspace())
            )
            and what
            and not what.isspace()
            and for_whom
            and not for_whom.isspace()
        ):
            make = MAKERS.get(cls) or trusted_maker(cls)
            return make(what, for_whom, due_by, reasons, assignee)  # type: ignore[no-any-return]
        return cls(what, for_whom, due_by, reasons, assignee)


class EventKind(enum.Enum):
    """Changes after an incident that must trigger a victim notification and re-assessment."""

    PERPETRATOR_RELEASED = "perpetrator_released"
    BAIL_CHANGED = "bail_changed"
    ORDER_BREACHED = "order_breached"
    NEW_INCIDENT = "new_incident"
    #: A protection notice (DVPN or DAPN) was given to the perpetrator.
    PROTECTION_NOTICE_GIVEN = "protection_notice_given"
    #: The perpetrator was arrested for breaching a protection notice.
    PROTECTION_NOTICE_BREACH_ARREST = "protection_notice_breach_arrest"
    #: A Stalking Protection Order was made and served.
    STALKING_PROTECTION_ORDER_MADE = "stalking_protection_order_made"
    #: A Clare's Law (DVDS) right-to-ask application was received.
    DVDS_RIGHT_TO_ASK = "dvds_right_to_ask"
    #: A Clare's Law (DVDS) right-to-know disclosure was triggered.
    DVDS_RIGHT_TO_KNOW = "dvds_right_to_know"
    #: The perpetrator breached a condition of bail.
    BAIL_BREACHED = "bail_breached"
    #: Abuse of the victim by the perpetrator reported to an agency (``reported_by``)
    #: without a police incident: a partner agency's report, or the victim's own to one.
    ABUSE_REPORTED = "abuse_reported"

    @property
    def abuse(self) -> bool:
        """Whether the event is itself an instance of abuse (see :data:`ABUSE_EVENTS`)."""
        return self in ABUSE_EVENTS


#: The kinds of event that are themselves abuse between the victim and the perpetrator:
#: SafeLives' repeat-MARAC definition counts "any instance of abuse", including "a
#: breach of bail or any civil order", reported to any agency. A release, a bail
#: change, a notice given, an order made or a Clare's Law request is not abuse.
ABUSE_EVENTS: frozenset[EventKind] = frozenset(
    {
        EventKind.NEW_INCIDENT,
        EventKind.ORDER_BREACHED,
        EventKind.BAIL_BREACHED,
        EventKind.PROTECTION_NOTICE_BREACH_ARREST,
        EventKind.ABUSE_REPORTED,
    }
)


class CivilOrder(enum.Enum):
    """A civil order whose breach an ``order_breached`` event reports.

    DAPO (Domestic Abuse Act 2021 s.27), DVPO (Crime and Security Act 2010 s.28),
    non-molestation order (Family Law Act 1996 s.42), restraining order (Sentencing Act
    2020 ss.359-360), Stalking Protection Order (Stalking Protection Act 2019), occupation
    order (Family Law Act 1996 ss.33-38), and any other.
    """

    DAPO = "dapo"
    DVPO = "dvpo"
    NON_MOLESTATION = "non_molestation"
    RESTRAINING_ORDER = "restraining_order"
    STALKING_PROTECTION_ORDER = "stalking_protection_order"
    OCCUPATION_ORDER = "occupation_order"
    OTHER = "other"


class Agency(enum.Enum):
    """Who reported an event: the police, or a partner agency (SafeLives: "any agency")."""

    POLICE = "police"
    IDVA = "idva"
    SPECIALIST_DA_SERVICE = "specialist_da_service"
    CHILDRENS_SOCIAL_CARE = "childrens_social_care"
    ADULT_SOCIAL_CARE = "adult_social_care"
    HEALTH = "health"
    EDUCATION = "education"
    HOUSING = "housing"
    PROBATION = "probation"
    OTHER = "other"


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
    :param area: the force area or basic command unit, a safe id (rules that differ by
        area, such as the protection-notice regime, read it).
    :param reported_by: the agency that reported it (keyword only): the police by
        default, or a partner agency.
    :param order: for an ``order_breached`` event, the civil order breached, if known
        (keyword only).
    """

    id: str
    kind: EventKind
    occurred_at: datetime = attrs.field(converter=fixed_offset)
    victim_id: str
    perpetrator_id: str
    incident_id: str | None = None
    details: str | None = attrs.field(default=None, repr=False)
    area: str | None = None
    reported_by: Agency = attrs.field(default=Agency.POLICE, kw_only=True)
    order: CivilOrder | None = attrs.field(default=None, kw_only=True)

    def _problems(self) -> Problems:
        yield from not_blank("id", self.id)
        yield from aware("occurred_at", self.occurred_at)
        yield from not_blank("victim_id", self.victim_id)
        yield from not_blank("perpetrator_id", self.perpetrator_id)
        if self.victim_id == self.perpetrator_id and str(self.victim_id).strip():
            yield "perpetrator_id", "victim and perpetrator must be different people"
        yield from safe_id("area", self.area, optional=True)
        if self.order is not None and self.kind is not EventKind.ORDER_BREACHED:
            yield "order", "is only for an order_breached event"


class InvestigatorSkill(enum.Enum):
    """A specialist skill an investigator holds: the two axes of allocation.

    ``DA_TRAINED``: trained to investigate domestic abuse. ``DETECTIVE``: accredited
    detective (the skill serious offences need).
    """

    DA_TRAINED = "da_trained"
    DETECTIVE = "detective"


class InvestigatorLevel(OrderedEnum):
    """Who investigates: the four combinations of the two skills.

    Declared least to most specialist, but two levels are comparable only on skills:
    ``TRAINED_DA_INVESTIGATOR`` and ``DETECTIVE`` each have a skill the other lacks. Use
    :attr:`skills` (and :meth:`Allocation.covers`) to compare; the order is a display
    order kept for compatibility.
    """

    RESPONSE_OFFICER = "response_officer"
    TRAINED_DA_INVESTIGATOR = "trained_da_investigator"
    DETECTIVE = "detective"
    DA_TRAINED_DETECTIVE = "da_trained_detective"

    @property
    def skills(self) -> frozenset[InvestigatorSkill]:
        """The skills an investigator at this level holds."""
        return _LEVEL_SKILLS[self]

    @classmethod
    def for_skills(cls, skills: frozenset[InvestigatorSkill]) -> InvestigatorLevel:
        """The level whose investigators hold exactly ``skills``."""
        return _SKILLS_LEVEL[frozenset(skills)]


_LEVEL_SKILLS: dict[InvestigatorLevel, frozenset[InvestigatorSkill]] = {
    InvestigatorLevel.RESPONSE_OFFICER: frozenset(),
    InvestigatorLevel.TRAINED_DA_INVESTIGATOR: frozenset({InvestigatorSkill.DA_TRAINED}),
    InvestigatorLevel.DETECTIVE: frozenset({InvestigatorSkill.DETECTIVE}),
    InvestigatorLevel.DA_TRAINED_DETECTIVE: frozenset(InvestigatorSkill),
}
_SKILLS_LEVEL = {skills: level for level, skills in _LEVEL_SKILLS.items()}


def _level_skills(allocation: Allocation) -> frozenset[InvestigatorSkill]:
    level: object = allocation.level
    if not isinstance(level, InvestigatorLevel):
        return frozenset()  # the level's own check reports it
    return level.skills


def _to_skills(value: Iterable[InvestigatorSkill]) -> frozenset[InvestigatorSkill]:
    return frozenset(value)


@attrs.frozen
class Allocation(Checked):
    """Who should investigate a crime, weighing risk as well as seriousness.

    Allocation has two axes (recommendation 1): domestic-abuse training, which risk
    calls for, and detective accreditation, which seriousness calls for. ``skills`` is
    what the investigator must hold; ``level`` names that combination.

    :param level: the least level of investigator; must be the level of ``skills``.
    :param reasons: why (at least one).
    :param skills: the skills required; by default those of ``level``.
    """

    level: InvestigatorLevel
    reasons: tuple[Reason, ...] = attrs.field(converter=to_tuple)
    skills: frozenset[InvestigatorSkill] = attrs.field(
        default=attrs.Factory(_level_skills, takes_self=True), converter=_to_skills
    )

    @classmethod
    def from_skills(
        cls, skills: frozenset[InvestigatorSkill], reasons: tuple[Reason, ...]
    ) -> Allocation:
        """The allocation that requires exactly ``skills``."""
        skills = frozenset(skills)
        return cls(InvestigatorLevel.for_skills(skills), reasons, skills)

    def covers(self, other: Allocation) -> bool:
        """An investigator fit for this allocation is fit for ``other`` (every skill)."""
        return self.skills >= other.skills

    def _problems(self) -> Problems:
        if not self.reasons:
            yield "reasons", "an allocation needs at least one reason"
        if any(not isinstance(s, InvestigatorSkill) for s in self.skills):
            yield "skills", "each must be an InvestigatorSkill"
        elif isinstance(self.level, InvestigatorLevel) and self.skills != self.level.skills:
            yield "skills", f"do not match the level {self.level.value}"
