"""A history with two clocks: a decision sees only what the force knew before it.

Every entry has its own time (occurred, referred, received) and ``recorded_at``, when the
force knew it; every query takes ``known_at`` and returns only entries recorded strictly
before it. Plug-ins get a read-only :class:`HistoryView` bound to the decision's ``now``.
"""

from __future__ import annotations

import copy
import gc
import importlib.util
import pickle
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from types import ModuleType
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import dapolicy
from dapolicy import hookimpl
from dapolicy._history_questions import question, window_question
from dapolicy.history import (
    CallEntry,
    History,
    HistoryEntry,
    HistoryView,
    InMemoryHistory,
    MaracReferralEntry,
    MutableHistory,
    decision_view,
    record,
)
from dapolicy.models import Call, Decision, Event, EventKind, Incident, RiskForm
from dapolicy.models._base import LONDON, micros
from dapolicy.sqlite_history import SQLiteHistory


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

T0 = h.T0
HOUR = timedelta(hours=1)
DAY = timedelta(days=1)
MICRO = timedelta(microseconds=1)
EVER: dict[str, Any] = {"since": T0 - 1000 * DAY, "until": T0 + 1000 * DAY}


def entry(iid: str, at: datetime, known: datetime, *, victim: str = "V-1") -> HistoryEntry:
    return HistoryEntry(iid, victim, "S-1", at, recorded_at=known)


def ids(entries: Any) -> list[str]:
    return [e.incident_id for e in entries]


