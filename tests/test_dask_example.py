"""The Dask example reproduces the single-process run exactly, on a local cluster."""

from __future__ import annotations

import importlib.util
import random
from pathlib import Path

import pytest

from dapolicy import Settings, default_policy, to_json
from dapolicy.batch import assess_file
from dapolicy.synth import synthesize

distributed = pytest.importorskip("distributed")

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "distributed" / "dask_assess.py"


def _example() -> object:
    spec = importlib.util.spec_from_file_location("dask_assess", EXAMPLE)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_dask_gives_the_single_process_decisions(tmp_path: Path) -> None:
    example = _example()
    lines = [(to_json(case) + "\n").encode() for case in synthesize(300, 21)]
    lines.insert(17, b"not json\n")
    random.Random(3).shuffle(lines)  # the order of the input cannot matter
    path = tmp_path / "in.jsonl"
    path.write_bytes(b"".join(lines))
    expected = list(assess_file(path, default_policy()))
    cluster = distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    )
    with cluster, distributed.Client(cluster) as client:
        got = example.assess_with_dask(  # type: ignore[attr-defined]
            lines, client, partitions=5, settings=Settings()
        )
    assert got == expected
    assert sum(result.reject is not None for result in got) == 1
