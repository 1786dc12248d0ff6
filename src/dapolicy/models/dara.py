"""DARA: the College of Policing's Domestic Abuse Risk Assessment, as a completed form.

DARA (launched 26 November 2022) is structured professional judgement: the officer
asks the force's questions, which are mostly about how *often* abusive behaviour
happens, then grades the risk and writes why. There is no count threshold: the grade
is the officer's. Its item list is not public, so the force supplies its item ids and
its own short text in its settings (``[dara]``); dapolicy ships no DARA wording.

The frequency scale (:class:`Frequency`) is an assumption: the pilot report (Wire and
Myhill, College of Policing, 2018) says the questions ask about "the frequency of ...
abusive behaviour", but the scale is not public. A force whose form uses other words
maps them onto these five.
"""

from __future__ import annotations

import enum
import types
from collections.abc import Mapping
from datetime import datetime

import attrs

from dapolicy.models._base import (
    Checked,
    Problems,
    aware,
    fixed_offset,
    fixed_offset_or_none,
    not_before,
    not_blank,
)
from dapolicy.models.risk import RiskGrade

__all__ = ["DARA_SOURCE", "DaraForm", "Frequency"]

#: What every DARA rule cites.
DARA_SOURCE = (
    "College of Policing, Domestic Abuse Risk Assessment (DARA, 26 Nov 2022); "
    "Wire and Myhill (2018), Piloting a new approach to domestic abuse frontline risk "
    "assessment"
)


class Frequency(enum.Enum):
    """How often the behaviour an item asks about has happened (an assumed scale).

    ``NEVER < ONCE < SOMETIMES < OFTEN``; ``NOT_KNOWN`` is none of them, never read as
    "never" (missing information stays missing).
    """

    NEVER = "never"
    ONCE = "once"
    SOMETIMES = "sometimes"
    OFTEN = "often"
    NOT_KNOWN = "not_known"

    @property
    def known(self) -> bool:
        """Whether this is an answer (anything but ``NOT_KNOWN``)."""
        return self is not Frequency.NOT_KNOWN

    def at_least(self, other: Frequency) -> bool:
        """Whether this known answer is ``other`` or more often; never for not known."""
        return self.known and other.known and _RANK[self] >= _RANK[other]


_RANK = {f: n for n, f in enumerate(Frequency)}


def _frozen_answers(value: Mapping[str, Frequency]) -> Mapping[str, Frequency]:
    return types.MappingProxyType(dict(value))


@attrs.frozen
class DaraForm(Checked):
    """A completed DARA for one incident: answers, the officer's grade and rationale.

    A form with no grade, or a grade with no rationale (or a blank one), is accepted
    here, so that it reaches a decision: the ``dara`` plug-in then makes the decision
    need review, naming what is missing. Nothing is rejected that a person could mend.

    :param incident_id: the incident it assesses.
    :param answers: frequency by the force's item id; an item not listed was not asked
        (``NOT_KNOWN``).
    :param completed_by: the completing officer's id.
    :param completed_at: when it was completed.
    :param grade: the officer's structured judgement of the risk, or ``None`` if the
        form was not graded.
    :param rationale: the officer's written rationale for the grade (kept out of
        ``repr``: it is free text, and may name people).
    :param submitted_at: when it reached the MASH or the safeguarding hub, if it did.
    :param officer_off_duty_at: when the completing officer went off duty; the form is
        due before then (the inspected force's rule, as for :class:`RiskForm`).
    """

    incident_id: str
    answers: Mapping[str, Frequency] = attrs.field(converter=_frozen_answers, hash=False)
    completed_by: str
    completed_at: datetime = attrs.field(converter=fixed_offset)
    grade: RiskGrade | None = None
    rationale: str | None = attrs.field(default=None, repr=False)
    submitted_at: datetime | None = attrs.field(default=None, converter=fixed_offset_or_none)
    officer_off_duty_at: datetime | None = attrs.field(
        default=None, converter=fixed_offset_or_none
    )

    def _problems(self) -> Problems:
        yield from not_blank("incident_id", self.incident_id)
        yield from not_blank("completed_by", self.completed_by)
        if any(not isinstance(k, str) or not k.strip() for k in self.answers):
            yield "answers", "item ids must be non-empty strings"
        if any(not isinstance(v, Frequency) for v in self.answers.values()):
            yield "answers", "each answer must be a Frequency"
        grade: object = self.grade  # typed; a Python caller may get it wrong
        rationale: object = self.rationale
        if grade is not None and not isinstance(grade, RiskGrade):
            yield "grade", "must be a RiskGrade"
        if rationale is not None and not isinstance(rationale, str):
            yield "rationale", "must be a string"
        yield from aware("completed_at", self.completed_at)
        yield from aware("submitted_at", self.submitted_at, optional=True)
        yield from aware("officer_off_duty_at", self.officer_off_duty_at, optional=True)
        yield from not_before("submitted_at", self.submitted_at, "completed_at", self.completed_at)

    def answer(self, item: str) -> Frequency:
        """The answer to ``item``; an item not asked is ``NOT_KNOWN``."""
        return self.answers.get(item, Frequency.NOT_KNOWN)

    @property
    def has_rationale(self) -> bool:
        """Whether the grade has a written rationale (not blank)."""
        return bool(self.rationale and self.rationale.strip())
