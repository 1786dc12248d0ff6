"""Drawing conformance cases that exercise a policy's checklists, windows and edges.

Where a bug hides, the draw leans: the number of "yes" answers on and beside every
threshold the settings hold; a few items flipped alone from each answer to each other,
the force's key items more often; ages of 15 to 18 on the incident's London day, to the
day; households of up to four children in every mix of present and usually resident;
earlier incidents and MARAC referrals at each window's edge, a day or a microsecond
either side, with several suspects; decisions written in UTC, London time or a fixed
offset. Hypothesis' ``target()`` steers towards the window edges.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import date, datetime, timedelta, tzinfo

import attrs
from hypothesis import strategies as st
from hypothesis import target
from hypothesis.strategies import DrawFn, SearchStrategy

from dapolicy._time import months_before
from dapolicy.history import HistoryEntry, MaracReferralEntry
from dapolicy.models import (
    Answer,
    Child,
    DaraForm,
    Frequency,
    Incident,
    ProfessionalJudgement,
    RiskForm,
    RiskGrade,
)
from dapolicy.models._base import LONDON, micros
from dapolicy.models.checklist import QuestionSet
from dapolicy.policy import Policy
from dapolicy.settings import Settings
from dapolicy.testing import strategies as ds
from dapolicy.testing._invariants._case import _FIRST, _LAST, _ZONES, ConformanceCase, _utc

#: One microsecond, the finest step of a datetime.
MICROSECOND = timedelta(microseconds=1)
#: How far from a window's edge an earlier incident is put: a day or a microsecond
#: either side, on it, or within 90 minutes.
_EDGE_STEPS = (-timedelta(days=1), -MICROSECOND, timedelta(0), MICROSECOND, timedelta(days=1))
#: Ages on the incident's London day around the definition's 16 and adulthood's 18.
BOUNDARY_AGES = (15, 16, 17, 18)
#: DASH items SafeLives and forces treat as key indicators (injury, fear, separation,
#: stalking, pregnancy, escalation, weapons, threats to kill, strangulation, sexual
#: abuse), by police item id; a force's DIAL key items are added from its settings.
DASH_KEY_ITEMS = ("1", "2", "6", "8", "9", "14", "16", "17", "18", "19")
#: Every mix of (present, usually resident) a child can have.
HOUSEHOLD_FLAGS = ((False, False), (True, False), (False, True), (True, True))


def _years_before(day: date, years: int) -> date:
    """The same calendar day ``years`` earlier; 29 February falls back to the 28th."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def _london_day(incident: Incident) -> date:
    return incident.occurred_at.astimezone(LONDON).date()


@st.composite
def _boundary_ages(draw: DrawFn, incidents: SearchStrategy[Incident]) -> Incident:
    """An incident whose victim or suspect is 15 to 18 that day, to the day."""
    incident = draw(incidents)
    day = _london_day(incident)
    age = draw(st.sampled_from(BOUNDARY_AGES))
    shift = timedelta(days=draw(st.sampled_from((-1, 0, 0, 1))))
    born = _years_before(day, age) + shift
    if draw(st.booleans()):
        return attrs.evolve(incident, victim=attrs.evolve(incident.victim, date_of_birth=born))
    return attrs.evolve(incident, suspect=attrs.evolve(incident.suspect, date_of_birth=born))


_CHILD_AGES = st.sampled_from((0, 1, 5, 15, 16, 17)) | st.integers(0, 17)


#: A child's links to the case: (related to the victim, to the suspect, affected).
CHILD_LINKS = (
    (False, False, False),
    (True, False, True),
    (False, True, True),
    (True, False, False),
    (False, False, True),
)


