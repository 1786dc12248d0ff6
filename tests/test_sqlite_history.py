"""The persistent victim history: same answers as InMemoryHistory, kept safely on disk."""

from __future__ import annotations

import importlib.util
import sqlite3
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from types import ModuleType
from typing import Any
from zoneinfo import ZoneInfo

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from dapolicy import (
    DapolicyError,
    Decision,
    Destination,
    Relationship,
    RelationshipKind,
    sqlite_history,
)
from dapolicy.history import (
    CallEntry,
    History,
    HistoryEntry,
    InMemoryHistory,
    MaracReferralEntry,
    MutableHistory,
    record,
)
from dapolicy.models._base import micros
from dapolicy.sqlite_history import SCHEMA_VERSION, HistoryError, SQLiteHistory


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

T = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
DAY = timedelta(days=1)
MINUTE = timedelta(minutes=1)
MICRO = timedelta(microseconds=1)
PLUS_ONE = timezone(timedelta(hours=1))
LONDON = ZoneInfo("Europe/London")
LATER = datetime(2100, 1, 1, tzinfo=UTC)
EVER = {"since": datetime(2000, 1, 1, tzinfo=UTC), "until": LATER, "known_at": LATER}


def entry(iid: str, at: datetime = T, *, victim: str = "V", suspect: str = "S") -> HistoryEntry:
    return HistoryEntry(iid, victim, suspect, at)


def ids(entries: Any) -> list[str]:
    return [e.incident_id for e in entries]


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "history.db"


@pytest.fixture
def history(path: Path) -> Iterator[SQLiteHistory]:
    with SQLiteHistory(path) as opened:
        yield opened


def raw(path: Path, *statements: str) -> list[Any]:
    """Run SQL on the file behind dapolicy's back; the last statement's rows."""
    connection = sqlite3.connect(path, isolation_level=None)
    try:
        rows: list[Any] = []
        for statement in statements:
            rows = connection.execute(statement).fetchall()
        return rows
    finally:
        connection.close()


# --- the protocol and the file --------------------------------------------------------------


def test_is_a_mutable_history_and_history_error_is_a_dapolicy_error(
    history: SQLiteHistory,
) -> None:
    assert isinstance(history, MutableHistory)
    assert isinstance(history, History)
    assert issubclass(HistoryError, DapolicyError)


def test_a_new_file_gets_the_schema_in_wal_mode(history: SQLiteHistory, path: Path) -> None:
    assert path.exists()
    assert history.path == path
    assert raw(path, "PRAGMA journal_mode") == [("wal",)]
    assert raw(path, "SELECT version FROM dapolicy_schema") == [(SCHEMA_VERSION,)]
    assert len(history) == 0


def test_an_empty_existing_file_is_made_a_history(path: Path) -> None:
    path.touch()
    with SQLiteHistory(str(path)) as history:
        assert history.record_incident(entry("I-1"))
        assert len(history) == 1


def test_only_ids_and_times_are_stored(history: SQLiteHistory, path: Path) -> None:
    columns = {
        (table, column)
        for (table,) in raw(path, "SELECT name FROM sqlite_master WHERE type = 'table'")
        for (_, column, *_) in raw(path, f"PRAGMA table_info({table})")
    }
    names = {column for _, column in columns}
    assert names == {
        "version",
        "incident_id",
        "victim_id",
        "suspect_id",
        "occurred_us",
        "occurred_at",
        "crime",
        "referred_us",
        "referred_at",
        "call_id",
        "received_us",
        "received_at",
        "caller_id",
        "location_id",
        "recorded_us",  # the second clock: when the force knew it
        "recorded_at",
        # Schema 3: grades and events, ids, times and enum values only.
        "graded_us",
        "graded_at",
        "decision_id",
        "grade",
        "event_id",
        "kind",
        "perpetrator_id",
        "reported_by",
        "order_breached",
    }


