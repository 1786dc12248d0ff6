"""The control room, form compliance, event outcomes and batch cases."""

from __future__ import annotations

from datetime import datetime

import attrs
from hypothesis import strategies as st
from hypothesis.strategies import DrawFn, SearchStrategy

from dapolicy.models import (
    Call,
    Case,
    EventOutcome,
    FormCompliance,
    FormStatus,
    Incident,
    ResponseFinding,
    ResponseGrade,
    RiskForm,
    Task,
    Thrive,
    TriageDecision,
)
from dapolicy.testing._strategies._common import (
    _APPOINTMENT_MINUTES,
    _free_texts,
    _given_or,
    _not_before,
    _present,
    _references,
)
from dapolicy.testing._strategies._datetimes import aware_datetimes
from dapolicy.testing._strategies._decisions import _review
from dapolicy.testing._strategies._enums import form_statuses, response_grades, risk_grades
from dapolicy.testing._strategies._incidents import calls, incidents
from dapolicy.testing._strategies._risk import _reason_lists, reasons, risk_forms
from dapolicy.testing._strategies._work import tasks


def thrives(
    *, proposed: ResponseGrade | SearchStrategy[ResponseGrade] | None = None
) -> SearchStrategy[Thrive]:
    """Call handlers' THRIVE assessments; the six rationales are fictional free text.

    :param proposed: the handler's response grade, or a strategy of grades.
    :return: a strategy of valid :class:`~dapolicy.models.Thrive`.
    """
    return st.builds(
        Thrive,
        threat=_free_texts("threat"),
        harm=_free_texts("harm"),
        risk=_free_texts("risk"),
        investigation=_free_texts("investigation"),
        vulnerability=_free_texts("vulnerability"),
        engagement=_free_texts("engagement"),
        proposed=_given_or(proposed, response_grades()),
        danger_now=st.booleans(),
        weapons=st.booleans(),
        injury=st.booleans(),
        children_present=st.booleans(),
        suspect_present=st.booleans(),
        vulnerable=st.booleans(),
        crime_to_investigate=st.booleans(),
    )


def response_findings(
    *, response: ResponseGrade | SearchStrategy[ResponseGrade] | None = None
) -> SearchStrategy[ResponseFinding]:
    """What a triage plug-in found: a response grade with at least one reason.

    :param response: the response grade, or a strategy of grades; by default any.
    :return: a strategy of valid :class:`~dapolicy.models.ResponseFinding`.
    """
    return st.builds(
        ResponseFinding,
        response=_given_or(response, response_grades()),
        reasons=st.lists(reasons(), min_size=1, max_size=3).map(tuple),
        briefing=st.lists(reasons(), max_size=2).map(tuple),
    )


@st.composite
def _triage_decision(
    draw: DrawFn,
    *,
    call_ids: SearchStrategy[str],
    responses: SearchStrategy[ResponseGrade],
    needs_review: bool | None,
    datetimes: SearchStrategy[datetime],
) -> TriageDecision:
    decided_at = draw(datetimes)
    review, review_reasons, failures = _review(draw, needs_review, with_reasons=True)
    alert_at = _not_before(draw, datetimes, decided_at) if draw(st.booleans()) else None
    attend_by = _not_before(draw, datetimes, decided_at) if draw(st.booleans()) else None
    return TriageDecision(
        call_id=draw(call_ids),
        response=draw(responses),
        decided_at=decided_at,
        reasons=draw(_reason_lists(1, 3)),
        alert_at=alert_at,
        attend_by=attend_by,
        appointment_minutes=draw(_APPOINTMENT_MINUTES),
        repeat_caller=draw(st.booleans()),
        repeat_location=draw(st.booleans()),
        briefing=draw(_reason_lists(0, 2)),
        needs_review=review,
        review_reasons=review_reasons,
        failures=failures,
    )


def triage_decisions(
    *,
    call_id: str | SearchStrategy[str] | None = None,
    response: ResponseGrade | SearchStrategy[ResponseGrade] | None = None,
    needs_review: bool | None = None,
    datetimes: SearchStrategy[datetime] | None = None,
) -> SearchStrategy[TriageDecision]:
    """Control-room decisions, with ``needs_review`` true exactly when justified.

    The alert and attendance times, when set, are not before ``decided_at``.

    :param call_id: the call, or a strategy of ids.
    :param response: the response grade, or a strategy of grades; by default any.
    :param needs_review: ``True``: with review reasons or plug-in failures; ``False``:
        with neither; ``None`` (default): either.
    :param datetimes: where every datetime comes from; by default :func:`aware_datetimes`.
    :return: a strategy of valid :class:`~dapolicy.models.TriageDecision`.
    """
    return _triage_decision(
        call_ids=_given_or(call_id, _references("CALL")),
        responses=_given_or(response, response_grades()),
        needs_review=needs_review,
        datetimes=_given_or(datetimes, aware_datetimes()),
    )


