"""DIAL, as a checklist model the force configures (``settings.dial``).

The report describes DIAL only as "the totalling of the 'Yes' answers, along with
answers to key questions and professional judgement". Its items are not public. So
this plug-in is a general configurable checklist: the force supplies the item ids,
which items are key and the least grade a "yes" to each implies, and the count bands.
Professional judgement is applied by the policy, as for every model.

The shipped defaults are ASSUMPTIONS, documented as such: DASH's 27 police item ids,
DASH's count bands, and key items drawn from the SafeLives and Kent professional-
judgement prompts (strangulation and believed threats to kill imply high; weapons,
stalking and escalating abuse imply medium).
"""

from __future__ import annotations

from collections.abc import Iterable

from dapolicy.hookspecs import hookimpl
from dapolicy.models import Finding, RiskForm, RiskGrade
from dapolicy.models.checklist import QuestionItem, QuestionSet
from dapolicy.models.risk import reason
from dapolicy.settings import Settings

SOURCE = "DIAL as described in the HMIC 2014 inspection; items and bands set by the force"


@hookimpl
def dapolicy_question_sets(settings: Settings) -> Iterable[QuestionSet]:
    """The force's DIAL checklist (ids only: the force holds the wording)."""
    dial = settings.dial
    items = tuple(QuestionItem(i, f"DIAL item {i} (force-defined)") for i in dial.items)
    return (QuestionSet(dial.checklist, "DIAL (force-configured)", items, SOURCE),)


@hookimpl
def dapolicy_assess_risk(form: RiskForm | None, settings: Settings) -> Finding | None:
    """Grade a DIAL form: count bands, raised by any "yes" to a key item."""
    dial = settings.dial
    if form is None or form.checklist != dial.checklist:
        return None
    yes = form.yes_items(dial.items)
    score = len(yes)
    if score >= dial.high_from:
        grade = RiskGrade.HIGH
    elif score >= dial.medium_from:
        grade = RiskGrade.MEDIUM
    else:
        grade = RiskGrade.STANDARD
    reasons = [
        reason(
            f"dial.band.{grade.value}",
            f"{SOURCE} (medium from {dial.medium_from}, high from {dial.high_from})",
            f"{score} 'yes' answers: {grade.value}",
        )
    ]
    for item in sorted(yes & dial.key_items.keys(), key=_natural):
        implied = dial.key_items[item]
        reasons.append(
            reason(
                f"dial.key-item.{item}",
                f"{SOURCE}: key item {item} implies at least {implied.value}",
                f"'yes' to key item {item}",
            )
        )
        grade = max(grade, implied)
    return Finding("dial", grade, tuple(reasons), score=score)


def _natural(item: str) -> tuple[int, str]:
    return (int(item), "") if item.isdigit() else (1 << 30, item)
