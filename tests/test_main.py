"""Example-based tests for ``python -m dapolicy``: load, validate, summarise and assess.

The summary section is pinned line for line. The assessment section depends on the
built-in plug-ins' thresholds (tested elsewhere), so here only its shape and its
book-keeping are pinned: one row per valid incident in the order they happened, totals
that add up, and the count of incidents without a form.
"""

from __future__ import annotations

import json
import runpy
import subprocess
import sys
from pathlib import Path

import attrs
import pytest

import dapolicy.__main__ as cli
from dapolicy import Incident, Outcome, from_json, to_json

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples" / "incidents.jsonl"
FORMS = ROOT / "examples" / "forms.jsonl"
EXAMPLE_LINES = EXAMPLES.read_text(encoding="utf-8").splitlines()
SECRET = "Zed-Secret-Value-4711"
USAGE = "usage: python -m dapolicy INCIDENTS.jsonl [--forms FORMS.jsonl]"

EXAMPLE_SUMMARY = [
    "read 13 records: 13 valid, 0 rejected",
    "  crimes: 7, non-crime incidents: 6",
    "  with children present or usually resident: 4",
    "  victims: 10, with more than one incident: 2",
    "  domestic_abuse: 10",
    "  child_safeguarding: 1",
    "  not_domestic: 1",
    "  undetermined: 1",
]


def write(tmp_path: Path, lines: list[str], name: str = "incidents.jsonl") -> Path:
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def bad_record() -> str:
    data = json.loads(EXAMPLE_LINES[0])
    data["children"][0]["age"] = "5"
    data["victim"]["nickname"] = SECRET
    return json.dumps(data)


def split(out: str) -> tuple[list[str], list[str]]:
    """The output before the assessment, and the assessment."""
    lines = out.splitlines()
    [start] = [n for n, line in enumerate(lines) if line.startswith("assessed with ")]
    return lines[:start], lines[start:]


def read_count(lines: list[str]) -> tuple[int, int, int]:
    """(records, valid, rejected) from the summary's first line."""
    [line] = [line for line in lines if line.startswith("read ")]
    words = line.replace(":", "").replace(",", "").split()
    return int(words[1]), int(words[3]), int(words[5])


def check_assessment(section: list[str], lines: list[str], *, with_forms: int = 0) -> None:
    """One row per valid incident, in the order they happened; totals that add up."""
    incidents = [from_json(Incident, line) for line in lines]
    assert section[0].startswith("assessed with <Policy ")
    rows, totals = section[1:-3], section[-3:]
    expected = sorted(incidents, key=lambda i: (i.occurred_at, i.id))
    assert [row.split()[0] for row in rows] == [i.id for i in expected]
    grades = [row.split()[1] for row in rows]
    assert set(grades) <= {"standard", "medium", "high"}
    assert totals[0] == "grades: " + ", ".join(
        f"{g} {grades.count(g)}" for g in ("standard", "medium", "high")
    )
    assert totals[1].startswith("referrals: ")
    review = sum("needs review" in row for row in rows)
    assert totals[2] == (
        f"needs review: {review} of {len(incidents)}; "
        f"without a risk form: {len(incidents) - with_forms}"
    )


# --- the example file ------------------------------------------------------------------


