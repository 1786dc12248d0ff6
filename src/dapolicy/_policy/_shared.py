"""What the assessment and the control room share: the 'now' checks and tasks."""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterable
from datetime import datetime, timezone
from typing import Any, TypeVar

import attrs

from dapolicy._policy._guard import Call, Guard
from dapolicy._time import on_london_clock
from dapolicy.errors import FieldError, ValidationError, safe_name
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
    plug-in bug that a person must see. Every due time is put on the London clock
    (:func:`dapolicy._time.on_london_clock`), so a decision's deadlines all read in one
    zone, whichever zone each plug-in used.
    """
    call = guard.call(hook, Task, "Task", many=True, cap="tasks", **kwargs)
    # Two datetimes at fixed offsets compare as their instants (``<=`` on the bytes of
    # one offset, or through UTC across two; fold plays no part): in C, rather than
    # two micros() for each task. Anything else (a subclass could compare as it
    # likes) is compared by micros().
    exact = type(start) is datetime and type(start.tzinfo) is timezone
    not_after = micros(start)
    # Due times repeat (the same object, from a plug-in's clock): each is put on the
    # clock once. Keyed by identity, which costs no hash of a datetime: every due
    # time is held by its task until the end of this call, so no id is reused. A task
    # already at London's offset then is kept as it is.
    london: dict[int, datetime] = {}
    results = []
    for name, task in call.results:
        due = task.due_by
        on_clock = london.get(id(due))
        if on_clock is None:
            on_clock = london[id(due)] = on_london_clock(due)
        if on_clock is not due and on_clock.tzinfo != due.tzinfo:
            task = attrs.evolve(task, due_by=on_clock)
        results.append((name, task))
        if (
            on_clock <= start
            if exact and type(on_clock) is datetime and type(on_clock.tzinfo) is timezone
            else micros(on_clock) <= not_after
        ):
            call.failures.append(
                PluginFailure(name, hook, f"{_task_name(task)} is due before the {what}")
            )
    call.results = results
    return call


def _task_name(task: Task) -> str:
    name = safe_name(task.what)
    return "a task" if name is None else f"task {name!r}"


#: The order tasks are listed in: due time, then what, then for whom (a task's
#: ``(due_by, what, for_whom)``, read in C). Every due time is at a fixed offset (its
#: field's converter), where Python compares two datetimes by their instant: the order
#: of their timestamps, without a float worked out for each task.
task_key: Callable[[Task], tuple[datetime, str, str]] = operator.attrgetter(
    "due_by", "what", "for_whom"
)
