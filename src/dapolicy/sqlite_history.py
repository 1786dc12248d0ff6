"""A victim history kept in an SQLite file, so each day's run sees the days before.

:class:`SQLiteHistory` is a :class:`~dapolicy.history.MutableHistory` on the standard
library's :mod:`sqlite3`: the same questions, the same answers, as
:class:`~dapolicy.history.InMemoryHistory`, but kept on disk between runs. It holds ids
and times only -- incident, victim, suspect, call, caller and location ids, and when
things happened and were known -- never names, addresses or dates of birth.

Storage
    Each time is stored twice: as integer microseconds since 1970-01-01 UTC (what
    windows compare, exactly) and as the ISO 8601 text it was given in (what comes
    back, with its UTC offset). Every entry has two clocks (see :mod:`dapolicy.history`):
    its own time and ``recorded_at``, when the force knew it; every query returns only
    entries recorded before its ``known_at``. Indexes on (victim, time), (victim,
    suspect, time), (caller, time) and (location, time) make every lookup a B-tree
    search: O(log n) plus the entries in the window; a victim's latest grade is one
    search of the grades' key (victim, time, decision). A new file is created mode 0600
    (the ``-wal`` and ``-shm`` files SQLite makes beside it get the same mode).

Opening: what is checked, before anything is changed
    ``mode="ro"`` opens an existing history read-only (an SQLite ``mode=ro`` URI: the
    file is never written, though SQLite may make its ``-wal`` and ``-shm`` companions
    beside it, as for any reader of a WAL database); ``"rw"`` opens an existing one for
    writing; ``"rwc"`` (the default) also creates a new one where there is no file or
    an empty one. At every open, before anything is written, the file must hold exactly
    the tables, columns and indexes of a dapolicy history (compared statement by
    statement with what this dapolicy creates), one schema version row, and pass
    ``PRAGMA integrity_check``: every page and record, every index against its table,
    and every ``NOT NULL`` and ``CHECK`` constraint, which include each stored value's
    type (read-only, SQLite skips the CHECKs, so they are asked as queries). Anything
    else is refused with :class:`HistoryError` naming the file, and left exactly as it
    was found. The check reads the whole file: about 1 s for a 150 MB history (500,000
    incidents) read-write, 1.2 s read-only. It finds damage to the file's structure
    and any value dapolicy would not have written; SQLite keeps no checksums, so a
    value changed into another valid one (one id for another) cannot be found.

Schema versions and the upgrades from versions 1, 2 and 3
    A ``dapolicy_schema`` table records the version (4). A file written by a newer
    dapolicy is refused, not guessed at. An older file is upgraded when opened for
    writing: first a copy of it as it was is made beside it, ``<file>.v1.bak``,
    ``<file>.v2.bak`` or ``<file>.v3.bak`` (mode 0600; if that name is taken the
    upgrade is refused and nothing is changed), then it is upgraded in one transaction,
    so a crash leaves the old version or version 4, never a mixture. Opened read-only,
    an older file is refused with a message saying how to upgrade it.
    :attr:`SQLiteHistory.backup` names the copy made.

    * Version 1 (dapolicy 0.1: one clock) to 2: the tables are rebuilt. A version 1
      entry did not record when the force knew it: it is given its own time
      (``occurred_at``, ``referred_at``, ``received_at``) as ``recorded_at``. That is
      the safe choice: version 1 answered every question by occurrence alone, as if
      each entry had been known from the moment it happened, so after the upgrade every
      decision sees what it saw before; a later time would hide past incidents from
      re-derived decisions and could lower their grade.
    * Version 2 to 3: two tables are added, ``grades`` (each victim's recorded risk
      grades, for the supervisor's sign-off on a lower one) and ``events`` (the events
      after an incident), both empty; no row already there is changed. A version 2
      history kept no grades, so a decision re-derived after the upgrade sees none, as
      it saw none when it was made.
    * Version 3 to 4: incidents are keyed by (incident, victim) instead of the incident
      alone, every row kept as it was. A version 3 file kept an incident with two
      victims for the first recorded only; from version 4 each victim has it.

Idempotence
    Incidents are keyed by (incident id, victim id): an incident with two victims is
    in each one's history. Calls are keyed by their ids, MARAC referrals by (victim,
    suspect, time, incident), and every write is ``INSERT OR IGNORE``: recording something
    already there changes nothing and returns ``False`` (the first ``recorded_at``
    stays). Re-running yesterday's input does not double-count anything.

Locking model
    Two locks, both of which hold between processes on one machine only. They do not
    hold on network file systems whose locking is unreliable (NFS, SMB): keep the
    history on a local disk.

    * A sidecar lock file, ``<file>.lock`` (empty, mode 0600, never deleted), is locked
      by every writer for as long as it has the history open: shared by default,
      exclusively with ``exclusive=True`` (what ``dapolicy assess --history`` uses, so
      that two runs never interleave). A writer that cannot take it is refused at once
      with :class:`HistoryError` ("in use by another process"), before it has read or
      written anything. It is an operating-system lock (``flock``), released by the
      kernel when the process ends however it ends. Readers (``mode="ro"``) take no
      sidecar lock.
    * The file is put in write-ahead-log (WAL) mode. Readers never block the writer and
      the writer never blocks readers: a reader sees the history as of the last commit
      before its read began (so ``dapolicy explain`` works while an ``assess`` runs,
      and sees the chunks committed so far).
    * Between shared writers there is one writer at a time:
      :meth:`SQLiteHistory.transaction` takes SQLite's write lock at its start
      (``BEGIN IMMEDIATE``) and holds it to the end; a write outside a transaction takes
      it for that one statement. A writer that finds it taken waits up to
      ``busy_timeout`` seconds (10 by default) and then raises :class:`HistoryError`.
    * One :class:`SQLiteHistory` belongs to the thread that opened it (the
      :mod:`sqlite3` default); open another one per thread or per process.

Crashes
    A transaction is all or nothing. If the process dies inside one -- an exception,
    ``kill -9``, a power cut -- the chunk it was writing is rolled back (SQLite replays
    or discards the log the next time the file is opened) and every earlier chunk is
    intact (``synchronous=FULL``: a commit is on disk before it returns). Re-running the
    same input is then safe: recording is idempotent, and every question looks back from
    the decision's own moment (entries recorded at or after it are not seen; windows
    end when the incident occurred and leave it out), so what the crashed run recorded
    does not change an incident's assessment when it is assessed again.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from dapolicy._sqlite_file import DEFAULT_BUSY_TIMEOUT, HistoryFile, OpenMode
from dapolicy._sqlite_queries import (
    _CALLS_OF,
    _COUNT_OF_PAIR,
    _COUNT_OF_VICTIM,
    _COUNTS,
    _EVENTS_OF_VICTIM,
    _INCIDENTS_OF_PAIR,
    _INCIDENTS_OF_VICTIM,
    _INSERT_CALL,
    _INSERT_EVENT,
    _INSERT_GRADE,
    _INSERT_INCIDENT,
    _INSERT_MARAC,
    _LAST_GRADE,
    _LAST_MARAC,
)
from dapolicy._sqlite_schema import SCHEMA_VERSION
from dapolicy.errors import HistoryError
from dapolicy.history import CallEntry, EventEntry, GradeEntry, HistoryEntry, MaracReferralEntry
from dapolicy.models import Agency, CivilOrder, EventKind, RiskGrade
from dapolicy.models._base import micros

__all__ = [
    "DEFAULT_BUSY_TIMEOUT",
    "SCHEMA_VERSION",
    "HistoryError",
    "OpenMode",
    "SQLiteHistory",
]


def _micros(value: datetime, name: str) -> int:
    """``value`` as whole microseconds since 1970-01-01 UTC: the instant, exactly."""
    if value.utcoffset() is None:
        raise ValueError(f"{name} must be a datetime with a UTC offset")
    return micros(value)


def _window(
    since: datetime, until: datetime, known_at: datetime, exclude: str | None
) -> tuple[int, int, int, str | None]:
    """A window query's parameters after its key's: the window, the moment, what is left out."""
    return _micros(since, "since"), _micros(until, "until"), _micros(known_at, "known_at"), exclude


def _at(value: datetime, name: str) -> tuple[int, str]:
    """What is stored of a time: its instant and its text with its offset."""
    return _micros(value, name), value.isoformat()


class SQLiteHistory(HistoryFile):
    """A :class:`~dapolicy.history.MutableHistory` kept in an SQLite file.

    See the module documentation for what is checked at open, the upgrade from schema
    version 1, the locking model and what a crash leaves behind.

    :param path: the history file; ``":memory:"`` keeps the history in memory, for as
        long as this object (tests).
    :param busy_timeout: seconds a write waits for another process's SQLite write lock
        before raising :class:`HistoryError`.
    :param mode: ``"ro"`` read-only, ``"rw"`` an existing history for writing,
        ``"rwc"`` for writing, creating a new history where there is no file or an
        empty one (the default).
    :param exclusive: keep every other writer out for as long as this one is open
        (the sidecar lock, taken exclusively); not with ``mode="ro"``.
    :raises HistoryError: the file does not exist (``"ro"``, ``"rw"``), is empty
        (``"ro"``, ``"rw"``), is not a dapolicy history or not a whole one, fails the
        integrity check, was written by a newer dapolicy, cannot be opened, cannot be
        upgraded, or is in use by another writer.
    :raises ValueError: ``busy_timeout`` is negative, or ``mode`` is unknown or
        ``"ro"`` with ``exclusive``.
    """

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
        shown = " read-only" if self.read_only else ""
        return (
            f"<SQLiteHistory {name!r}{shown} incidents={incidents} victims={victims} "
            f"calls={calls} marac_referrals={referrals}>"
        )

    # --- MutableHistory ----------------------------------------------------------------

    def record_incident(self, entry: HistoryEntry) -> bool:
        """Add an incident; return False if it was already there for its victim."""
        return self._insert(
            _INSERT_INCIDENT,
            (
                entry.incident_id,
                entry.victim_id,
                entry.suspect_id,
                *_at(entry.occurred_at, "occurred_at"),
                int(entry.crime),
                *_at(entry.recorded_at, "recorded_at"),
            ),
        )

    def record_marac_referral(self, entry: MaracReferralEntry) -> bool:
        """Add a MARAC referral; return False if it was already there."""
        return self._insert(
            _INSERT_MARAC,
            (
                entry.victim_id,
                entry.suspect_id,
                *_at(entry.referred_at, "referred_at"),
                entry.incident_id,
                *_at(entry.recorded_at, "recorded_at"),
            ),
        )

    def record_call(self, entry: CallEntry) -> bool:
        """Add a call; return False if its id was already there."""
        return self._insert(
            _INSERT_CALL,
            (
                entry.call_id,
                *_at(entry.received_at, "received_at"),
                entry.caller_id,
                entry.location_id,
                *_at(entry.recorded_at, "recorded_at"),
            ),
        )

    def record_grade(self, entry: GradeEntry) -> bool:
        """Add a grade; return False if one for the same decision and instant was there."""
        return self._insert(
            _INSERT_GRADE,
            (
                entry.victim_id,
                _micros(entry.graded_at, "graded_at"),
                entry.decision_id,
                entry.graded_at.isoformat(),
                entry.grade.value,
                *_at(entry.recorded_at, "recorded_at"),
            ),
        )

    def record_event(self, entry: EventEntry) -> bool:
        """Add an event; return False if its id was already there."""
        return self._insert(
            _INSERT_EVENT,
            (
                entry.event_id,
                entry.kind.value,
                entry.victim_id,
                entry.perpetrator_id,
                *_at(entry.occurred_at, "occurred_at"),
                entry.reported_by.value,
                None if entry.order is None else entry.order.value,
                *_at(entry.recorded_at, "recorded_at"),
            ),
        )

    # --- History -----------------------------------------------------------------------

    def last_grade(
        self, victim_id: str, *, known_at: datetime, exclude: str | None = None
    ) -> GradeEntry | None:
        """The victim's latest grade known before ``known_at`` (see ``History``)."""
        rows = self._query(_LAST_GRADE, (victim_id, _micros(known_at, "known_at"), exclude))
        found = self._entries(rows, _grade)
        return found[0] if found else None

    def events(
        self,
        victim_id: str,
        *,
        since: datetime,
        until: datetime,
        known_at: datetime,
        perpetrator_id: str | None = None,
        exclude: str | None = None,
    ) -> Sequence[EventEntry]:
        """The victim's events in the window, oldest first (see ``History``)."""
        asked = (
            victim_id,
            _micros(since, "since"),
            _micros(until, "until"),
            _micros(known_at, "known_at"),
            exclude,
            perpetrator_id,
            perpetrator_id,
        )
        return self._entries(self._query(_EVENTS_OF_VICTIM, asked), _event)

    def incidents(
        self,
        victim_id: str,
        *,
        since: datetime,
        until: datetime,
        known_at: datetime,
        suspect_id: str | None = None,
        exclude: str | None = None,
    ) -> Sequence[HistoryEntry]:
        """The victim's incidents in the window, oldest first (see ``History``)."""
        asked = _window(since, until, known_at, exclude)
        if suspect_id is None:
            rows = self._query(_INCIDENTS_OF_VICTIM, (victim_id, *asked))
        else:
            rows = self._query(_INCIDENTS_OF_PAIR, (victim_id, suspect_id, *asked))
        return self._entries(rows, _incident)

    def count_incidents(
        self,
        victim_id: str,
        *,
        since: datetime,
        until: datetime,
        known_at: datetime,
        suspect_id: str | None = None,
        exclude: str | None = None,
    ) -> int:
        """How many incidents :meth:`incidents` gives for the same question (one count)."""
        asked = _window(since, until, known_at, exclude)
        if suspect_id is None:
            ((count,),) = self._query(_COUNT_OF_VICTIM, (victim_id, *asked))
        else:
            ((count,),) = self._query(_COUNT_OF_PAIR, (victim_id, suspect_id, *asked))
        return int(count)

    def last_marac_referral(
        self,
        victim_id: str,
        suspect_id: str,
        *,
        before: datetime,
        known_at: datetime,
        exclude: str | None = None,
    ) -> MaracReferralEntry | None:
        """The latest MARAC referral for the pair at or before ``before`` (see ``History``).

        Referrals at the same instant are ordered by incident id; ``exclude`` passes over
        referrals made for that incident.
        """
        asked = (_micros(before, "before"), _micros(known_at, "known_at"), exclude)
        rows = self._query(_LAST_MARAC, (victim_id, suspect_id, *asked))
        found = self._entries(rows, _referral)
        return found[0] if found else None

    def calls(
        self,
        *,
        since: datetime,
        until: datetime,
        known_at: datetime,
        caller_id: str | None = None,
        location_id: str | None = None,
        exclude: str | None = None,
    ) -> Sequence[CallEntry]:
        """Calls from a caller or to a location in the window (see ``History``)."""
        if (caller_id is None) == (location_id is None):
            raise ValueError("give exactly one of caller_id and location_id")
        column, value = "caller_id", caller_id
        if caller_id is None:
            column, value = "location_id", location_id
        asked = _window(since, until, known_at, exclude)
        return self._entries(self._query(_CALLS_OF[column], (value, *asked)), _call)


