"""``dapolicy assess``: every case of a JSONL file to a decision or a reject."""

from __future__ import annotations

import contextlib
import itertools
import os
import sys
from collections import Counter
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import IO, Any

import click

from dapolicy.batch import LineResult, WorkerError, assess_line, assess_parallel
from dapolicy.cli._common import (
    EXIT_REJECTS,
    FILE,
    _err,
    _Failure,
    _history,
    _load_policy,
    _open_out,
    history_option,
    policy_option,
)
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
