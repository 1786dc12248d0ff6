"""MARAC criteria, professional judgement, safeguarding and the force's hub thresholds."""

from __future__ import annotations

import importlib.util
import sys
from datetime import date, datetime, timedelta
from pathlib import Path
from types import ModuleType

import attrs
import pytest

from dapolicy import (
    AbuseType,
    Child,
    Destination,
    DomesticAbuseVerdict,
    FamilyRelation,
    Relationship,
    RelationshipKind,
    RiskGrade,
    Vulnerability,
)
from dapolicy.history import HistoryEntry, InMemoryHistory, MaracReferralEntry, record
from dapolicy.settings import HubSettings, MaracSettings, SeriesRule, Settings


def _load_helpers() -> ModuleType:
    name = "engine_helpers"
    if name not in sys.modules:
        path = Path(__file__).with_name("engine_helpers.py")
        spec = importlib.util.spec_from_file_location(name, path)
        assert spec is not None
        assert spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


h = _load_helpers()

UTC = h.UTC
LONDON = h.LONDON
POLICY = h.make_policy()
INCIDENT = h.make_incident("INC-1")
NOW = INCIDENT.reported_at
HOUR = timedelta(hours=1)


def assess(incident=INCIDENT, form=None, *, history=None, policy=POLICY):  # type: ignore[no-untyped-def]
    return policy.assess(incident, form, history=history, now=incident.reported_at)


def prior(*months_ago: int, victim: str = "V-1", suspect: str = "S-1") -> InMemoryHistory:
    """A history with one incident ``n`` times 30 days before INCIDENT for each n."""
    history = InMemoryHistory()
    for n in months_ago:
        history.record_incident(
            HistoryEntry(f"PRIOR-{n}", victim, suspect, h.T0 - timedelta(days=30 * n))
        )
    return history


# --- MARAC criterion 1: visible high risk (and any high grade) -----------------------------------


@pytest.mark.parametrize("checklist", ["dash-2009-police", "dash-2009-ric"])
def test_marac_visible_high_risk(checklist: str) -> None:
    decision = assess(form=h.dash_form(INCIDENT, yes=range(1, 15), checklist=checklist))
    marac = h.referral(decision, Destination.MARAC)
    assert h.rules(marac.reasons) == ["marac.visible-high-risk"]
    assert marac.reasons[0].source == "SafeLives MARAC referral criteria §1 visible high risk"
    assert marac.requested_by == ("marac-criteria",)
    assert marac.victim_id == "V-1"


def test_marac_any_high_grade_is_referred() -> None:
    decision = assess(form=h.make_form(INCIDENT, "lethality-screen", yes=["1"]))
    assert h.referral_rules(decision, Destination.MARAC) == ["marac.high-risk"]


def test_no_criterion_no_marac_referral() -> None:
    decision = assess(form=h.dash_form(INCIDENT, yes=range(1, 14)))
    assert decision.grade is RiskGrade.MEDIUM
    assert Destination.MARAC not in decision.referred_to()


# --- MARAC criterion 2 and professional judgement ------------------------------------------------


def test_marac_professional_judgement_alone() -> None:
    form = h.dash_form(INCIDENT, yes=[1], judgement=h.judgement(RiskGrade.STANDARD, refer=True))
    decision = assess(form=form)
    assert decision.grade is RiskGrade.STANDARD
    assert h.referral_rules(decision, Destination.MARAC) == ["marac.professional-judgement"]
    assert Destination.IDVA not in decision.referred_to()


def test_marac_professional_judgement_needs_refer_to_marac() -> None:
    form = h.dash_form(INCIDENT, yes=[1], judgement=h.judgement(RiskGrade.MEDIUM))
    decision = assess(form=form)
    assert decision.grade is RiskGrade.MEDIUM
    assert Destination.MARAC not in decision.referred_to()


