"""The history file: checked whole at open, upgraded from version 1, locked, created 0600."""

from __future__ import annotations

import os
import random
import sqlite3
import stat
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from dapolicy.history import CallEntry, HistoryEntry, InMemoryHistory, MaracReferralEntry
from dapolicy.sqlite_history import SCHEMA_VERSION, HistoryError, SQLiteHistory

T = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
DAY = timedelta(days=1)
LATER = datetime(2100, 1, 1, tzinfo=UTC)
EVER: dict[str, Any] = {
    "since": datetime(2000, 1, 1, tzinfo=UTC),
    "until": LATER,
    "known_at": LATER,
}

#: The schema dapolicy 0.1 wrote (version 1), as it wrote it: a test of the upgrade must
#: not take it from the code under test.
V1 = (
    "CREATE TABLE dapolicy_schema (version INTEGER NOT NULL)",
    "INSERT INTO dapolicy_schema (version) VALUES (1)",
    """CREATE TABLE incidents (
        incident_id TEXT NOT NULL PRIMARY KEY,
        victim_id TEXT NOT NULL,
        suspect_id TEXT NOT NULL,
        occurred_us INTEGER NOT NULL,
        occurred_at TEXT NOT NULL,
        crime INTEGER NOT NULL CHECK (crime IN (0, 1))
    ) WITHOUT ROWID""",
    "CREATE INDEX incidents_by_victim ON incidents (victim_id, occurred_us, incident_id)",
    """CREATE INDEX incidents_by_pair
        ON incidents (victim_id, suspect_id, occurred_us, incident_id)""",
    """CREATE TABLE marac_referrals (
        victim_id TEXT NOT NULL,
        suspect_id TEXT NOT NULL,
        referred_us INTEGER NOT NULL,
        referred_at TEXT NOT NULL,
        incident_id TEXT NOT NULL,
        PRIMARY KEY (victim_id, suspect_id, referred_us, incident_id)
    ) WITHOUT ROWID""",
    """CREATE TABLE calls (
        call_id TEXT NOT NULL PRIMARY KEY,
        received_us INTEGER NOT NULL,
        received_at TEXT NOT NULL,
        caller_id TEXT,
        location_id TEXT
    ) WITHOUT ROWID""",
    "CREATE INDEX calls_by_caller ON calls (caller_id, received_us, call_id)",
    "CREATE INDEX calls_by_location ON calls (location_id, received_us, call_id)",
    "PRAGMA journal_mode = WAL",
)

V1_ROWS = (
    "INSERT INTO incidents VALUES ('I-1', 'V', 'S', 1714564800000000, "
    "'2024-05-01T12:00:00+00:00', 1)",
    "INSERT INTO incidents VALUES ('I-2', 'V', 'S2', 1714568400000000, "
    "'2024-05-01T14:00:00+01:00', 0)",
    "INSERT INTO marac_referrals VALUES ('V', 'S', 1714564800000000, "
    "'2024-05-01T12:00:00+00:00', 'I-1')",
    "INSERT INTO calls VALUES ('C-1', 1714564800000000, '2024-05-01T12:00:00+00:00', 'P', NULL)",
)


def raw(path: Path, *statements: str) -> list[Any]:
    """Run SQL on the file behind dapolicy's back; the last statement's rows."""
    connection = sqlite3.connect(path, isolation_level=None)
    try:
        rows: list[Any] = []
        for statement in statements:
            rows = connection.execute(statement).fetchall()
        return rows
    finally:
        connection.close()


def v1_file(path: Path) -> Path:
    raw(path, *V1, *V1_ROWS)
    return path


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "history.db"


def snapshot(path: Path) -> tuple[bytes, int]:
    return path.read_bytes(), path.stat().st_mtime_ns


