"""Mutants that grade wrongly: a grade that falls with more risk, or differs for crimes."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any, ClassVar

from dapolicy import hookimpl
from dapolicy.models import Answer, Finding, Incident, RiskForm, RiskGrade
from dapolicy.models._base import LONDON
from mutants import Mutant, isolated_model
from mutants._common import POLICE, banded, finding, yes_count


class KeyItemLowers:
    """Grades high by count, but "weapons used" (item 16) was read as a protective factor."""

    @hookimpl
    def dapolicy_assess_risk(self, form: RiskForm | None) -> Finding | None:
        if form is None or form.checklist != POLICE:
            return None
        grade = banded(yes_count(form))
        if form.answers.get("16") is Answer.YES:
            grade = RiskGrade.STANDARD
        return finding("key-item", grade)


class UsedToIt:
    """Thinks a victim with several earlier incidents is 'used to it': lower risk."""

    @hookimpl
    def dapolicy_assess_risk(self, incident: Incident, history: Any) -> Finding:
        prior = history.incidents(
            incident.victim.id,
            since=incident.occurred_at - timedelta(days=730),
            until=incident.occurred_at,
            exclude=incident.id,
        )
        grade = RiskGrade.MEDIUM if len(prior) < 2 else RiskGrade.STANDARD
        return finding("used-to-it", grade)


class NotKnownAsYes:
    """Counts "not known" as "yes": cautious, but it makes missing information a fact."""

    @hookimpl
    def dapolicy_assess_risk(self, form: RiskForm | None) -> Finding | None:
        if form is None or form.checklist != POLICE:
            return None
        return finding("not-known", banded(yes_count(form, (Answer.NOT_KNOWN,))))


class DeclinedAsYes:
    """Counts a declined answer as "yes"."""

    @hookimpl
    def dapolicy_assess_risk(self, form: RiskForm | None) -> Finding | None:
        if form is None or form.checklist != POLICE:
            return None
        return finding("declined", banded(yes_count(form, (Answer.DECLINED,))))


class CrimeBump:
    """Raises the grade one step for a recorded crime: non-crime incidents lose out."""

    @hookimpl
    def dapolicy_assess_risk(self, incident: Incident, form: RiskForm | None) -> Finding:
        grade = banded(yes_count(form))
        if incident.crime is not None and grade is RiskGrade.STANDARD:
            grade = RiskGrade.MEDIUM
        return finding("crime-bump", grade)


class PriorCrimesOnly:
    """Counts only earlier *crimes* towards a series: a run of non-crime incidents is missed."""

    @hookimpl
    def dapolicy_assess_risk(self, incident: Incident, history: Any) -> Finding:
        prior = history.incidents(
            incident.victim.id,
            since=incident.occurred_at - timedelta(days=365),
            until=incident.occurred_at,
            exclude=incident.id,
        )
        crimes = sum(1 for entry in prior if entry.crime)
        return finding("prior-crimes", RiskGrade.MEDIUM if crimes else RiskGrade.STANDARD)


class JudgementReplaces:
    """Takes the officer's judgement as the grade, even when the checklist says more."""

    @hookimpl
    def dapolicy_assess_risk(self, form: RiskForm | None) -> Finding | None:
        if form is None or form.checklist != POLICE:
            return None
        judgement = form.professional_judgement
        grade = judgement.grade if judgement is not None else banded(yes_count(form))
        return finding("judgement", grade)


class WrongByOne:
    """High at exactly 13 "yes" (a typo for >= 13): 14 answers grade lower than 13."""

    @hookimpl
    def dapolicy_assess_risk(self, form: RiskForm | None) -> Finding | None:
        if form is None or form.checklist != POLICE:
            return None
        return finding("by-one", RiskGrade.HIGH if yes_count(form) == 13 else RiskGrade.STANDARD)


def _age(born: date, day: date) -> int:
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


