"""The fast twin of ``to_json``: generated per-class writers, cached reasons, orjson.

For each attrs class, a writer is generated once from its fields' declared types. It
builds what the default converter's ``unstructure`` builds, field for field, in the same
order, and orjson writes it. orjson's text for strings, integers, booleans, null,
arrays and objects is the stdlib's (``ensure_ascii=False``, compact separators); it
differs on floats, on integers past 64 bits, on lone surrogates and on values the
stdlib refuses (datetimes, enums). So a writer checks the exact class of every value it
passes through (a subclass, a float, anything unexpected raises :class:`_Unsure`),
orjson's own refusals are caught too, and then :func:`dumps` gives ``None``: the pure
path writes that record. A class with a field of a type not handled here (a float, a
union, ``Any``) has no writer at all.

A nested model (a decision's tasks, referrals, findings, allocation) is written inline,
in its container's writer, by the same checks: a loop over a tuple of models, not a
call for each (a call cost about a tenth of writing a decision). A class met again
inside itself has no writer; past :data:`INLINED_DEPTH` levels or
:data:`INLINED_LINES` lines a nested model is written by its own class's writer
instead, so no generated source nests or grows without bound.

Shared sub-objects are written once: a :class:`~dapolicy.models.Reason` is kept as its
finished JSON (an ``orjson.Fragment``) under its three strings, so the cache holds by
value (an equal reason built afresh finds it; a reason changed in place does not find
its old text) and is bounded (:data:`REASONS_KEPT` entries, none over
:data:`REASON_BYTES_KEPT`; the cache starts again when full). A tuple of one reason
(most tasks' and referrals') is kept whole, as its JSON array, in a second cache of the
same kind and bounds, so no list is built for it. The three strings are
read by the writer's own attribute loads, not by ``operator.attrgetter`` (which looks
each one up by name, several times slower). The plug-in list, a tuple a policy shares
with every decision it makes, is kept under its identity, with a reference to it so the
identity cannot be reused while it is kept.
"""

from __future__ import annotations

import enum
import types
from collections.abc import Callable, Mapping
from datetime import date, datetime, timezone
from typing import Any, Union, get_args, get_origin, get_type_hints

import attrs

from dapolicy import _speedups
from dapolicy.models import PluginInfo, Reason

__all__ = ["REASONS_KEPT", "REASON_BYTES_KEPT", "dumps", "dumps_bytes"]

#: The most reasons kept as finished JSON; the cache is emptied when it is full.
REASONS_KEPT = 4096
#: A reason whose JSON is longer than this many bytes is written but not kept.
REASON_BYTES_KEPT = 2048
#: The most plug-in lists kept (a policy and each of its versions has one).
PLUGIN_LISTS_KEPT = 64
#: The most classes a writer is made for (kept for the life of the process).
CLASSES_KEPT = 256
#: How deep nested models are written inline (each tuple of models is a loop, and
#: Python allows 20 nested loops), and in how many lines of source at most (a model
#: holding two of another, each holding two, ... would double at each level); past
#: either, a nested model is written by its own class's writer.
INLINED_DEPTH = 8
INLINED_LINES = 1000

Writer = Callable[[Any], Any]


class _Unsure(Exception):
    """A value the fast writer cannot promise to write as the pure path does."""


_orjson: Any = _speedups.orjson
_reasons: dict[tuple[str, str, str], Any] = {}
_alone: dict[tuple[str, str, str], Any] = {}  # a one-reason tuple's JSON array, by its reason
_plugin_lists: dict[int, tuple[tuple[PluginInfo, ...], Any]] = {}
_writers: dict[type, Writer | None] = {}


def dumps(obj: object) -> str | None:
    """The pure path's text for ``obj``, or ``None`` when this writer is not sure of it."""
    written = dumps_bytes(obj)
    return None if written is None else written.decode()


def dumps_bytes(obj: object) -> bytes | None:
    """:func:`dumps` as UTF-8 (``dumps(obj).encode()``), without decoding it to ``str``."""
    cls = obj.__class__
    try:
        writer = _writers[cls]
    except KeyError:
        writer = _writer(cls)
    if writer is None:
        return None
    try:
        written: bytes = _orjson.dumps(writer(obj))
    except Exception:  # _Unsure, orjson's refusals, a broken object: the pure path decides
        return None
    return written


def _reason(item: Any) -> Any:
    """A reason's JSON, kept by its three strings (the miss of the writers' inline look-up)."""
    key, written = _reason_json(item)
    return _keep(_reasons, key, written)


