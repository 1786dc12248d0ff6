"""Officers' domestic-abuse training, against what their role in a case requires.

The HMIC 2014 inspection's recommendation 4: "review the training already received by
staff and establish the domestic abuse training required relevant to officer's roles".
A force supplies a :class:`TrainingRegister`: for each role in a case (attending,
investigating) the courses it requires, and for each officer the courses completed,
with dates and, where the course lapses, the last day it is valid. The audit then
counts the attendances and investigations by staff without the training their role
requires (:meth:`TrainingRegister.status`).

The rules, each a decision a force may read differently (so the audit states them):

- Training counts from the day **after** it was completed: the register records days,
  not times, so a course completed on the day of the incident cannot be shown to have
  come before the attendance.
- A course with ``valid_until`` is valid to the end of that day, and expired after it.
- An officer not in the register is **not known**, counted apart, never as trained.
- The day is the incident's report day in Europe/London (an investigation is taken
  to begin when the incident is reported).
"""

from __future__ import annotations

import enum
from datetime import date

import attrs

from dapolicy.models._base import Checked, Problems, not_blank, to_frozenset, to_tuple
from dapolicy.models._ids import SAFE_ID_TEXT, is_safe_id, safe_id

__all__ = [
    "CaseRole",
    "CourseRecord",
    "OfficerTraining",
    "RoleRequirement",
    "TrainingCheck",
    "TrainingRegister",
    "TrainingStatus",
]

#: What the training rules cite.
TRAINING_SOURCE = (
    "HMIC 2014 inspection, recommendation 4 (domestic abuse training relevant to "
    "officers' roles); the force's training register"
)


class CaseRole(enum.Enum):
    """An officer's role in a case."""

    ATTENDING = "attending"
    INVESTIGATING = "investigating"


class TrainingStatus(enum.Enum):
    """Whether an officer held the training a role requires, on a day."""

    TRAINED = "trained"
    NOT_TRAINED = "not_trained"
    EXPIRED = "expired"
    NOT_KNOWN = "not_known"


@attrs.frozen
class CourseRecord(Checked):
    """One course an officer completed.

    :param course: the force's course id, e.g. ``"da-first-response"`` (a safe id: the
        audit names the courses staff lack).
    :param completed_on: the day it was completed.
    :param valid_until: the last day it is valid, or ``None`` if it does not lapse.
    """

    course: str
    completed_on: date
    valid_until: date | None = None

    def _problems(self) -> Problems:
        yield from safe_id("course", self.course)
        done: object = self.completed_on  # typed as date; a Python caller may get it wrong
        until: object = self.valid_until
        if not isinstance(done, date):
            yield "completed_on", "must be a date"
        elif until is not None and not isinstance(until, date):
            yield "valid_until", "must be a date"
        elif isinstance(until, date) and until < done:
            yield "valid_until", "must not be before completed_on"

    def held_on(self, day: date) -> bool:
        """Whether it counts on ``day``: completed before that day, not yet lapsed."""
        return self.completed_on < day and (self.valid_until is None or day <= self.valid_until)


@attrs.frozen
class OfficerTraining(Checked):
    """One officer's training.

    :param officer_id: the officer's id (as on incidents and crimes).
    :param courses: the courses completed.
    """

    officer_id: str
    courses: tuple[CourseRecord, ...] = attrs.field(default=(), converter=to_tuple)

    def _problems(self) -> Problems:
        yield from not_blank("officer_id", self.officer_id)


@attrs.frozen
class RoleRequirement(Checked):
    """The courses a role requires.

    :param role: the role in a case.
    :param courses: every course it requires (none: anyone may do it).
    """

    role: CaseRole
    courses: frozenset[str] = attrs.field(converter=to_frozenset)

    def _problems(self) -> Problems:
        if not all(is_safe_id(c) for c in self.courses):
            yield "courses", f"course ids must be safe ids: {SAFE_ID_TEXT}"


@attrs.frozen
class TrainingCheck:
    """What the register says of one officer in one role on one day.

    :param status: trained, not trained, expired or not known.
    :param missing: the required courses not held that day (empty when trained or not
        known).
    """

    status: TrainingStatus
    missing: frozenset[str] = frozenset()


@attrs.frozen
class TrainingRegister(Checked):
    """The force's training register: what each role requires, what each officer did.

    :param requirements: one per role; a role not listed requires nothing.
    :param officers: one entry per officer; ids unique.
    """

    requirements: tuple[RoleRequirement, ...] = attrs.field(converter=to_tuple)
    officers: tuple[OfficerTraining, ...] = attrs.field(default=(), converter=to_tuple)
    _by_officer: dict[str, OfficerTraining] = attrs.field(
        init=False, repr=False, eq=False, hash=False
    )
    _required: dict[CaseRole, frozenset[str]] = attrs.field(
        init=False, repr=False, eq=False, hash=False
    )

    def _problems(self) -> Problems:
        roles = [r.role for r in self.requirements]
        if len(set(roles)) != len(roles):
            yield "requirements", "each role may be listed once"
        ids = [o.officer_id for o in self.officers]
        if len(set(ids)) != len(ids):
            yield "officers", "officer ids must be unique"
        object.__setattr__(self, "_by_officer", {o.officer_id: o for o in self.officers})
        object.__setattr__(self, "_required", {r.role: r.courses for r in self.requirements})

    def required(self, role: CaseRole) -> frozenset[str]:
        """The courses ``role`` requires."""
        return self._required.get(role, frozenset())

    def status(self, officer_id: str, role: CaseRole, day: date) -> TrainingCheck:
        """Whether ``officer_id`` held the training ``role`` requires on ``day``.

        Not known if the officer is not in the register; otherwise not trained if a
        required course was never completed before ``day``, expired if every one was
        but one has lapsed, and trained if each is held (:meth:`CourseRecord.held_on`).
        """
        officer = self._by_officer.get(officer_id)
        if officer is None:
            return TrainingCheck(TrainingStatus.NOT_KNOWN)
        required = self.required(role)
        held = {r.course for r in officer.courses if r.held_on(day)}
        missing = frozenset(required - held)
        if not missing:
            return TrainingCheck(TrainingStatus.TRAINED)
        lapsed = {
            r.course
            for r in officer.courses
            if r.course in missing and r.completed_on < day and not r.held_on(day)
        }
        status = TrainingStatus.NOT_TRAINED if missing - lapsed else TrainingStatus.EXPIRED
        return TrainingCheck(status, missing)
