"""The report's central concern: a year of incidents, each minor on its own.

One victim, one suspect. No incident is a crime and no risk form scores above 2, yet
by the third incident in twelve months the series is high risk, goes to MARAC and gets
an IDVA; later abuse by the same suspect is a repeat MARAC case until twelve months
have passed since the last referral.
"""

from __future__ import annotations

import importlib.util
import sys
from datetime import datetime, timedelta
from pathlib import Path
from types import ModuleType

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from dapolicy import Decision, Destination, Incident, RiskForm, RiskGrade
from dapolicy.history import HistoryEntry, InMemoryHistory, MaracReferralEntry, record
from dapolicy.policy import Policy
from dapolicy.settings import MaracSettings, SeriesRule, Settings


def _load_helpers() -> ModuleType:
    name = "engine_helpers"
    if name not in sys.modules:
        path = Path(__file__).with_name("engine_helpers.py")
        spec = importlib.util.spec_from_file_location(name, path)
        assert spec is not None
        assert spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


h = _load_helpers()

LONDON = h.LONDON
UTC = h.UTC
LATER = datetime(2100, 1, 1, tzinfo=UTC)  # every entry is known by then
POLICY = h.make_policy()
HUB = Destination.PARTNERSHIP_HUB


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=LONDON)  # type: ignore[misc]


def incident(iid: str, at: datetime, *, suspect: str = "S-1", crime: bool = False) -> Incident:
    return h.make_incident(
        iid, at=at, suspect=suspect, crime=h.make_crime(f"CR-{iid}") if crime else None
    )


def low_form(item: Incident, *yes: int) -> RiskForm:
    return h.dash_form(item, yes=yes)


def step(
    history: InMemoryHistory,
    item: Incident,
    form: RiskForm | None,
    policy: Policy = POLICY,
    *,
    times: int = 1,
) -> Decision:
    """Assess in time order, then record (``times`` times: recording is idempotent)."""
    decision = policy.assess(item, form, history=history, now=item.reported_at)
    for _ in range(times):
        record(history, item, decision)
    return decision


def hub_text(decision: Decision) -> str | None:
    found = h.referral(decision, HUB)
    return None if found is None else found.reasons[0].text


# The year: four non-crime incidents, none with more than two "yes" answers.
I1 = incident("I1", local(2024, 1, 10, 20, 0))
I2 = incident("I2", local(2024, 3, 20, 21, 0))
I3 = incident("I3", local(2024, 6, 5, 22, 0))
I4 = incident("I4", local(2024, 9, 14, 19, 0))


def test_a_year_of_minor_incidents_is_seen_as_a_series() -> None:
    history = InMemoryHistory()

    # 1. First incident, no risk form: standard, but never quietly.
    d1 = step(history, I1, None)
    assert d1.grade is RiskGrade.STANDARD
    assert d1.findings == ()
    assert d1.repeat_victim is False
    assert d1.needs_review is True
    assert h.rules(d1.review_reasons) == ["form.missing", "grade.no-finding"]
    assert d1.referrals == ()
    assert h.welfare_checks(d1) == []

    # 2. Second incident: a repeat victim, referred to the hub; still standard.
    d2 = step(history, I2, low_form(I2, 2, 15))
    assert d2.grade is RiskGrade.STANDARD
    assert h.finding(d2, "dash").score == 2
    assert h.finding(d2, "series") is None
    assert d2.repeat_victim is True
    assert d2.needs_review is False
    assert d2.referred_to() == {HUB}
    assert h.referral_rules(d2, HUB) == ["local.hub-threshold"]
    assert hub_text(d2) == "repeat victim"

    # 3. Third within 12 months: the series is high risk -> MARAC and IDVA.
    d3 = step(history, I3, low_form(I3, 1), times=2)
    assert d3.grade is RiskGrade.HIGH
    assert h.finding(d3, "dash").grade is RiskGrade.STANDARD
    series = h.finding(d3, "series")
    assert series.grade is RiskGrade.HIGH
    assert h.rules(series.reasons) == ["local.series.3-in-12m"]
    assert series.reasons[0].text == "3 domestic-abuse incidents in 12 months, this one included"
    assert d3.reasons[0].text == "high: the highest grade of any risk model (series)"
    assert h.referral_rules(d3, Destination.MARAC) == [
        "marac.high-risk",
        "marac.potential-escalation",
    ]
    assert h.referral_rules(d3, Destination.IDVA) == ["safeguarding.idva-high-risk"]
    assert hub_text(d3) == "graded high; repeat victim"
    assert [r.destination for r in d3.referrals] == [Destination.MARAC, Destination.IDVA, HUB]
    assert d3.needs_review is False

    # Recorded twice, counted once; the MARAC referral is on file from the decision time.
    assert len(history) == 3
    assert history.last_marac_referral("V-1", "S-1", before=I4.occurred_at, known_at=LATER) == (
        MaracReferralEntry("V-1", "S-1", d3.decided_at, "I3")
    )

    # 4. Fourth, same suspect, within 12 months of that referral: a repeat MARAC case.
    d4 = step(history, I4, low_form(I4))
    assert h.finding(d4, "series").reasons[0].text == (
        "4 domestic-abuse incidents in 12 months, this one included"
    )
    assert h.referral_rules(d4, Destination.MARAC) == [
        "marac.high-risk",
        "marac.potential-escalation",
        "marac.repeat",
    ]
    assert d4.grade is RiskGrade.HIGH
    assert len(history) == 4


