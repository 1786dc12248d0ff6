"""A force's policy configuration: one declarative file, one standard force-wide.

The report found hub-referral thresholds that differed across one force
(recommendation 5). :class:`Settings` holds every threshold the built-in rules use;
a force writes them once in TOML and every decision records a fingerprint of them.

Loading is strict: an unknown key or a bad value is an error that names the key
(``marac.escalation_incidents: expected a whole number @ $.marac.escalation_incidents``).
There is no code in configuration: no ``eval``, no expressions, only values. Every
value has a documented range, checked at load (see ``docs/configuration.md``).

One file may hold dated versions of the policy (:class:`PolicyVersion`), by date and
by area; :meth:`Settings.as_of` and :meth:`dapolicy.policy.Policy.as_of` give the one
in force (the rules are in :mod:`dapolicy._versions`).
"""

from __future__ import annotations

import functools
import hashlib
import json
import types
from collections.abc import Iterable, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

import attrs

from dapolicy._settings_dara import DaraItem, DaraSettings, read_items_files
from dapolicy._settings_ranges import (
    Ident,
    Instance,
    Items,
    Label,
    Maybe,
    Moment,
    Section,
    bounded,
)
from dapolicy._settings_sections import (
    DASH_CHECKLISTS as DASH_CHECKLISTS,
)
from dapolicy._settings_sections import (
    DEFAULT_DASH_KEY_ITEMS as DEFAULT_DASH_KEY_ITEMS,
)
from dapolicy._settings_sections import (
    DEFAULT_DIAL_KEY_ITEMS as DEFAULT_DIAL_KEY_ITEMS,
)
from dapolicy._settings_sections import (
    DEFAULT_SERIES,
    MONTHS,
    AllocationSettings,
    DashSettings,
    DialSettings,
    EventSettings,
    HubSettings,
    LimitsSettings,
    MaracSettings,
    PluginSettings,
    SeriesRule,
    SevenStepSettings,
    TaskingSettings,
    TriageSettings,
)
from dapolicy._settings_since_2021 import (
    EncompassSettings,
    ProtectionSettings,
    SchoolTerm,
    VictimsCodeSettings,
)
from dapolicy._settings_toml import _TomlError, read_toml
from dapolicy._versions import (
    MAX_AREAS,
    MAX_VERSIONS,
    VersionIndex,
    instant,
    instant_or_none,
    split_versions,
    version_data,
    version_problems,
)
from dapolicy.errors import FieldError, ValidationError
from dapolicy.models._base import Problems, to_frozenset, to_tuple
from dapolicy.models.protection import RegimeChoice

__all__ = [
    "AllocationSettings",
    "DaraItem",
    "DaraSettings",
    "DashSettings",
    "DialSettings",
    "EventSettings",
    "HubSettings",
    "LimitsSettings",
    "MaracSettings",
    "PluginSettings",
    "EncompassSettings",
    "ProtectionSettings",
    "SchoolTerm",
    "VictimsCodeSettings",
    "RegimeChoice",
    "PolicyVersion",
    "SeriesRule",
    "SevenStepSettings",
    "Settings",
    "SettingsError",
    "TaskingSettings",
    "TriageSettings",
    "load_settings",
]


#: The id of a policy file's settings when it names none.
BASE_VERSION = "base"


def _options(value: Mapping[str, Mapping[str, Any]]) -> Mapping[str, Mapping[str, Any]]:
    return types.MappingProxyType({k: types.MappingProxyType(dict(v)) for k, v in value.items()})