@pytest.mark.parametrize(
    ("query", "parameters"),
    [
        (sqlite_history._INCIDENTS_OF_VICTIM, ("V", 0, 1, 2, None)),
        (sqlite_history._INCIDENTS_OF_PAIR, ("V", "S", 0, 1, 2, "I-1")),
        (sqlite_history._COUNT_OF_VICTIM, ("V", 0, 1, 2, None)),
        (sqlite_history._COUNT_OF_PAIR, ("V", "S", 0, 1, 2, "I-1")),
        (sqlite_history._LAST_MARAC, ("V", "S", 1, 2, "I-1")),
        (sqlite_history._CALLS_OF["caller_id"], ("P", 0, 1, 2, None)),
        (sqlite_history._CALLS_OF["location_id"], ("L", 0, 1, 2, None)),
        (sqlite_history._LAST_GRADE, ("V", 2, "I-1")),
        (sqlite_history._EVENTS_OF_VICTIM, ("V", 0, 1, 2, None, "S", "S")),
    ],
)
def test_every_lookup_is_an_index_search_with_no_sort(
    history: SQLiteHistory, query: str, parameters: tuple[object, ...]
) -> None:
    connection = history._connection
    assert connection is not None
    [(_, _, _, plan)] = connection.execute("EXPLAIN QUERY PLAN " + query, parameters)
    assert plan.startswith("SEARCH ")
    assert "USING INDEX" in plan or "USING PRIMARY KEY" in plan


def test_repr_shows_the_file_name_and_counts_only(path: Path) -> None:
    history = SQLiteHistory(path)
    history.record_incident(entry("INC-SECRET", victim="VICTIM-SECRET"))
    history.record_incident(entry("INC-2", victim="VICTIM-SECRET"))
    history.record_call(CallEntry("CALL-1", T, caller_id="CALLER-SECRET"))
    history.record_marac_referral(MaracReferralEntry("VICTIM-SECRET", "S", T, "INC-2"))
    assert repr(history) == (
        "<SQLiteHistory 'history.db' incidents=2 victims=1 calls=1 marac_referrals=1>"
    )
    history.close()
    assert repr(history) == "<SQLiteHistory 'history.db' closed>"


# --- what is kept -----------------------------------------------------------------------------


def test_everything_survives_close_and_reopen_with_its_utc_offset(path: Path) -> None:
    local = datetime(2024, 7, 1, 9, 30, 15, 123456, tzinfo=PLUS_ONE)
    first = HistoryEntry("I-1", "V", "S", local, crime=True)
    referral = MaracReferralEntry("V", "S", local + DAY, "I-1")
    call = CallEntry("C-1", local, caller_id="P", location_id="L")
    with SQLiteHistory(path) as history:
        assert history.record_incident(first)
        assert history.record_incident(entry("I-2", victim="W"))
        assert history.record_marac_referral(referral)
        assert history.record_call(call)
    with SQLiteHistory(path) as history:
        assert len(history) == 2
        [kept] = history.incidents("V", **EVER)
        assert kept == first
        assert kept.occurred_at.utcoffset() == timedelta(hours=1)
        assert kept.occurred_at.isoformat() == "2024-07-01T09:30:15.123456+01:00"
        assert kept.crime is True
        assert (
            history.last_marac_referral("V", "S", before=local + DAY, known_at=LATER) == referral
        )
        assert history.calls(**EVER, caller_id="P") == [call]
        assert history.calls(**EVER, location_id="L") == [call]


def test_a_zoneinfo_time_comes_back_as_the_same_instant_with_a_fixed_offset(
    history: SQLiteHistory,
) -> None:
    # 01:30 on the night the clocks go back happens twice; fold=1 is the second, GMT.
    second = datetime(2024, 10, 27, 1, 30, fold=1, tzinfo=LONDON)
    history.record_incident(entry("I-1", second))
    [kept] = history.incidents("V", **EVER)
    assert kept.occurred_at.utcoffset() == timedelta(0)
    assert kept.occurred_at.astimezone(UTC) == second.astimezone(UTC)
    assert kept.occurred_at.replace(tzinfo=None) == second.replace(tzinfo=None)
    assert history.incidents("V", since=second, until=second, known_at=LATER) == [kept]
    first = second.replace(fold=0)  # BST, an hour earlier
    assert history.incidents("V", since=first, until=first, known_at=LATER) == []


def test_recording_again_changes_nothing_even_after_reopening(path: Path) -> None:
    items = (entry("I-1"), MaracReferralEntry("V", "S", T, "I-1"), CallEntry("C-1", T, "P"))
    with SQLiteHistory(path) as history:
        assert history.record_incident(items[0])
        assert history.record_marac_referral(items[1])
        assert history.record_call(items[2])
        assert not history.record_incident(items[0])
        # The same incident and victim at another time: the first stays.
        assert not history.record_incident(entry("I-1", T + DAY))
        assert not history.record_marac_referral(items[1])
        # The same instant written in another offset is the same referral.
        assert not history.record_marac_referral(
            MaracReferralEntry("V", "S", T.astimezone(PLUS_ONE), "I-1")
        )
        assert not history.record_call(CallEntry("C-1", T + DAY, "Q"))
        before = repr(history)
    with SQLiteHistory(path) as history:
        assert not history.record_incident(items[0])
        assert not history.record_marac_referral(items[1])
        assert not history.record_call(items[2])
        assert repr(history) == before
        assert [e.occurred_at for e in history.incidents("V", **EVER)] == [T]


