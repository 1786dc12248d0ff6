"""The statutory definition (Domestic Abuse Act 2021 ss.1-3) and the 2013 one before it.

From 31 January 2022 (by the decision's time) domestic abuse is between people aged 16
or over who are personally connected (s.2); before, the 2013 cross-government
definition (intimate partners or family members) is the rule, so an old decision
replays under the old rule. A child who sees, hears or experiences the effects of the
abuse and is related to either party is a victim in their own right (s.3), present or
not, and is safeguarded.
"""

from __future__ import annotations

import runpy
from datetime import date, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dapolicy.models import Child, Destination, DomesticAbuseVerdict, Relationship
from dapolicy.models.incident import (
    ACT_DEFINITION_FROM,
    DEFINITION_2013,
    DEFINITION_2021,
    AbuseType,
)
from dapolicy.models.people import FamilyRelation, RelationshipKind

#: The shared builders of the engine tests, run from their file (tests/ is not a package).
h = SimpleNamespace(**runpy.run_path(str(Path(__file__).with_name("engine_helpers.py"))))

POLICY = h.make_policy()
DA = DomesticAbuseVerdict.DOMESTIC_ABUSE
ND = DomesticAbuseVerdict.NOT_DOMESTIC
#: Midnight in London on the day the Act's definition applies from (GMT, so UTC too).
COMMENCED = datetime(2022, 1, 31, 0, 0, tzinfo=h.LONDON)

S2_KINDS = [k for k in RelationshipKind if k not in (RelationshipKind.OTHER,)]


def relationship(kind: RelationshipKind, family: FamilyRelation | None = None) -> Relationship:
    if kind is RelationshipKind.FAMILY_MEMBER and family is None:
        family = FamilyRelation.PARENT
    return Relationship(kind, family)


def decide(incident: object, now: datetime) -> object:
    return POLICY.assess(incident, h.dash_form(incident), now=now)


@pytest.mark.parametrize("kind", S2_KINDS, ids=lambda k: k.value)
def test_every_s2_relationship_is_personally_connected(kind: RelationshipKind) -> None:
    incident = h.make_incident(relationship=relationship(kind))
    check = incident.domestic_abuse_check()
    assert check.verdict is DA
    assert check.source == DEFINITION_2021
    decision = decide(incident, incident.reported_at)
    assert decision.domestic_abuse is DA
    assert decision.needs_review is False


@pytest.mark.parametrize(
    ("kind", "family", "under_2013"),
    [
        (RelationshipKind.MARRIED, None, DA),
        (RelationshipKind.AGREED_TO_MARRY, None, DA),
        (RelationshipKind.CIVIL_PARTNERSHIP_AGREEMENT, None, DA),
        (RelationshipKind.FORMER_CIVIL_PARTNERS, None, DA),
        (RelationshipKind.FAMILY_MEMBER, FamilyRelation.SIBLING, DA),
        (RelationshipKind.FAMILY_MEMBER, FamilyRelation.IN_LAW, DA),
        (RelationshipKind.FAMILY_MEMBER, FamilyRelation.STEP_PARENT, DA),
        # Relatives under the Act (Family Law Act 1996 s.63), not family under 2013.
        (RelationshipKind.FAMILY_MEMBER, FamilyRelation.COUSIN, ND),
        (RelationshipKind.FAMILY_MEMBER, FamilyRelation.AUNT_OR_UNCLE, ND),
        (RelationshipKind.FAMILY_MEMBER, FamilyRelation.NIECE_OR_NEPHEW, ND),
        # Each with a parental relationship to the same child, never partners.
        (RelationshipKind.PARENTS_OF_SAME_CHILD, None, ND),
    ],
)
def test_the_2013_definition_is_the_rule_before_the_act_and_the_act_from_its_day(
    kind: RelationshipKind, family: FamilyRelation | None, under_2013: DomesticAbuseVerdict
) -> None:
    at = COMMENCED - timedelta(days=2)
    incident = h.make_incident(at=at, relationship=relationship(kind, family))
    last_minute = COMMENCED - timedelta(minutes=1)
    before = decide(incident, last_minute)
    assert before.domestic_abuse is under_2013
    if under_2013 is ND:
        (why,) = before.review_reasons
        assert (why.rule, why.source) == ("definition.not_domestic", DEFINITION_2013)
        assert why.text == "victim and suspect are neither intimate partners nor family members"
    # The same incident decided on the day the Act's definition applies: domestic abuse.
    on_the_day = decide(incident, COMMENCED)
    assert on_the_day.domestic_abuse is DA
    assert on_the_day.needs_review is False
    assert incident.domestic_abuse_check(on=last_minute).source == DEFINITION_2013
    assert incident.domestic_abuse_check(on=COMMENCED.date()).source == DEFINITION_2021


def test_not_personally_connected_under_the_act_cites_s2() -> None:
    incident = h.make_incident(relationship=Relationship(RelationshipKind.OTHER))
    (why,) = decide(incident, incident.reported_at).review_reasons
    assert why.source == DEFINITION_2021
    assert why.text == "victim and suspect are not personally connected (s.2)"


