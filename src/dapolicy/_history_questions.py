"""A history query's arguments as a key: a view answers the same question once."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any
from zoneinfo import ZoneInfo

__all__ = ["question", "window_question"]

_ZONES = (timezone, ZoneInfo)


def question(*parts: object) -> tuple[Any, ...] | None:
    """A query's arguments as a key that equals another only for the same question.

    Ids must be text (or None) and times aware datetimes in a fixed offset or a
    ``zoneinfo`` zone, each keyed with its ``fold``: two datetimes in one zone compare
    by wall clock, ignoring ``fold``, so in the hour the clocks go back two different
    instants would otherwise be one key (in two zones, Python never finds a time in
    that hour equal to anything). ``None`` for anything else (the query is then
    asked, not kept).
    """
    key: list[Any] = []
    for part in parts:
        if part is None or type(part) is str:
            key.append(part)
        elif type(part) is datetime and type(part.tzinfo) in _ZONES:
            key.append(part)
            key.append(part.fold)
        else:
            return None
    return tuple(key)


def window_question(
    victim_id: object,
    since: object,
    until: object,
    other: object,
    exclude: object,
    known: object,
) -> tuple[Any, ...] | None:
    """``question(victim_id, since, until, other, exclude, known)``, the usual case quickly.

    The same key for text ids and plain aware datetimes; None where it is not sure
    (then the question is asked, not kept: the same answer, only not remembered).
    """
    if (
        type(victim_id) is str
        and type(since) is datetime
        and type(until) is datetime
        and type(known) is datetime
        and (other is None or type(other) is str)
        and (exclude is None or type(exclude) is str)
        and type(since.tzinfo) in _ZONES
        and type(until.tzinfo) in _ZONES
        and type(known.tzinfo) in _ZONES
    ):
        return (victim_id, since, since.fold, until, until.fold, other, exclude, known, known.fold)
    return None
