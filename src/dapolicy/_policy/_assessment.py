"""The assessment: grade, escalate, refer, task and allocate one incident."""

from __future__ import annotations

import functools
import itertools
import operator
from collections.abc import Iterable, Sequence
from datetime import datetime
from types import NoneType
from typing import TYPE_CHECKING, Any, cast

import attrs

from dapolicy._policy._guard import Call, Guard
from dapolicy._policy._shared import now_errors, task_call, task_key, unique
from dapolicy._reassess import downgrade_review
from dapolicy._time import months_before
from dapolicy.errors import FieldError, ValidationError, safe_name
from dapolicy.history import History, HistoryView, decision_view
from dapolicy.models import (
    Decision,
    Destination,
    DomesticAbuseCheck,
    DomesticAbuseVerdict,
    Finding,
    Incident,
    PluginFailure,
    Reason,
    Referral,
    RiskForm,
    RiskGrade,
)
from dapolicy.models._base import fixed_offset, micros, trusted_maker
from dapolicy.models.dara import DaraForm
from dapolicy.models.risk import reason
from dapolicy.models.work import Allocation

if TYPE_CHECKING:
    from dapolicy.policy import Policy

__all__ = ["COUNTER_ALLEGATION", "assess"]

_SOURCE = "dapolicy policy"
#: What a guarded call's results are read with, in C: each result's item; whether it is
#: something; a finding's review reasons and prompts; the items of many tuples in turn.
_SECOND = operator.itemgetter(1)
_NOT_NONE = functools.partial(operator.is_not, None)
_REVIEW_REASONS = operator.attrgetter("review_reasons")
_PROMPTS = operator.attrgetter("prompts")
_chain = itertools.chain.from_iterable
#: A decision's fields, in order (the order ``_decide`` keeps its draft's values in).
_FIELDS = tuple(a.name for a in attrs.fields(Decision))


def assess(
    policy: Policy,
    incident: Incident,
    form: RiskForm | None = None,
    *,
    dara: DaraForm | None = None,
    history: History | None = None,
    now: datetime,
) -> Decision:
    """What :meth:`dapolicy.policy.Policy.assess` does (documented there)."""
    _check_call(incident, form, dara, now)
    # Hooks, and the policy's own lookups, see the past as the force knew it before now.
    view = decision_view(history, now)
    with policy._guard() as guard:
        return _decide(policy, guard, incident, form, view, now, dara)


def _decide(
    policy: Policy,
    guard: Guard,
    incident: Incident,
    form: RiskForm | None,
    history: HistoryView,
    now: datetime,
    dara: DaraForm | None = None,
) -> Decision:
    """The decision, every plug-in called through ``guard``; ``history`` is the view."""
    check = incident.domestic_abuse_check(on=now)
    # An officer's DARA is the police form: without it, a missing DASH needs review.
    review = _form_review(policy, form, dara) + _definition_review(check)
    if incident.counter_allegation:
        review.append(COUNTER_ALLEGATION)
    failures: list[PluginFailure] = []
    found = _findings(policy, guard, incident, form, dara, history)
    failures += found.failures
    findings = tuple(filter(_NOT_NONE, map(_SECOND, found.results)))
    review += unique(_chain(map(_REVIEW_REASONS, findings)))
    grade, reasons = _grade(findings, form)
    if not findings:
        review.append(reasons[0])
    if findings or grade is not RiskGrade.STANDARD:  # graded: never quietly lower
        lowered = downgrade_review(history, incident.victim.id, incident.id, grade)
        if lowered is not None:
            review.append(lowered)
    verdict = check.verdict
    repeat_victim = _is_repeat_victim(policy, incident, history)
    # Made once: every draft shares them (and the guard snapshots them once).
    prompts = unique(_chain(map(_PROMPTS, findings)))
    overdue = policy.review_prompt  # the policy version is past its review-by date
    if overdue is not None and micros(now) >= micros(cast(datetime, policy.settings.review_by)):
        prompts = unique([*prompts, overdue])
    review_reasons = tuple(review)

    # Every draft shares these; only referrals, tasks and allocation differ. In the
    # order of Decision's fields (_FIELDS): each draft is made from the values by position.
    fields: dict[str, Any] = {
        "incident_id": incident.id,
        "victim_id": incident.victim.id,
        "grade": grade,
        "decided_at": fixed_offset(now),
        "domestic_abuse": verdict,
        "reasons": reasons,
        "findings": findings,
        "referrals": (),
        "tasks": (),
        "prompts": prompts,
        "allocation": None,
        "repeat_victim": repeat_victim,
        "needs_review": False,
        "review_reasons": review_reasons,
        "failures": (),
        "policy_fingerprint": policy.fingerprint,
        "plugins": policy.plugins,
        "policy_version": policy.settings.version,
    }
    assert tuple(fields) == _FIELDS

    make = trusted_maker(Decision)

    def draft(**changes: Any) -> Decision:
        # Drafts are made of parts each checked when built; the final decision,
        # returned below, is checked whole. Each change (referrals, then tasks) is one
        # every later draft, and the decision, has too: kept in ``fields``.
        fields["needs_review"] = bool(review or failures)
        fields["failures"] = tuple(failures)
        if changes:
            fields.update(changes)
        return make(*fields.values())  # type: ignore[no-any-return]

    escalated = _referrals(policy, guard, "dapolicy_escalations", incident, form, draft(), history)
    failures += escalated.failures
    referrals = _merge_referrals(map(_SECOND, escalated.results))
    referred = _referrals(
        policy, guard, "dapolicy_referrals", incident, form, draft(referrals=referrals), history
    )
    failures += referred.failures
    referrals = _merge_referrals([*referrals, *map(_SECOND, referred.results)])
    tasked = _tasks(policy, guard, incident, draft(referrals=referrals))
    failures += tasked.failures
    tasks = tuple(sorted(map(_SECOND, tasked.results), key=task_key))
    allocation = None
    if incident.crime is not None:
        allocated = guard.call(
            "dapolicy_allocate",
            (Allocation, NoneType),
            "an Allocation or None",
            many=False,
            incident=incident,
            decision=draft(referrals=referrals, tasks=tasks),
            settings=policy.settings,
        )
        failures += allocated.failures
        allocation = _merge_allocations(a for _, a in allocated.results if a is not None)
    failures += guard.final_check()
    fields["needs_review"] = bool(review or failures)
    fields["failures"] = tuple(failures)
    fields.update(referrals=referrals, tasks=tasks, allocation=allocation)
    # Decision(**fields), checked whole: every field is in its final type already (each
    # sequence a tuple, decided_at at a fixed offset), so the converters would give
    # back what they are given; the checks all run, and raise as Decision(...) does.
    fields["decided_at"] = fixed_offset(fields["decided_at"])  # its converter, as Decision(...)
    decision: Decision = make(*fields.values())
    decision.__attrs_post_init__()
    return decision


