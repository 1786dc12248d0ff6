"""The command's conventions, run for real (issue 13, "The command").

``-`` for the standard streams, explain picking a case from a JSONL file, the summary
for machines and for people (ungraded decisions counted apart), plugins as JSON,
``synth COUNT``, ``-V``, help without markup and progress with a rate and time left.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from dapolicy import Decision, Policy, __version__, from_json
from dapolicy.audit import AuditReport


def _load_helpers() -> ModuleType:
    name = "cli_test_helpers"
    if name not in sys.modules:
        path = Path(__file__).with_name("test_cli.py")
        spec = importlib.util.spec_from_file_location(name, path)
        assert spec is not None
        assert spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


h = _load_helpers()
run, EXAMPLES = h.run, h.EXAMPLES
COMMANDS = [
    "assess",
    "explain",
    "plugins",
    "synth",
    "audit",
    "checklists",
    "export",
    "schema",
    "verify",
]


def run_with_stdin(*args: object, stdin: bytes, cwd: Path) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "dapolicy", *map(str, args)],
        cwd=cwd,
        input=stdin,
        capture_output=True,
        timeout=h.TIMEOUT,
        env=h._env(),
        check=False,
    )


# --- "-" for the standard streams -------------------------------------------------------


def test_assess_reads_stdin_and_writes_stdout_with_dash(tmp_path: Path) -> None:
    from_file = run("assess", EXAMPLES, "-o", "d.jsonl", cwd=tmp_path)
    assert from_file.returncode == 0, from_file.stderr
    piped = run_with_stdin("assess", "-", "-o", "-", stdin=EXAMPLES.read_bytes(), cwd=tmp_path)
    assert piped.returncode == 0, piped.stderr
    assert piped.stdout == (tmp_path / "d.jsonl").read_bytes()
    assert b"dapolicy assess standard input" in piped.stderr


def test_rejects_to_stdout_with_dash(tmp_path: Path) -> None:
    data = EXAMPLES.read_bytes() + b"not json\n"
    result = run_with_stdin(
        "assess", "-", "-o", "d.jsonl", "--rejects", "-", stdin=data, cwd=tmp_path
    )
    assert result.returncode == 1, result.stderr
    (reject,) = (json.loads(line) for line in result.stdout.splitlines())
    assert reject["line"] == 14
    assert len((tmp_path / "d.jsonl").read_text(encoding="utf-8").splitlines()) == 13


def test_audit_and_explain_and_synth_take_dash(tmp_path: Path) -> None:
    audited = run_with_stdin(
        "audit", "-", "--json", "-", stdin=EXAMPLES.read_bytes(), cwd=tmp_path
    )
    assert audited.returncode == 0, audited.stderr
    from_file = run("audit", EXAMPLES, "--json", "a.json", cwd=tmp_path)
    assert from_file.returncode == 0, from_file.stderr
    assert audited.stdout == (tmp_path / "a.json").read_bytes()
    from_json(AuditReport, audited.stdout)
    # The text report moved to standard error, where it cannot spoil the JSON.
    assert b"Domestic-abuse audit" in audited.stderr
    assert b"dapolicy audit standard input: 13 lines" in audited.stderr

    first = EXAMPLES.read_bytes().splitlines()[0]
    (tmp_path / "case.json").write_bytes(first)
    explained = run_with_stdin("explain", "-", stdin=first, cwd=tmp_path)
    explained_file = run("explain", "case.json", cwd=tmp_path)
    assert explained.returncode == explained_file.returncode == 0, explained.stderr
    assert explained.stdout.decode("utf-8") == explained_file.stdout

    synth = run("synth", "5", "-o", "-", cwd=tmp_path)
    assert synth.returncode == 0, synth.stderr
    assert len(synth.stdout.splitlines()) == 5


def test_a_policy_from_stdin(tmp_path: Path) -> None:
    toml = b"[marac]\nescalation_months = 6\n"
    (tmp_path / "kent.toml").write_bytes(toml)
    piped = run_with_stdin("assess", EXAMPLES, "--policy", "-", stdin=toml, cwd=tmp_path)
    named = run("assess", EXAMPLES, "--policy", "kent.toml", cwd=tmp_path)
    assert piped.returncode == named.returncode == 0, piped.stderr
    assert piped.stdout.decode("utf-8") == named.stdout
    assert {d.policy_fingerprint for d in h.decisions_in(named.stdout)} == {
        Policy.from_toml(tmp_path / "kent.toml").fingerprint
    }


@pytest.mark.parametrize("command", ["assess", "explain"])
def test_a_history_cannot_be_a_stream(tmp_path: Path, command: str) -> None:
    result = (
        run(command, EXAMPLES, "--line", 1, "--history", "-", cwd=tmp_path)
        if (command == "explain")
        else run(command, EXAMPLES, "--history", "-", cwd=tmp_path)
    )
    assert result.returncode == 2
    assert "a history cannot be a stream" in result.stderr
    assert not (tmp_path / "-").exists()


def test_verify_reads_either_file_from_stdin(tmp_path: Path) -> None:
    assessed = run("assess", EXAMPLES, "-o", "d.jsonl", cwd=tmp_path)
    assert assessed.returncode == 0, assessed.stderr
    decisions = (tmp_path / "d.jsonl").read_bytes()
    cases_piped = run_with_stdin(
        "verify", "-", "d.jsonl", stdin=EXAMPLES.read_bytes(), cwd=tmp_path
    )
    decisions_piped = run_with_stdin("verify", EXAMPLES, "-", stdin=decisions, cwd=tmp_path)
    for result in (cases_piped, decisions_piped):
        assert result.returncode == 0, result.stderr
        assert b"13 decisions: 13 match, 0 differ" in result.stderr
    both = run_with_stdin("verify", "-", "-", stdin=decisions, cwd=tmp_path)
    assert both.returncode == 2
    assert b"cannot both read standard input" in both.stderr


def test_two_inputs_cannot_both_be_stdin(tmp_path: Path) -> None:
    result = run_with_stdin("audit", "-", "--totals", "-", stdin=b"", cwd=tmp_path)
    assert result.returncode == 2
    assert b"cannot both read standard input" in result.stderr


# --- explain FILE --line N / --incident ID / --json -----------------------------------


def test_explain_picks_a_line_of_a_jsonl_file_as_assess_decided_it(
    tmp_path: Path, synth_all: Path, synth_decisions: str
) -> None:
    decided = synth_decisions.splitlines()
    for line in (1, 57, 200):
        result = run("explain", synth_all, "--line", line, "--json", cwd=tmp_path)
        assert result.returncode == 0, result.stderr
        # The cases before it are its history: the decision is assess's for that line.
        explained = json.loads(result.stdout)
        assert explained["decision"] == json.loads(decided[line - 1])
        assert explained["trace"]["fingerprint"] == explained["decision"]["policy_fingerprint"]
    text = run("explain", synth_all, "--line", 57, cwd=tmp_path)
    assert text.returncode == 0, text.stderr
    decision = from_json(Decision, decided[56])
    assert f"Incident {decision.incident_id}" in text.stdout
    assert f"Risk grade: {decision.grade.value.upper()}" in text.stdout


def test_explain_picks_an_incident_of_a_jsonl_file(tmp_path: Path) -> None:
    lines = EXAMPLES.read_text(encoding="utf-8").splitlines()
    incident = json.loads(lines[4])["incident"]["id"]
    by_id = run("explain", EXAMPLES, "--incident", incident, "--json", cwd=tmp_path)
    by_line = run("explain", EXAMPLES, "--line", 5, "--json", cwd=tmp_path)
    assert by_id.returncode == by_line.returncode == 0, by_id.stderr
    assert by_id.stdout == by_line.stdout
    assert json.loads(by_id.stdout)["decision"]["incident_id"] == incident


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--line", "99"], "no line 99"),
        (["--incident", "NO-SUCH-INCIDENT"], "no case of the incident given"),
        (["--line", "1", "--incident", "X"], "give --line or --incident, not both"),
    ],
)
def test_explain_picking_what_is_not_there(tmp_path: Path, args: list[str], message: str) -> None:
    result = run("explain", EXAMPLES, *args, cwd=tmp_path)
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_explain_a_line_that_is_not_a_case_says_why(tmp_path: Path) -> None:
    first = EXAMPLES.read_text(encoding="utf-8").splitlines()[0]
    (tmp_path / "two.jsonl").write_text(f'{first}\n{{"incident": 5}}\n', encoding="utf-8")
    result = run("explain", "two.jsonl", "--line", 2, cwd=tmp_path)
    assert result.returncode == 2
    assert "line 2 is not a valid case" in result.stderr
    assert "$.incident" in result.stderr
    too_long = run("explain", "two.jsonl", "--line", 1, "--max-line-bytes", 100, cwd=tmp_path)
    assert too_long.returncode == 2
    assert "line 1 is longer than 100 bytes" in too_long.stderr


def test_explain_an_incident_given_twice_is_ambiguous(tmp_path: Path) -> None:
    first = EXAMPLES.read_text(encoding="utf-8").splitlines()[0]
    (tmp_path / "twice.jsonl").write_text(f"{first}\n{first}\n", encoding="utf-8")
    incident = json.loads(first)["incident"]["id"]
    result = run("explain", "twice.jsonl", "--incident", incident, cwd=tmp_path)
    assert result.returncode == 2
    assert "lines 1 and 2" in result.stderr


def test_explain_a_jsonl_file_without_a_choice_says_how_to_pick(tmp_path: Path) -> None:
    result = run("explain", EXAMPLES, cwd=tmp_path)
    assert result.returncode == 2
    assert "--line N or --incident ID" in result.stderr


# --- the summary ------------------------------------------------------------------------


def _decisions() -> list[dict[str, Any]]:
    result = run("assess", EXAMPLES, cwd=EXAMPLES.parent)
    assert result.returncode == 0, result.stderr
    return [json.loads(line) for line in result.stdout.splitlines()]


def test_the_summary_counts_ungraded_decisions_apart_and_reviews_by_reason(
    tmp_path: Path,
) -> None:
    decisions = _decisions()
    ungraded = [d for d in decisions if d["grade"] == "standard" and not d["findings"]]
    assert ungraded  # the examples hold cases with no form
    standard = sum(d["grade"] == "standard" for d in decisions) - len(ungraded)
    result = run("assess", EXAMPLES, "-o", "d.jsonl", "--summary-json", "s.json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert re.search(rf"ungraded: needs review\s+{len(ungraded)}\b", result.stderr)
    assert re.search(rf"\n    standard\s+{standard}\n", result.stderr), result.stderr
    reasons: dict[str, int] = {}
    for d in decisions:
        for rule in {r["rule"] for r in d["review_reasons"]}:
            reasons[rule] = reasons.get(rule, 0) + 1
    for rule, count in reasons.items():
        assert re.search(rf"\n    {re.escape(rule)}\s+{count}\n", result.stderr), rule

    summary = json.loads((tmp_path / "s.json").read_text(encoding="utf-8"))
    assert summary["lines"] == summary["decisions"] == 13
    assert summary["rejected"] == 0
    assert summary["nothing_lost"] is True
    assert summary["grades"]["ungraded: needs review"] == len(ungraded)
    assert summary["grades"]["standard"] == standard
    assert sum(summary["grades"].values()) == 13
    assert summary["needs_review"] == sum(d["needs_review"] for d in decisions)
    assert summary["needs_review_by_reason"] == dict(sorted(reasons.items()))


def test_quiet_prints_no_summary(tmp_path: Path) -> None:
    result = run("assess", EXAMPLES, "-o", "d.jsonl", "--quiet", cwd=tmp_path)
    assert result.returncode == 0
    assert result.stderr == ""
    assert len((tmp_path / "d.jsonl").read_text(encoding="utf-8").splitlines()) == 13


# --- plugins, synth, -V, help ---------------------------------------------------------


def test_plugins_as_json_and_with_a_header(tmp_path: Path) -> None:
    listed = run("plugins", "--json", cwd=tmp_path)
    assert listed.returncode == 0, listed.stderr
    policy = Policy()
    assert json.loads(listed.stdout) == [
        {
            "name": info.name,
            "version": info.version,
            "hooks": [h.removeprefix("dapolicy_") for h in policy.hooks_of(info.name)],
        }
        for info in policy.plugins
    ]
    table = run("plugins", cwd=tmp_path)
    assert table.stdout.splitlines()[0].split() == ["PLUG-IN", "VERSION", "HOOKS"]


def test_synth_count_is_an_argument_and_n_is_deprecated(tmp_path: Path) -> None:
    new = run("synth", "7", "--seed", "2", cwd=tmp_path)
    old = run("synth", "--n", "7", "--seed", "2", cwd=tmp_path)
    assert new.returncode == old.returncode == 0, old.stderr
    assert new.stdout == old.stdout
    assert len(new.stdout.splitlines()) == 7
    assert "deprecated" in old.stderr
    assert "deprecated" not in new.stderr
    missing = run("synth", cwd=tmp_path)
    assert missing.returncode == 2
    assert "COUNT" in missing.stderr


def test_synth_count_and_n_must_agree(tmp_path: Path) -> None:
    result = run("synth", "7", "--n", "8", cwd=tmp_path)
    assert result.returncode == 2
    assert "COUNT 7 and --n 8 disagree" in result.stderr
    assert result.stdout == ""


def test_the_tally_counts_a_plugin_failure_as_a_review_reason() -> None:
    from dapolicy.batch import LineResult
    from dapolicy.cli._summary import PLUGIN_FAILURE, UNGRADED, Tally

    tally = Tally()
    failed = LineResult(1, "{}", None, "standard", True, ("marac",), True, ("form.missing",), True)
    tally.decision(failed)
    tally.decision(LineResult(2, "{}", None, "high", False, ()))
    tally.reject()
    assert tally.nothing_lost
    assert tally.grades == {UNGRADED: 1, "high": 1}
    assert tally.review_reasons == {"form.missing": 1, PLUGIN_FAILURE: 1}
    assert tally.destinations == {"marac": 1}
    summary = json.loads(tally.as_json())
    assert summary["lines"] == 3
    assert summary["needs_review"] == 1
    assert summary["grades"] == {"standard": 0, "medium": 0, "high": 1, UNGRADED: 1}


def test_short_version_option(tmp_path: Path) -> None:
    result = run("-V", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"dapolicy, version {__version__}"


@pytest.mark.parametrize(
    "command",
    [[], *([name] for name in COMMANDS)],
)
def test_help_has_no_restructuredtext_markup(tmp_path: Path, command: list[str]) -> None:
    result = run(*command, "--help", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    for markup in ("``", ":py:", ":class:", ":func:", ":data:", ".. "):
        assert markup not in result.stdout, markup


# --- progress -------------------------------------------------------------------------


def test_progress_text_shows_count_rate_and_time_left() -> None:
    from dapolicy.cli._progress import progress_text

    assert progress_text(1500, 1_000, 4_000, 3.0) == "1,500 lines, 500 lines/s, about 0:00:09 left"
    assert progress_text(7_200, 10, 100, 3600.0) == "7,200 lines, 2 lines/s, about 9:00:00 left"
    assert progress_text(20, 1_000, None, 2.0) == "20 lines, 10 lines/s"
    assert progress_text(0, 0, 100, 0.0) == "0 lines"


def test_progress_on_a_terminal_shows_the_rate(tmp_path: Path, synth_all: Path) -> None:
    import pty

    leader, follower = pty.openpty()
    try:
        child = subprocess.run(
            [sys.executable, "-m", "dapolicy", "assess", str(synth_all), "-o", "d.jsonl"],
            cwd=tmp_path,
            stderr=follower,
            stdout=subprocess.DEVNULL,
            timeout=h.TIMEOUT,
            env=h._env(),
            check=False,
        )
        os.close(follower)
        follower = -1
        shown = b""
        while True:
            try:
                piece = os.read(leader, 65536)
            except OSError:
                break
            if not piece:
                break
            shown += piece
    finally:
        os.close(leader)
        if follower >= 0:
            os.close(follower)
    assert child.returncode == 0
    text = shown.decode("utf-8", "replace")
    assert "assessing" in text
    assert re.search(r"\d[\d,]* lines, [\d,]+ lines/s, about \d+:\d\d:\d\d left", text), text
    assert "200 lines" in text  # the final count


synth_all, synth_decisions = h.synth_all, h.synth_decisions  # the shared fixtures


# --- a reader that goes away -------------------------------------------------------------


def test_a_reader_that_goes_away_is_said_and_is_not_a_reject_status(tmp_path: Path) -> None:
    """``dapolicy export ... | head``: exit 2 with a sentence, as for any output that
    cannot be written; click's own handling gave a silent 1 ("some records rejected")."""
    from dapolicy import batch, default_policy, to_json
    from dapolicy.synth import synthesize

    cases = tmp_path / "cases.jsonl"
    cases.write_text("".join(to_json(c) + "\n" for c in synthesize(600, 5)), encoding="utf-8")
    decisions = tmp_path / "decisions.jsonl"
    with decisions.open("w", encoding="utf-8") as out:
        for result in batch.assess_file(cases, default_policy()):
            assert result.decision is not None
            out.write(result.decision + "\n")
    process = subprocess.Popen(
        [sys.executable, "-m", "dapolicy", "export", "decisions.jsonl"],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=h._env(),
    )
    assert process.stdout is not None
    assert process.stderr is not None
    with process.stderr:
        assert process.stdout.read(100)  # the header and a little more; then it goes
        process.stdout.close()
        stderr = process.stderr.read().decode("utf-8")
    assert process.wait(timeout=h.TIMEOUT) == 2, stderr
    assert stderr == "Error: cannot write standard output: Broken pipe (its reader went away)\n"
