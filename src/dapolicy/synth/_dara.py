"""Synthetic DARA forms and investigators (private; public through :mod:`dapolicy.synth`).

Each has its own random stream, so a synthetic year with them has every other value,
and every figure of the audit, exactly as without them.
"""

from __future__ import annotations

import random
from collections.abc import Sequence

from dapolicy.models import Crime, DaraForm, Frequency, RiskForm, RiskGrade

__all__ = ["DARA_RATIONALE", "investigator", "officers_dara"]

#: The rationale written on every synthetic DARA grade.
DARA_RATIONALE = (
    "Synthetic record: the grade follows the frequency of the controlling behaviour "
    "disclosed and the victim's account of escalation."
)
#: How often each answer is given, by the grade the officer reaches (standard, medium,
#: high): higher grades disclose abuse more often. Not known about 5 % of the time.
_WEIGHTS = {
    RiskGrade.STANDARD: (80, 10, 5, 0, 5),
    RiskGrade.MEDIUM: (50, 25, 15, 5, 5),
    RiskGrade.HIGH: (20, 20, 30, 25, 5),
}
_SCALE = (Frequency.NEVER, Frequency.ONCE, Frequency.SOMETIMES, Frequency.OFTEN)
_ANSWERS = (*_SCALE, Frequency.NOT_KNOWN)


def officers_dara(
    rng: random.Random, form: RiskForm, grade: RiskGrade, items: Sequence[str]
) -> DaraForm:
    """The attending officer's DARA in place of the DASH ``form``: same officer and times.

    Every item is answered on the frequency scale (higher grades more often), the
    officer grades as the form's band did, and writes :data:`DARA_RATIONALE`.
    """
    weights = _WEIGHTS[grade]
    answers = {item: rng.choices(_ANSWERS, weights)[0] for item in items}
    return DaraForm(
        form.incident_id,
        answers,
        form.completed_by,
        form.completed_at,
        grade,
        DARA_RATIONALE,
        form.submitted_at,
        form.officer_off_duty_at,
    )


def investigator(rng: random.Random, crime: Crime) -> Crime:
    """The crime with an investigator: one of 300 ids; one crime in 20 not yet allocated."""
    if rng.random() < 0.05:
        return crime
    return Crime(
        crime.id,
        crime.offence,
        crime.arrest_made,
        crime.outcome,
        crime.outcome_rationale,
        investigator=f"DC-{rng.randint(1, 300):04d}",
    )
