"""``--history`` through the installed command: one writer, checked whole, made only on request.

Issue 9 items 8 and 9: two ``assess --history x.db`` at once both ran and interleaved; a
file holding only the schema table was accepted and written to, and the existing output
emptied before exit 2; a file failing ``PRAGMA quick_check`` was used; ``--history`` for
a missing file silently created an empty history, even for ``explain``.
"""

from __future__ import annotations

import importlib.util
import json
import os
import sqlite3
import stat
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from contextlib import closing, contextmanager
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType
from typing import Any

from dapolicy.sqlite_history import SQLiteHistory

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = REPO / "examples" / "cases.jsonl"
TIMEOUT = 120


def run(*args: object, cwd: Path) -> subprocess.CompletedProcess[str]:
    """``python -m dapolicy ARGS`` in ``cwd``."""
    return subprocess.run(
        [sys.executable, "-m", "dapolicy", *map(str, args)],
        cwd=cwd,
        capture_output=True,
        text=True,
        encoding="utf-8",
        errors="replace",
        timeout=TIMEOUT,
        env={**os.environ, "PYTHONIOENCODING": "utf-8"},
        check=False,
    )


def one_case(tmp_path: Path) -> Path:
    case = tmp_path / "case.json"
    case.write_text(EXAMPLES.read_text(encoding="utf-8").splitlines()[2], encoding="utf-8")
    return case


def outputs(tmp_path: Path) -> dict[str, str]:
    """Yesterday's outputs, already there: a refused run must leave them as they are."""
    files = {"d.jsonl": "yesterday's decisions\n", "d.rejects.jsonl": "yesterday's rejects\n"}
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    return files


def assert_untouched(tmp_path: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        assert (tmp_path / name).read_text(encoding="utf-8") == text, name


def refused(result: subprocess.CompletedProcess[str], *, message: str) -> None:
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert message in result.stderr, result.stderr


def new_history(tmp_path: Path, name: str = "h.db") -> Path:
    made = run(
        "assess", EXAMPLES, "--history", name, "--new-history", "-o", "0.jsonl", cwd=tmp_path
    )
    assert made.returncode == 0, made.stderr
    return tmp_path / name


# --- made only when asked ----------------------------------------------------------------


def test_a_missing_history_is_not_created_without_new_history(tmp_path: Path) -> None:
    files = outputs(tmp_path)
    result = run("assess", EXAMPLES, "--history", "h.db", "-o", "d.jsonl", cwd=tmp_path)
    refused(result, message="history file 'h.db' does not exist")
    assert "--new-history" in result.stderr
    assert not (tmp_path / "h.db").exists()
    assert not (tmp_path / "h.db.lock").exists()
    assert_untouched(tmp_path, files)
    explained = run("explain", one_case(tmp_path), "--history", "h.db", cwd=tmp_path)
    refused(explained, message="history file 'h.db' does not exist")
    assert explained.stdout == ""
    assert sorted(p.name for p in tmp_path.iterdir()) == ["case.json", *sorted(files)]


def test_new_history_creates_one_0600_and_refuses_an_existing_one(tmp_path: Path) -> None:
    made = new_history(tmp_path)
    assert stat.S_IMODE(made.stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "h.db.lock").stat().st_mode) == 0o600
    before = made.read_bytes()
    files = outputs(tmp_path)
    again = run(
        "assess", EXAMPLES, "--history", "h.db", "--new-history", "-o", "d.jsonl", cwd=tmp_path
    )
    refused(again, message="history file 'h.db' already exists: --new-history only creates")
    assert made.read_bytes() == before
    assert_untouched(tmp_path, files)
    used = run("assess", EXAMPLES, "--history", "h.db", "-o", "d.jsonl", cwd=tmp_path)
    assert used.returncode == 0, used.stderr
    lonely = run("assess", EXAMPLES, "--new-history", "-o", "d.jsonl", cwd=tmp_path)
    refused(lonely, message="--new-history needs --history PATH")