@st.composite
def _household(draw: DrawFn, incidents: SearchStrategy[Incident]) -> Incident:
    """An incident with 0 to 4 children, each in any mix of present and usually resident.

    Each child is related to either party, affected by the abuse, both (a victim in
    their own right, s.3) or neither; ``target()`` favours child victims who live
    elsewhere, whom a rule about the household misses.
    """
    incident = draw(incidents)
    count = draw(st.integers(0, 4))
    kids = tuple(
        Child(
            f"CONF-C{n}",
            draw(_CHILD_AGES),
            *draw(st.sampled_from(HOUSEHOLD_FLAGS)),
            False,
            *draw(st.sampled_from(CHILD_LINKS)),
        )
        for n in range(1, count + 1)
    )
    target(float(sum(child.in_household for child in kids)), label="children in the household")
    target(
        float(sum(child.is_victim and not child.in_household for child in kids)),
        label="child victims who live elsewhere",
    )
    return attrs.evolve(incident, children=kids)


@st.composite
def _pilot_edge(draw: DrawFn, incidents: SearchStrategy[Incident]) -> Incident:
    """An incident in a DAPN pilot area, near the day its pilot started or ended.

    Two days before the edge, a microsecond or a day either side, or within 90
    minutes: the kit's events follow two days after the decision. ``target()`` favours
    the closest.
    """
    from dapolicy.protection import DAPN_PILOT, PILOT_UNTIL

    incident = draw(incidents)
    area = draw(st.sampled_from(sorted(DAPN_PILOT)))
    day = draw(st.sampled_from((DAPN_PILOT[area], PILOT_UNTIL + timedelta(days=1))))
    edge = _utc(datetime.combine(day, datetime.min.time(), tzinfo=LONDON)) - timedelta(days=2)
    step = draw(
        st.sampled_from(_EDGE_STEPS) | st.integers(-90, 90).map(lambda m: timedelta(minutes=m))
    )
    reported = edge + step
    target(-math.log1p(abs(step / MICROSECOND)), label="closeness to a pilot's edge")
    lead = _utc(incident.reported_at) - _utc(incident.occurred_at)
    return attrs.evolve(
        incident,
        area=area,
        reported_at=reported,
        occurred_at=reported - min(lead, timedelta(days=1)),
    )


def default_incidents() -> SearchStrategy[Incident]:
    """The incidents :func:`cases` draws by default.

    Mostly cases that meet the domestic-abuse definition, often with children in the
    household and full (fictional) personal data; a victim or suspect aged 15 to 18 on
    the day, to the day; households of up to four children in every mix of present and
    usually resident, related, affected or victims in their own right; incidents in a
    DAPN pilot area at its start or end; sometimes any case at all. Every incident may
    have a weapon present and an area.
    """
    times = ds.aware_datetimes(min_value=_FIRST, max_value=_LAST)
    domestic = ds.incidents(domestic=True, datetimes=times)
    return st.one_of(
        domestic,
        ds.incidents(domestic=True, children=True, personal_data=True, datetimes=times),
        _boundary_ages(domestic),
        _household(ds.incidents(domestic=True, max_children=0, datetimes=times)),
        _pilot_edge(domestic),
        ds.incidents(datetimes=times),
    )


def _windows(settings: Settings) -> tuple[int, ...]:
    """Every window in months that the settings' rules look back over."""
    months = {
        settings.repeat_victim_months,
        settings.marac.escalation_months,
        settings.marac.repeat_months,
        *(rule.months for rule in settings.series),
    }
    return tuple(sorted(months))


@st.composite
def _before(draw: DrawFn, anchor: datetime, windows: tuple[int, ...]) -> datetime:
    """An instant at or before ``anchor``: often at a window's edge, or a step from it.

    A step is a day or a microsecond either side, or up to 90 minutes; the closer to an
    edge, the more hypothesis' ``target()`` favours the case.
    """
    near_edge = draw(st.booleans()) if windows else False
    if near_edge:
        edge = _utc(months_before(anchor, draw(st.sampled_from(windows))))
        step = draw(
            st.sampled_from(_EDGE_STEPS)
            | st.integers(-90, 90).map(lambda minutes: timedelta(minutes=minutes))
        )
        moment = edge + step
    else:
        moment = _utc(anchor) - timedelta(minutes=draw(st.integers(0, 30 * 31 * 24 * 60)))
    return min(moment, _utc(anchor))


