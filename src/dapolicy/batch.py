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
import os
import tempfile
import zlib
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

from dapolicy._batch_index import Index, LineResult, Spill, case_key, quick_key, reject_json
from dapolicy._batch_index import order_key as _packed_key
from dapolicy._batch_index import record_of as _record_of
from dapolicy._batch_workers import DEFAULT_DECISION_SECONDS, Pool, WorkerError, budget_of
from dapolicy.errors import HistoryError, ValidationError
from dapolicy.history import CallEntry, InMemoryHistory, MutableHistory, record
from dapolicy.models import Case
from dapolicy.models._base import micros
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
    "decision_time",
    "order_key",
    "parse_line",
    "partition",
    "victim_key",
]

#: Cases decided per history transaction (a persistent history's unit of commit).
CHUNK = 1000

# Defined in private modules; documented (and pickled) under this public one.
LineResult.__module__ = WorkerError.__module__ = __name__


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

    A line that cannot be parsed, and a case the policy raises on (a fault in the
    engine, not in the data), are rejects; nothing is recorded for them. Only a
    :class:`~dapolicy.errors.HistoryError` (the history itself failing) is raised.
    """
    import json

    case = parse_line(number, raw)
    if not isinstance(case, Case):
        # ASCII-escaped: a record may hold text that cannot be written as UTF-8.
        return LineResult(number, None, json.dumps(case))
    try:
        decision = policy.assess(
            case.incident, case.form, history=history, now=decision_time(case)
        )
        record(history, case.incident, decision)
        if case.call is not None:
            history.record_call(CallEntry.from_call(case.call))
    except HistoryError:
        raise
    except Exception as exc:  # one case never stops the batch
        message = f"not decided: the policy raised {type(exc).__name__} on this case"
        if isinstance(exc, ValidationError):
            message = f"not decided: {'; '.join(e.message for e in exc.errors)}"
        return LineResult(number, None, reject_json(number, raw, message))
    return LineResult(
        number,
        to_json(decision),
        None,
        decision.grade.value,
        decision.needs_review,
        tuple(r.destination.value for r in decision.referrals),
    )


def _text_without_bom(raw: bytes) -> str:
    return raw.decode("utf-8").removeprefix("\ufeff")


def victim_key(raw: bytes) -> str:
    """The victim id a line is about, or "" when it cannot be read (it will be rejected)."""
    import json

    try:
        victim = json.loads(_text_without_bom(raw))["incident"]["victim"]["id"]
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
    path: str | os.PathLike[str],
    policy: Policy,
    *,
    history: MutableHistory | None = None,
    jobs: int = 1,
    progress: Callable[[int], None] | None = None,
    decision_seconds: float | None = None,
    make_policy: Callable[[], Policy] | None = None,
    temp_dir: str | None = None,
) -> Iterator[LineResult]:
    """Every line of the JSON Lines file at ``path`` decided, results in input order.

    The file is read once to index it (a few dozen bytes a line are kept), then its
    valid lines are decided in decision order, each read back by its offset, and the
    results are spilled to a temporary file in ``temp_dir`` and read back in line
    order. Memory grows with the number of lines (about 30 bytes each, and about 100
    while sorting), never with their size.

    :param history: decided against and recorded in (an empty one if omitted); a
        persistent history's writes are committed :data:`CHUNK` decisions at a time.
    :param jobs: worker processes; above one the history must be ``None``.
    :param progress: called with the byte length of each line once it is done.
    :param decision_seconds: the decision time budget for ``jobs`` above one (the
        settings' ``limits.decision_seconds``, else 10 s); a worker past it plus a
        margin is stopped and the line it held rejected.
    :param make_policy: how a worker gets its policy (default: ``policy`` itself,
        inherited where processes fork; rebuilt from its settings elsewhere).
    :param temp_dir: where the results are spilled (default: the system's).
    :raises WorkerError: worker processes failed in a way no line explains.
    :raises HistoryError: the history failed; the open chunk was rolled back.
    """
    if jobs > 1 and history is not None:
        raise ValueError("a history cannot be shared between worker processes")
    if jobs > 1 and make_policy is None:
        make_policy = _policy_factory(policy)
    with open(path, "rb") as source:
        yield from _assess(
            source,
            os.fspath(path),
            iter(source),
            policy.settings,
            policy if jobs <= 1 else None,
            history,
            jobs,
            make_policy,
            progress,
            decision_seconds,
            temp_dir,
            by_time=True,
        )


def _assess(
    source: Any,
    path: str,
    lines: Iterable[bytes],
    settings: Settings,
    policy: Policy | None,
    history: MutableHistory | None,
    jobs: int,
    make_policy: Callable[[], Policy] | None,
    progress: Callable[[int], None] | None,
    decision_seconds: float | None,
    temp_dir: str | None,
    *,
    by_time: bool,
) -> Iterator[LineResult]:
    """Index ``lines`` (the contents of ``path``), decide, then read back in line order."""
    import json

    done = progress or (lambda _: None)
    spill = Spill(temp_dir)
    try:

        def reject(number: int, raw: bytes, parsed: dict[str, Any]) -> None:
            spill.write(LineResult(number, None, json.dumps(parsed)))
            done(len(raw))

        index = Index.build(path, lines, parse_line, reject, by_time=by_time)
        source.flush()
        if policy is None:
            assert make_policy is not None
            budget = budget_of(settings) if decision_seconds is None else decision_seconds
            for result in Pool(index, make_policy, max(jobs, 1), budget).run(index.order):
                spill.write(result)
                done(index.lengths[result.number - 1])
        else:
            handle = os.open(path, os.O_RDONLY)
            try:
                _decide_here(index, handle, policy, history, spill, done)
            finally:
                os.close(handle)
        yield from spill.results(len(index))
    finally:
        spill.close()


def _policy_factory(policy: Policy) -> Callable[[], Policy]:
    import functools
    import multiprocessing

    if "fork" in multiprocessing.get_all_start_methods():
        return lambda: policy
    return functools.partial(Policy, policy.settings)  # pragma: no cover - no fork


def _decide_here(
    index: Index,
    handle: int,
    policy: Policy,
    history: MutableHistory | None,
    spill: Spill,
    done: Callable[[int], None],
) -> None:
    """Decide in this process, a persistent history's chunk per transaction."""
    history = history if history is not None else InMemoryHistory()
    transaction = getattr(history, "transaction", contextlib.nullcontext)
    order = index.order
    for start in range(0, len(order), CHUNK):
        with transaction():
            results = [
                assess_line(policy, history, number, index.read(handle, number))
                for number in order[start : start + CHUNK]
            ]
        for result in results:
            spill.write(result)
            done(index.lengths[result.number - 1])


def assess_parallel(
    lines: Iterable[tuple[int, bytes]],
    settings: Settings,
    jobs: int,
    *,
    load_entry_points: bool = True,
    decision_seconds: float | None = None,
) -> Iterator[LineResult]:
    """Assess ``lines`` (numbered from 1, in order) on ``jobs`` worker processes.

    Decided in input order, exactly as :func:`assess_line` called on each line in turn
    against one history would decide them; results in input order. Each worker builds
    ``Policy(settings, load_entry_points=load_entry_points)``. (:func:`assess_file`
    decides in decision order instead, which does not depend on the input's order.)

    :raises WorkerError: a worker could not build its policy, or workers failed in a
        way no line explains.
    """
    import functools

    def numbered(spool: Any) -> Iterator[bytes]:
        for expected, (number, raw) in enumerate(lines, start=1):
            if number != expected:
                raise ValueError("lines must be numbered from 1, in order")
            spool.write(raw)
            yield raw

    make = functools.partial(Policy, settings, load_entry_points=load_entry_points)
    with tempfile.TemporaryDirectory() as folder:
        path = str(Path(folder) / "lines.jsonl")
        with open(path, "wb") as spool:
            yield from _assess(
                spool,
                path,
                numbered(spool),
                settings,
                None,
                None,
                jobs,
                make,
                None,
                decision_seconds,
                None,
                by_time=False,
            )
