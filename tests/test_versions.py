"""Dated policy versions: the version in force by decision time and area (issue 10).

Covers loading ``[[versions]]`` (what each builds on, every rule a set of versions must
keep, with the versions named), the choice of version (exact at the boundary, across a
change of the clocks, in any zone), what a decision records, the review-by prompt, and
that adding a later version changes no earlier decision.
"""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from dapolicy import (
    AbuseType,
    Call,
    Case,
    Decision,
    Event,
    EventKind,
    Incident,
    Person,
    Policy,
    Relationship,
    RelationshipKind,
    ValidationError,
    from_json,
    to_json,
)
from dapolicy.batch import decision_time
from dapolicy.settings import (
    MaracSettings,
    PluginSettings,
    PolicyVersion,
    Settings,
    SettingsError,
    load_settings,
)
from dapolicy.testing import strategies as ds

LONDON = ZoneInfo("Europe/London")
REPO = Path(__file__).resolve().parents[1]

PILOT = (REPO / "docs" / "examples" / "versioned-policy.toml").read_text(encoding="utf-8")


def load(tmp_path: Path, text: str) -> Settings:
    path = tmp_path / "force.toml"
    path.write_text(text, encoding="utf-8")
    return load_settings(path)


def problems(tmp_path: Path, text: str) -> list[tuple[str, str]]:
    with pytest.raises(SettingsError) as excinfo:
        load(tmp_path, 'force = "Exampleshire"\n' + text)
    return [(e.path, e.message) for e in excinfo.value.errors]


def london(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=LONDON)  # type: ignore[misc]


def incident(at: datetime, area: str | None = None, n: int = 1) -> Incident:
    return Incident(
        f"INC-{n}",
        at,
        at,
        Person(f"V-{n}", date_of_birth=date(1990, 1, 1)),
        Person(f"S-{n}", date_of_birth=date(1988, 1, 1)),
        Relationship(RelationshipKind.INTIMATE_PARTNER),
        [AbuseType.EMOTIONAL],
        area=area,
    )


# --- loading ------------------------------------------------------------------------------------


def test_each_version_builds_on_what_it_should(tmp_path: Path) -> None:
    settings = load(tmp_path, PILOT)
    assert settings.version == "2019-01"
    assert settings.marac.escalation_months == 12
    national, pilot = settings.versions
    assert (national.id, national.start, national.until, national.areas) == (
        "2023-04",
        london(2023, 4, 1),
        None,
        None,
    )
    # A version for every area builds on the base.
    assert national.settings == attrs.evolve(
        settings, version="2023-04", versions=(), marac=MaracSettings(escalation_months=6)
    )
    # A version for areas builds on the version for every area in force when it starts.
    assert pilot.areas == frozenset({"croydon", "bromley", "sutton"})
    assert pilot.until == london(2026, 4, 1)
    assert pilot.review_by == london(2025, 11, 1)
    assert pilot.settings.marac.escalation_months == 6
    assert pilot.settings.dash.high_from == 12
    assert pilot.settings.versions == ()
    # A version's review date is its own: not the base's, not inherited.
    assert national.review_by is None


def test_an_area_version_before_any_national_one_builds_on_the_base(tmp_path: Path) -> None:
    settings = load(
        tmp_path,
        "[marac]\nescalation_months = 9\n"
        "[[versions]]\nid = 'early-pilot'\nfrom = 2020-01-01\nuntil = 2021-01-01\n"
        "areas = ['gmp']\n[versions.dash]\nhigh_from = 13\n"
        "[[versions]]\nid = 'national'\nfrom = 2022-01-01\n[versions.marac]\nrepeat_months = 6\n",
    )
    early = settings.versions[0].settings
    assert (early.marac.escalation_months, early.marac.repeat_months, early.dash.high_from) == (
        9,
        12,
        13,
    )


