"""The batch pipeline behind ``dapolicy assess``, for any engine that runs it.

A batch's decisions do not depend on the order of its lines. :func:`assess_file`
reads the input once to index it, decides the valid lines in order of decision time
(:func:`decision_time`; ties by a hash of the incident id, then of the line's
content), each against the history of everything decided before it, and gives the
results back in input order. Shuffling the input changes nothing but the order the
results are written in.

With ``jobs`` above one, the lines are partitioned by victim: every line about one
victim goes to the same worker process, in decision order, so each worker's history
holds everything its victims' decisions can depend on, and the decisions are exactly
those of a single-process run. A worker that dies or runs past the decision time
budget is replaced; the line it held is rejected with the reason, and every other
line's decision is unchanged.

One bad line never stops a batch: any line that cannot be read, or that the policy
raises on, becomes a reject with its line number and errors.
"""

from __future__ import annotations

import contextlib
import functools
import os
import shutil
import stat
import tempfile
import zlib
from array import array
from collections.abc import Callable, Generator, Iterable, Iterator
from pathlib import Path
from typing import IO, Any, NamedTuple

from dapolicy import _batch_exit
from dapolicy._batch_index import Index, own_history, transaction_of, unread_json
from dapolicy._batch_index import order_key as _packed_key
from dapolicy._batch_index import record_of as _record_of
from dapolicy._batch_keys import case_key, quick_key, read_json, victim_id
from dapolicy._batch_line import counted, decide_line, decision_time
from dapolicy._batch_spill import LineResult, Spill
from dapolicy._batch_workers import (
    DEFAULT_DECISION_SECONDS,
    Pool,
    WorkerError,
    budget_of,
    fork_context,
)
from dapolicy.errors import ValidationError
from dapolicy.history import MutableHistory
from dapolicy.models import Case
from dapolicy.policy import Policy
from dapolicy.serialization import from_json, to_json
from dapolicy.settings import Settings

__all__ = [
    "DEFAULT_DECISION_SECONDS",
    "LineResult",
    "WorkerError",
    "assess_file",
    "assess_line",
    "assess_parallel",
    "decide_before",
    "decision_time",
    "order_key",
    "parse_line",
    "partition",
    "spool",
    "victim_key",
]

#: Cases decided per history transaction (a persistent history's unit of commit).
CHUNK = 1000

# Defined in private modules; documented (and pickled) under this public one.
LineResult.__module__ = WorkerError.__module__ = decision_time.__module__ = __name__


def parse_line(number: int, raw: bytes) -> Case | dict[str, Any]:
    """The case on one line, or its reject record (line number, record, errors).

    Never raises for any bytes: text that is not UTF-8, not JSON, nested too deep,
    holding a number too long to read, a date-time outside the supported years, or
    that breaks any rule of the model is a reject naming each problem's path.
    """
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return _reject(
            number, raw.decode("utf-8", "replace"), f"not UTF-8 text (byte {exc.start})"
        )
    if not text.removeprefix("\ufeff").strip():
        return _reject(number, text, "empty line: no record")
    try:
        return from_json(Case, text)
    except ValidationError as exc:
        errors = [{"path": e.path, "message": e.message} for e in exc.errors]
    except Exception as exc:  # one bad line never stops the batch
        errors = [{"path": "$", "message": f"could not be read ({type(exc).__name__})"}]
    return {"line": number, "record": _record_of(text), "errors": errors}


def _reject(number: int, text: str, message: str) -> dict[str, Any]:
    record = text.rstrip("\r\n")
    return {"line": number, "record": record, "errors": [{"path": "$", "message": message}]}


def assess_line(policy: Policy, history: MutableHistory, number: int, raw: bytes) -> LineResult:
    """Assess one line against ``history`` and record it there.

    A line that cannot be parsed, a case the policy raises on (a fault in the engine,
    not in the data), and, while a batch decides, one on which a plug-in calls
    ``os._exit``, are rejects; nothing is recorded for them. Only a
    :class:`~dapolicy.errors.HistoryError` (the history itself failing) is raised.
    """
    decided = decide_line(policy, history, number, raw, parse_line)
    if isinstance(decided, LineResult):
        return decided
    return LineResult(number, to_json(decided), None, *counted(decided))


