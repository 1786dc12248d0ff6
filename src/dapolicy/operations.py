"""Operational checks that are not hooks: tasking, timeliness, DVPN eligibility.

- :func:`merge_partner_requests`: the same service for the same victim, asked for by
  both the MASH and a local hub within the force's window, is one request with both
  requesters recorded (recommendation 5: partners were tasked twice).
- :func:`form_compliance` and :func:`grading_latency`: was the risk form submitted
  before the officer went off duty, and how long from report to grade (the report's
  "the following day, up to 72 hours").
- :func:`dvpn_eligibility`: which conditions for a Domestic Violence Protection Notice
  are unmet.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

import attrs

from dapolicy._time import add_local
from dapolicy.models import Decision, Destination, Incident, Reason, Referral, RiskForm
from dapolicy.models._base import LONDON, micros
from dapolicy.models.dara import DaraForm
from dapolicy.models.operations import DvpnCheck, FormCompliance, FormStatus
from dapolicy.settings import Settings

__all__ = [
    "DVPN_MINIMUM_AGE",
    "dvpn_eligibility",
    "form_compliance",
    "grading_latency",
    "merge_partner_requests",
]

#: A DVPN may be issued to a person aged 18 or over (report glossary).
DVPN_MINIMUM_AGE = 18


def merge_partner_requests(
    referrals: Iterable[Referral], settings: Settings | None = None
) -> tuple[Referral, ...]:
    """Merge requests for the same service for the same victim within the window.

    Requests are taken in time order; one falls into the first request's group when it
    is for the same victim and destination and asked for within
    ``settings.tasking.merge_window_days`` London calendar days of that first request.
    A merged request keeps the earliest time, every reason and every requester. A
    request with no time is merged only with others that have none. Nothing is dropped.

    :return: the merged requests, earliest first.
    """
    days = (settings or Settings()).tasking.merge_window_days
    ordered = sorted(referrals, key=_request_time)
    groups: list[Referral] = []
    open_group: dict[tuple[str, Destination, bool], int] = {}
    for referral in ordered:
        key = (referral.victim_id, referral.destination, referral.requested_at is None)
        index = open_group.get(key)
        if index is not None:
            first = groups[index]
            # A window of days is London calendar days, as everywhere in dapolicy: the
            # same wall-clock time a week later, whether or not the clocks changed.
            in_window = (
                referral.requested_at is None
                or first.requested_at is None
                or micros(referral.requested_at)
                <= micros(add_local(first.requested_at, days=days))
            )
            if in_window:
                groups[index] = attrs.evolve(
                    first,
                    reasons=tuple(dict.fromkeys([*first.reasons, *referral.reasons])),
                    requested_by=tuple(
                        dict.fromkeys([*first.requested_by, *referral.requested_by])
                    ),
                )
                continue
        open_group[key] = len(groups)
        groups.append(referral)
    return tuple(groups)


def _request_time(referral: Referral) -> tuple[int, float]:
    at = referral.requested_at
    return (1, 0.0) if at is None else (0, at.timestamp())


def form_compliance(incident: Incident, form: RiskForm | DaraForm | None) -> FormCompliance:
    """Whether the incident's risk form arrived, and before the officer went off duty.

    A form submitted after the officer's recorded off-duty time is late; a form with no
    off-duty time recorded is judged on time only if
    submitted the same London day it was completed. At a force that runs DARA, the
    officer's DARA is the police form (the audit checks it, not a partner's DASH).
    """
    source = "HMIC 2014: the form is submitted to the MASH before the officer goes off duty"
    if form is None:
        return FormCompliance(
            incident.id,
            FormStatus.MISSING,
            (Reason("compliance.form-missing", source, "no risk form for this incident"),),
        )
    if form.submitted_at is None:
        return FormCompliance(
            incident.id,
            FormStatus.NOT_SUBMITTED,
            (Reason("compliance.form-not-submitted", source, "completed, never submitted"),),
        )
    if form.officer_off_duty_at is not None:
        late = micros(form.submitted_at) > micros(form.officer_off_duty_at)
        text = "after the officer went off duty" if late else "before the officer went off duty"
    else:
        late = (
            form.submitted_at.astimezone(LONDON).date()
            != form.completed_at.astimezone(LONDON).date()
        )
        text = "on a later day than completed" if late else "the day it was completed"
    status = FormStatus.LATE if late else FormStatus.ON_TIME
    return FormCompliance(
        incident.id,
        status,
        (
            Reason(
                f"compliance.form-{status.value.replace('_', '-')}", source, f"submitted {text}"
            ),
        ),
    )


def grading_latency(incident: Incident, decision: Decision) -> timedelta:
    """Time from the report to the grade: zero would be grading at the point of report.

    Elapsed time between the two instants, right across a clock change (subtracting
    two London times directly would give wall-clock time).
    """
    return timedelta(microseconds=micros(decision.decided_at) - micros(incident.reported_at))


def dvpn_eligibility(
    incident: Incident,
    *,
    violence_or_threat: bool | None,
    necessary: bool | None,
    superintendent_authorised: bool | None,
    on: datetime | None = None,
) -> DvpnCheck:
    """Check the conditions for a Domestic Violence Protection Notice; say which are unmet.

    A condition given as ``None`` is not known, and so not met.

    :param violence_or_threat: the suspect has been violent, or threatened violence,
        towards the victim.
    :param necessary: the notice is necessary to protect the victim.
    :param superintendent_authorised: a superintendent has authorised it.
    :param on: the day to take the suspect's age on (the incident's London day by
        default).
    """
    unmet = []
    day = (on or incident.occurred_at).astimezone(LONDON).date()
    age = incident.suspect.age_on(day)
    if age is None:
        unmet.append("the suspect's age is not known (must be 18 or over)")
    elif age < DVPN_MINIMUM_AGE:
        unmet.append("the suspect is under 18")
    for value, text in (
        (violence_or_threat, "violence or a threat of violence towards the victim"),
        (necessary, "the notice is necessary to protect the victim"),
        (superintendent_authorised, "a superintendent's authorisation"),
    ):
        if value is None:
            unmet.append(f"not known: {text}")
        elif not value:
            unmet.append(f"not met: {text}")
    return DvpnCheck(not unmet, tuple(unmet))
