"""Invariant 2: more risk never lowers the grade."""

from __future__ import annotations

from datetime import timedelta

import attrs

from dapolicy.history import HistoryEntry
from dapolicy.models import (
    Answer,
    ProfessionalJudgement,
    RiskForm,
    RiskGrade,
)
from dapolicy.policy import Policy
from dapolicy.testing._invariants._assess import _assess, _Run, _run
from dapolicy.testing._invariants._case import ConformanceCase, _history, _utc
from dapolicy.testing._invariants._drawing import _not_yes
from dapolicy.testing._invariants._violation import InvariantViolation, violation


def _lowered(what: str, before: RiskGrade, after: RiskGrade) -> InvariantViolation:
    return violation(2, f"{what} lowered the grade from {before.value} to {after.value}")


#: Every answer an item can have; ``None`` is "not asked".
_ANSWERS: tuple[Answer | None, ...] = (
    Answer.YES,
    Answer.NO,
    Answer.NOT_KNOWN,
    Answer.DECLINED,
    None,
)


def _said(answer: Answer | None) -> str:
    return "not asked" if answer is None else f"'{answer.value.replace('_', ' ')}'"


def _with(form: RiskForm, item: str, answer: Answer | None) -> RiskForm:
    answers = {k: v for k, v in form.answers.items() if k != item}
    if answer is not None:
        answers[item] = answer
    return attrs.evolve(form, answers=answers)


def _flip(run: _Run, form: RiskForm, item: str) -> None:
    """Item ``item`` alone, from its answer to every other: more 'yes' never lowers."""
    policy, case, grade = run.policy, run.case, run.decision.grade
    was = form.answers.get(item)
    for answer in _ANSWERS:
        if answer is was:
            continue
        after = _assess(
            policy,
            case,
            form=_with(form, item, answer),
            variant=f"the case with item {item!r} {_said(answer)}",
        ).grade
        where = f"item {item!r} of checklist {form.checklist!r}"
        if answer is Answer.YES and after < grade:
            raise _lowered(f"one more 'yes' on {where} (was {_said(was)})", grade, after)
        if was is Answer.YES and after > grade:
            raise _lowered(f"one more 'yes' on {where} (instead of {_said(answer)})", after, grade)
        if Answer.YES not in (was, answer) and after != grade:
            raise violation(
                2,
                f"{where} {_said(answer)} instead of {_said(was)} graded {after.value} instead "
                f"of {grade.value}: an answer that is not 'yes' must not count as one",
                aspect="not known is not yes",
            )


def _monotone(run: _Run) -> None:
    policy, case, grade = run.policy, run.case, run.decision.grade
    form = case.form
    if form is not None:
        if case.extra_yes is not None:
            items = [case.extra_yes]
        elif case.flips:
            items = []
        else:
            items = _not_yes(form, policy.question_sets)
        for item in items:
            more = attrs.evolve(form, answers={**form.answers, item: Answer.YES})
            after = _assess(policy, case, form=more, variant=f"the case with item {item!r} 'yes'")
            if after.grade < grade:
                raise _lowered(
                    f"one more 'yes' on item {item!r} of checklist {form.checklist!r} (was "
                    f"{_said(form.answers.get(item))})",
                    grade,
                    after.grade,
                )
        for item in case.flips:
            _flip(run, form, item)
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

    Tries the case's :attr:`~ConformanceCase.extra_yes` (or, with no
    :attr:`~ConformanceCase.flips` either, every item not answered "yes"), its
    :attr:`~ConformanceCase.extra_incident` and its
    :attr:`~ConformanceCase.higher_judgement`. Each item in
    :attr:`~ConformanceCase.flips` is changed alone from its answer to every other:
    a change to "yes" must not lower the grade, and a change among "no", "not known",
    "declined" and not asked must not change it (an answer that is not "yes" is not
    counted as one).

    :raises InvariantViolation: naming the change that lowered the grade.
    """
    _monotone(_run(policy, case))
