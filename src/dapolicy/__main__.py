"""``python -m dapolicy FILE.jsonl``: load and validate incidents, and summarise them.

Every line is read; a line that is not a valid incident is reported with its line
number and every problem's JSON path, and counted. Nothing is dropped silently: the
summary's counts add up to the number of non-blank lines. Exit status: 0 when every
line was valid, 1 when any was rejected, 2 when the file cannot be read.
"""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path

from dapolicy.errors import ValidationError
from dapolicy.models import DomesticAbuseVerdict, Incident
from dapolicy.serialization import from_json

USAGE = "usage: python -m dapolicy INCIDENTS.jsonl"


def summarise(lines: Iterable[str], out: list[str]) -> int:
    """Validate JSON lines, append the report to ``out``; return the count rejected."""
    incidents: list[Incident] = []
    rejected = 0
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            incidents.append(from_json(Incident, line))
        except ValidationError as exc:
            rejected += 1
            out.append(f"line {number}: rejected, {exc}")
    verdicts = Counter(i.domestic_abuse_check().verdict for i in incidents)
    victims = Counter(i.victim.id for i in incidents)
    out.extend(
        [
            f"read {len(incidents) + rejected} records: {len(incidents)} valid, "
            f"{rejected} rejected",
            f"  crimes: {sum(i.crime_recorded for i in incidents)}, "
            f"non-crime incidents: {sum(not i.crime_recorded for i in incidents)}",
            f"  with children present or usually resident: "
            f"{sum(bool(i.children_in_household) for i in incidents)}",
            f"  victims: {len(victims)}, with more than one incident: "
            f"{sum(1 for n in victims.values() if n > 1)}",
        ]
    )
    out.extend(f"  {v.value}: {verdicts[v]}" for v in DomesticAbuseVerdict if verdicts[v])
    return rejected


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command; return the exit status."""
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) != 1 or args[0] in {"-h", "--help"}:
        print(USAGE, file=sys.stderr)
        return 2
    path = Path(args[0])
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        print(f"dapolicy: cannot read {path}: {type(exc).__name__}", file=sys.stderr)
        return 2
    out: list[str] = []
    rejected = summarise(text.splitlines(), out)
    print("\n".join(out))
    return 1 if rejected else 0


if __name__ == "__main__":
    sys.exit(main())
