"""Mutants after the incident and in the control room: events, triage, reasons, failures."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from typing import ClassVar

from dapolicy import hookimpl
from dapolicy._time import add_local
from dapolicy.models import Call, Event, EventKind, Finding, Incident, Reason, RiskGrade, Task
from dapolicy.models.operations import ResponseFinding, ResponseGrade, Thrive
from dapolicy.rcrp import rcrp_may_divert
from dapolicy.settings import PolicyVersion, Settings, SevenStepSettings
from dapolicy.testing.invariants import policy_with
from mutants import Mutant, beside, isolated_model, replacing
from mutants._common import finding, reason


class Events:
    """A force's events plug-in: tell the victim, re-assess (subclasses break it)."""

    def kinds(self) -> tuple[EventKind, ...]:
        return tuple(EventKind)

    def notify_hours(self, event: Event) -> int:
        return 24

    @hookimpl
    def dapolicy_on_event(self, event: Event) -> Iterator[Task]:
        yield Task(
            "notify-victim",
            event.victim_id,
            add_local(event.occurred_at, hours=self.notify_hours(event)),
            (reason("events.notify", "tell the victim within 24 hours"),),
        )
        if event.kind in self.kinds():
            yield Task(
                "re-assess-risk",
                event.victim_id,
                add_local(event.occurred_at, hours=72),
                (reason("events.reassess", "re-assess within 72 hours"),),
            )


class NoReassessOnBail(Events):
    """Forgets the re-assessment after a bail change ('bail is the court's business')."""

    def kinds(self) -> tuple[EventKind, ...]:
        return tuple(k for k in EventKind if k is not EventKind.BAIL_CHANGED)


class NotifyAfterTheFact(Events):
    """Counts the notification deadline back from the event for a release."""

    def notify_hours(self, event: Event) -> int:
        return -2 if event.kind is EventKind.PERPETRATOR_RELEASED else 24


class CallerInBriefing:
    """Briefs the attending officer with the caller's name."""

    @hookimpl
    def dapolicy_triage(self, call: Call) -> ResponseFinding | None:
        if call.caller is None or not call.caller.name:
            return None
        return ResponseFinding(
            ResponseGrade.PRIORITY,
            (reason("briefing.caller", "a known caller"),),
            (Reason("briefing.name", "control room", f"caller is {call.caller.name}"),),
        )


class TriageCrash:
    """Looks the location up in a table with no row for an unknown location id."""

    KNOWN: ClassVar[dict[str, ResponseGrade]] = {"LOC-1": ResponseGrade.PRIORITY}

    @hookimpl
    def dapolicy_triage(self, call: Call) -> ResponseFinding | None:
        if call.location_id is None:
            return None
        grade = self.KNOWN[call.location_id]
        return ResponseFinding(grade, (reason("triage.location", "a known location"),))


class DivertsOnTheOpeningCode:
    """Diverts on the handler's opening code alone: a concern-for-welfare call with no
    crime or immediate risk goes to partners, though the caller spoke of a partner or
    the address has a domestic-abuse marker."""

    @hookimpl
    def dapolicy_triage(self, call: Call, thrive: Thrive | None) -> ResponseFinding | None:
        if thrive is None:
            return None
        may, why = rcrp_may_divert(
            call.call_type, thrive, crime_to_investigate=thrive.crime_to_investigate
        )
        if not may:
            return None
        return ResponseFinding(ResponseGrade.RESOLVED_WITHOUT_DEPLOYMENT, (why,), divert=True)


class BlankSource:
    """A reason whose source was left as a blank placeholder."""

    @hookimpl
    def dapolicy_assess_risk(self) -> Finding:
        found = finding("blank", RiskGrade.STANDARD)
        object.__setattr__(found.reasons[0], "source", " ")
        return found


class LateWelfareVisit:
    """A second welfare visit for children present, due before the report was made."""

    @hookimpl
    def dapolicy_tasks(self, incident: object) -> Iterator[Task]:
        from dapolicy.models import Incident

        assert isinstance(incident, Incident)
        for child in incident.children:
            if child.present:
                yield Task(
                    "welfare-visit",
                    child.id,
                    incident.occurred_at - timedelta(minutes=1),
                    (reason("visit.child", "visit the child"),),
                )


MUTANTS = [
    Mutant(
        "no-reassess-on-bail",
        "no re-assessment after a bail change",
        11,
        replacing(NoReassessOnBail, "events"),
    ),
    Mutant(
        "notify-before-release",
        "a notification due before the release",
        11,
        replacing(NotifyAfterTheFact, "events"),
    ),
    Mutant(
        "caller-in-briefing",
        "the caller's name in the officer's briefing",
        12,
        beside(CallerInBriefing),
    ),
    Mutant("triage-crash", "triage fails for an unknown location", 12, beside(TriageCrash)),
    Mutant(
        "diverts-on-opening-code",
        "diverts a welfare call that mentions a partner (Right Care, Right Person)",
        12,
        replacing(DivertsOnTheOpeningCode, "thrive"),
    ),
    Mutant("blank-source", "a reason with a blank source", 6, isolated_model(BlankSource)),
    Mutant(
        "welfare-visit-in-the-past",
        "a child's visit due before the incident",
        3,
        beside(LateWelfareVisit),
    ),
]


class KeepsFirstSettings:
    """Reads the case-review period once, from the first case's settings, and keeps it:
    after the force's policy changes version, reviews are still set by the old one."""

    def __init__(self) -> None:
        self.review_days: int | None = None

    @hookimpl
    def dapolicy_tasks(self, incident: Incident, settings: Settings) -> Iterator[Task]:
        if self.review_days is None:
            self.review_days = settings.seven_step.review_days
        yield Task(
            "case-review",
            incident.victim.id,
            add_local(incident.reported_at, days=self.review_days),
            (reason("keeps.review", f"review the case at {self.review_days} days"),),
        )


def _versioned() -> Settings:
    """A policy that shortens the case review from 28 to 21 days on 1 June 2024."""
    one = PolicyVersion(date(2000, 1, 1), Settings(version="one"), until=date(2024, 6, 1))
    two = PolicyVersion(
        date(2024, 6, 1), Settings(version="two", seven_step=SevenStepSettings(review_days=21))
    )
    return Settings(versions=[one, two])


MUTANTS.append(
    Mutant(
        "keeps-first-settings",
        "keeps the settings of the first case across a policy version change",
        14,
        lambda: policy_with(KeepsFirstSettings(), settings=_versioned()),
    )
)
