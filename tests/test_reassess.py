"""After the incident: every event re-grades, repeats by SafeLives' definition, no quiet downgrade.

- An event gives a new Decision for the victim (``EventOutcome.decision``), recorded in
  the history with its grade.
- SafeLives' repeat-MARAC definition: any abuse, a breach of bail or of any civil order
  included, reported to any agency, within 12 months of the last referral.
- A graded decision lower than the victim's last recorded grade needs a supervisor's
  sign-off (``grade.lower-than-last``).
"""

from __future__ import annotations

import calendar
import random
import runpy
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dapolicy import (
    Agency,
    CivilOrder,
    Decision,
    Destination,
    Event,
    EventKind,
    Incident,
    InMemoryHistory,
    RiskGrade,
    record,
    to_json,
)
from dapolicy.history import DOWNGRADE_RULE, GradeEntry, MaracReferralEntry
from dapolicy.models import ABUSE_EVENTS
from dapolicy.models._base import micros

#: The shared builders of the engine tests, run from their file (tests/ is not a package).
h = SimpleNamespace(**runpy.run_path(str(Path(__file__).with_name("engine_helpers.py"))))

LONDON = h.LONDON
POLICY = h.make_policy()
HOUR = timedelta(hours=1)
MICRO = timedelta(microseconds=1)
HIGH_FORM = range(1, 15)  # 14 "yes": visible high risk


def at(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=LONDON)


def rules(decision: Decision) -> list[str]:
    return [r.rule for r in decision.review_reasons]


def marac_rules(decision: Decision) -> list[str]:
    referral = decision.referral(Destination.MARAC)
    return [] if referral is None else [r.rule for r in referral.reasons]


def referred(history: InMemoryHistory, when: datetime, *, iid: str = "I-1") -> Decision:
    """A high-risk incident for V-1 and S-1, decided (and referred to MARAC) at ``when``."""
    incident = h.make_incident(iid, at=when - HOUR)
    decision = POLICY.assess(incident, h.dash_form(incident, HIGH_FORM), now=when)
    assert Destination.MARAC in decision.referred_to()
    record(history, incident, decision)
    return decision


def event(
    kind: EventKind = EventKind.ORDER_BREACHED,
    when: datetime | None = None,
    **more: Any,
) -> Event:
    return Event("EV-1", kind, when or at(2024, 9, 1, 18, 0), "V-1", "S-1", **more)


def standard_history(when: datetime) -> InMemoryHistory:
    """V-1 with one standard-graded incident with S-1 decided at ``when``: no referral."""
    history = InMemoryHistory()
    incident = h.make_incident("I-0", at=when - HOUR)
    record(history, incident, POLICY.assess(incident, h.dash_form(incident, [1]), now=when))
    return history


def breach_in(history: InMemoryHistory, when: datetime, **more: Any) -> Decision:
    outcome = POLICY.on_event(event(when=when, **more), history=history, now=when + HOUR)
    assert outcome.decision is not None
    return outcome.decision


# --- every event re-grades -----------------------------------------------------------------


def test_an_event_gives_a_decision_carrying_the_last_grade_and_recorded_in_the_history() -> None:
    history = InMemoryHistory()
    referred(history, at(2024, 1, 10, 22, 0))
    release = event(EventKind.PERPETRATOR_RELEASED, at(2024, 3, 1, 9, 0))
    outcome = POLICY.on_event(release, history=history, now=at(2024, 2, 28, 12, 0))
    decision = outcome.decision
    assert decision is not None
    assert (decision.incident_id, decision.victim_id) == ("EV-1", "V-1")
    assert decision.grade is RiskGrade.HIGH
    assert decision.decided_at == outcome.decided_at
    assert decision.tasks == outcome.tasks  # the victim is told, the risk re-assessed
    assert [f.model for f in decision.findings] == ["after-events"]
    assert decision.findings[0].reasons[0].rule == "reassess.last-grade"
    assert decision.findings[0].reasons[0].source == "HMIC 2014 inspection, recommendation 6"
    assert sorted(d.value for d in decision.referred_to()) == ["idva", "marac"]
    assert marac_rules(decision) == ["marac.high-risk"]  # a release is not abuse: no repeat
    assert not decision.needs_review
    assert decision.policy_fingerprint == POLICY.fingerprint
    record(history, release, decision)
    [kept] = history.events(
        "V-1", since=at(2024, 1, 1), until=at(2025, 1, 1), known_at=at(2025, 1, 1)
    )
    assert kept.kind is EventKind.PERPETRATOR_RELEASED
    last = history.last_grade("V-1", known_at=at(2025, 1, 1))
    assert last is not None
    assert last.decision_id == "EV-1"


