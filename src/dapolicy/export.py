"""Decisions as a flat table for analysts: one CSV row per decision.

``dapolicy export DECISIONS --csv -o FILE`` writes :data:`COLUMNS`, in that order, for
every decision a line of ``DECISIONS`` holds (the output of ``dapolicy assess``):
the ids, the grade and whether anything graded it, the review flag and its reasons,
each destination as a column of its own, the task count and the first due time. The
rows keep the input order.

The file is safe to open in a spreadsheet: a cell that starts with ``=``, ``+``, ``-``,
``@``, a tab or a carriage return is prefixed with an apostrophe, so that it is read as
text and never run as a formula (CSV injection, OWASP). Such a cell can only come from
an id or a plug-in's rule id; dapolicy's own values never start so.

No personal data: a decision holds ids, grades, rule ids and times only, and so does
the table.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator, Mapping
from typing import IO

from dapolicy.models import Decision, Destination
from dapolicy.models._base import micros

__all__ = ["COLUMNS", "DESTINATION_COLUMNS", "safe_cell", "row", "rows", "write_csv"]

#: One column per destination, ``referral_<destination>``, "yes" or "no".
DESTINATION_COLUMNS: tuple[str, ...] = tuple(f"referral_{d.value}" for d in Destination)
#: The table's columns, in order.
COLUMNS: tuple[str, ...] = (
    "incident_id",
    "victim_id",
    "decided_at",
    "grade",
    "graded_by",
    "domestic_abuse",
    "repeat_victim",
    "needs_review",
    "review_reasons",
    "failures",
    *DESTINATION_COLUMNS,
    "tasks",
    "first_task",
    "first_due_by",
    "allocation",
    "policy_fingerprint",
    "policy_version",
)

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: str) -> str:
    """``value``, with an apostrophe before it when a spreadsheet would run it."""
    return "'" + value if value.startswith(_FORMULA_START) else value


def _yes(flag: bool) -> str:
    return "yes" if flag else "no"


def row(decision: Decision) -> dict[str, str]:
    """One decision as a row of :data:`COLUMNS`, every cell made safe.

    ``graded_by`` is the risk models that gave a finding, ``"; "``-separated, or
    ``"ungraded"`` when none did and the grade is standard only until a person reviews
    it. ``review_reasons`` lists the review reasons' rule ids, ``failures`` each failed
    plug-in as ``plugin/hook``. ``first_due_by`` is the earliest task's due time as
    the decision gives it (ISO 8601 with its offset), and ``first_task`` that task.
    """
    referred = decision.referred_to()
    first = min(decision.tasks, key=lambda t: (micros(t.due_by), t.what), default=None)
    models = sorted({f.model for f in decision.findings})
    cells = {
        "incident_id": decision.incident_id,
        "victim_id": decision.victim_id,
        "decided_at": decision.decided_at.isoformat(),
        "grade": decision.grade.value,
        "graded_by": "ungraded"
        if decision.ungraded
        else "; ".join(models) or "professional judgement",
        "domestic_abuse": decision.domestic_abuse.value,
        "repeat_victim": _yes(decision.repeat_victim),
        "needs_review": _yes(decision.needs_review),
        "review_reasons": "; ".join(_unique(r.rule for r in decision.review_reasons)),
        "failures": "; ".join(f"{f.plugin}/{f.hook}" for f in decision.failures),
        **{
            column: _yes(destination in referred)
            for column, destination in zip(DESTINATION_COLUMNS, Destination, strict=True)
        },
        "tasks": str(len(decision.tasks)),
        "first_task": "" if first is None else first.what,
        "first_due_by": "" if first is None else first.due_by.isoformat(),
        "allocation": "" if decision.allocation is None else decision.allocation.level.value,
        "policy_fingerprint": decision.policy_fingerprint,
        "policy_version": decision.policy_version,
    }
    return {column: safe_cell(cells[column]) for column in COLUMNS}


def _unique(values: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(values))


def rows(decisions: Iterable[Decision]) -> Iterator[dict[str, str]]:
    """:func:`row` for each decision, in order."""
    return (row(decision) for decision in decisions)


def write_csv(table: Iterable[Mapping[str, str]], out: IO[str]) -> int:
    """Write a header and ``table``'s rows to ``out`` as CSV; the number of rows written.

    ``out`` should be opened with ``newline=""``: rows end in CRLF, as RFC 4180 has it.
    """
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    count = 0
    for item in table:
        writer.writerow(item)
        count += 1
    return count
