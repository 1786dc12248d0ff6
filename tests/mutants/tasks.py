"""Mutants with wrong due times: fixed offsets, wall-clock hours, elapsed days, the past."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, time, timedelta

from dapolicy import hookimpl
from dapolicy.calendar import is_school_day
from dapolicy.models import Incident, Task
from dapolicy.models._base import LONDON
from dapolicy.settings import Settings
from mutants import Mutant, beside, replacing
from mutants._common import reason


class FixedOffsetMorning:
    """'By 09:00 the next morning', computed at +00:00: an hour late all summer."""

    @hookimpl
    def dapolicy_tasks(self, incident: Incident) -> Iterator[Task]:
        next_day = incident.reported_at.astimezone(UTC).date() + timedelta(days=1)
        due = datetime.combine(next_day, time(9), tzinfo=UTC)
        yield Task(
            "supervisor-review",
            incident.victim.id,
            due,
            (reason("morning.review", "review by 09:00 the next morning"),),
        )


class WallClockHours:
    """'Within 24 hours', added to the London wall clock: 23 or 25 hours across a change."""

    @hookimpl
    def dapolicy_tasks(self, incident: Incident) -> Iterator[Task]:
        local = incident.reported_at.astimezone(LONDON).replace(tzinfo=None)
        due = (local + timedelta(hours=24)).replace(tzinfo=LONDON)
        yield Task(
            "visit",
            incident.victim.id,
            due,
            (reason("wall-clock.visit", "visit within 24 hours"),),
        )


class ElapsedDays:
    """'A review at 28 days', as 28 x 24 hours: an hour off the wall clock across a change."""

    @hookimpl
    def dapolicy_tasks(self, incident: Incident) -> Iterator[Task]:
        due = incident.reported_at.astimezone(UTC) + timedelta(days=28)
        yield Task(
            "case-review",
            incident.victim.id,
            due,
            (reason("elapsed.review", "review the case at 28 days"),),
        )


class EndOfDayAsWritten:
    """'By the end of the day', in whatever zone the report time happens to be written."""

    @hookimpl
    def dapolicy_tasks(self, incident: Incident) -> Iterator[Task]:
        reported = incident.reported_at
        due = reported.replace(hour=23, minute=59, second=0, microsecond=0)
        if due <= reported:
            due += timedelta(days=1)
        yield Task(
            "record-check", incident.victim.id, due, (reason("eod.check", "check records today"),)
        )


class Backdated:
    """Sets a follow-up an hour before the report (a sign error in the offset)."""

    @hookimpl
    def dapolicy_tasks(self, incident: Incident) -> Iterator[Task]:
        yield Task(
            "follow-up",
            incident.victim.id,
            incident.reported_at - timedelta(hours=1),
            (reason("backdated.follow-up", "follow up within the hour"),),
        )


class SchoolMorningAtUtc:
    """Operation Encompass: the next school day found on the London calendar, but its
    08:30 start written at +00:00, an hour after the school day starts all summer.
    Its reason names the school day, which the kit's old narrowing of invariant 8
    exempted from every check but "after the report"."""

    @hookimpl
    def dapolicy_tasks(self, incident: Incident, settings: Settings) -> Iterator[Task]:
        children = [c for c in incident.children if c.related or c.in_household]
        if not children:
            return
        rules = settings.encompass
        terms = tuple((t.first_day, t.last_day) for t in rules.terms)
        start = time(rules.school_day_starts_minutes // 60, rules.school_day_starts_minutes % 60)
        day = incident.reported_at.astimezone(LONDON).date()
        while True:
            due = datetime.combine(day, start, tzinfo=UTC)  # the bug: +00:00, not London
            # (Past the force's last term date, any weekday that is not a bank holiday.)
            in_terms = bool(terms) and day <= max(last for _, last in terms)
            if is_school_day(day, terms if in_terms else ()) and due > incident.reported_at:
                break
            day += timedelta(days=1)
        for child in children:
            yield Task(
                "operation-encompass",
                child.id,
                due,
                (reason("encompass.school", "tell the school before the next school day"),),
            )


MUTANTS = [
    Mutant(
        "fixed-offset-due",
        "a due time at a fixed +00:00 offset, wrong in summer",
        8,
        beside(FixedOffsetMorning),
    ),
    Mutant("wall-clock-hours", "hours added to the London wall clock", 8, beside(WallClockHours)),
    Mutant(
        "elapsed-days", "days added as elapsed hours, off the wall clock", 8, beside(ElapsedDays)
    ),
    Mutant(
        "end-of-day-as-written",
        "the day's end in the zone the time was written in",
        8,
        beside(EndOfDayAsWritten),
    ),
    Mutant("due-before-report", "a task due before the report", 3, beside(Backdated)),
    Mutant(
        "school-morning-at-utc",
        "Operation Encompass's school-day start at +00:00, an hour late in summer",
        8,
        replacing(SchoolMorningAtUtc, "encompass"),
    ),
]