def _aim_at_edges(incident: Incident, moments: list[datetime], windows: tuple[int, ...]) -> None:
    """Tell hypothesis to favour histories close to a window's edge (``target()``)."""
    if not moments or not windows:
        return
    edges = [micros(months_before(incident.occurred_at, months)) for months in windows]
    closest = min(abs(micros(m) - edge) for m in moments for edge in edges)
    target(-math.log1p(closest), label="closeness to a window edge")


def _fresh_id(prefix: str, taken: str) -> str:
    return prefix if prefix != taken else f"{prefix}-b"


def _suspects(incident: Incident) -> SearchStrategy[str]:
    """The case's suspect, mostly; sometimes one of two others (several for one victim)."""
    mine = incident.suspect.id
    others = [_fresh_id(f"CONF-S{n}", mine) for n in (1, 2)]
    return st.sampled_from((mine, mine, *others))


@st.composite
def _prior_incident(
    draw: DrawFn, incident: Incident, windows: tuple[int, ...], label: str
) -> HistoryEntry:
    """An earlier incident of the victim: mostly with the same suspect."""
    return HistoryEntry(
        _fresh_id(f"CONF-H-{label}", incident.id),
        incident.victim.id,
        draw(_suspects(incident)),
        draw(_before(incident.occurred_at, windows)),
        crime=draw(st.booleans()),
    )


@st.composite
def _someone_elses(draw: DrawFn, incident: Incident, label: str) -> HistoryEntry:
    """An incident of another victim, which no rule about this victim may count."""
    victim = _fresh_id("CONF-V-OTHER", incident.victim.id)
    return HistoryEntry(
        _fresh_id(f"CONF-O-{label}", incident.id),
        victim,
        _fresh_id("CONF-S-OTHER", victim),
        draw(_before(incident.occurred_at, ())),
    )


@st.composite
def _marac_referral(
    draw: DrawFn, incident: Incident, windows: tuple[int, ...], label: str
) -> MaracReferralEntry:
    """An earlier MARAC referral of the victim, about this suspect or another."""
    return MaracReferralEntry(
        incident.victim.id,
        draw(_suspects(incident)),
        draw(_before(incident.occurred_at, windows)),
        _fresh_id(f"CONF-M-{label}", incident.id),
    )


@st.composite
def _answers(
    draw: DrawFn, question_set: QuestionSet, boundaries: tuple[int, ...] = ()
) -> dict[str, Answer]:
    """Answers over a checklist's items: any number of "yes", the rest anything.

    Two times in three the number of "yes" answers sits on or next to one of the
    settings' thresholds, where a rule that is wrong by one shows.
    """
    order = draw(st.permutations([item.id for item in question_set.items]))
    near = [n for n in boundaries if 0 <= n <= len(order)]
    anywhere = st.integers(0, len(order))
    yes = draw(
        st.one_of(anywhere, st.sampled_from(near), st.sampled_from(near)) if near else anywhere
    )
    answers = dict.fromkeys(order[:yes], Answer.YES)
    others = st.sampled_from((None, Answer.NO, Answer.NOT_KNOWN, Answer.DECLINED))
    for item in order[yes:]:
        answer = draw(others)
        if answer is not None:
            answers[item] = answer
    return answers


_FORM_KINDS = ("none", "checklist", "checklist", "checklist", "unknown-checklist", "unknown-item")
_UNKNOWN_CHECKLIST = "conformance-unknown-checklist"
_UNKNOWN_ITEM = "conformance-unknown-item"
#: Minutes from the report to the form's completion: often within two hours, up to
#: three days; the decision is made then, as the command makes it.
_WAITS = st.sampled_from((0, 0)) | st.integers(0, 120) | st.integers(0, 72 * 60)
_ZONE_STRATEGY: SearchStrategy[tzinfo] = st.sampled_from([zone for _, zone in _ZONES])


