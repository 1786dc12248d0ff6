"""Worker processes for ``--jobs``: partitioned by victim, replaced when one fails (private).

Each worker owns the victims whose id hashes to its partition and decides their lines
in the order it is given them (decision order), against a history of its own. The
parent sends only line numbers -- a worker reads the lines from the input file
itself -- so a message is a few kilobytes and a send never blocks on a worker that
has stopped reading.

A worker announces each line before deciding it, in a shared 64-bit slot (the line
number and when it started). The parent waits on the workers' pipes and process
sentinels together, so it learns at once that one has died, and it checks the slots
for a line that has been held past the decision time budget plus a margin, counting
only time in which the worker could run (:mod:`dapolicy._batch_watch`: a stall of the
machine, or a worker stopped by a signal, is no line's fault). Either way the worker
is killed if need be, the line it held becomes a reject that says why, and a
replacement takes its place: it first decides again, silently, every line its
partition had finished (decisions are deterministic, so its history is rebuilt
exactly as it was), then takes over the chunks that were never answered. The other
lines' decisions are therefore exactly those of a run without the fault. A
replacement that fails while it decides those lines again is a fault no line
explains, like a death between lines: three in a row stop the run.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
import time
from array import array
from collections import deque
from collections.abc import Callable, Generator, Iterable, Iterator
from datetime import UTC, datetime, timedelta
from multiprocessing.connection import Connection, wait
from typing import Any, NamedTuple

from dapolicy._batch_exit import guarded
from dapolicy._batch_index import Index, own_history, reject_json, transaction_of
from dapolicy._batch_spill import LineResult, Records, Spill, append_to, pack
from dapolicy._batch_watch import Watch, is_stopped
from dapolicy.errors import ValidationError
from dapolicy.policy import Policy

__all__ = [
    "DEFAULT_DECISION_SECONDS",
    "NO_FORK",
    "Pool",
    "WorkerError",
    "budget_of",
    "fork_context",
    "warm",
]

#: Line numbers sent to a worker at a time, and chunks in flight per worker. A chunk
#: is ``CHUNK`` 32-bit numbers: ``IN_FLIGHT`` of them fit in any pipe's buffer.
CHUNK = 256
IN_FLIGHT = 3

#: Lines a replacement decides again per history transaction.
REPLAY_CHUNK = 1000

#: How often the parent looks at the workers' slots when nothing arrives (seconds).
POLL = 0.25

#: The most one interval between two of the parent's looks at a slot is charged to
#: the line held, in units of ``POLL``: a longer gap is time the parent did not run.
STEP_POLLS = 2

#: The decision time budget when the settings have none (seconds).
DEFAULT_DECISION_SECONDS = 10.0

#: A worker is given the budget plus this margin (at most) before it is stopped.
MARGIN = 5.0

#: Faults in a row that cannot be pinned on a line before the run stops.
MAX_UNEXPLAINED = 3

#: At most this many years of bank holidays are built before forking (each after the
#: first costs a fraction of a millisecond; the first, the ``holidays`` package's import).
WARM_YEARS = 30

#: Lines read (not decided) before forking, to generate the code that reads a case.
WARM_LINES = 16

_LOW = 0xFFFFFFFF
_REPLAY = 1 << 31
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class WorkerError(RuntimeError):
    """A worker process failed in a way no single line explains; the run stops."""


def budget_of(settings: Any) -> float:
    """The decision time budget of ``settings`` (``limits.decision_seconds``), or 10 s."""
    limits = getattr(settings, "limits", None)
    seconds = getattr(limits, "decision_seconds", None)
    return float(seconds) if isinstance(seconds, int | float) else DEFAULT_DECISION_SECONDS


def warm(span: tuple[int, int] | None, lines: Iterable[bytes] = ()) -> None:
    """Build, once and before forking, what every worker would otherwise build itself.

    The bank holidays of the years a batch's decisions fall in (and either side), so
    that the workers inherit the table instead of each importing the ``holidays``
    package and building it (about half a second of CPU each); and the code that
    reads a case, generated the first time one is read, by reading ``lines`` (the
    first few to decide: about a tenth of a second each worker saves). Both are
    pure functions, cached: the decisions are the same whoever built them, and
    reading a line runs no plug-in.
    """
    from dapolicy.batch import parse_line
    from dapolicy.calendar import bank_holidays

    for number, raw in enumerate(lines, start=1):
        parse_line(number, raw)

    if span is None:
        first = last = datetime.now(UTC).year
    else:
        first, last = (_year(at) for at in span)
    for year in range(max(first - 1, 1), min(last + 1, first + WARM_YEARS, 9999) + 1):
        bank_holidays(year)


def _year(at: int) -> int:
    """The UTC year of an instant in microseconds since 1970, kept within 1 to 9999."""
    try:
        return (_EPOCH + timedelta(microseconds=at)).year
    except OverflowError:
        return 1 if at < 0 else 9999


#: Why ``jobs`` above one is refused where processes cannot fork.
NO_FORK = (
    "worker processes need the fork start method, which this platform does not have "
    "(the workers inherit the policy, the index and the spill's files); run with one job"
)


def fork_context() -> Any:
    """The ``fork`` start method's context: the workers inherit the parent's state.

    :raises WorkerError: where processes cannot fork (Windows), before anything starts.
    """
    if "fork" not in multiprocessing.get_all_start_methods():
        raise WorkerError(NO_FORK)
    return multiprocessing.get_context("fork")


class _Job(NamedTuple):
    """What a worker process is started with."""

    make_policy: Callable[[], Policy]
    lines: Index
    replay: array[int]
    inbox: Connection
    outbox: Connection
    slot: Any
    epoch: float
    parent: int
    #: Lines the worker's partition is expected to decide (its history's size).
    expected: int
    temp_dir: str | None
    #: Where the worker appends its results (:meth:`Spill.part_target`).
    spill: int


def _work(job: _Job) -> None:  # pragma: no cover - runs in a child process
    # The user's Ctrl-C reaches the whole process group: the parent deals with it.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        _decide_lines(job)
    except BaseException as exc:  # no traceback, ever: the parent reports it
        with contextlib.suppress(BaseException):
            job.outbox.send(("raised", type(exc).__name__))
        os._exit(70)


def _decide_lines(job: _Job) -> None:  # pragma: no cover - runs in a child process
    """Rebuild the history from the replay, then decide each chunk sent."""
    make_policy, index, replay, inbox, outbox, slot, epoch, parent = job[:8]
    from dapolicy._batch_line import spill_line
    from dapolicy.batch import parse_line

    try:
        policy = make_policy()
    except Exception as exc:  # reported to the parent, which stops
        text = f"{type(exc).__name__}: {exc}" if isinstance(exc, ValidationError) else None
        outbox.send(("failed", text or type(exc).__name__))
        return
    outbox.send(("started", None))  # a failure from now on is no failure to start
    # Its own descriptor where there is a path; else the one inherited by fork.
    handle = os.open(index.path, os.O_RDONLY) if index.path else index.handle
    with own_history(job.expected, job.temp_dir) as history:
        transaction = transaction_of(history)

        def decide(chunk: Iterable[int], flag: int = 0) -> list[bytes]:
            """Each line's spill record: its decision written as bytes, never as text."""
            results: list[bytes] = []
            with transaction(), guarded():  # a plug-in's os._exit: its line rejected
                for number in chunk:
                    started = int((time.monotonic() - epoch) * 1000) & _LOW
                    slot.value = (started << 32) | number | flag
                    raw = index.read(handle, number)
                    results.append(spill_line(policy, history, number, raw, parse_line))
            slot.value = 0
            return results

        for start in range(0, len(replay), REPLAY_CHUNK):
            decide(replay[start : start + REPLAY_CHUNK], _REPLAY)
        outbox.send(("ready", None))
        while True:
            while not inbox.poll(1.0):
                if os.getppid() != parent:  # orphaned (the parent was killed): stop
                    return
            chunk = inbox.recv()
            if chunk is None:
                return
            # To the spill, not through the pipe: the parent is told only where.
            sizes, blob = pack(decide(chunk))
            outbox.send(("results", (append_to(job.spill, blob), sizes.tobytes())))


