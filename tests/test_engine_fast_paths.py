"""The engine's quicker paths give exactly what the paths they replace give.

Each fast path in the assessment (London due times worked out once, tasks built
without the converters, drafts of the decision, the SIGALRM handler set through the C
function) is compared here with the code it stands for, on the values where the two
could part: clock changes, fixed offsets and zones, values a check refuses.
"""

from __future__ import annotations

import signal
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from dapolicy import (
    AbuseType,
    Decision,
    Destination,
    Incident,
    Person,
    Policy,
    Reason,
    Referral,
    Relationship,
    RelationshipKind,
    RiskForm,
    RiskGrade,
    Task,
    hookimpl,
)
from dapolicy._policy._budget import Budget
from dapolicy._policy._shared import task_key
from dapolicy._time import LondonClock, add_local, london_due, on_london_clock
from dapolicy.errors import ValidationError
from dapolicy.history import HistoryEntry, HistoryView, InMemoryHistory, decision_view
from dapolicy.models._base import LONDON, OrderedEnum, fixed_offset, micros, trusted_maker
from dapolicy.models.operations import ResponseGrade
from dapolicy.models.protection import Rank
from dapolicy.models.work import InvestigatorLevel
from dapolicy.testing.strategies import aware_datetimes

WHY = (Reason("test.rule", "a test", "for the test"),)
ZONES = (UTC, LONDON, timezone(timedelta(hours=1)), timezone(timedelta(hours=-5, minutes=-30)))


def _exactly(value: datetime) -> tuple[Any, ...]:
    """Everything about a datetime that could show: instant, wall clock, offset, zone type."""
    return (value, value.replace(tzinfo=None), value.utcoffset(), type(value.tzinfo), value.fold)


def _changes(year: int) -> list[datetime]:
    """The instants (UTC, to the hour) in ``year`` when London's offset changes."""
    found = []
    moment = datetime(year, 1, 1, tzinfo=UTC)
    previous = moment.astimezone(LONDON).utcoffset()
    while moment.year == year:
        offset = moment.astimezone(LONDON).utcoffset()
        if offset != previous:
            found.append(moment)
            previous = offset
        moment += timedelta(hours=1)
    return found


@pytest.mark.parametrize("year", [1916, 1947, 1972, 2024, 2199])
def test_due_times_across_each_clock_change_are_add_locals(year: int) -> None:
    """Starts that land days later in the spring gap, the autumn overlap and around them."""
    for change in _changes(year):
        for days in (1, 10, 15, 28):
            for minutes in range(-150, 151, 30):
                for zone in ZONES:
                    start = (change - timedelta(days=days, minutes=minutes)).astimezone(zone)
                    for hours in (0, 1, 0.5):
                        expected = fixed_offset(add_local(start, days=days, hours=hours))
                        got = london_due(start, days=days, hours=hours)
                        assert _exactly(got) == _exactly(expected), (start, days, hours)


@given(
    aware_datetimes(
        min_value=datetime(1900, 3, 1),
        max_value=datetime(2199, 10, 1),
        timezones=st.sampled_from(ZONES),
    ),
    st.integers(0, 60),
    st.sampled_from([0, 0.25, 1, 24, 72, 2 / 3]),
)
def test_london_due_is_add_local_at_a_fixed_offset(
    start: datetime, days: int, hours: float
) -> None:
    expected = fixed_offset(add_local(start, days=days, hours=hours))
    assert _exactly(london_due(start, days=days, hours=hours)) == _exactly(expected)


def test_a_clock_works_each_deadline_out_once() -> None:
    clock = LondonClock(datetime(2024, 3, 30, 1, 30, tzinfo=UTC))
    first = clock.after(days=1)
    assert clock.after(days=1) is first
    assert _exactly(first) == _exactly(fixed_offset(add_local(clock.start, days=1)))
    assert first.utcoffset() == timedelta(hours=1)  # 01:30 on the 31st is skipped: 02:30 BST


TEXT = st.one_of(
    st.sampled_from(["", " ", "\t", "ok", "x y", "é"]), st.text(max_size=4), st.none()
)
WHEN = st.one_of(
    aware_datetimes(timezones=st.sampled_from(ZONES)),
    st.sampled_from(
        [
            datetime(2024, 1, 1),  # naive
            datetime(2201, 1, 1, tzinfo=UTC),  # past the supported years
            datetime(1899, 12, 31, tzinfo=UTC),
        ]
    ),
    st.none(),
)
REASONS = st.sampled_from([WHY, (), list(WHY), [], WHY * 2, ("not a reason",)])


