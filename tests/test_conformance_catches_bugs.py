"""The conformance kit must fail on deliberately buggy plug-ins and policies.

A kit that passes everything proves nothing. Each plug-in here breaks one invariant
the way a real plug-in might; ``run_conformance`` must find it from generated cases,
and the single-case checks must name the invariant that broke.
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

import attrs
import pytest
from hypothesis import Phase, settings

from dapolicy import (
    AbuseType,
    Answer,
    Child,
    Crime,
    Decision,
    Destination,
    Finding,
    Incident,
    OffenceCategory,
    Person,
    PluginFailure,
    ProfessionalJudgement,
    Reason,
    Referral,
    Relationship,
    RelationshipKind,
    RiskForm,
    RiskGrade,
    Task,
    hookimpl,
)
from dapolicy.history import HistoryEntry, InMemoryHistory
from dapolicy.models import DaraForm
from dapolicy.policy import Policy
from dapolicy.settings import PluginSettings, Settings
from dapolicy.testing import invariants
from dapolicy.testing._invariants import _personal, _reasons, _total
from dapolicy.testing.invariants import (
    ConformanceCase,
    check_all,
    check_children_safeguarded,
    check_crime_parity,
    check_deterministic,
    check_due_times,
    check_high_risk_referrals,
    check_monotone,
    check_no_personal_data,
    check_reasons,
    check_total,
    isolated,
    policy_with,
    run_conformance,
)

LONDON = ZoneInfo("Europe/London")
T0 = datetime(2024, 1, 10, 20, 0, tzinfo=UTC)
NAME = "Zebedee Fakename"
POLICE = "dash-2009-police"

#: Find the bug, don't shrink it: these runs only need to fail, and fail fast.
FAST = settings(database=None, phases=[Phase.generate], deadline=None)


def fails(policy: Policy, match: str, **kwargs: Any) -> pytest.ExceptionInfo[AssertionError]:
    with pytest.raises(AssertionError, match=match) as info:
        run_conformance(policy, max_examples=300, settings=FAST, **kwargs)
    return info


def make_incident(
    *,
    children: tuple[Child, ...] = (),
    crime: Crime | None = None,
    reported_at: datetime = T0,
    name: str | None = NAME,
) -> Incident:
    return Incident(
        id="INC-1",
        reported_at=reported_at,
        occurred_at=reported_at - timedelta(minutes=10),
        victim=Person(
            "V-1",
            name=name,
            date_of_birth=date(1990, 5, 17),
            address="1 Nowhere Lane, Notaplace, ZZ99 1ZZ",
            phone="07700 900123",
        ),
        suspect=Person("S-1", name="Ima Placeholder", date_of_birth=date(1988, 2, 1)),
        relationship=Relationship(RelationshipKind.INTIMATE_PARTNER),
        abuse_types=frozenset({AbuseType.PHYSICAL}),
        children=children,
        crime=crime,
    )


def make_form(
    incident: Incident, yes: int = 0, judgement: ProfessionalJudgement | None = None
) -> RiskForm:
    return RiskForm(
        incident_id=incident.id,
        checklist=POLICE,
        answers={str(n): Answer.YES for n in range(1, yes + 1)},
        completed_by="PC-1",
        completed_at=incident.reported_at,
        professional_judgement=judgement,
    )


def make_case(
    incident: Incident | None = None, form: RiskForm | None = None, **kwargs: Any
) -> ConformanceCase:
    incident = incident if incident is not None else make_incident()
    return ConformanceCase(incident, form, incident.reported_at + timedelta(hours=1), **kwargs)


def yes_count(form: RiskForm | None) -> int:
    return 0 if form is None else len(form.yes_items())


# --- the plug-ins the issue names --------------------------------------------------------


class LowersOnYes:
    """Reads "yes" answers in pairs: an odd one out makes it think the form is unsure."""

    @hookimpl
    def dapolicy_assess_risk(self, form: RiskForm | None) -> Finding | None:
        if form is None:
            return None
        grade = RiskGrade.HIGH if yes_count(form) % 2 == 0 else RiskGrade.STANDARD
        return Finding("pairs", grade, (Reason("pairs.count", "a buggy force rule", "paired"),))


class Moody:
    """Keeps a call counter, so the same case gets a different grade each time."""

    def __init__(self) -> None:
        self.calls = itertools.count()

    @hookimpl
    def dapolicy_assess_risk(self) -> Finding:
        grade = RiskGrade.HIGH if next(self.calls) % 2 else RiskGrade.STANDARD
        return Finding("moody", grade, (Reason("moody.mood", "a buggy force rule", "mood"),))


class NameDropper:
    """Puts the victim's name into the reason's words."""

    @hookimpl
    def dapolicy_assess_risk(self, incident: Incident) -> Finding:
        who = incident.victim.name or incident.victim.id
        reason = Reason("names.rule", "a buggy force rule", f"assessed {who}")
        return Finding("names", RiskGrade.STANDARD, (reason,))


class Backdated:
    """Sets a follow-up task an hour before the incident was reported."""

    @hookimpl
    def dapolicy_tasks(self, incident: Incident) -> Iterator[Task]:
        reason = Reason("backdated.follow-up", "a buggy force rule", "follow up")
        yield Task(
            "follow-up", incident.victim.id, incident.reported_at - timedelta(hours=1), (reason,)
        )


class ForgetfulSafeguarding:
    """Replaces the built-in safeguarding, but forgets the children's welfare checks."""

    @hookimpl
    def dapolicy_referrals(self, incident: Incident, decision: Decision) -> Iterator[Referral]:
        reason = Reason("forgetful.referral", "a buggy force rule", "referred")
        if decision.grade is RiskGrade.HIGH:
            yield Referral(Destination.IDVA, incident.victim.id, (reason,))
        if incident.children_in_household:
            yield Referral(Destination.CHILDRENS_SOCIAL_CARE, incident.victim.id, (reason,))


