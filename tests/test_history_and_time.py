"""The victim history index and the calendar arithmetic its windows rely on."""

from __future__ import annotations

import importlib.util
import sys
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from types import ModuleType
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dapolicy import Destination, RelationshipKind, ValidationError
from dapolicy._time import add_local, months_before
from dapolicy.history import (
    CallEntry,
    History,
    HistoryEntry,
    InMemoryHistory,
    MaracReferralEntry,
    MutableHistory,
    record,
)
from dapolicy.models import Relationship


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

UTC = UTC
LONDON = ZoneInfo("Europe/London")
HOUR = timedelta(hours=1)
SECOND = timedelta(seconds=1)
T = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
#: A moment after everything these tests record: every entry is known by then.
LATER = datetime(2100, 1, 1, tzinfo=UTC)


def entry(iid: str, at: datetime, *, victim: str = "V", suspect: str = "S") -> HistoryEntry:
    return HistoryEntry(iid, victim, suspect, at)


def ids(entries: object) -> list[str]:
    return [e.incident_id for e in entries]  # type: ignore[attr-defined]


def history_of(*entries: HistoryEntry) -> InMemoryHistory:
    history = InMemoryHistory()
    for item in entries:
        history.record_incident(item)
    return history


# --- HistoryEntry and MaracReferralEntry ---------------------------------------------------


def test_history_entry_from_incident_keeps_ids_times_and_crime_flag() -> None:
    incident = h.make_incident("INC-9", crime=h.make_crime())
    # Known from when it was reported, unless told when (the decision's time).
    assert HistoryEntry.from_incident(incident) == HistoryEntry(
        "INC-9", "V-1", "S-1", h.T0, crime=True, recorded_at=incident.reported_at
    )
    later = incident.reported_at + HOUR
    assert HistoryEntry.from_incident(incident, recorded_at=later).recorded_at == later
    assert HistoryEntry.from_incident(h.make_incident("INC-8")).crime is False


def test_history_entry_rejects_blank_ids_and_naive_times() -> None:
    with pytest.raises(ValidationError) as excinfo:
        HistoryEntry(" ", "", "S", datetime(2024, 1, 1))
    assert [(e.path, e.message) for e in excinfo.value.errors] == [
        ("$.incident_id", "must not be empty"),
        ("$.victim_id", "must not be empty"),
        ("$.occurred_at", "naive datetime: a UTC offset or time zone is required"),
    ]


def test_marac_referral_entry_rejects_blank_ids_and_naive_times() -> None:
    with pytest.raises(ValidationError) as excinfo:
        MaracReferralEntry("V", "", datetime(2024, 1, 1), "")
    assert [e.path for e in excinfo.value.errors] == [
        "$.suspect_id",
        "$.referred_at",
        "$.incident_id",
    ]


def test_in_memory_history_satisfies_both_protocols() -> None:
    history = InMemoryHistory()
    assert isinstance(history, History)
    assert isinstance(history, MutableHistory)


# --- window queries ----------------------------------------------------------------------------


def test_window_bounds_are_inclusive_at_both_ends() -> None:
    history = history_of(
        entry("before", T - SECOND),
        entry("at-since", T),
        entry("middle", T + HOUR),
        entry("at-until", T + 2 * HOUR),
        entry("after", T + 2 * HOUR + SECOND),
    )
    found = history.incidents("V", since=T, until=T + 2 * HOUR, known_at=LATER)
    assert ids(found) == ["at-since", "middle", "at-until"]


def test_window_bounds_compare_instants_not_wall_clocks() -> None:
    # 13:00 BST is 12:00 UTC: the same instant as the window start.
    history = history_of(entry("bst", datetime(2024, 5, 1, 13, 0, tzinfo=LONDON)))
    assert ids(history.incidents("V", since=T, until=T, known_at=LATER)) == ["bst"]
    assert ids(history.incidents("V", since=T + SECOND, until=T + HOUR, known_at=LATER)) == []


