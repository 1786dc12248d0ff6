"""What a history keeps: one frozen entry type per thing recorded (ids and times only).

Behind :mod:`dapolicy.history`, which is their public home. Every entry has two clocks:
its own time and ``recorded_at``, when the force knew it (see :mod:`dapolicy.history`).
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import attrs

import dapolicy.models._base as _base
from dapolicy.models import Agency, Call, CivilOrder, Event, EventKind, Incident, RiskGrade
from dapolicy.models._base import Checked, Problems, aware, fixed_offset, micros, not_blank

__all__ = ["CallEntry", "EventEntry", "GradeEntry", "HistoryEntry", "MaracReferralEntry"]


def _not_before(name: str, at: object, recorded_at: object) -> Problems:
    """``recorded_at`` must be an aware datetime not before the entry's own time.

    A defaulted ``recorded_at`` is the entry's own time itself: its problems are the
    other field's, and are not reported twice.
    """
    if recorded_at is at:
        return
    yield from aware("recorded_at", recorded_at)
    if (
        isinstance(at, datetime)
        and isinstance(recorded_at, datetime)
        and at.utcoffset() is not None
        and recorded_at.utcoffset() is not None
        and micros(recorded_at) < micros(at)
    ):
        yield "recorded_at", f"must not be before {name}: the force cannot know it earlier"


@attrs.frozen
class HistoryEntry(Checked):
    """What the history keeps of one incident: ids and times only, no personal data.

    :param incident_id: the incident.
    :param victim_id: its victim.
    :param suspect_id: its suspect.
    :param occurred_at: when it happened.
    :param crime: whether a crime was recorded.
    :param recorded_at: when the force knew it (keyword only; the decision time for an
        assessed incident). Defaults to ``occurred_at``: known from the moment it
        happened, as every entry was before the history had two clocks.
    """

    incident_id: str
    victim_id: str
    suspect_id: str
    occurred_at: datetime = attrs.field(converter=fixed_offset)
    crime: bool = False
    recorded_at: datetime = attrs.field(
        default=attrs.Factory(lambda self: self.occurred_at, takes_self=True),
        converter=fixed_offset,
        kw_only=True,
    )

    def _problems(self) -> Problems:
        yield from not_blank("incident_id", self.incident_id)
        yield from not_blank("victim_id", self.victim_id)
        yield from not_blank("suspect_id", self.suspect_id)
        yield from aware("occurred_at", self.occurred_at)
        yield from _not_before("occurred_at", self.occurred_at, self.recorded_at)

    @classmethod
    def from_incident(
        cls, incident: Incident, *, recorded_at: datetime | None = None
    ) -> HistoryEntry:
        """The entry for ``incident``, known from ``recorded_at``.

        :param recorded_at: when the force knew it: the decision time for an assessed
            incident; by default the time it was reported.
        """
        known = incident.reported_at if recorded_at is None else recorded_at
        ids, at = (incident.id, incident.victim.id, incident.suspect.id), incident.occurred_at
        if cls is HistoryEntry and _sound(ids, (at, known)) and micros(known) >= micros(at):
            return _made(HistoryEntry, *ids, at, incident.crime_recorded, known)  # type: ignore[no-any-return]
        return cls(*ids, at, incident.crime_recorded, recorded_at=known)


@attrs.frozen
class MaracReferralEntry(Checked):
    """A MARAC referral made for a victim about a suspect.

    :param victim_id: the victim.
    :param suspect_id: the suspect.
    :param referred_at: when the referral was made (the clock for repeat MARAC).
    :param incident_id: the incident that led to it.
    :param recorded_at: when the force knew it (keyword only); by default
        ``referred_at``, the decision that made it.
    """

    victim_id: str
    suspect_id: str
    referred_at: datetime = attrs.field(converter=fixed_offset)
    incident_id: str
    recorded_at: datetime = attrs.field(
        default=attrs.Factory(lambda self: self.referred_at, takes_self=True),
        converter=fixed_offset,
        kw_only=True,
    )

    def _problems(self) -> Problems:
        yield from not_blank("victim_id", self.victim_id)
        yield from not_blank("suspect_id", self.suspect_id)
        yield from aware("referred_at", self.referred_at)
        yield from not_blank("incident_id", self.incident_id)
        yield from _not_before("referred_at", self.referred_at, self.recorded_at)


@attrs.frozen
class CallEntry(Checked):
    """What the history keeps of one call: ids and a time.

    :param call_id: the call.
    :param received_at: when it was received.
    :param caller_id: the caller's pseudonymous id, if known.
    :param location_id: the location's pseudonymous key, if known.
    :param recorded_at: when the force knew it (keyword only); by default
        ``received_at``.
    """

    call_id: str
    received_at: datetime = attrs.field(converter=fixed_offset)
    caller_id: str | None = None
    location_id: str | None = None
    recorded_at: datetime = attrs.field(
        default=attrs.Factory(lambda self: self.received_at, takes_self=True),
        converter=fixed_offset,
        kw_only=True,
    )

    def _problems(self) -> Problems:
        yield from not_blank("call_id", self.call_id)
        yield from aware("received_at", self.received_at)
        yield from _not_before("received_at", self.received_at, self.recorded_at)
        # Text or none (a blank one is as a call gives it: Call does not check them).
        given: tuple[tuple[str, object], ...] = (
            ("caller_id", self.caller_id),
            ("location_id", self.location_id),
        )
        for name, value in given:
            if not isinstance(value, str | None):
                yield name, "must be a string"

    @classmethod
    def from_call(cls, call: Call) -> CallEntry:
        """The entry for ``call``, known from when it was received."""
        caller = call.caller.id if call.caller is not None else None
        at, location = call.received_at, call.location_id
        if (
            cls is CallEntry
            and _sound((call.id,), (at,))
            and (caller is None or type(caller) is str)
            and (location is None or type(location) is str)
        ):
            return _made(CallEntry, call.id, at, caller, location, at)  # type: ignore[no-any-return]
        return cls(call.id, at, caller, location)


@attrs.frozen
class GradeEntry(Checked):
    """A risk grade the force recorded for a victim: the grade of one decision.

    :param victim_id: the victim.
    :param graded_at: when it was decided (the decision's ``decided_at``).
    :param grade: the grade.
    :param decision_id: what was decided: the incident's id, or the event's id for a
        re-assessment after an event.
    :param recorded_at: when the force knew it (keyword only); by default
        ``graded_at``, the decision itself.
    """

    victim_id: str
    graded_at: datetime = attrs.field(converter=fixed_offset)
    grade: RiskGrade
    decision_id: str
    recorded_at: datetime = attrs.field(
        default=attrs.Factory(lambda self: self.graded_at, takes_self=True),
        converter=fixed_offset,
        kw_only=True,
    )

    def _problems(self) -> Problems:
        yield from not_blank("victim_id", self.victim_id)
        yield from aware("graded_at", self.graded_at)
        yield from not_blank("decision_id", self.decision_id)
        yield from _not_before("graded_at", self.graded_at, self.recorded_at)


@attrs.frozen
class EventEntry(Checked):
    """What the history keeps of one event after an incident: ids, kinds and times.

    The event's free-text ``details`` and its area are not kept.

    :param event_id: the event.
    :param kind: what happened.
    :param victim_id: the victim it concerns.
    :param perpetrator_id: the perpetrator it concerns.
    :param occurred_at: when it happened.
    :param reported_by: the agency that reported it.
    :param order: for an order breach, the order, if known.
    :param recorded_at: when the force knew it (keyword only; the re-assessment's
        decision time); by default ``occurred_at``.
    """

    event_id: str
    kind: EventKind
    victim_id: str
    perpetrator_id: str
    occurred_at: datetime = attrs.field(converter=fixed_offset)
    reported_by: Agency = Agency.POLICE
    order: CivilOrder | None = None
    recorded_at: datetime = attrs.field(
        default=attrs.Factory(lambda self: self.occurred_at, takes_self=True),
        converter=fixed_offset,
        kw_only=True,
    )

    def _problems(self) -> Problems:
        yield from not_blank("event_id", self.event_id)
        yield from not_blank("victim_id", self.victim_id)
        yield from not_blank("perpetrator_id", self.perpetrator_id)
        yield from aware("occurred_at", self.occurred_at)
        if isinstance(self.recorded_at, datetime) and self.recorded_at is not self.occurred_at:
            # An event known in advance (a release) may be recorded before it happens.
            yield from aware("recorded_at", self.recorded_at)

    @classmethod
    def from_event(cls, event: Event, *, recorded_at: datetime) -> EventEntry:
        """The entry for ``event``, known from ``recorded_at`` (the decision about it)."""
        return cls(
            event.id,
            event.kind,
            event.victim_id,
            event.perpetrator_id,
            event.occurred_at,
            event.reported_by,
            event.order,
            recorded_at=recorded_at,
        )


def _sound(ids: tuple[object, ...], times: tuple[object, ...]) -> bool:
    """Whether ids and times pass an entry's checks, and its converters, as they are.

    Each id a ``str`` with something other than white space in it; each time a
    ``datetime`` at a ``timezone`` in the supported years (what every model's times
    are). Anything else is left to the entry's own checks, which say what is wrong.
    """
    for text in ids:
        if type(text) is not str or not text or text.isspace():
            return False
    for moment in times:
        if not (
            type(moment) is datetime
            and type(moment.tzinfo) is timezone
            and _base.MIN_YEAR <= moment.year <= _base.MAX_YEAR
        ):
            return False
    return True


def _made(cls: type, *fields: Any) -> Any:
    """An entry of ``cls`` from every field, in order, already found :func:`_sound`.

    The object its checked constructor would make, without running the checks again: a
    batch makes three or four entries a case from a case and a decision already checked.
    """
    return _base.trusted_maker(cls)(*fields)


def grade_entry(
    victim_id: str, graded_at: datetime, grade: RiskGrade, decision_id: str
) -> GradeEntry:
    """``GradeEntry(victim_id, graded_at, grade, decision_id)``, known from ``graded_at``."""
    if _sound((victim_id, decision_id), (graded_at,)):
        return _made(GradeEntry, victim_id, graded_at, grade, decision_id, graded_at)  # type: ignore[no-any-return]
    return GradeEntry(victim_id, graded_at, grade, decision_id)


def referral_entry(
    victim_id: str, suspect_id: str, referred_at: datetime, incident_id: str
) -> MaracReferralEntry:
    """``MaracReferralEntry(victim_id, suspect_id, referred_at, incident_id)``, known then."""
    if _sound((victim_id, suspect_id, incident_id), (referred_at,)):
        fields = (victim_id, suspect_id, referred_at, incident_id, referred_at)
        return _made(MaracReferralEntry, *fields)  # type: ignore[no-any-return]
    return MaracReferralEntry(victim_id, suspect_id, referred_at, incident_id)


for _entry in (HistoryEntry, MaracReferralEntry, CallEntry, GradeEntry, EventEntry):
    _entry.__module__ = "dapolicy.history"  # documented and pickled as dapolicy.history's
del _entry