@st.composite
def _form(
    draw: DrawFn,
    incident: Incident,
    question_sets: tuple[QuestionSet, ...],
    boundaries: tuple[int, ...] = (),
) -> RiskForm | None:
    kinds = _FORM_KINDS if question_sets else ("none", "unknown-checklist")
    kind = draw(st.sampled_from(kinds))
    if kind == "none":
        return None
    if kind == "unknown-checklist":
        checklist, answers = _UNKNOWN_CHECKLIST, {"1": Answer.YES}
    else:
        question_set = draw(st.sampled_from(question_sets))
        checklist, answers = question_set.id, draw(_answers(question_set, boundaries))
        if kind == "unknown-item":
            answers[_UNKNOWN_ITEM] = draw(ds.answers())
    completed = _utc(incident.reported_at) + timedelta(minutes=draw(_WAITS))
    completed_at = completed.astimezone(draw(_ZONE_STRATEGY))
    return RiskForm(
        incident_id=incident.id,
        checklist=checklist,
        answers=answers,
        completed_by="PC-CONFORMANCE",
        completed_at=completed_at,
        submitted_at=draw(st.sampled_from((None, completed_at))),
        professional_judgement=draw(st.none() | ds.professional_judgements()),
    )


@st.composite
def _dara(draw: DrawFn, incident: Incident, items: tuple[str, ...]) -> DaraForm | None:
    """A DARA form over the force's items, about half the time; any grade, or none.

    Answers are any frequency or not asked (all not known, sometimes); the rationale
    is written, missing or blank, so every check the ``dara`` plug-in makes is reached.
    """
    if not items or draw(st.booleans()):
        return None
    if draw(st.integers(0, 9)) == 0:
        answers: dict[str, Frequency] = {}
    else:
        values = st.sampled_from((None, *Frequency))
        answers = {i: f for i in items if (f := draw(values)) is not None}
    completed = _utc(incident.reported_at) + timedelta(minutes=draw(_WAITS))
    return DaraForm(
        incident.id,
        answers,
        "PC-CONFORMANCE",
        completed.astimezone(draw(_ZONE_STRATEGY)),
        draw(st.none() | st.sampled_from(RiskGrade)),
        draw(st.sampled_from((None, "", " ", "Officer's rationale (conformance kit)."))),
    )


def _not_yes(form: RiskForm, question_sets: Mapping[str, QuestionSet]) -> list[str]:
    """The items of the form's checklist not answered "yes", in checklist order."""
    question_set = question_sets.get(form.checklist)
    if question_set is None:
        return []
    return [item.id for item in question_set.items if form.answer(item.id) is not Answer.YES]


def key_items(settings: Settings) -> frozenset[str]:
    """The items the kit flips more often: DASH's key indicators and the force's DIAL key items."""
    return frozenset(DASH_KEY_ITEMS) | frozenset(settings.dial.key_items)


@st.composite
def _flips(
    draw: DrawFn, question_set: QuestionSet | None, keys: frozenset[str]
) -> tuple[str, ...]:
    """One to three items to flip alone through every answer; key items twice as often."""
    if question_set is None:
        return ()
    items = [item.id for item in question_set.items]
    weighted = [i for i in items if i in keys]
    pick = (
        st.sampled_from(items) | st.sampled_from(weighted) if weighted else st.sampled_from(items)
    )
    return tuple(draw(st.lists(pick, min_size=1, max_size=3, unique=True)))


@st.composite
def _higher_judgement(draw: DrawFn, form: RiskForm) -> ProfessionalJudgement:
    old = form.professional_judgement
    floor = old.grade if old is not None else RiskGrade.STANDARD
    grade = draw(st.sampled_from([g for g in RiskGrade if g >= floor]))
    judgement = draw(ds.professional_judgements(grades=grade))
    return attrs.evolve(judgement, refer_to_marac=old is not None and old.refer_to_marac)


#: How many earlier incidents the victim has: mostly none or one, so that a series
#: (which grades high by default) does not drown every other rule.
_PRIOR_COUNTS = st.sampled_from((0, 0, 0, 1, 1, 2, 3, 4))


