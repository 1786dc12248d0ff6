"""The command's files, run for real: outputs that are inputs, modes, whole-or-nothing
outputs, long lines, strict and redacted rejects, the standard streams and Ctrl-C.

Each test runs the installed command in a subprocess, as ``tests/test_cli.py`` does
(its helpers are reused), and checks what a user would find on disk afterwards.
"""

from __future__ import annotations

import hashlib
import importlib.util
import io
import json
import os
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st


def _load_helpers() -> ModuleType:
    name = "cli_test_helpers"
    if name not in sys.modules:
        path = Path(__file__).with_name("test_cli.py")
        spec = importlib.util.spec_from_file_location(name, path)
        assert spec is not None
        assert spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


h = _load_helpers()
run, run_argv, EXAMPLES = h.run, h.run_argv, h.EXAMPLES
synth_all, synth_decisions = h.synth_all, h.synth_decisions  # the shared fixtures


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def files_in(folder: Path) -> set[str]:
    return {p.name for p in folder.iterdir()}


def strict_json(text: str) -> Any:
    """Parse ``text`` as strict JSON: bare NaN or Infinity is an error."""

    def refuse(name: str) -> Any:
        raise ValueError(f"bare {name}")

    return json.loads(text, parse_constant=refuse)


@pytest.fixture
def cases(tmp_path: Path) -> Path:
    """The examples, with one line that is rejected (line 14)."""
    path = tmp_path / "in.jsonl"
    path.write_bytes(EXAMPLES.read_bytes() + b'{"incident": 1}\n')
    return path


# --- an output that is an input (issue 9, item 1) ---------------------------------------