def mode_of(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


# --- creating: only when asked, and 0600 ----------------------------------------------------


def test_a_new_history_and_its_lock_file_are_created_0600(path: Path) -> None:
    old = os.umask(0o022)
    try:
        with SQLiteHistory(path) as history:
            history.record_incident(HistoryEntry("I-1", "V", "S", T))
            assert mode_of(Path(f"{path}-wal")) == 0o600  # SQLite copies the file's mode
    finally:
        os.umask(old)
    assert mode_of(path) == 0o600
    assert mode_of(Path(f"{path}.lock")) == 0o600


@pytest.mark.parametrize("mode", ["ro", "rw"])
def test_a_missing_file_is_not_created_unless_asked(path: Path, mode: Any) -> None:
    with pytest.raises(HistoryError, match="does not exist"):
        SQLiteHistory(path, mode=mode)
    assert sorted(os.listdir(path.parent)) == []  # no history, no lock file


@pytest.mark.parametrize("mode", ["ro", "rw"])
def test_an_empty_file_is_not_taken_for_a_history_unless_asked(path: Path, mode: Any) -> None:
    path.write_bytes(b"")
    with pytest.raises(HistoryError, match="is empty: it holds no history"):
        SQLiteHistory(path, mode=mode)
    assert path.read_bytes() == b""


def test_a_new_history_that_is_refused_leaves_no_file(path: Path) -> None:
    import fcntl

    with Path(f"{path}.lock").open("a") as held:
        fcntl.flock(held, fcntl.LOCK_EX)  # another writer is creating it
        with pytest.raises(HistoryError, match="in use by another process"):
            SQLiteHistory(path)
    assert not path.exists()


# --- checked whole at open, before anything is written ---------------------------------------


def damaged(path: Path, *statements: str) -> Path:
    SQLiteHistory(path).close()
    raw(path, *statements)
    return path


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        # Only the schema table: issue 9 found such a file accepted and written to.
        (
            (
                "DROP TABLE incidents",
                "DROP TABLE marac_referrals",
                "DROP TABLE calls",
            ),
            r"not a whole dapolicy history \(schema version 4\): missing or changed: calls, "
            r"calls_by_caller, calls_by_location, incidents, incidents_by_pair",
        ),
        (("DROP INDEX incidents_by_pair",), "missing or changed: incidents_by_pair"),
        (
            ("CREATE INDEX extra ON incidents (crime)",),
            r"1 table\(s\) or index\(es\) that a history does not have",
        ),
        (("CREATE TABLE notes (text TEXT)",), "that a history does not have"),
        (("ALTER TABLE calls ADD COLUMN note TEXT",), "missing or changed: calls"),
        (("CREATE VIEW everything AS SELECT * FROM incidents",), "does not have"),
    ],
)
def test_a_file_that_is_not_a_whole_history_is_refused_and_left_alone(
    path: Path, damage: tuple[str, ...], message: str
) -> None:
    damaged(path, *damage)
    before = snapshot(path)
    for mode in ("ro", "rw", "rwc"):
        with pytest.raises(HistoryError, match=message) as excinfo:
            SQLiteHistory(path, mode=mode)
        assert str(path) in str(excinfo.value)
        assert snapshot(path) == before


def test_a_file_with_only_the_schema_table_is_refused(path: Path) -> None:
    raw(path, "CREATE TABLE dapolicy_schema (version INTEGER NOT NULL)")
    raw(path, f"INSERT INTO dapolicy_schema VALUES ({SCHEMA_VERSION})")
    before = snapshot(path)
    with pytest.raises(HistoryError, match="not a whole dapolicy history"):
        SQLiteHistory(path)
    assert snapshot(path) == before


def test_statistics_from_analyze_are_no_reason_to_refuse(path: Path) -> None:
    with SQLiteHistory(path) as history:
        history.record_incident(HistoryEntry("I-1", "V", "S", T))
    raw(path, "ANALYZE")
    with SQLiteHistory(path, mode="ro") as history:
        assert len(history) == 1


def corrupt(path: Path) -> Path:
    """A history whose index pages are overwritten with noise (header and schema intact)."""
    with SQLiteHistory(path) as history, history.transaction():
        for n in range(3000):
            history.record_incident(HistoryEntry(f"I-{n:05d}", f"V-{n % 97}", "S", T))
    raw(path, "PRAGMA wal_checkpoint(TRUNCATE)", "PRAGMA journal_mode = DELETE")
    data = bytearray(path.read_bytes())
    page = 4096
    assert len(data) > 20 * page
    noise = random.Random(9)  # seeded: the same damage every run
    for at in range(8 * page, len(data) - page, 3 * page):  # every third page from the 9th
        data[at + 100 : at + 400] = noise.randbytes(300)
    path.write_bytes(bytes(data))
    return path