@pytest.mark.parametrize("role", ["victim", "suspect"])
@pytest.mark.parametrize(
    ("born", "verdict"),
    [
        (date(2008, 3, 4), DA),  # 16th birthday on the incident day
        (date(2008, 3, 5), DomesticAbuseVerdict.CHILD_SAFEGUARDING),  # 16 tomorrow
    ],
)
def test_a_16th_birthday_on_the_incident_day_counts(
    role: str, born: date, verdict: DomesticAbuseVerdict
) -> None:
    at = datetime(2024, 3, 4, 0, 5, tzinfo=h.LONDON)
    incident = h.make_incident(
        at=at,
        relationship=Relationship(RelationshipKind.AGREED_TO_MARRY),
        **{f"{role}_born": born},
    )
    assert incident.domestic_abuse_check().verdict is verdict
    assert decide(incident, incident.reported_at).domestic_abuse is verdict


@pytest.mark.parametrize(
    "kinds",
    [
        {AbuseType.ECONOMIC},
        {AbuseType.CONTROLLING_OR_COERCIVE},
        {AbuseType.VIOLENT_OR_THREATENING},
    ],
)
def test_the_acts_abuse_kinds_are_abuse(kinds: set[AbuseType]) -> None:
    incident = h.make_incident(abuse_types=kinds)
    assert decide(incident, incident.reported_at).domestic_abuse is DA


@given(
    kind=st.sampled_from(RelationshipKind),
    family=st.sampled_from(FamilyRelation),
    day=st.dates(date(2015, 1, 1), date(2027, 12, 31)),
)
def test_property_whatever_was_domestic_under_2013_is_under_the_act(
    kind: RelationshipKind, family: FamilyRelation, day: date
) -> None:
    family_or_none = family if kind is RelationshipKind.FAMILY_MEMBER else None
    incident = h.make_incident(relationship=relationship(kind, family_or_none))
    check = incident.domestic_abuse_check(on=day)
    act = incident.domestic_abuse_check(on=ACT_DEFINITION_FROM)
    assert check.source == (DEFINITION_2021 if day >= ACT_DEFINITION_FROM else DEFINITION_2013)
    if check.verdict is DA:
        assert act.verdict is DA
    assert (act.verdict is DA) is (kind is not RelationshipKind.OTHER)


# --- s.3: children as victims ------------------------------------------------------------------


def child_victim_tasks(decision: object) -> list[object]:
    return [t for t in decision.tasks if t.what == "safeguard-child-victim"]  # type: ignore[attr-defined]


def test_a_child_victim_not_present_is_safeguarded_in_their_own_right() -> None:
    away = Child("C-1", 11, related_to_victim=True, affected=True)
    assert away.is_victim
    assert not away.in_household
    incident = h.make_incident(children=[away])
    decision = decide(incident, incident.reported_at)
    (task,) = child_victim_tasks(decision)
    assert (task.for_whom, task.assignee) == ("C-1", "officer in charge")
    assert task.due_by == incident.reported_at + timedelta(hours=24)
    assert task.reasons[0].source.startswith("Domestic Abuse Act 2021 s.3")
    assert h.referral_rules(decision, Destination.CHILDRENS_SOCIAL_CARE) == [
        "safeguarding.child-victims"
    ]
    assert h.welfare_checks(decision) == []  # not in the household: no welfare check


def test_a_child_victim_present_gets_both_the_welfare_check_and_the_victim_task() -> None:
    child = Child("C-2", 4, present=True, related_to_suspect=True, affected=True)
    incident = h.make_incident(children=[child])
    decision = decide(incident, incident.reported_at)
    assert len(h.welfare_checks(decision)) == 1
    assert len(child_victim_tasks(decision)) == 1
    assert h.referral_rules(decision, Destination.CHILDRENS_SOCIAL_CARE) == [
        "safeguarding.children-in-household",
        "safeguarding.child-victims",
    ]


@pytest.mark.parametrize(
    "child",
    [
        Child("C-3", 9, present=True, affected=True),  # affected, not related
        Child("C-3", 9, related_to_victim=True),  # related, not affected
    ],
    ids=["unrelated", "unaffected"],
)
def test_a_child_who_is_not_both_related_and_affected_is_not_a_child_victim(child: Child) -> None:
    incident = h.make_incident(children=[child])
    assert child_victim_tasks(decide(incident, incident.reported_at)) == []


def test_no_child_victim_before_the_act_nor_when_it_is_not_domestic_abuse() -> None:
    child = Child("C-4", 7, related_to_victim=True, affected=True)
    incident = h.make_incident(at=COMMENCED - timedelta(days=1), children=[child])
    assert child_victim_tasks(decide(incident, COMMENCED - timedelta(minutes=1))) == []
    assert len(child_victim_tasks(decide(incident, COMMENCED))) == 1
    neighbours = h.make_incident(
        relationship=Relationship(RelationshipKind.OTHER), children=[child]
    )
    assert child_victim_tasks(decide(neighbours, neighbours.reported_at)) == []
