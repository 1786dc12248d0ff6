"""The settings sections: each rule's parameters, each with its documented range.

The public face is :mod:`dapolicy.settings`, which re-exports every class here.
"""

from __future__ import annotations

import types
from collections.abc import Mapping
from typing import Any

import attrs

from dapolicy._settings_ranges import (
    Flag,
    Ident,
    Items,
    Maybe,
    OneOf,
    Section,
    Whole,
    bounded,
    ordered,
)
from dapolicy.models._base import Problems, to_frozenset, to_tuple
from dapolicy.models.incident import AbuseType, OffenceCategory
from dapolicy.models.operations import ResponseGrade
from dapolicy.models.risk import RiskGrade

__all__ = [
    "DASH_CHECKLISTS",
    "DEFAULT_DASH_KEY_ITEMS",
    "DEFAULT_DIAL_KEY_ITEMS",
    "DEFAULT_SERIES",
    "MONTHS",
    "AllocationSettings",
    "DashSettings",
    "DialSettings",
    "EventSettings",
    "HubSettings",
    "MaracSettings",
    "PluginSettings",
    "SeriesRule",
    "SevenStepSettings",
    "TaskingSettings",
    "TriageSettings",
]

#: Windows counted in calendar months: 1 month to 10 years.
MONTHS = Whole(1, 120)
#: A plug-in name, as ``plugins.block`` and ``plugins.risk_models`` list them.
PLUGIN_NAMES = Items(0, 100, Ident(), unique=True)
#: The scored items of the smaller DASH checklist (the partner agencies' 24).
DASH_ITEMS = 24
#: Checklist ids the built-in DASH plug-in owns; DIAL may not take one of them.
DASH_CHECKLISTS = frozenset({"dash-2009-police", "dash-2009-ric"})


@attrs.frozen
class PluginSettings(Section):
    """Which plug-ins run.

    :param block: plug-in names never to load or register (a force's veto).
    :param risk_models: if set, only these plug-ins' risk models are consulted.
    """

    block: tuple[str, ...] = bounded((), PLUGIN_NAMES, converter=to_tuple)
    risk_models: tuple[str, ...] | None = bounded(
        None, Maybe(PLUGIN_NAMES), converter=attrs.converters.optional(to_tuple)
    )


_DASH_POLICE_ITEMS = frozenset(str(n) for n in range(1, 28))
#: DASH 2009 police item ids a "not known" answer to which needs review (a force
#: setting): threats to kill (17), strangulation (18), weapons (16), pregnancy (9),
#: separation (6), escalation (14, abuse getting worse) and stalking (8). The IOPC
#: criticised the "don't know" answer in 2025; these are the items the reference's
#: local guidance names as professional-judgement triggers.
DEFAULT_DASH_KEY_ITEMS = ("17", "18", "16", "9", "6", "14", "8")


@attrs.frozen
class DashSettings(Section):
    """DASH 2009: grade bands by count of "yes" answers, and "not known" answers.

    The defaults (0-9 standard, 10-13 medium, 14+ high) are local guidance published by
    several areas; SafeLives fixes only the 14-or-more threshold for MARAC. Both bands
    must be reachable on the partner agencies' checklist, which scores 24 items.

    :param medium_from: "yes" count from which the grade is medium.
    :param high_from: "yes" count from which the grade is high.
    :param not_known_review_from: a form with this many scored items not known, not
        asked or declined needs review (5 by default, an assumption: about a fifth of
        the 24 partner items; 1 to 24).
    :param key_items: police item ids whose "not known" (or not asked) answer needs
        review and a prompt to complete it; the partner checklist's same items count.
    """

    medium_from: int = bounded(10, Whole(1, DASH_ITEMS - 1))
    high_from: int = bounded(14, Whole(2, DASH_ITEMS))
    not_known_review_from: int = bounded(5, Whole(1, DASH_ITEMS))
    key_items: tuple[str, ...] = bounded(
        DEFAULT_DASH_KEY_ITEMS, Items(0, 27, Ident(), unique=True), converter=to_tuple
    )

    def _related(self, bad: set[str]) -> Problems:
        if bad.isdisjoint({"medium_from", "high_from"}) and self.medium_from >= self.high_from:
            yield "high_from", "must be greater than medium_from"
        if "key_items" not in bad:
            for n, item in enumerate(self.key_items):
                if item not in _DASH_POLICE_ITEMS:
                    yield f"key_items[{n}]", "is not a DASH 2009 police item id (1 to 27)"


