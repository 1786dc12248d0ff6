"""Right Care, Right Person in triage: a welfare call may be diverted, a DA call never.

Source: the National Partnership Agreement (July 2023). The built-in ``thrive``
plug-in asks to divert a concern-for-welfare call with no crime, no immediate risk and
no sign of domestic abuse; the policy diverts only what ``dapolicy.rcrp`` allows.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from dapolicy import Call, InMemoryHistory, Person, ResponseGrade, Thrive, TriageDecision
from dapolicy.history import CallEntry, HistoryEntry, HistoryView
from dapolicy.hookspecs import hookimpl
from dapolicy.models import CallType
from dapolicy.models.operations import ResponseFinding
from dapolicy.policy import Policy
from dapolicy.rcrp import rcrp_call_type, rcrp_may_divert
from dapolicy.settings import PluginSettings, Settings

POLICY = Policy(load_entry_points=False)
RECEIVED = datetime(2026, 3, 4, 21, 0, tzinfo=UTC)
NOW = RECEIVED + timedelta(minutes=2)
RWD, SCH = ResponseGrade.RESOLVED_WITHOUT_DEPLOYMENT, ResponseGrade.SCHEDULED
WELFARE = CallType.CONCERN_FOR_WELFARE


def welfare_call(**changes: object) -> Call:
    call = Call(
        "CALL-W1",
        RECEIVED,
        caller=Person("P-CALLER"),
        location_id="LOC-W1",
        call_type=WELFARE,
    )
    return attrs.evolve(call, **changes)


def thrive(proposed: ResponseGrade = RWD, *facts: str) -> Thrive:
    return Thrive.from_facts(proposed, facts)


def triage(
    call: Call,
    assessment: Thrive | None = None,
    *,
    history: InMemoryHistory | None = None,
    policy: Policy = POLICY,
    now: datetime = NOW,
) -> TriageDecision:
    return policy.triage(
        call, assessment if assessment is not None else thrive(), history=history, now=now
    )


def test_a_plain_welfare_call_is_diverted_below_the_force_minimum() -> None:
    decision = triage(welfare_call())
    assert decision.diverted
    assert decision.response is RWD
    assert "rcrp.divert" in [r.rule for r in decision.reasons]
    assert "triage.force-minimum" not in [r.rule for r in decision.reasons]
    assert not decision.needs_review
    assert (decision.alert_at, decision.attend_by) == (None, None)


def test_a_domestic_abuse_call_is_never_diverted() -> None:
    decision = triage(welfare_call(call_type=CallType.DOMESTIC_ABUSE))
    assert not decision.diverted
    assert decision.response is SCH  # the force minimum
    assert [r.rule for r in decision.reasons] == ["triage.force-minimum"]
    assert "domestic-abuse call" in decision.reasons[0].text


def test_the_default_call_is_a_domestic_abuse_call() -> None:
    default = Call("CALL-D", RECEIVED, caller=Person("P-CALLER"))
    assert default.call_type is CallType.DOMESTIC_ABUSE
    assert not triage(default).diverted


@pytest.mark.parametrize(
    ("changes", "sign"),
    [
        ({"domestic_abuse_marker": True}, "rcrp.domestic-abuse-marker"),
        ({"partner_or_family_mentioned": True}, "rcrp.partner-or-family"),
    ],
)
def test_a_welfare_call_with_a_sign_of_domestic_abuse_is_not_diverted(
    changes: dict[str, bool], sign: str
) -> None:
    # A welfare call that mentions a partner, or carries a DA marker, is a DA call.
    decision = triage(welfare_call(**changes))
    assert not decision.diverted
    assert decision.response is SCH
    assert sign in [r.rule for r in decision.briefing]
    assert "domestic-abuse call" in decision.reasons[0].text


def _victim_history(recorded_at: datetime, occurred_at: datetime | None = None) -> InMemoryHistory:
    history = InMemoryHistory()
    history.record_incident(
        HistoryEntry(
            "INC-OLD",
            "P-CALLER",
            "S-OLD",
            occurred_at if occurred_at is not None else recorded_at,
            recorded_at=recorded_at,
        )
    )
    return history


def test_the_callers_domestic_abuse_history_makes_it_a_domestic_abuse_call() -> None:
    # Years before: a domestic-abuse history does not expire.
    long_ago = RECEIVED - timedelta(days=5 * 365)
    decision = triage(welfare_call(), history=_victim_history(long_ago))
    assert not decision.diverted
    assert "rcrp.victim-history" in [r.rule for r in decision.briefing]


def test_only_history_known_before_the_triage_counts() -> None:
    # Happened before the call; known a microsecond before the decision: it counts.
    earlier = RECEIVED - timedelta(days=3)
    known = _victim_history(NOW - timedelta(microseconds=1), earlier)
    assert not triage(welfare_call(), history=known).diverted
    # The same incident known only from the decision's moment on: not yet known.
    unknown = _victim_history(NOW, earlier)
    assert triage(welfare_call(), history=unknown).diverted
    # An incident after the call is no history of it, even if known by the decision.
    after = _victim_history(NOW - timedelta(microseconds=1), RECEIVED + timedelta(seconds=1))
    assert triage(welfare_call(), history=after).diverted


def test_an_earlier_call_to_the_address_makes_it_a_domestic_abuse_call() -> None:
    history = InMemoryHistory()
    history.record_call(CallEntry("CALL-OLD", RECEIVED - timedelta(days=400), None, "LOC-W1"))
    decision = triage(welfare_call(), history=history)
    assert not decision.diverted
    assert "rcrp.location-history" in [r.rule for r in decision.briefing]
    # Another address's history does not count.
    assert triage(welfare_call(location_id="LOC-W2"), history=history).diverted


@pytest.mark.parametrize(
    "facts", [("danger_now",), ("weapons",), ("injury",), ("crime_to_investigate",)]
)
def test_a_welfare_call_with_risk_or_a_crime_is_attended(facts: tuple[str, ...]) -> None:
    decision = triage(welfare_call(), thrive(RWD, *facts))
    assert not decision.diverted
    assert decision.response >= SCH
    assert "call not diverted" in " ".join(r.text for r in decision.reasons) or (
        decision.response > SCH
    )


def test_the_handlers_higher_grade_stands_and_is_not_a_diversion() -> None:
    decision = triage(welfare_call(), thrive(SCH))
    assert (decision.response, decision.diverted) == (SCH, False)
    # A rule that raises the response (children at the scene) also stops the diversion.
    raised = triage(welfare_call(), thrive(RWD, "children_present"))
    assert (raised.response, raised.diverted) == (ResponseGrade.PRIORITY, False)


def test_no_thrive_no_diversion() -> None:
    decision = POLICY.triage(welfare_call(), None, now=NOW)
    assert not decision.diverted
    assert decision.response is SCH
    assert decision.needs_review


def test_blocking_the_thrive_plug_in_diverts_nothing() -> None:
    blocked = Policy(Settings(plugins=PluginSettings(block=("thrive",))), load_entry_points=False)
    decision = triage(welfare_call(), policy=blocked)
    assert (decision.response, decision.diverted) == (SCH, False)


class DivertsEverything:
    """A force plug-in that asks to divert every call, domestic abuse included."""

    @hookimpl
    def dapolicy_triage(self) -> ResponseFinding:
        why = POLICY.triage(welfare_call(), thrive(), now=NOW).reasons
        return ResponseFinding(RWD, why, divert=True)


def test_a_plug_in_asking_to_divert_a_domestic_abuse_call_has_failed() -> None:
    policy = POLICY.with_plugins(DivertsEverything())
    decision = triage(welfare_call(partner_or_family_mentioned=True), policy=policy)
    assert not decision.diverted
    assert decision.response is SCH
    assert decision.needs_review
    assert [f.error for f in decision.failures] == [
        "asked to divert a call that Right Care, Right Person does not divert"
    ]
    # On a call RCRP allows, the same plug-in's request is no failure.
    assert triage(welfare_call(), policy=policy).diverted


class Crashes:
    @hookimpl
    def dapolicy_triage(self) -> ResponseFinding:
        raise RuntimeError


def test_a_failure_anywhere_stops_the_diversion() -> None:
    decision = triage(welfare_call(), policy=POLICY.with_plugins(Crashes()))
    assert (decision.diverted, decision.response, decision.needs_review) == (False, SCH, True)


def test_rcrp_call_type_names_every_sign() -> None:
    history = _victim_history(RECEIVED - timedelta(days=1))
    history.record_call(CallEntry("CALL-OLD", RECEIVED - timedelta(days=2), None, "LOC-W1"))
    call = welfare_call(domestic_abuse_marker=True, partner_or_family_mentioned=True)
    kind, signs = rcrp_call_type(call, HistoryView(history, known_at=NOW))
    assert kind is CallType.DOMESTIC_ABUSE
    assert [s.rule for s in signs] == [
        "rcrp.domestic-abuse-marker",
        "rcrp.partner-or-family",
        "rcrp.victim-history",
        "rcrp.location-history",
    ]
    assert all(s.source.startswith("Right Care, Right Person") for s in signs)
    plain = rcrp_call_type(welfare_call(), HistoryView(InMemoryHistory(), known_at=NOW))
    assert plain == (WELFARE, ())


@given(
    st.sampled_from(list(CallType)),
    st.booleans(),
    st.booleans(),
    st.sets(
        st.sampled_from(
            [
                "danger_now",
                "weapons",
                "injury",
                "crime_to_investigate",
                "children_present",
                "vulnerable",
                "suspect_present",
            ]
        )
    ),
    st.sampled_from(list(ResponseGrade)),
)
def test_property_triage_diverts_only_what_rcrp_allows(
    kind: CallType, marker: bool, partner: bool, facts: set[str], proposed: ResponseGrade
) -> None:
    call = welfare_call(
        call_type=kind, domestic_abuse_marker=marker, partner_or_family_mentioned=partner
    )
    assessment = thrive(proposed, *sorted(facts))
    decision = triage(call, assessment)
    allowed, _ = rcrp_may_divert(
        CallType.DOMESTIC_ABUSE if marker or partner else kind,
        assessment,
        crime_to_investigate="crime_to_investigate" in facts,
    )
    assert decision.response >= proposed  # never below the handler's grade
    if not allowed:
        assert not decision.diverted
        assert decision.response >= SCH
    if decision.diverted:
        assert decision.response is RWD
