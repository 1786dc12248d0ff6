"""The batch's per-line memory at full size, without the engine: index, sort, spill, read.

Run under ``/usr/bin/time -v`` and read "Maximum resident set size"::

    /usr/bin/time -v python benchmarks/batch_memory.py cases.jsonl

It does what ``dapolicy assess`` does with every line except deciding it: the first
pass that indexes the file (offsets, lengths, victim hashes, the packed sort keys),
the sort, reading each line back at its offset in decision order, spilling a result
for it, and reading the results back in line order. What this peaks at is what grows
with the number of lines; deciding adds a few megabytes that do not (the engine, and
SQLite's page cache for a history on disk). See docs/performance.md.
"""

from __future__ import annotations

import resource
import sys
import time

from dapolicy._batch_index import Index, LineResult, Spill
from dapolicy.batch import parse_line


def main(path: str) -> None:
    """Index, sort, spill and read back every line of ``path``; print the counts."""
    started = time.monotonic()
    with open(path, "rb") as source:
        index = Index(path, source.fileno())
        index.build(enumerate(source, start=1), source.tell, parse_line, lambda *_: None)
        spill = Spill()
        try:
            for number in index.order:
                text = index.read(index.handle, number).decode().rstrip("\n")
                spill.write(LineResult(number, text, None, "standard", False, ("idva",)))
            count = sum(1 for _ in spill.results(len(index)))
        finally:
            spill.close()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    seconds = time.monotonic() - started
    print(f"{len(index)} lines, {count} read back, {seconds:.0f} s, peak {peak} KB")


if __name__ == "__main__":
    main(sys.argv[1])
