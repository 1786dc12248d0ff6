"""The structuring functions of the fast read path, written as Python text (private).

:class:`Writer` writes, for an attrs class and every class it holds, one function that
does what the converter's hooks (:func:`dapolicy._read.configure_structuring`) do, type
by type, with the checks inline, and builds each instance slot by slot as its
constructor would, then checks its invariants (:mod:`dapolicy._read_checks`, or the
model's own ``_problems``). A generated function raises on anything it is not sure of;
:mod:`dapolicy._read_fast` then hands the record to the pure path.
"""

from __future__ import annotations

import enum
import functools
import types
from collections.abc import Callable
from datetime import date, datetime, timezone
from typing import Any, get_args, get_origin

import attrs
import cattrs

from dapolicy import _read, _read_checks, _read_inline
from dapolicy._json_limits import MAX_DEPTH
from dapolicy.models._base import (
    Checked,
    fixed_offset,
    fixed_offset_or_none,
    to_frozenset,
    to_tuple,
)
from dapolicy.models.decision import PluginInfo
from dapolicy.models.risk import Reason

__all__ = ["Unknown", "Writer", "nesting", "trusted_build"]


class _Doubt(Exception):
    """Raised inside a generated function: this record goes to the pure path."""


class Unknown(Exception):
    """A type the generated functions do not mirror: the class takes the pure path."""


def nesting(tp: Any, within: frozenset[Any] = frozenset()) -> int:
    """How deep arrays and objects may nest in a JSON value of ``tp``.

    A recursive type may nest without bound: more than :data:`MAX_DEPTH`.
    """
    if tp in within:
        return MAX_DEPTH + 1
    if _read._is_optional(tp):
        return max(nesting(arg, within) for arg in get_args(tp))
    if _read._is_attrs(tp):
        fields = attrs.fields(attrs.resolve_types(tp))
        inner = within | {tp}
        return 1 + max((nesting(field.type, inner) for field in fields), default=0)
    if _read._is_collection(tp):
        return 1 + nesting(get_args(tp)[0], within)
    if _read._is_mapping(tp):
        return 1 + nesting(get_args(tp)[1], within)
    if tp in _SCALARS or _read._is_enum(tp):
        return 0
    return MAX_DEPTH + 1  # Any, a list, a dict, a union ...: it may nest without bound


_SCALARS = frozenset({str, int, bool, float, datetime, date, type(None)})


_MISSING = object()


def _call_hook(hook: Callable[[Any, Any], Any], tp: Any, value: Any) -> Any:
    return hook(value, tp)


def _slot(cls: type, name: str) -> Any:
    """The slot descriptor that holds field ``name`` of ``cls``, or None."""
    for klass in cls.__mro__:
        if name in vars(klass):
            found = vars(klass)[name]
            return found if isinstance(found, types.MemberDescriptorType) else None
    return None


def _identity(field: Any) -> bool:
    """Whether the field's converter returns what the generated function gives it as it is.

    ``to_tuple`` of a tuple, ``frozenset`` of a frozenset (the same object, in CPython),
    and ``fixed_offset`` of a datetime whose tzinfo is a ``timezone``; the field's
    default is of the same kind.
    """
    converter, origin = field.converter, get_origin(field.type) or field.type
    if converter is to_tuple:
        kind: Any = tuple
    elif converter in (to_frozenset, frozenset):
        kind = frozenset
    elif converter is fixed_offset and field.type is datetime:
        return field.default is attrs.NOTHING
    elif converter is fixed_offset_or_none and field.type == datetime | None:
        return field.default is None or field.default is attrs.NOTHING
    else:
        return False
    default_fits = field.default is attrs.NOTHING or type(field.default) is kind
    return origin is kind and default_fits


