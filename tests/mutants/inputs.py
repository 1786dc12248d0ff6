"""Mutants that change what they were given: the form, the draft decision, the incident."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from dapolicy import hookimpl
from dapolicy.history import HistoryEntry
from dapolicy.models import Answer, Decision, Finding, Incident, Referral, RiskForm, RiskGrade
from mutants import Mutant, beside, isolated_model
from mutants._common import banded, finding, yes_count


class NormalisesAnswers:
    """'Cleans' the form by writing "no" over every unanswered item, in place."""

    @hookimpl
    def dapolicy_assess_risk(self, form: RiskForm | None) -> Finding | None:
        if form is None:
            return None
        cleaned = {**form.answers}
        cleaned.setdefault("1", Answer.NO)
        object.__setattr__(form, "answers", cleaned)
        return finding("normalise", banded(yes_count(form)))


class BumpsTheDraft:
    """Records its own view on the draft decision it was shown."""

    @hookimpl
    def dapolicy_referrals(self, decision: Decision) -> Iterator[Referral]:
        if decision.grade is RiskGrade.STANDARD:
            object.__setattr__(decision, "repeat_victim", True)
        yield from ()


class ReordersChildren:
    """Sorts the incident's children, eldest first, in place."""

    @hookimpl
    def dapolicy_assess_risk(self, incident: Incident) -> None:
        kids = tuple(sorted(incident.children, key=lambda c: -c.age))
        if kids != incident.children:
            object.__setattr__(incident, "children", kids)


class RecordsInHistory:
    """Writes the case into the history it was asked to read (the view is read-only)."""

    @hookimpl
    def dapolicy_assess_risk(self, incident: Incident, history: Any) -> None:
        history.record_incident(HistoryEntry.from_incident(incident))


MUTANTS = [
    Mutant(
        "rewrites-the-form",
        "writes into the form it was given",
        10,
        isolated_model(NormalisesAnswers),
    ),
    Mutant("mutates-the-draft", "changes the draft decision", 10, beside(BumpsTheDraft)),
    Mutant(
        "reorders-children", "sorts the incident's children in place", 10, beside(ReordersChildren)
    ),
    Mutant(
        "writes-the-history",
        "records the case in the history it reads",
        3,
        beside(RecordsInHistory),
    ),
]