def test_professional_judgement_raises_the_grade() -> None:
    form = h.dash_form(INCIDENT, yes=[1, 2], judgement=h.judgement(RiskGrade.HIGH))
    decision = assess(form=form)
    assert decision.grade is RiskGrade.HIGH
    assert h.rules(decision.reasons) == ["grade.highest-finding", "grade.professional-judgement"]
    assert decision.reasons[1].text == "professional judgement raised the grade to high"
    assert h.finding(decision, "dash").grade is RiskGrade.STANDARD
    # Judgement alone raised it: the referral cites SafeLives' criterion 2 (issue 11).
    assert h.referral_rules(decision, Destination.MARAC) == ["marac.professional-judgement"]
    (marac,) = [r for r in decision.referrals if r.destination is Destination.MARAC]
    assert marac.reasons[0].source == "SafeLives MARAC referral criteria §2 professional judgement"
    assert h.referral_rules(decision, Destination.IDVA) == ["safeguarding.idva-high-risk"]


def test_professional_judgement_cannot_lower_the_grade() -> None:
    form = h.dash_form(INCIDENT, yes=range(1, 15), judgement=h.judgement(RiskGrade.STANDARD))
    decision = assess(form=form)
    assert decision.grade is RiskGrade.HIGH
    assert h.rules(decision.reasons) == ["grade.highest-finding", "grade.judgement-cannot-lower"]
    assert decision.reasons[1].text == (
        "professional judgement of standard does not lower the grade of high"
    )
    assert h.referral_rules(decision, Destination.MARAC) == ["marac.visible-high-risk"]


def test_professional_judgement_equal_to_the_grade_adds_no_reason() -> None:
    form = h.dash_form(INCIDENT, yes=range(1, 11), judgement=h.judgement(RiskGrade.MEDIUM))
    decision = assess(form=form)
    assert decision.grade is RiskGrade.MEDIUM
    assert h.rules(decision.reasons) == ["grade.highest-finding"]


def test_professional_judgement_on_an_unscored_form_still_raises_but_needs_review() -> None:
    form = h.make_form(INCIDENT, "unknown-list", judgement=h.judgement(RiskGrade.HIGH, refer=True))
    decision = assess(form=form)
    assert decision.grade is RiskGrade.HIGH
    assert h.rules(decision.reasons) == ["grade.no-finding", "grade.professional-judgement"]
    assert decision.needs_review is True
    # One reason per criterion: judgement raised the grade and referred.
    assert h.referral_rules(decision, Destination.MARAC) == ["marac.professional-judgement"]


@pytest.mark.parametrize("pj", list(RiskGrade))
@pytest.mark.parametrize("yes", [0, 10, 14])
def test_grade_is_the_max_of_models_and_judgement(pj: RiskGrade, yes: int) -> None:
    form = h.dash_form(INCIDENT, yes=range(1, yes + 1), judgement=h.judgement(pj))
    model = h.finding(assess(form=form), "dash").grade
    assert assess(form=form).grade is max(model, pj)


# --- MARAC criterion 3: potential escalation --------------------------------------------------


def test_marac_potential_escalation_third_incident_in_12_months() -> None:
    decision = assess(form=h.dash_form(INCIDENT, yes=[1]), history=prior(3, 11))
    marac = h.referral(decision, Destination.MARAC)
    assert h.rules(marac.reasons) == ["marac.high-risk", "marac.potential-escalation"]
    assert marac.reasons[1].source == (
        "SafeLives MARAC referral criteria §3 potential escalation (3 in 12 months, set by "
        "the force)"
    )
    assert marac.reasons[1].text == (
        "3 domestic-abuse incidents in 12 months, this one included (crimes and non-crime "
        "incidents alike)"
    )


def test_marac_potential_escalation_counts_any_suspect() -> None:
    history = prior(3, suspect="S-2")
    history.record_incident(HistoryEntry("OTHER", "V-1", "S-3", h.T0 - timedelta(days=50)))
    assert "marac.potential-escalation" in h.referral_rules(
        assess(history=history), Destination.MARAC
    )


def test_marac_escalation_alone_with_series_switched_off() -> None:
    policy = h.make_policy(Settings(series=()))
    decision = assess(form=h.dash_form(INCIDENT), history=prior(1, 2), policy=policy)
    assert decision.grade is RiskGrade.STANDARD
    assert h.referral_rules(decision, Destination.MARAC) == ["marac.potential-escalation"]
    assert Destination.IDVA not in decision.referred_to()


