"""The vocabulary of dapolicy: frozen, validated value types with no I/O.

Every type checks its invariants when built and reports *all* broken ones at once as
one :class:`dapolicy.errors.ValidationError`. Datetimes must carry a UTC offset.
Personal data (names, dates of birth, addresses, phone numbers, free text) is kept out
of ``repr``.
"""

from dapolicy.models.case import Case
from dapolicy.models.checklist import QuestionItem, QuestionSet
from dapolicy.models.decision import Decision, PluginFailure, PluginInfo
from dapolicy.models.incident import (
    AbuseType,
    Call,
    CallType,
    Crime,
    DomesticAbuseCheck,
    DomesticAbuseVerdict,
    Incident,
    OffenceCategory,
    Outcome,
)
from dapolicy.models.operations import (
    DvpnCheck,
    EventOutcome,
    FormCompliance,
    FormStatus,
    ResponseFinding,
    ResponseGrade,
    Thrive,
    TriageDecision,
)
from dapolicy.models.people import (
    Child,
    FamilyRelation,
    Person,
    Relationship,
    RelationshipKind,
    Vulnerability,
)
from dapolicy.models.risk import (
    Answer,
    Finding,
    ProfessionalJudgement,
    Reason,
    RiskForm,
    RiskGrade,
)
from dapolicy.models.work import (
    ABUSE_EVENTS,
    Agency,
    Allocation,
    CivilOrder,
    Destination,
    Event,
    EventKind,
    InvestigatorLevel,
    InvestigatorSkill,
    Referral,
    Task,
)

__all__ = [
    "ABUSE_EVENTS",
    "AbuseType",
    "Agency",
    "Allocation",
    "Answer",
    "Call",
    "CallType",
    "Case",
    "Child",
    "CivilOrder",
    "Crime",
    "Decision",
    "Destination",
    "DomesticAbuseCheck",
    "DomesticAbuseVerdict",
    "DvpnCheck",
    "Event",
    "EventKind",
    "EventOutcome",
    "FamilyRelation",
    "Finding",
    "FormCompliance",
    "FormStatus",
    "Incident",
    "InvestigatorLevel",
    "InvestigatorSkill",
    "OffenceCategory",
    "Outcome",
    "Person",
    "PluginFailure",
    "PluginInfo",
    "ProfessionalJudgement",
    "QuestionItem",
    "QuestionSet",
    "Reason",
    "Referral",
    "Relationship",
    "RelationshipKind",
    "ResponseFinding",
    "ResponseGrade",
    "RiskForm",
    "RiskGrade",
    "Task",
    "Thrive",
    "TriageDecision",
    "Vulnerability",
]

#: Every public model type, in a stable order (used by the strategies and the docs).
MODEL_TYPES: tuple[type, ...] = (
    Person,
    Child,
    Relationship,
    Call,
    Crime,
    Incident,
    Reason,
    ProfessionalJudgement,
    RiskForm,
    Finding,
    Referral,
    Task,
    Event,
    PluginInfo,
    PluginFailure,
    Decision,
    QuestionItem,
    QuestionSet,
    Allocation,
    Thrive,
    ResponseFinding,
    TriageDecision,
    FormCompliance,
    EventOutcome,
    Case,
)