def test_window_is_oldest_first_with_ties_broken_by_incident_id() -> None:
    history = history_of(entry("c", T + HOUR), entry("b", T), entry("a", T), entry("z", T - HOUR))
    assert ids(history.incidents("V", since=T - HOUR, until=T + HOUR, known_at=LATER)) == [
        "z",
        "a",
        "b",
        "c",
    ]


def test_suspect_filter_and_exclude() -> None:
    history = history_of(
        entry("1", T, suspect="S1"),
        entry("2", T + HOUR, suspect="S2"),
        entry("3", T + 2 * HOUR, suspect="S1"),
        entry("4", T + 3 * HOUR, victim="W", suspect="S1"),
    )
    window = {"since": T, "until": T + 3 * HOUR, "known_at": LATER}
    assert ids(history.incidents("V", **window)) == ["1", "2", "3"]
    assert ids(history.incidents("V", suspect_id="S1", **window)) == ["1", "3"]
    assert ids(history.incidents("V", suspect_id="S2", **window)) == ["2"]
    assert ids(history.incidents("V", suspect_id="S1", exclude="3", **window)) == ["1"]
    assert ids(history.incidents("V", exclude="2", **window)) == ["1", "3"]
    assert ids(history.incidents("W", **window)) == ["4"]
    assert ids(history.incidents("V", suspect_id="nobody", **window)) == []
    assert ids(history.incidents("unknown", **window)) == []


def test_duplicate_incidents_are_ignored_first_one_wins_for_each_victim() -> None:
    history = InMemoryHistory()
    assert history.record_incident(entry("1", T)) is True
    assert history.record_incident(entry("1", T)) is False
    assert history.record_incident(entry("1", T + HOUR)) is False  # the first time stays
    # Another victim of the same incident has it in their history too.
    assert history.record_incident(entry("1", T + HOUR, victim="W")) is True
    assert history.record_incident(entry("1", T, victim="W")) is False
    assert len(history) == 2
    window = {"since": T, "until": T + HOUR, "known_at": LATER}
    assert [e.occurred_at for e in history.incidents("V", **window)] == [T]
    assert [e.occurred_at for e in history.incidents("W", **window)] == [T + HOUR]


def test_repr_shows_counts_only() -> None:
    history = history_of(
        entry("INC-SECRET-1", T, victim="VICTIM-ID-1"),
        entry("INC-SECRET-2", T, victim="VICTIM-ID-2"),
        entry("INC-SECRET-3", T, victim="VICTIM-ID-2"),
    )
    text = repr(history)
    assert text.startswith("<InMemoryHistory incidents=3 victims=2")
    assert "SECRET" not in text
    assert "VICTIM-ID" not in text
    assert repr(InMemoryHistory()).startswith("<InMemoryHistory incidents=0 victims=0")


# --- MARAC referrals ---------------------------------------------------------------------------


def referral(at: datetime, iid: str, *, suspect: str = "S") -> MaracReferralEntry:
    return MaracReferralEntry("V", suspect, at, iid)


def test_last_marac_referral_is_the_latest_at_or_before_the_bound() -> None:
    history = InMemoryHistory()
    # Recorded out of order on purpose.
    for item in (referral(T + 2 * HOUR, "c"), referral(T, "a"), referral(T + HOUR, "b")):
        assert history.record_marac_referral(item) is True
    assert history.last_marac_referral("V", "S", before=T - SECOND, known_at=LATER) is None
    assert history.last_marac_referral("V", "S", before=T, known_at=LATER) == referral(T, "a")
    assert history.last_marac_referral(
        "V", "S", before=T + HOUR - SECOND, known_at=LATER
    ) == referral(T, "a")
    assert history.last_marac_referral("V", "S", before=T + HOUR, known_at=LATER) == referral(
        T + HOUR, "b"
    )
    assert history.last_marac_referral("V", "S", before=T + 9 * HOUR, known_at=LATER) == referral(
        T + 2 * HOUR, "c"
    )