@attrs.frozen
class Settings(Section):
    """Everything a policy is configured by. Defaults are documented, never hidden.

    :param force: the force's name, for reports.
    :param plugins: which plug-ins run.
    :param repeat_victim_months: a repeat victim has another domestic-abuse incident
        within this many months (the report's force defined it as a rolling 12 months).
    :param dash: DASH grade bands.
    :param dial: the DIAL configuration.
    :param dara: DARA, for a force that runs it: the force's own items.
    :param marac: MARAC criteria parameters.
    :param hub: partnership-hub referral thresholds.
    :param series: local escalation thresholds.
    :param triage: control-room response standards.
    :param seven_step: the seven-step plan's timetable.
    :param events: deadlines after events.
    :param tasking: partner-tasking de-duplication.
    :param allocation: investigation allocation.
    :param protection: protection notices and orders.
    :param limits: the time budget and the caps of one decision.
    :param encompass: Operation Encompass's school-day calendar.
    :param victims_code: the Victims' Code's timings.
    :param options: per-plug-in settings for third-party plug-ins, by plug-in name.
    :param version: the id of these settings as a version of the force's policy (what
        every decision made under them records as ``policy_version``).
    :param review_by: the instant from which decisions made under these settings carry
        a prompt that the policy is due for review (a date is 00:00 in London).
    :param versions: dated versions of the policy, each in force from a date, for
        every area or some; these settings are then the base, in force before the
        first version for every area (see :class:`PolicyVersion`).
    """

    force: str = bounded("default", Label(100))
    plugins: PluginSettings = attrs.field(factory=PluginSettings)
    repeat_victim_months: int = bounded(12, MONTHS)
    dash: DashSettings = attrs.field(factory=DashSettings)
    dial: DialSettings = attrs.field(factory=DialSettings)
    dara: DaraSettings = attrs.field(factory=DaraSettings)
    marac: MaracSettings = attrs.field(factory=MaracSettings)
    hub: HubSettings = attrs.field(factory=HubSettings)
    series: tuple[SeriesRule, ...] = bounded(DEFAULT_SERIES, Items(0, 20), converter=to_tuple)
    triage: TriageSettings = attrs.field(factory=TriageSettings)
    seven_step: SevenStepSettings = attrs.field(factory=SevenStepSettings)
    events: EventSettings = attrs.field(factory=EventSettings)
    tasking: TaskingSettings = attrs.field(factory=TaskingSettings)
    allocation: AllocationSettings = attrs.field(factory=AllocationSettings)
    protection: ProtectionSettings = attrs.field(factory=ProtectionSettings)
    limits: LimitsSettings = attrs.field(factory=LimitsSettings)
    encompass: EncompassSettings = attrs.field(factory=EncompassSettings)
    victims_code: VictimsCodeSettings = attrs.field(factory=VictimsCodeSettings)
    options: Mapping[str, Mapping[str, Any]] = bounded(
        None, Items(0, 100), factory=dict, converter=_options, hash=False
    )
    version: str = bounded(BASE_VERSION, Ident())
    review_by: datetime | None = bounded(None, Maybe(Moment()), converter=instant_or_none)
    versions: tuple[PolicyVersion, ...] = bounded(
        (), Items(0, MAX_VERSIONS), unlisted=True, converter=to_tuple
    )

    def _related(self, bad: set[str]) -> Problems:
        if "versions" not in bad and self.versions:
            yield from version_problems(self)

    def fingerprint(self) -> str:
        """A short digest of these settings: equal settings, equal fingerprint.

        A key at its default that the fingerprint did not cover before versions
        existed (``version``, ``review_by``, ``versions``) is left out, so settings
        without versions keep the fingerprint they had.
        """
        from dapolicy.serialization import to_dict

        data = to_dict(self)
        for key, default in (("version", BASE_VERSION), ("review_by", None), ("versions", [])):
            if data.get(key) == default:
                del data[key]
        text = json.dumps(data, sort_keys=True, separators=(",", ":"), default=str)
        return hashlib.sha256(text.encode()).hexdigest()[:16]

    def as_of(self, moment: datetime, area: str | None = None) -> Settings:
        """The settings of the version in force at ``moment`` for ``area``.

        :param moment: an aware datetime.
        :param area: a force area or basic command unit id, or ``None``.
        :raises ValidationError: ``moment`` is naive.
        """
        if not self.versions:
            return self
        return _index(self).at(_aware(moment), area)