def _build(make: Any, *args: Any) -> Any:
    try:
        return ("made", make(*args))
    except ValidationError as exc:
        return ("refused", str(exc), exc.errors)


@given(TEXT, TEXT, WHEN, REASONS, TEXT)
def test_a_quickly_made_task_is_a_task(
    what: Any, for_whom: Any, due: Any, reasons: Any, assignee: Any
) -> None:
    """The same task, with the same field types, or the same error naming the same fields."""
    quick = _build(Task._made, what, for_whom, due, reasons, assignee)
    slow = _build(Task, what, for_whom, due, reasons, assignee)
    assert quick == slow
    if quick[0] == "made":
        made, task = quick[1], slow[1]
        assert [type(getattr(made, a)) for a in ("reasons", "due_by")] == [
            type(getattr(task, a)) for a in ("reasons", "due_by")
        ]
        assert _exactly(made.due_by) == _exactly(task.due_by)


def _incident(reported: datetime) -> Incident:
    return Incident(
        "INC-1",
        reported,
        reported - timedelta(minutes=10),
        Person("V-1", date_of_birth=date(1990, 5, 17)),
        Person("S-1", date_of_birth=date(1988, 1, 2)),
        Relationship(RelationshipKind.INTIMATE_PARTNER),
        frozenset({AbuseType.PHYSICAL}),
    )


class _Watcher:
    """Records what the drafts it is given hold."""

    def __init__(self) -> None:
        self.seen: list[Decision] = []

    @hookimpl
    def dapolicy_escalations(self, decision: Decision) -> list[Any]:
        self.seen.append(decision)
        return []

    @hookimpl
    def dapolicy_tasks(self, decision: Decision) -> list[Any]:
        self.seen.append(decision)
        return []


def test_drafts_hold_the_decision_time_at_a_fixed_offset_as_the_decision_does() -> None:
    watcher = _Watcher()
    policy = Policy(load_entry_points=False).with_plugins(watcher)
    summer = datetime(2024, 7, 1, 12, 0, tzinfo=UTC)
    incident = _incident(summer)
    form = RiskForm.from_yes(incident, ["1", "2"], completed_by="PC-1")
    now = (summer + timedelta(minutes=5)).astimezone(LONDON)  # a zone, not a fixed offset
    decision = policy.assess(incident, form, now=now)
    assert len(watcher.seen) == 2
    for draft in watcher.seen:
        assert type(draft.decided_at.tzinfo) is timezone
        assert _exactly(draft.decided_at) == _exactly(decision.decided_at)
        assert draft.grade is decision.grade
        assert draft.findings == decision.findings


def test_the_decision_is_checked_whole_when_it_is_made(monkeypatch: pytest.MonkeyPatch) -> None:
    """Made from its final parts without the converters, the decision's checks still run.

    Any problem the decision's own checks find is raised, as ``Decision(...)`` raises
    it: here one put there on purpose.
    """
    summer = datetime(2024, 7, 1, 12, 0, tzinfo=UTC)
    incident = _incident(summer)
    policy = Policy(load_entry_points=False)
    checked: list[Decision] = []

    def problems(self: Decision) -> Any:
        checked.append(self)
        yield "grade", "a problem put here by the test"

    monkeypatch.setattr(Decision, "_problems", problems)
    with pytest.raises(ValidationError) as caught:
        policy.assess(incident, None, now=summer)
    assert [e.path for e in caught.value.errors] == ["$.grade"]
    assert [d.incident_id for d in checked] == [incident.id]


@pytest.mark.parametrize("previous", [signal.SIG_DFL, signal.SIG_IGN, "python"])
def test_the_previous_alarm_handler_is_put_back_as_it_was(previous: Any) -> None:
    def mine(signum: int, frame: Any) -> None:
        raise AssertionError("not to be called")

    handler = mine if previous == "python" else previous
    before = signal.signal(signal.SIGALRM, handler)
    try:
        with Budget(5):
            assert signal.getsignal(signal.SIGALRM) is not handler
        assert signal.getsignal(signal.SIGALRM) == handler
        assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
    finally:
        signal.signal(signal.SIGALRM, before)


ORDERED = [RiskGrade, InvestigatorLevel, ResponseGrade, Rank]


