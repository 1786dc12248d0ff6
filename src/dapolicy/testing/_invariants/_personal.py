"""Finding personal data of a case in text: what to look for, and where."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Sequence
from datetime import date

import attrs

from dapolicy.models import Decision, Person
from dapolicy.serialization import to_json
from dapolicy.testing._invariants._case import ConformanceCase
from dapolicy.testing._invariants._violation import violation

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
    folded = text.casefold()
    return sorted({what for what, value in secrets if value.casefold() in folded})


#: The attributes every log record has; any other was passed as ``extra``.
_STANDARD_RECORD = frozenset(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {
    "message",
    "asctime",
}


def _record_text(record: logging.LogRecord) -> str:
    """A log record's message, exception, stack and ``extra`` fields, as text."""
    try:
        message = record.getMessage()
    except Exception:  # a bad format string: look at its parts instead
        message = f"{record.msg} {record.args}"
    if record.exc_info:
        message += logging.Formatter().formatException(record.exc_info)
    extra = {k: v for k, v in vars(record).items() if k not in _STANDARD_RECORD}
    extras = f" extra={extra!r}" if extra else ""
    return message + (record.exc_text or "") + (record.stack_info or "") + extras


# --- planted personal data ------------------------------------------------------------------


@attrs.frozen
class Planted:
    """Distinctive (fictional) personal data, and the parts of it to look for."""

    name: str
    address: str
    phone: str
    parts: tuple[tuple[str, str], ...]


def _parts(
    role: str, forename: str, surname: str, address: str, postcode: str, phone: str
) -> tuple[tuple[str, str], ...]:
    street = address.split(",")[0]
    town = address.split(",")[1].strip()
    digits = phone.replace(" ", "")
    return (
        (f"the {role}'s name", f"{forename} {surname}"),
        (f"the {role}'s name", f"{surname}, {forename}"),
        (f"the {role}'s forename", forename),
        (f"the {role}'s surname", surname),
        (f"the {role}'s address", address),
        (f"the {role}'s street", street),
        (f"the {role}'s street", street.split(" ", 1)[1]),
        (f"the {role}'s town", town),
        (f"the {role}'s postcode", postcode),
        (f"the {role}'s postcode", postcode.replace(" ", "")),
        (f"the {role}'s phone number", phone),
        (f"the {role}'s phone number", digits),
        (f"the {role}'s phone number", digits[-6:]),
    )


PLANTED_VICTIM = Planted(
    "Ottoline Quarrington",
    "17 Marrowbone Wynd, Pellingford Parva, ZZ99 7QX",
    "07700 900417",
    _parts(
        "victim",
        "Ottoline",
        "Quarrington",
        "17 Marrowbone Wynd, Pellingford Parva",
        "ZZ99 7QX",
        "07700 900417",
    ),
)
PLANTED_SUSPECT = Planted(
    "Barnaby Thistlecombe",
    "4 Cowlstaff Yard, Dunmarsh Magna, ZZ99 3KW",
    "01632 960733",
    _parts(
        "suspect",
        "Barnaby",
        "Thistlecombe",
        "4 Cowlstaff Yard, Dunmarsh Magna",
        "ZZ99 3KW",
        "01632 960733",
    ),
)
#: Written into every free-text field of a planted case (rationales, event details).
PLANTED_TEXT = "FICTIONAL: Ottoline told PC Wendlebury about the Marrowbone Wynd flat"
# A part with a space: no id (dapolicy.models._ids.SAFE_ID) can hold it, so a drawn id
# such as "WENDLEBURY" is never taken for a leak.
_TEXT_PARTS = (("a written rationale", "PC Wendlebury"),)


def planted(case: ConformanceCase) -> ConformanceCase:
    """The case with distinctive personal data planted in every personal field."""
    incident = case.incident
    victim = attrs.evolve(
        incident.victim,
        name=PLANTED_VICTIM.name,
        address=PLANTED_VICTIM.address,
        phone=PLANTED_VICTIM.phone,
    )
    suspect = attrs.evolve(
        incident.suspect,
        name=PLANTED_SUSPECT.name,
        address=PLANTED_SUSPECT.address,
        phone=PLANTED_SUSPECT.phone,
    )
    crime = incident.crime
    if crime is not None:
        crime = attrs.evolve(crime, outcome_rationale=PLANTED_TEXT)
    form = case.form
    if form is not None and form.professional_judgement is not None:
        form = attrs.evolve(
            form,
            professional_judgement=attrs.evolve(
                form.professional_judgement, rationale=PLANTED_TEXT
            ),
        )
    dara = case.dara
    if dara is not None:
        dara = attrs.evolve(dara, rationale=PLANTED_TEXT)
    return attrs.evolve(
        case,
        incident=attrs.evolve(incident, victim=victim, suspect=suspect, crime=crime),
        form=form,
        dara=dara,
    )


def planted_parts(case: ConformanceCase) -> list[tuple[str, str]]:
    """Every part of the planted data to look for, with the case's dates of birth.

    A part that the case already holds elsewhere -- an id that happens to read
    "Barnaby" (hypothesis draws text from string constants it finds in the code) -- is
    not looked for: finding it would prove nothing.
    """
    found = [*PLANTED_VICTIM.parts, *PLANTED_SUSPECT.parts, *_TEXT_PARTS]
    for role, person in (("victim", case.incident.victim), ("suspect", case.incident.suspect)):
        born = person.date_of_birth
        if isinstance(born, date):
            found.append((f"the {role}'s date of birth", born.isoformat()))
            found.append((f"the {role}'s date of birth", born.strftime("%d/%m/%Y")))
    held = _elsewhere(case).casefold()
    return [(what, part) for what, part in found if part.casefold() not in held]


def _bare(person: Person) -> Person:
    return attrs.evolve(person, name=None, address=None, phone=None, date_of_birth=None)


def _elsewhere(case: ConformanceCase) -> str:
    """The case's text outside its personal fields: ids, times, answers, children."""
    incident = case.incident
    bare = attrs.evolve(
        incident,
        victim=_bare(incident.victim),
        suspect=_bare(incident.suspect),
        crime=None,
    )
    form = case.form
    if form is not None:
        form = attrs.evolve(form, professional_judgement=None)
    history = " ".join(repr(e) for e in (*case.prior_incidents, *case.marac_referrals))
    return f"{to_json(bare)} {to_json(form) if form is not None else ''} {history}"


def _scan(
    places: Iterable[tuple[str, str]],
    case: ConformanceCase,
    variant: str = "",
    secrets: Sequence[tuple[str, str]] | None = None,
) -> None:
    if secrets is None:
        held = _elsewhere(case).casefold()
        secrets = [(w, v) for w, v in _personal_data(case) if v.casefold() not in held]
    if not secrets:
        return
    for place, text in places:
        leaked = _leaks(text, secrets)
        if leaked:
            where = f"{place} ({variant})" if variant else place
            raise violation(9, f"{', '.join(leaked)} appears in {where}")


def _failure_and_log_texts(
    decision: Decision, records: Iterable[logging.LogRecord]
) -> list[tuple[str, str]]:
    places = [(f"the failure of plug-in {f.plugin!r}", f.error) for f in decision.failures]
    places += [(f"a log record of {r.name!r}", _record_text(r)) for r in records]
    return places
