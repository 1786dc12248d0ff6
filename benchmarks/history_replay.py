"""A record's machine instructions against a history of any size, without deciding it all.

``save`` decides the first N lines of a ``dapolicy synth`` file in decision order (as
``dapolicy assess --jobs 1`` does, one history) and pickles the history with the next
lines; ``run`` loads it, decides ``--warm`` of those lines (caches filled, first calls
made) and then ``--count`` more. Run ``run`` under cachegrind twice, with ``--count K``
and ``--count 0``: the difference over K is a record's instructions against a history
of N records, which no load on the machine moves::

    python benchmarks/history_replay.py save cases.jsonl 255000 1500 h255k.pickle
    PYTHONHASHSEED=0 valgrind --tool=cachegrind --cache-sim=no \\
        python benchmarks/history_replay.py run h255k.pickle --warm 300 --count 1000

The pickle holds only the history (its ids and times) and the lines; the same pickle can
be read by two checkouts whose histories pickle alike (``PYTHONPATH``).

The history's own part: ``trace`` loads such a pickle, decides ``--warm`` lines, then
decides ``--count`` more noting every view the engine makes, every question asked of a
view, and every record made (``record`` and ``record_call``), and pickles the history as
it was before them with that trace; ``calls`` does exactly those again, without the
engine. A history loaded from a pickle grows its columns (copies them) at its first
records, and its caches start empty: so ``calls --half`` does only the first half's
calls, and under cachegrind ``calls`` less ``calls --half``, over the second half's
records (printed), is what the history costs a record (its views, questions and
recording); less ``calls --records-only`` instead, what its views and questions cost::

    python benchmarks/history_replay.py trace h255k.pickle t255k.pickle --count 1000
    valgrind --tool=cachegrind --cache-sim=no \\
        python benchmarks/history_replay.py calls t255k.pickle [--half]
"""

from __future__ import annotations

import argparse
import pickle
import signal
import time
from typing import Any

import attrs

from dapolicy import default_policy
from dapolicy._batch_line import decide_line
from dapolicy.batch import order_key, parse_line
from dapolicy.history import InMemoryHistory
from dapolicy.settings import LimitsSettings, Settings


def save(path: str, start: int, count: int, out: str) -> None:
    """Decide the first ``start`` lines in order; pickle the history and the next ``count``."""
    with open(path, "rb") as source:
        lines = source.readlines()
    order = sorted(range(len(lines)), key=lambda n: order_key(n + 1, lines[n]))
    policy, history = default_policy(), InMemoryHistory()
    began = time.process_time()
    for n in order[:start]:
        decide_line(policy, history, n + 1, lines[n], parse_line)
    kept = [(n + 1, lines[n]) for n in order[start : start + count]]
    with open(out, "wb") as into:
        pickle.dump((history, kept), into, protocol=pickle.HIGHEST_PROTOCOL)
    spent = time.process_time() - began
    print(
        f"{start:,} lines decided in {spent:.0f} s, {len(kept):,} kept",
        f"({len(history):,} incidents)",
    )


def run(pickled: str, warm: int, count: int) -> None:
    """Load the history and lines; decide ``warm`` of them, then ``count`` more."""
    # Under valgrind a decision runs tens of times slower: its budget is made an hour
    # (a first decision could spend 10 s and be cut short, which changes what is
    # counted), and a timer signal after a decision is ignored (it would end the run).
    signal.signal(signal.SIGALRM, lambda *_: None)
    with open(pickled, "rb") as source:
        history, kept = pickle.load(source)
    policy = default_policy(attrs.evolve(Settings(), limits=LimitsSettings(decision_seconds=3600)))
    for number, raw in kept[:warm]:
        decide_line(policy, history, number, raw, parse_line)
    began = time.process_time()
    for number, raw in kept[warm : warm + count]:
        decide_line(policy, history, number, raw, parse_line)
    if count:
        print(f"{1e6 * (time.process_time() - began) / count:.0f} us a record")


_VIEW_QUERIES = (
    "incidents",
    "count_incidents",
    "last_marac_referral",
    "calls",
    "last_grade",
    "events",
)


