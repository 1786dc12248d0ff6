"""What the mutants share: a DASH-like count, and a reason in the usual shape."""

from __future__ import annotations

from dapolicy.models import Answer, Finding, Reason, RiskForm, RiskGrade

POLICE = "dash-2009-police"
SOURCE = "Examplia force policy (mutant)"


def reason(rule: str, text: str = "a force rule") -> Reason:
    """A reason with a rule id and a source."""
    return Reason(f"mutant.{rule}", SOURCE, text)


def yes_count(form: RiskForm | None, also: tuple[Answer, ...] = ()) -> int:
    """The "yes" answers on the police DASH form (and ``also`` the answers named)."""
    if form is None or form.checklist != POLICE:
        return 0
    counted = (Answer.YES, *also)
    return sum(1 for answer in form.answers.values() if answer in counted)


def banded(count: int) -> RiskGrade:
    """The usual DASH bands: 14 or more high, 10 or more medium."""
    if count >= 14:
        return RiskGrade.HIGH
    if count >= 10:
        return RiskGrade.MEDIUM
    return RiskGrade.STANDARD


def finding(name: str, grade: RiskGrade, text: str = "graded by count") -> Finding:
    """A finding of the mutant's model."""
    return Finding(name, grade, (reason(f"{name}.grade", text),))
