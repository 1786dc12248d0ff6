"""The conformance kit, measured by mutation: a quick subset here, all of it in nox.

``nox -s kit-strength`` runs every mutant in ``tests/mutants`` and fails below 95 %
killed. Here, a few mutants (one per family) must be killed by the invariant they break,
and the unmutated built-ins must raise no alarm under the very same harness.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

import mutants
from dapolicy.policy import Policy
from mutants.control_room import _versioned
from mutants.strength import judge

#: Runs the conformance kit over many cases: outside coverage's tracer (noxfile.py).
pytestmark = pytest.mark.kit_run

#: Few drawn cases: the boundary cases kill these mutants before any is drawn.
EXAMPLES = 10

_BY_NAME = {mutant.name: mutant for mutant in mutants.MUTANTS}


def test_there_are_at_least_forty_mutants_with_distinct_names() -> None:
    assert len(mutants.MUTANTS) >= 40
    assert len(_BY_NAME) == len(mutants.MUTANTS)
    assert set(mutants.QUICK) <= set(_BY_NAME)
    assert {m.breaks for m in mutants.MUTANTS} == set(range(1, 15))


@pytest.mark.parametrize("name", mutants.QUICK)
def test_the_kit_kills_each_quick_mutant_with_the_invariant_it_breaks(name: str) -> None:
    mutant = _BY_NAME[name]
    killed, check = judge(mutant.build(), examples=EXAMPLES)
    assert killed, f"{name} survived ({check})"
    assert check.split(" ", 1)[0] == str(mutant.breaks), check


@pytest.mark.parametrize("versioned", [False, True], ids=["plain", "versioned"])
def test_the_unmutated_builtins_raise_no_false_alarm(versioned: bool) -> None:
    # The whole built-in policy under the very harness that kills the mutants (and with
    # dated versions, as the version mutant has them); each built-in risk model alone is
    # checked in test_conformance_builtins.py.
    settings = _versioned() if versioned else None
    alarm, why = judge(Policy(settings, load_entry_points=False), examples=EXAMPLES)
    assert not alarm, why
