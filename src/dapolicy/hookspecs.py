"""Every hook a dapolicy plug-in may implement, and the two pluggy markers.

A plug-in is any module or object with functions marked ``@hookimpl`` whose names are
below. Built-in plug-ins use the same public marker as a force's own. A plug-in
implements only the hooks it needs, and may accept only the arguments it uses.

Hooks that contribute (risk findings, referrals, tasks) are called for *every*
plug-in, each call isolated: one plug-in that raises anything (``SystemExit`` and the
other ``BaseException`` subclasses included), returns the wrong type, runs past the
decision's time budget (``settings.limits.decision_seconds``), gives more than the
decision's caps (``settings.limits``), or changes what it was given is recorded as a
failure on the decision (which then needs review) and the others' contributions stand.
Only the user's Ctrl-C goes through. What this guarantees, and its limits, is in the
hooks page of the documentation ("What Policy.assess guarantees").

Project name and entry-point group: ``dapolicy``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

import pluggy

if TYPE_CHECKING:
    import cattrs

    from dapolicy.history import HistoryView
    from dapolicy.models import Call, Decision, Event, Finding, Incident, Referral, RiskForm, Task
    from dapolicy.models.checklist import QuestionSet
    from dapolicy.models.dara import DaraForm
    from dapolicy.models.operations import ResponseFinding, Thrive
    from dapolicy.models.work import Allocation
    from dapolicy.settings import Settings

__all__ = ["PROJECT", "hookimpl", "hookspec"]

#: The pluggy project name and the entry-point group plug-ins register under.
PROJECT = "dapolicy"

hookspec = pluggy.HookspecMarker(PROJECT)
#: Mark a function as a dapolicy hook implementation: ``@hookimpl``.
hookimpl = pluggy.HookimplMarker(PROJECT)


@hookspec
def dapolicy_question_sets(settings: Settings) -> Iterable[QuestionSet]:
    """Contribute checklists that this plug-in's risk model reads.

    Called once, when the policy is built. A form whose ``checklist`` no plug-in
    contributes cannot be scored: its decision needs review, as does a form that
    answers items its checklist does not have.

    :param settings: the force's settings (a configurable checklist such as DIAL
        takes its items from them).
    :return: question sets (ids and short paraphrases only -- never an instrument's
        copyright wording).
    """
    raise NotImplementedError


@hookspec
def dapolicy_assess_risk(
    incident: Incident,
    form: RiskForm | None,
    dara: DaraForm | None,
    history: HistoryView,
    settings: Settings,
) -> Finding | None:
    """Grade the risk to the victim of ``incident``.

    Called for every incident, crime or not, with its risk form if there is one
    (``None`` when no form was submitted -- a model that needs a form returns
    ``None``). The decision's grade is the highest grade of all findings; professional
    judgement on the form may then raise it, never lower it.

    :param incident: the incident being assessed.
    :param form: its risk form, or ``None``.
    :param dara: the officer's DARA form, or ``None`` (a case may carry it beside a
        DASH form; only the ``dara`` plug-in reads it).
    :param history: the victim's past, a read-only :class:`~dapolicy.history.HistoryView`
        bound to the decision's ``now``: only what the force knew before it.
    :param settings: the force's settings.
    :return: a :class:`~dapolicy.models.Finding` with at least one reason, or ``None``
        when this model has nothing to say about this case.
    """
    raise NotImplementedError


@hookspec
def dapolicy_escalations(
    incident: Incident,
    form: RiskForm | None,
    decision: Decision,
    history: HistoryView,
    settings: Settings,
) -> Iterable[Referral]:
    """Escalate the case: MARAC and any other escalation a force defines.

    Called after grading, with the decision so far (grade, findings, reasons).

    :param incident: the incident.
    :param form: its risk form, or ``None`` (for professional judgement).
    :param decision: the decision so far, without referrals or tasks.
    :param history: the victim's past (to count incidents, find the last MARAC
        referral), a read-only :class:`~dapolicy.history.HistoryView` bound to the
        decision's ``now``: only what the force knew before it.
    :param settings: the force's settings.
    :return: referrals, each with at least one reason.
    """
    raise NotImplementedError


@hookspec
def dapolicy_referrals(
    incident: Incident,
    form: RiskForm | None,
    decision: Decision,
    history: HistoryView,
    settings: Settings,
) -> Iterable[Referral]:
    """Refer the victim to partners: IDVA, partnership hub, children's social care...

    Called after escalations, with the decision so far (including the escalations'
    referrals). Referrals to the same destination from several plug-ins are merged into
    one with all their reasons.

    :param incident: the incident.
    :param form: its risk form, or ``None``.
    :param decision: the decision so far, with escalation referrals.
    :param history: the victim's past, a read-only :class:`~dapolicy.history.HistoryView`
        bound to the decision's ``now``: only what the force knew before it.
    :param settings: the force's settings.
    :return: referrals, each with at least one reason.
    """
    raise NotImplementedError


@hookspec
def dapolicy_tasks(
    incident: Incident,
    decision: Decision,
    settings: Settings,
) -> Iterable[Task]:
    """Set tasks with due times: welfare checks, safeguarding, follow-up visits.

    Called last, with the decision including every referral. Due times must be after
    the incident's report time, reckoned in Europe/London.

    :param incident: the incident.
    :param decision: the decision so far, with all referrals.
    :param settings: the force's settings.
    :return: tasks, each with at least one reason.
    """
    raise NotImplementedError


@hookspec
def dapolicy_allocate(
    incident: Incident,
    decision: Decision,
    settings: Settings,
) -> Allocation | None:
    """Say who should investigate a recorded crime.

    Called after tasks, for crimes only. Where several plug-ins allocate, the most
    specialist level wins and every reason is kept: allocation weighs risk as well as
    seriousness (recommendation 1), so no plug-in can lower another's.

    :param incident: the incident (``incident.crime`` is set).
    :param decision: the decision, with grade, referrals and tasks.
    :param settings: the force's settings.
    :return: an :class:`~dapolicy.models.Allocation`, or ``None``.
    """
    raise NotImplementedError


@hookspec
def dapolicy_triage(
    call: Call,
    thrive: Thrive | None,
    history: HistoryView,
    settings: Settings,
) -> ResponseFinding | None:
    """Grade the response to a call in the control room.

    Called for every call. The response is the most urgent of the call handler's
    proposed grade, every plug-in's finding and the force's minimum; a rule can raise
    the handler's grade, never lower it. A finding with ``divert`` asks for a Right
    Care, Right Person diversion (below the force's minimum); the policy grants it only
    for a call :func:`dapolicy.rcrp.rcrp_may_divert` allows, and records a plug-in that
    asks it for any other call, a domestic-abuse call above all, as a failure.

    :param call: the call.
    :param thrive: the call handler's THRIVE assessment, or ``None`` if not recorded.
    :param history: previous calls and incidents (repeat caller, repeat location), a
        read-only :class:`~dapolicy.history.HistoryView` bound to the triage's ``now``:
        only what the force knew before it.
    :param settings: the force's settings.
    :return: a :class:`~dapolicy.models.operations.ResponseFinding`, or ``None``.
    """
    raise NotImplementedError


@hookspec
def dapolicy_on_event(
    event: Event,
    history: HistoryView,
    settings: Settings,
) -> Iterable[Task]:
    """Say what must follow an event: a release, a bail change, a breach, a new incident.

    Called for every event, however long after the incident (a release after the
    28-day plan has ended still counts, recommendation 6). A task whose ``what`` is
    ``"re-assess-risk"`` marks the outcome as needing re-assessment.

    :param event: the event.
    :param history: the victim's past, a read-only :class:`~dapolicy.history.HistoryView`
        bound to the decision's ``now``: only what the force knew before it.
    :param settings: the force's settings.
    :return: tasks, each due after the event and with at least one reason.
    """
    raise NotImplementedError


@hookspec
def dapolicy_configure_converter(converter: cattrs.Converter) -> None:
    """Extend JSON conversion, e.g. for a plug-in's own types.

    Called once per converter the policy makes, after dapolicy's own hooks are
    registered (so a plug-in's hook for the same type wins).

    :param converter: the converter to extend.
    """
    raise NotImplementedError


#: The names of every hook, in the order a decision calls them.
HOOK_NAMES = (
    "dapolicy_question_sets",
    "dapolicy_assess_risk",
    "dapolicy_escalations",
    "dapolicy_referrals",
    "dapolicy_tasks",
    "dapolicy_allocate",
    "dapolicy_triage",
    "dapolicy_on_event",
    "dapolicy_configure_converter",
)

# ``now`` is deliberately absent from every hook: the decision's time is
# ``decision.decided_at``, and a rule that needs the time of the incident uses the
# incident's own times. No plug-in reads a clock.
