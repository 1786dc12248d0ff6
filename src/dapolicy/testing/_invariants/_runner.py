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
from dapolicy.testing._invariants._deterministic import check_fresh_processes
from dapolicy.testing._invariants._drawing import cases
from dapolicy.testing._invariants._fresh import Recipe, remember
from dapolicy.testing._invariants._registry import Invariant, _chosen, check_all
from dapolicy.testing._invariants._sweep import boundary_cases
from dapolicy.testing._invariants._violation import InvariantViolation, replay_notes


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
    recipe = Recipe(settings, plugins, load_entry_points, isolate=name)
    if "dapolicy_assess_risk" not in hooks:
        return remember(policy, recipe)
    base = policy.settings
    only = attrs.evolve(base, plugins=attrs.evolve(base.plugins, risk_models=(name,)))
    return remember(Policy(only, plugins=plugins, load_entry_points=load_entry_points), recipe)


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
    return remember(
        Policy(settings, plugins=[plugin], load_entry_points=False), Recipe(settings, (plugin,))
    )


@attrs.frozen
class ConformanceReport:
    """What :func:`run_conformance` checked.

    :param boundary_cases: how many explicit boundary cases passed every check.
    :param examples: how many drawn cases were checked (hypothesis' examples).
    :param skipped: checks that could not run, each with why (e.g. a plug-in that
        cannot be sent to a fresh process).
    """

    boundary_cases: int
    examples: int
    skipped: tuple[str, ...] = ()


#: Drawn cases sent to fresh processes (invariant 1), at most.
_SAMPLE = 12


def _failed(exc: InvariantViolation) -> InvariantViolation:
    if exc.case is not None and not getattr(exc, "_kit_noted", False):
        exc.add_note(f"({exc.case.label})" if exc.case.label else "(a drawn case)")
        exc.add_note(replay_notes(exc.case))
        exc._kit_noted = True  # type: ignore[attr-defined]
    return exc


def run_conformance(
    policy: Policy,
    *,
    max_examples: int | None = None,
    strategy: SearchStrategy[ConformanceCase] | None = None,
    invariants: Iterable[int] | None = None,
    settings: hypothesis_settings | None = None,
    boundaries: bool = True,
    thorough: bool = False,
    extra: Iterable[Invariant] = (),
) -> ConformanceReport:
    """Check every invariant on boundary cases and many drawn ones; raise on the first fault.

    First every explicit boundary case (:func:`boundary_cases`: each checklist item
    flipped alone, ages 15 to 18 on the day, every household of up to four children,
    window edges to the microsecond, clock changes...) is checked, then drawn cases,
    then a sample of both in fresh processes with other hash seeds (invariant 1).

    :param policy: the policy under test (see :func:`policy_with`, :func:`isolated`).
    :param max_examples: how many drawn cases; by default the hypothesis profile's.
    :param strategy: where cases come from; by default :func:`cases` of ``policy``.
    :param invariants: the invariants to check, by number; by default all.
    :param settings: hypothesis settings to start from; by default the current profile.
        Deadlines are always off and only the first bug is reported.
    :param boundaries: check the explicit boundary cases first (default).
    :param thorough: more boundary cases (every answer as the filler of every
        checklist) -- for nightly runs.
    :param extra: a force's own invariants (see :class:`Invariant`), checked after the
        kit's on every case.
    :return: what was checked, and what could not be.
    :raises InvariantViolation: a case breaks an invariant. The message names the
        invariant and says in words what broke; notes give the (shrunk) case as JSON
        lines (:func:`load_case` reads them back). An invariant that fails only
        sometimes for the same case is reported as invariant 1.
    :raises ValueError: ``invariants`` names a number that is not an invariant.
    """
    numbers = _chosen(invariants)
    more = tuple(extra)
    base = settings if settings is not None else hypothesis_settings()
    run_settings = hypothesis_settings(
        base,
        max_examples=max_examples if max_examples is not None else base.max_examples,
        deadline=None,
        report_multiple_bugs=False,
        suppress_health_check=[
            *base.suppress_health_check,
            HealthCheck.too_slow,
            HealthCheck.filter_too_much,
        ],
    )
    sample: list[ConformanceCase] = []
    explicit = 0
    if boundaries:
        for index, case in enumerate(boundary_cases(policy, thorough=thorough)):
            try:
                check_all(policy, case, invariants=numbers, extra=more)
            except InvariantViolation as exc:
                raise _failed(exc) from None
            explicit += 1
            if index % 17 == 0 and len(sample) < _SAMPLE // 2:
                sample.append(case)
    drawn = strategy if strategy is not None else cases(policy)
    seen = [0]

    @run_settings
    @given(drawn)
    def conformance(case: ConformanceCase) -> None:
        check_all(policy, case, invariants=numbers, extra=more)
        seen[0] += 1
        if seen[0] % 5 == 1 and len(sample) < _SAMPLE:
            sample.append(case)

    try:
        conformance()
    except InvariantViolation as exc:
        raise _failed(exc) from None
    except FlakyFailure as exc:
        raise InvariantViolation(
            1,
            "an invariant failed for a case and then held for the same case: a decision "
            f"depends on something besides its inputs ({type(exc).__name__})",
            aspect="flaky",
        ) from exc
    skipped = []
    if 1 in numbers:
        try:
            why = check_fresh_processes(policy, sample)
        except InvariantViolation as exc:
            raise _failed(exc) from None
        if why:
            skipped.append(f"invariant 1 in fresh processes: {why}")
    return ConformanceReport(explicit, seen[0], tuple(skipped))