def test_the_latest_referral_is_found_by_instant_then_incident_id(
    history: SQLiteHistory,
) -> None:
    history.record_marac_referral(MaracReferralEntry("V", "S", T, "I-b"))
    history.record_marac_referral(MaracReferralEntry("V", "S", T.astimezone(PLUS_ONE), "I-a"))
    history.record_marac_referral(MaracReferralEntry("V", "S", T - DAY, "I-c"))

    def latest(before: datetime, exclude: str | None = None) -> str | None:
        found = history.last_marac_referral(
            "V", "S", before=before, exclude=exclude, known_at=LATER
        )
        return None if found is None else found.incident_id

    assert latest(T) == "I-b"  # not the order recorded in
    assert latest(T + DAY, exclude="I-b") == "I-a"
    assert latest(T - MICRO) == "I-c"
    assert latest(T - DAY, exclude="I-c") is None
    assert latest(T - 2 * DAY) is None
    assert history.last_marac_referral("V", "X", before=T, known_at=LATER) is None


def test_two_referrals_an_hour_apart_in_the_repeated_hour_are_two_referrals(
    history: SQLiteHistory,
) -> None:
    bst = datetime(2024, 10, 27, 1, 30, tzinfo=LONDON)  # 00:30 UTC
    gmt = bst.replace(fold=1)  # 01:30 UTC: the same wall clock, an hour later
    assert bst == gmt  # Python's == ignores fold within one zone
    assert history.record_marac_referral(MaracReferralEntry("V", "S", bst, "I-1"))
    assert history.record_marac_referral(MaracReferralEntry("V", "S", gmt, "I-1"))
    # (In UTC: arithmetic on a London time is wall-clock arithmetic in Python.)
    found = history.last_marac_referral(
        "V", "S", before=bst.astimezone(UTC) + 59 * MINUTE, known_at=LATER
    )
    assert found is not None
    assert micros(found.referred_at) == micros(bst)
    found = history.last_marac_referral("V", "S", before=gmt, known_at=LATER)
    assert found is not None
    assert micros(found.referred_at) == micros(gmt)
    assert repr(history).endswith("marac_referrals=2>")


def test_windows_are_inclusive_exact_to_the_microsecond_and_exclude_by_id(
    history: SQLiteHistory,
) -> None:
    for iid, at in (("I-1", T - MICRO), ("I-2", T), ("I-3", T + DAY), ("I-4", T + DAY + MICRO)):
        history.record_incident(entry(iid, at))
    assert ids(history.incidents("V", since=T, until=T + DAY, known_at=LATER)) == ["I-2", "I-3"]
    assert ids(history.incidents("V", since=T, until=T + DAY, exclude="I-3", known_at=LATER)) == [
        "I-2"
    ]
    assert history.incidents("V", since=T + DAY, until=T, known_at=LATER) == []
    assert history.incidents("nobody", **EVER) == []


def test_the_same_series_gives_the_same_decisions_as_in_memory_and_again_on_a_rerun(
    path: Path,
) -> None:
    policy = h.make_policy()
    start = datetime(2024, 1, 10, 20, 0, tzinfo=LONDON)
    series = [
        h.make_incident(f"INC-{n}", at=start + n * timedelta(days=45), crime=None)
        for n in range(8)
    ]

    def run(history: MutableHistory) -> list[Decision]:
        decisions = []
        for incident in series:
            form = h.dash_form(incident, yes=(1, 2))
            decision = policy.assess(incident, form, history=history, now=incident.reported_at)
            record(history, incident, decision)
            decisions.append(decision)
        return decisions

    def marac(decisions: list[Decision]) -> list[bool]:
        return [Destination.MARAC in d.referred_to() for d in decisions]

    in_memory = run(InMemoryHistory())
    assert any(marac(in_memory))  # the series escalates: the test means something
    with SQLiteHistory(path) as history:
        assert run(history) == in_memory
        counts = repr(history)
    with SQLiteHistory(path) as history:  # tomorrow's run re-reads the same input
        with history.transaction():
            assert run(history) == in_memory
        assert repr(history) == counts