@pytest.fixture(params=["memory", "sqlite"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[MutableHistory]:
    if request.param == "memory":
        yield InMemoryHistory()
    else:
        with SQLiteHistory(tmp_path / "h.db") as history:
            yield history


# --- the entries ---------------------------------------------------------------------------


def test_recorded_at_defaults_to_the_entrys_own_time() -> None:
    assert entry("I", T0, T0).recorded_at == T0
    assert HistoryEntry("I", "V", "S", T0).recorded_at == T0
    assert MaracReferralEntry("V", "S", T0, "I").recorded_at == T0
    assert CallEntry("C", T0).recorded_at == T0


def test_an_entry_cannot_be_known_before_it_happened() -> None:
    for make in (
        lambda: HistoryEntry("I", "V", "S", T0, recorded_at=T0 - MICRO),
        lambda: MaracReferralEntry("V", "S", T0, "I", recorded_at=T0 - MICRO),
        lambda: CallEntry("C", T0, recorded_at=T0 - MICRO),
    ):
        with pytest.raises(dapolicy.ValidationError, match="recorded_at") as excinfo:
            make()
        assert [e.path for e in excinfo.value.errors] == ["$.recorded_at"]
    with pytest.raises(dapolicy.ValidationError, match="naive"):
        HistoryEntry("I", "V", "S", T0, recorded_at=datetime(2024, 1, 1))


def test_record_uses_the_decisions_time() -> None:
    history = InMemoryHistory()
    incident = h.make_incident("INC-1")
    now = incident.reported_at + 3 * HOUR
    decision = h.make_policy().assess(incident, h.dash_form(incident, yes=range(1, 15)), now=now)
    record(history, incident, decision)
    (kept,) = history.incidents("V-1", **EVER, known_at=now + MICRO)
    assert kept.recorded_at == now
    referral = history.last_marac_referral("V-1", "S-1", before=now, known_at=now + MICRO)
    assert referral is not None
    assert referral.recorded_at == now
    assert history.incidents("V-1", **EVER, known_at=now) == []  # strictly before
    with pytest.raises(ValueError, match="decision's time"):
        record(history, incident, decision, recorded_at=now + HOUR)
    other = InMemoryHistory()
    record(other, incident)  # no decision: known from when it was reported
    assert other.incidents("V-1", **EVER, known_at=now)[0].recorded_at == incident.reported_at
    record(other, h.make_incident("INC-2"), recorded_at=now)
    assert ids(other.incidents("V-1", **EVER, known_at=now)) == ["INC-1"]


# --- the stores: known_at, strictly --------------------------------------------------------


def test_only_entries_recorded_before_known_at_are_returned(store: MutableHistory) -> None:
    store.record_incident(entry("early", T0, T0 + HOUR))
    store.record_incident(entry("late", T0 - DAY, T0 + 2 * HOUR))  # happened first, known later
    assert ids(store.incidents("V-1", **EVER, known_at=T0 + HOUR)) == []
    assert ids(store.incidents("V-1", **EVER, known_at=T0 + HOUR + MICRO)) == ["early"]
    assert ids(store.incidents("V-1", **EVER, known_at=T0 + 2 * HOUR + MICRO)) == [
        "late",
        "early",
    ]
    asked = {"since": T0 - DAY, "until": T0, "known_at": T0 + DAY, "suspect_id": "S-1"}
    assert ids(store.incidents("V-1", **asked)) == ["late", "early"]
    store.record_marac_referral(MaracReferralEntry("V-1", "S-1", T0, "I-1", recorded_at=T0))
    store.record_marac_referral(
        MaracReferralEntry("V-1", "S-1", T0 + HOUR, "I-2", recorded_at=T0 + DAY)
    )
    ask = {"before": T0 + DAY, "known_at": T0 + HOUR}
    found = store.last_marac_referral("V-1", "S-1", **ask)
    assert found is not None
    assert found.incident_id == "I-1"  # the later referral was not known yet
    assert store.last_marac_referral("V-1", "S-1", before=T0 + DAY, known_at=T0) is None
    store.record_call(CallEntry("C-1", T0, caller_id="P", recorded_at=T0 + HOUR))
    assert store.calls(**EVER, known_at=T0 + HOUR, caller_id="P") == []
    assert [c.call_id for c in store.calls(**EVER, known_at=T0 + DAY, caller_id="P")] == ["C-1"]


# --- the view ------------------------------------------------------------------------------


class OneClock:
    """A force's history written for dapolicy 0.1: its queries take no known_at."""

    def incidents(self, victim_id: str, *, since: datetime, until: datetime) -> list[Any]:
        return []

    def last_marac_referral(self, victim_id: str, suspect_id: str, *, before: datetime) -> None:
        return None

    def calls(self, *, since: datetime, until: datetime) -> list[Any]:
        return []

    def last_grade(self, victim_id: str, *, known_at: datetime) -> None:
        return None

    def events(
        self, victim_id: str, *, since: datetime, until: datetime, known_at: datetime
    ) -> list[Any]:
        return []


class NoGrades:
    """A force's history written before the history kept grades and events."""

    def incidents(
        self, victim_id: str, *, since: datetime, until: datetime, known_at: datetime
    ) -> list[Any]:
        return []

    def last_marac_referral(
        self, victim_id: str, suspect_id: str, *, before: datetime, known_at: datetime
    ) -> None:
        return None

    def calls(self, *, since: datetime, until: datetime, known_at: datetime) -> list[Any]:
        return []


def test_an_old_history_without_known_at_is_refused_saying_why() -> None:
    policy = h.make_policy()
    incident = h.make_incident()
    with pytest.raises(TypeError, match="Writing your own History"):
        policy.assess(incident, h.dash_form(incident), history=OneClock(), now=T0 + DAY)


def test_a_view_clamps_known_at_to_its_moment_and_can_only_look_earlier() -> None:
    history = InMemoryHistory()
    history.record_incident(entry("a", T0, T0 + HOUR))
    history.record_incident(entry("b", T0, T0 + 2 * HOUR))
    view = HistoryView(history, known_at=T0 + 2 * HOUR)
    assert view.known_at == T0 + 2 * HOUR
    assert ids(view.incidents("V-1", **EVER)) == ["a"]
    assert ids(view.incidents("V-1", **EVER, known_at=T0 + 30 * DAY)) == ["a"]  # clamped
    assert ids(view.incidents("V-1", **EVER, known_at=T0 + HOUR)) == []  # earlier: honoured
    assert isinstance(view.incidents("V-1", **EVER), tuple)
    assert isinstance(view, History)
    assert not isinstance(view, MutableHistory)
    with pytest.raises(ValueError, match="known_at must be a datetime with a UTC offset"):
        view.incidents("V-1", **EVER, known_at=datetime(2024, 1, 1))
    with pytest.raises(ValueError, match="known_at"):
        HistoryView(history, known_at=datetime(2024, 1, 1))
    with pytest.raises(TypeError, match="reads a History"):
        HistoryView(object(), known_at=T0)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"OneClock.incidents\(\) takes no known_at"):
        HistoryView(OneClock(), known_at=T0)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"NoGrades has no last_grade, events .*Writing your own"):
        HistoryView(NoGrades(), known_at=T0)  # type: ignore[arg-type]
    nested = HistoryView(view, known_at=T0 + 30 * DAY)  # a view of a view: still clamped
    assert ids(nested.incidents("V-1", **EVER)) == ["a"]


