"""The safety invariants of the design, as property checks for any policy or plug-in.

Each check takes a :class:`~dapolicy.policy.Policy` and one :class:`ConformanceCase`
(an incident, its risk form or ``None``, the victim's history and the time of the
decision), assesses the case, and raises :class:`AssertionError` -- naming the
invariant by its number in the design and saying what broke -- when the decision
breaks the invariant:

1. :func:`check_deterministic` -- the same inputs give the same decision (and the same
   JSON), and the history is not modified.
2. :func:`check_monotone` -- one more "yes", one more prior incident, or a higher
   professional judgement never lowers the grade.
3. :func:`check_total` -- every valid case gets a decision with no plug-in failure; a
   plug-in that raises or returns garbage makes the decision need review, with the
   failure recorded, and lowers no grade.
4. :func:`check_high_risk_referrals` -- high risk means MARAC and IDVA referrals.
5. :func:`check_children_safeguarded` -- each child present or usually resident gets a
   ``child-welfare-check`` task, and the case a children's social care referral.
6. :func:`check_reasons` -- every grade, finding, referral and task carries a reason
   with a rule id and a source.
7. :func:`check_crime_parity` -- the same facts, crime or not, get the same grade.
8. :func:`check_due_times` -- due times are after the report, are the same instants
   whatever zone the case's times are written in, and the built-in welfare checks are
   due after exactly the hours they promise, across clock changes.
9. :func:`check_no_personal_data` -- no name, address, phone number, date of birth or
   written rationale in the decision's ``repr``/``str``/JSON, in log records emitted
   while assessing, or in plug-in failure messages.

:func:`cases` draws cases that exercise a policy's own checklists (answers over each
checklist's item ids, with "not known" and "declined"; sometimes no form, sometimes an
unknown checklist or item; professional judgement; prior incidents just inside and
outside the force's windows; prior MARAC referrals). :func:`run_conformance` runs every
check over many drawn cases with hypothesis and raises on the first counterexample:

.. code-block:: python

    from dapolicy.testing.invariants import policy_with, run_conformance

    def test_my_plugin_conforms() -> None:
        run_conformance(policy_with(my_plugin, isolate=True), max_examples=200)

The checks assume nothing about a plug-in's rules, only the invariants; the one
exception is the due-time arithmetic of the built-in welfare-check task, recognised by
its rule id.
"""

from __future__ import annotations

import logging
import re
import weakref
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo
from typing import Any

import attrs
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from hypothesis.errors import FlakyFailure
from hypothesis.strategies import DrawFn, SearchStrategy

from dapolicy import hookspecs
from dapolicy._time import months_before
from dapolicy.history import HistoryEntry, InMemoryHistory, MaracReferralEntry
from dapolicy.hookspecs import hookimpl
from dapolicy.models import (
    Answer,
    Crime,
    Decision,
    Destination,
    Finding,
    Incident,
    OffenceCategory,
    ProfessionalJudgement,
    Reason,
    RiskForm,
    RiskGrade,
)
from dapolicy.models._base import LONDON, to_tuple
from dapolicy.models.checklist import QuestionSet
from dapolicy.plugins import safeguarding
from dapolicy.policy import Policy
from dapolicy.serialization import to_json
from dapolicy.settings import Settings
from dapolicy.testing import strategies as ds

__all__ = [
    "INVARIANTS",
    "ConformanceCase",
    "Invariant",
    "cases",
    "check_all",
    "check_children_safeguarded",
    "check_crime_parity",
    "check_deterministic",
    "check_due_times",
    "check_high_risk_referrals",
    "check_monotone",
    "check_no_personal_data",
    "check_reasons",
    "check_total",
    "default_incidents",
    "isolated",
    "policy_with",
    "run_conformance",
]

#: The task the built-in safeguarding plug-in sets for each child (invariant 5).
WELFARE_CHECK = "child-welfare-check"
#: Names under which the deliberately broken plug-ins of invariant 3 are registered.
RAISING_PLUGIN = "conformance-raises"
GARBAGE_PLUGIN = "conformance-garbage"

_ZONES: tuple[tuple[str, tzinfo], ...] = (
    ("UTC", UTC),
    ("Europe/London", LONDON),
    ("UTC+05:30", timezone(timedelta(hours=5, minutes=30))),
)
#: Incidents are drawn within these years: wide enough for clock-change rules that
#: changed over time, narrow enough to keep ages and windows realistic.
_FIRST = datetime(2000, 1, 1)
_LAST = datetime(2039, 12, 31, 23, 59)


