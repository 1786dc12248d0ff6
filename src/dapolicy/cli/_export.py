"""``dapolicy export DECISIONS --csv``: decisions as a flat table for analysts."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import click

from dapolicy._compact import CompactFormError, Expander, LineError
from dapolicy.cli._common import EXIT_REJECTS, _err, _Failure
from dapolicy.cli._files import STREAM, Output, check_distinct, is_stream, open_input, written
from dapolicy.errors import ValidationError
from dapolicy.models import Decision
from dapolicy.serialization import from_json


@click.command()
@click.argument(
    "decisions_path",
    metavar="DECISIONS",
    type=click.Path(path_type=Path, dir_okay=False, allow_dash=True),
)
@click.option(
    "--csv", "as_csv", is_flag=True, default=True, help="CSV (the only format, and the default)."
)
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path, dir_okay=False, allow_dash=True),
    help="The CSV file ('-' or absent: standard output).",
)
def export(decisions_path: Path, as_csv: bool, output: Path | None) -> None:
    """Write DECISIONS (the JSON lines of "dapolicy assess"; '-' for stdin) as CSV.

    DECISIONS may be in the full form or the compact one (assess --compact).

    One row per decision, in input order: ids, grade, what graded it, review and its
    reasons, a yes/no column per destination, the task count and the first due time.
    A cell a spreadsheet would run as a formula is prefixed with an apostrophe. A line
    that is not a decision is reported on standard error by its number and left out;
    the exit status is then 1.
    """
    from dapolicy.export import rows, write_csv

    del as_csv  # CSV is the only format; the flag says so on the command line
    bad: list[str] = []
    out = Output("--output", output or STREAM)
    check_distinct([("DECISIONS", decisions_path)], [("--output", out.path)])
    with ExitStack() as stack:
        source = open_input("DECISIONS", decisions_path)
        if not is_stream(decisions_path):
            stack.enter_context(source)

        form = Expander("standard input" if is_stream(decisions_path) else str(decisions_path))

        def decisions() -> Iterator[Decision]:
            for number, line in enumerate(source, start=1):
                if not line.strip():
                    continue
                try:
                    text = line.decode("utf-8")
                except UnicodeDecodeError:  # from_json says so, as for any bad line
                    text = None
                try:
                    if text is None:
                        yield from_json(Decision, line)
                        continue
                    full = form.full(number, text.rstrip("\r\n").removeprefix("\ufeff"))
                    if full is not None:
                        yield from_json(Decision, full)
                except LineError as exc:
                    bad.append(f"line {number}: a compact line that cannot be read: {exc}")
                except ValidationError as exc:
                    bad.append(f"line {number}: {exc}")

        try:
            with written(out):
                count = write_csv(rows(decisions()), out.handle())
        except CompactFormError as exc:
            raise _Failure(str(exc)) from None
    for message in bad:
        _err(f"dapolicy export {decisions_path}: {message}")
    _err(f"dapolicy export {decisions_path}: {count} rows, {len(bad)} lines rejected")
    if bad:
        sys.exit(EXIT_REJECTS)
