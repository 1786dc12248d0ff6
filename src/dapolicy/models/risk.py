"""Risk: grades, checklist answers, the risk form, and what a risk model finds."""

from __future__ import annotations

import enum
import functools
import types
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import TYPE_CHECKING

import attrs

if TYPE_CHECKING:
    from dapolicy.models.incident import Incident

from dapolicy.errors import FieldError, ValidationError
from dapolicy.models._base import (
    Checked,
    OrderedEnum,
    Problems,
    aware,
    fixed_offset,
    fixed_offset_or_none,
    not_before,
    not_blank,
    to_tuple,
)

__all__ = [
    "Answer",
    "reason",
    "Finding",
    "ProfessionalJudgement",
    "Reason",
    "RiskForm",
    "RiskGrade",
]


class RiskGrade(OrderedEnum):
    """The risk of serious harm, ordered ``STANDARD < MEDIUM < HIGH``.

    Definitions follow the report's glossary: *standard*, current evidence does not
    indicate likelihood of serious harm; *medium*, identifiable indicators, but harm is
    unlikely unless circumstances change; *high*, it could happen at any time and the
    impact would be serious.
    """

    STANDARD = "standard"
    MEDIUM = "medium"
    HIGH = "high"


class Answer(enum.Enum):
    """An answer to one checklist item. Only ``YES`` counts towards a score."""

    YES = "yes"
    NO = "no"
    NOT_KNOWN = "not_known"
    DECLINED = "declined"


@attrs.frozen
class Reason(Checked):
    """Why something was decided, so it can be defended at a case review.

    :param rule: a stable rule id, e.g. ``"marac.visible-high-risk"``.
    :param source: where the rule comes from, e.g. ``"SafeLives MARAC criteria §1"``.
    :param text: the reason in plain words; never personal data.
    """

    rule: str
    source: str
    text: str

    def _problems(self) -> Problems:
        yield from not_blank("rule", self.rule)
        yield from not_blank("source", self.source)
        yield from not_blank("text", self.text)


@functools.lru_cache(maxsize=8192)
def reason(rule: str, source: str, text: str) -> Reason:
    """A :class:`Reason`, shared with every other call that gives the same three strings.

    Plug-ins state the same reasons over and over; a ``Reason`` is immutable, so one
    checked instance can serve them all.
    """
    return Reason(rule, source, text)


@attrs.frozen
class ProfessionalJudgement(Checked):
    """The assessing officer's own view, which may raise a grade and never lower it.

    :param grade: the grade the officer judges right.
    :param rationale: why, in the officer's words (required; kept out of ``repr``).
    :param refer_to_marac: the officer refers to MARAC on judgement alone (SafeLives
        criterion 2).
    """

    grade: RiskGrade
    rationale: str = attrs.field(repr=False)
    refer_to_marac: bool = False

    def _problems(self) -> Problems:
        yield from not_blank("rationale", self.rationale)


def _frozen_answers(value: Mapping[str, Answer]) -> Mapping[str, Answer]:
    return types.MappingProxyType(dict(value))


