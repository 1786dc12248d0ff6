"""Synthetic events after the incidents: order breaches and partner agencies' reports (private).

:func:`synthesize_events` follows a synthetic year's cases with the events that feed
SafeLives' repeat-MARAC definition and re-grade the victim: breaches of a civil order
(each :class:`~dapolicy.models.CivilOrder` in turn), breaches of bail, abuse reported
to a partner agency, and releases (which are not abuse). Every share and delay is an
ASSUMPTION, not a calibrated figure: the reference found no published rate of breaches
or partner reports per incident. Delays run from a day to about 18 months after the
victim's last incident, so some events fall inside and some outside the 12 months
after a referral.

Deterministic: the same cases and seed give the same events, in the order they happen
(by ``occurred_at``, ties by id); ids are ``SYN-EV-000001`` and so on. Events carry ids
and times only: no details.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import timedelta

from dapolicy.models import Agency, Case, CivilOrder, Event, EventKind
from dapolicy.models._base import micros
from dapolicy.synth._plan import fixed_offset, stage_rng

__all__ = ["EVENT_SHARES", "synthesize_events"]

#: The share of victims who have each kind of event after their last incident (an
#: ASSUMPTION, for exercising the rules; not a calibrated rate).
EVENT_SHARES: tuple[tuple[EventKind, float], ...] = (
    (EventKind.ORDER_BREACHED, 0.08),
    (EventKind.BAIL_BREACHED, 0.04),
    (EventKind.ABUSE_REPORTED, 0.05),
    (EventKind.PERPETRATOR_RELEASED, 0.03),
)
#: Who reports an abuse event: a partner agency in two of five (an ASSUMPTION).
_PARTNERS = (
    Agency.IDVA,
    Agency.HOUSING,
    Agency.HEALTH,
    Agency.PROBATION,
    Agency.CHILDRENS_SOCIAL_CARE,
)
_ORDERS = tuple(CivilOrder)


def synthesize_events(cases: Iterable[Case], seed: int) -> Iterator[Event]:
    """Events after ``cases`` (a synthetic year, or any cases), in the order they happen.

    :param cases: the cases; each victim's latest incident is followed.
    :param seed: chooses which victims have events, and when.
    """
    last: dict[str, Case] = {}
    for case in cases:
        victim = case.incident.victim.id
        seen = last.get(victim)
        if seen is None or micros(case.incident.occurred_at) >= micros(seen.incident.occurred_at):
            last[victim] = case
    rng = stage_rng(seed, "events")
    events: list[Event] = []
    orders = 0
    for victim in sorted(last):
        incident = last[victim].incident
        for kind, share in EVENT_SHARES:
            if rng.random() >= share:
                continue
            delay = timedelta(days=rng.randint(1, 540), minutes=rng.randint(0, 24 * 60 - 1))
            reported_by = Agency.POLICE
            if kind is EventKind.ABUSE_REPORTED or (kind.abuse and rng.random() < 0.4):
                reported_by = _PARTNERS[rng.randrange(len(_PARTNERS))]
            order = None
            if kind is EventKind.ORDER_BREACHED:
                order, orders = _ORDERS[orders % len(_ORDERS)], orders + 1
            events.append(
                Event(
                    "SYN-EV",  # numbered below, once in time order
                    kind,
                    fixed_offset(incident.occurred_at + delay),
                    victim,
                    incident.suspect.id,
                    incident_id=incident.id,
                    area=incident.area,
                    reported_by=reported_by,
                    order=order,
                )
            )
    events.sort(key=lambda e: (micros(e.occurred_at), e.victim_id, e.kind.value))
    for number, event in enumerate(events, 1):
        yield Event(
            f"SYN-EV-{number:06d}",
            event.kind,
            event.occurred_at,
            event.victim_id,
            event.perpetrator_id,
            incident_id=event.incident_id,
            area=event.area,
            reported_by=event.reported_by,
            order=event.order,
        )