def test_an_event_for_a_victim_with_no_grade_is_ungraded_and_reviewed() -> None:
    decision = breach_in(InMemoryHistory(), at(2024, 9, 1, 18, 0))
    assert decision.ungraded
    assert rules(decision) == ["grade.no-finding", "definition.undetermined"]
    assert decision.domestic_abuse.value == "undetermined"
    assert decision.referrals == ()


def test_every_event_kind_gives_a_decision_whose_reasons_cite_sources() -> None:
    history = InMemoryHistory()
    referred(history, at(2024, 1, 10, 22, 0))
    for kind in EventKind:
        outcome = POLICY.on_event(event(kind), history=history, now=at(2024, 9, 1, 19, 0))
        assert outcome.decision is not None, kind
        assert not outcome.needs_review, kind
        every = [
            *outcome.decision.reasons,
            *(r for f in outcome.decision.findings for r in f.reasons),
        ]
        every += [r for ref in outcome.decision.referrals for r in ref.reasons]
        assert all(r.rule and r.source for r in every), kind


# --- SafeLives' repeat-MARAC definition, fed by events ----------------------------------------


@pytest.mark.parametrize("kind", sorted(ABUSE_EVENTS, key=lambda k: k.value))
def test_any_abuse_event_within_12_months_of_the_referral_is_a_repeat(kind: EventKind) -> None:
    history = InMemoryHistory()
    referred(history, at(2024, 1, 10, 22, 0))
    decision = breach_in(history, at(2024, 9, 1, 18, 0), kind=kind)
    assert "marac.repeat" in marac_rules(decision)
    repeat = next(
        r for r in decision.referral(Destination.MARAC).reasons if r.rule == "marac.repeat"
    )  # type: ignore[union-attr]
    assert "SafeLives definition of a repeat MARAC" in repeat.source
    assert "any agency" in repeat.source


@pytest.mark.parametrize("kind", sorted(set(EventKind) - ABUSE_EVENTS, key=lambda k: k.value))
def test_an_event_that_is_not_abuse_is_no_repeat(kind: EventKind) -> None:
    history = standard_history(at(2024, 1, 10, 22, 0))
    history.record_marac_referral(MaracReferralEntry("V-1", "S-1", at(2024, 1, 10, 22, 0), "I-0"))
    decision = breach_in(history, at(2024, 9, 1, 18, 0), kind=kind)
    assert decision.referrals == ()


def test_a_breach_reported_by_a_partner_agency_only_is_a_repeat() -> None:
    history = standard_history(at(2024, 1, 10, 22, 0))
    history.record_marac_referral(MaracReferralEntry("V-1", "S-1", at(2024, 1, 10, 22, 0), "I-0"))
    decision = breach_in(
        history,
        at(2024, 6, 3, 9, 0),
        kind=EventKind.ORDER_BREACHED,
        reported_by=Agency.HOUSING,
        order=CivilOrder.NON_MOLESTATION,
    )
    assert decision.grade is RiskGrade.STANDARD  # a repeat refers; it sets no grade
    assert marac_rules(decision) == ["marac.repeat"]
    [repeat] = decision.referral(Destination.MARAC).reasons  # type: ignore[union-attr]
    assert "event reported by housing" in repeat.text


def test_another_perpetrators_breach_is_no_repeat() -> None:
    history = InMemoryHistory()
    referred(history, at(2024, 1, 10, 22, 0))
    other = attrs.evolve(event(), perpetrator_id="S-9")
    outcome = POLICY.on_event(other, history=history, now=at(2024, 9, 1, 19, 0))
    assert outcome.decision is not None
    assert "marac.repeat" not in marac_rules(outcome.decision)
    assert "definition.undetermined" in rules(outcome.decision)  # no incident with S-9