@pytest.mark.parametrize("kind", ORDERED)
def test_ordered_members_compare_by_declaration_order(kind: type[OrderedEnum]) -> None:
    members = list(kind)
    for i, a in enumerate(members):
        assert a.rank == i
        for j, b in enumerate(members):
            assert ((a < b), (a <= b), (a > b), (a >= b), (a == b)) == (
                (i < j),
                (i <= j),
                (i > j),
                (i >= j),
                (i == j),
            )
    assert max(reversed(members)) is members[-1]
    shuffled = [members[-1], *members[:-1]]
    assert sorted(shuffled) == members


def test_ordered_members_of_two_kinds_do_not_compare() -> None:
    with pytest.raises(TypeError):
        _ = RiskGrade.HIGH < InvestigatorLevel.DETECTIVE
    with pytest.raises(TypeError):
        _ = RiskGrade.HIGH >= 1


class _TwoZones:
    """Tasks due at one instant: one on London's clock, one at UTC in summer."""

    @hookimpl
    def dapolicy_tasks(self, incident: Incident) -> list[Task]:
        due = incident.reported_at + timedelta(hours=3)
        return [
            Task("force-london", incident.victim.id, due.astimezone(LONDON), WHY),
            Task("force-utc", incident.victim.id, due.astimezone(UTC), WHY),
        ]


def test_due_times_at_one_instant_are_each_put_on_the_london_clock() -> None:
    incident = _incident(datetime(2024, 7, 1, 12, 0, tzinfo=UTC))
    policy = Policy(load_entry_points=False).with_plugins(_TwoZones())
    decision = policy.assess(incident, None, now=incident.reported_at)
    mine = {t.what: t.due_by for t in decision.tasks if t.what.startswith("force-")}
    assert mine["force-london"] == mine["force-utc"]
    assert {d.utcoffset() for d in mine.values()} == {timedelta(hours=1)}


@given(
    st.sampled_from(list(Destination)),
    TEXT,
    REASONS,
    st.sampled_from([(), ("hub",), ["hub"], ("a", "b")]),
)
def test_a_quickly_made_referral_is_a_referral(
    destination: Destination, victim: Any, reasons: Any, requested_by: Any
) -> None:
    quick = _build(Referral._made, destination, victim, reasons, requested_by)
    slow = _build(Referral, destination, victim, reasons, requested_by)
    assert quick == slow
    if quick[0] == "made":
        assert type(quick[1].requested_by) is type(slow[1].requested_by)
        assert quick[1].requested_at is slow[1].requested_at is None


def test_a_trusted_maker_builds_what_the_checked_constructor_builds() -> None:
    """By position or by name, every field in place; a missing field is an error."""
    incident = _incident(datetime(2024, 7, 1, 12, 0, tzinfo=UTC))
    decision = Policy(load_entry_points=False).assess(incident, None, now=incident.reported_at)
    for made in (decision, *decision.tasks, *decision.referrals):
        cls = type(made)
        values = {a.name: getattr(made, a.name) for a in attrs.fields(cls)}
        make = trusted_maker(cls)
        assert make is trusted_maker(cls)  # made once
        assert "__shadow" in make.__kwdefaults__  # made writable, then given its class
        for built in (make(**values), make(*values.values())):
            assert type(built) is cls
            assert built == cls(**values)
            assert hash(built) == hash(cls(**values))
            assert all(getattr(built, n) is v for n, v in values.items())
            with pytest.raises(attrs.exceptions.FrozenInstanceError):
                built.__setattr__(attrs.fields(cls)[0].name, "changed")  # frozen as ever
    with pytest.raises(TypeError):
        trusted_maker(Task)("what", "V1")


def test_a_trusted_maker_of_a_class_that_refuses_a_subclass_sets_each_field() -> None:
    """No writable shadow can be made of such a class: each field is set as before."""

    @attrs.frozen
    class Closed:
        a: int
        b: str

        def __init_subclass__(cls, **kwargs: object) -> None:
            raise TypeError("no subclasses")

    make = trusted_maker(Closed)
    assert "__shadow" not in make.__kwdefaults__
    built = make(1, b="x")
    assert type(built) is Closed
    assert built == Closed(1, "x")
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        built.__setattr__("a", 2)


def _on_clock_in_full(moment: datetime) -> datetime:
    """What :func:`on_london_clock` stands for, worked out through the zone every time."""
    local = moment.astimezone(LONDON)
    offset = local.utcoffset()
    if offset == moment.utcoffset() and type(moment.tzinfo) is timezone:
        return moment  # already there: kept as it is
    assert offset is not None
    return local.replace(tzinfo=timezone(offset), fold=0)


