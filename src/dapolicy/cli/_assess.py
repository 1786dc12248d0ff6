"""``dapolicy assess``: every case of a JSONL file to a decision or a reject."""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import IO

import click

from dapolicy import _interrupts
from dapolicy._batch_workers import fork_context
from dapolicy._compact import HEADER, Compactor
from dapolicy.batch import LineResult, WorkerError, assess_file, spool
from dapolicy.cli._common import (
    EXIT_INTERRUPTED,
    EXIT_REJECTS,
    FILE,
    _err,
    _Failure,
    _history,
    _load_policy,
    history_option,
    max_line_bytes_option,
    policy_option,
    redact_rejects_option,
)
from dapolicy.cli._files import (
    STREAM,
    Output,
    bounded_lines,
    check_distinct,
    is_stream,
    open_input,
    written,
)
from dapolicy.cli._progress import Progress, progress_bar
from dapolicy.cli._rejects import reject_line, too_long
from dapolicy.cli._summary import Tally
from dapolicy.errors import HistoryError
from dapolicy.history import MutableHistory
from dapolicy.policy import Policy

#: Cases recorded into a persistent history per transaction.
CHUNK = 1000


@click.command()
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
    "or rejects.jsonl when decisions go to stdout or a device; made only if a line is "
    "rejected].",
)
@policy_option
@history_option(
    "A persistent victim history (SQLite), kept between runs; it must exist unless "
    "--new-history is given. No other run may write it at the same time."
)
@click.option(
    "--new-history",
    is_flag=True,
    help="Create the --history file as a new, empty history (refused if it exists).",
)
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
    help="Show progress: lines, rate and time left [default: when standard error is a terminal].",
)
@max_line_bytes_option
@redact_rejects_option
@click.option(
    "--summary-json",
    "summary_path",
    type=FILE,
    help="Also write the summary's counts as JSON.",
)
@click.option(
    "--compact",
    is_flag=True,
    help="Write the decisions in the compact form, for bulk runs: a header line, and each "
    "source and plug-in list once (verify, explain and export read both forms).",
)
@click.option("-q", "--quiet", is_flag=True, help="No summary on standard error.")
def assess(
    input_path: Path,
    output: Path | None,
    rejects: Path | None,
    policy_path: Path | None,
    history_path: Path | None,
    new_history: bool,
    allow_rejects: bool,
    jobs: int,
    progress: bool | None,
    max_line_bytes: int,
    redact_rejects: bool,
    summary_path: Path | None,
    compact: bool,
    quiet: bool,
) -> None:
    """Assess every case in INPUT.jsonl (one Case JSON object per line; - for stdin).

    Cases are decided in order of decision time, whatever their order in the file,
    each at the point of attendance, against the victim history as it stood then;
    the decisions are written in input order. Every line ends up
    either as a decision or in the rejects file: nothing is lost, and the summary
    says so. Output files appear only when the run ends well.
    """
    decisions = Output("--output", output or STREAM)
    named = rejects is not None
    rejects_output = Output("--rejects", rejects or _default_rejects(decisions), lazy=not named)
    summary = Output("--summary-json", summary_path) if summary_path is not None else None
    check_distinct(
        [("INPUT", input_path), ("--policy", policy_path), ("--history", history_path)],
        [("--output", decisions.path), ("--rejects", rejects_output.path)]
        + ([("--summary-json", summary.path)] if summary else []),
    )
    policy = _load_policy(policy_path)
    if new_history and history_path is None:
        raise _Failure("--new-history needs --history PATH: the file to create")
    if jobs != 1 and history_path is not None:
        raise _Failure(
            "--jobs and --history cannot be used together yet: the history's single "
            "writer would serialise the workers; run with --jobs 1"
        )
    if _workers(jobs) > 1:
        try:
            fork_context()
        except WorkerError as exc:
            raise _Failure(f"--jobs {jobs}: {exc}") from None
    tally = Tally()
    outputs = [decisions, rejects_output] + ([summary] if summary else [])
    interrupted = False
    with ExitStack() as stack:
        source = open_input("INPUT", input_path)
        if not is_stream(input_path):
            stack.enter_context(source)
        # The history first: if it is refused, no output is begun.
        history = (
            stack.enter_context(_history(history_path, create=new_history))
            if history_path is not None
            else None
        )
        try:
            with written(*outputs), _interrupts.user_interrupts():
                write = _compact_writer(decisions) if compact else decisions.line
                # Read twice (indexed, then in decision order): a stream is copied first.
                seekable = stack.enter_context(spool(source))
                counter = stack.enter_context(progress_bar(_size(seekable), _shown(progress)))
                lines = bounded_lines(seekable, max_line_bytes)
                for result in _results(
                    seekable, lines, policy, history, jobs, max_line_bytes, counter
                ):
                    if result.decision is not None:
                        tally.decision(result)
                        write(result.decision)
                    else:
                        tally.reject()
                        rejects_output.line(
                            reject_line(result.reject or "", redact=redact_rejects)
                        )
                    if tally.lines % CHUNK == 0:  # a chunk is done: pass it down a stream
                        decisions.flush()
                        rejects_output.flush()
                if summary is not None:
                    summary.line(tally.as_json(input=str(input_path)))
        except KeyboardInterrupt:
            interrupted = True
    if not quiet or interrupted:
        _summary(
            tally,
            input_path,
            decisions,
            rejects_output,
            interrupted=interrupted,
            persistent=history_path is not None,
        )
    if interrupted:
        sys.exit(EXIT_INTERRUPTED)
    if tally.rejected and not allow_rejects:
        sys.exit(EXIT_REJECTS)