def test_an_incident_that_is_not_domestic_abuse_is_not_recorded(history: SQLiteHistory) -> None:
    stranger = h.make_incident("INC-1", relationship=Relationship(RelationshipKind.OTHER))
    record(history, stranger)
    assert len(history) == 0


# --- the same answers as InMemoryHistory ----------------------------------------------------

FIXED = [UTC, PLUS_ONE, timezone(-timedelta(hours=5, minutes=30))]
#: 00:30-01:45 UTC on the night the clocks go back: London's 01:00-02:00 happens twice.
BASE = datetime(2024, 10, 27, 0, 30, tzinfo=UTC)


def times(zones: list[Any], minutes: list[int], steps: list[int]) -> st.SearchStrategy[datetime]:
    """Moments on a coarse grid (so that ties are common), in one of ``zones``."""
    return st.builds(
        lambda minute, micro, zone: (
            BASE + timedelta(minutes=minute, microseconds=micro)
        ).astimezone(zone),
        st.sampled_from(minutes),
        st.sampled_from(steps),
        st.sampled_from(zones),
    )


any_time = times([*FIXED, LONDON], [0, 1, 15, 29, 30, 31, 45, 59, 60, 61, 75], [0, 1, 999_999])
id_texts = st.one_of(
    st.sampled_from(["A", "B", "a", "é", "I-10", "I-9", "Z\x00"]),
    st.text(st.characters(exclude_categories=("Cs",)), min_size=1, max_size=3).filter(str.strip),
)
people = st.sampled_from(["V1", "V2"])
incident_entries = st.builds(HistoryEntry, id_texts, people, people, any_time, st.booleans())
# Fixed offsets only: InMemoryHistory tells MARAC referrals apart with datetime ==, which
# in London's repeated hour is not the instant (see test_two_referrals_an_hour_apart_...).
marac_entries = st.builds(
    MaracReferralEntry, people, people, times(FIXED, [0, 30, 60], [0, 1]), id_texts
)
maybe = st.one_of(st.none(), st.sampled_from(["P1", "P2", ""]))
call_entries = st.builds(CallEntry, id_texts, any_time, maybe, maybe)


def known_later(entries: st.SearchStrategy[Any], own: str) -> st.SearchStrategy[Any]:
    """Entries recorded at their own time or later (ties with other times are common)."""
    return st.builds(
        lambda item, delay, zone: attrs.evolve(
            item, recorded_at=(getattr(item, own) + delay).astimezone(zone)
        ),
        entries,
        st.sampled_from([timedelta(0), MICRO, MINUTE, 15 * MINUTE, 30 * MINUTE, DAY]),
        st.sampled_from([*FIXED, LONDON]),
    )


incident_entries = known_later(incident_entries, "occurred_at")
marac_entries = known_later(marac_entries, "referred_at")
call_entries = known_later(call_entries, "received_at")
operations = st.lists(
    st.one_of(
        st.tuples(st.just("incident"), incident_entries),
        st.tuples(st.just("marac"), marac_entries),
        st.tuples(st.just("call"), call_entries),
    ),
    min_size=4,
    max_size=40,
)


def seen(values: list[Any], absent: Any) -> st.SearchStrategy[Any]:
    """A value seen in the history (the commoner, the likelier), now and then ``absent``."""
    return st.sampled_from([*values, absent])


def maybe_seen(values: list[Any]) -> st.SearchStrategy[Any]:
    """None half the time, else a value seen in the history."""
    return st.none() | st.sampled_from(values or [None])


def near(moments: list[datetime]) -> st.SearchStrategy[datetime]:
    """A recorded moment (or BASE), or a microsecond either side, in any of the zones."""
    return st.builds(
        lambda moment, step, zone: (moment.astimezone(UTC) + step * MICRO).astimezone(zone),
        st.sampled_from([*moments, BASE]),
        st.sampled_from([0, 0, -1, 1]),
        st.sampled_from([*FIXED, LONDON]),
    )


def windows(moments: list[datetime]) -> st.SearchStrategy[tuple[datetime, datetime]]:
    """(since, until) around recorded moments; now and then the wrong way round."""
    return st.builds(
        lambda a, b, ordered: tuple(sorted((a, b), key=micros)) if ordered else (a, b),
        near(moments),
        near(moments),
        st.sampled_from([True, True, True, False]),
    )


