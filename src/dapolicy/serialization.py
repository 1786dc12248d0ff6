"""JSON in and out, on cattrs.

``make_converter()`` returns a converter configured for dapolicy's types;
``configure_converter(converter)`` adds dapolicy's hooks to a converter you made, so a
plug-in can extend serialization it did not create (the pattern of ``cattrs.preconf``).

The JSON shapes are strict: unknown keys are rejected, a string is never taken for a
number or a list, enums are their values, dates are ``YYYY-MM-DD`` and datetimes are
ISO 8601 *with* a UTC offset. A string holds at most :data:`MAX_STRING_CHARS`
characters and an array or mapping at most :data:`MAX_ITEMS` items. Any bad input raises one
:class:`~dapolicy.errors.ValidationError` with every problem and its JSON path; no
message quotes the value (it may be personal data).
"""

from __future__ import annotations

from typing import Any, TypeVar

import cattrs

from dapolicy import _read, _read_fast, _speedups, _unstructure
from dapolicy._read import _unique_keys as _unique_keys  # the batch's rejects read it

__all__ = [
    "MAX_ITEMS",
    "MAX_STRING_CHARS",
    "configure_converter",
    "from_dict",
    "from_json",
    "make_converter",
    "to_dict",
    "to_json",
]

#: The longest string a record may hold, in characters: an id, a key, a free-text field.
MAX_STRING_CHARS = _read.MAX_STRING_CHARS
#: The most items an array (children, abuse types, answers' ...) or entries a mapping
#: (a form's answers) may hold.
MAX_ITEMS = _read.MAX_ITEMS

T = TypeVar("T")


def make_converter(*, detailed_validation: bool = True) -> cattrs.Converter:
    """A new converter for dapolicy's types.

    :param detailed_validation: collect every error with its path (the default). Turn
        it off only where speed matters more than the message, and re-run a failing
        record with it on.
    :return: a :class:`cattrs.Converter` that rejects unknown keys.
    """
    converter = _read_fast.TrackedConverter(
        forbid_extra_keys=True, detailed_validation=detailed_validation
    )
    configure_converter(converter)
    converter.mark_pristine()
    return converter


def configure_converter(converter: cattrs.Converter) -> None:
    """Register dapolicy's hooks on ``converter``.

    Strict scalars (no string taken for a number or a boolean), aware datetimes, enums
    by value with a safe error, arrays required for tuples and sets (sets written
    sorted, so output is byte-for-byte stable), objects required for attrs classes.
    """
    _read.configure_structuring(converter)
    _unstructure.configure_unstructure(converter)


_default: cattrs.Converter | None = None


def _converter(converter: cattrs.Converter | None) -> cattrs.Converter:
    global _default
    if converter is not None:
        return converter
    if _default is None:
        _default = make_converter()
    return _default


def from_dict(cls: type[T], data: Any, *, converter: cattrs.Converter | None = None) -> T:
    """Build a ``cls`` from JSON-like data (dicts, lists, strings, numbers).

    With a converter made with ``detailed_validation=False``, a record that fails is
    structured again with detailed validation, so the error still names every problem
    and its path. The default converter, and any from :func:`make_converter` to which no
    structure hook has been added, take the fast path first (see
    :mod:`dapolicy._read_fast`): the same objects and the same errors, sooner.

    :raises ValidationError: with every problem and its JSON path.
    """
    chosen = _converter(converter)
    if _speedups.FAST and _read_fast.is_pristine(chosen):
        built = _read_fast.structure(cls, data, chosen)
        if built is not _read_fast.UNSURE:
            return built  # type: ignore[no-any-return]
    return _read.structure(cls, data, chosen)


def from_json(cls: type[T], text: str | bytes, *, converter: cattrs.Converter | None = None) -> T:
    """Parse one JSON document into a ``cls``.

    :raises ValidationError: for text that is not UTF-8, malformed JSON (with line and
        column), a key given twice, arrays and objects nested more than 64 deep, an
        integer too long for Python to convert (with its path), a lone surrogate escape,
        or bad data.
    """
    chosen = _converter(converter)
    if _speedups.FAST and _read_fast.is_pristine(chosen):
        data = _read_fast.loads(text)
        if data is _read_fast.UNSURE:
            return from_dict(cls, _read.loads(cls.__name__, text), converter=chosen)
        length = len(text)
        built = _read_fast.structure(
            cls,
            data,
            chosen,
            bounded=length <= _read_fast.BOUNDED,
            short=length <= _read_fast.SHORT,
        )
        if built is not _read_fast.UNSURE:
            return built  # type: ignore[no-any-return]
        # Refused: read again on the pure path, whose limits come first, for its errors.
    return _read.structure(cls, _read.loads(cls.__name__, text), chosen)


def to_dict(obj: object, *, converter: cattrs.Converter | None = None) -> Any:
    """The JSON-ready form of a dapolicy object (plain dicts, lists, strings, numbers)."""
    return _unstructure.to_dict(obj, _converter(converter))


def to_json(obj: object, *, converter: cattrs.Converter | None = None) -> str:
    """One compact line of JSON for ``obj``; the same object always gives the same text.

    The text is ``json.dumps(to_dict(obj), ensure_ascii=False, separators=(",", ":"))``,
    byte for byte, whether or not the fast path is on (see :mod:`dapolicy._speedups`).
    """
    return _unstructure.to_json(obj, _converter(converter), default=converter is None)


def _to_json_bytes(
    obj: object, *, converter: cattrs.Converter | None = None, errors: str = "strict"
) -> bytes:
    """``to_json(obj, converter=converter).encode("utf-8", errors)``, byte for byte, sooner.

    Private, for the batch: on the fast path orjson's bytes are returned as they are,
    without the decode to ``str`` (about 5 % of writing a decision) and the encode back.
    ``errors="surrogatepass"`` is what the batch's spill encodes with; with the default,
    a decision holding a lone surrogate raises :class:`UnicodeEncodeError` as
    ``to_json(obj).encode()`` does.
    """
    return _unstructure.to_json_bytes(
        obj, _converter(converter), default=converter is None, errors=errors
    )
