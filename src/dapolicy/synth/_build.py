"""Building the synthetic cases from the plan (private; public as :mod:`dapolicy.synth`)."""

from __future__ import annotations

import random
from collections.abc import Iterator, Sequence
from datetime import date, datetime, time, timedelta

import attrs

from dapolicy.models import (
    AbuseType,
    Answer,
    Call,
    Case,
    Child,
    Crime,
    Incident,
    OffenceCategory,
    Outcome,
    Person,
    RiskForm,
    RiskGrade,
    Vulnerability,
)
from dapolicy.models._base import LONDON
from dapolicy.settings import DashSettings
from dapolicy.synth._counts import SynthCounts, plan_counts
from dapolicy.synth._dara import investigator, officers_dara
from dapolicy.synth._plan import (
    Slot,
    Victim,
    after,
    fixed_offset,
    lists_children,
    pick,
    plan_slots,
    plan_victims,
    stage_rng,
)
from dapolicy.synth._profiles import STAFFORDSHIRE_2013, Profile
from dapolicy.synth._rules_2026 import plan_2026

#: The checklist every synthetic form uses (the police DASH 2009, items "1" to "27").
CHECKLIST = "dash-2009-police"
_ITEMS = tuple(str(i) for i in range(1, 28))
_CHILD_ITEMS = frozenset({"10", "11", "12"})
#: The rationale written on every synthetic no-further-action outcome.
NFA_RATIONALE = (
    "Synthetic record: evidential difficulties, the victim did not support a prosecution "
    "and there was not enough independent evidence to proceed."
)
_ABUSE = {
    OffenceCategory.ASSAULT_WITH_INTENT: AbuseType.PHYSICAL,
    OffenceCategory.ASSAULT_WITH_INJURY: AbuseType.PHYSICAL,
    OffenceCategory.COMMON_ASSAULT: AbuseType.PHYSICAL,
    OffenceCategory.HARASSMENT: AbuseType.HARASSMENT,
    OffenceCategory.SEXUAL_OFFENCE: AbuseType.SEXUAL,
    OffenceCategory.STALKING: AbuseType.STALKING,
    OffenceCategory.CONTROLLING_OR_COERCIVE_BEHAVIOUR: AbuseType.COERCIVE,
    OffenceCategory.THREATS_TO_KILL: AbuseType.PSYCHOLOGICAL,
    OffenceCategory.CRIMINAL_DAMAGE: AbuseType.EMOTIONAL,
    OffenceCategory.BREACH_OF_ORDER: AbuseType.HARASSMENT,
    OffenceCategory.OTHER: AbuseType.PSYCHOLOGICAL,
}
#: DASH items a crime of this kind answers "yes" (when the score allows).
_REQUIRED_YES = {
    OffenceCategory.ASSAULT_WITH_INTENT: ("1", "16"),
    OffenceCategory.ASSAULT_WITH_INJURY: ("1",),
    OffenceCategory.SEXUAL_OFFENCE: ("19",),
    OffenceCategory.HARASSMENT: ("8",),
    OffenceCategory.STALKING: ("8",),
    OffenceCategory.THREATS_TO_KILL: ("17",),
    OffenceCategory.BREACH_OF_ORDER: ("26",),
    OffenceCategory.CONTROLLING_OR_COERCIVE_BEHAVIOUR: ("15",),
}
_SECONDARY = (
    AbuseType.PSYCHOLOGICAL,
    AbuseType.EMOTIONAL,
    AbuseType.CONTROLLING,
    AbuseType.FINANCIAL,
    AbuseType.COERCIVE,
)
_NON_CRIME_ABUSE = (
    AbuseType.PSYCHOLOGICAL,
    AbuseType.EMOTIONAL,
    AbuseType.CONTROLLING,
    AbuseType.HARASSMENT,
    AbuseType.FINANCIAL,
)
#: How likely each DASH item is to be "yes" when the score says some are.
_ITEM_WEIGHT = {
    "2": 4.0, "3": 3.0, "13": 3.0, "14": 3.0, "15": 3.0, "24": 3.0, "6": 2.5,
    "4": 2.0, "5": 2.0, "7": 1.5, "23": 1.5, "27": 2.0, "1": 1.5, "8": 1.5, "21": 1.2,
}  # fmt: skip
_ITEM_WEIGHTS = tuple(_ITEM_WEIGHT.get(i, 1.0) for i in _ITEMS)
# --- building cases -------------------------------------------------------------------


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February in a common year
        return day.replace(year=day.year - years, day=28)


