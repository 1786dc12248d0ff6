"""The strategies in dapolicy.testing.strategies: valid by construction, and they obey
their parameters."""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

import attrs
import pytest
from hypothesis import Phase, find, given, settings
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from dapolicy.models import (
    MODEL_TYPES,
    AbuseType,
    Allocation,
    Answer,
    Call,
    Case,
    Child,
    Crime,
    DaraForm,
    Decision,
    Destination,
    DomesticAbuseVerdict,
    Event,
    EventKind,
    EventOutcome,
    FamilyRelation,
    Finding,
    FormCompliance,
    FormStatus,
    Frequency,
    Incident,
    InvestigatorLevel,
    OffenceCategory,
    Outcome,
    Person,
    PluginFailure,
    PluginInfo,
    ProfessionalJudgement,
    QuestionItem,
    QuestionSet,
    Reason,
    Referral,
    Relationship,
    RelationshipKind,
    ResponseFinding,
    ResponseGrade,
    RiskForm,
    RiskGrade,
    Task,
    Thrive,
    TrainingRegister,
    TriageDecision,
    Vulnerability,
)
from dapolicy.testing import strategies as ds

LONDON = ZoneInfo("Europe/London")
# Search without shrinking: these tests ask "can the strategy reach X?", not "what is
# the smallest X?", and shrinking a nested incident takes seconds.
FIND = settings(max_examples=3000, database=None, phases=[Phase.generate])


def instant(moment: datetime) -> datetime:
    """The instant, comparable across zones and folds (``<`` on same-zone datetimes
    compares wall clocks)."""
    return moment.astimezone(UTC)


#: The public strategy for each model type, by the names the brief promises.
STRATEGY_FOR: dict[type, Callable[[], st.SearchStrategy[Any]]] = {
    Person: ds.persons,
    Child: ds.children,
    Relationship: ds.relationships,
    Call: ds.calls,
    Crime: ds.crimes,
    Incident: ds.incidents,
    Reason: ds.reasons,
    ProfessionalJudgement: ds.professional_judgements,
    RiskForm: ds.risk_forms,
    Finding: ds.findings,
    Referral: ds.referrals,
    Task: ds.tasks,
    Event: ds.events,
    PluginInfo: ds.plugin_infos,
    PluginFailure: ds.plugin_failures,
    Decision: ds.decisions,
    QuestionItem: ds.question_items,
    QuestionSet: ds.question_sets,
    Allocation: ds.allocations,
    Thrive: ds.thrives,
    ResponseFinding: ds.response_findings,
    TriageDecision: ds.triage_decisions,
    FormCompliance: ds.form_compliances,
    EventOutcome: ds.event_outcomes,
    Case: ds.cases,
    DaraForm: ds.dara_forms,
    TrainingRegister: ds.training_registers,
}

ENUM_STRATEGY_FOR: dict[type, Callable[[], st.SearchStrategy[Any]]] = {
    AbuseType: ds.abuse_types,
    Answer: ds.answers,
    Destination: ds.destinations,
    DomesticAbuseVerdict: ds.domestic_abuse_verdicts,
    EventKind: ds.event_kinds,
    FamilyRelation: ds.family_relations,
    OffenceCategory: ds.offence_categories,
    Outcome: ds.outcomes,
    RelationshipKind: ds.relationship_kinds,
    RiskGrade: ds.risk_grades,
    Vulnerability: ds.vulnerabilities,
    FormStatus: ds.form_statuses,
    ResponseGrade: ds.response_grades,
    InvestigatorLevel: ds.investigator_levels,
    Frequency: ds.frequencies,
}

PHONE = re.compile(r"^(07700 900|01632 960)\d{3}$")


def age_on(born: date, day: date) -> int:
    """Whole years, a birthday reached at the start of the day (independent of dapolicy)."""
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def london_day(moment: datetime) -> date:
    return moment.astimezone(LONDON).date()


def all_datetimes(obj: object) -> list[datetime]:
    """Every datetime inside an attrs object, however deeply nested."""
    found: list[datetime] = []

    def walk(value: object) -> None:
        if isinstance(value, datetime):
            found.append(value)
        elif attrs.has(type(value)):
            for field in attrs.fields(type(value)):
                walk(getattr(value, field.name))
        elif isinstance(value, tuple | frozenset | list):
            for item in value:
                walk(item)

    walk(obj)
    return found