WITHOUT_SAFEGUARDING = Settings(plugins=PluginSettings(block=("safeguarding",)))


def test_kit_catches_a_grade_that_drops_with_one_more_yes() -> None:
    fails(policy_with(LowersOnYes(), isolate=True), r"invariant 2 .*one more 'yes'")


def test_kit_catches_a_non_deterministic_plugin() -> None:
    fails(policy_with(Moody(), isolate=True), r"invariant 1 ")


def test_kit_catches_a_name_in_a_reason() -> None:
    info = fails(policy_with(NameDropper()), r"invariant 9 .*the victim's name appears in")
    assert NAME not in str(info.value).split("\n")[0]


def test_kit_catches_a_task_due_before_the_report() -> None:
    fails(policy_with(Backdated()), r"invariant 3 .*due before the report")
    fails(policy_with(Backdated()), r"invariant 8 .*not after the report", invariants=[8])


def test_kit_catches_forgotten_children() -> None:
    policy = policy_with(ForgetfulSafeguarding(), settings=WITHOUT_SAFEGUARDING)
    fails(policy, r"invariant 5 .*no 'child-welfare-check' task", invariants=[5])
    fails(policy, r"invariant 13 .*under 16 .*no children's social care referral")


# --- more bugs, one per invariant --------------------------------------------------------


class AlwaysHigh:
    @hookimpl
    def dapolicy_assess_risk(self) -> Finding:
        return Finding("high", RiskGrade.HIGH, (Reason("high.always", "a test rule", "high"),))


class CrimesOnly:
    """Grades crimes high and the same facts without a crime standard."""

    @hookimpl
    def dapolicy_assess_risk(self, incident: Incident) -> Finding:
        grade = RiskGrade.HIGH if incident.crime is not None else RiskGrade.STANDARD
        return Finding("crimes", grade, (Reason("crimes.only", "a buggy force rule", "crime"),))


