"""``dapolicy export``, ``dapolicy checklists`` and ``dapolicy schema``: library and command."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from dapolicy import Decision, Policy, to_json
from dapolicy.checklists import checklists, checklists_data, render_checklists
from dapolicy.cli import cli
from dapolicy.export import COLUMNS, DESTINATION_COLUMNS, row, rows, safe_cell, write_csv
from dapolicy.models import Destination
from dapolicy.plugins.dash import POLICE_ID, POLICE_TO_RIC, RIC_ID
from dapolicy.testing.strategies import decisions

ROOT = Path(__file__).resolve().parent.parent


def read_csv(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text, newline="")))


# --- export ---------------------------------------------------------------------------


@settings(max_examples=50, deadline=None)
@given(st.lists(decisions(), max_size=6))
def test_export_has_one_row_per_decision_in_order(drawn: list[Decision]) -> None:
    out = io.StringIO(newline="")
    assert write_csv(rows(drawn), out) == len(drawn)
    table = read_csv(out.getvalue())
    assert len(table) == len(drawn)
    for decision, line in zip(drawn, table, strict=True):
        assert tuple(line) == COLUMNS
        assert line["incident_id"].lstrip("'") == decision.incident_id
        assert line["grade"] == decision.grade.value
        assert line["needs_review"] == ("yes" if decision.needs_review else "no")
        assert int(line["tasks"]) == len(decision.tasks)
        assert line["policy_version"].lstrip("'") == decision.policy_version
        for column, destination in zip(DESTINATION_COLUMNS, Destination, strict=True):
            assert line[column] == ("yes" if destination in decision.referred_to() else "no")
        if decision.tasks:
            earliest = min(t.due_by.timestamp() for t in decision.tasks)
            assert line["first_due_by"]
            assert line["first_task"].lstrip("'") in {
                t.what for t in decision.tasks if t.due_by.timestamp() == earliest
            }
        else:
            assert line["first_due_by"] == line["first_task"] == ""
        # No cell a spreadsheet would run as a formula.
        assert not any(cell.startswith(("=", "+", "-", "@", "\t", "\r")) for cell in line.values())


@settings(max_examples=50, deadline=None)
@given(st.text(max_size=12))
def test_safe_cell_never_starts_a_formula_and_keeps_the_text(text: str) -> None:
    safe = safe_cell(text)
    assert not safe.startswith(("=", "+", "-", "@", "\t", "\r"))
    assert safe in (text, "'" + text)


@pytest.mark.parametrize("hostile", ['=HYPERLINK("x")', "+1", "-2+3", "@SUM(A1)", "\t=1"])
def test_an_id_that_looks_like_a_formula_is_quoted(hostile: str) -> None:
    decision = _example_decisions()[0]
    import attrs

    line = row(attrs.evolve(decision, incident_id=hostile))
    assert line["incident_id"] == "'" + hostile


def _example_decisions() -> list[Decision]:
    from dapolicy import Case, from_json
    from dapolicy.batch import decision_time

    policy = Policy(load_entry_points=False)
    out = []
    for line in (ROOT / "examples" / "cases.jsonl").read_text(encoding="utf-8").splitlines():
        case = from_json(Case, line)
        out.append(policy.assess(case.incident, case.form, now=decision_time(case)))
    return out


def test_the_example_decisions_as_a_table() -> None:
    table = [row(d) for d in _example_decisions()]
    assert table[0]["graded_by"] == "dash"
    formless = [r for r in table if "form.missing" in r["review_reasons"]]
    assert formless
    assert all(
        r["graded_by"] in {"ungraded", "local-thresholds"} or r["graded_by"] for r in formless
    )
    assert any(r["graded_by"] == "ungraded" for r in formless)


def test_the_export_command(tmp_path: Path) -> None:
    decisions_file = tmp_path / "decisions.jsonl"
    made = _example_decisions()
    decisions_file.write_text(
        "\n".join(to_json(d) for d in made) + "\n\n",
        encoding="utf-8",  # a blank line is skipped
    )
    runner = CliRunner()
    result = runner.invoke(
        cli, ["export", str(decisions_file), "--csv", "-o", str(tmp_path / "d.csv")]
    )
    assert result.exit_code == 0, result.output
    text = (tmp_path / "d.csv").read_bytes().decode("utf-8")
    assert text.startswith(",".join(COLUMNS) + "\r\n")
    assert len(read_csv(text)) == len(made)
    # Standard input and output.
    piped = runner.invoke(cli, ["export", "-"], input=decisions_file.read_text())
    assert piped.exit_code == 0
    assert piped.stdout.replace("\r\n", "\n") == text.replace("\r\n", "\n")


def test_export_reports_a_bad_line_by_number_without_its_content(tmp_path: Path) -> None:
    good = to_json(_example_decisions()[0])
    path = tmp_path / "d.jsonl"
    path.write_text(good + "\n" + '{"incident_id": "Sam Example"}\n' + good + "\n")
    result = CliRunner().invoke(cli, ["export", str(path), "-o", str(tmp_path / "d.csv")])
    assert result.exit_code == 1
    assert "line 2:" in result.stderr
    assert "Sam Example" not in result.stderr
    assert len(read_csv((tmp_path / "d.csv").read_text())) == 2


def test_export_of_a_missing_file_exits_2(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["export", str(tmp_path / "none.jsonl")])
    assert result.exit_code == 2
    assert "cannot read" in result.stderr


# --- checklists -----------------------------------------------------------------------


def test_every_checklist_with_its_items_and_no_wording() -> None:
    policy = Policy(load_entry_points=False)
    sets = checklists(policy)
    assert [qs.id for qs in sets] == sorted(policy.question_sets)
    text = render_checklists(sets)
    data = checklists_data(sets)
    for qs, entry in zip(sets, data, strict=True):
        assert f"{qs.id}: {qs.title} [{len(qs.items)} items]" in text
        assert [item["id"] for item in entry["items"]] == [item.id for item in qs.items]
        assert all(set(item) == {"id", "section", "summary"} for item in entry["items"])
        for item in qs.items:
            assert re.search(rf"^  {re.escape(item.id)} .*{re.escape(item.summary)}$", text, re.M)


def test_a_forces_licensed_wording_is_never_printed() -> None:
    import attrs

    from dapolicy.models import QuestionItem, QuestionSet

    worded = QuestionSet(
        "force-list",
        "A force's list",
        (QuestionItem("1", "short paraphrase", text="THE LICENSED WORDING"),),
    )
    assert "LICENSED" not in render_checklists([worded])
    assert "LICENSED" not in json.dumps(checklists_data([worded]))
    assert attrs.has(QuestionSet)


def test_the_checklists_command() -> None:
    runner = CliRunner()
    text = runner.invoke(cli, ["checklists"])
    assert text.exit_code == 0
    assert "dash-2009-police: DASH 2009" in text.stdout
    as_json = runner.invoke(cli, ["checklists", "--json"])
    assert as_json.exit_code == 0
    ids = [entry["id"] for entry in json.loads(as_json.stdout)]
    assert POLICE_ID in ids
    assert RIC_ID in ids


def test_the_dash_numbering_in_the_docs_is_the_plugins() -> None:
    """docs/checklists.md's DASH table: every police item, its RIC number, its paraphrase."""
    policy = Policy(load_entry_points=False)
    police = policy.question_sets[POLICE_ID]
    doc = (ROOT / "docs" / "checklists.md").read_text(encoding="utf-8")
    table = {
        m.group(1): (m.group(2), m.group(3))
        for m in re.finditer(r"^\| (\d+) \| (\d*) \| ([^|]+?) \|", doc, re.M)
    }
    numbered = [item for item in police.items if item.id.isdigit()]
    assert len(numbered) == 27
    assert set(table) == {item.id for item in numbered}
    for item in numbered:
        ric, summary = table[item.id]
        assert ric == POLICE_TO_RIC.get(item.id, "")
        assert summary == item.summary


# --- schema ---------------------------------------------------------------------------


def test_the_schema_command() -> None:
    runner = CliRunner()
    result = runner.invoke(cli, ["schema", "Case"])
    assert result.exit_code == 0
    schema = json.loads(result.stdout)
    assert schema["title"] == "Case"
    assert schema["additionalProperties"] is False
    unknown = runner.invoke(cli, ["schema", "Nothing"])
    assert unknown.exit_code == 2
    assert "Decision" in unknown.stderr
