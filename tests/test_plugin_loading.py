"""Plug-ins from the ``dapolicy`` entry-point group: each named when it cannot be used.

Issue 9, items 4, 14 and 15, through real installed distributions: each test writes a
``*.dist-info`` folder (metadata and ``entry_points.txt``) and the plug-in's module in
a temporary folder on the path, exactly as an installed package looks to
``importlib.metadata``. The command tests run the installed ``dapolicy`` in a
subprocess with that folder on ``PYTHONPATH``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import uuid
from pathlib import Path

import pytest

from dapolicy import Policy, from_json
from dapolicy.models import Decision
from dapolicy.policy import DEBUG_PLUGINS_ENV, DISABLE_ENTRY_POINTS_ENV, ConfigurationError
from dapolicy.policy import EntryPointStatus as Status
from dapolicy.settings import PluginSettings, Settings

REPO = Path(__file__).resolve().parents[1]
CASES = REPO / "examples" / "cases.jsonl"
SECRET = "Jane Doe, 1 High Street, 07700 900123"

GOOD = """
from dapolicy import hookimpl

__version__ = "ignored: the distribution's version is used"

@hookimpl
def dapolicy_tasks(incident):
    return []
"""
BAD_IMPORT = f"raise ImportError({SECRET!r})\n"
BAD_SIGNATURE = """
from dapolicy import hookimpl

@hookimpl
def dapolicy_assess_risk(incident, forms):
    return None
"""
UNKNOWN_HOOK = """
from dapolicy import hookimpl

@hookimpl
def dapolicy_asess_risk(incident):
    return None
"""
EXITS = f"""
import sys
from dapolicy import hookimpl

@hookimpl
def dapolicy_escalations(incident):
    sys.exit({SECRET!r})

@hookimpl
def dapolicy_tasks(incident):
    raise SystemExit(0)
"""


def install(
    folder: Path, entry: str, source: str, *, dist: str = "force-plugins", version: str = "1.2.3"
) -> str:
    """Install a distribution ``dist`` whose entry point ``entry`` is a new module."""
    module = f"force_plugin_{uuid.uuid4().hex[:8]}"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{module}.py").write_text(textwrap.dedent(source), encoding="utf-8")
    info = folder / f"{dist.replace('-', '_')}-{version}.dist-info"
    info.mkdir(exist_ok=True)
    (info / "METADATA").write_text(
        f"Metadata-Version: 2.1\nName: {dist}\nVersion: {version}\n", encoding="utf-8"
    )
    entry_points = info / "entry_points.txt"
    lines = entry_points.read_text(encoding="utf-8") if entry_points.exists() else "[dapolicy]\n"
    entry_points.write_text(lines + f"{entry} = {module}\n", encoding="utf-8")
    return module


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A folder on the path where distributions are installed; entry points enabled."""
    folder = tmp_path / "site"
    folder.mkdir()
    monkeypatch.syspath_prepend(str(folder))
    monkeypatch.delenv(DISABLE_ENTRY_POINTS_ENV, raising=False)
    return folder


def statuses(site: Path) -> list[Status]:
    """Only the entry points installed in ``site`` (others may be on the machine)."""
    mine = {
        line.split(" = ")[0]
        for p in site.glob("*.dist-info/entry_points.txt")
        for line in p.read_text().splitlines()[1:]
    }
    return [s for s in Policy.inspect_entry_points() if s.name in mine]


# --- the API ------------------------------------------------------------------------------


def test_a_good_entry_point_is_loaded_and_versioned_by_its_distribution(site: Path) -> None:
    install(site, "force-tasks", GOOD)
    policy = Policy()
    assert ("force-tasks", "force-plugins 1.2.3") in {(i.name, i.version) for i in policy.plugins}
    assert policy.hooks_of("force-tasks") == ("dapolicy_tasks",)
    assert statuses(site) == [Status("force-tasks", "force-plugins", "1.2.3", "loaded")]


def test_an_entry_point_that_fails_to_import_is_named(site: Path) -> None:
    module = install(site, "force-broken", BAD_IMPORT, dist="force-broken-dist", version="0.9")
    with pytest.raises(ConfigurationError) as excinfo:
        Policy()
    assert str(excinfo.value) == (
        "entry point 'force-broken' (force-broken-dist 0.9): broken: "
        f"ImportError raised while importing {module}"
    )
    assert "Jane" not in str(excinfo.value)


def test_a_hook_with_the_wrong_arguments_is_named_with_pluggys_message(site: Path) -> None:
    install(site, "force-sig", BAD_SIGNATURE)
    with pytest.raises(ConfigurationError) as excinfo:
        Policy()
    text = str(excinfo.value)
    assert text.startswith(
        "entry point 'force-sig' (force-plugins 1.2.3): broken, hook 'dapolicy_assess_risk': "
    )
    assert "{'forms'}" in text  # pluggy names the argument the spec does not have
    [status] = statuses(site)
    assert (status.status, status.hook) == ("broken", "dapolicy_assess_risk")


def test_an_unknown_hook_is_named(site: Path) -> None:
    install(site, "force-typo", UNKNOWN_HOOK)
    with pytest.raises(ConfigurationError) as excinfo:
        Policy()
    assert str(excinfo.value) == (
        "entry point 'force-typo' (force-plugins 1.2.3): broken, hook 'dapolicy_asess_risk': "
        "unknown hook 'dapolicy_asess_risk': no such dapolicy hook"
    )