def test_arrays_replace_and_tables_merge(tmp_path: Path) -> None:
    settings = load(
        tmp_path,
        "[[series]]\nincidents = 3\nmonths = 12\ngrade = 'high'\n"
        "[[series]]\nincidents = 2\nmonths = 3\ngrade = 'medium'\n"
        "[[versions]]\nid = 'v2'\nfrom = 2024-01-01\n"
        "[[versions.series]]\nincidents = 4\nmonths = 6\ngrade = 'high'\n"
        "[versions.marac]\nrepeat_months = 18\n",
    )
    (version,) = settings.versions
    assert [(r.incidents, r.months) for r in version.settings.series] == [(4, 6)]
    assert version.settings.marac == MaracSettings(repeat_months=18)


def test_an_offset_date_time_is_that_instant(tmp_path: Path) -> None:
    settings = load(tmp_path, "[[versions]]\nid = 'v2'\nfrom = 2024-03-31T01:30:00+01:00\n")
    assert settings.versions[0].start == datetime(2024, 3, 31, 0, 30, tzinfo=UTC)


def test_a_file_without_versions_is_one_implicit_version(tmp_path: Path) -> None:
    settings = load(tmp_path, "")
    assert (settings.version, settings.versions, settings.review_by) == ("base", (), None)
    policy = Policy(settings, load_entry_points=False)
    assert policy.as_of(london(1999, 1, 1)) is policy
    assert settings.as_of(london(1999, 1, 1), "anywhere") is settings