def test_a_view_cannot_record_or_be_changed() -> None:
    history = InMemoryHistory()
    view = HistoryView(history, known_at=T0)
    for name in ("record_incident", "record_marac_referral", "record_call"):
        assert not hasattr(view, name)
    with pytest.raises(AttributeError, match="read-only"):
        view.known_at = T0 + DAY  # type: ignore[misc]
    with pytest.raises(AttributeError, match="read-only"):
        view._known_at = T0 + DAY
    with pytest.raises(AttributeError):
        object.__setattr__(view, "_known_at", T0 + DAY)
    with pytest.raises(AttributeError, match="read-only"):
        del view.known_at
    assert view.known_at == T0


def test_the_store_cannot_be_reached_through_the_view_by_attribute_access() -> None:
    history = InMemoryHistory()
    history.record_incident(entry("secret-id", T0, T0))
    view = HistoryView(history, known_at=T0 + DAY)
    reachable = [getattr(view, name, None) for name in dir(view)]
    reachable += [getattr(view, name, None) for name in ("_store", "store", "_history")]
    for value in reachable:
        assert value is not history
        assert getattr(value, "__self__", None) is not history  # no bound method of it
    with pytest.raises(TypeError):
        vars(view)
    assert not hasattr(view, "__dict__")
    with pytest.raises(AttributeError):
        object.__getattribute__(view, "_store")
    assert copy.copy(view) is view
    assert copy.deepcopy(view) is view
    with pytest.raises(TypeError, match="pickled"):
        pickle.dumps(view)
    with pytest.raises(TypeError):
        view.__getstate__()
    with pytest.raises(TypeError, match="subclassed"):
        type("Sneaky", (HistoryView,), {})
    assert "secret-id" not in repr(view)
    assert repr(view) == "<HistoryView known_at=2024-01-11T20:00:00+00:00>"
    # It is not a security boundary against the interpreter itself, and says so.
    assert history in gc.get_referents(view)


class Listed:
    """A force's own History that cannot count: the view counts what it gives."""

    def __init__(self, history: InMemoryHistory, count: Any = None) -> None:
        self.history, self.asked = history, 0
        if count is not None:
            self.count_incidents = count

    def incidents(self, victim_id: str, **ask: Any) -> Any:
        self.asked += 1
        return self.history.incidents(victim_id, **ask)

    def last_marac_referral(self, victim_id: str, suspect_id: str, **ask: Any) -> Any:
        return self.history.last_marac_referral(victim_id, suspect_id, **ask)

    def calls(self, **ask: Any) -> Any:
        return self.history.calls(**ask)

    def last_grade(self, victim_id: str, **ask: Any) -> Any:
        return self.history.last_grade(victim_id, **ask)

    def events(self, victim_id: str, **ask: Any) -> Any:
        return self.history.events(victim_id, **ask)


def _three(store: MutableHistory) -> None:
    store.record_incident(entry("a", T0, T0 + HOUR))
    store.record_incident(entry("b", T0 + DAY, T0 + DAY))
    store.record_incident(HistoryEntry("c", "V-1", "S-2", T0 + 2 * DAY))


def test_a_view_counts_what_its_incidents_would_be(store: MutableHistory) -> None:
    _three(store)
    memory = InMemoryHistory()
    _three(memory)
    for history in (store, Listed(memory)):
        view = HistoryView(history, known_at=T0 + 3 * DAY)  # type: ignore[arg-type]
        for ask in (
            {},
            {"exclude": "b"},
            {"exclude": "z"},
            {"suspect_id": "S-2"},
            {"suspect_id": "S-9"},
            {"known_at": T0 + HOUR},  # earlier: honoured
            {"known_at": T0 + 30 * DAY},  # later: clamped
            {"since": T0 + MICRO},
            {"until": T0 + DAY - MICRO},
        ):
            question = {**EVER, **ask}
            count = view.count_incidents("V-1", **question)
            assert count == len(view.incidents("V-1", **question))
        assert view.count_incidents("V-1", **EVER) == 3
        assert view.count_incidents("V-none", **EVER) == 0


