"""After the incident: every event re-grades, and no grade is quietly lowered.

Behind :meth:`dapolicy.policy.Policy.on_event` and :meth:`~dapolicy.policy.Policy.assess`.

Every event re-grades (HMIC 2014 inspection, recommendation 6)
    An event gives a new :class:`~dapolicy.models.Decision` for the victim, beside its
    tasks: ``EventOutcome.decision``, with ``incident_id`` the event's id. No new risk
    form comes with an event, so the grade is the victim's last recorded grade,
    carried forward (a finding of the ``after-events`` model) until the risk is
    re-assessed with a form (the ``re-assess-risk`` task); with no grade recorded, the
    decision is ungraded and needs review. A high grade refers to MARAC and an IDVA,
    as every high-risk decision does.

SafeLives' repeat-MARAC definition
    "Any instance of abuse between the same victim and perpetrator(s), within 12 months
    of the last referral", criminal or not, a breach of bail or of any civil order
    included, reported to any agency. An event whose kind is itself abuse
    (:data:`~dapolicy.models.ABUSE_EVENTS`: a new incident, a breach of an order, of
    bail or of a protection notice, or abuse reported by any agency, the police or a
    partner) within ``[marac] repeat_months`` of the last MARAC referral about the same
    perpetrator is referred to MARAC as a repeat (``marac.repeat``). The window is the
    MARAC plug-in's: both ends included, on the London wall clock.

No quiet downgrade
    A graded decision lower than the victim's last recorded grade needs a supervisor's
    sign-off: the review reason ``grade.lower-than-last``. The grade stands as graded
    (it is the assessment of today's risk), and :func:`dapolicy.history.record` keeps it
    as the victim's last grade only when signed off. An ungraded decision (no risk model
    graded it) already needs review, and is not compared.

Every question of the history is asked through the decision's view: only what the force
knew before the decision (``recorded_at < known_at``).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from dapolicy._time import months_before
from dapolicy.history import DOWNGRADE_RULE, HistoryView
from dapolicy.models import (
    Decision,
    Destination,
    DomesticAbuseVerdict,
    Event,
    Finding,
    PluginFailure,
    Reason,
    Referral,
    RiskGrade,
    Task,
)
from dapolicy.models._base import LONDON
from dapolicy.plugins.marac import HIGH_RISK, last_referral_within
from dapolicy.plugins.safeguarding import REPORT

if TYPE_CHECKING:
    from dapolicy.policy import Policy

__all__ = ["REPEAT_SOURCE", "downgrade_review", "event_decision"]

RECOMMENDATION_6 = "HMIC 2014 inspection, recommendation 6"
REPEAT_SOURCE = (
    "SafeLives definition of a repeat MARAC (safelives.org.uk/definition-repeat-marac): any "
    "abuse, a breach of bail or of any civil order included, reported to any agency, "
    "within 12 months of the last referral"
)
DOWNGRADE_SOURCE = (
    "College of Policing APP, domestic abuse: first response supervisor's checklist (the "
    "supervisor reviews the risk grade); force policy: a lower grade is signed off"
)
#: How far back a recorded incident between the pair shows the case is domestic abuse.
_CONNECTED_MONTHS = 1200


def _day(moment: datetime) -> str:
    return moment.astimezone(LONDON).date().isoformat()


def downgrade_review(
    history: HistoryView, victim_id: str, decision_id: str, grade: RiskGrade
) -> Reason | None:
    """The review reason for a grade lower than the victim's last recorded one, if it is.

    :param decision_id: the incident (or event) being decided: a grade recorded for it
        on an earlier assessment is passed over.
    """
    last = history.last_grade(victim_id, exclude=decision_id)
    if last is None or grade >= last.grade:
        return None
    return Reason(
        DOWNGRADE_RULE,
        DOWNGRADE_SOURCE,
        f"{grade.value} is lower than the victim's last recorded grade ({last.grade.value}, "
        f"decided {_day(last.graded_at)}): a supervisor must sign off the lower grade; "
        f"until then treat the risk as {last.grade.value}",
    )


def event_decision(
    policy: Policy,
    event: Event,
    history: HistoryView,
    now: datetime,
    tasks: Sequence[Task],
    failures: Sequence[PluginFailure],
) -> Decision:
    """The re-assessment an event gives the victim (see the module documentation)."""
    victim, suspect = event.victim_id, event.perpetrator_id
    what = event.kind.value.replace("_", " ")
    review: list[Reason] = []
    last = history.last_grade(victim, exclude=event.id)
    findings: tuple[Finding, ...] = ()
    if last is None:
        grade = RiskGrade.STANDARD
        reasons = (
            Reason(
                "grade.no-finding",
                RECOMMENDATION_6,
                f"after the {what}: no grade is recorded for this victim; standard only "
                "until a person grades the risk",
            ),
        )
        review.append(reasons[0])
    else:
        grade = last.grade
        carried = Reason(
            "reassess.last-grade",
            RECOMMENDATION_6,
            f"{grade.value}: the victim's last recorded grade ({_day(last.graded_at)}), "
            f"carried forward after the {what} until the risk is re-assessed with a form",
        )
        findings = (Finding("after-events", grade, (carried,)),)
        reasons = (
            Reason(
                "grade.highest-finding",
                "dapolicy policy",
                f"{grade.value}: the highest grade of any risk model (after-events)",
            ),
        )
    since = months_before(now, _CONNECTED_MONTHS)
    until = max(now, event.occurred_at, key=lambda moment: moment.timestamp())
    known = history.incidents(victim, since=since, until=until, suspect_id=suspect)
    verdict = DomesticAbuseVerdict.DOMESTIC_ABUSE
    if not known:
        verdict = DomesticAbuseVerdict.UNDETERMINED
        review.append(
            Reason(
                "definition.undetermined",
                "Domestic Abuse Act 2021 ss.1-2",
                "no incident between the victim and this perpetrator is recorded: confirm "
                "they are personally connected and the abuse is domestic abuse",
            )
        )
    marac: list[Reason] = []
    if event.kind.abuse:
        found = last_referral_within(
            history, victim, suspect, event.occurred_at, event.id, policy.settings
        )
        if found is not None:
            months = policy.settings.marac.repeat_months
            marac.append(
                Reason(
                    "marac.repeat",
                    REPEAT_SOURCE,
                    f"{'an' if what[0] in 'aeiou' else 'a'} {what} event reported by "
                    f"{event.reported_by.value.replace('_', ' ')}, "
                    f"within {months} months of the last MARAC referral "
                    f"({_day(found.referred_at)})",
                )
            )
    referrals: list[Referral] = []
    if grade is RiskGrade.HIGH:
        marac.insert(0, HIGH_RISK)
    if marac:
        referrals.append(Referral(Destination.MARAC, victim, tuple(marac), ("marac-criteria",)))
    if grade is RiskGrade.HIGH:
        idva = Reason(
            "safeguarding.idva-high-risk",
            f"{REPORT}: high-risk victims get specialist IDVA support",
            "graded high risk",
        )
        referrals.append(Referral(Destination.IDVA, victim, (idva,), ("safeguarding",)))
    since = months_before(event.occurred_at, policy.settings.repeat_victim_months)
    prior = history.incidents(victim, since=since, until=event.occurred_at)
    prior_abuse = [
        e
        for e in history.events(victim, since=since, until=event.occurred_at, exclude=event.id)
        if e.kind.abuse
    ]
    return Decision(
        incident_id=event.id,
        victim_id=victim,
        grade=grade,
        decided_at=now,
        domestic_abuse=verdict,
        reasons=reasons,
        findings=findings,
        referrals=tuple(referrals),
        tasks=tuple(tasks),
        repeat_victim=bool(prior or prior_abuse),
        needs_review=bool(review or failures),
        review_reasons=tuple(review),
        failures=tuple(failures),
        policy_fingerprint=policy.fingerprint,
        plugins=policy.plugins,
        policy_version=policy.settings.version,
    )
