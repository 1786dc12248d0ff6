"""Mutants whose decision depends on something besides the case: clock, order, luck, memory."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime

from dapolicy import hookimpl
from dapolicy.models import Finding, Incident, RiskForm, RiskGrade
from mutants import Mutant, isolated_model
from mutants._common import banded, finding, reason, yes_count


class ReadsTheClock:
    """Takes the victim's age from today's date instead of the incident's."""

    @hookimpl
    def dapolicy_assess_risk(self, incident: Incident) -> Finding | None:
        born = incident.victim.date_of_birth
        if born is None:
            return None
        today = date.today()
        young = today.year - born.year < 25
        return finding("clock", RiskGrade.MEDIUM if young else RiskGrade.STANDARD)


class StampsTheTime:
    """Writes when it assessed into its reason: harmless-looking, but it reads the clock."""

    @hookimpl
    def dapolicy_assess_risk(self, form: RiskForm | None) -> Finding:
        stamp = datetime.now(UTC).strftime("%Y")
        return Finding(
            "stamp", banded(yes_count(form)), (reason("stamp.grade", f"graded ({stamp} rules)"),)
        )


class SetOrder:
    """Names 'the' key item in its reason: the first of a set, in hash order."""

    @hookimpl
    def dapolicy_assess_risk(self, form: RiskForm | None) -> Finding | None:
        if form is None:
            return None
        yes = {f"item-{item}" for item in form.yes_items()}
        if len(yes) < 2:
            return None
        first = next(iter(yes))
        return Finding("set-order", banded(len(yes)), (reason("set.key", f"led by {first}"),))


class CoinToss:
    """Breaks a tie between medium and standard with the global random generator."""

    @hookimpl
    def dapolicy_assess_risk(self, form: RiskForm | None) -> Finding:
        count = yes_count(form)
        if count in (8, 9):
            grade = random.choice((RiskGrade.MEDIUM, RiskGrade.STANDARD))
        else:
            grade = banded(count)
        return finding("coin", grade)


class StaleCache:
    """Caches each victim's grade: the second incident gets the first one's grade."""

    def __init__(self) -> None:
        self.cache: dict[str, RiskGrade] = {}

    @hookimpl
    def dapolicy_assess_risk(self, incident: Incident, form: RiskForm | None) -> Finding:
        grade = self.cache.setdefault(incident.victim.id, banded(yes_count(form)))
        return finding("cache", grade)


class Moody:
    """Keeps a call counter, so the same case gets a different grade each time."""

    def __init__(self) -> None:
        self.calls = 0

    @hookimpl
    def dapolicy_assess_risk(self) -> Finding:
        self.calls += 1
        return finding("moody", RiskGrade.HIGH if self.calls % 2 else RiskGrade.STANDARD)


MUTANTS = [
    Mutant("reads-the-clock", "the age taken from today's date", 1, isolated_model(ReadsTheClock)),
    Mutant(
        "stamps-the-time", "reads the clock for a reason's words", 1, isolated_model(StampsTheTime)
    ),
    Mutant("set-order", "depends on set order (the hash seed)", 1, isolated_model(SetOrder)),
    Mutant("coin-toss", "breaks ties with the global random state", 1, isolated_model(CoinToss)),
    Mutant("stale-cache", "a per-victim cache of grades", 1, isolated_model(StaleCache)),
    Mutant("call-counter", "a grade that alternates call by call", 1, isolated_model(Moody)),
]