class UsedToIt:
    """Thinks a victim with past incidents is at lower risk."""

    @hookimpl
    def dapolicy_assess_risk(self, incident: Incident, history: Any) -> Finding:
        prior = history.incidents(
            incident.victim.id,
            since=incident.occurred_at - timedelta(days=3650),
            until=incident.occurred_at,
            exclude=incident.id,
        )
        grade = RiskGrade.STANDARD if prior else RiskGrade.HIGH
        return Finding("used", grade, (Reason("used.to-it", "a buggy force rule", "used"),))


class DefersToJudgement:
    """Stands down whenever the officer has given a judgement."""

    @hookimpl
    def dapolicy_assess_risk(self, form: RiskForm | None) -> Finding:
        given = form is not None and form.professional_judgement is not None
        grade = RiskGrade.STANDARD if given else RiskGrade.HIGH
        return Finding("defers", grade, (Reason("defers.rule", "a buggy force rule", "defer"),))


class Crashes:
    @hookimpl
    def dapolicy_referrals(self, incident: Incident) -> list[Referral]:
        raise RuntimeError(incident.victim.name)


class Recorder:
    """Writes the case into the history it was asked to read."""

    @hookimpl
    def dapolicy_assess_risk(self, incident: Incident, history: Any) -> None:
        history.record_incident(HistoryEntry.from_incident(incident))


class Restless:
    """Writes its due time in a different zone each call: equal instants, other JSON."""

    def __init__(self) -> None:
        self.zones = itertools.cycle((UTC, timezone(timedelta(hours=2))))

    @hookimpl
    def dapolicy_tasks(self, incident: Incident) -> Iterator[Task]:
        due = (incident.reported_at + timedelta(days=1)).astimezone(next(self.zones))
        reason = Reason("restless.task", "a test rule", "visit")
        yield Task("visit", incident.victim.id, due, (reason,))


class WallClock:
    """Adds a day to the report's wall clock as written and takes it for London time.

    Models keep times at a fixed offset, so plain ``+ timedelta`` is elapsed time; this
    rule's due instant depends on the zone the case was written in.
    """

    @hookimpl
    def dapolicy_tasks(self, incident: Incident) -> Iterator[Task]:
        reason = Reason("wall-clock.visit", "a buggy force rule", "visit within 24 hours")
        wall = incident.reported_at.replace(tzinfo=None) + timedelta(hours=24)
        yield Task("visit", incident.victim.id, wall.replace(tzinfo=LONDON), (reason,))


class SlowWelfareCheck:
    """Claims the built-in welfare-check rule, but gives two hours."""

    @hookimpl
    def dapolicy_tasks(self, incident: Incident) -> Iterator[Task]:
        reason = Reason("safeguarding.child-welfare-check", "an imitation", "check")
        for child in incident.children_in_household:
            due = incident.reported_at + timedelta(hours=2)
            yield Task("child-welfare-check", child.id, due, (reason,))


class Chatty:
    """Logs the victim's name, and an exception quoting the address."""

    @hookimpl
    def dapolicy_assess_risk(self, incident: Incident) -> None:
        log = logging.getLogger("force.chatty")
        log.debug("assessing %s", incident.victim.name)
        try:
            raise ValueError(incident.victim.address)
        except ValueError:
            log.exception("failed")


def _blank_source_finding() -> Finding:
    finding = Finding("blank", RiskGrade.STANDARD, (Reason("blank.rule", "a source", "text"),))
    object.__setattr__(finding.reasons[0], "source", " ")
    return finding


class BlankSource:
    @hookimpl
    def dapolicy_assess_risk(self) -> Finding:
        return _blank_source_finding()


def test_kit_catches_high_risk_without_marac() -> None:
    policy = policy_with(AlwaysHigh(), settings=Settings(plugins=PluginSettings(block=("marac",))))
    fails(policy, r"invariant 4 .*no referral to marac")
    with pytest.raises(AssertionError, match=r"invariant 4"):
        check_high_risk_referrals(policy, make_case())


