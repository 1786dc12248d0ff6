"""One bad line never kills the batch: the lines that did, run through the real command.

Each line below ended ``assess``, ``audit`` and ``explain`` with a traceback, losing
every line after it: nested 1,000 deep (RecursionError), an integer of 5,000 digits
(Python's int-conversion limit), a date-time in year 1 or at the very end of 9999
(OverflowError in the age and window arithmetic). Each is now a reject with the path
of the problem, and the run goes on.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from dapolicy import batch, default_policy, to_json
from dapolicy.synth import synthesize

CASES = [to_json(case) for case in synthesize(6, 5)]


def _with(path: tuple[str, ...], value_text: str) -> str:
    record = json.loads(CASES[1])
    target = record
    for part in path[:-1]:
        target = target[part]
    target[path[-1]] = "\x00here\x00"
    return json.dumps(record).replace(json.dumps("\x00here\x00"), value_text)


def _dated(text: str) -> str:
    record = json.loads(CASES[1])
    record["incident"]["reported_at"] = record["incident"]["occurred_at"] = text
    record["call"] = None
    if record["form"] is not None:
        record["form"]["completed_at"], record["form"]["submitted_at"] = text, None
    record["graded_at"] = record["recorded_grade"] = None
    return json.dumps(record)


HOSTILE = {
    "nested": ("[" * 1000 + "]" * 1000, "$", "nested more than 64"),
    "digits": (
        _with(("incident", "victim", "id"), "1" * 5000),
        "$.incident.victim.id",
        "a number of more than 4300 digits",
    ),
    "year 1": (
        _dated("0001-01-01T00:00:00+00:00"),
        "$.incident.reported_at",
        "outside the supported years 1900 to 2200",
    ),
    "year 9999": (
        _dated("9999-12-31T23:00:00-05:00"),
        "$.incident.occurred_at",
        "outside the supported years 1900 to 2200",
    ),
}


sys.path.insert(0, str(Path(__file__).with_name("fuzz")))
from _command import run_dapolicy as _run  # noqa: E402


@pytest.fixture(params=sorted(HOSTILE))
def hostile(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[Path, str, str]:
    line, path, message = HOSTILE[request.param]
    (tmp_path / "in.jsonl").write_text(
        "\n".join([CASES[0], line, CASES[2], CASES[3]]) + "\n", encoding="utf-8"
    )
    (tmp_path / "case.json").write_text(line, encoding="utf-8")
    return tmp_path, path, message


def _reject_says(rejects: Path, path: str, message: str) -> None:
    (reject,) = [json.loads(line) for line in rejects.read_text().splitlines()]
    assert reject["line"] == 2
    assert any(e["path"] == path and message in e["message"] for e in reject["errors"])


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_assess_rejects_the_line_and_goes_on(hostile: tuple[Path, str, str], jobs: str) -> None:
    folder, path, message = hostile
    result = _run("assess", "in.jsonl", "-o", "out.jsonl", "--jobs", jobs, cwd=folder)
    assert "Traceback" not in result.stderr
    assert result.returncode == 1, result.stderr
    assert "4 = 3 + 1: nothing lost" in result.stderr
    assert len((folder / "out.jsonl").read_text().splitlines()) == 3
    _reject_says(folder / "out.rejects.jsonl", path, message)


def test_audit_rejects_the_line_and_goes_on(hostile: tuple[Path, str, str]) -> None:
    folder, path, message = hostile
    result = _run("audit", "in.jsonl", "--rejects", "bad.jsonl", cwd=folder)
    assert "Traceback" not in result.stderr
    assert result.returncode == 1, result.stderr
    assert "4 lines = 3 cases + 1 rejected" in result.stderr
    _reject_says(folder / "bad.jsonl", path, message)


def test_explain_says_what_is_wrong_and_where(hostile: tuple[Path, str, str]) -> None:
    folder, path, message = hostile
    result = _run("explain", "case.json", cwd=folder)
    assert "Traceback" not in result.stderr
    assert result.returncode == 2
    assert message in result.stderr
    assert f"@ {path}" in result.stderr


def test_a_case_the_engine_raises_on_is_a_reject_and_the_run_goes_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    policy = default_policy()
    real = type(policy).assess
    doomed = json.loads(CASES[2])["incident"]["id"]

    def assess(self: object, incident: object, *args: object, **kwargs: object) -> object:
        if getattr(incident, "id", None) == doomed:
            raise OverflowError("date value out of range")
        return real(self, incident, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(type(policy), "assess", assess)
    path = tmp_path / "in.jsonl"
    path.write_text("\n".join(CASES) + "\n", encoding="utf-8")
    results = list(batch.assess_file(path, policy))
    assert [r.number for r in results] == list(range(1, 7))
    (rejected,) = [r for r in results if r.reject is not None]
    assert rejected.number == 3
    (error,) = json.loads(rejected.reject or "")["errors"]
    assert error == {
        "path": "$",
        "message": "not decided: the policy raised OverflowError on this case",
    }


# --- --jobs with a plug-in that kills its worker ------------------------------------------

PLUGIN = """
import os

from dapolicy import hookimpl

__version__ = "0.1"


@hookimpl
def dapolicy_referrals(incident):
    if incident.id == os.environ.get("FAULT_TARGET"):
        os._exit(int(os.environ.get("FAULT_EXIT", "3")))
    return []
"""


def _install_plugin(folder: Path) -> dict[str, str]:
    """A distribution with a ``dapolicy`` entry point, on the subprocess's path."""
    site = folder / "site"
    info = site / "faultplugin-0.1.dist-info"
    info.mkdir(parents=True)
    (site / "faultplugin.py").write_text(PLUGIN, encoding="utf-8")
    (info / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: faultplugin\nVersion: 0.1\n", encoding="utf-8"
    )
    (info / "entry_points.txt").write_text("[dapolicy]\nfault = faultplugin\n", encoding="utf-8")
    return {"PYTHONPATH": str(site)}


def test_a_plugin_that_ends_the_process_with_status_0_is_never_a_quiet_success(
    tmp_path: Path,
) -> None:
    # With one job (the command's own process decides); the workers of --jobs do the
    # same (tests/test_batch.py), so the two give the same outputs.
    cases = [to_json(case) for case in synthesize(60, 8)]
    (tmp_path / "in.jsonl").write_text("\n".join(cases) + "\n", encoding="utf-8")
    target = json.loads(cases[20])["incident"]["id"]
    env = {"FAULT_TARGET": target, "FAULT_EXIT": "0", **_install_plugin(tmp_path)}
    result = _run("assess", "in.jsonl", "-o", "out.jsonl", cwd=tmp_path, env=env)
    assert "Traceback" not in result.stderr
    # Once: exit status 0, no summary, no output, a .part file left.
    assert result.returncode == 1, result.stderr
    assert "60 = 59 + 1: nothing lost" in result.stderr
    assert sorted(p.name for p in tmp_path.glob("*.jsonl")) == [
        "in.jsonl",
        "out.jsonl",
        "out.rejects.jsonl",
    ]
    assert not list(tmp_path.glob(".*.part"))
    (reject,) = [json.loads(x) for x in (tmp_path / "out.rejects.jsonl").read_text().splitlines()]
    assert reject["line"] == 21
    assert reject["errors"] == [
        {"path": "$", "message": "not decided: os._exit(0) was called while deciding it"}
    ]
