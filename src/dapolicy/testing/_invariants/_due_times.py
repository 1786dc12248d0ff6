"""Invariant 8: due times are after the report and right across clock changes."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any

import attrs

from dapolicy._time import add_local
from dapolicy.calendar import (
    add_hours_disregarding,
    end_of_working_days,
    next_school_day_start,
)
from dapolicy.models import (
    Decision,
    Incident,
    Reason,
    Task,
)
from dapolicy.models._base import LONDON, micros
from dapolicy.plugins import safeguarding
from dapolicy.policy import Policy
from dapolicy.testing._invariants._assess import _assess, _destinations, _Run, _run
from dapolicy.testing._invariants._case import _ZONES, WELFARE_CHECK, ConformanceCase, _utc
from dapolicy.testing._invariants._violation import violation


def _signature(decision: Decision) -> tuple[Any, ...]:
    return (
        decision.grade,
        _destinations(decision),
        sorted((t.what, t.for_whom, _utc(t.due_by)) for t in decision.tasks),
        sorted((f.plugin, f.hook, f.error) for f in decision.failures),
    )


def _expected_elapsed(
    incident: Incident, what: str, reasons: Sequence[Reason], whom: str
) -> timedelta | None:
    """The elapsed time the built-in welfare check promises, when this is that task."""
    if what != WELFARE_CHECK or not any(
        r.rule == "safeguarding.child-welfare-check" for r in reasons
    ):
        return None
    for child in incident.children:
        if child.id == whom:
            hours = safeguarding.PRESENT_HOURS if child.present else safeguarding.RESIDENT_HOURS
            return timedelta(hours=hours)
    return None


def _due_times(run: _Run) -> None:
    incident, decision = run.case.incident, run.decision
    reported = _utc(incident.reported_at)
    for task in decision.tasks:
        due = _utc(task.due_by)
        if due <= reported:
            raise violation(
                8,
                f"task {task.what!r} is due at {due.isoformat()}, not after the report at "
                f"{reported.isoformat()}",
            )
        expected = _expected_elapsed(incident, task.what, task.reasons, task.for_whom)
        if expected is not None and due - reported != expected:
            raise violation(
                8,
                f"task {task.what!r} is due {due - reported} after the report at "
                f"{reported.isoformat()}, not {expected}",
            )
    _calendar_days(run.policy, incident, run.case.now, decision, "")
    signature = _signature(decision)
    for label, zone in _ZONES:
        moved = attrs.evolve(
            incident,
            reported_at=incident.reported_at.astimezone(zone),
            occurred_at=incident.occurred_at.astimezone(zone),
        )
        other = _assess(
            run.policy,
            run.case,
            incident=moved,
            now=run.case.now.astimezone(zone),
            variant=f"the case with its times written in {label}",
        )
        if _signature(other) != signature:
            raise violation(
                8,
                "the decision depends on the zone the case's times are written in: with "
                f"them in {label}, its grade, referrals, due times or failures differ (due "
                f"{_due_list(other)} instead of {_due_list(decision)}; failures "
                f"{len(other.failures)} instead of {len(decision.failures)})",
                aspect="zones",
            )
    _seasons(run)


# --- the same case in another season -------------------------------------------------------


def _shift(value: Any, delta: timedelta, days: int) -> Any:
    """``value`` moved on: datetimes by ``delta`` of elapsed time, dates by ``days``."""
    if isinstance(value, datetime):
        return (_utc(value) + delta).astimezone(value.tzinfo)
    if isinstance(value, date):
        return value + timedelta(days=days)
    if isinstance(value, tuple):
        return tuple(_shift(v, delta, days) for v in value)
    if attrs.has(type(value)):
        changes = {}
        for field in attrs.fields(type(value)):
            if not field.init:
                continue
            old = getattr(value, field.name)
            new = _shift(old, delta, days)
            if new is not old:
                changes[field.alias or field.name.lstrip("_")] = new
        return attrs.evolve(value, **changes) if changes else value
    return value


def _change_day(year: int, month: int) -> date:
    """The last Sunday of the month: London's clocks change that night."""
    day = date(year, month + 1, 1) - timedelta(days=1) if month < 12 else date(year, 12, 31)
    return day - timedelta(days=(day.weekday() - 6) % 7)


def _targets(reported: date) -> list[tuple[str, date]]:
    year = reported.year
    return [
        ("mid-winter", date(year, 1, 15)),
        ("the day before the clocks go forward", _change_day(year, 3) - timedelta(days=1)),
        ("mid-summer", date(year, 7, 15)),
        ("the day before the clocks go back", _change_day(year, 10) - timedelta(days=1)),
    ]


