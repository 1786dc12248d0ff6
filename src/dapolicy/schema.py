"""JSON Schemas (draft 2020-12) for dapolicy's JSON, derived from the model classes.

A force system written in another language can validate a record before it sends it:
``dapolicy schema Case`` prints the schema of one batch line. The schema is built from
the attrs classes' fields and types and follows the converter's rules
(:mod:`dapolicy.serialization`):

- every object has ``"additionalProperties": false``: an unknown key is an error;
- a field without a default is ``required``; a field that may be ``None`` is
  ``[its type, null]``;
- a date-time is a string with ``"format": "date-time"`` and a ``pattern`` that
  requires a UTC offset (``Z`` or ``+01:00``), because a naive one is refused;
- a date is ``YYYY-MM-DD``;
- an enum is its values, a list or a set an array (a value repeated in a set is read
  once, so the schema allows it), a mapping an object of values;
- a string is never a number and a number never a boolean (``"type"`` is exact).

The schema checks the shape of a record. The rules that relate fields or read the
calendar (``occurred_at`` not after ``reported_at``, a blank id, unique checklist item
ids ...) are the models' own and are checked when the record is read: a record the
schema accepts can still be refused, with a message naming the field. The converse
holds: a record dapolicy accepts is valid against the schema. The one exception is a
whole number written with a fraction (``1.0``), which JSON Schema calls an integer and
dapolicy refuses.
"""

from __future__ import annotations

import enum
import types
import typing
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any, Union, get_args, get_origin

import attrs

from dapolicy.models import MODEL_TYPES

__all__ = ["DATE_TIME_PATTERN", "SCHEMA_TYPES", "json_schema", "schema_type"]

#: The draft every schema is written in.
DRAFT = "https://json-schema.org/draft/2020-12/schema"
#: An ISO 8601 date-time with seconds and a UTC offset, as dapolicy writes them.
DATE_TIME_PATTERN = (
    r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?"
    r"(Z|[+-]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?)$"
)
_DATE_PATTERN = r"^\d{4}-\d{2}-\d{2}$"

#: The types ``dapolicy schema`` knows, by name: every public model.
SCHEMA_TYPES: Mapping[str, type] = types.MappingProxyType(
    {cls.__name__: cls for cls in MODEL_TYPES}
)


def schema_type(name: str) -> type:
    """The model type called ``name`` (``"Case"``; any letter case).

    :raises KeyError: no public model has that name (the message lists those that do).
    """
    by_lower = {key.lower(): cls for key, cls in SCHEMA_TYPES.items()}
    try:
        return by_lower[name.lower()]
    except KeyError:
        known = ", ".join(sorted(SCHEMA_TYPES))
        raise KeyError(f"no model of that name; one of: {known}") from None


def json_schema(cls: type) -> dict[str, Any]:
    """The JSON Schema of ``cls``'s JSON form, with every nested model in ``$defs``.

    :param cls: an attrs model class (one of :data:`SCHEMA_TYPES`, or a plug-in's own
        attrs class built the same way).
    :raises TypeError: ``cls`` is not an attrs class, or a field has a type the
        converter has no JSON form for.
    """
    if not (isinstance(cls, type) and attrs.has(cls)):
        raise TypeError("json_schema needs an attrs class")
    builder = _Builder()
    root = builder.object_schema(cls)
    schema: dict[str, Any] = {
        "$schema": DRAFT,
        "$id": f"urn:dapolicy:schema:{cls.__name__}",
        "title": cls.__name__,
        **root,
    }
    defs = {name: body for name, body in sorted(builder.defs.items()) if name != cls.__name__}
    if defs:
        schema["$defs"] = defs
    return schema


class _Builder:
    def __init__(self) -> None:
        self.defs: dict[str, dict[str, Any]] = {}

    def object_schema(self, cls: type) -> dict[str, Any]:
        hints = typing.get_type_hints(cls)
        properties: dict[str, Any] = {}
        required: list[str] = []
        for field in attrs.fields(cls):
            if not field.init:
                continue
            properties[field.name] = self.of(hints[field.name])
            if field.default is attrs.NOTHING:
                required.append(field.name)
        body: dict[str, Any] = {"type": "object"}
        doc = (cls.__doc__ or "").strip().splitlines()
        if doc:
            body["description"] = doc[0]
        body["properties"] = properties
        if required:
            body["required"] = required
        body["additionalProperties"] = False
        return body

    def ref(self, cls: type) -> dict[str, Any]:
        name = cls.__name__
        if name not in self.defs:
            self.defs[name] = {}  # a placeholder, so that a cycle ends
            self.defs[name] = self.object_schema(cls)
        return {"$ref": f"#/$defs/{name}"}

    def of(self, hint: Any) -> dict[str, Any]:
        origin, args = get_origin(hint), get_args(hint)
        if origin in (Union, types.UnionType):
            options = [self.of(arg) for arg in args if arg is not type(None)]
            if type(None) in args:
                options.append({"type": "null"})
            return options[0] if len(options) == 1 else {"anyOf": options}
        if origin is tuple and len(args) == 2 and args[1] is Ellipsis:
            return {"type": "array", "items": self.of(args[0])}
        if origin is frozenset:
            # Not "uniqueItems": dapolicy reads a repeated value in a set as one.
            return {"type": "array", "items": self.of(args[0])}
        if origin in (Mapping, dict) and args:
            return {"type": "object", "additionalProperties": self.of(args[1])}
        if isinstance(hint, type):
            return self.scalar(hint)
        raise TypeError(f"no JSON form for the type {hint!r}")

    def scalar(self, hint: type) -> dict[str, Any]:
        if issubclass(hint, enum.Enum):
            values = [member.value for member in hint]
            kinds = {type(v) for v in values}
            schema: dict[str, Any] = {"enum": values}
            if kinds == {str}:
                schema = {"type": "string", **schema}
            return schema
        if attrs.has(hint):
            return self.ref(hint)
        if hint is bool:
            return {"type": "boolean"}
        if hint is int:
            return {"type": "integer"}
        if hint is float:
            return {"type": "number"}
        if hint is str:
            return {"type": "string"}
        if issubclass(hint, datetime):
            return {"type": "string", "format": "date-time", "pattern": DATE_TIME_PATTERN}
        if issubclass(hint, date):
            return {"type": "string", "format": "date", "pattern": _DATE_PATTERN}
        raise TypeError(f"no JSON form for the type {hint.__name__}")
