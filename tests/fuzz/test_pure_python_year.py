"""The speed-ups change no byte over a whole synthetic year (``nox -s fuzz`` only).

The Staffordshire year of the inspection report, ``dapolicy synth 14610 --seed 2013``,
is made with and without the speed-ups (``DAPOLICY_PURE_PYTHON=1``) and must be the
same bytes. With every hostile line of ``_identical.py`` mixed in, it is assessed and
audited in both modes (this process, and one subprocess with the switch the other way),
and assessed with ``--jobs 2`` in both modes (the installed command, whose parent finds
each line's victim by its own fast path): the decisions (full and ``--compact``),
rejects, summary JSON and the audit's JSON, rejects and text must be the same bytes in
every run.

It takes minutes, so it runs only at ``DAPOLICY_FUZZ_SCALE`` 20 or more (``nox -s
fuzz``); plain ``nox`` has the small version, ``tests/test_pure_python_identical.py``.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from _command import run_dapolicy
from _identical import VALID, in_other_mode, outputs, synth, with_hostile
from _scale import scale

YEAR, SEED = 14610, 2013

pytestmark = pytest.mark.skipif(
    scale() < 20, reason="the whole year runs in nox -s fuzz (DAPOLICY_FUZZ_SCALE >= 20)"
)


def test_a_synthetic_year_is_byte_identical_with_and_without_the_speed_ups(
    tmp_path: Path,
) -> None:
    here, there = tmp_path / "here", tmp_path / "there"
    synth(YEAR, SEED, tmp_path / "year.jsonl")
    valid = (tmp_path / "year.jsonl").read_bytes().splitlines()
    assert len(valid) == YEAR
    cases = tmp_path / "cases.jsonl"
    data, hostile = with_hostile(valid)
    cases.write_bytes(data)
    in_other_mode(cases, there, "--synth", str(YEAR), str(SEED), str(tmp_path / "y2.jsonl"))
    assert (tmp_path / "y2.jsonl").read_bytes() == (tmp_path / "year.jsonl").read_bytes()
    made = outputs(cases, here)
    for path in made:
        assert path.read_bytes() == (there / path.name).read_bytes(), path.name

    rejected = {
        json.loads(line)["line"] for line in (here / "rejects.jsonl").read_text().splitlines()
    }
    assert {hostile[n] for n in rejected} == set(hostile.values()) - VALID
    assert len(rejected) == len(hostile) - len(VALID)

    for mode in ("", "1"):  # DAPOLICY_PURE_PYTHON: fast, then pure
        out = tmp_path / f"jobs2-{mode or 'fast'}"
        out.mkdir()
        result = run_dapolicy(
            "assess", cases, "-o", out / "decisions.jsonl", "--rejects", out / "rejects.jsonl",
            "--summary-json", out / "s.json", "--allow-rejects", "--quiet", "--jobs", 2,
            cwd=tmp_path, env={"DAPOLICY_PURE_PYTHON": mode}, timeout=1800,
        )  # fmt: skip
        assert result.returncode == 0, result.stderr[-3000:]
        for name in ("decisions.jsonl", "rejects.jsonl", "s.json"):
            assert (out / name).read_bytes() == (here / name).read_bytes(), (mode, name)
