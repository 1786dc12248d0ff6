"""Synthetic cases: deterministic to the byte, valid by construction, counts exact."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from collections import Counter
from datetime import date, time
from fractions import Fraction
from zoneinfo import ZoneInfo

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dapolicy import Case, DomesticAbuseVerdict, Outcome, RiskGrade, from_json, to_json
from dapolicy.errors import ValidationError
from dapolicy.models import OffenceCategory
from dapolicy.models._base import micros
from dapolicy.models.operations import FormStatus
from dapolicy.operations import form_compliance
from dapolicy.plugins.dash import SCORED, grade_for
from dapolicy.settings import Settings
from dapolicy.synth import (
    CHECKLIST,
    NFA_RATIONALE,
    PROFILES,
    STAFFORDSHIRE_2013,
    UNIFORM,
    Profile,
    SynthCounts,
    apportion,
    plan_counts,
    synthesize,
    totals_for,
)

LONDON = ZoneInfo("Europe/London")
REFERENCE = STAFFORDSHIRE_2013.reference_cases


def dump(cases: list[Case]) -> bytes:
    return "\n".join(to_json(c) for c in cases).encode()


@pytest.fixture(scope="module")
def year() -> list[Case]:
    """The staffordshire-2013 profile at its reference size, seed 2013."""
    return list(synthesize(REFERENCE, 2013, STAFFORDSHIRE_2013))


def observed(cases: list[Case]) -> SynthCounts:
    """The counts a list of cases actually has, in SynthCounts' shape."""
    crimes = [c.incident.crime for c in cases if c.incident.crime is not None]
    outcomes = Counter(crime.outcome for crime in crimes)
    offences = Counter(crime.offence for crime in crimes)
    statuses = Counter(
        (c.incident.crime is not None, form_compliance(c.incident, c.form).status) for c in cases
    )
    grades = Counter(c.recorded_grade for c in cases if c.recorded_grade is not None)
    with_children = [c for c in cases if c.incident.children_in_household]
    present = [c for c in with_children if any(k.present for k in c.incident.children)]
    unchecked = [
        c for c in present if any(k.present and not k.welfare_checked for k in c.incident.children)
    ]
    first: dict[str, Case] = {}
    for case in cases:
        first.setdefault(case.incident.victim.id, case)
    ages: Counter[str] = Counter()
    for case in first.values():
        age = case.incident.victim.age_on(case.incident.occurred_at.astimezone(LONDON).date())
        assert age is not None
        ages["16_17" if age in (16, 17) else "under_16" if age < 16 else "adult"] += 1
    return SynthCounts(
        cases=len(cases),
        repeat_calls=sum(c.call is not None and c.call.repeat_caller for c in cases),
        victims=len(first),
        crimes=len(crimes),
        offences=tuple(
            (category, offences[category]) for category in OffenceCategory if offences[category]
        ),
        arrests=sum(crime.arrest_made for crime in crimes),
        charges=outcomes[Outcome.CHARGE],
        cautions=outcomes[Outcome.CAUTION],
        out_of_court=outcomes[Outcome.OUT_OF_COURT_DISPOSAL],
        open=outcomes[None],
        no_further_action=outcomes[Outcome.NO_FURTHER_ACTION],
        forms_missing_crime=statuses[True, FormStatus.MISSING],
        forms_missing_non_crime=statuses[False, FormStatus.MISSING],
        forms_late=statuses[True, FormStatus.LATE] + statuses[False, FormStatus.LATE],
        grades=(grades[RiskGrade.STANDARD], grades[RiskGrade.MEDIUM], grades[RiskGrade.HIGH]),
        children_incidents=len(with_children),
        children_present_incidents=len(present),
        welfare_unchecked_incidents=len(unchecked),
        victims_16_17=ages["16_17"],
        victims_under_16=ages["under_16"],
    )


# --- determinism ----------------------------------------------------------------------


def test_same_seed_same_bytes() -> None:
    one = dump(list(synthesize(800, 42, STAFFORDSHIRE_2013)))
    two = dump(list(synthesize(800, 42, STAFFORDSHIRE_2013)))
    assert one == two


def test_different_seed_different_bytes() -> None:
    assert dump(list(synthesize(300, 1, UNIFORM))) != dump(list(synthesize(300, 2, UNIFORM)))


