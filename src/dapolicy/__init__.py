"""dapolicy: domestic-abuse policing policy as code.

The public API is what ``__all__`` lists; everything else is private or lives in a
documented public submodule (:mod:`dapolicy.models`, :mod:`dapolicy.serialization`,
:mod:`dapolicy.errors`, :mod:`dapolicy.settings`, :mod:`dapolicy.history`,
:mod:`dapolicy.hookspecs`, :mod:`dapolicy.policy`, :mod:`dapolicy.testing`).
"""

from dapolicy.errors import DapolicyError, FieldError, ValidationError
from dapolicy.history import History, InMemoryHistory, MutableHistory, record
from dapolicy.hookspecs import hookimpl
from dapolicy.models import (
    AbuseType,
    Answer,
    Call,
    Child,
    Crime,
    Decision,
    Destination,
    DomesticAbuseCheck,
    DomesticAbuseVerdict,
    Event,
    EventKind,
    FamilyRelation,
    Finding,
    Incident,
    OffenceCategory,
    Outcome,
    Person,
    PluginFailure,
    PluginInfo,
    ProfessionalJudgement,
    Reason,
    Referral,
    Relationship,
    RelationshipKind,
    RiskForm,
    RiskGrade,
    Task,
    Vulnerability,
)
from dapolicy.models.checklist import QuestionItem, QuestionSet
from dapolicy.policy import ConfigurationError, Policy, default_policy
from dapolicy.serialization import from_dict, from_json, make_converter, to_dict, to_json
from dapolicy.settings import Settings, load_settings

__version__ = "0.1.0"

__all__ = [
    "AbuseType",
    "Answer",
    "Call",
    "Child",
    "ConfigurationError",
    "Crime",
    "DapolicyError",
    "Decision",
    "Destination",
    "DomesticAbuseCheck",
    "DomesticAbuseVerdict",
    "Event",
    "EventKind",
    "FamilyRelation",
    "FieldError",
    "Finding",
    "History",
    "InMemoryHistory",
    "Incident",
    "MutableHistory",
    "OffenceCategory",
    "Outcome",
    "Person",
    "PluginFailure",
    "PluginInfo",
    "Policy",
    "ProfessionalJudgement",
    "QuestionItem",
    "QuestionSet",
    "Reason",
    "Referral",
    "Relationship",
    "RelationshipKind",
    "RiskForm",
    "RiskGrade",
    "Settings",
    "Task",
    "ValidationError",
    "Vulnerability",
    "__version__",
    "default_policy",
    "from_dict",
    "from_json",
    "hookimpl",
    "load_settings",
    "make_converter",
    "record",
    "to_dict",
    "to_json",
]
