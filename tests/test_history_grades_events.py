"""The history keeps grades and events: the same answers in memory and in SQLite.

A victim's last recorded grade is what a new grade is compared with (a lower one needs a
supervisor's sign-off); the events after an incident are kept with their kind and the
agency that reported them. Both have two clocks, like every entry.
"""

from __future__ import annotations

import runpy
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from zoneinfo import ZoneInfo

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dapolicy.history import (
    DOWNGRADE_RULE,
    EventEntry,
    GradeEntry,
    HistoryView,
    InMemoryHistory,
    MutableHistory,
    record,
)
from dapolicy.models import Agency, CivilOrder, Event, EventKind, Reason, RiskGrade
from dapolicy.models._base import micros
from dapolicy.sqlite_history import SQLiteHistory

#: The shared builders of the engine tests, run from their file (tests/ is not a package).
h = SimpleNamespace(**runpy.run_path(str(Path(__file__).with_name("engine_helpers.py"))))

T = datetime(2024, 10, 27, 0, 30, tzinfo=UTC)  # London's 01:00-02:00 happens twice after
MICRO = timedelta(microseconds=1)
MINUTE = timedelta(minutes=1)
LONDON = ZoneInfo("Europe/London")
ZONES = [UTC, timezone(timedelta(hours=1)), LONDON]
LATER = datetime(2100, 1, 1, tzinfo=UTC)
EVER: dict[str, Any] = {"since": datetime(2000, 1, 1, tzinfo=UTC), "until": LATER}


def stores() -> list[MutableHistory]:
    return [InMemoryHistory(), SQLiteHistory(":memory:")]


@pytest.fixture(params=["memory", "sqlite"])
def store(request: pytest.FixtureRequest) -> MutableHistory:
    return InMemoryHistory() if request.param == "memory" else SQLiteHistory(":memory:")


# --- grades -------------------------------------------------------------------------------


def test_the_last_grade_is_the_latest_known_before_the_moment(store: MutableHistory) -> None:
    store.record_grade(GradeEntry("V", T, RiskGrade.HIGH, "I-1"))
    store.record_grade(GradeEntry("V", T + MINUTE, RiskGrade.STANDARD, "I-2"))
    assert store.last_grade("V", known_at=T) is None  # strictly before
    first = store.last_grade("V", known_at=T + MICRO)
    assert first is not None
    assert (first.grade, first.decision_id) == (RiskGrade.HIGH, "I-1")
    latest = store.last_grade("V", known_at=LATER)
    assert latest is not None
    assert latest.decision_id == "I-2"
    passed_over = store.last_grade("V", known_at=LATER, exclude="I-2")
    assert passed_over is not None
    assert passed_over.decision_id == "I-1"
    assert store.last_grade("W", known_at=LATER) is None


def test_a_grade_recorded_late_is_not_seen_before_it_was_known(store: MutableHistory) -> None:
    store.record_grade(GradeEntry("V", T, RiskGrade.HIGH, "I-1", recorded_at=T + 60 * MINUTE))
    assert store.last_grade("V", known_at=T + MINUTE) is None
    assert store.last_grade("V", known_at=T + 61 * MINUTE) is not None


def test_grades_at_one_instant_are_ordered_by_decision_id_not_by_recording(
    store: MutableHistory,
) -> None:
    store.record_grade(GradeEntry("V", T, RiskGrade.STANDARD, "I-9"))
    store.record_grade(GradeEntry("V", T.astimezone(LONDON), RiskGrade.HIGH, "I-10"))
    found = store.last_grade("V", known_at=LATER)
    assert found is not None
    assert found.decision_id == "I-9"  # "I-9" > "I-10" as text
    assert not store.record_grade(GradeEntry("V", T, RiskGrade.HIGH, "I-9"))  # already there


def test_a_grade_keeps_its_utc_offset(store: MutableHistory) -> None:
    summer = datetime(2024, 7, 1, 12, 0, tzinfo=LONDON)
    store.record_grade(GradeEntry("V", summer, RiskGrade.MEDIUM, "I-1"))
    found = store.last_grade("V", known_at=LATER)
    assert found is not None
    assert found.graded_at.isoformat() == "2024-07-01T12:00:00+01:00"
    assert found.recorded_at.isoformat() == "2024-07-01T12:00:00+01:00"


# --- events -------------------------------------------------------------------------------


