"""Fuzz: damaged, truncated, garbage and foreign history files are refused cleanly.

Each file is a dapolicy history damaged one way or another (cut short, bytes flipped or
overwritten, its header broken), random bytes, or some other SQLite database, and is
given to :class:`~dapolicy.sqlite_history.SQLiteHistory` in every mode and to the
installed ``dapolicy assess --history`` and ``dapolicy explain --history``. It ends in
one of two ways: a clean refusal (a ``HistoryError`` naming the file; exit status 2 with
a message naming it, no traceback), and then the file is exactly as it was and no
output was written; or, when the damage touched nothing the history uses (a free page,
say), a history that answers every question without any other error.

Seeded (``derandomize=True``) and bounded: ``max_examples`` is multiplied by the
environment variable ``DAPOLICY_FUZZ_SCALE`` (default 1; ``nox -s fuzz`` sets 20).
"""

from __future__ import annotations

import contextlib
import functools
import shutil
import sqlite3
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from _command import run_dapolicy
from _scale import fuzz_settings
from hypothesis import event, given
from hypothesis import strategies as st

from dapolicy.history import CallEntry, HistoryEntry, MaracReferralEntry
from dapolicy.sqlite_history import HistoryError, SQLiteHistory

REPO = Path(__file__).resolve().parents[2]
CASES = REPO / "examples" / "cases.jsonl"
T = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
LATER = datetime(2100, 1, 1, tzinfo=UTC)
EVER: dict[str, Any] = {
    "since": datetime(2000, 1, 1, tzinfo=UTC),
    "until": LATER,
    "known_at": LATER,
}
VICTIMS = [f"V-{n}" for n in range(40)]


