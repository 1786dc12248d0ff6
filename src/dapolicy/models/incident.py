"""Calls, incidents and crimes -- and the test of whether a case is domestic abuse."""

from __future__ import annotations

import enum
from datetime import date, datetime

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
    "ACT_DEFINITION_FROM",
    "AbuseType",
    "Call",
    "CallType",
    "Crime",
    "DEFINITION_2013",
    "DEFINITION_2021",
    "DomesticAbuseCheck",
    "DomesticAbuseVerdict",
    "Incident",
    "OffenceCategory",
    "Outcome",
    "definition_in_force",
]


class AbuseType(enum.Enum):
    """Forms of abuse, from both definitions and the report's glossary.

    The 2013 cross-government definition and the report's glossary give the first
    twelve. The Domestic Abuse Act 2021 s.1(3) names physical or sexual abuse; violent
    or threatening behaviour; controlling or coercive behaviour; economic abuse (a
    substantial adverse effect on the victim's ability to acquire, use or maintain
    money or other property, or to obtain goods or services -- wider than
    ``FINANCIAL``); and psychological, emotional or other abuse.
    """

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
    ECONOMIC = "economic"
    CONTROLLING_OR_COERCIVE = "controlling_or_coercive"
    VIOLENT_OR_THREATENING = "violent_or_threatening"


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


class CallType(enum.Enum):
    """What the call handler recorded the call as (its opening code).

    Right Care, Right Person (:mod:`dapolicy.rcrp`) may divert a concern-for-welfare
    call, never a domestic-abuse call; a call of any other type is attended.
    """

    DOMESTIC_ABUSE = "domestic_abuse"
    CONCERN_FOR_WELFARE = "concern_for_welfare"
    OTHER = "other"