def test_a_file_that_fails_the_integrity_check_is_refused_and_left_alone(path: Path) -> None:
    corrupt(path)
    before = snapshot(path)
    for mode in ("ro", "rw"):
        with pytest.raises(HistoryError) as excinfo:
            SQLiteHistory(path, mode=mode)
        message = str(excinfo.value)
        assert str(path) in message
        assert "integrity check" in message or "malformed" in message
        assert snapshot(path) == before


@pytest.mark.parametrize(
    ("table", "row"),
    [
        ("incidents", "('I-1', 'V', 'S', 'soon', 'x', 0, 1, 'y')"),  # a time that is text
        ("incidents", "('I-1', 'V', 'S', 5, 'x', 0, 4, 'y')"),  # known before it happened
        ("incidents", "(X'00', 'V', 'S', 1, 'x', 0, 1, 'y')"),  # an id that is bytes
        ("marac_referrals", "('V', 'S', 1, 'I', 'x', 1.5, 'y')"),
        ("calls", "('C', 1, 'x', X'07', NULL, 1, 'y')"),  # a caller id that is bytes
        ("grades", "('V', 1, 'I', 'x', 'low', 1, 'y')"),  # a grade that is no grade
        ("grades", "('V', 5, 'I', 'x', 'high', 4, 'y')"),  # known before it was decided
        ("events", "('E', 'bail_breached', 'V', 'S', 'soon', 'x', 'police', NULL, 1, 'y')"),
        ("events", "('E', 'bail_breached', 'V', 'S', 1, 'x', 'police', X'07', 1, 'y')"),
    ],
)
@pytest.mark.parametrize("mode", ["ro", "rw"])
def test_a_stored_value_dapolicy_would_not_write_fails_the_check(
    path: Path, table: str, row: str, mode: Any
) -> None:
    SQLiteHistory(path).close()
    raw(path, "PRAGMA ignore_check_constraints = 1", f"INSERT INTO {table} VALUES {row}")
    before = snapshot(path)
    pattern = rf"integrity check \(1 problem\(s\), the first: CHECK constraint failed in {table}"
    with pytest.raises(HistoryError, match=pattern):
        SQLiteHistory(path, mode=mode)
    assert snapshot(path) == before


def test_an_entry_that_does_not_read_back_is_a_clean_error(path: Path) -> None:
    with SQLiteHistory(path) as history:
        history.record_incident(HistoryEntry("I-1", "V", "S", T))
    raw(path, "UPDATE incidents SET occurred_at = 'not a time'")  # passes every CHECK
    with (
        SQLiteHistory(path, mode="ro") as history,
        pytest.raises(HistoryError, match="holds an entry that is not valid"),
    ):
        history.incidents("V", **EVER)


# --- read-only ---------------------------------------------------------------------------------


def test_read_only_never_writes_the_file(path: Path) -> None:
    with SQLiteHistory(path) as history:
        history.record_incident(HistoryEntry("I-1", "V", "S", T))
    before = snapshot(path)
    with SQLiteHistory(path, mode="ro") as history:
        assert history.read_only
        assert [e.incident_id for e in history.incidents("V", **EVER)] == ["I-1"]
        with pytest.raises(HistoryError, match="opened read-only"):
            history.record_incident(HistoryEntry("I-2", "V", "S", T))
        assert "read-only" in repr(history)
    assert snapshot(path) == before
    with pytest.raises(ValueError, match="exclusive"):
        SQLiteHistory(path, mode="ro", exclusive=True)
    with pytest.raises(ValueError, match="mode"):
        SQLiteHistory(path, mode="w")  # type: ignore[arg-type]


# --- version 1: upgraded with a copy kept, or refused saying how ------------------------------


