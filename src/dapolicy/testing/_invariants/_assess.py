"""Assessing a case under the kit: log capture, invariant 3's raise check, the run."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

import attrs

from dapolicy import hookspecs
from dapolicy.history import InMemoryHistory
from dapolicy.models import (
    Decision,
    Incident,
    RiskForm,
)
from dapolicy.policy import Policy
from dapolicy.testing._invariants._case import ConformanceCase, _utc
from dapolicy.testing._invariants._personal import _personal_data


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
            history=history if history is not None else case.history,
            now=now if now is not None else case.now,
        )
    except Exception as exc:
        raise AssertionError(
            f"invariant 3 (total): assess raised {type(exc).__name__} for {variant}, a "
            f"valid case: {_safe_error(exc, case)}"
        ) from exc
    if not isinstance(decision, Decision):
        raise AssertionError(
            f"invariant 3 (total): assess returned a {type(decision).__name__} for "
            f"{variant}, not a Decision"
        )
    return decision


def _safe_error(exc: BaseException, case: ConformanceCase) -> str:
    text = str(exc)
    for what, value in _personal_data(case):
        text = text.replace(value, f"<{what}>")
    return text


@attrs.define
class _Run:
    """One assessment of a case, with the log records it emitted."""

    policy: Policy
    case: ConformanceCase
    decision: Decision
    records: list[logging.LogRecord]


def _run(policy: Policy, case: ConformanceCase) -> _Run:
    with _capturing_logs() as records:
        decision = _assess(policy, case)
    return _Run(policy, case, decision, records)


def _destinations(decision: Decision) -> list[str]:
    return sorted(d.value for d in decision.referred_to())


def _task_keys(decision: Decision) -> set[tuple[str, str, datetime]]:
    return {(t.what, t.for_whom, _utc(t.due_by)) for t in decision.tasks}
