"""People in a case: victims and suspects, children, and how they are related.

A :class:`Person` is known by a pseudonymous id. Name, date of birth, address and
phone number are optional and never appear in ``repr`` or ``str``: they are kept only
so a force system can carry them through; no rule reads them except the date of birth
(for the age test of the domestic-abuse definition).
"""

from __future__ import annotations

import enum
from datetime import date, datetime

import attrs

from dapolicy.models._base import Checked, Problems, age_on, not_blank

__all__ = [
    "Child",
    "FamilyRelation",
    "Person",
    "Relationship",
    "RelationshipKind",
    "Vulnerability",
]

#: Minimum age of victim and suspect, under the 2013 cross-government definition and the
#: Domestic Abuse Act 2021 s.1(2)(a) alike.
ADULT_AGE = 16
#: Ages a child record may hold.
CHILD_AGES = range(18)


class Vulnerability(enum.Enum):
    """Markers that make a person more vulnerable to harm (report glossary, 'Vulnerable')."""

    DISABILITY = "disability"
    LEARNING_DISABILITY = "learning_disability"
    MENTAL_HEALTH = "mental_health"
    SUBSTANCE_MISUSE = "substance_misuse"
    PREGNANT = "pregnant"
    ELDERLY = "elderly"
    LANGUAGE_BARRIER = "language_barrier"
    INSECURE_IMMIGRATION_STATUS = "insecure_immigration_status"
    SOCIAL_ISOLATION = "social_isolation"
    FINANCIAL_DEPENDENCE = "financial_dependence"


@attrs.frozen
class Person(Checked):
    """A victim, suspect or caller.

    :param id: pseudonymous identifier, stable across incidents (the key of the history).
    :param name: kept out of ``repr``.
    :param date_of_birth: kept out of ``repr``; used only for the age test.
    :param address: kept out of ``repr``.
    :param address_confidential: the address is a refuge or otherwise must not be shared.
    :param phone: kept out of ``repr``.
    :param vulnerabilities: vulnerability markers.
    """

    id: str
    name: str | None = attrs.field(default=None, repr=False)
    date_of_birth: date | None = attrs.field(default=None, repr=False)
    address: str | None = attrs.field(default=None, repr=False)
    address_confidential: bool = False
    phone: str | None = attrs.field(default=None, repr=False)
    vulnerabilities: frozenset[Vulnerability] = attrs.field(
        default=frozenset(), converter=frozenset
    )

    def _problems(self) -> Problems:
        yield from not_blank("id", self.id)
        if self.date_of_birth is not None and (
            not isinstance(self.date_of_birth, date) or isinstance(self.date_of_birth, datetime)
        ):
            yield "date_of_birth", "must be a calendar date"

    def age_on(self, day: date) -> int | None:
        """Age in whole years on ``day``, or ``None`` when the date of birth is not known."""
        if self.date_of_birth is None:
            return None
        return age_on(self.date_of_birth, day)


@attrs.frozen
class Child(Checked):
    """A child (under 18) linked to an incident.

    Being *present* and being a *victim* are different facts. Under the Domestic Abuse
    Act 2021 s.3 a child who sees or hears, or experiences the effects of, the abuse and
    is related to the victim or the suspect is a victim of domestic abuse in their own
    right, present or not (:attr:`is_victim`).

    :param id: pseudonymous identifier.
    :param age: age in whole years, 0 to 17.
    :param present: present at the incident (asleep in bed counts: the report found
        officers who did not check on sleeping children).
    :param usually_resident: usually lives at the address.
    :param welfare_checked: an officer physically checked the child's welfare.
    :param related_to_victim: the victim is the child's parent, has parental
        responsibility for the child, or is the child's relative (s.3(3)).
    :param related_to_suspect: the same, for the suspect.
    :param affected: the child saw or heard the abuse, or experiences its effects
        (s.3(2)(a)).
    """

    id: str
    age: int
    present: bool = False
    usually_resident: bool = False
    welfare_checked: bool = False
    related_to_victim: bool = False
    related_to_suspect: bool = False
    affected: bool = False

    @property
    def related(self) -> bool:
        """Related to the victim or the suspect (parent, parental responsibility, relative)."""
        return self.related_to_victim or self.related_to_suspect

    @property
    def is_victim(self) -> bool:
        """A victim in their own right under s.3: affected by the abuse and related."""
        return self.affected and self.related

    def _problems(self) -> Problems:
        yield from not_blank("id", self.id)
        if not isinstance(self.age, int) or isinstance(self.age, bool):
            yield "age", "must be a whole number of years"
        elif self.age not in CHILD_AGES:
            yield "age", "a child's age must be from 0 to 17"

    @property
    def in_household(self) -> bool:
        """Present at the incident or usually resident: the trigger for safeguarding."""
        return self.present or self.usually_resident