def _key_items(value: Mapping[str, RiskGrade]) -> Mapping[str, RiskGrade]:
    return types.MappingProxyType(dict(value))


#: Default DIAL key items: an ASSUMPTION (DIAL's items are not public). The ids follow the
#: DASH 2009 police numbering; the grades follow the SafeLives and Kent professional-
#: judgement prompts (strangulation, threats to kill, weapons, stalking, escalation).
DEFAULT_DIAL_KEY_ITEMS: Mapping[str, RiskGrade] = types.MappingProxyType(
    {
        "18": RiskGrade.HIGH,  # strangulation, choking, suffocation, drowning
        "17": RiskGrade.HIGH,  # threats to kill, believed
        "16": RiskGrade.MEDIUM,  # weapons or objects used to hurt
        "8": RiskGrade.MEDIUM,  # stalking and harassment
        "14": RiskGrade.MEDIUM,  # abuse getting worse
    }
)


@attrs.frozen
class DialSettings(Section):
    """DIAL, configured by the force: its items, key items, and count bands.

    The report describes DIAL as the count of "yes" answers, answers to key questions,
    and professional judgement. Its items are not public, so every default here is an
    assumption a force should replace (see the docs' DIAL page).

    :param checklist: the ``RiskForm.checklist`` id DIAL forms carry.
    :param items: the item ids.
    :param key_items: item id -> the least grade a "yes" to it implies.
    :param medium_from: "yes" count from which the grade is at least medium.
    :param high_from: "yes" count from which the grade is high.
    """

    checklist: str = bounded("dial", Ident())
    items: tuple[str, ...] = bounded(
        tuple(str(n) for n in range(1, 28)), Items(2, 100, Ident()), converter=tuple
    )
    key_items: Mapping[str, RiskGrade] = bounded(
        DEFAULT_DIAL_KEY_ITEMS, Items(0, 100, OneOf(RiskGrade)), converter=_key_items, hash=False
    )
    medium_from: int = bounded(10, Whole(1, 99))
    high_from: int = bounded(14, Whole(2, 100))

    def _related(self, bad: set[str]) -> Problems:
        if self.checklist in DASH_CHECKLISTS:
            yield "checklist", "is the built-in DASH plug-in's checklist id"
        if "items" not in bad and len(set(self.items)) != len(self.items):
            yield "items", "item ids must be unique"
        if bad.isdisjoint({"items", "key_items"}) and set(self.key_items) - set(self.items):
            yield "key_items", "every key item must be one of items"
        if not bad.isdisjoint({"medium_from", "high_from"}):
            return
        if self.medium_from >= self.high_from:
            yield "high_from", "must be greater than medium_from"
        elif "items" not in bad and self.high_from > len(self.items):
            yield "high_from", "is more than the number of items"


@attrs.frozen
class MaracSettings(Section):
    """The SafeLives MARAC referral criteria's local parameters.

    :param escalation_incidents: domestic-abuse incidents (this one included) that
        show potential escalation; SafeLives' default is 3.
    :param escalation_months: the window for them; 12 by default (Kent uses 6).
    :param repeat_months: months after the last MARAC referral in which any abuse
        between the same victim and suspect is a repeat referral; 12.
    """

    escalation_incidents: int = bounded(3, Whole(1, 20))
    escalation_months: int = bounded(12, MONTHS)
    repeat_months: int = bounded(12, MONTHS)


@attrs.frozen
class HubSettings(Section):
    """When a case goes to the local partnership hub: one standard for the whole force.

    A case is referred when any enabled criterion holds; crimes and non-crime
    incidents are treated alike.

    :param grades: risk grades that are referred.
    :param repeat_victims: refer repeat victims.
    :param children_in_household: refer when children are present or usually resident.
    :param vulnerable_victims: refer when the victim has a vulnerability marker.
    :param abuse_types: forms of abuse that are always referred.
    """

    grades: frozenset[RiskGrade] = bounded(
        frozenset({RiskGrade.MEDIUM, RiskGrade.HIGH}),
        Items(0, len(RiskGrade), OneOf(RiskGrade)),
        converter=frozenset,
    )
    repeat_victims: bool = bounded(True, Flag())
    children_in_household: bool = bounded(True, Flag())
    vulnerable_victims: bool = bounded(True, Flag())
    abuse_types: frozenset[AbuseType] = bounded(
        frozenset(
            {AbuseType.HONOUR_BASED, AbuseType.FORCED_MARRIAGE, AbuseType.FGM, AbuseType.STALKING}
        ),
        Items(0, len(AbuseType), OneOf(AbuseType, "a form of abuse")),
        converter=to_frozenset,
    )


