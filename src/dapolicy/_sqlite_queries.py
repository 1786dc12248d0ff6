"""The SQL a :class:`~dapolicy.sqlite_history.SQLiteHistory` asks: behind that module.

Each lookup is one index search with no sort (``tests/test_sqlite_history.py`` reads
every plan); a count asks the same window as the lookup it counts.
"""

from __future__ import annotations

from typing import Final

__all__ = [
    "_CALLS_OF",
    "_COUNTS",
    "_COUNT_OF_PAIR",
    "_COUNT_OF_VICTIM",
    "_EVENTS_OF_VICTIM",
    "_INCIDENTS_OF_PAIR",
    "_INCIDENTS_OF_VICTIM",
    "_INCIDENT_COLUMNS",
    "_INSERT_CALL",
    "_INSERT_EVENT",
    "_INSERT_GRADE",
    "_INSERT_INCIDENT",
    "_INSERT_MARAC",
    "_LAST_GRADE",
    "_LAST_MARAC",
    "_OF_PAIR",
    "_OF_VICTIM",
]

_INSERT_INCIDENT: Final = """
    INSERT OR IGNORE INTO incidents (incident_id, victim_id, suspect_id, occurred_us,
        occurred_at, crime, recorded_us, recorded_at)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?)"""
_INSERT_MARAC: Final = """
    INSERT OR IGNORE INTO marac_referrals (victim_id, suspect_id, referred_us, referred_at,
        incident_id, recorded_us, recorded_at)
    VALUES (?, ?, ?, ?, ?, ?, ?)"""
_INSERT_CALL: Final = """
    INSERT OR IGNORE INTO calls (call_id, received_us, received_at, caller_id, location_id,
        recorded_us, recorded_at)
    VALUES (?, ?, ?, ?, ?, ?, ?)"""

_INSERT_GRADE: Final = """
    INSERT OR IGNORE INTO grades (victim_id, graded_us, decision_id, graded_at, grade,
        recorded_us, recorded_at)
    VALUES (?, ?, ?, ?, ?, ?, ?)"""
_INSERT_EVENT: Final = """
    INSERT OR IGNORE INTO events (event_id, kind, victim_id, perpetrator_id, occurred_us,
        occurred_at, reported_by, order_breached, recorded_us, recorded_at)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"""
_LAST_GRADE: Final = """
    SELECT victim_id, graded_at, grade, decision_id, recorded_at FROM grades
    WHERE victim_id = ? AND recorded_us < ? AND decision_id IS NOT ?
    ORDER BY graded_us DESC, decision_id DESC LIMIT 1"""
_EVENTS_OF_VICTIM: Final = """
    SELECT event_id, kind, victim_id, perpetrator_id, occurred_at, reported_by,
        order_breached, recorded_at FROM events
    WHERE victim_id = ? AND occurred_us BETWEEN ? AND ? AND recorded_us < ?
        AND event_id IS NOT ? AND (? IS NULL OR perpetrator_id = ?)
    ORDER BY occurred_us, event_id"""

_INCIDENT_COLUMNS: Final = "incident_id, victim_id, suspect_id, occurred_at, crime, recorded_at"
#: A victim's incidents in a window (and, the second, with one suspect): what
#: ``incidents`` returns and ``count_incidents`` counts.
_OF_VICTIM: Final = """FROM incidents
    WHERE victim_id = ? AND occurred_us BETWEEN ? AND ? AND recorded_us < ?
        AND incident_id IS NOT ?"""
_OF_PAIR: Final = """FROM incidents
    WHERE victim_id = ? AND suspect_id = ? AND occurred_us BETWEEN ? AND ?
        AND recorded_us < ? AND incident_id IS NOT ?"""
_INCIDENTS_OF_VICTIM: Final = f"""
    SELECT {_INCIDENT_COLUMNS} {_OF_VICTIM}
    ORDER BY occurred_us, incident_id"""
_INCIDENTS_OF_PAIR: Final = f"""
    SELECT {_INCIDENT_COLUMNS} {_OF_PAIR}
    ORDER BY occurred_us, incident_id"""
_COUNT_OF_VICTIM: Final = f"SELECT COUNT(*) {_OF_VICTIM}"
_COUNT_OF_PAIR: Final = f"SELECT COUNT(*) {_OF_PAIR}"
_LAST_MARAC: Final = """
    SELECT victim_id, suspect_id, referred_at, incident_id, recorded_at FROM marac_referrals
    WHERE victim_id = ? AND suspect_id = ? AND referred_us <= ? AND recorded_us < ?
        AND incident_id IS NOT ?
    ORDER BY referred_us DESC, incident_id DESC LIMIT 1"""
_CALLS_OF: Final = {
    column: f"""
    SELECT call_id, received_at, caller_id, location_id, recorded_at FROM calls
    WHERE {column} = ? AND received_us BETWEEN ? AND ? AND recorded_us < ?
        AND call_id IS NOT ?
    ORDER BY received_us, call_id"""
    for column in ("caller_id", "location_id")
}
_COUNTS: Final = """
    SELECT (SELECT COUNT(*) FROM incidents), (SELECT COUNT(DISTINCT victim_id) FROM incidents),
        (SELECT COUNT(*) FROM calls), (SELECT COUNT(*) FROM marac_referrals)"""
