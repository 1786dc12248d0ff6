"""The decision baseline's model: pydantic v2, as strict as dapolicy's ``Decision``.

What ``from_json(Decision)`` checks, in pydantic's own spelling: strict types, unknown
keys forbidden, aware date-times in the supported years, text that is not blank, the
same enums, at least one reason wherever dapolicy needs one, and the cross-field rules
(``needs_review`` exactly when there are review reasons or failures, an allocation's
skills those of its level, a policy version that is a safe id). Like the case models
(``_ingest_models.py``) it leaves out the length limits (``MAX_STRING_CHARS``,
``MAX_ITEMS``), which dapolicy pays for and pydantic does not here.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Self

from _ingest_models import SafeId, Strict, Text
from pydantic import AfterValidator, AwareDatetime, Field, model_validator

from dapolicy.models import (
    Destination,
    DomesticAbuseVerdict,
    InvestigatorLevel,
    InvestigatorSkill,
    RiskGrade,
)
from dapolicy.models._base import MAX_YEAR, MIN_YEAR


def _in_years(value: datetime) -> datetime:
    if not MIN_YEAR <= value.year <= MAX_YEAR:
        raise ValueError("outside the supported years")
    return value


Aware = Annotated[AwareDatetime, AfterValidator(_in_years)]


class Reason(Strict):
    rule: Text
    source: Text
    text: Text


Reasons = Annotated[tuple[Reason, ...], Field(min_length=1)]


class Finding(Strict):
    model: Text
    grade: RiskGrade
    reasons: Reasons
    score: Annotated[int, Field(ge=0)] | None = None
    prompts: tuple[Reason, ...] = ()
    review_reasons: tuple[Reason, ...] = ()


class Referral(Strict):
    destination: Destination
    victim_id: Text
    reasons: Reasons
    requested_by: tuple[str, ...] = ()
    requested_at: Aware | None = None


class Task(Strict):
    what: Text
    for_whom: Text
    due_by: Aware
    reasons: Reasons
    assignee: Text | None = None


class Allocation(Strict):
    level: InvestigatorLevel
    reasons: Reasons
    skills: frozenset[InvestigatorSkill]

    @model_validator(mode="after")
    def skills_of_the_level(self) -> Self:
        if self.skills != self.level.skills:
            raise ValueError("skills do not match the level")
        return self


class PluginFailure(Strict):
    plugin: Text
    hook: Text
    error: Text


class PluginInfo(Strict):
    name: Text
    version: Text


class PydanticDecision(Strict):
    incident_id: Text
    victim_id: Text
    grade: RiskGrade
    decided_at: Aware
    domestic_abuse: DomesticAbuseVerdict
    reasons: Reasons
    findings: tuple[Finding, ...] = ()
    referrals: tuple[Referral, ...] = ()
    tasks: tuple[Task, ...] = ()
    prompts: tuple[Reason, ...] = ()
    allocation: Allocation | None = None
    repeat_victim: bool = False
    needs_review: bool = False
    review_reasons: tuple[Reason, ...] = ()
    failures: tuple[PluginFailure, ...] = ()
    policy_fingerprint: str = ""
    plugins: tuple[PluginInfo, ...] = ()
    policy_version: SafeId | Annotated[str, Field(max_length=0)] = ""

    @model_validator(mode="after")
    def review_when_flagged(self) -> Self:
        if self.needs_review is not bool(self.review_reasons or self.failures):
            raise ValueError("needs_review must match its reasons and failures")
        return self
