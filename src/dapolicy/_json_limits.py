"""Limits on one JSON record that hold before and while it is parsed (private).

Python's own parser has two ways to fail on hostile text that are not
:class:`json.JSONDecodeError`: an array or object nested about a thousand deep raises
``RecursionError``, and an integer of more than ``sys.get_int_max_str_digits()``
digits (4,300 by default) raises a plain ``ValueError``. Either would end a batch
with a traceback. Here both become a :class:`~dapolicy.errors.FieldError` with a
path, and the nesting is bounded *before* the parser runs, far below the depth at
which anything downstream (the parser, the converter, the error walk) could recurse
too deeply.
"""

from __future__ import annotations

import functools
import itertools
import json
import re
import sys
from collections.abc import Callable, Iterator
from typing import Any

from dapolicy.errors import FieldError, join_path

__all__ = ["MAX_DEPTH", "JSONLimitError", "loads"]

#: The deepest nesting of arrays and objects a record may have. A case is about six
#: deep; anything near this is not a record.
MAX_DEPTH = 64

_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_BRACKETS = re.compile(r"[^\[\]{}]+")
_STEP = {"[": 1, "{": 1, "]": -1, "}": -1}


class JSONLimitError(ValueError):
    """A record over a limit: the problems, each with its path."""

    def __init__(self, errors: list[FieldError]) -> None:
        super().__init__("record over a limit")
        self.errors = errors


def too_deep(text: str, limit: int = MAX_DEPTH) -> bool:
    """Whether arrays and objects in ``text`` nest more than ``limit`` deep.

    Brackets inside strings do not count. Text with fewer opening brackets than the
    limit cannot be too deep, which settles almost every record with two C-speed
    counts; otherwise the brackets outside strings are summed in order.
    """
    if text.count("[") + text.count("{") <= limit:
        return False
    outside = _BRACKETS.sub("", _STRING.sub("", text))
    return max(itertools.accumulate(map(_STEP.__getitem__, outside)), default=0) > limit


class _TooManyDigits:
    """Stands for an integer too long to convert, so its path can be found."""


_TOO_MANY = _TooManyDigits()


def loads(text: str, object_pairs_hook: Callable[[list[tuple[str, Any]]], Any]) -> Any:
    """``json.loads`` within the limits.

    :raises JSONLimitError: the nesting is deeper than :data:`MAX_DEPTH`, or an
        integer has more digits than Python converts (each such integer's path named).
    :raises json.JSONDecodeError: the text is not JSON.
    """
    if too_deep(text):
        message = f"nested more than {MAX_DEPTH} arrays or objects deep"
        raise JSONLimitError([FieldError("$", message)])
    try:
        return json.loads(text, object_pairs_hook=object_pairs_hook)
    except json.JSONDecodeError:
        raise
    except RecursionError:  # pragma: no cover - too_deep() stops this first
        message = "nested too deep to read"
        raise JSONLimitError([FieldError("$", message)]) from None
    except ValueError as exc:
        if "integer string conversion" not in str(exc):
            raise
    # Read it again, every over-long integer standing in as a marker, to name where
    # each one is. (Only on this rare path: a parse_int hook slows every number.)
    data = json.loads(text, object_pairs_hook=object_pairs_hook, parse_int=_bounded_int)
    limit = sys.get_int_max_str_digits()
    message = f"a number of more than {limit} digits"
    raise JSONLimitError([FieldError(path, message) for path in _markers(data, "$")])


def _bounded_int(digits: str) -> int | _TooManyDigits:
    try:
        return int(digits)
    except ValueError:
        return _TOO_MANY


@functools.cache
def field_names() -> frozenset[str]:
    """Every field name of dapolicy's model types: the keys safe to quote in a path."""
    import attrs

    from dapolicy import models

    classes = (getattr(models, name) for name in models.__all__)
    return frozenset(
        field.name for cls in classes if attrs.has(cls) for field in attrs.fields(cls)
    )


def _markers(value: Any, path: str) -> Iterator[str]:
    if value is _TOO_MANY:
        yield path
    elif isinstance(value, dict):
        known = field_names()
        for index, (key, item) in enumerate(value.items()):
            # A key from input is input: named only when it is one of the schema's.
            yield from _markers(item, join_path(path, key if key in known else f"#{index}"))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _markers(item, join_path(path, index))
