"""Recommendation 4 in the audit: work done by staff without the training it requires.

Private; public as :class:`dapolicy.audit.TrainingCounts` and the ``training`` argument
of :func:`dapolicy.audit.audit`. Counts only: no officer's id reaches the report.
"""

from __future__ import annotations

from collections import Counter
from datetime import date
from typing import TYPE_CHECKING, Any

import attrs

from dapolicy.models import Case, CaseRole, TrainingRegister, TrainingStatus
from dapolicy.models._base import LONDON

if TYPE_CHECKING:
    from dapolicy.audit._report import Share

__all__ = ["CourseGap", "TrainingCounts", "TrainingTally", "read_training_register"]


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


def read_training_register(text: str | bytes) -> TrainingRegister:
    """A :class:`~dapolicy.models.TrainingRegister` from its JSON, however many officers.

    A force's register lists thousands of officers, more than one JSON record may hold
    (:data:`dapolicy.serialization.MAX_ITEMS` items an array), so each role and each
    officer is read as a record of its own, within every other limit, and every
    problem is reported at its path in the whole file (``$.officers[1204].courses[0]``).

    :raises ValidationError: naming every problem and its path, never a value.
    """
    import json

    from dapolicy._json_limits import JSONLimitError, loads
    from dapolicy.errors import FieldError, ValidationError
    from dapolicy.models import OfficerTraining, RoleRequirement
    from dapolicy.serialization import from_dict

    def refuse(path: str, message: str) -> ValidationError:
        return ValidationError("TrainingRegister", [FieldError(path, message)])

    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise refuse("$", f"not UTF-8 text (byte {exc.start})") from None
    try:
        data = loads(text.removeprefix("\ufeff"), object_pairs_hook=dict)
    except JSONLimitError as exc:
        raise ValidationError("TrainingRegister", exc.errors) from None
    except json.JSONDecodeError as exc:
        raise refuse("$", f"not JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})") from None
    if not isinstance(data, dict):
        raise refuse("$", "must be an object with requirements and officers")
    errors: list[FieldError] = [
        FieldError("$", f"unknown field number {n}")
        for n, key in enumerate(data, 1)
        if key not in ("requirements", "officers")
    ]
    parts: dict[str, list[Any]] = {}
    for key, cls in (("requirements", RoleRequirement), ("officers", OfficerTraining)):
        items = data.get(key, [] if key == "officers" else None)
        if not isinstance(items, list):
            errors.append(FieldError(f"$.{key}", "required, a list"))
            continue
        parts[key] = []
        for n, item in enumerate(items):
            try:
                parts[key].append(from_dict(cls, item))
            except ValidationError as exc:
                errors += exc.under(f"$.{key}[{n}]")
    if errors:
        raise ValidationError("TrainingRegister", errors)
    return TrainingRegister(parts["requirements"], parts["officers"])
