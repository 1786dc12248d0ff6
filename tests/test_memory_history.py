"""The in-memory history kept compact: the same answers as a plain list of entries.

InMemoryHistory keeps ids as numbers and times as integers (``dapolicy._history_ids``,
``dapolicy._history_store``) and makes an entry again only when a query returns it. Every
answer must be what the plain reading of the History protocol gives, entry for entry and
character for character (``repr``: the same types, the same offsets and zone names), for
any ids (non-ASCII, a lone surrogate, a ``str`` subclass) and any aware times (folded,
named zones, odd offsets): a reference history written the obvious way is the judge.
"""

from __future__ import annotations

import contextlib
import copy
import json
import os
import pickle
import tracemalloc
import warnings
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from types import SimpleNamespace
from typing import Any
from zoneinfo import ZoneInfo

import attrs
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from dapolicy import _history_columns, _history_store
from dapolicy._history_entries import grade_entry, referral_entry
from dapolicy._history_ids import Ids, rows, with_row
from dapolicy.errors import ValidationError
from dapolicy.history import (
    CallEntry,
    EventEntry,
    GradeEntry,
    HistoryEntry,
    InMemoryHistory,
    MaracReferralEntry,
)
from dapolicy.models import Agency, CivilOrder, EventKind, RiskGrade
from dapolicy.models._base import micros

BASE = datetime(2024, 10, 27, 0, 30, tzinfo=UTC)
MICRO = timedelta(microseconds=1)
NEVER = datetime(9999, 12, 30, tzinfo=UTC)


class Tagged(str):
    """An id of a str subclass: it must come back as itself."""

    __slots__ = ()


def _zone(offset: timedelta, name: str | None) -> timezone:
    return timezone(offset) if name is None else timezone(offset, name)


zones = st.builds(
    _zone,
    st.sampled_from(
        [timedelta(0), timedelta(hours=1), -timedelta(hours=5, minutes=30), timedelta(seconds=1)]
    ),
    st.sampled_from([None, None, None, "BST"]),
)
times = st.builds(
    lambda minutes, micro, zone, fold: (
        (BASE + timedelta(minutes=minutes, microseconds=micro)).astimezone(zone).replace(fold=fold)
    ),
    st.sampled_from([0, 0, 1, 30, 60, 61, 24 * 60]),
    st.sampled_from([0, 1, 999_999]),
    zones,
    st.sampled_from([0, 0, 0, 1]),
)
texts = st.sampled_from(["A", "B", "é-1", "\ud800", "A" * 300]) | st.builds(
    Tagged, st.sampled_from(["A", "B"])
)
people = st.sampled_from(["V1", "V2", "P1"]) | st.builds(Tagged, st.just("V1"))
maybe_people = st.none() | people
delays = st.sampled_from([timedelta(0), MICRO, timedelta(minutes=30), timedelta(days=1)])


def _later(entry: Any, own: str, delay: timedelta, zone: timezone) -> Any:
    return attrs.evolve(entry, recorded_at=(getattr(entry, own) + delay).astimezone(zone))


def known_later(entries: st.SearchStrategy[Any], own: str) -> st.SearchStrategy[Any]:
    """Entries recorded at their own time or later, in any zone."""
    return st.builds(_later, entries, st.just(own), delays, zones)


incidents = known_later(
    st.builds(HistoryEntry, texts, people, people, times, st.booleans() | st.just(1)),
    "occurred_at",
)
calls = known_later(st.builds(CallEntry, texts, times, maybe_people, maybe_people), "received_at")
referrals = known_later(st.builds(MaracReferralEntry, people, people, times, texts), "referred_at")
grades = known_later(
    st.builds(GradeEntry, people, times, st.sampled_from(RiskGrade), texts), "graded_at"
)
events = st.builds(
    lambda entry, delay, zone: attrs.evolve(
        entry, recorded_at=(entry.occurred_at + delay).astimezone(zone)
    ),
    st.builds(
        EventEntry,
        texts,
        st.sampled_from(EventKind),
        people,
        people,
        times,
        st.sampled_from(Agency),
        st.none() | st.sampled_from(CivilOrder),
    ),
    delays | st.just(-timedelta(days=1)),  # an event may be known before it happens
    zones,
)
operations = st.lists(incidents | calls | referrals | grades | events, max_size=30)