def _born(rng: random.Random, age: int, on: date) -> date:
    """A date of birth that makes someone exactly ``age`` on ``on``."""
    return _years_before(on, age) - timedelta(days=rng.randint(1, 360))


def _people(victim: Victim, first_day: date, seed: int) -> None:
    rng = stage_rng(seed, f"person:{victim.number}")
    vid = f"V-{victim.number:06d}"
    vulnerabilities: frozenset[Vulnerability] = frozenset()
    if victim.vulnerability is not None:
        vulnerabilities = frozenset({victim.vulnerability})
    victim.person = Person(
        vid,
        date_of_birth=_born(rng, victim.age, first_day),
        # mypy's attrs plugin cannot see through the generic ``frozenset`` converter.
        vulnerabilities=vulnerabilities,  # type: ignore[arg-type]
    )
    victim.suspect = Person(
        f"S-{victim.number:06d}", date_of_birth=_born(rng, victim.suspect_age, first_day)
    )
    victim.caller = Person(vid)


def _form(
    rng: random.Random,
    slot: Slot,
    incident: Incident,
    children: bool,
    bands: DashSettings,
) -> RiskForm:
    if slot.band == 0:
        low, high = 0, bands.medium_from - 1
        score = round(rng.triangular(low, high, (low + high) / 2))
    elif slot.band == 1:
        score = rng.randint(bands.medium_from, bands.high_from - 1)
    else:
        low, high = bands.high_from, min(22, bands.high_from + 8)
        score = round(rng.triangular(low, high, low))
    eligible = [i for i in _ITEMS if children or i not in _CHILD_ITEMS]
    facts = _REQUIRED_YES.get(slot.offence, ()) if slot.offence is not None else ()
    required = [i for i in facts if i in eligible]
    yes = set(required[:score])
    others = [k for k, i in enumerate(_ITEMS) if i in eligible and i not in yes]
    yes.update(_ITEMS[k] for k in pick(rng, others, score - len(yes), _ITEM_WEIGHTS))
    answers: dict[str, Answer] = {}
    for item in _ITEMS:
        if item in yes:
            answers[item] = Answer.YES
        else:
            roll = rng.random()
            answers[item] = (
                Answer.NOT_KNOWN if roll < 0.05 else Answer.DECLINED if roll < 0.06 else Answer.NO
            )
    completed = after(incident.reported_at, rng.randint(20, 180))
    off_duty = after(completed, rng.randint(30, 360))
    if slot.late:
        submitted = after(off_duty, rng.randint(30, 36 * 60))
    else:
        gap = int((off_duty.timestamp() - completed.timestamp()) // 60)
        submitted = after(completed, rng.randint(min(5, gap), gap))
    officer = incident.attending_officer or "PC-0000"
    return RiskForm(
        incident_id=incident.id,
        checklist=CHECKLIST,
        answers=answers,
        completed_by=officer,
        completed_at=completed,
        submitted_at=submitted,
        officer_off_duty_at=off_duty,
    )


def _graded_at(submitted: datetime) -> datetime:
    """10:00 London time on the first weekday after the form arrived (the MASH's run)."""
    day = submitted.astimezone(LONDON).date()
    while True:
        at = fixed_offset(datetime.combine(day, time(10), tzinfo=LONDON))
        if at > submitted and day.weekday() < 5:
            return at
        day += timedelta(days=1)


def _grade_of(band: int) -> RiskGrade:
    return (RiskGrade.STANDARD, RiskGrade.MEDIUM, RiskGrade.HIGH)[band]


def synthesize(
    n: int,
    seed: int,
    profile: Profile = STAFFORDSHIRE_2013,
    *,
    dara_items: Sequence[str] = (),
) -> Iterator[Case]:
    """``n`` synthetic, valid cases under ``profile``, in the order they happened.

    Counts are exactly :func:`plan_counts` ``(profile, n)``; the seed decides which
    records have what. The same arguments give the same cases, and the same bytes of
    :func:`~dapolicy.serialization.to_json`.

    - every incident comes from one call by the victim; ``repeat_caller`` is set when
      the victim has called before (in this synthetic year);
    - a repeat victim keeps the same suspect and household; a household with children
      lists them on every incident, present or usually resident;
    - forms are DASH 2009 police checklists (items ``"1"`` to ``"27"``), scored in the
      default DASH bands; the MASH's grade (``recorded_grade``, the form's DASH band) is
      recorded at 10:00 on the first weekday after the form arrived (``graded_at``),
      and not at all when no form arrived;
    - no further action always carries :data:`NFA_RATIONALE`;
    - every incident has an attending officer (``PC-0001`` to ``PC-0800``), and 19
      crimes in 20 an investigator (``DC-0001`` to ``DC-0300``), for the training
      audit (recommendation 4);
    - with ``dara_items``, the force runs DARA: each form received is the officer's
      DARA over those items instead (the same officer, times and grade, frequency
      answers, :data:`DARA_RATIONALE`), so ``Case.form`` is ``None`` and
      ``Case.dara`` holds it. Investigators and DARA answers come from random streams
      of their own: every other value, and every figure the audit gives, is the same.

    :param n: how many cases.
    :param seed: any integer.
    :param profile: the profile (see :data:`PROFILES`).
    :param dara_items: the force's DARA item ids (``[dara] items``), or none for DASH.
    :raises ValueError: ``n`` is negative.
    """
    counts = plan_counts(profile, n)
    return _build(profile, counts, seed, tuple(dara_items))


def _build(
    profile: Profile, counts: SynthCounts, seed: int, dara_items: tuple[str, ...] = ()
) -> Iterator[Case]:
    victims = plan_victims(profile, counts, seed)
    slots = plan_slots(profile, counts, victims, seed)
    rules = plan_2026(profile, victims, slots, seed)
    bands = DashSettings()
    rng = stage_rng(seed, "cases")
    officers = stage_rng(seed, "officers")
    daras = stage_rng(seed, "dara")
    crime_number = 0
    for number, slot in enumerate(slots, start=1):
        victim = victims[slot.victim]
        occurred = slot.occurred_at
        if victim.person is None:
            _people(victim, occurred.astimezone(LONDON).date(), seed)
            victim.kids = tuple(
                # The victim's own children: related to the victim (DA Act 2021 s.3(3)),
                # so Operation Encompass tells their school (issue 11).
                Child(
                    f"C-{victim.number:06d}-{k}",
                    age,
                    usually_resident=True,
                    related_to_victim=True,
                    # They saw or heard it (s.3): victims in their own right.
                    related_to_suspect=slot.victim in rules.suspects_children,
                    affected=slot.victim in rules.affected,
                )
                for k, age in enumerate(victim.children, start=1)
            )
        assert victim.person is not None
        assert victim.suspect is not None
        crime = None
        if slot.offence is not None:
            crime_number += 1
            crime = Crime(
                f"SYN-CR-{crime_number:06d}",
                slot.offence,
                arrest_made=slot.arrest,
                outcome=slot.outcome,
                outcome_rationale=(
                    NFA_RATIONALE if slot.outcome is Outcome.NO_FURTHER_ACTION else None
                ),
            )
            crime = investigator(officers, crime)
            abuse = {_ABUSE[slot.offence]}
        else:
            abuse = {rng.choice(_NON_CRIME_ABUSE)}
        if rng.random() < 0.3:
            abuse.add(rng.choice(_SECONDARY))
        children = tuple(
            attrs.evolve(
                child,
                present=slot.children_present,
                welfare_checked=slot.children_present and not (slot.unchecked and k == 0),
            )
            for k, child in enumerate(victim.kids)
            if lists_children(victim, slot)
        )
        call = Call(
            f"SYN-CALL-{number:06d}",
            slot.reported_at,
            caller=victim.caller,
            location_id=f"L-{victim.number:06d}",
            repeat_caller=slot.ordinal > 0,
        )
        incident = Incident(
            id=f"SYN-INC-{number:06d}",
            reported_at=slot.reported_at,
            occurred_at=occurred,
            victim=victim.person,
            suspect=victim.suspect,
            relationship=victim.relationship,
            abuse_types=frozenset(abuse),
            children=children,
            attending_officer=f"PC-{rng.randint(1, 800):04d}",
            crime=crime,
            call_id=call.id,
            area=rules.areas.get(slot.victim),
            weapon_present=number - 1 in rules.weapons,
        )
        form = graded_at = grade = dara = None
        if slot.form:
            form = _form(rng, slot, incident, bool(children), bands)
            unknown = rules.not_known.get(number - 1)
            if unknown is not None and form.answers[unknown] is not Answer.YES:
                form = attrs.evolve(form, answers={**form.answers, unknown: Answer.NOT_KNOWN})
            assert form.submitted_at is not None
            graded_at = _graded_at(form.submitted_at)
            grade = _grade_of(slot.band)
            if dara_items:
                dara, form = officers_dara(daras, form, grade, dara_items), None
        yield Case(incident, form, call, graded_at, grade, dara)