def test_kit_catches_children_without_a_referral() -> None:
    class TasksOnly:
        @hookimpl
        def dapolicy_tasks(self, incident: Incident) -> Iterator[Task]:
            reason = Reason("tasks-only.check", "a test rule", "check")
            for child in incident.children_in_household:
                yield Task(
                    "child-welfare-check",
                    child.id,
                    incident.reported_at + timedelta(hours=1),
                    (reason,),
                )

    policy = policy_with(TasksOnly(), settings=WITHOUT_SAFEGUARDING)
    case = make_case(make_incident(children=(Child("C-1", 4, present=True),)))
    with pytest.raises(AssertionError, match=r"invariant 5 .*no children's social care referral"):
        check_children_safeguarded(policy, case)
    check_children_safeguarded(policy, make_case())  # no children: nothing to check


def test_kit_catches_crime_only_grading() -> None:
    policy = policy_with(CrimesOnly(), isolate=True)
    fails(policy, r"invariant 7 .*graded high as a crime and (standard|medium) without")
    crime = Crime("CR-1", OffenceCategory.COMMON_ASSAULT)
    with pytest.raises(AssertionError, match=r"invariant 7"):
        check_crime_parity(policy, make_case(make_incident(crime=crime)))


def test_kit_catches_a_grade_that_drops_with_history() -> None:
    policy = policy_with(UsedToIt(), isolate=True)
    fails(policy, r"invariant 2 .*one more prior incident")
    with pytest.raises(AssertionError, match=r"invariant 2 .*prior incident"):
        check_monotone(policy, make_case())  # the default extra incident, a day before


def test_kit_catches_a_grade_that_drops_with_judgement() -> None:
    policy = policy_with(DefersToJudgement(), isolate=True)
    incident = make_incident()
    judgement = ProfessionalJudgement(RiskGrade.MEDIUM, "FICTIONAL rationale #1: more")
    case = make_case(incident, make_form(incident), higher_judgement=judgement)
    with pytest.raises(AssertionError, match=r"invariant 2 .*professional judgement"):
        check_monotone(policy, case)


def test_a_lower_judgement_is_not_tried() -> None:
    policy = policy_with(DefersToJudgement(), isolate=True)
    incident = make_incident()
    high = ProfessionalJudgement(RiskGrade.HIGH, "FICTIONAL rationale #2: high")
    lower = ProfessionalJudgement(RiskGrade.MEDIUM, "FICTIONAL rationale #3: lower")
    check_monotone(
        policy, make_case(incident, make_form(incident, judgement=high), higher_judgement=lower)
    )


def test_monotone_tries_every_item_when_the_case_names_none() -> None:
    policy = policy_with(LowersOnYes(), isolate=True)
    incident = make_incident()
    with pytest.raises(AssertionError, match=r"invariant 2 .*item '1' of checklist"):
        check_monotone(policy, make_case(incident, make_form(incident)))


def test_kit_catches_a_plugin_that_fails_on_valid_cases() -> None:
    info = fails(
        policy_with(Crashes()),
        r"invariant 3 .*'Crashes' failed in dapolicy_referrals",
        invariants=[3],
    )
    # With every invariant, the name in its exception's message is found first.
    fails(policy_with(Crashes()), r"invariant 9 .*name appears in the RuntimeError plug-in")
    with pytest.raises(AssertionError, match=r"invariant 3"):
        check_total(policy_with(Crashes()), make_case())
    assert NAME not in str(info.value).split("\n")[0]


def test_a_plugin_that_writes_to_the_history_cannot_and_is_caught() -> None:
    # Hooks get a read-only HistoryView: the write fails, is recorded, and the kit
    # reports the plug-in as failing on a valid case; the history is left as it was.
    policy = policy_with(Recorder())
    case = make_case()
    history = case.history
    decision = policy.assess(case.incident, case.form, history=history, now=case.now)
    assert len(history) == len(case.prior_incidents)
    assert decision.needs_review
    assert [(f.plugin, f.hook) for f in decision.failures] == [
        ("Recorder", "dapolicy_assess_risk")
    ]
    assert "AttributeError" in decision.failures[0].error
    with pytest.raises(AssertionError, match=r"invariant 3 .*'Recorder' failed"):
        check_total(policy, case)
    check_deterministic(policy, case)  # nothing changed, so the same decision again


