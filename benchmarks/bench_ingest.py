"""Ingestion benchmark: JSON lines to validated objects, dapolicy against pydantic v2.

dapolicy: ``from_json(Case, line, converter=make_converter(detailed_validation=False))``
-- the fast path; a failing record is re-run on the detailed path, so every error still
has its path. pydantic: ``Case.model_validate_json(line)`` on equivalent models: strict
types, unknown keys forbidden, aware datetimes, the same enums and the same cross-field
invariants. Both must agree on which lines are valid before anything is timed. Rounds
alternate; the figure is the ratio of median times per line (a benchmark-only
dependency: pydantic is installed by ``nox -s bench`` only).

Run: ``nox -s bench`` (or ``python benchmarks/bench_ingest.py --lines 20000``).
"""

from __future__ import annotations

import argparse
import statistics
import time
from datetime import date
from typing import Annotated, Self

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError, model_validator

from dapolicy import (
    AbuseType,
    Answer,
    Case,
    FamilyRelation,
    OffenceCategory,
    Outcome,
    RelationshipKind,
    RiskGrade,
    Vulnerability,
    from_json,
    to_json,
)
from dapolicy.errors import ValidationError as DapolicyValidationError
from dapolicy.models import CallType
from dapolicy.serialization import make_converter
from dapolicy.synth import synthesize

Text = Annotated[str, Field(min_length=1, pattern=r"\S")]
SafeId = Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$")]


class Strict(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)


class Person(Strict):
    id: Text
    name: str | None = None
    date_of_birth: date | None = None
    address: str | None = None
    address_confidential: bool = False
    phone: str | None = None
    vulnerabilities: frozenset[Vulnerability] = frozenset()


class Child(Strict):
    id: Text
    age: Annotated[int, Field(ge=0, le=17)]
    present: bool = False
    usually_resident: bool = False
    welfare_checked: bool = False
    related_to_victim: bool = False
    related_to_suspect: bool = False
    affected: bool = False


class Relationship(Strict):
    kind: RelationshipKind
    family: FamilyRelation | None = None

    @model_validator(mode="after")
    def family_iff_family_member(self) -> Self:
        if (self.kind is RelationshipKind.FAMILY_MEMBER) != (self.family is not None):
            raise ValueError("family is required exactly for family members")
        return self


class Crime(Strict):
    id: Text
    offence: OffenceCategory
    arrest_made: bool = False
    outcome: Outcome | None = None
    outcome_rationale: str | None = None

    @model_validator(mode="after")
    def rationale_for_nfa(self) -> Self:
        if (
            self.outcome is Outcome.NO_FURTHER_ACTION
            and not (self.outcome_rationale or "").strip()
        ):
            raise ValueError("no further action needs a rationale")
        return self


class Incident(Strict):
    id: Text
    reported_at: AwareDatetime
    occurred_at: AwareDatetime
    victim: Person
    suspect: Person
    relationship: Relationship
    abuse_types: Annotated[frozenset[AbuseType], Field(min_length=1)]
    children: tuple[Child, ...] = ()
    attending_officer: str | None = None
    crime: Crime | None = None
    call_id: str | None = None
    counter_allegation: bool = False
    area: SafeId | None = None
    weapon_present: bool = False

    @model_validator(mode="after")
    def consistent(self) -> Self:
        if self.occurred_at > self.reported_at:
            raise ValueError("occurred after it was reported")
        if self.victim.id == self.suspect.id:
            raise ValueError("victim and suspect are the same person")
        if len({c.id for c in self.children}) != len(self.children):
            raise ValueError("a child appears twice")
        return self


class Judgement(Strict):
    grade: RiskGrade
    rationale: Text
    refer_to_marac: bool = False


class RiskForm(Strict):
    incident_id: Text
    checklist: Text
    answers: dict[str, Answer]
    completed_by: Text
    completed_at: AwareDatetime
    submitted_at: AwareDatetime | None = None
    professional_judgement: Judgement | None = None
    officer_off_duty_at: AwareDatetime | None = None

    @model_validator(mode="after")
    def submitted_after_completed(self) -> Self:
        if self.submitted_at is not None and self.submitted_at < self.completed_at:
            raise ValueError("submitted before completed")
        return self


class Call(Strict):
    id: Text
    received_at: AwareDatetime
    caller: Person | None = None
    location: str | None = None
    location_id: str | None = None
    repeat_caller: bool = False
    call_type: CallType = CallType.DOMESTIC_ABUSE
    domestic_abuse_marker: bool = False
    partner_or_family_mentioned: bool = False


class PydanticCase(Strict):
    incident: Incident
    form: RiskForm | None = None
    call: Call | None = None
    graded_at: AwareDatetime | None = None
    recorded_grade: RiskGrade | None = None

    @model_validator(mode="after")
    def form_matches(self) -> Self:
        if self.form is not None and self.form.incident_id != self.incident.id:
            raise ValueError("form for another incident")
        return self


def make_lines(n: int, seed: int) -> list[str]:
    lines = [to_json(case) for case in synthesize(n, seed)]
    # A few bad records, as a real extract has: both sides must reject the same ones.
    for k in range(0, n, 97):
        lines[k] = (
            lines[k].replace('"age":', '"age":"x",  "_":', 1)
            if '"age":' in lines[k]
            else lines[k][:-7]
        )
    return lines


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--lines", type=int, default=20000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=6)
    args = parser.parse_args()
    lines = make_lines(args.lines, args.seed)
    fast = make_converter(detailed_validation=False)

    def ours(line: str) -> bool:
        try:
            from_json(Case, line, converter=fast)
        except DapolicyValidationError:
            return False
        return True

    def theirs(line: str) -> bool:
        try:
            PydanticCase.model_validate_json(line)
        except ValidationError:
            return False
        return True

    verdicts = [(ours(line), theirs(line)) for line in lines]
    disagree = sum(a != b for a, b in verdicts)
    if disagree:
        raise SystemExit(f"dapolicy and pydantic disagree on {disagree} lines: not comparable")
    bad = sum(not a for a, _ in verdicts)

    def run(check: object) -> None:
        for line in lines:
            check(line)  # type: ignore[operator]

    timings: dict[str, list[float]] = {"dapolicy": [], "pydantic": []}
    for _ in range(args.rounds):
        for name, check in (("dapolicy", ours), ("pydantic", theirs)):
            t0 = time.perf_counter()
            run(check)
            timings[name].append((time.perf_counter() - t0) / len(lines))
    a, b = statistics.median(timings["dapolicy"]), statistics.median(timings["pydantic"])
    print(
        f"ingestion: {len(lines)} lines ({bad} invalid, rejected by both) x {args.rounds} rounds"
    )
    print(f"  dapolicy from_json (fast path)  {a * 1e6:9.1f} us/line")
    print(f"  pydantic model_validate_json    {b * 1e6:9.1f} us/line")
    print(f"  ratio dapolicy/pydantic         {a / b:9.2f}x   (target <= 1x)")


if __name__ == "__main__":
    main()