def test_marac_referrals_are_per_victim_and_suspect_and_deduplicated() -> None:
    history = InMemoryHistory()
    assert history.record_marac_referral(referral(T, "a")) is True
    assert history.record_marac_referral(referral(T, "a")) is False
    # The same instant written in another zone is the same referral.
    assert history.record_marac_referral(referral(T.astimezone(LONDON), "a")) is False
    history.record_marac_referral(referral(T + HOUR, "b", suspect="S2"))
    assert history.last_marac_referral("V", "S", before=T + 2 * HOUR, known_at=LATER) == referral(
        T, "a"
    )
    assert history.last_marac_referral("V", "S2", before=T + 2 * HOUR, known_at=LATER) == referral(
        T + HOUR, "b", suspect="S2"
    )
    assert history.last_marac_referral("V", "S3", before=T + 2 * HOUR, known_at=LATER) is None
    assert history.last_marac_referral("W", "S", before=T + 2 * HOUR, known_at=LATER) is None
    assert len(history) == 0  # MARAC referrals are not incidents


def test_last_marac_referral_with_equal_times_does_not_depend_on_recording_order() -> None:
    first, second = InMemoryHistory(), InMemoryHistory()
    for item in (referral(T, "A"), referral(T, "B")):
        first.record_marac_referral(item)
    for item in (referral(T, "B"), referral(T, "A")):
        second.record_marac_referral(item)
    assert first.last_marac_referral(
        "V", "S", before=T, known_at=LATER
    ) == second.last_marac_referral("V", "S", before=T, known_at=LATER)


# --- calls (for repeat-caller and repeat-location checks) -------------------------------------


def test_calls_by_caller_and_by_location_with_inclusive_bounds_and_exclude() -> None:
    history = InMemoryHistory()
    assert history.record_call(CallEntry("C1", T, caller_id="P1", location_id="L1")) is True
    assert history.record_call(CallEntry("C2", T + HOUR, caller_id="P2", location_id="L1"))
    assert history.record_call(CallEntry("C3", T + 2 * HOUR, caller_id="P1"))
    assert history.record_call(CallEntry("C4", T + 3 * HOUR))  # anonymous, no location
    assert history.record_call(CallEntry("C1", T + HOUR, caller_id="P3")) is False
    window = {"since": T, "until": T + 2 * HOUR, "known_at": LATER}
    assert [c.call_id for c in history.calls(caller_id="P1", **window)] == ["C1", "C3"]
    assert [c.call_id for c in history.calls(location_id="L1", **window)] == ["C1", "C2"]
    assert [c.call_id for c in history.calls(location_id="L1", exclude="C2", **window)] == ["C1"]
    assert [
        c.call_id
        for c in history.calls(caller_id="P1", since=T + SECOND, until=T + HOUR, known_at=LATER)
    ] == []
    assert history.calls(caller_id="P3", **window) == ()
    assert len(history) == 0  # calls are not incidents


@pytest.mark.parametrize("ids", [{}, {"caller_id": "P1", "location_id": "L1"}])
def test_calls_needs_exactly_one_of_caller_and_location(ids: dict[str, str]) -> None:
    with pytest.raises(ValueError, match="exactly one of caller_id and location_id"):
        InMemoryHistory().calls(since=T, until=T, **ids, known_at=LATER)


# --- record() ------------------------------------------------------------------------------------


def test_record_adds_the_incident_and_the_decisions_marac_referral_once() -> None:
    policy = h.make_policy()
    history = InMemoryHistory()
    incident = h.make_incident("INC-1")
    decision = policy.assess(
        incident, h.dash_form(incident, yes=range(1, 15)), history=history, now=h.T0 + HOUR
    )
    assert Destination.MARAC in decision.referred_to()
    record(history, incident, decision)
    record(history, incident, decision)  # idempotent
    assert len(history) == 1
    assert history.last_marac_referral("V-1", "S-1", before=h.T0 + 2 * HOUR, known_at=LATER) == (
        MaracReferralEntry("V-1", "S-1", h.T0 + HOUR, "INC-1")
    )


