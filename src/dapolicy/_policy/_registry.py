"""The registry: the plug-in manager, built once and fixed.

Entry points, then the built-in plug-ins, then extra plug-ins are registered and
``check_pending`` run; from then on each hook's implementations are looked up once, in
the order they are called (plug-in name).
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import os
from collections.abc import Iterable, Mapping
from typing import Any

import pluggy

from dapolicy import hookspecs
from dapolicy._policy._entry_points import load_entry_points_into
from dapolicy.errors import ConfigurationError, FieldError, ValidationError
from dapolicy.models import PluginInfo
from dapolicy.models.checklist import QuestionSet
from dapolicy.settings import Settings

__all__ = ["DISABLE_ENTRY_POINTS_ENV", "Registry", "builtin_plugins"]

#: Set to skip plug-ins installed by other distributions (e.g. in tests).
DISABLE_ENTRY_POINTS_ENV = "DAPOLICY_DISABLE_ENTRY_POINTS"


def builtin_plugins() -> list[tuple[str, object]]:
    """The built-in plug-ins, ``(name, plug-in)``, in registration order."""
    from dapolicy.plugins import DEFAULT_PLUGINS

    return list(DEFAULT_PLUGINS)


def _named(plugins: Iterable[object]) -> list[tuple[str, object]]:
    return [(getattr(p, "__name__", None) or type(p).__name__, p) for p in plugins]


def _manager() -> pluggy.PluginManager:
    pm = pluggy.PluginManager(hookspecs.PROJECT)
    pm.add_hookspecs(hookspecs)
    return pm


def _register(pm: pluggy.PluginManager, plugins: Iterable[tuple[str, object]]) -> None:
    try:
        for name, plugin in plugins:
            if not pm.is_blocked(name):
                pm.register(plugin, name=name)
        pm.check_pending()
    except (pluggy.PluginValidationError, ValueError) as exc:
        # A hook with the wrong signature, an unknown hook, or a name taken twice.
        raise ConfigurationError(str(exc)) from exc


class Registry:
    """The registered plug-ins of one policy, with what is derived from them.

    :ivar pm: pluggy's plug-in manager (nothing outside this package calls its hooks).
    :ivar known: every plug-in name the settings may refer to, blocked ones included.
    :ivar plugins: each registered plug-in with its distribution and version, by name.
    :ivar question_sets: the checklists the plug-ins contribute, by id.
    :ivar item_ids: each checklist's item ids, by checklist id.
    """

    def __init__(
        self,
        pm: pluggy.PluginManager,
        settings: Settings,
        known: set[str],
        dists: Mapping[str, tuple[str, str]],
    ) -> None:
        """Fix the registry: caches, name checks, question sets.

        :param dists: the distribution and version of each entry-point plug-in.
        """
        self.pm = pm
        self.known = known
        self._dists = dict(dists)
        # Each hook's implementations, in the order they are called (plug-in name).
        self._impls: dict[str, list[pluggy.HookImpl]] = {
            hook: sorted(
                (
                    i
                    for i in getattr(pm.hook, hook).get_hookimpls()
                    if not (i.hookwrapper or i.wrapper)
                ),
                key=lambda impl: impl.plugin_name,
            )
            for hook in hookspecs.HOOK_NAMES
        }
        _check_names(settings, known)
        self.plugins = tuple(
            PluginInfo(name, version) for name, version in sorted(self._plugin_versions().items())
        )
        # The built-in plug-ins, dapolicy's own code: the guard need not snapshot what
        # they are given (the conformance kit checks that they change nothing).
        self.trusted = frozenset(
            id(plugin) for name, plugin in builtin_plugins() if pm.get_plugin(name) is plugin
        )
        #: What is fixed about each hook (filled in by the guard).
        self.plans: dict[str, Any] = {}
        self.question_sets = self._collect_question_sets(settings)
        self.item_ids = {key: qs.item_ids for key, qs in self.question_sets.items()}

    @classmethod
    def build(
        cls, settings: Settings, plugins: Iterable[object], *, load_entry_points: bool
    ) -> Registry:
        """Entry points, then built-ins, then ``plugins``, then ``check_pending``.

        :raises ConfigurationError: naming the first entry point that cannot be used.
        """
        pm = _manager()
        for name in settings.plugins.block:
            pm.set_blocked(name)
        entry_point_names: set[str] = set()
        dists: dict[str, tuple[str, str]] = {}
        if load_entry_points and not os.environ.get(DISABLE_ENTRY_POINTS_ENV):
            entry_point_names = {
                ep.name for ep in importlib.metadata.entry_points(group=hookspecs.PROJECT)
            }
            for status in load_entry_points_into(pm):
                if status.status == "broken":
                    raise ConfigurationError(status.describe())
                if status.status == "loaded":
                    dists[status.name] = (status.distribution, status.version)
        builtin_names = {name for name, _ in builtin_plugins()}
        extra = _named(plugins)
        _register(pm, [*builtin_plugins(), *extra])
        known = builtin_names | entry_point_names | {n for n, _ in extra}
        return cls(pm, settings, known, dists)

    def with_plugins(self, plugins: Iterable[object], settings: Settings) -> Registry:
        """A new registry: every plug-in registered here, plus ``plugins``."""
        pm = _manager()
        extra = _named(plugins)
        current = [(n, p) for n, p in self.pm.list_name_plugin() if p is not None]
        _register(pm, [*current, *extra])
        return type(self)(pm, settings, self.known | {name for name, _ in extra}, self._dists)

    def for_settings(self, settings: Settings) -> Registry:
        """The same plug-ins, with ``settings`` (a dated version's): nothing is loaded."""
        return type(self)(self.pm, settings, self.known, self._dists)

    def impls(self, hook: str) -> list[pluggy.HookImpl]:
        """The implementations of ``hook``, in the order they are called."""
        return self._impls[hook]

    def hooks_of(self, name: str) -> tuple[str, ...]:
        """The hooks the plug-in called ``name`` implements (``KeyError`` if none is)."""
        plugin = self.pm.get_plugin(name)
        if plugin is None:
            raise KeyError(name)
        callers = self.pm.get_hookcallers(plugin) or []
        return tuple(sorted(caller.name for caller in callers))

    def fingerprint(self, settings: Settings) -> str:
        """A short digest of ``settings`` and every plug-in's name and version."""
        text = (
            settings.fingerprint()
            + "|"
            + "|".join(f"{info.name}={info.version}" for info in self.plugins)
        )
        return hashlib.sha256(text.encode()).hexdigest()[:16]

    def _plugin_versions(self) -> dict[str, str]:
        from dapolicy import __version__

        versions = {}
        dists = {id(plugin): dist for plugin, dist in self.pm.list_plugin_distinfo()}
        for name, plugin in self.pm.list_name_plugin():
            if plugin is None:  # pluggy keeps blocked names with no plug-in
                continue
            dist = dists.get(id(plugin))
            if name in self._dists:
                versions[name] = " ".join(self._dists[name])
            elif dist is not None:
                versions[name] = f"{dist.project_name} {dist.version}"
            elif name in dict(builtin_plugins()):
                versions[name] = f"dapolicy {__version__}"
            else:
                versions[name] = str(getattr(plugin, "__version__", "unversioned"))
        return versions

    def _collect_question_sets(self, settings: Settings) -> dict[str, QuestionSet]:
        from dapolicy._policy._guard import Guard
        from dapolicy._policy._watch import Watch

        shared = Watch()
        shared.add("the settings", settings)
        with Guard(self.impls, settings.limits, shared, self.trusted, self.plans) as guard:
            call = guard.call("dapolicy_question_sets", object, "", many=True, settings=settings)
        for failure in call.failures:
            raise ConfigurationError(
                f"plug-in {failure.plugin!r} failed while the policy was built, in "
                f"{failure.hook}: {failure.error}"
            )
        found: dict[str, QuestionSet] = {}
        owners: dict[str, str] = {}
        for plugin, question_set in call.results:
            if not isinstance(question_set, QuestionSet):
                raise ConfigurationError(
                    f"plug-in {plugin!r} contributed a {type(question_set).__name__}, "
                    "not a QuestionSet"
                )
            if question_set.id in found:
                raise ConfigurationError(
                    f"checklist {question_set.id!r} is contributed by both "
                    f"{owners[question_set.id]!r} and {plugin!r}"
                )
            found[question_set.id] = question_set
            owners[question_set.id] = plugin
        return found


def _check_names(settings: Settings, known: set[str]) -> None:
    errors = []
    section = settings.plugins
    for key, names in (("block", section.block), ("risk_models", section.risk_models or ())):
        for index, name in enumerate(names):
            if name not in known:
                errors.append(
                    FieldError(
                        f"$.plugins.{key}[{index}]",
                        f"unknown plug-in name; known plug-ins: {', '.join(sorted(known))}",
                    )
                )
    if errors:
        raise ValidationError("Settings", errors)