# --- coverage of the model -------------------------------------------------------------


def test_a_strategy_for_every_model_type() -> None:
    assert set(STRATEGY_FOR) == set(MODEL_TYPES)


@pytest.mark.parametrize("model_type", MODEL_TYPES, ids=lambda t: t.__name__)
@given(data=st.data())
def test_generated_objects_pass_their_own_validators(
    model_type: type, data: st.DataObject
) -> None:
    obj = data.draw(STRATEGY_FOR[model_type]())
    assert type(obj) is model_type
    rebuilt = attrs.evolve(obj)  # runs every invariant again; raises if one is broken
    assert rebuilt == obj


@pytest.mark.parametrize("enum_type", list(ENUM_STRATEGY_FOR), ids=lambda t: t.__name__)
def test_enum_strategies_reach_every_member(enum_type: type) -> None:
    strategy = ENUM_STRATEGY_FOR[enum_type]()
    for member in enum_type:
        assert find(strategy, lambda value, m=member: value is m, settings=FIND) is member


def test_register_type_strategies_can_run_twice() -> None:
    ds.register_type_strategies()
    ds.register_type_strategies()
    assert isinstance(find(st.from_type(Incident), lambda _: True, settings=FIND), Incident)


def test_every_public_function_is_documented() -> None:
    functions = [getattr(ds, name) for name in ds.__all__ if callable(getattr(ds, name))]
    assert len(functions) >= len(MODEL_TYPES) + len(ENUM_STRATEGY_FOR) + 2
    for function in functions:
        doc = inspect.getdoc(function)
        assert doc, function.__name__
        for name in inspect.signature(function).parameters:
            assert f":param {name}:" in doc, (function.__name__, name)
    for name in ds.__all__:
        assert hasattr(ds, name), name


# --- people ----------------------------------------------------------------------------


@given(ds.persons(personal_data=True))
def test_persons_with_personal_data_have_fictional_values(person: Person) -> None:
    assert person.name in ds.FICTIONAL_NAMES
    assert person.address is not None
    assert "ZZ99" in person.address
    assert person.phone is not None
    assert PHONE.match(person.phone)
    assert isinstance(person.date_of_birth, date)


@given(ds.persons(personal_data=False))
def test_persons_without_personal_data_have_none(person: Person) -> None:
    assert (person.name, person.date_of_birth, person.address, person.phone) == (None,) * 4


@given(ds.persons(ids="P-fixed", dates_of_birth=st.just(date(2000, 2, 29))))
def test_persons_take_given_id_and_dates_of_birth(person: Person) -> None:
    assert person.id == "P-fixed"
    assert person.date_of_birth == date(2000, 2, 29)


@given(ds.children(in_household=True))
def test_children_in_household(child: Child) -> None:
    assert child.in_household
    assert 0 <= child.age <= 17


@given(ds.children(in_household=False, ages=17))
def test_children_outside_household(child: Child) -> None:
    assert not child.present
    assert not child.usually_resident
    assert child.age == 17


@given(ds.relationships(domestic=True))
def test_domestic_relationships(relationship: Relationship) -> None:
    assert relationship.kind is not RelationshipKind.OTHER
    assert (relationship.family is not None) is (
        relationship.kind is RelationshipKind.FAMILY_MEMBER
    )


@given(ds.relationships(domestic=False))
def test_non_domestic_relationships(relationship: Relationship) -> None:
    assert relationship == Relationship(RelationshipKind.OTHER)


# --- incidents -------------------------------------------------------------------------


@given(ds.incidents(domestic=True))
def test_domestic_incidents_meet_the_definition(incident: Incident) -> None:
    day = london_day(incident.occurred_at)
    for person in (incident.victim, incident.suspect):
        assert person.date_of_birth is not None
        assert age_on(person.date_of_birth, day) >= 16
    assert incident.relationship.kind is not RelationshipKind.OTHER
    check = incident.domestic_abuse_check()
    assert check.is_domestic_abuse
    assert check.verdict is DomesticAbuseVerdict.DOMESTIC_ABUSE