class SixteenFails:
    """Looks up a 'young adult' band table that has no row for exactly 16."""

    BANDS: ClassVar[dict[Any, RiskGrade]] = {17: RiskGrade.MEDIUM, 18: RiskGrade.MEDIUM}

    @hookimpl
    def dapolicy_assess_risk(self, incident: Incident) -> Finding | None:
        born = incident.victim.date_of_birth
        if born is None:
            return None
        age = _age(born, incident.occurred_at.astimezone(LONDON).date())
        if 16 <= age < 19:
            return finding("sixteen", self.BANDS[age])
        return finding("sixteen", RiskGrade.STANDARD)


class UtcBirthday:
    """Takes the victim's age on the UTC date of the incident, not London's: young victims
    are graded medium, and the same instant written in another zone gets another grade."""

    @hookimpl
    def dapolicy_assess_risk(self, incident: Incident) -> Finding | None:
        born = incident.victim.date_of_birth
        if born is None:
            return None
        young = _age(born, incident.occurred_at.date()) < 18
        return finding("utc-birthday", RiskGrade.MEDIUM if young else RiskGrade.STANDARD)


class LeapBirthday:
    """Computes this year's birthday with ``replace(year=...)``: 29 February crashes."""

    @hookimpl
    def dapolicy_assess_risk(self, incident: Incident) -> Finding | None:
        born = incident.victim.date_of_birth
        if born is None:
            return None
        birthday = born.replace(year=incident.occurred_at.year)
        recent = abs((incident.occurred_at.date() - birthday).days) < 7
        return finding("leap", RiskGrade.MEDIUM if recent else RiskGrade.STANDARD)


class ThreeChildren:
    """Looks up a table of household sizes in which someone forgot the row for three."""

    WEIGHTS: ClassVar[dict[Any, RiskGrade]] = {
        0: RiskGrade.STANDARD,
        1: RiskGrade.STANDARD,
        2: RiskGrade.MEDIUM,
        4: RiskGrade.MEDIUM,
    }

    @hookimpl
    def dapolicy_assess_risk(self, incident: Incident) -> Finding:
        count = len(incident.children_in_household)
        return finding("three", self.WEIGHTS[min(count, 4)])


class GradeAsText:
    """Returns the grade as the string "high" instead of a Finding."""

    @hookimpl
    def dapolicy_assess_risk(self, form: RiskForm | None) -> Any:
        return "high" if yes_count(form) >= 14 else None


MUTANTS = [
    Mutant(
        "key-item-lowers",
        "one more 'yes' on item 16 lowers the grade",
        2,
        isolated_model(KeyItemLowers),
    ),
    Mutant(
        "more-incidents-lower",
        "more earlier incidents lower the grade",
        2,
        isolated_model(UsedToIt),
    ),
    Mutant(
        "not-known-counts-as-yes", "'not known' counted as yes", 2, isolated_model(NotKnownAsYes)
    ),
    Mutant(
        "declined-counts-as-yes", "'declined' counted as yes", 2, isolated_model(DeclinedAsYes)
    ),
    Mutant("crime-only-bump", "a crime-only grade bump", 7, isolated_model(CrimeBump)),
    Mutant(
        "prior-crimes-only",
        "only earlier crimes count towards a series",
        7,
        isolated_model(PriorCrimesOnly),
    ),
    Mutant(
        "judgement-replaces-checklist",
        "a lower judgement replaces the checklist's grade",
        2,
        isolated_model(JudgementReplaces),
    ),
    Mutant("wrong-by-one", "high at exactly 13 'yes' only", 2, isolated_model(WrongByOne)),
    Mutant(
        "fails-at-sixteen",
        "a failure only for a victim aged exactly 16",
        3,
        isolated_model(SixteenFails),
    ),
    Mutant(
        "utc-birthday",
        "the age taken on the UTC day, not London's",
        8,
        isolated_model(UtcBirthday),
    ),
    Mutant("leap-birthday-crash", "29 February birthdays crash", 3, isolated_model(LeapBirthday)),
    Mutant(
        "three-children-crash",
        "a failure only for exactly three children",
        3,
        isolated_model(ThreeChildren),
    ),
    Mutant(
        "grade-as-text", "returns the string 'high', not a Finding", 3, isolated_model(GradeAsText)
    ),
]
