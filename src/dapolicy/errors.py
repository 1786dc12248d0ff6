"""The exceptions dapolicy raises.

Every problem with input data -- a model built in Python with an impossible value, or a
JSON record of the wrong shape -- is reported as one :class:`ValidationError` that
carries *every* problem found, each with the JSON path of the value at fault.

Messages never quote the offending value: a misplaced name, address or date of birth
must not leak into a log line through an error message.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable

import attrs

__all__ = [
    "ConfigurationError",
    "DapolicyError",
    "FieldError",
    "HistoryError",
    "ValidationError",
    "safe_name",
]


class DapolicyError(Exception):
    """Base class of every exception dapolicy raises on purpose."""


class ConfigurationError(DapolicyError):
    """A plug-in could not be loaded or registered, or contradicts another.

    Also importable from :mod:`dapolicy.policy`, where it was first defined.
    """


class HistoryError(DapolicyError):
    """A history file cannot be used: not a history, too new, damaged, closed or busy.

    The message names the file and says what is wrong; it never quotes an id.
    """


@attrs.frozen
class FieldError:
    """One problem with one value.

    :param path: where the value is, as a JSON path from the record's root: ``$`` is the
        record itself, ``$.victim.date_of_birth`` a nested field, ``$.children[1].age``
        an item of a list.
    :param message: what is wrong, in words; never the value itself.
    """

    path: str
    message: str

    @property
    def field(self) -> str:
        """The dotted field name (``victim.date_of_birth``), or ``""`` for the root."""
        return self.path.removeprefix("$").removeprefix(".")

    def __str__(self) -> str:
        """``victim.date_of_birth: <message> @ $.victim.date_of_birth``."""
        name = self.field
        return f"{name}: {self.message} @ {self.path}" if name else f"{self.message} @ $"


#: What a name from input must look like to be quoted in a message: lower-case letters,
#: digits, ``_``, ``.`` and ``-``, starting with a letter or a digit, at most 32
#: characters, with at most 4 digits. Field names (``date_of_birth``), checklist ids
#: (``dash-2009-police``) and item numbers (``27``) pass; a capitalised name, a phone
#: number, a date of birth, a postcode in capitals, or anything with a space does not.
SAFE_NAME = re.compile(r"[a-z0-9][a-z0-9_.-]{0,31}")
_MAX_DIGITS = 4


def safe_name(value: object, *, known: Collection[str] = ()) -> str | None:
    """``value`` if it may be quoted in a message, else ``None`` (name it by position).

    A key or an id that came from input is input: it may be a name, an address or a
    phone number typed in the wrong place. It is quoted only when it is one of the
    ``known`` names (the schema's fields, a registered checklist's items) or matches
    :data:`SAFE_NAME`; otherwise the caller names it by position ("item 3 of the
    answers").

    >>> safe_name("date_of_brith"), safe_name("Jane Smith"), safe_name("07700900123")
    ('date_of_brith', None, None)
    >>> safe_name("Q16", known={"Q16"})
    'Q16'
    """
    if not isinstance(value, str):
        return None
    if value in known:
        return value
    if SAFE_NAME.fullmatch(value) and sum(c.isdigit() for c in value) <= _MAX_DIGITS:
        return value
    return None


def key_path(base: str, key: object, index: int, *, known: Collection[str] = ()) -> str:
    """The path of ``key`` (the ``index``-th key, from 0, of its object) below ``base``.

    A key from input is quoted only when :func:`safe_name` allows it; otherwise it is
    named by its place in the object (``#2``, as the record limits name one), so an
    error never echoes a name, an address or a phone number typed as a key.

    >>> key_path("$.victim", "nickname", 2), key_path("$.victim", "Jane Smith", 2)
    ('$.victim.nickname', "$.victim['#2']")
    """
    name = safe_name(key, known=known)
    return join_path(base, f"#{index}" if name is None else name)


def join_path(base: str, part: str | int) -> str:
    """Append a field name or a list index to a JSON path."""
    if isinstance(part, int):
        return f"{base}[{part}]"
    if part.isidentifier():
        return f"{base}.{part}"
    return f"{base}[{part!r}]"


class ValidationError(DapolicyError, ValueError):
    """Input that breaks the model's rules, with every problem at once.

    :ivar errors: the problems, each a :class:`FieldError` with its JSON path.
    :ivar type_name: the name of the type being built, e.g. ``"Incident"``.
    """

    errors: tuple[FieldError, ...]
    type_name: str

    def __init__(self, type_name: str, errors: Iterable[FieldError]) -> None:
        """Collect ``errors`` (at least one) met while building a ``type_name``."""
        self.type_name = type_name
        self.errors = tuple(errors)
        if not self.errors:
            raise ValueError("a ValidationError needs at least one FieldError")
        super().__init__(type_name, self.errors)

    def __str__(self) -> str:
        """A header line, then one problem a line."""
        count = len(self.errors)
        noun = "problem" if count == 1 else "problems"
        lines = [f"invalid {self.type_name}: {count} {noun}"]
        lines.extend(f"  {error}" for error in self.errors)
        return "\n".join(lines)

    def under(self, path: str) -> tuple[FieldError, ...]:
        """These errors re-rooted below ``path`` (used when a record nests this one)."""
        return tuple(FieldError(path + e.path.removeprefix("$"), e.message) for e in self.errors)
