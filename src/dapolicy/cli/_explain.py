"""``dapolicy explain``: the decision for one case in plain words."""

from __future__ import annotations

import json
from contextlib import ExitStack
from datetime import datetime
from pathlib import Path

import click

from dapolicy.batch import decide_before, decision_time, parse_line, spool
from dapolicy.cli._common import (
    FILE,
    _Failure,
    _history,
    _load_policy,
    history_option,
    max_line_bytes_option,
    policy_option,
)
from dapolicy.cli._files import bounded_lines, check_distinct, is_stream, open_input, read_input
from dapolicy.cli._recorded import recorded_decision
from dapolicy.errors import ValidationError
from dapolicy.history import MutableHistory
from dapolicy.models import Case, Decision
from dapolicy.models._base import LONDON
from dapolicy.policy import Policy
from dapolicy.serialization import from_json, to_dict, to_json
from dapolicy.trace import render_trace, trace_assessment


@click.command()
@click.argument("case_path", metavar="FILE", type=FILE)
@click.option(
    "--line",
    "line",
    type=click.IntRange(min=1),
    help="Explain the case on this line of a JSONL file.",
)
@click.option(
    "--incident",
    "incident_id",
    help="Explain the case of this incident id in a JSONL file.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the decision as JSON, for machines.")
@policy_option
@history_option(
    "Explain against this persistent victim history (an existing one, opened read-only: "
    "it is never written, and may be in use by an assess run)."
)
@max_line_bytes_option
@click.option(
    "--decisions",
    "decisions_path",
    type=FILE,
    help="Explain the decision recorded for this case in DECISIONS.jsonl (as assess wrote "
    "it, in the full or the compact form), and say whether this policy gives it again.",
)
def explain(
    case_path: Path,
    line: int | None,
    incident_id: str | None,
    as_json: bool,
    policy_path: Path | None,
    history_path: Path | None,
    max_line_bytes: int,
    decisions_path: Path | None,
) -> None:
    """Explain the decision for one case in plain words.

    FILE (or - for stdin) holds one Case object, or is a JSONL file of cases from
    which --line N or --incident ID picks one. Without --history, the cases decided
    before it (in decision order, wherever they stand in the file) are its history, so
    the decision is the one "dapolicy assess" makes for that line. Shown: the grade and
    every reason with its rule and source, the findings, the referrals, and the tasks
    with their due times; then the policy
    version that decided, and each rule that fired with the settings it read and the
    version each value came from. --json prints the decision and that trace as one
    JSON object, for machines. With --decisions, the decision explained is the one
    recorded for the case's incident, and whether this policy gives it again is said.
    """
    if line is not None and incident_id is not None:
        raise _Failure("give --line or --incident, not both")
    check_distinct(
        [
            ("FILE", case_path),
            ("--policy", policy_path),
            ("--history", history_path),
            ("--decisions", decisions_path),
        ],
        [],
    )
    policy = _load_policy(policy_path)
    with _history(history_path, write=False) as history:
        if line is None and incident_id is None:
            case = _one_case(case_path)
        else:
            replay = history if history_path is None else None
            case = _pick(policy, replay, case_path, line, incident_id, max_line_bytes)
        # The decision policy.assess gives, with each rule's settings reads (dapolicy.trace).
        decision, trace = trace_assessment(
            policy,
            case.incident,
            case.form,
            dara=case.dara,
            history=history,
            now=decision_time(case),
        )
    recorded = None
    if decisions_path is not None:
        recorded = recorded_decision(decisions_path, case.incident.id, to_json(decision))
    shown = decision if recorded is None else recorded.decision
    if as_json:
        both = {"decision": to_dict(shown), "trace": to_dict(trace)}
        if recorded is not None:
            both["recorded"] = {"line": recorded.line, "same_as_now": not recorded.differs}
        click.echo(json.dumps(both, ensure_ascii=False, separators=(",", ":")))
        return
    if recorded is not None:
        click.echo(recorded.describe(decisions_path))
        click.echo("")
    click.echo(render_explanation(case, shown))
    click.echo("")
    click.echo(render_trace(trace))


def _one_case(path: Path) -> Case:
    try:
        return from_json(Case, read_input("FILE", path))
    except ValidationError as exc:
        hint = ""
        if any("Extra data" in error.message for error in exc.errors):
            hint = "; for a JSONL file of cases, pick one with --line N or --incident ID"
        raise _Failure(f"{path}: {exc}{hint}") from None


