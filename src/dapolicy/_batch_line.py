"""One line decided against a history: a decision, or its reject (private).

:func:`decide_line` is :func:`dapolicy.batch.assess_line` up to the writing of the
decision: it reads the line, decides it, records it, and turns every failure that is
the line's (or the policy's on it) into a reject. ``assess_line`` writes the decision
as text for its :class:`~dapolicy.batch.LineResult`; a worker of ``--jobs`` writes it
straight into its spill record with :func:`spill_line`, as bytes
(:func:`~dapolicy.serialization._to_json_bytes`), without making the text first and
encoding it again: the same bytes as ``spill_record(assess_line(...))``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from typing import Any

from dapolicy import _batch_exit
from dapolicy._batch_index import reject_json
from dapolicy._batch_spill import LineResult, decision_record, spill_record
from dapolicy.errors import HistoryError, ValidationError
from dapolicy.history import CallEntry, MutableHistory, record
from dapolicy.models import Case, Decision
from dapolicy.models._base import micros
from dapolicy.policy import Policy
from dapolicy.serialization import _to_json_bytes

__all__ = ["Counted", "counted", "decide_line", "decision_time", "spill_line"]

#: What a :class:`~dapolicy.batch.LineResult` says of a decision besides its text, in
#: the order of its fields: grade, needs review, destinations, ungraded, review rules,
#: whether a plug-in failed.
Counted = tuple[str, bool, tuple[str, ...], bool, tuple[str, ...], bool]

#: ``parse_line(number, raw)``: the case on a line, or its reject record.
Parse = Callable[[int, bytes], "Case | dict[str, Any]"]


def decision_time(case: Case) -> datetime:
    """Grade at the point of attendance: when the form was completed, else on report.

    The later of the two as instants (``max()`` on two London times compares wall
    clocks, which is wrong in the hour the clocks go back).
    """
    latest = case.incident.reported_at
    for form in (case.form, case.dara):  # the later of the two forms, if both came
        if form is not None and micros(form.completed_at) > micros(latest):
            latest = form.completed_at
    return latest


def decide_line(
    policy: Policy, history: MutableHistory, number: int, raw: bytes, parse: Parse
) -> Decision | LineResult:
    """Line ``number`` decided against ``history`` and recorded there, or its reject.

    As :func:`dapolicy.batch.assess_line` (which see), but the decision is given back
    unwritten. Only a :class:`~dapolicy.errors.HistoryError` is raised.
    """
    case = parse(number, raw)
    # A plug-in's os._exit while this line was read or decided (see _batch_exit).
    if (ended := _batch_exit.taken()) is not None:
        return LineResult(number, None, reject_json(number, raw, _batch_exit.reason(ended)))
    if not isinstance(case, Case):
        # ASCII-escaped: a record may hold text that cannot be written as UTF-8.
        return LineResult(number, None, json.dumps(case))
    try:
        decision = policy.assess(
            case.incident, case.form, dara=case.dara, history=history, now=decision_time(case)
        )
        if (late := _batch_exit.taken()) is None:
            record(history, case.incident, decision)
            if case.call is not None:
                history.record_call(CallEntry.from_call(case.call))
    except HistoryError:
        raise
    except Exception as exc:  # one case never stops the batch
        message = f"not decided: the policy raised {type(exc).__name__} on this case"
        if isinstance(exc, ValidationError):
            message = f"not decided: {'; '.join(e.message for e in exc.errors)}"
        if (ended := _batch_exit.taken()) is not None:
            message = _batch_exit.reason(ended)
        return LineResult(number, None, reject_json(number, raw, message))
    if late is not None:  # nothing recorded
        return LineResult(number, None, reject_json(number, raw, _batch_exit.reason(late)))
    return decision


def counted(decision: Decision) -> Counted:
    """What a summary counts of ``decision``, as :class:`~dapolicy.batch.LineResult` holds it."""
    return (
        decision.grade.value,
        decision.needs_review,
        tuple(r.destination.value for r in decision.referrals),
        decision.ungraded,
        tuple(sorted({reason.rule for reason in decision.review_reasons})),
        bool(decision.failures),
    )


def spill_line(
    policy: Policy, history: MutableHistory, number: int, raw: bytes, parse: Parse
) -> bytes:
    """``spill_record(assess_line(...))``, the decision written as bytes, never as text."""
    decided = decide_line(policy, history, number, raw, parse)
    if isinstance(decided, LineResult):
        return spill_record(decided)
    return decision_record(_to_json_bytes(decided, errors="surrogatepass"), counted(decided))