def _canonical(moment: datetime) -> datetime:
    """A time as a grade or an event comes back: its instant at a plain fixed offset."""
    offset = moment.utcoffset()
    assert offset is not None
    return (datetime(1970, 1, 1, tzinfo=UTC) + micros(moment) * MICRO).astimezone(timezone(offset))


class Reference:
    """The History protocol read the plain way: lists of entries, filtered and sorted."""

    def __init__(self) -> None:
        self.kept: dict[str, list[Any]] = {"i": [], "c": [], "m": [], "g": [], "e": []}

    def record(self, entry: Any) -> bool:
        kind, key = {
            HistoryEntry: ("i", lambda e: (e.incident_id, e.victim_id)),
            CallEntry: ("c", lambda e: e.call_id),
            MaracReferralEntry: (
                "m",
                lambda e: (e.victim_id, e.suspect_id, micros(e.referred_at), e.incident_id),
            ),
            GradeEntry: ("g", lambda e: (e.victim_id, micros(e.graded_at), e.decision_id)),
            EventEntry: ("e", lambda e: e.event_id),
        }[type(entry)]
        if any(key(other) == key(entry) for other in self.kept[kind]):
            return False
        if kind == "g":
            fields = {"graded_at": _canonical(entry.graded_at)}
            entry = attrs.evolve(entry, **fields, recorded_at=_canonical(entry.recorded_at))
        if kind == "e":
            fields = {"occurred_at": _canonical(entry.occurred_at)}
            entry = attrs.evolve(entry, **fields, recorded_at=_canonical(entry.recorded_at))
        self.kept[kind].append(entry)
        return True

    def answers(self, ask: dict[str, Any]) -> list[Any]:
        known, since, until = micros(ask["known"]), micros(ask["since"]), micros(ask["until"])

        def seen(entry: Any, at: datetime) -> bool:
            return since <= micros(at) <= until and micros(entry.recorded_at) < known

        victim, other, exclude = ask["victim"], ask["other"], ask["exclude"]
        found = [
            e
            for e in self.kept["i"]
            if e.victim_id == victim
            and seen(e, e.occurred_at)
            and other in (None, e.suspect_id)
            and e.incident_id != exclude
        ]
        by_time = sorted(found, key=lambda e: (micros(e.occurred_at), e.incident_id))
        answers: list[Any] = [by_time, len(by_time)]
        for field in ("caller_id", "location_id"):
            found = [
                e
                for e in self.kept["c"]
                if getattr(e, field) == victim and seen(e, e.received_at) and e.call_id != exclude
            ]
            answers.append(sorted(found, key=lambda e: (micros(e.received_at), e.call_id)))
        before = [
            e
            for e in self.kept["m"]
            if (e.victim_id, e.suspect_id) == (victim, other)
            and micros(e.referred_at) <= until
            and micros(e.recorded_at) < known
            and e.incident_id != exclude
        ]
        answers.append(
            max(before, key=lambda e: (micros(e.referred_at), e.incident_id), default=None)
        )
        graded = [
            e
            for e in self.kept["g"]
            if e.victim_id == victim and micros(e.recorded_at) < known and e.decision_id != exclude
        ]
        last = max(graded, key=lambda e: (micros(e.graded_at), e.decision_id), default=None)
        answers.append(None if last is None else attrs.evolve(last, victim_id=victim))
        found = [
            e
            for e in self.kept["e"]
            if e.victim_id == victim
            and seen(e, e.occurred_at)
            and other in (None, e.perpetrator_id)
            and e.event_id != exclude
        ]
        found.sort(key=lambda e: (micros(e.occurred_at), e.event_id))
        answers.append([attrs.evolve(e, victim_id=victim) for e in found])
        return answers