def test_an_engine_view_counts_from_an_answer_it_has_and_asks_a_count_once() -> None:
    memory = InMemoryHistory()
    _three(memory)
    counted: list[str] = []

    def count_incidents(victim_id: str, **ask: Any) -> int:
        counted.append(victim_id)
        return memory.count_incidents(victim_id, **ask)

    store = Listed(memory, count_incidents)
    view = decision_view(store, T0 + 3 * DAY)  # type: ignore[arg-type]
    assert view.count_incidents("V-1", **EVER) == view.count_incidents("V-1", **EVER) == 3
    assert (counted, store.asked) == (["V-1"], 0)  # asked once, and no entry made
    assert view.count_incidents("V-1", **EVER, exclude="a") == 2
    assert len(view.incidents("V-1", **EVER, suspect_id="S-1")) == 2
    assert view.count_incidents("V-1", **EVER, suspect_id="S-1") == 2  # from the answer
    assert (counted, store.asked) == (["V-1", "V-1"], 1)
    plain = decision_view(Listed(memory), T0 + 3 * DAY)  # type: ignore[arg-type]
    assert plain.count_incidents("V-1", **EVER) == 3
    assert plain.incidents("V-1", **EVER) == view.incidents("V-1", **EVER)


@pytest.mark.parametrize("answer", ["3", -1, True, 2.0, None, 2**63, 10**30])
def test_a_count_that_is_not_a_whole_number_is_refused(answer: Any) -> None:
    view = HistoryView(Listed(InMemoryHistory(), lambda *_, **__: answer), known_at=T0)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"Listed.count_incidents\(\) must give a whole number"):
        view.count_incidents("V-1", **EVER)


class _Yielding(Listed):
    """A force's own History that cannot count and gives its incidents as a generator."""

    def incidents(self, victim_id: str, **ask: Any) -> Any:
        yield from super().incidents(victim_id, **ask)


def test_a_history_that_cannot_count_and_gives_a_generator_is_counted() -> None:
    store = InMemoryHistory()
    _three(store)
    view = HistoryView(_Yielding(store), known_at=T0 + 3 * DAY)  # type: ignore[arg-type]
    assert view.count_incidents("V-1", **EVER) == 3
    assert len(view.incidents("V-1", **EVER)) == 3  # remembered: not asked again


class _Moment(datetime):
    """A datetime subclass: not a plain time, so never remembered."""


_ids = st.sampled_from(["V-1", "", "\ud800"]) | st.none() | st.just(7)
_times = st.builds(
    lambda at, zone, fold: at.replace(tzinfo=zone, fold=fold),
    st.datetimes(min_value=datetime(2024, 10, 26), max_value=datetime(2024, 10, 28)),
    st.sampled_from([UTC, timezone(HOUR), timezone(HOUR, "BST"), LONDON, None]),
    st.sampled_from([0, 1]),
) | st.builds(lambda at: _Moment.combine(at.date(), at.time(), UTC), st.datetimes())


@given(st.tuples(_ids, _times, _times, _ids, _ids, _times))
def test_a_window_question_is_keyed_as_any_question_is(parts: tuple[Any, ...]) -> None:
    """The quick key of a window query is question()'s, or None (then not remembered)."""
    quick = window_question(*parts)
    assert quick is None or quick == question(*parts)
    victim, since, until, other, exclude, known = parts
    plain = all(type(t) is datetime and t.tzinfo is not None for t in (since, until, known))
    ids = type(victim) is str and all(i is None or type(i) is str for i in (other, exclude))
    assert (quick is not None) == (plain and ids)


class OneClockCount(Listed):
    """A History whose own count was written without the second clock."""

    def count_incidents(self, victim_id: str, *, since: datetime, until: datetime) -> int:
        return 0


def test_a_count_that_takes_no_known_at_is_refused_saying_why() -> None:
    store = OneClockCount(InMemoryHistory())
    with pytest.raises(TypeError, match=r"OneClockCount.count_incidents\(\) takes no known_at"):
        HistoryView(store, known_at=T0)  # type: ignore[arg-type]