@given(ds.incidents(domestic=False))
def test_non_domestic_incidents_do_not_meet_the_definition(incident: Incident) -> None:
    day = london_day(incident.occurred_at)
    ages = [
        None if p.date_of_birth is None else age_on(p.date_of_birth, day)
        for p in (incident.victim, incident.suspect)
    ]
    related = incident.relationship.kind is not RelationshipKind.OTHER
    assert not (related and all(age is not None and age >= 16 for age in ages))
    assert not incident.domestic_abuse_check().is_domestic_abuse


@pytest.mark.parametrize("verdict", list(DomesticAbuseVerdict), ids=lambda v: v.value)
def test_incidents_reach_every_verdict(verdict: DomesticAbuseVerdict) -> None:
    found = find(
        ds.incidents(), lambda i: i.domestic_abuse_check().verdict is verdict, settings=FIND
    )
    assert found.domestic_abuse_check().verdict is verdict


def test_domestic_incidents_reach_the_sixteenth_birthday() -> None:
    def on_birthday(incident: Incident) -> bool:
        born = incident.victim.date_of_birth
        day = london_day(incident.occurred_at)
        return (
            born is not None
            and age_on(born, day) == 16
            and (born.month, born.day)
            == (
                day.month,
                day.day,
            )
        )

    found = find(ds.incidents(domestic=True), on_birthday, settings=FIND)
    assert found.domestic_abuse_check().is_domestic_abuse


@given(ds.incidents(crime=True), ds.incidents(crime=False))
def test_incidents_crime_switch(with_crime: Incident, without: Incident) -> None:
    assert with_crime.crime_recorded
    assert isinstance(with_crime.crime, Crime)
    assert without.crime is None


@given(ds.incidents(children=True), ds.incidents(children=False))
def test_incidents_children_switch(with_children: Incident, without: Incident) -> None:
    assert with_children.children_in_household
    assert not without.children_in_household


@given(ds.incidents(max_children=0))
def test_incidents_max_children(incident: Incident) -> None:
    assert incident.children == ()


@given(ds.incidents())
def test_incident_invariants_hold(incident: Incident) -> None:
    assert instant(incident.occurred_at) <= instant(incident.reported_at)
    assert incident.victim.id != incident.suspect.id
    assert incident.abuse_types
    assert len({child.id for child in incident.children}) == len(incident.children)
    assert all(d.utcoffset() is not None for d in all_datetimes(incident))


@given(ds.incidents(personal_data=True, domestic=True))
def test_incidents_carry_personal_data_when_asked(incident: Incident) -> None:
    for person in (incident.victim, incident.suspect):
        assert person.name in ds.FICTIONAL_NAMES
        assert person.phone is not None


def test_incidents_reject_bad_arguments() -> None:
    with pytest.raises(InvalidArgument):
        ds.incidents(max_children=-1)
    with pytest.raises(InvalidArgument):
        find(ds.incidents(children=True, max_children=0), lambda _: True, settings=FIND)


# --- calls and crimes ------------------------------------------------------------------


@given(ds.calls(caller=True, personal_data=True), ds.calls(caller=False, personal_data=False))
def test_calls_switches(with_caller: Call, without: Call) -> None:
    assert with_caller.caller is not None
    assert with_caller.caller.name in ds.FICTIONAL_NAMES
    assert with_caller.location is not None
    assert without.caller is None
    assert without.location is None


@given(ds.crimes(outcome=Outcome.NO_FURTHER_ACTION))
def test_no_further_action_always_has_a_rationale(crime: Crime) -> None:
    assert crime.outcome is Outcome.NO_FURTHER_ACTION
    assert crime.outcome_rationale is not None
    assert crime.outcome_rationale.startswith(ds.FICTIONAL_MARKER)


def test_crimes_reach_open_and_nfa() -> None:
    assert find(ds.crimes(), lambda c: c.outcome is None, settings=FIND).outcome is None
    nfa = find(ds.crimes(), lambda c: c.outcome is Outcome.NO_FURTHER_ACTION, settings=FIND)
    assert nfa.outcome_rationale


# --- risk ------------------------------------------------------------------------------


@given(
    ds.risk_forms(
        incident_id="INC-7", checklist="dash-2009-police", item_ids=["q1", "q2", "stalk 1"]
    )
)
def test_risk_forms_use_given_ids_and_items(form: RiskForm) -> None:
    assert form.incident_id == "INC-7"
    assert form.checklist == "dash-2009-police"
    assert set(form.answers) <= {"q1", "q2", "stalk 1"}