def ask_memory(history: InMemoryHistory, ask: dict[str, Any]) -> list[Any]:
    window = {"since": ask["since"], "until": ask["until"], "known_at": ask["known"]}
    victim, other, exclude = ask["victim"], ask["other"], ask["exclude"]
    answers: list[Any] = [
        list(history.incidents(victim, **window, suspect_id=other, exclude=exclude)),
        # Counted from the rows, no entry made: the number of incidents just given.
        history.count_incidents(victim, **window, suspect_id=other, exclude=exclude),
        list(history.calls(**window, caller_id=victim, exclude=exclude)),
        list(history.calls(**window, location_id=victim, exclude=exclude)),
        history.last_marac_referral(
            victim, other, before=ask["until"], known_at=ask["known"], exclude=exclude
        )
        if other is not None
        else None,
        history.last_grade(victim, known_at=ask["known"], exclude=exclude),
        list(history.events(victim, **window, perpetrator_id=other, exclude=exclude)),
    ]
    return answers


def exactly(value: Any) -> Any:
    """What must be the same: each entry's repr (types, offsets, names, folds) and instants."""
    if isinstance(value, list):
        return [exactly(item) for item in value]
    if value is None or type(value) is int:  # (a count)
        return value
    return (
        repr(value),
        type(value),
        [
            (micros(v), v.utcoffset(), v.tzname(), v.fold) if isinstance(v, datetime) else type(v)
            for v in attrs.astuple(value, recurse=False)
        ],
    )


asks = st.fixed_dictionaries(
    {
        "victim": people,
        "other": maybe_people,
        "exclude": st.none() | texts,
        "since": times,
        "until": times | st.just(NEVER),
        "known": times | st.just(NEVER),
    }
)


class Promoting(InMemoryHistory):
    """A key's rows made a sorted blob past two postings, not 24: both forms are tested."""

    SMALL = 2


@contextlib.contextmanager
def columns_mapped_from(size: int) -> Iterator[None]:
    """Every column past ``size`` bytes a map of its own (64 KiB outside), for a while."""
    before, _history_columns.LARGE = _history_columns.LARGE, size
    try:
        yield
    finally:
        _history_columns.LARGE = before


def _incident_ids(history: InMemoryHistory, victim: str) -> list[str]:
    span = {"since": BASE, "until": BASE + timedelta(days=3650)}
    return [e.incident_id for e in history.incidents(victim, **span, known_at=span["until"])]


@pytest.mark.skipif(not hasattr(os, "fork"), reason="this system has no fork")
def test_a_forked_process_keeps_a_history_of_its_own() -> None:
    """A history inherited through fork is each process's own, its maps copied on write.

    A force's baseline loaded once and then forked into a pool: with shared maps the
    child's case and the parent's were written into the same pages, so each process
    lost its own and saw the other's (a victim's incidents from another partition).
    """
    with columns_mapped_from(64):
        history = InMemoryHistory()
        for i in range(200):
            at = BASE + timedelta(minutes=i)
            history.record_incident(HistoryEntry(f"INC-{i}", f"V-{i}", f"S-{i}", at))
        answer_r, answer_w = os.pipe()
        go_r, go_w = os.pipe()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)  # fork beside threads, 3.12+
            pid = os.fork()
        if pid == 0:  # pragma: no cover - the child, which only answers through the pipe
            try:
                at = BASE + timedelta(days=100)
                history.record_incident(HistoryEntry("INC-CHILD", "V-CHILD", "S-CHILD", at))
                os.read(go_r, 1)  # the parent has recorded its own case meanwhile
                seen = [_incident_ids(history, "V-CHILD"), _incident_ids(history, "V-PARENT")]
                os.write(answer_w, json.dumps([*seen, len(history)]).encode())
            finally:
                os._exit(0)
        os.close(answer_w)
        at = BASE + timedelta(days=200)
        history.record_incident(HistoryEntry("INC-PARENT", "V-PARENT", "S-PARENT", at))
        os.write(go_w, b"x")
        with os.fdopen(answer_r, "rb") as answer:
            child = json.loads(answer.read() or b"null")
        os.waitpid(pid, 0)
        for fd in (go_r, go_w):
            os.close(fd)
        assert child == [["INC-CHILD"], [], 201]
        assert _incident_ids(history, "V-PARENT") == ["INC-PARENT"]
        assert _incident_ids(history, "V-CHILD") == []
        assert _incident_ids(history, "V-7") == ["INC-7"]