def test_due_times_in_another_zone_each_run_no_longer_change_the_json() -> None:
    # Decisions now give every due time in one documented zone, so a plug-in that
    # writes its due time in a different zone each call changes no byte of the output.
    check_deterministic(policy_with(Restless()), make_case())


def test_kit_catches_a_different_decision_on_the_second_run() -> None:
    with pytest.raises(AssertionError, match=r"invariant 1 .*differing: grade"):
        check_deterministic(policy_with(Moody(), isolate=True), make_case())


def test_kit_catches_wall_clock_hours_across_a_clock_change() -> None:
    policy = policy_with(WallClock())
    fails(policy, r"invariant 8 .*depends on the zone")
    # 30 March 2024, 23:30 GMT: the clocks go forward at 01:00 that night.
    before_change = datetime(2024, 3, 30, 23, 30, tzinfo=LONDON)
    with pytest.raises(AssertionError, match=r"invariant 8 .*depends on the zone"):
        check_due_times(policy, make_case(make_incident(reported_at=before_change)))


def test_kit_checks_the_welfare_check_hours() -> None:
    policy = policy_with(SlowWelfareCheck(), settings=WITHOUT_SAFEGUARDING)
    case = make_case(make_incident(children=(Child("C-1", 4, present=True),)))
    with pytest.raises(AssertionError, match=r"invariant 8 .*due 2:00:00 after .*not 1:00:00"):
        check_due_times(policy, case)


def test_a_welfare_check_for_someone_else_has_no_expected_hours() -> None:
    class Stranger:
        @hookimpl
        def dapolicy_tasks(self, incident: Incident) -> Iterator[Task]:
            reason = Reason("safeguarding.child-welfare-check", "an imitation", "check")
            yield Task(
                "child-welfare-check", "C-9", incident.reported_at + timedelta(hours=5), (reason,)
            )

    check_due_times(policy_with(Stranger()), make_case())


def test_kit_catches_a_reason_without_a_source() -> None:
    with pytest.raises(AssertionError, match=r"invariant 6 .*'blank' has a reason with no source"):
        check_reasons(policy_with(BlankSource()), make_case())


@pytest.mark.parametrize(
    ("reasons", "problem"),
    [((), "no reason"), (("not a reason",), "a str where a Reason belongs")],
)
def test_reason_problems_are_named(reasons: tuple[object, ...], problem: str) -> None:
    assert _reasons._reason_problem(reasons) == problem


def test_kit_catches_personal_data_in_logs() -> None:
    policy = policy_with(Chatty())
    with pytest.raises(AssertionError, match=r"invariant 9 .*in a log record of 'force.chatty'"):
        check_no_personal_data(policy, make_case())
    nameless = make_case(make_incident(name=None))
    with pytest.raises(AssertionError, match=r"the victim's address appears in a log record"):
        check_no_personal_data(policy, nameless)


def test_a_log_record_with_a_bad_format_is_still_read() -> None:
    record = logging.LogRecord("force", logging.DEBUG, __file__, 1, "call %s %s", (NAME,), None)
    assert NAME in _personal._record_text(record)


class TellTalePolicy(Policy):
    """Records a failure whose message quotes the victim's name."""

    def assess(self, incident: Incident, *args: Any, **kwargs: Any) -> Decision:
        decision = super().assess(incident, *args, **kwargs)
        failure = PluginFailure("tell-tale", "dapolicy_assess_risk", f"{incident.victim.name}")
        return attrs.evolve(decision, failures=(failure,), needs_review=True)


def test_kit_catches_personal_data_in_a_failure_message() -> None:
    policy = TellTalePolicy(load_entry_points=False)
    with pytest.raises(
        AssertionError, match=r"invariant 9 .*in the failure of plug-in 'tell-tale'"
    ):
        check_all(policy, make_case(), invariants=[9])