def _incident(
    incident: str, victim: str, suspect: str, at: str, crime: int, known: str
) -> HistoryEntry:
    return HistoryEntry(
        incident,
        victim,
        suspect,
        datetime.fromisoformat(at),
        bool(crime),
        recorded_at=datetime.fromisoformat(known),
    )


def _referral(victim: str, suspect: str, at: str, incident: str, known: str) -> MaracReferralEntry:
    return MaracReferralEntry(
        victim,
        suspect,
        datetime.fromisoformat(at),
        incident,
        recorded_at=datetime.fromisoformat(known),
    )


def _call(call: str, at: str, caller: str | None, location: str | None, known: str) -> CallEntry:
    return CallEntry(
        call,
        datetime.fromisoformat(at),
        caller,
        location,
        recorded_at=datetime.fromisoformat(known),
    )


def _grade(victim: str, at: str, grade: str, decision: str, known: str) -> GradeEntry:
    return GradeEntry(
        victim,
        datetime.fromisoformat(at),
        RiskGrade(grade),
        decision,
        recorded_at=datetime.fromisoformat(known),
    )


def _event(
    event: str,
    kind: str,
    victim: str,
    perpetrator: str,
    at: str,
    agency: str,
    order: str | None,
    known: str,
) -> EventEntry:
    return EventEntry(
        event,
        EventKind(kind),
        victim,
        perpetrator,
        datetime.fromisoformat(at),
        Agency(agency),
        None if order is None else CivilOrder(order),
        recorded_at=datetime.fromisoformat(known),
    )
