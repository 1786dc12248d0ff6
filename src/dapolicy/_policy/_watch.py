"""Noticing a plug-in that changes what it was given, and putting it back.

Every model is a frozen attrs class: it can only be changed by ``object.__setattr__``,
which replaces a field's value. So a snapshot of an object is the tuple of its field
*values* (the objects themselves, so that none can be freed and its id reused), taken
by one ``operator.attrgetter`` call; the object is unchanged as long as the same
getter gives an equal tuple (``==`` on a tuple compares identity first, so an unchanged
field costs one pointer comparison). Nested models are snapshotted the same way, down
through tuples and frozensets; a mutable container met on the way (a list, dict or set
in a plug-in's options) is snapshotted by its contents. A read-only mapping
(``MappingProxyType``, e.g. a form's answers) cannot be changed without reaching its
hidden dict through the garbage collector, which is not looked for.

A change found is put back (the original values are set again), so the rest of the
decision is built from what was given, and the plug-in is recorded as failing.
"""

from __future__ import annotations

import enum
import operator
import types
from collections.abc import Callable
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Any

__all__ = ["Watch"]

_Getter = Callable[[Any], Any]
#: One snapshot: the object, how its state is read, the state when it was taken.
_Entry = tuple[Any, _Getter, Any]

_LEAF, _MODEL, _ITEMS, _MAPPING, _LIST, _DICT, _SET = range(7)
_LEAVES = (str, int, float, bool, bytes, type(None), datetime, date, time, timedelta)
_KINDS: dict[type, int] = dict.fromkeys(_LEAVES, _LEAF)
_GETTERS: dict[type, tuple[_Getter, tuple[str, ...]]] = {}


def _kind(cls: type) -> int:
    kind = _KINDS.get(cls)
    if kind is None:
        if hasattr(cls, "__attrs_attrs__"):
            kind = _MODEL
        elif issubclass(cls, tuple | frozenset):
            kind = _ITEMS
        elif issubclass(cls, types.MappingProxyType):
            kind = _MAPPING
        elif issubclass(cls, list):
            kind = _LIST
        elif issubclass(cls, dict):
            kind = _DICT
        elif issubclass(cls, set):
            kind = _SET
        elif issubclass(cls, enum.Enum | tzinfo):
            kind = _LEAF
        else:
            kind = _LEAF  # not a model: a plug-in's own object is its own business
        _KINDS[cls] = kind
    return kind


def _model_getter(cls: type) -> tuple[_Getter, tuple[str, ...]]:
    found = _GETTERS.get(cls)
    if found is None:
        names = tuple(a.name for a in cls.__attrs_attrs__)  # type: ignore[attr-defined]
        if len(names) == 1:
            one = operator.attrgetter(names[0])

            def getter(obj: Any) -> Any:
                return (one(obj),)

            found = (getter, names)
        else:
            found = (operator.attrgetter(*names), names)
        _GETTERS[cls] = found
    return found


def _list_state(value: Any) -> Any:
    return tuple(value)


def _dict_state(value: Any) -> Any:
    return tuple(value.items())


def _set_state(value: Any) -> Any:
    return frozenset(value)


class Watch:
    """Snapshots of some objects, to check and restore.

    Objects are added under a label ("the incident"); each object is snapshotted once,
    under the first label that reaches it.
    """

    def __init__(self, parent: Watch | None = None) -> None:
        """An empty watch; what ``parent`` watches already is not watched again."""
        self._entries: dict[str, list[_Entry]] = {}
        self._seen: set[int] = set()
        self._held: list[Any] = []  # keeps every object seen alive, so ids stay unique
        self._parent_seen = parent._seen if parent is not None else frozenset()

    def add(self, label: str, obj: Any) -> None:
        """Snapshot ``obj`` and everything it holds, under ``label``."""
        if _kind(type(obj)) is not _LEAF:
            self._reach(obj, self._entries.setdefault(label, []))

    def _reach(self, root: Any, entries: list[_Entry]) -> None:
        # Called for objects that are not leaves only; a stack, not recursion, and
        # each value's kind tested inline, as most values are strings, numbers, times
        # and enums. Which order the objects are reached in does not matter: each is
        # snapshotted once, and a change to any is found and put back.
        seen, parent_seen, held, kinds = self._seen, self._parent_seen, self._held, _KINDS
        stack = [root]
        while stack:
            obj = stack.pop()
            key = id(obj)
            if key in seen or key in parent_seen:
                continue
            seen.add(key)
            held.append(obj)
            cls = type(obj)
            kind = kinds.get(cls)
            if kind is None:
                kind = _kind(cls)
            if kind is _MODEL:
                getter = (_GETTERS.get(cls) or _model_getter(cls))[0]
                values = getter(obj)
                entries.append((obj, getter, values))
            elif kind is _ITEMS:
                values = obj
            elif kind is _MAPPING:
                values = obj.values()
            else:
                state = _STATES[kind]
                entries.append((obj, state, state(obj)))
                values = obj.values() if kind is _DICT else obj
            for value in values:
                found = kinds.get(type(value))
                if found is None:
                    found = _kind(type(value))
                if found is not _LEAF:
                    stack.append(value)

    def changed(self, labels: Any = None) -> list[str]:
        """The labels (of ``labels``, or all) whose objects changed; each is put back."""
        found = []
        for label in self._entries if labels is None else labels:
            entries = self._entries.get(label)
            if not entries:
                continue
            broken = [e for e in entries if e[1](e[0]) != e[2]]  # identity first, per field
            if broken:
                found.append(label)
                for entry in broken:
                    _restore(*entry)
        return found


_STATES: dict[int, _Getter] = {_LIST: _list_state, _DICT: _dict_state, _SET: _set_state}


def _restore(obj: Any, getter: _Getter, values: Any) -> None:
    if getter is _list_state:
        obj[:] = values
    elif getter is _dict_state or getter is _set_state:
        obj.clear()
        obj.update(values)
    else:
        _, names = _model_getter(type(obj))
        for name, value in zip(names, values, strict=True):
            object.__setattr__(obj, name, value)