def test_a_version_1_file_is_upgraded_after_a_copy_is_kept(path: Path) -> None:
    v1_file(path)
    original = path.read_bytes()
    with SQLiteHistory(path) as history:
        backup = history.backup
        assert backup == Path(f"{path}.v1.bak")
        incidents = history.incidents("V", **EVER)
        referral = history.last_marac_referral("V", "S", before=LATER, known_at=LATER)
        calls = history.calls(**EVER, caller_id="P")
    assert backup is not None
    assert mode_of(backup) == 0o600
    assert raw(backup, "SELECT version FROM dapolicy_schema") == [(1,)]
    assert raw(backup, "SELECT COUNT(*) FROM incidents") == [(2,)]
    assert original  # the copy is a whole database: SQLite's backup, not a byte copy
    # Each entry is known from its own time: the answers version 1 gave.
    memory = InMemoryHistory()
    memory.record_incident(HistoryEntry("I-1", "V", "S", T, crime=True))
    memory.record_incident(
        HistoryEntry("I-2", "V", "S2", datetime.fromisoformat("2024-05-01T14:00:00+01:00"))
    )
    assert list(incidents) == list(memory.incidents("V", **EVER))
    assert [(e.occurred_at, e.recorded_at) for e in incidents] == [
        (e.occurred_at, e.occurred_at) for e in incidents
    ]
    assert referral == MaracReferralEntry("V", "S", T, "I-1")
    assert calls == [CallEntry("C-1", T, "P")]
    assert raw(path, "SELECT version FROM dapolicy_schema") == [(SCHEMA_VERSION,)]
    with SQLiteHistory(path, mode="ro") as history:  # a whole history of this version now
        assert len(history) == 2
        assert history.backup is None


def test_a_version_1_file_is_not_upgraded_over_an_earlier_copy(path: Path) -> None:
    v1_file(path)
    Path(f"{path}.v1.bak").write_bytes(b"an earlier copy")
    before = snapshot(path)
    with pytest.raises(HistoryError, match=r"\.v1\.bak' already exists: move it away"):
        SQLiteHistory(path)
    assert snapshot(path) == before
    assert Path(f"{path}.v1.bak").read_bytes() == b"an earlier copy"


@pytest.mark.parametrize("version", [1, 2])
def test_an_older_file_opened_read_only_is_refused_saying_how(path: Path, version: int) -> None:
    (v1_file if version == 1 else v2_file)(path)
    before = snapshot(path)
    with pytest.raises(HistoryError) as excinfo:
        SQLiteHistory(path, mode="ro")
    message = str(excinfo.value)
    assert f"schema version {version}" in message
    assert "open it for writing once" in message
    assert f"{path}.v{version}.bak" in message
    assert snapshot(path) == before
    assert not Path(f"{path}.v{version}.bak").exists()


def test_an_upgrade_that_fails_leaves_version_1_and_says_where_the_copy_is(path: Path) -> None:
    v1_file(path)
    # A row version 2 cannot hold (a text time): the rebuild fails its CHECK, and rolls back.
    raw(path, "INSERT INTO incidents VALUES ('I-3', 'V', 'S', 'soon', 'x', 0)")
    with pytest.raises(HistoryError, match=r"rolled back: the file is as it was, and a copy"):
        SQLiteHistory(path)
    assert raw(path, "SELECT version FROM dapolicy_schema") == [(1,)]
    assert raw(path, "SELECT COUNT(*) FROM incidents") == [(3,)]
    assert Path(f"{path}.v1.bak").exists()


def test_a_version_1_file_with_a_damaged_schema_is_refused_not_upgraded(path: Path) -> None:
    raw(path, *V1, *V1_ROWS, "DROP INDEX calls_by_caller")
    before = snapshot(path)
    with pytest.raises(HistoryError, match=r"\(schema version 1\): missing or changed"):
        SQLiteHistory(path)
    assert snapshot(path) == before
    assert not Path(f"{path}.v1.bak").exists()


# --- version 2: upgraded to this one with a copy kept, every row as it was -------------------

