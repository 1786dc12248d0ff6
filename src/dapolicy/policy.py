"""The policy: plug-ins plus settings, and the one call that decides a case.

``Policy`` wraps pluggy's plug-in manager behind one typed method per hook; nothing
else in dapolicy calls ``pm.hook`` directly. Contribution hooks are called plug-in by
plug-in so that a plug-in that raises, or returns the wrong type, is recorded as a
:class:`~dapolicy.models.PluginFailure` (and the decision needs review) while every
other plug-in's contribution stands. A failure can never lower a grade.

``Policy`` is the one face of the private modules in :mod:`dapolicy._policy`: the
registry, the guarded calls, the assessment, and the control room.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import cattrs
import pluggy

from dapolicy._policy import _assessment, _control_room
from dapolicy._policy._entry_points import EntryPointStatus, inspect_entry_points
from dapolicy._policy._guard import DEBUG_PLUGINS_ENV, Guard
from dapolicy._policy._registry import DISABLE_ENTRY_POINTS_ENV, Registry
from dapolicy._policy._watch import Watch
from dapolicy._versions import VersionIndex, overdue_prompt
from dapolicy.errors import ConfigurationError, FieldError, ValidationError
from dapolicy.history import History
from dapolicy.models import Call, Case, Decision, Event, Incident, PluginInfo, Reason, RiskForm
from dapolicy.models.checklist import QuestionSet
from dapolicy.models.dara import DaraForm
from dapolicy.models.operations import EventOutcome, Thrive, TriageDecision
from dapolicy.serialization import configure_converter
from dapolicy.settings import Settings, load_settings

__all__ = [
    "DEBUG_PLUGINS_ENV",
    "DISABLE_ENTRY_POINTS_ENV",
    "ConfigurationError",
    "EntryPointStatus",
    "Policy",
    "default_policy",
]


class Policy:
    """A force's risk policy: the registered plug-ins and their settings.

    :param settings: the force's settings; the documented defaults if omitted.
    :param plugins: extra plug-in objects to register (named by ``__name__`` or class).
    :param load_entry_points: load plug-ins from the ``dapolicy`` entry-point group
        (skipped anyway when the environment variable ``DAPOLICY_DISABLE_ENTRY_POINTS``
        is set).
    :raises ConfigurationError: a plug-in fails to load, two plug-ins claim the same
        checklist id, or a hook implementation does not match its spec.
    :raises ValidationError: the settings name a plug-in that does not exist.
    """

    settings: Settings
    question_sets: dict[str, QuestionSet]
    fingerprint: str
    review_prompt: Reason | None
    _registry: Registry
    _versions: VersionIndex[Policy] | None

    def __init__(
        self,
        settings: Settings | None = None,
        *,
        plugins: Iterable[object] = (),
        load_entry_points: bool = True,
    ) -> None:
        """Build the plug-in manager: entry points, then built-ins, then ``check_pending``."""
        self.settings = settings if settings is not None else Settings()
        self._use(Registry.build(self.settings, plugins, load_entry_points=load_entry_points))

    def _use(self, registry: Registry) -> None:
        self._registry = registry
        self.question_sets = registry.question_sets
        self.fingerprint = registry.fingerprint(self.settings)
        # What every decision shares is snapshotted once, here, not per decision.
        self._shared = Watch()
        self._shared.add("the settings", self.settings)
        self._shared.add("the policy's list of plug-ins", self.plugins)
        # What is fixed about each hook (its plug-ins, which are built-ins): worked out
        # once, by the first guard that calls it.
        self._plans: dict[str, Any] = {}
        # One policy per dated version, built now, so a version's mistakes (a plug-in
        # name no plug-in has) are found at once and every decision after is cheap.
        self._versions = (
            VersionIndex(self.settings, self._version) if self.settings.versions else None
        )
        self.review_prompt = overdue_prompt(self.settings)

    def _version(self, settings: Settings) -> Policy:
        """The policy of one version: these plug-ins, its settings."""
        version = object.__new__(type(self))
        version.settings = settings
        version._use(self._registry.for_settings(settings))
        return version

    def as_of(self, moment: datetime, area: str | None = None) -> Policy:
        """The policy in force at ``moment`` for ``area`` (see the configuration docs).

        Without dated versions this policy itself. Otherwise the version for ``area``
        in force at ``moment``, else the version for every area, else (before the
        first one starts) the base settings; each is built once, so this is cheap.

        :param moment: an aware datetime (for a decision, its ``now``).
        :param area: a force area or basic command unit id, or ``None``.
        :raises ValidationError: ``moment`` is naive.
        """
        if self._versions is None:
            return self
        if not isinstance(moment, datetime) or moment.utcoffset() is None:
            raise ValidationError(
                "policy version", [FieldError("$.now", "must be a datetime with a UTC offset")]
            )
        return self._versions.at(moment, area)

    def _in_force(self, now: datetime, area: str | None) -> Policy:
        # A naive now is left for the call itself to report, as without versions.
        if self._versions is None or not isinstance(now, datetime) or now.utcoffset() is None:
            return self
        return self._versions.at(now, area)

    def _guard(self) -> Guard:
        """A guard for one decision: this policy's plug-ins, limits and snapshots."""
        return Guard(
            self._impls,
            self.settings.limits,
            self._shared,
            self._registry.trusted,
            self._plans,
        )

    def with_plugins(self, *plugins: object, settings: Settings | None = None) -> Policy:
        """A new policy: every plug-in registered here, plus ``plugins``.

        Nothing is loaded again, and this policy is not changed. Used to test a
        plug-in inside a force's policy, or to add a broken one on purpose.

        :param plugins: plug-in objects to add (named by ``__name__`` or class).
        :param settings: the new policy's settings; this one's if omitted.
        :raises ConfigurationError: a name is taken twice or a hook does not match.
        """
        clone = object.__new__(type(self))
        clone.settings = settings if settings is not None else self.settings
        clone._use(self._registry.with_plugins(plugins, clone.settings))
        return clone

    @classmethod
    def from_toml(cls, path: str | Path, **kwargs: Any) -> Policy:
        """A policy configured by a TOML file (see :func:`dapolicy.settings.load_settings`)."""
        return cls(load_settings(path), **kwargs)

    def __repr__(self) -> str:
        """The force, the plug-ins and the fingerprint."""
        names = ", ".join(info.name for info in self.plugins)
        return f"<Policy force={self.settings.force!r} plugins=[{names}] {self.fingerprint}>"

    # --- registry ---------------------------------------------------------------------

    @property
    def plugins(self) -> tuple[PluginInfo, ...]:
        """Every registered plug-in with its distribution and version, by name."""
        return self._registry.plugins

    def hooks_of(self, name: str) -> tuple[str, ...]:
        """The hooks the plug-in called ``name`` implements."""
        return self._registry.hooks_of(name)

    def make_converter(self) -> cattrs.Converter:
        """A JSON converter with dapolicy's hooks and every plug-in's.

        :raises ConfigurationError: a plug-in's ``dapolicy_configure_converter`` failed
            (named, with the exception's type).
        """
        converter = cattrs.Converter(forbid_extra_keys=True)
        configure_converter(converter)
        with self._guard() as guard:
            call = guard.call(
                "dapolicy_configure_converter",
                object,
                "",
                many=False,
                converter=converter,
            )
        for failure in call.failures:
            raise ConfigurationError(
                f"plug-in {failure.plugin!r} failed in {failure.hook}: {failure.error}"
            )
        return converter

    @staticmethod
    def inspect_entry_points(settings: Settings | None = None) -> tuple[EntryPointStatus, ...]:
        """Each plug-in of the ``dapolicy`` entry-point group, and whether it loads.

        Unlike building a policy, this never stops at a broken plug-in: each is
        imported and checked on its own, and reported with its distribution, its
        version, the hook at fault and why (``dapolicy plugins`` shows them).
        ``DAPOLICY_DISABLE_ENTRY_POINTS`` is not consulted: this is asked for.

        :param settings: whose ``plugins.block`` names are reported as blocked, and
            not imported.
        """
        block = settings.plugins.block if settings is not None else ()
        return inspect_entry_points(block)

    def _impls(self, hook: str) -> Sequence[pluggy.HookImpl]:
        return self._registry.impls(hook)

    # --- deciding -----------------------------------------------------------------------

    def assess(
        self,
        incident: Incident,
        form: RiskForm | None = None,
        *,
        dara: DaraForm | None = None,
        history: History | None = None,
        now: datetime,
    ) -> Decision:
        """Grade, escalate, refer and task one incident.

        :param incident: the incident, crime or not.
        :param form: its risk form, or ``None`` if none was submitted (the decision
            then needs review, unless a DARA form came, and rules that need no form
            still run).
        :param dara: the officer's DARA form, if the force runs DARA; it may come
            beside a partner's DASH form, and the higher grade wins.
        :param history: the victim's past; not modified (record the decision after). Only
            entries recorded before ``now`` are seen; hooks get a read-only
            :class:`~dapolicy.history.HistoryView` of it bound to ``now``.
        :param now: the time of the decision (no clock is read); with the incident's
            ``area`` it chooses the policy version in force (:meth:`as_of`), which
            the decision records as ``policy_version``.
        :return: the :class:`~dapolicy.models.Decision`.
        :raises ValidationError: ``now`` is naive or before the report, or the form is
            for another incident.
        """
        policy = self._in_force(now, incident.area)
        return _assessment.assess(policy, incident, form, dara=dara, history=history, now=now)

    def assess_case(self, case: Case, *, history: History | None = None) -> Decision:
        """Assess a :class:`~dapolicy.models.Case` as ``dapolicy assess`` does.

        ``now`` is the command's rule, :func:`dapolicy.batch.decision_time`: the point
        of attendance, when the risk form was completed, or the report time when no
        form came (the later of the two). So a force system that decides one case at a
        time gets the decision the batch would give for the same case and history.

        :param case: the incident with its form (and call, which is not assessed here:
            see :meth:`triage`).
        :param history: the victim's past; not modified (record the decision after,
            with :func:`dapolicy.history.record`).
        :raises ValidationError: the form is for another incident.
        """
        from dapolicy.batch import decision_time

        return self.assess(
            case.incident, case.form, dara=case.dara, history=history, now=decision_time(case)
        )

    def triage(
        self,
        call: Call,
        thrive: Thrive | None = None,
        *,
        history: History | None = None,
        now: datetime,
    ) -> TriageDecision:
        """Grade the response to a call and set its deadlines.

        The response is the most urgent of the force's minimum, the call handler's
        THRIVE grade and every triage plug-in's finding. Previous calls from the caller
        or to the location, and the caller's recent incidents as a victim, are checked
        and travel to the attending officer in ``briefing``.

        Right Care, Right Person: a concern-for-welfare call may be diverted
        (``diverted``, resolved without deployment, below the force's minimum) only
        when a triage plug-in asks (``ResponseFinding.divert``),
        :func:`dapolicy.rcrp.rcrp_may_divert` allows it for the type
        :func:`dapolicy.rcrp.rcrp_call_type` finds, no plug-in failed and nothing
        raises the response. A domestic-abuse call, or a call with any sign of domestic
        abuse, is never diverted; a plug-in that asks to divert one is recorded as a
        failure.

        :param call: the call.
        :param thrive: the call handler's THRIVE assessment (``None``: needs review).
        :param history: previous calls and incidents; not modified; seen as known before
            ``now``, through a :class:`~dapolicy.history.HistoryView`.
        :param now: the time of the decision.
        :raises ValidationError: ``now`` is naive or before the call was received.
        """
        return _control_room.triage(
            self._in_force(now, None), call, thrive, history=history, now=now
        )

    def on_event(
        self, event: Event, *, history: History | None = None, now: datetime
    ) -> EventOutcome:
        """Tasks and re-assessment after a release, bail change, breach or new incident.

        A task due before the event is kept but recorded as a failure (review).
        ``now`` may come before the event: a release from custody is often known in
        advance, and the victim should hear of it before it happens.

        :param event: the event.
        :param history: the victim's past; not modified; seen as known before ``now``,
            through a :class:`~dapolicy.history.HistoryView`.
        :param now: the time of the decision.
        :raises ValidationError: ``now`` is naive.
        """
        policy = self._in_force(now, event.area)
        return _control_room.on_event(policy, event, history=history, now=now)


def default_policy(settings: Settings | None = None) -> Policy:
    """A ready policy: the built-in plug-ins, installed plug-ins, and ``settings``."""
    return Policy(settings)
