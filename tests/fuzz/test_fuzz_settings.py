"""Fuzz: mutated and random policy files never crash, and never load a broken policy.

Every file thrown at :func:`~dapolicy.settings.load_settings` and at ``dapolicy
assess --policy`` (run in-process; ``tests/test_settings_ranges.py`` runs the installed
command on the hostile files the issue names) ends in exactly one of two ways: a clean
error (a ``ValidationError`` naming the problem; exit status 2 in the command, no
traceback), or settings with which the policy builds and decides a case with no
plug-in failure.

Seeded (``derandomize=True``) and bounded: ``max_examples`` is multiplied by the
environment variable ``DAPOLICY_FUZZ_SCALE`` (default 1; ``nox -s fuzz`` sets 20).
"""

from __future__ import annotations

import os
import tempfile
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import attrs
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dapolicy import (
    AbuseType,
    ConfigurationError,
    Incident,
    Person,
    Policy,
    Relationship,
    RelationshipKind,
    ValidationError,
    load_settings,
)

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = (REPO / "docs" / "examples" / "kent-policy.toml").read_bytes()
CASES = REPO / "examples" / "cases.jsonl"
SCALE = max(1, int(os.environ.get("DAPOLICY_FUZZ_SCALE", "1") or 1))
LONDON = ZoneInfo("Europe/London")
AT = datetime(2024, 10, 27, 1, 30, tzinfo=LONDON)
INCIDENT = Incident(
    "INC-1",
    AT,
    AT,
    Person("V-1", date_of_birth=date(1990, 1, 1)),
    Person("S-1", date_of_birth=date(1990, 1, 1)),
    Relationship(RelationshipKind.INTIMATE_PARTNER),
    [AbuseType.PHYSICAL],
)
FUZZ = settings(
    derandomize=True,
    deadline=None,
    max_examples=100 * SCALE,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

#: Values a hostile file might hold, in TOML.
_VALUES = st.one_of(
    st.integers(-(2**70), 2**70).map(str),
    st.sampled_from(
        [
            "0",
            "-1",
            "1",
            "120",
            "121",
            "9223372036854775807",
            "1e400",
            "nan",
            "inf",
            "true",
            '""',
            '"x"',
            "[]",
            "{}",
            "[1, 2]",
            '["dash", "dash"]',
            "2024-11-27",
            "2024-11-27T00:00:00Z",
            "00:00:00",
            '"\\u0000"',
            '"' + "x" * 200 + '"',
            "[" * 40 + "]" * 40,
            "9" * 5000,
        ]
    ),
)
_KEYS = st.sampled_from(
    [
        "force",
        "repeat_victim_months",
        "dash.medium_from",
        "dash.high_from",
        "dial.items",
        "dial.checklist",
        "dial.key_items",
        "dial.high_from",
        "marac.escalation_months",
        "marac.escalation_incidents",
        "marac.repeat_months",
        "hub.grades",
        "series",
        "triage.priority_attend_minutes",
        "seven_step.review_days",
        "events.notify_within_hours",
        "tasking.merge_window_days",
        "allocation.trained_from",
        "plugins.block",
        "plugins.risk_models",
        "options.p.x",
        "unknown",
    ]
)


@st.composite
def _random_files(draw: st.DrawFn) -> bytes:
    """Key = value lines, each key a real setting (or not) and each value hostile."""
    lines = [f"{draw(_KEYS)} = {draw(_VALUES)}" for _ in range(draw(st.integers(1, 6)))]
    return ("\n".join(lines) + "\n").encode("utf-8", "surrogatepass")


#: A file with dated versions, by date and by area: the second seed to mutate.
VERSIONED = (REPO / "docs" / "examples" / "versioned-policy.toml").read_bytes()


@st.composite
def _mutated_files(draw: st.DrawFn) -> bytes:
    """A seed policy file with bytes flipped, cut, repeated or replaced."""
    data = bytearray(draw(st.sampled_from([EXAMPLE, VERSIONED])))
    for _ in range(draw(st.integers(1, 8))):
        where = draw(st.integers(0, len(data) - 1))
        action = draw(st.sampled_from(["flip", "cut", "insert", "digits"]))
        if action == "flip":
            data[where] ^= 1 << draw(st.integers(0, 7))
        elif action == "cut":
            del data[where : where + draw(st.integers(1, 40))]
        elif action == "insert":
            data[where:where] = draw(st.binary(min_size=1, max_size=8))
        else:
            data[where:where] = draw(
                st.sampled_from([b"9" * 30, b"0", b"-", b"[[", b"\xff", b"[[versions]]\n"])
            )
        if not data:
            break
    return bytes(data)


FILES = st.one_of(_random_files(), _mutated_files(), st.binary(max_size=200))


def _check(path: Path) -> str:
    """Load and use the file; return "error" or "policy"; anything else fails the test."""
    try:
        loaded = load_settings(path)
    except ValidationError as exc:
        message = str(exc)  # the message renders
        return "error" if message else "empty message"
    try:
        policy = Policy(loaded, load_entry_points=False)
    except (ValidationError, ConfigurationError):
        return "error"  # e.g. a plug-in name no plug-in has: still a clean error
    for area in (None, "croydon"):
        for year in (2020, 2024, 2025, 2027):
            at = AT.replace(year=year)
            placed = attrs.evolve(INCIDENT, reported_at=at, occurred_at=at, area=area)
            decision = policy.assess(placed, None, now=at)
            assert decision.failures == (), decision.failures
    return "policy"


@FUZZ
@given(FILES)
def test_fuzz_load_settings_gives_a_clean_error_or_a_working_policy(content: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder, "force.toml")
        path.write_bytes(content)
        assert _check(path) in {"error", "policy"}


@settings(FUZZ, max_examples=25 * SCALE)
@given(FILES)
def test_fuzz_the_command_in_process(content: bytes) -> None:
    from click.testing import CliRunner

    from dapolicy.cli import cli

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder, "force.toml")
        path.write_bytes(content)
        expected = _check(path)
        out = Path(folder, "d.jsonl")
        result = CliRunner().invoke(
            cli, ["assess", str(CASES), "--policy", str(path), "-o", str(out)]
        )
        assert result.exception is None or isinstance(result.exception, SystemExit), (
            result.exception
        )
        assert result.exit_code == (0 if expected == "policy" else 2), result.output
        assert out.exists() is (expected == "policy")


def test_fuzz_the_seeds_themselves(tmp_path: Path) -> None:
    path = tmp_path / "kent.toml"
    for seed in (EXAMPLE, VERSIONED):
        path.write_bytes(seed)
        assert _check(path) == "policy"
