"""The mutant suite: realistic buggy plug-ins that the conformance kit must catch.

Each mutant is a plug-in a force's developer might write, with one bug that breaks one
safety invariant. ``MUTANTS`` lists them all, each with the policy to test it in (the
plug-in isolated as the only risk model, or added beside the built-ins, or replacing
one) and the invariant it breaks. ``tests/mutants/strength.py`` (``nox -s
kit-strength``) runs the kit against every one and reports the kill ratio;
``tests/test_kit_strength.py`` runs a quick subset in the normal suite.
"""

from __future__ import annotations

from collections.abc import Callable

import attrs

from dapolicy.policy import Policy
from dapolicy.settings import PluginSettings, Settings
from dapolicy.testing.invariants import policy_with


@attrs.frozen
class Mutant:
    """One buggy plug-in: its name, its bug in words, the invariant it breaks, its policy."""

    name: str
    bug: str
    breaks: int
    build: Callable[[], Policy]


def blocking(*names: str) -> Settings:
    """Settings that block built-ins, so that a mutant can stand in for them."""
    return Settings(plugins=PluginSettings(block=names))


def isolated_model(cls: type[object]) -> Callable[[], Policy]:
    """The mutant as the only risk model, with every other built-in hook."""
    return lambda: policy_with(cls(), isolate=True)


def beside(cls: type[object]) -> Callable[[], Policy]:
    """The mutant added to the whole built-in policy."""
    return lambda: policy_with(cls())


def replacing(cls: type[object], *builtins: str) -> Callable[[], Policy]:
    """The mutant in place of the built-ins named."""
    return lambda: policy_with(cls(), settings=blocking(*builtins))


def _all() -> list[Mutant]:
    from mutants import control_room, grades, guard, inputs, privacy, referrals, tasks, timing

    found: list[Mutant] = []
    for module in (grades, timing, privacy, inputs, referrals, tasks, control_room, guard):
        found.extend(module.MUTANTS)
    return found


MUTANTS: list[Mutant] = _all()

#: A few mutants, one per family, for the normal test suite (bounded in time).
QUICK = (
    "key-item-lowers",
    "not-known-counts-as-yes",
    "crime-only-bump",
    "reads-the-clock",
    "surname-in-reason",
    "second-child-unchecked",
    "fixed-offset-due",
    "mutates-the-draft",
)
