"""Assessing a case under the kit: log capture, invariant 3's raise check, the run."""

from __future__ import annotations

import logging
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

import attrs

from dapolicy import hookspecs
from dapolicy.errors import ValidationError
from dapolicy.history import InMemoryHistory
from dapolicy.models import (
    Decision,
    Incident,
    RiskForm,
)
from dapolicy.policy import Policy
from dapolicy.serialization import to_json
from dapolicy.testing._invariants._case import ConformanceCase, _utc
from dapolicy.testing._invariants._personal import _personal_data
from dapolicy.testing._invariants._spy import HookCall, spied
from dapolicy.testing._invariants._violation import violation


class _Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@contextmanager
def _capturing_logs() -> Iterator[list[logging.LogRecord]]:
    """Every log record emitted meanwhile, at DEBUG and above, from any logger."""
    handler = _Records()
    root = logging.getLogger()
    ours = logging.getLogger(hookspecs.PROJECT)
    levels = (root.level, ours.level)
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    ours.setLevel(logging.DEBUG)
    try:
        yield handler.records
    finally:
        root.removeHandler(handler)
        root.setLevel(levels[0])
        ours.setLevel(levels[1])


#: Marks an argument of :func:`_assess` left as the case has it.
_SAME: Any = object()


def _assess(
    policy: Policy,
    case: ConformanceCase,
    *,
    incident: Incident | None = None,
    form: RiskForm | None = _SAME,
    history: InMemoryHistory | None = None,
    now: datetime | None = None,
    variant: str = "the case",
) -> Decision:
    """Assess the case (with changes); a raise or a non-decision breaks invariant 3."""
    try:
        decision = policy.assess(
            incident if incident is not None else case.incident,
            case.form if form is _SAME else form,
            dara=case.dara,
            history=history if history is not None else case.history,
            now=now if now is not None else case.now,
        )
    except Exception as exc:
        raise violation(
            3,
            f"assess raised {type(exc).__name__} for {variant}, a valid case: "
            f"{_safe_error(exc, case)}",
        ) from exc
    if not isinstance(decision, Decision):
        raise violation(
            3, f"assess returned a {type(decision).__name__} for {variant}, not a Decision"
        )
    return decision


def _safe_error(exc: BaseException, case: ConformanceCase) -> str:
    if not isinstance(exc, ValidationError):
        return "(its message is not shown: it may quote the case)"
    text = str(exc)
    for what, value in _personal_data(case):
        text = text.replace(value, f"<{what}>")
    return text


@attrs.define
class _Run:
    """One assessment of a case, with what it logged and warned, and every hook call."""

    policy: Policy
    case: ConformanceCase
    decision: Decision
    records: list[logging.LogRecord]
    warned: list[warnings.WarningMessage] = attrs.Factory(list)
    calls: list[HookCall] | None = None
    watched: Decision | None = None
    history_before: Any = None
    history_after: Any = None
    inputs_before: tuple[str, str] = ("", "")


def _inputs(case: ConformanceCase) -> tuple[str, str]:
    form = to_json(case.form) if case.form is not None else ""
    if case.dara is not None:  # the DARA form beside it counts as the form too
        form += "\n" + to_json(case.dara)
    return to_json(case.incident), form


def _run(policy: Policy, case: ConformanceCase) -> _Run:
    """Assess the case through the spied copy of the policy, if any, and then itself.

    The decision is the policy's own (the spied copy has the same plug-ins, but a
    plug-in manager of its own, which does not know their distributions); the hook
    calls are the copy's.
    """
    spy = spied(policy)
    history = case.history
    before = history.content()
    inputs = _inputs(case)
    calls: list[HookCall] | None = None
    watched: Decision | None = None
    with _capturing_logs() as records, warnings.catch_warnings(record=True) as warned:
        warnings.simplefilter("always")
        if spy is not None:
            # First, so that a plug-in that changes its inputs is seen doing it.
            start = len(spy.calls)
            try:
                watched = _assess(spy.policy, case, history=history)
            finally:
                calls = spy.calls[start:]
                del spy.calls[start:]
        decision = _assess(policy, case, history=history)
    return _Run(
        policy,
        case,
        decision,
        records,
        list(warned),
        calls,
        watched,
        before,
        history.content(),
        inputs,
    )


def _destinations(decision: Decision) -> list[str]:
    return sorted(d.value for d in decision.referred_to())


def _task_keys(decision: Decision) -> set[tuple[str, str, datetime]]:
    return {(t.what, t.for_whom, _utc(t.due_by)) for t in decision.tasks}
