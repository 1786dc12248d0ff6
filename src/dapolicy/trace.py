"""The computation trace of one decision: each rule that fired, and the settings it read.

``dapolicy explain`` prints it, so a reviewer sees not only that MARAC's potential-
escalation criterion fired but that it read ``marac.escalation_months = 6`` from
policy version ``2023-04`` (what PolicyEngine and Catala users ask of a trace).

While tracing, every plug-in is given, in place of the settings, a recording copy: the
same values, whose reads are noted for that plug-in's call (a section read gives a
recording copy of the section; any other value is a read). The policy's own reads (the
repeat-victim window, the risk models chosen) are noted too. Tracing is only ever
switched on here, for one decision at a time: ``Policy.assess`` and the batch never
pay for it. The decision is the one ``Policy.assess`` gives; only a plug-in that
tests the settings' exact class (``type(settings) is Settings``) could tell the
difference, and none of the built-ins does.
"""

from __future__ import annotations

import enum
import json
from collections.abc import Iterator, Mapping, Sequence
from datetime import date, datetime
from typing import Any

import attrs

from dapolicy._versions import london
from dapolicy.history import History
from dapolicy.models import DaraForm, Decision, Incident, RiskForm
from dapolicy.policy import Policy
from dapolicy.settings import PolicyVersion, Settings

__all__ = ["PluginCall", "SettingRead", "Trace", "render_trace", "trace_assessment"]

#: The name the policy's own reads are noted under.
POLICY = "policy"
#: Keys that name the version rather than parameterise a rule: never listed as reads.
_NOT_RULES = frozenset({"version", "versions", "force"})


@attrs.frozen
class SettingRead:
    """One setting a rule read.

    :param key: its key in the policy file, e.g. ``marac.escalation_months``.
    :param value: its value, as compact JSON (``6``, ``"high"``, ``["dash"]``).
    :param version: the id of the policy version the value comes from: the version in
        force, or the one it builds on when it leaves the value as it was there.
    """

    key: str
    value: str
    version: str


@attrs.frozen
class PluginCall:
    """One plug-in's call of one hook while deciding.

    :param plugin: the plug-in's name (``policy`` for the policy's own reads).
    :param hook: the hook.
    :param rules: the rule ids of the reasons and prompts it gave, in order.
    :param reads: the settings it read, each once, in the order first read.
    """

    plugin: str
    hook: str
    rules: tuple[str, ...]
    reads: tuple[SettingRead, ...]


@attrs.frozen
class Trace:
    """How one decision was computed.

    :param version: the id of the policy version that decided.
    :param fingerprint: that version's fingerprint (the decision's).
    :param in_force: when and where the version is in force, in words.
    :param calls: every plug-in call that read a setting or fired a rule, in order, the
        policy's own reads first.
    """

    version: str
    fingerprint: str
    in_force: str
    calls: tuple[PluginCall, ...]


def trace_assessment(
    policy: Policy,
    incident: Incident,
    form: RiskForm | None = None,
    *,
    dara: DaraForm | None = None,
    history: History | None = None,
    now: datetime,
) -> tuple[Decision, Trace]:
    """``policy.assess(incident, form, dara=dara, history=history, now=now)``, with its trace.

    :raises ValidationError: as :meth:`~dapolicy.policy.Policy.assess` does.
    """
    chosen = policy.as_of(now, incident.area) if _aware(now) else policy
    recorder = _Recorder(_layers(policy.settings, chosen.settings))
    traced = _traced_policy(chosen, recorder)
    decision = traced.assess(incident, form, dara=dara, history=history, now=now)
    return decision, Trace(
        chosen.settings.version,
        chosen.fingerprint,
        _in_force(policy.settings, chosen.settings.version),
        recorder.calls(),
    )


