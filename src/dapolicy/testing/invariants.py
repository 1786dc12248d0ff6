"""The safety invariants of the design, as property checks for any policy or plug-in.

Each check takes a :class:`~dapolicy.policy.Policy` and one :class:`ConformanceCase`
(an incident, its risk form or ``None``, the victim's history and the time of the
decision), assesses the case, and raises :class:`AssertionError` -- naming the
invariant by its number in the design and saying what broke -- when the decision
breaks the invariant:

1. :func:`check_deterministic` -- the same inputs give the same decision (and the same
   JSON), and the history is not modified.
2. :func:`check_monotone` -- one more "yes", one more prior incident, or a higher
   professional judgement never lowers the grade.
3. :func:`check_total` -- every valid case gets a decision with no plug-in failure; a
   plug-in that raises or returns garbage makes the decision need review, with the
   failure recorded, and lowers no grade.
4. :func:`check_high_risk_referrals` -- high risk means MARAC and IDVA referrals.
5. :func:`check_children_safeguarded` -- each child present or usually resident gets a
   ``child-welfare-check`` task, and the case a children's social care referral.
6. :func:`check_reasons` -- every grade, finding, referral and task carries a reason
   with a rule id and a source.
7. :func:`check_crime_parity` -- the same facts, crime or not, get the same grade.
8. :func:`check_due_times` -- due times are after the report, are the same instants
   whatever zone the case's times are written in, and the built-in welfare checks are
   due after exactly the hours they promise, across clock changes.
9. :func:`check_no_personal_data` -- no name, address, phone number, date of birth or
   written rationale in the decision's ``repr``/``str``/JSON, in log records emitted
   while assessing, or in plug-in failure messages.

:func:`cases` draws cases that exercise a policy's own checklists (answers over each
checklist's item ids, with "not known" and "declined"; sometimes no form, sometimes an
unknown checklist or item; professional judgement; prior incidents just inside and
outside the force's windows; prior MARAC referrals). :func:`run_conformance` runs every
check over many drawn cases with hypothesis and raises on the first counterexample:

.. code-block:: python

    from dapolicy.testing.invariants import policy_with, run_conformance

    def test_my_plugin_conforms() -> None:
        run_conformance(policy_with(my_plugin, isolate=True), max_examples=200)

The checks assume nothing about a plug-in's rules, only the invariants; the one
exception is the due-time arithmetic of the built-in welfare-check task, recognised by
its rule id.
"""

from __future__ import annotations

from dapolicy.testing._invariants._case import WELFARE_CHECK as WELFARE_CHECK
from dapolicy.testing._invariants._case import ConformanceCase
from dapolicy.testing._invariants._control_room import check_events, check_triage
from dapolicy.testing._invariants._deterministic import check_deterministic, check_fresh_processes
from dapolicy.testing._invariants._drawing import cases, default_incidents
from dapolicy.testing._invariants._due_times import check_due_times
from dapolicy.testing._invariants._inputs import check_inputs_unchanged
from dapolicy.testing._invariants._monotone import check_monotone
from dapolicy.testing._invariants._parity import PARITY_CRIME as PARITY_CRIME
from dapolicy.testing._invariants._parity import check_crime_parity
from dapolicy.testing._invariants._privacy import check_no_personal_data
from dapolicy.testing._invariants._reasons import check_reasons
from dapolicy.testing._invariants._registry import INVARIANTS, Invariant, check_all
from dapolicy.testing._invariants._runner import (
    ConformanceReport,
    isolated,
    policy_with,
    run_conformance,
)
from dapolicy.testing._invariants._safeguarding import (
    check_child_victims,
    check_children_safeguarded,
    check_high_risk_referrals,
)
from dapolicy.testing._invariants._sweep import boundary_cases
from dapolicy.testing._invariants._total import GARBAGE_PLUGIN as GARBAGE_PLUGIN
from dapolicy.testing._invariants._total import RAISING_PLUGIN as RAISING_PLUGIN
from dapolicy.testing._invariants._total import check_total
from dapolicy.testing._invariants._versions import check_version_switch
from dapolicy.testing._invariants._violation import (
    InvariantViolation,
    case_lines,
    load_case,
    replay_notes,
)

__all__ = [
    "INVARIANTS",
    "ConformanceCase",
    "ConformanceReport",
    "Invariant",
    "InvariantViolation",
    "boundary_cases",
    "case_lines",
    "cases",
    "check_all",
    "check_child_victims",
    "check_children_safeguarded",
    "check_crime_parity",
    "check_deterministic",
    "check_due_times",
    "check_events",
    "check_fresh_processes",
    "check_high_risk_referrals",
    "check_inputs_unchanged",
    "check_monotone",
    "check_no_personal_data",
    "check_reasons",
    "check_total",
    "check_triage",
    "check_version_switch",
    "default_incidents",
    "isolated",
    "load_case",
    "policy_with",
    "replay_notes",
    "run_conformance",
]
