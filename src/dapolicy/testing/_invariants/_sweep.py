"""Explicit boundary cases: the rare inputs a bug hides behind, reached on purpose.

Random cases find a rule that is wrong for many inputs; a rule wrong for one exact age,
count or instant may never be drawn. :func:`boundary_cases` builds those inputs by hand
from the policy's own checklists and settings, and :func:`run_conformance` checks every
one of them before it draws any case.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

from dapolicy._time import months_before
from dapolicy.history import HistoryEntry, MaracReferralEntry
from dapolicy.models import (
    AbuseType,
    Answer,
    Child,
    Crime,
    Incident,
    OffenceCategory,
    Outcome,
    Person,
    ProfessionalJudgement,
    Relationship,
    RelationshipKind,
    RiskForm,
    RiskGrade,
)
from dapolicy.models._base import LONDON
from dapolicy.policy import Policy
from dapolicy.testing._invariants._case import ConformanceCase
from dapolicy.testing._invariants._drawing import (
    _EDGE_STEPS,
    BOUNDARY_AGES,
    HOUSEHOLD_FLAGS,
    MICROSECOND,
    _boundaries,
    _windows,
    _years_before,
)

#: A winter evening, and the instants London's clocks change in 2024 (UTC).
WINTER = datetime(2024, 1, 10, 20, 0, tzinfo=UTC)
SPRING_CHANGE = datetime(2024, 3, 31, 1, 0, tzinfo=UTC)
AUTUMN_CHANGE = datetime(2024, 10, 27, 1, 0, tzinfo=UTC)
#: Just after each change, and the evening before each (a day's deadline crosses it).
_ANCHORS = (
    WINTER,
    datetime(2024, 4, 2, 9, 0, tzinfo=UTC),
    datetime(2024, 10, 29, 10, 0, tzinfo=UTC),
)
_EVES = (
    datetime(2024, 3, 30, 22, 30, tzinfo=UTC),
    datetime(2024, 10, 26, 21, 30, tzinfo=UTC),
)
_FILLERS: tuple[Answer | None, ...] = (None, Answer.NO, Answer.NOT_KNOWN, Answer.DECLINED)
_CHILD_AGES = (0, 17, 4, 16)


def _incident(at: datetime, **changes: object) -> Incident:
    values: dict[str, object] = {
        "id": "CONF-INC",
        "reported_at": at,
        "occurred_at": at - timedelta(minutes=10),
        "victim": Person(
            "CONF-V",
            name="Fictitia Nonesuch",
            date_of_birth=date(1990, 5, 17),
            address="12 Nowhere Lane, Notaplace, ZZ99 4ZZ",
            phone="07700 900321",
        ),
        "suspect": Person("CONF-S", name="Zebedee Fakename", date_of_birth=date(1988, 2, 1)),
        "relationship": Relationship(RelationshipKind.INTIMATE_PARTNER),
        "abuse_types": frozenset({AbuseType.PHYSICAL}),
    }
    values.update(changes)
    return Incident(**values)  # type: ignore[arg-type]


def _form(
    incident: Incident, checklist: str, answers: dict[str, Answer], **more: object
) -> RiskForm:
    return RiskForm(
        incident_id=incident.id,
        checklist=checklist,
        answers=answers,
        completed_by="PC-CONFORMANCE",
        completed_at=incident.reported_at,
        **more,  # type: ignore[arg-type]
    )


def _case(
    incident: Incident, form: RiskForm | None, label: str, **more: object
) -> ConformanceCase:
    if form is not None and "flips" not in more and "extra_yes" not in more:
        # One more "yes" on one item, not on every item: the checklist cases flip them all.
        more["extra_yes"] = _next_item(form)
    return ConformanceCase(incident, form, incident.reported_at, label=label, **more)  # type: ignore[arg-type]


def _next_item(form: RiskForm) -> str:
    n = 1
    while str(n) in form.answers:
        n += 1
    return str(n)


def _checklists(policy: Policy, thorough: bool) -> Iterator[ConformanceCase]:
    """Each checklist at each count near a threshold, every item flipped alone."""
    bounds = _boundaries(policy.settings)
    for checklist_id, question_set in sorted(policy.question_sets.items()):
        items = [item.id for item in question_set.items]
        counts = sorted({0, *(b - 1 for b in bounds if 1 <= b <= len(items))})
        for count in counts:
            fillers = _FILLERS if thorough or count == counts[-1] else (None,)
            for filler in fillers:
                answers = dict.fromkeys(items[:count], Answer.YES)
                if filler is not None:
                    answers.update(dict.fromkeys(items[count:], filler))
                incident = _incident(WINTER)
                yield _case(
                    incident,
                    _form(incident, checklist_id, answers),
                    f"checklist {checklist_id!r} with {count} 'yes', the rest "
                    f"{filler.value if filler else 'not asked'}, each item flipped alone",
                    flips=tuple(items),
                )
        incident = _incident(WINTER)
        judged = ProfessionalJudgement(RiskGrade.MEDIUM, "FICTIONAL rationale #7: escalating")
        yield _case(
            incident,
            _form(incident, checklist_id, {}, professional_judgement=judged),
            f"checklist {checklist_id!r} with a professional judgement of medium",
            extra_yes=items[0],
        )
        # A judgement below the checklist's grade, given where there was none: it must be
        # recorded, not applied (a judgement may raise a grade, never lower it).
        low = ProfessionalJudgement(RiskGrade.STANDARD, "FICTIONAL rationale #8: calm now")
        yield _case(
            incident,
            _form(incident, checklist_id, dict.fromkeys(items, Answer.YES)),
            f"checklist {checklist_id!r} all 'yes', then a judgement of standard",
            higher_judgement=low,
        )


def _dash_like(policy: Policy, incident: Incident, yes: int) -> RiskForm | None:
    """A form on the first checklist, with ``yes`` of its items answered "yes"."""
    if not policy.question_sets:
        return None
    checklist_id, question_set = sorted(policy.question_sets.items())[0]
    items = [item.id for item in question_set.items][:yes]
    return _form(incident, checklist_id, dict.fromkeys(items, Answer.YES))


def _ages(policy: Policy) -> Iterator[ConformanceCase]:
    """Victim and suspect aged 15 to 18 on the day, to the day; a 29 February birthday."""
    day = (WINTER - timedelta(minutes=10)).astimezone(LONDON).date()
    for role in ("victim", "suspect"):
        for age in BOUNDARY_AGES:
            for shift in (-1, 0, 1):
                born = _years_before(day, age) + timedelta(days=shift)
                base = _incident(WINTER)
                person = getattr(base, role)
                incident = _incident(WINTER, **{role: _born(person, born)})
                when = {-1: "the day after", 0: "on", 1: "the day before"}[shift]
                yield _case(
                    incident,
                    _dash_like(policy, incident, 3),
                    f"the {role} {when} their {age}th birthday",
                )
    leap = date(2008, 2, 29)
    for at in (
        datetime(2024, 2, 28, 23, 59, 59, 999999, tzinfo=LONDON),
        datetime(2024, 2, 29, 0, 0, tzinfo=LONDON),
        datetime(2025, 2, 28, 23, 59, 59, 999999, tzinfo=LONDON),
        datetime(2025, 3, 1, 0, 0, tzinfo=LONDON),
    ):
        base = _incident(at + timedelta(minutes=10))
        incident = _incident(at + timedelta(minutes=10), victim=_born(base.victim, leap))
        yield _case(incident, _dash_like(policy, incident, 3), "a victim born on 29 February")
    summer = date(2008, 6, 15)
    for at in (
        datetime(2024, 6, 14, 22, 59, 59, 999999, tzinfo=UTC),
        datetime(2024, 6, 14, 23, 0, tzinfo=UTC),
    ):
        base = _incident(at + timedelta(minutes=10))
        incident = _incident(at + timedelta(minutes=10), victim=_born(base.victim, summer))
        yield _case(
            incident,
            _dash_like(policy, incident, 3),
            "a 16th birthday that starts at 23:00 UTC (midnight in London, in summer)",
        )


def _born(person: Person, born: date) -> Person:
    import attrs

    return attrs.evolve(person, date_of_birth=born)


def _households(policy: Policy) -> Iterator[ConformanceCase]:
    """0 to 4 children, in every mix of present and usually resident."""
    times = (WINTER, *_EVES)
    index = 0
    for count in range(5):
        for flags in itertools.combinations_with_replacement(HOUSEHOLD_FLAGS, count):
            kids = tuple(
                Child(f"CONF-C{n + 1}", _CHILD_AGES[n % 4], present, resident)
                for n, (present, resident) in enumerate(flags)
            )
            at = times[index % len(times)]
            index += 1
            incident = _incident(at, children=kids)
            mix = ", ".join(
                {
                    (False, False): "neither",
                    (True, False): "present",
                    (False, True): "resident",
                    (True, True): "both",
                }[f]
                for f in flags
            )
            yield _case(
                incident,
                _dash_like(policy, incident, 1 if index % 2 else 15),
                f"{count} child(ren): {mix or 'none'}",
            )


def _windows_cases(policy: Policy) -> Iterator[ConformanceCase]:
    """Earlier incidents and MARAC referrals at each window's edge, a step either side."""
    settings = policy.settings
    needed = sorted(
        {
            1,
            settings.marac.escalation_incidents - 1,
            *(rule.incidents - 1 for rule in settings.series),
        }
        - {0}
    )
    for anchor in _ANCHORS:
        incident = _incident(anchor)
        occurred = incident.occurred_at
        for months in _windows(settings):
            edge = months_before(occurred, months).astimezone(UTC)
            for step in _EDGE_STEPS:
                at = min(edge + step, occurred.astimezone(UTC) - MICROSECOND)
                for count in needed:
                    inside = [
                        HistoryEntry(
                            f"CONF-H-{n}",
                            "CONF-V",
                            ("CONF-S", "CONF-S1", "CONF-S2")[n % 3] if count > 2 else "CONF-S",
                            occurred - timedelta(days=n),
                            crime=bool(n % 2),
                        )
                        for n in range(1, count)
                    ]
                    edge_entry = HistoryEntry("CONF-H-EDGE", "CONF-V", "CONF-S", at)
                    yield _case(
                        incident,
                        _dash_like(policy, incident, 2),
                        f"{count} earlier incident(s), one {step} from the {months}-month edge",
                        prior_incidents=(*inside, edge_entry),
                    )
                referral = MaracReferralEntry("CONF-V", "CONF-S", at, "CONF-M-EDGE")
                other = MaracReferralEntry("CONF-V", "CONF-S1", at, "CONF-M-OTHER")
                yield _case(
                    incident,
                    _dash_like(policy, incident, 2),
                    f"a MARAC referral {step} from the {months}-month edge",
                    marac_referrals=(referral, other),
                    prior_incidents=(HistoryEntry("CONF-H-1", "CONF-V", "CONF-S1", at),),
                )


