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
"""

from __future__ import annotations

import argparse
import pickle
import signal
import time

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
    args = parser.parse_args()
    if args.command == "save":
        save(args.path, args.start, args.count, args.out)
    else:
        run(args.pickled, args.warm, args.count)


if __name__ == "__main__":
    main()
