"""Synthetic events: breaches and partner agencies' reports that exercise the repeat rule."""

from __future__ import annotations

import functools
from collections import Counter
from datetime import datetime, timedelta

from dapolicy import Destination, Event, InMemoryHistory, Policy, record, to_json
from dapolicy.batch import decision_time
from dapolicy.models import Agency, Case, EventKind
from dapolicy.models._base import micros
from dapolicy.synth import synthesize, synthesize_events

POLICY = Policy(load_entry_points=False)
HOUR = timedelta(hours=1)


@functools.cache
def year() -> tuple[tuple[Case, ...], tuple[Event, ...]]:
    cases = tuple(synthesize(300, 11))
    return cases, tuple(synthesize_events(cases, 11))


def test_events_are_deterministic_in_time_order_and_about_the_cases_pairs() -> None:
    cases, events = year()
    assert [to_json(e) for e in synthesize_events(cases, 11)] == [to_json(e) for e in events]
    assert [to_json(e) for e in synthesize_events(cases, 12)] != [to_json(e) for e in events]
    times = [micros(e.occurred_at) for e in events]
    assert times == sorted(times)
    assert len({e.id for e in events}) == len(events)
    pairs = {(c.incident.victim.id, c.incident.suspect.id) for c in cases}
    assert all((e.victim_id, e.perpetrator_id) in pairs for e in events)
    kinds = Counter(e.kind for e in events)
    assert set(kinds) == {
        EventKind.ORDER_BREACHED,
        EventKind.BAIL_BREACHED,
        EventKind.ABUSE_REPORTED,
        EventKind.PERPETRATOR_RELEASED,
    }
    assert {e.reported_by for e in events} > {Agency.POLICE}
    assert all(e.details is None for e in events)


def test_a_year_with_events_gives_repeats_inside_the_window_and_none_outside() -> None:
    cases, events = year()
    work: list[tuple[datetime, Case | Event]] = [(decision_time(c), c) for c in cases]
    work += [(e.occurred_at + HOUR, e) for e in events]
    history = InMemoryHistory()
    repeats: Counter[str] = Counter()
    for now, item in sorted(work, key=lambda pair: micros(pair[0])):
        if isinstance(item, Case):
            decision = POLICY.assess(item.incident, item.form, history=history, now=now)
            record(history, item.incident, decision)
            continue
        outcome = POLICY.on_event(item, history=history, now=now)
        assert outcome.decision is not None
        record(history, item, outcome.decision)
        marac = outcome.decision.referral(Destination.MARAC)
        repeat = marac is not None and any(r.rule == "marac.repeat" for r in marac.reasons)
        last = history.last_marac_referral(
            item.victim_id,
            item.perpetrator_id,
            before=item.occurred_at,
            known_at=now,
            exclude=item.id,
        )
        if repeat:
            repeats["partner" if item.reported_by is not Agency.POLICE else "police"] += 1
            assert item.kind.abuse
            assert last is not None
        elif item.kind.abuse and last is not None:
            assert item.occurred_at - last.referred_at > timedelta(days=364)
            repeats["outside the window"] += 1
    assert repeats["police"]
    assert repeats["partner"]
    assert repeats["outside the window"]
