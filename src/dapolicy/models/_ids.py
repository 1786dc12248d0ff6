"""The safe id pattern: ids that may be quoted in messages, paths and reports.

An id that comes from input is input. dapolicy quotes one (in an error path, a review
reason, an explanation) only when it matches :data:`SAFE_ID`: 1 to 64 ASCII letters,
digits, ``.``, ``_``, ``-`` or ``:``, starting with a letter or digit. Such a string
cannot carry a name with spaces, an address, a phone number with spaces or ``+``, or
a control character that would rewrite a terminal line.
"""

from __future__ import annotations

import re
from typing import Any

__all__ = ["SAFE_ID", "SAFE_ID_TEXT", "is_safe_id", "safe_id"]

#: 1-64 ASCII letters, digits, ``.``, ``_``, ``-`` or ``:``, starting with a letter or digit.
SAFE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,63}", re.ASCII)

#: How :data:`SAFE_ID` is described in messages and the docs.
SAFE_ID_TEXT = "1-64 ASCII letters, digits, '.', '_', '-' or ':', starting with a letter or digit"


def is_safe_id(value: object) -> bool:
    """True when ``value`` is a string matching :data:`SAFE_ID`."""
    return isinstance(value, str) and SAFE_ID.fullmatch(value) is not None


def safe_id(name: str, value: Any, *, optional: bool = False) -> tuple[tuple[str, str], ...]:
    """Problems with a field that must hold a safe id (see :data:`SAFE_ID`)."""
    if value is None and optional:
        return ()
    if not isinstance(value, str):
        return ((name, "must be a string"),)
    if SAFE_ID.fullmatch(value) is None:
        return ((name, f"must be a safe id: {SAFE_ID_TEXT}"),)
    return ()
