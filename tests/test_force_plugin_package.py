"""A force's plug-in, installed as its own distribution, is discovered and conforms.

``examples/force-plugin`` is a separate package, as a force would write it, with an
entry point in the ``dapolicy`` group. This test builds a fresh virtual environment,
installs dapolicy from this repository and the example package into it (with uv when
it is available: much faster than pip), and then, inside that environment:

- ``default_policy()`` lists the plug-in with its distribution and version;
- a decision for a victim with two vulnerability markers carries its finding;
- the conformance kit passes on it, both from Python and through
  ``pytest --dapolicy-conformance`` (the ``pytest11`` entry point of the installed
  package).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

#: Runs the conformance kit over many cases: outside coverage's tracer (noxfile.py).
pytestmark = pytest.mark.kit_run

REPO = Path(__file__).resolve().parents[1]
EXAMPLE = REPO / "examples" / "force-plugin"
PLUGIN = "examplia-vulnerability"

SCRIPT = """
from datetime import datetime, timedelta, timezone

from hypothesis import settings

import dapolicy_examplia
from dapolicy import (
    AbuseType, Incident, Person, Relationship, RelationshipKind, RiskGrade, Vulnerability,
)
from dapolicy.policy import default_policy
from dapolicy.testing.invariants import isolated, run_conformance

assert "site-packages" in dapolicy_examplia.__file__, dapolicy_examplia.__file__
policy = default_policy()
versions = {info.name: info.version for info in policy.plugins}
assert versions.get("examplia-vulnerability") == "dapolicy-examplia 0.1.0", versions
assert "dash" in versions, versions
assert "examplia-da7-supplement" in policy.question_sets

at = datetime(2024, 6, 1, 21, 30, tzinfo=timezone.utc)
def incident(*markers):
    return Incident(
        id="INC-1",
        reported_at=at,
        occurred_at=at,
        victim=Person("V-1", vulnerabilities=frozenset(markers)),
        suspect=Person("S-1"),
        relationship=Relationship(RelationshipKind.INTIMATE_PARTNER),
        abuse_types=frozenset({AbuseType.PSYCHOLOGICAL}),
    )

vulnerable = incident(Vulnerability.DISABILITY, Vulnerability.LANGUAGE_BARRIER)
decision = policy.assess(vulnerable, None, now=at + timedelta(minutes=20))
found = [f for f in decision.findings if f.model == "examplia-vulnerability"]
assert len(found) == 1, decision.findings
assert found[0].grade is RiskGrade.MEDIUM
assert found[0].reasons[0].source.startswith("Examplia Constabulary policy DA-7")
assert decision.grade >= RiskGrade.MEDIUM

one_marker = policy.assess(incident(Vulnerability.DISABILITY), None, now=at)
assert not [f for f in one_marker.findings if f.model == "examplia-vulnerability"]

quick = settings(database=None, deadline=None)
run_conformance(isolated("examplia-vulnerability"), max_examples=150, settings=quick)
run_conformance(policy, max_examples=40, settings=quick)
print("conformant")
"""


def _uv() -> str | None:
    found = shutil.which("uv")
    if found:
        return found
    beside = Path(sys.executable).with_name("uv")
    return str(beside) if beside.exists() else None


def _run(command: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        command, cwd=cwd, env=env, capture_output=True, text=True, timeout=600, check=False
    )
    assert result.returncode == 0, (
        f"{' '.join(command)} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}"
    )
    return result


def test_an_installed_force_plugin_is_discovered_and_conforms(tmp_path: Path) -> None:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DAPOLICY_DISABLE_ENTRY_POINTS", "VIRTUAL_ENV", "PYTHONPATH"}
    }
    venv = tmp_path / "venv"
    python = venv / "bin" / "python"
    packages = [str(REPO), str(EXAMPLE), "hypothesis", "pytest"]
    uv = _uv()
    if uv is not None:
        _run([uv, "venv", "--quiet", "--python", sys.executable, str(venv)], tmp_path, env)
        _run([uv, "pip", "install", "--quiet", "--python", str(python), *packages], tmp_path, env)
    else:
        _run([sys.executable, "-m", "venv", str(venv)], tmp_path, env)
        _run([str(python), "-m", "pip", "install", "--quiet", *packages], tmp_path, env)

    script = tmp_path / "check_plugin.py"
    script.write_text(SCRIPT)
    assert _run([str(python), str(script)], tmp_path, env).stdout.strip() == "conformant"

    # The installed dapolicy's pytest plug-in runs the kit on the installed plug-in.
    work = tmp_path / "work"
    work.mkdir()
    result = _run(
        [
            str(python),
            "-m",
            "pytest",
            "-p",
            "no:cacheprovider",
            "--dapolicy-conformance",
            "--dapolicy-conformance-examples=25",
            "-k",
            PLUGIN,
            "-v",
        ],
        work,
        env,
    )
    assert f"dapolicy-conformance::plugin[{PLUGIN}] PASSED" in result.stdout
