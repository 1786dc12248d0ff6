"""Reading a policy file that may be hostile: bounded, UTF-8, shallow, never a traceback.

``tomllib`` raises ``UnicodeDecodeError`` for a file that is not UTF-8,
``RecursionError`` for arrays nested a few hundred deep, ``ValueError`` for an integer
of more than 4,300 digits, and reads a file of any size into memory. Each of those
is turned here into one :class:`~dapolicy.errors.FieldError` naming what is wrong
(never quoting the file's content), and the parsed data is checked to be no deeper
than :data:`MAX_DEPTH`, so nothing later (structuring, fingerprints) can recurse
without bound.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from dapolicy.errors import FieldError

__all__ = ["MAX_BYTES", "MAX_DEPTH", "read_toml"]

#: The largest policy file read: 1 MiB (the example file with every setting is 6 KiB).
MAX_BYTES = 1 << 20

#: Tables and arrays nested deeper than this are refused (dapolicy's own settings are
#: at most 4 deep; a plug-in's ``[options]`` table has the rest).
MAX_DEPTH = 32


class _TomlError(Exception):
    """One problem with the file as a whole."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.error = FieldError("$", message)


def read_toml(path: Path) -> dict[str, Any]:
    """The file's TOML as plain data.

    :raises OSError: the file cannot be opened or read.
    :raises _TomlError: the file is too large, not UTF-8, not TOML, or nested too deep.
    """
    with path.open("rb") as handle:
        raw = handle.read(MAX_BYTES + 1)
    if len(raw) > MAX_BYTES:
        raise _TomlError(f"the file is larger than {MAX_BYTES // 1024} KiB")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise _TomlError(f"not UTF-8 text (byte {exc.start})") from None
    text = text.removeprefix("\ufeff")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        # tomllib's messages say what was expected and where; they quote no content.
        raise _TomlError(f"not valid TOML: {exc}") from None
    except RecursionError:
        raise _TomlError(f"not usable: nested more than {MAX_DEPTH} deep") from None
    except ValueError:
        # An integer too long to convert (Python's 4,300-digit limit).
        raise _TomlError("not valid TOML: a number is too long") from None
    if _depth(data) > MAX_DEPTH:
        raise _TomlError(f"not usable: nested more than {MAX_DEPTH} deep")
    return data


def _depth(data: Any) -> int:
    """How deeply tables and arrays nest, without recursion (the data may be deep)."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict):
            children: Any = value.values()
        elif isinstance(value, list):
            children = value
        else:
            continue
        deepest = max(deepest, depth)
        if depth > MAX_DEPTH:
            break
        stack.extend((child, depth + 1) for child in children)
    return deepest
