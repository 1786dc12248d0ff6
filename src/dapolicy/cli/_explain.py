"""``dapolicy explain``: the decision for one case in plain words."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import click

from dapolicy.batch import decision_time
from dapolicy.cli._common import (
    FILE,
    _Failure,
    _history,
    _load_policy,
    history_option,
    policy_option,
)
from dapolicy.errors import ValidationError
from dapolicy.models import Case, Decision
from dapolicy.models._base import LONDON
from dapolicy.serialization import from_json
from dapolicy.trace import render_trace, trace_assessment


@click.command()
@click.argument("case_path", metavar="CASE.json", type=FILE)
@policy_option
@history_option("Explain against this persistent victim history.")
def explain(case_path: Path, policy_path: Path | None, history_path: Path | None) -> None:
    """Explain the decision for one case in plain words.

    CASE.json holds one Case object: the grade and every reason with its rule and
    source, the findings, the referrals, and the tasks with their due times; then the
    policy version that decided, and each rule that fired with the settings it read
    and the version each value came from.
    """
    policy = _load_policy(policy_path)
    try:
        case = from_json(Case, case_path.read_bytes())
    except OSError as exc:
        raise _Failure(f"cannot read {case_path}: {exc.strerror or type(exc).__name__}") from None
    except ValidationError as exc:
        raise _Failure(f"{case_path}: {exc}") from None
    with _history(history_path) as history:
        # The decision policy.assess gives, with each rule's settings reads (dapolicy.trace).
        decision, trace = trace_assessment(
            policy, case.incident, case.form, history=history, now=decision_time(case)
        )
    click.echo(render_explanation(case, decision))
    click.echo("")
    click.echo(render_trace(trace))


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
