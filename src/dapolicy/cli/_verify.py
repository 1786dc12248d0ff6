"""``dapolicy verify``: re-derive recorded decisions from their cases and compare them."""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

import click

from dapolicy.batch import WorkerError
from dapolicy.cli._common import FILE, _err, _Failure, _load_policy, history_option, policy_option
from dapolicy.cli._files import as_path, check_distinct
from dapolicy.errors import HistoryError
from dapolicy.verify import (
    CaseRejected,
    CompactFormError,
    Mismatch,
    Unrecorded,
    Unverifiable,
    Verified,
    verify_files,
)

#: verify's exit status when a decision differs or cannot be re-derived.
EXIT_DIFFERS = 1


@click.command()
@click.argument("cases_path", metavar="CASES.jsonl", type=FILE)
@click.argument("decisions_path", metavar="DECISIONS.jsonl", type=FILE)
@policy_option
@history_option("The persistent history the decisions were made against (read, never written).")
def verify(
    cases_path: Path, decisions_path: Path, policy_path: Path | None, history_path: Path | None
) -> None:
    """Re-derive every decision in DECISIONS.jsonl from its case, and compare.

    Each case of CASES.jsonl is decided again as "dapolicy assess" decides it, and
    each recorded decision is compared with its case's, byte for byte. Every
    difference is printed: the decisions file's line number, the incident id and the
    JSON path of each field that differs (never a value). A decision made by
    plug-ins, a policy version or a configuration other than the one installed is
    reported as one that cannot be re-derived, with what is missing.

    DECISIONS.jsonl may be in the full form or the compact one (assess --compact).
    The summary also counts the cases that have no decision in DECISIONS.jsonl and
    the case lines assess rejects, so a file missing decisions is never taken for a
    whole one (neither changes the exit status).

    Exit status: 0 all match, 1 any differs or cannot be re-derived, 2 bad input.
    """
    check_distinct(
        [
            ("CASES.jsonl", cases_path),
            ("DECISIONS.jsonl", decisions_path),
            ("--policy", policy_path),
            ("--history", history_path),
        ],
        [],
    )
    policy = _load_policy(policy_path)
    tally: Counter[str] = Counter()
    try:
        with as_path(cases_path) as cases, as_path(decisions_path) as decisions:
            outcomes = verify_files(cases, decisions, policy, history=history_path)
            for outcome in outcomes:
                tally[type(outcome).__name__] += 1
                if isinstance(outcome, Verified | Unrecorded | CaseRejected):
                    continue
                click.echo(_describe(outcome))
    except OSError as exc:
        name = exc.filename or "a file"
        raise _Failure(f"cannot read {name}: {exc.strerror or type(exc).__name__}") from None
    except (HistoryError, WorkerError, CompactFormError) as exc:
        raise _Failure(str(exc)) from None
    total = tally["Verified"] + tally["Mismatch"] + tally["Unverifiable"]
    _err(
        f"dapolicy verify {decisions_path}: {total} decisions: {tally['Verified']} match, "
        f"{tally['Mismatch']} differ, {tally['Unverifiable']} cannot be re-derived"
        + _left_out(tally["Unrecorded"], tally["CaseRejected"])
    )
    if tally["Mismatch"] or tally["Unverifiable"]:
        sys.exit(EXIT_DIFFERS)


def _left_out(unrecorded: int, rejected: int) -> str:
    """What of the cases file the decisions file does not cover, or nothing."""
    parts = []
    if unrecorded:
        parts.append(
            f"{unrecorded} {'case has' if unrecorded == 1 else 'cases have'} no decision here"
        )
    if rejected:
        lines = "line" if rejected == 1 else "lines"
        parts.append(f"{rejected} case {lines} rejected, as assess rejects them")
    return "; " + ", ".join(parts) if parts else ""


def _describe(outcome: Mismatch | Unverifiable) -> str:
    who = f"incident {outcome.incident_id}" if outcome.incident_id else "no incident"
    if isinstance(outcome, Unverifiable):
        return f"line {outcome.line} ({who}): cannot re-derive: " + "; ".join(outcome.missing)
    return f"line {outcome.line} ({who}): {outcome.why}: " + ", ".join(outcome.paths)