def _compact_writer(decisions: Output) -> Callable[[str], None]:
    """Write the compact header now; the function that writes each decision compactly."""
    compactor = Compactor()
    decisions.line(HEADER)

    def write(decision: str) -> None:
        for line in compactor.lines(decision):
            decisions.line(line)

    return write


def _default_rejects(decisions: Output) -> Path:
    """OUTPUT.rejects.jsonl beside a decisions file; rejects.jsonl beside a stream."""
    if decisions.is_stream:
        return Path("rejects.jsonl")
    return decisions.path.with_suffix(".rejects.jsonl")


def _size(source: IO[bytes]) -> int | None:
    with contextlib.suppress(OSError, ValueError):
        status = os.fstat(source.fileno())
        if status.st_size > 0:
            return status.st_size
    return None


def _shown(wanted: bool | None) -> bool:
    return sys.stderr.isatty() if wanted is None else wanted


def _results(
    source: IO[bytes],
    lines: Iterator[tuple[int, bytes | None]],
    policy: Policy,
    history: MutableHistory | None,
    jobs: int,
    limit: int,
    counter: Progress,
) -> Iterator[LineResult]:
    """Every line's result, in input order, decided in decision-time order.

    The input is indexed first, then decided (see :func:`dapolicy.batch.assess_file`):
    the decisions do not depend on the order of the lines. A persistent history is
    written a chunk at a time, each chunk one transaction: a crash loses at most the
    open chunk, and re-running the same input gives the same decisions (each sees only
    what was recorded before its own time; recording again changes nothing).
    """
    try:
        yield from assess_file(
            source,
            policy,
            history=history,
            jobs=_workers(jobs),
            progress=counter.update,
            lines=lines,
            unread=lambda number: too_long(number, limit),
        )
    except WorkerError as exc:
        if _interrupts.interrupted():
            raise KeyboardInterrupt from None
        raise _Failure(str(exc)) from None
    except HistoryError as exc:
        raise _Failure(
            f"the history failed: {exc}; the open chunk was rolled back and no output was "
            "written; run the same input again once the history is fixed"
        ) from None


def _workers(jobs: int) -> int:
    """The worker processes ``--jobs`` asks for (0: one per core)."""
    return jobs or os.cpu_count() or 1


def _summary(
    tally: Tally,
    input_path: Path,
    decisions: Output,
    rejects: Output,
    *,
    interrupted: bool,
    persistent: bool,
) -> None:
    def where(output: Output) -> str:
        if is_stream(output.path):
            return "standard output"
        if interrupted and not output.is_stream:
            return f"{output.path} (not written: the run was interrupted)"
        if not output.will_exist:
            return f"{output.path} (not made: nothing rejected)"
        return str(output.path)

    name = "standard input" if is_stream(input_path) else input_path
    for line in tally.text(f"dapolicy assess {name}", where(decisions), where(rejects)):
        _err(line)
    if interrupted:
        kept = (
            "the history keeps every chunk committed so far and the open one was rolled back"
            if persistent
            else "nothing was kept"
        )
        _err(
            f"  INTERRUPTED after line {tally.lines}: no output file was written; {kept}; "
            "run the same command again to complete the work"
        )