def _recorders(history: InMemoryHistory) -> dict[type, Any]:
    """Each kind of entry's record method."""
    return {
        HistoryEntry: history.record_incident,
        CallEntry: history.record_call,
        MaracReferralEntry: history.record_marac_referral,
        GradeEntry: history.record_grade,
        EventEntry: history.record_event,
    }


@given(operations, st.lists(asks, min_size=1, max_size=8), st.booleans())
def test_every_answer_is_the_plain_reading_of_what_was_recorded(
    entries: list[Any], questions: list[dict[str, Any]], early: bool
) -> None:
    # Early: rows made blobs past two postings, and columns maps of their own past 64
    # bytes (a few rows), so that both forms of each are read, grown and pickled.
    with columns_mapped_from(64 if early else _history_columns.LARGE):
        _answers_are_the_plain_reading(entries, questions, early)


def _answers_are_the_plain_reading(
    entries: list[Any], questions: list[dict[str, Any]], early: bool
) -> None:
    history, reference = (Promoting() if early else InMemoryHistory()), Reference()
    recorded = _recorders(history)
    for n, entry in enumerate(entries):
        assert recorded[type(entry)](entry) == reference.record(entry)
        # Asked between records too: a key asked about is kept, and each row filed
        # under it then put in its place (see HistoryStore._rows).
        ask = questions[n % len(questions)]
        assert exactly(ask_memory(history, ask)) == exactly(reference.answers(ask))
    assert len(history) == len(reference.kept["i"])
    again = pickle.loads(pickle.dumps(history))
    for ask in questions:
        expected = exactly(reference.answers(ask))
        assert exactly(ask_memory(history, ask)) == expected
        assert exactly(ask_memory(again, ask)) == expected  # hashes differ: tables rebuilt


def test_the_rows_kept_of_keys_asked_about_are_few_whatever_the_historys_size() -> None:
    """A decision's victim stays kept while it is asked about; no more than 64 keys are."""
    history, span = InMemoryHistory(), {"since": BASE - MICRO, "until": NEVER, "known_at": NEVER}
    for v in range(400):
        for k in range(3):
            at = BASE + (3 * v + k) * MICRO
            history.record_incident(HistoryEntry(f"I{v}-{k}", f"V{v}", f"S{v}", at))
        assert history.count_incidents(f"V{v}", **span) == 3
        assert history.count_incidents("V0", **span) == 3  # asked all along
        kept = len(history._recent) + len(history._recent_old)
        assert kept <= 2 * _history_store._RECENT
    history.record_incident(HistoryEntry("I0-3", "V0", "S0", BASE - MICRO))  # put in place
    assert [e.incident_id for e in history.incidents("V0", **span)] == [
        "I0-3",
        "I0-0",
        "I0-1",
        "I0-2",
    ]
    assert history.count_incidents("V0", **span, exclude="I0-1") == 3


def test_a_victim_with_hundreds_of_incidents_at_one_instant_and_many_others() -> None:
    # Past 16 rows a window is found by binary search; past 255 a key's rows take the
    # long form. Ties in time are ordered by id, whatever order they were recorded in.
    history = InMemoryHistory()
    ids = [f"I-{n:03d}" for n in range(300)]
    for n, iid in enumerate(reversed(ids)):
        at = BASE + (n % 3) * timedelta(days=1)
        assert history.record_incident(HistoryEntry(iid, "V", f"S{n % 2}", at))
        history.record_call(CallEntry(f"C-{n}", at, "V", "L"))
    everything = {"since": BASE, "until": NEVER, "known_at": NEVER}
    found = history.incidents("V", **everything)
    assert [(micros(e.occurred_at), e.incident_id) for e in found] == sorted(
        (micros(e.occurred_at), e.incident_id) for e in found
    )
    assert len(found) == 300
    assert len(history.incidents("V", **everything, suspect_id="S1")) == 150
    day = {"since": BASE + timedelta(days=1), "until": BASE + timedelta(days=1)}
    assert len(history.incidents("V", **day, known_at=NEVER)) == 100
    assert len(history.calls(**day, known_at=NEVER, location_id="L")) == 100
    assert not history.record_incident(HistoryEntry("I-000", "V", "S", BASE))
    # Another victim of the same incident: it is in their history too.
    assert history.record_incident(HistoryEntry("I-000", "W", "S", BASE))
    assert not history.record_incident(HistoryEntry("I-000", "W", "S", BASE))
    assert repr(history) == "<InMemoryHistory incidents=301 victims=2 calls=300>"
    assert len(history.incidents("V", **everything)) == 300


