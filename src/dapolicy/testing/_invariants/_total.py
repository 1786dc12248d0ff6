"""Invariant 3: every valid case gets a decision; broken plug-ins are recorded."""

from __future__ import annotations

import weakref
from collections.abc import Iterable, Iterator
from typing import Any

import attrs

from dapolicy.hookspecs import hookimpl
from dapolicy.models import (
    Finding,
    Incident,
    RiskGrade,
)
from dapolicy.policy import Policy
from dapolicy.testing._invariants._assess import (
    _assess,
    _capturing_logs,
    _destinations,
    _Run,
    _run,
    _task_keys,
)
from dapolicy.testing._invariants._case import ConformanceCase
from dapolicy.testing._invariants._personal import _failure_and_log_texts, _scan
from dapolicy.testing._invariants._violation import violation

#: Names under which the deliberately broken plug-ins of invariant 3 are registered.
RAISING_PLUGIN = "conformance-raises"

GARBAGE_PLUGIN = "conformance-garbage"


def _personal_text(incident: Incident) -> str:
    victim = incident.victim
    parts = [victim.name, victim.address, victim.phone, incident.suspect.name]
    return "; ".join(p for p in parts if p) or "no personal data"


class _Raising:
    """A plug-in that raises in every contribution hook, quoting personal data."""

    __name__ = RAISING_PLUGIN  # the name it is registered under

    @hookimpl
    def dapolicy_assess_risk(self, incident: Incident) -> Finding | None:
        raise RuntimeError(f"risk model crashed on {_personal_text(incident)}")

    @hookimpl
    def dapolicy_escalations(self, incident: Incident) -> Iterable[Any]:
        raise KeyError(_personal_text(incident))

    @hookimpl
    def dapolicy_referrals(self, incident: Incident) -> Iterator[Any]:
        yield from ()
        raise ValueError(f"half-way through the referrals of {_personal_text(incident)}")

    @hookimpl
    def dapolicy_tasks(self, incident: Incident) -> Iterable[Any]:
        raise ZeroDivisionError(_personal_text(incident))

    @hookimpl
    def dapolicy_allocate(self, incident: Incident) -> Any:
        raise AttributeError(_personal_text(incident))


class _Garbage:
    """A plug-in that returns the wrong types from every contribution hook."""

    __name__ = GARBAGE_PLUGIN  # the name it is registered under

    @hookimpl
    def dapolicy_assess_risk(self) -> Any:
        return "high"

    @hookimpl
    def dapolicy_escalations(self) -> Any:
        return [None]

    @hookimpl
    def dapolicy_referrals(self) -> Any:
        return 42

    @hookimpl
    def dapolicy_tasks(self) -> Any:
        return [RiskGrade.HIGH]

    @hookimpl
    def dapolicy_allocate(self) -> Any:
        return "a detective"


_BROKEN: weakref.WeakKeyDictionary[Policy, Policy] = weakref.WeakKeyDictionary()


def _with_broken_plugins(policy: Policy) -> Policy:
    """A copy of ``policy`` with the two broken plug-ins registered too.

    The original is untouched: the copy has its own plug-in manager holding the same
    plug-ins (and consults the broken ones' risk models even when the settings name
    the risk models to use).
    """
    cached = _BROKEN.get(policy)
    if cached is not None:
        return cached
    settings = policy.settings
    chosen = settings.plugins.risk_models
    if chosen is not None:
        names = (*chosen, RAISING_PLUGIN, GARBAGE_PLUGIN)
        settings = attrs.evolve(
            settings, plugins=attrs.evolve(settings.plugins, risk_models=names)
        )
    clone = policy.with_plugins(_Raising(), _Garbage(), settings=settings)
    _BROKEN[policy] = clone
    return clone


def _total(run: _Run) -> None:
    decision = run.decision
    if not isinstance(decision.grade, RiskGrade):
        raise violation(3, "the decision has no risk grade")
    if decision.failures:
        failure = decision.failures[0]
        raise violation(
            3,
            f"plug-in {failure.plugin!r} failed in {failure.hook} on "
            f"a valid case ({failure.error})",
        )
    broken = _with_broken_plugins(run.policy)
    with _capturing_logs() as records:
        other = _assess(broken, run.case, variant="the case with two broken plug-ins added")
    failed = {f.plugin for f in other.failures}
    missing = sorted({RAISING_PLUGIN, GARBAGE_PLUGIN} - failed)
    if missing:
        raise violation(
            3,
            f"a plug-in that raises or returns garbage was not "
            f"recorded as a failure ({', '.join(missing)})",
        )
    if not other.needs_review:
        raise violation(3, "a decision with plug-in failures does not need review")
    if other.grade < decision.grade:
        raise violation(
            3,
            f"broken plug-ins lowered the grade from "
            f"{decision.grade.value} to {other.grade.value}",
        )
    lost = sorted(set(_destinations(decision)) - set(_destinations(other)))
    if lost or not _task_keys(decision) <= _task_keys(other):
        raise violation(
            3,
            f"broken plug-ins removed the other plug-ins' referrals "
            f"({', '.join(lost) or 'none'}) or tasks",
        )
    # The broken plug-ins quote personal data in their exceptions: none may reach the
    # decision's failures or the logs (invariant 9).
    _scan(_failure_and_log_texts(other, records), run.case, "with broken plug-ins added")


def check_total(policy: Policy, case: ConformanceCase) -> None:
    """Invariant 3: a valid case gets a decision; broken plug-ins are recorded, not silent.

    The case must be assessed without raising and without any plug-in failure. Then the
    same case is assessed by a copy of the policy with two broken plug-ins added (one
    raises in every hook, quoting the victim's personal data; one returns the wrong
    types): the decision must need review, record a failure for each, keep every other
    plug-in's referrals and tasks, keep the grade at least as high, and leak none of
    the personal data (invariant 9).

    :raises InvariantViolation: saying which part failed.
    """
    _total(_run(policy, case))
