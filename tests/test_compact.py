"""The compact decisions file: nothing lost, and read by verify, explain and export."""

from __future__ import annotations

import json
from pathlib import Path

import attrs
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from dapolicy import to_json
from dapolicy._compact import HEADER, CompactFormError, Compactor, Expander, LineError
from dapolicy.cli import cli
from dapolicy.models import Decision, PluginInfo, Reason
from dapolicy.synth import synthesize
from dapolicy.testing import strategies as ds


def compact(full: list[str]) -> list[str]:
    compactor = Compactor()
    lines = [HEADER]
    for line in full:
        lines += compactor.lines(line)
    return lines


def expand(lines: list[str], name: str = "d.jsonl") -> list[str]:
    form = Expander(name)
    found = (form.full(number, line) for number, line in enumerate(lines, start=1))
    return [line for line in found if line is not None]


#: Text that looks like the compact form's own marks, inside strings.
_TRICKY = st.sampled_from(
    [
        '","source":"x',
        '"source":7',
        "\\",
        '\\"',
        'a\\"source\\":\\"b',
        '","plugins":[{"name":"x"}],"policy_version":"v',
        '","policy_fingerprint":"f',
        '{"dapolicy_compact_decisions":1}',
        '{"define_source":0,"source":"s"}',
        "Zoë \u2028 \t \x00",
    ]
)
_TEXT = st.one_of(_TRICKY, st.text(min_size=1)).filter(lambda t: t.strip() != "")


@st.composite
def _decisions(draw: st.DrawFn) -> Decision:
    decision = draw(ds.decisions())
    reasons = [
        Reason(draw(_TEXT), draw(_TEXT), draw(_TEXT)) for _ in range(draw(st.integers(1, 3)))
    ]
    return attrs.evolve(
        decision,
        incident_id=draw(_TEXT),
        reasons=reasons,
        policy_fingerprint=draw(st.sampled_from(["f1", "f2", ""]) | _TEXT),
    )


@settings(max_examples=30)
@given(st.lists(_decisions(), min_size=1, max_size=4))
def test_compact_then_expanded_is_the_full_form_byte_for_byte(decisions: list[Decision]) -> None:
    full = [to_json(d) for d in decisions]
    lines = compact(full)
    assert expand(lines) == full
    for line in lines:
        json.loads(line)  # every line of a compact file is JSON


def test_each_source_and_plugin_list_is_written_once(tmp_path: Path) -> None:
    from dapolicy import default_policy
    from dapolicy.batch import assess_file

    cases = tmp_path / "cases.jsonl"
    cases.write_text("".join(to_json(case) + "\n" for case in synthesize(30, 5)), "utf-8")
    full = [r.decision for r in assess_file(cases, default_policy()) if r.decision]
    lines = compact(full)
    assert expand(lines) == full
    assert lines[0] == HEADER
    assert sum(line.startswith('{"define_plugins":') for line in lines) == 1
    decisions = [line for line in lines[1:] if not line.startswith('{"define_')]
    assert len(decisions) == len(full)
    assert all('"plugins"' not in line and '"source":"' not in line for line in decisions)
    sources = [json.loads(line) for line in lines if line.startswith('{"define_source":')]
    assert [s["define_source"] for s in sources] == list(range(len(sources)))
    assert len({s["source"] for s in sources}) == len(sources)
    assert sum(map(len, lines)) < 0.8 * sum(map(len, full))


def _decision(**changes: object) -> str:
    from datetime import UTC, datetime

    from dapolicy.models import DomesticAbuseVerdict, RiskGrade

    fields: dict[str, object] = {
        "incident_id": "INC-1",
        "victim_id": "V-1",
        "grade": RiskGrade.HIGH,
        "decided_at": datetime(2024, 1, 1, tzinfo=UTC),
        "domestic_abuse": DomesticAbuseVerdict.DOMESTIC_ABUSE,
        "reasons": [Reason("r", "a source", "t")],
        "policy_fingerprint": "f1",
        "plugins": [PluginInfo("dash", "1.0")],
        "policy_version": "base",
    }
    fields.update(changes)
    return to_json(Decision(**fields))  # type: ignore[arg-type]


def test_a_decision_whose_plugins_differ_from_its_policys_keeps_its_own() -> None:
    one = _decision()
    other = _decision(incident_id="INC-2", plugins=[PluginInfo("dash", "2.0")])
    lines = compact([one, other])
    assert '"plugins"' not in lines[-2]
    assert '"plugins":[{"name":"dash","version":"2.0"}]' in lines[-1]
    assert expand(lines) == [one, other]


def test_files_joined_end_to_end_are_read_whole() -> None:
    one, two = _decision(), _decision(incident_id="INC-2", policy_version="v2")
    assert expand(compact([one]) + compact([two])) == [one, two]


@pytest.mark.parametrize(
    "cut", [lambda ls: ls[1:], lambda ls: ls[2:], lambda ls: [ls[-1]]], ids=["1", "2", "last"]
)
def test_a_compact_file_without_its_header_is_refused(cut: object) -> None:
    lines = compact([_decision(), _decision(incident_id="INC-2")])
    with pytest.raises(CompactFormError, match=r"^d\.jsonl: line 1 is in the compact form"):
        expand(cut(lines))  # type: ignore[operator]


@pytest.mark.parametrize(
    ("broken", "message"),
    [
        ('{"define_source":1,"source":"s"}', "not the definition of source 0"),
        ('{"define_source":true,"source":"s"}', "not the definition of source 0"),
        ('{"define_source":0,"source":"s","x":1}', "other fields"),
        ('{"define_source":0,"source":', "not valid JSON"),
        ('{"rule":"r","source":3,"text":"t"}', "source 3 is cited before it is defined"),
        ('{"rule":"r","source":"s"}', "not a defined source"),
        ('{"dapolicy_compact_decisions":2}', "a compact header of a form"),
    ],
)
def test_a_broken_compact_line_says_why(broken: str, message: str) -> None:
    with pytest.raises(LineError, match=message):
        expand([HEADER, broken])