@attrs.frozen
class SeriesRule(Section):
    """A local escalation threshold: so many incidents within so many months.

    :param incidents: domestic-abuse incidents for the victim, this one included.
    :param months: the rolling window, counted back from this incident.
    :param grade: the least grade the series implies.
    """

    incidents: int = bounded(attrs.NOTHING, Whole(1, 20))
    months: int = bounded(attrs.NOTHING, MONTHS)
    grade: RiskGrade = bounded(attrs.NOTHING, OneOf(RiskGrade))


#: By default a third incident in 12 months is high risk, matching SafeLives' potential-
#: escalation criterion for MARAC, so the series -- not the single event -- is graded.
DEFAULT_SERIES = (SeriesRule(incidents=3, months=12, grade=RiskGrade.HIGH),)


@attrs.frozen
class TriageSettings(Section):
    """Control-room response standards for domestic-abuse calls.

    The alert times and the two-hour appointment are the inspected force's (HMIC 2014);
    the attendance targets are an example force's and must be set by each force.

    :param minimum: the least response to any domestic-abuse call (by default a DA call
        is never resolved without deployment).
    :param immediate_resourced_minutes: alert the supervisor if an immediate response
        is not resourced within this many minutes (3).
    :param priority_dispatched_minutes: alert if a priority response is not dispatched
        within this many minutes (20).
    :param immediate_attend_minutes: target to attend an immediate response.
    :param priority_attend_minutes: target to attend a priority response.
    :param scheduled_within_hours: a scheduled appointment takes place within this.
    :param appointment_minutes: the time allocated to a scheduled appointment (120).
    :param repeat_months: the window for repeat callers and locations.
    """

    minimum: ResponseGrade = bounded(ResponseGrade.SCHEDULED, OneOf(ResponseGrade))
    immediate_resourced_minutes: int = bounded(3, Whole(1, 60))
    priority_dispatched_minutes: int = bounded(20, Whole(1, 240))
    immediate_attend_minutes: int = bounded(20, Whole(1, 240))
    priority_attend_minutes: int = bounded(120, Whole(1, 1440))
    scheduled_within_hours: int = bounded(48, Whole(1, 168))
    appointment_minutes: int = bounded(120, Whole(1, 480))
    repeat_months: int = bounded(12, MONTHS)

    def _related(self, bad: set[str]) -> Problems:
        # A more urgent response is never given a later target than a less urgent one.
        yield from ordered(
            bad,
            [
                (
                    "immediate_attend_minutes",
                    "priority_attend_minutes",
                    self.immediate_attend_minutes,
                    self.priority_attend_minutes,
                ),
                (
                    "priority_attend_minutes",
                    "scheduled_within_hours (in minutes)",
                    self.priority_attend_minutes,
                    self.scheduled_within_hours * 60,
                ),
            ],
        )


@attrs.frozen
class SevenStepSettings(Section):
    """The seven-step plan's timetable (HMIC 2014), counted from the report.

    :param apply_to_incidents: give non-crime incidents the same plan as crimes (the
        report's recommendation; on by default).
    :param golden_hour_minutes: steps 1-3.
    :param neighbourhood_visit_hours: step 4.
    :param reassurance_days: steps 5 and 6 ("within the next two weeks" after step 4).
    :param review_days: step 7.
    :param action_plan_review_days: the action plan is reviewed at least this often.
    """

    apply_to_incidents: bool = bounded(True, Flag())
    golden_hour_minutes: int = bounded(60, Whole(1, 240))
    neighbourhood_visit_hours: int = bounded(24, Whole(1, 168))
    reassurance_days: int = bounded(15, Whole(1, 90))
    review_days: int = bounded(28, Whole(1, 90))
    action_plan_review_days: int = bounded(10, Whole(1, 90))

    def _related(self, bad: set[str]) -> Problems:
        # The steps come in their order: the golden hour, the visit, the reassurance
        # visits, the review.
        yield from ordered(
            bad,
            [
                (
                    "golden_hour_minutes",
                    "neighbourhood_visit_hours (in minutes)",
                    self.golden_hour_minutes,
                    self.neighbourhood_visit_hours * 60,
                ),
                (
                    "neighbourhood_visit_hours",
                    "reassurance_days (in hours)",
                    self.neighbourhood_visit_hours,
                    self.reassurance_days * 24,
                ),
            ],
        )
        if (
            bad.isdisjoint({"reassurance_days", "review_days"})
            and self.reassurance_days > self.review_days
        ):
            yield "reassurance_days", "must not be after review_days"