def victim_key(raw: bytes) -> str:
    """The victim id a line is about, or "" when it cannot be read (it will be rejected).

    Found by a byte search where that is certain to agree with parsing the line, else
    by parsing it. For a line that is not a valid case (it will be rejected, and a
    reject changes no history, so its partition does not matter), the id given may
    be either reading's.
    """
    found = victim_id(raw)
    if found is not None:
        return found
    try:
        victim = read_json(raw)["incident"]["victim"]["id"]
    except (ValueError, KeyError, TypeError, RecursionError):
        return ""
    return victim if isinstance(victim, str) else ""


def partition(raw: bytes, parts: int) -> int:
    """Which of ``parts`` partitions a line belongs to.

    The same for every line about one victim, on every machine and in every run: a
    stable hash, not Python's salted ``hash``. Any engine that decides each
    partition's lines in :func:`order_key` order and gives each partition its own
    history reproduces a single-process run exactly.
    """
    return zlib.crc32(victim_key(raw).encode("utf-8", "replace")) % parts


def order_key(number: int, raw: bytes) -> int:
    """Where line ``number`` goes in decision order: sort a batch's lines by this.

    Decision time first (:func:`decision_time`), then a hash of the incident id, then
    a hash of the line's content, then the line number (which only separates lines of
    identical content, so it cannot change a decision). A line that will be rejected
    sorts by its number alone: it changes no history.
    """
    key = quick_key(raw)
    if key is None:
        parsed = parse_line(number, raw)
        if not isinstance(parsed, Case):
            return number
        key = case_key(parsed)
    return _packed_key(number, raw, key)


def assess_file(
    source: str | os.PathLike[str] | IO[bytes],
    policy: Policy,
    *,
    history: MutableHistory | None = None,
    jobs: int = 1,
    progress: Callable[[int], None] | None = None,
    decision_seconds: float | None = None,
    make_policy: Callable[[], Policy] | None = None,
    temp_dir: str | None = None,
    lines: Iterable[tuple[int, bytes | None]] | None = None,
    unread: Callable[[int], str] | None = None,
) -> Iterator[LineResult]:
    """Every line of a JSON Lines file decided, results in input order.

    The file is read once to index it, then its valid lines are decided in decision
    order (:func:`order_key`), each read back by its offset, and the results are
    spilled to temporary files in ``temp_dir`` and read back in line order: with
    ``jobs`` above one, each as soon as it and every line before it are decided,
    while the workers go on (so a :class:`WorkerError` may come after some results);
    with one job, once all are. Memory grows with the number of lines (about 30 bytes
    each, and about 100 while the index is sorted), never with their size.

    :param source: the file's path, or the file open for reading in binary mode and
        seekable (standard input or a pipe: pass it through :func:`spool` first).
    :param history: decided against and recorded in (an empty one if omitted); a
        persistent history's writes are committed :data:`CHUNK` decisions at a time.
    :param jobs: worker processes; above one the history must be ``None``.
    :param progress: called with the byte length of each line once it is done.
    :param decision_seconds: the decision time budget for ``jobs`` above one (the
        settings' ``limits.decision_seconds``, else 10 s); a worker past it plus a
        margin is stopped and the line it held rejected.
    :param make_policy: how a worker gets its policy (default: ``policy`` itself,
        inherited: the workers are forked).
    :param temp_dir: where the results are spilled (default: the system's).
    :param lines: ``(number, raw)`` for each line of an open ``source``, read from
        where it stands (default: every line whole); ``raw`` is ``None`` for a line
        the caller would not read (too long), which is rejected unread.
    :param unread: the reject (JSON text) of such a line, given its number.
    :raises WorkerError: worker processes failed in a way no line explains, or
        ``jobs`` is above one where processes cannot fork (refused before reading).
    :raises HistoryError: the history failed; the open chunk was rolled back.
    """
    if jobs > 1 and history is not None:
        raise ValueError("a history cannot be shared between worker processes")
    if jobs > 1:
        fork_context()  # refused before anything is read where processes cannot fork
    if jobs > 1 and make_policy is None:
        make_policy = functools.partial(_same, policy)
    run = _Run(
        settings=policy.settings,
        policy=policy if jobs <= 1 else None,
        history=history,
        jobs=jobs,
        make_policy=make_policy,
        progress=progress,
        decision_seconds=decision_seconds,
        temp_dir=temp_dir,
        by_time=True,
        unread=unread,
    )
    if isinstance(source, str | os.PathLike):
        with open(source, "rb") as handle:
            yield from _assess(handle, os.fspath(source), enumerate(handle, start=1), run)
        return
    numbered = lines if lines is not None else enumerate(source, start=1)
    yield from _assess(source, None, numbered, run)