# --- the rules, each a load error naming the versions -------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "[[versions]]\nid = 'a'\nfrom = 2023-04-01\n"
            "[[versions]]\nid = 'b'\nfrom = 2024-01-01\n",
            [
                (
                    "$.versions[1].from",
                    "versions[1] ('b') and versions[0] ('a') are both in force for every area "
                    "from 2024-01-01 00:00 GMT",
                )
            ],
        ),
        (
            "[[versions]]\nid = 'a'\nfrom = 2023-04-01\nuntil = 2024-02-01\n"
            "[[versions]]\nid = 'b'\nfrom = 2024-01-01\n",
            [
                (
                    "$.versions[1].from",
                    "versions[1] ('b') and versions[0] ('a') are both in force for every area "
                    "from 2024-01-01 00:00 GMT",
                )
            ],
        ),
        (
            "[[versions]]\nid = 'a'\nfrom = 2023-04-01\nuntil = 2023-12-31T23:59:59Z\n"
            "[[versions]]\nid = 'b'\nfrom = 2024-01-01\n",
            [
                (
                    "$.versions[0].until",
                    "a gap: no version is in force for every area from 2023-12-31 23:59 GMT (the "
                    "end of versions[0] ('a')) until 2024-01-01 00:00 GMT",
                )
            ],
        ),
        (
            "[[versions]]\nid = 'a'\nfrom = 2023-04-01\nuntil = 2024-01-01\n",
            [
                (
                    "$.versions[0].until",
                    "a gap: no version is in force for every area from 2024-01-01 00:00 GMT (the "
                    "end of versions[0] ('a')); the last version without areas must not end",
                )
            ],
        ),
        (
            "[[versions]]\nid = 'p1'\nfrom = 2024-11-27\nareas = ['croydon', 'sutton']\n"
            "[[versions]]\nid = 'p2'\nfrom = 2025-03-11\nuntil = 2026-01-01\n"
            "areas = ['sutton', 'cleveland']\n",
            [
                (
                    "$.versions[1].areas",
                    "versions[1] ('p2') and versions[0] ('p1') are both in force for area "
                    "'sutton' from 2025-03-11 00:00 GMT",
                )
            ],
        ),
        (
            "[[versions]]\nid = 'national'\nfrom = 2025-04-01\n"
            "[[versions]]\nid = 'pilot'\nfrom = 2024-11-27\nuntil = 2026-04-01\nareas = ['gmp']\n",
            [
                (
                    "$.versions[1].until",
                    "versions[1] ('pilot') runs across the start of versions[0] ('national') at "
                    "2025-04-01 00:00 BST: a version for areas builds on the version for every "
                    "area in force when it starts, so end it there and continue it in a new "
                    "version",
                )
            ],
        ),
        (
            "[[versions]]\nid = 'a'\nfrom = 2024-01-01\nuntil = 2024-01-01\nareas = ['x']\n",
            [("$.versions[0].until", "must be after from")],
        ),
        (
            "version = 'v1'\n[[versions]]\nid = 'v1'\nfrom = 2024-01-01\n",
            [("$.versions[0].id", "is the id of the base or of another version")],
        ),
        (
            "[[versions]]\nid = 'a'\nfrom = 2024-01-01\nforce = 'Otherland'\n",
            [("$.versions[0].force", "a version cannot change the force's name")],
        ),
        (
            "[[versions]]\nid = 'a'\nfrom = 2024-01-01\n[versions.plugins]\nblock = ['dial']\n",
            [
                (
                    "$.versions[0].plugins.block",
                    "every version loads the same plug-ins: to switch one off from a date, use "
                    "plugins.risk_models or the plug-in's own setting",
                )
            ],
        ),
    ],
    ids=[
        "overlap-open",
        "overlap",
        "gap",
        "last-ends",
        "areas-overlap",
        "crossing",
        "empty",
        "id-twice",
        "force",
        "plug-ins",
    ],
)
def test_versions_that_break_a_rule_are_refused(
    tmp_path: Path, text: str, expected: list[tuple[str, str]]
) -> None:
    assert problems(tmp_path, text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[[versions]]\nfrom = 2024-01-01\n", [("$.versions[0].id", "required field missing")]),
        ("[[versions]]\nid = 'a'\n", [("$.versions[0].from", "required field missing")]),
        (
            "[[versions]]\nid = 'a b'\nfrom = 2024-01-01\n",
            [
                (
                    "$.versions[0].id",
                    "must be a safe id: 1-64 ASCII letters, digits, '.', '_', '-' or ':', "
                    "starting with a letter or digit",
                )
            ],
        ),
        (
            "[[versions]]\nid = 'a'\nfrom = 2024-01-01T00:00:00\n",
            [
                (
                    "$.versions[0].from",
                    "expected a date (00:00 in London that day) or a date-time with a UTC offset",
                )
            ],
        ),
        (
            "[[versions]]\nid = 'a'\nfrom = '2024-01-01'\n",
            [
                (
                    "$.versions[0].from",
                    "expected a date (00:00 in London that day) or a date-time with a UTC offset",
                )
            ],
        ),
        (
            "[[versions]]\nid = 'a'\nfrom = 2024-01-01\nareas = []\n",
            [
                (
                    "$.versions[0].areas",
                    "expected an array of 1 to 1000 area ids (leave areas out for every area)",
                )
            ],
        ),
        (
            "[[versions]]\nid = 'a'\nfrom = 2024-01-01\nareas = ['ok', 'not ok']\n",
            [
                (
                    "$.versions[0].areas[1]",
                    "must be a safe id: 1-64 ASCII letters, digits, '.', '_', '-' or ':', "
                    "starting with a letter or digit",
                )
            ],
        ),
        (
            "[[versions]]\nid = 'a'\nfrom = 2024-01-01\nareas = ['x', 'x']\n",
            [("$.versions[0].areas", "entries must be unique")],
        ),
        (
            "[[versions]]\nid = 'a'\nfrom = 2024-01-01\nversion = 'b'\n",
            [("$.versions[0].version", "give a version's id as id")],
        ),
        (
            "[[versions]]\nid = 'a'\nfrom = 2024-01-01\n[[versions.versions]]\nid = 'b'\n",
            [("$.versions[0].versions", "not in a version")],
        ),
        ("versions = 3\n", [("$.versions", "expected an array of tables ([[versions]])")]),
        (
            "[[versions]]\nid = 'a'\nfrom = 2024-01-01\n[versions.marac]\nescalation_months = 0\n",
            [("$.versions[0].marac.escalation_months", "must be a whole number from 1 to 120")],
        ),
        (
            "[[versions]]\nid = 'a'\nfrom = 2024-01-01\n[versions.dash]\nhigh_from = 8\n",
            [("$.versions[0].dash.high_from", "must be greater than medium_from")],
        ),
        (
            "[[versions]]\nid = 'a'\nfrom = 2024-01-01\nfrm = 2024-01-01\n",
            [("$.versions[0].frm", "unknown field")],
        ),
        (
            "review_by = 2024-01-01T00:00:00\n",
            [("$.review_by", "naive datetime: a UTC offset is required (e.g. +01:00 or Z)")],
        ),
    ],
)
def test_a_version_table_is_checked_by_path(
    tmp_path: Path, text: str, expected: list[tuple[str, str]]
) -> None:
    assert problems(tmp_path, text) == expected


