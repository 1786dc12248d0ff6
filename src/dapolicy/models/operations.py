"""The operational timeline around the grade: call triage, allocation, events, DVPNs.

Values only: the rules that produce them are plug-ins (``dapolicy.plugins``) and
functions in :mod:`dapolicy.operations`.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from datetime import datetime

import attrs

from dapolicy.errors import FieldError, ValidationError
from dapolicy.models._base import (
    Checked,
    OrderedEnum,
    Problems,
    aware,
    fixed_offset,
    fixed_offset_or_none,
    not_blank,
    to_tuple,
)
from dapolicy.models.decision import Decision, PluginFailure
from dapolicy.models.risk import Reason
from dapolicy.models.work import Task

__all__ = [
    "DvpnCheck",
    "EventOutcome",
    "FormCompliance",
    "FormStatus",
    "NOT_RECORDED",
    "ResponseFinding",
    "ResponseGrade",
    "THRIVE_FACETS",
    "THRIVE_FACTS",
    "Thrive",
    "TriageDecision",
]


class ResponseGrade(OrderedEnum):
    """How the control room responds, least to most urgent."""

    RESOLVED_WITHOUT_DEPLOYMENT = "resolved_without_deployment"
    SCHEDULED = "scheduled"
    PRIORITY = "priority"
    IMMEDIATE = "immediate"


@attrs.frozen
class Thrive(Checked):
    """The call handler's THRIVE assessment: six facets in words, and what they found.

    THRIVE is structured judgement, not a score: the six rationales are recorded as the
    handler gives them (kept out of ``repr``, they may name people) and the flags below
    are what the triage rules read. The handler's own grade may be raised by the rules,
    never lowered.

    :param threat: the threat, in words.
    :param harm: the harm if it were realised.
    :param risk: how likely it is.
    :param investigation: what investigation is needed.
    :param vulnerability: why the victim is or is not vulnerable.
    :param engagement: what engagement would resolve it.
    :param proposed: the handler's response grade.
    :param danger_now: a threat to life or an assault in progress.
    :param weapons: weapons mentioned or suspected.
    :param injury: someone is injured.
    :param children_present: children are at the scene.
    :param suspect_present: the suspect is still there.
    :param vulnerable: the handler judges the caller vulnerable.
    :param crime_to_investigate: the handler found a crime to investigate (THRIVE's
        investigation facet); Right Care, Right Person never diverts such a call.
    """

    threat: str = attrs.field(repr=False)
    harm: str = attrs.field(repr=False)
    risk: str = attrs.field(repr=False)
    investigation: str = attrs.field(repr=False)
    vulnerability: str = attrs.field(repr=False)
    engagement: str = attrs.field(repr=False)
    proposed: ResponseGrade
    danger_now: bool = False
    weapons: bool = False
    injury: bool = False
    children_present: bool = False
    suspect_present: bool = False
    vulnerable: bool = False
    crime_to_investigate: bool = False

    def _problems(self) -> Problems:
        for name in THRIVE_FACETS:
            yield from not_blank(name, getattr(self, name))

    @classmethod
    def from_facts(
        cls,
        proposed: ResponseGrade | str,
        facts: Iterable[str] = (),
        **facets: str,
    ) -> Thrive:
        """A THRIVE record by keyword: the grade, the facts that hold, the facets given.

        ``facts`` names the flags that are true (``"weapons"``, ``"injury"`` ... any of
        :data:`THRIVE_FACTS`); every other flag is false. Each of the six facets
        (:data:`THRIVE_FACETS`) is given by keyword, and one the call handler did not
        record reads :data:`NOT_RECORDED`: no rule reads the facets' words.

        :param proposed: the handler's response grade, or its value (``"priority"``).
        :raises ValidationError: an unknown grade, fact or facet, or a blank facet (the
            message names none of them: they may be free text).
        """
        problems = []
        grade: ResponseGrade | None = None
        try:
            grade = ResponseGrade(proposed)
        except ValueError:
            known = ", ".join(g.value for g in ResponseGrade)
            problems.append(FieldError("$.proposed", f"must be one of: {known}"))
        named = frozenset(facts)
        if named - set(THRIVE_FACTS):
            problems.append(
                FieldError("$.facts", f"unknown fact; known: {', '.join(THRIVE_FACTS)}")
            )
        if set(facets) - set(THRIVE_FACETS):
            problems.append(
                FieldError("$.facets", f"unknown facet; known: {', '.join(THRIVE_FACETS)}")
            )
        if problems or grade is None:
            raise ValidationError("Thrive", problems)
        text = {name: facets.get(name, NOT_RECORDED) for name in THRIVE_FACETS}
        return cls(
            threat=text["threat"],
            harm=text["harm"],
            risk=text["risk"],
            investigation=text["investigation"],
            vulnerability=text["vulnerability"],
            engagement=text["engagement"],
            proposed=grade,
            danger_now="danger_now" in named,
            weapons="weapons" in named,
            injury="injury" in named,
            children_present="children_present" in named,
            suspect_present="suspect_present" in named,
            vulnerable="vulnerable" in named,
            crime_to_investigate="crime_to_investigate" in named,
        )


#: The six THRIVE facets, in order: threat, harm, risk, investigation, vulnerability,
#: engagement.
THRIVE_FACETS = ("threat", "harm", "risk", "investigation", "vulnerability", "engagement")
#: The facts the triage rules read, each a flag of :class:`Thrive`.
THRIVE_FACTS = (
    "danger_now",
    "weapons",
    "injury",
    "children_present",
    "suspect_present",
    "vulnerable",
    "crime_to_investigate",
)
#: What :meth:`Thrive.from_facts` records for a facet the call handler did not give.
NOT_RECORDED = "not recorded by the call handler"


@attrs.frozen
class ResponseFinding(Checked):
    """What one triage plug-in concluded about a call.

    :param response: the least response grade it asks for.
    :param reasons: why (at least one).
    :param briefing: what the attending officer must be told.
    :param divert: the plug-in finds that the call may be diverted to the right agency
        under Right Care, Right Person (only with the response resolved without
        deployment). The policy diverts only a call :mod:`dapolicy.rcrp` allows, and
        records a plug-in that asks to divert any other as a failure.
    """

    response: ResponseGrade
    reasons: tuple[Reason, ...] = attrs.field(converter=to_tuple)
    briefing: tuple[Reason, ...] = attrs.field(default=(), converter=to_tuple)
    divert: bool = False

    def _problems(self) -> Problems:
        if not self.reasons:
            yield "reasons", "a response finding needs at least one reason"
        if self.divert and self.response is not ResponseGrade.RESOLVED_WITHOUT_DEPLOYMENT:
            yield "divert", "a diversion is resolved without deployment"


@attrs.frozen
class TriageDecision(Checked):
    """The control room's decision on a call, with its deadlines and briefing.

    :param call_id: the call.
    :param response: the response grade.
    :param decided_at: when.
    :param reasons: why this grade (at least one).
    :param alert_at: when the supervisor is alerted if the call has not been resourced
        (immediate) or dispatched (priority) by then; ``None`` for other grades.
    :param attend_by: the force's target time to attend, if it has one for the grade.
    :param appointment_minutes: the time allocated to a scheduled appointment.
    :param repeat_caller: the caller has called before within the force's window.
    :param repeat_location: the location has had calls before within the window.
    :param briefing: what the attending officer must be told (prior incidents, MARAC).
    :param needs_review: a supervisor must look; exactly when ``failures`` or
        ``review_reasons`` is not empty.
    :param review_reasons: why.
    :param failures: plug-ins that failed.
    :param diverted: the call goes to the right agency under Right Care, Right Person,
        resolved without deployment: only a concern-for-welfare call with no sign of
        domestic abuse, no crime and no immediate risk (:mod:`dapolicy.rcrp`).
    """

    call_id: str
    response: ResponseGrade
    decided_at: datetime = attrs.field(converter=fixed_offset)
    reasons: tuple[Reason, ...] = attrs.field(converter=to_tuple)
    alert_at: datetime | None = attrs.field(default=None, converter=fixed_offset_or_none)
    attend_by: datetime | None = attrs.field(default=None, converter=fixed_offset_or_none)
    appointment_minutes: int | None = None
    repeat_caller: bool = False
    repeat_location: bool = False
    briefing: tuple[Reason, ...] = attrs.field(default=(), converter=to_tuple)
    needs_review: bool = False
    review_reasons: tuple[Reason, ...] = attrs.field(default=(), converter=to_tuple)
    failures: tuple[PluginFailure, ...] = attrs.field(default=(), converter=to_tuple)
    diverted: bool = False

    def _problems(self) -> Problems:
        yield from not_blank("call_id", self.call_id)
        yield from aware("decided_at", self.decided_at)
        yield from aware("alert_at", self.alert_at, optional=True)
        yield from aware("attend_by", self.attend_by, optional=True)
        if not self.reasons:
            yield "reasons", "a triage decision needs at least one reason"
        if self.needs_review != bool(self.review_reasons or self.failures):
            yield "needs_review", "must be true exactly when there are review reasons or failures"
        if self.diverted and self.response is not ResponseGrade.RESOLVED_WITHOUT_DEPLOYMENT:
            yield "diverted", "a diverted call is resolved without deployment"


class FormStatus(enum.Enum):
    """Whether a risk form arrived, and in time."""

    ON_TIME = "on_time"
    LATE = "late"
    NOT_SUBMITTED = "not_submitted"
    MISSING = "missing"


@attrs.frozen
class FormCompliance(Checked):
    """The risk form's timeliness for one incident.

    :param incident_id: the incident.
    :param status: on time, late (after the officer went off duty), completed but not
        submitted, or missing.
    :param reasons: why (at least one).
    """

    incident_id: str
    status: FormStatus
    reasons: tuple[Reason, ...] = attrs.field(converter=to_tuple)

    def _problems(self) -> Problems:
        yield from not_blank("incident_id", self.incident_id)
        if not self.reasons:
            yield "reasons", "a compliance finding needs at least one reason"


@attrs.frozen
class DvpnCheck:
    """Whether a Domestic Violence Protection Notice may be issued, and what is unmet.

    :param eligible: every condition is met.
    :param unmet: each condition not met (or not known), in words.
    """

    eligible: bool
    unmet: tuple[str, ...]


@attrs.frozen
class EventOutcome(Checked):
    """What follows from an event: tasks, and whether the risk must be re-assessed.

    :param event_id: the event.
    :param decided_at: when.
    :param reassess: the victim's risk must be re-assessed.
    :param tasks: tasks with due times (victim notification, re-assessment...).
    :param reasons: why (at least one).
    :param needs_review: exactly when ``failures`` is not empty.
    :param failures: plug-ins that failed.
    :param decision: the re-assessment of the victim the event gives: a
        :class:`~dapolicy.models.Decision` whose ``incident_id`` is the event's id
        (record it with :func:`dapolicy.history.record`); ``None`` in an outcome made
        before events re-graded.
    """

    event_id: str
    decided_at: datetime = attrs.field(converter=fixed_offset)
    reassess: bool
    tasks: tuple[Task, ...] = attrs.field(converter=to_tuple)
    reasons: tuple[Reason, ...] = attrs.field(converter=to_tuple)
    needs_review: bool = False
    failures: tuple[PluginFailure, ...] = attrs.field(default=(), converter=to_tuple)
    decision: Decision | None = None

    def _problems(self) -> Problems:
        yield from not_blank("event_id", self.event_id)
        yield from aware("decided_at", self.decided_at)
        if not self.reasons:
            yield "reasons", "an event outcome needs at least one reason"
        if self.needs_review != bool(self.failures):
            yield "needs_review", "must be true exactly when a plug-in failed"