def test_kit_plants_personal_data_when_the_case_has_none() -> None:
    incident = attrs.evolve(
        make_incident(name=None),
        victim=Person("V-1"),
        suspect=Person("S-1"),
    )
    # The case has none to leak, but the kit plants distinctive personal data to look for.
    with pytest.raises(AssertionError, match=r"name appears in .*\(with personal data planted\)"):
        check_no_personal_data(policy_with(NameDropper()), make_case(incident))


class RationaleQuoter:
    """Quotes the officer's DARA rationale in its reason: free text, which may name people."""

    @hookimpl
    def dapolicy_assess_risk(self, incident: Incident, dara: DaraForm | None) -> Finding:
        said = dara.rationale if dara is not None and dara.rationale else "nothing"
        reason = Reason("quotes.rule", "a buggy force rule", f"the officer said: {said}")
        return Finding("quotes", RiskGrade.STANDARD, (reason,))


def test_kit_plants_personal_data_in_a_dara_rationale() -> None:
    incident = make_incident(name=None)
    dara = DaraForm(incident.id, {}, "PC-0001", incident.reported_at, RiskGrade.MEDIUM, "ok")
    with pytest.raises(
        AssertionError,
        match=r"invariant 9 .*a written rationale, .* appears in what plug-in .RationaleQuoter",
    ):
        check_no_personal_data(policy_with(RationaleQuoter()), make_case(incident, dara=dara))


# --- policies that mishandle broken plug-ins ----------------------------------------------


class RaisingPolicy(Policy):
    def assess(self, incident: Incident, *args: Any, **kwargs: Any) -> Decision:
        raise RuntimeError(f"no decision for {incident.victim.name}")


class NonePolicy(Policy):
    def assess(self, *args: Any, **kwargs: Any) -> Any:
        return None


class SilentPolicy(Policy):
    """Drops failures instead of recording them."""

    def assess(self, *args: Any, **kwargs: Any) -> Decision:
        decision = super().assess(*args, **kwargs)
        return attrs.evolve(decision, failures=(), needs_review=bool(decision.review_reasons))


class UnflaggedPolicy(Policy):
    """Records failures but does not ask for review."""

    def assess(self, *args: Any, **kwargs: Any) -> Decision:
        decision = super().assess(*args, **kwargs)
        object.__setattr__(decision, "needs_review", False)
        return decision


class GradelessPolicy(Policy):
    """Returns a decision whose grade is not a grade."""

    def assess(self, *args: Any, **kwargs: Any) -> Decision:
        decision = super().assess(*args, **kwargs)
        object.__setattr__(decision, "grade", "high")
        return decision


class PanickyPolicy(Policy):
    """Falls back to standard, with no referrals, when a plug-in fails."""

    def assess(self, *args: Any, **kwargs: Any) -> Decision:
        decision = super().assess(*args, **kwargs)
        if decision.failures:
            return attrs.evolve(decision, grade=RiskGrade.STANDARD, referrals=())
        return decision


class DroppingPolicy(Policy):
    """Drops every referral when a plug-in fails."""

    def assess(self, *args: Any, **kwargs: Any) -> Decision:
        decision = super().assess(*args, **kwargs)
        return attrs.evolve(decision, referrals=()) if decision.failures else decision


def _high_case() -> ConformanceCase:
    incident = make_incident(children=(Child("C-1", 3, present=True),))
    return make_case(incident, make_form(incident, yes=20))


@pytest.mark.parametrize(
    ("policy_type", "match"),
    [
        (RaisingPolicy, "invariant 3 .*assess raised RuntimeError"),
        (NonePolicy, "invariant 3 .*returned a NoneType"),
        (GradelessPolicy, "invariant 3 .*has no risk grade"),
        (SilentPolicy, "invariant 3 .*not recorded as a failure"),
        (UnflaggedPolicy, "invariant 3 .*does not need review"),
        (PanickyPolicy, "invariant 3 .*lowered the grade from high to standard"),
        (DroppingPolicy, "invariant 3 .*removed the other plug-ins' referrals"),
    ],
)
def test_kit_catches_policies_that_mishandle_failures(
    policy_type: type[Policy], match: str
) -> None:
    policy = policy_type(load_entry_points=False)
    with pytest.raises(AssertionError, match=match) as info:
        check_total(policy, _high_case())
    assert NAME not in str(info.value)


