"""Invariant 2: more risk never lowers the grade."""

from __future__ import annotations

from datetime import timedelta

import attrs

from dapolicy.history import HistoryEntry
from dapolicy.models import (
    Answer,
    ProfessionalJudgement,
    RiskGrade,
)
from dapolicy.policy import Policy
from dapolicy.testing._invariants._assess import _assess, _Run, _run
from dapolicy.testing._invariants._case import ConformanceCase, _history, _utc
from dapolicy.testing._invariants._drawing import _not_yes


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