@pytest.mark.parametrize(
    ("argv", "options"),
    [
        (["assess", "in.jsonl", "-o", "in.jsonl"], ["--output", "INPUT"]),
        (["assess", "in.jsonl", "-o", "./in.jsonl"], ["--output", "INPUT"]),
        (["assess", "in.jsonl", "-o", "link.jsonl"], ["--output", "INPUT"]),
        (["assess", "in.jsonl", "-o", "hard.jsonl"], ["--output", "INPUT"]),
        (
            ["assess", "in.jsonl", "-o", "d.jsonl", "--jobs", "2", "--rejects", "in.jsonl"],
            ["--rejects", "INPUT"],
        ),
        (["assess", "in.jsonl", "--jobs", "2", "-o", "in.jsonl"], ["--output", "INPUT"]),
        (
            ["assess", "in.jsonl", "-o", "d.jsonl", "--rejects", "./d.jsonl"],
            ["--rejects", "--output"],
        ),
        (
            ["assess", "in.jsonl", "-o", "d.jsonl", "--summary-json", "in.jsonl"],
            ["--summary-json", "INPUT"],
        ),
        (["assess", "in.jsonl", "--rejects", "-"], ["--rejects", "--output"]),
        (["audit", "in.jsonl", "--rejects", "in.jsonl"], ["--rejects", "INPUT"]),
        (["audit", "in.jsonl", "--html", "link.jsonl"], ["--html", "INPUT"]),
        (["audit", "in.jsonl", "--json", "hard.jsonl"], ["--json", "INPUT"]),
        (["audit", "in.jsonl", "--json", "r.json", "--html", "r.json"], ["--html", "--json"]),
        (["synth", "3", "-o", "t.json", "--totals", "t.json"], ["--totals", "--output"]),
        (["export", "in.jsonl", "-o", "link.jsonl"], ["--output", "DECISIONS"]),
    ],
)
def test_an_output_that_is_an_input_or_another_output_is_refused(
    tmp_path: Path, cases: Path, argv: list[str], options: list[str]
) -> None:
    (tmp_path / "link.jsonl").symlink_to("in.jsonl")
    os.link(cases, tmp_path / "hard.jsonl")
    before, names = digest(cases), files_in(tmp_path)
    result = run(*argv, cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    assert "are the same file" in result.stderr
    for option in options:
        assert option in result.stderr
    assert "Traceback" not in result.stderr
    assert digest(cases) == before
    assert files_in(tmp_path) == names  # nothing made, not even a temporary file
    assert result.stdout == ""


def test_an_output_redirected_from_the_input_through_stdin_is_refused(
    tmp_path: Path, cases: Path
) -> None:
    before = digest(cases)
    with cases.open("rb") as stdin:
        result = subprocess.run(
            [sys.executable, "-m", "dapolicy", "assess", "-", "-o", "in.jsonl"],
            cwd=tmp_path,
            stdin=stdin,
            capture_output=True,
            timeout=h.TIMEOUT,
            check=False,
        )
    assert result.returncode == 2
    assert b"standard input" in result.stderr
    assert digest(cases) == before


def test_two_names_for_dev_null_are_not_a_clash(tmp_path: Path, cases: Path) -> None:
    result = run("assess", cases, "-o", "/dev/null", "--rejects", "/dev/null", cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    assert "14 = 13 + 1: nothing lost" in result.stderr


# --- outputs: mode 0600, whole or not at all (items 1 and 12) --------------------------


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_every_output_is_created_mode_0600(tmp_path: Path, cases: Path) -> None:
    old = tmp_path / "d.jsonl"
    old.write_text("yesterday\n", encoding="utf-8")
    old.chmod(0o644)  # an earlier file readable by all is replaced by a private one
    assess = run("assess", cases, "-o", "d.jsonl", "--summary-json", "s.json", cwd=tmp_path)
    assert assess.returncode == 1, assess.stderr
    audit = run("audit", cases, "--html", "a.html", "--json", "a.json", cwd=tmp_path)
    assert audit.returncode == 1, audit.stderr
    synth = run("synth", "3", "-o", "c.jsonl", "--totals", "t.json", cwd=tmp_path)
    assert synth.returncode == 0, synth.stderr
    export = run("export", "d.jsonl", "-o", "d.csv", cwd=tmp_path)
    assert export.returncode == 0, export.stderr
    made = [
        "d.jsonl",
        "d.rejects.jsonl",
        "s.json",
        "a.html",
        "a.json",
        "audit.rejects.jsonl",
        "c.jsonl",
        "t.json",
        "d.csv",
    ]
    for name in made:
        assert mode(tmp_path / name) == 0o600, name
    assert (tmp_path / "d.jsonl").read_text(encoding="utf-8") != "yesterday\n"
    assert not list(tmp_path.glob(".*.part"))


def test_a_failed_run_leaves_the_previous_outputs_as_they_were(tmp_path: Path) -> None:
    # The disk fills at line 5, after every output was begun (an OSError there is not
    # a reject: it is the run failing).
    lines = EXAMPLES.read_bytes().splitlines(keepends=True)
    (tmp_path / "in.jsonl").write_bytes(b"".join(lines))
    (tmp_path / "d.jsonl").write_text("yesterday\n", encoding="utf-8")
    (tmp_path / "crash.py").write_text(
        "import sys\n"
        "import dapolicy.batch as batch\n"
        "import dapolicy.cli._assess as command\n"
        "real = batch.assess_line\n"
        "def crash(policy, history, number, raw):\n"
        "    if number == 5:\n"
        "        raise OSError(28, 'No space left on device')\n"
        "    return real(policy, history, number, raw)\n"
        "command.assess_line = batch.assess_line = crash  # wherever the command calls it\n"
        "from dapolicy.cli import cli\n"
        "cli.main(args=sys.argv[1:], prog_name='dapolicy')\n",
        encoding="utf-8",
    )
    result = run_argv(
        [
            sys.executable,
            "crash.py",
            "assess",
            "in.jsonl",
            "-o",
            "d.jsonl",
            "--rejects",
            "r.jsonl",
        ],
        cwd=tmp_path,
    )
    assert result.returncode != 0
    assert (tmp_path / "d.jsonl").read_text(encoding="utf-8") == "yesterday\n"
    assert not (tmp_path / "r.jsonl").exists()
    assert not list(tmp_path.glob(".*.part"))


def test_a_stale_default_rejects_file_is_replaced_not_left(tmp_path: Path) -> None:
    (tmp_path / "d.rejects.jsonl").write_text('{"line": 9}\n', encoding="utf-8")
    result = run("assess", EXAMPLES, "-o", "d.jsonl", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "d.rejects.jsonl").read_bytes() == b""


def test_a_named_rejects_file_is_made_even_when_nothing_is_rejected(tmp_path: Path) -> None:
    result = run("assess", EXAMPLES, "-o", "d.jsonl", "--rejects", "r.jsonl", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "r.jsonl").read_bytes() == b""


def test_decisions_to_dev_null_make_no_dev_null_rejects(tmp_path: Path, cases: Path) -> None:
    stray = Path("/dev/null.rejects.jsonl")
    existed = stray.exists()
    try:
        result = run("assess", cases, "-o", "/dev/null", cwd=tmp_path)
        assert result.returncode == 1, result.stderr
        assert existed or not stray.exists()
        (reject,) = h.rejects_in(tmp_path / "rejects.jsonl")
        assert reject["line"] == 14
    finally:
        if not existed and stray.exists():  # left by the old code: tidy up
            stray.unlink()


# --- long lines and strict rejects (items 11 and 12) -----------------------------------


def test_a_line_longer_than_the_limit_is_rejected_and_the_run_goes_on(tmp_path: Path) -> None:
    lines = EXAMPLES.read_text(encoding="utf-8").splitlines()
    long = json.loads(lines[2])
    long["incident"]["victim"]["name"] = "x" * 5_000
    text = [*lines[:3], json.dumps(long), *lines[3:]]
    (tmp_path / "in.jsonl").write_text("\n".join(text) + "\n", encoding="utf-8")
    limit = max(len(line.encode()) for line in lines)
    for command in (["assess", "-o", "d.jsonl"], ["audit"]):
        result = run(command[0], "in.jsonl", *command[1:], "--max-line-bytes", limit, cwd=tmp_path)
        assert result.returncode == 1, result.stderr
        assert "14 lines = 13 cases + 1 rejected" in result.stderr or (
            "14 = 13 + 1: nothing lost" in result.stderr
        )
    (reject,) = h.rejects_in(tmp_path / "d.rejects.jsonl")
    assert reject == {
        "line": 4,
        "record": None,
        "errors": [{"path": "$", "message": f"line longer than {limit} bytes: not read"}],
    }
    (audited,) = h.rejects_in(tmp_path / "audit.rejects.jsonl")
    assert audited == reject
    decided = h.decisions_in((tmp_path / "d.jsonl").read_text(encoding="utf-8"))
    assert [d.incident_id for d in decided] == [json.loads(x)["incident"]["id"] for x in lines]


class _Reader(io.BytesIO):
    """Records the longest piece a reader was ever handed."""

    longest = 0

    def readline(self, size: int | None = -1) -> bytes:
        piece = super().readline(size)
        self.longest = max(self.longest, len(piece))
        return piece


def test_a_long_line_is_skipped_in_bounded_pieces() -> None:
    from dapolicy.cli._files import bounded_lines

    source = _Reader(b"ab\n" + b"x" * 100_000 + b"\ncd\n" + b"y" * 11 + b"\n" + b"z" * 10)
    assert list(bounded_lines(source, 10)) == [
        (1, b"ab\n"),
        (2, None),
        (3, b"cd\n"),
        (4, None),
        (5, b"z" * 10),
    ]
    assert source.longest <= 11


@given(
    lines=st.lists(st.binary(max_size=40).map(lambda b: b.replace(b"\n", b"")), max_size=12),
    last_newline=st.booleans(),
    limit=st.integers(min_value=1, max_value=30),
)
def test_bounded_lines_keep_every_line_and_its_number(
    lines: list[bytes], last_newline: bool, limit: int
) -> None:
    """Every line comes out once, numbered in order: whole if short enough, else None."""
    from dapolicy.cli._files import bounded_lines

    data = b"\n".join(lines) + (b"\n" if last_newline and lines else b"")
    *ended, rest = data.split(b"\n")
    expected = [line + b"\n" for line in ended] + ([rest] if rest else [])
    source = _Reader(data)
    got = list(bounded_lines(source, limit))
    assert [number for number, _ in got] == list(range(1, len(expected) + 1))
    for (_, raw), line in zip(got, expected, strict=True):
        assert raw == (line if len(line.rstrip(b"\n")) <= limit else None)
    assert source.longest <= limit + 1


@pytest.mark.parametrize(
    "text",
    [
        '{"incident": NaN}',
        '{"incident": -Infinity}',
        '{"a": 1e999}',
        '{"a": 1, "a": 2}',
        '{"a": ' + "9" * 5_000 + "}",
    ],
    ids=["nan", "infinity", "overflow", "repeated-key", "huge-int"],
)
def test_rejects_are_strict_json_keeping_the_text_as_read(tmp_path: Path, text: str) -> None:
    (tmp_path / "in.jsonl").write_text(text + "\n", encoding="utf-8")
    result = run("assess", "in.jsonl", "-o", "d.jsonl", cwd=tmp_path)
    assert "Traceback" not in result.stderr
    assert result.returncode == 1, result.stderr
    (line,) = (tmp_path / "d.rejects.jsonl").read_text(encoding="utf-8").splitlines()
    reject = strict_json(line)
    assert reject["line"] == 1
    assert reject["record"] == text


def test_redacted_rejects_hold_ids_and_errors_only(tmp_path: Path) -> None:
    record = h._personal_case()
    record["incident"]["children"][0]["age"] = "four"
    broken = json.dumps(h._personal_case())[:-40]
    (tmp_path / "in.jsonl").write_text(f"{json.dumps(record)}\n{broken}\n", encoding="utf-8")
    for command in (
        ["assess", "-o", "d.jsonl", "--rejects", "r.jsonl"],
        ["audit", "--rejects", "r.jsonl"],
    ):
        result = run(command[0], "in.jsonl", *command[1:], "--redact-rejects", cwd=tmp_path)
        assert result.returncode == 1, result.stderr
        text = (tmp_path / "r.jsonl").read_text(encoding="utf-8")
        for value in h.PERSONAL.values():
            assert value not in text
        first, second = (strict_json(line) for line in text.splitlines())
        assert set(first) == {"line", "ids", "errors"}
        assert first["ids"] == {
            "incident": record["incident"]["id"],
            "victim": record["incident"]["victim"]["id"],
        }
        assert first["errors"] == [
            {
                "path": "$.incident.children[0].age",
                "message": "expected a whole number, got a string",
            }
        ]
        assert second["line"] == 2
        assert second["ids"] == {}  # not JSON: no id can be read


# --- a real Ctrl-C (issue 9, item 4) ---------------------------------------------------

WAITING = """
import pathlib, sys, time
import dapolicy.batch as batch
import dapolicy.cli._assess as command

at, chunk = int(sys.argv[1]), int(sys.argv[2])
command.CHUNK = batch.CHUNK = chunk
real = batch.assess_line
seen = 0

def waiting(policy, history, number, raw):
    global seen
    seen += 1
    if seen == at:  # the at-th case decided: say so, then wait for the user's Ctrl-C
        pathlib.Path("waiting").write_text("now", encoding="utf-8")
        time.sleep(60)
    return real(policy, history, number, raw)

command.assess_line = batch.assess_line = waiting  # wherever the command calls it
from dapolicy.cli import cli
cli.main(args=sys.argv[3:], prog_name="dapolicy")
"""


def test_ctrl_c_stops_cleanly_and_a_rerun_completes_the_work(
    tmp_path: Path, synth_all: Path, synth_decisions: str
) -> None:
    chunk, at = 32, 150  # chunks 1-4 (128 cases) are committed; Ctrl-C comes in chunk 5
    lines = synth_all.read_text(encoding="utf-8").splitlines(keepends=True)
    (tmp_path / "all.jsonl").write_text("".join(lines), encoding="utf-8")
    (tmp_path / "first.jsonl").write_text("".join(lines[: 4 * chunk]), encoding="utf-8")
    (tmp_path / "waiting.py").write_text(WAITING, encoding="utf-8")
    (tmp_path / "d.jsonl").write_text("yesterday\n", encoding="utf-8")
    partial = run(
        "assess", "first.jsonl", "--history", "partial.db", "--new-history", cwd=tmp_path
    )
    assert partial.returncode == 0, partial.stderr

    argv = [
        sys.executable,
        "waiting.py",
        str(at),
        str(chunk),
        "assess",
        "all.jsonl",
        "--history",
        "h.db",
        "--new-history",
        "-o",
        "d.jsonl",
    ]
    # A session of its own, and the signal to its whole process group: as a terminal
    # sends Ctrl-C.
    with subprocess.Popen(
        argv,
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=h._env(),
        text=True,
        encoding="utf-8",
        start_new_session=True,
    ) as child:
        deadline = time.monotonic() + h.TIMEOUT
        while not (tmp_path / "waiting").exists():
            assert child.poll() is None, child.communicate()
            assert time.monotonic() < deadline
            time.sleep(0.05)
        os.killpg(child.pid, signal.SIGINT)
        out, err = child.communicate(timeout=h.TIMEOUT)
    assert child.returncode == 130, err
    assert "Traceback" not in err
    assert "INTERRUPTED" in err
    assert "lines read" in err  # the summary of what was done
    assert out == ""
    # The open chunk was rolled back: the history holds exactly the committed ones.
    assert h.history_dump(tmp_path / "h.db") == h.history_dump(tmp_path / "partial.db")
    # No output is left half-written: the previous file is as it was.
    assert (tmp_path / "d.jsonl").read_text(encoding="utf-8") == "yesterday\n"
    assert not list(tmp_path.glob(".*.part"))

    rerun = run("assess", "all.jsonl", "--history", "h.db", "-o", "d.jsonl", cwd=tmp_path)
    assert rerun.returncode == 0, rerun.stderr
    assert (tmp_path / "d.jsonl").read_text(encoding="utf-8") == synth_decisions


AUDIT_WAITING = """
import pathlib, sys, time
import dapolicy.cli._audit as command

at = int(sys.argv[1])
real = command.parse_line

def waiting(number, raw):
    if number == at:
        pathlib.Path("waiting").write_text("now", encoding="utf-8")
        time.sleep(60)
    return real(number, raw)

command.parse_line = waiting
from dapolicy.cli import cli
cli.main(args=sys.argv[2:], prog_name="dapolicy")
"""


def test_ctrl_c_stops_audit_cleanly_and_writes_nothing(tmp_path: Path, synth_all: Path) -> None:
    (tmp_path / "waiting.py").write_text(AUDIT_WAITING, encoding="utf-8")
    (tmp_path / "a.json").write_text("yesterday\n", encoding="utf-8")
    argv = [
        sys.executable,
        "waiting.py",
        "50",
        "audit",
        str(synth_all),
        "--json",
        "a.json",
        "--rejects",
        "r.jsonl",
    ]
    with subprocess.Popen(
        argv,
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=h._env(),
        text=True,
        encoding="utf-8",
        start_new_session=True,
    ) as child:
        deadline = time.monotonic() + h.TIMEOUT
        while not (tmp_path / "waiting").exists():
            assert child.poll() is None, child.communicate()
            assert time.monotonic() < deadline
            time.sleep(0.05)
        os.killpg(child.pid, signal.SIGINT)
        out, err = child.communicate(timeout=h.TIMEOUT)
    assert child.returncode == 130, err
    assert "Traceback" not in err
    assert "INTERRUPTED after line 49" in err
    assert out == ""
    assert (tmp_path / "a.json").read_text(encoding="utf-8") == "yesterday\n"
    assert not (tmp_path / "r.jsonl").exists()
    assert not list(tmp_path.glob(".*.part"))


_JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=20,
)


@given(
    record=st.fixed_dictionaries(
        {
            "incident": st.fixed_dictionaries(
                {
                    "id": st.text(min_size=1, max_size=10),
                    "victim": st.fixed_dictionaries(
                        {"id": st.text(min_size=1, max_size=10), "name": st.text(min_size=12)}
                    ),
                },
                optional={"other": _JSON},
            )
        },
        optional={"form": _JSON},
    )
)
def test_a_redacted_reject_holds_only_the_line_the_errors_and_the_ids(
    record: dict[str, Any],
) -> None:
    from dapolicy.cli._rejects import reject_line

    errors = [{"path": "$.incident", "message": "required field missing"}]
    line = reject_line({"line": 7, "record": record, "errors": errors}, redact=True)
    redacted = strict_json(line)
    incident = record["incident"]
    # The ids and nothing else of the record: not the name, the form or other fields.
    assert redacted == {
        "line": 7,
        "ids": {"incident": incident["id"], "victim": incident["victim"]["id"]},
        "errors": errors,
    }


def test_an_over_long_line_keeps_its_place_with_jobs(tmp_path: Path, synth_all: Path) -> None:
    lines = synth_all.read_text(encoding="utf-8").splitlines(keepends=True)
    limit = max(len(line.encode()) for line in lines)
    long_lines = {3, 120}  # line numbers in the new file; one more comes last (203)
    text: list[str] = []
    for line in lines:
        while len(text) + 1 in long_lines:
            text.append('{"pad": "' + "x" * limit + '"}\n')
        text.append(line)
    text.append('{"pad": "' + "x" * limit + '"}\n')
    (tmp_path / "in.jsonl").write_text("".join(text), encoding="utf-8")
    outputs = {}
    for jobs in ("1", "2"):
        result = run(
            "assess",
            "in.jsonl",
            "-o",
            f"d{jobs}.jsonl",
            "--jobs",
            jobs,
            "--max-line-bytes",
            limit,
            cwd=tmp_path,
        )
        assert result.returncode == 1, result.stderr
        assert "203 = 200 + 3: nothing lost" in result.stderr
        outputs[jobs] = (
            (tmp_path / f"d{jobs}.jsonl").read_bytes(),
            (tmp_path / f"d{jobs}.rejects.jsonl").read_bytes(),
        )
    assert outputs["1"] == outputs["2"]
    assert [r["line"] for r in h.rejects_in(tmp_path / "d2.rejects.jsonl")] == [3, 120, 203]


def test_an_output_that_fills_the_disk_is_an_error_not_a_traceback(
    tmp_path: Path, cases: Path
) -> None:
    if not Path("/dev/full").exists():
        pytest.skip("no /dev/full here")
    result = run("assess", cases, "-o", "/dev/full", "--rejects", "r.jsonl", cwd=tmp_path)
    assert result.returncode == 2
    assert "cannot write /dev/full" in result.stderr
    assert "(--output)" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "r.jsonl").exists()  # the other output was not published
    assert not list(tmp_path.glob(".*.part"))
