"""Operation Encompass: tell the school before the start of the next school day.

After a police-attended domestic-abuse incident, the school's designated safeguarding
lead is told before the start of the next school day for each child related to either
adult, present or not (Operation Encompass; evidence to Parliament, and the Victims and
Prisoners Act 2024 s.20's duty, not yet in force). Children with no relation recorded
but present or usually resident are notified too: a child at the address is not to be
missed for want of a flag.

The school-day calendar is the force's (``[encompass] terms``, the start of the day
``school_day_starts_minutes``); by default every weekday that is not a bank holiday.
"""

from __future__ import annotations

from collections.abc import Iterator

from dapolicy.calendar import BANK_HOLIDAY_SOURCE, next_school_day_start
from dapolicy.hookspecs import hookimpl
from dapolicy.models import Decision, DomesticAbuseVerdict, Incident, Task
from dapolicy.models.risk import reason
from dapolicy.settings import Settings

SOURCE = (
    "Operation Encompass: the school's designated safeguarding lead told before the start "
    "of the next school day (committees.parliament.uk written evidence 1608)"
)


@hookimpl
def dapolicy_tasks(incident: Incident, decision: Decision, settings: Settings) -> Iterator[Task]:
    """One school notification per child related to either adult (or in the household)."""
    if decision.domestic_abuse not in (
        DomesticAbuseVerdict.DOMESTIC_ABUSE,
        DomesticAbuseVerdict.UNDETERMINED,
    ):
        return
    children = [c for c in incident.children if c.related or c.in_household]
    if not children:
        return
    rules = settings.encompass
    terms = tuple((t.first_day, t.last_day) for t in rules.terms)
    due = next_school_day_start(incident.reported_at, terms, rules.school_day_starts_minutes)
    calendar = "the force's term dates" if terms else "weekdays that are not bank holidays"
    text = (
        f"tell the school's designated safeguarding lead before the next school day ({calendar})"
    )
    if due is None:
        # The force's term dates have run out: weekdays that are not bank holidays.
        due = next_school_day_start(incident.reported_at, (), rules.school_day_starts_minutes)
        text += "; no term dates are set after this day, so the next weekday is assumed"
        assert due is not None  # a month always has a weekday
    why = (reason("encompass.notify-school", f"{SOURCE}; {BANK_HOLIDAY_SOURCE}", text),)
    for child in children:
        yield Task._made(
            "operation-encompass",
            child.id,
            due,
            why,
            "Operation Encompass notifier",
        )