def exactly(value: Any) -> Any:
    """An entry (or a list of them, or an error text) with each time as (instant, offset).

    Python's == on datetimes is not the instant in London's repeated hour, so compare
    what a history must keep: the exact instant and the UTC offset it was given in.
    """
    if isinstance(value, list | tuple):
        return [exactly(item) for item in value]
    if isinstance(value, HistoryEntry | MaracReferralEntry | CallEntry):
        return tuple(
            (micros(v), v.utcoffset()) if isinstance(v, datetime) else v
            for v in attrs.astuple(value, recurse=False)
        )
    return value


def _record(history: MutableHistory, kind: str, item: Any) -> bool:
    if kind == "incident":
        return history.record_incident(item)
    if kind == "marac":
        return history.record_marac_referral(item)
    return history.record_call(item)


def _calls(history: History, query: tuple[Any, ...]) -> Any:
    since, until, known, caller, location, exclude = query
    try:
        return list(
            history.calls(
                since=since,
                until=until,
                known_at=known,
                caller_id=caller,
                location_id=location,
                exclude=exclude,
            )
        )
    except ValueError as exc:
        return str(exc)


@given(operations, st.booleans(), st.data())
def test_answers_match_in_memory_history(
    ops: list[tuple[str, Any]], in_one_transaction: bool, data: st.DataObject
) -> None:
    # The same SQL runs on a file; ":memory:" spares each example the file's fsyncs.
    memory = InMemoryHistory()
    with SQLiteHistory(":memory:") as sql:
        if in_one_transaction:
            with sql.transaction():
                added = [_record(sql, kind, item) for kind, item in ops]
        else:
            added = [_record(sql, kind, item) for kind, item in ops]
        assert added == [_record(memory, kind, item) for kind, item in ops]
        assert len(sql) == len(memory)
        assert repr(memory).split(" ", 1)[1].rstrip(">") in repr(sql)

        # Questions about what is there: its people, ids and times (and their edges).
        items = [item for _, item in ops]
        incidents = [i for i in items if isinstance(i, HistoryEntry)]
        referrals = [i for i in items if isinstance(i, MaracReferralEntry)]
        calls = [i for i in items if isinstance(i, CallEntry)]
        callers = [c.caller_id for c in calls if c.caller_id is not None]
        locations = [c.location_id for c in calls if c.location_id is not None]
        # Moments of knowledge on, and a microsecond either side of, every recorded_at.
        known = near([i.recorded_at for i in items])
        incident_questions = st.tuples(
            seen([i.victim_id for i in incidents], "V-none"),
            windows([i.occurred_at for i in incidents]),
            known,
            maybe_seen([i.suspect_id for i in incidents]),
            maybe_seen([i.incident_id for i in incidents]),
        )
        marac_questions = st.tuples(
            seen([(r.victim_id, r.suspect_id) for r in referrals], ("V", "S")),
            near([r.referred_at for r in referrals]),
            known,
            maybe_seen([r.incident_id for r in referrals]),
        )
        call_questions = st.tuples(
            windows([c.received_at for c in calls]),
            known,
            st.tuples(seen(callers, "P-none"), st.none())
            | st.tuples(st.none(), seen(locations, "L-none"))
            | st.tuples(maybe_seen(callers), maybe_seen(locations)),
            maybe_seen([c.call_id for c in calls]),
        )
        questions = data.draw(
            st.lists(st.tuples(incident_questions, marac_questions, call_questions), min_size=1)
        )
        for (victim, (since, until), moment, suspect, excluded), marac, call in questions:
            window = {
                "since": since,
                "until": until,
                "known_at": moment,
                "suspect_id": suspect,
                "exclude": excluded,
            }
            found = sql.incidents(victim, **window)
            assert exactly(found) == exactly(memory.incidents(victim, **window))
            assert sql.count_incidents(victim, **window) == len(found)
            assert memory.count_incidents(victim, **window) == len(found)
            assert all(micros(e.recorded_at) < micros(moment) for e in found)
            (victim, suspect), before, moment, excluded = marac
            ask = {"before": before, "known_at": moment, "exclude": excluded}
            assert exactly(sql.last_marac_referral(victim, suspect, **ask)) == exactly(
                memory.last_marac_referral(victim, suspect, **ask)
            )
            (since, until), moment, (caller, location), excluded = call
            query = (since, until, moment, caller, location, excluded)
            assert exactly(_calls(sql, query)) == exactly(_calls(memory, query))


# --- transactions -------------------------------------------------------------------------------


class Boom(Exception):
    pass


