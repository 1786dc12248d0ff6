"""Events after the incident (recommendation 6), investigation allocation
(recommendation 1) and counter-allegations (the report's glossary).

Every release, bail change, breach or new incident -- however long after the incident --
gives a task to tell the victim and a task to re-assess the risk. A crime goes to a
detective if the offence is serious, to a domestic-abuse-trained detective if the risk is
high (so high risk never gets a less specialist investigator than a standard-risk case of
any seriousness), and no plug-in can lower another's allocation on either axis.
"""

from __future__ import annotations

import importlib.util
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import ModuleType
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from dapolicy import (
    Allocation,
    Crime,
    Decision,
    Event,
    EventKind,
    Incident,
    InMemoryHistory,
    InvestigatorLevel,
    InvestigatorSkill,
    OffenceCategory,
    PluginFailure,
    Reason,
    RiskGrade,
    Task,
    ValidationError,
)
from dapolicy.history import HistoryEntry
from dapolicy.hookspecs import hookimpl
from dapolicy.models._base import LONDON, micros
from dapolicy.plugins import allocation as allocation_plugin
from dapolicy.policy import Policy
from dapolicy.settings import AllocationSettings, EventSettings, PluginSettings, Settings
from dapolicy.testing.strategies import event_kinds, events, incidents


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

POLICY = h.make_policy()
HOUR = timedelta(hours=1)
#: A Friday morning in May (BST).
RELEASED = datetime(2024, 5, 10, 8, 0, tzinfo=UTC)
SECRET = "Jane Doe, 1 High Street, 07700 900123"
REASON = Reason("force.rule", "a force plug-in", "because")
EVENT_SOURCE = "HMIC 2014 inspection, recommendation 6"
ALLOCATION_SOURCE = "HMIC 2014 inspection, recommendation 1"


def make_event(
    kind: EventKind = EventKind.PERPETRATOR_RELEASED, at: datetime = RELEASED, **kwargs: Any
) -> Event:
    return Event("EV-1", kind, at, "V-1", "S-1", incident_id="INC-1", **kwargs)


def work(tasks: tuple[Task, ...]) -> list[tuple[str, str, int, str | None]]:
    return [(t.what, t.for_whom, micros(t.due_by), t.assignee) for t in tasks]


# --- events --------------------------------------------------------------------------------------


def events_only(tasks: tuple[Task, ...]) -> list[Task]:
    """The events plug-in's two tasks (the protection plug-in adds its own for some kinds)."""
    return [t for t in tasks if t.what in ("notify-victim", "re-assess-risk")]


@pytest.mark.parametrize("kind", list(EventKind))
def test_every_event_kind_tells_the_victim_and_reassesses(kind: EventKind) -> None:
    outcome = POLICY.on_event(make_event(kind), now=RELEASED)
    assert outcome.reassess is True
    assert outcome.needs_review is False
    assert outcome.failures == ()
    assert outcome.event_id == "EV-1"
    assert outcome.decided_at == RELEASED
    assert work(events_only(outcome.tasks)) == [
        ("notify-victim", "V-1", micros(RELEASED + 4 * HOUR), "officer in charge"),
        ("re-assess-risk", "V-1", micros(RELEASED + 24 * HOUR), "MASH"),
    ]
    words = kind.value.replace("_", " ")
    notify, reassess = events_only(outcome.tasks)
    assert notify.reasons == (
        Reason("events.notify-victim", EVENT_SOURCE, f"tell the victim: {words}"),
    )
    assert reassess.reasons == (
        Reason(
            "events.re-assess-risk", EVENT_SOURCE, f"re-assess the victim's risk after: {words}"
        ),
    )
    assert outcome.reasons == (
        Reason(
            f"event.{kind.value}", EVENT_SOURCE, f"{words}: tell the victim and re-assess the risk"
        ),
    )


def test_a_release_long_after_the_incident_still_counts() -> None:
    # Day 400: long after the 28-day plan ended, and outside the 12-month repeat window.
    history = InMemoryHistory()
    history.record_incident(HistoryEntry("INC-1", "V-1", "S-1", RELEASED - timedelta(days=400)))
    outcome = POLICY.on_event(make_event(), history=history, now=RELEASED + HOUR)
    assert outcome.reassess is True
    assert outcome.needs_review is False
    assert [t.what for t in events_only(outcome.tasks)] == ["notify-victim", "re-assess-risk"]
    assert outcome.tasks[0].due_by == RELEASED + 4 * HOUR


