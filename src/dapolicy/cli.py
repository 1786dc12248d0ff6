"""The ``dapolicy`` command: assess, explain, plugins, synth and audit.

Install with the ``cli`` extra (``pip install "dapolicy[cli]"``). Exit status, for
every sub-command:

- 0: done, and nothing was rejected;
- 1: done, but some records were rejected (``assess --allow-rejects`` makes this 0);
- 2: nothing done: bad arguments, an unreadable file, a bad policy file, a history
  file that is not a dapolicy history.

Decisions and reports go to standard output or the named file; the summary, progress
and errors go to standard error. No personal data is printed to standard error.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import os
import sys
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from datetime import datetime
from pathlib import Path
from typing import IO, Any, TypeVar

import click

from dapolicy import __version__
from dapolicy.batch import (
    LineResult,
    WorkerError,
    assess_line,
    assess_parallel,
    decision_time,
    parse_line,
)
from dapolicy.errors import DapolicyError, HistoryError, ValidationError
from dapolicy.history import InMemoryHistory, MutableHistory
from dapolicy.models import Case, Decision
from dapolicy.models._base import LONDON
from dapolicy.policy import Policy
from dapolicy.serialization import from_json, to_json

__all__ = ["main"]

#: Cases recorded into a persistent history per transaction.
CHUNK = 1000

EXIT_OK, EXIT_REJECTS, EXIT_USAGE = 0, 1, 2


class _Failure(click.ClickException):
    """A problem that stops the command before it does anything: exit status 2."""

    exit_code = EXIT_USAGE


def _load_policy(path: Path | None) -> Policy:
    try:
        return Policy.from_toml(path) if path is not None else Policy()
    except OSError as exc:
        raise _Failure(
            f"cannot read policy file {path}: {exc.strerror or type(exc).__name__}"
        ) from None
    except ValidationError as exc:
        raise _Failure(f"policy file {path}: {exc}") from None
    except DapolicyError as exc:
        raise _Failure(f"cannot build the policy: {exc}") from None


@contextmanager
def _history(path: Path | None) -> Iterator[MutableHistory]:
    if path is None:
        yield InMemoryHistory()
        return
    from dapolicy.sqlite_history import SQLiteHistory

    try:
        history = SQLiteHistory(path)
    except HistoryError as exc:
        raise _Failure(str(exc)) from None
    with history:
        yield history


#: A file argument or option (not a directory), as a Path.
FILE = click.Path(path_type=Path, dir_okay=False)

policy_option = click.option(
    "--policy", "policy_path", type=FILE, help="The force's policy file (TOML)."
)


_F = TypeVar("_F", bound=Callable[..., Any])


def history_option(text: str) -> Callable[[_F], _F]:
    """The ``--history`` option, with this command's help text."""
    return click.option("--history", "history_path", type=FILE, help=text)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="dapolicy")
def cli() -> None:
    """Domestic-abuse policing policy as code: assess cases, explain, audit."""


