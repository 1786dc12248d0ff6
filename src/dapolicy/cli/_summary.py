"""What ``assess`` did, counted as it goes: for the terminal and for machines."""

from __future__ import annotations

import json
from collections import Counter
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from dapolicy.batch import LineResult

#: The grade row of a decision no risk model graded (no form, no finding): it needs a
#: person, and is never counted as "standard".
UNGRADED = "ungraded: needs review"
#: The reason a plug-in's failure is counted under in the needs-review breakdown.
PLUGIN_FAILURE = "plugin-failure"


class Tally:
    """The counts of one run: lines, decisions, rejects, grades, reviews, referrals."""

    def __init__(self) -> None:
        """Nothing counted yet."""
        self.lines = 0
        self.decisions = 0
        self.rejected = 0
        self.review = 0
        self.grades: Counter[str] = Counter()
        self.review_reasons: Counter[str] = Counter()
        self.destinations: Counter[str] = Counter()

    def decision(self, result: LineResult) -> None:
        """Count one decision, from what its result says of it (no parsing)."""
        self.lines += 1
        self.decisions += 1
        self.destinations.update(result.destinations)
        self.grades[UNGRADED if result.ungraded else result.grade or ""] += 1
        if result.needs_review:
            self.review += 1
            rules = set(result.review_rules)
            if result.plugin_failed:
                rules.add(PLUGIN_FAILURE)
            self.review_reasons.update(rules)

    def reject(self) -> None:
        """Count one rejected line."""
        self.lines += 1
        self.rejected += 1

    @property
    def nothing_lost(self) -> bool:
        """Every line read is a decision or a reject."""
        return self.lines == self.decisions + self.rejected

    def as_json(self, **extra: Any) -> str:
        """The counts as one JSON object (``--summary-json``), with ``extra`` keys."""
        return json.dumps(
            {
                **extra,
                "lines": self.lines,
                "decisions": self.decisions,
                "rejected": self.rejected,
                "nothing_lost": self.nothing_lost,
                "grades": {grade: self.grades[grade] for grade in _GRADES},
                "needs_review": self.review,
                "needs_review_by_reason": dict(sorted(self.review_reasons.items())),
                "referrals": dict(sorted(self.destinations.items())),
            },
            indent=2,
        )

    def text(self, title: str, decisions_to: str, rejects_to: str) -> list[str]:
        """The summary's lines for the terminal."""
        lines, decided, rejected = self.lines, self.decisions, self.rejected
        verdict = "nothing lost" if self.nothing_lost else "RECORDS UNACCOUNTED FOR"
        out = [
            title,
            f"  {'lines read':<22}{lines:>9}",
            f"  {'decisions':<22}{decided:>9}   -> {decisions_to}",
            f"  {'rejected':<22}{rejected:>9}   -> {rejects_to}",
            f"  {lines} = {decided} + {rejected}: {verdict}",
            f"  {'needs review':<22}{self.review:>9}",
        ]
        out += [f"    {rule:<32}{n:>7}" for rule, n in sorted(self.review_reasons.items())]
        out.append("  grades")
        out += [f"    {grade:<24}{self.grades[grade]:>7}" for grade in _GRADES]
        out.append("  referrals")
        out += [f"    {d:<24}{n:>7}" for d, n in sorted(self.destinations.items())]
        return out


_GRADES = ("standard", "medium", "high", UNGRADED)