def trusted_build(cls: type) -> bool:
    """Whether an instance of ``cls`` may be built slot by slot, as its ``__init__`` would.

    So it is for a slotted attrs class whose ``__init__`` does nothing but convert and
    set each field, then (for a :class:`~dapolicy.models._base.Checked` model) check
    its invariants: no validators, no hooks of its own, no cached hash, no
    ``attrs.Converter`` taking the instance.
    """
    fields = attrs.fields(cls)
    own_hooks = ("__attrs_pre_init__", "__attrs_init_subclass__")
    if any(hasattr(cls, hook) for hook in own_hooks):
        return False
    post_init = getattr(cls, "__attrs_post_init__", None)
    if post_init is not None and post_init is not Checked.__attrs_post_init__:
        return False
    slots = {name for klass in cls.__mro__ for name in getattr(klass, "__slots__", ())}
    if slots - {field.name for field in fields} - {"__weakref__"}:
        return False  # a cached hash, or something else __init__ sets
    return all(
        field.validator is None
        and not isinstance(field.converter, attrs.Converter)
        and _slot(cls, field.name) is not None
        for field in fields
    )


#: The models whose instances the fast path shares between the records it reads, as
#: the engine shares them (``dapolicy.models.risk.reason``): immutable, all text, never
#: personal data, and the same on line after line of a decisions file (a rule's reason,
#: a plug-in's name and version). A record that gives the very strings of one built
#: before gets that instance, equal in every field to the one it would build.
SHARED: frozenset[type] = frozenset({Reason, PluginInfo})
#: At most this many instances of each are kept (then they are let go, all at once),
#: each of at most this many characters in all.
SHARED_KEPT, SHARED_CHARS = 2048, 1024
#: The instances kept, by model, by their fields' values (in field order).
_kept: dict[type, dict[tuple[str, ...], Any]] = {}


def _shareable(cls: type, fields: Any) -> dict[tuple[str, ...], Any] | None:
    """The instances of ``cls`` kept so far, if it is a model whose instances are shared."""
    if cls not in SHARED or not all(f.type is str and f.converter is None for f in fields):
        return None
    return _kept.setdefault(cls, {})


