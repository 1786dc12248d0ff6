"""Boundary cases of the 2026 rules: child victims, pilot areas, weapons, schools.

Each case sits on one edge of a rule added for the Domestic Abuse Act 2021 and the
guidance since: a child victim in their own right (s.3) at home, elsewhere and on the
day the Act's definition commenced; an incident in each DAPN pilot area a microsecond
either side of the day its pilot started (two days before, so that the kit's events,
which follow two days after the decision, fall on the edge) and after the pilot's end;
a weapon at the scene; stalking; an incident on the last school day before a bank
holiday, and either side of the school day's start.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta

from dapolicy.models import AbuseType, Child
from dapolicy.models._base import LONDON
from dapolicy.models.incident import ACT_DEFINITION_FROM
from dapolicy.policy import Policy
from dapolicy.protection import DAPN_PILOT, PILOT_UNTIL
from dapolicy.testing._invariants._case import ConformanceCase
from dapolicy.testing._invariants._drawing import MICROSECOND
from dapolicy.testing._invariants._sweep import WINTER, _case, _dash_like, _incident

#: A Friday evening before the August bank holiday (26 August 2024), in summer time.
_BEFORE_BANK_HOLIDAY = datetime(2024, 8, 23, 18, 0, tzinfo=LONDON)


def _london(day: date, at: time = time(0)) -> datetime:
    return datetime.combine(day, at, tzinfo=LONDON).astimezone(UTC)


def _child_victims(policy: Policy) -> Iterator[ConformanceCase]:
    elsewhere = Child("CONF-C1", 12, related_to_victim=True, affected=True)
    mixes = {
        "a child victim (s.3) who lives elsewhere": (elsewhere,),
        "a child victim of the suspect, present": (
            Child("CONF-C1", 7, present=True, related_to_suspect=True, affected=True),
        ),
        "an affected child related to neither party (not a victim)": (
            Child("CONF-C1", 9, affected=True),
        ),
        "a related child, not affected": (Child("CONF-C1", 9, related_to_victim=True),),
        "two child victims, one at home and one elsewhere": (
            Child("CONF-C1", 3, usually_resident=True, related_to_victim=True, affected=True),
            Child("CONF-C2", 15, related_to_suspect=True, affected=True),
        ),
    }
    for label, kids in mixes.items():
        incident = _incident(WINTER, children=kids)
        yield _case(incident, _dash_like(policy, incident, 2), label)
    start = _london(ACT_DEFINITION_FROM)
    for step in (-MICROSECOND, timedelta(0)):
        incident = _incident(start + step, children=(elsewhere,))
        yield _case(
            incident,
            _dash_like(policy, incident, 2),
            f"a child victim who lives elsewhere, reported {step} from the Act's definition",
        )


def _pilot_areas(policy: Policy) -> Iterator[ConformanceCase]:
    starts: dict[date, str] = {}
    for area, day in sorted(DAPN_PILOT.items()):
        starts.setdefault(day, area)
    for day, area in sorted(starts.items()):
        edge = _london(day) - timedelta(days=2)
        for step in (-MICROSECOND, timedelta(0)):
            incident = _incident(edge + step, area=area)
            yield _case(
                incident,
                _dash_like(policy, incident, 15),
                f"in {area}, its events {step} from the day its DAPN pilot started",
            )
    after = _london(PILOT_UNTIL + timedelta(days=1)) - timedelta(days=2)
    incident = _incident(after, area="greater-manchester")
    yield _case(incident, _dash_like(policy, incident, 2), "in a pilot area after its end")
    incident = _incident(WINTER, area="CONF-AREA")
    yield _case(incident, _dash_like(policy, incident, 2), "in an area no rule knows")


def _weapons_and_stalking(policy: Policy) -> Iterator[ConformanceCase]:
    for yes in (2, 15):
        incident = _incident(WINTER, weapon_present=True)
        yield _case(
            incident, _dash_like(policy, incident, yes), f"a weapon at the scene, {yes} 'yes'"
        )
    incident = _incident(WINTER, abuse_types=frozenset({AbuseType.STALKING}))
    yield _case(incident, _dash_like(policy, incident, 2), "stalking")


def _schools(policy: Policy) -> Iterator[ConformanceCase]:
    related = (Child("CONF-C1", 9, related_to_victim=True),)
    incident = _incident(_BEFORE_BANK_HOLIDAY, children=related)
    yield _case(
        incident,
        _dash_like(policy, incident, 2),
        "a related child, the incident on the Friday before a bank holiday",
    )
    starts = policy.settings.encompass.school_day_starts_minutes
    opening = _london(date(2024, 7, 10), time(starts // 60, starts % 60))
    for step in (-MICROSECOND, timedelta(0)):
        incident = _incident(opening + step, children=related)
        yield _case(
            incident,
            _dash_like(policy, incident, 2),
            f"a related child, reported {step} from a school day's start",
        )


def rules_2026_cases(policy: Policy) -> Iterator[ConformanceCase]:
    """The boundary cases of the 2026 rules, each with a label."""
    yield from _child_victims(policy)
    yield from _pilot_areas(policy)
    yield from _weapons_and_stalking(policy)
    yield from _schools(policy)
