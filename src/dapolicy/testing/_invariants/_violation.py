"""A broken invariant, in words, with the case that broke it as JSON lines to replay."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from dapolicy.batch import decision_time
from dapolicy.history import HistoryEntry
from dapolicy.models import (
    AbuseType,
    Case,
    Crime,
    Incident,
    OffenceCategory,
    Person,
    Relationship,
    RelationshipKind,
)
from dapolicy.models._base import micros
from dapolicy.serialization import from_json, to_json
from dapolicy.testing._invariants._case import ConformanceCase

#: Each invariant's short name, as it opens every message: ``invariant 2 (monotone): ...``.
SHORT: dict[int, str] = {
    1: "deterministic",
    2: "monotone",
    3: "total",
    4: "high risk => MARAC and IDVA",
    5: "children",
    6: "reasons",
    7: "crime parity",
    8: "due times",
    9: "no personal data",
    10: "inputs unchanged",
    11: "events",
    12: "triage",
    13: "child victims",
    14: "policy versions",
}


class InvariantViolation(AssertionError):
    """A case broke an invariant: which one, what happened in words, and the case.

    It is an :class:`AssertionError`, so pytest and hypothesis treat it as a failed
    test. The message never quotes personal data; the case, which may hold (fictional)
    personal data, is attached to the exception, and :func:`run_conformance` adds it as
    JSON lines in a note.

    :param number: the invariant's number (:data:`~dapolicy.testing.invariants.INVARIANTS`).
    :param words: what broke, e.g. "one more 'yes' on item '16' lowered the grade from
        high to standard".
    :param aspect: which part of the check found it (e.g. ``"fresh process"``), for the
        kit's own mutation report; empty for the check's main part.
    :param title: the invariant's short name; by default the kit's own for ``number``.
    """

    def __init__(self, number: int, words: str, *, aspect: str = "", title: str = "") -> None:
        """Build the message ``invariant N (name): words``."""
        self.title = title or SHORT.get(number, "a force's own")
        super().__init__(f"invariant {number} ({self.title}): {words}")
        self.number = number
        self.words = words
        self.aspect = aspect
        self.case: ConformanceCase | None = None

    @property
    def check(self) -> str:
        """The check that found it: ``"2 monotone"`` or ``"1 deterministic / fresh process"``."""
        name = f"{self.number} {self.title}"
        return f"{name} / {self.aspect}" if self.aspect else name


def violation(number: int, words: str, *, aspect: str = "") -> InvariantViolation:
    """An :class:`InvariantViolation` (to ``raise``), so every check words it alike."""
    return InvariantViolation(number, words, aspect=aspect)


# --- the case as JSON lines ---------------------------------------------------------------


def _earlier_incident(entry: HistoryEntry) -> Incident:
    """An incident that the history keeps as ``entry`` (ids, time, crime flag)."""
    crime = (
        Crime(f"{entry.incident_id}-CR", OffenceCategory.COMMON_ASSAULT) if entry.crime else None
    )
    return Incident(
        entry.incident_id,
        entry.occurred_at,
        entry.occurred_at,
        Person(entry.victim_id),
        Person(entry.suspect_id),
        Relationship(RelationshipKind.INTIMATE_PARTNER),
        frozenset({AbuseType.PHYSICAL}),
        crime=crime,
    )


def case_lines(case: ConformanceCase) -> list[str]:
    """The case as JSON lines of :class:`~dapolicy.models.Case`, the case itself last.

    Each earlier incident of the history comes first, oldest first, as a case of its
    own; the last line is the case assessed. ``dapolicy explain FILE --line N``, with N
    the last line, replays the lines before it as the case's history and explains the
    decision; :func:`load_case` reads all of them back into a :class:`ConformanceCase`
    for a regression test. MARAC referrals in the history are not cases:
    :func:`replay_notes` lists them in words.
    """
    earlier = sorted(case.prior_incidents, key=lambda e: (micros(e.occurred_at), e.incident_id))
    lines = [to_json(Case(_earlier_incident(entry))) for entry in earlier]
    lines.append(to_json(Case(case.incident, case.form, dara=case.dara)))
    return lines


def replay_notes(case: ConformanceCase) -> str:
    """The case as JSON lines, with what the lines cannot hold said in words."""
    lines = case_lines(case)
    text = [
        "The case, as JSON lines (dapolicy.testing.invariants.load_case reads them back; "
        "the last line is the case, any before it the history's earlier incidents; "
        f"'dapolicy explain FILE --line {len(lines)}' explains it):",
        *lines,
    ]
    command_now = decision_time(Case(case.incident, case.form, dara=case.dara))
    if micros(command_now) != micros(case.now):
        text.append(
            f"decided at {case.now.astimezone(UTC).isoformat()} (the command decides at "
            f"{command_now.astimezone(UTC).isoformat()})"
        )
    for referral in case.marac_referrals:
        text.append(
            f"with a MARAC referral in the history at {referral.referred_at.isoformat()} "
            f"(victim {referral.victim_id!r}, suspect {referral.suspect_id!r}, incident "
            f"{referral.incident_id!r})"
        )
    return "\n".join(text)


def load_case(
    lines: str | Iterable[str],
    *,
    now: datetime | None = None,
    extra_yes: str | None = None,
) -> ConformanceCase:
    """A :class:`ConformanceCase` from JSON lines of cases, as :func:`case_lines` writes.

    The last line is the case; every line before it becomes an earlier incident in the
    history. Blank lines are skipped.

    :param lines: the text, or its lines.
    :param now: the time of the decision; by default the command's (the form's
        completion, else the report).
    :param extra_yes: as for :class:`ConformanceCase`.
    :raises ValueError: there is no line.
    :raises dapolicy.errors.ValidationError: a line is not a valid case.
    """
    texts = lines.splitlines() if isinstance(lines, str) else list(lines)
    cases = [from_json(Case, text) for text in texts if text.strip()]
    if not cases:
        raise ValueError("no case: the text has no JSON line")
    *earlier, last = cases
    return ConformanceCase(
        incident=last.incident,
        form=last.form,
        now=now if now is not None else decision_time(last),
        prior_incidents=tuple(HistoryEntry.from_incident(c.incident) for c in earlier),
        extra_yes=extra_yes,
    )