def event_entry(eid: str, at: datetime = T, **more: Any) -> EventEntry:
    fields: dict[str, Any] = {"kind": EventKind.ORDER_BREACHED, "perpetrator_id": "S"}
    fields.update(more)
    return EventEntry(
        eid,
        fields.pop("kind"),
        "V",
        fields.pop("perpetrator_id"),
        at,
        **fields,
    )


def test_events_in_the_window_known_before_the_moment_oldest_first(
    store: MutableHistory,
) -> None:
    store.record_event(event_entry("E-2", T + MINUTE, reported_by=Agency.PROBATION))
    store.record_event(
        event_entry("E-1", T, order=CivilOrder.NON_MOLESTATION, recorded_at=T + 2 * MINUTE)
    )
    store.record_event(event_entry("E-3", T, perpetrator_id="S2", kind=EventKind.BAIL_BREACHED))
    assert not store.record_event(event_entry("E-1", T))
    found = store.events("V", **EVER, known_at=LATER)
    assert [e.event_id for e in found] == ["E-1", "E-3", "E-2"]
    assert found[0].order is CivilOrder.NON_MOLESTATION
    assert found[2].reported_by is Agency.PROBATION
    early = store.events("V", **EVER, known_at=T + 2 * MINUTE)
    assert [e.event_id for e in early] == ["E-3", "E-2"]
    pair = store.events("V", **EVER, known_at=LATER, perpetrator_id="S2")
    assert [e.event_id for e in pair] == ["E-3"]
    edge = store.events("V", since=T + MINUTE, until=T + MINUTE, known_at=LATER, exclude="E-1")
    assert [e.event_id for e in edge] == ["E-2"]


def test_an_event_known_in_advance_may_be_recorded_before_it_happens(
    store: MutableHistory,
) -> None:
    release = event_entry("E-1", T + 60 * MINUTE, kind=EventKind.PERPETRATOR_RELEASED)
    store.record_event(attrs.evolve(release, recorded_at=T))
    assert len(store.events("V", **EVER, known_at=T + MICRO)) == 1


# --- record(): what a decision adds ---------------------------------------------------------


def test_record_keeps_a_graded_decisions_grade_and_not_an_ungraded_one() -> None:
    policy = h.make_policy()
    history = InMemoryHistory()
    first = h.make_incident("I-1", at=T)
    decided = policy.assess(first, h.dash_form(first, range(1, 15)), now=T + 60 * MINUTE)
    record(history, first, decided)
    last = history.last_grade("V-1", known_at=LATER)
    assert last is not None
    assert (last.grade, last.decision_id) == (RiskGrade.HIGH, "I-1")
    assert micros(last.recorded_at) == micros(decided.decided_at)
    second = h.make_incident("I-2", at=T + 2 * 60 * MINUTE)
    ungraded = policy.assess(second, None, history=history, now=T + 3 * 60 * MINUTE)
    assert ungraded.ungraded
    record(history, second, ungraded)
    last = history.last_grade("V-1", known_at=LATER)
    assert last is not None
    assert last.decision_id == "I-1"  # "not yet graded" never stands for a grade


def test_a_lower_grade_is_kept_only_once_a_supervisor_signs_it_off() -> None:
    policy = h.make_policy()
    incident = h.make_incident("I-1", at=T)
    decision = policy.assess(incident, h.dash_form(incident, [1]), now=T + 60 * MINUTE)
    flagged = attrs.evolve(
        decision,
        needs_review=True,
        review_reasons=(Reason(DOWNGRADE_RULE, "test", "lower than the last"),),
    )
    history = InMemoryHistory()
    record(history, incident, flagged)
    assert history.last_grade("V-1", known_at=LATER) is None
    record(history, incident, flagged, signed_off=True)
    signed = history.last_grade("V-1", known_at=LATER)
    assert signed is not None
    assert signed.grade is RiskGrade.STANDARD


def test_record_keeps_an_event_its_grade_and_its_marac_referral() -> None:
    policy = h.make_policy()
    event = Event("EV-1", EventKind.BAIL_BREACHED, T, "V-1", "S-1", reported_by=Agency.PROBATION)
    decision = attrs.evolve(
        policy.assess(h.make_incident("EV-1", at=T), None, now=T + 20 * MINUTE),
        grade=RiskGrade.HIGH,
        findings=(),
    )
    history = InMemoryHistory()
    record(history, event, decision)
    [kept] = history.events("V-1", **EVER, known_at=LATER)
    assert (kept.kind, kept.reported_by) == (EventKind.BAIL_BREACHED, Agency.PROBATION)
    assert micros(kept.recorded_at) == micros(decision.decided_at)
    last = history.last_grade("V-1", known_at=LATER)
    assert last is not None
    assert (last.grade, last.decision_id) == (RiskGrade.HIGH, "EV-1")
    record(history, event)  # again, with no decision: nothing changes
    assert len(history.events("V-1", **EVER, known_at=LATER)) == 1