def _clock_changes(policy: Policy) -> Iterator[ConformanceCase]:
    """Reports a microsecond either side of both clock changes, high risk, with children."""
    kids = (Child("CONF-C1", 3, present=True), Child("CONF-C2", 9, usually_resident=True))
    for change in (SPRING_CHANGE, AUTUMN_CHANGE):
        for step in (-MICROSECOND, timedelta(0), MICROSECOND):
            incident = _incident(change + step, children=kids)
            yield _case(
                incident,
                _dash_like(policy, incident, 15),
                f"reported {step} from the clocks changing",
            )
    crime = Crime(
        "CONF-CR",
        OffenceCategory.COMMON_ASSAULT,
        True,
        Outcome.NO_FURTHER_ACTION,
        "FICTIONAL rationale #9: withdrawn",
    )
    incident = _incident(WINTER, crime=crime)
    yield _case(incident, _dash_like(policy, incident, 15), "a crime with no further action")


def boundary_cases(policy: Policy, *, thorough: bool = False) -> Iterator[ConformanceCase]:
    """The explicit boundary cases for ``policy``, each with a :attr:`label`.

    - each checklist at no "yes" and one short of each threshold the settings hold,
      every item flipped alone from its answer to every other (the rest not asked;
      with ``thorough``, also "no", "not known" and "declined");
    - the victim, and the suspect, the day before, on and after their 15th, 16th, 17th
      and 18th birthdays; a 29 February birthday in leap and common years; a birthday
      that begins at 23:00 UTC;
    - 0 to 4 children in every mix of present and usually resident;
    - earlier incidents, with one to several suspects, and MARAC referrals at each
      window's edge, on it, a microsecond and a day either side, in winter and after
      both clock changes;
    - reports a microsecond either side of both clock changes; a crime closed with no
      further action;
    - the 2026 rules: child victims in their own right (s.3) at home, elsewhere and
      either side of the Act's commencement; each DAPN pilot area either side of its
      start, and after the pilot's end; a weapon at the scene; stalking; a related
      child on the Friday before a bank holiday and either side of a school day's
      start.
    """
    from dapolicy.testing._invariants._sweep_2026 import rules_2026_cases

    yield from _checklists(policy, thorough)
    yield from _ages(policy)
    yield from _households(policy)
    yield from _windows_cases(policy)
    yield from _clock_changes(policy)
    yield from rules_2026_cases(policy)