def test_recording_an_incident_again_does_not_double_count() -> None:
    once, thrice = InMemoryHistory(), InMemoryHistory()
    step(once, I1, None)
    for _ in range(3):
        step(thrice, I1, None)
    assert len(once) == len(thrice) == 1
    # two incidents on file, however often recorded: the third is not a fourth
    d_once = step(once, I2, low_form(I2))
    d_thrice = step(thrice, I2, low_form(I2), times=3)
    assert d_once == d_thrice
    assert len(thrice) == 2
    third_once = POLICY.assess(I3, low_form(I3), history=once, now=I3.reported_at)
    third_thrice = POLICY.assess(I3, low_form(I3), history=thrice, now=I3.reported_at)
    assert third_once == third_thrice
    assert h.finding(third_thrice, "series").reasons[0].text.startswith("3 domestic-abuse")


def test_assessing_does_not_change_the_history() -> None:
    history = InMemoryHistory()
    step(history, I1, None)
    POLICY.assess(I2, low_form(I2), history=history, now=I2.reported_at)
    assert len(history) == 1


def test_the_series_does_not_depend_on_crimes_being_recorded() -> None:
    crimes, incidents = InMemoryHistory(), InMemoryHistory()
    for plain in (I1, I2):
        step(incidents, plain, None)
        step(crimes, incident(plain.id, plain.occurred_at, crime=True), None)
    d_incident = POLICY.assess(I3, low_form(I3), history=incidents, now=I3.reported_at)
    as_crime = incident("I3", I3.occurred_at, crime=True)
    d_crime = POLICY.assess(as_crime, low_form(as_crime), history=crimes, now=I3.reported_at)
    assert h.risk_facts(d_incident) == h.risk_facts(d_crime)
    assert d_crime.grade is RiskGrade.HIGH


def test_repeat_marac_alone_and_its_end_after_12_months() -> None:
    history = InMemoryHistory()
    for item in (I1, I2, I3):
        step(history, item, low_form(item))
    # 1 April 2025: only I3 is in the 12-month window (2 incidents: no series, no
    # escalation), but the last MARAC referral (5 June 2024) is within 12 months.
    later = incident("I5", local(2025, 4, 1, 12, 0))
    d5 = step(history, later, low_form(later))
    assert d5.grade is RiskGrade.STANDARD
    assert h.finding(d5, "series") is None
    assert h.referral_rules(d5, Destination.MARAC) == ["marac.repeat"]
    assert Destination.IDVA not in d5.referred_to()
    assert hub_text(d5) == "repeat victim"
    referred_at = d5.decided_at  # 12:10 BST: the new clock for repeat MARAC

    # Exactly 12 calendar months after that referral, same wall-clock time: still a repeat.
    edge = incident("I6", local(2026, 4, 1, 12, 10))
    assert edge.occurred_at == referred_at.replace(year=2026)
    d_edge = POLICY.assess(edge, low_form(edge), history=history, now=edge.reported_at)
    assert h.referral_rules(d_edge, Destination.MARAC) == ["marac.repeat"]

    # One second later: more than 12 months since the referral, and the only other
    # incident (12:00 on 1 April 2025) is out of the window -> a new case, not a repeat.
    after = incident("I7", local(2026, 4, 1, 12, 10, 1))
    d_after = POLICY.assess(after, low_form(after), history=history, now=after.reported_at)
    assert d_after.repeat_victim is False
    assert Destination.MARAC not in d_after.referred_to()
    assert d_after.referrals == ()
    assert d_after.grade is RiskGrade.STANDARD


