"""DARA: the College of Policing's structured-judgement risk assessment.

The grade is the officer's: DARA has no count threshold (College of Policing, 2022;
the pilot, Wire and Myhill 2018, graded by "officer structured judgement with a
written rationale"). This plug-in takes the officer's grade as its finding and checks
the form around it, never lowering the grade:

- a grade with no written rationale, or a blank one, needs review (``dara.rationale-
  missing``): the grade stands, but is not accepted until a person has looked;
- a form with no grade needs review (``dara.grade-missing``); its finding is then the
  least grade the answers point to (standard if none), only until a person reviews it;
- an answer that points higher than the grade (the force's ``points_to`` for an item)
  gives a prompt (``dara.answer-points-higher``) and needs review
  (``dara.grade-below-answers``); the officer's grade is not changed;
- "not known" answers, as for DASH: many of them (``[dara] not_known_review_from``) or
  one on a key item needs review, and a key item gets a prompt to ask it again;
- answers to items the force's DARA does not have need review (``dara.unknown-items``);
- a DARA form at a force that has not supplied its items (``[dara] enabled``) needs
  review (``dara.not-configured``); the officer's grade still stands.

A DARA form travels beside the DASH form (``Case.dara``, ``Policy.assess(dara=...)``),
so a force can run DARA for its officers while partners send DASH: the decision's grade
is the higher of the two findings. MARAC's "visible high risk" counts DASH and RIC
answers only (the ``dash`` plug-in's reason): a DARA high is referred as high risk.
"""

from __future__ import annotations

from dapolicy.errors import safe_name
from dapolicy.hookspecs import hookimpl
from dapolicy.models import Finding, Reason, RiskGrade
from dapolicy.models.dara import DARA_SOURCE, DaraForm, Frequency
from dapolicy.models.risk import reason
from dapolicy.settings import DaraItem, DaraSettings, Settings

_SETTINGS = "the force's DARA settings ([dara])"


@hookimpl
def dapolicy_assess_risk(dara: DaraForm | None, settings: Settings) -> Finding | None:
    """The officer's DARA grade, checked against the form and never lowered."""
    if dara is None:
        return None
    config = settings.dara
    review: list[Reason] = []
    prompts: list[Reason] = []
    if not dara.has_rationale:
        review.append(_rationale_missing(dara))
    if not config.items:
        review.append(
            reason(
                "dara.not-configured",
                f"{DARA_SOURCE}; {_SETTINGS}",
                "a DARA form arrived, but the force has not supplied its DARA items "
                "([dara] enabled and items): its answers were not checked",
            )
        )
        pointed = RiskGrade.STANDARD
    else:
        review += _unknown_items(dara, config)
        review += _not_known(dara, config, prompts)
        pointed = _pointed(dara, config, prompts)
    reasons: list[Reason] = []
    if dara.grade is None:
        grade = pointed
        review.append(
            reason(
                "dara.grade-missing",
                DARA_SOURCE,
                "the DARA form has no grade: the officer's structured judgement is the "
                f"grade; {grade.value} (what the answers point to) only until a person "
                "reviews it",
            )
        )
        reasons.append(reason("dara.answers", f"{DARA_SOURCE}; {_SETTINGS}", _points(grade)))
    else:
        grade = dara.grade
        reasons.append(
            reason(
                f"dara.grade.{grade.value}",
                f"{DARA_SOURCE}: structured professional judgement, no count threshold",
                f"the officer's DARA grade: {grade.value}",
            )
        )
        if pointed > grade:
            review.append(
                reason(
                    "dara.grade-below-answers",
                    f"{DARA_SOURCE}; {_SETTINGS}",
                    f"answers point to {pointed.value}, above the officer's grade of "
                    f"{grade.value}: a supervisor should review the grade (it is not changed)",
                )
            )
    return Finding(
        "dara", grade, tuple(reasons), prompts=tuple(prompts), review_reasons=tuple(review)
    )


def _points(grade: RiskGrade) -> str:
    return f"the answers point to at least {grade.value}"


def _rationale_missing(dara: DaraForm) -> Reason:
    what = "no written rationale" if dara.rationale is None else "a blank rationale"
    return reason(
        "dara.rationale-missing",
        f"{DARA_SOURCE}: a written rationale is required for the grade",
        f"the DARA grade has {what}: not accepted until the officer records why",
    )


def _unknown_items(dara: DaraForm, config: DaraSettings) -> list[Reason]:
    known = {item.id for item in config.items}
    unknown = [(n, key) for n, key in enumerate(dara.answers, 1) if key not in known]
    if not unknown:
        return []
    # Ids from input are quoted only where safe_name allows; any other by its position.
    quoted = sorted(key for _, key in unknown if safe_name(key) is not None)
    unsafe = [f"answer {n}" for n, key in unknown if safe_name(key) is None]
    return [
        reason(
            "dara.unknown-items",
            f"{DARA_SOURCE}; {_SETTINGS}",
            f"the force's DARA has no item(s) {', '.join(quoted + unsafe)}: not read",
        )
    ]


def _not_known(dara: DaraForm, config: DaraSettings, prompts: list[Reason]) -> list[Reason]:
    review: list[Reason] = []
    missing = [item for item in config.items if not dara.answer(item.id).known]
    if len(missing) >= config.review_from:
        review.append(
            reason(
                "dara.not-known-many",
                f"{DARA_SOURCE}; [dara] not_known_review_from ({config.review_from})",
                f"{len(missing)} of {len(config.items)} DARA items not known: neither "
                "'never' nor any other answer; complete the form before the grade is relied on",
            )
        )
    key = [item for item in missing if item.key]
    if key:
        review.append(
            reason(
                "dara.not-known-key-item",
                f"{DARA_SOURCE}; the force's key items ([dara] items, key = true)",
                f"key DARA item(s) {', '.join(i.id for i in key)} not known: complete "
                "them before the grade is relied on",
            )
        )
        prompts.extend(
            reason(
                "dara.complete-key-item",
                f"{DARA_SOURCE}; the force's key items",
                f"DARA item {item.id} ({item.text}) not known: ask it again",
            )
            for item in key
        )
    return review


def _pointed(dara: DaraForm, config: DaraSettings, prompts: list[Reason]) -> RiskGrade:
    """The least grade the answers point to; a prompt for each answer above the grade."""
    pointed = RiskGrade.STANDARD
    for item in config.items:
        if item.points_to is None or not dara.answer(item.id).at_least(item.at_least):
            continue
        pointed = max(pointed, item.points_to)
        if dara.grade is None or item.points_to > dara.grade:
            prompts.append(_points_higher(item, dara.answer(item.id)))
    return pointed


def _points_higher(item: DaraItem, answer: Frequency) -> Reason:
    return reason(
        "dara.answer-points-higher",
        f"{DARA_SOURCE}; {_SETTINGS}",
        f"DARA item {item.id} ({item.text}) answered {answer.value}: points to at least "
        f"{item.points_to.value if item.points_to else 'standard'}; consider the grade",
    )
