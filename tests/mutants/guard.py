"""Mutants the guard must turn into failures: an exit, and more than the caps allow."""

from __future__ import annotations

import sys
from collections.abc import Iterator

from dapolicy import hookimpl
from dapolicy._time import add_local
from dapolicy.models import Finding, Incident, RiskForm, RiskGrade, Task
from mutants import Mutant, beside, isolated_model
from mutants._common import banded, finding, reason, yes_count


class ExitsWithoutAForm:
    """A grading script turned plug-in: with no form it 'exits', as the script did."""

    @hookimpl
    def dapolicy_assess_risk(self, form: RiskForm | None) -> Finding:
        if form is None:
            sys.exit("no risk form: nothing to grade")
        return finding("exits", banded(yes_count(form)))


class DailyCheckIns:
    """A safety-plan check-in every day for a year: 365 tasks, past the decision's cap."""

    @hookimpl
    def dapolicy_tasks(self, incident: Incident, decision: object) -> Iterator[Task]:
        from dapolicy.models import Decision

        assert isinstance(decision, Decision)
        if decision.grade < RiskGrade.MEDIUM:
            return
        for day in range(1, 366):
            yield Task(
                f"check-in-{day}",
                incident.victim.id,
                add_local(incident.reported_at, days=day),
                (reason("check-in.daily", f"check in with the victim on day {day}"),),
            )


MUTANTS = [
    Mutant(
        "exits-without-a-form",
        "raises SystemExit when there is no form",
        3,
        isolated_model(ExitsWithoutAForm),
    ),
    Mutant(
        "past-the-task-cap",
        "365 daily check-in tasks, past the cap on tasks",
        3,
        beside(DailyCheckIns),
    ),
]
