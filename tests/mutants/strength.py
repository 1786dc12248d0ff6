"""Measure the conformance kit by mutation: how many buggy plug-ins does it catch?

Run ``nox -s kit-strength`` (or ``python tests/mutants/strength.py``). For every mutant
in ``mutants.MUTANTS`` the kit runs at its default settings (seeded, so the figure is
repeatable); the report gives, for each, whether it was killed and by which check, then
killed / total. The exit status is 1 when fewer than 95 % are killed, and also when the
unmutated built-in policy raises a false alarm.

Options: ``--quick`` runs only ``mutants.QUICK``; ``--examples N`` sets the drawn cases
per mutant (default 100); ``--thorough`` adds the nightly boundary cases.
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from hypothesis import Phase, settings

from dapolicy.policy import Policy
from dapolicy.testing.invariants import InvariantViolation, run_conformance

#: The least share of mutants the kit must kill.
THRESHOLD = 0.95
#: Find, don't shrink: the first failing case names the check that killed the mutant.
SEEDED = settings(
    database=None, derandomize=True, deadline=None, phases=[Phase.explicit, Phase.generate]
)


def judge(policy: Policy, *, examples: int = 100, thorough: bool = False) -> tuple[bool, str]:
    """Run the kit on ``policy``: (killed, the check that killed it, or why not)."""
    try:
        run_conformance(policy, max_examples=examples, settings=SEEDED, thorough=thorough)
    except InvariantViolation as exc:
        return True, exc.check
    except AssertionError as exc:
        return True, f"assertion: {str(exc).splitlines()[0][:60]}"
    except Exception as exc:  # the kit itself broke: not a kill
        return False, f"the kit raised {type(exc).__name__}"
    return False, "survived"


def main(argv: list[str] | None = None) -> int:
    """Run the mutant suite and print the report; 0 when the kit is strong enough."""
    import mutants

    # Mutants log personal data on purpose; the kit captures it, nothing should print it.
    logging.getLogger().addHandler(logging.NullHandler())
    warnings.simplefilter("ignore")
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="only the quick subset")
    parser.add_argument("--examples", type=int, default=100, help="drawn cases per mutant")
    parser.add_argument("--thorough", action="store_true", help="the nightly boundary cases")
    args = parser.parse_args(argv)
    chosen = [m for m in mutants.MUTANTS if not args.quick or m.name in mutants.QUICK]
    killed = 0
    print(f"{'':8} {'check that killed it':44} mutant (bug; the invariant it breaks)")
    start = time.perf_counter()
    for mutant in chosen:
        dead, check = judge(mutant.build(), examples=args.examples, thorough=args.thorough)
        killed += dead
        expected = "" if check.split(" ", 1)[0] == str(mutant.breaks) else " *"
        state = "killed" if dead else "SURVIVED"
        print(f"{state:8} {check[:44]:44} {mutant.name} ({mutant.bug}; {mutant.breaks}){expected}")
    total = len(chosen)
    ratio = killed / total if total else 0.0
    alarm, why = judge(Policy(load_entry_points=False), examples=args.examples)
    print(f"\nkilled {killed} / {total} ({ratio:.1%}) in {time.perf_counter() - start:.0f} s")
    print("(* killed by another invariant than the one named)")
    print(f"unmutated built-ins: {'FALSE ALARM: ' + why if alarm else 'no false alarm'}")
    if alarm:
        return 1
    return 0 if ratio >= THRESHOLD else 1


if __name__ == "__main__":
    sys.exit(main())