@cli.command()
@click.argument("input_path", metavar="INPUT.jsonl", type=FILE)
@click.option(
    "-o",
    "--output",
    type=FILE,
    help="Decisions, one JSON line per valid record, in input order [default: stdout].",
)
@click.option(
    "--rejects",
    type=FILE,
    help="Rejected records with line numbers and errors [default: OUTPUT.rejects.jsonl, "
    "or rejects.jsonl when writing to stdout].",
)
@policy_option
@history_option("A persistent victim history (SQLite), kept between runs.")
@click.option("--allow-rejects", is_flag=True, help="Exit 0 even if records were rejected.")
@click.option(
    "-j",
    "--jobs",
    type=click.IntRange(min=0),
    default=1,
    show_default=True,
    help="Worker processes (0: one per core). Records are partitioned by victim, so "
    "the decisions are exactly those of one process.",
)
@click.option(
    "--progress/--no-progress",
    default=None,
    help="Show a progress bar [default: when standard error is a terminal].",
)
def assess(
    input_path: Path,
    output: Path | None,
    rejects: Path | None,
    policy_path: Path | None,
    history_path: Path | None,
    allow_rejects: bool,
    jobs: int,
    progress: bool | None,
) -> None:
    """Assess every case in INPUT.jsonl (one Case JSON object per line).

    Records are read one at a time (memory stays flat) and assessed in input order,
    each at the point of attendance, against the victim history. Every line ends up
    either as a decision or in the rejects file: nothing is lost, and the summary
    says so.
    """
    policy = _load_policy(policy_path)
    if jobs != 1 and history_path is not None:
        raise _Failure(
            "--jobs and --history cannot be used together yet: the history's single "
            "writer would serialise the workers; run with --jobs 1"
        )
    if rejects is None:
        rejects = output.with_suffix(".rejects.jsonl") if output else Path("rejects.jsonl")
    try:
        source = input_path.open("rb")
    except OSError as exc:
        raise _Failure(f"cannot read {input_path}: {exc.strerror or type(exc).__name__}") from None
    counts: Counter[str] = Counter()
    grades: Counter[str] = Counter()
    destinations: Counter[str] = Counter()
    with ExitStack() as stack:
        stack.enter_context(source)
        # The history first: if it is refused, no earlier output file is emptied.
        history = stack.enter_context(_history(history_path))
        out = _open_out(stack, output)
        bad = _open_out(stack, rejects)
        bar = stack.enter_context(_progress(source, input_path, progress))
        for result in _results(source, bar, policy, history, jobs or os.cpu_count() or 1):
            counts["lines"] += 1
            if result.decision is not None:
                counts["decisions"] += 1
                counts["review"] += result.needs_review
                grades[result.grade or ""] += 1
                destinations.update(result.destinations)
                out.write(result.decision + "\n")
            else:
                counts["rejected"] += 1
                bad.write(f"{result.reject}\n")
            if counts["lines"] % CHUNK == 0:  # a chunk is done (and committed): keep it
                out.flush()
                bad.flush()
        out.flush()
        bad.flush()
    _summary(input_path, output, rejects, counts, grades, destinations)
    if counts["rejected"] and not allow_rejects:
        sys.exit(EXIT_REJECTS)


@contextmanager
def _history_errors(first_line: int) -> Iterator[None]:
    """A history that fails mid-run stops the run with a message, not a traceback."""
    try:
        yield
    except HistoryError as exc:
        raise _Failure(
            f"the history failed in the chunk from line {first_line}: {exc}; that chunk "
            "was rolled back; run the same input again once the history is fixed"
        ) from None


def _results(
    source: IO[bytes], bar: Any, policy: Policy, history: MutableHistory, jobs: int
) -> Iterator[LineResult]:
    """Every line's result, in input order."""

    def lines() -> Iterator[tuple[int, bytes]]:
        for number, raw in enumerate(source, start=1):
            bar.update(len(raw))
            yield number, raw

    if jobs > 1:
        try:
            yield from assess_parallel(lines(), policy.settings, jobs)
        except WorkerError as exc:
            raise _Failure(str(exc)) from None
        return
    transaction = getattr(history, "transaction", contextlib.nullcontext)
    numbered = lines()
    # A persistent history is written a chunk at a time, each chunk one transaction,
    # and the outputs are flushed after it: a crash loses at most the open chunk,
    # and re-running the same input is safe (recording is idempotent).
    while chunk := list(itertools.islice(numbered, CHUNK)):
        with _history_errors(chunk[0][0]), transaction():
            results = [assess_line(policy, history, number, raw) for number, raw in chunk]
        yield from results


def _open_out(stack: ExitStack[bool | None], path: Path | None) -> IO[str]:
    if path is None:
        return sys.stdout
    try:
        handle: IO[str] = stack.enter_context(path.open("w", encoding="utf-8"))
    except OSError as exc:
        raise _Failure(f"cannot write {path}: {exc.strerror or type(exc).__name__}") from None
    return handle