def test_inspect_lists_every_entry_point_without_failing(site: Path) -> None:
    install(site, "a-good", GOOD)
    install(site, "b-broken", BAD_IMPORT)
    install(site, "c-blocked", BAD_IMPORT)
    found = {
        s.name: s
        for s in Policy.inspect_entry_points(
            Settings(plugins=PluginSettings(block=("c-blocked",)))
        )
    }
    assert found["a-good"].status == "loaded"
    assert found["b-broken"].status == "broken"
    assert found["b-broken"].reason is not None
    assert found["c-blocked"].status == "blocked"  # never imported
    # Blocking the broken one lets the policy build.
    policy = Policy(Settings(plugins=PluginSettings(block=("b-broken", "c-blocked"))))
    assert "a-good" in {i.name for i in policy.plugins}


def test_a_name_taken_by_two_distributions_is_broken(site: Path) -> None:
    install(site, "same-name", GOOD, dist="first-dist")
    install(site, "same-name", GOOD, dist="second-dist")
    kinds = sorted(s.status for s in statuses(site))
    assert kinds == ["broken", "loaded"]


# --- the installed command -------------------------------------------------------------------


def command(
    *args: str, site: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if k != DISABLE_ENTRY_POINTS_ENV}
    environ.pop(DEBUG_PLUGINS_ENV, None)
    environ["PYTHONPATH"] = os.pathsep.join([str(site), *sys.path[1:]])
    environ.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "dapolicy", *args],
        capture_output=True,
        text=True,
        env=environ,
        cwd=site,
        timeout=300,
        check=False,
    )


def test_dapolicy_plugins_still_runs_and_shows_the_broken_one(site: Path) -> None:
    install(site, "force-tasks", GOOD)
    install(site, "force-broken", BAD_IMPORT, dist="force-broken-dist", version="0.9")
    result = command("plugins", site=site)
    assert result.returncode == 1, result.stderr
    lines = result.stdout.splitlines()
    assert any(line.startswith("force-tasks") and "force-plugins 1.2.3" in line for line in lines)
    [broken] = [line for line in lines if line.startswith("force-broken")]
    assert "BROKEN" in broken
    assert "ImportError raised while importing" in broken
    assert any(line.startswith("dash") for line in lines)  # the built-ins are listed too
    assert "Jane" not in result.stdout + result.stderr
    assert "Traceback" not in result.stderr


def test_assess_with_a_broken_plugin_stops_before_anything(site: Path) -> None:
    install(site, "force-broken", BAD_IMPORT)
    result = command("assess", str(CASES), site=site)
    assert result.returncode == 2
    assert "entry point 'force-broken' (force-plugins 1.2.3): broken" in result.stderr
    assert result.stdout == ""


def test_a_plugins_system_exit_never_ends_the_run(site: Path) -> None:
    install(site, "force-exits", EXITS)
    result = command("assess", str(CASES), site=site)
    lines = CASES.read_text(encoding="utf-8").splitlines()
    decisions = [from_json(Decision, line) for line in result.stdout.splitlines()]
    assert len(decisions) == len(lines)  # every case decided: none lost
    for decision in decisions:
        assert decision.needs_review is True
        errors = {(f.hook, f.error) for f in decision.failures if f.plugin == "force-exits"}
        assert errors == {
            ("dapolicy_escalations", "SystemExit raised"),
            ("dapolicy_tasks", "SystemExit raised"),
        }
    assert "Jane" not in result.stdout + result.stderr  # sys.exit's text went nowhere
    assert result.returncode in (0, 1)


def test_debug_plugins_prints_tracebacks_and_changes_no_decision(site: Path) -> None:
    install(site, "force-exits", EXITS)
    plain = command("assess", str(CASES), site=site)
    flagged = command("--debug-plugins", "assess", str(CASES), site=site)
    by_env = command("assess", str(CASES), site=site, env={DEBUG_PLUGINS_ENV: "1"})
    assert flagged.stdout == plain.stdout == by_env.stdout  # byte for byte
    assert "Traceback" not in plain.stderr
    for debugged in (flagged, by_env):
        assert "plug-in 'force-exits' failed in dapolicy_escalations" in debugged.stderr
        assert "may show personal data" in debugged.stderr
        assert "Traceback (most recent call last)" in debugged.stderr
    assert json.loads(plain.stdout.splitlines()[0])["needs_review"] is True


SPINS = """
from dapolicy import hookimpl

@hookimpl
def dapolicy_escalations(incident):
    while True:
        pass
"""


def test_a_plugin_that_loops_for_ever_does_not_hang_the_command(site: Path) -> None:
    install(site, "force-spins", SPINS)
    policy = site / "force.toml"
    policy.write_text("[limits]\ndecision_seconds = 0.05\n", encoding="utf-8")
    result = command("assess", str(CASES), "--policy", str(policy), site=site)
    lines = CASES.read_text(encoding="utf-8").splitlines()
    decisions = [from_json(Decision, line) for line in result.stdout.splitlines()]
    assert len(decisions) == len(lines)  # the run went on: every case decided
    for decision in decisions:
        spun = [f for f in decision.failures if f.plugin == "force-spins"]
        assert [f.error for f in spun] == [
            "ran past the decision's time budget of 0.05 s (limits.decision_seconds)"
        ]
        assert decision.needs_review is True