def test_an_event_with_no_incident_reference_still_counts() -> None:
    event = Event("EV-2", EventKind.ORDER_BREACHED, RELEASED, "V-1", "S-1")
    outcome = POLICY.on_event(event, now=RELEASED)
    assert outcome.reassess is True
    assert len(outcome.tasks) == 2


def test_event_deadlines_across_the_autumn_clock_change_are_elapsed_hours() -> None:
    # Released 22:00 BST on Saturday 26 October 2024; the clocks go back that night.
    at = datetime(2024, 10, 26, 22, 0, tzinfo=LONDON)
    outcome = POLICY.on_event(make_event(at=at), now=at)
    notify, reassess = events_only(outcome.tasks)
    assert micros(notify.due_by) == micros(datetime(2024, 10, 27, 1, 0, tzinfo=UTC))
    local = notify.due_by.astimezone(LONDON)
    assert (local.hour, local.fold) == (1, 1)  # the second 01:00, GMT
    assert micros(reassess.due_by) == micros(datetime(2024, 10, 27, 21, 0, tzinfo=UTC))
    assert reassess.due_by.astimezone(LONDON).replace(tzinfo=None) == datetime(2024, 10, 27, 21)


def test_custom_event_deadlines() -> None:
    policy = h.make_policy(
        Settings(events=EventSettings(notify_within_hours=1, reassess_within_hours=72))
    )
    outcome = policy.on_event(make_event(), now=RELEASED)
    assert work(events_only(outcome.tasks)) == [
        ("notify-victim", "V-1", micros(RELEASED + HOUR), "officer in charge"),
        ("re-assess-risk", "V-1", micros(RELEASED + 72 * HOUR), "MASH"),
    ]


class BrokenEvents:
    @hookimpl
    def dapolicy_on_event(self, event: Any) -> Any:
        raise RuntimeError(f"{SECRET} released ({event.victim_id})")


class EarlyEvents:
    """One task due before the event, one at it, one after."""

    @hookimpl
    def dapolicy_on_event(self, event: Event) -> list[Task]:
        return [
            Task("early-visit", event.victim_id, event.occurred_at - HOUR, (REASON,)),
            Task("same-time-call", event.victim_id, event.occurred_at, (REASON,)),
            Task("safety-plan", event.victim_id, event.occurred_at + 2 * HOUR, (REASON,)),
        ]


class JunkEvents:
    @hookimpl
    def dapolicy_on_event(self) -> Any:
        return ["notify-victim"]


class NotifyOnly:
    @hookimpl
    def dapolicy_on_event(self, event: Event) -> Any:
        yield Task("notify-victim", event.victim_id, event.occurred_at + HOUR, (REASON,))


def test_an_event_plugin_that_raises_needs_review_and_the_builtin_tasks_stand() -> None:
    outcome = h.make_policy(plugins=[BrokenEvents()]).on_event(make_event(), now=RELEASED)
    assert outcome.needs_review is True
    assert outcome.failures == (
        PluginFailure("BrokenEvents", "dapolicy_on_event", "RuntimeError raised"),
    )
    assert [t.what for t in events_only(outcome.tasks)] == ["notify-victim", "re-assess-risk"]
    assert outcome.reassess is True
    assert SECRET not in repr(outcome)


def test_a_task_due_before_or_at_the_event_is_kept_and_flagged() -> None:
    outcome = h.make_policy(plugins=[EarlyEvents()]).on_event(make_event(), now=RELEASED)
    assert [t.what for t in outcome.tasks] == [
        "early-visit",
        "same-time-call",
        "safety-plan",
        "notify-victim",
        "re-assess-risk",
        "victims-code-tell-victim",  # a release is a key decision (Victims' Code)
    ]
    assert outcome.needs_review is True
    assert outcome.failures == (
        PluginFailure(
            "EarlyEvents", "dapolicy_on_event", "task 'early-visit' is due before the event"
        ),
        PluginFailure(
            "EarlyEvents", "dapolicy_on_event", "task 'same-time-call' is due before the event"
        ),
    )


