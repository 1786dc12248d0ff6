"""What the assessment and the control room share: the 'now' checks and tasks."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any, TypeVar

from dapolicy._policy._guard import Call, Guard
from dapolicy.errors import FieldError, ValidationError
from dapolicy.models import PluginFailure, Task
from dapolicy.models._base import micros

__all__ = ["check_now", "now_errors", "task_call", "task_key", "unique"]

T = TypeVar("T")


def now_errors(now: datetime, not_before: datetime | None, what: str) -> list[FieldError]:
    """What is wrong with a ``now``: naive, or before ``not_before`` (``what`` it was)."""
    if not isinstance(now, datetime) or now.utcoffset() is None:
        return [FieldError("$.now", "must be a datetime with a UTC offset")]
    if not_before is not None and micros(now) < micros(not_before):
        return [FieldError("$.now", f"is before {what}")]
    return []


def check_now(now: datetime, not_before: datetime | None, what: str) -> None:
    """Raise the :class:`ValidationError` for what :func:`now_errors` finds."""
    errors = now_errors(now, not_before, what)
    if errors:
        raise ValidationError("call", errors)


def unique(items: Iterable[T]) -> tuple[T, ...]:
    """``items`` without repeats, in first-seen order."""
    return tuple(dict.fromkeys(items))


def task_call(guard: Guard, hook: str, start: datetime, what: str, **kwargs: Any) -> Call:
    """Tasks from every plug-in; one due at or before ``start`` is kept and flagged.

    Work is never dropped, but a deadline before the ``what`` it follows is a
    plug-in bug that a person must see.
    """
    call = guard.call(hook, lambda r: isinstance(r, Task), "Task", many=True, **kwargs)
    call.failures += [
        PluginFailure(name, hook, f"task {task.what!r} is due before the {what}")
        for name, task in call.results
        if micros(task.due_by) <= micros(start)
    ]
    return call


def task_key(task: Task) -> tuple[float, str, str]:
    """The order tasks are listed in: due time, then what, then for whom."""
    return (task.due_by.timestamp(), task.what, task.for_whom)