def decide_before(
    source: IO[bytes],
    policy: Policy,
    number: int,
    history: MutableHistory,
    *,
    lines: Iterable[tuple[int, bytes | None]] | None = None,
) -> None:
    """Decide into ``history`` the lines :func:`assess_file` decides before line ``number``.

    So that one line of a file can be explained as ``assess`` decided it: against the
    history of every case decided before it, in decision order, whatever their place
    in the file. ``source`` and ``lines`` are as for :func:`assess_file`; a line that is
    not a case (or ``number`` itself) records nothing.
    """
    index = Index(None, source.fileno())
    numbered = lines if lines is not None else enumerate(source, start=1)
    index.build(numbered, source.tell, parse_line, lambda *_: None)
    for decided in index.order:
        if decided == number:
            return
        assess_line(policy, history, decided, index.read(index.handle, decided))


@contextlib.contextmanager
def spool(stream: IO[bytes], temp_dir: str | None = None) -> Iterator[IO[bytes]]:
    """``stream`` as a seekable file: itself if it is one, else a temporary copy.

    Standard input, a pipe or a socket is copied whole to a temporary file in
    ``temp_dir`` (removed afterwards) before anything is decided, since a batch is
    read twice: once to index it, once in decision order.
    """
    with contextlib.suppress(OSError, ValueError, AttributeError):
        if stat.S_ISREG(os.fstat(stream.fileno()).st_mode) and stream.seekable():
            yield stream
            return
    with tempfile.TemporaryFile(dir=temp_dir) as copy:
        shutil.copyfileobj(stream, copy, 1 << 20)
        copy.seek(0)
        yield copy


class _Run(NamedTuple):
    """How a batch is to be run."""

    settings: Settings
    policy: Policy | None  # decide in this process with it, else in workers
    history: MutableHistory | None
    jobs: int
    make_policy: Callable[[], Policy] | None
    progress: Callable[[int], None] | None
    decision_seconds: float | None
    temp_dir: str | None
    by_time: bool
    unread: Callable[[int], str] | None


def _assess(
    source: IO[bytes], path: str | None, lines: Iterable[tuple[int, bytes | None]], run: _Run
) -> Iterator[LineResult]:
    """Index ``lines`` (of ``source``), decide, then read back in line order."""
    import json

    done = run.progress or (lambda _: None)
    spill = Spill(run.temp_dir)
    given = 1  # the first line whose result is not yet given back
    try:

        def reject(number: int, raw: bytes | None, parsed: dict[str, Any] | None) -> None:
            if raw is None or parsed is None:
                text = run.unread(number) if run.unread else unread_json(number)
            else:
                text = json.dumps(parsed)
            spill.write(LineResult(number, None, text))
            done(index.lengths[number - 1])

        index = Index(path, source.fileno())
        index.build(lines, source.tell, parse_line, reject, by_time=run.by_time)
        source.flush()
        if run.policy is None:
            assert run.make_policy is not None
            budget = run.decision_seconds
            if budget is None:
                budget = budget_of(run.settings)
            pool = Pool(index, run.make_policy, max(run.jobs, 1), budget, spill, run.temp_dir)
            with contextlib.closing(pool.run(index.order)) as results:
                for result in results:
                    if isinstance(result, LineResult):
                        spill.write(result)
                        done(index.lengths[result.number - 1])
                    else:
                        spill.add(result)
                        for number in result.numbers:
                            done(index.lengths[number - 1])
                    # Give back what every line before it allows, while the workers
                    # go on: the reading back and writing out overlap the deciding.
                    if spill.has(given):
                        given = yield from _give_back(spill, len(index), given)
        else:
            for decided in _decide_here(index, run):
                for result in decided:
                    done(index.lengths[result.number - 1])
                    if result.number == given:  # the next to give: past the spill
                        given += 1
                        yield result
                    else:
                        spill.write(result)
                    if spill.has(given):
                        given = yield from _give_back(spill, len(index), given)
        yield from spill.results(len(index), given)
    finally:
        spill.close()


