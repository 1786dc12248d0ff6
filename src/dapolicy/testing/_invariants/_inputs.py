"""Invariant 10: a plug-in does not change what it was given.

Every hook call is watched (see ``_spy``): the incident, the form, the draft decision,
the settings and every other argument are fingerprinted before and after the call, and
the history the case was assessed over must hold the same content after the decision,
as must the incident and form the caller passed.
"""

from __future__ import annotations

from dapolicy.policy import Policy
from dapolicy.testing._invariants._assess import _inputs, _Run, _run
from dapolicy.testing._invariants._case import ConformanceCase
from dapolicy.testing._invariants._violation import violation

_WHAT = {
    "incident": "the incident",
    "form": "the risk form",
    "decision": "the draft decision",
    "history": "the history",
    "settings": "the settings",
    "event": "the event",
    "call": "the call",
    "thrive": "the THRIVE assessment",
}


def _inputs_unchanged(run: _Run) -> None:
    for call in run.calls or ():
        if call.changed:
            what = " and ".join(_WHAT.get(name, repr(name)) for name in call.changed)
            raise violation(
                10, f"plug-in {call.plugin!r} changed {what} it was given in {call.hook}"
            )
    if run.history_before != run.history_after:
        raise violation(10, "the history's content changed while the case was assessed")
    incident, form = _inputs(run.case)
    if (incident, form) != run.inputs_before:
        what = "incident" if incident != run.inputs_before[0] else "risk form"
        raise violation(10, f"the {what} passed to assess changed while it was assessed")


def check_inputs_unchanged(policy: Policy, case: ConformanceCase) -> None:
    """Invariant 10: no plug-in changes the incident, form, draft decision or history.

    Each argument of every hook call is compared before and after the call (by its
    whole JSON content); the history by its whole content, and the incident and form
    passed to :meth:`~dapolicy.policy.Policy.assess`, after the decision.

    :raises InvariantViolation: naming the plug-in, the hook and what it changed.
    """
    _inputs_unchanged(_run(policy, case))