def test_an_event_plugin_returning_junk() -> None:
    outcome = h.make_policy(plugins=[JunkEvents()]).on_event(make_event(), now=RELEASED)
    assert outcome.failures == (
        PluginFailure("JunkEvents", "dapolicy_on_event", "returned str, expected Task"),
    )
    assert len(events_only(outcome.tasks)) == 2


#: The events plug-in blocked, and the after-events plug-in too (its Victims' Code task
#: for a release would otherwise stand).
BLOCKED = Settings(plugins=PluginSettings(block=("events", "after-events")))


def test_no_task_for_an_event_needs_review() -> None:
    outcome = h.make_policy(BLOCKED).on_event(make_event(), now=RELEASED)
    assert outcome.tasks == ()
    assert outcome.reassess is False
    assert outcome.needs_review is True
    assert outcome.failures == (
        PluginFailure("policy", "dapolicy_on_event", "no plug-in set any task for the event"),
    )
    assert [r.rule for r in outcome.reasons] == ["event.perpetrator_released"]


def test_a_replacement_plugin_without_reassessment_does_not_reassess() -> None:
    outcome = h.make_policy(BLOCKED, plugins=[NotifyOnly()]).on_event(make_event(), now=RELEASED)
    assert [t.what for t in events_only(outcome.tasks)] == ["notify-victim"]
    assert outcome.reassess is False
    assert outcome.needs_review is False


def test_on_event_rejects_a_naive_now() -> None:
    with pytest.raises(ValidationError) as raised:
        POLICY.on_event(make_event(), now=datetime(2024, 5, 10, 9, 0))
    assert [e.path for e in raised.value.errors] == ["$.now"]


def test_an_event_known_in_advance_may_be_decided_before_it_happens() -> None:
    # The prison tells the police of the release the day before.
    outcome = POLICY.on_event(make_event(), now=RELEASED - timedelta(days=1))
    assert outcome.decided_at == RELEASED - timedelta(days=1)
    assert outcome.needs_review is False
    assert [micros(t.due_by) for t in events_only(outcome.tasks)] == [
        micros(RELEASED + 4 * HOUR),
        micros(RELEASED + 24 * HOUR),
    ]


def test_on_event_leaves_the_history_alone() -> None:
    history = InMemoryHistory()
    history.record_incident(HistoryEntry("INC-1", "V-1", "S-1", RELEASED - timedelta(days=40)))
    before = repr(history)
    POLICY.on_event(make_event(), history=history, now=RELEASED)
    assert repr(history) == before


@given(events())
def test_property_event_tasks_are_due_after_the_event_in_elapsed_hours(event: Event) -> None:
    outcome = POLICY.on_event(event, now=event.occurred_at)
    assert outcome.reassess is True
    assert outcome.needs_review is False
    start = micros(event.occurred_at)
    assert [
        (t.what, t.for_whom, micros(t.due_by) - start) for t in events_only(outcome.tasks)
    ] == [
        ("notify-victim", event.victim_id, 4 * 3600 * 10**6),
        ("re-assess-risk", event.victim_id, 24 * 3600 * 10**6),
    ]
    assert all(
        t.reasons and t.reasons[0].source == EVENT_SOURCE for t in events_only(outcome.tasks)
    )


@given(event_kinds(), st.integers(0, 3650))
def test_property_however_late_the_event(kind: EventKind, days: int) -> None:
    at = RELEASED + timedelta(days=days)
    outcome = POLICY.on_event(make_event(kind, at), now=at)
    assert outcome.reassess is True
    assert [t.what for t in events_only(outcome.tasks)] == ["notify-victim", "re-assess-risk"]


# --- allocation ----------------------------------------------------------------------------------


def crime_incident(offence: OffenceCategory, **kwargs: Any) -> Incident:
    return h.make_incident(crime=Crime("CR-1", offence), **kwargs)


def allocate(incident: Incident, yes: int = 0, policy: Policy = POLICY, **kwargs: Any) -> Decision:
    form = h.dash_form(incident, yes=range(1, yes + 1))
    return policy.assess(incident, form, now=incident.reported_at, **kwargs)