def trace(pickled: str, out: str, warm: int, count: int) -> None:
    """Decide ``warm`` lines, then trace the history's part in ``count`` more (see above)."""
    from dapolicy import _batch_line
    from dapolicy._policy import _assessment
    from dapolicy.history import HistoryView

    with open(pickled, "rb") as source:
        history, kept = pickle.load(source)
    policy = default_policy(attrs.evolve(Settings(), limits=LimitsSettings(decision_seconds=3600)))
    for number, raw in kept[:warm]:
        decide_line(policy, history, number, raw, parse_line)
    before = pickle.dumps(history, protocol=pickle.HIGHEST_PROTOCOL)
    done: list[tuple[Any, ...]] = []
    view, noted = _assessment.decision_view, _batch_line.record

    def viewing(store: Any, now: Any) -> Any:
        done.append(("view", now))
        return view(store, now)

    def recording(store: Any, subject: Any, decision: Any = None, **given: Any) -> None:
        done.append(("record", subject, decision, given))
        noted(store, subject, decision, **given)

    def calling(entry: Any) -> bool:
        done.append(("record_call", entry))
        return bool(InMemoryHistory.record_call(history, entry))

    def asking(name: str) -> Any:
        real = getattr(HistoryView, name)

        def asked(self: Any, *args: Any, **kwargs: Any) -> Any:
            done.append((name, args, kwargs))
            return real(self, *args, **kwargs)

        return asked

    _assessment.decision_view, _batch_line.record = viewing, recording  # type: ignore[assignment]
    history.record_call = calling
    for name in _VIEW_QUERIES:
        if hasattr(HistoryView, name):
            type.__setattr__(HistoryView, name, asking(name))
    for number, raw in kept[warm : warm + count]:
        decide_line(policy, history, number, raw, parse_line)
    with open(out, "wb") as into:
        pickle.dump((before, done, count), into, protocol=pickle.HIGHEST_PROTOCOL)
    print(f"{len(done):,} calls in {count:,} records")


def calls(pickled: str, half: bool, records_only: bool = False) -> None:
    """Make the traced views, questions and records again (the first half's, if ``half``).

    :param records_only: in the second half, only the records (the questions' part is
        then what ``calls`` costs more).
    """
    from dapolicy.history import decision_view, record

    with open(pickled, "rb") as source:
        before, done, _ = pickle.load(source)
    history = pickle.loads(before)
    views = [n for n, step in enumerate(done) if step[0] == "view"]
    middle = views[len(views) // 2]
    if half:
        done = done[:middle]
    elif records_only:
        done = done[:middle] + [step for step in done[middle:] if step[0].startswith("record")]
    print(f"{len(views) - len(views) // 2:,} records in the second half")
    view: Any = None
    for step in done:
        kind = step[0]
        if kind == "view":
            view = decision_view(history, step[1])
        elif kind == "record":
            record(history, step[1], step[2], **step[3])
        elif kind == "record_call":
            history.record_call(step[1])
        else:
            getattr(view, kind)(*step[1], **step[2])


def main() -> None:
    """``save`` or ``run`` (see the module's documentation)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    saving = commands.add_parser("save")
    saving.add_argument("path")
    saving.add_argument("start", type=int)
    saving.add_argument("count", type=int)
    saving.add_argument("out")
    running = commands.add_parser("run")
    running.add_argument("pickled")
    running.add_argument("--warm", type=int, default=300)
    running.add_argument("--count", type=int, default=1000)
    tracing = commands.add_parser("trace")
    tracing.add_argument("pickled")
    tracing.add_argument("out")
    tracing.add_argument("--warm", type=int, default=300)
    tracing.add_argument("--count", type=int, default=500)
    calling = commands.add_parser("calls")
    calling.add_argument("pickled")
    calling.add_argument("--half", action="store_true", help="the first half's calls only")
    calling.add_argument("--records-only", action="store_true", help="no questions after half")
    args = parser.parse_args()
    if args.command == "save":
        save(args.path, args.start, args.count, args.out)
    elif args.command == "run":
        run(args.pickled, args.warm, args.count)
    elif args.command == "trace":
        trace(args.pickled, args.out, args.warm, args.count)
    else:
        calls(args.pickled, args.half, args.records_only)


if __name__ == "__main__":
    main()
