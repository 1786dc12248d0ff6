"""Re-derive recorded decisions from their cases, and say exactly where any differs.

A decision may be read at a case review years after it was made. :func:`verify_files`
decides every case of a cases file again, by the same ordered pipeline as
``dapolicy assess`` (:func:`dapolicy.batch.assess_file`: decision-time order, the
same history semantics), and compares each recorded decision with its re-derived
twin byte for byte. Each recorded decision gets one outcome:

- :class:`Verified`: the same bytes;
- :class:`Mismatch`: different, with the JSON path of every field that differs
  (never a value: a decision names people's ids and its reasons quote case facts);
- :class:`Unverifiable`: made by plug-ins, a policy version or a configuration that
  is not the one installed, so it *cannot* be re-derived here: what is missing is
  said, and it is never counted as a match.

After the last recorded decision, each case line that no recorded decision was paired
with gets one outcome too, so that a reviewer sees what the decisions file leaves out:

- :class:`Unrecorded`: a case decided here with no decision in the decisions file;
- :class:`CaseRejected`: a case line that ``dapolicy assess`` rejects too (it has no
  decision to verify).

Recorded decisions are paired with cases by incident id (the k-th decision for an
incident with the k-th valid case line for it), so a decisions file in another order,
or holding only some decisions, is verified all the same.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import sqlite3
import tempfile
from collections import deque
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import attrs

from dapolicy._compact import CompactFormError, Expander, LineError
from dapolicy._json_limits import field_names
from dapolicy.batch import LineResult, assess_file
from dapolicy.errors import join_path
from dapolicy.history import MutableHistory
from dapolicy.policy import Policy

__all__ = [
    "CaseRejected",
    "CompactFormError",
    "Mismatch",
    "Unrecorded",
    "Unverifiable",
    "Verified",
    "differing_paths",
    "verify_files",
]

#: The fields that say what made a decision: if they differ, it cannot be re-derived.
PROVENANCE = ("plugins", "policy_fingerprint", "policy_version")


@attrs.frozen
class Verified:
    """A recorded decision re-derived byte for byte.

    :param line: its line in the decisions file, from 1.
    :param incident_id: its incident.
    """

    line: int
    incident_id: str


@attrs.frozen
class Mismatch:
    """A recorded decision that is not what its case gives now.

    :param line: its line in the decisions file, from 1.
    :param incident_id: its incident (``None`` when no case could be paired with it).
    :param paths: the JSON path of each field that differs (``$`` for the whole line).
    :param why: what kind of difference, in words.
    """

    line: int
    incident_id: str | None
    paths: tuple[str, ...]
    why: str = "fields differ"


@attrs.frozen
class Unverifiable:
    """A recorded decision made by something that is not installed here.

    :param line: its line in the decisions file, from 1.
    :param incident_id: its incident.
    :param missing: what it was made by that differs from what is installed, in words
        (plug-in names and versions, the policy version id, the fingerprint).
    """

    line: int
    incident_id: str
    missing: tuple[str, ...]


@attrs.frozen
class Unrecorded:
    """A case decided here whose decision is not in the decisions file.

    Not a difference: a decisions file may hold only some of the decisions. It is said
    so that a file missing decisions is never taken for a whole one.

    :param case_line: its line in the cases file, from 1.
    :param incident_id: its incident.
    """

    case_line: int
    incident_id: str


@attrs.frozen
class CaseRejected:
    """A line of the cases file that ``dapolicy assess`` rejects: no decision to verify.

    :param case_line: its line in the cases file, from 1.
    """

    case_line: int


Outcome = Verified | Mismatch | Unverifiable | Unrecorded | CaseRejected


def verify_files(
    cases: str | os.PathLike[str],
    decisions: str | os.PathLike[str],
    policy: Policy,
    *,
    history: str | os.PathLike[str] | None = None,
) -> Iterator[Outcome]:
    """Each recorded decision of ``decisions`` against its case in ``cases``.

    One outcome for each line of ``decisions``, in its order; then one for each case
    line no recorded decision was paired with (:class:`Unrecorded`,
    :class:`CaseRejected`), in the cases file's order.

    :param cases: the cases file the decisions were made from (JSON Lines).
    :param decisions: the decisions, one JSON line each, as ``dapolicy assess`` wrote
        them: in the full form or the compact one (``--compact``), which is compared as
        the full form it stands for.
    :param policy: the policy to re-derive with.
    :param history: a persistent history (SQLite) the decisions were made against. It
        is never written: a copy is decided against. A history that holds these very
        decisions gives the same results (each decision sees only what was recorded
        before its time).
    :raises OSError: a file cannot be read.
    :raises HistoryError: the history cannot be used.
    :raises CompactFormError: ``decisions`` holds compact lines but does not begin with
        the compact header.
    """
    with _history_copy(history) as copied, open(decisions, "rb") as recorded:
        derived = _Derived(assess_file(cases, policy, history=copied))
        form = Expander(os.fspath(decisions))
        for line, raw in enumerate(recorded, start=1):
            text = raw.decode("utf-8", "replace").rstrip("\r\n").removeprefix("\ufeff")
            try:
                full = form.full(line, text)
            except LineError as exc:
                yield Mismatch(line, None, ("$",), f"a compact line that cannot be read: {exc}")
                continue
            if full is not None:
                yield derived.compare(line, full)
        yield from derived.unpaired()


@contextlib.contextmanager
def _history_copy(path: str | os.PathLike[str] | None) -> Iterator[MutableHistory | None]:
    if path is None:
        yield None
        return
    from dapolicy.errors import HistoryError
    from dapolicy.sqlite_history import SQLiteHistory

    if not Path(path).is_file():
        raise HistoryError(f"{os.fspath(path)}: no such history file")
    with tempfile.TemporaryDirectory() as folder:
        copy = Path(folder) / "history.db"
        try:
            source = sqlite3.connect(f"{Path(path).resolve().as_uri()}?mode=ro", uri=True)
            try:
                with contextlib.closing(sqlite3.connect(copy)) as target:
                    source.backup(target)
            finally:
                source.close()
        except sqlite3.Error as exc:
            raise HistoryError(f"{os.fspath(path)}: cannot be read ({exc})") from None
        with SQLiteHistory(copy) as history:
            yield history


class _Derived:
    """The re-derived decisions, paired with recorded ones by incident id."""

    def __init__(self, results: Iterator[LineResult]) -> None:
        self._results = results
        self._waiting: dict[str, deque[tuple[int, str]]] = {}
        self._paired: dict[str, int] = {}
        self._rejected: list[int] = []

    def _next_for(self, incident_id: str) -> str | None:
        waiting = self._waiting.get(incident_id)
        if waiting:
            return waiting.popleft()[1]
        for result in self._results:
            if result.decision is None:
                self._rejected.append(result.number)
                continue
            found = _incident_of(result.decision)
            if found == incident_id:
                return result.decision
            self._waiting.setdefault(found, deque()).append((result.number, result.decision))
        return None

    def unpaired(self) -> Iterator[Unrecorded | CaseRejected]:
        """Every case line no recorded decision was paired with, in the file's order.

        The results come in the cases file's order, so every line already looked at
        comes before every line still to come: those are said as they are read, and
        no decision text is kept for them.
        """
        seen: list[Unrecorded | CaseRejected] = [CaseRejected(n) for n in self._rejected]
        for incident_id, waiting in self._waiting.items():
            seen.extend(Unrecorded(number, incident_id) for number, _ in waiting)
        seen.sort(key=lambda outcome: outcome.case_line)
        self._waiting.clear()
        yield from seen
        for result in self._results:
            if result.decision is None:
                yield CaseRejected(result.number)
            else:
                yield Unrecorded(result.number, _incident_of(result.decision))

    def compare(self, line: int, text: str) -> Outcome:
        try:
            recorded = _strict_json(text)
        except ValueError:
            return Mismatch(line, None, ("$",), "not a JSON decision")
        incident_id = recorded.get("incident_id") if isinstance(recorded, dict) else None
        if not isinstance(incident_id, str):
            return Mismatch(line, None, ("$.incident_id",), "no incident id to pair it by")
        twin = self._next_for(incident_id)
        if twin is None:
            paired = self._paired.get(incident_id, 0)
            if paired:
                # A line given twice, say: its case is there, and already paired.
                cases = "case" if paired == 1 else "cases"
                why = f"one decision more for this incident than its {paired} {cases}"
                return Mismatch(line, incident_id, ("$.incident_id",), why)
            return Mismatch(line, None, ("$.incident_id",), "no case in the cases file has it")
        self._paired[incident_id] = self._paired.get(incident_id, 0) + 1
        if twin == text:
            return Verified(line, incident_id)
        derived = json.loads(twin)
        missing = _provenance(recorded, derived)
        if missing:
            return Unverifiable(line, incident_id, missing)
        paths = differing_paths(recorded, derived)
        if not paths:
            return Mismatch(line, incident_id, ("$",), "the same fields, written differently")
        return Mismatch(line, incident_id, paths)


def _incident_of(decision: str) -> str:
    found = json.loads(decision)["incident_id"]
    assert isinstance(found, str)
    return found


def _strict_json(text: str) -> Any:
    """The JSON value of ``text``, within the input limits; NaN and Infinity refused."""
    from dapolicy import _json_limits

    value = _json_limits.loads(text, dict)
    json.dumps(value, allow_nan=False)
    return value


def _provenance(recorded: Any, derived: Any) -> tuple[str, ...]:
    """What made ``recorded`` that is not what makes ``derived`` here, in words."""
    missing: list[str] = []
    made_by = _plugins(recorded.get("plugins"))
    installed = _plugins(derived.get("plugins")) or {}
    if made_by is None:
        missing.append("the plug-ins it was made by are not recorded in a form read here")
    else:
        for name, version in sorted(made_by.items()):
            if name not in installed:
                missing.append(f"plug-in {name} {version}: not installed")
            elif installed[name] != version:
                missing.append(f"plug-in {name} {version}: installed is {installed[name]}")
        for name in sorted(set(installed) - set(made_by)):
            missing.append(f"plug-in {name} is installed but did not make it")
    old, new = recorded.get("policy_version"), derived.get("policy_version")
    if old != new:
        said = old if isinstance(old, str) and _safe(old) else "one not recorded"
        missing.append(f"policy version {said}: in force here is {new or 'none recorded'}")
    if recorded.get("policy_fingerprint") != derived.get("policy_fingerprint"):
        missing.append("the policy configuration (its fingerprint differs from this one's)")
    return tuple(missing)


def _plugins(value: Any) -> dict[str, str] | None:
    if not isinstance(value, list):
        return None
    found: dict[str, str] = {}
    for item in value:
        if not (isinstance(item, dict) and set(item) == {"name", "version"}):
            return None
        name, version = item["name"], item["version"]
        if not (isinstance(name, str) and isinstance(version, str)):
            return None
        if not (_safe(name) and _safe(version)):
            return None
        found[name] = version
    return found


_SAFE = re.compile(r"[A-Za-z0-9][A-Za-z0-9 ._+:/()-]{0,79}", re.ASCII)


def _safe(text: str) -> bool:
    """A plug-in name, version or policy version id that may be printed."""
    return _SAFE.fullmatch(text) is not None


def differing_paths(recorded: Any, derived: Any, path: str = "$") -> tuple[str, ...]:
    """The JSON path of every value that differs between two JSON values.

    Objects are compared key by key, arrays item by item (an item only one of them
    has is a difference at its index), anything else by value and type. A key that is
    not one of dapolicy's field names is named by its position (``#3``), since a key
    that came from input may be input.
    """
    if isinstance(recorded, dict) and isinstance(derived, dict):
        known = field_names()
        found: list[str] = []
        keys = list(derived) + [k for k in recorded if k not in derived]
        for position, key in enumerate(keys):
            here = join_path(path, key if key in known else f"#{position}")
            if key not in recorded or key not in derived:
                found.append(here)
            else:
                found += differing_paths(recorded[key], derived[key], here)
        return tuple(found)
    if isinstance(recorded, list) and isinstance(derived, list):
        found = []
        for index in range(max(len(recorded), len(derived))):
            here = join_path(path, index)
            if index >= len(recorded) or index >= len(derived):
                found.append(here)
            else:
                found += differing_paths(recorded[index], derived[index], here)
        return tuple(found)
    if type(recorded) is not type(derived) or recorded != derived:
        return (path,)
    return ()