def form_compliances(
    *,
    incident_id: str | SearchStrategy[str] | None = None,
    status: FormStatus | SearchStrategy[FormStatus] | None = None,
) -> SearchStrategy[FormCompliance]:
    """Risk-form timeliness findings, each with at least one reason.

    :param incident_id: the incident, or a strategy of ids.
    :param status: the status, or a strategy of statuses; by default any.
    :return: a strategy of valid :class:`~dapolicy.models.FormCompliance`.
    """
    return st.builds(
        FormCompliance,
        incident_id=_given_or(incident_id, _references("INC")),
        status=_given_or(status, form_statuses()),
        reasons=st.lists(reasons(), min_size=1, max_size=3).map(tuple),
    )


@st.composite
def _event_outcome(
    draw: DrawFn,
    *,
    event_ids: SearchStrategy[str],
    needs_review: bool | None,
    datetimes: SearchStrategy[datetime],
    task_lists: SearchStrategy[list[Task]],
) -> EventOutcome:
    review, _, failures = _review(draw, needs_review, with_reasons=False)
    return EventOutcome(
        event_id=draw(event_ids),
        decided_at=draw(datetimes),
        reassess=draw(st.booleans()),
        tasks=draw(task_lists),
        reasons=draw(_reason_lists(1, 3)),
        needs_review=review,
        failures=failures,
    )


def event_outcomes(
    *,
    event_id: str | SearchStrategy[str] | None = None,
    needs_review: bool | None = None,
    datetimes: SearchStrategy[datetime] | None = None,
) -> SearchStrategy[EventOutcome]:
    """What follows from events, with ``needs_review`` true exactly when a plug-in failed.

    :param event_id: the event, or a strategy of ids.
    :param needs_review: ``True``: with plug-in failures; ``False``: without; ``None``
        (default): either.
    :param datetimes: where every datetime comes from; by default :func:`aware_datetimes`.
    :return: a strategy of valid :class:`~dapolicy.models.EventOutcome`.
    """
    times = _given_or(datetimes, aware_datetimes())
    return _event_outcome(
        event_ids=_given_or(event_id, _references("EV")),
        needs_review=needs_review,
        datetimes=times,
        task_lists=st.lists(tasks(datetimes=times), max_size=3),
    )


@st.composite
def _case(
    draw: DrawFn,
    *,
    incident_values: SearchStrategy[Incident],
    forms: SearchStrategy[RiskForm | None],
    known_calls: SearchStrategy[Call | None],
    graded: bool | None,
    datetimes: SearchStrategy[datetime],
) -> Case:
    incident = draw(incident_values)
    form = draw(forms)
    if form is not None:
        form = attrs.evolve(form, incident_id=incident.id)
    call = draw(known_calls)
    if call is not None and incident.call_id is not None:
        call = attrs.evolve(call, id=incident.call_id)
    graded_now = draw(st.booleans()) if graded is None else graded
    return Case(
        incident=incident,
        form=form,
        call=call,
        graded_at=_not_before(draw, datetimes, incident.reported_at) if graded_now else None,
        recorded_grade=draw(_GRADES) if graded_now else None,
    )


def cases(
    *,
    incident: Incident | SearchStrategy[Incident] | None = None,
    form: bool | None = None,
    call: bool | None = None,
    graded: bool | None = None,
    datetimes: SearchStrategy[datetime] | None = None,
) -> SearchStrategy[Case]:
    """Cases: an incident with its risk form, its call and the force's own grade.

    The form is for the case's incident, the call is the incident's call, and the force's
    grade is recorded no earlier than the incident was reported.

    :param incident: the incident, or a strategy of incidents; by default
        :func:`incidents` drawing from ``datetimes``.
    :param form: ``True``: a risk form arrived; ``False``: none did (the audit's missing
        form); ``None`` (default): either.
    :param call: ``True``: the call is known; ``False``: it is not; ``None``: either.
    :param graded: ``True``: the force recorded a grade (``graded_at`` and
        ``recorded_grade``); ``False``: it did not; ``None`` (default): either.
    :param datetimes: where every datetime comes from; by default :func:`aware_datetimes`.
    :return: a strategy of valid :class:`~dapolicy.models.Case`.
    """
    times = _given_or(datetimes, aware_datetimes())
    return _case(
        incident_values=_given_or(incident, incidents(datetimes=times)),
        forms=_present(risk_forms(datetimes=times), form),
        known_calls=_present(calls(datetimes=times), call),
        graded=graded,
        datetimes=times,
    )


_GRADES = risk_grades()