def test_a_versions_plugin_names_are_checked_when_the_policy_is_built(tmp_path: Path) -> None:
    settings = load(
        tmp_path,
        "[[versions]]\nid = 'v2'\nfrom = 2030-01-01\n[versions.plugins]\nrisk_models = ['dahs']\n",
    )
    with pytest.raises(ValidationError) as excinfo:
        Policy(settings, load_entry_points=False)
    assert [e.path for e in excinfo.value.errors] == ["$.plugins.risk_models[0]"]


def test_the_same_rules_hold_in_python() -> None:
    one = PolicyVersion(date(2024, 1, 1), Settings(version="one"), until=date(2024, 6, 1))
    two = PolicyVersion(date(2024, 6, 1), Settings(version="two"))
    assert Settings(versions=[one, two]).versions == (one, two)
    assert one.start == london(2024, 1, 1)
    with pytest.raises(ValidationError) as excinfo:
        Settings(versions=[one, attrs.evolve(two, start=date(2024, 5, 1))])
    assert [e.path for e in excinfo.value.errors] == ["$.versions[1].from"]
    with pytest.raises(ValidationError) as excinfo:
        PolicyVersion(datetime(2024, 1, 1), Settings())
    assert [e.path for e in excinfo.value.errors] == ["$.start"]
    with pytest.raises(ValidationError) as excinfo:
        PolicyVersion(date(2024, 1, 1), Settings(), areas=())
    assert [e.path for e in excinfo.value.errors] == ["$.areas"]
    with pytest.raises(ValidationError):
        PolicyVersion(date(2024, 1, 1), "settings")  # type: ignore[arg-type]
    with pytest.raises(ValidationError):
        Settings(versions=[PolicyVersion(date(2024, 1, 1), Settings(versions=[one]))])


# --- the version in force ------------------------------------------------------------------------


def test_the_version_in_force_by_date_and_area(tmp_path: Path) -> None:
    policy = Policy(load(tmp_path, PILOT), load_entry_points=False)

    def chosen(when: datetime, area: str | None = None) -> str:
        return policy.as_of(when, area).settings.version

    assert chosen(london(2000, 1, 1)) == "2019-01"
    assert chosen(london(2023, 3, 31, 23, 59)) == "2019-01"
    assert chosen(london(2023, 4, 1)) == "2023-04"
    assert chosen(london(2025, 1, 1)) == "2023-04"
    assert chosen(london(2025, 1, 1), "kingston") == "2023-04"
    assert chosen(london(2025, 1, 1), "croydon") == "dapn-pilot"
    assert chosen(london(2024, 11, 26, 23, 59, 59), "croydon") == "2023-04"
    assert chosen(london(2026, 3, 31, 23, 59, 59), "sutton") == "dapn-pilot"
    assert chosen(london(2026, 4, 1), "sutton") == "2023-04"
    # Area ids are matched exactly.
    assert chosen(london(2025, 1, 1), "Croydon") == "2023-04"
    # Each version's policy is built once, and holds no versions of its own.
    assert policy.as_of(london(2025, 1, 1), "croydon") is policy.as_of(
        london(2025, 6, 1), "sutton"
    )
    assert policy.as_of(london(2025, 1, 1), "croydon").settings.versions == ()
    assert policy.as_of(london(2000, 1, 1)).settings == attrs.evolve(policy.settings, versions=())


def test_as_of_needs_an_aware_moment(tmp_path: Path) -> None:
    policy = Policy(load(tmp_path, PILOT), load_entry_points=False)
    with pytest.raises(ValidationError) as excinfo:
        policy.as_of(datetime(2025, 1, 1))
    assert [e.path for e in excinfo.value.errors] == ["$.now"]
    with pytest.raises(ValidationError):
        policy.settings.as_of(datetime(2025, 1, 1))