@st.composite
def _case(
    draw: DrawFn,
    incidents: SearchStrategy[Incident],
    question_sets: tuple[QuestionSet, ...],
    windows: tuple[int, ...],
    boundaries: tuple[int, ...] = (),
    keys: frozenset[str] = frozenset(),
    dara_items: tuple[str, ...] = (),
) -> ConformanceCase:
    incident = draw(incidents)
    form = draw(_form(incident, question_sets, boundaries))
    dara = draw(_dara(incident, dara_items))
    now = incident.reported_at
    for completed in (form, dara):
        if completed is not None and micros(completed.completed_at) > micros(now):
            now = completed.completed_at  # the command's rule: graded when forms are complete
    count = draw(_PRIOR_COUNTS)
    prior = [draw(_prior_incident(incident, windows, str(n))) for n in range(count)]
    prior += [draw(_someone_elses(incident, str(n))) for n in range(draw(st.integers(0, 1)))]
    referrals = [
        draw(_marac_referral(incident, windows, str(n))) for n in range(draw(st.integers(0, 2)))
    ]
    _aim_at_edges(
        incident, [e.occurred_at for e in prior] + [r.referred_at for r in referrals], windows
    )
    extra_yes = None
    higher = None
    flips: tuple[str, ...] = ()
    if form is not None:
        by_id = {q.id: q for q in question_sets}
        candidates = _not_yes(form, by_id)
        extra_yes = draw(st.sampled_from(candidates)) if candidates else None
        higher = draw(_higher_judgement(form))
        flips = draw(_flips(by_id.get(form.checklist), keys))
    return ConformanceCase(
        incident=incident,
        form=form,
        now=now,
        prior_incidents=tuple(prior),
        marac_referrals=tuple(referrals),
        extra_yes=extra_yes,
        extra_incident=draw(_prior_incident(incident, windows, "extra")),
        higher_judgement=higher,
        flips=flips,
        dara=dara,
    )


def cases(
    policy: Policy, *, incidents: SearchStrategy[Incident] | None = None
) -> SearchStrategy[ConformanceCase]:
    """Cases that exercise ``policy``: its checklists, its windows, its edge cases.

    A form, when there is one, is on one of the policy's checklists (answers drawn over
    the checklist's item ids: any number of "yes", often on or beside a threshold, the
    rest "no", "not known", "declined" or not asked), with or without professional
    judgement, and names one to three items to flip alone through every answer (key
    items more often); sometimes it is on a checklist no plug-in knows, or answers an
    item its checklist lacks. The history holds up to four earlier incidents of the
    victim (at, or a day or a microsecond from, each window's edge, or anywhere in the
    30 months before; with the case's suspect or others), an incident of another
    victim, and up to two MARAC referrals. The decision is made when the form is
    completed (else on report), as ``dapolicy assess`` makes it, written in UTC,
    Europe/London or a fixed offset.

    :param policy: the policy whose checklists and settings shape the draw.
    :param incidents: the incidents to draw from; by default :func:`default_incidents`.
    :return: a strategy of :class:`ConformanceCase`.
    """
    question_sets = tuple(q for _, q in sorted(policy.question_sets.items()))
    strategy = _case(
        incidents if incidents is not None else default_incidents(),
        question_sets,
        _windows(policy.settings),
        _boundaries(policy.settings),
        key_items(policy.settings),
        tuple(item.id for item in policy.settings.dara.items),
    )

    # A composite of no arguments, for a short repr: hypothesis writes the strategy's
    # repr whenever a draw is rejected, and warns (an error under -W error) past 30 kB,
    # which the checklists and incidents as arguments come close to.
    @st.composite
    def conformance_cases(draw: DrawFn) -> ConformanceCase:
        return draw(strategy)

    return conformance_cases()


def _boundaries(settings: Settings) -> tuple[int, ...]:
    """Counts of "yes" on and either side of every count threshold the settings hold."""
    thresholds = {
        settings.dash.medium_from,
        settings.dash.high_from,
        settings.dial.medium_from,
        settings.dial.high_from,
        14,  # SafeLives' visible high risk
        4,  # the Lethality Screen's four of items 4-11
    }
    return tuple(sorted({n + d for n in thresholds for d in (-1, 0, 1) if n + d >= 0}))
