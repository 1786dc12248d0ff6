"""Shared builders for the risk-engine tests (not a test module, not a conftest).

pytest runs with ``--import-mode=importlib``, which does not put ``tests/`` on
``sys.path``; each test file loads this module by path with :func:`load` (a copy of
which sits at the top of every engine test file) so no conftest is needed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from dapolicy import (
    AbuseType,
    Answer,
    Child,
    Crime,
    Decision,
    Destination,
    Incident,
    OffenceCategory,
    Person,
    ProfessionalJudgement,
    Reason,
    Referral,
    Relationship,
    RelationshipKind,
    RiskForm,
    RiskGrade,
    Vulnerability,
)
from dapolicy.plugins import DEFAULT_PLUGINS
from dapolicy.policy import Policy
from dapolicy.settings import Settings

UTC = UTC
LONDON = ZoneInfo("Europe/London")

#: A Wednesday evening in winter (GMT), far from any clock change.
T0 = datetime(2024, 1, 10, 20, 0, tzinfo=UTC)
ADULT = date(1990, 5, 17)
PARTNER = Relationship(RelationshipKind.INTIMATE_PARTNER)
POLICE = "dash-2009-police"
RIC = "dash-2009-ric"


#: The built-in plug-in names, as Policy.plugins lists them (sorted).
BUILTIN_NAMES = sorted(name for name, _ in DEFAULT_PLUGINS)
#: The risk-engine built-ins these tests are about.
ENGINE_PLUGINS = ["dash", "dial", "lethality-screen", "local-thresholds", "marac", "safeguarding"]


def make_person(
    pid: str,
    *,
    born: date | None = ADULT,
    vulnerabilities: Iterable[Vulnerability] = (),
) -> Person:
    return Person(pid, date_of_birth=born, vulnerabilities=frozenset(vulnerabilities))


def make_incident(
    iid: str = "INC-1",
    *,
    at: datetime = T0,
    reported_at: datetime | None = None,
    victim: str = "V-1",
    suspect: str = "S-1",
    victim_born: date | None = ADULT,
    suspect_born: date | None = ADULT,
    vulnerabilities: Iterable[Vulnerability] = (),
    relationship: Relationship = PARTNER,
    abuse_types: Iterable[AbuseType] = (AbuseType.PSYCHOLOGICAL,),
    children: Iterable[Child] = (),
    crime: Crime | None = None,
) -> Incident:
    """A domestic incident between adults, reported 10 minutes after it happened."""
    return Incident(
        id=iid,
        reported_at=reported_at if reported_at is not None else at + timedelta(minutes=10),
        occurred_at=at,
        victim=make_person(victim, born=victim_born, vulnerabilities=vulnerabilities),
        suspect=make_person(suspect, born=suspect_born),
        relationship=relationship,
        abuse_types=frozenset(abuse_types),
        children=tuple(children),
        crime=crime,
    )


def make_crime(cid: str = "CRIME-1") -> Crime:
    return Crime(cid, OffenceCategory.COMMON_ASSAULT)


def make_form(
    incident: Incident,
    checklist: str,
    answers: Mapping[str, Answer] | None = None,
    *,
    yes: Iterable[str | int] = (),
    judgement: ProfessionalJudgement | None = None,
) -> RiskForm:
    """A form for ``incident``: ``answers`` plus a YES for every id in ``yes``."""
    merged = dict(answers or {})
    merged.update({str(item): Answer.YES for item in yes})
    return RiskForm(
        incident_id=incident.id,
        checklist=checklist,
        answers=merged,
        completed_by="PC-1",
        completed_at=incident.reported_at,
        professional_judgement=judgement,
    )


def dash_form(
    incident: Incident,
    yes: Iterable[str | int] = (),
    *,
    checklist: str = POLICE,
    others: Answer = Answer.NO,
    judgement: ProfessionalJudgement | None = None,
    extra: Mapping[str, Answer] | None = None,
) -> RiskForm:
    """A DASH form answering every scored item: YES for ``yes``, ``others`` for the rest."""
    count = 27 if checklist == POLICE else 24
    answers = {str(n): others for n in range(1, count + 1)}
    answers.update(extra or {})
    return make_form(incident, checklist, answers, yes=yes, judgement=judgement)


def judgement(grade: RiskGrade, *, refer: bool = False) -> ProfessionalJudgement:
    return ProfessionalJudgement(grade, "officer's rationale", refer_to_marac=refer)


def make_policy(settings: Settings | None = None, plugins: Iterable[object] = ()) -> Policy:
    """A policy with the built-ins only (installed third-party plug-ins are not loaded)."""
    return Policy(settings, plugins=plugins, load_entry_points=False)


def rules(reasons: Iterable[Reason]) -> list[str]:
    return [reason.rule for reason in reasons]


def referral(decision: Decision, destination: Destination) -> Referral | None:
    found = [r for r in decision.referrals if r.destination is destination]
    assert len(found) <= 1, "referrals to one destination must be merged"
    return found[0] if found else None


def referral_rules(decision: Decision, destination: Destination) -> list[str]:
    found = referral(decision, destination)
    assert found is not None, f"no referral to {destination.value}"
    return rules(found.reasons)


def finding(decision: Decision, model: str) -> Any:
    found = [f for f in decision.findings if f.model == model]
    assert len(found) <= 1
    return found[0] if found else None


def welfare_checks(decision: Decision) -> list[Any]:
    """The child welfare-check tasks (other built-ins, e.g. the seven-step plan, add more)."""
    return [t for t in decision.tasks if t.what == "child-welfare-check"]


def risk_facts(decision: Decision) -> tuple[Any, ...]:
    """What must not depend on whether a crime was recorded: grade, reasons, findings,
    referrals, review, and the work set (task ids and due times)."""
    return (
        decision.grade,
        decision.reasons,
        decision.findings,
        decision.prompts,
        decision.referrals,
        decision.repeat_victim,
        decision.needs_review,
        decision.review_reasons,
        decision.failures,
        [(t.what, t.for_whom, t.due_by, t.assignee) for t in decision.tasks],
    )
