"""A decision recorded in a decisions file (full or compact form), found by its incident."""

from __future__ import annotations

import json
from contextlib import ExitStack
from pathlib import Path

import attrs

from dapolicy._compact import CompactFormError, Expander, LineError
from dapolicy.cli._common import _Failure
from dapolicy.cli._files import is_stream, open_input
from dapolicy.errors import ValidationError
from dapolicy.models import Decision
from dapolicy.serialization import from_json
from dapolicy.verify import differing_paths


@attrs.frozen
class Recorded:
    """The decision recorded for an incident, and how it compares with today's.

    :param line: its line in the decisions file.
    :param decision: the decision as recorded.
    :param differs: the JSON paths where today's decision differs (empty: the same bytes).
    """

    line: int
    decision: Decision
    differs: tuple[str, ...]

    def describe(self, path: Path | None) -> str:
        """One line saying where the decision was recorded and whether it is made again."""
        where = f"Recorded decision: line {self.line} of {_name(path)}"
        if not self.differs:
            return f"{where}; this policy gives the same decision, byte for byte."
        return f"{where}; this policy now decides differently at: {', '.join(self.differs)}"


def _name(path: Path | None) -> str:
    return "standard input" if path is None or is_stream(path) else str(path)


def recorded_decision(path: Path, incident_id: str, now: str) -> Recorded:
    """The one decision for ``incident_id`` in the decisions file ``path``.

    :param now: today's decision for the same case, as ``to_json`` writes it.
    :raises _Failure: the file cannot be read, holds no decision or two for the incident,
        or is a compact file without its header (exit status 2).
    """
    found: tuple[int, str] | None = None
    form = Expander(_name(path))
    with ExitStack() as stack:
        source = open_input("--decisions", path)
        if not is_stream(path):
            stack.enter_context(source)
        try:
            for number, raw in enumerate(source, start=1):
                text = raw.decode("utf-8", "replace").rstrip("\r\n").removeprefix("\ufeff")
                try:
                    full = form.full(number, text)
                except LineError:
                    continue  # not the incident's decision: the line cannot even be read
                if full is None or _incident_of(full) != incident_id:
                    continue
                if found is not None:
                    raise _Failure(
                        f"{_name(path)}: the case's incident has decisions on lines "
                        f"{found[0]} and {number}"
                    )
                found = (number, full)
        except CompactFormError as exc:
            raise _Failure(str(exc)) from None
    if found is None:
        raise _Failure(f"{_name(path)}: no decision for the incident of the case explained")
    number, full = found
    try:
        decision = from_json(Decision, full)
    except ValidationError as exc:
        raise _Failure(f"{_name(path)}: line {number} is not a valid decision: {exc}") from None
    differs: tuple[str, ...] = ()
    if full != now:  # the same fields written differently still differ: "$"
        differs = differing_paths(json.loads(full), json.loads(now)) or ("$",)
    return Recorded(number, decision, differs)


def _incident_of(text: str) -> str | None:
    try:
        value = json.loads(text)
    except (ValueError, RecursionError):
        return None
    found = value.get("incident_id") if isinstance(value, dict) else None
    return found if isinstance(found, str) else None