def render_trace(trace: Trace) -> str:
    """The trace in plain words: the version, then each rule with the settings it read."""
    lines = [
        f"Policy version {trace.version} ({trace.in_force}), fingerprint {trace.fingerprint}",
    ]
    fired = [c for c in trace.calls if c.rules]
    quiet = [c for c in trace.calls if not c.rules and c.reads]
    lines.append("")
    lines.append("Rules that fired, and the settings each read:" if fired else "No rule fired.")
    for call in fired:
        lines.append(
            f"  {call.plugin} ({call.hook.removeprefix('dapolicy_')}): " + ", ".join(call.rules)
        )
        lines += _reads(call.reads) or ["    (read no setting)"]
    if quiet:
        lines.append("")
        lines.append("Settings read where no rule fired:")
        for call in quiet:
            lines.append(f"  {call.plugin} ({call.hook.removeprefix('dapolicy_')})")
            lines += _reads(call.reads)
    return "\n".join(lines)


def _reads(reads: Sequence[SettingRead]) -> list[str]:
    return [f"    {r.key} = {r.value} (version {r.version})" for r in reads]


def _aware(moment: object) -> bool:
    return isinstance(moment, datetime) and moment.utcoffset() is not None


# --- where a value comes from ------------------------------------------------------------


def _layers(whole: Settings, chosen: Settings) -> list[Settings]:
    """The settings ``chosen`` builds on, from the base to ``chosen`` itself."""
    base = attrs.evolve(whole, versions=())
    if not whole.versions or chosen.version == whole.version:
        return [base]
    version = _find(whole, chosen.version)
    if version is None:  # pragma: no cover - the chosen version is always one of them
        return [base, chosen]
    layers = [base]
    if version.areas is not None:
        parent = whole.as_of(version.start)  # the version for every area it builds on
        if parent.version != whole.version:
            layers.append(parent)
    layers.append(chosen)
    return layers


def _find(whole: Settings, version_id: str) -> PolicyVersion | None:
    return next((v for v in whole.versions if v.id == version_id), None)


def _in_force(whole: Settings, version_id: str) -> str:
    version = _find(whole, version_id)
    if version is None:
        if not whole.versions:
            return "the only version: the policy file has no dated versions"
        first = min((v.start for v in whole.versions if v.areas is None), default=None)
        until = f"until {london(first)}" if first is not None else "for every area"
        return f"the base settings, in force {until}"
    until = f" until {london(version.until)}" if version.until is not None else ""
    where = (
        "in " + ", ".join(sorted(version.areas)) if version.areas is not None else "for every area"
    )
    return f"in force from {london(version.start)}{until} {where}"


# --- recording reads ---------------------------------------------------------------------


class _Recorder:
    """Every call's reads and rules, in the order the calls were made."""

    def __init__(self, layers: list[Settings]) -> None:
        self._layers = layers
        self._calls: list[tuple[str, str, list[str], dict[str, SettingRead]]] = []

    def call(self, plugin: str, hook: str) -> tuple[list[str], dict[str, SettingRead]]:
        rules: list[str] = []
        reads: dict[str, SettingRead] = {}
        self._calls.append((plugin, hook, rules, reads))
        return rules, reads

    def read(
        self, reads: dict[str, SettingRead], key: str, path: tuple[str, ...], value: Any
    ) -> None:
        if key in reads or key in _NOT_RULES:
            return
        reads[key] = SettingRead(key, _text(value), self._source(path, value))

    def _source(self, path: tuple[str, ...], value: Any) -> str:
        # The first layer, from the base up, that already had this value.
        for layer in self._layers:
            if _at(layer, path) == value:
                return layer.version
        return self._layers[-1].version

    def calls(self) -> tuple[PluginCall, ...]:
        found = [
            PluginCall(plugin, hook, tuple(dict.fromkeys(rules)), tuple(reads.values()))
            for plugin, hook, rules, reads in self._calls
            if rules or reads
        ]
        return tuple(found)


def _at(settings: Settings, path: tuple[str, ...]) -> Any:
    value: Any = settings
    for name in path:
        value = getattr(value, name)
    return value


def _text(value: Any) -> str:
    return json.dumps(_plain(value), ensure_ascii=False, sort_keys=True, separators=(", ", ": "))


