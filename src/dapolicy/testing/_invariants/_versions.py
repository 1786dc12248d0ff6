"""Invariant 14: a dated policy version switches at its boundary, to the microsecond.

For a policy whose settings hold dated versions, the case is decided a microsecond
before and at each version's start and end (for one of its areas, when it has areas):
each decision must be the decision of the version in force at that instant
(``Policy.as_of``), name that version in ``policy_version``, and the two sides of a
boundary between different versions must name different versions.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

import attrs

from dapolicy.policy import Policy
from dapolicy.serialization import to_json
from dapolicy.testing._invariants._assess import _assess, _Run, _run
from dapolicy.testing._invariants._case import ConformanceCase
from dapolicy.testing._invariants._fresh import fresh_policy
from dapolicy.testing._invariants._violation import violation

_MICROSECOND = timedelta(microseconds=1)


def _boundaries(policy: Policy) -> Iterator[tuple[datetime, str | None, str]]:
    for version in policy.settings.versions:
        area = min(version.areas) if version.areas else None
        name = version.settings.version
        yield version.start, area, f"the start of version {name!r}"
        if version.until is not None:
            yield version.until, area, f"the end of version {name!r}"


def _at(case: ConformanceCase, moment: datetime, area: str | None) -> ConformanceCase:
    reported = moment - timedelta(hours=2)
    incident = attrs.evolve(
        case.incident,
        reported_at=reported.astimezone(case.incident.reported_at.tzinfo),
        occurred_at=(reported - timedelta(minutes=10)).astimezone(
            case.incident.reported_at.tzinfo
        ),
        area=area,
    )
    form = case.form
    if form is not None:
        form = attrs.evolve(form, completed_at=incident.reported_at, submitted_at=None)
    return attrs.evolve(
        case, incident=incident, form=form, now=moment, prior_incidents=(), marac_referrals=()
    )


def _version_switch(run: _Run) -> None:
    policy = run.policy
    if not policy.settings.versions:
        return
    for boundary, area, what in _boundaries(policy):
        seen = []
        for moment, side in ((boundary - _MICROSECOND, "just before"), (boundary, "at")):
            case = _at(run.case, moment, area)
            decision = _assess(policy, case, variant=f"the case decided {side} {what}")
            in_force = policy.as_of(moment, area)
            # The version in force, built afresh when the kit can (new plug-in
            # instances: one that kept an earlier version's settings shows).
            fresh = fresh_policy(policy)
            reference = fresh.as_of(moment, area) if fresh is not None else in_force
            expected = _assess(
                reference, case, variant=f"the case under the version in force {side} {what}"
            )
            if decision.policy_version != in_force.settings.version:
                raise violation(
                    14,
                    f"decided {side} {what}, the decision names version "
                    f"{decision.policy_version!r}, not {in_force.settings.version!r}, in force "
                    "then",
                )
            if to_json(decision) != to_json(expected):
                raise violation(
                    14,
                    f"decided {side} {what}, the decision differs from that of the version in "
                    "force then",
                )
            seen.append(in_force.settings.version)
        if seen[0] == seen[1] and policy.as_of(boundary - _MICROSECOND, area) is not policy.as_of(
            boundary, area
        ):
            raise violation(14, f"the same version is named on both sides of {what}")


def check_version_switch(policy: Policy, case: ConformanceCase) -> None:
    """Invariant 14: each dated policy version is in force from its first microsecond.

    With no dated versions in the settings there is nothing to check.

    :raises InvariantViolation: naming the boundary and the versions.
    """
    _version_switch(_run(policy, case))
