"""One strategy per enum of the models, each drawing every member."""

from __future__ import annotations

from hypothesis import strategies as st
from hypothesis.strategies import SearchStrategy

from dapolicy.models import (
    AbuseType,
    Answer,
    CallType,
    Destination,
    DomesticAbuseVerdict,
    EventKind,
    FamilyRelation,
    FormStatus,
    InvestigatorLevel,
    OffenceCategory,
    Outcome,
    RelationshipKind,
    ResponseGrade,
    RiskGrade,
    Vulnerability,
)
from dapolicy.testing._strategies._common import E


def _members(cls: type[E]) -> SearchStrategy[E]:
    return st.sampled_from(cls)


def abuse_types() -> SearchStrategy[AbuseType]:
    """Any :class:`~dapolicy.models.AbuseType`."""
    return _members(AbuseType)


def answers() -> SearchStrategy[Answer]:
    """Any :class:`~dapolicy.models.Answer`."""
    return _members(Answer)


def call_types() -> SearchStrategy[CallType]:
    """Any :class:`~dapolicy.models.CallType`."""
    return _members(CallType)


def destinations() -> SearchStrategy[Destination]:
    """Any :class:`~dapolicy.models.Destination`."""
    return _members(Destination)


def domestic_abuse_verdicts() -> SearchStrategy[DomesticAbuseVerdict]:
    """Any :class:`~dapolicy.models.DomesticAbuseVerdict`."""
    return _members(DomesticAbuseVerdict)


def event_kinds() -> SearchStrategy[EventKind]:
    """Any :class:`~dapolicy.models.EventKind`."""
    return _members(EventKind)


def family_relations() -> SearchStrategy[FamilyRelation]:
    """Any :class:`~dapolicy.models.FamilyRelation`."""
    return _members(FamilyRelation)


def offence_categories() -> SearchStrategy[OffenceCategory]:
    """Any :class:`~dapolicy.models.OffenceCategory`."""
    return _members(OffenceCategory)


def outcomes() -> SearchStrategy[Outcome]:
    """Any :class:`~dapolicy.models.Outcome`."""
    return _members(Outcome)


def relationship_kinds() -> SearchStrategy[RelationshipKind]:
    """Any :class:`~dapolicy.models.RelationshipKind`."""
    return _members(RelationshipKind)


def risk_grades() -> SearchStrategy[RiskGrade]:
    """Any :class:`~dapolicy.models.RiskGrade`."""
    return _members(RiskGrade)


def vulnerabilities() -> SearchStrategy[Vulnerability]:
    """Any :class:`~dapolicy.models.Vulnerability`."""
    return _members(Vulnerability)


def form_statuses() -> SearchStrategy[FormStatus]:
    """Any :class:`~dapolicy.models.FormStatus`."""
    return _members(FormStatus)


def response_grades() -> SearchStrategy[ResponseGrade]:
    """Any :class:`~dapolicy.models.ResponseGrade`."""
    return _members(ResponseGrade)


def investigator_levels() -> SearchStrategy[InvestigatorLevel]:
    """Any :class:`~dapolicy.models.InvestigatorLevel`."""
    return _members(InvestigatorLevel)