def window_case(referral: datetime, breach: datetime) -> list[str]:
    history = standard_history(referral)
    history.record_marac_referral(MaracReferralEntry("V-1", "S-1", referral, "I-0"))
    return marac_rules(breach_in(history, breach))


def test_exactly_12_months_after_the_referral_is_a_repeat_and_a_microsecond_later_is_not() -> None:
    referral = at(2024, 5, 14, 10, 30)
    assert window_case(referral, at(2025, 5, 14, 10, 30)) == ["marac.repeat"]
    assert window_case(referral, at(2025, 5, 14, 10, 30) + MICRO) == []
    assert window_case(referral, referral) == ["marac.repeat"]  # at the referral's instant


def test_a_referral_on_29_february_reaches_the_end_of_28_february() -> None:
    referral = at(2024, 2, 29, 11, 0)
    assert window_case(referral, at(2025, 2, 28, 23, 59, 59, 999_999)) == ["marac.repeat"]
    assert window_case(referral, at(2025, 3, 1, 0, 0)) == []


def test_the_window_is_on_the_london_wall_clock_across_a_clock_change() -> None:
    # The day before the clocks went forward in 2024, and the day they did in 2025: 12
    # months on the wall clock is an hour less than 365 days elapsed.
    referral = at(2024, 3, 30, 12, 0)  # GMT
    breach = at(2025, 3, 30, 12, 0)  # BST
    assert breach.astimezone(UTC) - referral.astimezone(UTC) < timedelta(days=365)
    assert window_case(referral, breach) == ["marac.repeat"]
    assert window_case(referral, breach + MICRO) == []


def test_abuse_reported_before_the_first_referral_is_no_repeat() -> None:
    # A partner's report of abuse that happened before the referral, known after it.
    referral = at(2024, 1, 10, 22, 0)
    assert window_case(referral, referral - MICRO) == []


def test_only_a_referral_the_force_knew_of_before_the_decision_counts() -> None:
    history = standard_history(at(2024, 1, 10, 22, 0))
    history.record_marac_referral(
        MaracReferralEntry(
            "V-1", "S-1", at(2024, 1, 10, 22, 0), "I-0", recorded_at=at(2024, 9, 1, 19, 0)
        )
    )
    breach = event(when=at(2024, 9, 1, 18, 0))
    on_the_hour = POLICY.on_event(breach, history=history, now=at(2024, 9, 1, 19, 0))
    later = POLICY.on_event(breach, history=history, now=at(2024, 9, 1, 19, 0) + MICRO)
    assert on_the_hour.decision is not None
    assert later.decision is not None
    assert marac_rules(on_the_hour.decision) == []  # recorded_at == known_at: not seen
    assert marac_rules(later.decision) == ["marac.repeat"]


def test_a_repeat_from_an_event_restarts_the_12_months() -> None:
    history = standard_history(at(2024, 1, 10, 22, 0))
    history.record_marac_referral(MaracReferralEntry("V-1", "S-1", at(2024, 1, 10, 22, 0), "I-0"))
    first = event(when=at(2024, 12, 1, 18, 0))
    outcome = POLICY.on_event(first, history=history, now=at(2024, 12, 1, 19, 0))
    assert outcome.decision is not None
    record(history, first, outcome.decision)
    again = attrs.evolve(event(EventKind.BAIL_BREACHED, at(2025, 6, 1, 18, 0)), id="EV-2")
    later = POLICY.on_event(again, history=history, now=at(2025, 6, 1, 19, 0))
    assert later.decision is not None
    assert marac_rules(later.decision) == ["marac.repeat"]  # within 12 months of December


# --- no quiet downgrade -----------------------------------------------------------------------


def assess(history: InMemoryHistory, iid: str, when: datetime, yes: Any) -> Decision:
    incident = h.make_incident(iid, at=when - HOUR)
    form = None if yes is None else h.dash_form(incident, yes)
    return POLICY.assess(incident, form, history=history, now=when)


