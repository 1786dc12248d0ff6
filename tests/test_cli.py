"""The ``dapolicy`` command, run for real: the installed command in a subprocess.

Every test runs ``python -m dapolicy`` (or the console script) with its files in
``tmp_path`` and a timeout, and checks what a user sees: the exit status, the files
written, standard output and the summary on standard error. The common thread is
the issue's promise: every line ends up either as a decision or in the rejects file
with its line number and errors, and problems are reported in plain words.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from dapolicy import Case, Decision, Policy, __version__, from_json
from dapolicy.audit import AuditReport, ForceTotals
from dapolicy.plugins import DEFAULT_PLUGINS
from dapolicy.sqlite_history import SQLiteHistory
from dapolicy.synth import PROFILES

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = REPO / "examples" / "cases.jsonl"
LONDON = ZoneInfo("Europe/London")
TIMEOUT = 120  # seconds, for any one run of the command

#: Personal data planted in a case; none of it may reach standard error.
PERSONAL = {
    "name": "Philippa Quarrington-Smythe",
    "address": "42 Wisteria Lane, Barchester BA1 7ZZ",
    "phone": "07700 912345",
    "date_of_birth": "1979-11-23",
}


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONIOENCODING"] = "utf-8"
    return env


def run(*args: object, cwd: Path) -> subprocess.CompletedProcess[str]:
    """``python -m dapolicy ARGS`` in ``cwd``."""
    return run_argv([sys.executable, "-m", "dapolicy", *map(str, args)], cwd=cwd)


def run_argv(argv: list[str], *, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        argv,
        cwd=cwd,
        capture_output=True,
        text=True,
        encoding="utf-8",
        errors="replace",
        timeout=TIMEOUT,
        env=_env(),
        check=False,
    )


def example_lines() -> list[str]:
    return EXAMPLES.read_text(encoding="utf-8").splitlines()


def example_records() -> list[dict[str, Any]]:
    return [json.loads(line) for line in example_lines()]


def decisions_in(text: str) -> list[Decision]:
    return [from_json(Decision, line) for line in text.splitlines()]


def rejects_in(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def history_dump(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table of an SQLite file, in a fixed order (schema-agnostic)."""
    with contextlib.closing(sqlite3.connect(path)) as connection:
        tables = [
            name
            for (name,) in connection.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"
            )
        ]
        return {
            table: sorted(connection.execute(f'SELECT * FROM "{table}"').fetchall(), key=repr)
            for table in tables
        }


def history_size(path: Path) -> int:
    with SQLiteHistory(path) as history:
        return len(history)


def recorded(decisions: list[Decision]) -> int:
    """How many of these incidents a history keeps: all that may be domestic abuse."""
    return sum(d.domestic_abuse.value != "not_domestic" for d in decisions)


def marac_referred(decisions: list[Decision]) -> list[bool]:
    return [any(r.destination.value == "marac" for r in d.referrals) for d in decisions]


def assert_summary(stderr: str, lines: int, decided: int, rejected: int) -> None:
    assert re.search(rf"lines read\s+{lines}\b", stderr), stderr
    assert re.search(rf"decisions\s+{decided}\b", stderr), stderr
    assert re.search(rf"rejected\s+{rejected}\b", stderr), stderr
    assert f"{lines} = {decided} + {rejected}: nothing lost" in stderr, stderr


