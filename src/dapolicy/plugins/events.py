"""After the incident: every release, bail change, breach or new incident is acted on.

The report found no robust way to tell victims when a perpetrator left prison, nor to
re-assess their risk (recommendation 6), and no re-assessment after the 28-day plan.
For every event, whenever it happens: a task to tell the victim, and a task to
re-assess the risk, with the force's deadlines (``settings.events``).
"""

from __future__ import annotations

from collections.abc import Iterator

from dapolicy._time import add_local
from dapolicy.hookspecs import hookimpl
from dapolicy.models import Event, Task
from dapolicy.models.risk import reason
from dapolicy.settings import Settings

SOURCE = "HMIC 2014 inspection, recommendation 6"


@hookimpl
def dapolicy_on_event(event: Event, settings: Settings) -> Iterator[Task]:
    """Notify the victim and re-assess the risk, whatever the event and however late."""
    what = event.kind.value.replace("_", " ")
    deadlines = settings.events
    yield Task(
        "notify-victim",
        event.victim_id,
        add_local(event.occurred_at, hours=deadlines.notify_within_hours),
        (reason("events.notify-victim", SOURCE, f"tell the victim: {what}"),),
        "officer in charge",
    )
    yield Task(
        "re-assess-risk",
        event.victim_id,
        add_local(event.occurred_at, hours=deadlines.reassess_within_hours),
        (reason("events.re-assess-risk", SOURCE, f"re-assess the victim's risk after: {what}"),),
        "MASH",
    )
