"""Recommendation 4: the audit reports work by staff without the training it requires.

The register's rules at their boundaries (a course completed on the incident's day, on
the last valid day and the day after, an officer not in the register, a role that
requires nothing), the audit's counts for attendances and investigations, the text,
JSON and HTML outputs, the ``--training`` option of ``dapolicy audit``, and a property:
an officer not in the register is never counted as trained, and every case in a role is
counted exactly once.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from dapolicy import (
    AbuseType,
    Case,
    Crime,
    Incident,
    OffenceCategory,
    Person,
    Policy,
    Relationship,
    RelationshipKind,
)
from dapolicy.audit import audit, render_html, render_text
from dapolicy.cli import cli
from dapolicy.errors import ValidationError
from dapolicy.models import (
    CaseRole,
    CourseRecord,
    OfficerTraining,
    RoleRequirement,
    TrainingRegister,
    TrainingStatus,
)
from dapolicy.serialization import from_json, to_json
from dapolicy.testing import strategies as ds

#: 23:30 UTC on 1 July 2024 is 00:30 BST on 2 July: the London day is the 2nd.
LATE = datetime(2024, 7, 1, 23, 30, tzinfo=UTC)
FIRST_RESPONSE, INVESTIGATION = "da-first-response", "da-investigation"
POLICY = Policy(load_entry_points=False)
REGISTER = TrainingRegister(
    [
        RoleRequirement(CaseRole.ATTENDING, {FIRST_RESPONSE}),
        RoleRequirement(CaseRole.INVESTIGATING, {FIRST_RESPONSE, INVESTIGATION}),
    ],
    [
        OfficerTraining("PC-OLD", [CourseRecord(FIRST_RESPONSE, date(2019, 3, 1))]),
        OfficerTraining("PC-TODAY", [CourseRecord(FIRST_RESPONSE, date(2024, 7, 2))]),
        OfficerTraining("PC-YESTERDAY", [CourseRecord(FIRST_RESPONSE, date(2024, 7, 1))]),
        OfficerTraining(
            "PC-LAPSING", [CourseRecord(FIRST_RESPONSE, date(2021, 7, 2), date(2024, 7, 2))]
        ),
        OfficerTraining(
            "PC-LAPSED", [CourseRecord(FIRST_RESPONSE, date(2021, 7, 1), date(2024, 7, 1))]
        ),
        OfficerTraining("PC-NONE"),
        OfficerTraining(
            "DC-1",
            [
                CourseRecord(FIRST_RESPONSE, date(2018, 1, 1)),
                CourseRecord(INVESTIGATION, date(2020, 1, 1)),
            ],
        ),
    ],
)


def status(officer: str, role: CaseRole = CaseRole.ATTENDING) -> TrainingStatus:
    return REGISTER.status(officer, role, LATE.astimezone(UTC).date() + timedelta(days=1)).status


def case(n: int, officer: str | None, investigator: str | None = None, crime: bool = True) -> Case:
    at = LATE + timedelta(minutes=n)
    return Case(
        Incident(
            f"INC-{n}",
            at,
            at,
            Person(f"V-{n}", date_of_birth=date(1990, 1, 1)),
            Person(f"S-{n}", date_of_birth=date(1990, 1, 1)),
            Relationship(RelationshipKind.INTIMATE_PARTNER),
            {AbuseType.PHYSICAL},
            attending_officer=officer,
            crime=Crime(f"CR-{n}", OffenceCategory.COMMON_ASSAULT, investigator=investigator)
            if crime
            else None,
        )
    )


# --- the register's rules ---------------------------------------------------------------


def test_a_course_counts_from_the_day_after_it_was_completed() -> None:
    assert status("PC-TODAY") is TrainingStatus.NOT_TRAINED  # completed on the day
    assert status("PC-YESTERDAY") is TrainingStatus.TRAINED
    assert status("PC-OLD") is TrainingStatus.TRAINED


def test_a_course_is_valid_to_the_end_of_its_last_day() -> None:
    assert status("PC-LAPSING") is TrainingStatus.TRAINED
    lapsed = REGISTER.status("PC-LAPSED", CaseRole.ATTENDING, date(2024, 7, 2))
    assert lapsed.status is TrainingStatus.EXPIRED
    assert lapsed.missing == {FIRST_RESPONSE}


def test_an_officer_not_in_the_register_is_not_known_never_trained() -> None:
    assert status("PC-UNKNOWN") is TrainingStatus.NOT_KNOWN
    assert status("PC-NONE") is TrainingStatus.NOT_TRAINED


def test_each_role_needs_its_own_courses() -> None:
    assert status("PC-OLD", CaseRole.INVESTIGATING) is TrainingStatus.NOT_TRAINED
    assert status("DC-1", CaseRole.INVESTIGATING) is TrainingStatus.TRAINED
    nothing = TrainingRegister([], [OfficerTraining("PC-NONE")])
    assert nothing.status("PC-NONE", CaseRole.ATTENDING, date(2024, 1, 1)).status is (
        TrainingStatus.TRAINED
    )


def test_a_missing_course_outranks_a_lapsed_one() -> None:
    register = TrainingRegister(
        [RoleRequirement(CaseRole.INVESTIGATING, {FIRST_RESPONSE, INVESTIGATION})],
        [
            OfficerTraining(
                "DC-2", [CourseRecord(FIRST_RESPONSE, date(2020, 1, 1), date(2021, 1, 1))]
            )
        ],
    )
    check = register.status("DC-2", CaseRole.INVESTIGATING, date(2024, 1, 1))
    assert check.status is TrainingStatus.NOT_TRAINED
    assert check.missing == {FIRST_RESPONSE, INVESTIGATION}


def test_a_bad_register_names_every_field() -> None:
    with pytest.raises(ValidationError) as raised:
        CourseRecord("da course", date(2024, 1, 2), date(2024, 1, 1))
    assert sorted(e.path for e in raised.value.errors) == ["$.course", "$.valid_until"]
    with pytest.raises(ValidationError) as raised:
        TrainingRegister(
            [
                RoleRequirement(CaseRole.ATTENDING, set()),
                RoleRequirement(CaseRole.ATTENDING, {"x"}),
            ],
            [OfficerTraining("PC-1"), OfficerTraining("PC-1")],
        )
    assert sorted(e.path for e in raised.value.errors) == ["$.officers", "$.requirements"]


def test_the_register_round_trips_and_its_schema_names_its_fields() -> None:
    assert from_json(TrainingRegister, to_json(REGISTER)) == REGISTER
    data = json.loads(to_json(REGISTER))
    assert set(data) == {"requirements", "officers"}
    assert data["officers"][3]["courses"][0] == {
        "course": FIRST_RESPONSE,
        "completed_on": "2021-07-02",
        "valid_until": "2024-07-02",
    }


# --- the audit --------------------------------------------------------------------------

CASES = [
    case(0, "PC-OLD", "DC-1"),
    case(1, "PC-TODAY", "PC-OLD"),
    case(2, "PC-LAPSED", None),
    case(3, "PC-UNKNOWN", "DC-UNKNOWN"),
    case(4, None, "DC-1"),
    case(5, "PC-YESTERDAY", crime=False),
]


def test_the_audit_counts_each_role() -> None:
    report = audit(CASES, training=REGISTER)
    assert report.training is not None
    attending, investigating = report.training
    assert (attending.role, investigating.role) == (CaseRole.ATTENDING, CaseRole.INVESTIGATING)
    assert (
        attending.total,
        attending.trained,
        attending.not_trained,
        attending.expired,
        attending.not_known,
        attending.not_recorded,
    ) == (6, 2, 1, 1, 1, 1)
    assert (attending.untrained.count, attending.untrained.total) == (2, 5)
    assert [(g.course, g.count) for g in attending.gaps] == [(FIRST_RESPONSE, 2)]
    assert (
        investigating.total,
        investigating.trained,
        investigating.not_trained,
        investigating.not_known,
        investigating.not_recorded,
    ) == (5, 2, 1, 1, 1)
    assert [(g.course, g.count) for g in investigating.gaps] == [(INVESTIGATION, 1)]


def test_without_a_register_there_is_no_training_section() -> None:
    report = audit(CASES)
    assert report.training is None
    assert "Training" not in render_text(report)
    assert "recommendation 4" not in render_html(report)


def test_text_json_and_html_report_it_with_small_counts_flagged() -> None:
    report = audit(CASES, training=REGISTER)
    text = render_text(report)
    line = next(li for li in text.splitlines() if li.startswith("Attendances by staff without"))
    assert line.endswith("2 of 5 with an officer recorded (1 lapsed) (small count)")
    assert "not known, counted apart and never as trained" in text
    data = json.loads(to_json(report))
    assert data["training"][0]["not_known"] == 1
    page = render_html(report)
    assert "Training (recommendation 4)" in page
    assert 'id="chart-training-attending"' in page
    assert "Of 6 attendances; the share without training is of the 5 with an officer" in page
    for officer in ("PC-OLD", "PC-UNKNOWN", "DC-1"):  # counts only: no officer's id
        assert officer not in text
        assert officer not in page
        assert officer not in to_json(report)


def test_the_command_reads_a_register(tmp_path: Path) -> None:
    cases = tmp_path / "cases.jsonl"
    cases.write_text("".join(to_json(c) + "\n" for c in CASES), encoding="utf-8")
    register = tmp_path / "training.json"
    register.write_text(to_json(REGISTER), encoding="utf-8")
    out = tmp_path / "audit.json"
    result = CliRunner().invoke(
        cli, ["audit", str(cases), "--training", str(register), "--json", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert "Attendances by staff without the required training" in result.output
    assert json.loads(out.read_text(encoding="utf-8"))["training"][1]["role"] == "investigating"
    register.write_text('{"requirements": [{"role": "driving", "courses": []}]}', encoding="utf-8")
    result = CliRunner().invoke(cli, ["audit", str(cases), "--training", str(register)])
    assert result.exit_code == 2
    assert "requirements[0].role" in result.output
    assert "Traceback" not in result.output


@settings(max_examples=25)
@given(
    register=ds.training_registers(),
    officers=st.lists(
        st.sampled_from(["PC-000", "PC-001", "PC-002", "PC-404", None]), min_size=1, max_size=6
    ),
)
def test_property_every_case_is_counted_once_and_unknown_is_never_trained(
    register: TrainingRegister, officers: list[str | None]
) -> None:
    cases = [case(n, officer, officer) for n, officer in enumerate(officers)]
    report = audit(cases, training=register, policy=POLICY)
    assert report.training is not None
    known = {o.officer_id for o in register.officers}
    for counts in report.training:
        parts = (
            counts.trained
            + counts.not_trained
            + counts.expired
            + counts.not_known
            + counts.not_recorded
        )
        assert parts == counts.total == len(cases)
        unknown = sum(o is not None and o not in known for o in officers)
        assert counts.not_known == unknown
        assert counts.trained <= sum(o in known for o in officers)


def test_a_register_of_thousands_of_officers_reads_with_each_problem_at_its_path() -> None:
    from dapolicy.audit import read_training_register

    officers = [{"officer_id": f"PC-{n:04d}", "courses": []} for n in range(1500)]
    data = {"requirements": [{"role": "attending", "courses": [FIRST_RESPONSE]}]}
    register = read_training_register(json.dumps({**data, "officers": officers}).encode())
    assert len(register.officers) == 1500
    assert read_training_register(to_json(REGISTER)) == REGISTER
    officers[1204]["courses"] = [{"course": "a course", "completed_on": "2024-13-01"}]
    with pytest.raises(ValidationError) as raised:
        read_training_register(json.dumps({**data, "officers": officers, "extra": 1}))
    paths = sorted(e.path for e in raised.value.errors)
    assert paths == ["$", "$.officers[1204].courses[0].completed_on"], paths
    for text, words in (("[]", "must be an object"), ("{", "not JSON"), ("{}", "required")):
        with pytest.raises(ValidationError, match=words):
            read_training_register(text)


def test_each_training_chart_has_its_heading() -> None:
    page = render_html(audit(CASES, training=REGISTER, policy=POLICY))
    assert '<p class="chart">Attendances by the officer' in page
    assert '<p class="chart">Investigations by the officer' in page
