"""The history file's schema: what it must hold, how it is checked, how old ones are upgraded.

Behind :mod:`dapolicy.sqlite_history`. A file is accepted only when ``sqlite_master``
holds exactly the tables and indexes below (compared statement by statement, white
space aside), its ``dapolicy_schema`` table holds one row with a known version, and
``PRAGMA integrity_check`` finds nothing wrong: pages, records, every index against its
table, ``UNIQUE``, ``NOT NULL`` and ``CHECK`` constraints. The ``typeof`` checks make it
a check of every stored value's type as well, so a value that is not what dapolicy wrote
is found at open, not when a decision reads it.
"""

from __future__ import annotations

import functools
import sqlite3
from typing import Final

__all__ = [
    "SCHEMA_V1",
    "SCHEMA_V2",
    "SCHEMA_V3",
    "SCHEMA_V4",
    "SCHEMA_VERSION",
    "bad_rows",
    "migration_v1_to_v2",
    "migration_v2_to_v3",
    "migration_v3_to_v4",
    "real_problems",
    "schema_of",
    "shape_of",
    "upgrade_from",
]

#: The schema version this dapolicy writes and reads.
SCHEMA_VERSION: Final = 4

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
    # The key's columns come first, in the key's order: SQLite 3.40's integrity check
    # misreads a WITHOUT ROWID table whose other columns come between them (it reports
    # NULLs that are not there).
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
)

#: Version 2: two clocks (``recorded_us``/``recorded_at`` beside each entry's own time),
#: and every value's type checked. One statement an item (``executescript`` would
#: commit an open transaction). Kept to recognise, and upgrade, such a file.
SCHEMA_V2: Final = (
    "CREATE TABLE dapolicy_schema (version INTEGER NOT NULL)",
    "INSERT INTO dapolicy_schema (version) VALUES (2)",
    *_TABLES_V2,
)

# Version 3 adds two tables and changes none: each victim's recorded grades, and the
# events after an incident. A grade is keyed by (victim, when, decision): the key is
# also the index that finds a victim's latest grade. An event's recorded_us may come
# before its occurred_us (a release known in advance), so there is no CHECK of order.
_TABLES_ADDED_V3: Final = (
    """CREATE TABLE grades (
        victim_id TEXT NOT NULL CHECK (typeof(victim_id) = 'text'),
        graded_us INTEGER NOT NULL CHECK (typeof(graded_us) = 'integer'),
        decision_id TEXT NOT NULL CHECK (typeof(decision_id) = 'text'),
        graded_at TEXT NOT NULL CHECK (typeof(graded_at) = 'text'),
        grade TEXT NOT NULL CHECK (grade IN ('standard', 'medium', 'high')),
        recorded_us INTEGER NOT NULL CHECK (typeof(recorded_us) = 'integer'),
        recorded_at TEXT NOT NULL CHECK (typeof(recorded_at) = 'text'),
        PRIMARY KEY (victim_id, graded_us, decision_id),
        CHECK (recorded_us >= graded_us)
    ) WITHOUT ROWID""",
    """CREATE TABLE events (
        event_id TEXT NOT NULL PRIMARY KEY CHECK (typeof(event_id) = 'text'),
        kind TEXT NOT NULL CHECK (typeof(kind) = 'text'),
        victim_id TEXT NOT NULL CHECK (typeof(victim_id) = 'text'),
        perpetrator_id TEXT NOT NULL CHECK (typeof(perpetrator_id) = 'text'),
        occurred_us INTEGER NOT NULL CHECK (typeof(occurred_us) = 'integer'),
        occurred_at TEXT NOT NULL CHECK (typeof(occurred_at) = 'text'),
        reported_by TEXT NOT NULL CHECK (typeof(reported_by) = 'text'),
        order_breached TEXT CHECK (order_breached IS NULL OR typeof(order_breached) = 'text'),
        recorded_us INTEGER NOT NULL CHECK (typeof(recorded_us) = 'integer'),
        recorded_at TEXT NOT NULL CHECK (typeof(recorded_at) = 'text')
    ) WITHOUT ROWID""",
    "CREATE INDEX events_by_victim ON events (victim_id, occurred_us, event_id)",
)

#: Version 3: version 2, and each victim's grades and events.
SCHEMA_V3: Final = (
    "CREATE TABLE dapolicy_schema (version INTEGER NOT NULL)",
    "INSERT INTO dapolicy_schema (version) VALUES (3)",
    *_TABLES_V2,
    *_TABLES_ADDED_V3,
)

