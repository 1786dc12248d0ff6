"""Finding personal data of a case in text: what to look for, and where."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Sequence
from datetime import date

from dapolicy.models import (
    Decision,
)
from dapolicy.testing._invariants._case import ConformanceCase

_MIN_SECRET = 4

_ISO_DAY_OF_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}(?=T\d)")


def _personal_data(case: ConformanceCase) -> list[tuple[str, str]]:
    """(what, value) for every piece of personal data in the case."""
    found: list[tuple[str, str]] = []
    incident = case.incident
    for role, person in (("victim", incident.victim), ("suspect", incident.suspect)):
        for field in ("name", "address", "phone"):
            value = getattr(person, field)
            if isinstance(value, str) and len(value.strip()) >= _MIN_SECRET:
                found.append((f"the {role}'s {field}", value.strip()))
        born = person.date_of_birth
        if isinstance(born, date):
            found.append((f"the {role}'s date of birth", born.isoformat()))
            found.append((f"the {role}'s date of birth", repr(born)))
    judgement = case.form.professional_judgement if case.form is not None else None
    rationales = (
        ("the professional judgement's rationale", judgement.rationale if judgement else None),
        (
            "the crime's outcome rationale",
            incident.crime.outcome_rationale if incident.crime is not None else None,
        ),
    )
    for what, text in rationales:
        if isinstance(text, str) and len(text.strip()) >= _MIN_SECRET:
            found.append((what, text.strip()))
    return found


def _leaks(text: str, secrets: Sequence[tuple[str, str]]) -> list[str]:
    # A date of birth may share its day with a time in the decision (a baby born on
    # the day of the incident): ignore the day of every ISO datetime.
    text = _ISO_DAY_OF_DATETIME.sub("####-##-##", text)
    return sorted({what for what, value in secrets if value in text})


def _record_text(record: logging.LogRecord) -> str:
    try:
        message = record.getMessage()
    except Exception:  # a bad format string: look at its parts instead
        message = f"{record.msg} {record.args}"
    if record.exc_info:
        message += logging.Formatter().formatException(record.exc_info)
    return message + (record.exc_text or "") + (record.stack_info or "")


def _scan(places: Iterable[tuple[str, str]], case: ConformanceCase, variant: str = "") -> None:
    secrets = _personal_data(case)
    if not secrets:
        return
    for place, text in places:
        leaked = _leaks(text, secrets)
        if leaked:
            where = f"{place} ({variant})" if variant else place
            raise AssertionError(
                f"invariant 9 (no personal data): {', '.join(leaked)} appears in {where}"
            )


def _failure_and_log_texts(
    decision: Decision, records: Iterable[logging.LogRecord]
) -> list[tuple[str, str]]:
    places = [(f"the failure of plug-in {f.plugin!r}", f.error) for f in decision.failures]
    places += [(f"a log record of {r.name!r}", _record_text(r)) for r in records]
    return places
