"""What a rejects file holds: strict JSON lines, the raw record or only its ids."""

from __future__ import annotations

import json
from typing import Any

#: The longest id a redacted reject keeps (a longer "id" is not an id).
_ID_CHARS = 200


def too_long(number: int, limit: int) -> str:
    """The reject line of an input line longer than ``limit`` bytes (it was not read)."""
    message = f"line longer than {limit} bytes: not read"
    return json.dumps(
        {"line": number, "record": None, "errors": [{"path": "$", "message": message}]}
    )


def reject_line(reject: str | dict[str, Any], *, redact: bool) -> str:
    """One line of a rejects file, as strict JSON (no bare ``NaN`` or ``Infinity``).

    :param reject: a reject record (``line``, ``record``, ``errors``) or its JSON text.
    :param redact: keep the line number, the errors and the record's ids only (the
        incident and victim ids, where they can be read), never the record itself.
    """
    # Bare constants cannot come from parse_line (it keeps such text as a string);
    # should one arrive, it is kept as the string it was, never written bare.
    record = json.loads(reject, parse_constant=str) if isinstance(reject, str) else reject
    if redact:
        record = {
            "line": record["line"],
            "ids": _ids(record.get("record")),
            "errors": record["errors"],
        }
    return json.dumps(record, allow_nan=False)


def _ids(record: object) -> dict[str, str]:
    """The incident's and the victim's ids, where the record has them as short strings."""
    ids: dict[str, str] = {}
    incident = record.get("incident") if isinstance(record, dict) else None
    if not isinstance(incident, dict):
        return ids
    victim = incident.get("victim")
    for name, value in (
        ("incident", incident.get("id")),
        ("victim", victim.get("id") if isinstance(victim, dict) else None),
    ):
        if isinstance(value, str) and 0 < len(value) <= _ID_CHARS:
            ids[name] = value
    return ids
