"""Loading the plug-ins of the ``dapolicy`` entry-point group, one at a time.

pluggy's own ``load_setuptools_entrypoints`` stops at the first plug-in that fails and
does not say which it was. Here each entry point is imported, registered and checked
on its own, and what happened to it is an :class:`EntryPointStatus`: its name, its
distribution and version, and, for a broken one, the hook at fault and why.
"""

from __future__ import annotations

import importlib.metadata
import re
from collections.abc import Iterator

import attrs
import pluggy

from dapolicy import hookspecs
from dapolicy._interrupts import is_user_interrupt

__all__ = ["EntryPointStatus", "entry_points", "load_entry_points_into"]

_HOOK_IN_MESSAGE = re.compile(r"hook '(dapolicy_[A-Za-z0-9_]*|[A-Za-z0-9_]+)'")


@attrs.frozen
class EntryPointStatus:
    """What became of one entry point of the ``dapolicy`` group.

    :param name: the entry point's name (the plug-in's name in the policy).
    :param distribution: the distribution that declares it.
    :param version: that distribution's version.
    :param status: ``"loaded"``, ``"blocked"`` (named in ``plugins.block``: never
        imported), or ``"broken"``.
    :param hook: for a broken plug-in, the hook at fault, where one is.
    :param reason: for a broken plug-in, why: the exception's type, and for a hook
        that does not match its specification pluggy's message (which names the
        hook and the arguments, never a value).
    """

    name: str
    distribution: str
    version: str
    status: str
    hook: str | None = None
    reason: str | None = None

    def describe(self) -> str:
        """One line: ``entry point 'x' (dist 1.0): broken in hook 'h': reason``."""
        text = f"entry point {self.name!r} ({self.distribution} {self.version}): {self.status}"
        if self.hook is not None:
            text += f", hook {self.hook!r}"
        if self.reason is not None:
            text += f": {self.reason}"
        return text


def entry_points() -> Iterator[tuple[importlib.metadata.EntryPoint, str, str]]:
    """Every entry point of the group, with its distribution's name and version."""
    seen: set[tuple[str, str]] = set()
    for dist in importlib.metadata.distributions():
        name = str(dist.metadata["name"])
        for ep in dist.entry_points:
            if ep.group != hookspecs.PROJECT or (ep.name, name) in seen:
                continue  # a distribution found twice on the path is one
            seen.add((ep.name, name))
            yield ep, name, dist.version


def load_entry_points_into(pm: pluggy.PluginManager) -> list[EntryPointStatus]:
    """Import and register each entry point in ``pm``; what became of each.

    A broken plug-in is left unregistered; the others stand.
    """
    found = []
    for ep, dist, version in entry_points():

        def status(kind: str, hook: str | None = None, reason: str | None = None) -> None:
            found.append(EntryPointStatus(ep.name, dist, version, kind, hook, reason))  # noqa: B023

        if pm.is_blocked(ep.name):
            status("blocked")
            continue
        if pm.has_plugin(ep.name):
            status("broken", reason="another plug-in already has this name")
            continue
        try:
            plugin = ep.load()
        except BaseException as exc:
            if is_user_interrupt(exc):
                raise
            status("broken", reason=f"{type(exc).__name__} raised while importing {ep.value}")
            continue
        try:
            pm.register(plugin, name=ep.name)
        except pluggy.PluginValidationError as exc:
            status("broken", _hook_named(str(exc)), str(exc))
            continue
        except BaseException as exc:
            if is_user_interrupt(exc):
                raise
            status("broken", reason=f"{type(exc).__name__} raised while registering it")
            continue
        unknown = _unknown_hooks(pm, plugin)
        if unknown:
            pm.unregister(plugin)
            status("broken", unknown[0], f"unknown hook {unknown[0]!r}: no such dapolicy hook")
            continue
        status("loaded")
    return found


def _hook_named(message: str) -> str | None:
    match = _HOOK_IN_MESSAGE.search(message)
    return match[1] if match else None


def _unknown_hooks(pm: pluggy.PluginManager, plugin: object) -> list[str]:
    """The hooks ``plugin`` implements that have no specification (``check_pending``)."""
    return sorted(
        caller.name
        for caller in pm.get_hookcallers(plugin) or []
        if not caller.has_spec()
        and any(not i.optionalhook for i in caller.get_hookimpls() if i.plugin is plugin)
    )


def inspect_entry_points(block: tuple[str, ...] = ()) -> tuple[EntryPointStatus, ...]:
    """What loading the group would give, without failing on a broken plug-in."""
    pm = pluggy.PluginManager(hookspecs.PROJECT)
    pm.add_hookspecs(hookspecs)
    for name in block:
        pm.set_blocked(name)
    return tuple(load_entry_points_into(pm))