@contextmanager
def _progress(source: IO[bytes], path: Path, wanted: bool | None) -> Iterator[Any]:
    show = sys.stderr.isatty() if wanted is None else wanted
    if not show:
        yield _NoBar()
        return
    size = path.stat().st_size
    with click.progressbar(length=size, label="assessing", file=sys.stderr) as bar:
        yield bar


class _NoBar:
    def update(self, _: int) -> None:
        pass


def _summary(
    input_path: Path,
    output: Path | None,
    rejects: Path,
    counts: Counter[str],
    grades: Counter[str],
    destinations: Counter[str],
) -> None:
    lines, decided, rejected = counts["lines"], counts["decisions"], counts["rejected"]
    echo = _err
    echo(f"dapolicy assess {input_path}")
    echo(f"  {'lines read':<22}{lines:>9}")
    echo(f"  {'decisions':<22}{decided:>9}   -> {output or 'standard output'}")
    echo(f"  {'rejected':<22}{rejected:>9}   -> {rejects}")
    verdict = "nothing lost" if lines == decided + rejected else "RECORDS UNACCOUNTED FOR"
    echo(f"  {lines} = {decided} + {rejected}: {verdict}")
    echo(f"  {'needs review':<22}{counts['review']:>9}")
    echo("  grades")
    for grade in ("standard", "medium", "high"):
        echo(f"    {grade:<24}{grades[grade]:>5}")
    echo("  referrals")
    for destination, number in sorted(destinations.items()):
        echo(f"    {destination:<24}{number:>5}")


def _err(text: str) -> None:
    click.echo(text, err=True)


@cli.command()
@click.argument("case_path", metavar="CASE.json", type=FILE)
@policy_option
@history_option("Explain against this persistent victim history.")
def explain(case_path: Path, policy_path: Path | None, history_path: Path | None) -> None:
    """Explain the decision for one case in plain words.

    CASE.json holds one Case object: the grade and every reason with its rule and
    source, the findings, the referrals, and the tasks with their due times.
    """
    policy = _load_policy(policy_path)
    try:
        case = from_json(Case, case_path.read_bytes())
    except OSError as exc:
        raise _Failure(f"cannot read {case_path}: {exc.strerror or type(exc).__name__}") from None
    except ValidationError as exc:
        raise _Failure(f"{case_path}: {exc}") from None
    with _history(history_path) as history:
        decision = policy.assess(
            case.incident, case.form, history=history, now=decision_time(case)
        )
    click.echo(render_explanation(case, decision))


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


@cli.command()
@policy_option
def plugins(policy_path: Path | None) -> None:
    """List every registered plug-in, its distribution and version, and its hooks."""
    policy = _load_policy(policy_path)
    width = max(len(info.name) for info in policy.plugins)
    for info in policy.plugins:
        hooks = ", ".join(h.removeprefix("dapolicy_") for h in policy.hooks_of(info.name))
        click.echo(f"{info.name:<{width}}  {info.version:<22}  {hooks}")