# Version 4 changes one key: an incident is one victim's, keyed by (incident, victim),
# so that two victims of one incident each have it in their history (version 3 kept
# the first recorded and left the other victim without it).
_INCIDENTS_V4: Final = (
    """CREATE TABLE incidents (
        incident_id TEXT NOT NULL CHECK (typeof(incident_id) = 'text'),
        victim_id TEXT NOT NULL CHECK (typeof(victim_id) = 'text'),
        suspect_id TEXT NOT NULL CHECK (typeof(suspect_id) = 'text'),
        occurred_us INTEGER NOT NULL CHECK (typeof(occurred_us) = 'integer'),
        occurred_at TEXT NOT NULL CHECK (typeof(occurred_at) = 'text'),
        crime INTEGER NOT NULL CHECK (crime IN (0, 1) AND typeof(crime) = 'integer'),
        recorded_us INTEGER NOT NULL CHECK (typeof(recorded_us) = 'integer'),
        recorded_at TEXT NOT NULL CHECK (typeof(recorded_at) = 'text'),
        PRIMARY KEY (incident_id, victim_id),
        CHECK (recorded_us >= occurred_us)
    ) WITHOUT ROWID""",
    *_TABLES_V2[1:3],  # its two indexes, as before
)

#: Version 4: version 3 with incidents keyed by (incident, victim).
SCHEMA_V4: Final = (
    "CREATE TABLE dapolicy_schema (version INTEGER NOT NULL)",
    f"INSERT INTO dapolicy_schema (version) VALUES ({SCHEMA_VERSION})",
    *_INCIDENTS_V4,
    *_TABLES_V2[3:],
    *_TABLES_ADDED_V3,
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
    """INSERT INTO incidents (incident_id, victim_id, suspect_id, occurred_us, occurred_at,
        crime, recorded_us, recorded_at)
        SELECT incident_id, victim_id, suspect_id, occurred_us, occurred_at, crime,
        occurred_us, occurred_at FROM v1_incidents""",
    """INSERT INTO marac_referrals (victim_id, suspect_id, referred_us, incident_id,
        referred_at, recorded_us, recorded_at)
        SELECT victim_id, suspect_id, referred_us, incident_id, referred_at, referred_us,
        referred_at FROM v1_marac_referrals""",
    """INSERT INTO calls (call_id, received_us, received_at, caller_id, location_id,
        recorded_us, recorded_at)
        SELECT call_id, received_us, received_at, caller_id, location_id, received_us,
        received_at FROM v1_calls""",
    "DROP TABLE v1_incidents",
    "DROP TABLE v1_marac_referrals",
    "DROP TABLE v1_calls",
    "UPDATE dapolicy_schema SET version = 2",
)

#: Upgrade a checked version 2 file, inside one transaction: the two new tables, empty
#: (a version 2 history kept no grades nor events), and every row already there left
#: exactly as it was. So every decision re-derived after the upgrade sees what it saw
#: before: no last grade, no events.
migration_v2_to_v3: Final = (
    *_TABLES_ADDED_V3,
    "UPDATE dapolicy_schema SET version = 3",
)

_INCIDENT_COLUMNS: Final = """incident_id, victim_id, suspect_id, occurred_us, occurred_at,
        crime, recorded_us, recorded_at"""

#: Upgrade a checked version 3 file, inside one transaction: its incidents into the
#: table keyed by (incident, victim), every row as it was (a version 3 key was the
#: incident alone, so no two rows can clash). What a victim's history holds is the
#: same, so every decision re-derived after the upgrade sees what it saw before.
migration_v3_to_v4: Final = (
    "DROP INDEX incidents_by_victim",
    "DROP INDEX incidents_by_pair",
    "ALTER TABLE incidents RENAME TO v3_incidents",
    *_INCIDENTS_V4,
    f"INSERT INTO incidents ({_INCIDENT_COLUMNS}) SELECT {_INCIDENT_COLUMNS} FROM v3_incidents",
    "DROP TABLE v3_incidents",
    f"UPDATE dapolicy_schema SET version = {SCHEMA_VERSION}",
)


def upgrade_from(version: int) -> tuple[str, ...]:
    """The statements that upgrade a checked file of ``version`` to this one's."""
    steps = {
        1: (*migration_v1_to_v2, *migration_v2_to_v3, *migration_v3_to_v4),
        2: (*migration_v2_to_v3, *migration_v3_to_v4),
        3: migration_v3_to_v4,
    }
    return steps[version]


