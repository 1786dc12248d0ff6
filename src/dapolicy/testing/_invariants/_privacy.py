"""Invariant 9: no personal data in the decision, the logs or failure messages."""

from __future__ import annotations

from dapolicy.policy import Policy
from dapolicy.serialization import to_json
from dapolicy.testing._invariants._assess import _Run, _run
from dapolicy.testing._invariants._case import ConformanceCase
from dapolicy.testing._invariants._personal import _failure_and_log_texts, _scan


def _no_personal_data(run: _Run) -> None:
    decision = run.decision
    places = _failure_and_log_texts(decision, run.records)
    places += [
        ("repr(decision)", repr(decision)),
        ("str(decision)", str(decision)),
        ("to_json(decision)", to_json(decision)),
    ]
    _scan(places, run.case)


def check_no_personal_data(policy: Policy, case: ConformanceCase) -> None:
    """Invariant 9: no personal data in the decision, the logs or failure messages.

    Looks for the victim's and suspect's name, address, phone number and date of birth
    (ISO and ``repr``), the professional judgement's rationale and the crime's outcome
    rationale in ``repr(decision)``, ``str(decision)``, ``to_json(decision)``, every
    :class:`~dapolicy.models.PluginFailure` message and every log record emitted while
    assessing (any logger, DEBUG and up).

    :raises AssertionError: saying what leaked where (never the value itself).
    """
    _no_personal_data(_run(policy, case))
