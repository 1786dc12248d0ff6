"""The seven-step plan, for crimes and -- by default -- non-crime incidents alike.

The inspected force gave victims of domestic-abuse *crimes* a supervised seven-step
plan over 28 days, and victims of non-crime incidents less; the report says all victims
would benefit. ``settings.seven_step.apply_to_incidents`` (on by default) closes that
gap. Steps 1-3 are the golden hour; step 4 a neighbourhood visit within 24 hours;
steps 5 and 6 reassurance visits and an inspector's letter within the next two weeks;
step 7 a visit and review at 28 days. The action plan is reviewed at least every 10
days while it is open. Day-based deadlines keep the wall-clock time in Europe/London
across daylight-saving changes; hour-based ones are elapsed time.
"""

from __future__ import annotations

import functools
import operator
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime, timezone

from dapolicy._time import LondonClock
from dapolicy.hookspecs import hookimpl
from dapolicy.models import Decision, DomesticAbuseVerdict, Incident, Reason, Task
from dapolicy.models._base import MAKERS, MAX_YEAR, MIN_YEAR, trusted_maker
from dapolicy.models.risk import reason
from dapolicy.settings import Settings, SevenStepSettings

SOURCE = "HMIC 2014 inspection: the seven-step plan"
_IN_SCOPE = {DomesticAbuseVerdict.DOMESTIC_ABUSE, DomesticAbuseVerdict.UNDETERMINED}
#: One task of a plan: what, who does it, why, and its due time's days and hours.
_Entry = tuple[str, str, tuple[Reason, ...], int, float]


#: Each step: its id, who does it, and what (the due time is set from the settings).
_STEPS = (
    ("step-1-respond", "control room", "respond immediately or as a priority"),
    ("step-2-intelligence", "control room", "search systems, brief the officers"),
    (
        "step-3-positive-action",
        "attending officer",
        "attend, take positive action, preserve evidence, identify safeguarding",
    ),
    (
        "step-4-neighbourhood-visit",
        "neighbourhood officer",
        "visit to reassure, signpost and review safeguarding",
    ),
    ("step-5-reassurance-visits", "neighbourhood officer or PCSO", "continue reassurance visits"),
    ("step-6-inspector-letter", "local inspector", "send the reassurance letter"),
    (
        "step-7-review-visit",
        "neighbourhood officer or PCSO",
        "visit, update on the investigation, review ongoing support",
    ),
)


@functools.lru_cache(maxsize=64)
def _step_reasons(scope: str) -> tuple[tuple[Reason, ...], ...]:
    """Each step's reasons, in the order of ``_STEPS``: the same for every case in scope."""
    return tuple(
        (reason(f"seven-step.{what}", SOURCE, f"{text}: {scope}"),) for what, _, text in _STEPS
    )


@functools.lru_cache(maxsize=256)
def _review_reasons(every: int, day: int) -> tuple[Reason, ...]:
    return (
        reason(
            "seven-step.action-plan-review",
            f"{SOURCE}: action plans updated at least every {every} days",
            f"review the action plan (day {day})",
        ),
    )


#: A plan's schedule for one scope: its entries, the distinct (days, hours) their due
#: times are set by, in first-seen order, and what picks each entry's due time from the
#: due times of those.
_Schedule = tuple[
    tuple[_Entry, ...],
    tuple[tuple[int, float], ...],
    Callable[[list[datetime]], tuple[datetime, ...]],
]
#: Each plan's schedule for each scope: (plan, schedule), by ``(id(plan), scope)``. The
#: plan is kept in the value, so its id is not reused while the entry stands.
_SCHEDULES: dict[tuple[int, str], tuple[SevenStepSettings, _Schedule]] = {}
_SCHEDULES_KEPT = 64


def _schedule(plan: SevenStepSettings, scope: str) -> _Schedule:
    """The plan's tasks as (what, assignee, reasons, days, hours), in the order given.

    The same for every case of one plan and scope: only the victim and the due times
    (``days`` and ``hours`` after the report) differ; steps that share a deadline share
    its (days, hours), worked out once a case.
    """
    key = (id(plan), scope)
    found = _SCHEDULES.get(key)
    if found is not None and found[0] is plan:
        return found[1]
    golden = plan.golden_hour_minutes / 60
    offsets = (
        (0, golden),
        (0, golden),
        (0, golden),
        (0, plan.neighbourhood_visit_hours),
        (plan.reassurance_days, 0),
        (plan.reassurance_days, 0),
        (plan.review_days, 0),
    )
    entries: list[_Entry] = [
        (what, who, why, days, hours)
        for (what, who, _), (days, hours), why in zip(
            _STEPS, offsets, _step_reasons(scope), strict=True
        )
    ]
    day = plan.action_plan_review_days
    while day < plan.review_days:
        why = _review_reasons(plan.action_plan_review_days, day)
        entries.append(("action-plan-review", "neighbourhood team", why, day, 0))
        day += plan.action_plan_review_days
    if len(_SCHEDULES) >= _SCHEDULES_KEPT:
        _SCHEDULES.clear()
    spans = tuple(dict.fromkeys((days, hours) for _, _, _, days, hours in entries))
    where = [spans.index((days, hours)) for _, _, _, days, hours in entries]
    pick = operator.itemgetter(*where)  # the plan has seven steps at least: a tuple
    schedule = (tuple(entries), spans, pick)
    _SCHEDULES[key] = (plan, schedule)
    return schedule


@hookimpl
def dapolicy_tasks(incident: Incident, decision: Decision, settings: Settings) -> Iterator[Task]:
    """The plan's seven steps and its action-plan reviews, due from the report time."""
    plan = settings.seven_step
    if decision.domestic_abuse not in _IN_SCOPE:
        return
    if incident.crime is None and not plan.apply_to_incidents:
        return
    scope = (
        "a domestic-abuse crime"
        if incident.crime is not None
        else "a non-crime incident, given the same plan (force setting)"
    )
    # The report time's London wall clock is found once, and each distinct deadline
    # worked out once (steps 1-3 share one, steps 5 and 6 another).
    clock = LondonClock(incident.reported_at)
    victim = incident.victim.id
    schedule, spans, pick = _schedule(plan, scope)
    distinct = clock.each_after(spans)
    dues = pick(distinct)
    if _usual(victim, distinct):  # every due time is one of these
        # Every task is one Task._made would pass (what, who and why are the plan's
        # own: tests/test_seven_step_plan.py builds each with Task(...)), so each is
        # made without asking again.
        make = MAKERS.get(Task) or trusted_maker(Task)
        for (what, who, why, _, _), due in zip(schedule, dues, strict=True):
            yield make(what, victim, due, why, who)
        return
    # Anything unusual: each task checked, and any error raised, as it is made.
    made = Task._made
    for (what, who, why, _, _), due in zip(schedule, dues, strict=True):
        yield made(what, victim, due, why, who)


def _usual(victim: object, dues: Iterable[datetime]) -> bool:
    """Whether ``victim`` and every due time are what :meth:`Task._made` passes as usual."""
    if not (type(victim) is str and victim and not victim.isspace()):
        return False
    return all(
        type(due) is datetime and type(due.tzinfo) is timezone and MIN_YEAR <= due.year <= MAX_YEAR
        for due in dues
    )
