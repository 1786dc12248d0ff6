"""``dapolicy audit``: a force's figures and compliance, as the inspection shows them."""

from __future__ import annotations

import json
import sys
from collections import Counter
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import click

from dapolicy.batch import parse_line
from dapolicy.cli._common import (
    EXIT_REJECTS,
    FILE,
    _err,
    _Failure,
    _load_policy,
    _open_out,
    policy_option,
)
from dapolicy.errors import ValidationError
from dapolicy.models import Case
from dapolicy.serialization import from_json, to_json


@click.command()
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
