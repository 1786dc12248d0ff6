"""A victim history kept in an SQLite file, so each day's run sees the days before.

:class:`SQLiteHistory` is a :class:`~dapolicy.history.MutableHistory` on the standard
library's :mod:`sqlite3`: the same questions, the same answers, as
:class:`~dapolicy.history.InMemoryHistory`, but kept on disk between runs. It holds ids
and times only -- incident, victim, suspect, call, caller and location ids, and when
things happened -- never names, addresses or dates of birth.

Storage
    Each time is stored twice: as integer microseconds since 1970-01-01 UTC (what
    windows compare, exactly) and as the ISO 8601 text it was given in (what comes
    back, with its UTC offset; a ``zoneinfo`` zone comes back as a fixed offset, the
    same instant and the same wall-clock time). Indexes on (victim, time), (victim,
    suspect, time), (caller, time) and (location, time) make every lookup a B-tree
    search: O(log n) plus the entries returned. A ``dapolicy_schema`` table records
    the schema version; a file written by a newer dapolicy is refused, not guessed at.

Idempotence
    Incidents and calls are keyed by their ids, MARAC referrals by (victim, suspect,
    time, incident), and every write is ``INSERT OR IGNORE``: recording something
    already there changes nothing and returns ``False``. Re-running yesterday's input
    does not double-count anything.

Locking model
    SQLite locks the file itself (POSIX advisory locks, or ``LockFileEx`` on Windows),
    so the rules below hold between processes on one machine. They do not hold on
    network file systems whose locking is unreliable (NFS, SMB): keep the history on a
    local disk.

    * The file is put in write-ahead-log (WAL) mode. Readers never block the writer and
      the writer never blocks readers: a reader sees the history as of the last commit
      before its read began.
    * There is one writer at a time. :meth:`SQLiteHistory.transaction` takes the write
      lock at its start (``BEGIN IMMEDIATE``) and holds it to the end; a write outside
      a transaction takes it for that one statement.
    * A writer that finds the lock taken waits up to ``busy_timeout`` seconds (10 by
      default) and then raises :class:`HistoryError` ("in use by another process").
      Opening an existing history needs no lock; creating the schema in a new file
      does.
    * One :class:`SQLiteHistory` belongs to the thread that opened it (the
      :mod:`sqlite3` default); open another one per thread or per process.

Crashes
    A transaction is all or nothing. If the process dies inside one -- an exception,
    ``kill -9``, a power cut -- the chunk it was writing is rolled back (SQLite replays
    or discards the log the next time the file is opened) and every earlier chunk is
    intact (``synchronous=FULL``: a commit is on disk before it returns). Re-running the
    same input is then safe: recording is idempotent, and every question looks back from
    the incident's own time (windows end when it occurred and leave it out; the last
    MARAC referral is sought at or before then, passing over any made for it), so what
    the crashed run recorded does not change an incident's assessment when it is
    assessed again.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Iterator, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any, Final, Self

from dapolicy.errors import HistoryError
from dapolicy.history import CallEntry, HistoryEntry, MaracReferralEntry
from dapolicy.models._base import micros

__all__ = ["DEFAULT_BUSY_TIMEOUT", "SCHEMA_VERSION", "HistoryError", "SQLiteHistory"]

#: The schema version this dapolicy writes and reads.
SCHEMA_VERSION: Final = 1

#: Seconds a writer waits for another process's write lock before giving up.
DEFAULT_BUSY_TIMEOUT: Final = 10.0

#: The schema, one statement an item (``executescript`` would commit an open transaction).
_SCHEMA: Final = (
    "CREATE TABLE dapolicy_schema (version INTEGER NOT NULL)",
    f"INSERT INTO dapolicy_schema (version) VALUES ({SCHEMA_VERSION})",
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
    # The key is also the lookup's index: of two referrals at one instant, the one with
    # the greater incident id is the latest (as in InMemoryHistory, whatever the order
    # they were recorded in).
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
)

_INSERT_INCIDENT: Final = """
    INSERT OR IGNORE INTO incidents
        (incident_id, victim_id, suspect_id, occurred_us, occurred_at, crime)
    VALUES (?, ?, ?, ?, ?, ?)"""
_INSERT_MARAC: Final = """
    INSERT OR IGNORE INTO marac_referrals
        (victim_id, suspect_id, referred_us, referred_at, incident_id)
    VALUES (?, ?, ?, ?, ?)"""
_INSERT_CALL: Final = """
    INSERT OR IGNORE INTO calls (call_id, received_us, received_at, caller_id, location_id)
    VALUES (?, ?, ?, ?, ?)"""

_INCIDENT_COLUMNS: Final = "incident_id, victim_id, suspect_id, occurred_at, crime"
_INCIDENTS_OF_VICTIM: Final = f"""
    SELECT {_INCIDENT_COLUMNS} FROM incidents
    WHERE victim_id = ? AND occurred_us BETWEEN ? AND ? AND incident_id IS NOT ?
    ORDER BY occurred_us, incident_id"""
_INCIDENTS_OF_PAIR: Final = f"""
    SELECT {_INCIDENT_COLUMNS} FROM incidents
    WHERE victim_id = ? AND suspect_id = ? AND occurred_us BETWEEN ? AND ?
        AND incident_id IS NOT ?
    ORDER BY occurred_us, incident_id"""
_LAST_MARAC: Final = """
    SELECT victim_id, suspect_id, referred_at, incident_id FROM marac_referrals
    WHERE victim_id = ? AND suspect_id = ? AND referred_us <= ? AND incident_id IS NOT ?
    ORDER BY referred_us DESC, incident_id DESC LIMIT 1"""
_CALLS_OF: Final = {
    column: f"""
    SELECT call_id, received_at, caller_id, location_id FROM calls
    WHERE {column} = ? AND received_us BETWEEN ? AND ? AND call_id IS NOT ?
    ORDER BY received_us, call_id"""
    for column in ("caller_id", "location_id")
}
_COUNTS: Final = """
    SELECT (SELECT COUNT(*) FROM incidents), (SELECT COUNT(DISTINCT victim_id) FROM incidents),
        (SELECT COUNT(*) FROM calls), (SELECT COUNT(*) FROM marac_referrals)"""


def _micros(value: datetime, name: str) -> int:
    """``value`` as whole microseconds since 1970-01-01 UTC: the instant, exactly."""
    if value.utcoffset() is None:
        raise ValueError(f"{name} must be a datetime with a UTC offset")
    return micros(value)


class SQLiteHistory:
    """A :class:`~dapolicy.history.MutableHistory` kept in an SQLite file.

    Opening a file that does not exist (or is empty) creates a history in it. See the
    module documentation for the locking model and what a crash leaves behind.

    :param path: the history file; ``":memory:"`` keeps the history in memory, for as
        long as this object (tests).
    :param busy_timeout: seconds a write waits for another process's write lock before
        raising :class:`HistoryError`.
    :raises HistoryError: the file is not a dapolicy history, was written by a newer
        dapolicy, cannot be opened, or (for a new file) another process holds its
        write lock for longer than ``busy_timeout``.
    :raises ValueError: ``busy_timeout`` is negative.
    """

    def __init__(
        self, path: str | os.PathLike[str], *, busy_timeout: float = DEFAULT_BUSY_TIMEOUT
    ) -> None:
        """Open, or create, the history in ``path``."""
        if busy_timeout < 0:
            raise ValueError("busy_timeout must be zero or more seconds")
        self._path = Path(path)
        self._busy_timeout = float(busy_timeout)
        self._depth = 0
        self._connection: sqlite3.Connection | None = None
        try:
            connection = sqlite3.connect(
                self._path, timeout=self._busy_timeout, isolation_level=None
            )
        except sqlite3.Error as exc:
            raise self._error(exc) from exc
        self._connection = connection
        try:
            self._prepare()
        except BaseException:
            self.close()
            raise

    def _prepare(self) -> None:
        self._execute("PRAGMA synchronous = FULL")  # this connection's, not the file's
        # Check before switching to WAL (a setting kept in the file): a file that is
        # refused is left exactly as it was found.
        version = self._schema_version()
        self._execute("PRAGMA journal_mode = WAL")
        if version is None:
            # Two processes may create the same new file at once: the second waits for
            # the first's write lock, then finds the schema already there.
            with self.transaction():
                if self._schema_version() is None:
                    for statement in _SCHEMA:
                        self._execute(statement)

    def _schema_version(self) -> int | None:
        """The schema version, or None for an empty database; refuses anything else."""
        tables = {
            name for (name,) in self._query("SELECT name FROM sqlite_master WHERE type = 'table'")
        }
        if not tables:
            return None
        if "dapolicy_schema" not in tables:
            raise HistoryError(
                f"history file {self._shown} is not a dapolicy history database "
                "(it is an SQLite database with other tables)"
            )
        versions = [version for (version,) in self._query("SELECT version FROM dapolicy_schema")]
        if versions == [SCHEMA_VERSION]:
            return SCHEMA_VERSION
        if len(versions) == 1 and isinstance(versions[0], int) and versions[0] > SCHEMA_VERSION:
            raise HistoryError(
                f"history file {self._shown} was written by a newer dapolicy (schema "
                f"version {versions[0]}; this dapolicy reads version {SCHEMA_VERSION}): "
                "upgrade dapolicy to use it"
            )
        raise HistoryError(
            f"history file {self._shown} has an unknown schema version: it is not a "
            "dapolicy history database this dapolicy can read"
        )

    # --- the file -----------------------------------------------------------------------

    @property
    def path(self) -> Path:
        """The history file."""
        return self._path

    @property
    def _shown(self) -> str:
        return repr(str(self._path))

    def close(self) -> None:
        """Close the file; an open transaction is rolled back. Closing twice is harmless."""
        if self._connection is not None:
            self._connection.close()
            self._connection = None
            self._depth = 0

    def __enter__(self) -> Self:
        """The history itself; it is closed when the block ends."""
        return self

    def __exit__(self, *exc_info: object) -> None:
        """Close the history."""
        self.close()

    def __len__(self) -> int:
        """The number of incidents held."""
        ((count,),) = self._query("SELECT COUNT(*) FROM incidents")
        return int(count)

    def __repr__(self) -> str:
        """The file's name and counts only: a history is full of ids."""
        name = self._path.name
        if self._connection is None:
            return f"<SQLiteHistory {name!r} closed>"
        ((incidents, victims, calls, referrals),) = self._query(_COUNTS)
        return (
            f"<SQLiteHistory {name!r} incidents={incidents} victims={victims} "
            f"calls={calls} marac_referrals={referrals}>"
        )

    @contextlib.contextmanager
    def transaction(self) -> Iterator[Self]:
        """Make the writes in the ``with`` block one atomic unit, holding the write lock.

        The lock is taken at the start (``BEGIN IMMEDIATE``): another process's writes
        wait for the block to end, and its reads see none of the block's writes until it
        commits. Reads inside the block see its own writes. If the block raises, or the
        process dies, nothing it wrote is kept. A transaction inside a transaction is a
        savepoint: if the inner block raises, only its writes are undone.

        :raises HistoryError: another process held the write lock for longer than
            ``busy_timeout``, or the commit failed (then nothing of the block is kept).
        """
        depth = self._depth
        savepoint = f"dapolicy_{depth}"
        self._execute("BEGIN IMMEDIATE" if depth == 0 else f"SAVEPOINT {savepoint}")
        self._depth = depth + 1
        try:
            yield self
        except BaseException:
            self._depth = depth
            if depth == 0:
                # A ROLLBACK can only fail if the file was closed, which rolled it back:
                # let the exception that ended the block be the one the caller sees.
                with contextlib.suppress(HistoryError):
                    self._execute("ROLLBACK")
            else:
                self._execute(f"ROLLBACK TO {savepoint}")
                self._execute(f"RELEASE {savepoint}")
            raise
        self._depth = depth
        if depth == 0:
            try:
                self._execute("COMMIT")
            except HistoryError:
                with contextlib.suppress(HistoryError):
                    self._execute("ROLLBACK")
                raise
        else:
            self._execute(f"RELEASE {savepoint}")

    # --- talking to SQLite -------------------------------------------------------------

    def _live(self) -> sqlite3.Connection:
        if self._connection is None:
            raise HistoryError(f"history file {self._shown} is closed")
        return self._connection

    def _error(self, exc: sqlite3.Error) -> HistoryError:
        code = getattr(exc, "sqlite_errorcode", None)
        primary = code & 0xFF if isinstance(code, int) else None
        if primary == sqlite3.SQLITE_BUSY:
            return HistoryError(
                f"history file {self._shown} is in use by another process: its write lock "
                f"was not released within {self._busy_timeout:g} s"
            )
        if primary == sqlite3.SQLITE_NOTADB:
            return HistoryError(
                f"history file {self._shown} is not a dapolicy history database ({exc})"
            )
        return HistoryError(f"history file {self._shown} cannot be used ({exc})")

    @contextlib.contextmanager
    def _sqlite(self) -> Iterator[sqlite3.Connection]:
        """The open connection; SQLite's errors become :class:`HistoryError`."""
        connection = self._live()
        try:
            yield connection
        except sqlite3.Error as exc:
            raise self._error(exc) from exc
        except UnicodeEncodeError as exc:
            raise HistoryError(
                f"history file {self._shown}: an id is not valid Unicode text "
                "(it holds a lone surrogate) and cannot be stored"
            ) from exc

    def _execute(self, sql: str, parameters: Sequence[object] = ()) -> sqlite3.Cursor:
        with self._sqlite() as connection:
            return connection.execute(sql, parameters)

    def _query(self, sql: str, parameters: Sequence[object] = ()) -> list[Any]:
        with self._sqlite() as connection:
            return connection.execute(sql, parameters).fetchall()

    def _insert(self, sql: str, parameters: Sequence[object]) -> bool:
        return self._execute(sql, parameters).rowcount == 1

    # --- MutableHistory ----------------------------------------------------------------

    def record_incident(self, entry: HistoryEntry) -> bool:
        """Add an incident; return False if its id was already there."""
        return self._insert(
            _INSERT_INCIDENT,
            (
                entry.incident_id,
                entry.victim_id,
                entry.suspect_id,
                _micros(entry.occurred_at, "occurred_at"),
                entry.occurred_at.isoformat(),
                int(entry.crime),
            ),
        )

    def record_marac_referral(self, entry: MaracReferralEntry) -> bool:
        """Add a MARAC referral; return False if it was already there."""
        return self._insert(
            _INSERT_MARAC,
            (
                entry.victim_id,
                entry.suspect_id,
                _micros(entry.referred_at, "referred_at"),
                entry.referred_at.isoformat(),
                entry.incident_id,
            ),
        )

    def record_call(self, entry: CallEntry) -> bool:
        """Add a call; return False if its id was already there."""
        return self._insert(
            _INSERT_CALL,
            (
                entry.call_id,
                _micros(entry.received_at, "received_at"),
                entry.received_at.isoformat(),
                entry.caller_id,
                entry.location_id,
            ),
        )

    # --- History -----------------------------------------------------------------------

    def incidents(
        self,
        victim_id: str,
        *,
        since: datetime,
        until: datetime,
        suspect_id: str | None = None,
        exclude: str | None = None,
    ) -> Sequence[HistoryEntry]:
        """The victim's incidents in the window, oldest first (see :class:`History`)."""
        window = (_micros(since, "since"), _micros(until, "until"))
        if suspect_id is None:
            rows = self._query(_INCIDENTS_OF_VICTIM, (victim_id, *window, exclude))
        else:
            rows = self._query(_INCIDENTS_OF_PAIR, (victim_id, suspect_id, *window, exclude))
        return [
            HistoryEntry(incident, victim, suspect, datetime.fromisoformat(at), bool(crime))
            for incident, victim, suspect, at, crime in rows
        ]

    def last_marac_referral(
        self, victim_id: str, suspect_id: str, *, before: datetime, exclude: str | None = None
    ) -> MaracReferralEntry | None:
        """The latest MARAC referral for the pair at or before ``before`` (see :class:`History`).

        Referrals at the same instant are ordered by incident id; ``exclude`` passes over
        referrals made for that incident.
        """
        rows = self._query(
            _LAST_MARAC, (victim_id, suspect_id, _micros(before, "before"), exclude)
        )
        if not rows:
            return None
        ((victim, suspect, at, incident),) = rows
        return MaracReferralEntry(victim, suspect, datetime.fromisoformat(at), incident)

    def calls(
        self,
        *,
        since: datetime,
        until: datetime,
        caller_id: str | None = None,
        location_id: str | None = None,
        exclude: str | None = None,
    ) -> Sequence[CallEntry]:
        """Calls from a caller or to a location in the window (see :class:`History`)."""
        if (caller_id is None) == (location_id is None):
            raise ValueError("give exactly one of caller_id and location_id")
        column, value = "caller_id", caller_id
        if caller_id is None:
            column, value = "location_id", location_id
        rows = self._query(
            _CALLS_OF[column],
            (value, _micros(since, "since"), _micros(until, "until"), exclude),
        )
        return [
            CallEntry(call, datetime.fromisoformat(at), caller, location)
            for call, at, caller, location in rows
        ]
