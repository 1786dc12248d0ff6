"""The history file: opening, checking, upgrading, locking and talking to SQLite.

Behind :mod:`dapolicy.sqlite_history` (whose documentation describes what is checked and
why): :class:`HistoryFile` is the base of :class:`~dapolicy.sqlite_history.SQLiteHistory`,
which adds the history's questions and records.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, Final, Literal, Self, TypeVar

from dapolicy._file_lock import LockTaken, SidecarLock
from dapolicy._sqlite_schema import (
    SCHEMA_V4,
    SCHEMA_VERSION,
    bad_rows,
    real_problems,
    schema_of,
    shape_of,
    upgrade_from,
)
from dapolicy.errors import DapolicyError, HistoryError

__all__ = ["DEFAULT_BUSY_TIMEOUT", "HistoryFile", "OpenMode"]

#: Seconds a writer waits for another process's write lock before giving up.
DEFAULT_BUSY_TIMEOUT: Final = 10.0

#: How a history file is opened: read-only, read-write, or read-write creating it.
OpenMode = Literal["ro", "rw", "rwc"]

_log = logging.getLogger("dapolicy.history")

T = TypeVar("T")

#: Which dapolicy wrote each older schema version (for the messages).
_WRITTEN_BY: Final = {
    1: "dapolicy 0.1: one clock",
    2: "two clocks, no grades or events",
    3: "an incident kept for its first victim only",
}


class HistoryFile:
    """An open history file (see :class:`~dapolicy.sqlite_history.SQLiteHistory`)."""

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        busy_timeout: float = DEFAULT_BUSY_TIMEOUT,
        mode: OpenMode = "rwc",
        exclusive: bool = False,
    ) -> None:
        """Open, or create, the history in ``path``."""
        if busy_timeout < 0:
            raise ValueError("busy_timeout must be zero or more seconds")
        if mode not in ("ro", "rw", "rwc"):
            raise ValueError("mode must be 'ro', 'rw' or 'rwc'")
        if mode == "ro" and exclusive:
            raise ValueError("a read-only history takes no lock: exclusive needs 'rw' or 'rwc'")
        self._path = Path(path)
        self._busy_timeout = float(busy_timeout)
        self._mode: OpenMode = mode
        self._depth = 0
        self._connection: sqlite3.Connection | None = None
        self._lock: SidecarLock | None = None
        self._backup: Path | None = None
        in_memory = str(path) == ":memory:"
        try:
            if not in_memory:
                created = self._claim(exclusive)
            self._connection = self._connect(in_memory)
            self._prepare(exclusive)
        except BaseException:
            self.close()
            if not in_memory and locals().get("created"):
                with contextlib.suppress(OSError):
                    self._path.unlink()  # the empty file this open made
            raise

    # --- opening -----------------------------------------------------------------------

    def _claim(self, exclusive: bool) -> bool:
        """Check the file is there as the mode needs, take the lock; True if created."""
        try:
            size = self._path.stat().st_size
        except FileNotFoundError:
            size = None
        except OSError as exc:
            raise HistoryError(
                f"history file {self._shown} cannot be used ({exc.strerror})"
            ) from exc
        if size is None and self._mode != "rwc":
            raise HistoryError(f"history file {self._shown} does not exist")
        if size == 0 and self._mode != "rwc":
            raise HistoryError(
                f"history file {self._shown} is empty: it holds no history (a history is "
                "created only when asked for)"
            )
        if self._mode == "ro":
            return False
        lock_path = self._path.with_name(self._path.name + ".lock")
        try:
            self._lock = SidecarLock(lock_path, exclusive=exclusive)
        except LockTaken as exc:
            raise self._in_use() from exc
        except OSError as exc:
            raise HistoryError(
                f"history file {self._shown} cannot be used: its lock file "
                f"{str(lock_path)!r} cannot be opened ({exc.strerror})"
            ) from exc
        if size is not None:
            return False
        try:
            os.close(os.open(self._path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        except FileExistsError:
            return False  # another process made it first: open it as it is
        except OSError as exc:
            raise HistoryError(
                f"history file {self._shown} cannot be created ({exc.strerror})"
            ) from exc
        return True

    def _connect(self, in_memory: bool) -> sqlite3.Connection:
        # A URI with mode=ro or mode=rw: SQLite itself never creates the file.
        target = ":memory:" if in_memory else f"{self._path.absolute().as_uri()}?mode="
        if not in_memory:
            target += "ro" if self._mode == "ro" else "rw"
        try:
            return sqlite3.connect(
                target, timeout=self._busy_timeout, isolation_level=None, uri=not in_memory
            )
        except sqlite3.Error as exc:
            raise self._error(exc) from exc

    def _prepare(self, exclusive: bool) -> None:
        self._execute("PRAGMA synchronous = FULL")  # this connection's, not the file's
        # Everything is checked before the first write (the switch to WAL is one: it is
        # kept in the file), so a file that is refused is left exactly as it was found.
        version = self._checked_version()
        old = version is not None and version < SCHEMA_VERSION
        if old:
            assert version is not None
            if self._mode == "ro":
                raise HistoryError(
                    f"history file {self._shown} has schema version {version} "
                    f"({_WRITTEN_BY[version]}), which this dapolicy reads only once "
                    "upgraded: open it for writing once (any `dapolicy assess --history` "
                    "run, or SQLiteHistory(path)); that upgrades it and keeps the file as "
                    f"it was in {self._shown_backup_of(version)}"
                )
            self._back_up(version)
        if self._mode == "ro":
            return
        self._execute("PRAGMA journal_mode = WAL")
        if version is None:
            # Two processes may create the same new file at once: the second waits for
            # the first's write lock, then finds the schema already there.
            with self.transaction():
                if self._checked_version() is None:
                    for statement in SCHEMA_V4:
                        self._execute(statement)
        elif old:
            self._upgrade(version, exclusive)

    def _checked_version(self) -> int | None:
        """The schema version of a whole, sound history; None for an empty database."""
        shape = self._guarded(lambda c: shape_of(c))
        if not shape:
            if self._mode != "rwc":
                raise HistoryError(f"history file {self._shown} is empty: it holds no history")
            return None
        tables = {name for kind, name, _, _ in shape if kind == "table"}
        if "dapolicy_schema" not in tables:
            raise HistoryError(
                f"history file {self._shown} is not a dapolicy history database "
                "(it is an SQLite database with other tables)"
            )
        versions = [v for (v,) in self._query("SELECT version FROM dapolicy_schema")]
        version = versions[0] if len(versions) == 1 and type(versions[0]) is int else None
        if version is not None and version > SCHEMA_VERSION:
            raise HistoryError(
                f"history file {self._shown} was written by a newer dapolicy (schema "
                f"version {version}; this dapolicy reads version {SCHEMA_VERSION}): "
                "upgrade dapolicy to use it"
            )
        if version not in (1, 2, 3, SCHEMA_VERSION):
            raise HistoryError(
                f"history file {self._shown} has an unknown schema version: it is not a "
                "dapolicy history database this dapolicy can read"
            )
        assert version is not None
        expected = schema_of(version)
        if shape != expected:
            missing = sorted(name for _, name, _, _ in expected - shape)
            extra = len(shape - expected)
            raise HistoryError(
                f"history file {self._shown} is not a whole dapolicy history (schema "
                f"version {version}): "
                + "; ".join(
                    part
                    for part in (
                        f"missing or changed: {', '.join(missing)}" if missing else "",
                        f"{extra} table(s) or index(es) that a history does not have"
                        if extra
                        else "",
                    )
                    if part
                )
                + "; it is left as it was"
            )
        problems = [str(row[0]) for row in self._query("PRAGMA integrity_check")]
        problems = self._guarded(lambda c: real_problems(c, problems)) or ["ok"]
        if problems == ["ok"] and self._mode == "ro" and version == SCHEMA_VERSION:
            # integrity_check evaluates no CHECK constraint on a read-only connection.
            problems = self._guarded(bad_rows) or ["ok"]
        if problems != ["ok"]:
            raise HistoryError(
                f"history file {self._shown} fails SQLite's integrity check "
                f"({len(problems)} problem(s), the first: {problems[0]}); it is left as it "
                "was: restore it from a backup"
            )
        return version

    def _shown_backup_of(self, version: int) -> str:
        return repr(f"{self._path}.v{version}.bak")

    def _back_up(self, version: int) -> None:
        """Copy the old file, as it is, to ``<file>.v<version>.bak`` (new, mode 0600)."""
        shown = self._shown_backup_of(version)
        if self._lock is not None:
            try:
                self._lock.make_exclusive()
            except LockTaken as exc:
                raise HistoryError(
                    f"history file {self._shown} has schema version {version} and cannot "
                    "be upgraded while another process has it open for writing; nothing "
                    "was changed"
                ) from exc
        backup = Path(f"{self._path}.v{version}.bak")
        try:
            os.close(os.open(backup, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        except FileExistsError as exc:
            raise HistoryError(
                f"history file {self._shown} has schema version {version} and is upgraded "
                f"only after a copy is kept, but {shown} already exists: move it away, then "
                "open the history again; nothing was changed"
            ) from exc
        except OSError as exc:
            raise HistoryError(
                f"history file {self._shown} has schema version {version} and is upgraded "
                f"only after a copy is kept, but {shown} cannot be created "
                f"({exc.strerror}); nothing was changed"
            ) from exc
        try:
            copy = sqlite3.connect(backup)
            try:
                self._guarded(lambda c: c.backup(copy))
            finally:
                copy.close()
        except BaseException:
            backup.unlink(missing_ok=True)
            raise
        self._backup = backup

    def _upgrade(self, version: int, exclusive: bool) -> None:
        try:
            with self.transaction():
                for statement in upgrade_from(version):
                    self._execute(statement)
        except HistoryError as exc:
            raise HistoryError(
                f"{exc}; the upgrade from schema version {version} was rolled back: the "
                f"file is as it was, and a copy of it is in {self._shown_backup_of(version)}"
            ) from exc
        if self._lock is not None and not exclusive:
            self._lock.make_shared()
        _log.warning(
            "history file %s upgraded from schema version %d to %d; the file as it was is "
            "kept in %s",
            self._shown,
            version,
            SCHEMA_VERSION,
            self._shown_backup_of(version),
        )

    # --- the file -----------------------------------------------------------------------

    @property
    def path(self) -> Path:
        """The history file."""
        return self._path

    @property
    def read_only(self) -> bool:
        """Opened with ``mode="ro"``: nothing can be recorded."""
        return self._mode == "ro"

    @property
    def backup(self) -> Path | None:
        """The copy of an older file made when this open upgraded it, else None."""
        return self._backup

    @property
    def _shown(self) -> str:
        return repr(str(self._path))

    def close(self) -> None:
        """Close the file and let its lock go; an open transaction is rolled back.

        Closing twice is harmless.
        """
        if self._connection is not None:
            self._connection.close()
            self._connection = None
            self._depth = 0
        if self._lock is not None:
            self._lock.release()
            self._lock = None

    def __enter__(self) -> Self:
        """The history itself; it is closed when the block ends."""
        return self

    def __exit__(self, *exc_info: object) -> None:
        """Close the history."""
        self.close()

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
        except UnicodeDecodeError as exc:
            raise HistoryError(
                f"history file {self._shown} holds text that is not UTF-8: it is damaged; "
                "restore it from a backup"
            ) from exc

    def _execute(self, sql: str, parameters: Sequence[object] = ()) -> sqlite3.Cursor:
        with self._sqlite() as connection:
            return connection.execute(sql, parameters)

    def _query(self, sql: str, parameters: Sequence[object] = ()) -> list[Any]:
        with self._sqlite() as connection:
            return connection.execute(sql, parameters).fetchall()

    def _guarded(self, work: Callable[[sqlite3.Connection], T]) -> T:
        with self._sqlite() as connection:
            return work(connection)

    def _in_use(self) -> HistoryError:
        return HistoryError(
            f"history file {self._shown} is in use by another process (another dapolicy "
            "is writing it): wait for that run to end, then try again; nothing was changed"
        )

    def _insert(self, sql: str, parameters: Sequence[object]) -> bool:
        if self.read_only:
            raise HistoryError(f"history file {self._shown} was opened read-only")
        return self._execute(sql, parameters).rowcount == 1

    def _entries(self, rows: list[Any], make: Callable[..., T]) -> list[T]:
        """Entries from rows; a stored value that is not what dapolicy wrote is refused."""
        try:
            return [make(*row) for row in rows]
        except (ValueError, TypeError, DapolicyError) as exc:
            raise HistoryError(
                f"history file {self._shown} holds an entry that is not valid "
                f"({type(exc).__name__}): it is damaged; restore it from a backup"
            ) from exc
