"""The policy: plug-ins plus settings, and the one call that decides a case.

``Policy`` wraps pluggy's plug-in manager behind one typed method per hook; nothing
else in dapolicy calls ``pm.hook`` directly. Contribution hooks are called plug-in by
plug-in so that a plug-in that raises, or returns the wrong type, is recorded as a
:class:`~dapolicy.models.PluginFailure` (and the decision needs review) while every
other plug-in's contribution stands. A failure can never lower a grade.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import os
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar, cast

import attrs
import cattrs
import pluggy

from dapolicy import hookspecs
from dapolicy._time import add_local, months_before
from dapolicy.errors import DapolicyError, FieldError, ValidationError
from dapolicy.history import History, InMemoryHistory
from dapolicy.models import (
    Call,
    Decision,
    Destination,
    DomesticAbuseCheck,
    DomesticAbuseVerdict,
    Event,
    Finding,
    Incident,
    PluginFailure,
    PluginInfo,
    Reason,
    Referral,
    RiskForm,
    RiskGrade,
    Task,
)
from dapolicy.models._base import micros
from dapolicy.models.checklist import QuestionSet
from dapolicy.models.operations import (
    EventOutcome,
    ResponseFinding,
    ResponseGrade,
    Thrive,
    TriageDecision,
)
from dapolicy.models.work import Allocation
from dapolicy.serialization import configure_converter
from dapolicy.settings import Settings, load_settings

__all__ = ["ConfigurationError", "Policy", "default_policy"]

T = TypeVar("T")

#: Set to skip plug-ins installed by other distributions (e.g. in tests).
DISABLE_ENTRY_POINTS_ENV = "DAPOLICY_DISABLE_ENTRY_POINTS"

_SOURCE = "dapolicy policy"


class ConfigurationError(DapolicyError):
    """A plug-in could not be loaded or registered, or contradicts another."""


def _builtin_plugins() -> list[tuple[str, object]]:
    from dapolicy.plugins import DEFAULT_PLUGINS

    return list(DEFAULT_PLUGINS)


def _error_text(exc: BaseException) -> str:
    # Only a ValidationError's message is built by dapolicy to name fields and never
    # values; any other message -- a plug-in's own DapolicyError included -- may quote
    # personal data, so only its type is kept.
    if isinstance(exc, ValidationError):
        return f"{type(exc).__name__}: {exc}"
    return f"{type(exc).__name__} raised"


@attrs.define
class _Call:
    """What one round of a contribution hook gathered."""

    results: list[tuple[str, Any]] = attrs.Factory(list)
    failures: list[PluginFailure] = attrs.Factory(list)


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

    def __init__(
        self,
        settings: Settings | None = None,
        *,
        plugins: Iterable[object] = (),
        load_entry_points: bool = True,
    ) -> None:
        """Build the plug-in manager: entry points, then built-ins, then ``check_pending``."""
        self.settings = settings if settings is not None else Settings()
        pm = pluggy.PluginManager(hookspecs.PROJECT)
        pm.add_hookspecs(hookspecs)
        for name in self.settings.plugins.block:
            pm.set_blocked(name)
        entry_point_names: set[str] = set()
        if load_entry_points and not os.environ.get(DISABLE_ENTRY_POINTS_ENV):
            entry_point_names = {
                ep.name for ep in importlib.metadata.entry_points(group=hookspecs.PROJECT)
            }
            try:
                pm.load_setuptools_entrypoints(hookspecs.PROJECT)
            except Exception as exc:
                raise ConfigurationError(
                    f"a plug-in in the {hookspecs.PROJECT!r} entry-point group failed to "
                    f"load: {type(exc).__name__}"
                ) from exc
        builtin_names = {name for name, _ in _builtin_plugins()}
        extra = [(getattr(p, "__name__", None) or type(p).__name__, p) for p in plugins]
        try:
            for name, plugin in [*_builtin_plugins(), *extra]:
                if not pm.is_blocked(name):
                    pm.register(plugin, name=name)
            pm.check_pending()
        except (pluggy.PluginValidationError, ValueError) as exc:
            # A hook with the wrong signature, an unknown hook, or a name taken twice.
            raise ConfigurationError(str(exc)) from exc
        self._known = builtin_names | entry_point_names | {name for name, _ in extra}
        self._finish(pm)

    def _finish(self, pm: pluggy.PluginManager) -> None:
        """Fix the registry: caches, name checks, question sets, fingerprint."""
        self._pm = pm
        # The registry is fixed from here on: each hook's implementations, in the
        # order they are called (plug-in name), looked up once.
        self._impl_cache: dict[str, list[pluggy.HookImpl]] = {
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
        self._check_names(self._known)
        self._plugins = tuple(
            PluginInfo(name, version) for name, version in sorted(self._plugin_versions().items())
        )
        self.question_sets = self._collect_question_sets()
        self._item_ids = {key: qs.item_ids for key, qs in self.question_sets.items()}
        self.fingerprint = self._make_fingerprint()

    def with_plugins(self, *plugins: object, settings: Settings | None = None) -> Policy:
        """A new policy: every plug-in registered here, plus ``plugins``.

        Nothing is loaded again, and this policy is not changed. Used to test a
        plug-in inside a force's policy, or to add a broken one on purpose.

        :param plugins: plug-in objects to add (named by ``__name__`` or class).
        :param settings: the new policy's settings; this one's if omitted.
        :raises ConfigurationError: a name is taken twice or a hook does not match.
        """
        pm = pluggy.PluginManager(hookspecs.PROJECT)
        pm.add_hookspecs(hookspecs)
        extra = [(getattr(p, "__name__", None) or type(p).__name__, p) for p in plugins]
        current = [(n, p) for n, p in self._pm.list_name_plugin() if p is not None]
        try:
            for name, plugin in [*current, *extra]:
                pm.register(plugin, name=name)
            pm.check_pending()
        except (pluggy.PluginValidationError, ValueError) as exc:
            raise ConfigurationError(str(exc)) from exc
        clone = object.__new__(type(self))
        clone.settings = settings if settings is not None else self.settings
        clone._known = self._known | {name for name, _ in extra}
        clone._finish(pm)
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

    def _check_names(self, known: set[str]) -> None:
        errors = []
        section = self.settings.plugins
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

    def _plugin_versions(self) -> dict[str, str]:
        from dapolicy import __version__

        versions = {}
        dists = {id(plugin): dist for plugin, dist in self._pm.list_plugin_distinfo()}
        for name, plugin in self._pm.list_name_plugin():
            if plugin is None:  # pluggy keeps blocked names with no plug-in
                continue
            dist = dists.get(id(plugin))
            if dist is not None:
                versions[name] = f"{dist.project_name} {dist.version}"
            elif name in dict(_builtin_plugins()):
                versions[name] = f"dapolicy {__version__}"
            else:
                versions[name] = str(getattr(plugin, "__version__", "unversioned"))
        return versions

    @property
    def plugins(self) -> tuple[PluginInfo, ...]:
        """Every registered plug-in with its distribution and version, by name."""
        return self._plugins

    def hooks_of(self, name: str) -> tuple[str, ...]:
        """The hooks the plug-in called ``name`` implements."""
        plugin = self._pm.get_plugin(name)
        if plugin is None:
            raise KeyError(name)
        callers = self._pm.get_hookcallers(plugin) or []
        return tuple(sorted(caller.name for caller in callers))

    def _collect_question_sets(self) -> dict[str, QuestionSet]:
        found: dict[str, QuestionSet] = {}
        owners: dict[str, str] = {}
        for plugin, sets in self._each("dapolicy_question_sets", settings=self.settings):
            for question_set in sets:
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

    def _make_fingerprint(self) -> str:
        text = (
            self.settings.fingerprint()
            + "|"
            + "|".join(f"{info.name}={info.version}" for info in self.plugins)
        )
        return hashlib.sha256(text.encode()).hexdigest()[:16]

    def make_converter(self) -> cattrs.Converter:
        """A JSON converter with dapolicy's hooks and every plug-in's."""
        converter = cattrs.Converter(forbid_extra_keys=True)
        configure_converter(converter)
        self._pm.hook.dapolicy_configure_converter(converter=converter)
        return converter

    # --- calling plug-ins --------------------------------------------------------------

    def _impls(self, hook: str) -> list[pluggy.HookImpl]:
        return self._impl_cache[hook]

    def _each(self, hook: str, **kwargs: Any) -> Iterable[tuple[str, Any]]:
        """Call every implementation of ``hook``, unguarded (used at build time)."""
        for impl in self._impls(hook):
            yield impl.plugin_name, impl.function(*(kwargs[a] for a in impl.argnames))

    def _guarded(
        self,
        hook: str,
        accept: Callable[[Any], bool],
        expected: str,
        *,
        many: bool,
        only: Sequence[str] | None = None,
        **kwargs: Any,
    ) -> _Call:
        """Call each implementation in isolation; collect results and failures."""
        call = _Call()
        for impl in self._impls(hook):
            name = impl.plugin_name
            if only is not None and name not in only:
                continue
            items: list[Any] = []
            try:
                result = impl.function(*(kwargs[a] for a in impl.argnames))
                if many:
                    # Item by item, so what a generator yielded before it failed is kept:
                    # a referral already made is never lost.
                    for item in cast(Iterable[Any], result):
                        items.append(item)
                else:
                    items.append(result)
            except Exception as exc:
                call.failures.append(PluginFailure(name, hook, _error_text(exc)))
            for item in items:
                if accept(item):
                    call.results.append((name, item))
                else:
                    call.failures.append(
                        PluginFailure(
                            name, hook, f"returned {type(item).__name__}, expected {expected}"
                        )
                    )
        return call

    def _findings(self, incident: Incident, form: RiskForm | None, history: History) -> _Call:
        return self._guarded(
            "dapolicy_assess_risk",
            lambda r: r is None or isinstance(r, Finding),
            "a Finding or None",
            many=False,
            only=self.settings.plugins.risk_models,
            incident=incident,
            form=form,
            history=history,
            settings=self.settings,
        )

    def _referrals(
        self,
        hook: str,
        incident: Incident,
        form: RiskForm | None,
        draft: Decision,
        history: History,
    ) -> _Call:
        call = self._guarded(
            hook,
            lambda r: isinstance(r, Referral),
            "Referral",
            many=True,
            incident=incident,
            form=form,
            decision=draft,
            history=history,
            settings=self.settings,
        )
        wrong = [(n, r) for n, r in call.results if r.victim_id != incident.victim.id]
        for name, _ in wrong:
            call.failures.append(
                PluginFailure(name, hook, "referred someone other than the victim")
            )
        call.results = [(n, r) for n, r in call.results if r.victim_id == incident.victim.id]
        return call

    def _task_call(self, hook: str, start: datetime, what: str, **kwargs: Any) -> _Call:
        """Tasks from every plug-in; one due at or before ``start`` is kept and flagged.

        Work is never dropped, but a deadline before the ``what`` it follows is a
        plug-in bug that a person must see.
        """
        call = self._guarded(hook, lambda r: isinstance(r, Task), "Task", many=True, **kwargs)
        call.failures += [
            PluginFailure(name, hook, f"task {task.what!r} is due before the {what}")
            for name, task in call.results
            if micros(task.due_by) <= micros(start)
        ]
        return call

    def _tasks(self, incident: Incident, draft: Decision) -> _Call:
        return self._task_call(
            "dapolicy_tasks",
            incident.reported_at,
            "report",
            incident=incident,
            decision=draft,
            settings=self.settings,
        )

    # --- the decision -------------------------------------------------------------------

    def assess(
        self,
        incident: Incident,
        form: RiskForm | None = None,
        *,
        history: History | None = None,
        now: datetime,
    ) -> Decision:
        """Grade, escalate, refer and task one incident.

        :param incident: the incident, crime or not.
        :param form: its risk form, or ``None`` if none was submitted (the decision
            then needs review, and rules that need no form still run).
        :param history: the victim's past; not modified (record the decision after).
        :param now: the time of the decision (no clock is read).
        :return: the :class:`~dapolicy.models.Decision`.
        :raises ValidationError: ``now`` is naive or before the report, or the form is
            for another incident.
        """
        self._check_call(incident, form, now)
        history = history if history is not None else InMemoryHistory()
        check = incident.domestic_abuse_check()
        review = self._form_review(form) + _definition_review(check)
        if incident.counter_allegation:
            review.append(COUNTER_ALLEGATION)
        failures: list[PluginFailure] = []

        found = self._findings(incident, form, history)
        failures += found.failures
        findings = tuple(f for _, f in found.results if f is not None)
        grade, reasons = _grade(findings, form)
        if not findings:
            review.append(reasons[0])
        verdict = check.verdict
        repeat_victim = self._is_repeat_victim(incident, history)

        def draft(**changes: Any) -> Decision:
            # Drafts are made of parts each checked when built; the final decision,
            # returned below, is checked whole.
            fields = {
                "incident_id": incident.id,
                "victim_id": incident.victim.id,
                "grade": grade,
                "decided_at": now,
                "reasons": reasons,
                "domestic_abuse": verdict,
                "findings": findings,
                "prompts": _unique(p for f in findings for p in f.prompts),
                "repeat_victim": repeat_victim,
                "needs_review": bool(review or failures),
                "review_reasons": tuple(review),
                "failures": tuple(failures),
                "policy_fingerprint": self.fingerprint,
                "plugins": self.plugins,
                "referrals": (),
                "tasks": (),
                "allocation": None,
            }
            fields.update(changes)
            return cast(Decision, Decision._trusted(**fields))

        escalated = self._referrals("dapolicy_escalations", incident, form, draft(), history)
        failures += escalated.failures
        referrals = _merge_referrals(r for _, r in escalated.results)
        referred = self._referrals(
            "dapolicy_referrals", incident, form, draft(referrals=referrals), history
        )
        failures += referred.failures
        referrals = _merge_referrals([*referrals, *(r for _, r in referred.results)])
        tasked = self._tasks(incident, draft(referrals=referrals))
        failures += tasked.failures
        tasks = tuple(sorted((t for _, t in tasked.results), key=_task_key))
        allocation = None
        if incident.crime is not None:
            allocated = self._guarded(
                "dapolicy_allocate",
                lambda r: r is None or isinstance(r, Allocation),
                "an Allocation or None",
                many=False,
                incident=incident,
                decision=draft(referrals=referrals, tasks=tasks),
                settings=self.settings,
            )
            failures += allocated.failures
            allocation = _merge_allocations(a for _, a in allocated.results if a is not None)
        final = draft(referrals=referrals, tasks=tasks, allocation=allocation)
        return Decision(**attrs.asdict(final, recurse=False))

    # --- the control room ----------------------------------------------------------------

    def triage(
        self,
        call: Call,
        thrive: Thrive | None = None,
        *,
        history: History | None = None,
        now: datetime,
    ) -> TriageDecision:
        """Grade the response to a domestic-abuse call and set its deadlines.

        The response is the most urgent of the force's minimum, the call handler's
        THRIVE grade and every triage plug-in's finding. Previous calls from the caller
        or to the location, and the caller's recent incidents as a victim, are checked
        and travel to the attending officer in ``briefing``.

        :param call: the call.
        :param thrive: the call handler's THRIVE assessment (``None``: needs review).
        :param history: previous calls and incidents; not modified.
        :param now: the time of the decision.
        :raises ValidationError: ``now`` is naive or before the call was received.
        """
        _check_now(now, call.received_at, "the call was received")
        history = history if history is not None else InMemoryHistory()
        rules = self.settings.triage
        since = months_before(call.received_at, rules.repeat_months)
        caller = call.caller.id if call.caller is not None else None
        repeat_caller = call.repeat_caller or bool(
            caller
            and history.calls(
                since=since, until=call.received_at, caller_id=caller, exclude=call.id
            )
        )
        repeat_location = bool(
            call.location_id
            and history.calls(
                since=since, until=call.received_at, location_id=call.location_id, exclude=call.id
            )
        )
        found = self._guarded(
            "dapolicy_triage",
            lambda r: r is None or isinstance(r, ResponseFinding),
            "a ResponseFinding or None",
            many=False,
            call=call,
            thrive=thrive,
            history=history,
            settings=self.settings,
        )
        findings = [f for _, f in found.results if f is not None]
        candidates = [
            (
                rules.minimum,
                Reason(
                    "triage.force-minimum",
                    "force setting triage.minimum",
                    f"the least response to a domestic-abuse call is {rules.minimum.value}",
                ),
            ),
            *((f.response, r) for f in findings for r in f.reasons),
        ]
        review: list[Reason] = []
        if thrive is None:
            review.append(
                Reason(
                    "triage.no-thrive",
                    "THRIVE (threat, harm, risk, investigation, vulnerability, engagement)",
                    "no THRIVE rationale recorded for this call",
                )
            )
        else:
            candidates.append(
                (
                    thrive.proposed,
                    Reason(
                        "triage.call-handler",
                        "THRIVE: the call handler's judgement",
                        f"the call handler graded the call {thrive.proposed.value}",
                    ),
                )
            )
        response = max(grade for grade, _ in candidates)
        reasons = _unique(r for grade, r in candidates if grade is response)
        briefing = list(_unique(r for f in findings for r in f.briefing))
        if repeat_caller:
            briefing.append(_briefing("triage.repeat-caller", "the caller has called before"))
        if repeat_location:
            briefing.append(
                _briefing("triage.repeat-location", "there have been calls to this location")
            )
        if caller is not None:
            # The victim's own history uses the force's one repeat-victim window, as the
            # triage rules do; calls use the control room's window.
            months = self.settings.repeat_victim_months
            victim_since = months_before(call.received_at, months)
            prior = history.incidents(caller, since=victim_since, until=call.received_at)
            if prior:
                briefing.append(
                    _briefing(
                        "triage.caller-prior-incidents",
                        f"{len(prior)} domestic-abuse incident(s) with the caller as victim "
                        f"in {months} months",
                    )
                )
        alert_minutes = {
            ResponseGrade.IMMEDIATE: rules.immediate_resourced_minutes,
            ResponseGrade.PRIORITY: rules.priority_dispatched_minutes,
        }.get(response)
        attend_minutes = {
            ResponseGrade.IMMEDIATE: rules.immediate_attend_minutes,
            ResponseGrade.PRIORITY: rules.priority_attend_minutes,
            ResponseGrade.SCHEDULED: rules.scheduled_within_hours * 60,
        }.get(response)
        return TriageDecision(
            call_id=call.id,
            response=response,
            decided_at=now,
            reasons=reasons,
            alert_at=_after(call.received_at, alert_minutes),
            attend_by=_after(call.received_at, attend_minutes),
            appointment_minutes=(
                rules.appointment_minutes if response is ResponseGrade.SCHEDULED else None
            ),
            repeat_caller=repeat_caller,
            repeat_location=repeat_location,
            briefing=tuple(briefing),
            needs_review=bool(review or found.failures),
            review_reasons=tuple(review),
            failures=tuple(found.failures),
        )

    # --- after the incident ------------------------------------------------------------

    def on_event(
        self, event: Event, *, history: History | None = None, now: datetime
    ) -> EventOutcome:
        """Tasks and re-assessment after a release, bail change, breach or new incident.

        A task due before the event is kept but recorded as a failure (review).
        ``now`` may come before the event: a release from custody is often known in
        advance, and the victim should hear of it before it happens.

        :param event: the event.
        :param history: the victim's past; not modified.
        :param now: the time of the decision.
        :raises ValidationError: ``now`` is naive.
        """
        _check_now(now, None, "")
        history = history if history is not None else InMemoryHistory()
        call = self._task_call(
            "dapolicy_on_event",
            event.occurred_at,
            "event",
            event=event,
            history=history,
            settings=self.settings,
        )
        tasks = tuple(sorted((t for _, t in call.results), key=_task_key))
        failures = list(call.failures)
        if not tasks:
            failures.append(
                PluginFailure(
                    "policy", "dapolicy_on_event", "no plug-in set any task for the event"
                )
            )
        reason = Reason(
            f"event.{event.kind.value}",
            "HMIC 2014 inspection, recommendation 6",
            f"{event.kind.value.replace('_', ' ')}: tell the victim and re-assess the risk",
        )
        return EventOutcome(
            event_id=event.id,
            decided_at=now,
            reassess=any(t.what == "re-assess-risk" for t in tasks),
            tasks=tasks,
            reasons=(reason,),
            needs_review=bool(failures),
            failures=tuple(failures),
        )

    def _check_call(self, incident: Incident, form: RiskForm | None, now: datetime) -> None:
        errors = _now_errors(now, incident.reported_at, "the incident was reported")
        if form is not None and form.incident_id != incident.id:
            errors.append(FieldError("$.form.incident_id", "is not the incident's id"))
        if errors:
            raise ValidationError("assessment", errors)

    def _form_review(self, form: RiskForm | None) -> list[Reason]:
        if form is None:
            return [
                Reason(
                    "form.missing",
                    "HMIC 2014 inspection, recommendation 2",
                    "no risk form for this incident: chase it; graded without a checklist",
                )
            ]
        question_set = self.question_sets.get(form.checklist)
        if question_set is None:
            return [
                Reason(
                    "form.unknown-checklist",
                    _SOURCE,
                    f"no plug-in knows checklist {form.checklist!r}: it was not scored",
                )
            ]
        unknown = sorted(set(form.answers) - self._item_ids[form.checklist])
        if unknown:
            return [
                Reason(
                    "form.unknown-items",
                    _SOURCE,
                    f"checklist {form.checklist!r} has no item(s) {', '.join(unknown)}",
                )
            ]
        return []

    def _is_repeat_victim(self, incident: Incident, history: History) -> bool:
        since = months_before(incident.occurred_at, self.settings.repeat_victim_months)
        prior = history.incidents(
            incident.victim.id, since=since, until=incident.occurred_at, exclude=incident.id
        )
        return bool(prior)


COUNTER_ALLEGATION = Reason(
    "case.counter-allegation",
    "HMIC 2014 glossary, 'counter-allegation'",
    "the suspect has made an allegation against the victim: establish who is at risk "
    "before services are offered, so the victim is not treated as the perpetrator",
)


def _merge_allocations(allocations: Iterable[Allocation]) -> Allocation | None:
    """The most specialist level asked for, with every reason: none can lower another."""
    found = list(allocations)
    if not found:
        return None
    return Allocation(max(a.level for a in found), _unique(r for a in found for r in a.reasons))


def _definition_review(check: DomesticAbuseCheck) -> list[Reason]:
    if check.verdict is DomesticAbuseVerdict.DOMESTIC_ABUSE:
        return []
    return [
        Reason(
            f"definition.{check.verdict.value}",
            "Cross-government definition of domestic violence and abuse (2013)",
            "; ".join(check.reasons),
        )
    ]


def _grade(
    findings: Sequence[Finding], form: RiskForm | None
) -> tuple[RiskGrade, tuple[Reason, ...]]:
    """The highest finding, raised (never lowered) by professional judgement."""
    if findings:
        grade = max(f.grade for f in findings)
        models = ", ".join(sorted(f.model for f in findings if f.grade is grade))
        reasons = [
            Reason(
                "grade.highest-finding",
                _SOURCE,
                f"{grade.value}: the highest grade of any risk model ({models})",
            )
        ]
    else:
        grade = RiskGrade.STANDARD
        reasons = [
            Reason(
                "grade.no-finding",
                _SOURCE,
                "no risk model graded this case: standard only until a person reviews it",
            )
        ]
    judgement = form.professional_judgement if form is not None else None
    if judgement is not None:
        if judgement.grade > grade:
            grade = judgement.grade
            reasons.append(
                Reason(
                    "grade.professional-judgement",
                    "SafeLives MARAC guidance: judgement may raise, never lower, a grade",
                    f"professional judgement raised the grade to {grade.value}",
                )
            )
        elif judgement.grade < grade:
            reasons.append(
                Reason(
                    "grade.judgement-cannot-lower",
                    "SafeLives MARAC guidance: judgement may raise, never lower, a grade",
                    f"professional judgement of {judgement.grade.value} does not lower "
                    f"the grade of {grade.value}",
                )
            )
    return grade, tuple(reasons)


def _now_errors(now: datetime, not_before: datetime | None, what: str) -> list[FieldError]:
    """What is wrong with a ``now``: naive, or before ``not_before`` (``what`` it was)."""
    if not isinstance(now, datetime) or now.utcoffset() is None:
        return [FieldError("$.now", "must be a datetime with a UTC offset")]
    if not_before is not None and micros(now) < micros(not_before):
        return [FieldError("$.now", f"is before {what}")]
    return []


def _check_now(now: datetime, not_before: datetime | None, what: str) -> None:
    errors = _now_errors(now, not_before, what)
    if errors:
        raise ValidationError("call", errors)


def _after(start: datetime, minutes: int | None) -> datetime | None:
    return None if minutes is None else add_local(start, hours=minutes / 60)


def _briefing(rule: str, text: str) -> Reason:
    return Reason(rule, "control-room check of previous calls (HMIC 2014)", text)


def _unique(items: Iterable[T]) -> tuple[T, ...]:
    return tuple(dict.fromkeys(items))


_DESTINATION_ORDER = {d: i for i, d in enumerate(Destination)}


def _merge_referrals(referrals: Iterable[Referral]) -> tuple[Referral, ...]:
    """One referral per destination, with every reason and requester, in a fixed order."""
    merged: dict[Destination, Referral] = {}
    for referral in referrals:
        existing = merged.get(referral.destination)
        if existing is None:
            merged[referral.destination] = referral
            continue
        merged[referral.destination] = attrs.evolve(
            existing,
            reasons=_unique([*existing.reasons, *referral.reasons]),
            requested_by=_unique([*existing.requested_by, *referral.requested_by]),
        )
    return tuple(sorted(merged.values(), key=lambda r: _DESTINATION_ORDER[r.destination]))


def _task_key(task: Task) -> tuple[float, str, str]:
    return (task.due_by.timestamp(), task.what, task.for_whom)


def default_policy(settings: Settings | None = None) -> Policy:
    """A ready policy: the built-in plug-ins, installed plug-ins, and ``settings``."""
    return Policy(settings)
