"""Invariant 8: due times are after the report and right across clock changes."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import Any

import attrs

from dapolicy.models import (
    Decision,
    Incident,
    Reason,
)
from dapolicy.plugins import safeguarding
from dapolicy.policy import Policy
from dapolicy.testing._invariants._assess import _assess, _destinations, _Run, _run
from dapolicy.testing._invariants._case import _ZONES, WELFARE_CHECK, ConformanceCase, _utc


def _signature(decision: Decision) -> tuple[Any, ...]:
    return (
        decision.grade,
        _destinations(decision),
        sorted((t.what, t.for_whom, _utc(t.due_by)) for t in decision.tasks),
        sorted((f.plugin, f.hook, f.error) for f in decision.failures),
    )


def _expected_elapsed(
    incident: Incident, what: str, reasons: Sequence[Reason], whom: str
) -> timedelta | None:
    """The elapsed time the built-in welfare check promises, when this is that task."""
    if what != WELFARE_CHECK or not any(
        r.rule == "safeguarding.child-welfare-check" for r in reasons
    ):
        return None
    for child in incident.children:
        if child.id == whom:
            hours = safeguarding.PRESENT_HOURS if child.present else safeguarding.RESIDENT_HOURS
            return timedelta(hours=hours)
    return None


def _due_times(run: _Run) -> None:
    incident, decision = run.case.incident, run.decision
    reported = _utc(incident.reported_at)
    for task in decision.tasks:
        due = _utc(task.due_by)
        if due <= reported:
            raise AssertionError(
                f"invariant 8 (due times): task {task.what!r} is due at {due.isoformat()}, "
                f"not after the report at {reported.isoformat()}"
            )
        expected = _expected_elapsed(incident, task.what, task.reasons, task.for_whom)
        if expected is not None and due - reported != expected:
            raise AssertionError(
                f"invariant 8 (due times): task {task.what!r} is due {due - reported} after "
                f"the report at {reported.isoformat()}, not {expected}"
            )
    signature = _signature(decision)
    for label, zone in _ZONES:
        moved = attrs.evolve(
            incident,
            reported_at=incident.reported_at.astimezone(zone),
            occurred_at=incident.occurred_at.astimezone(zone),
        )
        other = _assess(
            run.policy,
            run.case,
            incident=moved,
            now=run.case.now.astimezone(zone),
            variant=f"the case with its times written in {label}",
        )
        if _signature(other) != signature:
            raise AssertionError(
                "invariant 8 (due times): the decision depends on the zone the case's times "
                f"are written in: with them in {label}, its grade, referrals, due times or "
                f"failures differ (due {_due_list(other)} instead of {_due_list(decision)}; "
                f"failures {len(other.failures)} instead of {len(decision.failures)})"
            )


def _due_list(decision: Decision) -> str:
    return (
        ", ".join(sorted(f"{t.what}@{_utc(t.due_by).isoformat()}" for t in decision.tasks))
        or "none"
    )


def check_due_times(policy: Policy, case: ConformanceCase) -> None:
    """Invariant 8: due times are after the report and right across clock changes.

    Every task must be due after the report (compared as instants), the built-in
    welfare check exactly 1 hour (child present) or 24 hours (usually resident) of
    elapsed time after it, and the decision -- grade, referrals, the instants tasks are
    due, failures -- must not change when the case's times are written in UTC,
    Europe/London or a fixed offset instead (a rule that adds hours to a London wall
    clock, or takes the calendar day in the wrong zone, fails this near clock changes).

    :raises AssertionError: naming the task and the times.
    """
    _due_times(_run(policy, case))