def _last_sunday(year: int, month: int) -> date:
    return max(date(year, month, d) for d in range(25, 32) if date(year, month, d).weekday() == 6)


#: The days London's clocks change, 1996 to 2040: a boundary on one is still 00:00 local.
CLOCK_CHANGES = [_last_sunday(year, month) for year in range(1996, 2041) for month in (3, 10)]
BOUNDARY_DAYS = st.one_of(
    st.sampled_from(CLOCK_CHANGES),
    st.sampled_from(CLOCK_CHANGES).map(lambda d: d + timedelta(days=1)),
    st.dates(date(1971, 1, 1), date(2090, 12, 31)),
)
ZONES = st.sampled_from(
    [
        LONDON,
        UTC,
        timezone(timedelta(hours=14)),
        timezone(timedelta(hours=-12)),
        ZoneInfo("America/New_York"),
        ZoneInfo("Australia/Sydney"),
    ]
)


@given(BOUNDARY_DAYS, BOUNDARY_DAYS, ZONES, st.booleans())
def test_property_versions_switch_exactly_at_their_boundaries(
    start: date, end: date, zone: object, for_areas: bool
) -> None:
    start, end = min(start, end), max(start, end)
    if start == end:
        end = start + timedelta(days=1)
    new = PolicyVersion(
        start,
        Settings(version="new"),
        until=end if for_areas else None,
        areas=["north"] if for_areas else None,
    )
    settings = Settings(version="old", versions=[new])
    area = "north" if for_areas else None
    begins = datetime.combine(start, datetime.min.time(), tzinfo=LONDON)
    ends = datetime.combine(end, datetime.min.time(), tzinfo=LONDON)
    tick = timedelta(microseconds=1)

    def at(moment: datetime) -> str:
        # The same instant, written in another zone, chooses the same version.
        return settings.as_of(moment.astimezone(zone), area).version  # type: ignore[arg-type]

    assert at(begins - tick) == "old"
    assert at(begins) == "new"
    assert begins.utcoffset() in (timedelta(0), timedelta(hours=1))
    if for_areas:
        assert at(ends - tick) == "new"
        assert at(ends) == "old"
        assert settings.as_of(begins, "south").version == "old"


def test_a_boundary_on_the_night_the_clocks_go_back() -> None:
    """00:00 on 27 October 2024 is BST; 01:30 happens twice, and both are after it."""
    settings = Settings(versions=[PolicyVersion(date(2024, 10, 27), Settings(version="new"))])
    assert settings.as_of(datetime(2024, 10, 26, 22, 59, 59, 999999, tzinfo=UTC)).version == "base"
    assert settings.as_of(datetime(2024, 10, 26, 23, 0, tzinfo=UTC)).version == "new"
    first = datetime(2024, 10, 27, 1, 30, tzinfo=LONDON, fold=0)
    second = datetime(2024, 10, 27, 1, 30, tzinfo=LONDON, fold=1)
    assert settings.as_of(first).version == settings.as_of(second).version == "new"
    spring = Settings(versions=[PolicyVersion(date(2024, 3, 31), Settings(version="new"))])
    assert spring.as_of(datetime(2024, 3, 31, 0, 0, tzinfo=UTC)).version == "new"
    assert spring.as_of(datetime(2024, 3, 30, 23, 59, 59, tzinfo=UTC)).version == "base"


# --- what a decision records ---------------------------------------------------------------------


def test_a_decision_records_the_version_in_force_for_its_area(tmp_path: Path) -> None:
    policy = Policy(load(tmp_path, PILOT), load_entry_points=False)
    at = london(2025, 2, 1, 20)
    pilot = policy.assess(incident(at, "croydon"), None, now=at)
    elsewhere = policy.assess(incident(at, "kingston"), None, now=at)
    nowhere = policy.assess(incident(at), None, now=at)
    assert (pilot.policy_version, elsewhere.policy_version, nowhere.policy_version) == (
        "dapn-pilot",
        "2023-04",
        "2023-04",
    )
    assert pilot.policy_fingerprint == policy.as_of(at, "croydon").fingerprint
    assert elsewhere.policy_fingerprint == policy.as_of(at).fingerprint
    assert pilot.policy_fingerprint != elsewhere.policy_fingerprint
    # Decision time, not incident time: an incident before the pilot, decided in it.
    late = attrs.evolve(incident(london(2024, 11, 20), "croydon"), reported_at=at)
    assert policy.assess(late, None, now=at).policy_version == "dapn-pilot"
    assert (
        Policy(load(tmp_path, ""), load_entry_points=False)
        .assess(incident(at), None, now=at)
        .policy_version
        == "base"
    )