def test_assessing_makes_no_entry_of_the_victims_past(monkeypatch: pytest.MonkeyPatch) -> None:
    """The series, MARAC escalation and repeat-victim rules only count: nothing is made."""
    history = InMemoryHistory()
    for n in range(4):
        history.record_incident(entry(f"P-{n}", T0 - (n + 1) * DAY, T0 - (n + 1) * DAY))
    incident = h.make_incident("INC-9")
    policy = h.make_policy()
    now = incident.reported_at + HOUR
    made = policy.assess(incident, h.dash_form(incident), history=history, now=now)

    def no_entry(*_: Any) -> None:
        raise AssertionError("an entry was made again")

    monkeypatch.setattr(InMemoryHistory, "_incident", no_entry)
    history._built.clear()
    counted = policy.assess(incident, h.dash_form(incident), history=history, now=now)
    assert counted == made
    assert not counted.failures
    assert counted.repeat_victim
    assert {"local.series.3-in-12m", "marac.potential-escalation"} <= {
        r.rule for r in counted.reasons + counted.review_reasons
    } | {r.rule for f in counted.findings for r in f.reasons} | {
        r.rule for ref in counted.referrals for r in ref.reasons
    }


# --- Policy gives every hook a view, bound to now ------------------------------------------


class Spy:
    """Notes what each hook was given as its history."""

    def __init__(self) -> None:
        self.seen: dict[str, Any] = {}

    @hookimpl
    def dapolicy_assess_risk(self, history: Any) -> None:
        self.seen["assess_risk"] = history

    @hookimpl
    def dapolicy_escalations(self, history: Any) -> list[Any]:
        self.seen["escalations"] = history
        return []

    @hookimpl
    def dapolicy_referrals(self, history: Any) -> list[Any]:
        self.seen["referrals"] = history
        return []

    @hookimpl
    def dapolicy_triage(self, history: Any) -> None:
        self.seen["triage"] = history

    @hookimpl
    def dapolicy_on_event(self, history: Any) -> list[Any]:
        self.seen["on_event"] = history
        return []


def test_every_hook_that_takes_a_history_gets_a_view_bound_to_now() -> None:
    spy = Spy()
    policy = h.make_policy(plugins=[spy])
    history = InMemoryHistory()
    incident = h.make_incident("INC-1")
    now = incident.reported_at + HOUR
    decision = policy.assess(incident, h.dash_form(incident), history=history, now=now)
    assert not decision.failures
    call = Call("CALL-1", T0, caller=h.make_person("V-1"))
    policy.triage(call, history=history, now=T0 + 2 * HOUR)
    event = Event("EV-1", EventKind.PERPETRATOR_RELEASED, T0, "V-1", "S-1")
    policy.on_event(event, history=history, now=T0 + 3 * HOUR)
    assert set(spy.seen) == {"assess_risk", "escalations", "referrals", "triage", "on_event"}
    for view in spy.seen.values():
        assert type(view) is HistoryView
    assert spy.seen["assess_risk"].known_at == now
    assert spy.seen["referrals"].known_at == now
    assert spy.seen["triage"].known_at == T0 + 2 * HOUR
    assert spy.seen["on_event"].known_at == T0 + 3 * HOUR


def test_the_policys_own_repeat_victim_lookup_uses_now() -> None:
    policy = h.make_policy()
    incident = h.make_incident("INC-2", at=T0 + DAY)
    now = incident.reported_at
    history = InMemoryHistory()
    history.record_incident(entry("INC-1", T0, now))  # happened earlier, known only at now
    # ... is not seen at now, and is seen a microsecond later.
    first = policy.assess(incident, h.dash_form(incident), history=history, now=now)
    assert first.repeat_victim is False
    later = policy.assess(incident, h.dash_form(incident), history=history, now=now + MICRO)
    assert later.repeat_victim is True


# --- properties ----------------------------------------------------------------------------

PRIORS = st.lists(
    st.tuples(
        st.integers(1, 400),  # days before the incident that it happened
        st.sampled_from([0, 1, 60, 24 * 60, 30 * 24 * 60, 400 * 24 * 60]),  # minutes to know it
        st.sampled_from(["S-1", "S-2"]),
    ),
    max_size=6,
)