@functools.cache
def healthy() -> bytes:
    """A whole history of a few pages: what the damage is done to."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "h.db"
        with SQLiteHistory(path) as history, history.transaction():
            for n in range(600):
                victim = VICTIMS[n % len(VICTIMS)]
                at = T + timedelta(hours=n)
                history.record_incident(HistoryEntry(f"I-{n}", victim, "S", at, n % 2 == 0))
                if n % 7 == 0:
                    history.record_marac_referral(MaracReferralEntry(victim, "S", at, f"I-{n}"))
                if n % 5 == 0:
                    history.record_call(CallEntry(f"C-{n}", at, victim, f"L-{n % 9}"))
        return path.read_bytes()


def _foreign(tables: list[tuple[str, list[str]]], version: object) -> bytes:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "other.db"
        with contextlib.closing(sqlite3.connect(path)) as connection:
            for name, columns in tables:
                connection.execute(f'CREATE TABLE "{name}" ({", ".join(columns)})')
                connection.execute(
                    f'INSERT INTO "{name}" VALUES ({", ".join("?" * len(columns))})',
                    [version] * len(columns),
                )
            connection.commit()
        return path.read_bytes()


names = st.sampled_from(
    ["dapolicy_schema", "incidents", "calls", "marac_referrals", "patients", "x"]
)
columns = st.lists(
    st.sampled_from(["version", "incident_id", "victim_id", "occurred_us", "name"]),
    min_size=1,
    max_size=4,
    unique=True,
)
foreign = st.builds(
    _foreign,
    st.lists(st.tuples(names, columns), min_size=1, max_size=4, unique_by=lambda t: t[0]),
    st.one_of(st.integers(-3, 5), st.just("two"), st.none(), st.binary(max_size=4)),
)


@st.composite
def damaged(draw: st.DrawFn) -> bytes:
    """A history with one kind of damage, or bytes that were never one."""
    data = bytearray(healthy())
    kind = draw(st.sampled_from(["cut", "flip", "overwrite", "header", "garbage", "foreign"]))
    event(f"damage: {kind}")
    if kind == "cut":
        return bytes(data[: draw(st.integers(0, len(data) - 1))])
    if kind == "flip":
        for at in draw(st.lists(st.integers(0, len(data) - 1), min_size=1, max_size=40)):
            data[at] ^= draw(st.integers(1, 255))
        return bytes(data)
    if kind == "overwrite":
        start = draw(st.integers(0, len(data) - 1))
        noise = draw(st.binary(min_size=1, max_size=5000))
        data[start : start + len(noise)] = noise
        return bytes(data[: len(healthy())])
    if kind == "header":
        at = draw(st.integers(0, 99))
        data[at] ^= draw(st.integers(1, 255))
        return bytes(data)
    if kind == "garbage":
        prefix = draw(st.sampled_from([b"", b"SQLite format 3\x00"]))
        return prefix + draw(st.binary(min_size=1, max_size=9000))
    return draw(foreign)


@contextlib.contextmanager
def a_file(content: bytes) -> Iterator[Path]:
    folder = Path(tempfile.mkdtemp(prefix="dapolicy-fuzz-"))
    try:
        path = folder / "history.db"
        path.write_bytes(content)
        yield path
    finally:
        shutil.rmtree(folder)


def _ask_everything(history: SQLiteHistory) -> None:
    """Every kind of question: only a HistoryError may come of it."""
    len(history)
    repr(history)
    for victim in VICTIMS[:8]:
        history.incidents(victim, **EVER)
        history.incidents(victim, suspect_id="S", **EVER)
        history.last_marac_referral(victim, "S", before=LATER, known_at=LATER)
        history.calls(caller_id=victim, **EVER)
    history.calls(location_id="L-1", **EVER)


def _opened(path: Path, mode: Any, exclusive: bool) -> SQLiteHistory | str:
    """The history, or the message it was refused with."""
    try:
        return SQLiteHistory(path, mode=mode, exclusive=exclusive and mode != "ro")
    except HistoryError as exc:
        return str(exc)


def _answers(history: SQLiteHistory) -> str:
    """ "ok", or the message of the HistoryError a question ended in."""
    try:
        _ask_everything(history)
    except HistoryError as exc:
        return str(exc)
    return "ok"


@fuzz_settings(60)
@given(damaged(), st.sampled_from(["ro", "rw", "rwc"]), st.booleans())
def test_the_library_refuses_a_damaged_file_cleanly_and_leaves_it_alone(
    content: bytes, mode: Any, exclusive: bool
) -> None:
    with a_file(content) as path:
        opened = _opened(path, mode, exclusive)
        event("refused at open" if isinstance(opened, str) else "opened")
        if isinstance(opened, str):
            assert str(path) in opened
            assert path.read_bytes() == content  # refused: exactly as it was found
            return
        with opened:
            answered = _answers(opened)
            event("answered" if answered == "ok" else "refused by a question")
            assert answered == "ok" or str(path) in answered
        if mode == "ro":
            assert path.read_bytes() == content  # read-only: never written


def _outputs(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.suffix == ".jsonl" or ".jsonl." in p.name)


@fuzz_settings(4)
@given(damaged(), st.sampled_from(["assess", "explain"]))
def test_the_command_refuses_a_damaged_history_with_exit_2_and_touches_nothing(
    content: bytes, command: str
) -> None:
    with a_file(content) as path:
        folder = path.parent
        (folder / "case.json").write_text(
            CASES.read_text(encoding="utf-8").splitlines()[2], encoding="utf-8"
        )
        if command == "assess":
            result = run_dapolicy(
                "assess", CASES, "--history", path.name, "-o", "d.jsonl", cwd=folder
            )
        else:
            result = run_dapolicy("explain", "case.json", "--history", path.name, cwd=folder)
        assert "Traceback" not in result.stderr, result.stderr
        assert result.returncode in (0, 2), result.stderr
        event(f"{command} exit {result.returncode}")
        if result.returncode == 2:
            assert f"history file '{path.name}'" in result.stderr, result.stderr
            assert path.read_bytes() == content
            assert _outputs(folder) == []
            assert result.stdout == ""
        elif command == "explain":
            assert path.read_bytes() == content  # explain never writes the history


def test_the_fuzz_files_include_each_kind_of_damage() -> None:
    """A guard for this file: the healthy history opens, and damage is refused."""
    with a_file(healthy()) as path, SQLiteHistory(path, mode="ro") as history:
        assert len(history) == 600
        _ask_everything(history)
    with a_file(healthy()[:4096]) as path:
        refused = _opened(path, "ro", exclusive=False)
        assert isinstance(refused, str), "a history cut to one page was accepted"
        assert "history.db" in refused