def _give_back(spill: Spill, lines: int, given: int) -> Generator[LineResult, None, int]:
    """The results from line ``given`` on that the spill has, in order; the next line."""
    for ready in spill.ready(lines, given):
        given += 1
        yield ready
    return given


def _same(policy: Policy) -> Policy:
    return policy


def _decide_here(index: Index, run: _Run) -> Iterator[list[LineResult]]:
    """Decide in this process: each chunk's results once its transaction is committed."""
    assert run.policy is not None
    if run.history is None:
        with own_history(len(index.order), run.temp_dir) as history:
            yield from _decide_with(index, run.policy, history)
    else:
        yield from _decide_with(index, run.policy, run.history)


def _decide_with(
    index: Index, policy: Policy, history: MutableHistory
) -> Iterator[list[LineResult]]:
    """A persistent history's :data:`CHUNK` decisions per transaction."""
    transaction = transaction_of(history)
    order, handle = index.order, index.handle
    for start in range(0, len(order), CHUNK):
        # Not while the results are given back: the caller's own os._exit is its own.
        with transaction(), _batch_exit.guarded():
            results = [
                assess_line(policy, history, number, index.read(handle, number))
                for number in order[start : start + CHUNK]
            ]
        yield results


def assess_parallel(
    lines: Iterable[tuple[int, bytes]],
    settings: Settings,
    jobs: int,
    *,
    load_entry_points: bool = True,
    decision_seconds: float | None = None,
) -> Iterator[LineResult]:
    """Assess ``lines`` (numbered in increasing order) on ``jobs`` worker processes.

    Decided in input order, exactly as :func:`assess_line` called on each line in turn
    against one history would decide them; results in input order, with the numbers
    given. Each worker builds ``Policy(settings, load_entry_points=load_entry_points)``.
    (:func:`assess_file` decides in decision order instead, which does not depend on
    the input's order.)

    :raises WorkerError: a worker could not build its policy, workers failed in a way
        no line explains, or processes cannot fork here (refused before reading).
    """
    import json

    fork_context()  # refused before anything is read where processes cannot fork
    given = array("q")

    def spooled(spool: IO[bytes]) -> Iterator[tuple[int, bytes | None]]:
        for position, (number, raw) in enumerate(lines, start=1):
            given.append(number)
            spool.write(raw)
            yield position, raw
        spool.flush()  # before the index reads any line back

    make = functools.partial(Policy, settings, load_entry_points=load_entry_points)
    run = _Run(
        settings=settings,
        policy=None,
        history=None,
        jobs=jobs,
        make_policy=make,
        progress=None,
        decision_seconds=decision_seconds,
        temp_dir=None,
        by_time=False,
        unread=None,
    )
    with tempfile.TemporaryDirectory() as folder:
        path = str(Path(folder) / "lines.jsonl")
        with open(path, "w+b") as spool:
            for result in _assess(spool, path, spooled(spool), run):
                number = given[result.number - 1]
                if number == result.number:
                    yield result
                elif result.reject is not None:  # renumber the reject record too
                    record = json.loads(result.reject)
                    record["line"] = number
                    yield result._replace(number=number, reject=json.dumps(record))
                else:
                    yield result._replace(number=number)