class _Worker:
    """One partition's worker process, and what it owes the parent."""

    def __init__(self, pool: Pool, part: int, replay: array[int]) -> None:
        context = pool.context
        self.part = part
        self.slot = context.RawValue("Q", 0)
        self.inbox_parent, inbox_child = context.Pipe(duplex=False)[::-1]
        outbox_parent, self.outbox_child = context.Pipe(duplex=False)
        self.outbox = outbox_parent
        job = _Job(
            pool.make_policy,
            pool.index,
            replay,
            inbox_child,
            self.outbox_child,
            self.slot,
            pool.epoch,
            os.getpid(),
            pool.expected,
            pool.temp_dir,
            pool.spill.part_target(part),
        )
        self.process = context.Process(target=_work, args=(job,), daemon=True)
        self.process.start()
        inbox_child.close()
        self.outbox_child.close()  # so a dead worker's pipe reads as closed
        #: It has built its policy; it has decided again what it was given to.
        self.started = self.ready = False
        self.raised = ""
        self.watch = Watch()
        #: Chunks sent and not yet answered, then chunks waiting to be sent.
        self.sent: deque[list[int]] = deque()
        self.waiting: deque[list[int]] = deque()
        #: Lines decided, in order: what a replacement decides again.
        self.done = replay

    def stopped(self) -> bool:
        """Whether the process is stopped now (by a signal or a debugger)."""
        pid = self.process.pid
        return pid is not None and is_stopped(pid)

    def send_what_fits(self) -> None:
        while self.ready and self.waiting and len(self.sent) < IN_FLIGHT:
            chunk = self.waiting.popleft()
            self.sent.append(chunk)
            try:
                self.inbox_parent.send(array("i", chunk))
            except OSError:  # it has died; the sentinel says so next
                return

    def stop(self) -> None:
        if self.process.is_alive():
            self.process.kill()
        self.process.join()
        self.inbox_parent.close()
        self.outbox.close()


