"""The Act's definition and the DVDS period are dated law, not a force's versions.

Both are chosen by the date of the decision (or the request) from a table in code:
the same for every force and area, whatever its ``[[versions]]`` say, and no settings
key can change them (docs/policy-2026.md, "Dated law, not a force's setting").
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import attrs
import pytest

from dapolicy import (
    AbuseType,
    Event,
    EventKind,
    FamilyRelation,
    Incident,
    Person,
    Policy,
    Relationship,
    RelationshipKind,
)
from dapolicy.settings import SettingsError

LONDON = ZoneInfo("Europe/London")
VERSIONED = """
force = "Exampleshire"
version = "2019-01"

[[versions]]
id = "2021-pilot"
from = 2021-06-01
areas = ["north"]
[versions.victims_code]
domestic_abuse_enhanced = false
"""


@pytest.fixture(scope="module")
def versioned(tmp_path_factory: pytest.TempPathFactory) -> Policy:
    path = tmp_path_factory.mktemp("law") / "policy.toml"
    path.write_text(VERSIONED, encoding="utf-8")
    return Policy.from_toml(path, load_entry_points=False)


def _cousins(at: datetime, area: str | None) -> Incident:
    return Incident(
        "INC-LAW",
        at,
        at - timedelta(minutes=10),
        Person("V-LAW", date_of_birth=date(1990, 1, 1)),
        Person("S-LAW", date_of_birth=date(1991, 1, 1)),
        Relationship(RelationshipKind.FAMILY_MEMBER, FamilyRelation.COUSIN),
        frozenset({AbuseType.PHYSICAL}),
        area=area,
    )


@pytest.mark.parametrize("area", [None, "north"])
def test_the_definition_switches_on_its_commencement_in_every_area(
    versioned: Policy, area: str | None
) -> None:
    start = datetime(2022, 1, 31, tzinfo=LONDON)
    before = _cousins(start - timedelta(microseconds=1), area)
    on_the_day = _cousins(start, area)
    assert versioned.assess(before, None, now=before.reported_at).domestic_abuse.value == (
        "not_domestic"
    )
    assert versioned.assess(on_the_day, None, now=start).domestic_abuse.value == ("domestic_abuse")


@pytest.mark.parametrize("area", [None, "north"])
def test_the_dvds_period_follows_the_request_date_in_every_area(
    versioned: Policy, area: str | None
) -> None:
    start = datetime(2023, 4, 5, tzinfo=LONDON)
    ask = Event("EV-LAW", EventKind.DVDS_RIGHT_TO_ASK, start, "V-LAW", "S-LAW", area=area)
    for moment, days in ((start - timedelta(microseconds=1), 35), (start, 28)):
        event = attrs.evolve(ask, occurred_at=moment)
        (task,) = [
            t for t in versioned.on_event(event, now=moment).tasks if t.what == "dvds-decision"
        ]
        assert task.due_by.astimezone(LONDON).date() == (
            moment.astimezone(LONDON).date() + timedelta(days=days)
        )


@pytest.mark.parametrize(
    "table", ["[versions.definition]\nact_from = 2023-01-01", "[versions.dvds]\ndays = 10"]
)
def test_no_version_can_set_them(tmp_path: Path, table: str) -> None:
    path = tmp_path / "policy.toml"
    path.write_text(f"{VERSIONED}{table}\n", encoding="utf-8")
    with pytest.raises(SettingsError):
        Policy.from_toml(path, load_entry_points=False)