#: The schema version 2 wrote (two clocks), as it wrote it, independent of the code.
V2 = (
    "CREATE TABLE dapolicy_schema (version INTEGER NOT NULL)",
    "INSERT INTO dapolicy_schema (version) VALUES (2)",
    """CREATE TABLE incidents (
        incident_id TEXT NOT NULL PRIMARY KEY CHECK (typeof(incident_id) = 'text'),
        victim_id TEXT NOT NULL CHECK (typeof(victim_id) = 'text'),
        suspect_id TEXT NOT NULL CHECK (typeof(suspect_id) = 'text'),
        occurred_us INTEGER NOT NULL CHECK (typeof(occurred_us) = 'integer'),
        occurred_at TEXT NOT NULL CHECK (typeof(occurred_at) = 'text'),
        crime INTEGER NOT NULL CHECK (crime IN (0, 1) AND typeof(crime) = 'integer'),
        recorded_us INTEGER NOT NULL CHECK (typeof(recorded_us) = 'integer'),
        recorded_at TEXT NOT NULL CHECK (typeof(recorded_at) = 'text'),
        CHECK (recorded_us >= occurred_us)
    ) WITHOUT ROWID""",
    "CREATE INDEX incidents_by_victim ON incidents (victim_id, occurred_us, incident_id)",
    """CREATE INDEX incidents_by_pair
        ON incidents (victim_id, suspect_id, occurred_us, incident_id)""",
    """CREATE TABLE marac_referrals (
        victim_id TEXT NOT NULL CHECK (typeof(victim_id) = 'text'),
        suspect_id TEXT NOT NULL CHECK (typeof(suspect_id) = 'text'),
        referred_us INTEGER NOT NULL CHECK (typeof(referred_us) = 'integer'),
        incident_id TEXT NOT NULL CHECK (typeof(incident_id) = 'text'),
        referred_at TEXT NOT NULL CHECK (typeof(referred_at) = 'text'),
        recorded_us INTEGER NOT NULL CHECK (typeof(recorded_us) = 'integer'),
        recorded_at TEXT NOT NULL CHECK (typeof(recorded_at) = 'text'),
        PRIMARY KEY (victim_id, suspect_id, referred_us, incident_id),
        CHECK (recorded_us >= referred_us)
    ) WITHOUT ROWID""",
    """CREATE TABLE calls (
        call_id TEXT NOT NULL PRIMARY KEY CHECK (typeof(call_id) = 'text'),
        received_us INTEGER NOT NULL CHECK (typeof(received_us) = 'integer'),
        received_at TEXT NOT NULL CHECK (typeof(received_at) = 'text'),
        caller_id TEXT CHECK (caller_id IS NULL OR typeof(caller_id) = 'text'),
        location_id TEXT CHECK (location_id IS NULL OR typeof(location_id) = 'text'),
        recorded_us INTEGER NOT NULL CHECK (typeof(recorded_us) = 'integer'),
        recorded_at TEXT NOT NULL CHECK (typeof(recorded_at) = 'text'),
        CHECK (recorded_us >= received_us)
    ) WITHOUT ROWID""",
    "CREATE INDEX calls_by_caller ON calls (caller_id, received_us, call_id)",
    "CREATE INDEX calls_by_location ON calls (location_id, received_us, call_id)",
    "PRAGMA journal_mode = WAL",
)

V2_ROWS = (
    "INSERT INTO incidents VALUES ('I-1', 'V', 'S', 1714564800000000, "
    "'2024-05-01T12:00:00+00:00', 1, 1714568400000000, '2024-05-01T14:00:00+01:00')",
    "INSERT INTO marac_referrals VALUES ('V', 'S', 1714568400000000, 'I-1', "
    "'2024-05-01T13:00:00+00:00', 1714568400000000, '2024-05-01T13:00:00+00:00')",
    "INSERT INTO calls VALUES ('C-1', 1714564800000000, '2024-05-01T12:00:00+00:00', 'P', "
    "'L', 1714564800000001, '2024-05-01T12:00:00.000001+00:00')",
)
V2_TABLES = ("incidents", "marac_referrals", "calls")


def v2_file(path: Path) -> Path:
    raw(path, *V2, *V2_ROWS)
    return path