def _offsets(reported: datetime, due: datetime) -> tuple[timedelta, tuple[int, Any]]:
    """The task's elapsed time after the report, and its London wall-clock offset."""
    here, there = reported.astimezone(LONDON), due.astimezone(LONDON)
    return _utc(due) - _utc(reported), ((there.date() - here.date()).days, there.time())


def _by_task(decision: Decision) -> dict[tuple[str, str], list[datetime]]:
    found: dict[tuple[str, str], list[datetime]] = {}
    for task in decision.tasks:
        found.setdefault((task.what, task.for_whom), []).append(task.due_by)
    return {key: sorted(dues, key=micros) for key, dues in found.items()}


_HOURS = re.compile(r"\b\d+\s*hours?\b|\bhour\(s\)", re.IGNORECASE)
_DAYS = re.compile(r"\b\d+\s*days?\b|\bday\s+\d+\b|\bday\(s\)", re.IGNORECASE)
#: Words of a calendar deadline: due on the calendar's next school or working day, or
#: with days disregarded. Moved to another season it lands on another weekday, so it
#: keeps neither elapsed time nor day count: instead it must be due exactly where its
#: calendar puts it (:func:`_calendar_days`), in the case and in every season.
_CALENDAR = re.compile(r"school day|working day|disregarded", re.IGNORECASE)
_SCHOOL_DAY = re.compile(r"school day", re.IGNORECASE)
_WORKING_DAYS = re.compile(r"\b(\d+)\s*working days?", re.IGNORECASE)
_DISREGARDED_HOURS = re.compile(r"\b(\d+)\s*hours?\b", re.IGNORECASE)


def _london_text(moment: datetime) -> str:
    return moment.astimezone(LONDON).isoformat()


def _calendar_due(
    policy: Policy, incident: Incident, now: datetime, task: Task
) -> tuple[str, list[datetime]] | None:
    """Where a task whose reasons name a calendar must be due, and that calendar's words.

    - "school day": the start of the first school day after the report, on the force's
      term dates (``[encompass] terms``; past the last term, the next weekday that is
      not a bank holiday) at ``school_day_starts_minutes``;
    - "N working day(s)": the end of the N-th working day after the report or the
      decision;
    - "disregarded" with "N hours": N hours after the report or the decision, the
      disregarded days (Sundays, Christmas Day, Good Friday, bank holidays) not counted.

    ``None`` for any other task, or calendar words with no period named.
    """
    words = " ".join(f"{r.text} {r.source}" for r in task.reasons)
    starts = (incident.reported_at, now)
    if _SCHOOL_DAY.search(words):
        rules = policy.settings.encompass
        terms = tuple((t.first_day, t.last_day) for t in rules.terms)
        minutes = rules.school_day_starts_minutes
        due = next_school_day_start(incident.reported_at, terms, minutes)
        if due is None:
            due = next_school_day_start(incident.reported_at, (), minutes)
        assert due is not None
        return "the start of the next school day after the report", [due]
    working = _WORKING_DAYS.search(words)
    if working:
        days = int(working[1])
        return (
            f"the end of {days} working day(s) after the report or the decision",
            [end_of_working_days(start, days) for start in starts],
        )
    hours = _DISREGARDED_HOURS.search(words)
    if hours and "disregarded" in words.lower():
        count = int(hours[1])
        return (
            f"{count} hours after the report or the decision, disregarded days not counted",
            [add_hours_disregarding(start, count) for start in starts],
        )
    return None


def _calendar_days(
    policy: Policy, incident: Incident, now: datetime, decision: Decision, where: str
) -> None:
    """Every calendar deadline is due exactly where its calendar puts it."""
    for task in decision.tasks:
        expected = _calendar_due(policy, incident, now, task)
        if expected is None:
            continue
        words, dues = expected
        if micros(task.due_by) not in {micros(due) for due in dues}:
            raise violation(
                8,
                f"task {task.what!r} is due at London {_london_text(task.due_by)}{where}; its "
                f"reason names a calendar, and {words} is London "
                f"{' or '.join(sorted({_london_text(d) for d in dues}))}",
                aspect="calendar",
            )


def _promises(decision: Decision) -> dict[tuple[str, str], str]:
    """What each task says it gives, from its reasons' words: ``"hours"`` or ``"days"``."""
    found: dict[tuple[str, str], str] = {}
    for task in decision.tasks:
        words = " ".join(f"{r.text} {r.source}" for r in task.reasons)
        hours, days = bool(_HOURS.search(words)), bool(_DAYS.search(words))
        if hours != days:
            found[(task.what, task.for_whom)] = "hours" if hours else "days"
    return found


