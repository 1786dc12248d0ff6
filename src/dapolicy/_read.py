"""The read path (private): JSON text and JSON-like data into dapolicy's types, strictly.

This is the pure-Python path, and the one every error comes from. :func:`loads` reads a
record's text within the limits (UTF-8, nesting, integers too long, a key given twice, a
lone surrogate escape) and :func:`structure` builds the type through the converter's
hooks, collecting every problem with its JSON path. The public face is
:mod:`dapolicy.serialization`; its fast path (:mod:`dapolicy._read_fast`) vouches only
for what it is sure of and hands everything else to these functions, so an error is the
same with and without it.
"""

from __future__ import annotations

import enum
import json
import math
import re
import types
from collections.abc import Callable, Iterator, Mapping
from datetime import date, datetime
from typing import Any, TypeVar, Union, get_args, get_origin

import cattrs
from cattrs.errors import (
    ClassValidationError,
    ForbiddenExtraKeysError,
    IterableValidationError,
    IterableValidationNote,
)

from dapolicy import _json_limits
from dapolicy.errors import FieldError, ValidationError, join_path, key_path, safe_name

__all__ = [
    "MAX_ITEMS",
    "MAX_STRING_CHARS",
    "configure_structuring",
    "loads",
    "structure",
]

#: The longest string a record may hold, in characters: an id, a key, a free-text field.
MAX_STRING_CHARS = 10_000
#: The most items an array (children, abuse types, answers' ...) or entries a mapping
#: (a form's answers) may hold.
MAX_ITEMS = 1_000

T = TypeVar("T")
Hook = Callable[[Any, Any], Any]

_JSON_TYPE_NAMES: dict[type, str] = {
    dict: "an object",
    list: "an array",
    str: "a string",
    bool: "a boolean",
    int: "a number",
    float: "a number with a fraction",
    type(None): "null",
}


def _json_type(value: object) -> str:
    return _JSON_TYPE_NAMES.get(type(value), "a value of another type")


class _InputError(ValueError):
    """A structuring failure whose message is safe to show (it names no value)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _expected(what: str, value: object) -> _InputError:
    return _InputError(f"expected {what}, got {_json_type(value)}")


def configure_structuring(converter: cattrs.Converter) -> None:
    """Register dapolicy's structure hooks on ``converter`` (see ``configure_converter``)."""
    converter.register_structure_hook(str, _structure_str)
    converter.register_structure_hook(bool, _structure_bool)
    converter.register_structure_hook(int, _structure_int)
    converter.register_structure_hook(float, _structure_float)
    converter.register_structure_hook(datetime, _structure_datetime)
    converter.register_structure_hook(date, _structure_date)
    converter.register_structure_hook_factory(_is_enum, _enum_hook)
    converter.register_structure_hook_factory(_is_collection, _collection_hook_factory)
    converter.register_structure_hook_factory(_is_mapping, _mapping_hook_factory)
    converter.register_structure_hook_factory(_is_attrs, _attrs_hook_factory)
    converter.register_structure_hook_factory(_is_optional, _optional_hook_factory)


# --- scalars ---------------------------------------------------------------------------


def _structure_str(value: Any, _: Any) -> str:
    if not isinstance(value, str):
        raise _expected("a string", value)
    if len(value) > MAX_STRING_CHARS:
        raise _InputError(f"longer than {MAX_STRING_CHARS} characters")
    return value


def _too_many(value: list[Any] | dict[Any, Any]) -> _InputError | None:
    if len(value) > MAX_ITEMS:
        return _InputError(f"more than {MAX_ITEMS} items ({len(value)})")
    return None


def _structure_bool(value: Any, _: Any) -> bool:
    if not isinstance(value, bool):
        raise _expected("true or false", value)
    return value


def _structure_int(value: Any, _: Any) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise _expected("a whole number", value)
    return value