def rows_of(path: Path) -> dict[str, list[Any]]:
    return {t: raw(path, f"SELECT * FROM {t} ORDER BY 1, 2, 3") for t in V2_TABLES}


def test_a_version_2_file_is_upgraded_after_a_copy_is_kept_and_loses_nothing(
    path: Path,
) -> None:
    from dapolicy.history import EventEntry, GradeEntry
    from dapolicy.models import EventKind, RiskGrade

    v2_file(path)
    before = rows_of(path)
    with SQLiteHistory(path) as history:
        assert history.backup == Path(f"{path}.v2.bak")
        assert history.last_grade("V", known_at=LATER) is None  # version 2 kept none
        assert history.events("V", **EVER) == []
        assert history.record_grade(GradeEntry("V", T, RiskGrade.HIGH, "I-1"))
        assert history.record_event(EventEntry("E-1", EventKind.BAIL_BREACHED, "V", "S", T))
    assert raw(path, "SELECT version FROM dapolicy_schema") == [(SCHEMA_VERSION,)]
    assert rows_of(path) == before  # every row, every column, byte for byte
    backup = Path(f"{path}.v2.bak")
    assert mode_of(backup) == 0o600
    assert raw(backup, "SELECT version FROM dapolicy_schema") == [(2,)]
    assert rows_of(backup) == before
    with SQLiteHistory(path, mode="ro") as history:  # a whole history of this version now
        assert history.backup is None
        [incident] = history.incidents("V", **EVER)
        assert incident.recorded_at.isoformat() == "2024-05-01T14:00:00+01:00"
        last = history.last_grade("V", known_at=LATER)
        assert last is not None
        assert last.grade is RiskGrade.HIGH


def test_a_version_2_file_is_not_upgraded_over_an_earlier_copy(path: Path) -> None:
    v2_file(path)
    Path(f"{path}.v2.bak").write_bytes(b"an earlier copy")
    before = snapshot(path)
    with pytest.raises(HistoryError, match=r"\.v2\.bak' already exists: move it away"):
        SQLiteHistory(path)
    assert snapshot(path) == before


def test_a_version_1_file_is_upgraded_to_this_version_in_one_step(path: Path) -> None:
    v1_file(path)
    with SQLiteHistory(path) as history:
        assert history.backup == Path(f"{path}.v1.bak")
        assert len(history) == 2
        assert history.last_grade("V", known_at=LATER) is None
    assert raw(path, "SELECT version FROM dapolicy_schema") == [(SCHEMA_VERSION,)]
    assert raw(path, "SELECT COUNT(*) FROM grades") == [(0,)]
    assert not Path(f"{path}.v2.bak").exists()


def v3_file(path: Path) -> Path:
    from dapolicy._sqlite_schema import SCHEMA_V3

    raw(path, *SCHEMA_V3, *V2_ROWS, "PRAGMA journal_mode = WAL")
    return path


def test_a_version_3_file_is_upgraded_and_then_keeps_an_incident_for_each_victim(
    path: Path,
) -> None:
    v3_file(path)
    before = rows_of(path)
    assert raw(path, "SELECT version FROM dapolicy_schema") == [(3,)]
    with SQLiteHistory(path) as history:
        assert history.backup == Path(f"{path}.v3.bak")
    assert raw(path, "SELECT version FROM dapolicy_schema") == [(SCHEMA_VERSION,)]
    assert rows_of(path) == before  # every row, every column, byte for byte
    backup = Path(f"{path}.v3.bak")
    assert mode_of(backup) == 0o600
    assert raw(backup, "SELECT version FROM dapolicy_schema") == [(3,)]
    with SQLiteHistory(path) as history:
        # I-1 is V's; version 3 refused it for another victim, version 4 keeps it for W.
        assert not history.record_incident(HistoryEntry("I-1", "V", "S", T))
        assert history.record_incident(HistoryEntry("I-1", "W", "S", T))
        assert not history.record_incident(HistoryEntry("I-1", "W", "S", T))
        assert [e.incident_id for e in history.incidents("W", **EVER)] == ["I-1"]
        assert len(history.incidents("V", **EVER)) == 1
    with SQLiteHistory(path, mode="ro") as history:
        assert len(history) == 2


