"""A case the kit found, as JSON lines: explained by the command, kept as a regression test."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import Phase, settings

sys.path.insert(0, str(Path(__file__).resolve().parent))

from dapolicy.policy import Policy
from dapolicy.serialization import to_dict
from dapolicy.testing.invariants import (
    InvariantViolation,
    case_lines,
    check_all,
    load_case,
    policy_with,
    run_conformance,
)
from mutants.grades import UsedToIt

#: Runs the conformance kit over many cases: outside coverage's tracer (noxfile.py).
pytestmark = pytest.mark.kit_run

FIND = settings(database=None, derandomize=True, deadline=None, phases=[Phase.generate])


def _found() -> InvariantViolation:
    with pytest.raises(InvariantViolation) as info:
        run_conformance(policy_with(UsedToIt(), isolate=True), max_examples=10, settings=FIND)
    return info.value


def test_a_failure_carries_its_case_as_json_lines_in_a_note() -> None:
    found = _found()
    assert found.number == 2
    assert found.case is not None
    notes = "\n".join(found.__notes__)
    lines = case_lines(found.case)
    assert len(lines) >= 2  # the victim's earlier incidents come first
    assert all(line in notes for line in lines)
    assert f"explain FILE --line {len(lines)}" in notes
    assert str(found).startswith("invariant 2 (monotone): one more prior incident")


def test_the_lines_read_back_as_the_same_case_and_the_same_failure() -> None:
    found = _found()
    assert found.case is not None
    again = load_case("\n".join(case_lines(found.case)))
    assert again.incident == found.case.incident
    assert again.form == found.case.form
    assert again.now == found.case.now
    assert {e.incident_id for e in again.prior_incidents} == {
        e.incident_id for e in found.case.prior_incidents
    }
    with pytest.raises(InvariantViolation, match=r"invariant 2 .*one more prior incident"):
        check_all(policy_with(UsedToIt(), isolate=True), again, invariants=[2])


def test_no_line_is_refused() -> None:
    with pytest.raises(ValueError, match="no case"):
        load_case("\n\n")


def test_dapolicy_explain_replays_the_lines_as_the_kit_decided(tmp_path: Path) -> None:
    found = _found()
    assert found.case is not None
    lines = case_lines(found.case)
    path = tmp_path / "found.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "dapolicy",
            "explain",
            str(path),
            "--line",
            str(len(lines)),
            "--json",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={**os.environ, "DAPOLICY_DISABLE_ENTRY_POINTS": "1"},
    )
    assert done.returncode == 0, done.stderr
    explained = json.loads(done.stdout)["decision"]
    case = load_case(lines)
    policy = Policy(load_entry_points=False)
    decision = policy.assess(case.incident, case.form, history=case.history, now=case.now)
    assert explained == json.loads(json.dumps(to_dict(decision)))