def _findings(
    policy: Policy,
    guard: Guard,
    incident: Incident,
    form: RiskForm | None,
    dara: DaraForm | None,
    history: HistoryView,
) -> Call:
    return guard.call(
        "dapolicy_assess_risk",
        (Finding, NoneType),
        "a Finding or None",
        many=False,
        only=policy.settings.plugins.risk_models,
        incident=incident,
        form=form,
        dara=dara,
        history=history,
        settings=policy.settings,
    )


def _referrals(
    policy: Policy,
    guard: Guard,
    hook: str,
    incident: Incident,
    form: RiskForm | None,
    draft: Decision,
    history: HistoryView,
) -> Call:
    call = guard.call(
        hook,
        Referral,
        "Referral",
        many=True,
        cap="referrals",
        incident=incident,
        form=form,
        decision=draft,
        history=history,
        settings=policy.settings,
    )
    victim, kept = incident.victim.id, []
    for name, referral in call.results:
        if type(referral.destination) is not Destination:  # a Referral does not check it
            call.failures.append(
                PluginFailure(name, hook, "referred to something that is not a Destination")
            )
        elif referral.victim_id == victim:
            kept.append((name, referral))
        else:
            call.failures.append(
                PluginFailure(name, hook, "referred someone other than the victim")
            )
    call.results = kept
    return call


def _tasks(policy: Policy, guard: Guard, incident: Incident, draft: Decision) -> Call:
    return task_call(
        guard,
        "dapolicy_tasks",
        incident.reported_at,
        "report",
        incident=incident,
        decision=draft,
        settings=policy.settings,
    )


def _check_call(
    incident: Incident, form: RiskForm | None, dara: DaraForm | None, now: datetime
) -> None:
    errors = now_errors(now, incident.reported_at, "the incident was reported")
    if form is not None and form.incident_id != incident.id:
        errors.append(FieldError("$.form.incident_id", "is not the incident's id"))
    if dara is not None and dara.incident_id != incident.id:
        errors.append(FieldError("$.dara.incident_id", "is not the incident's id"))
    if errors:
        raise ValidationError("assessment", errors)