# --- the case --------------------------------------------------------------------------


@attrs.frozen
class ConformanceCase:
    """One case to assess: what :meth:`Policy.assess` is given, plus the changes to try.

    :param incident: the incident.
    :param form: its risk form, or ``None``.
    :param now: the time of the decision (not before the report).
    :param prior_incidents: the history's incidents (this victim's and others').
    :param marac_referrals: the history's MARAC referrals.
    :param extra_yes: for invariant 2, an item of the form's checklist not answered
        "yes"; ``None`` to try every such item.
    :param extra_incident: for invariant 2, one more prior incident for the victim;
        ``None`` for one the day before.
    :param higher_judgement: for invariant 2, a professional judgement at least as high
        as the form's; ``None`` for a judgement of high.
    """

    incident: Incident
    form: RiskForm | None
    now: datetime
    prior_incidents: tuple[HistoryEntry, ...] = attrs.field(default=(), converter=to_tuple)
    marac_referrals: tuple[MaracReferralEntry, ...] = attrs.field(default=(), converter=to_tuple)
    extra_yes: str | None = None
    extra_incident: HistoryEntry | None = None
    higher_judgement: ProfessionalJudgement | None = None

    @property
    def history(self) -> InMemoryHistory:
        """A new history holding :attr:`prior_incidents` and :attr:`marac_referrals`."""
        return _history(self.prior_incidents, self.marac_referrals)


def _history(
    entries: Iterable[HistoryEntry], referrals: Iterable[MaracReferralEntry] = ()
) -> InMemoryHistory:
    history = InMemoryHistory()
    for entry in entries:
        history.record_incident(entry)
    for referral in referrals:
        history.record_marac_referral(referral)
    return history


# --- drawing cases ---------------------------------------------------------------------


def _utc(moment: datetime) -> datetime:
    """The same instant in UTC.

    Comparisons and differences of two datetimes in one zone are wall-clock ones in
    Python (PEP 495), which is wrong across a clock change.
    """
    return moment.astimezone(UTC)


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


# --- assessing -------------------------------------------------------------------------


class _Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@contextmanager
def _capturing_logs() -> Iterator[list[logging.LogRecord]]:
    """Every log record emitted meanwhile, at DEBUG and above, from any logger."""
    handler = _Records()
    root = logging.getLogger()
    ours = logging.getLogger(hookspecs.PROJECT)
    levels = (root.level, ours.level)
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    ours.setLevel(logging.DEBUG)
    try:
        yield handler.records
    finally:
        root.removeHandler(handler)
        root.setLevel(levels[0])
        ours.setLevel(levels[1])


#: Marks an argument of :func:`_assess` left as the case has it.
_SAME: Any = object()


def _assess(
    policy: Policy,
    case: ConformanceCase,
    *,
    incident: Incident | None = None,
    form: RiskForm | None = _SAME,
    history: InMemoryHistory | None = None,
    now: datetime | None = None,
    variant: str = "the case",
) -> Decision:
    """Assess the case (with changes); a raise or a non-decision breaks invariant 3."""
    try:
        decision = policy.assess(
            incident if incident is not None else case.incident,
            case.form if form is _SAME else form,
            history=history if history is not None else case.history,
            now=now if now is not None else case.now,
        )
    except Exception as exc:
        raise AssertionError(
            f"invariant 3 (total): assess raised {type(exc).__name__} for {variant}, a "
            f"valid case: {_safe_error(exc, case)}"
        ) from exc
    if not isinstance(decision, Decision):
        raise AssertionError(
            f"invariant 3 (total): assess returned a {type(decision).__name__} for "
            f"{variant}, not a Decision"
        )
    return decision


def _safe_error(exc: BaseException, case: ConformanceCase) -> str:
    text = str(exc)
    for what, value in _personal_data(case):
        text = text.replace(value, f"<{what}>")
    return text


@attrs.define
class _Run:
    """One assessment of a case, with the log records it emitted."""

    policy: Policy
    case: ConformanceCase
    decision: Decision
    records: list[logging.LogRecord]


def _run(policy: Policy, case: ConformanceCase) -> _Run:
    with _capturing_logs() as records:
        decision = _assess(policy, case)
    return _Run(policy, case, decision, records)


# --- 1 deterministic -------------------------------------------------------------------


def _differences(first: Decision, second: Decision) -> str:
    names = [
        f.name for f in attrs.fields(Decision) if getattr(first, f.name) != getattr(second, f.name)
    ]
    return ", ".join(names) if names else "none of the fields, but the JSON"


