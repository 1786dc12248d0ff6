"""What every benchmark here shares: interleaved rounds, and one line per ratio.

These machines are shared and noisy, so no figure is a time on its own: each is the
ratio of dapolicy to a baseline measured **in the same process, in alternating
rounds** (dapolicy, baseline, baseline, dapolicy, ...), so that whatever load the
machine is under hits both sides alike. Each ratio is given twice:

- of the **minima**: the fastest round of each side, the least disturbed by load;
- of the **medians**: the typical round of each side.

A ratio line says the target, both figures and whether the target is met (on the
median, the stricter of the two when load varies). ``--results FILE`` (every
benchmark script takes it) appends each ratio to ``FILE`` as one JSON line, which
``run.py`` gathers into the issue's table.
"""

from __future__ import annotations

import gc
import json
import statistics
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

from dapolicy import Case, Decision, InMemoryHistory, Policy
from dapolicy.history import CallEntry
from dapolicy.history import record as record_decision

__all__ = ["Ratio", "Result", "decide_in_order", "interleave", "record", "report"]


@dataclass(frozen=True)
class Ratio:
    """One ratio: its samples on each side (seconds per unit) and its target."""

    measure: str
    ours: list[float]
    base: list[float]
    target: float | None  # None: a reference line, with no target of its own
    unit: str = "us"  # the samples' unit: "us" and "min" are given in seconds

    @property
    def minimum(self) -> float:
        """The ratio of the two sides' fastest rounds."""
        return min(self.ours) / min(self.base)

    @property
    def median(self) -> float:
        """The ratio of the two sides' median rounds."""
        return statistics.median(self.ours) / statistics.median(self.base)

    @property
    def met(self) -> bool | None:
        """Whether the median ratio is within the target (None: no target)."""
        return None if self.target is None else self.median <= self.target


@dataclass(frozen=True)
class Result:
    """A figure that is not a ratio of two timings (a projection, a count)."""

    measure: str
    value: float
    target: float
    unit: str

    @property
    def met(self) -> bool:
        """Whether the figure is within the target."""
        return self.value <= self.target


def interleave(
    sides: dict[str, Callable[[], object]], rounds: int, units: float = 1
) -> dict[str, list[float]]:
    """Run each side ``rounds`` times, alternating; seconds per unit for each round.

    The order flips every round (A B, B A, A B, ...) so neither side always runs
    first. A full collection runs before each timed call, so one side's garbage is
    never paid for by the other; collections during the call stay on, since a real
    run pays for them too.
    """
    names = list(sides)
    timings: dict[str, list[float]] = {name: [] for name in names}
    for number in range(rounds):
        for name in names if number % 2 == 0 else reversed(names):
            gc.collect()
            started = time.perf_counter()
            sides[name]()
            seconds = time.perf_counter() - started
            timings[name].append(seconds / units)
    return timings


def _scaled(seconds: float, unit: str) -> str:
    if unit == "us":
        return f"{seconds * 1e6:,.1f} us"
    if unit == "s":
        return f"{seconds:,.2f} s"
    if unit == "min":  # given in seconds, shown in minutes
        return f"{seconds / 60:,.1f} min"
    return f"{seconds:,.1f} {unit}"


def report(figure: Ratio | Result, results: Path | None = None) -> None:
    """Print one line for ``figure`` (and append it to ``results`` when given)."""
    verdict = {True: "met", False: "MISSED", None: "reference"}[figure.met]
    if isinstance(figure, Ratio):
        ours = statistics.median(figure.ours)
        base = statistics.median(figure.base)
        print(
            f"  {figure.measure}: {figure.median:.2f}x median, {figure.minimum:.2f}x of the "
            f"minima ({_scaled(ours, figure.unit)} vs {_scaled(base, figure.unit)}, "
            f"{len(figure.ours)} rounds); "
            + ("no target" if figure.target is None else f"target <= {figure.target:g}x: ")
            + ("" if figure.target is None else verdict)
        )
    else:
        print(
            f"  {figure.measure}: {_scaled(figure.value, figure.unit)}; "
            f"target <= {_scaled(figure.target, figure.unit)}: {verdict}"
        )
    if results is not None:
        record(figure, results)


def record(figure: Ratio | Result, results: Path) -> None:
    """Append ``figure`` to ``results`` as one JSON line (with its verdict)."""
    data = {"kind": type(figure).__name__, **asdict(figure), "met": figure.met}
    if isinstance(figure, Ratio):
        data |= {"minimum": figure.minimum, "median": figure.median}
    with results.open("a", encoding="utf-8") as out:
        out.write(json.dumps(data) + "\n")


def decide_in_order(policy: Policy, cases: Iterable[Case]) -> Iterator[Decision]:
    """Each case decided as ``dapolicy assess`` decides it, and recorded, in the order given.

    ``Policy.assess_case`` (the command's decision time, the officer's DARA), then the
    decision and the call recorded in one in-memory history, as ``batch.assess_line``
    does: the benchmarks' decisions are the command's.
    """
    history = InMemoryHistory()
    for case in cases:
        decision = policy.assess_case(case, history=history)
        record_decision(history, case.incident, decision)
        if case.call is not None:
            history.record_call(CallEntry.from_call(case.call))
        yield decision