def _form_review(policy: Policy, form: RiskForm | None, dara: DaraForm | None) -> list[Reason]:
    if form is None and dara is not None:
        return []
    if form is None:
        return [
            Reason(
                "form.missing",
                "HMIC 2014 inspection, recommendation 2",
                "no risk form for this incident: chase it; graded without a checklist",
            )
        ]
    question_set = policy.question_sets.get(form.checklist)
    # Ids from input are quoted only where safe_name allows (they may be personal
    # data typed in the wrong place); any other is named by its position.
    if question_set is None:
        name = safe_name(form.checklist)
        checklist = "the form's checklist" if name is None else f"checklist {name!r}"
        return [
            Reason(
                "form.unknown-checklist",
                _SOURCE,
                f"no plug-in knows {checklist}: it was not scored",
            )
        ]
    items = policy._registry.item_ids[form.checklist]
    if items.issuperset(form.answers):  # the usual case, in one C call
        return []
    unknown = [(n, key) for n, key in enumerate(form.answers, 1) if key not in items]
    if unknown:
        quoted = sorted(key for _, key in unknown if safe_name(key) is not None)
        unsafe = [f"item {n} of the answers" for n, key in unknown if safe_name(key) is None]
        return [
            Reason(
                "form.unknown-items",
                _SOURCE,
                f"checklist {form.checklist!r} has no item(s) {', '.join(quoted + unsafe)}",
            )
        ]
    return []


def _is_repeat_victim(policy: Policy, incident: Incident, history: HistoryView) -> bool:
    since = months_before(incident.occurred_at, policy.settings.repeat_victim_months)
    prior = history.count_incidents(
        incident.victim.id, since=since, until=incident.occurred_at, exclude=incident.id
    )
    return prior > 0


COUNTER_ALLEGATION = Reason(
    "case.counter-allegation",
    "HMIC 2014 glossary, 'counter-allegation'",
    "the suspect has made an allegation against the victim: establish who is at risk "
    "before services are offered, so the victim is not treated as the perpetrator",
)


def _merge_allocations(allocations: Iterable[Allocation]) -> Allocation | None:
    """Every skill any plug-in asks for, with every reason: none can lower another.

    Skills are joined (a DA-trained investigator and a detective make a DA-trained
    detective), so the allocation covers each plug-in's on both axes.
    """
    found = list(allocations)
    if not found:
        return None
    skills = frozenset(s for a in found for s in a.skills)
    return Allocation.from_skills(skills, unique(r for a in found for r in a.reasons))


def _definition_review(check: DomesticAbuseCheck) -> list[Reason]:
    if check.verdict is DomesticAbuseVerdict.DOMESTIC_ABUSE:
        return []
    return [Reason(f"definition.{check.verdict.value}", check.source, "; ".join(check.reasons))]


def _grade(
    findings: Sequence[Finding], form: RiskForm | None
) -> tuple[RiskGrade, tuple[Reason, ...]]:
    """The highest finding, raised (never lowered) by professional judgement."""
    if findings:
        grade = max(f.grade for f in findings)
        models = ", ".join(sorted(f.model for f in findings if f.grade is grade))
        reasons = [
            reason(
                "grade.highest-finding",
                _SOURCE,
                f"{grade.value}: the highest grade of any risk model ({models})",
            )
        ]
    else:
        grade = RiskGrade.STANDARD
        reasons = [
            reason(
                "grade.no-finding",
                _SOURCE,
                "no risk model graded this case: standard only until a person reviews it",
            )
        ]
    judgement = form.professional_judgement if form is not None else None
    if judgement is not None:
        if judgement.grade > grade:
            grade = judgement.grade
            reasons.append(
                reason(
                    "grade.professional-judgement",
                    "SafeLives MARAC guidance: judgement may raise, never lower, a grade",
                    f"professional judgement raised the grade to {grade.value}",
                )
            )
        elif judgement.grade < grade:
            reasons.append(
                reason(
                    "grade.judgement-cannot-lower",
                    "SafeLives MARAC guidance: judgement may raise, never lower, a grade",
                    f"professional judgement of {judgement.grade.value} does not lower "
                    f"the grade of {grade.value}",
                )
            )
    return grade, tuple(reasons)


#: Each destination's place in a decision's referrals, by the member's id.
_ORDER_BY_ID = {id(d): i for i, d in enumerate(Destination)}


def _merge_referrals(referrals: Iterable[Referral]) -> tuple[Referral, ...]:
    """One referral per destination, with every reason and requester, in a fixed order.

    Every destination is a :class:`Destination` (:func:`_referrals` records any other
    as a failure), and a member is a singleton: keyed by its id, which hashes in C (an
    enum member hashes in Python code).
    """
    by_id: dict[int, Referral] = {}
    for referral in referrals:
        key = id(referral.destination)
        existing = by_id.get(key)
        by_id[key] = referral if existing is None else _merged(existing, referral)
    # In the destinations' order: by each key's (the member's id) place, looked up in C.
    return tuple(map(by_id.__getitem__, sorted(by_id, key=_ORDER_BY_ID.__getitem__)))


def _merged(existing: Referral, referral: Referral) -> Referral:
    """``existing`` with ``referral``'s reasons and requesters added, each once."""
    return attrs.evolve(
        existing,
        reasons=unique([*existing.reasons, *referral.reasons]),
        requested_by=unique([*existing.requested_by, *referral.requested_by]),
    )