@attrs.frozen
class PolicyVersion(Section):
    """One dated version of a force's policy: complete settings, in force from an instant.

    In a file, a ``[[versions]]`` table gives ``id``, ``from``, ``until``, ``areas``
    and ``review_by``, and its other tables override the settings it builds on (the
    base, or for a version for areas, the version for every area in force when it
    starts). In Python, give the version's complete settings; its id is their
    ``version`` and its review-by date their ``review_by``.

    :param start: in force from this instant (``from`` in a file; a date is 00:00 in
        London that day).
    :param settings: the version's settings.
    :param until: in force until this instant, exclusive; ``None``: no end.
    :param areas: the force areas or basic command units it is for (safe ids);
        ``None``: every area without a version of its own in force.
    """

    start: datetime = bounded(attrs.NOTHING, Moment(), converter=instant)
    settings: Settings = bounded(attrs.NOTHING, Instance())
    until: datetime | None = bounded(None, Maybe(Moment()), converter=instant_or_none)
    areas: frozenset[str] | None = bounded(
        None,
        Maybe(Items(1, MAX_AREAS, Ident())),
        converter=attrs.converters.optional(to_frozenset),
    )

    @property
    def id(self) -> str:
        """The version's id: its settings' ``version``."""
        return self.settings.version

    @property
    def review_by(self) -> datetime | None:
        """Its review-by date: its settings' ``review_by``."""
        return self.settings.review_by

    def _related(self, bad: set[str]) -> Problems:
        given: object = self.settings  # typed as Settings; a Python caller may get it wrong
        if not isinstance(given, Settings):
            yield "settings", "must be Settings"


def _aware(moment: datetime) -> datetime:
    if not isinstance(moment, datetime) or moment.utcoffset() is None:
        raise ValidationError(
            "policy version", [FieldError("$.now", "must be a datetime with a UTC offset")]
        )
    return moment


@functools.lru_cache(maxsize=32)
def _index(settings: Settings) -> VersionIndex[Settings]:
    return VersionIndex(settings, lambda version: version)


class SettingsError(ValidationError):
    """A policy file that cannot be used, with every problem and the file it is in.

    :ivar path: the file.
    """

    def __init__(self, path: Path, errors: Iterable[FieldError]) -> None:
        """Collect ``errors`` found in the policy file at ``path``."""
        super().__init__("Settings", errors)
        self.path = path

    def __str__(self) -> str:
        """``invalid Settings in FILE: N problems``, then one problem a line."""
        header, _, rest = super().__str__().partition("\n")
        first = header.replace("invalid Settings:", f"invalid Settings in {self.path}:", 1)
        return f"{first}\n{rest}" if rest else first


def load_settings(path: str | Path) -> Settings:
    """Read a TOML policy file.

    The file must be UTF-8 TOML of at most 1 MiB, nested at most 32 deep, and every
    value within its documented range (see the configuration page).

    :raises SettingsError: (a :class:`~dapolicy.errors.ValidationError`) naming the
        file and each bad or unknown key, or what is wrong with the file as a whole.
    :raises OSError: the file cannot be opened or read.
    """
    path = Path(path)
    try:
        data = read_toml(path)
    except _TomlError as exc:
        raise SettingsError(path, [exc.error]) from None
    errors = read_items_files(path, data)
    if errors:
        raise SettingsError(path, errors)
    return _from_data(path, data)


def _from_data(path: Path, data: dict[str, Any]) -> Settings:
    """Settings from a file's data: the base, then each version over what it builds on."""
    from dapolicy.serialization import from_dict

    base_data, found, errors = split_versions(data)
    try:
        base = from_dict(Settings, base_data)
    except ValidationError as exc:
        raise SettingsError(path, [*exc.errors, *errors]) from None
    if errors:
        raise SettingsError(path, errors)
    if not found:
        return base
    versions = []
    for index, ((meta, _), own) in enumerate(
        zip(found, version_data(base_data, found), strict=True)
    ):
        try:
            settings = from_dict(Settings, own)
        except ValidationError as exc:
            errors += exc.under(f"$.versions[{index}]")
            continue
        versions.append(
            PolicyVersion(meta["from"], settings, meta.get("until"), meta.get("areas"))
        )
    if errors:
        raise SettingsError(path, errors)
    try:
        return attrs.evolve(base, versions=tuple(versions))
    except ValidationError as exc:
        raise SettingsError(path, exc.errors) from None