def _deterministic(run: _Run) -> None:
    history = run.case.history
    size = len(history)
    first = _assess(run.policy, run.case, history=history)
    if len(history) != size:
        raise AssertionError(
            "invariant 1 (deterministic): assess modified the history it was given "
            f"({size} incidents before, {len(history)} after)"
        )
    second = _assess(run.policy, run.case, history=history)
    for other in (first, second):
        if other != run.decision:
            raise AssertionError(
                "invariant 1 (deterministic): the same case assessed again gave a "
                f"different decision (differing: {_differences(run.decision, other)})"
            )
        if to_json(other) != to_json(run.decision):
            raise AssertionError(
                "invariant 1 (deterministic): the same case assessed again gave a "
                "different to_json(decision)"
            )


def check_deterministic(policy: Policy, case: ConformanceCase) -> None:
    """Invariant 1: the same inputs give equal decisions and equal JSON.

    The case is assessed three times, the last two with one history object, which must
    come back unchanged.

    :raises AssertionError: naming the fields that differed.
    """
    _deterministic(_run(policy, case))


# --- 2 monotone ------------------------------------------------------------------------


def _lowered(what: str, before: RiskGrade, after: RiskGrade) -> AssertionError:
    return AssertionError(
        f"invariant 2 (monotone): {what} lowered the grade from {before.value} to {after.value}"
    )


def _monotone(run: _Run) -> None:
    policy, case, grade = run.policy, run.case, run.decision.grade
    form = case.form
    if form is not None:
        items = (
            [case.extra_yes]
            if case.extra_yes is not None
            else _not_yes(form, policy.question_sets)
        )
        for item in items:
            more = attrs.evolve(form, answers={**form.answers, item: Answer.YES})
            after = _assess(policy, case, form=more, variant=f"the case with item {item!r} 'yes'")
            if after.grade < grade:
                raise _lowered(
                    f"one more 'yes' (item {item!r} of checklist {form.checklist!r}, was "
                    f"{form.answer(item).value})",
                    grade,
                    after.grade,
                )
        judgement = case.higher_judgement or ProfessionalJudgement(
            RiskGrade.HIGH, "conformance kit: a higher judgement"
        )
        old = form.professional_judgement
        if old is None or judgement.grade >= old.grade:
            raised = attrs.evolve(form, professional_judgement=judgement)
            after = _assess(policy, case, form=raised, variant="the case with higher judgement")
            if after.grade < grade:
                was = old.grade.value if old is not None else "none"
                raise _lowered(
                    f"a higher professional judgement ({judgement.grade.value}, was {was})",
                    grade,
                    after.grade,
                )
    extra = case.extra_incident or HistoryEntry(
        "CONF-H-extra",
        case.incident.victim.id,
        case.incident.suspect.id,
        _utc(case.incident.occurred_at) - timedelta(days=1),
    )
    history = _history((*case.prior_incidents, extra), case.marac_referrals)
    after = _assess(policy, case, history=history, variant="the case with one more prior incident")
    if after.grade < grade:
        raise _lowered(
            f"one more prior incident (at {_utc(extra.occurred_at).isoformat()}, "
            f"{len(case.prior_incidents)} before)",
            grade,
            after.grade,
        )


def check_monotone(policy: Policy, case: ConformanceCase) -> None:
    """Invariant 2: one more "yes", prior incident or higher judgement lowers no grade.

    Tries the case's :attr:`~ConformanceCase.extra_yes` (or every item not answered
    "yes"), its :attr:`~ConformanceCase.extra_incident` and its
    :attr:`~ConformanceCase.higher_judgement`.

    :raises AssertionError: naming the change that lowered the grade.
    """
    _monotone(_run(policy, case))


# --- 3 total ---------------------------------------------------------------------------


def _personal_text(incident: Incident) -> str:
    victim = incident.victim
    parts = [victim.name, victim.address, victim.phone, incident.suspect.name]
    return "; ".join(p for p in parts if p) or "no personal data"