def test_a_grade_lower_than_the_last_needs_a_supervisors_sign_off() -> None:
    history = InMemoryHistory()
    referred(history, at(2024, 1, 10, 22, 0))
    lower = assess(history, "I-2", at(2024, 2, 1, 22, 0), [1, 2])
    assert lower.grade is RiskGrade.STANDARD  # the grade is today's assessment
    assert lower.needs_review
    [reason] = lower.review_reasons
    assert reason.rule == DOWNGRADE_RULE
    assert "College of Policing" in reason.source
    assert "last recorded grade (high, decided 2024-01-10)" in reason.text
    # Recorded unsigned, it does not become the last grade: the next one is flagged too.
    record(history, h.make_incident("I-2", at=at(2024, 2, 1, 21, 0)), lower)
    # (A year on, so that the force's series rule, three in 12 months, does not grade it.)
    again = assess(history, "I-3", at(2025, 2, 1, 22, 0), [1])
    assert rules(again) == [DOWNGRADE_RULE]
    record(history, h.make_incident("I-3", at=at(2025, 2, 1, 21, 0)), again, signed_off=True)
    after_sign_off = assess(history, "I-4", at(2025, 6, 1, 22, 0), [1])
    assert rules(after_sign_off) == []


def test_an_equal_or_higher_grade_and_an_ungraded_case_are_not_flagged() -> None:
    history = InMemoryHistory()
    referred(history, at(2024, 1, 10, 22, 0))
    assert rules(assess(history, "I-2", at(2024, 2, 1, 22, 0), HIGH_FORM)) == []
    assert rules(assess(history, "I-3", at(2024, 2, 1, 22, 0), None)) == [
        "form.missing",
        "grade.no-finding",
    ]


def test_a_decision_is_not_compared_with_its_own_earlier_grade() -> None:
    history = InMemoryHistory()
    first = referred(history, at(2024, 1, 10, 22, 0))
    incident = h.make_incident("I-1", at=at(2024, 1, 10, 21, 0))
    again = POLICY.assess(
        incident, h.dash_form(incident, [1]), history=history, now=first.decided_at + HOUR
    )
    assert DOWNGRADE_RULE not in rules(again)


def test_a_grade_is_compared_only_once_the_force_knew_it() -> None:
    history = InMemoryHistory()
    history.record_grade(
        GradeEntry(
            "V-1", at(2024, 1, 10, 22, 0), RiskGrade.HIGH, "I-1", recorded_at=at(2024, 2, 1, 22, 0)
        )
    )
    assert rules(assess(history, "I-2", at(2024, 2, 1, 22, 0), [1])) == []
    assert rules(assess(history, "I-2", at(2024, 2, 1, 22, 0) + MICRO, [1])) == [DOWNGRADE_RULE]


def test_an_event_carries_the_grade_so_a_later_lower_incident_is_flagged() -> None:
    history = InMemoryHistory()
    referred(history, at(2024, 1, 10, 22, 0))
    breach = event(when=at(2024, 6, 1, 18, 0))
    outcome = POLICY.on_event(breach, history=history, now=at(2024, 6, 1, 19, 0))
    assert outcome.decision is not None
    record(history, breach, outcome.decision)
    later = assess(history, "I-2", at(2024, 7, 1, 22, 0), [1])
    assert rules(later) == [DOWNGRADE_RULE]
    assert "decided 2024-06-01" in later.review_reasons[0].text  # the event's decision


# --- properties ----------------------------------------------------------------------------------

YES_COUNTS = st.sampled_from([None, 0, 5, 10, 14])  # ungraded, standard, medium, high


@settings(max_examples=25)
@given(st.lists(st.tuples(YES_COUNTS, st.booleans()), min_size=2, max_size=6))
def test_a_re_grade_never_lowers_a_grade_without_the_sign_off_reason(
    steps: list[tuple[int | None, bool]],
) -> None:
    history = InMemoryHistory()
    last: RiskGrade | None = None  # the oracle: the last grade record() should keep
    for n, (yes, sign) in enumerate(steps):
        when = at(2024, 1, 1, 12, 0) + timedelta(days=10 * n)
        decision = assess(history, f"I-{n}", when, None if yes is None else range(1, yes + 1))
        flagged = DOWNGRADE_RULE in rules(decision)
        lower = last is not None and not decision.ungraded and decision.grade < last
        assert flagged == lower
        record(history, h.make_incident(f"I-{n}", at=when - HOUR), decision, signed_off=sign)
        if not decision.ungraded and (sign or not flagged):
            last = decision.grade


