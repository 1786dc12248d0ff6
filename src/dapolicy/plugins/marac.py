"""The four SafeLives MARAC referral criteria.

1. Visible high risk: 14 or more "yes" answers on DASH -- and, so that high risk always
   reaches MARAC, any decision graded high (the report: a victim assessed as high risk
   must be referred to MARAC). Only the DASH and partner-agency RIC checklists' answers
   count towards visible high risk (the reason ``dash.visible-high-risk``, which only the
   DASH plug-in gives): DARA, DIAL and other instruments have no count SafeLives sets,
   so a high grade from them is referred as high risk, not as visible high risk.
2. Professional judgement: the officer refers on judgement alone; and when judgement
   alone raised the grade to high (no risk model found high), the referral cites this
   criterion.
3. Potential escalation: this incident is one of ``settings.marac.escalation_incidents``
   (3) or more domestic-abuse incidents within ``escalation_months`` (12), counting
   non-crime incidents, not only call-outs.
4. Repeat MARAC: any abuse between the same victim and suspect within ``repeat_months``
   (12) of the last MARAC referral; later than that it is a new referral. SafeLives'
   current definition counts any instance of abuse, a breach of bail or of any civil
   order included, reported to any agency: an event of such a kind
   (:data:`~dapolicy.models.ABUSE_EVENTS`) is re-assessed with the same window
   (:func:`last_referral_within`; see :mod:`dapolicy._reassess`).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from dapolicy._time import months_before
from dapolicy.history import HistoryView, MaracReferralEntry
from dapolicy.hookspecs import hookimpl
from dapolicy.models import Decision, Destination, Incident, Reason, Referral, RiskForm, RiskGrade
from dapolicy.models._base import micros
from dapolicy.models.risk import reason
from dapolicy.settings import Settings

SOURCE = "SafeLives MARAC referral criteria"

#: The reason every high-risk victim is referred to MARAC (whatever made it high).
HIGH_RISK = reason(
    "marac.high-risk",
    "HMIC 2014 inspection: high-risk victims must be referred to MARAC",
    "graded high risk",
)


@hookimpl
def dapolicy_escalations(
    incident: Incident,
    form: RiskForm | None,
    decision: Decision,
    history: HistoryView,
    settings: Settings,
) -> Iterator[Referral]:
    """Refer to MARAC when any of the four criteria is met (one referral, every reason)."""
    reasons = [
        *_high_risk(decision, form),
        *_judgement(form),
        *_escalation(incident, history, settings),
        *_repeat(incident, history, settings),
    ]
    # One reason per criterion (judgement that raised the grade and referred is one).
    first: dict[str, Reason] = {}
    for found in reasons:
        first.setdefault(found.rule, found)
    if first:
        yield Referral._made(
            Destination.MARAC, incident.victim.id, tuple(first.values()), ("marac-criteria",)
        )


def _high_risk(decision: Decision, form: RiskForm | None) -> Iterator[Reason]:
    visible = any(r.rule == "dash.visible-high-risk" for f in decision.findings for r in f.reasons)
    judgement = form.professional_judgement if form is not None else None
    found = max((f.grade for f in decision.findings), default=RiskGrade.STANDARD)
    if visible:
        yield reason(
            "marac.visible-high-risk",
            f"{SOURCE} §1 visible high risk",
            "14 or more 'yes' answers on DASH",
        )
    elif (
        decision.grade is RiskGrade.HIGH
        and found < RiskGrade.HIGH
        and judgement is not None
        and judgement.grade is RiskGrade.HIGH
    ):
        yield reason(
            "marac.professional-judgement",
            f"{SOURCE} §2 professional judgement",
            "professional judgement alone raised the grade to high (rationale recorded)",
        )
    elif decision.grade is RiskGrade.HIGH:
        yield HIGH_RISK


def _judgement(form: RiskForm | None) -> Iterator[Reason]:
    judgement = form.professional_judgement if form is not None else None
    if judgement is not None and judgement.refer_to_marac:
        yield reason(
            "marac.professional-judgement",
            f"{SOURCE} §2 professional judgement",
            "the assessing officer refers on professional judgement (rationale recorded)",
        )


def _escalation(incident: Incident, history: HistoryView, settings: Settings) -> Iterator[Reason]:
    marac = settings.marac
    since = months_before(incident.occurred_at, marac.escalation_months)
    count = 1 + history.count_incidents(
        incident.victim.id, since=since, until=incident.occurred_at, exclude=incident.id
    )
    if count >= marac.escalation_incidents:
        yield reason(
            "marac.potential-escalation",
            f"{SOURCE} §3 potential escalation ({marac.escalation_incidents} in "
            f"{marac.escalation_months} months, set by the force)",
            f"{count} domestic-abuse incidents in {marac.escalation_months} months, "
            "this one included (crimes and non-crime incidents alike)",
        )


def last_referral_within(
    history: HistoryView,
    victim_id: str,
    suspect_id: str,
    at: datetime,
    exclude: str,
    settings: Settings,
) -> MaracReferralEntry | None:
    """The last MARAC referral about the pair if abuse at ``at`` falls within its window.

    The window is ``[marac] repeat_months`` (12) calendar months on the London wall
    clock, both ends included: abuse at the same wall-clock time 12 months after the
    referral is a repeat, a microsecond later it is not. A referral on 29 February
    reaches 28 February the next year (a month without the day ends on its last day).
    A referral made after ``at`` is not "the last referral" (abuse before the first
    referral is no repeat), nor one made for ``exclude`` (the case being decided), nor
    one the force did not know of before the view's moment.
    """
    last = history.last_marac_referral(victim_id, suspect_id, before=at, exclude=exclude)
    if last is None:
        return None
    months = settings.marac.repeat_months
    return last if micros(last.referred_at) >= micros(months_before(at, months)) else None


def _repeat(incident: Incident, history: HistoryView, settings: Settings) -> Iterator[Reason]:
    # A referral this incident itself led to (on an earlier assessment) is not "the
    # last referral": look past it.
    victim, suspect = incident.victim.id, incident.suspect.id
    if last_referral_within(history, victim, suspect, incident.occurred_at, incident.id, settings):
        months = settings.marac.repeat_months
        yield reason(
            "marac.repeat",
            f"{SOURCE} §4 repeat MARAC (within {months} months of the last referral)",
            f"further abuse by the same suspect within {months} months of the last MARAC referral",
        )