class _Raising:
    """A plug-in that raises in every contribution hook, quoting personal data."""

    __name__ = RAISING_PLUGIN  # the name it is registered under

    @hookimpl
    def dapolicy_assess_risk(self, incident: Incident) -> Finding | None:
        raise RuntimeError(f"risk model crashed on {_personal_text(incident)}")

    @hookimpl
    def dapolicy_escalations(self, incident: Incident) -> Iterable[Any]:
        raise KeyError(_personal_text(incident))

    @hookimpl
    def dapolicy_referrals(self, incident: Incident) -> Iterator[Any]:
        yield from ()
        raise ValueError(f"half-way through the referrals of {_personal_text(incident)}")

    @hookimpl
    def dapolicy_tasks(self, incident: Incident) -> Iterable[Any]:
        raise ZeroDivisionError(_personal_text(incident))

    @hookimpl
    def dapolicy_allocate(self, incident: Incident) -> Any:
        raise AttributeError(_personal_text(incident))


class _Garbage:
    """A plug-in that returns the wrong types from every contribution hook."""

    __name__ = GARBAGE_PLUGIN  # the name it is registered under

    @hookimpl
    def dapolicy_assess_risk(self) -> Any:
        return "high"

    @hookimpl
    def dapolicy_escalations(self) -> Any:
        return [None]

    @hookimpl
    def dapolicy_referrals(self) -> Any:
        return 42

    @hookimpl
    def dapolicy_tasks(self) -> Any:
        return [RiskGrade.HIGH]

    @hookimpl
    def dapolicy_allocate(self) -> Any:
        return "a detective"


_BROKEN: weakref.WeakKeyDictionary[Policy, Policy] = weakref.WeakKeyDictionary()


def _with_broken_plugins(policy: Policy) -> Policy:
    """A copy of ``policy`` with the two broken plug-ins registered too.

    The original is untouched: the copy has its own plug-in manager holding the same
    plug-ins (and consults the broken ones' risk models even when the settings name
    the risk models to use).
    """
    cached = _BROKEN.get(policy)
    if cached is not None:
        return cached
    settings = policy.settings
    chosen = settings.plugins.risk_models
    if chosen is not None:
        names = (*chosen, RAISING_PLUGIN, GARBAGE_PLUGIN)
        settings = attrs.evolve(
            settings, plugins=attrs.evolve(settings.plugins, risk_models=names)
        )
    clone = policy.with_plugins(_Raising(), _Garbage(), settings=settings)
    _BROKEN[policy] = clone
    return clone


def _destinations(decision: Decision) -> list[str]:
    return sorted(d.value for d in decision.referred_to())


def _task_keys(decision: Decision) -> set[tuple[str, str, datetime]]:
    return {(t.what, t.for_whom, _utc(t.due_by)) for t in decision.tasks}


def _total(run: _Run) -> None:
    decision = run.decision
    if not isinstance(decision.grade, RiskGrade):
        raise AssertionError("invariant 3 (total): the decision has no risk grade")
    if decision.failures:
        failure = decision.failures[0]
        raise AssertionError(
            f"invariant 3 (total): plug-in {failure.plugin!r} failed in {failure.hook} on "
            f"a valid case ({failure.error})"
        )
    broken = _with_broken_plugins(run.policy)
    with _capturing_logs() as records:
        other = _assess(broken, run.case, variant="the case with two broken plug-ins added")
    failed = {f.plugin for f in other.failures}
    missing = sorted({RAISING_PLUGIN, GARBAGE_PLUGIN} - failed)
    if missing:
        raise AssertionError(
            "invariant 3 (total): a plug-in that raises or returns garbage was not "
            f"recorded as a failure ({', '.join(missing)})"
        )
    if not other.needs_review:
        raise AssertionError(
            "invariant 3 (total): a decision with plug-in failures does not need review"
        )
    if other.grade < decision.grade:
        raise AssertionError(
            "invariant 3 (total): broken plug-ins lowered the grade from "
            f"{decision.grade.value} to {other.grade.value}"
        )
    lost = sorted(set(_destinations(decision)) - set(_destinations(other)))
    if lost or not _task_keys(decision) <= _task_keys(other):
        raise AssertionError(
            "invariant 3 (total): broken plug-ins removed the other plug-ins' referrals "
            f"({', '.join(lost) or 'none'}) or tasks"
        )
    # The broken plug-ins quote personal data in their exceptions: none may reach the
    # decision's failures or the logs (invariant 9).
    _scan(_failure_and_log_texts(other, records), run.case, "with broken plug-ins added")


def check_total(policy: Policy, case: ConformanceCase) -> None:
    """Invariant 3: a valid case gets a decision; broken plug-ins are recorded, not silent.

    The case must be assessed without raising and without any plug-in failure. Then the
    same case is assessed by a copy of the policy with two broken plug-ins added (one
    raises in every hook, quoting the victim's personal data; one returns the wrong
    types): the decision must need review, record a failure for each, keep every other
    plug-in's referrals and tasks, keep the grade at least as high, and leak none of
    the personal data (invariant 9).

    :raises AssertionError: saying which part failed.
    """
    _total(_run(policy, case))