def _plain(value: Any) -> Any:
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if attrs.has(type(value)):
        return {f.name: _plain(getattr(value, f.name)) for f in attrs.fields(type(value))}
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, frozenset | set):
        return sorted((_plain(v) for v in value), key=str)
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    return value


_TRACED_CLASSES: dict[type, type] = {}
_STATE = "_dapolicy_trace"


def _traced_class(cls: type) -> type:
    """A subclass of the settings section ``cls`` whose field reads are recorded."""
    found = _TRACED_CLASSES.get(cls)
    if found is not None:
        return found
    names = frozenset(f.name for f in attrs.fields(cls))

    def __getattribute__(self: Any, name: str) -> Any:
        value = object.__getattribute__(self, name)
        if name not in names:
            return value
        recorder, reads, path = object.__getattribute__(self, _STATE)
        return _recorded(value, recorder, reads, (*path, name))

    traced = type(
        f"Traced{cls.__name__}",
        (cls,),
        {"__getattribute__": __getattribute__, "__slots__": (_STATE,), "__module__": __name__},
    )
    _TRACED_CLASSES[cls] = traced
    return traced


def _traced(
    section: Any, recorder: _Recorder, reads: dict[str, SettingRead], path: tuple[str, ...]
) -> Any:
    copy: Any = object.__new__(_traced_class(type(section)))
    for field in attrs.fields(type(section)):
        object.__setattr__(copy, field.name, getattr(section, field.name))
    object.__setattr__(copy, _STATE, (recorder, reads, path))
    return copy


def _recorded(
    value: Any, recorder: _Recorder, reads: dict[str, SettingRead], path: tuple[str, ...]
) -> Any:
    if attrs.has(type(value)) and not isinstance(value, PolicyVersion):
        return _traced(value, recorder, reads, path)
    recorder.read(reads, ".".join(path), path, value)
    return value


# --- the traced policy -------------------------------------------------------------------


class _TracedImpl:
    """A hook implementation that is given recording settings and notes its rules."""

    def __init__(self, impl: Any, hook: str, policy: Policy, recorder: _Recorder) -> None:
        self._impl = impl
        self._hook = hook
        self._settings = policy.settings
        self._recorder = recorder
        self.plugin_name = impl.plugin_name
        self.argnames = impl.argnames

    def __getattr__(self, name: str) -> Any:
        return getattr(self._impl, name)

    def function(self, *args: Any) -> Any:
        rules, reads = self._recorder.call(self.plugin_name, self._hook)
        given = [
            _traced(self._settings, self._recorder, reads, ()) if name == "settings" else arg
            for name, arg in zip(self.argnames, args, strict=True)
        ]
        result = self._impl.function(*given)
        if isinstance(result, Iterator):
            return _noting(result, rules)
        _note(result, rules)
        return result


def _noting(items: Iterator[Any], rules: list[str]) -> Iterator[Any]:
    for item in items:
        _note(item, rules)
        yield item


def _note(item: Any, rules: list[str]) -> None:
    for name in ("reasons", "prompts", "briefing"):
        for reason in getattr(item, name, None) or ():
            rule = getattr(reason, "rule", None)
            if isinstance(rule, str):
                rules.append(rule)


def _traced_policy(policy: Policy, recorder: _Recorder) -> Policy:
    """``policy``, its plug-ins given recording settings, its own reads recorded too."""
    traced = object.__new__(type(policy))
    traced.__dict__.update(policy.__dict__)
    _, own_reads = recorder.call(POLICY, "assess")
    traced.settings = _traced(policy.settings, recorder, own_reads, ())
    wrapped: dict[str, list[_TracedImpl]] = {}

    def impls(hook: str) -> list[_TracedImpl]:
        if hook not in wrapped:
            wrapped[hook] = [_TracedImpl(i, hook, policy, recorder) for i in policy._impls(hook)]
        return wrapped[hook]

    traced._impls = impls  # type: ignore[method-assign,assignment]
    traced._versions = None  # already the version in force
    traced._plans = {}  # the guard's plans are of the implementations, not these
    return traced
