"""``verify`` re-derives decisions and finds any single changed field, anywhere."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dapolicy import batch, default_policy, to_json
from dapolicy.errors import join_path
from dapolicy.synth import synthesize
from dapolicy.verify import (
    CaseRejected,
    Mismatch,
    Unrecorded,
    Unverifiable,
    Verified,
    differing_paths,
    verify_files,
)

sys.path.insert(0, str(Path(__file__).with_name("fuzz")))
from _command import run_dapolicy

POLICY = default_policy()
CASES = [to_json(case) for case in synthesize(40, 23)]
PROVENANCE = ("plugins", "policy_fingerprint", "policy_version")


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str]]:
    folder = tmp_path_factory.mktemp("verify")
    cases = folder / "cases.jsonl"
    cases.write_text("\n".join([*CASES[:10], "{bad", *CASES[10:]]) + "\n", encoding="utf-8")
    decisions = [r.decision for r in batch.assess_file(cases, POLICY) if r.decision]
    return cases, decisions


#: The line of the cases file that is not a case (the fixture's ``{bad``).
BAD_LINE = 11


def _case_line(index: int) -> int:
    """The cases file's line of the fixture's ``index``-th decision (from 0)."""
    return index + 1 if index + 1 < BAD_LINE else index + 2


def _write(folder: Path, lines: list[str]) -> Path:
    path = folder / "decisions.jsonl"
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return path


def _leaves(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    if isinstance(value, dict):
        return [leaf for key, item in value.items() for leaf in _leaves(item, (*path, key))]
    if isinstance(value, list):
        return [leaf for i, item in enumerate(value) for leaf in _leaves(item, (*path, i))]
    return [path]


def _changed(value: Any) -> Any:
    if isinstance(value, bool):
        return not value
    if isinstance(value, int | float):
        return value + 1
    if isinstance(value, str):
        return value + "x"
    return "x"  # null


def test_every_decision_verifies_as_it_was_written(
    files: tuple[Path, list[str]], tmp_path: Path
) -> None:
    cases, decisions = files
    outcomes = list(verify_files(cases, _write(tmp_path, decisions), POLICY))
    assert outcomes == [
        *(Verified(n, json.loads(d)["incident_id"]) for n, d in enumerate(decisions, 1)),
        CaseRejected(BAD_LINE),
    ]


@settings(max_examples=12, derandomize=True, database=None)
@given(st.data())
def test_every_case_line_is_accounted_for_once_whatever_the_decisions_file_holds(
    files: tuple[Path, list[str]], tmp_path_factory: pytest.TempPathFactory, data: st.DataObject
) -> None:
    """Some of the decisions, in any order: each given line verifies, and each case
    line left out is said, once, in the cases file's order (a partial file is never
    taken for a whole one)."""
    cases, decisions = files
    given_ = data.draw(st.permutations(range(len(decisions))).map(lambda p: p[: len(p) // 2]))
    given_ = given_[: data.draw(st.integers(0, len(given_)))]
    folder = tmp_path_factory.mktemp("partial")
    chosen = [decisions[i] for i in given_]
    outcomes = list(verify_files(cases, _write(folder, chosen), POLICY))
    verified = [Verified(n, json.loads(d)["incident_id"]) for n, d in enumerate(chosen, 1)]
    left = sorted(
        [CaseRejected(BAD_LINE)]
        + [
            Unrecorded(_case_line(i), json.loads(decisions[i])["incident_id"])
            for i in range(len(decisions))
            if i not in given_
        ],
        key=lambda outcome: outcome.case_line,
    )
    assert outcomes == verified + left


@settings(max_examples=60, derandomize=True, database=None)
@given(st.data())
def test_a_single_changed_field_is_found_anywhere(
    files: tuple[Path, list[str]], tmp_path_factory: pytest.TempPathFactory, data: st.DataObject
) -> None:
    cases, decisions = files
    which = data.draw(st.integers(0, len(decisions) - 1))
    record = json.loads(decisions[which])
    leaf = data.draw(st.sampled_from(_leaves(record)))
    target = record
    for part in leaf[:-1]:
        target = target[part]
    target[leaf[-1]] = _changed(target[leaf[-1]])
    changed = list(decisions)
    changed[which] = json.dumps(record, ensure_ascii=False, separators=(",", ":"))
    folder = tmp_path_factory.mktemp("changed")
    outcomes = list(verify_files(cases, _write(folder, changed), POLICY))
    differing = [o for o in outcomes if isinstance(o, Mismatch | Unverifiable)]
    assert [o.line for o in differing] == [which + 1]
    found = outcomes[which]
    # The changed line's case is unpaired only when its incident id no longer pairs it.
    unrecorded = [o for o in outcomes if isinstance(o, Unrecorded)]
    assert len(unrecorded) == (leaf[0] == "incident_id")
    assert CaseRejected(BAD_LINE) in outcomes
    if leaf[0] in PROVENANCE:
        assert isinstance(found, Unverifiable)
        assert found.missing
    elif leaf[0] == "incident_id":
        assert isinstance(found, Mismatch)
        assert found.paths == ("$.incident_id",)
    else:
        assert isinstance(found, Mismatch)
        assert found.paths == (join_path_of(leaf),)


def join_path_of(leaf: tuple[Any, ...]) -> str:
    path = "$"
    for part in leaf:
        path = join_path(path, part)
    return path


def test_differing_paths_names_keys_from_outside_by_position() -> None:
    assert differing_paths({"grade": "high"}, {"grade": "medium"}) == ("$.grade",)
    assert differing_paths({"grade": 1, "Jane Doe": 2}, {"grade": 1}) == ("$['#1']",)
    assert differing_paths({"tasks": [1]}, {"tasks": [1, 2]}) == ("$.tasks[1]",)
    assert differing_paths({"tasks": 1.0}, {"tasks": 1}) == ("$.tasks",)
    assert differing_paths([None], [None]) == ()


def test_a_decision_by_a_plugin_not_installed_cannot_be_rederived(
    files: tuple[Path, list[str]], tmp_path: Path
) -> None:
    cases, decisions = files
    record = json.loads(decisions[0])
    record["plugins"].append({"name": "force-rules", "version": "2.0"})
    record["policy_version"] = "force-2030"
    changed = [json.dumps(record, separators=(",", ":")), *decisions[1:]]
    (first, *rest) = verify_files(cases, _write(tmp_path, changed), POLICY)
    assert isinstance(first, Unverifiable)
    assert "plug-in force-rules 2.0: not installed" in first.missing
    assert any(m.startswith("policy version force-2030: in force here is") for m in first.missing)
    assert all(isinstance(o, Verified) for o in rest[:-1])
    assert rest[-1] == CaseRejected(BAD_LINE)


def test_a_decision_given_twice_is_one_more_than_its_cases_not_a_stranger(
    files: tuple[Path, list[str]], tmp_path: Path
) -> None:
    cases, decisions = files
    incident = json.loads(decisions[2])["incident_id"]
    lines = [*decisions[:4], decisions[2], '{"incident_id":"NOT-IN-CASES"}']
    outcomes = list(verify_files(cases, _write(tmp_path, lines), POLICY))
    assert outcomes[:4] == [
        Verified(n, json.loads(d)["incident_id"]) for n, d in enumerate(decisions[:4], 1)
    ]
    assert outcomes[4:] == [
        Mismatch(
            5, incident, ("$.incident_id",), "one decision more for this incident than its 1 case"
        ),
        Mismatch(6, None, ("$.incident_id",), "no case in the cases file has it"),
        *(
            Unrecorded(_case_line(i), json.loads(decisions[i])["incident_id"])
            for i in range(4, 10)
        ),
        CaseRejected(BAD_LINE),
        *(
            Unrecorded(_case_line(i), json.loads(decisions[i])["incident_id"])
            for i in range(10, len(decisions))
        ),
    ]


def test_the_command(files: tuple[Path, list[str]], tmp_path: Path) -> None:
    cases, decisions = files
    record = json.loads(decisions[4])
    record["grade"] = "standard" if record["grade"] != "standard" else "high"
    (tmp_path / "cases.jsonl").write_bytes(cases.read_bytes())
    _write(tmp_path, [*decisions[:4], json.dumps(record, separators=(",", ":"))])
    same = run_dapolicy("verify", "cases.jsonl", "decisions.jsonl", cwd=tmp_path)
    assert same.returncode == 1
    incident = record["incident_id"]
    assert same.stdout == f"line 5 (incident {incident}): fields differ: $.grade\n"
    left_out = f"; {len(decisions) - 5} cases have no decision here"
    rejected = ", 1 case line rejected, as assess rejects them\n"
    assert f"5 decisions: 4 match, 1 differ, 0 cannot be re-derived{left_out}{rejected}" in (
        same.stderr
    )
    _write(tmp_path, decisions)
    good = run_dapolicy("verify", "cases.jsonl", "decisions.jsonl", cwd=tmp_path)
    assert (good.returncode, good.stdout) == (0, "")
    whole = f"{len(decisions)} match, 0 differ, 0 cannot be re-derived; 1 case line rejected"
    assert whole in good.stderr
    missing = run_dapolicy("verify", "cases.jsonl", "nothing.jsonl", cwd=tmp_path)
    assert missing.returncode == 2
    assert "cannot read nothing.jsonl" in missing.stderr
    assert "Traceback" not in missing.stderr + same.stderr + good.stderr