def fail_in_a_transaction(history: SQLiteHistory, *iids: str, inner: bool = False) -> None:
    """Record ``iids`` in a transaction (in a nested one too if ``inner``), then raise."""
    with history.transaction() as same:
        assert same is history
        for iid in iids:
            history.record_incident(entry(iid))
        if inner:
            with history.transaction():
                history.record_incident(entry(f"{iids[0]}-inner"))
        raise Boom


def fail_in_a_transaction_after_closing(history: SQLiteHistory) -> None:
    with history.transaction():
        history.record_incident(entry("I-1"))
        history.close()
        raise Boom


def record_in_a_transaction(history: SQLiteHistory, *entries: HistoryEntry) -> None:
    with history.transaction():
        for item in entries:
            history.record_incident(item)


def test_an_exception_in_a_transaction_keeps_nothing_of_it(history: SQLiteHistory) -> None:
    history.record_incident(entry("I-0"))

    def chunk() -> None:
        with history.transaction():
            history.record_incident(entry("I-1"))
            history.record_marac_referral(MaracReferralEntry("V", "S", T, "I-1"))
            history.record_call(CallEntry("C-1", T, "P"))
            assert ids(history.incidents("V", **EVER)) == ["I-0", "I-1"]  # its own writes
            raise Boom

    with pytest.raises(Boom):
        chunk()
    assert ids(history.incidents("V", **EVER)) == ["I-0"]
    assert history.last_marac_referral("V", "S", before=T, known_at=LATER) is None
    assert history.calls(**EVER, caller_id="P") == []
    with history.transaction():  # and the next transaction starts cleanly
        assert history.record_incident(entry("I-1"))
    assert len(history) == 2


def test_a_transaction_inside_a_transaction_is_a_savepoint(history: SQLiteHistory) -> None:
    with history.transaction():
        history.record_incident(entry("I-1"))
        with pytest.raises(Boom):
            fail_in_a_transaction(history, "I-2")
        with history.transaction():
            history.record_incident(entry("I-3"))
        assert ids(history.incidents("V", **EVER)) == ["I-1", "I-3"]
    assert ids(history.incidents("V", **EVER)) == ["I-1", "I-3"]
    with pytest.raises(Boom):
        fail_in_a_transaction(history, "I-4", inner=True)
    assert ids(history.incidents("V", **EVER)) == ["I-1", "I-3"]


def test_writes_outside_a_transaction_are_committed_at_once(path: Path) -> None:
    with SQLiteHistory(path) as writer, SQLiteHistory(path) as reader:
        writer.record_incident(entry("I-1"))
        assert ids(reader.incidents("V", **EVER)) == ["I-1"]
        with writer.transaction():
            writer.record_incident(entry("I-2"))
            assert ids(reader.incidents("V", **EVER)) == ["I-1"]  # not yet committed
        assert ids(reader.incidents("V", **EVER)) == ["I-1", "I-2"]


def test_a_second_writer_waits_then_says_the_history_is_in_use(path: Path) -> None:
    with SQLiteHistory(path) as writer, SQLiteHistory(path, busy_timeout=0) as other:
        with writer.transaction():
            writer.record_incident(entry("I-1"))
            with pytest.raises(HistoryError, match="in use by another process") as excinfo:
                other.record_incident(entry("I-2"))
            assert str(path) in str(excinfo.value)
            with pytest.raises(HistoryError, match="in use"):
                record_in_a_transaction(other, entry("I-2"))
            assert other.incidents("V", **EVER) == []  # reading still works
        assert other.record_incident(entry("I-2"))
        with other.transaction():  # the failed BEGIN left no transaction behind
            other.record_incident(entry("I-3"))
        assert len(writer) == 3


