"""The writing side of :mod:`dapolicy.serialization`: objects to JSON-ready data and text.

The contract is the text of the pure path: ``json.dumps(to_dict(obj), ensure_ascii=False,
separators=(",", ":"))``. With the fast path on (:data:`dapolicy._speedups.FAST`) and the
default converter, :func:`to_json` writes the same bytes through generated per-class
writers and orjson (:mod:`dapolicy._json_writer`); whatever that writer is not sure of, it
hands back to the pure path for that record.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from datetime import date, datetime
from typing import Any, get_args, get_origin

import cattrs

from dapolicy import _speedups

__all__ = ["configure_unstructure", "to_dict", "to_json", "to_json_bytes"]

UnstructureHook = Callable[[Any], Any]


def configure_unstructure(converter: cattrs.Converter) -> None:
    """Register the unstructure hooks: ISO 8601 dates and times, sets and mappings sorted.

    Sets are written sorted and mappings by sorted key, so that the same object always
    gives the same text.
    """
    converter.register_unstructure_hook(datetime, datetime.isoformat)
    converter.register_unstructure_hook(date, date.isoformat)
    converter.register_unstructure_hook_factory(_is_set, _set_unstructure_factory)
    converter.register_unstructure_hook_factory(_is_mapping, _mapping_unstructure_factory)


def _is_set(cls: Any) -> bool:
    return get_origin(cls) is frozenset


def _is_mapping(cls: Any) -> bool:
    return get_origin(cls) is Mapping


def _set_unstructure_factory(cls: Any, converter: cattrs.Converter) -> UnstructureHook:
    item_hook = converter.get_unstructure_hook(get_args(cls)[0])

    def unstructure(value: Any) -> list[Any]:
        return sorted(item_hook(item) for item in value)

    return unstructure


def _mapping_unstructure_factory(cls: Any, converter: cattrs.Converter) -> UnstructureHook:
    value_hook = converter.get_unstructure_hook(get_args(cls)[1])

    def unstructure(value: Mapping[Any, Any]) -> dict[Any, Any]:
        return {key: value_hook(value[key]) for key in sorted(value)}

    return unstructure


def to_dict(obj: object, converter: cattrs.Converter) -> Any:
    """The JSON-ready form of ``obj`` by ``converter``."""
    return converter.unstructure(obj)


def pure_json(obj: object, converter: cattrs.Converter) -> str:
    """The contract: the stdlib's compact, non-ASCII-escaping text of ``to_dict(obj)``."""
    return json.dumps(converter.unstructure(obj), ensure_ascii=False, separators=(",", ":"))


def to_json(obj: object, converter: cattrs.Converter, default: bool) -> str:
    """One line of JSON for ``obj``: the fast writer where it is sure, else the pure path.

    :param default: ``converter`` is dapolicy's own default one (the only converter the
        fast writer knows the hooks of; any other is written by the pure path).
    """
    if default and _speedups.FAST:
        text = (_fast_dumps or _load_fast_dumps())(obj)
        if text is not None:
            return text
    return pure_json(obj, converter)


def to_json_bytes(
    obj: object, converter: cattrs.Converter, default: bool, errors: str = "strict"
) -> bytes:
    """:func:`to_json` as UTF-8: ``to_json(obj, ...).encode("utf-8", errors)``, byte for byte.

    The fast writer's bytes are orjson's, not decoded and encoded again; it never writes
    a lone surrogate (it hands such a record back), so ``errors`` only matters on the
    pure path, where ``"strict"`` raises :class:`UnicodeEncodeError` as ``.encode()``
    does and ``"surrogatepass"`` keeps it.
    """
    if default and _speedups.FAST:
        written = (_fast_dumps_bytes or _load_fast_dumps_bytes())(obj)
        if written is not None:
            return written
    return pure_json(obj, converter).encode("utf-8", errors)


#: ``_json_writer.dumps`` once imported: imported on first use (it imports the models,
#: which import this module), and kept, since an import statement on every call cost
#: about 4 % of writing a decision.
_fast_dumps: Callable[[object], str | None] | None = None


def _load_fast_dumps() -> Callable[[object], str | None]:
    global _fast_dumps
    from dapolicy._json_writer import dumps

    _fast_dumps = dumps
    return dumps


_fast_dumps_bytes: Callable[[object], bytes | None] | None = None


def _load_fast_dumps_bytes() -> Callable[[object], bytes | None]:
    global _fast_dumps_bytes
    from dapolicy._json_writer import dumps_bytes

    _fast_dumps_bytes = dumps_bytes
    return dumps_bytes
