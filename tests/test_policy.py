"""Policy mechanics: registration, blocking, fail-safe plug-in calls, validation, fingerprints."""

from __future__ import annotations

import importlib.metadata
import importlib.util
import sys
import types
from datetime import datetime, timedelta
from pathlib import Path
from types import ModuleType
from typing import Any

import attrs
import cattrs
import pluggy
import pytest

from dapolicy import (
    Decision,
    Destination,
    Finding,
    PluginFailure,
    PluginInfo,
    Reason,
    Referral,
    RiskGrade,
    Task,
    ValidationError,
    __version__,
    from_json,
    to_json,
)
from dapolicy.errors import FieldError
from dapolicy.history import HistoryEntry, InMemoryHistory
from dapolicy.hookspecs import HOOK_NAMES, hookimpl
from dapolicy.models.checklist import QuestionItem, QuestionSet
from dapolicy.policy import DISABLE_ENTRY_POINTS_ENV, ConfigurationError, Policy, default_policy
from dapolicy.settings import DashSettings, PluginSettings, Settings


def _load_helpers() -> ModuleType:
    name = "engine_helpers"
    if name not in sys.modules:
        path = Path(__file__).with_name("engine_helpers.py")
        spec = importlib.util.spec_from_file_location(name, path)
        assert spec is not None
        assert spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


h = _load_helpers()

BUILTINS = h.BUILTIN_NAMES
INCIDENT = h.make_incident("INC-1")
NOW = INCIDENT.reported_at
REASON = Reason("test.rule", "a test plug-in", "because")
SECRET = "Jane Doe, 1 High Street, 07700 900123"


