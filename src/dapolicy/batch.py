"""The batch pipeline behind ``dapolicy assess``, for any engine that runs it.

Single-process runs call :func:`assess_line` in input order. With ``--jobs N`` the
lines are partitioned by victim: every line about one victim goes to the same worker,
in input order, so each worker's history holds everything its victims' decisions can
depend on, and the decisions are exactly those of a single-process run. The workers'
results are merged back into input order before anything is written.
"""

from __future__ import annotations

import json
import multiprocessing
import queue
import zlib
from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Any, NamedTuple

from dapolicy.errors import ValidationError
from dapolicy.history import CallEntry, InMemoryHistory, MutableHistory, record
from dapolicy.models import Case
from dapolicy.models._base import micros
from dapolicy.policy import Policy
from dapolicy.serialization import from_json, to_json
from dapolicy.settings import Settings

__all__ = [
    "LineResult",
    "WorkerError",
    "assess_line",
    "assess_parallel",
    "decision_time",
    "parse_line",
    "partition",
    "victim_key",
]

#: Lines handed to the workers at a time, and chunks in flight per worker: together
#: they bound the memory a parallel run holds, whatever the input's size.
CHUNK = 500
IN_FLIGHT = 4


class LineResult(NamedTuple):
    """What became of one input line: a decision or a reject, as a JSON line."""

    number: int
    decision: str | None
    reject: str | None
    grade: str | None = None
    needs_review: bool = False
    destinations: tuple[str, ...] = ()


def decision_time(case: Case) -> datetime:
    """Grade at the point of attendance: when the form was completed, else on report.

    The later of the two as instants (``max()`` on two London times compares wall
    clocks, which is wrong in the hour the clocks go back).
    """
    reported, form = case.incident.reported_at, case.form
    if form is not None and micros(form.completed_at) > micros(reported):
        return form.completed_at
    return reported


def parse_line(number: int, raw: bytes) -> Case | dict[str, Any]:
    """The case on one line, or its reject record (line number, record, errors)."""
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
        return {
            "line": number,
            "record": _as_json(text),
            "errors": [{"path": e.path, "message": e.message} for e in exc.errors],
        }


def _reject(number: int, text: str, message: str) -> dict[str, Any]:
    record = text.rstrip("\r\n")
    return {"line": number, "record": record, "errors": [{"path": "$", "message": message}]}


def _as_json(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return text.rstrip("\r\n")


def assess_line(policy: Policy, history: MutableHistory, number: int, raw: bytes) -> LineResult:
    """Assess one line against ``history`` and record it there."""
    case = parse_line(number, raw)
    if not isinstance(case, Case):
        # ASCII-escaped: a record may hold text that cannot be written as UTF-8.
        return LineResult(number, None, json.dumps(case))
    decision = policy.assess(case.incident, case.form, history=history, now=decision_time(case))
    record(history, case.incident, decision)
    if case.call is not None:
        history.record_call(CallEntry.from_call(case.call))
    return LineResult(
        number,
        to_json(decision),
        None,
        decision.grade.value,
        decision.needs_review,
        tuple(r.destination.value for r in decision.referrals),
    )


def victim_key(raw: bytes) -> str:
    """The victim id a line is about, or "" when it cannot be read (it will be rejected)."""
    try:
        victim = json.loads(raw)["incident"]["victim"]["id"]
    except (ValueError, KeyError, TypeError, UnicodeDecodeError):
        return ""
    return victim if isinstance(victim, str) else ""


def partition(raw: bytes, parts: int) -> int:
    """Which of ``parts`` partitions a line belongs to.

    The same for every line about one victim, on every machine and in every run: a
    stable hash, not Python's salted ``hash``. Any engine that keeps each partition's
    lines in input order and gives each partition its own history reproduces a
    single-process run exactly.
    """
    return zlib.crc32(victim_key(raw).encode("utf-8", "replace")) % parts


def _worker(
    settings: Settings,
    load_entry_points: bool,
    inbox: Any,
    outbox: Any,
) -> None:  # pragma: no cover - runs in a child process (measured by the subprocess patch)
    try:
        policy = Policy(settings, load_entry_points=load_entry_points)
        history = InMemoryHistory()
        while (chunk := inbox.get()) is not None:
            outbox.put([assess_line(policy, history, number, raw) for number, raw in chunk])
    except BaseException as exc:
        outbox.put(
            f"{type(exc).__name__}: {exc}"
            if isinstance(exc, ValidationError)
            else type(exc).__name__
        )
        raise


class WorkerError(RuntimeError):
    """A worker process failed; the run stops and says so."""


def assess_parallel(
    lines: Iterable[tuple[int, bytes]],
    settings: Settings,
    jobs: int,
    *,
    load_entry_points: bool = True,
) -> Iterator[LineResult]:
    """Assess ``lines`` on ``jobs`` worker processes; yield results in input order."""
    context = multiprocessing.get_context()
    inboxes = [context.Queue(maxsize=IN_FLIGHT) for _ in range(jobs)]
    outboxes = [context.Queue() for _ in range(jobs)]
    workers = [
        context.Process(
            target=_worker, args=(settings, load_entry_points, inbox, outbox), daemon=True
        )
        for inbox, outbox in zip(inboxes, outboxes, strict=True)
    ]
    for worker in workers:
        worker.start()
    pending = 0
    try:
        for chunk in _chunks(lines):
            parts: list[list[tuple[int, bytes]]] = [[] for _ in range(jobs)]
            for number, raw in chunk:
                parts[partition(raw, jobs)].append((number, raw))
            if pending == IN_FLIGHT:
                yield from _collect(outboxes, workers)
                pending -= 1
            for inbox, part in zip(inboxes, parts, strict=True):
                inbox.put(part)
            pending += 1
        while pending:
            yield from _collect(outboxes, workers)
            pending -= 1
    finally:
        for inbox in inboxes:
            inbox.put(None)
        for worker in workers:
            worker.join(timeout=10)
            if worker.is_alive():  # pragma: no cover - a worker stuck at shutdown
                worker.terminate()


def _chunks(lines: Iterable[tuple[int, bytes]]) -> Iterator[list[tuple[int, bytes]]]:
    chunk: list[tuple[int, bytes]] = []
    for item in lines:
        chunk.append(item)
        if len(chunk) == CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _collect(outboxes: list[Any], workers: list[Any]) -> Iterator[LineResult]:
    """The oldest chunk's results from every worker, merged into line order."""
    results: list[LineResult] = []
    for outbox, worker in zip(outboxes, workers, strict=True):
        got = _get(outbox, worker)
        if isinstance(got, str):
            raise WorkerError(f"a worker process failed: {got}")
        results.extend(got)
    results.sort(key=lambda result: result.number)
    yield from results


def _get(outbox: Any, worker: Any) -> Any:
    """The worker's next result; a worker that died without a word is an error too."""
    while True:
        try:
            return outbox.get(timeout=1)
        except queue.Empty:
            if not worker.is_alive():
                raise WorkerError(f"a worker process died (exit code {worker.exitcode})") from None
