"""Invariant 7: the same facts get the same grade, crime or not."""

from __future__ import annotations

import attrs

from dapolicy.models import (
    Crime,
    OffenceCategory,
)
from dapolicy.policy import Policy
from dapolicy.testing._invariants._assess import _assess, _Run, _run
from dapolicy.testing._invariants._case import ConformanceCase

#: The crime recorded on a non-crime incident to test invariant 7.
PARITY_CRIME = Crime("CONF-CRIME", OffenceCategory.COMMON_ASSAULT)


def _crime_parity(run: _Run) -> None:
    incident = run.case.incident
    twin = attrs.evolve(incident, crime=None if incident.crime is not None else PARITY_CRIME)
    other = _assess(run.policy, run.case, incident=twin, variant="the case's crime twin")
    if other.grade != run.decision.grade:
        crime, no_crime = (
            (run.decision, other) if incident.crime is not None else (other, run.decision)
        )
        raise AssertionError(
            "invariant 7 (crime parity): the same facts are graded "
            f"{crime.grade.value} as a crime and {no_crime.grade.value} as a non-crime "
            "incident"
        )


def check_crime_parity(policy: Policy, case: ConformanceCase) -> None:
    """Invariant 7: the same facts get the same grade, crime or not.

    The case's incident is assessed again without its crime, or with
    :data:`PARITY_CRIME` if it had none.

    :raises AssertionError: with both grades.
    """
    _crime_parity(_run(policy, case))
