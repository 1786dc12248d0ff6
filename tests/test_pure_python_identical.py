"""The speed-ups change no byte: a small synthetic year, with and without them.

The same file (``dapolicy synth`` cases with every hostile line of
``fuzz/_identical.py`` mixed in) is assessed and audited twice: in this process, with
the fast paths as this process has them, and in one subprocess with the switch the
other way (``DAPOLICY_PURE_PYTHON=1``, or unset when this process is the pure one).
The decisions (full and ``--compact``), the rejects, the summary JSON, the audit's
JSON, rejects and text, and the synthetic cases themselves must be the same bytes. The
whole year (14,610 cases) is ``tests/fuzz/test_pure_python_year.py``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).with_name("fuzz")))
from _identical import VALID, hostile_lines, in_other_mode, outputs, synth, with_hostile

CASES, SEED = 160, 2013  # with the hostile lines, about 220 lines


def test_outputs_are_byte_identical_with_and_without_the_speed_ups(tmp_path: Path) -> None:
    here, there = tmp_path / "here", tmp_path / "there"
    synth(CASES, SEED, tmp_path / "synth.jsonl")
    valid = (tmp_path / "synth.jsonl").read_bytes().splitlines()
    cases = tmp_path / "cases.jsonl"
    data, hostile = with_hostile(valid)
    cases.write_bytes(data)
    synth_there = tmp_path / "synth-there.jsonl"
    in_other_mode(cases, there, "--synth", str(CASES), str(SEED), str(synth_there))
    made = outputs(cases, here)
    assert synth_there.read_bytes() == (tmp_path / "synth.jsonl").read_bytes()
    for path in made:
        mine, theirs = path.read_bytes(), (there / path.name).read_bytes()
        assert mine == theirs, f"{path.name} differs with and without the speed-ups"
    rejected = {
        json.loads(line)["line"] for line in (here / "rejects.jsonl").read_text().splitlines()
    }
    assert {hostile[n] for n in rejected} == set(hostile.values()) - VALID
    decided = (here / "decisions.jsonl").read_bytes().count(b"\n")
    assert decided + len(rejected) == len(valid) + len(hostile)


@pytest.mark.parametrize("name", ["lone high surrogate", "2**64", "key given twice, once escaped"])
def test_the_hostile_lines_are_what_they_say(name: str) -> None:
    valid = json.dumps(
        {
            "incident": {
                "children": [{"age": 1}],
                "victim": {"id": "V", "name": "n"},
                "reported_at": "2013-03-01T10:00:00+00:00",
                "relationship": {"kind": "x"},
            }
        }
    )
    line = hostile_lines(valid)[name]
    assert {
        "lone high surrogate": b'"name":"\\ud800"',
        "2**64": b'"age":18446744073709551616',
        "key given twice, once escaped": b'{"\\u0069ncident":{},"incident":',
    }[name] in line