def test_broken_plugins_are_added_to_a_copy() -> None:
    policy = isolated("dash", load_entry_points=False)
    copy = _total._with_broken_plugins(policy)
    assert copy is _total._with_broken_plugins(policy)
    assert copy.settings.plugins.risk_models == (
        "dash",
        "conformance-raises",
        "conformance-garbage",
    )
    assert policy.settings.plugins.risk_models == ("dash",)
    assert "conformance-raises" not in {
        impl.plugin_name for impl in policy._impls("dapolicy_tasks")
    }


def test_a_failure_that_does_not_come_back_is_reported_as_non_determinism() -> None:
    class FirstTimeOnly:
        """Fails the first time any instance is asked: a fresh instance does not help."""

        calls = 0

        @hookimpl
        def dapolicy_assess_risk(self) -> None:
            type(self).calls += 1
            if type(self).calls <= 1:
                raise RuntimeError("once")

    with pytest.raises(AssertionError, match=r"invariant 1 .*then held for the same case"):
        run_conformance(
            policy_with(FirstTimeOnly()),
            max_examples=5,
            settings=settings(database=None, deadline=None),
            boundaries=False,
        )


def test_unknown_invariants_are_refused() -> None:
    policy = Policy(load_entry_points=False)
    with pytest.raises(ValueError, match=r"no invariant numbered 0, 15"):
        check_all(policy, make_case(), invariants=[15, 0, 1])
    with pytest.raises(ValueError, match=r"no invariant numbered 42"):
        run_conformance(policy, invariants=[42])


def test_isolating_an_unknown_plugin_is_refused() -> None:
    with pytest.raises(ValueError, match=r"no plug-in named 'nope'; registered: .*dash"):
        isolated("nope", load_entry_points=False)


def test_isolating_a_plugin_that_is_no_risk_model_keeps_every_model() -> None:
    assert isolated("marac", load_entry_points=False).settings.plugins.risk_models is None
    assert policy_with(NameDropper(), isolate=True).settings.plugins.risk_models == (
        "NameDropper",
    )
    assert policy_with(NameDropper()).settings.plugins.risk_models is None


def test_the_history_of_a_case_is_new_each_time() -> None:
    entry = HistoryEntry("H-1", "V-1", "S-1", T0 - timedelta(days=3))
    case = make_case(prior_incidents=[entry])
    first = case.history
    assert isinstance(first, InMemoryHistory)
    assert len(first) == 1
    assert case.history is not first


class WrongByOneAtAThreshold:
    """High at exactly 13 "yes" answers, standard at 14: wrong by one, not monotone."""

    @hookimpl
    def dapolicy_assess_risk(self, form: RiskForm | None) -> Finding | None:
        if form is None:
            return None
        yes = sum(1 for answer in form.answers.values() if answer is Answer.YES)
        grade = RiskGrade.HIGH if yes == 13 else RiskGrade.STANDARD
        return Finding("wrong-by-one", grade, (Reason("test.wrong", "a test", "counted"),))


def test_kit_finds_a_rule_wrong_by_one_at_a_threshold() -> None:
    # "Yes" counts are drawn on and beside the settings' thresholds, so a rule that is
    # wrong at exactly one count is found, not left to chance.
    policy = Policy(plugins=[WrongByOneAtAThreshold()], load_entry_points=False)
    with pytest.raises(AssertionError, match="invariant 2"):
        invariants.run_conformance(
            policy,
            invariants=[2],
            settings=settings(
                max_examples=400,
                derandomize=True,
                deadline=None,
                database=None,
                phases=[Phase.generate],  # finding it is the point; no need to shrink
            ),
        )