@attrs.frozen
class Call(Checked):
    """A call for assistance to the control room.

    :param id: the call's reference.
    :param received_at: when the call was received (timezone-aware).
    :param caller: who called, if known.
    :param location: where help is needed; kept out of ``repr``.
    :param location_id: a pseudonymous key for the location, for repeat-location checks.
    :param repeat_caller: the control room's systems flagged a repeat caller.
    :param call_type: what the handler recorded the call as; by default a
        domestic-abuse call, the calls dapolicy was made for (never diverted).
    :param domestic_abuse_marker: the control room's systems hold a domestic-abuse
        warning marker for the caller, someone named in the call or the location, or
        the handler heard domestic abuse in the call.
    :param partner_or_family_mentioned: the caller spoke of a partner, former partner
        or family member of the person the call is about as part of the concern.
    """

    id: str
    received_at: datetime = attrs.field(converter=fixed_offset)
    caller: Person | None = None
    location: str | None = attrs.field(default=None, repr=False)
    location_id: str | None = None
    repeat_caller: bool = False
    call_type: CallType = CallType.DOMESTIC_ABUSE
    domestic_abuse_marker: bool = False
    partner_or_family_mentioned: bool = False

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
    :param investigator: the investigating officer's id, if one is allocated (the
        audit checks their training against the register, recommendation 4).
    """

    id: str
    offence: OffenceCategory
    arrest_made: bool = False
    outcome: Outcome | None = None
    outcome_rationale: str | None = attrs.field(default=None, repr=False)
    investigator: str | None = None

    def _problems(self) -> Problems:
        yield from not_blank("id", self.id)
        yield from not_blank("investigator", self.investigator, optional=True)
        rationale = self.outcome_rationale
        if self.outcome is Outcome.NO_FURTHER_ACTION and not (
            isinstance(rationale, str) and rationale.strip()
        ):
            yield "outcome_rationale", "a written rationale is required for no further action"
        else:
            yield from not_blank("outcome_rationale", rationale, optional=True)


#: The statutory definition (Domestic Abuse Act 2021 ss.1-3) is the rule from this day;
#: the 2013 cross-government definition before it. Sections 1 and 2 came into force on
#: 5 July 2021 for specified purposes only (SI 2021/797, reg. 2); section 3, children as
#: victims, so far as not already in force, on 31 January 2022 (the Domestic Abuse Act
#: 2021 (Commencement No. 3) Regulations 2022). dapolicy applies the Act's definition,
#: ss.1-3 together, from that day.
ACT_DEFINITION_FROM = date(2022, 1, 31)

#: The source each definition's reasons cite.
DEFINITION_2013 = "Cross-government definition of domestic violence and abuse (2013)"
DEFINITION_2021 = (
    "Domestic Abuse Act 2021 ss.1-2 (in force for policing from 31 January 2022, "
    "Commencement No. 3 Regulations 2022)"
)


def definition_in_force(day: date) -> str:
    """The source of the definition of domestic abuse in force on ``day``."""
    return DEFINITION_2021 if day >= ACT_DEFINITION_FROM else DEFINITION_2013


class DomesticAbuseVerdict(enum.Enum):
    """Whether a case meets the definition of domestic abuse in force."""

    DOMESTIC_ABUSE = "domestic_abuse"
    #: Victim or suspect under 16: a child-safeguarding matter, not domestic abuse.
    CHILD_SAFEGUARDING = "child_safeguarding"
    #: Not personally connected (the Act), or not partners or family (2013).
    NOT_DOMESTIC = "not_domestic"
    #: The relationship qualifies but an age is not known; treat as domestic abuse and review.
    UNDETERMINED = "undetermined"


@attrs.frozen
class DomesticAbuseCheck:
    """The outcome of the definition test, with the reasons in words.

    :param verdict: the verdict.
    :param reasons: why, one sentence each; never personal data.
    :param source: the definition applied (the one in force on the day tested).
    """

    verdict: DomesticAbuseVerdict
    reasons: tuple[str, ...]
    source: str = DEFINITION_2021

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
    :param weapon_present: a weapon, or an object used as one, was present at the
        incident, as the attending officer found it (whatever the risk form says of
        weapons used before).
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
    weapon_present: bool = False

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

    @property
    def child_victims(self) -> tuple[Child, ...]:
        """Children who are victims in their own right (DA Act 2021 s.3), present or not."""
        return tuple(child for child in self.children if child.is_victim)

    @property
    def related_children(self) -> tuple[Child, ...]:
        """Children related to the victim or the suspect, present or not."""
        return tuple(child for child in self.children if child.related)

    def domestic_abuse_check(self, *, on: date | datetime | None = None) -> DomesticAbuseCheck:
        """Test the definition of domestic abuse in force, ages taken on the day it happened.

        From 31 January 2022 (:data:`ACT_DEFINITION_FROM`) the definition is the
        Domestic Abuse Act 2021's: both 16 or over and personally connected (s.2).
        Before, the 2013 cross-government definition: both 16 or over and intimate
        partners or family members. Ages are taken on the Europe/London calendar day of
        ``occurred_at``: someone whose 16th birthday it is is 16.

        :param on: the day (or moment, taken as its London day) whose definition
            applies: the policy passes the decision's time, so an old decision replays
            under the old rule. If omitted, the Act's (the law now).
        """
        day = self.occurred_at.astimezone(LONDON).date()
        if on is None:
            in_force = ACT_DEFINITION_FROM
        elif isinstance(on, datetime):
            in_force = on.astimezone(LONDON).date()
        else:
            in_force = on
        source = definition_in_force(in_force)
        if source == DEFINITION_2013:
            connected = self.relationship.partners_or_family_2013
            not_connected = "victim and suspect are neither intimate partners nor family members"
        else:
            connected = self.relationship.personally_connected
            not_connected = "victim and suspect are not personally connected (s.2)"
        if not connected:
            return DomesticAbuseCheck(DomesticAbuseVerdict.NOT_DOMESTIC, (not_connected,), source)
        return self._age_check(day, source)

    def _age_check(self, day: date, source: str) -> DomesticAbuseCheck:
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
            return DomesticAbuseCheck(
                DomesticAbuseVerdict.CHILD_SAFEGUARDING, tuple(under), source
            )
        if unknown:
            return DomesticAbuseCheck(DomesticAbuseVerdict.UNDETERMINED, tuple(unknown), source)
        return DomesticAbuseCheck(
            DomesticAbuseVerdict.DOMESTIC_ABUSE,
            (f"both aged {ADULT_AGE} or over and {self.relationship.kind.value}",),
            source,
        )