@given(ds.risk_forms(item_ids=["a", "b", "c"], answer_all=True, answer_values=st.just(Answer.YES)))
def test_risk_forms_answer_all(form: RiskForm) -> None:
    assert dict(form.answers) == {"a": Answer.YES, "b": Answer.YES, "c": Answer.YES}
    assert form.yes_items() == {"a", "b", "c"}


@given(
    ds.risk_forms(submitted=True, judgement=True), ds.risk_forms(submitted=False, judgement=False)
)
def test_risk_forms_switches(sent: RiskForm, unsent: RiskForm) -> None:
    assert sent.submitted_at is not None
    assert instant(sent.submitted_at) >= instant(sent.completed_at)
    assert isinstance(sent.professional_judgement, ProfessionalJudgement)
    assert unsent.submitted_at is None
    assert unsent.professional_judgement is None


def test_risk_forms_reject_blank_item_ids() -> None:
    with pytest.raises(InvalidArgument):
        ds.risk_forms(item_ids=["q1", "  "])


@given(ds.findings(model="dial", grades=RiskGrade.HIGH))
def test_findings_parameters(finding: Finding) -> None:
    assert finding.model == "dial"
    assert finding.grade is RiskGrade.HIGH
    assert finding.reasons
    assert finding.score is None or finding.score >= 0


@given(ds.reasons(rules="marac.visible-high-risk", sources=st.just("SafeLives")))
def test_reasons_parameters(reason: Reason) -> None:
    assert (reason.rule, reason.source) == ("marac.visible-high-risk", "SafeLives")
    assert reason.text.strip()


@given(ds.professional_judgements(grades=RiskGrade.MEDIUM))
def test_professional_judgement_parameters(judgement: ProfessionalJudgement) -> None:
    assert judgement.grade is RiskGrade.MEDIUM
    assert judgement.rationale.startswith(ds.FICTIONAL_MARKER)


# --- work and decisions ----------------------------------------------------------------


@given(ds.referrals(destination=Destination.MARAC, victim_id="V-1"), ds.tasks(for_whom="C-1"))
def test_referrals_and_tasks_parameters(referral: Referral, task: Task) -> None:
    assert referral.destination is Destination.MARAC
    assert referral.victim_id == "V-1"
    assert referral.reasons
    assert task.for_whom == "C-1"
    assert task.reasons
    assert task.due_by.utcoffset() is not None


@given(ds.events(kind=EventKind.PERPETRATOR_RELEASED, victim_id="V-1", perpetrator_id="S-1"))
def test_events_parameters(event: Event) -> None:
    assert (event.kind, event.victim_id, event.perpetrator_id) == (
        EventKind.PERPETRATOR_RELEASED,
        "V-1",
        "S-1",
    )


@given(ds.events())
def test_events_victim_is_not_perpetrator(event: Event) -> None:
    assert event.victim_id != event.perpetrator_id


def test_events_reject_same_victim_and_perpetrator() -> None:
    with pytest.raises(InvalidArgument):
        ds.events(victim_id="P-1", perpetrator_id="P-1")


@given(ds.decisions(needs_review=True, victim_id="V-9", grades=RiskGrade.HIGH))
def test_decisions_needing_review(decision: Decision) -> None:
    assert decision.needs_review
    assert decision.review_reasons or decision.failures
    assert decision.grade is RiskGrade.HIGH
    assert all(referral.victim_id == "V-9" for referral in decision.referrals)


@given(ds.decisions(needs_review=False, incident_id="INC-1"))
def test_decisions_not_needing_review(decision: Decision) -> None:
    assert not decision.needs_review
    assert decision.review_reasons == ()
    assert decision.failures == ()
    assert decision.incident_id == "INC-1"
    assert decision.reasons


# --- datetimes -------------------------------------------------------------------------


def is_ambiguous(moment: datetime) -> bool:
    return moment.replace(fold=1 - moment.fold).utcoffset() != moment.utcoffset()


@given(ds.aware_datetimes())
def test_aware_datetimes_are_aware_and_real(moment: datetime) -> None:
    assert moment.tzinfo is not None
    assert moment.utcoffset() is not None
    # The wall-clock time exists: converting to UTC and back gives the same wall clock
    # (a time in the spring-forward gap would come back an hour off).
    back = moment.astimezone(UTC).astimezone(moment.tzinfo)
    assert back.replace(tzinfo=None) == moment.replace(tzinfo=None)


