"""The fast read path (private): orjson and generated structuring, vouching or deferring.

:func:`loads` reads a record with orjson and :func:`structure` builds it with a function
generated for its class, which does the strict checks of the pure path's hooks inline and
builds the frozen attrs instances through their own constructors, so every invariant of
the models still runs. Neither ever reports an error: whatever either is not sure of (a
parse error, a key that may be given twice, a value of an unusual type, a failed check)
comes back as :data:`UNSURE`, and :mod:`dapolicy.serialization` hands the record to the
pure path (:mod:`dapolicy._read`), which accepts or rejects it and words every error. So
the fast path can only ever accept what the pure path accepts, as the same objects, and
every rejection is the pure path's own.

**Reading.** orjson keeps the last of a key given twice, silently, and turns an integer
past 64 bits into a float; the pure path refuses the first and reads the second exactly.
So orjson's reading is kept only when writing it back with orjson gives the very bytes
read: a document with a key twice cannot be the writing of a mapping, and a float
written back never spells an integer. Every line dapolicy writes (``to_json``) passes;
text written differently (spaces, escapes) is read again by the pure path, and still
structured fast.

**Structuring.** The generated function mirrors the hooks that
:func:`~dapolicy._read.configure_structuring` registers, type by type, and is generated
only for a class whose every field has such a type; the converter's own hook for each
type is checked to be that hook, so a change there turns the fast path off for the class
rather than letting it drift. It is used only for a converter that is :func:`pristine
<is_pristine>`: the default one, or one from ``make_converter`` with no structure hook
added since.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import cattrs

from dapolicy import _read, _read_gen, _speedups
from dapolicy._json_limits import MAX_DEPTH

__all__ = ["UNSURE", "TrackedConverter", "is_pristine", "loads", "structure"]


class _Unsure:
    """The type of :data:`UNSURE`."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "UNSURE"


#: What :func:`loads` and :func:`structure` return when the pure path must decide.
UNSURE: Any = _Unsure()


class TrackedConverter(cattrs.Converter):
    """The converter :func:`~dapolicy.serialization.make_converter` returns.

    A :class:`cattrs.Converter` that knows whether it still structures exactly as
    dapolicy configured it: adding any structure hook (a plug-in's type, a force's
    override) makes it no longer :func:`pristine <is_pristine>`, and from then on every
    record it reads takes the pure path, which honours the new hook.
    """

    __slots__ = ("_dapolicy_pristine",)

    def mark_pristine(self) -> None:
        """Record that the converter has dapolicy's structure hooks and no others."""
        self._dapolicy_pristine = True

    def register_structure_hook(self, *args: Any, **kwargs: Any) -> Any:
        """As cattrs', and the converter is no longer pristine."""
        self._dapolicy_pristine = False
        return super().register_structure_hook(*args, **kwargs)

    def register_structure_hook_func(self, *args: Any, **kwargs: Any) -> Any:
        """As cattrs', and the converter is no longer pristine."""
        self._dapolicy_pristine = False
        return super().register_structure_hook_func(*args, **kwargs)

    def register_structure_hook_factory(self, *args: Any, **kwargs: Any) -> Any:
        """As cattrs', and the converter is no longer pristine."""
        self._dapolicy_pristine = False
        return super().register_structure_hook_factory(*args, **kwargs)

    def copy(self, *args: Any, **kwargs: Any) -> Any:
        """As cattrs'; the copy is pristine if this one is and only validation differs."""
        twin = super().copy(*args, **kwargs)
        if is_pristine(self) and not args and set(kwargs) <= {"detailed_validation"}:
            twin.mark_pristine()
        return twin


def is_pristine(converter: cattrs.Converter) -> bool:
    """Whether ``converter`` structures exactly as dapolicy configured it (no hook added)."""
    return getattr(converter, "_dapolicy_pristine", False) is True


# --- reading --------------------------------------------------------------------------


