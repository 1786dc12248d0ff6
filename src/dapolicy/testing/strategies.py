"""Hypothesis strategies for every dapolicy type, valid by construction.

Each model type in :data:`dapolicy.models.MODEL_TYPES` has a strategy here, named after
the type in the plural (``incidents()``, ``risk_forms()`` ...), and every enum has one
too. Objects drawn from them pass their own invariants, so a property test starts from
a case the library must accept; parameters narrow the draw where a test needs control
(``incidents(domestic=True)``, ``risk_forms(item_ids=...)``, ``decisions(needs_review=True)``).

:func:`register_type_strategies` makes ``st.from_type(Incident)`` use these. Hypothesis
calls it through dapolicy's ``hypothesis`` entry point whenever hypothesis is imported,
so a test needs no import of this module for ``from_type`` to work.

Personal data is generated -- names, addresses, phone numbers, dates of birth and free
text -- so privacy tests have something to look for, but none of it is real: names come
from :data:`FICTIONAL_NAMES`, addresses use the non-geographic postcode area ``ZZ99``,
phone numbers come from Ofcom's ranges reserved for drama (``07700 900xxx`` and
``01632 960xxx``), and free text starts with :data:`FICTIONAL_MARKER`.

Datetimes are always timezone-aware: UTC, fixed offsets and Europe/London, with extra
weight on the hours around London's clock changes, where day and due-time arithmetic
goes wrong.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from hypothesis import strategies as st
from hypothesis.strategies import SearchStrategy

from dapolicy.models import (
    MODEL_TYPES,
    Allocation,
    Call,
    Case,
    Child,
    Crime,
    DaraForm,
    Decision,
    Event,
    EventOutcome,
    Finding,
    FormCompliance,
    Incident,
    Person,
    PluginFailure,
    PluginInfo,
    ProfessionalJudgement,
    QuestionItem,
    QuestionSet,
    Reason,
    Referral,
    Relationship,
    ResponseFinding,
    RiskForm,
    Task,
    Thrive,
    TrainingRegister,
    TriageDecision,
)
from dapolicy.testing._strategies._checklists import question_items, question_sets
from dapolicy.testing._strategies._common import FICTIONAL_MARKER, FICTIONAL_NAMES
from dapolicy.testing._strategies._dara import dara_forms, frequencies, training_registers
from dapolicy.testing._strategies._datetimes import aware_datetimes
from dapolicy.testing._strategies._decisions import decisions, plugin_failures, plugin_infos
from dapolicy.testing._strategies._enums import (
    abuse_types,
    answers,
    call_types,
    destinations,
    domestic_abuse_verdicts,
    event_kinds,
    family_relations,
    form_statuses,
    investigator_levels,
    offence_categories,
    outcomes,
    relationship_kinds,
    response_grades,
    risk_grades,
    vulnerabilities,
)
from dapolicy.testing._strategies._incidents import calls, crimes, incidents
from dapolicy.testing._strategies._operations import (
    cases,
    event_outcomes,
    form_compliances,
    response_findings,
    thrives,
    triage_decisions,
)
from dapolicy.testing._strategies._people import children, persons, relationships
from dapolicy.testing._strategies._risk import (
    findings,
    professional_judgements,
    reasons,
    risk_forms,
)
from dapolicy.testing._strategies._work import allocations, events, referrals, tasks

__all__ = [
    "FICTIONAL_MARKER",
    "FICTIONAL_NAMES",
    "abuse_types",
    "allocations",
    "answers",
    "aware_datetimes",
    "call_types",
    "calls",
    "cases",
    "children",
    "crimes",
    "dara_forms",
    "decisions",
    "destinations",
    "domestic_abuse_verdicts",
    "event_kinds",
    "event_outcomes",
    "events",
    "family_relations",
    "findings",
    "form_compliances",
    "form_statuses",
    "frequencies",
    "incidents",
    "investigator_levels",
    "offence_categories",
    "outcomes",
    "persons",
    "plugin_failures",
    "plugin_infos",
    "professional_judgements",
    "question_items",
    "question_sets",
    "reasons",
    "referrals",
    "register_type_strategies",
    "relationship_kinds",
    "relationships",
    "response_findings",
    "response_grades",
    "risk_forms",
    "risk_grades",
    "tasks",
    "thrives",
    "training_registers",
    "triage_decisions",
    "vulnerabilities",
]


# --- st.from_type ----------------------------------------------------------------------

_TYPE_STRATEGIES: dict[type, Callable[[], SearchStrategy[Any]]] = {
    Person: persons,
    Child: children,
    Relationship: relationships,
    Call: calls,
    Crime: crimes,
    Incident: incidents,
    Reason: reasons,
    ProfessionalJudgement: professional_judgements,
    RiskForm: risk_forms,
    Finding: findings,
    Referral: referrals,
    Task: tasks,
    Event: events,
    PluginInfo: plugin_infos,
    PluginFailure: plugin_failures,
    Decision: decisions,
    QuestionItem: question_items,
    QuestionSet: question_sets,
    Allocation: allocations,
    Thrive: thrives,
    ResponseFinding: response_findings,
    TriageDecision: triage_decisions,
    FormCompliance: form_compliances,
    EventOutcome: event_outcomes,
    DaraForm: dara_forms,
    Case: cases,
    TrainingRegister: training_registers,
}


def register_type_strategies() -> None:
    """Make ``st.from_type(T)`` draw valid objects for every model type ``T``.

    Hypothesis calls this through dapolicy's ``hypothesis`` entry point, as it is
    imported; calling it again is harmless. It never raises: a failure here would break
    every ``import hypothesis`` in the user's process. (dapolicy's own tests check that
    every type in :data:`dapolicy.models.MODEL_TYPES` has a strategy.)
    """
    for cls in MODEL_TYPES:
        factory = _TYPE_STRATEGIES.get(cls)
        if factory is not None:
            st.register_type_strategy(cls, factory())
