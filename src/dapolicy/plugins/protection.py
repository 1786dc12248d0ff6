"""Protection notices and orders as tasks: the order's hearing, a breach, an SPO.

- A protection notice given (event ``protection_notice_given``) => apply for the order
  and have it heard within 48 hours of the notice (DA Act 2021 s.29; for a DVPN, Crime
  and Security Act 2010 s.27), Sundays, Christmas Day, Good Friday and bank holidays
  disregarded.
- An arrest for breach of a notice (``protection_notice_breach_arrest``) => before the
  court within 24 hours, the same days disregarded (DA Act 2021 s.26; for a DVPN, CSA
  2010 s.26).
- Stalking indicated (a stalking abuse type or offence, or DASH item 8 offering S-DASH)
  => consider a Stalking Protection Order within ``[protection] spo_consider_days``.
- A Stalking Protection Order made (``stalking_protection_order_made``) => check the
  notification within three days of service (Stalking Protection Act 2019 s.9).

The DVPN deadlines are the Crime and Security Act 2010's own text, which the project's
reference does not quote: the same 48 and 24 hours with the same days disregarded.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from dapolicy._time import add_local
from dapolicy.hookspecs import hookimpl
from dapolicy.models import Decision, Event, EventKind, Incident, OffenceCategory, Task
from dapolicy.models.incident import AbuseType
from dapolicy.models.protection import ProtectionRegime
from dapolicy.models.risk import reason
from dapolicy.protection import (
    BREACH_SOURCE,
    HEARING_SOURCE,
    breach_court_due,
    order_hearing_due,
    regime_for,
    spo_notification_due,
)
from dapolicy.settings import Settings

SPO_SOURCE = "Stalking Protection Act 2019 (in force 20 Jan 2020)"
_DVPN = (
    "Crime and Security Act 2010 ss.26-27 (the DVPN's 48- and 24-hour periods, the same "
    "days disregarded)"
)


def _order(event: Event, settings: Settings) -> tuple[str, str, str]:
    regime, _ = regime_for(event.occurred_at, event.area, settings)
    if regime is ProtectionRegime.DVPN:
        return "DVPO", _DVPN, _DVPN
    # DAPN, or not known: the DAPN's own periods, which are the same length.
    return "DAPO", HEARING_SOURCE, BREACH_SOURCE


@hookimpl
def dapolicy_on_event(event: Event, settings: Settings) -> Iterator[Task]:
    """The order's hearing, a breach's court appearance, an SPO's notification."""
    order, hearing_source, breach_source = _order(event, settings)
    found: tuple[str, str, datetime, str, str, str, str]
    if event.kind is EventKind.PROTECTION_NOTICE_GIVEN:
        found = (
            "protection-order-hearing",
            event.victim_id,
            order_hearing_due(event.occurred_at),
            "order-hearing",
            hearing_source,
            f"apply for a {order}; the hearing within 48 hours of the notice, Sundays, "
            "Christmas Day, Good Friday and bank holidays disregarded",
            "officer in charge",
        )
    elif event.kind is EventKind.PROTECTION_NOTICE_BREACH_ARREST:
        found = (
            "breach-before-court",
            event.perpetrator_id,
            breach_court_due(event.occurred_at),
            "breach-before-court",
            breach_source,
            "arrested for breach of the notice: before the court within 24 hours (or at "
            "the order's hearing if sooner), the same days disregarded",
            "custody officer",
        )
    elif event.kind is EventKind.STALKING_PROTECTION_ORDER_MADE:
        found = (
            "spo-notification-check",
            event.perpetrator_id,
            spo_notification_due(event.occurred_at),
            "spo-notification",
            f"{SPO_SOURCE} s.9: notification within 3 days of service",
            "check the person subject to the order has notified their name and address "
            "within 3 days beginning with the day of service",
            "officer in charge",
        )
    else:
        return
    what, whom, due, rule, source, text, assignee = found
    yield Task(what, whom, due, (reason(f"protection.{rule}", source, text),), assignee)


def stalking_indicated(incident: Incident, decision: Decision) -> bool:
    """Stalking is indicated: its abuse type or offence, or S-DASH offered (item 8)."""
    crime = incident.crime
    return (
        AbuseType.STALKING in incident.abuse_types
        or (crime is not None and crime.offence is OffenceCategory.STALKING)
        or any(p.rule == "dash.offer-s-dash" for p in decision.prompts)
    )


@hookimpl
def dapolicy_tasks(incident: Incident, decision: Decision, settings: Settings) -> Iterator[Task]:
    """Consider a Stalking Protection Order whenever stalking is indicated."""
    if not stalking_indicated(incident, decision):
        return
    days = settings.protection.spo_consider_days
    yield Task(
        "consider-stalking-protection-order",
        incident.victim.id,
        add_local(incident.reported_at, days=days),
        (
            reason(
                "protection.consider-spo",
                f"{SPO_SOURCE} s.1; consider within {days} days (force setting "
                "protection.spo_consider_days)",
                "stalking indicated: consider applying for a Stalking Protection Order",
            ),
        ),
        "officer in charge",
    )