# --- 4 high risk -----------------------------------------------------------------------


def _high_risk_referrals(run: _Run) -> None:
    decision = run.decision
    if decision.grade is RiskGrade.HIGH:
        missing = sorted(
            d.value for d in {Destination.MARAC, Destination.IDVA} - decision.referred_to()
        )
        if missing:
            raise AssertionError(
                f"invariant 4 (high risk => MARAC and IDVA): graded high but no referral "
                f"to {' or '.join(missing)}"
            )


def check_high_risk_referrals(policy: Policy, case: ConformanceCase) -> None:
    """Invariant 4: a decision graded high refers the victim to MARAC and to an IDVA.

    :raises AssertionError: naming the missing referral.
    """
    _high_risk_referrals(_run(policy, case))


# --- 5 children ------------------------------------------------------------------------


def _children_safeguarded(run: _Run) -> None:
    decision, children = run.decision, run.case.incident.children_in_household
    if not children:
        return
    if Destination.CHILDRENS_SOCIAL_CARE not in decision.referred_to():
        raise AssertionError(
            f"invariant 5 (children): {len(children)} child(ren) present or usually "
            "resident but no children's social care referral"
        )
    checked = {t.for_whom for t in decision.tasks if t.what == WELFARE_CHECK}
    missing = [child.id for child in children if child.id not in checked]
    if missing:
        raise AssertionError(
            f"invariant 5 (children): no {WELFARE_CHECK!r} task for child(ren) "
            f"{', '.join(map(repr, missing))} (present or usually resident)"
        )


def check_children_safeguarded(policy: Policy, case: ConformanceCase) -> None:
    """Invariant 5: children present or usually resident are safeguarded, always.

    Each such child gets a ``child-welfare-check`` task for its id, and the victim a
    children's social care referral.

    :raises AssertionError: naming the child (by pseudonymous id) or the referral.
    """
    _children_safeguarded(run=_run(policy, case))


# --- 6 reasons -------------------------------------------------------------------------


def _reason_problem(reasons: Sequence[object]) -> str | None:
    if not reasons:
        return "no reason"
    for reason in reasons:
        if not isinstance(reason, Reason):
            return f"a {type(reason).__name__} where a Reason belongs"
        for field in ("rule", "source"):
            value = getattr(reason, field)
            if not isinstance(value, str) or not value.strip():
                return f"a reason with no {field}"
    return None


def _reasons(run: _Run) -> None:
    decision = run.decision
    owners: list[tuple[str, Sequence[Reason]]] = [("the grade", decision.reasons)]
    owners += [(f"the finding of {f.model!r}", f.reasons) for f in decision.findings]
    owners += [(f"the referral to {r.destination.value}", r.reasons) for r in decision.referrals]
    owners += [(f"the task {t.what!r}", t.reasons) for t in decision.tasks]
    for owner, reasons in owners:
        problem = _reason_problem(reasons)
        if problem is not None:
            raise AssertionError(
                f"invariant 6 (reasons): {owner} has {problem} (each needs a rule id and a source)"
            )


def check_reasons(policy: Policy, case: ConformanceCase) -> None:
    """Invariant 6: the grade, every finding, referral and task has a reason.

    Each reason is a :class:`~dapolicy.models.Reason` with a non-blank rule id and
    source.

    :raises AssertionError: naming what lacks a reason.
    """
    _reasons(_run(policy, case))


# --- 7 crime parity --------------------------------------------------------------------

#: The crime recorded on a non-crime incident to test invariant 7.
PARITY_CRIME = Crime("CONF-CRIME", OffenceCategory.COMMON_ASSAULT)


def _crime_parity(run: _Run) -> None:
    incident = run.case.incident
    twin = attrs.evolve(incident, crime=None if incident.crime is not None else PARITY_CRIME)
    other = _assess(run.policy, run.case, incident=twin, variant="the case's crime twin")
    if other.grade != run.decision.grade:
        crime, no_crime = (
            (run.decision, other) if incident.crime is not None else (other, run.decision)
        )
        raise AssertionError(
            "invariant 7 (crime parity): the same facts are graded "
            f"{crime.grade.value} as a crime and {no_crime.grade.value} as a non-crime "
            "incident"
        )


