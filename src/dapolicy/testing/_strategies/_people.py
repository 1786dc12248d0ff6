"""People, children, households and relationships."""

from __future__ import annotations

from datetime import date
from typing import Any

import attrs
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument
from hypothesis.strategies import SearchStrategy

from dapolicy.models import (
    Child,
    Person,
    Relationship,
    RelationshipKind,
)
from dapolicy.testing._strategies._common import (
    _MAX_BIRTH,
    _MIN_BIRTH,
    T,
    _addresses,
    _given_or,
    _names,
    _phones,
    _present,
    _references,
)
from dapolicy.testing._strategies._enums import family_relations, vulnerabilities


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


#: (related to the victim, related to the suspect, affected) by ``victim``.
_VICTIM_FLAGS: dict[bool | None, SearchStrategy[tuple[bool, bool, bool]]] = {
    True: st.sampled_from(((True, False, True), (False, True, True), (True, True, True))),
    False: st.tuples(st.booleans(), st.booleans(), st.booleans()).filter(
        lambda f: not (f[2] and (f[0] or f[1]))
    ),
    None: st.tuples(st.booleans(), st.booleans(), st.booleans()),
}


def children(
    *,
    ids: str | SearchStrategy[str] | None = None,
    ages: int | SearchStrategy[int] | None = None,
    in_household: bool | None = None,
    victim: bool | None = None,
) -> SearchStrategy[Child]:
    """Children aged 0 to 17, related to either party or not, affected or not.

    :param ids: the id, or a strategy of ids; by default ``C-000`` to ``C-999`` or odd text.
    :param ages: the age, or a strategy of ages (each must be 0 to 17); by default any.
    :param in_household: ``True``: present or usually resident (the safeguarding
        trigger); ``False``: neither; ``None`` (default): either.
    :param victim: ``True``: a victim in their own right (Domestic Abuse Act 2021 s.3:
        affected by the abuse and related to the victim, the suspect or both);
        ``False``: not one; ``None`` (default): either.
    :return: a strategy of valid :class:`~dapolicy.models.Child`.
    """
    return st.builds(
        lambda id_, age, flags, checked, links: Child(
            id_, age, flags[0], flags[1], checked, links[0], links[1], links[2]
        ),
        _given_or(ids, _references("C")),
        _given_or(ages, st.integers(0, 17)),
        _HOUSEHOLD_FLAGS[in_household],
        st.booleans(),
        _VICTIM_FLAGS[victim],
    )


def relationships(*, domestic: bool | None = None) -> SearchStrategy[Relationship]:
    """Relationships between victim and suspect, with a family relation iff family.

    :param domestic: ``True``: relationships that are domestic under both the 2013
        definition and the Domestic Abuse Act 2021 (whatever the incident's date);
        ``False``: ``OTHER`` only; ``None`` (default): any.
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

    drawn = st.sampled_from(kinds).flatmap(build)
    if domestic:
        # Domestic under every definition an incident's date can select: the 2013
        # definition (in force before 31 January 2022) is narrower than the Act's.
        return drawn.filter(lambda r: r.partners_or_family_2013 and r.personally_connected)
    return drawn


_DOMESTIC_RELATIONSHIPS = relationships(domestic=True)
