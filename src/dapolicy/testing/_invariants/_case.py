"""The conformance case: what ``Policy.assess`` is given, plus the changes to try."""

from __future__ import annotations

import copy
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from typing import Any

import attrs

from dapolicy.history import CallEntry, HistoryEntry, InMemoryHistory, MaracReferralEntry
from dapolicy.models import (
    DaraForm,
    Incident,
    ProfessionalJudgement,
    RiskForm,
)
from dapolicy.models._base import LONDON, to_tuple

#: The task the built-in safeguarding plug-in sets for each child (invariant 5).
WELFARE_CHECK = "child-welfare-check"

_ZONES: tuple[tuple[str, tzinfo], ...] = (
    ("UTC", UTC),
    ("Europe/London", LONDON),
    ("UTC+05:30", timezone(timedelta(hours=5, minutes=30))),
)

#: Incidents are drawn within these years: wide enough for clock-change rules that
#: changed over time, narrow enough to keep ages and windows realistic.
_FIRST = datetime(2000, 1, 1)

_LAST = datetime(2039, 12, 31, 23, 59)


@attrs.frozen
class ConformanceCase:
    """One case to assess: what :meth:`Policy.assess` is given, plus the changes to try.

    :param incident: the incident.
    :param form: its risk form, or ``None``.
    :param now: the time of the decision (not before the report).
    :param prior_incidents: the history's incidents (this victim's and others').
    :param marac_referrals: the history's MARAC referrals.
    :param extra_yes: for invariant 2, an item of the form's checklist not answered
        "yes"; ``None`` to try every such item.
    :param extra_incident: for invariant 2, one more prior incident for the victim;
        ``None`` for one the day before.
    :param higher_judgement: for invariant 2, a professional judgement at least as high
        as the form's; ``None`` for a judgement of high.
    :param flips: for invariant 2, items of the form's checklist to change, each alone,
        from its answer to every other answer (yes, no, not known, declined, not asked).
    :param label: what the case is meant to reach (e.g. "victim aged exactly 16"), for
        the explicit boundary cases; empty for a drawn case.
    :param dara: the officer's DARA form, or ``None`` (drawn when the policy's
        settings hold the force's DARA items).
    """

    incident: Incident
    form: RiskForm | None
    now: datetime
    prior_incidents: tuple[HistoryEntry, ...] = attrs.field(default=(), converter=to_tuple)
    marac_referrals: tuple[MaracReferralEntry, ...] = attrs.field(default=(), converter=to_tuple)
    extra_yes: str | None = None
    extra_incident: HistoryEntry | None = None
    higher_judgement: ProfessionalJudgement | None = None
    flips: tuple[str, ...] = attrs.field(default=(), converter=to_tuple)
    label: str = ""
    dara: DaraForm | None = None

    @property
    def history(self) -> _KitHistory:
        """A new history holding :attr:`prior_incidents` and :attr:`marac_referrals`."""
        return _history(self.prior_incidents, self.marac_referrals)


class _KitHistory(InMemoryHistory):
    """An in-memory history that can say what it holds, to compare before and after."""

    def __init__(self) -> None:
        super().__init__()
        self._held: list[object] = []

    def record_incident(self, entry: HistoryEntry) -> bool:
        added = super().record_incident(entry)
        self._held.append(entry)
        return added

    def record_marac_referral(self, entry: MaracReferralEntry) -> bool:
        added = super().record_marac_referral(entry)
        self._held.append(entry)
        return added

    def record_call(self, entry: CallEntry) -> bool:
        added = super().record_call(entry)
        self._held.append(entry)
        return added

    def content(self) -> tuple[Any, ...]:
        """Everything held, by value: each entry recorded, and each victim's incidents.

        The victims' incidents are read back through the public query, so an entry
        changed in place, removed, or added by any route shows.
        """
        victims = sorted({e.victim_id for e in self._held if isinstance(e, HistoryEntry)})
        found = tuple(
            (
                victim,
                tuple(self.incidents(victim, since=_EARLIEST, until=_LATEST, known_at=_LATEST)),
            )
            for victim in victims
        )
        return (tuple(copy.copy(e) for e in self._held), found, len(self))


_EARLIEST = datetime(1, 1, 2, tzinfo=UTC)
_LATEST = datetime(9999, 12, 30, tzinfo=UTC)


def _history(
    entries: Iterable[HistoryEntry], referrals: Iterable[MaracReferralEntry] = ()
) -> _KitHistory:
    history = _KitHistory()
    for entry in entries:
        history.record_incident(entry)
    for referral in referrals:
        history.record_marac_referral(referral)
    return history


def _utc(moment: datetime) -> datetime:
    """The same instant in UTC.

    Comparisons and differences of two datetimes in one zone are wall-clock ones in
    Python (PEP 495), which is wrong across a clock change.
    """
    return moment.astimezone(UTC)
