"""A force's policy configuration: one declarative file, one standard force-wide.

The report found hub-referral thresholds that differed across one force
(recommendation 5). :class:`Settings` holds every threshold the built-in rules use;
a force writes them once in TOML and every decision records a fingerprint of them.

Loading is strict: an unknown key or a bad value is an error that names the key
(``marac.escalation_incidents: expected a whole number @ $.marac.escalation_incidents``).
There is no code in configuration: no ``eval``, no expressions, only values.
"""

from __future__ import annotations

import hashlib
import json
import tomllib
import types
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import attrs

from dapolicy.errors import FieldError, ValidationError
from dapolicy.models._base import Checked, Problems, to_frozenset, to_tuple
from dapolicy.models.incident import AbuseType, OffenceCategory
from dapolicy.models.operations import ResponseGrade
from dapolicy.models.risk import RiskGrade

__all__ = [
    "AllocationSettings",
    "DashSettings",
    "DialSettings",
    "EventSettings",
    "HubSettings",
    "MaracSettings",
    "PluginSettings",
    "SeriesRule",
    "SevenStepSettings",
    "Settings",
    "TaskingSettings",
    "TriageSettings",
    "load_settings",
]


def _instance(value: object, cls: type[Any]) -> bool:
    """isinstance, for values typed as ``cls`` that a Python caller may still get wrong."""
    return isinstance(value, cls)


def _positive(name: str, value: object) -> Problems:
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        yield name, "must be a whole number, 1 or more"


def _bands(medium_from: int, high_from: int) -> Problems:
    yield from _positive("medium_from", medium_from)
    yield from _positive("high_from", high_from)
    if isinstance(medium_from, int) and isinstance(high_from, int) and medium_from >= high_from:
        yield "high_from", "must be greater than medium_from"


@attrs.frozen
class PluginSettings(Checked):
    """Which plug-ins run.

    :param block: plug-in names never to load or register (a force's veto).
    :param risk_models: if set, only these plug-ins' risk models are consulted.
    """

    block: tuple[str, ...] = attrs.field(default=(), converter=to_tuple)
    risk_models: tuple[str, ...] | None = attrs.field(
        default=None, converter=attrs.converters.optional(to_tuple)
    )


@attrs.frozen
class DashSettings(Checked):
    """Grade bands for DASH 2009 by count of "yes" answers.

    The defaults (0-9 standard, 10-13 medium, 14+ high) are local guidance published by
    several areas; SafeLives fixes only the 14-or-more threshold for MARAC.
    """

    medium_from: int = 10
    high_from: int = 14

    def _problems(self) -> Problems:
        yield from _bands(self.medium_from, self.high_from)


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
class DialSettings(Checked):
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

    checklist: str = "dial"
    items: tuple[str, ...] = attrs.field(
        default=tuple(str(n) for n in range(1, 28)), converter=tuple
    )
    key_items: Mapping[str, RiskGrade] = attrs.field(
        default=DEFAULT_DIAL_KEY_ITEMS, converter=_key_items, hash=False
    )
    medium_from: int = 10
    high_from: int = 14

    def _problems(self) -> Problems:
        yield from _bands(self.medium_from, self.high_from)
        if len(set(self.items)) != len(self.items):
            yield "items", "item ids must be unique"
        if set(self.key_items) - set(self.items):
            yield "key_items", "every key item must be one of items"
        if self.high_from > len(self.items):
            yield "high_from", "is more than the number of items"


@attrs.frozen
class MaracSettings(Checked):
    """The SafeLives MARAC referral criteria's local parameters.

    :param escalation_incidents: domestic-abuse incidents (this one included) that
        show potential escalation; SafeLives' default is 3.
    :param escalation_months: the window for them; 12 by default (Kent uses 6).
    :param repeat_months: months after the last MARAC referral in which any abuse
        between the same victim and suspect is a repeat referral; 12.
    """

    escalation_incidents: int = 3
    escalation_months: int = 12
    repeat_months: int = 12

    def _problems(self) -> Problems:
        yield from _positive("escalation_incidents", self.escalation_incidents)
        yield from _positive("escalation_months", self.escalation_months)
        yield from _positive("repeat_months", self.repeat_months)