@pytest.mark.parametrize(
    ("label", "condition"),
    [
        (
            "london summer time",
            lambda d: d.tzinfo is LONDON and d.utcoffset() == timedelta(hours=1),
        ),
        ("london winter time", lambda d: d.tzinfo is LONDON and d.utcoffset() == timedelta(0)),
        ("utc", lambda d: d.tzinfo is UTC),
        (
            "fixed offset, not whole hours",
            lambda d: (
                isinstance(d.tzinfo, timezone)
                and d.utcoffset() is not None
                and d.utcoffset() % timedelta(hours=1) != timedelta(0)
            ),
        ),
        ("london, the hour that repeats", lambda d: d.tzinfo is LONDON and is_ambiguous(d)),
        (
            "within an hour after clocks go forward",
            lambda d: (
                d.tzinfo is LONDON
                and d.month == 3
                and d.utcoffset() == timedelta(hours=1)
                and (d - timedelta(hours=1)).astimezone(LONDON).utcoffset() == timedelta(0)
            ),
        ),
    ],
)
def test_aware_datetimes_span_zones_and_clock_changes(
    label: str, condition: Callable[[datetime], bool]
) -> None:
    assert condition(find(ds.aware_datetimes(), condition, settings=FIND)), label


@given(ds.aware_datetimes(ambiguous=False))
def test_aware_datetimes_can_leave_out_the_repeated_hour(moment: datetime) -> None:
    assert not is_ambiguous(moment)


@given(
    ds.aware_datetimes(
        min_value=datetime(2024, 3, 30), max_value=datetime(2024, 4, 1), timezones=st.just(LONDON)
    )
)
def test_aware_datetimes_respect_bounds_and_zones(moment: datetime) -> None:
    assert moment.tzinfo is LONDON
    assert datetime(2024, 3, 30) <= moment.replace(tzinfo=None) <= datetime(2024, 4, 1)
    assert not (moment.date() == date(2024, 3, 31) and moment.hour == 1)  # 01:xx never exists


def test_aware_datetimes_reject_bad_bounds() -> None:
    with pytest.raises(InvalidArgument):
        ds.aware_datetimes(min_value=datetime(2024, 1, 1, tzinfo=UTC))
    with pytest.raises(InvalidArgument):
        ds.aware_datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2024, 1, 1))


@given(ds.incidents(datetimes=ds.aware_datetimes(timezones=st.just(UTC))))
def test_incidents_take_their_datetimes_from_the_given_strategy(incident: Incident) -> None:
    assert incident.occurred_at.tzinfo is UTC
    assert incident.reported_at.tzinfo is UTC


# --- checklists, operations, cases -----------------------------------------------------


@given(ds.question_sets(ids="dash-2009-police", item_ids=["1", "2", "27"]))
def test_question_sets_with_given_items(question_set: QuestionSet) -> None:
    assert question_set.id == "dash-2009-police"
    assert [item.id for item in question_set.items] == ["1", "2", "27"]


@given(ds.question_sets())
def test_question_sets_have_unique_items(question_set: QuestionSet) -> None:
    ids = [item.id for item in question_set.items]
    assert ids
    assert len(set(ids)) == len(ids)


def test_question_sets_reject_no_items() -> None:
    with pytest.raises(InvalidArgument):
        ds.question_sets(item_ids=[])


@given(ds.triage_decisions(needs_review=True, response=ResponseGrade.IMMEDIATE))
def test_triage_decisions_needing_review(decision: TriageDecision) -> None:
    assert decision.needs_review
    assert decision.review_reasons or decision.failures
    assert decision.response is ResponseGrade.IMMEDIATE
    for later in (decision.alert_at, decision.attend_by):
        assert later is None or instant(later) >= instant(decision.decided_at)


@given(ds.triage_decisions(needs_review=False), ds.event_outcomes(needs_review=False))
def test_no_review_without_a_reason(triage: TriageDecision, outcome: EventOutcome) -> None:
    assert not triage.needs_review
    assert triage.review_reasons == ()
    assert triage.failures == ()
    assert not outcome.needs_review
    assert outcome.failures == ()


@given(ds.event_outcomes(needs_review=True, event_id="EV-1"))
def test_event_outcomes_needing_review(outcome: EventOutcome) -> None:
    assert outcome.needs_review
    assert outcome.failures
    assert outcome.event_id == "EV-1"


