"""Drawing conformance cases that exercise a policy's checklists, windows and edges."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta, tzinfo

import attrs
from hypothesis import strategies as st
from hypothesis.strategies import DrawFn, SearchStrategy

from dapolicy._time import months_before
from dapolicy.history import HistoryEntry, MaracReferralEntry
from dapolicy.models import (
    Answer,
    Incident,
    ProfessionalJudgement,
    RiskForm,
    RiskGrade,
)
from dapolicy.models.checklist import QuestionSet
from dapolicy.policy import Policy
from dapolicy.settings import Settings
from dapolicy.testing import strategies as ds
from dapolicy.testing._invariants._case import _FIRST, _LAST, _ZONES, ConformanceCase, _utc


def default_incidents() -> SearchStrategy[Incident]:
    """The incidents :func:`cases` draws by default.

    Mostly cases that meet the domestic-abuse definition, often with children in the
    household and full (fictional) personal data; sometimes any case at all.
    """
    times = ds.aware_datetimes(min_value=_FIRST, max_value=_LAST)
    return st.one_of(
        ds.incidents(domestic=True, datetimes=times),
        ds.incidents(domestic=True, children=True, personal_data=True, datetimes=times),
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
    """An instant at or before ``anchor``: often within 90 minutes of a window's edge."""
    near_edge = draw(st.booleans()) if windows else False
    if near_edge:
        edge = _utc(months_before(anchor, draw(st.sampled_from(windows))))
        moment = edge + timedelta(minutes=draw(st.integers(-90, 90)))
    else:
        moment = _utc(anchor) - timedelta(minutes=draw(st.integers(0, 30 * 31 * 24 * 60)))
    return min(moment, _utc(anchor))


def _fresh_id(prefix: str, taken: str) -> str:
    return prefix if prefix != taken else f"{prefix}-b"


@st.composite
def _prior_incident(
    draw: DrawFn, incident: Incident, windows: tuple[int, ...], label: str
) -> HistoryEntry:
    """An earlier incident of the victim: mostly with the same suspect."""
    suspect = draw(
        st.sampled_from((incident.suspect.id, _fresh_id("CONF-S", incident.suspect.id)))
    )
    return HistoryEntry(
        _fresh_id(f"CONF-H-{label}", incident.id),
        incident.victim.id,
        suspect,
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
    suspect = draw(
        st.sampled_from((incident.suspect.id, _fresh_id("CONF-S", incident.suspect.id)))
    )
    return MaracReferralEntry(
        incident.victim.id,
        suspect,
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


@st.composite
def _form(
    draw: DrawFn,
    incident: Incident,
    now: datetime,
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
    completed_at = draw(st.sampled_from((incident.reported_at, now)))
    return RiskForm(
        incident_id=incident.id,
        checklist=checklist,
        answers=answers,
        completed_by="PC-CONFORMANCE",
        completed_at=completed_at,
        submitted_at=draw(st.sampled_from((None, now))),
        professional_judgement=draw(st.none() | ds.professional_judgements()),
    )


def _not_yes(form: RiskForm, question_sets: Mapping[str, QuestionSet]) -> list[str]:
    """The items of the form's checklist not answered "yes", in checklist order."""
    question_set = question_sets.get(form.checklist)
    if question_set is None:
        return []
    return [item.id for item in question_set.items if form.answer(item.id) is not Answer.YES]


@st.composite
def _higher_judgement(draw: DrawFn, form: RiskForm) -> ProfessionalJudgement:
    old = form.professional_judgement
    floor = old.grade if old is not None else RiskGrade.STANDARD
    grade = draw(st.sampled_from([g for g in RiskGrade if g >= floor]))
    judgement = draw(ds.professional_judgements(grades=grade))
    return attrs.evolve(judgement, refer_to_marac=old is not None and old.refer_to_marac)


_ZONE_STRATEGY: SearchStrategy[tzinfo] = st.sampled_from([zone for _, zone in _ZONES])

#: How many earlier incidents the victim has: mostly none or one, so that a series
#: (which grades high by default) does not drown every other rule.
_PRIOR_COUNTS = st.sampled_from((0, 0, 0, 1, 1, 2, 3, 4))

#: Minutes from the report to the decision: often within two hours, up to three days.
_WAITS = st.integers(0, 120) | st.integers(0, 72 * 60)


@st.composite
def _case(
    draw: DrawFn,
    incidents: SearchStrategy[Incident],
    question_sets: tuple[QuestionSet, ...],
    windows: tuple[int, ...],
    boundaries: tuple[int, ...] = (),
) -> ConformanceCase:
    incident = draw(incidents)
    now = (_utc(incident.reported_at) + timedelta(minutes=draw(_WAITS))).astimezone(
        draw(_ZONE_STRATEGY)
    )
    form = draw(_form(incident, now, question_sets, boundaries))
    count = draw(_PRIOR_COUNTS)
    prior = [draw(_prior_incident(incident, windows, str(n))) for n in range(count)]
    prior += [draw(_someone_elses(incident, str(n))) for n in range(draw(st.integers(0, 1)))]
    referrals = [
        draw(_marac_referral(incident, windows, str(n))) for n in range(draw(st.integers(0, 2)))
    ]
    extra_yes = None
    higher = None
    if form is not None:
        candidates = _not_yes(form, {q.id: q for q in question_sets})
        extra_yes = draw(st.sampled_from(candidates)) if candidates else None
        higher = draw(_higher_judgement(form))
    return ConformanceCase(
        incident=incident,
        form=form,
        now=now,
        prior_incidents=tuple(prior),
        marac_referrals=tuple(referrals),
        extra_yes=extra_yes,
        extra_incident=draw(_prior_incident(incident, windows, "extra")),
        higher_judgement=higher,
    )


def cases(
    policy: Policy, *, incidents: SearchStrategy[Incident] | None = None
) -> SearchStrategy[ConformanceCase]:
    """Cases that exercise ``policy``: its checklists, its windows, its edge cases.

    A form, when there is one, is on one of the policy's checklists (answers drawn over
    the checklist's item ids: any number of "yes", the rest "no", "not known",
    "declined" or not asked), with or without professional judgement; sometimes it is on
    a checklist no plug-in knows, or answers an item its checklist lacks. The history
    holds up to four earlier incidents of the victim (just inside or outside each of
    the settings' windows, or anywhere in the 30 months before), an incident of another
    victim, and up to two MARAC referrals. ``now`` is up to 72 hours after the report,
    written in UTC, Europe/London or a fixed offset.

    :param policy: the policy whose checklists and settings shape the draw.
    :param incidents: the incidents to draw from; by default :func:`default_incidents`.
    :return: a strategy of :class:`ConformanceCase`.
    """
    question_sets = tuple(q for _, q in sorted(policy.question_sets.items()))
    return _case(
        incidents if incidents is not None else default_incidents(),
        question_sets,
        _windows(policy.settings),
        _boundaries(policy.settings),
    )


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