def test_marac_escalation_incidents_setting() -> None:
    policy = h.make_policy(Settings(marac=MaracSettings(escalation_incidents=2), series=()))
    assert h.referral_rules(
        assess(form=h.dash_form(INCIDENT), history=prior(5), policy=policy), Destination.MARAC
    ) == ["marac.potential-escalation"]


def test_two_incidents_are_not_an_escalation() -> None:
    decision = assess(form=h.dash_form(INCIDENT), history=prior(5))
    assert decision.repeat_victim is True
    assert Destination.MARAC not in decision.referred_to()


# --- MARAC criterion 4: repeat -----------------------------------------------------------------


def referred(at: datetime, *, suspect: str = "S-1", incident: str = "OLD") -> InMemoryHistory:
    history = InMemoryHistory()
    history.record_marac_referral(MaracReferralEntry("V-1", suspect, at, incident))
    return history


def test_marac_repeat_within_12_months_of_the_last_referral() -> None:
    decision = assess(form=h.dash_form(INCIDENT), history=referred(h.T0 - timedelta(days=300)))
    marac = h.referral(decision, Destination.MARAC)
    assert h.rules(marac.reasons) == ["marac.repeat"]
    assert marac.reasons[0].source == (
        "SafeLives MARAC referral criteria §4 repeat MARAC (within 12 months of the last referral)"
    )


def test_marac_repeat_boundary_is_12_calendar_months_on_the_wall_clock() -> None:
    start = datetime(2023, 1, 10, 20, 0, tzinfo=UTC)  # 12 months before T0, same wall time
    assert h.referral_rules(assess(history=referred(start)), Destination.MARAC) == ["marac.repeat"]
    early = assess(history=referred(start - timedelta(seconds=1)))
    assert Destination.MARAC not in early.referred_to()


def test_marac_repeat_needs_the_same_suspect() -> None:
    decision = assess(history=referred(h.T0 - timedelta(days=30), suspect="S-2"))
    assert Destination.MARAC not in decision.referred_to()


def test_marac_repeat_months_setting() -> None:
    policy = h.make_policy(Settings(marac=MaracSettings(repeat_months=18)))
    history = referred(h.T0 - timedelta(days=500))
    assert h.referral_rules(assess(history=history, policy=policy), Destination.MARAC) == [
        "marac.repeat"
    ]
    assert Destination.MARAC not in assess(history=history).referred_to()


def test_marac_repeat_ignores_referrals_after_the_incident() -> None:
    decision = assess(history=referred(h.T0 + timedelta(seconds=1)))
    assert Destination.MARAC not in decision.referred_to()


def test_all_four_criteria_make_one_referral_with_every_reason() -> None:
    history = prior(2, 4)
    history.record_marac_referral(
        MaracReferralEntry("V-1", "S-1", h.T0 - timedelta(days=60), "PRIOR-2")
    )
    form = h.dash_form(
        INCIDENT, yes=range(1, 15), judgement=h.judgement(RiskGrade.HIGH, refer=True)
    )
    decision = assess(form=form, history=history)
    assert [r.destination for r in decision.referrals].count(Destination.MARAC) == 1
    assert h.referral_rules(decision, Destination.MARAC) == [
        "marac.visible-high-risk",
        "marac.professional-judgement",
        "marac.potential-escalation",
        "marac.repeat",
    ]


def test_reassessing_a_recorded_incident_keeps_its_repeat_marac_reason() -> None:
    history = referred(h.T0 - timedelta(days=30))
    incident = h.make_incident("B", at=h.T0, reported_at=h.T0)
    first = POLICY.assess(incident, h.dash_form(incident), history=history, now=h.T0)
    assert h.referral_rules(first, Destination.MARAC) == ["marac.repeat"]
    record(history, incident, first)
    again = POLICY.assess(incident, h.dash_form(incident), history=history, now=h.T0)
    assert again == first