@given(aware_datetimes())
def test_on_london_clock_is_londons_wall_clock_at_its_offset(moment: datetime) -> None:
    for given_at in (moment, fixed_offset(moment), moment.astimezone(UTC)):
        assert _exactly(on_london_clock(given_at)) == _exactly(_on_clock_in_full(given_at))


@pytest.mark.parametrize("year", [1916, 1941, 1947, 1968, 1971, 2024, 2199])
def test_on_london_clock_hour_by_hour_around_each_clock_change(year: int) -> None:
    """Days London's offset changes on, and the days either side, at any offset."""
    for change in _changes(year):
        for hours in range(-60, 61):
            moment = change + timedelta(hours=hours, minutes=30)
            for zone in (UTC, timezone(timedelta(hours=13)), timezone(timedelta(hours=-11))):
                given_at = moment.astimezone(zone)
                assert _exactly(on_london_clock(given_at)) == _exactly(
                    _on_clock_in_full(given_at)
                ), given_at


def test_a_view_answers_the_same_question_once_and_two_instants_as_two() -> None:
    """Asked twice, one answer; but 01:30 BST and 01:30 GMT (equal to Python) are two."""
    history = InMemoryHistory()
    # 00:45 UTC on the night the clocks go back: 01:45 BST, after 01:30 BST, before 01:30 GMT
    history.record_incident(
        HistoryEntry("P1", "V1", "S1", datetime(2024, 10, 27, 0, 45, tzinfo=UTC))
    )
    view = decision_view(history, datetime(2024, 11, 1, tzinfo=UTC))
    until = datetime(2024, 10, 28, tzinfo=UTC)
    bst = datetime(2024, 10, 27, 1, 30, tzinfo=LONDON)
    gmt = bst.replace(fold=1)
    assert bst == gmt
    first = view.incidents("V1", since=bst, until=until)
    assert [e.incident_id for e in first] == ["P1"]
    assert view.incidents("V1", since=bst, until=until) is first
    assert view.incidents("V1", since=gmt, until=until) == ()
    earlier = datetime(2024, 10, 27, 0, 0, tzinfo=UTC)  # before it happened: not known yet
    assert view.incidents("V1", since=bst, until=until, known_at=earlier) == ()
    assert view.incidents("V1", since=bst, until=until, exclude="P1") == ()


def test_a_view_made_by_hand_sees_what_is_recorded_after_it_was_first_asked() -> None:
    """Only the engine's one-decision views remember answers: a view kept by a program
    while a late, back-dated entry is recorded answers with it, as its store does."""
    history = InMemoryHistory()
    at = datetime(2024, 5, 1, 12, tzinfo=UTC)
    window = {"since": at - timedelta(days=30), "until": at + timedelta(days=30)}
    view = HistoryView(history, known_at=at + timedelta(days=60))
    assert view.incidents("V1", **window) == ()
    history.record_incident(HistoryEntry("P1", "V1", "S1", at))  # known from `at`
    assert [e.incident_id for e in view.incidents("V1", **window)] == ["P1"]
    engine = decision_view(history, at + timedelta(days=60))
    assert engine.incidents("V1", **window) is engine.incidents("V1", **window)


@given(aware_datetimes(timezones=st.sampled_from(ZONES)), st.sampled_from(ZONES), st.booleans())
def test_a_due_time_is_before_the_report_by_its_instant(
    start: datetime, zone: Any, same_offset: bool
) -> None:
    """The check "due at or before the report" compares fixed-offset datetimes in C.

    It must say what micros() says, in one offset and across two, for the instant
    itself, a microsecond either side and the same wall clock in another zone.
    """
    start = fixed_offset(start)
    for due in (
        start,
        start + timedelta(microseconds=1),
        start - timedelta(microseconds=1),
        start.replace(tzinfo=None).replace(tzinfo=zone),
    ):
        due = on_london_clock(fixed_offset(due if same_offset else due.astimezone(zone)))
        assert type(due.tzinfo) is timezone
        assert type(start.tzinfo) is timezone
        assert (due <= start) == (micros(due) <= micros(start))


@given(st.lists(st.tuples(aware_datetimes(), st.sampled_from(["a", "b"])), max_size=8))
def test_tasks_are_listed_by_instant_as_by_timestamp(dues: list[tuple[datetime, str]]) -> None:
    """Sorted by the due datetimes themselves, the order of their timestamps, ties and all."""
    tasks = [Task(what, "V1", due, WHY) for due, what in dues]
    by_timestamp = sorted(tasks, key=lambda t: (t.due_by.timestamp(), t.what, t.for_whom))
    assert sorted(tasks, key=task_key) == by_timestamp