def test_events_use_their_areas_version_and_triage_the_version_for_every_area(
    tmp_path: Path,
) -> None:
    text = PILOT.replace(
        "[versions.dash]", "[versions.events]\nnotify_within_hours = 1\n[versions.dash]"
    )
    policy = Policy(
        load(tmp_path, text + "[versions.triage]\nappointment_minutes = 60\n"),
        load_entry_points=False,
    )
    assert policy.as_of(london(2025, 1, 1), "croydon").settings.events.notify_within_hours == 1
    at = london(2025, 1, 1, 12)
    event = Event("EV-1", EventKind.PERPETRATOR_RELEASED, at, "V-1", "S-1")

    def notify_due(event: Event) -> datetime:
        outcome = policy.on_event(event, now=at)
        return next(t.due_by for t in outcome.tasks if t.what == "notify-victim")

    assert notify_due(event) == at + timedelta(hours=4)  # no area: not the pilot's hour
    assert notify_due(attrs.evolve(event, area="croydon")) == at + timedelta(hours=1)
    # A call has no area: triaged under the version for every area (120, not 60).
    assert policy.as_of(at, "croydon").settings.triage.appointment_minutes == 60
    triage = policy.triage(Call("CALL-1", at), None, now=at)
    assert triage.appointment_minutes == 120


def test_the_review_prompt_appears_from_the_review_date_and_never_sets_needs_review(
    tmp_path: Path,
) -> None:
    policy = Policy(load(tmp_path, PILOT), load_entry_points=False)
    before = london(2025, 10, 31, 23, 59, 59)
    after = london(2025, 11, 1)
    earlier = policy.assess(incident(before, "bromley"), None, now=before)
    later = policy.assess(incident(after, "bromley"), None, now=after)
    assert [p.rule for p in earlier.prompts] == []
    (prompt,) = later.prompts
    assert (prompt.rule, prompt.source) == (
        "policy.review-overdue",
        "force setting: review_by of policy version dapn-pilot",
    )
    assert prompt.text == (
        "policy version dapn-pilot was due for review by 2025-11-01 00:00 GMT: the force "
        "should confirm that it is still the policy"
    )
    # The review reasons are the case's own (no form here), not the policy's date.
    assert earlier.review_reasons == later.review_reasons
    assert earlier.needs_review == later.needs_review
    # The version for every area has no review date: no prompt there.
    assert policy.assess(incident(after, "kingston"), None, now=after).prompts == ()
    base = Policy(load(tmp_path, "review_by = 2020-01-01\n"), load_entry_points=False)
    at = london(2024, 1, 1)
    assert [p.rule for p in base.assess(incident(at), None, now=at).prompts] == [
        "policy.review-overdue"
    ]


@given(ds.cases(graded=False))
def test_property_a_later_version_changes_no_earlier_decision(case: Case) -> None:
    now = decision_time(case)
    before = Settings(force="Exampleshire", marac=MaracSettings(escalation_months=6))
    after_start = now + timedelta(microseconds=1)
    later = attrs.evolve(
        before,
        versions=[PolicyVersion(after_start, attrs.evolve(before, version="later", series=()))],
    )
    one = Policy(before, load_entry_points=False).assess(case.incident, case.form, now=now)
    two = Policy(later, load_entry_points=False).assess(case.incident, case.form, now=now)
    assert to_json(one) == to_json(two)


# --- the models ------------------------------------------------------------------------------


