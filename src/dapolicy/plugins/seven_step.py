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

from collections.abc import Iterator

from dapolicy._time import add_local
from dapolicy.hookspecs import hookimpl
from dapolicy.models import Decision, DomesticAbuseVerdict, Incident, Task
from dapolicy.models.risk import reason
from dapolicy.settings import Settings

SOURCE = "HMIC 2014 inspection: the seven-step plan"
_IN_SCOPE = {DomesticAbuseVerdict.DOMESTIC_ABUSE, DomesticAbuseVerdict.UNDETERMINED}


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
    reported = incident.reported_at
    golden = add_local(reported, hours=plan.golden_hour_minutes / 60)
    steps = (
        ("step-1-respond", golden, "control room", "respond immediately or as a priority"),
        ("step-2-intelligence", golden, "control room", "search systems, brief the officers"),
        (
            "step-3-positive-action",
            golden,
            "attending officer",
            "attend, take positive action, preserve evidence, identify safeguarding",
        ),
        (
            "step-4-neighbourhood-visit",
            add_local(reported, hours=plan.neighbourhood_visit_hours),
            "neighbourhood officer",
            "visit to reassure, signpost and review safeguarding",
        ),
        (
            "step-5-reassurance-visits",
            add_local(reported, days=plan.reassurance_days),
            "neighbourhood officer or PCSO",
            "continue reassurance visits",
        ),
        (
            "step-6-inspector-letter",
            add_local(reported, days=plan.reassurance_days),
            "local inspector",
            "send the reassurance letter",
        ),
        (
            "step-7-review-visit",
            add_local(reported, days=plan.review_days),
            "neighbourhood officer or PCSO",
            "visit, update on the investigation, review ongoing support",
        ),
    )
    victim = incident.victim.id
    for what, due, who, text in steps:
        yield Task(
            what, victim, due, (reason(f"seven-step.{what}", SOURCE, f"{text}: {scope}"),), who
        )
    day = plan.action_plan_review_days
    while day < plan.review_days:
        yield Task(
            "action-plan-review",
            victim,
            add_local(reported, days=day),
            (
                reason(
                    "seven-step.action-plan-review",
                    f"{SOURCE}: action plans updated at least every "
                    f"{plan.action_plan_review_days} days",
                    f"review the action plan (day {day})",
                ),
            ),
            "neighbourhood team",
        )
        day += plan.action_plan_review_days
