"""Calls, incidents and crimes -- and the test of whether a case is domestic abuse."""

from __future__ import annotations

import enum
from datetime import datetime

import attrs

from dapolicy.models._base import (
    LONDON,
    Checked,
    Problems,
    aware,
    fixed_offset,
    micros,
    not_blank,
    to_frozenset,
    to_tuple,
)
from dapolicy.models._ids import safe_id
from dapolicy.models.people import ADULT_AGE, Child, Person, Relationship

__all__ = [
    "AbuseType",
    "Call",
    "Crime",
    "DomesticAbuseCheck",
    "DomesticAbuseVerdict",
    "Incident",
    "OffenceCategory",
    "Outcome",
]


class AbuseType(enum.Enum):
    """Forms of abuse named by the cross-government definition and the report's glossary."""

    PHYSICAL = "physical"
    SEXUAL = "sexual"
    PSYCHOLOGICAL = "psychological"
    EMOTIONAL = "emotional"
    FINANCIAL = "financial"
    CONTROLLING = "controlling"
    COERCIVE = "coercive"
    STALKING = "stalking"
    HARASSMENT = "harassment"
    HONOUR_BASED = "honour_based"
    FORCED_MARRIAGE = "forced_marriage"
    FGM = "fgm"


class OffenceCategory(enum.Enum):
    """Offence groups; the first four are those the report gives force figures for."""

    ASSAULT_WITH_INTENT = "assault_with_intent"
    ASSAULT_WITH_INJURY = "assault_with_injury"
    HARASSMENT = "harassment"
    SEXUAL_OFFENCE = "sexual_offence"
    COMMON_ASSAULT = "common_assault"
    STALKING = "stalking"
    CONTROLLING_OR_COERCIVE_BEHAVIOUR = "controlling_or_coercive_behaviour"
    THREATS_TO_KILL = "threats_to_kill"
    CRIMINAL_DAMAGE = "criminal_damage"
    BREACH_OF_ORDER = "breach_of_order"
    OTHER = "other"


class Outcome(enum.Enum):
    """How a crime was resolved (the report's Figure 2 categories)."""

    CHARGE = "charge"
    CAUTION = "caution"
    OUT_OF_COURT_DISPOSAL = "out_of_court_disposal"
    NO_FURTHER_ACTION = "no_further_action"


@attrs.frozen
class Call(Checked):
    """A call for assistance to the control room.

    :param id: the call's reference.
    :param received_at: when the call was received (timezone-aware).
    :param caller: who called, if known.
    :param location: where help is needed; kept out of ``repr``.
    :param location_id: a pseudonymous key for the location, for repeat-location checks.
    :param repeat_caller: the control room's systems flagged a repeat caller.
    """

    id: str
    received_at: datetime = attrs.field(converter=fixed_offset)
    caller: Person | None = None
    location: str | None = attrs.field(default=None, repr=False)
    location_id: str | None = None
    repeat_caller: bool = False

    def _problems(self) -> Problems:
        yield from not_blank("id", self.id)
        yield from aware("received_at", self.received_at)


@attrs.frozen
class Crime(Checked):
    """A crime recorded from an incident.

    :param id: the crime reference.
    :param offence: the offence category.
    :param arrest_made: the suspect was arrested.
    :param outcome: how it was resolved, or ``None`` while open.
    :param outcome_rationale: why; required for no further action, because the report
        found those files nearly empty. Kept out of ``repr``.
    """

    id: str
    offence: OffenceCategory
    arrest_made: bool = False
    outcome: Outcome | None = None
    outcome_rationale: str | None = attrs.field(default=None, repr=False)

    def _problems(self) -> Problems:
        yield from not_blank("id", self.id)
        rationale = self.outcome_rationale
        if self.outcome is Outcome.NO_FURTHER_ACTION and not (
            isinstance(rationale, str) and rationale.strip()
        ):
            yield "outcome_rationale", "a written rationale is required for no further action"
        else:
            yield from not_blank("outcome_rationale", rationale, optional=True)


class DomesticAbuseVerdict(enum.Enum):
    """Whether a case meets the cross-government definition of domestic abuse."""

    DOMESTIC_ABUSE = "domestic_abuse"
    #: Victim or suspect under 16: a child-safeguarding matter, not domestic abuse.
    CHILD_SAFEGUARDING = "child_safeguarding"
    #: Not intimate partners or family members.
    NOT_DOMESTIC = "not_domestic"
    #: The relationship qualifies but an age is not known; treat as domestic abuse and review.
    UNDETERMINED = "undetermined"


