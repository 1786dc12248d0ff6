"""``dapolicy audit``: a force's figures and compliance, as the inspection shows them."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import TypeVar

import click

from dapolicy import _interrupts
from dapolicy.batch import parse_line
from dapolicy.cli._common import (
    EXIT_INTERRUPTED,
    EXIT_REJECTS,
    FILE,
    _err,
    _Failure,
    _load_policy,
    max_line_bytes_option,
    policy_option,
    redact_rejects_option,
)
from dapolicy.cli._files import (
    Output,
    bounded_lines,
    check_distinct,
    is_stream,
    open_input,
    read_input,
    written,
)
from dapolicy.cli._rejects import reject_line, too_long
from dapolicy.errors import ValidationError
from dapolicy.models import Case
from dapolicy.serialization import from_json, to_json

T = TypeVar("T")


def _read_json(option: str, path: Path | None, cls: type[T]) -> T | None:
    """The JSON file an option names, as ``cls``; ``None`` if not given.

    :raises _Failure: the file is not a valid ``cls``, naming the file and each path.
    """
    if path is None:
        return None
    try:
        return from_json(cls, read_input(option, path))
    except ValidationError as exc:
        raise _Failure(f"{path}: {exc}") from None


#: Where rejected lines go when --rejects is not given (made only if there are some).
DEFAULT_REJECTS = Path("audit.rejects.jsonl")


@click.command()
@click.argument("input_path", metavar="INPUT.jsonl", type=FILE)
@click.option(
    "--totals",
    "totals_path",
    type=FILE,
    help="Force-wide totals (JSON) for the shares of calls, crime and offence groups.",
)
@click.option(
    "--training",
    "training_path",
    type=FILE,
    help="The force's training register (JSON, a TrainingRegister): report attendances "
    "and investigations by staff without the training their role requires.",
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
    help=f"Rejected lines with their errors [default: {DEFAULT_REJECTS}, made only if a "
    "line is rejected].",
)
@policy_option
@max_line_bytes_option
@redact_rejects_option
def audit(
    input_path: Path,
    totals_path: Path | None,
    training_path: Path | None,
    html_path: Path | None,
    json_path: Path | None,
    rejects: Path | None,
    policy_path: Path | None,
    max_line_bytes: int,
    redact_rejects: bool,
) -> None:
    """The force's figures as the inspection report shows them, and compliance.

    Reads cases as "dapolicy assess" does (INPUT.jsonl, or - for stdin); a rejected
    line is kept in the rejects file and counted, never silently left out of a
    figure. The text report goes to standard output, or to standard error when
    --html - or --json - takes standard output.
    """
    from dapolicy.audit import ForceTotals, read_training_register, render_html, render_text
    from dapolicy.audit import audit as run_audit

    bad = Output("--rejects", rejects or DEFAULT_REJECTS, lazy=rejects is None)
    pages = [
        (Output(option, path), render)
        for option, path, render in (
            ("--html", html_path, render_html),
            ("--json", json_path, to_json),
        )
        if path is not None
    ]
    check_distinct(
        [
            ("INPUT", input_path),
            ("--totals", totals_path),
            ("--training", training_path),
            ("--policy", policy_path),
        ],
        [("--rejects", bad.path)] + [(page.option, page.path) for page, _ in pages],
    )
    policy = _load_policy(policy_path)
    totals = _read_json("--totals", totals_path, ForceTotals)
    training = None
    if training_path is not None:
        try:
            training = read_training_register(read_input("--training", training_path))
        except ValidationError as exc:
            raise _Failure(f"{training_path}: {exc}") from None
    lines = rejected = 0
    with ExitStack() as stack:
        source = open_input("INPUT", input_path)
        if not is_stream(input_path):
            stack.enter_context(source)

        def cases() -> Iterator[Case]:
            nonlocal lines, rejected
            for number, raw in bounded_lines(source, max_line_bytes):
                parsed = parse_line(number, raw) if raw is not None else None
                lines += 1
                if isinstance(parsed, Case):
                    yield parsed
                    continue
                rejected += 1
                reject = parsed if parsed is not None else too_long(number, max_line_bytes)
                bad.line(reject_line(reject, redact=redact_rejects))

        try:
            with written(bad, *(page for page, _ in pages)), _interrupts.user_interrupts():
                report = run_audit(cases(), totals=totals, policy=policy, training=training)
                for page, render in pages:
                    page.line(render(report))
        except KeyboardInterrupt:
            _err(
                f"dapolicy audit: INTERRUPTED after line {lines}: no report and no file "
                "written; run the same command again"
            )
            sys.exit(EXIT_INTERRUPTED)
    stdout_taken = any(is_stream(page.path) for page, _ in pages) or is_stream(bad.path)
    click.echo(render_text(report), err=stdout_taken)
    where = "standard output" if is_stream(bad.path) else bad.path
    if not bad.will_exist:
        where = f"{bad.path} (not made: nothing rejected)"
    _err(
        f"dapolicy audit {'standard input' if is_stream(input_path) else input_path}: "
        f"{lines} lines = {lines - rejected} cases + {rejected} rejected -> {where}"
    )
    if rejected:
        sys.exit(EXIT_REJECTS)