def test_an_empty_file_is_not_taken_for_a_history(tmp_path: Path) -> None:
    (tmp_path / "h.db").write_bytes(b"")
    result = run("assess", EXAMPLES, "--history", "h.db", "-o", "d.jsonl", cwd=tmp_path)
    refused(result, message="history file 'h.db' is empty")
    assert (tmp_path / "h.db").read_bytes() == b""
    ok = run(
        "assess", EXAMPLES, "--history", "h.db", "--new-history", "-o", "d.jsonl", cwd=tmp_path
    )
    assert ok.returncode == 0, ok.stderr  # an empty file may be made a new history


# --- checked whole, before any output is touched ----------------------------------------


def test_a_file_holding_only_the_schema_table_is_refused_and_nothing_touched(
    tmp_path: Path,
) -> None:
    with closing(sqlite3.connect(tmp_path / "h.db")) as connection:
        connection.execute("CREATE TABLE dapolicy_schema (version INTEGER NOT NULL)")
        connection.execute("INSERT INTO dapolicy_schema VALUES (2)")
        connection.commit()
    before = (tmp_path / "h.db").read_bytes()
    files = outputs(tmp_path)
    result = run("assess", EXAMPLES, "--history", "h.db", "-o", "d.jsonl", cwd=tmp_path)
    refused(result, message="history file 'h.db' is not a whole dapolicy history")
    assert (tmp_path / "h.db").read_bytes() == before
    assert_untouched(tmp_path, files)


def test_a_file_failing_the_integrity_check_is_refused_and_nothing_touched(
    tmp_path: Path,
) -> None:
    history = new_history(tmp_path)
    with closing(sqlite3.connect(history)) as connection:
        connection.execute("PRAGMA ignore_check_constraints = 1")
        connection.execute("UPDATE incidents SET occurred_us = 'soon'")
        connection.commit()
    before = history.read_bytes()
    files = outputs(tmp_path)
    for command in (
        ["assess", EXAMPLES, "--history", "h.db", "-o", "d.jsonl"],
        ["explain", one_case(tmp_path), "--history", "h.db"],
    ):
        result = run(*command, cwd=tmp_path)
        refused(result, message="fails SQLite's integrity check")
        assert "history file 'h.db'" in result.stderr
        assert history.read_bytes() == before
    assert_untouched(tmp_path, files)