@attrs.frozen
class EventSettings(Section):
    """Deadlines after a release, bail change, breach or new incident (recommendation 6).

    :param notify_within_hours: tell the victim within this many hours of the event.
    :param reassess_within_hours: re-assess the victim's risk within this many hours.
    """

    notify_within_hours: int = bounded(4, Whole(1, 72))
    reassess_within_hours: int = bounded(24, Whole(1, 168))


@attrs.frozen
class TaskingSettings(Section):
    """Partner tasking without duplication (recommendation 5).

    :param merge_window_days: requests for the same service for the same victim
        within this many days are one request, with every requester recorded.
    """

    merge_window_days: int = bounded(7, Whole(1, 90))


@attrs.frozen
class AllocationSettings(Section):
    """Investigation allocation by seriousness *and* risk (recommendation 1).

    :param detective_offences: offences that go to a detective whatever the risk.
    :param trained_from: the least grade that goes to a trained domestic-abuse
        investigator whatever the offence (high by default).
    :param detective_from: the least grade that goes to a detective whatever the
        offence (high by default; it can be lowered, never raised above high, so a
        high-risk case always needs a DA-trained detective).
    """

    detective_offences: frozenset[OffenceCategory] = bounded(
        frozenset(
            {
                OffenceCategory.ASSAULT_WITH_INTENT,
                OffenceCategory.SEXUAL_OFFENCE,
                OffenceCategory.THREATS_TO_KILL,
            }
        ),
        Items(0, len(OffenceCategory), OneOf(OffenceCategory, "an offence category")),
        converter=to_frozenset,
    )
    trained_from: RiskGrade = bounded(RiskGrade.HIGH, OneOf(RiskGrade))
    detective_from: RiskGrade = bounded(RiskGrade.HIGH, OneOf(RiskGrade))


@attrs.frozen
class _Seconds:
    """A number of seconds, more than 0 and at most ``high`` (the engine's bound)."""

    high: float

    @property
    def text(self) -> str:
        """``more than 0, up to 3600``."""
        return f"more than 0, up to {self.high:g}"

    def problems(self, name: str, value: Any) -> Problems:
        """Not a number, or out of range (NaN included)."""
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not 0 < value <= self.high
        ):
            yield name, f"must be a number of seconds, more than 0 and at most {self.high:g}"


@attrs.frozen
class LimitsSettings(Section):
    """What one decision may take: its time, and how much the plug-ins may give it.

    Past a cap the extra items are dropped, counted and recorded as a
    :class:`~dapolicy.models.PluginFailure` naming the plug-in, and the decision needs
    review (see the hooks page, "What Policy.assess guarantees").

    :param decision_seconds: the time budget of one decision, every plug-in call
        together; a plug-in still running when it is spent is stopped where that is
        possible, and the plug-ins not yet called are not run.
    :param max_referrals: referrals the plug-ins may make in one decision, before they
        are merged by destination.
    :param max_tasks: tasks the plug-ins may set in one decision (or one event).
    :param max_reasons: reasons the plug-ins may give in one decision, beyond the first
        of each finding, referral, task and allocation (which is always kept).
    :param max_prompts: review prompts the risk models may give in one decision.
    """

    decision_seconds: float = bounded(10.0, _Seconds(3600))
    max_referrals: int = bounded(32, Whole(1, 1000))
    max_tasks: int = bounded(256, Whole(1, 10_000))
    max_reasons: int = bounded(256, Whole(1, 10_000))
    max_prompts: int = bounded(256, Whole(1, 10_000))