def rules(reasons: tuple[Reason, ...]) -> list[str]:
    return [r.rule for r in reasons]


def test_a_non_crime_incident_is_not_allocated() -> None:
    decision = allocate(h.make_incident(), yes=14)
    assert decision.grade is RiskGrade.HIGH
    assert decision.allocation is None
    # The built-in rule says so itself, should a force's code call it for an incident.
    assert allocation_plugin.dapolicy_allocate(h.make_incident(), decision, Settings()) is None


@pytest.mark.parametrize(
    "offence",
    [
        OffenceCategory.ASSAULT_WITH_INTENT,
        OffenceCategory.SEXUAL_OFFENCE,
        OffenceCategory.THREATS_TO_KILL,
    ],
)
def test_a_serious_offence_goes_to_a_detective(offence: OffenceCategory) -> None:
    decision = allocate(crime_incident(offence))
    assert decision.grade is RiskGrade.STANDARD
    assert decision.allocation == Allocation(
        InvestigatorLevel.DETECTIVE,
        (
            Reason(
                "allocation.serious-offence",
                f"{ALLOCATION_SOURCE}; force setting",
                f"{offence.value} is a serious offence",
            ),
        ),
    )


def test_high_risk_common_assault_goes_to_a_trained_detective() -> None:
    # Before the two axes, this got a trained DA investigator while a standard-risk
    # assault with intent got a detective, ranked above it.
    decision = allocate(crime_incident(OffenceCategory.COMMON_ASSAULT), yes=14)
    assert decision.grade is RiskGrade.HIGH
    assert decision.allocation == Allocation(
        InvestigatorLevel.DA_TRAINED_DETECTIVE,
        (
            Reason(
                "allocation.risk",
                ALLOCATION_SOURCE,
                "graded high: a trained investigator whatever the offence",
            ),
            Reason(
                "allocation.risk-detective",
                f"{ALLOCATION_SOURCE}: high risk never gets a less specialist investigator "
                "than a standard-risk case of any seriousness",
                "graded high: a detective whatever the offence",
            ),
        ),
    )
    assert decision.allocation.skills == frozenset(InvestigatorSkill)
    standard_serious = allocate(crime_incident(OffenceCategory.ASSAULT_WITH_INTENT))
    assert standard_serious.allocation is not None
    assert decision.allocation.covers(standard_serious.allocation)
    assert not standard_serious.allocation.covers(decision.allocation)


def test_high_risk_by_professional_judgement_also_counts() -> None:
    incident = crime_incident(OffenceCategory.HARASSMENT)
    form = h.dash_form(incident, yes=[1, 2], judgement=h.judgement(RiskGrade.HIGH))
    decision = POLICY.assess(incident, form, now=incident.reported_at)
    assert decision.grade is RiskGrade.HIGH
    assert decision.allocation is not None
    assert decision.allocation.level is InvestigatorLevel.DA_TRAINED_DETECTIVE


def test_a_serious_offence_at_high_risk_keeps_both_reasons() -> None:
    decision = allocate(crime_incident(OffenceCategory.THREATS_TO_KILL), yes=15)
    assert decision.allocation is not None
    assert decision.allocation.level is InvestigatorLevel.DA_TRAINED_DETECTIVE
    assert rules(decision.allocation.reasons) == [
        "allocation.serious-offence",
        "allocation.risk",
        "allocation.risk-detective",
    ]


@pytest.mark.parametrize(("yes", "grade"), [(0, RiskGrade.STANDARD), (10, RiskGrade.MEDIUM)])
def test_a_common_assault_below_high_risk_goes_to_a_response_officer(
    yes: int, grade: RiskGrade
) -> None:
    decision = allocate(crime_incident(OffenceCategory.COMMON_ASSAULT), yes=yes)
    assert decision.grade is grade
    assert decision.allocation == Allocation(
        InvestigatorLevel.RESPONSE_OFFICER,
        (
            Reason(
                "allocation.standard", ALLOCATION_SOURCE, "neither a serious offence nor high risk"
            ),
        ),
    )


