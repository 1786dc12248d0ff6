"""Invariant 9: no personal data in what plug-ins return, log, warn or raise, nor the decision.

Two passes. The case as drawn is searched for its own personal data, whole values.
Then distinctive personal data is planted in every personal field of the case (names,
addresses, phone numbers, written rationales) and its *parts* are searched for too --
a surname alone, "SURNAME, Forename", a street, a postcode without its space, the last
digits of a phone number -- in every reason, prompt and task a plug-in returns, every
exception it raises, every log record (with its ``extra`` fields) and warning emitted,
and the decision's ``repr``, ``str`` and JSON.
"""

from __future__ import annotations

from collections.abc import Sequence

from dapolicy.policy import Policy
from dapolicy.serialization import to_json
from dapolicy.testing._invariants._assess import _Run, _run
from dapolicy.testing._invariants._case import ConformanceCase
from dapolicy.testing._invariants._personal import (
    _failure_and_log_texts,
    _scan,
    planted,
    planted_parts,
)
from dapolicy.testing._invariants._spy import HookCall, texts_of


def _places(run: _Run) -> list[tuple[str, str]]:
    decision = run.decision
    places = _call_texts(run.calls or ())
    places += _failure_and_log_texts(decision, run.records)
    places += [(f"a warning ({w.category.__name__})", str(w.message)) for w in run.warned]
    places += [
        ("repr(decision)", repr(decision)),
        ("str(decision)", str(decision)),
        ("to_json(decision)", to_json(decision)),
    ]
    return places


def _call_texts(calls: Sequence[HookCall]) -> list[tuple[str, str]]:
    places = []
    for call in calls:
        where = f"what plug-in {call.plugin!r} returned from {call.hook}"
        places += [(where, text) for text in texts_of(call.returned)]
        if call.raised is not None:
            exc = call.raised
            text = f"{exc} {exc.args!r}"
            places.append(
                (f"the {type(exc).__name__} plug-in {call.plugin!r} raised in {call.hook}", text)
            )
    return places


def _no_personal_data(run: _Run) -> None:
    _scan(_places(run), run.case)
    seeded = planted(run.case)
    again = _run(run.policy, seeded)
    _scan(_places(again), seeded, "with personal data planted", planted_parts(seeded))


def check_no_personal_data(policy: Policy, case: ConformanceCase) -> None:
    """Invariant 9: no personal data anywhere a plug-in's output can reach.

    Looks for the victim's and suspect's name, address, phone number and date of birth
    and the written rationales, whole, and then -- with distinctive personal data
    planted in every personal field -- for their parts, in what every plug-in returns
    (reasons, prompts, task text) and raises, in log records (with ``extra``) and
    warnings emitted while assessing, and in ``repr``, ``str`` and ``to_json`` of the
    decision and its failure messages.

    :raises InvariantViolation: saying what leaked where (never the value itself).
    """
    _no_personal_data(_run(policy, case))