def test_the_ids_table_doubles_when_it_fills() -> None:
    # 60 % full, it grows to twice its size (30 % full); it grew to four times, and kept up
    # to 13 bytes an id more than it needed.
    ids = Ids()
    for n in range(30_000):
        ids.add(f"INC-{n:06d}")
    assert len(ids._table) == 2**16  # 30,000 ids: 46 % full (four times: 2**17, 23 %)
    assert [ids.find(f"INC-{n:06d}") for n in (0, 29_999)] == [0, 29_999]
    copied = copy.deepcopy(ids)  # rebuilt from the texts: 30 % full at most
    assert len(copied._table) == 2**17
    assert copied.find("INC-012345") == 12_345


@pytest.mark.parametrize("mapped_from", [_history_columns.LARGE, 64])
def test_ids_are_numbered_once_and_come_back_as_they_went_in(mapped_from: int) -> None:
    # From 64 bytes: texts, ends and table maps of their own from the first ids on (a
    # map rounded up to pages had room the table did not use, and filled it for ever).
    with columns_mapped_from(mapped_from):
        ids = Ids()
        words = [f"id-{n}" for n in range(5000)] + ["", "\ud800", "é", "\U0001f600" * 50]
        assert [ids.add(word) for word in words] == list(range(len(words)))
        assert [ids.add(word) for word in reversed(words)] == list(reversed(range(len(words))))
        assert [ids.text(n) for n in range(len(words))] == words
        assert ids.find("id-5000") == -1
        copied = copy.deepcopy(ids)
        assert [copied.find(word) for word in words] == list(range(len(words)))
        assert len(ids) == len(copied) == len(words)


def test_a_key_blob_keeps_each_section_in_order() -> None:
    blob = None
    expected: dict[int, list[int]] = {section: [] for section in range(6)}
    for row in range(400):
        section, position = row * 7 % 6, row % 3
        position = min(position, len(expected[section]))
        blob = with_row(blob, section, position, row)
        expected[section].insert(position, row)
        assert {s: list(rows(blob, s)) for s in range(6)} == expected
    assert isinstance(blob, bytes)
    assert blob[0] == 255  # the long form, past 254 rows


def _grown(fill: Any) -> tuple[InMemoryHistory, int]:
    """A history filled by ``fill``, and the bytes it kept (no entries made again held)."""
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        history = InMemoryHistory()
        fill(history)
        history._built.clear()
        history._found.clear()
        # Its large columns are maps of their own, which tracing allocations does not see.
        grown = tracemalloc.get_traced_memory()[0] - before + history._mapped()
    finally:
        tracemalloc.stop()
    return history, grown


def test_the_history_keeps_under_300_bytes_an_incident() -> None:
    # bench_batch's per-incident figure, smaller: victims with two incidents each.
    def fill(history: InMemoryHistory) -> None:
        for v in range(2000):
            for k in range(2):
                entry = HistoryEntry(f"I{v}-{k}", f"V{v:07d}", f"S{v:07d}", BASE + k * MICRO)
                history.record_incident(entry)

    history, grown = _grown(fill)
    assert len(history) == 4000
    assert grown / 4000 <= 300


def test_a_batch_record_keeps_under_260_bytes() -> None:
    # What a batch records for a case (bench_batch's per-record figure, smaller): an
    # incident, its call (caller the victim, a location), a grade and, for some, a MARAC
    # referral. Each key's rows are postings in one shared list (8 bytes a row filed), a
    # suspect, with no rows of its own, costs its id's text and number only, and a call's,
    # grade's or referral's time known (its own time) is not kept twice.
    def fill(history: InMemoryHistory) -> None:
        for n in range(1500):
            victim, at = f"V-{n % 1000:06d}", BASE + n * timedelta(minutes=7)
            incident, suspect = f"SYN-INC-{n:06d}", f"S-{n:06d}"
            history.record_incident(HistoryEntry(incident, victim, suspect, at))
            history.record_call(CallEntry(f"SYN-CALL-{n:06d}", at, victim, f"L-{n:06d}"))
            history.record_grade(GradeEntry(victim, at, RiskGrade.MEDIUM, incident))
            if n % 5 == 0:
                history.record_marac_referral(MaracReferralEntry(victim, suspect, at, incident))

    history, grown = _grown(fill)
    assert len(history) == 1500
    assert grown / 1500 <= 260  # 240 (a buffer per key, a table four times the size: 332)


