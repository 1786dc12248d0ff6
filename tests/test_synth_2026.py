"""Synthetic years that exercise the 2026 rules (the ``pilot-2024-25`` profile).

Pilot areas and the first day of each pilot, child victims under s.3, weapons, key DASH
items not known, the last day of a school term, stalking; and the Staffordshire year,
which sets none of them, unchanged.
"""

from __future__ import annotations

import functools
from collections import Counter
from datetime import date, datetime

import attrs
import pytest

from dapolicy import Answer, Case, OffenceCategory, Policy
from dapolicy.batch import decision_time
from dapolicy.errors import ValidationError
from dapolicy.models._base import LONDON
from dapolicy.protection import DAPN_PILOT
from dapolicy.settings import DashSettings, EncompassSettings, SchoolTerm, Settings
from dapolicy.synth import PILOT_2024_25, STAFFORDSHIRE_2013, synthesize

N = 2_000
KEYS = frozenset(DashSettings().key_items)


@functools.cache
def year() -> tuple[Case, ...]:
    return tuple(synthesize(N, 11, PILOT_2024_25))


def day(case: Case) -> date:
    return case.incident.occurred_at.astimezone(LONDON).date()


def test_the_profile_spans_every_pilots_first_day() -> None:
    starts = sorted(set(DAPN_PILOT.values()))
    assert all(PILOT_2024_25.period_start <= d <= PILOT_2024_25.period_end for d in starts)
    for start in starts:
        areas = {a for a, d in DAPN_PILOT.items() if d == start}
        on_the_day = {c.incident.area for c in year() if day(c) == start}
        assert on_the_day & areas, f"no incident in a pilot area on {start}"


def test_a_victim_keeps_one_area_and_some_live_in_a_pilot_area() -> None:
    by_victim: dict[str, set[str | None]] = {}
    for case in year():
        by_victim.setdefault(case.incident.victim.id, set()).add(case.incident.area)
    assert all(len(areas) == 1 for areas in by_victim.values())
    placed = sum(1 for areas in by_victim.values() if areas != {None})
    # 30 % of victims, and those placed on a pilot's first day.
    assert round(0.30 * len(by_victim)) <= placed <= round(0.30 * len(by_victim)) + 7
    assert {a for areas in by_victim.values() for a in areas} - {None} <= set(DAPN_PILOT)


def test_children_are_victims_in_their_own_right_in_half_the_households() -> None:
    households: dict[str, bool] = {}
    for case in year():
        if case.incident.children:
            households[case.incident.victim.id] = bool(case.incident.child_victims)
    assert sum(households.values()) == round(0.5 * len(households))
    suspects = {
        c.incident.victim.id
        for c in year()
        if any(k.is_victim and k.related_to_suspect for k in c.incident.children)
    }
    assert 0 < len(suspects) < sum(households.values())


def test_weapons_are_present_at_every_assault_with_intent_and_some_others() -> None:
    cases = year()
    intent = [
        c
        for c in cases
        if c.incident.crime is not None
        and c.incident.crime.offence is OffenceCategory.ASSAULT_WITH_INTENT
    ]
    assert intent
    assert all(c.incident.weapon_present for c in intent)
    armed = sum(c.incident.weapon_present for c in cases)
    assert round(0.05 * N) <= armed <= round(0.05 * N) + len(intent)


def test_key_items_are_left_not_known_on_a_tenth_of_the_forms() -> None:
    forms = [c.form for c in year() if c.form is not None]
    with_key = sum(any(f.answers[k] is Answer.NOT_KNOWN for k in KEYS) for f in forms)
    assert with_key >= round(0.10 * len(forms))


def test_stalking_is_a_tenth_of_the_crimes() -> None:
    crimes = Counter(c.incident.crime.offence for c in year() if c.incident.crime is not None)
    assert crimes[OffenceCategory.STALKING] == round(0.10 * sum(crimes.values()))


def test_the_last_school_day_of_term_has_an_incident_with_children() -> None:
    for last in PILOT_2024_25.term_ends:
        assert any(day(c) == last and c.incident.children for c in year()), last


def test_the_2026_rules_fire_on_the_synthetic_year() -> None:
    terms = Settings(
        encompass=EncompassSettings(
            terms=(
                SchoolTerm(date(2024, 9, 4), date(2024, 12, 20)),
                SchoolTerm(date(2025, 1, 6), date(2025, 4, 4)),
            )
        )
    )
    policy = Policy(terms, load_entry_points=False)
    found: Counter[str] = Counter()
    review: Counter[str] = Counter()
    for case in year()[:600]:
        decision = policy.assess(case.incident, case.form, now=decision_time(case))
        found.update(t.what for t in decision.tasks)
        review.update(r.rule for r in decision.review_reasons)
    for task in (
        "safeguard-child-victim",
        "weapon-safety",
        "consider-stalking-protection-order",
        "operation-encompass",
    ):
        assert found[task], task
    assert review["dash.not-known-key-item"]
    # On the last day of the autumn term, the school is told on the first day of the next.
    (last,) = [c for c in year() if day(c) == date(2024, 12, 20) and c.incident.children][:1]
    decision = policy.assess(last.incident, last.form, now=decision_time(last))
    dues = {t.due_by for t in decision.tasks if t.what == "operation-encompass"}
    assert dues == {datetime(2025, 1, 6, 8, 30, tzinfo=LONDON)}


def test_the_staffordshire_year_has_none_of_it() -> None:
    assert not STAFFORDSHIRE_2013.exercises_2026_rules
    for case in synthesize(400, 2013):
        incident = case.incident
        assert incident.area is None
        assert not incident.weapon_present
        assert not any(k.affected or k.related_to_suspect for k in incident.children)


def test_a_profile_must_keep_its_term_ends_in_the_year() -> None:
    with pytest.raises(ValidationError, match="term_ends"):
        attrs.evolve(PILOT_2024_25, term_ends=(date(2026, 1, 1),))