def test_record_without_a_decision_or_marac_referral_adds_only_the_incident() -> None:
    history = InMemoryHistory()
    incident = h.make_incident("INC-1")
    record(history, incident)
    decision = h.make_policy().assess(incident, h.dash_form(incident), now=incident.reported_at)
    assert Destination.MARAC not in decision.referred_to()
    second = h.make_incident("INC-2", at=h.T0 + HOUR)
    decision = h.make_policy().assess(second, h.dash_form(second), now=second.reported_at)
    assert Destination.MARAC not in decision.referred_to()
    record(history, second, decision)
    assert len(history) == 2
    assert (
        history.last_marac_referral("V-1", "S-1", before=h.T0 + 9 * HOUR, known_at=LATER) is None
    )


def test_record_skips_incidents_that_are_not_domestic() -> None:
    history = InMemoryHistory()
    neighbour = h.make_incident("INC-N", relationship=Relationship(RelationshipKind.OTHER))
    record(history, neighbour)
    assert len(history) == 0
    # Child-safeguarding and undetermined cases may be domestic abuse: they are kept.
    record(history, h.make_incident("INC-C", victim_born=date(2015, 1, 1)))
    record(history, h.make_incident("INC-U", victim_born=None))
    assert len(history) == 2


# --- months_before and add_local --------------------------------------------------------------


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]


def london(*args: int, fold: int = 0) -> datetime:
    return datetime(*args, tzinfo=LONDON, fold=fold)  # type: ignore[misc]


@pytest.mark.parametrize(
    ("moment", "months", "expected_utc"),
    [
        # same offset at both ends
        (london(2024, 6, 15, 10, 0), 12, utc(2023, 6, 15, 9, 0)),
        (london(2024, 1, 15, 10, 0), 12, utc(2023, 1, 15, 10, 0)),
        # GMT now, BST a year earlier (BST began 26 March 2023, 31 March 2024)
        (london(2024, 3, 28, 12, 0), 12, utc(2023, 3, 28, 11, 0)),
        # BST now, GMT a month earlier
        (london(2024, 4, 15, 12, 0), 1, utc(2024, 3, 15, 12, 0)),
        # year roll-over
        (london(2024, 1, 15, 8, 30), 1, utc(2023, 12, 15, 8, 30)),
        (london(2024, 1, 15, 8, 30), 13, utc(2022, 12, 15, 8, 30)),
        # clamping to the earlier month's last day
        (london(2024, 2, 29, 12, 0), 12, utc(2023, 2, 28, 12, 0)),
        (london(2024, 3, 31, 12, 0), 1, utc(2024, 2, 29, 12, 0)),
        (london(2023, 3, 31, 12, 0), 1, utc(2023, 2, 28, 12, 0)),
        (london(2024, 5, 31, 12, 0), 1, utc(2024, 4, 30, 11, 0)),
        # an instant given in UTC is read on the London wall clock (01:30 BST, 1 July)
        (utc(2024, 7, 1, 0, 30), 1, utc(2024, 6, 1, 0, 30)),
        # the spring gap: 01:30 on 31 March 2024 does not exist -> 02:30 BST
        (london(2025, 3, 31, 1, 30), 12, utc(2024, 3, 31, 1, 30)),
        (london(2024, 5, 31, 1, 30), 2, utc(2024, 3, 31, 1, 30)),
        # the autumn overlap: 01:30 on 27 October 2024 happens twice -> the first (BST)
        (london(2024, 11, 27, 1, 30), 1, utc(2024, 10, 27, 0, 30)),
    ],
)
def test_months_before(moment: datetime, months: int, expected_utc: datetime) -> None:
    result = months_before(moment, months)
    assert result.astimezone(UTC) == expected_utc
    assert result.tzinfo is LONDON


def test_months_before_in_the_spring_gap_moves_the_wall_clock_forward() -> None:
    result = months_before(london(2025, 3, 31, 1, 30), 12)
    assert (result.hour, result.minute, result.utcoffset()) == (2, 30, HOUR)


def test_months_before_in_the_autumn_overlap_takes_bst() -> None:
    result = months_before(london(2024, 11, 27, 1, 30), 1)
    assert (result.hour, result.minute, result.utcoffset()) == (1, 30, HOUR)