def _reason_alone(item: Any) -> Any:
    """The JSON of a tuple holding the one reason ``item`` (``[{...}]``), kept the same way.

    Most tasks and referrals have one reason: kept as the whole array, a writer builds
    no list for it and orjson walks none (about 4 % of writing a decision).
    """
    key, written = _reason_json(item)
    return _keep(_alone, key, b"[" + written + b"]")


def _reason_json(item: Any) -> tuple[tuple[str, str, str], bytes]:
    """A reason's three strings, checked, and its JSON (the pure path's, by orjson)."""
    if item.__class__ is not Reason:
        raise _Unsure
    rule, source, text = item.rule, item.source, item.text
    if rule.__class__ is not str or source.__class__ is not str or text.__class__ is not str:
        raise _Unsure
    return (rule, source, text), _orjson.dumps({"rule": rule, "source": source, "text": text})


def _keep(kept: dict[Any, Any], key: tuple[Any, ...], written: bytes) -> Any:
    """``written`` as a fragment, kept under ``key`` unless it is long (the cache is bounded)."""
    fragment = _orjson.Fragment(written)
    if len(written) <= REASON_BYTES_KEPT:
        if len(kept) >= REASONS_KEPT:
            kept.clear()
        kept[key] = fragment
    return fragment


#: The caches of :func:`_tail_cache`, one for each name of a last field (bounded each).
_tails: dict[str, tuple[dict[tuple[Any, ...], Any], Callable[[Any, Any], Any]]] = {}


def _tail_cache(name: str) -> tuple[dict[tuple[Any, ...], Any], Callable[[Any, Any], Any]]:
    """The cache and its miss for a one-reason tuple followed by the last field ``name``.

    A task's last two fields are its reasons and its assignee: most tasks have one
    reason, and a plan's few steps have few assignees, so ``[{reason}],"assignee":"…"``
    is kept whole (by the reason's three strings and the string, like the reasons), as
    the value of the ``"reasons"`` key: one key fewer for the writer and for orjson.
    """
    found = _tails.get(name)
    if found is not None:
        return found
    kept: dict[tuple[Any, ...], Any] = {}
    label = b"]," + _orjson.dumps(name) + b":"

    def tail(item: Any, value: Any) -> Any:
        key, written = _reason_json(item)
        return _keep(kept, (*key, value), b"[" + written + label + _orjson.dumps(value))

    _tails[name] = kept, tail
    return kept, tail


def _merges_tail(fields: Any, hints: dict[str, Any]) -> bool:
    """Whether a model ends with a tuple of reasons and then a string (or ``None``)."""
    if len(fields) < 2 or hints[fields[-2].name] != tuple[Reason, ...]:
        return False
    return hints[fields[-1].name] in (str, str | None, Union[str, None])  # noqa: UP007


def _plugins(value: Any) -> Any:
    """A plug-in list's JSON, kept by the identity of the (immutable) tuple."""
    kept = _plugin_lists.get(id(value))
    if kept is not None and kept[0] is value:
        return kept[1]
    if value.__class__ is not tuple:
        raise _Unsure
    write = _writer(PluginInfo)
    assert write is not None
    fragment = _orjson.Fragment(_orjson.dumps([write(item) for item in value]))
    if len(_plugin_lists) >= PLUGIN_LISTS_KEPT:
        _plugin_lists.clear()
    _plugin_lists[id(value)] = (value, fragment)
    return fragment


def _unsure() -> Any:
    raise _Unsure


#: Fixed offsets of whole minutes: orjson writes a datetime at one of them exactly as
#: ``datetime.isoformat`` does (year, microseconds and all), so such a datetime is left
#: for orjson to write (isoformat costs several times more).
_zones: set[timezone] = set()
ZONES_KEPT = 256


def _moment(value: Any) -> Any:
    """A datetime (declared) whose zone is not yet known here: checked, or its isoformat."""
    zone = value.tzinfo if value.__class__ is datetime else None
    if zone.__class__ is timezone and len(_zones) < ZONES_KEPT:
        offset = zone.utcoffset(None)
        if offset.microseconds == 0 and offset.seconds % 60 == 0:
            _zones.add(zone)
            return value
    return datetime.isoformat(value)  # the pure path's hook (it raises for a non-datetime)


# --- generating a class's writer -------------------------------------------------------


class _Unsupported(Exception):
    """A declared type this module does not write (the class then has no writer)."""


def _writer(cls: type) -> Writer | None:
    """The writer of ``cls`` (made once), or ``None`` if it has none."""
    if cls in _writers:
        return _writers[cls]
    if len(_writers) >= CLASSES_KEPT or not attrs.has(cls):
        return None
    _writers[cls] = None  # while it is made: a class that contains itself has no writer
    try:
        made: Writer | None = _Generator(cls).function()
    except (_Unsupported, SyntaxError, RecursionError):  # the last two: never, but no crash
        made = None
    _writers[cls] = made
    return made