def _structure_float(value: Any, _: Any) -> float:
    # cattrs' own hook is float(value): it took true for 1.0 and "5" for 5.0, and
    # raised OverflowError on an integer past a float. Past a float is infinite here,
    # so the field's bound refuses it by name.
    if not isinstance(value, int | float) or isinstance(value, bool):
        raise _expected("a number", value)
    try:
        return float(value)
    except OverflowError:
        return math.inf if value > 0 else -math.inf


def _structure_datetime(value: Any, _: Any) -> datetime:
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            raise _InputError("not an ISO 8601 date-time") from None
    else:
        raise _expected("an ISO 8601 date-time string", value)
    if parsed.tzinfo is None or parsed.utcoffset() is None:
        raise _InputError("naive datetime: a UTC offset is required (e.g. +01:00 or Z)")
    return parsed


_DATE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)


def _structure_date(value: Any, _: Any) -> date:
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if not isinstance(value, str):
        raise _expected("a date string YYYY-MM-DD", value)
    # date.fromisoformat also takes "19910603" and week dates; the format is YYYY-MM-DD.
    if not _DATE.fullmatch(value):
        raise _InputError("not a date in the form YYYY-MM-DD")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise _InputError("not a date in the form YYYY-MM-DD") from None


def _is_enum(cls: Any) -> bool:
    return isinstance(cls, type) and issubclass(cls, enum.Enum)


def _enum_hook(cls: type[enum.Enum]) -> Hook:
    members = {member.value: member for member in cls}
    allowed = ", ".join(str(v) for v in members)

    def structure(value: Any, _: Any) -> enum.Enum:
        try:
            return members[value]
        except (KeyError, TypeError):
            raise _InputError(f"must be one of: {allowed}") from None

    return structure


# --- containers ------------------------------------------------------------------------


def _is_collection(cls: Any) -> bool:
    origin = get_origin(cls)
    if origin is tuple:
        args = get_args(cls)
        return len(args) == 2 and args[1] is Ellipsis
    return origin is frozenset


def _collection_hook_factory(cls: Any, converter: cattrs.Converter) -> Hook:
    build: Callable[[Any], Any] = get_origin(cls)
    item_type = get_args(cls)[0]
    item_hook = converter.get_structure_hook(item_type)
    detailed = converter.detailed_validation

    def structure(value: Any, _: Any) -> Any:
        if not isinstance(value, list):
            raise _expected("an array", value)
        if (error := _too_many(value)) is not None:
            raise error
        if not detailed:
            return build(item_hook(item, item_type) for item in value)
        items: list[Any] = []
        errors: list[Exception] = []
        for index, item in enumerate(value):
            try:
                items.append(item_hook(item, item_type))
            except Exception as exc:
                exc.add_note(IterableValidationNote(f"@ index {index}", index, item_type))
                errors.append(exc)
        if errors:
            raise IterableValidationError(f"while structuring {cls!r}", errors, cls)
        return build(items)

    return structure


def _is_mapping(cls: Any) -> bool:
    return get_origin(cls) is Mapping


def _mapping_hook_factory(cls: Any, converter: cattrs.Converter) -> Hook:
    key_type, value_type = get_args(cls)
    key_hook = converter.get_structure_hook(key_type)
    value_hook = converter.get_structure_hook(value_type)

    def structure(value: Any, _: Any) -> dict[Any, Any]:
        if not isinstance(value, dict):
            raise _expected("an object", value)
        if (error := _too_many(value)) is not None:
            raise error
        result: dict[Any, Any] = {}
        errors: list[Exception] = []
        for key, item in value.items():
            try:
                result[key_hook(key, key_type)] = value_hook(item, value_type)
            except Exception as exc:
                exc.add_note(IterableValidationNote(f"@ key {key!r}", key, value_type))
                errors.append(exc)
        if errors:
            raise IterableValidationError(f"while structuring {cls!r}", errors, cls)
        return result

    return structure


def _is_optional(cls: Any) -> bool:
    args = get_args(cls)
    return get_origin(cls) in (Union, types.UnionType) and len(args) == 2 and type(None) in args