class _Ambiguous:
    """A flag whose truth cannot be told, as pandas' ``NA`` in a nullable column."""

    def __bool__(self) -> bool:
        raise TypeError("the truth of this flag is ambiguous")


def test_an_odd_crime_flag_is_kept_as_given_and_leaves_every_other_row_as_it_was() -> None:
    """``HistoryEntry`` does not check ``crime``: an entry with an odd flag is kept as
    given, as the plain history keeps it; recording it must not fail half way (its
    times appended, its other columns not), which once gave the next victim's incident
    another incident's id and suspect."""
    history = InMemoryHistory()
    window = {"since": BASE - timedelta(days=1), "until": BASE + timedelta(days=1)}
    odd = HistoryEntry("I1", "V", "S", BASE, _Ambiguous())  # type: ignore[arg-type]
    assert history.record_incident(odd) is True
    later = [
        HistoryEntry("I2", "W", "S2", BASE + timedelta(hours=1), True),
        HistoryEntry("I3", "X", "S3", BASE + timedelta(hours=2), False),
    ]
    for entry in later:
        assert history.record_incident(entry) is True
    assert len(history) == 3
    assert history.incidents("V", **window, known_at=NEVER)[0] is odd
    for entry in later:
        got = history.incidents(entry.victim_id, **window, known_at=NEVER)
        assert exactly(got) == exactly([entry])
        suspect = entry.suspect_id
        assert history.incidents(entry.victim_id, **window, known_at=NEVER, suspect_id=suspect)


@pytest.mark.parametrize("field", ["caller_id", "location_id"])
def test_a_call_entry_refuses_a_caller_or_location_that_is_not_text(field: str) -> None:
    """Both stores once disagreed: SQLite stored a number as text, the compact store
    raised TypeError. Now the entry is refused, by field, never quoting the value."""
    with pytest.raises(ValidationError) as caught:
        CallEntry("C1", BASE, **{field: 447700900001})  # type: ignore[arg-type]
    assert [(e.path, e.message) for e in caught.value.errors] == [
        (f"$.{field}", "must be a string")
    ]
    assert "447700900001" not in str(caught.value)
    assert CallEntry("C1", BASE, **{field: ""}).call_id == "C1"  # blank: as a Call gives it


# Mostly sound parts (the fast way), now and then one that an entry's checks refuse.
sound_ids = st.sampled_from(["A", "B", "é-1", "\ud800"])
odd_ids = st.one_of(sound_ids, sound_ids, sound_ids, st.sampled_from(["", "  ", None, 7]), texts)
odd_times = st.one_of(
    times,
    times,
    times,
    times,
    st.builds(lambda t: t.replace(tzinfo=None), times),  # naive
    st.builds(lambda t: t.replace(year=1850), times),  # outside the supported years
    st.builds(lambda t: t.astimezone(ZoneInfo("Europe/London")), times),
    st.just("2024-10-27"),
)


def _outcome(make: Any) -> Any:
    try:
        entry = make()
    except ValidationError as error:
        return "refused", str(error), [(e.path, e.message) for e in error.errors]
    return exactly(entry)