_PASSED = (str, int, bool)  # written by cattrs as they are, and by orjson as the stdlib


class _Generator:
    """Python source for one class's writer, compiled once."""

    def __init__(self, cls: type) -> None:
        self.cls = cls
        self.names: dict[str, Any] = {
            "_C": cls,
            "_U": _Unsure,
            "_unsure": _unsure,
            "_R": _reasons,
            "_reason": _reason,
            "_R1": _alone,
            "_reason_alone": _reason_alone,
            "_plugins": _plugins,
            "_datetime": datetime,
            "_zones": _zones,
            "_moment": _moment,
            "_date": date,
            "_tuple": tuple,
            "_frozenset": frozenset,
            "_sorted": sorted,
            "_map": map,
            "_mappings": (dict, types.MappingProxyType),
        }
        self.lines: list[str] = []
        self.count = 0
        self.inlined: list[type] = []

    def function(self) -> Writer:
        body = ["def write(o):"]
        expression = self._object(self.cls, "o", 1)
        body += self.lines
        body.append(f"    return {expression}")
        namespace = dict(self.names)
        exec("\n".join(body), namespace)  # the source is built here, from field names
        function: Writer = namespace["write"]
        return function

    def _object(self, cls: type, source: str, depth: int) -> str:
        """Emit the statements writing ``source``, exactly a ``cls``; its dict's expression."""
        if cls in self.inlined:  # a class inside itself: its depth has no bound
            raise _Unsupported
        try:
            hints = get_type_hints(cls)
        except Exception:
            raise _Unsupported from None
        self.inlined.append(cls)
        name = "_C" if cls is self.cls else self._name(cls)
        self._emit(f"if {source}.__class__ is not {name}: raise _U", depth)
        fields = attrs.fields(cls)
        merged = _merges_tail(fields, hints)
        items = []
        for field in fields[:-2] if merged else fields:
            target = self._value(hints[field.name], f"{source}.{field.name}", depth)
            items.append(f"{field.name!r}: {target}")
        written = "{" + ", ".join(items) + "}"
        if merged:
            written = self._tail(fields[-2].name, fields[-1], hints, source, depth, items)
        self.inlined.pop()
        return written

    def _tail(
        self,
        reasons: str,
        last: Any,
        hints: dict[str, Any],
        source: str,
        depth: int,
        items: list[str],
    ) -> str:
        """Emit a model's last two fields, reasons then a string (see :func:`_merges_tail`).

        A tuple of one reason and the string after it are one kept fragment, the value
        of the reasons' key; any other tuple is written as usual, with the last key.
        """
        var, item, made = self._var(), self._var(), self._var()
        self._emit(f"{var} = {source}.{reasons}", depth)
        self._emit(f"if {var}.__class__ is not _tuple: raise _U", depth)
        value = self._value(hints[last.name], f"{source}.{last.name}", depth)
        kept, tail = _tail_cache(last.name)
        head = ", ".join(items)
        head = head + ", " if head else head
        key = f"({item}.rule, {item}.source, {item}.text, {value})"
        self._emit(f"if len({var}) == 1:", depth)
        self._emit(f"    {item} = {var}[0]", depth)
        fragment = f"{self._name(kept)}.get({key}) or {self._name(tail)}({item}, {value})"
        self._emit(f"    {made} = {{{head}{reasons!r}: {fragment}}}", depth)
        self._emit("else:", depth)
        self._emit(f"    if {var}:", depth)
        self._tuple(Reason, var, depth + 2)
        self._emit(f"    {made} = {{{head}{reasons!r}: {var}, {last.name!r}: {value}}}", depth)
        return made

    def _name(self, value: Any) -> str:
        self.count += 1
        name = f"_n{self.count}"
        self.names[name] = value
        return name

    def _var(self) -> str:
        self.count += 1
        return f"v{self.count}"

    def _emit(self, line: str, depth: int) -> None:
        self.lines.append("    " * depth + line)

    def _value(self, kind: Any, source: str, depth: int) -> str:
        """Emit the statements writing ``source`` (declared ``kind``); its expression."""
        var = self._var()
        self._emit(f"{var} = {source}", depth)
        origin, args = get_origin(kind), get_args(kind)
        if kind in _PASSED:
            self._emit(f"if {var}.__class__ is not {kind.__name__}: raise _U", depth)
        elif kind is datetime:  # orjson's own text where it is isoformat()'s (see _moment)
            check = f"{var}.__class__ is not _datetime or {var}.tzinfo not in _zones"
            self._emit(f"if {check}: {var} = _moment({var})", depth)
        elif kind is date:
            self._emit(f"{var} = _date.isoformat({var})", depth)
        elif isinstance(kind, type) and issubclass(kind, enum.Enum):
            if not all(type(member.value) in _PASSED for member in kind):
                raise _Unsupported
            self._emit(f"if {var}.__class__ is not {self._name(kind)}: raise _U", depth)
            self._emit(f"{var} = {var}._value_", depth)
        elif isinstance(kind, type) and attrs.has(kind):
            if self._inline(depth):
                self._emit(f"{var} = {self._object(kind, var, depth)}", depth)
            else:
                self._emit(f"{var} = {self._nested(kind)}({var})", depth)
        elif origin in (Union, types.UnionType) and len(args) == 2 and type(None) in args:
            (inner,) = (arg for arg in args if arg is not type(None))
            if inner in _PASSED:  # the common case, in one test
                check = f"{var}.__class__ is not {inner.__name__}"
                self._emit(f"if {var} is not None and {check}: raise _U", depth)
            else:
                self._emit(f"if {var} is not None:", depth)
                self._emit(f"{var} = {self._value(inner, var, depth + 1)}", depth + 1)
        elif origin is tuple and len(args) == 2 and args[1] is Ellipsis:
            self._emit(f"if {var}.__class__ is not _tuple: raise _U", depth)
            self._emit(f"if {var}:", depth)  # an empty tuple is written as it is: []
            self._tuple(args[0], var, depth + 1)
        elif origin is frozenset:
            self._emit(f"if {var}.__class__ is not _frozenset: raise _U", depth)
            self._emit(f"{var} = _sorted({self._items(args[0], var)})", depth)
        elif origin is Mapping and args[0] is str:
            write = self._item_writer(args[1])
            self._emit(f"if {var}.__class__ not in _mappings: raise _U", depth)
            self._emit(f"{var} = {{k: {write}({var}[k]) for k in _sorted({var})}}", depth)
        else:
            raise _Unsupported
        return var

    def _inline(self, depth: int) -> bool:
        """Whether a nested model at ``depth`` is written inline (see :data:`INLINED_DEPTH`)."""
        return depth <= INLINED_DEPTH and len(self.lines) <= INLINED_LINES

    def _nested(self, kind: type) -> str:
        writer = _writer(kind)
        if writer is None:
            raise _Unsupported
        return self._name(writer)

    def _tuple(self, kind: Any, var: str, depth: int) -> None:
        """Emit the statements writing the items of the non-empty tuple ``var``."""
        if kind is Reason:  # the common case: one look-up a reason, Python only on a miss
            item = self._var()
            key = f"({item}.rule, {item}.source, {item}.text)"
            self._emit(f"if len({var}) == 1:", depth)  # most tasks and referrals have one
            self._emit(f"    {item} = {var}[0]", depth)
            self._emit(f"    {var} = _R1.get({key}) or _reason_alone({item})", depth)
            self._emit("else:", depth)
            written = f"_R.get({key}) or _reason({item})"
            self._emit(f"    {var} = [{written} for {item} in {var}]", depth)
        elif kind is PluginInfo:
            self._emit(f"{var} = _plugins({var})", depth)
        elif kind in _PASSED:  # a tuple of checked scalars is written as it is
            self._emit(f"for i in {var}:", depth)
            self._emit(f"    if i.__class__ is not {kind.__name__}: raise _U", depth)
        elif isinstance(kind, type) and attrs.has(kind) and self._inline(depth):
            item, written = self._var(), self._var()  # a loop here, not a call an item
            self._emit(f"{written} = []", depth)
            self._emit(f"for {item} in {var}:", depth)
            expression = self._object(kind, item, depth + 1)
            self._emit(f"    {written}.append({expression})", depth)
            self._emit(f"{var} = {written}", depth)
        else:
            self._emit(f"{var} = {self._items(kind, var)}", depth)

    def _items(self, kind: Any, var: str) -> str:
        """An expression for the list of ``var``'s items, each written as ``kind``."""
        return f"list(_map({self._item_writer(kind)}, {var}))"

    def _item_writer(self, kind: Any) -> str:
        """The name of a one-argument function writing a value declared ``kind``."""
        if isinstance(kind, type) and attrs.has(kind):
            return self._nested(kind)
        inner = _Generator(self.cls)
        inner.count = self.count + 1000
        expression = inner._value(kind, "x", 1)
        source = ["def item(x):", *inner.lines, f"    return {expression}"]
        namespace = dict(inner.names)
        exec("\n".join(source), namespace)  # the source is built here, from types
        return self._name(namespace["item"])