def _optional_hook_factory(cls: Any, converter: cattrs.Converter) -> Hook:
    """``X | None``: None, or an X -- without cattrs' general union machinery."""
    (inner_type,) = (arg for arg in get_args(cls) if arg is not type(None))
    inner = converter.get_structure_hook(inner_type)

    def structure(value: Any, _: Any) -> Any:
        return None if value is None else inner(value, inner_type)

    return structure


def _is_attrs(cls: Any) -> bool:
    import attrs

    return isinstance(cls, type) and attrs.has(cls)


def _attrs_hook_factory(cls: Any, converter: cattrs.Converter) -> Hook:
    from cattrs.gen import make_dict_structure_fn

    inner = make_dict_structure_fn(cls, converter)

    def structure(value: Any, _: Any) -> Any:
        if not isinstance(value, dict):
            raise _expected("an object", value)
        return inner(value, cls)

    return structure


# --- errors ----------------------------------------------------------------------------


def _item(data: Any, index: object) -> Any:
    """``data[index]`` when it is there, else ``None`` (the walk beside the errors)."""
    if isinstance(data, dict):
        return data.get(index)
    if isinstance(data, list) and isinstance(index, int) and 0 <= index < len(data):
        return data[index]
    return None


def _item_path(path: str, index: object, data: Any) -> str:
    """The path of a list index, or of a key from input (quoted only if it is safe)."""
    if isinstance(index, int):
        return join_path(path, index)
    keys = list(data) if isinstance(data, dict) else []
    return key_path(path, index, keys.index(index) if index in keys else len(keys))


def _collect(exc: BaseException, path: str, data: Any = None) -> Iterator[FieldError]:
    """Walk cattrs' exception tree into FieldErrors, one per problem.

    ``data`` is the input at ``path`` (walked down beside the tree), so that a key from
    input that may not be quoted is named by its place in its object instead.
    """
    if isinstance(exc, ValidationError):
        yield from exc.under(path)
    elif isinstance(exc, IterableValidationError):
        with_notes, without = exc.group_exceptions()
        for inner, note in with_notes:
            yield from _collect(inner, _item_path(path, note.index, data), _item(data, note.index))
        for inner in without:
            yield from _collect(inner, path, data)
    elif isinstance(exc, ClassValidationError):
        with_notes_c, without_c = exc.group_exceptions()
        for inner, attr_note in with_notes_c:
            name = attr_note.name
            yield from _collect(inner, join_path(path, name), _item(data, name))
        for inner in without_c:
            yield from _collect(inner, path, data)
    elif isinstance(exc, ForbiddenExtraKeysError):
        for key in sorted(exc.extra_fields):
            yield FieldError(_item_path(path, key, data), "unknown field")
    elif isinstance(exc, KeyError):
        yield FieldError(path, "required field missing")
    elif isinstance(exc, _InputError):
        yield FieldError(path, exc.message)
    else:
        yield FieldError(path, f"invalid value ({type(exc).__name__})")


def structure(cls: type[T], data: Any, converter: cattrs.Converter) -> T:
    """Build a ``cls`` from JSON-like data through ``converter``: the pure path.

    With a converter made with ``detailed_validation=False``, a record that fails is
    structured again with detailed validation, so the error still names every problem
    and its path.

    :raises ValidationError: with every problem and its JSON path.
    """
    try:
        return converter.structure(data, cls)
    except (
        cattrs.BaseValidationError,
        ValidationError,
        _InputError,
        ForbiddenExtraKeysError,
        KeyError,
        TypeError,
        ValueError,
    ) as exc:
        if converter.detailed_validation:
            if isinstance(exc, (cattrs.BaseValidationError, ValidationError, _InputError)):
                raise ValidationError(cls.__name__, _collect(exc, "$", data)) from None
            raise
        fast_failure = exc
    # The fast path failed, without paths: find them with a detailed twin of the same
    # converter (same hooks), which cannot accept what the fast path refused.
    structure(cls, data, _detailed_twin(converter))
    message = f"rejected by the converter ({type(fast_failure).__name__})"
    raise ValidationError(cls.__name__, [FieldError("$", message)]) from None


