"""Mutants that let personal data out: into reasons, prompts, tasks, logs, warnings, errors."""

from __future__ import annotations

import logging
import warnings
from collections.abc import Iterator
from datetime import timedelta

from dapolicy import hookimpl
from dapolicy.models import Finding, Incident, RiskForm, Task
from mutants import Mutant, beside, isolated_model
from mutants._common import banded, finding, reason, yes_count

log = logging.getLogger("examplia.mutants")


class NameInReason:
    """Puts the victim's name in the reason, 'so the MASH knows who'."""

    @hookimpl
    def dapolicy_assess_risk(self, incident: Incident, form: RiskForm | None) -> Finding:
        who = incident.victim.name or incident.victim.id
        return finding("name", banded(yes_count(form)), f"assessed {who}")


class SurnameInReason:
    """Writes the name as 'SURNAME, Initial', the force's records style."""

    @hookimpl
    def dapolicy_assess_risk(self, incident: Incident, form: RiskForm | None) -> Finding:
        name = incident.victim.name or ""
        parts = name.split()
        styled = f"{parts[-1].upper()}, {parts[0][0]}." if len(parts) > 1 else incident.victim.id
        return finding("surname", banded(yes_count(form)), f"victim {styled}")


class PostcodeInPrompt:
    """Prompts the officer with the postcode district, to check for local refuges."""

    @hookimpl
    def dapolicy_assess_risk(self, incident: Incident, form: RiskForm | None) -> Finding:
        address = incident.victim.address or ""
        postcode = address.rsplit(",", 1)[-1].strip() if "," in address else "unknown"
        prompt = reason("postcode.refuge", f"check refuges near {postcode}")
        return Finding(
            "postcode", banded(yes_count(form)), (reason("postcode.grade"),), prompts=(prompt,)
        )


class PhoneInTask:
    """Sets a call-back task that gives the victim's number in its words."""

    @hookimpl
    def dapolicy_tasks(self, incident: Incident) -> Iterator[Task]:
        number = incident.victim.phone or "the recorded number"
        yield Task(
            "call-back",
            incident.victim.id,
            incident.reported_at + timedelta(hours=2),
            (reason("phone.call-back", f"ring the victim on {number} within 2 hours"),),
        )


class AddressInException:
    """Raises an error quoting the address it could not match to a beat."""

    GAZETTEER = frozenset({"1 High Street, Examplia, ZZ99 1AA"})

    @hookimpl
    def dapolicy_assess_risk(self, incident: Incident, form: RiskForm | None) -> Finding:
        address = incident.victim.address
        if address and address not in self.GAZETTEER:
            raise LookupError(f"no beat for address {address!r}")
        return finding("beat", banded(yes_count(form)))


class LogsExtra:
    """Logs each assessment with the victim's name as a structured ``extra`` field."""

    @hookimpl
    def dapolicy_assess_risk(self, incident: Incident, form: RiskForm | None) -> Finding:
        log.info("assessed a case", extra={"victim_name": incident.victim.name})
        return finding("logs", banded(yes_count(form)))


class WarnsWithName:
    """Warns about a missing date of birth, naming the person."""

    @hookimpl
    def dapolicy_assess_risk(self, incident: Incident, form: RiskForm | None) -> Finding:
        if incident.suspect.date_of_birth is None or incident.suspect.name:
            warnings.warn(f"check the record of {incident.suspect.name}", stacklevel=1)
        return finding("warns", banded(yes_count(form)))


class LogsException:
    """Logs a lookup failure with the traceback, whose message quotes the phone number."""

    @hookimpl
    def dapolicy_assess_risk(self, incident: Incident, form: RiskForm | None) -> Finding:
        try:
            raise KeyError(f"no account for {incident.victim.phone}")
        except KeyError:
            log.exception("phone lookup failed")
        return finding("log-exc", banded(yes_count(form)))


MUTANTS = [
    Mutant("name-in-reason", "a name in a reason text", 9, isolated_model(NameInReason)),
    Mutant(
        "surname-in-reason", "'SURNAME, I.' in a reason text", 9, isolated_model(SurnameInReason)
    ),
    Mutant("postcode-in-prompt", "a postcode in a prompt", 9, isolated_model(PostcodeInPrompt)),
    Mutant("phone-in-task", "a phone number in a task's words", 9, beside(PhoneInTask)),
    Mutant(
        "address-in-exception",
        "an exception that quotes an address",
        9,
        isolated_model(AddressInException),
    ),
    Mutant("name-in-log-extra", "a name in a log record's extra", 9, isolated_model(LogsExtra)),
    Mutant("name-in-warning", "a name in a warning", 9, isolated_model(WarnsWithName)),
    Mutant(
        "phone-in-logged-traceback",
        "a phone number in a logged exception",
        9,
        isolated_model(LogsException),
    ),
]