@cli.command()
@click.option("--n", "count", type=click.IntRange(min=0), required=True, help="How many cases.")
@click.option("--seed", type=int, default=0, show_default=True, help="Same seed, same bytes.")
@click.option(
    "--profile",
    default="staffordshire-2013",
    show_default=True,
    help="A calibration profile (see docs: synth).",
)
@click.option(
    "-o",
    "--output",
    type=FILE,
    help="Cases, one JSON line each [default: stdout].",
)
@click.option(
    "--totals",
    "totals_path",
    type=FILE,
    help="Also write the force-wide totals the shares are taken against (JSON).",
)
def synth(
    count: int, seed: int, profile: str, output: Path | None, totals_path: Path | None
) -> None:
    """Write COUNT realistic synthetic cases, for demos, tests and benchmarks.

    The default profile is calibrated to the inspection report's figures; feed its
    output and --totals to ``dapolicy audit`` to see them again.
    """
    from dapolicy.synth import PROFILES, synthesize, totals_for

    chosen = PROFILES.get(profile)
    if chosen is None:
        raise _Failure(f"unknown profile {profile!r}; known: {', '.join(sorted(PROFILES))}")
    with ExitStack() as stack:
        out = _open_out(stack, output)
        for case in synthesize(count, seed, chosen):
            out.write(to_json(case) + "\n")
    if totals_path is not None:
        try:
            totals_path.write_text(to_json(totals_for(chosen, count)) + "\n", encoding="utf-8")
        except OSError as exc:
            raise _Failure(f"cannot write {totals_path}: {exc.strerror}") from None
    _err(f"dapolicy synth: {count} cases, profile {profile}, seed {seed}")


@cli.command()
@click.argument("input_path", metavar="INPUT.jsonl", type=FILE)
@click.option(
    "--totals",
    "totals_path",
    type=FILE,
    help="Force-wide totals (JSON) for the shares of calls, crime and offence groups.",
)
@click.option(
    "--html",
    "html_path",
    type=FILE,
    help="Also write the report as one self-contained HTML page with charts.",
)
@click.option(
    "--json",
    "json_path",
    type=FILE,
    help="Also write the report's counts (an AuditReport) as JSON.",
)
@click.option(
    "--rejects",
    type=FILE,
    default=Path("audit.rejects.jsonl"),
    show_default=True,
    help="Rejected lines with their errors.",
)
@policy_option
def audit(
    input_path: Path,
    totals_path: Path | None,
    html_path: Path | None,
    json_path: Path | None,
    rejects: Path,
    policy_path: Path | None,
) -> None:
    """The force's figures as the inspection report shows them, and compliance.

    Reads cases as ``assess`` does; a rejected line is kept in the rejects file and
    counted, never silently left out of a figure.
    """
    from dapolicy.audit import ForceTotals, render_html, render_text
    from dapolicy.audit import audit as run_audit

    policy = _load_policy(policy_path)
    totals = None
    if totals_path is not None:
        try:
            totals = from_json(ForceTotals, totals_path.read_bytes())
        except OSError as exc:
            raise _Failure(f"cannot read {totals_path}: {exc.strerror}") from None
        except ValidationError as exc:
            raise _Failure(f"{totals_path}: {exc}") from None
    try:
        source = input_path.open("rb")
    except OSError as exc:
        raise _Failure(f"cannot read {input_path}: {exc.strerror or type(exc).__name__}") from None
    counts: Counter[str] = Counter()
    with ExitStack() as stack:
        stack.enter_context(source)
        bad = _open_out(stack, rejects)

        def cases() -> Iterator[Case]:
            for number, raw in enumerate(source, start=1):
                counts["lines"] += 1
                parsed = parse_line(number, raw)
                if isinstance(parsed, Case):
                    yield parsed
                else:
                    counts["rejected"] += 1
                    bad.write(json.dumps(parsed) + "\n")

        report = run_audit(cases(), totals=totals, policy=policy)
    click.echo(render_text(report))
    for path, render in ((html_path, render_html), (json_path, to_json)):
        if path is not None:
            try:
                path.write_text(render(report) + "\n", encoding="utf-8")
            except OSError as exc:
                raise _Failure(f"cannot write {path}: {exc.strerror}") from None
    lines, rejected = counts["lines"], counts["rejected"]
    _err(
        f"dapolicy audit {input_path}: {lines} lines = {lines - rejected} cases + "
        f"{rejected} rejected -> {rejects}"
    )
    if rejected:
        sys.exit(EXIT_REJECTS)


def main() -> None:
    """Entry point of the ``dapolicy`` script."""
    cli()