@attrs.frozen
class RiskForm(Checked):
    """A completed risk checklist (DASH, DIAL, ...) for one incident.

    :param incident_id: the incident it assesses.
    :param checklist: which checklist, e.g. ``"dash-2009-police"``.
    :param answers: answer by item id; an item not listed was not asked (``NOT_KNOWN``).
    :param completed_by: the completing officer's id.
    :param completed_at: when it was completed.
    :param submitted_at: when it reached the MASH, or ``None`` if it has not.
    :param professional_judgement: the officer's judgement, if given.
    :param officer_off_duty_at: when the completing officer went off duty; the form is
        due before then (the inspected force's rule).
    """

    incident_id: str
    checklist: str
    answers: Mapping[str, Answer] = attrs.field(converter=_frozen_answers, hash=False)
    completed_by: str
    completed_at: datetime = attrs.field(converter=fixed_offset)
    submitted_at: datetime | None = attrs.field(default=None, converter=fixed_offset_or_none)
    professional_judgement: ProfessionalJudgement | None = None
    officer_off_duty_at: datetime | None = attrs.field(
        default=None, converter=fixed_offset_or_none
    )

    def _problems(self) -> Problems:
        yield from not_blank("incident_id", self.incident_id)
        yield from aware("officer_off_duty_at", self.officer_off_duty_at, optional=True)
        yield from not_blank("checklist", self.checklist)
        yield from not_blank("completed_by", self.completed_by)
        if any(not isinstance(k, str) or not k.strip() for k in self.answers):
            yield "answers", "item ids must be non-empty strings"
        if any(not isinstance(v, Answer) for v in self.answers.values()):
            yield "answers", "each answer must be an Answer"
        yield from aware("completed_at", self.completed_at)
        yield from aware("submitted_at", self.submitted_at, optional=True)
        yield from not_before("submitted_at", self.submitted_at, "completed_at", self.completed_at)

    @classmethod
    def from_yes(
        cls,
        incident: Incident | str,
        yes: Iterable[str],
        *,
        completed_by: str,
        completed_at: datetime | None = None,
        checklist: str = "dash-2009-police",
        no: Iterable[str] = (),
        submitted_at: datetime | None = None,
        professional_judgement: ProfessionalJudgement | None = None,
        officer_off_duty_at: datetime | None = None,
    ) -> RiskForm:
        """A form answered "yes" to the items in ``yes``, for tests and integrations.

        Items in ``no`` are answered "no"; every other item is left unasked, and so
        reads as "not known" (never as "no": missing information stays missing).
        (See "Building records" in the guide to the domain model.)

        :param incident: the incident (or its id) the form assesses.
        :param yes: the item ids answered "yes".
        :param completed_by: the completing officer's id.
        :param completed_at: when it was completed; the incident's report time if an
            incident is given and this is omitted.
        :param checklist: the checklist's id (DASH 2009 police by default).
        :param no: the item ids answered "no".
        :raises ValidationError: an item is in both ``yes`` and ``no``, no completion
            time can be found, or the form breaks one of its own rules.
        """
        yes_set, no_set = frozenset(yes), frozenset(no)
        incident_id = incident if isinstance(incident, str) else incident.id
        if completed_at is None and not isinstance(incident, str):
            completed_at = incident.reported_at
        problems = []
        if yes_set & no_set:
            problems.append(FieldError("$.answers", "an item is answered both yes and no"))
        if completed_at is None:
            problems.append(FieldError("$.completed_at", "required when only an id is given"))
        if problems:
            raise ValidationError("RiskForm", problems)
        assert completed_at is not None
        answers = dict.fromkeys(yes_set, Answer.YES) | dict.fromkeys(no_set, Answer.NO)
        return cls(
            incident_id,
            checklist,
            answers,
            completed_by,
            completed_at,
            submitted_at,
            professional_judgement,
            officer_off_duty_at,
        )

    def answer(self, item: str) -> Answer:
        """The answer to ``item``; an item not asked is ``NOT_KNOWN``."""
        return self.answers.get(item, Answer.NOT_KNOWN)

    def yes_items(self, items: Iterable[str] | None = None) -> frozenset[str]:
        """The item ids answered ``YES``, among ``items`` if given."""
        chosen = self.answers if items is None else frozenset(items)
        answered, yes = self.answers.get, Answer.YES  # looked up once, not per item
        return frozenset(i for i in chosen if answered(i) is yes)


@attrs.frozen
class Finding(Checked):
    """What one risk model concluded about one case.

    :param model: the risk model's name, e.g. ``"dash"``.
    :param grade: the grade it gives.
    :param reasons: why (at least one).
    :param score: the model's score, where it has one.
    :param prompts: matters for the officer's professional judgement (e.g. the stalking
        questions to ask); they do not change the grade.
    :param review_reasons: why a person must look at the decision (e.g. key items not
        known); any makes the decision need review, and none changes the grade.
    """

    model: str
    grade: RiskGrade
    reasons: tuple[Reason, ...] = attrs.field(converter=to_tuple)
    score: int | None = None
    prompts: tuple[Reason, ...] = attrs.field(default=(), converter=to_tuple)
    review_reasons: tuple[Reason, ...] = attrs.field(default=(), converter=to_tuple)

    def _problems(self) -> Problems:
        yield from not_blank("model", self.model)
        if not self.reasons:
            yield "reasons", "a finding needs at least one reason"
        if self.score is not None and (
            not isinstance(self.score, int) or isinstance(self.score, bool) or self.score < 0
        ):
            yield "score", "must be a whole number, 0 or more"