def loads(text: str | bytes) -> Any:
    """The JSON value of ``text``, or :data:`UNSURE` where the pure path must read it.

    It is the value the pure path would read, and the pure path would raise nothing but,
    perhaps, that the text is nested too deep (which no record of a dapolicy type is:
    a value :func:`structure` accepts is never nested so deep, and a record it refuses
    is read again by the pure path, limits first). The text is UTF-8 (orjson checks),
    with no byte-order mark (orjson refuses one), and orjson writes the value back as
    the very bytes read (less the line's end, as a batch reads a line): so no key is
    given twice, no integer was read as a float, no
    escape stood for a lone surrogate, and there is no NaN.
    """
    orjson = _speedups.orjson
    if orjson is None:
        return UNSURE
    if isinstance(text, bytes):
        raw = text
    else:
        try:
            raw = text.encode("utf-8")
        except (UnicodeEncodeError, AttributeError):  # a lone surrogate; not text at all
            return UNSURE
    try:
        data = orjson.loads(raw)
        again: bytes = orjson.dumps(data)
    except (orjson.JSONDecodeError, orjson.JSONEncodeError):
        return UNSURE
    if again == raw:
        return data
    # A line of a file comes with its end, "\n" or "\r\n": white space after the value,
    # which the pure path reads as nothing too.
    if raw.endswith(b"\n"):
        return data if again == raw[: -2 if raw.endswith(b"\r\n") else -1] else UNSURE
    return UNSURE


# --- structuring ----------------------------------------------------------------------


#: Text of at most this many characters (or bytes) cannot hold a string longer than
#: MAX_STRING_CHARS: each character of a string takes at least one of the text's. Its
#: strings are structured without counting their characters (and its keys, JSON's, are
#: each a ``str``).
SHORT = _read.MAX_STRING_CHARS
#: Nor, at most this many, an array or object of more than MAX_ITEMS items: each item
#: takes at least two (with its comma). Its values are structured without counting.
BOUNDED = min(_read.MAX_STRING_CHARS, 2 * _read.MAX_ITEMS)


def structure(
    cls: type,
    data: Any,
    converter: cattrs.Converter,
    *,
    bounded: bool = False,
    short: bool = False,
) -> Any:
    """``cls`` built from ``data`` as the pure path builds it, or :data:`UNSURE`.

    :param converter: a :func:`pristine <is_pristine>` converter.
    :param short: ``data`` is the value orjson read from a text of at most :data:`SHORT`
        characters, so no string in it can be over the limit.
    :param bounded: from a text of at most :data:`BOUNDED` characters, so no string,
        array or object in it can be over a limit.
    """
    try:
        functions = _built[cls]
    except KeyError:
        functions = _built[cls] = _plan(cls)
    except TypeError:  # not hashable: not a class the fast path knows
        return UNSURE
    if functions is None:
        return UNSURE
    variant = 2 if bounded else 1 if short else 0
    function = functions[variant]
    if function is None:  # the first record of this kind: write its function now
        function = functions[variant] = _generate(cls, converter, variant)
        if function is None:
            _built[cls] = None
            return UNSURE
    try:
        return function(data)
    except Exception:  # any doubt, or a model's own check: the pure path decides
        return UNSURE


#: The generated functions of each class read so far, each written when a record first
#: needs it: counting the items and characters, the items only, and neither (None: the
#: class takes the pure path).
_built: dict[Any, list[Callable[[Any], Any] | None] | None] = {}


def _plan(cls: Any) -> list[Callable[[Any], Any] | None] | None:
    """A place for the three functions of ``cls``, or None if it takes the pure path."""
    if not _read._is_attrs(cls):
        return None
    if _read_gen.nesting(cls) > MAX_DEPTH:  # then the text may be too deep: the pure path checks
        return None
    return [None, None, None]


def _generate(cls: Any, converter: cattrs.Converter, variant: int) -> Callable[[Any], Any] | None:
    writer = _read_gen.Writer(converter, strings=variant == 0, items=variant < 2)
    try:
        return writer.compile(cls)
    except _read_gen.Unknown:
        return None