@attrs.frozen
class HubSettings(Checked):
    """When a case goes to the local partnership hub: one standard for the whole force.

    A case is referred when any enabled criterion holds; crimes and non-crime
    incidents are treated alike.

    :param grades: risk grades that are referred.
    :param repeat_victims: refer repeat victims.
    :param children_in_household: refer when children are present or usually resident.
    :param vulnerable_victims: refer when the victim has a vulnerability marker.
    :param abuse_types: forms of abuse that are always referred.
    """

    grades: frozenset[RiskGrade] = attrs.field(
        default=frozenset({RiskGrade.MEDIUM, RiskGrade.HIGH}), converter=frozenset
    )
    repeat_victims: bool = True
    children_in_household: bool = True
    vulnerable_victims: bool = True
    abuse_types: frozenset[AbuseType] = attrs.field(
        default=frozenset(
            {AbuseType.HONOUR_BASED, AbuseType.FORCED_MARRIAGE, AbuseType.FGM, AbuseType.STALKING}
        ),
        converter=to_frozenset,
    )


@attrs.frozen
class SeriesRule(Checked):
    """A local escalation threshold: so many incidents within so many months.

    :param incidents: domestic-abuse incidents for the victim, this one included.
    :param months: the rolling window, counted back from this incident.
    :param grade: the least grade the series implies.
    """

    incidents: int
    months: int
    grade: RiskGrade

    def _problems(self) -> Problems:
        yield from _positive("incidents", self.incidents)
        yield from _positive("months", self.months)


#: By default a third incident in 12 months is high risk, matching SafeLives' potential-
#: escalation criterion for MARAC, so the series -- not the single event -- is graded.
DEFAULT_SERIES = (SeriesRule(incidents=3, months=12, grade=RiskGrade.HIGH),)


@attrs.frozen
class TriageSettings(Checked):
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

    minimum: ResponseGrade = ResponseGrade.SCHEDULED
    immediate_resourced_minutes: int = 3
    priority_dispatched_minutes: int = 20
    immediate_attend_minutes: int = 20
    priority_attend_minutes: int = 120
    scheduled_within_hours: int = 48
    appointment_minutes: int = 120
    repeat_months: int = 12

    def _problems(self) -> Problems:
        if not _instance(self.minimum, ResponseGrade):
            yield "minimum", "must be a ResponseGrade"
        for name in (
            "immediate_resourced_minutes",
            "priority_dispatched_minutes",
            "immediate_attend_minutes",
            "priority_attend_minutes",
            "scheduled_within_hours",
            "appointment_minutes",
            "repeat_months",
        ):
            yield from _positive(name, getattr(self, name))


@attrs.frozen
class SevenStepSettings(Checked):
    """The seven-step plan's timetable (HMIC 2014), counted from the report.

    :param apply_to_incidents: give non-crime incidents the same plan as crimes (the
        report's recommendation; on by default).
    :param golden_hour_minutes: steps 1-3.
    :param neighbourhood_visit_hours: step 4.
    :param reassurance_days: steps 5 and 6 ("within the next two weeks" after step 4).
    :param review_days: step 7.
    :param action_plan_review_days: the action plan is reviewed at least this often.
    """

    apply_to_incidents: bool = True
    golden_hour_minutes: int = 60
    neighbourhood_visit_hours: int = 24
    reassurance_days: int = 15
    review_days: int = 28
    action_plan_review_days: int = 10

    def _problems(self) -> Problems:
        for name in (
            "golden_hour_minutes",
            "neighbourhood_visit_hours",
            "reassurance_days",
            "review_days",
            "action_plan_review_days",
        ):
            yield from _positive(name, getattr(self, name))
        if (
            isinstance(self.reassurance_days, int)
            and isinstance(self.review_days, int)
            and self.reassurance_days > self.review_days
        ):
            yield "reassurance_days", "must not be after review_days"


@attrs.frozen
class EventSettings(Checked):
    """Deadlines after a release, bail change, breach or new incident (recommendation 6).

    :param notify_within_hours: tell the victim within this many hours of the event.
    :param reassess_within_hours: re-assess the victim's risk within this many hours.
    """

    notify_within_hours: int = 4
    reassess_within_hours: int = 24

    def _problems(self) -> Problems:
        yield from _positive("notify_within_hours", self.notify_within_hours)
        yield from _positive("reassess_within_hours", self.reassess_within_hours)


