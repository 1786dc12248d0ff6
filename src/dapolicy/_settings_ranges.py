"""Every setting's documented range, declared once beside the field and checked at load.

A setting with no upper bound can switch a rule off (a MARAC escalation window of a
hundred million months makes the rule fail on every case). So each field of a settings
section carries a :class:`Bound` in its attrs metadata (``bounded(default, Whole(1,
120))``); :func:`range_problems` checks them all, and the configuration page's tables
are tested against :func:`reference`, so code and docs cannot drift apart.
"""

from __future__ import annotations

import enum
import types
from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import Any, Protocol, get_args, get_origin, get_type_hints

import attrs

from dapolicy.errors import FieldError, ValidationError, join_path
from dapolicy.models._base import Checked, Problems
from dapolicy.models._ids import SAFE_ID_TEXT, is_safe_id

__all__ = [
    "Bound",
    "Flag",
    "Ident",
    "Instance",
    "Items",
    "Label",
    "Maybe",
    "Moment",
    "OneOf",
    "Section",
    "Whole",
    "bounded",
    "ordered",
    "range_problems",
    "reference",
]

#: The attrs metadata key a field's bound is kept under.
RANGE = "dapolicy.range"
#: Metadata: the entries of this list are documented by hand (their TOML keys differ).
UNLISTED = "dapolicy.unlisted"


class Bound(Protocol):
    """What one field accepts: checked by :meth:`problems`, described by ``text``."""

    @property
    def text(self) -> str:
        """The range as the docs' tables show it."""

    def problems(self, name: str, value: Any) -> Problems:
        """(path, message) for each way ``value`` is out of range; none if it is in."""