def test_marac_repeat_in_the_autumn_overlap_compares_instants() -> None:
    history = referred(datetime(2023, 10, 29, 1, 15, fold=1, tzinfo=LONDON))
    incident = h.make_incident("I", at=datetime(2024, 10, 29, 1, 30, tzinfo=LONDON))
    decision = assess(incident, h.dash_form(incident), history=history)
    assert h.referral_rules(decision, Destination.MARAC) == ["marac.repeat"]


def test_marac_repeat_in_the_spring_gap_compares_instants() -> None:
    history = referred(datetime(2024, 3, 31, 2, 15, tzinfo=LONDON))
    incident = h.make_incident("I", at=datetime(2025, 3, 31, 1, 30, tzinfo=LONDON))
    decision = assess(incident, h.dash_form(incident), history=history)
    assert Destination.MARAC not in decision.referred_to()


# --- safeguarding --------------------------------------------------------------------------------


def test_children_in_household_get_a_referral_and_one_welfare_check_each() -> None:
    children = [
        Child("C-PRESENT", 4, present=True),
        Child("C-RESIDENT", 9, usually_resident=True),
        Child("C-BOTH", 12, present=True, usually_resident=True, welfare_checked=True),
        Child("C-ELSEWHERE", 15),  # neither present nor resident
    ]
    incident = h.make_incident("INC-K", children=children)
    decision = assess(incident, h.dash_form(incident))
    assert h.referral_rules(decision, Destination.CHILDRENS_SOCIAL_CARE) == [
        "safeguarding.children-in-household"
    ]
    assert h.referral(decision, Destination.CHILDRENS_SOCIAL_CARE).reasons[0].text == (
        "3 child(ren) present or usually resident"
    )
    reported = incident.reported_at
    checks = h.welfare_checks(decision)
    assert [(t.what, t.for_whom, t.due_by, t.assignee) for t in checks] == [
        ("child-welfare-check", "C-BOTH", reported + HOUR, "attending officer"),
        ("child-welfare-check", "C-PRESENT", reported + HOUR, "attending officer"),
        ("child-welfare-check", "C-RESIDENT", reported + 24 * HOUR, "neighbourhood officer"),
    ]
    texts = {t.for_whom: t.reasons[0].text for t in checks}
    assert texts["C-PRESENT"] == "check the child's welfare in person within 1 hour(s)"
    assert texts["C-BOTH"] == (
        "check the child's welfare in person within 1 hour(s) (recorded as done; confirm)"
    )
    assert texts["C-RESIDENT"] == "check the child's welfare in person within 24 hour(s)"
    assert all(h.rules(t.reasons) == ["safeguarding.child-welfare-check"] for t in checks)
    assert decision.needs_review is False


def test_children_not_in_household_get_nothing() -> None:
    incident = h.make_incident("INC-K", children=[Child("C-AWAY", 6)])
    decision = assess(incident, h.dash_form(incident))
    assert h.welfare_checks(decision) == []
    assert decision.referrals == ()


@pytest.mark.parametrize(
    ("reported_utc", "present", "due_utc"),
    [
        # the clocks go forward at 01:00 UTC: 24 h are elapsed hours, not wall-clock
        (datetime(2024, 3, 31, 0, 30, tzinfo=UTC), False, datetime(2024, 4, 1, 0, 30, tzinfo=UTC)),
        (datetime(2024, 3, 31, 0, 30, tzinfo=UTC), True, datetime(2024, 3, 31, 1, 30, tzinfo=UTC)),
        # the clocks go back at 01:00 UTC
        (
            datetime(2024, 10, 27, 0, 30, tzinfo=UTC),
            True,
            datetime(2024, 10, 27, 1, 30, tzinfo=UTC),
        ),
        (
            datetime(2024, 10, 26, 12, 0, tzinfo=UTC),
            False,
            datetime(2024, 10, 27, 12, 0, tzinfo=UTC),
        ),
    ],
)
def test_welfare_check_due_times_across_clock_changes(
    reported_utc: datetime, present: bool, due_utc: datetime
) -> None:
    child = Child("C-1", 3, present=present, usually_resident=not present)
    incident = h.make_incident(
        "INC-DST", at=reported_utc - HOUR, reported_at=reported_utc, children=[child]
    )
    decision = assess(incident, h.dash_form(incident))
    (task,) = h.welfare_checks(decision)
    assert task.due_by.astimezone(UTC) == due_utc
    # Shown on the London clock (kept at London's offset on that day).
    assert task.due_by.utcoffset() == task.due_by.astimezone(LONDON).utcoffset()
    assert decision.failures == ()