def _pick(
    policy: Policy,
    replay: MutableHistory | None,
    path: Path,
    line: int | None,
    incident_id: str | None,
    limit: int,
) -> Case:
    """The chosen case of a JSONL file; the lines before it recorded into ``replay``."""
    found: tuple[int, bytes] | None = None
    with ExitStack() as stack:
        source = open_input("FILE", path)
        if not is_stream(path):
            stack.enter_context(source)
        source = stack.enter_context(spool(source))  # read twice: found, then replayed
        for number, raw in bounded_lines(source, limit):
            wanted = number == line if line is not None else _incident_of(raw) == incident_id
            if wanted and found is not None:
                raise _Failure(
                    f"{path}: the incident given by --incident is on lines {found[0]} and "
                    f"{number}; pick one with --line"
                )
            if wanted:
                if raw is None:
                    raise _Failure(f"{path}: line {number} is longer than {limit} bytes")
                found = (number, raw)
                if line is not None:
                    break
        if found is None:
            what = f"no line {line}" if line is not None else "no case of the incident given"
            raise _Failure(f"{path}: {what}")
        if replay is not None:  # the cases assess decides before it, in decision order
            source.seek(0)
            lines = bounded_lines(source, limit)
            decide_before(source, policy, found[0], replay, lines=lines)
    number, raw = found
    parsed = parse_line(number, raw)
    if not isinstance(parsed, Case):
        problems = "; ".join(f"{e['message']} @ {e['path']}" for e in parsed["errors"])
        raise _Failure(f"{path}: line {number} is not a valid case: {problems}")
    return parsed


def _incident_of(raw: bytes | None) -> str | None:
    """The incident id a line is about, if it can be read cheaply."""
    if raw is None:
        return None
    try:
        value = json.loads(raw)["incident"]["id"]
    except (ValueError, KeyError, TypeError, RecursionError):
        return None
    return value if isinstance(value, str) else None


def _when(moment: datetime) -> str:
    return moment.astimezone(LONDON).strftime("%a %d %b %Y %H:%M %Z")


def render_explanation(case: Case, decision: Decision) -> str:
    """A decision in plain words, for a person who must act on it or defend it."""
    incident = case.incident
    kind = f"crime ({incident.crime.offence.value})" if incident.crime else "non-crime incident"
    lines = [
        f"Incident {incident.id}: {kind}, reported {_when(incident.reported_at)}",
        f"Decided {_when(decision.decided_at)} with policy {decision.policy_fingerprint}",
        "",
        f"Risk grade: {decision.grade.value.upper()}",
    ]
    lines += [f"  because {r.text} [{r.rule}; {r.source}]" for r in decision.reasons]
    if decision.repeat_victim:
        lines.append("  repeat victim: another domestic-abuse incident within the window")
    lines.append("")
    lines.append("Risk models:")
    for finding in decision.findings:
        score = f", score {finding.score}" if finding.score is not None else ""
        lines.append(f"  {finding.model}: {finding.grade.value}{score}")
        lines += [f"    - {r.text} [{r.rule}; {r.source}]" for r in finding.reasons]
    if not decision.findings:
        lines.append("  none graded this case")
    if decision.prompts:
        lines.append("")
        lines.append("For the officer's professional judgement:")
        lines += [f"  - {r.text} [{r.rule}]" for r in decision.prompts]
    lines.append("")
    lines.append("Referrals:" if decision.referrals else "Referrals: none")
    for referral in decision.referrals:
        lines.append(f"  {referral.destination.value}")
        lines += [f"    - {r.text} [{r.rule}; {r.source}]" for r in referral.reasons]
    lines.append("")
    lines.append("Tasks:" if decision.tasks else "Tasks: none")
    for task in decision.tasks:
        who = f" ({task.assignee})" if task.assignee else ""
        lines.append(f"  {task.what} for {task.for_whom}, due {_when(task.due_by)}{who}")
        lines += [f"    - {r.text} [{r.rule}]" for r in task.reasons]
    if decision.allocation is not None:
        lines.append("")
        lines.append(f"Investigation: {decision.allocation.level.value.replace('_', ' ')}")
        lines += [f"  - {r.text} [{r.rule}]" for r in decision.allocation.reasons]
    lines.append("")
    if decision.needs_review:
        lines.append("NEEDS REVIEW by a person:")
        lines += [f"  - {r.text} [{r.rule}]" for r in decision.review_reasons]
        lines += [
            f"  - plug-in {f.plugin} failed in {f.hook}: {f.error}" for f in decision.failures
        ]
    else:
        lines.append("Needs review: no")
    return "\n".join(lines)
