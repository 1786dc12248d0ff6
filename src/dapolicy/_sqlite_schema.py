"""The history file's schema: what it must hold, how it is checked, how v1 is upgraded.

Behind :mod:`dapolicy.sqlite_history`. A file is accepted only when ``sqlite_master``
holds exactly the tables and indexes below (compared statement by statement, white
space aside), its ``dapolicy_schema`` table holds one row with a known version, and
``PRAGMA quick_check`` finds nothing wrong: pages, records, ``NOT NULL`` and ``CHECK``
constraints. The ``typeof`` checks make quick_check a check of every stored value's
type as well, so a value that is not what dapolicy wrote is found at open, not when a
decision reads it.
"""

from __future__ import annotations

import functools
import sqlite3
from typing import Final

__all__ = [
    "SCHEMA_V1",
    "SCHEMA_V2",
    "SCHEMA_VERSION",
    "migration_v1_to_v2",
    "schema_of",
    "shape_of",
]

#: The schema version this dapolicy writes and reads.
SCHEMA_VERSION: Final = 2

#: Version 1 (dapolicy 0.1): one clock. Kept to recognise, and upgrade, such a file.
SCHEMA_V1: Final = (
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
)

_TABLES_V2: Final = (
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
    # The key is also the lookup's index: of two referrals at one instant, the one with
    # the greater incident id is the latest (as in InMemoryHistory, whatever the order
    # they were recorded in).
    """CREATE TABLE marac_referrals (
        victim_id TEXT NOT NULL CHECK (typeof(victim_id) = 'text'),
        suspect_id TEXT NOT NULL CHECK (typeof(suspect_id) = 'text'),
        referred_us INTEGER NOT NULL CHECK (typeof(referred_us) = 'integer'),
        referred_at TEXT NOT NULL CHECK (typeof(referred_at) = 'text'),
        incident_id TEXT NOT NULL CHECK (typeof(incident_id) = 'text'),
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
)

#: Version 2: two clocks (``recorded_us``/``recorded_at`` beside each entry's own time),
#: and every value's type checked. One statement an item (``executescript`` would
#: commit an open transaction).
SCHEMA_V2: Final = (
    "CREATE TABLE dapolicy_schema (version INTEGER NOT NULL)",
    f"INSERT INTO dapolicy_schema (version) VALUES ({SCHEMA_VERSION})",
    *_TABLES_V2,
)

#: Upgrade a checked version 1 file, inside one transaction. A v1 entry did not record
#: when the force knew it: it gets its own time (``occurred_at``, ``referred_at``,
#: ``received_at``) as ``recorded_at``, the earliest the force could have known it.
#: That is the safe answer: version 1 answered every question by occurrence alone, as
#: if each entry had been known from the moment it happened, so every decision sees
#: exactly what it saw before the upgrade; any later choice would hide past incidents
#: from re-derived decisions and could lower a grade.
migration_v1_to_v2: Final = (
    "DROP INDEX incidents_by_victim",
    "DROP INDEX incidents_by_pair",
    "DROP INDEX calls_by_caller",
    "DROP INDEX calls_by_location",
    "ALTER TABLE incidents RENAME TO v1_incidents",
    "ALTER TABLE marac_referrals RENAME TO v1_marac_referrals",
    "ALTER TABLE calls RENAME TO v1_calls",
    *_TABLES_V2,
    """INSERT INTO incidents SELECT incident_id, victim_id, suspect_id, occurred_us,
        occurred_at, crime, occurred_us, occurred_at FROM v1_incidents""",
    """INSERT INTO marac_referrals SELECT victim_id, suspect_id, referred_us, referred_at,
        incident_id, referred_us, referred_at FROM v1_marac_referrals""",
    """INSERT INTO calls SELECT call_id, received_us, received_at, caller_id, location_id,
        received_us, received_at FROM v1_calls""",
    "DROP TABLE v1_incidents",
    "DROP TABLE v1_marac_referrals",
    "DROP TABLE v1_calls",
    f"UPDATE dapolicy_schema SET version = {SCHEMA_VERSION}",
)

#: What ``sqlite_master`` holds, one (type, name, table, statement) row per object.
Shape = frozenset[tuple[str, str, str, str | None]]


def _normal(sql: str | None) -> str | None:
    return None if sql is None else " ".join(sql.split())


def shape_of(connection: sqlite3.Connection) -> Shape:
    """The schema objects in a database, statements with white space normalised.

    SQLite's own statistics tables (``sqlite_stat1`` ..., made by ``ANALYZE``) are left
    out: they change no answer.
    """
    rows = connection.execute("SELECT type, name, tbl_name, sql FROM sqlite_master").fetchall()
    return frozenset(
        (str(kind), str(name), str(table), _normal(sql))
        for kind, name, table, sql in rows
        if not str(name).startswith("sqlite_stat")
    )


@functools.cache
def schema_of(version: int) -> Shape:
    """The shape a history of ``version`` has, as SQLite stores it."""
    statements = {1: SCHEMA_V1, 2: SCHEMA_V2}[version]
    connection = sqlite3.connect(":memory:")
    try:
        for statement in statements:
            connection.execute(statement)
        return shape_of(connection)
    finally:
        connection.close()
