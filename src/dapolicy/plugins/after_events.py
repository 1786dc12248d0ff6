"""After the incident: Clare's Law requests, and the Victims' Code's timings.

- Clare's Law (the Domestic Violence Disclosure Scheme): a right-to-ask or right-to-know
  request (events ``dvds_right_to_ask``, ``dvds_right_to_know``) is decided end to end
  within the guidance's period: 28 days under the statutory guidance (DA Act 2021
  s.77, in force 5 April 2023), 35 days before it -- by the day the request was made.
- Victims' Code (in force 1 April 2021): a key decision -- a suspect charged,
  cautioned, given an out-of-court disposal or no further action; bail changed; a
  release -- is told to the victim within 1 working day for a victim with enhanced
  rights and 5 otherwise. A vulnerable victim is always enhanced; every domestic-abuse
  victim is by default (``[victims_code] domestic_abuse_enhanced``, an assumption).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime

from dapolicy._time import add_local
from dapolicy.calendar import BANK_HOLIDAY_SOURCE, end_of_working_days
from dapolicy.hookspecs import hookimpl
from dapolicy.models import Decision, Event, EventKind, Incident, Task
from dapolicy.models._base import LONDON
from dapolicy.models.risk import reason
from dapolicy.settings import Settings

#: The DVDS statutory guidance (DA Act 2021 s.77) applies to requests from this day.
DVDS_STATUTORY_FROM = date(2023, 4, 5)
DVDS_SOURCE_2023 = (
    "Domestic Violence Disclosure Scheme statutory guidance (April 2023, DA Act 2021 s.77, "
    "in force 5 April 2023): 28 days end to end"
)
DVDS_SOURCE_BEFORE = "Domestic Violence Disclosure Scheme guidance before April 2023: 35 days"
VICTIMS_CODE = "Victims' Code (in force 1 April 2021)"

_DVDS = {
    EventKind.DVDS_RIGHT_TO_ASK: "right to ask",
    EventKind.DVDS_RIGHT_TO_KNOW: "right to know",
}
_KEY_EVENTS = {
    EventKind.BAIL_CHANGED: "the suspect's bail changed",
    EventKind.PERPETRATOR_RELEASED: "the perpetrator's release",
}


def dvds_days(received: datetime) -> tuple[int, str]:
    """The end-to-end period of the guidance in force when a request was received."""
    if received.astimezone(LONDON).date() >= DVDS_STATUTORY_FROM:
        return 28, DVDS_SOURCE_2023
    return 35, DVDS_SOURCE_BEFORE


def _tell_victim(victim: str, start: datetime, enhanced: bool, what: str) -> Task:
    days = 1 if enhanced else 5
    rights = "enhanced rights" if enhanced else "standard rights"
    return Task(
        "victims-code-tell-victim",
        victim,
        end_of_working_days(start, days),
        (
            reason(
                "victims-code.key-decision",
                f"{VICTIMS_CODE}: {days} working day(s) ({rights}); {BANK_HOLIDAY_SOURCE}",
                f"tell the victim of {what} within {days} working day(s)",
            ),
        ),
        "officer in charge",
    )


@hookimpl
def dapolicy_on_event(event: Event, settings: Settings) -> Iterator[Task]:
    """A DVDS decision's deadline; a key decision told to the victim."""
    request = _DVDS.get(event.kind)
    if request is not None:
        days, source = dvds_days(event.occurred_at)
        yield Task(
            "dvds-decision",
            event.victim_id,
            add_local(event.occurred_at, days=days),
            (
                reason(
                    "dvds.end-to-end",
                    source,
                    f"Clare's Law {request} request: decide and, if so, disclose within "
                    f"{days} days",
                ),
            ),
            "DVDS decision-maker",
        )
    what = _KEY_EVENTS.get(event.kind)
    if what is not None:
        enhanced = settings.victims_code.domestic_abuse_enhanced
        yield _tell_victim(event.victim_id, event.occurred_at, enhanced, what)


@hookimpl
def dapolicy_tasks(incident: Incident, decision: Decision, settings: Settings) -> Iterator[Task]:
    """A crime's outcome is a key decision the victim is told of."""
    crime = incident.crime
    if crime is None or crime.outcome is None:
        return
    enhanced = (
        bool(incident.victim.vulnerabilities) or settings.victims_code.domestic_abuse_enhanced
    )
    outcome = crime.outcome.value.replace("_", " ")
    yield _tell_victim(
        incident.victim.id, decision.decided_at, enhanced, f"the outcome ({outcome})"
    )