def test_the_view_clamps_grades_and_events_to_its_moment() -> None:
    history = InMemoryHistory()
    history.record_grade(GradeEntry("V", T, RiskGrade.HIGH, "I-1"))
    history.record_event(event_entry("E-1", T))
    view = HistoryView(history, known_at=T)
    assert view.last_grade("V") is None
    assert view.last_grade("V", known_at=LATER) is None  # a later moment is clamped
    assert view.events("V", **EVER) == ()
    later = HistoryView(history, known_at=T + MICRO)
    assert later.last_grade("V") is not None
    assert isinstance(later.events("V", **EVER), tuple)
    assert later.last_grade("V", known_at=T) is None  # an earlier one is honoured


# --- the same answers in memory and in SQLite ------------------------------------------------


def moments(steps: list[int]) -> st.SearchStrategy[datetime]:
    """Moments on a coarse grid around the repeated hour, so that ties are common."""
    return st.builds(
        lambda minute, micro, zone: (T + timedelta(minutes=minute, microseconds=micro)).astimezone(
            zone
        ),
        st.sampled_from([0, 1, 30, 60, 61]),
        st.sampled_from(steps),
        st.sampled_from(ZONES),
    )


victims = st.sampled_from(["V1", "V2"])
decision_ids = st.sampled_from(["I-1", "I-10", "I-9", "E-1", "é"])
delays = st.sampled_from([timedelta(0), MICRO, MINUTE, 30 * MINUTE])
grade_entries = st.builds(
    lambda victim, at, grade, did, delay: GradeEntry(
        victim, at, grade, did, recorded_at=at.astimezone(UTC) + delay
    ),
    victims,
    moments([0, 1]),
    st.sampled_from(RiskGrade),
    decision_ids,
    delays,
)
event_entries = st.builds(
    lambda eid, kind, victim, perpetrator, at, agency, order, delay: EventEntry(
        eid, kind, victim, perpetrator, at, agency, order, recorded_at=at.astimezone(UTC) + delay
    ),
    decision_ids,
    st.sampled_from(EventKind),
    victims,
    st.sampled_from(["S1", "S2"]),
    moments([0, 1]),
    st.sampled_from(Agency),
    st.none() | st.sampled_from(CivilOrder),
    delays | st.just(-MINUTE),
)


def exactly(value: Any) -> Any:
    """Entries with each time as (instant, offset): == is not the instant in London."""
    if isinstance(value, list | tuple):
        return [exactly(item) for item in value]
    if isinstance(value, GradeEntry | EventEntry):
        return tuple(
            (micros(v), v.utcoffset()) if isinstance(v, datetime) else v
            for v in attrs.astuple(value, recurse=False)
        )
    return value


@settings(max_examples=30)  # a fixed, modest count: each example opens an SQLite database
@given(
    st.lists(st.one_of(grade_entries, event_entries), min_size=1, max_size=25),
    st.lists(
        st.tuples(
            victims,
            moments([0, 1, -1]),
            moments([0, 1, -1]),
            moments([0, 1, -1]),
            st.none() | decision_ids,
            st.none() | st.sampled_from(["S1", "S2", "S3"]),
        ),
        min_size=1,
        max_size=10,
    ),
)
def test_grades_and_events_match_in_memory_and_sqlite(
    entries: list[GradeEntry | EventEntry], questions: list[tuple[Any, ...]]
) -> None:
    memory, sql = stores()
    for entry in entries:
        if isinstance(entry, GradeEntry):
            assert memory.record_grade(entry) == sql.record_grade(entry)
        else:
            assert memory.record_event(entry) == sql.record_event(entry)
    for victim, known, since, until, excluded, perpetrator in questions:
        ask: dict[str, Any] = {"known_at": known, "exclude": excluded}
        assert exactly(sql.last_grade(victim, **ask)) == exactly(memory.last_grade(victim, **ask))
        window: dict[str, Any] = {"since": since, "until": until, "perpetrator_id": perpetrator}
        found = sql.events(victim, **ask, **window)
        assert exactly(found) == exactly(memory.events(victim, **ask, **window))
        assert all(micros(e.recorded_at) < micros(known) for e in found)