# --- the sidecar lock: one exclusive writer ------------------------------------------------


def test_an_exclusive_writer_keeps_every_other_writer_out_but_not_readers(path: Path) -> None:
    SQLiteHistory(path).close()
    with SQLiteHistory(path, mode="rw", exclusive=True) as writer:
        writer.record_incident(HistoryEntry("I-1", "V", "S", T))
        for exclusive in (True, False):
            with pytest.raises(HistoryError, match="in use by another process") as excinfo:
                SQLiteHistory(path, mode="rw", exclusive=exclusive)
            assert "nothing was changed" in str(excinfo.value)
        with SQLiteHistory(path, mode="ro") as reader:
            assert len(reader) == 1
    with SQLiteHistory(path, mode="rw", exclusive=True) as again:  # released on close
        assert len(again) == 1


def test_an_exclusive_writer_waits_for_no_one_and_shared_writers_coexist(path: Path) -> None:
    SQLiteHistory(path).close()
    with SQLiteHistory(path) as one, SQLiteHistory(path) as two:
        one.record_incident(HistoryEntry("I-1", "V", "S", T))
        two.record_incident(HistoryEntry("I-2", "V", "S", T))
        with pytest.raises(HistoryError, match="in use"):
            SQLiteHistory(path, exclusive=True)


HOLD = """
import sys
from dapolicy.sqlite_history import SQLiteHistory
with SQLiteHistory(sys.argv[1], mode="rw", exclusive=True):
    print("locked", flush=True)
    sys.stdin.readline()
"""


@contextmanager
def held_by_another_process(path: Path) -> Iterator[subprocess.Popen[str]]:
    process = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(HOLD), str(path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        assert process.stdout.readline() == "locked\n", process.communicate(timeout=20)
        yield process
    finally:
        process.communicate(None if process.poll() is not None else "go\n", timeout=20)


def test_the_lock_holds_between_processes_and_dies_with_its_holder(path: Path) -> None:
    SQLiteHistory(path).close()
    with held_by_another_process(path) as process:
        with pytest.raises(HistoryError, match="in use by another process"):
            SQLiteHistory(path, mode="rw")
        process.kill()
        process.wait(timeout=20)
    with SQLiteHistory(path, mode="rw", exclusive=True) as history:  # the kernel let it go
        assert len(history) == 0


def test_an_upgrade_needs_every_other_writer_gone(path: Path) -> None:
    v1_file(path)
    lock = Path(f"{path}.lock")
    import fcntl

    with lock.open("a") as held:
        fcntl.flock(held, fcntl.LOCK_SH)  # another (0.2) writer has it open, shared
        with pytest.raises(HistoryError, match="cannot be upgraded while another process"):
            SQLiteHistory(path)
    assert raw(path, "SELECT version FROM dapolicy_schema") == [(1,)]
    assert not Path(f"{path}.v1.bak").exists()


def test_repr_and_errors_name_no_ids(path: Path) -> None:
    with SQLiteHistory(path) as history:
        history.record_incident(HistoryEntry("INC-SECRET", "VICTIM-SECRET", "S", T))
        assert "SECRET" not in repr(history)
    raw(path, "UPDATE incidents SET occurred_at = 'VICTIM-SECRET'")
    with (
        SQLiteHistory(path, mode="ro") as history,
        pytest.raises(HistoryError) as excinfo,
    ):
        history.incidents("VICTIM-SECRET", **EVER)
    assert "SECRET" not in str(excinfo.value)


def test_days_apart_entries_survive_an_upgrade_and_a_reopen(path: Path) -> None:
    v1_file(path)
    with SQLiteHistory(path) as history:
        assert history.record_incident(
            HistoryEntry("I-9", "V", "S", T + DAY, recorded_at=T + 2 * DAY)
        )
    with SQLiteHistory(path, mode="ro") as history:
        found = history.incidents("V", **{**EVER, "known_at": T + 2 * DAY})
        assert [e.incident_id for e in found] == ["I-1", "I-2"]