def test_repeat_marac_is_about_the_same_suspect() -> None:
    history = InMemoryHistory()
    for item in (I1, I2, I3):
        step(history, item, low_form(item))
    other = incident("I5", local(2025, 4, 1, 12, 0), suspect="S-2")
    d5 = step(history, other, low_form(other))
    assert d5.repeat_victim is True
    assert Destination.MARAC not in d5.referred_to()


# --- a prior incident at the edge of the 12-month window -----------------------------------------


@pytest.mark.parametrize(
    ("current", "prior", "repeat"),
    [
        # exactly 12 calendar months earlier, same wall-clock time
        (local(2024, 6, 15, 10, 0), local(2023, 6, 15, 10, 0), True),
        (local(2024, 6, 15, 10, 0), local(2023, 6, 15, 9, 59, 59), False),
        # across the clock change: 12:00 GMT on 28 Mar 2024 looks back to 12:00 BST
        (local(2024, 3, 28, 12, 0), datetime(2023, 3, 28, 11, 0, tzinfo=UTC), True),
        (local(2024, 3, 28, 12, 0), datetime(2023, 3, 28, 10, 59, 59, tzinfo=UTC), False),
        # a leap day looks back to 28 February
        (local(2024, 2, 29, 12, 0), local(2023, 2, 28, 12, 0), True),
        (local(2024, 2, 29, 12, 0), local(2023, 2, 28, 11, 59, 59), False),
        # any time after the window start, and the current moment itself, count
        (local(2024, 6, 15, 10, 0), local(2024, 6, 15, 9, 0), True),
    ],
)
def test_repeat_victim_window_edges(current: datetime, prior: datetime, repeat: bool) -> None:
    history = InMemoryHistory()
    history.record_incident(HistoryEntry("PRIOR", "V-1", "S-1", prior))
    item = incident("NOW", current)
    decision = POLICY.assess(item, low_form(item), history=history, now=item.reported_at)
    assert decision.repeat_victim is repeat
    assert (hub_text(decision) == "repeat victim") is repeat


def test_series_window_edges_match_the_repeat_window() -> None:
    current = local(2024, 6, 15, 10, 0)
    history = InMemoryHistory()
    history.record_incident(HistoryEntry("P1", "V-1", "S-1", local(2023, 6, 15, 10, 0)))
    history.record_incident(HistoryEntry("P2", "V-1", "S-1", local(2024, 1, 1, 10, 0)))
    item = incident("NOW", current)
    decision = POLICY.assess(item, low_form(item), history=history, now=item.reported_at)
    assert decision.grade is RiskGrade.HIGH
    early = InMemoryHistory()
    early.record_incident(HistoryEntry("P1", "V-1", "S-1", local(2023, 6, 15, 9, 59, 59)))
    early.record_incident(HistoryEntry("P2", "V-1", "S-1", local(2024, 1, 1, 10, 0)))
    decision = POLICY.assess(item, low_form(item), history=early, now=item.reported_at)
    assert decision.grade is RiskGrade.STANDARD
    assert Destination.MARAC not in decision.referred_to()


# --- Kent: 3 incidents in 6 months ---------------------------------------------------------------