@given(
    ds.allocations(level=InvestigatorLevel.DETECTIVE),
    ds.response_findings(response=ResponseGrade.PRIORITY),
    ds.form_compliances(incident_id="INC-3", status=FormStatus.LATE),
    ds.thrives(proposed=ResponseGrade.SCHEDULED),
)
def test_operations_parameters(
    allocation: Allocation, finding: ResponseFinding, compliance: FormCompliance, thrive: Thrive
) -> None:
    assert allocation.level is InvestigatorLevel.DETECTIVE
    assert allocation.reasons
    assert finding.response is ResponseGrade.PRIORITY
    assert finding.reasons
    assert (compliance.incident_id, compliance.status) == ("INC-3", FormStatus.LATE)
    assert thrive.proposed is ResponseGrade.SCHEDULED
    assert thrive.threat.startswith(ds.FICTIONAL_MARKER)


@given(ds.cases(form=True, call=True, graded=True))
def test_cases_fit_together(case: Case) -> None:
    assert case.form is not None
    assert case.form.incident_id == case.incident.id
    assert case.call is not None
    assert case.incident.call_id in (None, case.call.id)
    assert case.graded_at is not None
    assert case.recorded_grade is not None
    assert instant(case.graded_at) >= instant(case.incident.reported_at)


@given(ds.cases(form=False, call=False, graded=False))
def test_cases_without_form_call_or_grade(case: Case) -> None:
    assert (case.form, case.call, case.graded_at, case.recorded_grade) == (None,) * 4


@given(ds.cases(incident=ds.incidents(domestic=True, crime=True)))
def test_cases_take_the_given_incidents(case: Case) -> None:
    assert case.incident.domestic_abuse_check().is_domestic_abuse
    assert case.incident.crime_recorded


# --- the fields added for the 2026 policy -----------------------------------------------------


@given(ds.children(victim=True), ds.children(victim=False))
def test_children_victim_switch(victim: Child, other: Child) -> None:
    assert victim.is_victim
    assert victim.affected
    assert victim.related
    assert not other.is_victim


@pytest.mark.parametrize(
    "reached",
    [
        lambda c: c.related_to_victim and not c.related_to_suspect,
        lambda c: c.related_to_suspect and not c.related_to_victim,
        lambda c: c.affected and not c.related,
        lambda c: c.is_victim and not c.in_household,
    ],
)
def test_children_reach_every_link(reached: Any) -> None:
    assert reached(find(ds.children(), reached, settings=FIND))


def test_incidents_and_events_reach_areas_and_weapons() -> None:
    from dapolicy.protection import DAPN_PILOT

    assert find(ds.incidents(), lambda i: i.weapon_present, settings=FIND).weapon_present
    assert find(ds.incidents(), lambda i: i.area in DAPN_PILOT, settings=FIND).area
    assert find(ds.incidents(), lambda i: i.area is None, settings=FIND).area is None
    other = find(ds.incidents(), lambda i: i.area not in (None, *DAPN_PILOT), settings=FIND)
    assert other.area is not None
    assert find(ds.events(), lambda e: e.area in DAPN_PILOT, settings=FIND).area
    child_victim = find(ds.incidents(), lambda i: bool(i.child_victims), settings=FIND)
    assert child_victim.child_victims


@given(ds.incidents(area="cleveland"))
def test_incidents_take_a_given_area(incident: Incident) -> None:
    assert incident.area == "cleveland"


def test_calls_and_thrives_reach_rcrp_fields() -> None:
    from dapolicy.models import CallType

    for kind in CallType:
        assert (
            find(ds.calls(), lambda c, k=kind: c.call_type is k, settings=FIND).call_type is kind
        )
    assert find(ds.calls(), lambda c: c.domestic_abuse_marker, settings=FIND).domestic_abuse_marker
    assert find(
        ds.calls(), lambda c: c.partner_or_family_mentioned, settings=FIND
    ).partner_or_family_mentioned
    assert find(ds.thrives(), lambda t: t.crime_to_investigate, settings=FIND).crime_to_investigate


def test_decisions_reach_a_policy_version() -> None:
    found = find(ds.decisions(), lambda d: d.policy_version != "", settings=FIND)
    assert found.policy_version