@settings(max_examples=200)  # cheap examples; refusals of sound-looking parts are rare
@given(odd_ids, odd_ids, odd_ids, odd_times, odd_times, st.sampled_from(RiskGrade))
@example("A", "B", "C", BASE + MICRO, BASE, RiskGrade.HIGH)  # known before it happened
@example("A", 7, "C", BASE, BASE, RiskGrade.HIGH)  # a caller (victim) that is not text
@example("A", "B", "  ", BASE, BASE, RiskGrade.HIGH)  # a blank suspect (location)
@example("A", "B", 7, BASE, BASE, RiskGrade.HIGH)  # a location that is not text
def test_entries_made_from_checked_parts_are_the_checked_constructors(
    first: Any, second: Any, third: Any, at: Any, known: Any, grade: RiskGrade
) -> None:
    # record() and CallEntry.from_call make an entry without running its checks again
    # when its parts pass them as they are: the same entry, or the same refusal.
    incident = SimpleNamespace(
        id=first,
        victim=SimpleNamespace(id=second),
        suspect=SimpleNamespace(id=third),
        occurred_at=at,
        crime_recorded=True,
        reported_at=known,
    )
    checked = _outcome(lambda: HistoryEntry(first, second, third, at, True, recorded_at=known))
    assert _outcome(lambda: HistoryEntry.from_incident(incident)) == checked  # at reported_at
    assert _outcome(lambda: HistoryEntry.from_incident(incident, recorded_at=known)) == checked
    caller = None if second is None else SimpleNamespace(id=second)
    call = SimpleNamespace(id=first, received_at=at, caller=caller, location_id=third)
    assert _outcome(lambda: CallEntry.from_call(call)) == _outcome(
        lambda: CallEntry(first, at, second, third)
    )
    assert _outcome(lambda: grade_entry(first, at, grade, second)) == _outcome(
        lambda: GradeEntry(first, at, grade, second)
    )
    assert _outcome(lambda: referral_entry(first, second, at, third)) == _outcome(
        lambda: MaracReferralEntry(first, second, at, third)
    )


class _Far(list):  # type: ignore[type-arg]
    """A history's list of offsets as if ``start`` offsets had been met before them.

    A history numbers each distinct UTC offset it meets (``Zones``); packed fields hold
    15 to 28 bits of those numbers. Meeting a million real offsets would take a second
    and a hundred megabytes: this numbers the first offset met ``start``.
    """

    def __init__(self, start: int) -> None:
        super().__init__()
        self.start = start

    def __len__(self) -> int:
        return self.start + super().__len__()

    def __getitem__(self, code: int) -> Any:  # type: ignore[override]
        return super().__getitem__(code - self.start)


@pytest.mark.parametrize("start", [2**15 - 2, 2**16 - 2, 2**20 - 2, 2**28 - 2])
def test_offsets_numbered_past_their_packed_fields_come_back_as_recorded(start: int) -> None:
    """An event's offsets were packed in 20-bit fields unchecked: the 1,048,576th offset
    a history met gave an event whose recording failed (``OverflowError``) or whose
    ``occurred_at`` and ``recorded_at`` came back at another offset. Each field's last
    numbers, its all-ones value and the first past it, for every kind of entry."""
    history, reference = InMemoryHistory(), Reference()
    history._zones.epochs = _Far(start)
    offsets = [timedelta(minutes=m) for m in (0, 61, -127, 333, 5, -5)]
    entries: list[Any] = []
    for n, (offset, later) in enumerate(zip(offsets, offsets[1:] + offsets[:1], strict=True)):
        at = (BASE + n * timedelta(hours=1)).astimezone(timezone(offset))
        known = (at + timedelta(minutes=30)).astimezone(timezone(later))
        entries += [
            HistoryEntry(f"I{n}", "V1", "P1", at, recorded_at=known),
            CallEntry(f"C{n}", at, "V1", "V1", recorded_at=known),
            MaracReferralEntry("V1", "P1", at, f"I{n}", recorded_at=known),
            GradeEntry("V1", at, RiskGrade.HIGH, f"I{n}", recorded_at=known),
            EventEntry(f"E{n}", EventKind.ORDER_BREACHED, "V1", "P1", at, recorded_at=known),
        ]
    recorded = _recorders(history)
    for entry in entries:
        assert recorded[type(entry)](entry) == reference.record(entry) is True
    for known_at in (BASE + timedelta(hours=3), NEVER):
        ask = {"victim": "V1", "other": "P1", "exclude": None, "since": BASE - MICRO}
        ask |= {"until": NEVER, "known": known_at}
        assert exactly(ask_memory(history, ask)) == exactly(reference.answers(ask))
        again = pickle.loads(pickle.dumps(history))
        assert exactly(ask_memory(again, ask)) == exactly(reference.answers(ask))
