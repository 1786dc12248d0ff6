"""Fresh plug-in instances and fresh processes, for invariant 1 beyond one process.

A decision must depend on its inputs alone: not on what the plug-in saw before (a
per-victim cache), not on the hash seed (the order of a set), not on the global random
state or the clock. The kit rebuilds the policy under test from a :class:`Recipe` --
with new plug-in instances -- and assesses cases again, in this process and in fresh
ones started with other ``PYTHONHASHSEED`` values, a disturbed random state and a
shifted clock.
"""

from __future__ import annotations

import copyreg
import inspect
import io
import os
import pickle
import subprocess
import sys
import types
import weakref
from collections.abc import Iterable, Sequence
from typing import Any

import attrs

from dapolicy.policy import Policy
from dapolicy.serialization import to_json
from dapolicy.settings import Settings
from dapolicy.testing._invariants._case import ConformanceCase


@attrs.frozen
class Recipe:
    """How to build a policy again: its settings, extra plug-ins, and the isolation.

    :param settings: the settings.
    :param plugins: the extra plug-ins (modules, or objects of a class whose
        constructor needs no argument: each rebuild makes a new instance).
    :param load_entry_points: as for :class:`~dapolicy.policy.Policy`.
    :param isolate: the plug-in to isolate (see ``isolated``), or ``None``.
    """

    settings: Settings | None
    plugins: tuple[object, ...] = ()
    load_entry_points: bool = False
    isolate: str | None = None


_RECIPES: weakref.WeakKeyDictionary[Policy, Recipe] = weakref.WeakKeyDictionary()


def remember(policy: Policy, recipe: Recipe) -> Policy:
    """Keep how ``policy`` was built, so the kit can build it afresh."""
    _RECIPES[policy] = recipe
    return policy


def recipe_of(policy: Policy) -> Recipe | None:
    """How to build ``policy`` again, if the kit knows.

    A policy the kit did not build is rebuilt from its settings, with and then without
    the installed plug-ins, when it is a plain :class:`~dapolicy.policy.Policy` and the
    rebuild has the same fingerprint (the same plug-ins, versions and settings).
    """
    found = _RECIPES.get(policy)
    if found is not None or type(policy) is not Policy or policy in _UNKNOWN:
        return found
    for load in (False, True):
        recipe = Recipe(policy.settings, (), load)
        try:
            same = build(recipe)
        except Exception:
            continue
        if same is not None and same.fingerprint == policy.fingerprint:
            remember(policy, recipe)
            return recipe
    _UNKNOWN.add(policy)
    return None


_UNKNOWN: weakref.WeakSet[Policy] = weakref.WeakSet()


def _fresh(plugin: object) -> object | None:
    """A new instance of the plug-in; a module is itself; ``None`` if it cannot be made."""
    if isinstance(plugin, types.ModuleType):
        return plugin
    cls = type(plugin)
    try:
        needed = [
            p
            for p in inspect.signature(cls).parameters.values()
            if p.default is inspect.Parameter.empty
            and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
        ]
    except (TypeError, ValueError):
        return None
    if needed:
        return None
    try:
        return cls()
    except Exception:
        return None


def build(recipe: Recipe) -> Policy | None:
    """The policy the recipe describes, with new plug-in instances; ``None`` if it cannot."""
    from dapolicy.testing._invariants._runner import isolated

    plugins = [_fresh(p) for p in recipe.plugins]
    if any(p is None for p in plugins):
        return None
    if recipe.isolate is not None:
        return isolated(
            recipe.isolate,
            settings=recipe.settings,
            plugins=plugins,
            load_entry_points=recipe.load_entry_points,
        )
    return Policy(recipe.settings, plugins=plugins, load_entry_points=recipe.load_entry_points)


def fresh_policy(policy: Policy) -> Policy | None:
    """A new build of ``policy`` with new plug-in instances, if the kit knows how."""
    recipe = recipe_of(policy)
    if recipe is None:
        return None
    try:
        built = build(recipe)
    except Exception:
        return None
    if built is None or built.fingerprint != policy.fingerprint:
        return None
    return built


# --- fresh processes ----------------------------------------------------------------------