def check_crime_parity(policy: Policy, case: ConformanceCase) -> None:
    """Invariant 7: the same facts get the same grade, crime or not.

    The case's incident is assessed again without its crime, or with
    :data:`PARITY_CRIME` if it had none.

    :raises AssertionError: with both grades.
    """
    _crime_parity(_run(policy, case))


# --- 8 due times -----------------------------------------------------------------------


def _signature(decision: Decision) -> tuple[Any, ...]:
    return (
        decision.grade,
        _destinations(decision),
        sorted((t.what, t.for_whom, _utc(t.due_by)) for t in decision.tasks),
        sorted((f.plugin, f.hook, f.error) for f in decision.failures),
    )


def _expected_elapsed(
    incident: Incident, what: str, reasons: Sequence[Reason], whom: str
) -> timedelta | None:
    """The elapsed time the built-in welfare check promises, when this is that task."""
    if what != WELFARE_CHECK or not any(
        r.rule == "safeguarding.child-welfare-check" for r in reasons
    ):
        return None
    for child in incident.children:
        if child.id == whom:
            hours = safeguarding.PRESENT_HOURS if child.present else safeguarding.RESIDENT_HOURS
            return timedelta(hours=hours)
    return None


def _due_times(run: _Run) -> None:
    incident, decision = run.case.incident, run.decision
    reported = _utc(incident.reported_at)
    for task in decision.tasks:
        due = _utc(task.due_by)
        if due <= reported:
            raise AssertionError(
                f"invariant 8 (due times): task {task.what!r} is due at {due.isoformat()}, "
                f"not after the report at {reported.isoformat()}"
            )
        expected = _expected_elapsed(incident, task.what, task.reasons, task.for_whom)
        if expected is not None and due - reported != expected:
            raise AssertionError(
                f"invariant 8 (due times): task {task.what!r} is due {due - reported} after "
                f"the report at {reported.isoformat()}, not {expected}"
            )
    signature = _signature(decision)
    for label, zone in _ZONES:
        moved = attrs.evolve(
            incident,
            reported_at=incident.reported_at.astimezone(zone),
            occurred_at=incident.occurred_at.astimezone(zone),
        )
        other = _assess(
            run.policy,
            run.case,
            incident=moved,
            now=run.case.now.astimezone(zone),
            variant=f"the case with its times written in {label}",
        )
        if _signature(other) != signature:
            raise AssertionError(
                "invariant 8 (due times): the decision depends on the zone the case's times "
                f"are written in: with them in {label}, its grade, referrals, due times or "
                f"failures differ (due {_due_list(other)} instead of {_due_list(decision)}; "
                f"failures {len(other.failures)} instead of {len(decision.failures)})"
            )


def _due_list(decision: Decision) -> str:
    return (
        ", ".join(sorted(f"{t.what}@{_utc(t.due_by).isoformat()}" for t in decision.tasks))
        or "none"
    )


def check_due_times(policy: Policy, case: ConformanceCase) -> None:
    """Invariant 8: due times are after the report and right across clock changes.

    Every task must be due after the report (compared as instants), the built-in
    welfare check exactly 1 hour (child present) or 24 hours (usually resident) of
    elapsed time after it, and the decision -- grade, referrals, the instants tasks are
    due, failures -- must not change when the case's times are written in UTC,
    Europe/London or a fixed offset instead (a rule that adds hours to a London wall
    clock, or takes the calendar day in the wrong zone, fails this near clock changes).

    :raises AssertionError: naming the task and the times.
    """
    _due_times(_run(policy, case))


# --- 9 personal data -------------------------------------------------------------------

_MIN_SECRET = 4
_ISO_DAY_OF_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}(?=T\d)")


def _personal_data(case: ConformanceCase) -> list[tuple[str, str]]:
    """(what, value) for every piece of personal data in the case."""
    found: list[tuple[str, str]] = []
    incident = case.incident
    for role, person in (("victim", incident.victim), ("suspect", incident.suspect)):
        for field in ("name", "address", "phone"):
            value = getattr(person, field)
            if isinstance(value, str) and len(value.strip()) >= _MIN_SECRET:
                found.append((f"the {role}'s {field}", value.strip()))
        born = person.date_of_birth
        if isinstance(born, date):
            found.append((f"the {role}'s date of birth", born.isoformat()))
            found.append((f"the {role}'s date of birth", repr(born)))
    judgement = case.form.professional_judgement if case.form is not None else None
    rationales = (
        ("the professional judgement's rationale", judgement.rationale if judgement else None),
        (
            "the crime's outcome rationale",
            incident.crime.outcome_rationale if incident.crime is not None else None,
        ),
    )
    for what, text in rationales:
        if isinstance(text, str) and len(text.strip()) >= _MIN_SECRET:
            found.append((what, text.strip()))
    return found