CUSTOM_ALLOCATION = h.make_policy(
    Settings(
        allocation=AllocationSettings(
            detective_offences=frozenset({OffenceCategory.STALKING}),
            trained_from=RiskGrade.MEDIUM,
        )
    )
)


@pytest.mark.parametrize(
    ("offence", "yes", "level"),
    [
        (OffenceCategory.STALKING, 0, InvestigatorLevel.DETECTIVE),
        (OffenceCategory.ASSAULT_WITH_INTENT, 0, InvestigatorLevel.RESPONSE_OFFICER),
        (OffenceCategory.COMMON_ASSAULT, 10, InvestigatorLevel.TRAINED_DA_INVESTIGATOR),
        (OffenceCategory.COMMON_ASSAULT, 9, InvestigatorLevel.RESPONSE_OFFICER),
    ],
)
def test_custom_allocation_settings(
    offence: OffenceCategory, yes: int, level: InvestigatorLevel
) -> None:
    decision = allocate(crime_incident(offence), yes=yes, policy=CUSTOM_ALLOCATION)
    assert decision.allocation is not None
    assert decision.allocation.level is level


def test_custom_trained_from_names_the_grade() -> None:
    decision = allocate(
        crime_incident(OffenceCategory.COMMON_ASSAULT), yes=10, policy=CUSTOM_ALLOCATION
    )
    assert decision.allocation is not None
    assert decision.allocation.reasons[0].text == (
        "graded medium: a trained investigator whatever the offence"
    )


class LowAllocator:
    """Asks for a response officer for everything."""

    @hookimpl
    def dapolicy_allocate(self) -> Allocation:
        return Allocation(InvestigatorLevel.RESPONSE_OFFICER, (REASON,))


class DetectiveAllocator:
    @hookimpl
    def dapolicy_allocate(self) -> Allocation:
        return Allocation(InvestigatorLevel.DETECTIVE, (REASON,))


class BrokenAllocator:
    @hookimpl
    def dapolicy_allocate(self) -> Allocation:
        raise RuntimeError(SECRET)


class SilentAllocator:
    @hookimpl
    def dapolicy_allocate(self) -> None:
        return None


def test_a_plugin_cannot_lower_the_allocation_and_every_reason_is_kept() -> None:
    policy = h.make_policy(plugins=[LowAllocator()])
    decision = allocate(crime_incident(OffenceCategory.THREATS_TO_KILL), policy=policy)
    assert decision.allocation is not None
    assert decision.allocation.level is InvestigatorLevel.DETECTIVE
    assert set(rules(decision.allocation.reasons)) == {"allocation.serious-offence", "force.rule"}
    assert decision.needs_review is False
    # High risk, common assault: still a trained detective.
    decision = allocate(crime_incident(OffenceCategory.COMMON_ASSAULT), yes=14, policy=policy)
    assert decision.allocation is not None
    assert decision.allocation.level is InvestigatorLevel.DA_TRAINED_DETECTIVE


def test_a_plugin_can_raise_the_allocation() -> None:
    policy = h.make_policy(plugins=[DetectiveAllocator()])
    decision = allocate(crime_incident(OffenceCategory.COMMON_ASSAULT), policy=policy)
    assert decision.allocation is not None
    assert decision.allocation.level is InvestigatorLevel.DETECTIVE
    assert set(rules(decision.allocation.reasons)) == {"allocation.standard", "force.rule"}


def test_a_broken_allocator_needs_review_and_the_builtin_allocation_stands() -> None:
    policy = h.make_policy(plugins=[BrokenAllocator(), SilentAllocator()])
    decision = allocate(crime_incident(OffenceCategory.SEXUAL_OFFENCE), policy=policy)
    assert decision.allocation is not None
    assert decision.allocation.level is InvestigatorLevel.DETECTIVE
    assert decision.needs_review is True
    assert decision.failures == (
        PluginFailure("BrokenAllocator", "dapolicy_allocate", "RuntimeError raised"),
    )


def test_no_allocation_when_every_allocator_is_blocked_or_silent() -> None:
    policy = h.make_policy(
        Settings(plugins=PluginSettings(block=("allocation",))), plugins=[SilentAllocator()]
    )
    decision = allocate(crime_incident(OffenceCategory.THREATS_TO_KILL), policy=policy)
    assert decision.allocation is None