def test_explain_never_writes_the_history(tmp_path: Path) -> None:
    history = new_history(tmp_path)
    before = history.read_bytes(), history.stat().st_mtime_ns
    result = run("explain", one_case(tmp_path), "--history", "h.db", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Risk grade" in result.stdout
    assert (history.read_bytes(), history.stat().st_mtime_ns) == before


# --- one writer at a time ----------------------------------------------------------------

#: What a running ``assess --history`` holds from its first chunk to its last: the
#: command's own opening of the history, kept open until told to go on.
RUNNING = """
import sys
from pathlib import Path
from dapolicy.cli._common import _history
with _history(Path(sys.argv[1])) as history:
    print("running", flush=True)
    sys.stdin.readline()
"""


@contextmanager
def another_assess_running(history: Path) -> Iterator[None]:
    process = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(RUNNING), str(history)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        assert process.stdout.readline() == "running\n", process.communicate(timeout=20)
        yield
    finally:
        process.communicate("go\n", timeout=20)
    assert process.returncode == 0


def test_a_second_writer_is_refused_before_it_writes_anything(tmp_path: Path) -> None:
    history = new_history(tmp_path)
    files = outputs(tmp_path)
    with another_assess_running(history):
        before = history.read_bytes()
        result = run("assess", EXAMPLES, "--history", "h.db", "-o", "d.jsonl", cwd=tmp_path)
        refused(result, message="history file 'h.db' is in use by another process")
        assert history.read_bytes() == before
        assert_untouched(tmp_path, files)
        # Readers are not writers: explain reads the history as last committed.
        explained = run("explain", one_case(tmp_path), "--history", "h.db", cwd=tmp_path)
        assert explained.returncode == 0, explained.stderr
    after = run("assess", EXAMPLES, "--history", "h.db", "-o", "d.jsonl", cwd=tmp_path)
    assert after.returncode == 0, after.stderr  # the lock went with the first run


def test_two_runs_at_once_never_both_write(tmp_path: Path) -> None:
    new_history(tmp_path)
    argv = [sys.executable, "-m", "dapolicy", "assess", str(EXAMPLES), "--history", "h.db"]
    runs = [
        subprocess.Popen(
            [*argv, "-o", f"{n}.jsonl"],
            cwd=tmp_path,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for n in range(2)
    ]
    codes = []
    for process in runs:
        _, errors = process.communicate(timeout=TIMEOUT)
        assert "Traceback" not in errors
        codes.append(process.returncode)
        if process.returncode == 2:
            assert "is in use by another process" in errors
    # Either they ran one after the other (both 0), or one was refused: never both at once.
    assert sorted(codes) in ([0, 0], [0, 2])


# --- the upgrade of a version 1 file -------------------------------------------------------


def _file_tests() -> ModuleType:
    """tests/test_sqlite_history_file.py, for its copy of the version 1 schema."""
    path = Path(__file__).with_name("test_sqlite_history_file.py")
    spec = importlib.util.spec_from_file_location("_history_file_tests", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_assess_upgrades_a_version_1_history_and_says_where_the_copy_is(tmp_path: Path) -> None:
    history = _file_tests().v1_file(tmp_path / "h.db")
    explained = run("explain", one_case(tmp_path), "--history", "h.db", cwd=tmp_path)
    refused(explained, message="history file 'h.db' has schema version 1")
    assert "open it for writing once" in explained.stderr
    assert not (tmp_path / "h.db.v1.bak").exists()
    result = run("assess", EXAMPLES, "--history", "h.db", "-o", "d.jsonl", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "history file 'h.db' was upgraded to schema version 4" in result.stderr
    assert "kept in 'h.db.v1.bak'" in result.stderr
    with closing(sqlite3.connect(tmp_path / "h.db.v1.bak")) as backup:
        assert backup.execute("SELECT version FROM dapolicy_schema").fetchall() == [(1,)]
    with closing(sqlite3.connect(history)) as upgraded:
        assert upgraded.execute("SELECT version FROM dapolicy_schema").fetchall() == [(4,)]
        # The version 1 entries are there, known from their own time.
        assert upgraded.execute(
            "SELECT recorded_us = occurred_us FROM incidents WHERE incident_id = 'I-1'"
        ).fetchall() == [(1,)]
    explained = run("explain", one_case(tmp_path), "--history", "h.db", cwd=tmp_path)
    assert explained.returncode == 0, explained.stderr


# --- two clocks, through the command -------------------------------------------------------


def test_an_incident_recorded_later_does_not_change_an_earlier_decision(tmp_path: Path) -> None:
    """Day 2 records an incident that happened before a day-1 case: day 1 re-derives the same.

    With one clock (occurrence only) the day-1 case would now find it in its 12 months
    and become a repeat victim; with two, it was not known when day 1 was decided.
    """
    lines = EXAMPLES.read_text(encoding="utf-8").splitlines()
    (tmp_path / "day1.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    late = json.loads(next(line for line in lines if '"INC-2024-0005"' in line))
    late["incident"].update(
        id="INC-LATE",
        occurred_at="2024-03-01T20:00:00+00:00",  # before INC-2024-0005 (9 March)
        reported_at="2024-12-15T10:00:00+00:00",  # and reported long after it
        call_id=None,
    )
    late["incident"]["crime"] = None
    late.update(form=None, call=None, graded_at=None, recorded_grade=None)
    (tmp_path / "day2.jsonl").write_text(json.dumps(late) + "\n", encoding="utf-8")

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
    day2 = run("assess", "day2.jsonl", "--history", "h.db", "-o", "d2.jsonl", cwd=tmp_path)
    assert day2.returncode == 0, day2.stderr
    with closing(sqlite3.connect(tmp_path / "h.db")) as connection:
        assert connection.execute(
            "SELECT COUNT(*) FROM incidents WHERE incident_id = 'INC-LATE'"
        ).fetchall() == [(1,)]
    # It is in INC-2024-0005's 12-month window: only the second clock keeps it out.
    window: dict[str, Any] = {
        "since": datetime(2023, 3, 9, tzinfo=UTC),
        "until": datetime(2024, 3, 9, 13, 20, tzinfo=UTC),
        "exclude": "INC-2024-0005",
    }
    with SQLiteHistory(tmp_path / "h.db", mode="ro") as history:
        known_later = history.incidents(
            "V003", **window, known_at=datetime(2025, 1, 1, tzinfo=UTC)
        )
        day1_time = datetime(2024, 3, 9, 15, 0, tzinfo=UTC)  # INC-2024-0005's form
        known_then = history.incidents("V003", **window, known_at=day1_time)
    assert [e.incident_id for e in known_later] == ["INC-LATE"]
    assert known_then == []
    # Every day-1 decision re-derived over the history that now holds day 2: all equal.
    verified = run("verify", "day1.jsonl", "d1.jsonl", "--history", "h.db", cwd=tmp_path)
    assert verified.returncode == 0, verified.stdout + verified.stderr
    # And explain, over the same history, shows INC-2024-0005 as on day 1.
    (tmp_path / "case.json").write_text(json.dumps(json.loads(lines[4])), encoding="utf-8")
    assert '"INC-2024-0005"' in lines[4]
    explained = run("explain", "case.json", "--history", "h.db", "--json", cwd=tmp_path)
    assert explained.returncode == 0, explained.stderr
    decided = json.loads(explained.stdout)
    decision = decided.get("decision", decided)
    day1_decision = next(
        json.loads(line)
        for line in (tmp_path / "d1.jsonl").read_text(encoding="utf-8").splitlines()
        if '"INC-2024-0005"' in line
    )
    assert decision["repeat_victim"] is day1_decision["repeat_victim"] is False


def test_new_history_takes_the_empty_database_a_killed_creation_leaves(tmp_path: Path) -> None:
    # Found by the hostile tester: `assess --history h.db --new-history` killed (kill -9)
    # after the switch to WAL and before the schema left a 4096-byte database holding
    # nothing; a rerun with --new-history said "already exists", one without said "is
    # empty": no way on but deleting the file by hand.
    with closing(sqlite3.connect(tmp_path / "h.db")) as connection:
        connection.execute("PRAGMA journal_mode = WAL")
    assert (tmp_path / "h.db").stat().st_size > 0
    without = run("assess", EXAMPLES, "--history", "h.db", "-o", "d.jsonl", cwd=tmp_path)
    refused(without, message="history file 'h.db' is empty")
    ok = run(
        "assess", EXAMPLES, "--history", "h.db", "--new-history", "-o", "d.jsonl", cwd=tmp_path
    )
    assert ok.returncode == 0, ok.stderr
    clean = run("assess", EXAMPLES, "-o", "clean.jsonl", cwd=tmp_path)
    assert clean.returncode == 0, clean.stderr
    assert (tmp_path / "d.jsonl").read_bytes() == (tmp_path / "clean.jsonl").read_bytes()
    again = run("assess", EXAMPLES, "--history", "h.db", "-o", "d2.jsonl", cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    assert (tmp_path / "d2.jsonl").read_bytes() == (tmp_path / "clean.jsonl").read_bytes()


def test_new_history_still_refuses_a_database_that_holds_anything(tmp_path: Path) -> None:
    with closing(sqlite3.connect(tmp_path / "h.db")) as connection:
        connection.execute("CREATE TABLE notes (x)")
    before = (tmp_path / "h.db").read_bytes()
    result = run(
        "assess", EXAMPLES, "--history", "h.db", "--new-history", "-o", "d.jsonl", cwd=tmp_path
    )
    refused(result, message="history file 'h.db' already exists: --new-history only creates")
    assert (tmp_path / "h.db").read_bytes() == before