def test_same_bytes_whatever_the_hash_seed() -> None:
    """No set or dict order leaks into the output: other PYTHONHASHSEEDs, same digest."""
    code = (
        "import hashlib,sys;from dapolicy.synth import synthesize;from dapolicy import to_json;"
        "h=hashlib.sha256();[h.update(to_json(c).encode()) for c in synthesize(400, 9)];"
        "sys.stdout.write(h.hexdigest())"
    )
    digests = set()
    for hash_seed in ("0", "1", "12345"):
        env = {**os.environ, "PYTHONHASHSEED": hash_seed}
        out = subprocess.run(
            [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
        )
        digests.add(out.stdout)
    here = hashlib.sha256()
    for case in synthesize(400, 9):
        here.update(to_json(case).encode())
    digests.add(here.hexdigest())
    assert len(digests) == 1


# --- validity -------------------------------------------------------------------------


def test_every_case_round_trips_through_json() -> None:
    for case in synthesize(1500, 3, STAFFORDSHIRE_2013):
        text = to_json(case)
        back = from_json(Case, text)
        assert back == case
        assert to_json(back) == text


def test_the_year_is_ordered_in_period_and_consistent(year: list[Case]) -> None:
    profile = STAFFORDSHIRE_2013
    # In the order the incidents happened (issue 10 found report order, which is not).
    occurred = [micros(c.incident.occurred_at) for c in year]
    assert occurred == sorted(occurred)
    reported = sorted(c.incident.reported_at for c in year)
    assert reported[0].astimezone(LONDON).date() >= profile.period_start
    assert reported[-1].astimezone(LONDON).date() <= profile.period_end
    # One victim's incidents keep one order on both clocks, so "repeat caller" is right.
    by_victim: dict[str, list[Case]] = {}
    for case in year:
        by_victim.setdefault(case.incident.victim.id, []).append(case)
    for cases in by_victim.values():
        received = [micros(c.incident.reported_at) for c in cases]
        assert received == sorted(received)
    for kind in ("incident", "call"):
        ids = [c.incident.id if kind == "incident" else c.call.id for c in year]  # type: ignore[union-attr]
        assert len(set(ids)) == len(ids)
    seen: set[str] = set()
    bands = Settings()
    for case in year:
        incident, form, call = case.incident, case.form, case.call
        assert call is not None
        assert incident.call_id == call.id
        assert call.received_at == incident.reported_at
        assert call.caller is not None
        assert call.caller.id == incident.victim.id
        assert call.repeat_caller == (incident.victim.id in seen)
        seen.add(incident.victim.id)
        assert incident.victim.name is None
        assert incident.victim.address is None
        assert incident.victim.phone is None
        crime = incident.crime
        if crime is not None and crime.outcome is Outcome.NO_FURTHER_ACTION:
            assert crime.outcome_rationale == NFA_RATIONALE
        if form is None:
            assert case.graded_at is None
            assert case.recorded_grade is None
            continue
        assert form.checklist == CHECKLIST
        assert set(form.answers) == {str(i) for i in range(1, 28)}
        assert form.submitted_at is not None
        graded = case.graded_at
        assert graded is not None
        local = graded.astimezone(LONDON)
        assert local.time() == time(10)
        assert local.weekday() < 5
        assert graded > form.submitted_at
        # The MASH grades at its first 10:00 run after the form arrives: at most 72 h
        # later (Friday 10:00 to Monday 10:00), 73 h when the clocks go back.
        assert (graded - form.submitted_at).total_seconds() <= 73 * 3600
        score = len(form.yes_items(SCORED[CHECKLIST]))
        assert case.recorded_grade is grade_for(score, bands)


def test_children_are_checked_only_when_present(year: list[Case]) -> None:
    for case in year:
        for child in case.incident.children:
            assert child.usually_resident
            if child.welfare_checked:
                assert child.present


def test_households_are_stable_across_a_victims_incidents(year: list[Case]) -> None:
    """Same suspect each time; children, once listed, listed on every later incident."""
    households: dict[str, tuple[str, ...]] = {}
    suspects: dict[str, str] = {}
    for case in year:
        victim = case.incident.victim.id
        kids = tuple(child.id for child in case.incident.children)
        if kids or victim not in households:
            known = households.get(victim, ())
            assert known in ((), kids)
            households[victim] = kids
        else:
            assert households[victim] == ()
        assert suspects.setdefault(victim, case.incident.suspect.id) == case.incident.suspect.id


@pytest.mark.parametrize("profile", [UNIFORM, STAFFORDSHIRE_2013], ids=lambda p: p.name)
def test_tiny_years_still_give_the_planned_counts(profile: Profile) -> None:
    for n in range(12):
        for seed in range(4):
            assert_same_counts(
                observed(list(synthesize(n, seed, profile))), plan_counts(profile, n)
            )


def test_only_the_under_16_victims_fail_the_definition(year: list[Case]) -> None:
    verdicts = Counter(c.incident.domestic_abuse_check().verdict for c in year)
    counts = plan_counts(STAFFORDSHIRE_2013, REFERENCE)
    assert verdicts[DomesticAbuseVerdict.CHILD_SAFEGUARDING] == counts.victims_under_16 > 0
    assert verdicts[DomesticAbuseVerdict.DOMESTIC_ABUSE] == REFERENCE - counts.victims_under_16


# --- counts ---------------------------------------------------------------------------


def assert_same_counts(got: SynthCounts, plan: SynthCounts) -> None:
    """Equal, offences compared as a mapping (observed() lists them in enum order)."""
    assert dict(got.offences) == {c: k for c, k in plan.offences if k}
    assert attrs.evolve(got, offences=()) == attrs.evolve(plan, offences=())


def test_counts_match_the_plan_exactly(year: list[Case]) -> None:
    assert_same_counts(observed(year), plan_counts(STAFFORDSHIRE_2013, REFERENCE))


def test_the_reference_counts_are_the_reports(year: list[Case]) -> None:
    counts = plan_counts(STAFFORDSHIRE_2013, REFERENCE)
    assert counts.crimes == 5_844
    assert counts.offence_count(OffenceCategory.ASSAULT_WITH_INTENT) == 36
    assert counts.offence_count(OffenceCategory.ASSAULT_WITH_INJURY) == 2_084
    assert counts.offence_count(OffenceCategory.HARASSMENT) == 704
    assert counts.offence_count(OffenceCategory.SEXUAL_OFFENCE) == 156
    assert counts.arrests == 3_740  # 64.0 per 100
    assert counts.forms_missing_crime == 2_221  # 38.0 %
    assert counts.repeat_calls == 4_675  # 32.0 %
    totals = totals_for(STAFFORDSHIRE_2013, REFERENCE)
    assert (
        totals.assault_with_intent,
        totals.assault_with_injury,
        totals.harassment,
        totals.sexual_offences,
    ) == (269, 6_884, 1_307, 1_246)
    assert totals.all_calls == 292_200
    assert totals.all_crimes == 58_440


@settings(max_examples=15, deadline=None)
@given(n=st.integers(0, 400), seed=st.integers(-(2**40), 2**40), uniform=st.booleans())
def test_any_size_any_seed_gives_the_planned_counts(n: int, seed: int, uniform: bool) -> None:
    profile = UNIFORM if uniform else STAFFORDSHIRE_2013
    cases = list(synthesize(n, seed, profile))
    plan = plan_counts(profile, n)
    got = observed(cases)
    # observed() lists offences in the staffordshire order and drops zeros.
    plan_offences = {c: k for c, k in plan.offences if k}
    assert dict(got.offences) == plan_offences
    assert attrs.evolve(got, offences=()) == attrs.evolve(plan, offences=())


def test_zero_cases() -> None:
    assert list(synthesize(0, 1)) == []
    assert plan_counts(UNIFORM, 0).crimes == 0
    assert totals_for(UNIFORM, 0).all_calls == 0


def test_negative_n_is_refused() -> None:
    with pytest.raises(ValueError, match="n must be"):
        list(synthesize(-1, 1))


# --- apportionment and profiles --------------------------------------------------------


def test_apportion_is_exact_and_breaks_ties_to_the_earlier() -> None:
    assert apportion(10, [1, 1, 1]) == (4, 3, 3)
    assert apportion(5_844, [0.26, 0.09, 0.01, 0.10, 0.54]) == (1520, 526, 58, 584, 3156)
    assert apportion(7, [0, 0]) == (0, 0)
    assert apportion(0, [1, 2]) == (0, 0)
    assert apportion(3, [Fraction(1, 3), Fraction(2, 3)]) == (1, 2)
    for total in range(50):
        assert sum(apportion(total, [0.2, 0.3, 0.5])) == total


def test_profiles() -> None:
    assert set(PROFILES) >= {"staffordshire-2013", "uniform"}
    assert PROFILES["staffordshire-2013"] is STAFFORDSHIRE_2013
    assert STAFFORDSHIRE_2013.assumptions
    assert STAFFORDSHIRE_2013.period_start == date(2012, 9, 1)
    with pytest.raises(TypeError):
        PROFILES["x"] = UNIFORM  # type: ignore[index]


def test_a_bad_profile_says_what_is_wrong() -> None:
    with pytest.raises(ValidationError) as caught:
        attrs.evolve(UNIFORM, forms_missing=1.5, repeat_caller_share=1.0, grade_mix=(1, 1, 1))
    paths = {error.path for error in caught.value.errors}
    assert {"$.forms_missing", "$.repeat_caller_share", "$.grade_mix"} <= paths


def test_a_profile_is_a_value() -> None:
    assert isinstance(UNIFORM, Profile)
    assert attrs.evolve(UNIFORM) == UNIFORM