def test_welfare_check_across_spring_change_reads_0130_bst_on_the_wall_clock() -> None:
    child = Child("C-1", 3, usually_resident=True)
    reported = datetime(2024, 3, 31, 0, 30, tzinfo=UTC)
    incident = h.make_incident("INC-DST", at=reported, reported_at=reported, children=[child])
    due = h.welfare_checks(assess(incident, h.dash_form(incident)))[0].due_by
    assert (due.day, due.hour, due.minute, due.utcoffset()) == (1, 1, 30, HOUR)


def test_welfare_check_in_the_autumn_overlap_is_not_flagged() -> None:
    reported = datetime(2024, 10, 27, 1, 45, tzinfo=LONDON)
    incident = h.make_incident(
        "INC-DST",
        at=reported - timedelta(minutes=5),
        reported_at=reported,
        children=[Child("C-1", 3, present=True)],
    )
    decision = assess(incident, h.dash_form(incident))
    assert h.welfare_checks(decision)[0].due_by.astimezone(UTC) == datetime(
        2024, 10, 27, 1, 45, tzinfo=UTC
    )
    assert decision.failures == ()


@pytest.mark.parametrize(
    ("victim_born", "suspect_born"), [(date(2009, 1, 11), h.ADULT), (h.ADULT, date(2008, 6, 1))]
)
def test_under_16_is_child_safeguarding(victim_born: date, suspect_born: date) -> None:
    incident = h.make_incident("INC-C", victim_born=victim_born, suspect_born=suspect_born)
    decision = assess(incident, h.dash_form(incident))
    assert decision.domestic_abuse is DomesticAbuseVerdict.CHILD_SAFEGUARDING
    assert decision.needs_review is True
    assert h.rules(decision.review_reasons) == ["definition.child_safeguarding"]
    assert h.referral_rules(decision, Destination.CHILDRENS_SOCIAL_CARE) == [
        "safeguarding.under-16"
    ]


def test_victim_turning_16_that_day_is_domestic_abuse() -> None:
    incident = h.make_incident("INC-16", victim_born=date(2008, 1, 10))  # T0 is 10 Jan 2024
    decision = assess(incident, h.dash_form(incident))
    assert decision.domestic_abuse is DomesticAbuseVerdict.DOMESTIC_ABUSE
    assert decision.needs_review is False
    assert decision.referrals == ()


def test_under_16_with_children_merges_both_reasons_into_one_referral() -> None:
    incident = h.make_incident(
        "INC-C", victim_born=date(2010, 1, 1), children=[Child("C-1", 1, present=True)]
    )
    decision = assess(incident, h.dash_form(incident))
    csc = h.referral(decision, Destination.CHILDRENS_SOCIAL_CARE)
    assert h.rules(csc.reasons) == ["safeguarding.children-in-household", "safeguarding.under-16"]
    assert csc.requested_by == ("safeguarding",)


def test_unknown_age_and_not_domestic_need_review() -> None:
    unknown = h.make_incident("INC-U", victim_born=None)
    assert h.rules(assess(unknown, h.dash_form(unknown)).review_reasons) == [
        "definition.undetermined"
    ]
    neighbour = h.make_incident("INC-N", relationship=Relationship(RelationshipKind.OTHER))
    decision = assess(neighbour, h.dash_form(neighbour))
    assert decision.domestic_abuse is DomesticAbuseVerdict.NOT_DOMESTIC
    assert h.rules(decision.review_reasons) == ["definition.not_domestic"]
    # Decided in 2024: the Domestic Abuse Act 2021's definition is the rule in force.
    assert decision.review_reasons[0].source.startswith("Domestic Abuse Act 2021 ss.1-2")


