"""Recommendation 4 in the audit: work done by staff without the training it requires.

Private; public as :class:`dapolicy.audit.TrainingCounts` and the ``training`` argument
of :func:`dapolicy.audit.audit`. Counts only: no officer's id reaches the report.
"""

from __future__ import annotations

from collections import Counter
from datetime import date
from typing import TYPE_CHECKING

import attrs

from dapolicy.models import Case, CaseRole, TrainingRegister, TrainingStatus
from dapolicy.models._base import LONDON

if TYPE_CHECKING:
    from dapolicy.audit._report import Share

__all__ = ["CourseGap", "TrainingCounts", "TrainingTally"]


@attrs.frozen
class CourseGap:
    """A required course the officer did not hold, and in how many cases.

    :param course: the force's course id.
    :param count: cases in the role whose officer lacked it (not trained or lapsed).
    """

    course: str
    count: int


@attrs.frozen
class TrainingCounts:
    """The work done in one role, by whether the officer held its required training.

    :param role: attending (every incident) or investigating (every crime).
    :param total: incidents (for attending) or crimes (for investigating) read.
    :param trained: the officer held every course the role requires that day.
    :param not_trained: a required course was never completed before that day.
    :param expired: every required course was completed, but one had lapsed.
    :param not_known: the officer is not in the register: counted apart, never as
        trained.
    :param not_recorded: no officer recorded for the role.
    :param gaps: the required courses not held, most often lacking first.
    """

    role: CaseRole
    total: int = 0
    trained: int = 0
    not_trained: int = 0
    expired: int = 0
    not_known: int = 0
    not_recorded: int = 0
    gaps: tuple[CourseGap, ...] = ()

    @property
    def recorded(self) -> int:
        """Cases with an officer recorded for the role."""
        return self.total - self.not_recorded

    @property
    def untrained(self) -> Share:
        """Work by staff without the required training (not trained, or lapsed).

        Of the cases with an officer recorded: an officer not known is in the whole,
        never in the part, and never counted as trained.
        """
        from dapolicy.audit._report import Share

        return Share(self.not_trained + self.expired, self.recorded)


def report_day(case: Case) -> date:
    """The day the register is read for: the incident's report day in London."""
    return case.incident.reported_at.astimezone(LONDON).date()


class TrainingTally:
    """The running training counts of one audit."""

    def __init__(self, register: TrainingRegister) -> None:
        self.register = register
        self.counts = {role: Counter[str]() for role in CaseRole}
        self.gaps = {role: Counter[str]() for role in CaseRole}

    def add(self, case: Case) -> None:
        incident = case.incident
        day = report_day(case)
        self._role(CaseRole.ATTENDING, incident.attending_officer, day)
        if incident.crime is not None:
            self._role(CaseRole.INVESTIGATING, incident.crime.investigator, day)

    def _role(self, role: CaseRole, officer: str | None, day: date) -> None:
        counts = self.counts[role]
        counts["total"] += 1
        if officer is None:
            counts["not_recorded"] += 1
            return
        check = self.register.status(officer, role, day)
        counts[check.status.value] += 1
        self.gaps[role].update(check.missing)

    def report(self) -> tuple[TrainingCounts, ...]:
        return tuple(
            TrainingCounts(
                role,
                c["total"],
                c[TrainingStatus.TRAINED.value],
                c[TrainingStatus.NOT_TRAINED.value],
                c[TrainingStatus.EXPIRED.value],
                c[TrainingStatus.NOT_KNOWN.value],
                c["not_recorded"],
                tuple(
                    CourseGap(course, n)
                    for course, n in sorted(self.gaps[role].items(), key=lambda g: (-g[1], g[0]))
                ),
            )
            for role, c in self.counts.items()
        )
