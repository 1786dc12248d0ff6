"""The batch pipeline: partitioned parallel runs equal the single-process run."""

from __future__ import annotations

import pytest

from dapolicy import InMemoryHistory, Settings, batch, default_policy, to_json
from dapolicy.settings import PluginSettings
from dapolicy.synth import synthesize


def _lines(n: int) -> list[tuple[int, bytes]]:
    lines = [(to_json(case) + "\n").encode() for case in synthesize(n, 11)]
    lines.insert(40, b"{not json\n")
    lines.insert(90, b'{"incident": {"victim": {"id": 7}}}\n')
    return list(enumerate(lines, start=1))


@pytest.mark.parametrize(("jobs", "chunk", "in_flight"), [(2, 7, 2), (3, 50, 1), (2, 1, 4)])
def test_parallel_results_equal_the_sequential_ones(
    monkeypatch: pytest.MonkeyPatch, jobs: int, chunk: int, in_flight: int
) -> None:
    monkeypatch.setattr(batch, "CHUNK", chunk)
    monkeypatch.setattr(batch, "IN_FLIGHT", in_flight)
    lines = _lines(150)
    policy, history = default_policy(), InMemoryHistory()
    expected = [batch.assess_line(policy, history, number, raw) for number, raw in lines]
    got = list(batch.assess_parallel(lines, policy.settings, jobs))
    assert got == expected
    assert [r.number for r in got] == list(range(1, len(lines) + 1))
    assert sum(r.reject is not None for r in got) == 2


def test_a_worker_that_cannot_start_stops_the_run() -> None:
    settings = Settings(plugins=PluginSettings(risk_models=("no-such-model",)))
    with pytest.raises(
        batch.WorkerError, match=r"(?s)ValidationError: .*plugins\.risk_models\[0\]"
    ):
        list(batch.assess_parallel(_lines(5), settings, 2))


@pytest.mark.parametrize(
    ("raw", "key"),
    [
        (b'{"incident": {"victim": {"id": "V1"}}}', "V1"),
        (b'{"incident": {"victim": {"id": 5}}}', ""),
        (b'{"incident": []}', ""),
        (b"not json", ""),
        (b"\xff", ""),
    ],
)
def test_victim_key(raw: bytes, key: str) -> None:
    assert batch.victim_key(raw) == key


def test_decision_time_is_the_later_instant_in_the_hour_the_clocks_go_back() -> None:
    from datetime import datetime
    from zoneinfo import ZoneInfo

    import attrs

    london = ZoneInfo("Europe/London")
    reported = datetime(2024, 10, 27, 1, 45, tzinfo=london)  # 00:45 UTC (BST)
    completed = datetime(2024, 10, 27, 1, 10, fold=1, tzinfo=london)  # 01:10 UTC (GMT)
    case = next(c for c in synthesize(50, 2) if c.form is not None)
    incident = attrs.evolve(case.incident, reported_at=reported, occurred_at=reported)
    form = attrs.evolve(
        case.form, incident_id=incident.id, completed_at=completed, submitted_at=None
    )
    late = attrs.evolve(case, incident=incident, form=form, graded_at=None, recorded_grade=None)
    # Models keep times at a fixed offset: compare the instants (01:45 is the earlier one).
    assert batch.decision_time(late).isoformat() == "2024-10-27T01:10:00+00:00"
    assert batch.decision_time(attrs.evolve(late, form=None)).isoformat() == (
        "2024-10-27T01:45:00+01:00"
    )