def test_family_members_are_domestic() -> None:
    incident = h.make_incident(
        "INC-F", relationship=Relationship(RelationshipKind.FAMILY_MEMBER, FamilyRelation.SIBLING)
    )
    decision = assess(incident, h.dash_form(incident))
    assert decision.domestic_abuse is DomesticAbuseVerdict.DOMESTIC_ABUSE
    assert decision.needs_review is False


def test_high_risk_gets_an_idva_and_medium_does_not() -> None:
    high = assess(form=h.dash_form(INCIDENT, yes=range(1, 15)))
    idva = h.referral(high, Destination.IDVA)
    assert h.rules(idva.reasons) == ["safeguarding.idva-high-risk"]
    assert idva.requested_by == ("safeguarding",)
    medium = assess(form=h.dash_form(INCIDENT, yes=range(1, 11)))
    assert Destination.IDVA not in medium.referred_to()


def test_vulnerable_victim_goes_to_adult_social_care_and_the_hub() -> None:
    incident = h.make_incident(
        "INC-V", vulnerabilities=[Vulnerability.LEARNING_DISABILITY, Vulnerability.PREGNANT]
    )
    decision = assess(incident, h.dash_form(incident))
    asc = h.referral(decision, Destination.ADULT_SOCIAL_CARE)
    assert h.rules(asc.reasons) == ["safeguarding.vulnerable-adult"]
    assert asc.reasons[0].text == "2 vulnerability marker(s)"
    hub = h.referral(decision, Destination.PARTNERSHIP_HUB)
    assert hub.reasons[0].text == "vulnerable victim"
    assert [r.destination for r in decision.referrals] == [
        Destination.PARTNERSHIP_HUB,
        Destination.ADULT_SOCIAL_CARE,
    ]


# --- hub thresholds (local-thresholds) -----------------------------------------------------------


def hub_text(decision: object) -> str | None:
    found = h.referral(decision, Destination.PARTNERSHIP_HUB)
    if found is None:
        return None
    assert h.rules(found.reasons) == ["local.hub-threshold"]
    assert found.requested_by == ("local-thresholds",)
    return found.reasons[0].text


OFF = HubSettings(
    grades=(),
    repeat_victims=False,
    children_in_household=False,
    vulnerable_victims=False,
    abuse_types=(),
)


@pytest.mark.parametrize(
    ("case", "field", "on_value", "text"),
    [
        ("medium", "grades", {RiskGrade.MEDIUM}, "graded medium"),
        ("high", "grades", {RiskGrade.HIGH}, "graded high"),
        ("repeat", "repeat_victims", True, "repeat victim"),
        ("children", "children_in_household", True, "children present or usually resident"),
        ("vulnerable", "vulnerable_victims", True, "vulnerable victim"),
        (
            "stalking",
            "abuse_types",
            {AbuseType.STALKING},
            "abuse of a kind always referred: stalking",
        ),
    ],
)
def test_each_hub_criterion_on_and_off(case: str, field: str, on_value: object, text: str) -> None:
    incident = INCIDENT
    history = None
    yes: object = [1]
    if case == "medium":
        yes = range(1, 11)
    elif case == "high":
        yes = range(1, 15)
    elif case == "repeat":
        history = prior(2)
    elif case == "children":
        incident = h.make_incident("INC-H", children=[Child("C-1", 7, usually_resident=True)])
    elif case == "vulnerable":
        incident = h.make_incident("INC-H", vulnerabilities=[Vulnerability.ELDERLY])
    elif case == "stalking":
        incident = h.make_incident("INC-H", abuse_types=[AbuseType.STALKING, AbuseType.PHYSICAL])
    form = h.dash_form(incident, yes=yes)
    on = h.make_policy(Settings(hub=attrs.evolve(OFF, **{field: on_value})))
    off = h.make_policy(Settings(hub=OFF))
    assert hub_text(assess(incident, form, history=history, policy=on)) == text
    assert hub_text(assess(incident, form, history=history, policy=off)) is None