@attrs.frozen
class TaskingSettings(Checked):
    """Partner tasking without duplication (recommendation 5).

    :param merge_window_days: requests for the same service for the same victim
        within this many days are one request, with every requester recorded.
    """

    merge_window_days: int = 7

    def _problems(self) -> Problems:
        yield from _positive("merge_window_days", self.merge_window_days)


@attrs.frozen
class AllocationSettings(Checked):
    """Investigation allocation by seriousness *and* risk (recommendation 1).

    :param detective_offences: offences that go to a detective whatever the risk.
    :param trained_from: the least grade that goes to a trained domestic-abuse
        investigator whatever the offence (high by default).
    """

    detective_offences: frozenset[OffenceCategory] = attrs.field(
        default=frozenset(
            {
                OffenceCategory.ASSAULT_WITH_INTENT,
                OffenceCategory.SEXUAL_OFFENCE,
                OffenceCategory.THREATS_TO_KILL,
            }
        ),
        converter=to_frozenset,
    )
    trained_from: RiskGrade = RiskGrade.HIGH

    def _problems(self) -> Problems:
        if not _instance(self.trained_from, RiskGrade):
            yield "trained_from", "must be a RiskGrade"
        if any(not _instance(o, OffenceCategory) for o in self.detective_offences):
            yield "detective_offences", "each must be an OffenceCategory"


def _options(value: Mapping[str, Mapping[str, Any]]) -> Mapping[str, Mapping[str, Any]]:
    return types.MappingProxyType({k: types.MappingProxyType(dict(v)) for k, v in value.items()})


@attrs.frozen
class Settings(Checked):
    """Everything a policy is configured by. Defaults are documented, never hidden.

    :param force: the force's name, for reports.
    :param plugins: which plug-ins run.
    :param repeat_victim_months: a repeat victim has another domestic-abuse incident
        within this many months (the report's force defined it as a rolling 12 months).
    :param dash: DASH grade bands.
    :param dial: the DIAL configuration.
    :param marac: MARAC criteria parameters.
    :param hub: partnership-hub referral thresholds.
    :param series: local escalation thresholds.
    :param triage: control-room response standards.
    :param seven_step: the seven-step plan's timetable.
    :param events: deadlines after events.
    :param tasking: partner-tasking de-duplication.
    :param allocation: investigation allocation.
    :param options: per-plug-in settings for third-party plug-ins, by plug-in name.
    """

    force: str = "default"
    plugins: PluginSettings = PluginSettings()
    repeat_victim_months: int = 12
    dash: DashSettings = DashSettings()
    dial: DialSettings = DialSettings()
    marac: MaracSettings = MaracSettings()
    hub: HubSettings = HubSettings()
    series: tuple[SeriesRule, ...] = attrs.field(default=DEFAULT_SERIES, converter=to_tuple)
    triage: TriageSettings = TriageSettings()
    seven_step: SevenStepSettings = SevenStepSettings()
    events: EventSettings = EventSettings()
    tasking: TaskingSettings = TaskingSettings()
    allocation: AllocationSettings = AllocationSettings()
    options: Mapping[str, Mapping[str, Any]] = attrs.field(
        factory=dict, converter=_options, hash=False
    )

    def _problems(self) -> Problems:
        yield from _positive("repeat_victim_months", self.repeat_victim_months)

    def fingerprint(self) -> str:
        """A short digest of these settings: equal settings, equal fingerprint."""
        from dapolicy.serialization import to_dict

        text = json.dumps(to_dict(self), sort_keys=True, separators=(",", ":"), default=str)
        return hashlib.sha256(text.encode()).hexdigest()[:16]


def load_settings(path: str | Path) -> Settings:
    """Read a TOML policy file.

    :raises ValidationError: naming each bad or unknown key, or the TOML syntax error.
    """
    from dapolicy.serialization import from_dict

    try:
        with Path(path).open("rb") as handle:
            data = tomllib.load(handle)
    except tomllib.TOMLDecodeError as exc:
        raise ValidationError("Settings", [FieldError("$", f"not valid TOML: {exc}")]) from None
    return from_dict(Settings, data)
