r"""A line's place in decision order, read from its bytes without parsing it (private).

Indexing a batch needs three things from each line -- the decision time (the latest of
``incident.reported_at``, ``form.completed_at`` and ``dara.completed_at``), the
incident id and the victim id -- and parsing a whole line to get them costs ten times
more than finding them.
:func:`byte_key` finds them with a few byte searches, and answers only when the
answer is certain for every line that is a valid :class:`~dapolicy.models.Case`:

- the line has no backslash, so every ``"`` in it starts or ends a string, and no
  string can hide a key (``\u`` escapes, ``\"``): a line with one is read in full;
- it starts ``{"incident":{"id":"`` (after a byte-order mark), so the first string is
  the incident id and the top-level object's first key is ``incident``;
- each of ``"victim"``, ``"reported_at"``, ``"form"``, ``"dara"`` and
  ``"completed_at"`` occurs at most once in the whole line, as a key. In a valid
  case each is a key of exactly one model, but for ``completed_at``, which both
  forms have (the schema test in ``tests/test_batch_keys.py`` keeps it so): so the
  one place it occurs is that key, and the value that follows is the one a parser
  would read. A line with both forms is read in full.

A line that is not a valid case is rejected whatever key it is given, and a reject
records nothing in any history, so where it sorts or which partition it falls in
changes no output. For any line the byte search is not sure of, :func:`quick_key`
parses the line in full (:func:`json_key`), so the key is the parser's. Where orjson
is there, :func:`quick_key` always does: orjson reads a whole line faster than the
byte search finds three fields in it.
"""

from __future__ import annotations

import contextlib
import json
from datetime import datetime
from typing import Any

from dapolicy import _speedups
from dapolicy.models import Case
from dapolicy.models._base import micros

__all__ = ["byte_key", "case_key", "json_key", "quick_key", "read_json", "victim_id"]

_BOM = b"\xef\xbb\xbf"
_START = b'{"incident":{"id":"'
_VICTIM = b'"victim"'
_VICTIM_ID = b':{"id":"'
_REPORTED = b'"reported_at"'
_FORM = b'"form"'
_DARA = b'"dara"'
_COMPLETED = b'"completed_at"'

Key = tuple[int, str, str]


def _once(raw: bytes, token: bytes) -> int:
    """Where ``token`` is in ``raw``: -1 if absent, -2 if there more than once."""
    at = raw.find(token)
    if at >= 0 and raw.find(token, at + len(token)) >= 0:
        return -2
    return at


def _string_after(raw: bytes, at: int, opening: bytes) -> bytes | None:
    """The string whose opening (``opening`` ends with its quote) stands at ``at``."""
    if at < 0 or not raw.startswith(opening, at):
        return None
    start = at + len(opening)
    end = raw.find(b'"', start)
    return raw[start:end] if end >= 0 else None


def _time(raw: bytes, token: bytes) -> int | None:
    """The microseconds of the date-time that key ``token`` (there once) holds."""
    at = _once(raw, token)
    text = _string_after(raw, at + len(token), b':"') if at >= 0 else None
    if text is None:
        return None
    try:
        return micros(datetime.fromisoformat(text.decode("ascii")))
    except Exception:  # as the full reading does: any doubt, no key
        return None


def _no_bom(raw: bytes) -> bytes:
    return raw[3:] if raw.startswith(_BOM) else raw


def victim_id(raw: bytes) -> str | None:
    """The victim id found by byte search, or ``None`` when not certain of it."""
    raw = _no_bom(raw)
    if not raw.startswith(_START) or b"\\" in raw:
        return None
    at = _once(raw, _VICTIM)
    found = _string_after(raw, at + len(_VICTIM), _VICTIM_ID) if at >= 0 else None
    if found is None:
        return None
    try:
        return found.decode("utf-8")
    except UnicodeDecodeError:
        return None


def byte_key(raw: bytes) -> Key | None:
    """(decision time in microseconds, incident id, victim id) by byte search, or None.

    ``None`` whenever the search is not certain to agree with a parser (see the
    module's docstring); never a different answer for a valid case.
    """
    raw = _no_bom(raw)
    victim = victim_id(raw)
    if victim is None:
        return None
    end = raw.find(b'"', len(_START))  # there is one: victim_id found quotes after it
    at = _time(raw, _REPORTED)
    if at is None:
        return None
    forms = 0  # how many of the two forms the line has
    for token in (_FORM, _DARA):
        where = _once(raw, token)
        if where == -2:
            return None
        if where >= 0:
            after = raw[where + len(token) : where + len(token) + 5]
            if after.startswith(b":{"):
                forms += 1
            elif after != b":null":
                return None
    if forms > 1:  # two completed_at: which is whose is for the parser to say
        return None
    if forms:
        completed = _time(raw, _COMPLETED)
        if completed is None:
            return None
        at = max(at, completed)
    try:
        incident = raw[len(_START) : end].decode("utf-8")
    except UnicodeDecodeError:
        return None
    return at, incident, victim


def read_json(raw: bytes) -> Any:
    """A line's JSON value (after a byte-order mark): orjson's reading, else the stdlib's.

    orjson reads every line it does not refuse as the stdlib does (the same strings,
    the last of a repeated key); what it refuses -- a number past 64 bits, a lone
    surrogate, NaN, deep nesting -- the stdlib reads, as it did before orjson.
    :raises ValueError: (or ``RecursionError``) the line is not JSON to either.
    """
    raw = _no_bom(raw)
    if _speedups.orjson is not None:
        with contextlib.suppress(ValueError):  # orjson.JSONDecodeError is one
            return _speedups.orjson.loads(raw)
    return json.loads(raw.decode("utf-8"))


def json_key(raw: bytes) -> Key | None:
    """:func:`quick_key` read by parsing the line in full, or ``None``."""
    try:
        data = read_json(raw)
        incident = data["incident"]
        at = micros(datetime.fromisoformat(incident["reported_at"]))
        for name in ("form", "dara"):
            form = data.get(name)
            if form is not None:
                at = max(at, micros(datetime.fromisoformat(form["completed_at"])))
        incident_id, victim = incident["id"], incident["victim"]["id"]
    except Exception:  # any doubt: the full parse decides
        return None
    if not (isinstance(incident_id, str) and isinstance(victim, str)):
        return None
    return at, incident_id, victim


def quick_key(raw: bytes) -> Key | None:
    """(decision time in microseconds, incident id, victim id) read straight from JSON.

    A fast reading of three fields, not a validation: ``None`` when they cannot be
    read, in which case the line is parsed in full. It gives the same decision time as
    :func:`dapolicy.batch.decision_time` for every line that parses as a
    :class:`~dapolicy.models.Case` (the same text, read by the same ISO 8601 parser).
    With orjson, reading the whole line is quicker than the byte search (about 6.8
    against 8.3 us a line of 1.5 kB), so the byte search is the pure path's.
    """
    if _speedups.orjson is not None:
        return json_key(raw)
    key = byte_key(raw)
    return key if key is not None else json_key(raw)


def case_key(case: Case) -> Key:
    """:func:`quick_key` of a parsed case (its time is that of ``batch.decision_time``)."""
    incident = case.incident
    at = micros(incident.reported_at)
    for form in (case.form, case.dara):
        if form is not None:
            at = max(at, micros(form.completed_at))
    return at, incident.id, incident.victim.id