def test_default_hub_thresholds_join_every_criterion_met() -> None:
    incident = h.make_incident(
        "INC-H",
        abuse_types=[AbuseType.FGM, AbuseType.HONOUR_BASED, AbuseType.PHYSICAL],
        children=[Child("C-1", 7, present=True)],
        vulnerabilities=[Vulnerability.MENTAL_HEALTH],
    )
    decision = assess(incident, h.dash_form(incident, yes=range(1, 11)), history=prior(1))
    assert hub_text(decision) == (
        "graded medium; repeat victim; children present or usually resident; vulnerable "
        "victim; abuse of a kind always referred: fgm, honour_based"
    )


def test_default_hub_ignores_standard_first_time_adult_cases() -> None:
    assert hub_text(assess(form=h.dash_form(INCIDENT, yes=[1]))) is None


def test_forced_marriage_is_always_referred_by_default() -> None:
    incident = h.make_incident("INC-FM", abuse_types=[AbuseType.FORCED_MARRIAGE])
    assert hub_text(assess(incident, h.dash_form(incident))) == (
        "abuse of a kind always referred: forced_marriage"
    )


# --- crimes and non-crime incidents alike --------------------------------------------------------


@pytest.mark.parametrize(
    ("yes", "months_ago", "children"),
    [
        ([1], (), ()),
        (range(1, 11), (2,), ()),
        ([1, 2], (2, 5), ()),
        (range(1, 15), (), (Child("C-1", 5, present=True),)),
    ],
)
def test_crime_and_non_crime_with_the_same_facts_get_the_same_decision(
    yes: object, months_ago: tuple[int, ...], children: tuple[Child, ...]
) -> None:
    plain = h.make_incident("INC-X", children=children)
    crime = h.make_incident("INC-X", children=children, crime=h.make_crime())
    assert plain.crime_recorded is False
    assert crime.crime_recorded is True
    one = assess(plain, h.dash_form(plain, yes=yes), history=prior(*months_ago))
    two = assess(crime, h.dash_form(crime, yes=yes), history=prior(*months_ago))
    assert h.risk_facts(one) == h.risk_facts(two)


def test_prior_crimes_and_non_crimes_count_alike() -> None:
    crimes, incidents = InMemoryHistory(), InMemoryHistory()
    for n in (1, 2):
        at = h.T0 - timedelta(days=30 * n)
        crimes.record_incident(HistoryEntry(f"P{n}", "V-1", "S-1", at, crime=True))
        incidents.record_incident(HistoryEntry(f"P{n}", "V-1", "S-1", at, crime=False))
    form = h.dash_form(INCIDENT)
    assert assess(form=form, history=crimes) == assess(form=form, history=incidents)
    assert assess(form=form, history=crimes).grade is RiskGrade.HIGH


def test_series_rule_grades_and_reasons() -> None:
    policy = h.make_policy(
        Settings(
            series=(
                SeriesRule(incidents=2, months=3, grade=RiskGrade.MEDIUM),
                SeriesRule(incidents=3, months=12, grade=RiskGrade.HIGH),
            )
        )
    )
    two = assess(form=h.dash_form(INCIDENT), history=prior(2), policy=policy)
    series = h.finding(two, "series")
    assert series.grade is RiskGrade.MEDIUM
    assert h.rules(series.reasons) == ["local.series.2-in-3m"]
    assert series.reasons[0].text == "2 domestic-abuse incidents in 3 months, this one included"
    assert (
        series.reasons[0].source
        == "force setting series: 2 incidents in 3 months is at least medium"
    )
    three = assess(form=h.dash_form(INCIDENT), history=prior(2, 6), policy=policy)
    assert h.rules(h.finding(three, "series").reasons) == [
        "local.series.2-in-3m",
        "local.series.3-in-12m",
    ]
    assert h.finding(three, "series").grade is RiskGrade.HIGH
    # the 3-month rule does not see an incident 6 months back
    old = assess(form=h.dash_form(INCIDENT), history=prior(6), policy=policy)
    assert h.finding(old, "series") is None