@pytest.fixture(autouse=True)
def _no_entry_points(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(DISABLE_ENTRY_POINTS_ENV, "1")


def assess(policy: Policy, form: object = "dash", **kwargs: Any) -> Decision:
    if form == "dash":
        form = h.dash_form(INCIDENT, yes=[1])
    return policy.assess(INCIDENT, form, now=NOW, **kwargs)  # type: ignore[arg-type]


# --- extra plug-ins used below -------------------------------------------------------------------


class Exploding:
    """Raises with personal data in the message."""

    @hookimpl
    def dapolicy_assess_risk(self, incident: Any) -> Finding:
        raise RuntimeError(f"victim {SECRET} ({incident.victim.id})")


@hookimpl
def _stringly_assess_risk(form: Any) -> str:
    return "high"


STRINGLY = types.SimpleNamespace(
    __name__="stringly", __version__="2.1", dapolicy_assess_risk=_stringly_assess_risk
)


class HalfReferrer:
    """Yields one referral, then raises."""

    @hookimpl
    def dapolicy_referrals(self, incident: Any) -> Any:
        yield Referral(Destination.SANCTUARY_SCHEME, incident.victim.id, (REASON,), ("half",))
        raise RuntimeError(SECRET)


class WrongVictim:
    @hookimpl
    def dapolicy_referrals(self, incident: Any) -> Any:
        return [
            Referral(Destination.IDVA, "SOMEONE-ELSE", (REASON,), ("wrong",)),
            Referral(Destination.SANCTUARY_SCHEME, incident.victim.id, (REASON,), ("wrong",)),
        ]


class EarlyTasker:
    @hookimpl
    def dapolicy_tasks(self, incident: Any) -> Any:
        return [
            Task(
                "visit", incident.victim.id, incident.reported_at - timedelta(minutes=1), (REASON,)
            ),
            Task("call", incident.victim.id, incident.reported_at, (REASON,)),
            Task(
                "letter", incident.victim.id, incident.reported_at + timedelta(days=2), (REASON,)
            ),
        ]


# --- registry ------------------------------------------------------------------------------------


def test_builtins_are_registered_with_their_versions() -> None:
    policy = h.make_policy()
    assert policy.plugins == tuple(PluginInfo(n, f"dapolicy {__version__}") for n in BUILTINS)
    assert set(h.ENGINE_PLUGINS) <= set(BUILTINS)
    assert sorted(policy.question_sets) == [
        "dash-2009-police",
        "dash-2009-ric",
        "dial",
        "lethality-screen",
    ]


@pytest.mark.parametrize(
    ("name", "hooks"),
    [
        ("dash", ("dapolicy_assess_risk", "dapolicy_question_sets")),
        ("dial", ("dapolicy_assess_risk", "dapolicy_question_sets")),
        ("lethality-screen", ("dapolicy_assess_risk", "dapolicy_question_sets")),
        ("local-thresholds", ("dapolicy_assess_risk", "dapolicy_referrals")),
        ("marac", ("dapolicy_escalations",)),
        ("safeguarding", ("dapolicy_referrals", "dapolicy_tasks")),
    ],
)
def test_hooks_of(name: str, hooks: tuple[str, ...]) -> None:
    assert h.make_policy().hooks_of(name) == hooks
    assert set(hooks) <= set(HOOK_NAMES)


def test_hooks_of_an_unknown_plugin_is_a_key_error() -> None:
    with pytest.raises(KeyError):
        h.make_policy().hooks_of("nope")


def test_extra_plugins_are_named_by_name_or_class_and_versioned() -> None:
    policy = h.make_policy(plugins=[STRINGLY, Exploding()])
    infos = {info.name: info.version for info in policy.plugins}
    assert infos["stringly"] == "2.1"
    assert infos["Exploding"] == "unversioned"
    assert policy.hooks_of("Exploding") == ("dapolicy_assess_risk",)
    assert [i.name for i in policy.plugins] == sorted(infos)


def test_decision_lists_every_plugin_with_its_version() -> None:
    policy = h.make_policy(plugins=[Exploding()])
    decision = assess(policy)
    assert decision.plugins == policy.plugins
    assert PluginInfo("Exploding", "unversioned") in decision.plugins
    assert PluginInfo("dash", f"dapolicy {__version__}") in decision.plugins
    assert decision.policy_fingerprint == policy.fingerprint


def test_blocking_a_builtin_removes_its_hooks_and_question_sets() -> None:
    policy = h.make_policy(Settings(plugins=PluginSettings(block=("dial",))))
    assert "dial" not in policy.question_sets
    with pytest.raises(KeyError):
        policy.hooks_of("dial")
    decision = assess(policy, h.make_form(INCIDENT, "dial", yes=["18"]))
    assert decision.findings == ()
    assert h.rules(decision.review_reasons) == ["form.unknown-checklist", "grade.no-finding"]


def test_blocking_a_builtin_removes_it_from_policy_plugins() -> None:
    policy = h.make_policy(Settings(plugins=PluginSettings(block=("dial",))))
    expected = [n for n in BUILTINS if n != "dial"]
    assert [info.name for info in policy.plugins] == expected
    assert [info.name for info in assess(policy).plugins] == expected
    assert "dial" not in repr(policy)


def test_blocking_an_extra_plugin_by_name() -> None:
    policy = h.make_policy(Settings(plugins=PluginSettings(block=("Exploding",))), [Exploding()])
    assert assess(policy).failures == ()
    with pytest.raises(KeyError):
        policy.hooks_of("Exploding")


def test_risk_models_restricts_the_findings() -> None:
    history = InMemoryHistory()
    for n in (1, 2):
        history.record_incident(HistoryEntry(f"P{n}", "V-1", "S-1", h.T0 - timedelta(days=30 * n)))
    everything = assess(h.make_policy(), history=history)
    assert [f.model for f in everything.findings] == ["dash", "series"]
    assert everything.grade is RiskGrade.HIGH
    only_dash = h.make_policy(Settings(plugins=PluginSettings(risk_models=("dash",))))
    decision = assess(only_dash, history=history)
    assert [f.model for f in decision.findings] == ["dash"]
    assert decision.grade is RiskGrade.STANDARD
    # other hooks still run: potential escalation is a MARAC criterion, not a risk model
    assert h.referral_rules(decision, Destination.MARAC) == ["marac.potential-escalation"]


def test_empty_risk_models_consults_none() -> None:
    policy = h.make_policy(Settings(plugins=PluginSettings(risk_models=())))
    decision = assess(policy, h.dash_form(INCIDENT, yes=range(1, 15)))
    assert decision.findings == ()
    assert decision.needs_review is True
    assert h.rules(decision.review_reasons) == ["grade.no-finding"]


@pytest.mark.parametrize(
    ("plugins", "path"),
    [
        (PluginSettings(block=("dail",)), "$.plugins.block[0]"),
        (PluginSettings(block=("dash", "nope")), "$.plugins.block[1]"),
        (PluginSettings(risk_models=("dash", "DASH")), "$.plugins.risk_models[1]"),
    ],
)
def test_unknown_plugin_names_in_settings(plugins: PluginSettings, path: str) -> None:
    with pytest.raises(ValidationError) as excinfo:
        h.make_policy(Settings(plugins=plugins))
    assert excinfo.value.type_name == "Settings"
    assert [e.path for e in excinfo.value.errors] == [path]
    assert excinfo.value.errors[0].message == (
        "unknown plug-in name; known plug-ins: " + ", ".join(BUILTINS)
    )


def test_extra_plugin_names_are_known_to_settings() -> None:
    settings = Settings(plugins=PluginSettings(risk_models=("stringly",)))
    decision = assess(h.make_policy(settings, [STRINGLY]))
    assert decision.findings == ()
    assert [f.plugin for f in decision.failures] == ["stringly"]


def test_an_unknown_hook_is_a_configuration_error() -> None:
    class Typo:
        @hookimpl
        def dapolicy_asess_risk(self) -> None:
            return None

    with pytest.raises(ConfigurationError, match="unknown hook 'dapolicy_asess_risk'"):
        h.make_policy(plugins=[Typo()])


def test_a_hookimpl_with_unknown_arguments_is_a_configuration_error() -> None:
    class BadArgs:
        @hookimpl
        def dapolicy_assess_risk(self, incident: Any, weather: Any) -> None:
            return None

    with pytest.raises(ConfigurationError):
        h.make_policy(plugins=[BadArgs()])


def test_two_plugins_with_one_name_is_a_configuration_error() -> None:
    with pytest.raises(ConfigurationError):
        h.make_policy(plugins=[Exploding(), Exploding()])


def test_two_plugins_claiming_one_checklist() -> None:
    class Clash:
        @hookimpl
        def dapolicy_question_sets(self) -> Any:
            return [QuestionSet("dial", "another DIAL", [QuestionItem("1", "x")])]

    with pytest.raises(ConfigurationError) as excinfo:
        h.make_policy(plugins=[Clash()])
    assert str(excinfo.value) == "checklist 'dial' is contributed by both 'Clash' and 'dial'"


def test_a_question_set_of_the_wrong_type() -> None:
    class NotASet:
        @hookimpl
        def dapolicy_question_sets(self) -> Any:
            return ["dash"]

    with pytest.raises(ConfigurationError, match="contributed a str, not a QuestionSet"):
        h.make_policy(plugins=[NotASet()])


def test_an_extra_question_set_is_scored_by_nobody_but_is_known() -> None:
    class Lister:
        @hookimpl
        def dapolicy_question_sets(self) -> Any:
            return [QuestionSet("force-list", "a force list", [QuestionItem("a", "x")])]

    policy = h.make_policy(plugins=[Lister()])
    decision = assess(policy, h.make_form(INCIDENT, "force-list", yes=["a"]))
    assert h.rules(decision.review_reasons) == ["grade.no-finding"]


# --- entry points --------------------------------------------------------------------------------


def test_disable_entry_points_env_skips_discovery(monkeypatch: pytest.MonkeyPatch) -> None:
    def forbidden(**kwargs: Any) -> Any:
        raise AssertionError("entry points were read")

    monkeypatch.setattr(importlib.metadata, "entry_points", forbidden)
    assert [i.name for i in Policy().plugins] == BUILTINS
    assert [i.name for i in default_policy().plugins] == BUILTINS


def test_load_entry_points_false_skips_discovery(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(DISABLE_ENTRY_POINTS_ENV)

    def forbidden(**kwargs: Any) -> Any:
        raise AssertionError("entry points were read")

    monkeypatch.setattr(importlib.metadata, "entry_points", forbidden)
    assert [i.name for i in Policy(load_entry_points=False).plugins] == BUILTINS


def test_entry_point_names_may_be_blocked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(DISABLE_ENTRY_POINTS_ENV)
    calls = []

    def entry_points(**kwargs: Any) -> Any:
        calls.append(kwargs)
        return [types.SimpleNamespace(name="force-model")]

    monkeypatch.setattr(importlib.metadata, "entry_points", entry_points)
    monkeypatch.setattr(pluggy.PluginManager, "load_setuptools_entrypoints", lambda *a: 0)
    policy = Policy(Settings(plugins=PluginSettings(block=("force-model",))))
    assert calls == [{"group": "dapolicy"}]
    assert policy.settings.plugins.block == ("force-model",)


def test_an_entry_point_plugin_is_versioned_by_its_distribution(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def fake_distinfo(self: pluggy.PluginManager) -> list[tuple[Any, Any]]:
        plugin = self.get_plugin("stringly")
        dist = types.SimpleNamespace(project_name="force-dapolicy", version="3.0.1")
        return [(plugin, dist)] if plugin is not None else []

    monkeypatch.setattr(pluggy.PluginManager, "list_plugin_distinfo", fake_distinfo)
    policy = h.make_policy(plugins=[STRINGLY])
    assert PluginInfo("stringly", "force-dapolicy 3.0.1") in policy.plugins


# --- fail-safe plug-in calls ---------------------------------------------------------------------


def test_a_risk_model_that_raises_needs_review_and_leaks_nothing() -> None:
    policy = h.make_policy(plugins=[Exploding()])
    decision = assess(policy, h.dash_form(INCIDENT, yes=range(1, 15)))
    assert decision.failures == (
        PluginFailure("Exploding", "dapolicy_assess_risk", "RuntimeError raised"),
    )
    assert decision.needs_review is True
    assert decision.review_reasons == ()
    assert "Jane" not in to_json(decision)
    # the other findings stand and the grade is not lowered
    assert [f.model for f in decision.findings] == ["dash"]
    assert decision.grade is RiskGrade.HIGH
    assert h.referral_rules(decision, Destination.MARAC) == ["marac.visible-high-risk"]


def test_a_risk_model_of_the_wrong_type() -> None:
    policy = h.make_policy(plugins=[STRINGLY])
    decision = assess(policy)
    assert decision.failures == (
        PluginFailure(
            "stringly", "dapolicy_assess_risk", "returned str, expected a Finding or None"
        ),
    )
    assert decision.needs_review is True
    assert [f.model for f in decision.findings] == ["dash"]


def test_a_plugins_validation_error_keeps_only_its_type_and_safe_field_paths() -> None:
    # The message of a ValidationError a plug-in raises is the plug-in's: its type name
    # and field names may quote input. Only the type and the safe paths are kept.
    class Strict:
        @hookimpl
        def dapolicy_assess_risk(self) -> None:
            raise ValidationError(
                SECRET,
                [
                    FieldError("$.x", "is wrong"),
                    FieldError("$.answers[3].grade", SECRET),
                    FieldError("$['Jane Doe']", "is wrong"),
                    FieldError("$.Jane", "is wrong"),
                    FieldError("$.x", "twice"),
                ],
            )

    decision = assess(h.make_policy(plugins=[Strict()]))
    assert decision.failures == (
        PluginFailure(
            "Strict",
            "dapolicy_assess_risk",
            "ValidationError raised, at $.x, $.answers[3].grade, 2 field(s) not named",
        ),
    )
    assert "Jane" not in to_json(decision)


def test_only_failing_risk_models_and_no_form_is_standard_with_review() -> None:
    policy = h.make_policy(
        Settings(plugins=PluginSettings(risk_models=("Exploding",))), [Exploding()]
    )
    decision = assess(policy, None)
    assert decision.grade is RiskGrade.STANDARD
    assert decision.findings == ()
    assert h.rules(decision.review_reasons) == ["form.missing", "grade.no-finding"]
    assert [f.plugin for f in decision.failures] == ["Exploding"]


def test_an_extra_high_finding_raises_the_grade() -> None:
    class Alarm:
        @hookimpl
        def dapolicy_assess_risk(self) -> Finding:
            return Finding("alarm", RiskGrade.HIGH, (REASON,), score=1)

    decision = assess(h.make_policy(plugins=[Alarm()]))
    assert decision.grade is RiskGrade.HIGH
    assert decision.reasons[0].text == "high: the highest grade of any risk model (alarm)"
    assert [f.model for f in decision.findings] == ["alarm", "dash"]  # by plug-in name
    assert decision.needs_review is False


def test_a_referral_generator_that_raises_midway() -> None:
    policy = h.make_policy(plugins=[HalfReferrer()])
    decision = assess(policy, h.dash_form(INCIDENT, yes=range(1, 15)))
    assert decision.failures == (
        PluginFailure("HalfReferrer", "dapolicy_referrals", "RuntimeError raised"),
    )
    # what it yielded before failing is kept (no referral is lost); everyone else's stands
    assert Destination.SANCTUARY_SCHEME in decision.referred_to()
    assert decision.referred_to() == {
        Destination.SANCTUARY_SCHEME,
        Destination.MARAC,
        Destination.IDVA,
        Destination.PARTNERSHIP_HUB,
    }
    assert decision.needs_review is True


def test_a_referral_for_someone_else_is_dropped_and_recorded() -> None:
    decision = assess(h.make_policy(plugins=[WrongVictim()]))
    assert decision.failures == (
        PluginFailure(
            "WrongVictim", "dapolicy_referrals", "referred someone other than the victim"
        ),
    )
    assert decision.referred_to() == {Destination.SANCTUARY_SCHEME}
    assert all(r.victim_id == "V-1" for r in decision.referrals)


def test_referrals_that_are_not_referrals_or_not_iterable() -> None:
    class Junk:
        @hookimpl
        def dapolicy_escalations(self) -> Any:
            return ["marac", None]

        @hookimpl
        def dapolicy_referrals(self) -> Any:
            return None

    decision = assess(h.make_policy(plugins=[Junk()]))
    assert decision.failures == (
        PluginFailure("Junk", "dapolicy_escalations", "returned str, expected Referral"),
        PluginFailure("Junk", "dapolicy_escalations", "returned NoneType, expected Referral"),
        PluginFailure("Junk", "dapolicy_referrals", "TypeError raised"),
    )


def test_an_escalation_that_raises_leaves_the_others() -> None:
    class BadEscalation:
        @hookimpl
        def dapolicy_escalations(self) -> Any:
            raise KeyError(SECRET)

    decision = assess(
        h.make_policy(plugins=[BadEscalation()]), h.dash_form(INCIDENT, yes=range(1, 15))
    )
    assert decision.failures == (
        PluginFailure("BadEscalation", "dapolicy_escalations", "KeyError raised"),
    )
    assert h.referral_rules(decision, Destination.MARAC) == ["marac.visible-high-risk"]


def test_a_task_due_before_the_report_is_kept_and_flagged() -> None:
    decision = assess(h.make_policy(plugins=[EarlyTasker()]))
    mine = [t.what for t in decision.tasks if t.reasons == (REASON,)]
    assert mine == ["visit", "call", "letter"]  # kept, sorted by due time
    assert decision.failures == (
        PluginFailure("EarlyTasker", "dapolicy_tasks", "task 'visit' is due before the report"),
        PluginFailure("EarlyTasker", "dapolicy_tasks", "task 'call' is due before the report"),
    )
    assert decision.needs_review is True


def test_a_task_plugin_returning_junk() -> None:
    class JunkTasks:
        @hookimpl
        def dapolicy_tasks(self) -> Any:
            return [Referral(Destination.IDVA, "V-1", (REASON,))]

    decision = assess(h.make_policy(plugins=[JunkTasks()]))
    assert decision.failures == (
        PluginFailure("JunkTasks", "dapolicy_tasks", "returned Referral, expected Task"),
    )
    assert not any(t.reasons == (REASON,) for t in decision.tasks)


def test_wrappers_are_not_called_as_contributors() -> None:
    calls = []

    class Wrapper:
        @hookimpl(wrapper=True)
        def dapolicy_assess_risk(self) -> Any:
            calls.append("wrapped")
            return (yield)

    decision = assess(h.make_policy(plugins=[Wrapper()]))
    assert calls == []
    assert decision.failures == ()


def test_a_plugin_sees_the_draft_decision_in_order() -> None:
    seen: dict[str, Any] = {}

    class Observer:
        @hookimpl
        def dapolicy_escalations(self, decision: Decision) -> Any:
            seen["escalations"] = decision.referred_to()
            return []

        @hookimpl
        def dapolicy_referrals(self, decision: Decision) -> Any:
            seen["referrals"] = decision.referred_to()
            return []

        @hookimpl
        def dapolicy_tasks(self, decision: Decision) -> Any:
            seen["tasks"] = decision.referred_to()
            return []

    assess(h.make_policy(plugins=[Observer()]), h.dash_form(INCIDENT, yes=range(1, 15)))
    assert seen == {
        "escalations": frozenset(),
        "referrals": {Destination.MARAC},
        "tasks": {Destination.MARAC, Destination.IDVA, Destination.PARTNERSHIP_HUB},
    }


def test_referrals_to_one_destination_are_merged() -> None:
    class AlsoMarac:
        @hookimpl
        def dapolicy_escalations(self, incident: Any) -> Any:
            yield Referral(Destination.MARAC, incident.victim.id, (REASON,), ("force-panel",))

    decision = assess(
        h.make_policy(plugins=[AlsoMarac()]), h.dash_form(INCIDENT, yes=range(1, 15))
    )
    marac = h.referral(decision, Destination.MARAC)
    assert h.rules(marac.reasons) == ["test.rule", "marac.visible-high-risk"]
    assert marac.requested_by == ("force-panel", "marac-criteria")
    assert [r.destination for r in decision.referrals] == [
        Destination.MARAC,
        Destination.IDVA,
        Destination.PARTNERSHIP_HUB,
    ]


# --- assess() argument validation ----------------------------------------------------------------


def test_naive_now_is_rejected() -> None:
    with pytest.raises(ValidationError) as excinfo:
        h.make_policy().assess(INCIDENT, None, now=datetime(2024, 1, 10, 21, 0))
    assert excinfo.value.type_name == "assessment"
    assert [(e.path, e.message) for e in excinfo.value.errors] == [
        ("$.now", "must be a datetime with a UTC offset")
    ]


def test_now_before_the_report_and_a_form_for_another_incident() -> None:
    other = h.dash_form(h.make_incident("INC-2"))
    with pytest.raises(ValidationError) as excinfo:
        h.make_policy().assess(INCIDENT, other, now=NOW - timedelta(seconds=1))
    assert [(e.path, e.message) for e in excinfo.value.errors] == [
        ("$.now", "is before the incident was reported"),
        ("$.form.incident_id", "is not the incident's id"),
    ]


def test_a_counter_allegation_needs_review_but_keeps_the_grade() -> None:
    incident = attrs.evolve(INCIDENT, counter_allegation=True)
    form = h.dash_form(incident, yes=range(1, 15))
    decision = h.make_policy().assess(incident, form, now=NOW)
    assert decision.needs_review is True
    assert h.rules(decision.review_reasons) == ["case.counter-allegation"]
    assert decision.grade is RiskGrade.HIGH
    assert h.referral_rules(decision, Destination.MARAC) == ["marac.visible-high-risk"]


def test_now_at_the_report_time_is_accepted() -> None:
    assert assess(h.make_policy()).decided_at == NOW


def test_now_in_the_autumn_overlap_is_compared_as_an_instant() -> None:
    reported = datetime(2024, 10, 27, 1, 45, tzinfo=h.LONDON)
    incident = h.make_incident("INC-O", at=reported - timedelta(minutes=5), reported_at=reported)
    now = datetime(2024, 10, 27, 1, 10, fold=1, tzinfo=h.LONDON)
    assert now.astimezone(h.UTC) > reported.astimezone(h.UTC)
    decision = h.make_policy().assess(incident, h.dash_form(incident), now=now)
    # The same instant and offset (a London fold=1 time equals nothing in another zone).
    assert decision.decided_at == now.astimezone(h.UTC)
    assert decision.decided_at.utcoffset() == now.utcoffset()


# --- determinism, JSON, fingerprints, construction -----------------------------------------------


def test_decisions_are_deterministic_and_json_round_trippable() -> None:
    policy = h.make_policy(plugins=[Exploding(), EarlyTasker()])
    form = h.dash_form(
        INCIDENT, yes=[*range(1, 15), "s1"], judgement=h.judgement(RiskGrade.HIGH, refer=True)
    )
    decision = assess(policy, form)
    assert assess(policy, form) == decision
    assert from_json(Decision, to_json(decision)) == decision
    assert to_json(from_json(Decision, to_json(decision))) == to_json(decision)
    bare = assess(policy, None)
    assert from_json(Decision, to_json(bare)) == bare


def test_make_converter_lets_plugins_extend_it() -> None:
    seen = []

    class Extender:
        @hookimpl
        def dapolicy_configure_converter(self, converter: cattrs.Converter) -> None:
            seen.append(converter)

    policy = h.make_policy(plugins=[Extender()])
    converter = policy.make_converter()
    assert seen == [converter]
    decision = assess(policy)
    assert converter.structure(converter.unstructure(decision), Decision) == decision


def test_fingerprint_is_stable_and_tracks_settings_and_plugins() -> None:
    base = h.make_policy().fingerprint
    assert h.make_policy().fingerprint == base
    assert h.make_policy(Settings()).fingerprint == base
    assert len(base) == 16
    assert h.make_policy(Settings(force="Kent")).fingerprint != base
    assert (
        h.make_policy(Settings(dash=DashSettings(medium_from=5, high_from=8))).fingerprint != base
    )
    assert h.make_policy(plugins=[STRINGLY]).fingerprint != base


def test_repr() -> None:
    policy = h.make_policy()
    names = ", ".join(BUILTINS)
    assert repr(policy) == f"<Policy force='default' plugins=[{names}] {policy.fingerprint}>"


def test_from_toml(tmp_path: Path) -> None:
    path = tmp_path / "kent.toml"
    path.write_text(
        'force = "Kent"\n[marac]\nescalation_months = 6\n'
        '[plugins]\nblock = ["lethality-screen"]\n',
        encoding="utf-8",
    )
    policy = Policy.from_toml(path, load_entry_points=False)
    assert policy.settings.force == "Kent"
    assert policy.settings.marac.escalation_months == 6
    assert "lethality-screen" not in policy.question_sets
    assert policy.fingerprint == h.make_policy(policy.settings).fingerprint


def test_from_toml_with_bad_settings(tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text("[plugins]\nblock = ['nope']\n", encoding="utf-8")
    with pytest.raises(ValidationError) as excinfo:
        Policy.from_toml(path)
    assert [e.path for e in excinfo.value.errors] == ["$.plugins.block[0]"]


def test_default_policy_uses_the_given_settings() -> None:
    settings = Settings(force="Kent")
    assert default_policy(settings).settings is settings
    assert default_policy().settings == Settings()


def test_assess_without_history_uses_an_empty_one() -> None:
    decision = assess(h.make_policy())
    assert decision.repeat_victim is False
    assert decision.decided_at == NOW