def _leaks(text: str, secrets: Sequence[tuple[str, str]]) -> list[str]:
    # A date of birth may share its day with a time in the decision (a baby born on
    # the day of the incident): ignore the day of every ISO datetime.
    text = _ISO_DAY_OF_DATETIME.sub("####-##-##", text)
    return sorted({what for what, value in secrets if value in text})


def _record_text(record: logging.LogRecord) -> str:
    try:
        message = record.getMessage()
    except Exception:  # a bad format string: look at its parts instead
        message = f"{record.msg} {record.args}"
    if record.exc_info:
        message += logging.Formatter().formatException(record.exc_info)
    return message + (record.exc_text or "") + (record.stack_info or "")


def _scan(places: Iterable[tuple[str, str]], case: ConformanceCase, variant: str = "") -> None:
    secrets = _personal_data(case)
    if not secrets:
        return
    for place, text in places:
        leaked = _leaks(text, secrets)
        if leaked:
            where = f"{place} ({variant})" if variant else place
            raise AssertionError(
                f"invariant 9 (no personal data): {', '.join(leaked)} appears in {where}"
            )


def _failure_and_log_texts(
    decision: Decision, records: Iterable[logging.LogRecord]
) -> list[tuple[str, str]]:
    places = [(f"the failure of plug-in {f.plugin!r}", f.error) for f in decision.failures]
    places += [(f"a log record of {r.name!r}", _record_text(r)) for r in records]
    return places


def _no_personal_data(run: _Run) -> None:
    decision = run.decision
    places = _failure_and_log_texts(decision, run.records)
    places += [
        ("repr(decision)", repr(decision)),
        ("str(decision)", str(decision)),
        ("to_json(decision)", to_json(decision)),
    ]
    _scan(places, run.case)


def check_no_personal_data(policy: Policy, case: ConformanceCase) -> None:
    """Invariant 9: no personal data in the decision, the logs or failure messages.

    Looks for the victim's and suspect's name, address, phone number and date of birth
    (ISO and ``repr``), the professional judgement's rationale and the crime's outcome
    rationale in ``repr(decision)``, ``str(decision)``, ``to_json(decision)``, every
    :class:`~dapolicy.models.PluginFailure` message and every log record emitted while
    assessing (any logger, DEBUG and up).

    :raises AssertionError: saying what leaked where (never the value itself).
    """
    _no_personal_data(_run(policy, case))


# --- all of them -----------------------------------------------------------------------


@attrs.frozen
class Invariant:
    """One invariant: its number in the design, its title and its check."""

    number: int
    title: str
    check: Callable[[Policy, ConformanceCase], None]


#: Every invariant, by number, in the order :func:`check_all` checks them.
INVARIANTS: Mapping[int, Invariant] = {
    invariant.number: invariant
    for invariant in (
        Invariant(1, "deterministic", check_deterministic),
        Invariant(3, "total", check_total),
        Invariant(6, "every grade, referral and task has a reason", check_reasons),
        Invariant(4, "high risk => MARAC and IDVA", check_high_risk_referrals),
        Invariant(5, "children => welfare checks and referral", check_children_safeguarded),
        Invariant(8, "due times", check_due_times),
        Invariant(9, "no personal data", check_no_personal_data),
        Invariant(7, "crime parity", check_crime_parity),
        Invariant(2, "monotone", check_monotone),
    )
}

_RUNNERS: Mapping[int, Callable[[_Run], None]] = {
    1: _deterministic,
    2: _monotone,
    3: _total,
    4: _high_risk_referrals,
    5: _children_safeguarded,
    6: _reasons,
    7: _crime_parity,
    8: _due_times,
    9: _no_personal_data,
}


def _chosen(invariants: Iterable[int] | None) -> tuple[int, ...]:
    if invariants is None:
        return tuple(INVARIANTS)
    chosen = tuple(invariants)
    unknown = sorted(set(chosen) - set(INVARIANTS))
    if unknown:
        raise ValueError(f"no invariant numbered {', '.join(map(str, unknown))}")
    return tuple(n for n in INVARIANTS if n in chosen)