@pytest.mark.parametrize(
    ("start", "days", "hours", "expected_utc"),
    [
        # the module's own example: 28 days after 22:40 on 20 March is 22:40 on 17 April
        (utc(2024, 3, 20, 22, 40), 28, 0, utc(2024, 4, 17, 21, 40)),
        # one local day across the spring change is 23 hours ...
        (london(2024, 3, 30, 12, 0), 1, 0, utc(2024, 3, 31, 11, 0)),
        # ... and across the autumn change 25 hours
        (london(2024, 10, 26, 12, 0), 1, 0, utc(2024, 10, 27, 12, 0)),
        # hours are elapsed hours, whatever the clocks do
        (utc(2024, 3, 30, 22, 40), 0, 24, utc(2024, 3, 31, 22, 40)),
        (utc(2024, 3, 31, 0, 30), 0, 1, utc(2024, 3, 31, 1, 30)),
        (utc(2024, 10, 27, 0, 30), 0, 1.5, utc(2024, 10, 27, 2, 0)),
        # days, then hours
        (london(2024, 3, 30, 12, 0), 1, 2, utc(2024, 3, 31, 13, 0)),
        # a wall time the clocks skip moves forward an hour (never earlier)
        (london(2024, 3, 30, 1, 30), 1, 0, utc(2024, 3, 31, 1, 30)),
        # an ambiguous wall time is its first (BST) occurrence
        (london(2024, 10, 26, 1, 30), 1, 0, utc(2024, 10, 27, 0, 30)),
        # nothing added: the same instant
        (utc(2024, 6, 1, 12, 0), 0, 0, utc(2024, 6, 1, 12, 0)),
    ],
)
def test_add_local(start: datetime, days: int, hours: float, expected_utc: datetime) -> None:
    result = add_local(start, days=days, hours=hours)
    assert result.astimezone(UTC) == expected_utc
    assert result.tzinfo is LONDON


def test_add_local_days_keep_the_wall_clock_time_across_the_change() -> None:
    result = add_local(utc(2024, 3, 20, 22, 40), days=28)
    assert (result.date(), result.hour, result.minute) == (date(2024, 4, 17), 22, 40)


# --- property tests ----------------------------------------------------------------------------

ZONES = st.sampled_from([UTC, LONDON, timezone(timedelta(hours=-5)), timezone(HOUR * 5.5)])
# A realistic range of instants.
MOMENTS = st.datetimes(
    min_value=datetime(2022, 1, 1), max_value=datetime(2026, 12, 31), timezones=ZONES
)
ENTRIES = st.builds(
    HistoryEntry,
    incident_id=st.text("abcdef", min_size=1, max_size=2),
    victim_id=st.sampled_from(["V1", "V2"]),
    suspect_id=st.sampled_from(["S1", "S2"]),
    occurred_at=MOMENTS,
)


def brute_force(
    entries: list[HistoryEntry],
    victim: str,
    since: datetime,
    until: datetime,
    suspect: str | None,
    exclude: str | None,
) -> list[HistoryEntry]:
    first: dict[tuple[str, str], HistoryEntry] = {}
    for item in entries:  # an incident is one victim's: the first of each (id, victim)
        first.setdefault((item.incident_id, item.victim_id), item)
    chosen = [
        e
        for e in first.values()
        if e.victim_id == victim
        and (suspect is None or e.suspect_id == suspect)
        and e.incident_id != exclude
        and since.astimezone(UTC) <= e.occurred_at.astimezone(UTC) <= until.astimezone(UTC)
    ]
    return sorted(chosen, key=lambda e: (e.occurred_at.astimezone(UTC), e.incident_id))


@given(
    entries=st.lists(ENTRIES, max_size=25),
    victim=st.sampled_from(["V1", "V2", "V3"]),
    since=MOMENTS,
    span=st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=800)),
    suspect=st.none() | st.sampled_from(["S1", "S2"]),
    exclude=st.none() | st.text("abcdef", min_size=1, max_size=2),
)
def test_window_query_equals_a_brute_force_filter(
    entries: list[HistoryEntry],
    victim: str,
    since: datetime,
    span: timedelta,
    suspect: str | None,
    exclude: str | None,
) -> None:
    history = history_of(*entries)
    until = since + span
    found = history.incidents(
        victim, since=since, until=until, suspect_id=suspect, exclude=exclude, known_at=LATER
    )
    assert list(found) == brute_force(entries, victim, since, until, suspect, exclude)
    assert len(history) == len({(e.incident_id, e.victim_id) for e in entries})