@attrs.frozen
class DomesticAbuseCheck:
    """The outcome of the definition test, with the reasons in words.

    :param verdict: the verdict.
    :param reasons: why, one sentence each; never personal data.
    """

    verdict: DomesticAbuseVerdict
    reasons: tuple[str, ...]

    @property
    def is_domestic_abuse(self) -> bool:
        """True only when the definition is met for certain."""
        return self.verdict is DomesticAbuseVerdict.DOMESTIC_ABUSE


@attrs.frozen
class Incident(Checked):
    """A domestic incident attended by police, crime or not.

    :param id: the incident reference.
    :param reported_at: when it was reported to police (the clock for every deadline).
    :param occurred_at: when it happened; not after ``reported_at``.
    :param victim: the person harmed.
    :param suspect: the person alleged to have caused harm.
    :param relationship: how they are related.
    :param abuse_types: at least one form of abuse.
    :param children: children present or usually resident.
    :param attending_officer: the attending officer's id.
    :param crime: the crime recorded, or ``None`` for a non-crime incident.
    :param call_id: the call that led to it, if any.
    :param counter_allegation: the suspect has made an allegation against the victim.
    :param area: the force area or basic command unit it happened in, a safe id
        (:data:`dapolicy.models._ids.SAFE_ID`); chooses the policy version in force
        where versions differ by area, as pilots do.
    """

    id: str
    reported_at: datetime = attrs.field(converter=fixed_offset)
    occurred_at: datetime = attrs.field(converter=fixed_offset)
    victim: Person
    suspect: Person
    relationship: Relationship
    abuse_types: frozenset[AbuseType] = attrs.field(converter=to_frozenset)
    children: tuple[Child, ...] = attrs.field(default=(), converter=to_tuple)
    attending_officer: str | None = None
    crime: Crime | None = None
    call_id: str | None = None
    counter_allegation: bool = False
    area: str | None = None

    def _problems(self) -> Problems:
        yield from not_blank("id", self.id)
        yield from aware("reported_at", self.reported_at)
        yield from aware("occurred_at", self.occurred_at)
        if (
            isinstance(self.reported_at, datetime)
            and isinstance(self.occurred_at, datetime)
            and self.reported_at.utcoffset() is not None
            and self.occurred_at.utcoffset() is not None
            and micros(self.occurred_at) > micros(self.reported_at)
        ):
            yield "occurred_at", "must not be after reported_at"
        if not self.abuse_types:
            yield "abuse_types", "at least one form of abuse is required"
        if self.victim.id == self.suspect.id:
            yield "suspect", "victim and suspect must be different people"
        child_ids = [child.id for child in self.children]
        if len(set(child_ids)) != len(child_ids):
            yield "children", "each child must appear once"
        yield from not_blank("attending_officer", self.attending_officer, optional=True)
        yield from safe_id("area", self.area, optional=True)

    @property
    def crime_recorded(self) -> bool:
        """A crime was recorded (``crime`` is set)."""
        return self.crime is not None

    @property
    def children_in_household(self) -> tuple[Child, ...]:
        """Children present at the incident or usually resident."""
        return tuple(child for child in self.children if child.in_household)

    def domestic_abuse_check(self) -> DomesticAbuseCheck:
        """Test the cross-government definition, ages taken on the day it happened.

        The day is the Europe/London calendar day of ``occurred_at``: someone whose
        16th birthday it is is 16.
        """
        if not self.relationship.is_domestic:
            return DomesticAbuseCheck(
                DomesticAbuseVerdict.NOT_DOMESTIC,
                ("victim and suspect are neither intimate partners nor family members",),
            )
        day = self.occurred_at.astimezone(LONDON).date()
        under: list[str] = []
        unknown: list[str] = []
        for role, person in (("victim", self.victim), ("suspect", self.suspect)):
            age = person.age_on(day)
            if age is None:
                unknown.append(f"the {role}'s date of birth is not known")
            elif age < ADULT_AGE:
                under.append(
                    f"the {role} was under {ADULT_AGE} on the day: a child-safeguarding matter"
                )
        if under:
            return DomesticAbuseCheck(DomesticAbuseVerdict.CHILD_SAFEGUARDING, tuple(under))
        if unknown:
            return DomesticAbuseCheck(DomesticAbuseVerdict.UNDETERMINED, tuple(unknown))
        return DomesticAbuseCheck(
            DomesticAbuseVerdict.DOMESTIC_ABUSE,
            (f"both aged {ADULT_AGE} or over and {self.relationship.kind.value}",),
        )
