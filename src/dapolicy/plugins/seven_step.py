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
from collections.abc import Iterator

from dapolicy._time import LondonClock
from dapolicy.hookspecs import hookimpl
from dapolicy.models import Decision, DomesticAbuseVerdict, Incident, Reason, Task
from dapolicy.models.risk import reason
from dapolicy.settings import Settings

SOURCE = "HMIC 2014 inspection: the seven-step plan"
_IN_SCOPE = {DomesticAbuseVerdict.DOMESTIC_ABUSE, DomesticAbuseVerdict.UNDETERMINED}


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
    golden = clock.after(hours=plan.golden_hour_minutes / 60)
    dues = (
        golden,
        golden,
        golden,
        clock.after(hours=plan.neighbourhood_visit_hours),
        clock.after(days=plan.reassurance_days),
        clock.after(days=plan.reassurance_days),
        clock.after(days=plan.review_days),
    )
    victim = incident.victim.id
    made = Task._made
    for (what, who, _), due, why in zip(_STEPS, dues, _step_reasons(scope), strict=True):
        yield made(what, victim, due, why, who)
    day = plan.action_plan_review_days
    while day < plan.review_days:
        yield made(
            "action-plan-review",
            victim,
            clock.after(days=day),
            _review_reasons(plan.action_plan_review_days, day),
            "neighbourhood team",
        )
        day += plan.action_plan_review_days