@given(
    incidents(domestic=True, crime=True),
    st.integers(0, 27),
)
def test_property_allocation_weighs_risk_and_seriousness(incident: Incident, yes: int) -> None:
    decision = allocate(incident, yes=yes)
    assert incident.crime is not None
    allocation = decision.allocation
    assert allocation is not None
    assert allocation.reasons
    serious = incident.crime.offence in AllocationSettings().detective_offences
    if decision.grade is RiskGrade.HIGH:
        assert allocation.level is InvestigatorLevel.DA_TRAINED_DETECTIVE
    elif serious:
        assert allocation.level is InvestigatorLevel.DETECTIVE
    else:
        assert allocation.level is InvestigatorLevel.RESPONSE_OFFICER
    assert allocation.skills == allocation.level.skills


_GRADE_YES = {RiskGrade.STANDARD: 0, RiskGrade.MEDIUM: 10, RiskGrade.HIGH: 14}


@given(
    offences=st.tuples(st.sampled_from(OffenceCategory), st.sampled_from(OffenceCategory)),
    grades=st.tuples(st.sampled_from(RiskGrade), st.sampled_from(RiskGrade)),
    detective_offences=st.frozensets(st.sampled_from(OffenceCategory)),
    trained_from=st.sampled_from(RiskGrade),
    detective_from=st.sampled_from(RiskGrade),
)
def test_property_high_risk_never_gets_a_less_specialist_investigator(
    offences: tuple[OffenceCategory, OffenceCategory],
    grades: tuple[RiskGrade, RiskGrade],
    detective_offences: frozenset[OffenceCategory],
    trained_from: RiskGrade,
    detective_from: RiskGrade,
) -> None:
    """Under any force's settings: high risk covers any lower grade of any offence, and
    for one offence a higher grade covers a lower one, on both axes."""
    settings = Settings(
        allocation=AllocationSettings(
            detective_offences=detective_offences,
            trained_from=trained_from,
            detective_from=detective_from,
        )
    )
    policy = POLICY.with_plugins(settings=settings)

    def allocation(offence: OffenceCategory, grade: RiskGrade) -> Allocation:
        decision = allocate(crime_incident(offence), yes=_GRADE_YES[grade], policy=policy)
        assert decision.grade is grade
        assert decision.allocation is not None
        return decision.allocation

    low, high = sorted(grades)
    first, second = offences
    assert allocation(first, RiskGrade.HIGH).covers(allocation(second, low))
    assert allocation(first, RiskGrade.HIGH).skills == frozenset(InvestigatorSkill)
    assert allocation(first, high).covers(allocation(first, low))


def test_an_allocation_whose_skills_do_not_match_its_level_is_refused() -> None:
    with pytest.raises(ValidationError, match="skills"):
        Allocation(
            InvestigatorLevel.DETECTIVE, (REASON,), frozenset({InvestigatorSkill.DA_TRAINED})
        )
    assert Allocation(InvestigatorLevel.DETECTIVE, (REASON,)).skills == {
        InvestigatorSkill.DETECTIVE
    }


# --- counter-allegation --------------------------------------------------------------------------


@pytest.mark.parametrize("crime", [True, False], ids=["crime", "non-crime"])
def test_a_counter_allegation_needs_review_and_changes_nothing_else(crime: bool) -> None:
    plain = crime_incident(OffenceCategory.COMMON_ASSAULT) if crime else h.make_incident()
    alleged = attrs.evolve(plain, counter_allegation=True)
    without = allocate(plain, yes=12)
    with_ = allocate(alleged, yes=12)
    assert without.needs_review is False
    assert with_.needs_review is True
    assert rules(with_.review_reasons) == ["case.counter-allegation"]
    (reason,) = with_.review_reasons
    assert reason.source == "HMIC 2014 glossary, 'counter-allegation'"
    assert "so the victim is not treated as the perpetrator" in reason.text
    assert with_.grade is without.grade is RiskGrade.MEDIUM
    assert with_.referrals == without.referrals
    assert with_.tasks == without.tasks
    assert with_.allocation == without.allocation
