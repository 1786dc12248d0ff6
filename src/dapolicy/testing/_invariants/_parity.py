"""Invariant 7: the same facts get the same grade and referrals, crime or not.

The incident is assessed as its crime twin (the crime removed, or one recorded), and
with the crime flag of every earlier incident in its history turned over: a rule that
counts only earlier *crimes* treats a series of non-crime incidents as nothing, which is
the report's central finding.
"""

from __future__ import annotations

import attrs

from dapolicy.models import Crime, Decision, OffenceCategory
from dapolicy.policy import Policy
from dapolicy.testing._invariants._assess import _assess, _destinations, _Run, _run
from dapolicy.testing._invariants._case import ConformanceCase, _history
from dapolicy.testing._invariants._violation import violation

#: The crime recorded on a non-crime incident to test invariant 7.
PARITY_CRIME = Crime("CONF-CRIME", OffenceCategory.COMMON_ASSAULT)


def _compare(run: _Run, other: Decision, crime_first: bool, what: str) -> None:
    crime, no_crime = (run.decision, other) if crime_first else (other, run.decision)
    if other.grade != run.decision.grade:
        raise violation(
            7,
            f"the same facts are graded {crime.grade.value} {what} and "
            f"{no_crime.grade.value} without",
        )
    if _destinations(other) != _destinations(run.decision):
        raise violation(
            7,
            f"the same facts are referred to {', '.join(_destinations(crime)) or 'nobody'} "
            f"{what} and to {', '.join(_destinations(no_crime)) or 'nobody'} without",
            aspect="referrals",
        )


def _crime_parity(run: _Run) -> None:
    case, incident = run.case, run.case.incident
    twin = attrs.evolve(incident, crime=None if incident.crime is not None else PARITY_CRIME)
    other = _assess(run.policy, case, incident=twin, variant="the case's crime twin")
    _compare(run, other, incident.crime is not None, "as a crime")
    mine = [e for e in case.prior_incidents if e.victim_id == incident.victim.id]
    if not mine:
        return
    flipped = [
        attrs.evolve(e, crime=not e.crime) if e.victim_id == incident.victim.id else e
        for e in case.prior_incidents
    ]
    history = _history(flipped, case.marac_referrals)
    other = _assess(
        run.policy, case, history=history, variant="the case with its history's crimes turned"
    )
    crimes_before = sum(e.crime for e in mine)
    crime_first = crimes_before >= len(mine) - crimes_before
    try:
        _compare(run, other, crime_first, "with more of the earlier incidents recorded as crimes")
    except AssertionError as exc:
        raise violation(7, str(exc).split(": ", 1)[1], aspect="history's crimes") from None


def check_crime_parity(policy: Policy, case: ConformanceCase) -> None:
    """Invariant 7: the same facts get the same grade and referrals, crime or not.

    The case's incident is assessed again without its crime, or with
    :data:`PARITY_CRIME` if it had none; then with the crime flag of each of the
    victim's earlier incidents turned over. Grade and referral destinations must not
    change (the allocation and the plan's tasks may: they are for crimes).

    :raises InvariantViolation: with both grades, or both sets of referrals.
    """
    _crime_parity(_run(policy, case))
