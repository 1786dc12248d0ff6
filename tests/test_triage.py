"""Control-room triage: THRIVE, the force minimum, supervisor alerts and the briefing.

The inspected force alerts the control-room supervisor when an immediate response is
not resourced within three minutes or a priority response not dispatched within 20,
and gives a scheduled appointment two hours (HMIC 2014). The handler's THRIVE grade may
be raised by the rules, never lowered, and a domestic-abuse call is by default never
resolved without deployment.
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
    Call,
    InMemoryHistory,
    Person,
    PluginFailure,
    Reason,
    ResponseGrade,
    Thrive,
    TriageDecision,
    ValidationError,
)
from dapolicy._time import months_before
from dapolicy.history import CallEntry, HistoryEntry
from dapolicy.hookspecs import hookimpl
from dapolicy.models._base import LONDON, micros
from dapolicy.models.operations import ResponseFinding
from dapolicy.policy import Policy
from dapolicy.settings import Settings, TriageSettings
from dapolicy.testing.strategies import aware_datetimes, calls, thrives


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
#: A Saturday afternoon in June (BST), far from any clock change.
RECEIVED = datetime(2024, 6, 15, 14, 0, tzinfo=UTC)
MINUTE = timedelta(minutes=1)
FLAGS = ("danger_now", "weapons", "injury", "children_present", "suspect_present", "vulnerable")
SECRET = "Jane Doe, 1 High Street, 07700 900123"

IMM, PRI, SCH, RWD = (
    ResponseGrade.IMMEDIATE,
    ResponseGrade.PRIORITY,
    ResponseGrade.SCHEDULED,
    ResponseGrade.RESOLVED_WITHOUT_DEPLOYMENT,
)


def thrive(proposed: ResponseGrade = SCH, **flags: bool) -> Thrive:
    return Thrive(
        "threat", "harm", "risk", "investigation", "vulnerability", "engagement", proposed, **flags
    )


def make_call(
    cid: str = "CALL-1",
    *,
    at: datetime = RECEIVED,
    caller: str | None = "V-1",
    location_id: str | None = "LOC-1",
    repeat_caller: bool = False,
) -> Call:
    return Call(
        cid,
        at,
        caller=Person(caller) if caller is not None else None,
        location="FICTIONAL 1 Nowhere Lane",
        location_id=location_id,
        repeat_caller=repeat_caller,
    )


def triage(
    proposed: ResponseGrade | None = SCH,
    *,
    call: Call | None = None,
    policy: Policy = POLICY,
    history: InMemoryHistory | None = None,
    now: datetime | None = None,
    **flags: bool,
) -> TriageDecision:
    call = call if call is not None else make_call()
    assessment = thrive(proposed, **flags) if proposed is not None else None
    return policy.triage(
        call, assessment, history=history, now=now if now is not None else call.received_at
    )


def rules(reasons: tuple[Reason, ...]) -> list[str]:
    return [r.rule for r in reasons]


def victim_history(*ago: timedelta, victim: str = "V-1") -> InMemoryHistory:
    history = InMemoryHistory()
    for n, delta in enumerate(ago):
        history.record_incident(HistoryEntry(f"INC-{n}", victim, "S-1", RECEIVED - delta))
    return history


def call_history(*entries: CallEntry) -> InMemoryHistory:
    history = InMemoryHistory()
    for entry in entries:
        assert history.record_call(entry)
    return history


# --- the force minimum and the handler's grade ---------------------------------------------------


def test_a_da_call_is_never_resolved_without_deployment_by_default() -> None:
    decision = triage(RWD)
    assert decision.response is SCH
    assert rules(decision.reasons) == ["triage.force-minimum"]
    assert decision.reasons[0].source == "force setting triage.minimum"
    assert decision.reasons[0].text == ("the least response to a domestic-abuse call is scheduled")
    assert decision.needs_review is False
    assert decision.failures == ()
    assert decision.review_reasons == ()


@pytest.mark.parametrize(
    ("proposed", "expected_rules"),
    [
        (SCH, ["triage.force-minimum", "triage.call-handler"]),
        (PRI, ["triage.call-handler"]),
        (IMM, ["triage.call-handler"]),
    ],
)
def test_the_handlers_grade_stands_when_no_rule_matches(
    proposed: ResponseGrade, expected_rules: list[str]
) -> None:
    decision = triage(proposed, suspect_present=True)  # present, but nobody hurt
    assert decision.response is proposed
    assert rules(decision.reasons) == expected_rules
    handler = decision.reasons[-1]
    assert handler.source == "THRIVE: the call handler's judgement"
    assert handler.text == f"the call handler graded the call {proposed.value}"
    assert decision.needs_review is False


@pytest.mark.parametrize(
    ("flags", "response", "expected_rules"),
    [
        ({"danger_now": True}, IMM, ["thrive.danger-now"]),
        ({"weapons": True}, IMM, ["thrive.weapons"]),
        ({"injury": True, "suspect_present": True}, IMM, ["thrive.injury-suspect-present"]),
        ({"danger_now": True, "weapons": True}, IMM, ["thrive.danger-now", "thrive.weapons"]),
        ({"injury": True}, PRI, ["thrive.injury"]),
        ({"children_present": True}, PRI, ["thrive.children-present"]),
        ({"vulnerable": True}, PRI, ["thrive.vulnerable"]),
        (
            {"injury": True, "children_present": True, "vulnerable": True},
            PRI,
            ["thrive.injury", "thrive.children-present", "thrive.vulnerable"],
        ),
        # The most urgent rule wins; the lesser rules' reasons are not the grade's.
        (
            {"weapons": True, "children_present": True, "injury": True},
            IMM,
            ["thrive.weapons"],
        ),
    ],
)
def test_thrive_flags_raise_the_handlers_grade(
    flags: dict[str, bool], response: ResponseGrade, expected_rules: list[str]
) -> None:
    decision = triage(SCH, **flags)
    assert decision.response is response
    assert rules(decision.reasons) == expected_rules
    assert {r.source for r in decision.reasons} == {
        "THRIVE call grading (NPCC); force triage rules"
    }
    assert decision.needs_review is False


def test_a_rule_and_the_handler_agreeing_give_both_reasons() -> None:
    decision = triage(PRI, injury=True)
    assert decision.response is PRI
    assert rules(decision.reasons) == ["thrive.injury", "triage.call-handler"]


@pytest.mark.parametrize(
    "flags",
    [{}, {"injury": True}, {"children_present": True}, {"vulnerable": True}],
    ids=["nothing", "injury", "children", "vulnerable"],
)
def test_the_handlers_immediate_grade_is_never_lowered(flags: dict[str, bool]) -> None:
    decision = triage(IMM, **flags)
    assert decision.response is IMM
    assert rules(decision.reasons) == ["triage.call-handler"]


def test_the_handlers_priority_is_not_lowered_by_a_scheduled_minimum() -> None:
    assert triage(PRI).response is PRI


# --- the caller's history as a victim ------------------------------------------------------------


def test_a_caller_who_was_a_victim_in_the_last_12_months_gets_at_least_priority() -> None:
    decision = triage(SCH, history=victim_history(timedelta(days=90)))
    assert decision.response is PRI
    assert rules(decision.reasons) == ["thrive.repeat-victim"]
    assert decision.reasons[0].text == (
        "the caller was the victim of domestic abuse within 12 months"
    )
    assert rules(decision.briefing) == ["triage.caller-prior-incidents"]
    assert decision.briefing[0].text == (
        "1 domestic-abuse incident(s) with the caller as victim in 12 months"
    )
    assert decision.briefing[0].source == "control-room check of previous calls (HMIC 2014)"


def test_the_caller_history_counts_every_incident_in_the_window() -> None:
    history = victim_history(timedelta(days=10), timedelta(days=100), timedelta(days=400))
    decision = triage(SCH, history=history)
    assert decision.briefing[0].text == (
        "2 domestic-abuse incident(s) with the caller as victim in 12 months"
    )


def test_a_victim_history_outside_12_months_does_not_raise_the_grade() -> None:
    decision = triage(SCH, history=victim_history(timedelta(days=400)))
    assert decision.response is SCH
    assert decision.briefing == ()


def test_a_victim_history_of_someone_else_does_not_count() -> None:
    decision = triage(SCH, history=victim_history(timedelta(days=3), victim="V-2"))
    assert decision.response is SCH
    assert decision.briefing == ()


def test_an_anonymous_caller_has_no_history() -> None:
    decision = triage(SCH, call=make_call(caller=None), history=victim_history(timedelta(days=3)))
    assert decision.response is SCH
    assert decision.repeat_caller is False
    assert decision.briefing == ()


def test_no_thrive_needs_review_and_the_rules_still_run() -> None:
    decision = triage(None)
    assert decision.response is SCH
    assert decision.needs_review is True
    assert rules(decision.review_reasons) == ["triage.no-thrive"]
    assert decision.review_reasons[0].text == "no THRIVE rationale recorded for this call"
    assert decision.failures == ()
    assert rules(decision.reasons) == ["triage.force-minimum"]
    # The caller's history is checked without a THRIVE, too.
    decision = triage(None, history=victim_history(timedelta(days=30)))
    assert decision.response is PRI
    assert decision.needs_review is True


# --- deadlines -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("proposed", "alert", "attend", "appointment"),
    [
        (IMM, 3, 20, None),
        (PRI, 20, 120, None),
        (SCH, None, 48 * 60, 120),
    ],
)
def test_alerts_attendance_and_appointment_by_grade(
    proposed: ResponseGrade, alert: int | None, attend: int, appointment: int | None
) -> None:
    decision = triage(proposed)
    expected_alert = None if alert is None else RECEIVED + alert * MINUTE
    assert decision.alert_at == expected_alert
    assert decision.attend_by == RECEIVED + attend * MINUTE
    assert decision.appointment_minutes == appointment


def test_alert_and_attendance_exact_times_in_london() -> None:
    decision = triage(IMM)
    assert decision.alert_at is not None
    assert decision.attend_by is not None
    london = decision.alert_at.astimezone(LONDON)
    assert (london.hour, london.minute, london.utcoffset()) == (15, 3, timedelta(hours=1))
    london = decision.attend_by.astimezone(LONDON)
    assert (london.hour, london.minute) == (15, 20)


def test_alerts_across_the_spring_clock_change_are_elapsed_minutes() -> None:
    # 00:50 GMT on 31 March 2024: clocks go forward at 01:00 GMT.
    call = make_call(at=datetime(2024, 3, 31, 0, 50, tzinfo=UTC))
    decision = triage(IMM, call=call)
    assert decision.alert_at == datetime(2024, 3, 31, 0, 53, tzinfo=UTC)
    assert decision.attend_by == datetime(2024, 3, 31, 1, 10, tzinfo=UTC)
    assert decision.attend_by.astimezone(LONDON).replace(tzinfo=None) == datetime(
        2024, 3, 31, 2, 10
    )
    scheduled = triage(SCH, call=call)
    assert scheduled.attend_by == datetime(2024, 4, 2, 0, 50, tzinfo=UTC)  # 48 h elapsed


def test_alerts_in_the_autumn_overlap_are_elapsed_minutes() -> None:
    # 01:50 BST (first 01:50) on 27 October 2024: the clocks go back at 02:00 BST.
    call = make_call(at=datetime(2024, 10, 27, 1, 50, tzinfo=LONDON))
    decision = triage(PRI, call=call)
    assert decision.alert_at is not None
    assert decision.attend_by is not None
    assert micros(decision.alert_at) - micros(call.received_at) == 20 * 60 * 10**6
    assert micros(decision.attend_by) - micros(call.received_at) == 120 * 60 * 10**6
    # 20 minutes after 01:50 BST is 01:10 GMT, the second 01:10 of the night.
    # (An aware datetime in the repeated hour never compares equal across zones: micros.)
    assert micros(decision.alert_at) == micros(datetime(2024, 10, 27, 1, 10, tzinfo=UTC))
    assert decision.alert_at.astimezone(LONDON).fold == 1


def test_no_deadlines_when_the_force_allows_resolution_without_deployment() -> None:
    policy = h.make_policy(Settings(triage=TriageSettings(minimum=RWD)))
    decision = triage(RWD, policy=policy)
    assert decision.response is RWD
    assert (decision.alert_at, decision.attend_by, decision.appointment_minutes) == (
        None,
        None,
        None,
    )
    assert rules(decision.reasons) == ["triage.force-minimum", "triage.call-handler"]


# --- repeat caller, repeat location, briefing ----------------------------------------------------


def test_repeat_caller_flagged_by_the_control_room_system() -> None:
    decision = triage(SCH, call=make_call(repeat_caller=True))
    assert decision.repeat_caller is True
    assert rules(decision.briefing) == ["triage.repeat-caller"]
    assert decision.briefing[0].text == "the caller has called before"
    assert decision.response is SCH  # calling before raises nothing by itself


def test_repeat_caller_from_history_within_12_months() -> None:
    history = call_history(CallEntry("CALL-0", RECEIVED - timedelta(days=300), caller_id="V-1"))
    decision = triage(SCH, history=history)
    assert decision.repeat_caller is True
    assert decision.repeat_location is False
    assert rules(decision.briefing) == ["triage.repeat-caller"]


def test_repeat_caller_window_boundary_is_12_calendar_months() -> None:
    start = months_before(RECEIVED, 12)
    assert start == datetime(2023, 6, 15, 14, 0, tzinfo=UTC)
    inside = call_history(CallEntry("CALL-0", start, caller_id="V-1"))
    outside = call_history(CallEntry("CALL-0", start - timedelta(microseconds=1), caller_id="V-1"))
    assert triage(SCH, history=inside).repeat_caller is True
    assert triage(SCH, history=outside).repeat_caller is False


def test_the_call_itself_and_later_calls_are_not_repeats() -> None:
    call = make_call()
    history = call_history(
        CallEntry.from_call(call),
        CallEntry(
            "CALL-LATER", RECEIVED + timedelta(hours=1), caller_id="V-1", location_id="LOC-1"
        ),
    )
    decision = triage(SCH, call=call, history=history, now=RECEIVED + timedelta(hours=2))
    assert decision.repeat_caller is False
    assert decision.repeat_location is False
    assert decision.briefing == ()


def test_a_call_from_another_caller_is_not_a_repeat_caller() -> None:
    history = call_history(CallEntry("CALL-0", RECEIVED - timedelta(days=3), caller_id="V-9"))
    assert triage(SCH, history=history).repeat_caller is False


def test_repeat_location_from_history() -> None:
    history = call_history(
        CallEntry(
            "CALL-0", RECEIVED - timedelta(days=40), caller_id="NEIGHBOUR", location_id="LOC-1"
        ),
    )
    decision = triage(SCH, history=history)
    assert decision.repeat_location is True
    assert decision.repeat_caller is False
    assert rules(decision.briefing) == ["triage.repeat-location"]
    assert decision.briefing[0].text == "there have been calls to this location"
    # No location key, no repeat-location check.
    assert triage(SCH, call=make_call(location_id=None), history=history).repeat_location is False
    # Outside the window.
    old = call_history(
        CallEntry("CALL-0", RECEIVED - timedelta(days=367), location_id="LOC-1"),
    )
    assert triage(SCH, history=old).repeat_location is False


def test_the_briefing_carries_every_check_in_order() -> None:
    history = victim_history(timedelta(days=20))
    history.record_call(
        CallEntry("CALL-0", RECEIVED - timedelta(days=20), caller_id="V-1", location_id="LOC-1")
    )
    decision = triage(SCH, history=history)
    assert rules(decision.briefing) == [
        "triage.repeat-caller",
        "triage.repeat-location",
        "triage.caller-prior-incidents",
    ]
    assert decision.repeat_caller
    assert decision.repeat_location
    assert decision.response is PRI


# --- custom settings -----------------------------------------------------------------------------

CUSTOM = TriageSettings(
    minimum=PRI,
    immediate_resourced_minutes=5,
    priority_dispatched_minutes=15,
    immediate_attend_minutes=15,
    priority_attend_minutes=60,
    scheduled_within_hours=24,
    appointment_minutes=90,
    repeat_months=3,
)
CUSTOM_POLICY = h.make_policy(Settings(triage=CUSTOM))


def test_custom_minimum_and_deadlines() -> None:
    decision = triage(RWD, policy=CUSTOM_POLICY)
    assert decision.response is PRI
    assert rules(decision.reasons) == ["triage.force-minimum"]
    assert decision.reasons[0].text == "the least response to a domestic-abuse call is priority"
    assert decision.alert_at == RECEIVED + 15 * MINUTE
    assert decision.attend_by == RECEIVED + 60 * MINUTE
    assert decision.appointment_minutes is None
    immediate = triage(SCH, policy=CUSTOM_POLICY, weapons=True)
    assert immediate.response is IMM
    assert immediate.alert_at == RECEIVED + 5 * MINUTE
    assert immediate.attend_by == RECEIVED + 15 * MINUTE


def test_custom_scheduled_appointment() -> None:
    settings = Settings(triage=attrs.evolve(CUSTOM, minimum=SCH))
    decision = triage(SCH, policy=h.make_policy(settings))
    assert decision.response is SCH
    assert decision.alert_at is None
    assert decision.attend_by == RECEIVED + timedelta(hours=24)
    assert decision.appointment_minutes == 90


def test_custom_repeat_window_for_callers_and_locations() -> None:
    two = call_history(
        CallEntry("CALL-0", RECEIVED - timedelta(days=60), caller_id="V-1", location_id="LOC-1")
    )
    four = call_history(
        CallEntry("CALL-0", RECEIVED - timedelta(days=120), caller_id="V-1", location_id="LOC-1")
    )
    assert triage(SCH, policy=CUSTOM_POLICY, history=two).repeat_caller is True
    assert triage(SCH, policy=CUSTOM_POLICY, history=two).repeat_location is True
    assert triage(SCH, policy=CUSTOM_POLICY, history=four).repeat_caller is False
    assert triage(SCH, policy=CUSTOM_POLICY, history=four).repeat_location is False


def test_the_caller_prior_incidents_briefing_uses_the_repeat_victim_window() -> None:
    # The officer is told of exactly the incidents that made the caller a repeat
    # victim: the force's one repeat-victim window, not the control room's call window.
    policy = h.make_policy(Settings(triage=CUSTOM, repeat_victim_months=3))
    recent = triage(SCH, policy=policy, history=victim_history(timedelta(days=60)))
    assert rules(recent.briefing) == ["triage.caller-prior-incidents"]
    assert recent.briefing[0].text.endswith("in 3 months")
    older = triage(SCH, policy=policy, history=victim_history(timedelta(days=120)))
    assert older.briefing == ()
    # a 3-month call window alone no longer hides a 4-month-old incident from the officer
    default_window = triage(SCH, policy=CUSTOM_POLICY, history=victim_history(timedelta(days=120)))
    assert rules(default_window.briefing) == ["triage.caller-prior-incidents"]
    assert default_window.briefing[0].text.endswith("in 12 months")


@pytest.mark.parametrize(
    ("months", "expected"), [(12, PRI), (3, SCH)], ids=["default-12", "custom-3"]
)
def test_repeat_victim_rule_follows_the_force_repeat_victim_window(
    months: int, expected: ResponseGrade
) -> None:
    policy = h.make_policy(Settings(repeat_victim_months=months))
    decision = triage(SCH, policy=policy, history=victim_history(timedelta(days=150)))
    assert decision.response is expected


# --- plug-ins ------------------------------------------------------------------------------------


class BrokenTriage:
    @hookimpl
    def dapolicy_triage(self, call: Any) -> Any:
        raise RuntimeError(f"caller {SECRET} ({call.id})")


class StringlyTriage:
    @hookimpl
    def dapolicy_triage(self) -> Any:
        return "immediate"


class LowTriage:
    """Asks for no deployment, with a briefing note."""

    @hookimpl
    def dapolicy_triage(self) -> ResponseFinding:
        return ResponseFinding(
            RWD,
            (Reason("low.rule", "a force plug-in", "nothing to do"),),
            (Reason("low.brief", "a force plug-in", "dog at the address"),),
        )


class HighTriage:
    @hookimpl
    def dapolicy_triage(self) -> ResponseFinding:
        return ResponseFinding(IMM, (Reason("high.rule", "a force plug-in", "marker on address"),))


def test_a_triage_plugin_that_raises_needs_review_and_lowers_nothing() -> None:
    policy = h.make_policy(plugins=[BrokenTriage()])
    decision = triage(SCH, policy=policy, weapons=True)
    assert decision.response is IMM
    assert rules(decision.reasons) == ["thrive.weapons"]
    assert decision.needs_review is True
    assert decision.review_reasons == ()
    assert decision.failures == (
        PluginFailure("BrokenTriage", "dapolicy_triage", "RuntimeError raised"),
    )
    assert SECRET not in repr(decision)
    assert decision.alert_at == RECEIVED + 3 * MINUTE


def test_a_triage_plugin_that_raises_with_the_handler_immediate() -> None:
    decision = triage(IMM, policy=h.make_policy(plugins=[BrokenTriage()]))
    assert decision.response is IMM
    assert decision.needs_review is True


def test_a_triage_plugin_returning_the_wrong_type() -> None:
    decision = triage(PRI, policy=h.make_policy(plugins=[StringlyTriage()]))
    assert decision.response is PRI
    assert decision.failures == (
        PluginFailure(
            "StringlyTriage", "dapolicy_triage", "returned str, expected a ResponseFinding or None"
        ),
    )


def test_a_plugin_cannot_lower_the_response_but_its_briefing_travels() -> None:
    decision = triage(PRI, policy=h.make_policy(plugins=[LowTriage()]))
    assert decision.response is PRI
    assert "low.rule" not in rules(decision.reasons)
    assert rules(decision.briefing) == ["low.brief"]
    assert decision.needs_review is False


def test_a_plugin_can_raise_the_response() -> None:
    decision = triage(SCH, policy=h.make_policy(plugins=[HighTriage()]))
    assert decision.response is IMM
    assert rules(decision.reasons) == ["high.rule"]


def test_blocking_the_thrive_plugin_leaves_only_the_handler_and_minimum() -> None:
    from dapolicy.settings import PluginSettings

    policy = h.make_policy(Settings(plugins=PluginSettings(block=("thrive",))))
    decision = triage(SCH, policy=policy, weapons=True)
    assert decision.response is SCH


# --- validation ----------------------------------------------------------------------------------


def test_naive_now_is_rejected() -> None:
    with pytest.raises(ValidationError) as raised:
        POLICY.triage(make_call(), thrive(), now=datetime(2024, 6, 15, 15, 0))
    assert [e.path for e in raised.value.errors] == ["$.now"]
    assert "UTC offset" in raised.value.errors[0].message


def test_now_before_the_call_is_rejected() -> None:
    with pytest.raises(ValidationError) as raised:
        POLICY.triage(make_call(), thrive(), now=RECEIVED - timedelta(microseconds=1))
    assert [e.path for e in raised.value.errors] == ["$.now"]
    assert "before the call was received" in raised.value.errors[0].message


def test_now_in_another_zone_is_compared_as_an_instant() -> None:
    # 14:00 UTC is 15:00 BST: a decision at 14:30 London time is before the call.
    with pytest.raises(ValidationError):
        POLICY.triage(make_call(), thrive(), now=datetime(2024, 6, 15, 14, 30, tzinfo=LONDON))
    decision = POLICY.triage(
        make_call(), thrive(), now=datetime(2024, 6, 15, 15, 0, tzinfo=LONDON)
    )
    assert decision.decided_at == datetime(2024, 6, 15, 15, 0, tzinfo=LONDON)
    assert decision.call_id == "CALL-1"


def test_triage_does_not_change_the_history() -> None:
    history = victim_history(timedelta(days=3))
    before = repr(history)
    triage(SCH, history=history)
    assert repr(history) == before


# --- properties ----------------------------------------------------------------------------------

POLICIES = {
    minimum: h.make_policy(Settings(triage=TriageSettings(minimum=minimum)))
    for minimum in ResponseGrade
}
DEADLINES = {
    IMM: (3, 20),
    PRI: (20, 120),
    SCH: (None, 48 * 60),
    RWD: (None, None),
}


@st.composite
def _triage_cases(draw: st.DrawFn) -> tuple[Call, Thrive | None, InMemoryHistory, ResponseGrade]:
    call = draw(calls())
    assessment = draw(st.one_of(st.none(), thrives()))
    minimum = draw(st.sampled_from(ResponseGrade))
    history = InMemoryHistory()
    if call.caller is not None and draw(st.booleans()):
        history.record_incident(
            HistoryEntry("INC-PRIOR", call.caller.id, "S-PRIOR", call.received_at - timedelta(1))
        )
    return call, assessment, history, minimum


@given(_triage_cases())
def test_property_never_below_the_handler_nor_the_minimum(
    case: tuple[Call, Thrive | None, InMemoryHistory, ResponseGrade],
) -> None:
    call, assessment, history, minimum = case
    decision = POLICIES[minimum].triage(call, assessment, history=history, now=call.received_at)
    assert decision.response >= minimum
    if assessment is not None:
        assert decision.response >= assessment.proposed
        if assessment.danger_now or assessment.weapons:
            assert decision.response is IMM
        if assessment.injury and assessment.suspect_present:
            assert decision.response is IMM
        if assessment.injury or assessment.children_present or assessment.vulnerable:
            assert decision.response >= PRI
    if len(history):
        assert decision.response >= PRI
    assert decision.reasons
    assert all(r.rule and r.source and r.text for r in decision.reasons)
    assert decision.needs_review is (assessment is None)
    assert decision.failures == ()


@given(_triage_cases())
def test_property_deadlines_are_elapsed_minutes_after_the_call(
    case: tuple[Call, Thrive | None, InMemoryHistory, ResponseGrade],
) -> None:
    call, assessment, history, minimum = case
    decision = POLICIES[minimum].triage(call, assessment, history=history, now=call.received_at)
    alert, attend = DEADLINES[decision.response]
    start = micros(call.received_at)
    for moment, minutes in ((decision.alert_at, alert), (decision.attend_by, attend)):
        if minutes is None:
            assert moment is None
        else:
            assert moment is not None
            assert micros(moment) - start == minutes * 60 * 10**6
            assert micros(moment) > start
            assert moment.utcoffset() is not None
    expected_appointment = 120 if decision.response is SCH else None
    assert decision.appointment_minutes == expected_appointment


@given(
    thrives(),
    st.sampled_from(FLAGS),
    aware_datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2060, 1, 1)),
)
def test_property_one_more_flag_never_lowers_the_response(
    assessment: Thrive, flag: str, at: datetime
) -> None:
    call = make_call(at=at)
    before = POLICY.triage(call, assessment, now=at)
    after = POLICY.triage(call, attrs.evolve(assessment, **{flag: True}), now=at)
    assert after.response >= before.response


@given(thrives(), st.sampled_from(ResponseGrade))
def test_property_a_higher_handler_grade_never_lowers_the_response(
    assessment: Thrive, other: ResponseGrade
) -> None:
    low, high = sorted((assessment.proposed, other))
    call = make_call()
    first = POLICY.triage(call, attrs.evolve(assessment, proposed=low), now=RECEIVED)
    second = POLICY.triage(call, attrs.evolve(assessment, proposed=high), now=RECEIVED)
    assert second.response >= first.response
