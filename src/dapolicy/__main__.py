"""``python -m dapolicy INCIDENTS.jsonl [--forms FORMS.jsonl]``: validate and assess.

Every line is read; a line that is not a valid incident (or form) is reported with its
line number and every problem's JSON path, and counted. Nothing is dropped silently:
the summary's counts add up to the number of non-blank lines. Valid incidents are then
assessed in the order they happened with the default policy, each with its form if
one was submitted, and the victim history built as they go.

Exit status: 0 when every line was valid, 1 when any was rejected, 2 when a file
cannot be read or the arguments are wrong.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TypeVar

from dapolicy.errors import ValidationError
from dapolicy.history import InMemoryHistory, record
from dapolicy.models import Decision, DomesticAbuseVerdict, Incident, RiskForm
from dapolicy.policy import default_policy
from dapolicy.serialization import from_json

USAGE = "python -m dapolicy INCIDENTS.jsonl [--forms FORMS.jsonl]"


T = TypeVar("T")


def summarise(lines: Iterable[str], out: list[str]) -> int:
    """Validate incident JSON lines, append the report to ``out``; return the count rejected."""
    incidents, rejected = _read(lines, Incident, out)
    _summary(incidents, rejected, out)
    return rejected


def _summary(incidents: Sequence[Incident], rejected: int, out: list[str]) -> None:
    verdicts = Counter(i.domestic_abuse_check().verdict for i in incidents)
    victims = Counter(i.victim.id for i in incidents)
    out.extend(
        [
            f"read {_count(len(incidents) + rejected, 'record')}: {len(incidents)} valid, "
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


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


def _lines(text: str) -> list[str]:
    """Split on newline only.

    ``str.splitlines()`` would also split inside a record at U+2028, U+2029 or U+0085,
    which JSON strings may hold unescaped.
    """
    return text.removeprefix("\ufeff").split("\n")


def _read(lines: Iterable[str], cls: type[T], out: list[str]) -> tuple[list[T], int]:
    valid: list[T] = []
    rejected = 0
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            valid.append(from_json(cls, line))
        except ValidationError as exc:
            rejected += 1
            out.append(f"line {number}: rejected, {exc}")
    return valid, rejected


def assess(incidents: Sequence[Incident], forms: dict[str, RiskForm], out: list[str]) -> None:
    """Assess ``incidents`` in the order they happened; append one line each and totals."""
    policy = default_policy()
    history = InMemoryHistory()
    decisions: list[Decision] = []
    out.append(f"assessed with {policy!r}")
    for incident in sorted(incidents, key=lambda i: (i.occurred_at, i.id)):
        form = forms.get(incident.id)
        # Graded at the point of attendance: when the form was completed, else on report.
        now = max(incident.reported_at, form.completed_at) if form else incident.reported_at
        decision = policy.assess(incident, form, history=history, now=now)
        record(history, incident, decision)
        decisions.append(decision)
        referred = ", ".join(r.destination.value for r in decision.referrals) or "-"
        flag = "needs review" if decision.needs_review else "ok"
        out.append(
            f"  {incident.id}  {decision.grade.value:<8}  {flag:<12}  referrals: {referred}"
            f"  tasks: {len(decision.tasks)}"
        )
    grades = Counter(d.grade.value for d in decisions)
    destinations = Counter(r.destination.value for d in decisions for r in d.referrals)
    out.append("grades: " + ", ".join(f"{g} {grades[g]}" for g in ("standard", "medium", "high")))
    out.append("referrals: " + ", ".join(f"{d} {n}" for d, n in sorted(destinations.items())))
    out.append(
        f"needs review: {sum(d.needs_review for d in decisions)} of {len(decisions)}; "
        f"without a risk form: {sum(1 for i in incidents if i.id not in forms)}"
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command; return the exit status."""
    parser = argparse.ArgumentParser(prog="python -m dapolicy", usage=USAGE, add_help=True)
    parser.add_argument("incidents", type=Path)
    parser.add_argument("--forms", type=Path, default=None)
    try:
        args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    except SystemExit as exc:
        return 0 if exc.code == 0 else 2
    texts = {}
    for path in (p for p in (args.incidents, args.forms) if p is not None):
        try:
            texts[path] = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            print(f"dapolicy: cannot read {path}: {type(exc).__name__}", file=sys.stderr)
            return 2
    out: list[str] = []
    incidents, rejected = _read(_lines(texts[args.incidents]), Incident, out)
    _summary(incidents, rejected, out)
    forms: dict[str, RiskForm] = {}
    if args.forms is not None:
        out.append(f"forms from {args.forms}:")
        valid_forms, bad_forms = _read(_lines(texts[args.forms]), RiskForm, out)
        read = len(valid_forms) + bad_forms
        known = {incident.id for incident in incidents}
        for form in valid_forms:
            if form.incident_id in forms:
                bad_forms += 1
                out.append(f"form for {form.incident_id}: rejected, a second form for it")
            elif form.incident_id not in known:
                bad_forms += 1
                out.append(f"form for {form.incident_id}: rejected, no such incident")
            else:
                forms[form.incident_id] = form
        out.append(f"  read {_count(read, 'form')}: {bad_forms} rejected")
        rejected += bad_forms
    assess(incidents, forms, out)
    print("\n".join(out))
    return 1 if rejected else 0


if __name__ == "__main__":
    sys.exit(main())