class _FailingCommit:
    """A connection whose COMMIT fails, as on a full disk."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        self.connection = connection

    def execute(self, sql: str, parameters: Any = ()) -> sqlite3.Cursor:
        if sql == "COMMIT":
            raise sqlite3.OperationalError("disk I/O error")
        return self.connection.execute(sql, parameters)

    def close(self) -> None:
        self.connection.close()


def test_a_failed_commit_keeps_nothing_and_says_why(history: SQLiteHistory) -> None:
    real = history._connection
    assert real is not None
    history._connection = _FailingCommit(real)  # type: ignore[assignment]
    with pytest.raises(HistoryError, match=r"cannot be used \(disk I/O error\)"):
        record_in_a_transaction(history, entry("I-1"))
    assert not real.in_transaction
    history._connection = real
    assert len(history) == 0


def test_closing_inside_a_transaction_rolls_it_back(path: Path) -> None:
    history = SQLiteHistory(path)

    def chunk() -> None:
        with history.transaction():
            history.record_incident(entry("I-1"))
            history.close()

    with pytest.raises(HistoryError, match="is closed"):
        chunk()
    history = SQLiteHistory(path)
    with pytest.raises(Boom):  # the block's own exception, not the failed rollback's
        fail_in_a_transaction_after_closing(history)
    with SQLiteHistory(path) as reopened:
        assert len(reopened) == 0


# --- refusing what is not a history -----------------------------------------------------------


def test_a_file_that_is_not_a_database_is_refused(path: Path) -> None:
    path.write_bytes(b"victim,suspect\n" * 100)
    with pytest.raises(HistoryError) as excinfo:
        SQLiteHistory(path)
    assert str(excinfo.value) == (
        f"history file {str(path)!r} is not a dapolicy history database (file is not a database)"
    )


def test_another_sqlite_database_is_refused_and_left_as_it_was(path: Path) -> None:
    raw(path, "CREATE TABLE people (name TEXT)", "INSERT INTO people VALUES ('x')")
    before = path.read_bytes()
    with pytest.raises(HistoryError, match=r"not a dapolicy history database .*other tables"):
        SQLiteHistory(path)
    assert path.read_bytes() == before
    assert raw(path, "PRAGMA journal_mode") == [("delete",)]  # not switched to WAL


def test_a_history_from_a_newer_dapolicy_is_refused(path: Path) -> None:
    SQLiteHistory(path).close()
    raw(path, "UPDATE dapolicy_schema SET version = 99")
    with pytest.raises(HistoryError) as excinfo:
        SQLiteHistory(path)
    message = str(excinfo.value)
    assert str(path) in message
    assert "newer dapolicy (schema version 99; this dapolicy reads version 4)" in message


@pytest.mark.parametrize(
    "damage",
    [
        "UPDATE dapolicy_schema SET version = 0",
        "UPDATE dapolicy_schema SET version = 'two'",
        "DELETE FROM dapolicy_schema",
        "INSERT INTO dapolicy_schema VALUES (2)",
    ],
)
def test_an_unknown_schema_version_is_refused(path: Path, damage: str) -> None:
    SQLiteHistory(path).close()
    raw(path, damage)
    with pytest.raises(HistoryError, match="unknown schema version"):
        SQLiteHistory(path)


def test_a_file_that_cannot_be_opened_is_reported(tmp_path: Path) -> None:
    missing = tmp_path / "no-such-folder" / "history.db"
    with pytest.raises(HistoryError, match=r"cannot be used.*No such file or directory"):
        SQLiteHistory(missing)


def test_bad_arguments(history: SQLiteHistory) -> None:
    with pytest.raises(ValueError, match="busy_timeout"):
        SQLiteHistory(history.path, busy_timeout=-1)
    with pytest.raises(ValueError, match="exactly one"):
        history.calls(**EVER)
    with pytest.raises(ValueError, match="exactly one"):
        history.calls(**EVER, caller_id="P", location_id="L")
    with pytest.raises(ValueError, match="since must be a datetime with a UTC offset"):
        history.incidents("V", since=datetime(2024, 1, 1), until=T, known_at=LATER)
    with pytest.raises(ValueError, match="before must be"):
        history.last_marac_referral("V", "S", before=datetime(2024, 1, 1), known_at=LATER)


def test_an_id_that_is_not_unicode_text_is_refused_clearly(history: SQLiteHistory) -> None:
    with pytest.raises(HistoryError, match="lone surrogate"):
        history.record_incident(entry("I-\ud800"))
    assert len(history) == 0


def test_a_closed_history_says_so(history: SQLiteHistory) -> None:
    history.close()
    history.close()
    with pytest.raises(HistoryError, match="is closed"):
        history.record_incident(entry("I-1"))
    with pytest.raises(HistoryError, match="is closed"):
        len(history)


# --- other processes and crashes --------------------------------------------------------------

PRELUDE = """
import os, sqlite3, sys, time
from datetime import UTC, datetime
from dapolicy.history import HistoryEntry, MaracReferralEntry
from dapolicy._sqlite_schema import SCHEMA_V4 as _SCHEMA
from dapolicy.sqlite_history import SQLiteHistory
T = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
path = sys.argv[1]
"""

#: Holds the write lock, with one uncommitted incident, until told to go on.
HOLD_LOCK = """
with SQLiteHistory(path) as history, history.transaction():
    history.record_incident(HistoryEntry("I-held", "V", "S", T))
    print("locked", flush=True)
    sys.stdin.readline()