def test_example_file(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main([str(EXAMPLES)]) == 0
    captured = capsys.readouterr()
    summary, assessment = split(captured.out)
    assert summary == EXAMPLE_SUMMARY
    check_assessment(assessment, EXAMPLE_LINES)
    assert captured.err == ""


def test_example_file_via_python_dash_m() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "dapolicy", "examples/incidents.jsonl"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    summary, assessment = split(result.stdout)
    assert summary == EXAMPLE_SUMMARY
    check_assessment(assessment, EXAMPLE_LINES)
    assert result.stderr == ""


def test_example_file_with_forms(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main([str(EXAMPLES), "--forms", str(FORMS)]) == 0
    summary, assessment = split(capsys.readouterr().out)
    assert summary == [*EXAMPLE_SUMMARY, f"forms from {FORMS}:", "  read 9 forms: 0 rejected"]
    check_assessment(assessment, EXAMPLE_LINES, with_forms=9)


def test_module_runs_as_main(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(sys, "argv", ["dapolicy", str(EXAMPLES)])
    with pytest.raises(SystemExit) as excinfo:
        runpy.run_path(cli.__file__, run_name="__main__")
    assert excinfo.value.code == 0
    assert split(capsys.readouterr().out)[0] == EXAMPLE_SUMMARY


def test_argv_defaults_to_sys_argv(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(sys, "argv", ["dapolicy", str(EXAMPLES)])
    assert cli.main() == 0
    assert split(capsys.readouterr().out)[0] == EXAMPLE_SUMMARY


# --- rejected lines --------------------------------------------------------------------


def test_bad_lines_are_reported_counted_and_nothing_is_lost(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = [
        EXAMPLE_LINES[0],  # 1: valid, a crime, children in the household
        "{not json",  # 2: malformed
        "",  # 3: blank, skipped
        "   ",  # 4: white space only, skipped
        bad_record(),  # 5: two problems
        EXAMPLE_LINES[7],  # 6: valid, not domestic
        "[]",  # 7: not an object
    ]
    assert cli.main([str(write(tmp_path, lines))]) == 1
    captured = capsys.readouterr()
    assert captured.err == ""
    summary, assessment = split(captured.out)
    assert summary == [
        "line 2: rejected, invalid Incident: 1 problem",
        "  not valid JSON: Expecting property name enclosed in double quotes "
        "(line 1, column 2) @ $",
        "line 5: rejected, invalid Incident: 2 problems",
        "  victim.nickname: unknown field @ $.victim.nickname",
        "  children[0].age: expected a whole number, got a string @ $.children[0].age",
        "line 7: rejected, invalid Incident: 1 problem",
        "  expected an object, got an array @ $",
        "read 5 records: 2 valid, 3 rejected",
        "  crimes: 1, non-crime incidents: 1",
        "  with children present or usually resident: 1",
        "  victims: 2, with more than one incident: 0",
        "  domestic_abuse: 1",
        "  not_domestic: 1",
    ]
    records, valid, rejected = read_count(summary)
    assert valid + rejected == records == sum(1 for line in lines if line.strip())
    check_assessment(assessment, [EXAMPLE_LINES[0], EXAMPLE_LINES[7]])
    assert SECRET not in captured.out


def test_every_line_rejected(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main([str(write(tmp_path, ["{", "null"]))]) == 1
    summary, assessment = split(capsys.readouterr().out)
    assert summary[0] == "line 1: rejected, invalid Incident: 1 problem"
    assert summary[2] == "line 2: rejected, invalid Incident: 1 problem"
    assert summary[4:] == [
        "read 2 records: 0 valid, 2 rejected",
        "  crimes: 0, non-crime incidents: 0",
        "  with children present or usually resident: 0",
        "  victims: 0, with more than one incident: 0",
    ]
    check_assessment(assessment, [])


def test_blank_lines_are_skipped_but_keep_the_numbering(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = ["", EXAMPLE_LINES[1], "\t", "", "oops", "", EXAMPLE_LINES[2], ""]
    assert cli.main([str(write(tmp_path, lines))]) == 1
    summary, _ = split(capsys.readouterr().out)
    assert summary[0] == "line 5: rejected, invalid Incident: 1 problem"
    assert summary[2] == "read 3 records: 2 valid, 1 rejected"
    assert summary[5] == "  victims: 1, with more than one incident: 1"


@pytest.mark.parametrize("content", ["", "\n\n  \n\t\n"], ids=["empty", "only blank lines"])
def test_no_records(tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str) -> None:
    path = tmp_path / "empty.jsonl"
    path.write_text(content, encoding="utf-8")
    assert cli.main([str(path)]) == 0
    summary, assessment = split(capsys.readouterr().out)
    assert summary == [
        "read 0 records: 0 valid, 0 rejected",
        "  crimes: 0, non-crime incidents: 0",
        "  with children present or usually resident: 0",
        "  victims: 0, with more than one incident: 0",
    ]
    check_assessment(assessment, [])


def test_windows_line_endings(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "crlf.jsonl"
    path.write_bytes(("\r\n".join(EXAMPLE_LINES) + "\r\n").encode("utf-8"))
    assert cli.main([str(path)]) == 0
    assert split(capsys.readouterr().out)[0] == EXAMPLE_SUMMARY


def test_a_bad_form_line_is_reported_and_counted(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    form_lines = FORMS.read_text(encoding="utf-8").splitlines()
    broken = json.loads(form_lines[1])
    broken["answers"]["1"] = SECRET
    forms = write(tmp_path, [form_lines[0], json.dumps(broken), "", form_lines[2]], "forms.jsonl")
    assert cli.main([str(EXAMPLES), "--forms", str(forms)]) == 1
    captured = capsys.readouterr()
    summary, assessment = split(captured.out)
    assert summary == [
        *EXAMPLE_SUMMARY,
        f"forms from {forms}:",
        "line 2: rejected, invalid RiskForm: 1 problem",
        "  answers['1']: must be one of: yes, no, not_known, declined @ $.answers['1']",
        "  read 3 forms: 1 rejected",
    ]
    check_assessment(assessment, EXAMPLE_LINES, with_forms=2)
    assert SECRET not in captured.out


def test_summarise_returns_the_rejected_count() -> None:
    out: list[str] = []
    assert cli.summarise([EXAMPLE_LINES[5], "x", EXAMPLE_LINES[6], ""], out) == 1
    assert out == [
        "line 2: rejected, invalid Incident: 1 problem\n"
        "  not valid JSON: Expecting value (line 1, column 1) @ $",
        "read 3 records: 2 valid, 1 rejected",
        "  crimes: 1, non-crime incidents: 1",
        "  with children present or usually resident: 0",
        "  victims: 2, with more than one incident: 0",
        "  domestic_abuse: 1",
        "  child_safeguarding: 1",
    ]


def test_summarise_lists_only_verdicts_that_occur() -> None:
    out: list[str] = []
    assert cli.summarise([EXAMPLE_LINES[9]], out) == 0
    assert out[-1] == "  undetermined: 1"
    assert not any(line.startswith("  domestic_abuse") for line in out)


def test_a_line_separator_inside_a_string_does_not_split_the_record(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    incident = from_json(Incident, EXAMPLE_LINES[0])
    assert incident.crime is not None
    crime = attrs.evolve(
        incident.crime,
        outcome=Outcome.NO_FURTHER_ACTION,
        outcome_rationale="Victim withdrew support.\u2028Evidence-led prosecution not viable.",
    )
    line = to_json(attrs.evolve(incident, crime=crime))
    assert from_json(Incident, line).crime == crime  # the record itself is valid
    assert "\n" not in line  # and one line of JSON Lines
    path = write(tmp_path, [line, EXAMPLE_LINES[1]])
    status = cli.main([str(path)])
    out = capsys.readouterr().out
    assert out.splitlines()[0] == "read 2 records: 2 valid, 0 rejected"
    assert status == 0


# --- usage and unreadable files --------------------------------------------------------


@pytest.mark.parametrize(
    ("argv", "error"),
    [
        ([], "the following arguments are required: incidents"),
        (["a.jsonl", "b.jsonl"], "unrecognized arguments: b.jsonl"),
        (["a.jsonl", "--forms"], "argument --forms: expected one argument"),
        (["a.jsonl", "--verbose"], "unrecognized arguments: --verbose"),
    ],
    ids=["no args", "two files", "--forms without a file", "unknown option"],
)
def test_usage_errors(argv: list[str], error: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(argv) == 2
    captured = capsys.readouterr()
    assert captured.err.splitlines() == [USAGE, f"python -m dapolicy: error: {error}"]
    assert captured.out == ""


def test_no_args_from_sys_argv(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(sys, "argv", ["dapolicy"])
    assert cli.main() == 2
    assert capsys.readouterr().err.splitlines()[0] == USAGE


@pytest.mark.parametrize("flag", ["-h", "--help"])
def test_help(flag: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main([flag]) == 0
    captured = capsys.readouterr()
    assert captured.out.splitlines()[0] == USAGE
    assert "--forms" in captured.out
    assert captured.err == ""


def test_missing_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "nope.jsonl"
    assert cli.main([str(missing)]) == 2
    captured = capsys.readouterr()
    assert captured.err == f"dapolicy: cannot read {missing}: FileNotFoundError\n"
    assert captured.out == ""


def test_missing_forms_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "forms.jsonl"
    assert cli.main([str(EXAMPLES), "--forms", str(missing)]) == 2
    captured = capsys.readouterr()
    assert captured.err == f"dapolicy: cannot read {missing}: FileNotFoundError\n"
    assert captured.out == ""


def test_a_directory(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main([str(tmp_path)]) == 2
    assert capsys.readouterr().err == f"dapolicy: cannot read {tmp_path}: IsADirectoryError\n"


def test_a_file_that_is_not_utf8(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "latin1.jsonl"
    path.write_bytes(b'{"name": "Jos\xe9"}\n')
    assert cli.main([str(path)]) == 2
    captured = capsys.readouterr()
    assert captured.err == f"dapolicy: cannot read {path}: UnicodeDecodeError\n"
    assert "Jos" not in captured.err
    assert captured.out == ""
