"""The ingestion baselines' models: pydantic v2 and msgspec, as strict as dapolicy's.

Strict types, unknown keys forbidden, aware datetimes, the same enums and the same
cross-field invariants (one function each, shared by both libraries' models). The
field lists repeat on purpose: each is one library's own spelling of the same schema.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Self

import msgspec
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator

from dapolicy import (
    AbuseType,
    Answer,
    FamilyRelation,
    OffenceCategory,
    Outcome,
    RelationshipKind,
    RiskGrade,
    Vulnerability,
)
from dapolicy.models import CallType


def family_iff_family_member(model: Any) -> None:
    if (model.kind is RelationshipKind.FAMILY_MEMBER) != (model.family is not None):
        raise ValueError("family is required exactly for family members")


def rationale_for_nfa(model: Any) -> None:
    if model.outcome is Outcome.NO_FURTHER_ACTION and not (model.outcome_rationale or "").strip():
        raise ValueError("no further action needs a rationale")


def incident_consistent(model: Any) -> None:
    if model.occurred_at > model.reported_at:
        raise ValueError("occurred after it was reported")
    if model.victim.id == model.suspect.id:
        raise ValueError("victim and suspect are the same person")
    if len({c.id for c in model.children}) != len(model.children):
        raise ValueError("a child appears twice")


def submitted_after_completed(model: Any) -> None:
    if model.submitted_at is not None and model.submitted_at < model.completed_at:
        raise ValueError("submitted before completed")


def form_matches(model: Any) -> None:
    if model.form is not None and model.form.incident_id != model.incident.id:
        raise ValueError("form for another incident")


Text = Annotated[str, Field(min_length=1, pattern=r"\S")]
MText = Annotated[str, msgspec.Meta(min_length=1, pattern=r"\S")]
Aware = Annotated[datetime, msgspec.Meta(tz=True)]
STRUCT = {"forbid_unknown_fields": True, "frozen": True}
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
        family_iff_family_member(self)
        return self


class Crime(Strict):
    id: Text
    offence: OffenceCategory
    arrest_made: bool = False
    outcome: Outcome | None = None
    outcome_rationale: str | None = None
    investigator: Text | None = None

    @model_validator(mode="after")
    def rationale_for_nfa(self) -> Self:
        rationale_for_nfa(self)
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
        incident_consistent(self)
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
        submitted_after_completed(self)
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
    dara: None = None  # synth writes no DARA form: only null is modelled

    @model_validator(mode="after")
    def form_matches(self) -> Self:
        form_matches(self)
        return self


class MsgspecPerson(msgspec.Struct, **STRUCT):
    id: MText
    name: str | None = None
    date_of_birth: date | None = None
    address: str | None = None
    address_confidential: bool = False
    phone: str | None = None
    vulnerabilities: frozenset[Vulnerability] = frozenset()


class MsgspecChild(msgspec.Struct, **STRUCT):
    id: MText
    age: Annotated[int, msgspec.Meta(ge=0, le=17)]
    present: bool = False
    usually_resident: bool = False
    welfare_checked: bool = False
    related_to_victim: bool = False
    related_to_suspect: bool = False
    affected: bool = False


class MsgspecRelationship(msgspec.Struct, **STRUCT):
    kind: RelationshipKind
    family: FamilyRelation | None = None

    def __post_init__(self) -> None:
        family_iff_family_member(self)


class MsgspecCrime(msgspec.Struct, **STRUCT):
    id: MText
    offence: OffenceCategory
    arrest_made: bool = False
    outcome: Outcome | None = None
    outcome_rationale: str | None = None
    investigator: MText | None = None

    def __post_init__(self) -> None:
        rationale_for_nfa(self)


class MsgspecIncident(msgspec.Struct, **STRUCT):
    id: MText
    reported_at: Aware
    occurred_at: Aware
    victim: MsgspecPerson
    suspect: MsgspecPerson
    relationship: MsgspecRelationship
    abuse_types: Annotated[frozenset[AbuseType], msgspec.Meta(min_length=1)]
    children: tuple[MsgspecChild, ...] = ()
    attending_officer: str | None = None
    crime: MsgspecCrime | None = None
    call_id: str | None = None
    counter_allegation: bool = False
    area: Annotated[str, msgspec.Meta(pattern=r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$")] | None = None
    weapon_present: bool = False

    def __post_init__(self) -> None:
        incident_consistent(self)


class MsgspecJudgement(msgspec.Struct, **STRUCT):
    grade: RiskGrade
    rationale: MText
    refer_to_marac: bool = False


class MsgspecRiskForm(msgspec.Struct, **STRUCT):
    incident_id: MText
    checklist: MText
    answers: dict[str, Answer]
    completed_by: MText
    completed_at: Aware
    submitted_at: Aware | None = None
    professional_judgement: MsgspecJudgement | None = None
    officer_off_duty_at: Aware | None = None

    def __post_init__(self) -> None:
        submitted_after_completed(self)


class MsgspecCall(msgspec.Struct, **STRUCT):
    id: MText
    received_at: Aware
    caller: MsgspecPerson | None = None
    location: str | None = None
    location_id: str | None = None
    repeat_caller: bool = False
    call_type: CallType = CallType.DOMESTIC_ABUSE
    domestic_abuse_marker: bool = False
    partner_or_family_mentioned: bool = False


class MsgspecCase(msgspec.Struct, **STRUCT):
    incident: MsgspecIncident
    form: MsgspecRiskForm | None = None
    call: MsgspecCall | None = None
    graded_at: Aware | None = None
    recorded_grade: RiskGrade | None = None
    dara: None = None  # synth writes no DARA form: only null is modelled

    def __post_init__(self) -> None:
        form_matches(self)
