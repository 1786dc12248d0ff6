"""The policies to test, and running the kit over many drawn cases."""

from __future__ import annotations

from collections.abc import Iterable

import attrs
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis.errors import FlakyFailure
from hypothesis.strategies import SearchStrategy

from dapolicy.policy import Policy
from dapolicy.settings import Settings
from dapolicy.testing._invariants._case import ConformanceCase
from dapolicy.testing._invariants._drawing import cases
from dapolicy.testing._invariants._registry import _chosen, check_all


def _plugin_name(plugin: object) -> str:
    """The name :class:`~dapolicy.policy.Policy` registers an extra plug-in under."""
    return str(getattr(plugin, "__name__", None) or type(plugin).__name__)


def isolated(
    name: str,
    *,
    settings: Settings | None = None,
    plugins: Iterable[object] = (),
    load_entry_points: bool = True,
) -> Policy:
    """A policy in which the plug-in ``name`` is the only risk model consulted.

    Every other hook of every plug-in still runs (so MARAC and safeguarding rules apply
    to its grades). A plug-in that is not a risk model gets the full policy. Isolation
    makes grade properties sharper: no other model's higher grade masks this one's.

    :param name: the registered name (``Policy.plugins``).
    :param settings: the settings; the defaults if omitted.
    :param plugins: extra plug-in objects, as for :class:`~dapolicy.policy.Policy`.
    :param load_entry_points: load installed plug-ins, as for ``Policy``.
    :raises ValueError: no plug-in is registered as ``name``.
    """
    plugins = tuple(plugins)
    policy = Policy(settings, plugins=plugins, load_entry_points=load_entry_points)
    try:
        hooks = policy.hooks_of(name)
    except KeyError:
        known = ", ".join(info.name for info in policy.plugins)
        raise ValueError(f"no plug-in named {name!r}; registered: {known}") from None
    if "dapolicy_assess_risk" not in hooks:
        return policy
    base = policy.settings
    only = attrs.evolve(base, plugins=attrs.evolve(base.plugins, risk_models=(name,)))
    return Policy(only, plugins=plugins, load_entry_points=load_entry_points)


def policy_with(
    plugin: object, *, settings: Settings | None = None, isolate: bool = False
) -> Policy:
    """The built-in plug-ins plus ``plugin``, with no installed plug-ins.

    :param plugin: a plug-in module or object (registered under its ``__name__``, or
        its class's name).
    :param settings: the settings; the defaults if omitted.
    :param isolate: consult only ``plugin``'s risk model (see :func:`isolated`).
    """
    if isolate:
        return isolated(
            _plugin_name(plugin), settings=settings, plugins=[plugin], load_entry_points=False
        )
    return Policy(settings, plugins=[plugin], load_entry_points=False)


def run_conformance(
    policy: Policy,
    *,
    max_examples: int | None = None,
    strategy: SearchStrategy[ConformanceCase] | None = None,
    invariants: Iterable[int] | None = None,
    settings: hypothesis_settings | None = None,
) -> None:
    """Check every invariant on many drawn cases; raise on the first counterexample.

    :param policy: the policy under test (see :func:`policy_with`, :func:`isolated`).
    :param max_examples: how many cases; by default the hypothesis profile's number.
    :param strategy: where cases come from; by default :func:`cases` of ``policy``.
    :param invariants: the invariants to check, by number; by default all.
    :param settings: hypothesis settings to start from; by default the current profile.
        Deadlines are always off and only the first bug is reported.
    :raises AssertionError: a case breaks an invariant. The message names the invariant;
        hypothesis adds the (shrunk) case as a note. An invariant that fails only
        sometimes for the same case is reported as a non-deterministic decision.
    :raises ValueError: ``invariants`` names a number that is not an invariant.
    """
    numbers = _chosen(invariants)
    base = settings if settings is not None else hypothesis_settings()
    run_settings = hypothesis_settings(
        base,
        max_examples=max_examples if max_examples is not None else base.max_examples,
        deadline=None,
        report_multiple_bugs=False,
        suppress_health_check=[*base.suppress_health_check, HealthCheck.too_slow],
    )
    drawn = strategy if strategy is not None else cases(policy)

    @run_settings
    @given(drawn)
    def conformance(case: ConformanceCase) -> None:
        check_all(policy, case, invariants=numbers)

    try:
        conformance()
    except FlakyFailure as exc:
        raise AssertionError(
            "invariant 1 (deterministic): an invariant failed for a case and then held for "
            f"the same case: a decision depends on something besides its inputs ({exc})"
        ) from exc