class RelationshipKind(enum.Enum):
    """How the victim and suspect are connected.

    Every kind but ``OTHER`` is "personally connected" under the Domestic Abuse Act 2021
    s.2: married or civil partners, now or before; agreed to marry or made a civil
    partnership agreement, whether or not it has ended; in an intimate personal
    relationship, now or before; each having, or having had, a parental relationship in
    relation to the same child; or relatives (``FAMILY_MEMBER``).
    """

    INTIMATE_PARTNER = "intimate_partner"
    FORMER_INTIMATE_PARTNER = "former_intimate_partner"
    FAMILY_MEMBER = "family_member"
    OTHER = "other"
    MARRIED = "married"
    FORMERLY_MARRIED = "formerly_married"
    CIVIL_PARTNERS = "civil_partners"
    FORMER_CIVIL_PARTNERS = "former_civil_partners"
    AGREED_TO_MARRY = "agreed_to_marry"
    CIVIL_PARTNERSHIP_AGREEMENT = "civil_partnership_agreement"
    PARENTS_OF_SAME_CHILD = "parents_of_same_child"


class FamilyRelation(enum.Enum):
    """The suspect's relation to the victim, when they are family."""

    PARENT = "parent"
    CHILD = "child"
    SIBLING = "sibling"
    GRANDPARENT = "grandparent"
    GRANDCHILD = "grandchild"
    AUNT_OR_UNCLE = "aunt_or_uncle"
    NIECE_OR_NEPHEW = "niece_or_nephew"
    COUSIN = "cousin"
    STEP_PARENT = "step_parent"
    STEP_CHILD = "step_child"
    IN_LAW = "in_law"
    OTHER_FAMILY = "other_family"


@attrs.frozen
class Relationship(Checked):
    """The relationship between victim and suspect.

    :param kind: partner, former partner, family member or other.
    :param family: which family relation; required for ``FAMILY_MEMBER`` and only then.
    """

    kind: RelationshipKind
    family: FamilyRelation | None = None

    def _problems(self) -> Problems:
        if self.kind is RelationshipKind.FAMILY_MEMBER and self.family is None:
            yield "family", "required when kind is family_member"
        if self.kind is not RelationshipKind.FAMILY_MEMBER and self.family is not None:
            yield "family", "only allowed when kind is family_member"

    @property
    def is_domestic(self) -> bool:
        """Personally connected under the Domestic Abuse Act 2021 s.2 (the law now)."""
        return self.personally_connected

    @property
    def personally_connected(self) -> bool:
        """One of the s.2 relationships: every kind but ``OTHER``."""
        return self.kind is not RelationshipKind.OTHER

    @property
    def partners_or_family_2013(self) -> bool:
        """Intimate partners or family members under the 2013 cross-government definition.

        Its family members are parents, children, siblings and grandparents, directly
        related, in-laws or step-family: aunts, uncles, nieces, nephews and cousins are
        relatives under the Act, not family members under the 2013 definition. Parents
        of the same child who were never partners were not covered.
        """
        if self.kind is RelationshipKind.FAMILY_MEMBER:
            return self.family not in _NOT_FAMILY_2013
        return self.kind in _PARTNERS_2013


_PARTNERS_2013 = frozenset(
    {
        RelationshipKind.INTIMATE_PARTNER,
        RelationshipKind.FORMER_INTIMATE_PARTNER,
        RelationshipKind.MARRIED,
        RelationshipKind.FORMERLY_MARRIED,
        RelationshipKind.CIVIL_PARTNERS,
        RelationshipKind.FORMER_CIVIL_PARTNERS,
        RelationshipKind.AGREED_TO_MARRY,
        RelationshipKind.CIVIL_PARTNERSHIP_AGREEMENT,
    }
)
_NOT_FAMILY_2013 = frozenset(
    {FamilyRelation.AUNT_OR_UNCLE, FamilyRelation.NIECE_OR_NEPHEW, FamilyRelation.COUSIN}
)