@settings(max_examples=60, deadline=None)
@given(PRIORS, st.integers(0, 500 * 24 * 60), st.integers(0, 16), st.booleans())
def test_late_recorded_incidents_are_seen_only_by_later_decisions(
    priors: list[tuple[int, int, str]], wait: int, yes: int, on_disk: bool
) -> None:
    incident = h.make_incident("INC-NOW", at=T0)
    now = incident.reported_at + timedelta(minutes=wait)
    everything: MutableHistory = SQLiteHistory(":memory:") if on_disk else InMemoryHistory()
    known_then = InMemoryHistory()  # only what was known before now, recorded plainly
    for n, (days, minutes, suspect) in enumerate(priors):
        at = T0 - timedelta(days=days)
        known = at + timedelta(minutes=minutes)
        late = HistoryEntry(f"P-{n}", "V-1", suspect, at, recorded_at=known)
        everything.record_incident(late)
        if micros(known) < micros(now):
            known_then.record_incident(attrs.evolve(late, recorded_at=at))
    policy = h.make_policy()
    form = h.dash_form(incident, yes=range(1, yes + 1))
    assert policy.assess(incident, form, history=everything, now=now) == policy.assess(
        incident, form, history=known_then, now=now
    )


CASES = st.lists(
    st.tuples(
        st.integers(0, 90),  # day it happened
        st.sampled_from([0, 5, 60, 3 * 24 * 60, 40 * 24 * 60]),  # minutes until reported
        st.sampled_from([None, 0, 30, 2 * 24 * 60]),  # minutes after that until the form
        st.sampled_from(["V-1", "V-2"]),
        st.integers(0, 16),
    ),
    min_size=1,
    max_size=8,
)


def _cases(drawn: list[tuple[int, int, int | None, str, int]]) -> list[tuple[Any, ...]]:
    cases = []
    for n, (day, report, form_after, victim, yes) in enumerate(drawn):
        at = T0 + timedelta(days=day)
        reported = at + timedelta(minutes=report)
        incident = h.make_incident(f"INC-{n}", at=at, reported_at=reported, victim=victim)
        form: RiskForm | None = None
        now = reported
        if form_after is not None:
            now = reported + timedelta(minutes=form_after)
            form = attrs.evolve(h.dash_form(incident, yes=range(1, yes + 1)), completed_at=now)
        cases.append((incident, form, now))
    return cases


def _decide(
    cases: list[tuple[Incident, RiskForm | None, datetime]], history: MutableHistory
) -> dict[str, Decision]:
    policy = h.make_policy()
    return {
        incident.id: policy.assess(incident, form, history=history, now=now)
        for incident, form, now in cases
    }


@settings(max_examples=40, deadline=None)
@given(CASES, st.randoms(use_true_random=False))
def test_a_decision_sees_what_was_recorded_before_it_whatever_the_history_holds_after(
    drawn: list[tuple[int, int, int | None, str, int]], shuffle: Any
) -> None:
    cases = _cases(drawn)
    # One run in order of decision time, recording each decision as it is made.
    history = InMemoryHistory()
    policy = h.make_policy()
    first: dict[str, Decision] = {}
    for incident, form, now in sorted(cases, key=lambda c: (micros(c[2]), c[0].id)):
        first[incident.id] = policy.assess(incident, form, history=history, now=now)
        record(history, incident, first[incident.id])
    # Every case again, in any order, over the history that now holds every decision
    # (its own included): the same decisions. Nothing recorded at or after a decision's
    # time changes it, and a decision never sees itself.
    shuffle.shuffle(cases)
    assert _decide(cases, history) == first
    with SQLiteHistory(":memory:") as sql:
        for incident, _, _ in cases:
            record(sql, incident, first[incident.id])
        assert _decide(cases, sql) == first


def test_a_decision_never_sees_itself_nor_a_twin_decided_at_the_same_instant() -> None:
    policy = h.make_policy()
    history = InMemoryHistory()
    one = h.make_incident("INC-A")
    twin = h.make_incident("INC-B")  # same victim, same times
    now = one.reported_at
    first = policy.assess(one, h.dash_form(one), history=history, now=now)
    record(history, one, first)
    assert policy.assess(one, h.dash_form(one), history=history, now=now) == first
    alone = policy.assess(twin, h.dash_form(twin), history=InMemoryHistory(), now=now)
    assert policy.assess(twin, h.dash_form(twin), history=history, now=now) == alone
    after = policy.assess(twin, h.dash_form(twin), history=history, now=now + MICRO)
    assert after.repeat_victim
    assert not alone.repeat_victim