class Pool:
    """``jobs`` workers deciding the lines of ``index``, each line in its partition."""

    def __init__(
        self,
        index: Index,
        make_policy: Callable[[], Policy],
        jobs: int,
        budget: float,
        spill: Spill,
        temp_dir: str | None = None,
    ) -> None:
        self.index = index
        self.spill = spill
        self.temp_dir = temp_dir
        self.expected = len(index.order) // max(jobs, 1) + 1
        self.make_policy = make_policy
        self.jobs = jobs
        self.limit = budget + min(MARGIN, budget)
        self.budget = budget
        self.step = POLL * STEP_POLLS
        self.context = fork_context()
        self.epoch = time.monotonic()
        self.unexplained = 0
        if index.order:
            first = index.order[:WARM_LINES]
            warm(index.span, (index.read(index.handle, number) for number in first))
        self.workers = [_Worker(self, part, array("i")) for part in range(jobs)]

    def run(self, order: Iterable[int]) -> Generator[LineResult | Records, None, None]:
        """Decide ``order``'s lines; yield the results as they come (in no fixed order).

        A worker's results come as where it wrote them in the ``spill`` (to be noted
        there with :meth:`Spill.add`); a line a failed worker held comes as its reject.
        """
        try:
            pending = 0
            chunks: list[list[int]] = [[] for _ in self.workers]
            for number in order:
                part = self.index.victims[number - 1] % self.jobs
                chunks[part].append(number)
                if len(chunks[part]) == CHUNK:
                    self.workers[part].waiting.append(chunks[part])
                    chunks[part] = []
                    pending += 1
                    while self._backlog():
                        yield from self._step()
            for worker, chunk in zip(self.workers, chunks, strict=True):
                if chunk:
                    worker.waiting.append(chunk)
            while any(w.sent or w.waiting for w in self.workers):
                yield from self._step()
        finally:
            for worker in self.workers:
                if worker.process.is_alive() and worker.ready:
                    with contextlib.suppress(OSError):
                        worker.inbox_parent.send(None)
                    worker.process.join(timeout=POLL * 4)
                worker.stop()

    def _backlog(self) -> bool:
        return any(len(w.sent) + len(w.waiting) > IN_FLIGHT for w in self.workers)

    def _step(self) -> Iterator[LineResult | Records]:
        """Send what fits, wait for a message or a death, and deal with either."""
        for worker in self.workers:
            worker.send_what_fits()
        by_handle: dict[Any, _Worker] = {}
        for worker in self.workers:
            by_handle[worker.outbox] = worker
            by_handle[worker.process.sentinel] = worker
        for handle in wait(list(by_handle), timeout=POLL):
            worker = by_handle[handle]
            if worker not in self.workers:  # replaced earlier in this round
                continue
            if handle == worker.process.sentinel:
                if not worker.outbox.poll():  # died, with nothing left to read
                    yield from self._replace(worker, self._death(worker))
                continue
            try:
                kind, payload = worker.outbox.recv()
            except (EOFError, OSError):
                yield from self._replace(worker, self._death(worker))
                continue
            yield from self._receive(worker, kind, payload)
        now = time.monotonic() - self.epoch
        for worker in list(self.workers):
            value = worker.slot.value  # read once: the worker may move on meanwhile
            if worker.watch.look(value, now, self.step, worker.stopped) > self.limit:
                yield from self._replace(worker, self._stuck(), value)

    def _receive(self, worker: _Worker, kind: str, payload: Any) -> Iterator[LineResult | Records]:
        if kind == "failed":
            raise WorkerError(f"a worker process failed: {payload}")
        if kind == "raised":  # it is ending: the sentinel follows
            worker.raised = str(payload)
            return
        if kind == "started":
            worker.started = True
            return
        if kind == "ready":
            worker.ready = True
            return
        chunk = worker.sent.popleft()
        worker.done.extend(chunk)
        self.unexplained = 0
        start, sizes = payload
        yield Records(chunk, array("i", sizes), worker.part + 1, start)

    def _death(self, worker: _Worker) -> str:
        worker.process.join(timeout=POLL * 4)
        if worker.raised:
            return f"not decided: {worker.raised} was raised while deciding it"
        code = worker.process.exitcode
        how = f"signal {-code}" if code is not None and code < 0 else f"exit code {code}"
        return f"not decided: the worker process deciding it ended ({how})"

    def _stuck(self) -> str:
        return (
            f"not decided: no decision within {self.limit:g} s (the decision time budget "
            f"of {self.budget:g} s and a margin); its worker process was stopped"
        )

    def _replace(
        self, worker: _Worker, why: str, value: int | None = None
    ) -> Iterator[LineResult | Records]:
        """Stop ``worker``, reject the line it held, start a replacement.

        :param value: its slot as seen when it was found stuck (else read now, once it
            has ended: the line it held when it died).
        """
        worker.stop()
        if value is None:
            value = worker.slot.value
        if not worker.started and not value:  # its policy could not be built
            raise WorkerError(f"a worker process failed before it started: {why}")
        # A line decided again is not the fault of the line (it was decided before).
        number = 0 if value & _REPLAY else value & _LOW
        unanswered = [*worker.sent, *worker.waiting]
        if number and any(number in chunk for chunk in unanswered):
            unanswered = [[n for n in chunk if n != number] for chunk in unanswered]
            yield self._reject(number, why)
        else:
            self.unexplained += 1
            if self.unexplained >= MAX_UNEXPLAINED:
                raise WorkerError(
                    f"worker processes failed {self.unexplained} times in a row outside "
                    f"any line ({why.removeprefix('not decided: ')}); the run stops"
                )
        replacement = _Worker(self, worker.part, worker.done)
        replacement.waiting.extend(chunk for chunk in unanswered if chunk)
        self.workers[worker.part] = replacement

    def _reject(self, number: int, message: str) -> LineResult:
        raw = self.index.read(self.index.handle, number)
        return LineResult(number, None, reject_json(number, raw, message))