UNIQUE_ENTRIES = st.lists(ENTRIES, max_size=15, unique_by=lambda e: e.incident_id)


@given(data=st.data(), entries=UNIQUE_ENTRIES, since=MOMENTS, until=MOMENTS)
def test_recording_order_does_not_change_query_results(
    data: st.DataObject, entries: list[HistoryEntry], since: datetime, until: datetime
) -> None:
    shuffled = data.draw(st.permutations(entries))
    one, two = history_of(*entries), history_of(*shuffled)
    for victim in ("V1", "V2"):
        for suspect in (None, "S1", "S2"):
            assert list(
                one.incidents(victim, since=since, until=until, suspect_id=suspect, known_at=LATER)
            ) == (
                list(
                    two.incidents(
                        victim, since=since, until=until, suspect_id=suspect, known_at=LATER
                    )
                )
            )


REFERRALS = st.lists(
    st.builds(
        MaracReferralEntry,
        victim_id=st.just("V"),
        suspect_id=st.sampled_from(["S1", "S2"]),
        referred_at=MOMENTS,
        incident_id=st.text("abc", min_size=1, max_size=2),
    ),
    max_size=10,
    # Distinct instants (equal ones are tested above).
    unique_by=lambda r: r.referred_at.astimezone(UTC),
)


@given(data=st.data(), referrals=REFERRALS, before=MOMENTS)
def test_last_marac_referral_equals_brute_force_in_any_order(
    data: st.DataObject, referrals: list[MaracReferralEntry], before: datetime
) -> None:
    history = InMemoryHistory()
    for item in data.draw(st.permutations(referrals)):
        history.record_marac_referral(item)
    for suspect in ("S1", "S2"):
        earlier = [
            r
            for r in referrals
            if r.suspect_id == suspect and r.referred_at.astimezone(UTC) <= before
        ]
        expected = max(earlier, key=lambda r: r.referred_at.astimezone(UTC), default=None)
        assert history.last_marac_referral("V", suspect, before=before, known_at=LATER) == expected


@given(moment=MOMENTS, months=st.integers(min_value=1, max_value=36))
def test_months_before_is_earlier_by_about_that_many_months(moment: datetime, months: int) -> None:
    start = months_before(moment, months)
    elapsed = moment.astimezone(UTC) - start.astimezone(UTC)
    assert timedelta(days=28 * months - 4) <= elapsed <= timedelta(days=31 * months + 1)


@given(moment=MOMENTS, hours=st.integers(min_value=0, max_value=24 * 400))
def test_add_local_hours_are_elapsed_hours(moment: datetime, hours: int) -> None:
    # (aware datetimes in one zone subtract by wall clock: compare in UTC)
    later = add_local(moment, hours=hours)
    assert later.astimezone(UTC) - moment.astimezone(UTC) == timedelta(hours=hours)


@given(moment=MOMENTS, days=st.integers(min_value=1, max_value=400))
def test_add_local_days_are_never_more_than_an_hour_off_24_hours_a_day(
    moment: datetime, days: int
) -> None:
    elapsed = add_local(moment, days=days).astimezone(UTC) - moment.astimezone(UTC)
    assert abs(elapsed - timedelta(days=days)) <= HOUR


# --- known edge-case bugs ------------------------------------------------------------------------


def test_incident_at_until_is_found_whatever_its_id() -> None:
    history = history_of(entry("\U0010ffffX", T))
    assert ids(history.incidents("V", since=T, until=T, known_at=LATER)) == ["\U0010ffffX"]


def test_window_start_is_exact_to_the_microsecond_in_the_far_future() -> None:
    far = datetime(2200, 12, 31, 22, tzinfo=UTC)  # the last year a date-time may be in
    history = history_of(entry("a", far))
    assert (
        ids(
            history.incidents(
                "V", since=far + timedelta(microseconds=1), until=far + HOUR, known_at=LATER
            )
        )
        == []
    )