class Writer:
    """Writes the source of one structuring function per attrs class reached."""

    def __init__(
        self,
        converter: cattrs.Converter,
        *,
        strings: bool = True,
        items: bool = True,
        mode: str = "trusted",
    ) -> None:
        self.converter = converter
        #: Whether to count each string's characters. Without, the values are those
        #: orjson read from a text too short to hold a string over the limit, so every
        #: key of an object is a ``str`` as well.
        self.strings = strings
        #: Whether to count each array's items and each object's entries.
        self.items = items
        #: How each instance is built: "trusted" (slot by slot, the checks of
        #: _read_checks), "problems" (slot by slot, the model's _problems), "init".
        self.mode = mode
        self.lines: list[str] = []
        self.functions: dict[Any, str] = {}
        self.namespace: dict[str, Any] = {
            "DOUBT": _Doubt,
            "MISSING": _MISSING,
            "MAX_STRING": _read.MAX_STRING_CHARS,
            "MAX_ITEMS": _read.MAX_ITEMS,
            "datetime_fromisoformat": datetime.fromisoformat,
            "date_fromisoformat": date.fromisoformat,
            "new": object.__new__,
            "timezone": timezone,
            "ONLY_STR": frozenset({str}),
            "SHARED_KEPT": SHARED_KEPT,
            "SHARED_CHARS": SHARED_CHARS,
        }
        self.count = 0
        #: The classes whose functions are being written (one reached again is recursive).
        self.open: set[Any] = set()

    def compile(self, cls: Any) -> Callable[[Any], Any]:
        """The function that structures ``cls``, with those of the classes it holds.

        :raises Unknown: the class holds a type the functions do not mirror.
        """
        entry = self.function_for(cls)
        namespace = dict(self.namespace)
        counted = "counting" if self.strings else "short" if self.items else "bounded"
        name = f"<dapolicy: structure {cls.__qualname__}, {counted}>"
        exec(compile("\n".join(self.lines), name, "exec"), namespace)  # text written here
        built: Callable[[Any], Any] = namespace[entry]
        return built

    def fresh(self, prefix: str, value: Any = _MISSING) -> str:
        """A new name, bound to ``value`` in the functions' namespace if one is given."""
        self.count += 1
        name = f"{prefix}{self.count}"
        if value is not _MISSING:
            self.namespace[name] = value
        return name

    def expect(self, tp: Any, hook: Callable[..., Any] | str) -> None:
        """The converter's hook for ``tp`` is ``hook`` (or made by the factory so named)."""
        actual = self.converter.get_structure_hook(tp)
        if isinstance(hook, str):
            same = getattr(actual, "__qualname__", "") == f"{hook}.<locals>.structure"
        else:
            same = actual is hook
        if not same:
            raise Unknown

    def function_for(self, cls: Any) -> str:
        """The name of the function that structures ``cls``, written if it is new.

        A record that has every field (as dapolicy writes them) takes the first branch,
        which reads each by index; one that leaves some to their defaults, the second.
        The first is taken for an object of as many keys as the class has fields: then
        it has every field's key, or some are missing and as many others are there
        (unknown), and reading a missing one raises, so the pure path decides.
        """
        if cls in self.open:  # a recursive type
            raise Unknown
        if cls in self.functions:
            return self.functions[cls]
        self.expect(cls, "_attrs_hook_factory")
        name = self.fresh("structure_")
        self.functions[cls] = name
        self.open.add(cls)
        try:
            self.lines.extend(self.body(cls, name))
        except Unknown:
            del self.functions[cls]
            raise
        finally:
            self.open.discard(cls)
        return name

    def body(self, cls: Any, name: str) -> list[str]:
        """The lines of the function ``name`` that structures ``cls``."""
        try:
            attrs.resolve_types(cls)
        except NameError:
            raise Unknown from None
        fields = attrs.fields(cls)
        if not all(field.init for field in fields):
            raise Unknown
        values = [self.fresh("f") for _ in fields]
        keys = self.fresh("KEYS", frozenset(field.name for field in fields))
        lines = [
            f"def {name}(v):",
            "    if type(v) is not dict:",
            "        raise DOUBT",
            f"    if len(v) == {len(fields)}:",
        ]
        for field, value in zip(fields, values, strict=True):
            lines.append(f"        {value} = v[{field.name!r}]")
            lines.extend(self.emit(field.type, value, 2))
        lines.append("    else:")
        lines.append(f"        if not {keys}.issuperset(v): raise DOUBT")
        for field, value in zip(fields, values, strict=True):
            if field.default is attrs.NOTHING:
                lines.append(f"        {value} = v[{field.name!r}]")
                lines.extend(self.emit(field.type, value, 2))
            else:
                lines.append(f"        {value} = v.get({field.name!r}, MISSING)")
                lines.append(f"        if {value} is MISSING:")
                lines.append(f"            {self.default(field, value)}")
                lines.append("        else:")
                lines.extend(self.emit(field.type, value, 3))
        lines.extend(self.construct(cls, fields, values))
        return lines

    def one_value(self, tp: Any) -> str:
        """A function of one value that structures a ``tp`` (an attrs class).

        The generated one; or, for a class holding a type the functions do not mirror
        (a recursive field, a field that attrs does not take in ``__init__`` ...), the
        converter's own hook for it, as the pure path calls it there.
        """
        try:
            return self.function_for(tp)
        except Unknown:
            return self.leaf(tp)

    def leaf(self, tp: Any) -> str:
        """A function of one value that is the converter's own hook for ``tp``."""
        hook = self.converter.get_structure_hook(tp)
        return self.fresh("PURE", functools.partial(_call_hook, hook, tp))

    def construct(self, cls: Any, fields: Any, values: list[str]) -> list[str]:
        """Statements that return the instance, as its constructor would build it."""
        model = self.fresh("MODEL", cls)
        if self.mode == "init" or not trusted_build(cls):
            arguments = ", ".join(f"{f.alias}={v}" for f, v in zip(fields, values, strict=True))
            return [f"    return {model}({arguments})"]
        shared = _shareable(cls, fields)
        lines = []
        if shared is not None:
            kept = self.fresh("KEPT", shared)
            lines.append(f"    k = ({', '.join(values)},)")
            lines.append(f"    o = {kept}.get(k)")
            lines.append("    if o is not None:")
            lines.append("        return o")
        lines.append(f"    o = new({model})")
        for field, value in zip(fields, values, strict=True):
            if field.converter is not None and not _identity(field):
                lines.append(f"    {value} = {self.fresh('CONVERT', field.converter)}({value})")
            lines.append(f"    {self.fresh('SET', _slot(cls, field.name).__set__)}(o, {value})")
        check = _read_checks.check_for(cls) if self.mode == "trusted" else None
        inlined = None
        if check is not None:
            names = {field.name: value for field, value in zip(fields, values, strict=True)}
            inlined = _read_inline.condition(check, names, self.fresh)
        if inlined is not None:
            lines.append(f"    if not ({inlined}):")
            lines.append("        raise DOUBT")
        elif check is not None:
            lines.append(f"    if not {self.fresh('CHECK', check)}(o):")
            lines.append("        raise DOUBT")
        elif issubclass(cls, Checked):
            lines.append("    if next(o._problems(), None) is not None:")
            lines.append("        raise DOUBT")
        if shared is not None:
            lengths = " + ".join(f"len({value})" for value in values)
            lines.append(f"    if {lengths} <= SHARED_CHARS:")
            lines.append(f"        if len({kept}) >= SHARED_KEPT:")
            lines.append(f"            {kept}.clear()")
            lines.append(f"        {kept}[k] = o")
        lines.append("    return o")
        return lines

    def default(self, field: Any, value: str) -> str:
        """A statement that gives ``value`` the field's default, as attrs would supply it.

        A default made from the instance (an ``attrs.Factory`` that takes self, as an
        allocation's skills are) is not mirrored: a record that leaves it out goes to
        the pure path, and one that gives it (as dapolicy writes every field) is built.
        """
        if isinstance(field.default, attrs.Factory):  # type: ignore[arg-type]
            if field.default.takes_self:
                return "raise DOUBT"
            return f"{value} = {self.fresh('FACTORY', field.default.factory)}()"
        return f"{value} = {self.fresh('DEFAULT', field.default)}"

    def emit(self, tp: Any, var: str, depth: int) -> list[str]:
        """Statements that check ``var`` as the pure hook for ``tp`` would, and convert it.

        Each raises DOUBT where the hook would raise, or where it is not worth being sure.
        """
        pad = "    " * depth
        simple = self.simple_check(tp, var)
        if simple is not None:
            return [f"{pad}if {simple}: raise DOUBT"]
        if tp is datetime:
            # fromisoformat gives a datetime whose tzinfo is None or a fixed timezone
            # (never one whose utcoffset() is None): aware exactly when it is a timezone,
            # which also makes fixed_offset() return it as it is.
            self.expect(tp, _read._structure_datetime)
            return [
                f"{pad}if type({var}) is not str: raise DOUBT",
                f"{pad}{var} = datetime_fromisoformat({var})",
                f"{pad}if type({var}.tzinfo) is not timezone: raise DOUBT",
            ]
        if tp is date:
            # YYYY-MM-DD exactly when the date read from it is written back as it: a
            # date's isoformat() is that form, in ASCII digits (fromisoformat reads
            # other forms too, "19910603" and week dates, which the hook refuses).
            self.expect(tp, _read._structure_date)
            text = self.fresh("text")
            return [
                f"{pad}if type({var}) is not str: raise DOUBT",
                f"{pad}{text} = {var}",
                f"{pad}{var} = date_fromisoformat({var})",
                f"{pad}if {var}.isoformat() != {text}: raise DOUBT",
            ]
        if _read._is_optional(tp):
            self.expect(tp, "_optional_hook_factory")
            (inner,) = (arg for arg in get_args(tp) if arg is not type(None))
            simple = self.simple_check(inner, var)
            if simple is not None:
                return [f"{pad}if {var} is not None and ({simple}): raise DOUBT"]
            return [f"{pad}if {var} is not None:", *self.emit(inner, var, depth + 1)]
        if _read._is_enum(tp):
            self.expect(tp, "_enum_hook")
            return [f"{pad}{var} = {self.members(tp)}[{var}]"]
        if _read._is_attrs(tp):
            return [f"{pad}{var} = {self.one_value(tp)}({var})"]
        if _read._is_collection(tp):
            self.expect(tp, "_collection_hook_factory")
            return self.collection(tp, var, depth)
        if _read._is_mapping(tp):
            self.expect(tp, "_mapping_hook_factory")
            return self.mapping(tp, var, depth)
        # Any other type (a float, a union ...): its hook, as the pure path calls it.
        return [f"{pad}{var} = {self.leaf(tp)}({var})"]

    def simple_check(self, tp: Any, var: str) -> str | None:
        """A condition true when ``var`` is not a ``tp`` the hook returns as it is."""
        if tp is str:
            self.expect(tp, _read._structure_str)
            counted = f" or len({var}) > MAX_STRING" if self.strings else ""
            return f"type({var}) is not str{counted}"
        if tp is bool:
            self.expect(tp, _read._structure_bool)
            return f"{var} is not True and {var} is not False"
        if tp is int:
            self.expect(tp, _read._structure_int)
            return f"type({var}) is not int"
        return None

    def members(self, tp: type[enum.Enum]) -> str:
        """The name of a mapping from each member's value to the member (as the hook's)."""
        return self.fresh("MEMBERS", {member.value: member for member in tp})

    def collection(self, tp: Any, var: str, depth: int) -> list[str]:
        """A tuple or frozenset from a JSON array, its items one by one."""
        pad = "    " * depth
        build = self.fresh("BUILD", get_origin(tp))
        item_type = get_args(tp)[0]
        counted = f" or len({var}) > MAX_ITEMS" if self.items else ""
        lines = [f"{pad}if type({var}) is not list{counted}: raise DOUBT"]
        if _read._is_enum(item_type):
            self.expect(item_type, "_enum_hook")
            items = f"map({self.members(item_type)}.__getitem__, {var})"
        elif _read._is_attrs(item_type):
            items = f"map({self.one_value(item_type)}, {var})"
        else:
            items, item = self.fresh("items"), self.fresh("item")
            lines.append(f"{pad}{items} = []")
            lines.append(f"{pad}for {item} in {var}:")
            lines.extend(self.emit(item_type, item, depth + 1))
            lines.append(f"{pad}    {items}.append({item})")
        # An empty array (a person's vulnerabilities, a case's children ...: the usual
        # case) is the empty tuple or frozenset, made once.
        empty = self.fresh("EMPTY", get_origin(tp)())
        return [*lines, f"{pad}{var} = {build}({items}) if {var} else {empty}"]

    def mapping(self, tp: Any, var: str, depth: int) -> list[str]:
        """A dict from a JSON object, its keys and values one by one."""
        pad = "    " * depth
        key_type, value_type = get_args(tp)
        counted = f" or len({var}) > MAX_ITEMS" if self.items else ""
        lines = [f"{pad}if type({var}) is not dict{counted}: raise DOUBT"]
        if key_type is str and _read._is_enum(value_type):
            # Every key a str of at most MAX_STRING characters, then each value's member.
            self.expect(key_type, _read._structure_str)
            self.expect(value_type, "_enum_hook")
            members = self.members(value_type)
            if self.strings:  # else JSON's keys, each a str, from a short text
                keys_fit = f"ONLY_STR.issuperset(map(type, {var}))"
                keys_fit += f" and max(map(len, {var})) <= MAX_STRING"
                lines.append(f"{pad}if {var} and not ({keys_fit}): raise DOUBT")
            return [
                *lines,
                f"{pad}{var} = dict(zip({var}, map({members}.__getitem__, {var}.values())))",
            ]
        result, key, item = self.fresh("result"), self.fresh("key"), self.fresh("item")
        lines.append(f"{pad}{result} = {{}}")
        lines.append(f"{pad}for {key}, {item} in {var}.items():")
        lines.extend(self.emit(key_type, key, depth + 1))
        lines.extend(self.emit(value_type, item, depth + 1))
        lines.append(f"{pad}    {result}[{key}] = {item}")
        lines.append(f"{pad}{var} = {result}")
        return lines