KENT = Settings(
    force="Kent",
    marac=MaracSettings(escalation_months=6),
    series=(SeriesRule(incidents=3, months=6, grade=RiskGrade.HIGH),),
)
SPREAD = (  # three incidents over eight months
    incident("K1", local(2024, 1, 10, 20, 0)),
    incident("K2", local(2024, 5, 10, 20, 0)),
    incident("K3", local(2024, 9, 10, 20, 0)),
)


def run(policy: Policy, items: tuple[Incident, ...]) -> list[Decision]:
    history = InMemoryHistory()
    return [step(history, item, low_form(item), policy) for item in items]


def test_kent_settings_give_a_different_answer_over_eight_months() -> None:
    default = run(POLICY, SPREAD)[-1]
    assert default.grade is RiskGrade.HIGH
    assert h.referral_rules(default, Destination.MARAC) == [
        "marac.high-risk",
        "marac.potential-escalation",
    ]
    kent = run(h.make_policy(KENT), SPREAD)[-1]
    assert kent.grade is RiskGrade.STANDARD
    assert h.finding(kent, "series") is None
    assert Destination.MARAC not in kent.referred_to()
    assert Destination.IDVA not in kent.referred_to()
    assert kent.repeat_victim is True  # the repeat-victim window is still 12 months
    assert hub_text(kent) == "repeat victim"
    assert kent.policy_fingerprint != default.policy_fingerprint


def test_kent_marac_window_alone_drops_only_the_escalation_reason() -> None:
    # The default series rule (3 in 12 months) still grades the case high, and high
    # risk goes to MARAC, but not as potential escalation.
    policy = h.make_policy(Settings(marac=MaracSettings(escalation_months=6)))
    decision = run(policy, SPREAD)[-1]
    assert decision.grade is RiskGrade.HIGH
    assert h.referral_rules(decision, Destination.MARAC) == ["marac.high-risk"]


def test_kent_settings_within_six_months() -> None:
    close = (
        incident("K1", local(2024, 1, 10, 20, 0)),
        incident("K2", local(2024, 3, 10, 20, 0)),
        incident("K3", local(2024, 6, 1, 20, 0)),
    )
    decision = run(h.make_policy(KENT), close)[-1]
    assert decision.grade is RiskGrade.HIGH
    assert h.rules(h.finding(decision, "series").reasons) == ["local.series.3-in-6m"]
    marac = h.referral(decision, Destination.MARAC)
    assert h.rules(marac.reasons) == ["marac.high-risk", "marac.potential-escalation"]
    assert marac.reasons[1].source == (
        "SafeLives MARAC referral criteria §3 potential escalation (3 in 6 months, set by "
        "the force)"
    )


# --- monotone in history -------------------------------------------------------------------------


@given(
    days_back=st.lists(st.integers(min_value=1, max_value=800), max_size=5, unique=True),
    extra=st.integers(min_value=1, max_value=800),
    yes=st.integers(min_value=0, max_value=27),
)
@example(days_back=[366, 100], extra=5, yes=0)  # 15 Jun 2023: the window's first day
@example(days_back=[367, 100], extra=5, yes=0)
def test_one_more_prior_incident_never_lowers_the_grade_or_drops_marac(
    days_back: list[int], extra: int, yes: int
) -> None:
    now_incident = incident("NOW", local(2024, 6, 15, 10, 0))
    form = h.dash_form(now_incident, yes=range(1, yes + 1))

    def decide(offsets: list[int]) -> Decision:
        history = InMemoryHistory()
        for n in offsets:
            history.record_incident(
                HistoryEntry(f"P{n}", "V-1", "S-1", now_incident.occurred_at - timedelta(days=n))
            )
        return POLICY.assess(now_incident, form, history=history, now=now_incident.reported_at)

    before = decide(days_back)
    after = decide([*days_back, extra])
    assert after.grade >= before.grade
    assert before.referred_to() <= after.referred_to()
    assert after.repeat_victim >= before.repeat_victim
    # 2024 is a leap year: 366 days back is 15 June 2023, the first day of the window
    expected_high = yes >= 14 or 1 + sum(d <= 366 for d in days_back) >= 3
    assert (before.grade is RiskGrade.HIGH) is expected_high