def _whole(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


@attrs.frozen
class Whole:
    """A whole number from ``low`` to ``high``, both included."""

    low: int
    high: int

    @property
    def text(self) -> str:
        """``1 to 120``."""
        return f"{self.low} to {self.high}"

    def problems(self, name: str, value: Any) -> Problems:
        """A number outside ``low``-``high``, or not a whole number."""
        if not _whole(value) or not self.low <= value <= self.high:
            yield name, f"must be a whole number from {self.low} to {self.high}"


@attrs.frozen
class Flag:
    """``true`` or ``false``."""

    text = "true or false"

    def problems(self, name: str, value: Any) -> Problems:
        """Anything but a bool."""
        if not isinstance(value, bool):
            yield name, "must be true or false"


@attrs.frozen
class OneOf:
    """A member of an enum (the file gives its value).

    :param cls: the enum.
    :param name: how the docs name its values when there are too many to list.
    """

    cls: type[enum.Enum]
    name: str = ""

    @property
    def text(self) -> str:
        """The values, in order, or the name given."""
        return self.name or "one of " + ", ".join(f"`{m.value}`" for m in self.cls)

    def problems(self, name: str, value: Any) -> Problems:
        """Anything but a member."""
        if not isinstance(value, self.cls):
            yield name, f"must be a {self.cls.__name__}"


@attrs.frozen
class Ident:
    """A safe id (:data:`dapolicy.models._ids.SAFE_ID`)."""

    text = "a safe id"

    def problems(self, name: str, value: Any) -> Problems:
        """Anything but a safe id."""
        if not is_safe_id(value):
            yield name, f"must be a safe id: {SAFE_ID_TEXT}"


@attrs.frozen
class Label:
    """Text for reports: 1 to ``longest`` characters, none of them a control character."""

    longest: int

    @property
    def text(self) -> str:
        """``1 to 100 characters``."""
        return f"1 to {self.longest} characters"

    def problems(self, name: str, value: Any) -> Problems:
        """Not a string, empty, too long, or holding a control character."""
        if not isinstance(value, str):
            yield name, "must be a string"
        elif not value.strip() or len(value) > self.longest:
            yield name, f"must be 1 to {self.longest} characters, not only spaces"
        elif not value.isprintable():
            yield name, "must not contain control characters (tabs, new lines, escapes)"


@attrs.frozen
class Items:
    """A list (or set, or table) of ``low`` to ``high`` entries, each checked by ``each``."""

    low: int
    high: int
    each: Bound | None = None
    unique: bool = False

    @property
    def text(self) -> str:
        """``0 to 20 entries``, and what each must be."""
        count = f"{self.low} to {self.high} entries"
        return f"{count}, each {self.each.text}" if self.each is not None else count

    def problems(self, name: str, value: Any) -> Problems:
        """Too few or too many entries, a repeated one, or an entry out of its range."""
        if isinstance(value, (str, bytes)) or not hasattr(value, "__len__"):
            yield name, "must be a list"
            return
        if not self.low <= len(value) <= self.high:
            yield name, f"must have {self.low} to {self.high} entries"
            return
        if isinstance(value, Mapping):
            yield from self._entries(name, value)
            return
        entries = list(value)
        if self.unique and len(set(entries)) != len(entries):
            yield name, "entries must be unique"
        if self.each is not None:
            ordered = sorted(entries, key=str) if isinstance(value, frozenset | set) else entries
            for index, entry in enumerate(ordered):
                for _, message in self.each.problems(name, entry):
                    yield f"{name}[{index}]", message

    def _entries(self, name: str, table: Mapping[Any, Any]) -> Problems:
        """A table: every key a safe id, every value within ``each``."""
        for index, key in enumerate(sorted(table, key=str)):
            if not is_safe_id(key):
                yield f"{name}[{index}]", f"a key must be a safe id: {SAFE_ID_TEXT}"
            elif self.each is not None:
                for _, message in self.each.problems(name, table[key]):
                    yield f"{name}[{key!r}]", message


@attrs.frozen
class Instance:
    """An object of the field's own class (the class checks it; :meth:`problems` cannot)."""

    text = "a table"

    def problems(self, name: str, value: Any) -> Problems:
        """Nothing here: the object checked itself when it was built."""
        return iter(())


@attrs.frozen
class Moment:
    """An instant: an aware datetime (in a file, a date means 00:00 in London)."""

    text = "a date, or a date-time with a UTC offset"

    def problems(self, name: str, value: Any) -> Problems:
        """Anything but an aware datetime."""
        if not isinstance(value, datetime) or value.utcoffset() is None:
            yield name, "must be a date, or a date-time with a UTC offset"


@attrs.frozen
class Maybe:
    """Nothing (the key left out), or a value within ``bound``."""

    bound: Bound

    @property
    def text(self) -> str:
        """``none, or ...``."""
        return f"none, or {self.bound.text}"

    def problems(self, name: str, value: Any) -> Problems:
        """The inner bound's problems, unless ``value`` is None."""
        if value is not None:
            yield from self.bound.problems(name, value)


def bounded(default: Any, bound: Bound, *, unlisted: bool = False, **kwargs: Any) -> Any:
    """An attrs field with a default and a documented bound.

    Other ``attrs.field`` options (``converter``, ``factory``, ``hash``) pass through.
    """
    metadata = {RANGE: bound, UNLISTED: unlisted}
    if "factory" in kwargs:
        return attrs.field(metadata=metadata, **kwargs)
    return attrs.field(default=default, metadata=metadata, **kwargs)


def range_problems(obj: Any) -> Problems:
    """Every field of ``obj`` outside its bound, by field (``items[3]`` for an entry)."""
    for field in attrs.fields(type(obj)):
        bound: Bound | None = field.metadata.get(RANGE)
        if bound is not None:
            yield from bound.problems(field.name, getattr(obj, field.name))


class Section(Checked):
    """A settings section: each field within its documented bound, then its relations.

    Problems name a field (``high_from``) or an entry of one (``items[3]``); the path
    is built from that, and re-rooted under the section's key when a file is loaded
    (``$.dial.items[3]``). A relation between fields is checked only when each field
    it relates is in range, so one mistake gives one message, and every mistake is
    reported at once.
    """

    __slots__ = ()

    def __attrs_post_init__(self) -> None:
        """Raise one ValidationError naming every field out of range and broken relation."""
        problems = list(range_problems(self))
        bad = {name.partition("[")[0] for name, _ in problems}
        problems += self._related(bad)
        if problems:
            errors = (FieldError(_path(name), message) for name, message in problems)
            raise ValidationError(type(self).__name__, errors)

    def _related(self, bad: set[str]) -> Problems:
        """Broken relations between fields, none of them in ``bad`` (out of range)."""
        return iter(())


def _path(name: str) -> str:
    if not name:
        return "$"
    field, bracket, rest = name.partition("[")
    return join_path("$", field) + bracket + rest


def ordered(bad: set[str], pairs: list[tuple[str, str, int, int]]) -> Problems:
    """Each ``later`` field is not less than its ``earlier``: (earlier, later, a, b)."""
    for earlier, later, first, second in pairs:
        if bad.isdisjoint({earlier.split()[0], later.split()[0]}) and second < first:
            yield later.split()[0], f"must not be less than {earlier}"


@attrs.frozen
class Row:
    """One row of the configuration page's tables: key, type, default, range."""

    key: str
    type: str
    default: str
    range: str


def reference(cls: type[Any], prefix: str = "") -> Iterator[Row]:
    """Every bounded field of ``cls`` and of the sections it holds, with its TOML key."""
    hints = get_type_hints(cls)
    for field in attrs.fields(cls):
        key = f"{prefix}{field.name}"
        annotation = hints[field.name]
        section = _section_type(annotation)
        if section is not None and field.metadata.get(RANGE) is None:
            yield from reference(section, f"{key}.")
            continue
        bound: Bound | None = field.metadata.get(RANGE)
        if bound is None:
            continue
        yield Row(key, _type_text(annotation), _default_text(field), bound.text)
        if (
            section is not None
            and get_origin(annotation) is tuple
            and not field.metadata.get(UNLISTED)
        ):  # a list of sections, e.g. [[series]]
            yield from reference(section, f"{key}[].")


def _section_type(annotation: Any) -> type[Any] | None:
    if isinstance(annotation, type) and attrs.has(annotation):
        return annotation
    args = [a for a in get_args(annotation) if a is not Ellipsis]
    if get_origin(annotation) is tuple and len(args) == 1 and attrs.has(args[0]):
        section: type[Any] = args[0]
        return section
    return None


def _type_text(annotation: Any) -> str:
    names = {
        int: "integer",
        bool: "boolean",
        str: "string",
        datetime: "date or date-time",
        float: "number",
    }
    if annotation in names:
        return names[annotation]
    if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
        return "string"
    origin = get_origin(annotation)
    if origin in (tuple, frozenset):
        inner = get_args(annotation)[0]
        if isinstance(inner, type) and attrs.has(inner):
            return "array of tables"
        return f"array of {_type_text(inner)}s"
    if origin in (Mapping, types.MappingProxyType):
        return "table"
    args = [a for a in get_args(annotation) if a is not type(None)]
    if len(args) == 1:
        return _type_text(args[0])
    return "value"


def _default_text(field: attrs.Attribute[Any]) -> str:
    default = field.default
    if default is attrs.NOTHING:
        return "required"
    if isinstance(default, attrs.Factory):  # type: ignore[arg-type]
        default = default.factory()  # type: ignore[union-attr]
    return _toml(default)


def _toml(value: Any) -> str:
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, enum.Enum):
        return f'"{value.value}"'
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, (Mapping, types.MappingProxyType)):
        return "see below" if value else "{}"
    if isinstance(value, (tuple, list, frozenset, set)):
        if (value and attrs.has(type(next(iter(value))))) or len(value) > 6:
            return "see below"
        items = sorted(value, key=str) if isinstance(value, (set, frozenset)) else value
        return "[" + ", ".join(_toml(v) for v in items) + "]"
    return str(value)