def test_incident_area_is_a_safe_id_and_round_trips() -> None:
    at = london(2025, 1, 1)
    placed = incident(at, "MPS:croydon")
    assert from_json(Incident, to_json(placed)) == placed
    assert '"area":"MPS:croydon"' in to_json(placed)
    for bad in ("", "two words", "x" * 65, "Sam Example, 42 Wisteria Lane"):
        with pytest.raises(ValidationError) as excinfo:
            incident(at, bad)
        assert [e.path for e in excinfo.value.errors] == ["$.area"]
        assert bad not in str(excinfo.value) or bad == ""


def test_decision_policy_version_round_trips_and_is_a_safe_id(tmp_path: Path) -> None:
    policy = Policy(load(tmp_path, PILOT), load_entry_points=False)
    at = london(2025, 1, 1)
    decision = policy.assess(incident(at, "croydon"), None, now=at)
    assert from_json(Decision, to_json(decision)) == decision
    assert '"policy_version":"dapn-pilot"' in to_json(decision)
    with pytest.raises(ValidationError) as excinfo:
        attrs.evolve(decision, policy_version="not safe")
    assert [e.path for e in excinfo.value.errors] == ["$.policy_version"]
    assert attrs.evolve(decision, policy_version="").policy_version == ""


def test_settings_plugins_block_is_the_same_in_every_version_built_in_python() -> None:
    base = Settings(plugins=PluginSettings(block=("dial",)))
    version = PolicyVersion(date(2024, 1, 1), attrs.evolve(base, version="v2"))
    assert Settings(plugins=base.plugins, versions=[version]).versions == (version,)


# --- the command -------------------------------------------------------------------------


def _run(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "dapolicy", *args],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_command_decides_each_case_under_its_version(tmp_path: Path) -> None:
    """Half the example cases happen in a pilot area; the pilot starts on 1 June 2024."""
    lines = (REPO / "examples" / "cases.jsonl").read_text(encoding="utf-8").splitlines()
    placed = []
    for n, line in enumerate(lines):
        case = json.loads(line)
        case["incident"]["area"] = "croydon" if n % 2 else "kingston"
        placed.append(json.dumps(case))
    (tmp_path / "cases.jsonl").write_text("\n".join(placed) + "\n", encoding="utf-8")
    (tmp_path / "force.toml").write_text(
        "version = 'national'\n[[versions]]\nid = 'pilot'\nfrom = 2024-06-01\n"
        "areas = ['croydon']\n[versions.dash]\nhigh_from = 12\n",
        encoding="utf-8",
    )
    one = _run(tmp_path, "assess", "cases.jsonl", "--policy", "force.toml", "-o", "one.jsonl")
    two = _run(
        tmp_path,
        "assess",
        "cases.jsonl",
        "--policy",
        "force.toml",
        "-o",
        "two.jsonl",
        "--jobs",
        "2",
    )
    assert one.returncode == two.returncode == 0, one.stderr + two.stderr
    written = (tmp_path / "one.jsonl").read_text(encoding="utf-8")
    assert written == (tmp_path / "two.jsonl").read_text(encoding="utf-8")
    policy = Policy.from_toml(tmp_path / "force.toml", load_entry_points=False)
    cases = [from_json(Case, line) for line in placed]
    by_id = {case.incident.id: case for case in cases}
    versions = set()
    for line in written.splitlines():
        decision = from_json(Decision, line)
        case = by_id[decision.incident_id]
        expected = policy.as_of(decision_time(case), case.incident.area)
        assert decision.policy_version == expected.settings.version
        assert decision.policy_fingerprint == expected.fingerprint
        versions.add(decision.policy_version)
    assert versions == {"national", "pilot"}


def test_a_force_plugins_options_change_by_version_too(tmp_path: Path) -> None:
    settings = load(
        tmp_path,
        "[options.force-rules]\nthreshold = 3\nnames = ['a']\n"
        "[[versions]]\nid = 'v2'\nfrom = 2025-01-01\n"
        "[versions.options.force-rules]\nthreshold = 5\n",
    )
    before = settings.as_of(london(2024, 12, 31, 23, 59)).options["force-rules"]
    after = settings.as_of(london(2025, 1, 1)).options["force-rules"]
    assert (dict(before), dict(after)) == (
        {"threshold": 3, "names": ["a"]},
        {"threshold": 5, "names": ["a"]},
    )