def _seasons(run: _Run) -> None:
    """A deadline keeps its elapsed time or its wall-clock time in every season.

    The case is moved by whole days (the report's wall-clock time kept) to mid-winter, mid-summer
    and the days before both clock changes. Each task must then be due either the same
    elapsed time after the report (an hour deadline) or at the same London wall-clock
    time the same number of days on (a day deadline). A due time computed at a fixed
    offset, or hours added to a wall clock, keeps neither in one season or another.
    """
    case = run.case
    if not run.decision.tasks:
        return
    mine = _by_task(run.decision)
    promised = _promises(run.decision)
    calendar = {
        (t.what, t.for_whom)
        for t in run.decision.tasks
        if any(_CALENDAR.search(f"{r.text} {r.source}") for r in t.reasons)
    }
    start = case.incident.reported_at
    local = start.astimezone(LONDON).date()
    for label, target in _targets(local):
        days = (target - local).days
        if days == 0:
            continue
        # The report keeps its London wall-clock time; every other time keeps its
        # elapsed distance from the report, so the case stays valid.
        delta = _utc(add_local(start, days=days)) - _utc(start)
        moved = _shift(case, delta, days)
        other = _assess(run.policy, moved, variant=f"the case moved to {label}")
        _calendar_days(
            run.policy, moved.incident, moved.now, other, f" (the case moved to {label})"
        )
        if (
            other.grade != run.decision.grade
            or other.policy_version != run.decision.policy_version
        ):
            continue  # another grade, or another version of the policy: other deadlines
        theirs = _by_task(other)
        for key, dues in mine.items():
            if key in calendar:
                continue
            found = theirs.get(key)
            if found is None or len(found) != len(dues):
                continue
            for due, moved_due in zip(dues, found, strict=True):
                before = _offsets(start, due)
                after = _offsets(moved.incident.reported_at, moved_due)
                promise = promised.get(key)
                if promise == "hours" and before[0] != after[0]:
                    raise violation(
                        8,
                        f"task {key[0]!r} promises hours, and is due {before[0]} after the "
                        f"report; the same case moved to {label} gets it {after[0]} after: an "
                        "hour deadline is elapsed time",
                        aspect="seasons",
                    )
                if promise == "days" and before[1] != after[1]:
                    raise violation(
                        8,
                        f"task {key[0]!r} promises days, and is due at London "
                        f"{before[1][1].isoformat()}, {before[1][0]} day(s) on; the same case "
                        f"moved to {label} gets it at {after[1][1].isoformat()}, {after[1][0]} "
                        "day(s) on: a day deadline keeps the London wall-clock time",
                        aspect="seasons",
                    )
                if before[0] != after[0] and before[1] != after[1]:
                    raise violation(
                        8,
                        f"task {key[0]!r} is due {before[0]} after the report (London "
                        f"{before[1][1].isoformat()}, {before[1][0]} day(s) on); the same case "
                        f"moved to {label} gets it {after[0]} after (London "
                        f"{after[1][1].isoformat()}, {after[1][0]} day(s) on): neither the "
                        "elapsed time (an hour deadline) nor the wall-clock time (a day "
                        "deadline) is kept",
                        aspect="seasons",
                    )


def _due_list(decision: Decision) -> str:
    return (
        ", ".join(sorted(f"{t.what}@{_utc(t.due_by).isoformat()}" for t in decision.tasks))
        or "none"
    )


def check_due_times(policy: Policy, case: ConformanceCase) -> None:
    """Invariant 8: due times are after the report and right across clock changes.

    Every task must be due after the report (compared as instants), the built-in
    welfare check exactly 1 hour (child present) or 24 hours (usually resident) of
    elapsed time after it, and the decision -- grade, referrals, the instants tasks are
    due, failures -- must not change when the case's times are written in UTC,
    Europe/London or a fixed offset instead (a rule that adds hours to a London wall
    clock, or takes the calendar day in the wrong zone, fails this near clock changes).

    Then the case is moved by whole days to mid-winter, mid-summer and the days before
    both clock changes: every task of any plug-in must keep either its elapsed time
    after the report (an hour deadline) or its London wall-clock time and day count (a
    day deadline).

    :raises InvariantViolation: naming the task and the times.
    """
    _due_times(_run(policy, case))