"""

#: Records one incident, then dies half-way through a chunk.
CRASH = """
history = SQLiteHistory(path)
history.record_incident(HistoryEntry("I-0", "V", "S", T))
with history.transaction():
    for n in range(1, 200):
        history.record_incident(HistoryEntry(f"I-{n}", "V", "S", T))
    history.record_marac_referral(MaracReferralEntry("V", "S", T, "I-1"))
    os._exit(3)
"""

#: A database with no tables yet whose write lock is held.
HOLD_EMPTY = """
connection = sqlite3.connect(path, isolation_level=None)
connection.execute("PRAGMA journal_mode = WAL")
connection.execute("BEGIN IMMEDIATE")
print("locked", flush=True)
sys.stdin.readline()
"""

#: Another process creating the same new history, committing a moment later.
CREATE_SLOWLY = """
connection = sqlite3.connect(path, isolation_level=None)
connection.execute("PRAGMA journal_mode = WAL")
connection.execute("BEGIN IMMEDIATE")
for statement in _SCHEMA:
    connection.execute(statement)
print("locked", flush=True)
time.sleep(0.5)
connection.execute("COMMIT")
"""


def _python(script: str, path: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(PRELUDE + script), str(path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


@contextmanager
def another_process(script: str, path: Path) -> Iterator[subprocess.Popen[str]]:
    """Run ``script`` in another process; go on once it prints "locked"."""
    process = _python(script, path)
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        assert line == "locked\n", process.communicate()[1]
        yield process
    finally:
        process.communicate(None if process.poll() is not None else "go\n", timeout=20)


def test_another_process_holding_the_write_lock(path: Path) -> None:
    with SQLiteHistory(path) as history:
        history.record_incident(entry("I-1"))
    # Opening and reading need no lock (WAL); the held chunk is not visible yet.
    with another_process(HOLD_LOCK, path), SQLiteHistory(path, busy_timeout=0.05) as other:
        assert ids(other.incidents("V", **EVER)) == ["I-1"]
        with pytest.raises(HistoryError, match="in use by another process"):
            other.record_incident(entry("I-2"))
        with pytest.raises(HistoryError, match=r"not released within 0\.05 s"):
            record_in_a_transaction(other, entry("I-2"))
    with SQLiteHistory(path) as history:
        assert ids(history.incidents("V", **EVER)) == ["I-1", "I-held"]


def test_a_killed_writer_leaves_nothing_of_its_chunk_and_frees_the_lock(path: Path) -> None:
    SQLiteHistory(path).close()
    with another_process(HOLD_LOCK, path) as process:
        process.kill()
        process.wait(timeout=20)
    with SQLiteHistory(path, busy_timeout=1) as history:
        assert len(history) == 0
        assert history.record_incident(entry("I-held"))


def test_a_process_dying_mid_transaction_leaves_a_consistent_history(path: Path) -> None:
    process = _python(CRASH, path)
    _, errors = process.communicate(timeout=20)
    assert process.returncode == 3, errors
    assert raw(path, "PRAGMA integrity_check") == [("ok",)]
    with SQLiteHistory(path) as history:
        assert ids(history.incidents("V", **EVER)) == ["I-0"]
        assert history.last_marac_referral("V", "S", before=T, known_at=LATER) is None
        # Re-running the same input is safe: what was kept is not counted twice.
        with history.transaction():
            assert not history.record_incident(entry("I-0"))
            assert all(history.record_incident(entry(f"I-{n}")) for n in range(1, 200))
        assert len(history) == 200


def test_creating_a_history_waits_for_another_process_holding_the_lock(path: Path) -> None:
    with another_process(HOLD_EMPTY, path), pytest.raises(HistoryError, match="in use"):
        SQLiteHistory(path, busy_timeout=0.05)
    with SQLiteHistory(path) as history:  # once released, it is created
        assert len(history) == 0


def test_two_processes_creating_one_history_do_not_clash(path: Path) -> None:
    with another_process(CREATE_SLOWLY, path), SQLiteHistory(path, busy_timeout=10) as history:
        assert history.record_incident(entry("I-1"))
    assert raw(path, "SELECT version FROM dapolicy_schema") == [(SCHEMA_VERSION,)]
