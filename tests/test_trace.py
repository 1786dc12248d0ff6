"""The computation trace behind ``dapolicy explain`` (issue 10, "Verify and explain").

The trace must not change the decision, must name each rule that fired with the
settings it read and the version each value came from, and must stay out of the way
of ordinary assessment.
"""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import attrs
from hypothesis import given
from hypothesis import strategies as st

from dapolicy import (
    AbuseType,
    Case,
    Decision,
    Incident,
    InMemoryHistory,
    Person,
    Policy,
    Relationship,
    RelationshipKind,
    load_settings,
    record,
    to_json,
)
from dapolicy.batch import decision_time
from dapolicy.settings import Settings
from dapolicy.testing import strategies as ds
from dapolicy.trace import SettingRead, Trace, render_trace, trace_assessment

LONDON = ZoneInfo("Europe/London")
REPO = Path(__file__).resolve().parents[1]

VERSIONED = (REPO / "docs" / "examples" / "versioned-policy.toml").read_text(encoding="utf-8")


def versioned(tmp_path: Path) -> Policy:
    path = tmp_path / "force.toml"
    path.write_text(VERSIONED, encoding="utf-8")
    return Policy(load_settings(path), load_entry_points=False)


def incident(n: int, at: datetime, area: str | None = None) -> Incident:
    return Incident(
        f"INC-{n}",
        at,
        at,
        Person("V-1", date_of_birth=date(1990, 1, 1)),
        Person("S-1", date_of_birth=date(1988, 1, 1)),
        Relationship(RelationshipKind.INTIMATE_PARTNER),
        [AbuseType.EMOTIONAL],
        area=area,
    )


def _third_incident(policy: Policy, area: str | None) -> tuple[Decision, Trace]:
    history = InMemoryHistory()
    for n, month in enumerate([1, 2, 3], start=1):
        at = datetime(2025, month, 5, 20, tzinfo=LONDON)
        decision, trace = trace_assessment(
            policy, incident(n, at, area), None, history=history, now=at
        )
        record(history, incident(n, at, area), decision)
    return decision, trace


def test_each_rule_is_shown_with_the_settings_it_read_and_their_versions(tmp_path: Path) -> None:
    _, trace = _third_incident(versioned(tmp_path), "croydon")
    assert trace.version == "dapn-pilot"
    calls = {(c.plugin, c.hook): c for c in trace.calls}
    marac = calls[("marac", "dapolicy_escalations")]
    assert "marac.potential-escalation" in marac.rules
    reads = {r.key: r for r in marac.reads}
    # The pilot builds on 2023-04, which set the window; the count is the base's.
    assert reads["marac.escalation_months"] == SettingRead(
        "marac.escalation_months", "6", "2023-04"
    )
    assert reads["marac.escalation_incidents"] == SettingRead(
        "marac.escalation_incidents", "3", "2019-01"
    )
    text = render_trace(trace)
    assert "marac.escalation_months = 6 (version 2023-04)" in text
    assert (
        "Policy version dapn-pilot (in force from 2024-11-27 00:00 GMT until 2026-04-01 "
        "00:00 BST in bromley, croydon, sutton)" in text
    )
    # The policy's own reads: the repeat-victim window it used for repeat_victim.
    policy_reads = {r.key for r in calls[("policy", "assess")].reads}
    assert "repeat_victim_months" in policy_reads
    assert "version" not in policy_reads


def test_a_value_set_by_the_version_in_force_is_credited_to_it(tmp_path: Path) -> None:
    policy = versioned(tmp_path)
    at = datetime(2025, 2, 1, 20, tzinfo=LONDON)
    _, trace = trace_assessment(policy, incident(1, at, "croydon"), None, now=at)
    everywhere = [r for c in trace.calls for r in c.reads]
    assert all(r.version in {"2019-01", "2023-04", "dapn-pilot"} for r in everywhere)
    _, elsewhere = trace_assessment(policy, incident(1, at, "kingston"), None, now=at)
    assert elsewhere.version == "2023-04"
    assert "in force from 2023-04-01 00:00 BST for every area" in elsewhere.in_force
    _, early = trace_assessment(
        policy,
        incident(1, datetime(2022, 1, 1, tzinfo=LONDON)),
        None,
        now=datetime(2022, 1, 1, tzinfo=LONDON),
    )
    assert early.version == "2019-01"
    assert early.in_force == "the base settings, in force until 2023-04-01 00:00 BST"
    _, plain = trace_assessment(Policy(load_entry_points=False), incident(1, at), None, now=at)
    assert plain.version == "base"
    assert plain.in_force == "the only version: the policy file has no dated versions"


def _versioned_policy() -> Policy:
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder, "force.toml")
        path.write_text(VERSIONED, encoding="utf-8")
        return Policy(load_settings(path), load_entry_points=False)


_VERSIONED_POLICY = _versioned_policy()


@given(st.lists(ds.cases(), min_size=1, max_size=3), st.sampled_from([None, "croydon", "x"]))
def test_property_the_trace_never_changes_the_decision(
    cases: list[Case], area: str | None
) -> None:
    settings = Settings(version="base")
    for policy in (Policy(settings, load_entry_points=False), _VERSIONED_POLICY):
        traced_history, plain_history = InMemoryHistory(), InMemoryHistory()
        for case in sorted(cases, key=lambda c: decision_time(c).timestamp()):
            placed = attrs.evolve(case.incident, area=area)
            now = decision_time(case)
            traced, trace = trace_assessment(
                policy, placed, case.form, history=traced_history, now=now
            )
            plain = policy.assess(placed, case.form, history=plain_history, now=now)
            assert to_json(traced) == to_json(plain)
            assert trace.version == plain.policy_version
            assert trace.fingerprint == plain.policy_fingerprint
            # Every rule the decision's plug-ins gave is in the trace.
            fired = {rule for call in trace.calls for rule in call.rules}
            made = {r.rule for f in plain.findings for r in f.reasons}
            made |= {r.rule for x in (*plain.referrals, *plain.tasks) for r in x.reasons}
            assert made <= fired
            record(traced_history, placed, traced)
            record(plain_history, placed, plain)


def test_tracing_leaves_the_policy_as_it_was(tmp_path: Path) -> None:
    policy = versioned(tmp_path)
    at = datetime(2025, 2, 1, 20, tzinfo=LONDON)
    before = policy.assess(incident(1, at, "croydon"), None, now=at)
    trace_assessment(policy, incident(1, at, "croydon"), None, now=at)
    assert type(policy.settings) is Settings
    assert type(policy.as_of(at, "croydon").settings) is Settings
    assert to_json(policy.assess(incident(1, at, "croydon"), None, now=at)) == to_json(before)


def test_explain_prints_the_trace(tmp_path: Path) -> None:
    (tmp_path / "force.toml").write_text(VERSIONED, encoding="utf-8")
    line = (REPO / "examples" / "cases.jsonl").read_text(encoding="utf-8").splitlines()[2]
    case = json.loads(line.replace("2024-0", "2025-0"))
    case["incident"]["area"] = "croydon"
    (tmp_path / "case.json").write_text(json.dumps(case), encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "dapolicy", "explain", "case.json", "--policy", "force.toml"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "Policy version dapn-pilot" in result.stdout
    assert "Rules that fired, and the settings each read:" in result.stdout
    assert "dash.high_from = 12 (version dapn-pilot)" in result.stdout
    assert "marac.escalation_months = 6 (version 2023-04)" in result.stdout
    assert result.stderr == ""