def window_end(referral: datetime) -> datetime:
    """The last instant of the 12 months, reckoned forwards (independently of the code)."""
    local = referral.astimezone(LONDON).replace(tzinfo=None)
    if (local.month, local.day) == (2, 29):
        return datetime.combine(date(local.year + 1, 2, 28), time.max, LONDON)
    day = min(local.day, calendar.monthrange(local.year + 1, local.month)[1])
    return local.replace(year=local.year + 1, day=day).replace(tzinfo=LONDON)


#: Referral days at the edges: 29 February, the days the clocks change, a year's end.
REFERRAL_DAYS = [
    date(2024, 2, 29),
    date(2024, 3, 31),
    date(2024, 10, 27),
    date(2023, 12, 31),
    date(2024, 6, 15),
]


@settings(max_examples=40)
@given(
    st.sampled_from(REFERRAL_DAYS),
    st.sampled_from([time(0, 0), time(9, 30), time(12, 0), time(23, 59, 59, 999_999)]),
    st.sampled_from([-1, 0, 1, 180, 364, 365, 366]),
    st.sampled_from([time(0, 0), time(9, 30), time(12, 0), time(12, 0, 0, 1), time(23, 59)]),
    st.sampled_from(sorted(EventKind, key=lambda k: k.value)),
    st.sampled_from(sorted(Agency, key=lambda a: a.value)),
)
def test_any_abuse_event_within_the_window_marks_a_repeat_and_nothing_else_does(
    day: date, clock: time, days: int, breach_clock: time, kind: EventKind, agency: Agency
) -> None:
    referral = datetime.combine(day, clock, LONDON)
    breach = datetime.combine(day + timedelta(days=days), breach_clock, LONDON)
    history = standard_history(referral)
    history.record_marac_referral(MaracReferralEntry("V-1", "S-1", referral, "I-0"))
    decision = breach_in(history, breach, kind=kind, reported_by=agency)
    inside = micros(referral) <= micros(breach) <= micros(window_end(referral))
    assert ("marac.repeat" in marac_rules(decision)) == (kind.abuse and inside)


def _items(seed: int) -> list[tuple[datetime, Incident | Event, Any]]:
    """Incidents and events for two victims, many decided at the same instant."""
    rng = random.Random(seed)
    items: list[tuple[datetime, Incident | Event, Any]] = []
    for n in range(8):
        when = at(2024, 1, 1, 12, 0) + timedelta(days=rng.choice([0, 0, 30, 60]))
        victim = rng.choice(["V-1", "V-2"])
        if rng.random() < 0.6:
            incident = h.make_incident(f"I-{n}", at=when - HOUR, victim=victim)
            items.append((when, incident, rng.choice([None, 1, 14])))
        else:
            kind = rng.choice(sorted(EventKind, key=lambda k: k.value))
            items.append((when, Event(f"E-{n}", kind, when - HOUR, victim, "S-1"), None))
    return items


def _decide_all(items: list[tuple[datetime, Incident | Event, Any]]) -> dict[str, str]:
    history = InMemoryHistory()
    decided: dict[str, str] = {}
    for when, subject, yes in sorted(items, key=lambda item: micros(item[0])):  # stable
        if isinstance(subject, Event):
            decision = POLICY.on_event(subject, history=history, now=when).decision
            assert decision is not None
        else:
            form = None if yes is None else h.dash_form(subject, range(1, yes + 1))
            decision = POLICY.assess(subject, form, history=history, now=when)
        record(history, subject, decision)
        decided[subject.id] = to_json(decision)
    return decided


@settings(max_examples=15)
@given(st.integers(0, 10_000), st.randoms(use_true_random=False))
def test_decisions_do_not_depend_on_input_order_when_ordered_by_decision_time(
    seed: int, shuffler: random.Random
) -> None:
    items = _items(seed)
    shuffled = list(items)
    shuffler.shuffle(shuffled)  # ties keep the shuffled order: the batch's order differs
    assert _decide_all(shuffled) == _decide_all(items)