def check_all(
    policy: Policy, case: ConformanceCase, *, invariants: Iterable[int] | None = None
) -> None:
    """Check every invariant (or those numbered in ``invariants``) on one case.

    The case is assessed once (with log capture) and that decision shared by the
    checks; invariant 3's "assess must not raise" applies whichever are chosen.

    :raises AssertionError: at the first invariant broken.
    :raises ValueError: ``invariants`` names a number that is not an invariant.
    """
    numbers = _chosen(invariants)
    run = _run(policy, case)
    for number in numbers:
        _RUNNERS[number](run)


# --- policies to test ------------------------------------------------------------------


def _plugin_name(plugin: object) -> str:
    """The name :class:`~dapolicy.policy.Policy` registers an extra plug-in under."""
    return str(getattr(plugin, "__name__", None) or type(plugin).__name__)


def isolated(
    name: str,
    *,
    settings: Settings | None = None,
    plugins: Iterable[object] = (),
    load_entry_points: bool = True,
) -> Policy:
    """A policy in which the plug-in ``name`` is the only risk model consulted.

    Every other hook of every plug-in still runs (so MARAC and safeguarding rules apply
    to its grades). A plug-in that is not a risk model gets the full policy. Isolation
    makes grade properties sharper: no other model's higher grade masks this one's.

    :param name: the registered name (``Policy.plugins``).
    :param settings: the settings; the defaults if omitted.
    :param plugins: extra plug-in objects, as for :class:`~dapolicy.policy.Policy`.
    :param load_entry_points: load installed plug-ins, as for ``Policy``.
    :raises ValueError: no plug-in is registered as ``name``.
    """
    plugins = tuple(plugins)
    policy = Policy(settings, plugins=plugins, load_entry_points=load_entry_points)
    try:
        hooks = policy.hooks_of(name)
    except KeyError:
        known = ", ".join(info.name for info in policy.plugins)
        raise ValueError(f"no plug-in named {name!r}; registered: {known}") from None
    if "dapolicy_assess_risk" not in hooks:
        return policy
    base = policy.settings
    only = attrs.evolve(base, plugins=attrs.evolve(base.plugins, risk_models=(name,)))
    return Policy(only, plugins=plugins, load_entry_points=load_entry_points)


def policy_with(
    plugin: object, *, settings: Settings | None = None, isolate: bool = False
) -> Policy:
    """The built-in plug-ins plus ``plugin``, with no installed plug-ins.

    :param plugin: a plug-in module or object (registered under its ``__name__``, or
        its class's name).
    :param settings: the settings; the defaults if omitted.
    :param isolate: consult only ``plugin``'s risk model (see :func:`isolated`).
    """
    if isolate:
        return isolated(
            _plugin_name(plugin), settings=settings, plugins=[plugin], load_entry_points=False
        )
    return Policy(settings, plugins=[plugin], load_entry_points=False)


def run_conformance(
    policy: Policy,
    *,
    max_examples: int | None = None,
    strategy: SearchStrategy[ConformanceCase] | None = None,
    invariants: Iterable[int] | None = None,
    settings: hypothesis_settings | None = None,
) -> None:
    """Check every invariant on many drawn cases; raise on the first counterexample.

    :param policy: the policy under test (see :func:`policy_with`, :func:`isolated`).
    :param max_examples: how many cases; by default the hypothesis profile's number.
    :param strategy: where cases come from; by default :func:`cases` of ``policy``.
    :param invariants: the invariants to check, by number; by default all.
    :param settings: hypothesis settings to start from; by default the current profile.
        Deadlines are always off and only the first bug is reported.
    :raises AssertionError: a case breaks an invariant. The message names the invariant;
        hypothesis adds the (shrunk) case as a note. An invariant that fails only
        sometimes for the same case is reported as a non-deterministic decision.
    :raises ValueError: ``invariants`` names a number that is not an invariant.
    """
    numbers = _chosen(invariants)
    base = settings if settings is not None else hypothesis_settings()
    run_settings = hypothesis_settings(
        base,
        max_examples=max_examples if max_examples is not None else base.max_examples,
        deadline=None,
        report_multiple_bugs=False,
        suppress_health_check=[*base.suppress_health_check, HealthCheck.too_slow],
    )
    drawn = strategy if strategy is not None else cases(policy)

    @run_settings
    @given(drawn)
    def conformance(case: ConformanceCase) -> None:
        check_all(policy, case, invariants=numbers)

    try:
        conformance()
    except FlakyFailure as exc:
        raise AssertionError(
            "invariant 1 (deterministic): an invariant failed for a case and then held for "
            f"the same case: a decision depends on something besides its inputs ({exc})"
        ) from exc
