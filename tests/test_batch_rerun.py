"""A rerun equals one clean run: over a history that holds the decisions, and after kill -9.

With the history's two clocks, a decision sees only what was recorded before its own
time. So running a file again over the history its first run left gives the same bytes,
and a run killed outright at any point (SIGKILL: no cleanup, the open chunk left for
SQLite to roll back) and then run again gives exactly what one clean run gives.
"""

from __future__ import annotations

import contextlib
import os
import random
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from dapolicy import to_json
from dapolicy.synth import synthesize

sys.path.insert(0, str(Path(__file__).with_name("fuzz")))
from _command import run_dapolicy

#: Kills the command with SIGKILL at its N-th decision (0: while the input is indexed).
KILLED = """
import os, signal, sys
import dapolicy.batch as batch
from dapolicy.cli import cli

at, chunk = int(sys.argv[1]), int(sys.argv[2])
batch.CHUNK = chunk
real_decide, real_parse = batch.assess_line, batch.parse_line
seen = 0

def deciding(*args):
    global seen
    seen += 1
    if seen == at:
        os.kill(os.getpid(), signal.SIGKILL)
    return real_decide(*args)

def indexing(*args):
    if at == 0:
        os.kill(os.getpid(), signal.SIGKILL)
    return real_parse(*args)

batch.assess_line, batch.parse_line = deciding, indexing
cli.main(args=sys.argv[3:], prog_name="dapolicy")
"""

CHUNK = 16


def _dump(path: Path) -> list[str]:
    """The whole history file as SQL statements, sorted (row order is not content)."""
    with contextlib.closing(sqlite3.connect(path)) as connection:
        return sorted(connection.iterdump())


@pytest.fixture(scope="module")
def clean(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, bytes, Any]:
    """A shuffled input (with a bad line) and what one clean run makes of it."""
    folder = tmp_path_factory.mktemp("clean")
    lines = [to_json(case) for case in synthesize(120, 29)] + ["{not a case"]
    random.Random(7).shuffle(lines)
    (folder / "in.jsonl").write_text("".join(f"{line}\n" for line in lines), encoding="utf-8")
    result = run_dapolicy(
        "assess", "in.jsonl", "--history", "h.db", "--new-history", "-o", "out.jsonl", cwd=folder
    )
    assert result.returncode == 1, result.stderr  # the bad line
    return folder, (folder / "out.jsonl").read_bytes(), _dump(folder / "h.db")


def test_a_rerun_over_the_history_it_made_gives_the_same_bytes(
    clean: tuple[Path, bytes, Any],
) -> None:
    folder, decisions, history = clean
    again = run_dapolicy(
        "assess", "in.jsonl", "--history", "h.db", "-o", "again.jsonl", cwd=folder
    )
    assert again.returncode == 1, again.stderr
    assert (folder / "again.jsonl").read_bytes() == decisions
    assert _dump(folder / "h.db") == history
    assert decisions.count(b'"repeat_victim":true') > 5  # the history mattered


@pytest.mark.parametrize("at", [0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 3 * CHUNK + 5, 120])
def test_kill_9_at_any_point_then_a_rerun_gives_one_clean_run(
    clean: tuple[Path, bytes, Any], tmp_path: Path, at: int
) -> None:
    folder, decisions, history = clean
    (tmp_path / "in.jsonl").write_bytes((folder / "in.jsonl").read_bytes())
    (tmp_path / "killed.py").write_text(KILLED, encoding="utf-8")
    command = ["assess", "in.jsonl", "--history", "h.db", "-o", "out.jsonl"]
    killed = subprocess.run(
        [sys.executable, "killed.py", str(at), str(CHUNK), *command, "--new-history"],
        cwd=tmp_path,
        capture_output=True,
        timeout=300,
        env={**os.environ, "PYTHONIOENCODING": "utf-8"},
        check=False,
    )
    assert killed.returncode == -signal.SIGKILL
    assert not (tmp_path / "out.jsonl").exists()  # never a partial output
    rerun = run_dapolicy(*command, cwd=tmp_path)
    assert rerun.returncode == 1, rerun.stderr
    assert (tmp_path / "out.jsonl").read_bytes() == decisions
    assert _dump(tmp_path / "h.db") == history