#: The hash seeds of the fresh processes (the parent's is random or its own).
HASH_SEEDS = ("1", "2")

_CHILD = r"""
import pickle, random, sys, time
paths, blob = pickle.loads(sys.stdin.buffer.read())
sys.path[:0] = [p for p in paths if p not in sys.path]
real_time, real_ns = time.time, time.time_ns
time.time = lambda: real_time() + 157_766_400.0 + 61_201.0
time.time_ns = lambda: real_ns() + 157_827_601_000_000_000
random.seed(int(sys.argv[1]) * 7919)
from dapolicy.serialization import to_json
from dapolicy.testing._invariants._fresh import build
from dapolicy.testing._invariants._case import _history
recipe, cases = pickle.loads(blob)
out = []
for case in cases:
    policy = build(recipe)
    decision = policy.assess(
        case.incident, case.form, dara=case.dara,
        history=_history(case.prior_incidents, case.marac_referrals), now=case.now,
    )
    out.append(to_json(decision))
sys.stdout.write(repr(out))
"""


def read_only(mapping: dict[Any, Any]) -> types.MappingProxyType[Any, Any]:
    """A read-only view of ``mapping`` (how a pickled mapping proxy is rebuilt)."""
    return types.MappingProxyType(mapping)


def _proxy(mapping: types.MappingProxyType[Any, Any]) -> tuple[Any, ...]:
    return read_only, (dict(mapping),)


def _dumps(value: object) -> bytes:
    """Pickle, with read-only mappings (settings, answers) as what they wrap."""
    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer)
    table = copyreg.dispatch_table.copy()
    table[types.MappingProxyType] = _proxy
    pickler.dispatch_table = table
    pickler.dump(value)
    return buffer.getvalue()


@attrs.frozen
class ProcessResult:
    """What a fresh process decided, or why it could not be asked."""

    seed: str
    decisions: tuple[str, ...] = ()
    problem: str = ""


def in_fresh_processes(
    policy: Policy, cases: Sequence[ConformanceCase], *, seeds: Iterable[str] = HASH_SEEDS
) -> list[ProcessResult] | str:
    """Each case's decision JSON from fresh processes, one per hash seed.

    :return: one result per seed, or why the policy cannot be sent to another process
        (the kit does not know how it was built, or a plug-in cannot be pickled).
    """
    recipe = recipe_of(policy)
    if recipe is None:
        return "the kit does not know how the policy was built (use policy_with or isolated)"
    try:
        blob = _dumps((recipe, list(cases)))
    except Exception as exc:
        return f"a plug-in cannot be sent to another process ({type(exc).__name__})"
    payload = pickle.dumps((list(sys.path), blob))
    results = []
    for seed in seeds:
        env = {**os.environ, "PYTHONHASHSEED": seed, "HYPOTHESIS_NO_PLUGINS": "1"}
        try:
            done = subprocess.run(
                [sys.executable, "-c", _CHILD, seed],
                input=payload,
                capture_output=True,
                env=env,
                timeout=120,
                check=False,
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            results.append(ProcessResult(seed, problem=type(exc).__name__))
            continue
        if done.returncode != 0:
            last = done.stderr.decode("utf-8", "replace").strip().splitlines()[-1:]
            # Only the exception's type: its message may quote a case.
            kind = last[0].split(":", 1)[0] if last else f"exit status {done.returncode}"
            results.append(ProcessResult(seed, problem=kind))
            continue
        import ast

        decoded = ast.literal_eval(done.stdout.decode("utf-8"))
        results.append(ProcessResult(seed, tuple(decoded)))
    return results


def local_decisions(policy: Policy, cases: Sequence[ConformanceCase]) -> list[str]:
    """Each case's decision JSON here, on a fresh build when the kit can make one."""
    from dapolicy.testing._invariants._case import _history

    out = []
    for case in cases:
        built = fresh_policy(policy) or policy
        decision = built.assess(
            case.incident,
            case.form,
            dara=case.dara,
            history=_history(case.prior_incidents, case.marac_referrals),
            now=case.now,
        )
        out.append(to_json(decision))
    return out