def test_a_decision_whose_plugin_list_was_never_defined_says_so() -> None:
    lines = compact([_decision()])
    without = [line for line in lines if not line.startswith('{"define_plugins"')]
    with pytest.raises(LineError, match="plug-in list is not defined"):
        expand(without)


# --- the commands -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("compact")
    (folder / "cases.jsonl").write_text(
        "".join(to_json(case) + "\n" for case in synthesize(25, 11)), encoding="utf-8"
    )
    runner = CliRunner()
    for name, extra in (("full", []), ("compact", ["--compact"])):
        argv = ["assess", str(folder / "cases.jsonl"), "-o", str(folder / f"{name}.jsonl")]
        result = runner.invoke(cli, [*argv, "-q", *extra])
        assert result.exit_code == 0, result.output
    lines = (folder / "compact.jsonl").read_text(encoding="utf-8").splitlines()
    (folder / "cut.jsonl").write_text("".join(line + "\n" for line in lines[1:]), "utf-8")
    return folder


def test_assess_compact_is_the_full_run_in_fewer_bytes(run: Path) -> None:
    full = (run / "full.jsonl").read_text(encoding="utf-8").splitlines()
    lines = (run / "compact.jsonl").read_text(encoding="utf-8").splitlines()
    assert lines[0] == HEADER
    assert expand(lines) == full
    assert (run / "compact.jsonl").stat().st_size < 0.8 * (run / "full.jsonl").stat().st_size


def test_verify_reads_both_forms(run: Path) -> None:
    for name in ("full", "compact"):
        argv = ["verify", str(run / "cases.jsonl"), str(run / f"{name}.jsonl")]
        result = CliRunner().invoke(cli, argv)
        assert result.exit_code == 0, result.output
        assert "25 decisions: 25 match, 0 differ" in result.stderr


def test_verify_finds_a_change_in_a_compact_file_by_its_line(run: Path, tmp_path: Path) -> None:
    lines = (run / "compact.jsonl").read_text(encoding="utf-8").splitlines()
    last = json.loads(lines[-1])
    last["repeat_victim"] = not last["repeat_victim"]
    lines[-1] = json.dumps(last, ensure_ascii=False, separators=(",", ":"))
    lines.insert(-1, '{"rule":"r","source":99,"text":"t"}')
    (tmp_path / "changed.jsonl").write_text("".join(line + "\n" for line in lines), "utf-8")
    result = CliRunner().invoke(
        cli, ["verify", str(run / "cases.jsonl"), str(tmp_path / "changed.jsonl")]
    )
    assert result.exit_code == 1
    out = result.stdout.splitlines()
    assert out[0] == (
        f"line {len(lines) - 1} (no incident): a compact line that cannot be read: "
        "source 99 is cited before it is defined: $"
    )
    assert (
        out[1]
        == f"line {len(lines)} (incident {last['incident_id']}): fields differ: $.repeat_victim"
    )


def test_export_reads_both_forms_to_the_same_table(run: Path) -> None:
    tables = []
    for name in ("full", "compact"):
        out = run / f"{name}.csv"
        result = CliRunner().invoke(cli, ["export", str(run / f"{name}.jsonl"), "-o", str(out)])
        assert result.exit_code == 0, result.output
        assert "25 rows, 0 lines rejected" in result.stderr
        tables.append(out.read_bytes())
    assert tables[0] == tables[1]


def test_explain_reads_the_recorded_decision_from_both_forms(run: Path) -> None:
    said = []
    for name in ("full", "compact"):
        argv = ["explain", str(run / "cases.jsonl"), "--line", "7"]
        result = CliRunner().invoke(cli, [*argv, "--decisions", str(run / f"{name}.jsonl")])
        assert result.exit_code == 0, result.output
        first, *rest = result.stdout.splitlines()
        assert first.startswith("Recorded decision: line ")
        assert first.endswith("this policy gives the same decision, byte for byte.")
        said.append(rest)
    alone = CliRunner().invoke(cli, ["explain", str(run / "cases.jsonl"), "--line", "7"])
    assert said[0] == said[1]
    assert said[0][1:] == alone.stdout.splitlines()  # the same explanation, under the line
    argv = ["explain", str(run / "cases.jsonl"), "--line", "7", "--json"]
    both = json.loads(
        CliRunner().invoke(cli, [*argv, "--decisions", str(run / "compact.jsonl")]).stdout
    )
    assert both["recorded"]["same_as_now"] is True
    assert both["decision"] == json.loads(CliRunner().invoke(cli, argv).stdout)["decision"]


@pytest.mark.parametrize(
    "argv",
    [
        ["verify", "{run}/cases.jsonl", "{run}/cut.jsonl"],
        ["export", "{run}/cut.jsonl", "-o", "{run}/cut.csv"],
        ["explain", "{run}/cases.jsonl", "--line", "3", "--decisions", "{run}/cut.jsonl"],
    ],
    ids=["verify", "export", "explain"],
)
def test_a_compact_file_cut_from_its_header_is_exit_2_naming_the_file(
    run: Path, argv: list[str]
) -> None:
    result = CliRunner().invoke(cli, [arg.format(run=run) for arg in argv])
    assert result.exit_code == 2, result.output
    assert f"{run}/cut.jsonl: line 1 is in the compact form" in result.stderr
    assert "compact header" in result.stderr
    assert not (run / "cut.csv").exists()