@pytest.fixture(scope="module")
def synth_all(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """200 synthetic cases (seed 3), in the order they were reported."""
    where = tmp_path_factory.mktemp("synth")
    result = run("synth", "--n", 200, "--seed", 3, "-o", "all.jsonl", cwd=where)
    assert result.returncode == 0, result.stderr
    return where / "all.jsonl"


@pytest.fixture(scope="module")
def synth_decisions(synth_all: Path) -> str:
    """The decisions for all 200 synthetic cases in one run, with no stored history."""
    result = run("assess", synth_all, cwd=synth_all.parent)
    assert result.returncode == 0, result.stderr
    assert len(result.stdout.splitlines()) == 200
    return result.stdout


# --- the command itself ----------------------------------------------------------------


def test_module_version(tmp_path: Path) -> None:
    result = run("--version", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"dapolicy, version {__version__}"


def test_console_script_is_installed_next_to_the_interpreter(tmp_path: Path) -> None:
    bin_dir = Path(sys.executable).parent
    script = shutil.which("dapolicy", path=str(bin_dir))
    assert script is not None, f"no dapolicy script in {bin_dir}"
    assert Path(script).parent == bin_dir
    result = run_argv([script, "--version"], cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"dapolicy, version {__version__}"


@pytest.mark.parametrize(
    ("command", "options"),
    [
        (
            "assess",
            [
                "--output",
                "--rejects",
                "--policy",
                "--history",
                "--allow-rejects",
                "--progress",
                "--max-line-bytes",
                "--redact-rejects",
                "--summary-json",
                "--compact",
                "--quiet",
            ],
        ),
        (
            "explain",
            ["FILE", "--line", "--incident", "--json", "--policy", "--history", "--decisions"],
        ),
        ("plugins", ["--policy", "--json"]),
        ("synth", ["COUNT", "--seed", "--profile", "--output", "--totals"]),
        (
            "audit",
            [
                "INPUT.jsonl",
                "--totals",
                "--html",
                "--json",
                "--rejects",
                "--policy",
                "--max-line-bytes",
                "--redact-rejects",
            ],
        ),
    ],
)
def test_help_of_each_command(tmp_path: Path, command: str, options: list[str]) -> None:
    result = run(command, "--help", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert re.search(rf"Usage: .* {command} ", result.stdout), result.stdout
    for option in options:
        assert option in result.stdout, option


def test_top_level_help_lists_every_command(tmp_path: Path) -> None:
    result = run("--help", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    for command in ("assess", "explain", "plugins", "synth", "audit"):
        assert command in result.stdout


def test_unknown_command_is_a_usage_error(tmp_path: Path) -> None:
    result = run("asses", "x.jsonl", cwd=tmp_path)
    assert result.returncode == 2
    assert "No such command" in result.stderr
    assert "asses" in result.stderr


# --- assess: the good path --------------------------------------------------------------


def test_assess_examples_to_a_file(tmp_path: Path) -> None:
    result = run("assess", EXAMPLES, "-o", "decisions.jsonl", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    text = (tmp_path / "decisions.jsonl").read_text(encoding="utf-8")
    decisions = decisions_in(text)
    assert len(decisions) == 13
    cases = [from_json(Case, line) for line in example_lines()]
    assert [d.incident_id for d in decisions] == [c.incident.id for c in cases]
    # Nothing was rejected, and no rejects file was named: none is made.
    assert not (tmp_path / "decisions.rejects.jsonl").exists()
    assert_summary(result.stderr, 13, 13, 0)
    assert "decisions.jsonl" in result.stderr


def test_assess_examples_to_standard_output(tmp_path: Path) -> None:
    to_file = run("assess", EXAMPLES, "-o", "decisions.jsonl", cwd=tmp_path)
    assert to_file.returncode == 0, to_file.stderr
    result = run("assess", EXAMPLES, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    decisions = decisions_in(result.stdout)
    assert len(decisions) == 13
    assert result.stdout == (tmp_path / "decisions.jsonl").read_text(encoding="utf-8")
    # The summary goes to standard error, never mixed into the decisions.
    assert "nothing lost" not in result.stdout
    assert "13 = 13 + 0: nothing lost" in result.stderr
    assert "standard output" in result.stderr
    # No stray rejects file beside standard output.
    assert not (tmp_path / "rejects.jsonl").exists()


def test_assess_with_a_progress_bar_gives_the_same_decisions(tmp_path: Path) -> None:
    plain = run("assess", EXAMPLES, "--no-progress", cwd=tmp_path)
    shown = run("assess", EXAMPLES, "--progress", "-o", "d.jsonl", cwd=tmp_path)
    assert plain.returncode == shown.returncode == 0, shown.stderr
    assert (tmp_path / "d.jsonl").read_text(encoding="utf-8") == plain.stdout
    assert "assessing" in shown.stderr
    assert "assessing" not in plain.stderr


def test_assess_missing_input_does_nothing(tmp_path: Path) -> None:
    result = run("assess", "no-such.jsonl", "-o", "d.jsonl", cwd=tmp_path)
    assert result.returncode == 2
    assert "cannot read no-such.jsonl" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "d.jsonl").exists()
    assert not (tmp_path / "d.rejects.jsonl").exists()


def test_assess_unwritable_output_is_a_clear_error(tmp_path: Path) -> None:
    result = run("assess", EXAMPLES, "-o", "missing-dir/d.jsonl", cwd=tmp_path)
    assert result.returncode == 2
    assert "cannot write missing-dir/d.jsonl" in result.stderr
    assert "Traceback" not in result.stderr


# --- assess: bad lines ------------------------------------------------------------------


def _mixed_file(path: Path) -> dict[int, tuple[str, str, Any]]:
    """Write a file of good and bad lines; return line -> (JSON path, message, record).

    Lines 1 (with a byte-order mark), 2 and 10 are valid; the others are rejected.
    """
    src = example_lines()
    recs = example_records()
    wrong_int = json.loads(src[2])
    wrong_int["incident"]["children"] = [
        {"id": "C9", "age": "four", "present": True, "usually_resident": True}
    ]
    wrong_str = json.loads(src[3])
    wrong_str["incident"]["id"] = 12345
    unknown = json.loads(src[4])
    unknown["colour"] = "blue"
    not_utf8 = src[5].encode("utf-8")[:-3] + b"\xff\xfe"
    truncated = src[7][:200]
    lines = [
        b"\xef\xbb\xbf" + src[0].encode("utf-8"),  # 1: BOM, valid
        json.dumps(recs[1]).encode("utf-8"),  # 2: valid
        b'{"incident": {"id": "X",',  # 3: malformed JSON
        json.dumps(wrong_int).encode("utf-8"),  # 4: a string for an int
        json.dumps(wrong_str).encode("utf-8"),  # 5: a number for a string
        json.dumps(unknown).encode("utf-8"),  # 6: an unknown field
        b"",  # 7: empty
        not_utf8,  # 8: not UTF-8
        b"[1, 2, 3]",  # 9: an array, not an object
        src[6].encode("utf-8"),  # 10: valid
        truncated.encode("utf-8"),  # 11: cut mid-record, no newline at the end
    ]
    path.write_bytes(b"\n".join(lines))
    return {
        3: ("$", "not valid JSON", '{"incident": {"id": "X",'),
        4: ("$.incident.children[0].age", "expected a whole number", wrong_int),
        5: ("$.incident.id", "expected a string", wrong_str),
        6: ("$.colour", "unknown field", unknown),
        7: ("$", "empty line", ""),
        8: ("$", "not UTF-8", None),
        9: ("$", "expected an object", [1, 2, 3]),
        11: ("$", "not valid JSON", truncated),
    }


@pytest.mark.parametrize("allow", [False, True])
def test_assess_mixed_file_loses_nothing(tmp_path: Path, allow: bool) -> None:
    expected = _mixed_file(tmp_path / "mixed.jsonl")
    flags = ["--allow-rejects"] if allow else []
    result = run("assess", "mixed.jsonl", "-o", "out.jsonl", *flags, cwd=tmp_path)
    assert result.returncode == (0 if allow else 1), result.stderr
    assert "Traceback" not in result.stderr

    decisions = decisions_in((tmp_path / "out.jsonl").read_text(encoding="utf-8"))
    recs = example_records()
    assert [d.incident_id for d in decisions] == [
        recs[0]["incident"]["id"],
        recs[1]["incident"]["id"],
        recs[6]["incident"]["id"],
    ]
    rejects = rejects_in(tmp_path / "out.rejects.jsonl")
    assert len(decisions) + len(rejects) == 11
    assert [r["line"] for r in rejects] == sorted(expected)
    for reject in rejects:
        path, message, record = expected[reject["line"]]
        assert set(reject) == {"line", "record", "errors"}
        assert reject["errors"], reject
        for error in reject["errors"]:
            assert set(error) == {"path", "message"}
        assert (path, True) in {(e["path"], message in e["message"]) for e in reject["errors"]}
        if record is not None:
            assert reject["record"] == record
    not_utf8 = next(r for r in rejects if r["line"] == 8)
    assert isinstance(not_utf8["record"], str)
    assert "\ufffd" in not_utf8["record"]  # kept, with the bad bytes replaced
    assert_summary(result.stderr, 11, 3, 8)
    assert "out.rejects.jsonl" in result.stderr


def test_assess_crlf_lines_are_accepted(tmp_path: Path) -> None:
    (tmp_path / "crlf.jsonl").write_bytes(
        b"".join(line.encode("utf-8") + b"\r\n" for line in example_lines()[:4])
    )
    result = run("assess", "crlf.jsonl", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert len(decisions_in(result.stdout)) == 4


def _personal_case(line: int = 0) -> dict[str, Any]:
    record = example_records()[line]
    record["incident"]["victim"].update(PERSONAL)
    return record


def test_no_personal_data_on_standard_error(tmp_path: Path) -> None:
    good = _personal_case()
    bad_type = _personal_case()
    bad_type["incident"]["children"][0]["age"] = "four"
    bad_dob = _personal_case()
    bad_dob["incident"]["victim"]["date_of_birth"] = "23/11/1979"
    bad_enum = _personal_case()
    bad_enum["incident"]["relationship"]["kind"] = PERSONAL["address"]
    bad_phone = _personal_case()
    bad_phone["incident"]["victim"]["phone"] = 7700912345
    records = [good, bad_type, bad_dob, bad_enum, bad_phone]
    lines = [json.dumps(r) for r in records]
    lines.append(json.dumps(good)[:-40])  # truncated, with the name in what is left
    (tmp_path / "pd.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")

    result = run("assess", "pd.jsonl", "-o", "out.jsonl", cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    assert_summary(result.stderr, 6, 1, 5)
    for value in PERSONAL.values():
        assert value not in result.stderr
    assert "23/11/1979" not in result.stderr
    assert "7700912345" not in result.stderr
    # The rejects file is data: it keeps the records whole.
    rejects = rejects_in(tmp_path / "out.rejects.jsonl")
    assert [r["line"] for r in rejects] == [2, 3, 4, 5, 6]
    assert rejects[0]["record"] == bad_type

    for number, record in enumerate(records[1:], start=2):
        case = tmp_path / f"case{number}.json"
        case.write_text(json.dumps(record), encoding="utf-8")
        explained = run("explain", case.name, cwd=tmp_path)
        assert explained.returncode == 2
        assert case.name in explained.stderr
        for value in (*PERSONAL.values(), "23/11/1979", "7700912345"):
            assert value not in explained.stderr


def test_assess_reject_with_a_lone_surrogate_is_kept(tmp_path: Path) -> None:
    src = example_lines()
    bad = json.loads(src[5])
    bad["incident"]["attending_officer"] = "PC-\ud800"
    bad["incident"]["children"] = 5
    (tmp_path / "in.jsonl").write_text(
        f"{src[0]}\n{json.dumps(bad)}\n{src[6]}\n", encoding="utf-8"
    )
    result = run("assess", "in.jsonl", "-o", "out.jsonl", cwd=tmp_path)
    assert "Traceback" not in result.stderr
    assert result.returncode == 1
    assert len(decisions_in((tmp_path / "out.jsonl").read_text(encoding="utf-8"))) == 2
    assert [r["line"] for r in rejects_in(tmp_path / "out.rejects.jsonl")] == [2]
    assert_summary(result.stderr, 3, 2, 1)


# --- assess --policy --------------------------------------------------------------------


def test_policy_file_changes_the_fingerprint(tmp_path: Path) -> None:
    kent = tmp_path / "kent.toml"
    kent.write_text("[marac]\nescalation_months = 6\n", encoding="utf-8")
    default = run("assess", EXAMPLES, cwd=tmp_path)
    forced = run("assess", EXAMPLES, "--policy", "kent.toml", "-o", "k.jsonl", cwd=tmp_path)
    assert default.returncode == forced.returncode == 0, forced.stderr
    plain = decisions_in(default.stdout)
    local = decisions_in((tmp_path / "k.jsonl").read_text(encoding="utf-8"))
    assert len(local) == 13
    assert {d.policy_fingerprint for d in plain} == {Policy().fingerprint}
    assert {d.policy_fingerprint for d in local} == {Policy.from_toml(kent).fingerprint}
    assert Policy.from_toml(kent).fingerprint != Policy().fingerprint


@pytest.mark.parametrize(
    ("toml", "fragments"),
    [
        ('[plugins]\nblock = ["dahs"]\n', ["plugins.block[0]", "unknown plug-in name", "dash"]),
        ('[plugins]\nrisk_models = ["dahs"]\n', ["plugins.risk_models[0]", "unknown plug-in"]),
        ("[marac\nescalation_months = 6\n", ["not valid TOML", "line 1"]),
        ('[marac]\nescalation_months = "six"\n', ["marac.escalation_months", "whole number"]),
        ("[marac]\nescalation_monthz = 6\n", ["marac.escalation_monthz", "unknown field"]),
    ],
    ids=["unknown-block", "unknown-risk-model", "syntax", "wrong-type", "unknown-key"],
)
def test_bad_policy_file_does_nothing(tmp_path: Path, toml: str, fragments: list[str]) -> None:
    (tmp_path / "force.toml").write_text(toml, encoding="utf-8")
    result = run("assess", EXAMPLES, "--policy", "force.toml", "-o", "d.jsonl", cwd=tmp_path)
    assert result.returncode == 2
    assert "policy file force.toml" in result.stderr
    for fragment in fragments:
        assert fragment in result.stderr
    assert "Traceback" not in result.stderr
    # The policy is checked before any output is opened: no file is written at all.
    assert not (tmp_path / "d.jsonl").exists()
    assert not (tmp_path / "d.rejects.jsonl").exists()
    assert result.stdout == ""


def test_bad_policy_file_to_standard_output_writes_nothing(tmp_path: Path) -> None:
    (tmp_path / "force.toml").write_text('[plugins]\nblock = ["dahs"]\n', encoding="utf-8")
    result = run("assess", EXAMPLES, "--policy", "force.toml", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stdout == ""
    assert not (tmp_path / "rejects.jsonl").exists()


def test_missing_policy_file_is_a_clear_error(tmp_path: Path) -> None:
    result = run("assess", EXAMPLES, "--policy", "nope.toml", "-o", "d.jsonl", cwd=tmp_path)
    assert "Traceback" not in result.stderr
    assert result.returncode == 2
    assert "nope.toml" in result.stderr
    assert not (tmp_path / "d.jsonl").exists()


# --- assess --history -------------------------------------------------------------------


def _other_database(path: Path) -> None:
    with contextlib.closing(sqlite3.connect(path)) as connection:
        connection.execute("CREATE TABLE patients (name TEXT)")
        connection.commit()


@pytest.mark.parametrize("kind", ["junk", "text", "other-sqlite"])
@pytest.mark.parametrize("command", ["assess", "explain"])
def test_history_that_is_not_a_history(tmp_path: Path, kind: str, command: str) -> None:
    history = tmp_path / "hist.db"
    if kind == "junk":
        history.write_bytes(bytes(range(256)) * 16)
    elif kind == "text":
        history.write_text("not a database\n" * 100, encoding="utf-8")
    else:
        _other_database(history)
    before = history.read_bytes()
    if command == "assess":
        result = run("assess", EXAMPLES, "--history", "hist.db", "-o", "d.jsonl", cwd=tmp_path)
        # Nothing is decided: the decisions file, if opened, holds nothing.
        out = tmp_path / "d.jsonl"
        assert not out.exists() or out.read_bytes() == b""
    else:
        (tmp_path / "case.json").write_text(example_lines()[2], encoding="utf-8")
        result = run("explain", "case.json", "--history", "hist.db", cwd=tmp_path)
        assert result.stdout == ""
    assert result.returncode == 2
    assert "history file 'hist.db'" in result.stderr
    assert "not a dapolicy history" in result.stderr
    assert "Traceback" not in result.stderr
    if kind != "other-sqlite":  # see test_foreign_sqlite_database_is_left_alone
        assert history.read_bytes() == before  # left as it was found


def test_foreign_sqlite_database_is_left_alone(tmp_path: Path) -> None:
    _other_database(tmp_path / "other.db")
    before = (tmp_path / "other.db").read_bytes()
    result = run("assess", EXAMPLES, "--history", "other.db", cwd=tmp_path)
    assert result.returncode == 2
    assert "not a dapolicy history" in result.stderr
    with contextlib.closing(sqlite3.connect(tmp_path / "other.db")) as connection:
        assert connection.execute("PRAGMA journal_mode").fetchone() == ("delete",)
    assert (tmp_path / "other.db").read_bytes() == before


def test_bad_history_leaves_existing_outputs_alone(tmp_path: Path) -> None:
    (tmp_path / "hist.db").write_bytes(bytes(range(256)) * 16)
    (tmp_path / "d.jsonl").write_text("yesterday\n", encoding="utf-8")
    (tmp_path / "d.rejects.jsonl").write_text("yesterday\n", encoding="utf-8")
    result = run("assess", EXAMPLES, "--history", "hist.db", "-o", "d.jsonl", cwd=tmp_path)
    assert result.returncode == 2
    assert (tmp_path / "d.jsonl").read_text(encoding="utf-8") == "yesterday\n"
    assert (tmp_path / "d.rejects.jsonl").read_text(encoding="utf-8") == "yesterday\n"


def test_history_rerun_is_idempotent(tmp_path: Path) -> None:
    first = run(
        "assess", EXAMPLES, "--history", "h.db", "--new-history", "-o", "1.jsonl", cwd=tmp_path
    )
    assert first.returncode == 0, first.stderr
    stored = history_dump(tmp_path / "h.db")
    second = run("assess", EXAMPLES, "--history", "h.db", "-o", "2.jsonl", cwd=tmp_path)
    assert second.returncode == 0, second.stderr
    one = decisions_in((tmp_path / "1.jsonl").read_text(encoding="utf-8"))
    two = decisions_in((tmp_path / "2.jsonl").read_text(encoding="utf-8"))
    assert two == one
    assert [d.repeat_victim for d in two] == [d.repeat_victim for d in one]
    assert marac_referred(two) == marac_referred(one)
    assert any(d.repeat_victim for d in one)
    assert any(marac_referred(one))
    # Nothing was counted twice.
    assert history_dump(tmp_path / "h.db") == stored
    assert history_size(tmp_path / "h.db") == recorded(one) == 12
    # And a stored history gives what an in-memory one gives in a single run.
    plain = run("assess", EXAMPLES, cwd=tmp_path)
    assert decisions_in(plain.stdout) == one


def test_second_day_sees_the_first(tmp_path: Path, synth_all: Path, synth_decisions: str) -> None:
    lines = synth_all.read_text(encoding="utf-8").splitlines(keepends=True)
    (tmp_path / "day1.jsonl").write_text("".join(lines[:100]), encoding="utf-8")
    (tmp_path / "day2.jsonl").write_text("".join(lines[100:]), encoding="utf-8")
    whole = synth_decisions.splitlines(keepends=True)

    day1 = run(
        "assess",
        "day1.jsonl",
        "--history",
        "h.db",
        "--new-history",
        "-o",
        "d1.jsonl",
        cwd=tmp_path,
    )
    assert day1.returncode == 0, day1.stderr
    assert (tmp_path / "d1.jsonl").read_text(encoding="utf-8") == "".join(whole[:100])

    day2 = run("assess", "day2.jsonl", "--history", "h.db", "-o", "d2.jsonl", cwd=tmp_path)
    assert day2.returncode == 0, day2.stderr
    with_history = (tmp_path / "d2.jsonl").read_text(encoding="utf-8")
    assert with_history == "".join(whole[100:])
    assert history_size(tmp_path / "h.db") == recorded(decisions_in(synth_decisions))

    # The history mattered: without it, day 2 misses day 1's incidents.
    alone = run("assess", "day2.jsonl", cwd=tmp_path)
    assert alone.returncode == 0, alone.stderr
    remembered = decisions_in(with_history)
    forgotten = decisions_in(alone.stdout)
    assert sum(d.repeat_victim for d in forgotten) < sum(d.repeat_victim for d in remembered)

    # Running day 2 again changes nothing.
    stored = history_dump(tmp_path / "h.db")
    again = run("assess", "day2.jsonl", "--history", "h.db", "-o", "d2b.jsonl", cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    repeated = decisions_in((tmp_path / "d2b.jsonl").read_text(encoding="utf-8"))
    assert repeated == remembered
    assert [d.repeat_victim for d in repeated] == [d.repeat_victim for d in remembered]
    assert marac_referred(repeated) == marac_referred(remembered)
    assert history_dump(tmp_path / "h.db") == stored


def test_history_unstorable_id_is_rejected_not_fatal(tmp_path: Path) -> None:
    src = example_lines()
    odd = json.loads(src[5])
    odd["incident"]["victim"]["id"] = "V\ud800"
    (tmp_path / "in.jsonl").write_text(
        f"{src[0]}\n{json.dumps(odd)}\n{src[6]}\n", encoding="utf-8"
    )
    result = run(
        "assess", "in.jsonl", "--history", "h.db", "--new-history", "-o", "out.jsonl", cwd=tmp_path
    )
    assert "Traceback" not in result.stderr
    decided = decisions_in((tmp_path / "out.jsonl").read_text(encoding="utf-8"))
    rejected = rejects_in(tmp_path / "out.rejects.jsonl")
    assert len(decided) + len(rejected) == 3
    assert "nothing lost" in result.stderr


# --- a crash mid-run --------------------------------------------------------------------

CRASHING = """
import os, sys
import dapolicy.cli as cli
import dapolicy.batch as command

# Taken before the run, so the batch's guard (a plug-in's os._exit rejects its line)
# does not stand in for it: this one ends the process, as a kill would.
_exit = os._exit
mode, at, chunk = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
command.CHUNK = chunk
assess_line = command.assess_line
seen = 0

def crashing(*args):
    global seen
    seen += 1
    if seen == at:
        if mode == "exit":
            _exit(70)  # as if killed: no cleanup, no flush, no rollback
        raise RuntimeError("simulated crash")
    return assess_line(*args)

command.assess_line = crashing
cli.cli.main(args=sys.argv[4:], prog_name="dapolicy")
"""


@pytest.mark.parametrize("mode", ["raise", "exit"])
def test_crash_mid_run_then_rerun(
    tmp_path: Path, synth_all: Path, synth_decisions: str, mode: str
) -> None:
    chunk, at = 32, 150  # chunks 1-4 (128 cases) are committed; the crash is in chunk 5
    committed = 4 * chunk
    lines = synth_all.read_text(encoding="utf-8").splitlines(keepends=True)
    (tmp_path / "all.jsonl").write_text("".join(lines), encoding="utf-8")
    (tmp_path / "first.jsonl").write_text("".join(lines[:committed]), encoding="utf-8")
    (tmp_path / "crashing.py").write_text(CRASHING, encoding="utf-8")

    clean = run(
        "assess",
        "all.jsonl",
        "--history",
        "clean.db",
        "--new-history",
        "-o",
        "c.jsonl",
        cwd=tmp_path,
    )
    assert clean.returncode == 0, clean.stderr
    clean_out = (tmp_path / "c.jsonl").read_text(encoding="utf-8")
    assert clean_out == synth_decisions
    partial = run(
        "assess", "first.jsonl", "--history", "partial.db", "--new-history", cwd=tmp_path
    )
    assert partial.returncode == 0, partial.stderr

    (tmp_path / "d.jsonl").write_text("yesterday\n", encoding="utf-8")
    command = ["assess", "all.jsonl", "--history", "h.db", "--new-history", "-o", "d.jsonl"]
    crashed = run_argv(
        [sys.executable, "crashing.py", mode, str(at), str(chunk), *command], cwd=tmp_path
    )
    if mode == "exit":
        assert crashed.returncode == 70, crashed.stderr
    else:
        assert crashed.returncode == 1
        assert "simulated crash" in crashed.stderr
    # The history holds exactly the committed chunks; the open one was rolled back.
    assert history_dump(tmp_path / "h.db") == history_dump(tmp_path / "partial.db")
    assert history_size(tmp_path / "h.db") == recorded(decisions_in(clean_out)[:committed])
    # The output is all or nothing: the crashed run left the previous file as it was.
    assert (tmp_path / "d.jsonl").read_text(encoding="utf-8") == "yesterday\n"
    left = sorted(p.name for p in tmp_path.glob(".d.jsonl.*.part"))
    if mode == "raise":  # an exception: the temporary file was removed
        assert left == []
    else:  # killed outright: a hidden temporary file may remain, never the output itself
        assert len(left) <= 1

    rerun = run("assess", "all.jsonl", "--history", "h.db", "-o", "d.jsonl", cwd=tmp_path)
    assert rerun.returncode == 0, rerun.stderr
    assert_summary(rerun.stderr, 200, 200, 0)
    assert (tmp_path / "d.jsonl").read_text(encoding="utf-8") == clean_out
    assert history_dump(tmp_path / "h.db") == history_dump(tmp_path / "clean.db")


# --- explain ----------------------------------------------------------------------------


def _when(moment: Any) -> str:
    return moment.astimezone(LONDON).strftime("%a %d %b %Y %H:%M %Z")


@pytest.mark.parametrize(("line", "zone"), [(3, "BST"), (1, "GMT")])
def test_explain_one_case(tmp_path: Path, line: int, zone: str) -> None:
    (tmp_path / "case.json").write_text(example_lines()[line - 1], encoding="utf-8")
    result = run("explain", "case.json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    text = result.stdout
    # The same case through assess, alone, gives the decision explain must explain.
    assessed = run("assess", "case.json", cwd=tmp_path)
    assert assessed.returncode == 0, assessed.stderr
    (decision,) = decisions_in(assessed.stdout)

    assert f"Risk grade: {decision.grade.value.upper()}" in text
    assert decision.reasons
    for reason in decision.reasons:
        assert f"[{reason.rule}; {reason.source}]" in text
    assert "Referrals:" in text
    for referral in decision.referrals:
        assert referral.destination.value in text
        for reason in referral.reasons:
            assert reason.rule in text
    assert "Tasks:" in text
    assert decision.tasks
    for task in decision.tasks:
        assert f"due {_when(task.due_by)}" in text
    assert re.search(rf"due \w{{3}} \d\d \w{{3}} \d{{4}} \d\d:\d\d {zone}\b", text)
    assert decision.policy_fingerprint in text
    assert result.stderr == ""


def test_explain_bad_file_names_the_file_and_the_json_path(tmp_path: Path) -> None:
    record = example_records()[2]
    record["incident"]["children"] = [{"id": "C9", "age": "four"}]
    (tmp_path / "bad.json").write_text(json.dumps(record), encoding="utf-8")
    result = run("explain", "bad.json", cwd=tmp_path)
    assert result.returncode == 2
    assert "bad.json" in result.stderr
    assert "$.incident.children[0].age" in result.stderr
    assert result.stdout == ""
    assert "Traceback" not in result.stderr


def test_explain_not_json(tmp_path: Path) -> None:
    (tmp_path / "bad.json").write_text(example_lines()[2][:300], encoding="utf-8")
    result = run("explain", "bad.json", cwd=tmp_path)
    assert result.returncode == 2
    assert "bad.json" in result.stderr
    assert "not valid JSON" in result.stderr


def test_explain_missing_file(tmp_path: Path) -> None:
    result = run("explain", "nowhere.json", cwd=tmp_path)
    assert result.returncode == 2
    assert "cannot read nowhere.json" in result.stderr
    assert "Traceback" not in result.stderr


def test_explain_accepts_a_byte_order_mark(tmp_path: Path) -> None:
    (tmp_path / "case.json").write_bytes(b"\xef\xbb\xbf" + example_lines()[2].encode("utf-8"))
    assessed = run("assess", "case.json", cwd=tmp_path)
    assert assessed.returncode == 0, assessed.stderr
    result = run("explain", "case.json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Risk grade:" in result.stdout


# --- plugins ----------------------------------------------------------------------------


def test_plugins_lists_every_built_in(tmp_path: Path) -> None:
    result = run("plugins", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    rows = {line.split()[0]: line for line in result.stdout.splitlines() if line.strip()}
    policy = Policy()
    for name, _module in DEFAULT_PLUGINS:
        assert name in rows, name
        row = rows[name]
        assert f"dapolicy {__version__}" in row
        hooks = [h.removeprefix("dapolicy_") for h in policy.hooks_of(name)]
        assert hooks, name
        assert row.rstrip().endswith(", ".join(hooks)), row


def test_plugins_with_a_bad_policy(tmp_path: Path) -> None:
    (tmp_path / "force.toml").write_text('[plugins]\nblock = ["dahs"]\n', encoding="utf-8")
    result = run("plugins", "--policy", "force.toml", cwd=tmp_path)
    assert result.returncode == 2
    assert "plugins.block[0]" in result.stderr
    assert result.stdout == ""


def test_plugins_blocked_by_the_policy_are_not_listed(tmp_path: Path) -> None:
    (tmp_path / "force.toml").write_text('[plugins]\nblock = ["dial"]\n', encoding="utf-8")
    result = run("plugins", "--policy", "force.toml", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    names = {line.split()[0] for line in result.stdout.splitlines() if line.strip()}
    assert "dial" not in names
    assert "dash" in names


# --- synth ------------------------------------------------------------------------------


def test_synth_is_deterministic(tmp_path: Path) -> None:
    one = run("synth", "--n", 50, "--seed", 7, "-o", "a.jsonl", cwd=tmp_path)
    two = run("synth", "--n", 50, "--seed", 7, cwd=tmp_path)
    other = run("synth", "--n", 50, "--seed", 8, cwd=tmp_path)
    assert one.returncode == two.returncode == other.returncode == 0, one.stderr
    first = (tmp_path / "a.jsonl").read_bytes()
    assert first == two.stdout.encode("utf-8")
    assert other.stdout.encode("utf-8") != first
    lines = first.decode("utf-8").splitlines()
    assert len(lines) == 50
    for line in lines:
        from_json(Case, line)
    assert "50 cases" in one.stderr
    assert "seed 7" in one.stderr


def test_synth_unknown_profile(tmp_path: Path) -> None:
    result = run("synth", "--n", 5, "--profile", "kent-2099", cwd=tmp_path)
    assert result.returncode == 2
    assert "kent-2099" in result.stderr
    for known in PROFILES:
        assert known in result.stderr
    assert result.stdout == ""


def test_synth_totals(tmp_path: Path) -> None:
    result = run(
        "synth", "--n", 50, "--seed", 7, "-o", "c.jsonl", "--totals", "t.json", cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    totals = from_json(ForceTotals, (tmp_path / "t.json").read_text(encoding="utf-8"))
    assert isinstance(totals, ForceTotals)


def test_synth_rejects_a_negative_count(tmp_path: Path) -> None:
    result = run("synth", "--n", -1, cwd=tmp_path)
    assert result.returncode == 2
    assert "--n" in result.stderr


# --- audit ------------------------------------------------------------------------------


def test_audit_writes_text_html_and_json(tmp_path: Path) -> None:
    made = run(
        "synth", "--n", 60, "--seed", 5, "-o", "c.jsonl", "--totals", "t.json", cwd=tmp_path
    )
    assert made.returncode == 0, made.stderr
    outputs = ["--totals", "t.json", "--html", "r.html", "--json", "r.json"]
    result = run("audit", "c.jsonl", *outputs, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Domestic-abuse audit")
    assert "60 cases" in result.stdout
    html = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>")
    assert "<svg" in html
    report = from_json(AuditReport, (tmp_path / "r.json").read_text(encoding="utf-8"))
    assert report.cases == 60
    assert report.totals == from_json(
        ForceTotals, (tmp_path / "t.json").read_text(encoding="utf-8")
    )
    assert "60 lines = 60 cases + 0 rejected" in result.stderr
    assert not (tmp_path / "audit.rejects.jsonl").exists()


def test_audit_bad_line_is_kept_in_the_rejects_file(tmp_path: Path) -> None:
    made = run("synth", "--n", 20, "--seed", 5, "-o", "c.jsonl", cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    lines = (tmp_path / "c.jsonl").read_text(encoding="utf-8").splitlines()
    broken = json.loads(lines[6])
    broken["incident"]["reported_at"] = "yesterday"
    lines[6] = json.dumps(broken)
    (tmp_path / "c.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = run("audit", "c.jsonl", "--json", "r.json", cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    (reject,) = rejects_in(tmp_path / "audit.rejects.jsonl")
    assert reject["line"] == 7
    assert reject["record"] == broken
    assert any(e["path"] == "$.incident.reported_at" for e in reject["errors"])
    assert "20 lines = 19 cases + 1 rejected" in result.stderr
    report = from_json(AuditReport, (tmp_path / "r.json").read_text(encoding="utf-8"))
    assert report.cases == 19


def test_audit_reject_with_a_lone_surrogate_is_kept(tmp_path: Path) -> None:
    src = example_lines()
    bad = json.loads(src[5])
    bad["incident"]["attending_officer"] = "PC-\ud800"
    bad["incident"]["children"] = 5
    (tmp_path / "in.jsonl").write_text(
        f"{src[0]}\n{json.dumps(bad)}\n{src[6]}\n", encoding="utf-8"
    )
    result = run("audit", "in.jsonl", cwd=tmp_path)
    assert "Traceback" not in result.stderr
    assert result.returncode == 1
    assert [r["line"] for r in rejects_in(tmp_path / "audit.rejects.jsonl")] == [2]
    assert "3 lines = 2 cases + 1 rejected" in result.stderr


def test_audit_bad_totals_file(tmp_path: Path) -> None:
    (tmp_path / "t.json").write_text('{"all_calls": "many"}', encoding="utf-8")
    result = run("audit", EXAMPLES, "--totals", "t.json", cwd=tmp_path)
    assert result.returncode == 2
    assert "t.json" in result.stderr
    assert "$.all_calls" in result.stderr
    assert result.stdout == ""


# --- parallel runs ------------------------------------------------------------------------


@pytest.mark.parametrize("jobs", ["2", "3", "0"])
def test_parallel_run_writes_exactly_the_single_process_output(
    tmp_path: Path, synth_all: Path, jobs: str
) -> None:
    mixed = tmp_path / "mixed.jsonl"
    lines = synth_all.read_bytes().splitlines(keepends=True)
    # rejects interleaved with valid cases, so both streams are merged back in order
    mixed.write_bytes(b"".join([*lines[:50], b"not json\n", *lines[50:120], b"\n", *lines[120:]]))
    one = run("assess", mixed, "-o", "one.jsonl", "--no-progress", cwd=tmp_path)
    many = run("assess", mixed, "-o", "many.jsonl", "--jobs", jobs, cwd=tmp_path)
    assert one.returncode == many.returncode == 1
    assert (tmp_path / "many.jsonl").read_bytes() == (tmp_path / "one.jsonl").read_bytes()
    many_rejects = (tmp_path / "many.rejects.jsonl").read_text(encoding="utf-8")
    assert many_rejects == (tmp_path / "one.rejects.jsonl").read_text(encoding="utf-8")
    assert [json.loads(r)["line"] for r in many_rejects.splitlines()] == [51, 122]
    total = len(lines) + 2
    assert f"{total} = {total - 2} + 2: nothing lost" in many.stderr


def test_jobs_with_a_history_is_refused_before_anything_is_written(
    tmp_path: Path, synth_all: Path
) -> None:
    result = run(
        "assess", synth_all, "-o", "out.jsonl", "--jobs", "2", "--history", "h.db", cwd=tmp_path
    )
    assert result.returncode == 2
    assert "--jobs and --history cannot be used together" in result.stderr
    assert not (tmp_path / "out.jsonl").exists()
    assert not (tmp_path / "h.db").exists()