#: What ``sqlite_master`` holds, one (type, name, table, statement) row per object.
Shape = frozenset[tuple[str, str, str, str | None]]


def _normal(sql: object) -> str | None:
    # A damaged file may hold a statement that is not text: it matches nothing expected.
    if sql is None:
        return None
    return " ".join(sql.split()) if isinstance(sql, str) else repr(sql)


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
    statements = {1: SCHEMA_V1, 2: SCHEMA_V2, 3: SCHEMA_V3, 4: SCHEMA_V4}[version]
    connection = sqlite3.connect(":memory:")
    try:
        for statement in statements:
            connection.execute(statement)
        return shape_of(connection)
    finally:
        connection.close()


def real_problems(connection: sqlite3.Connection, problems: list[str]) -> list[str]:
    """``PRAGMA integrity_check``'s problems, less the NULLs SQLite 3.40 reports wrongly.

    SQLite 3.40 reports "NULL value in T.C" for a WITHOUT ROWID table whose non-key
    column C comes before one of the key's columns, as in version 1's
    ``marac_referrals``, when there is none. Each such report is checked with a query
    and kept only if a NULL is really there. T and C are names of the schema already
    compared with the expected one, so they are dapolicy's own.
    """
    kept = []
    for problem in problems:
        words = problem.split()
        if problem.startswith("NULL value in ") and len(words) == 4 and words[3].count(".") == 1:
            table, column = words[3].split(".")
            if table.isidentifier() and column.isidentifier():
                query = f'SELECT 1 FROM "{table}" WHERE "{column}" IS NULL LIMIT 1'
                if not connection.execute(query).fetchall():
                    continue
        kept.append(problem)
    return kept


#: Every CHECK of version 4 (and 3), as one condition a table: ``PRAGMA integrity_check`` does not
#: evaluate CHECK constraints on a read-only connection, so a read-only open asks these.
_ROW_CHECKS_V2: Final = {
    "incidents": """typeof(incident_id) = 'text' AND typeof(victim_id) = 'text'
        AND typeof(suspect_id) = 'text' AND typeof(occurred_us) = 'integer'
        AND typeof(occurred_at) = 'text' AND crime IN (0, 1) AND typeof(crime) = 'integer'
        AND typeof(recorded_us) = 'integer' AND typeof(recorded_at) = 'text'
        AND recorded_us >= occurred_us""",
    "marac_referrals": """typeof(victim_id) = 'text' AND typeof(suspect_id) = 'text'
        AND typeof(referred_us) = 'integer' AND typeof(incident_id) = 'text'
        AND typeof(referred_at) = 'text' AND typeof(recorded_us) = 'integer'
        AND typeof(recorded_at) = 'text' AND recorded_us >= referred_us""",
    "calls": """typeof(call_id) = 'text' AND typeof(received_us) = 'integer'
        AND typeof(received_at) = 'text'
        AND (caller_id IS NULL OR typeof(caller_id) = 'text')
        AND (location_id IS NULL OR typeof(location_id) = 'text')
        AND typeof(recorded_us) = 'integer' AND typeof(recorded_at) = 'text'
        AND recorded_us >= received_us""",
    "grades": """typeof(victim_id) = 'text' AND typeof(graded_us) = 'integer'
        AND typeof(decision_id) = 'text' AND typeof(graded_at) = 'text'
        AND grade IN ('standard', 'medium', 'high') AND typeof(recorded_us) = 'integer'
        AND typeof(recorded_at) = 'text' AND recorded_us >= graded_us""",
    "events": """typeof(event_id) = 'text' AND typeof(kind) = 'text'
        AND typeof(victim_id) = 'text' AND typeof(perpetrator_id) = 'text'
        AND typeof(occurred_us) = 'integer' AND typeof(occurred_at) = 'text'
        AND typeof(reported_by) = 'text'
        AND (order_breached IS NULL OR typeof(order_breached) = 'text')
        AND typeof(recorded_us) = 'integer' AND typeof(recorded_at) = 'text'""",
}


def bad_rows(connection: sqlite3.Connection) -> list[str]:
    """A problem for each table (of this version) holding a row that breaks one of its CHECKs."""
    return [
        f"CHECK constraint failed in {table}"
        for table, condition in _ROW_CHECKS_V2.items()
        if connection.execute(f"SELECT 1 FROM {table} WHERE NOT ({condition}) LIMIT 1").fetchall()
    ]