#: Detailed twins of the last few fast converters used (converters cannot be weakly
#: referenced; a policy has one, so a handful is plenty).
_twins: dict[int, tuple[cattrs.Converter, cattrs.Converter]] = {}
_TWINS_KEPT = 8


def _detailed_twin(converter: cattrs.Converter) -> cattrs.Converter:
    """A copy of ``converter`` with detailed validation, made once per converter."""
    kept = _twins.get(id(converter))
    if kept is not None and kept[0] is converter:
        return kept[1]
    twin = converter.copy(detailed_validation=True)
    if len(_twins) >= _TWINS_KEPT:
        _twins.pop(next(iter(_twins)))
    _twins[id(converter)] = (converter, twin)
    return twin


def loads(type_name: str, text: str | bytes) -> Any:
    """Read one JSON document within the record limits: the pure path.

    :param type_name: the type being read, for the error (``"Case"``).
    :raises ValidationError: for text that is not UTF-8, malformed JSON (with line and
        column), a key given twice, arrays and objects nested more than 64 deep, an
        integer too long for Python to convert (with its path), or a lone surrogate
        escape (with its path).
    """
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError as exc:
            message = f"not UTF-8 text (byte {exc.start})"
            raise ValidationError(type_name, [FieldError("$", message)]) from None
    text = text.removeprefix("\ufeff")  # a byte-order mark, which JSON parsers may ignore
    try:
        data = _json_limits.loads(text, _unique_keys)
    except json.JSONDecodeError as exc:
        message = f"not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})"
        raise ValidationError(type_name, [FieldError("$", message)]) from None
    except _json_limits.JSONLimitError as exc:
        raise ValidationError(type_name, exc.errors) from None
    except _DuplicateKeyError as exc:
        raise ValidationError(type_name, [FieldError("$", str(exc))]) from None
    if _ESCAPED_SURROGATE.search(text):
        # "\ud800" is valid JSON but not valid Unicode: such a string cannot be written
        # out again as UTF-8, so it is refused here, with its path.
        bad = list(_lone_surrogates(data, "$"))
        if bad:
            raise ValidationError(type_name, bad)
    return data


_ESCAPED_SURROGATE = re.compile(r"\\u[dD][89a-fA-F]")


def _lone_surrogates(value: Any, path: str) -> Iterator[FieldError]:
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            yield FieldError(path, "contains a lone surrogate escape: not valid Unicode text")
    elif isinstance(value, dict):
        for index, (key, item) in enumerate(value.items()):
            yield from _lone_surrogates(key, path)
            yield from _lone_surrogates(item, key_path(path, key, index))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _lone_surrogates(item, join_path(path, index))


class _DuplicateKeyError(ValueError):
    pass


#: How many of the repeated keys an error names (a hostile line may repeat thousands).
_KEYS_NAMED = 5


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """Object hook for json.loads: a key given twice is an error, not "the last one wins".

    One pass, one set: linear in the number of keys (``json.loads`` calls it once per
    object, so a whole document is checked in linear time too).
    """
    result = dict(pairs)
    if len(result) == len(pairs):
        return result
    seen: set[str] = set()
    twice: set[str] = set()
    for key, _ in pairs:
        if key in seen:
            twice.add(key)
        else:
            seen.add(key)
    # Only keys that may be quoted are named (a key from input is input); the rest are
    # counted.
    named = sorted(key for key in twice if safe_name(key) is not None)[:_KEYS_NAMED]
    listed = ", ".join(named)
    if not named:
        listed = f"{len(twice)}, not quoted (they may hold personal data)"
    elif len(twice) > len(named):
        listed += f" and {len(twice) - len(named)} more"
    raise _DuplicateKeyError(f"not valid JSON: key(s) given twice: {listed}")
