"""The fast-path switch: DAPOLICY_PURE_PYTHON chooses the pure-Python twins."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest


@pytest.mark.parametrize(
    ("value", "fast"), [(None, True), ("", True), ("0", True), ("1", False), ("yes", False)]
)
def test_the_switch_is_read_from_the_environment(value: str | None, fast: bool) -> None:
    env = {k: v for k, v in os.environ.items() if k != "DAPOLICY_PURE_PYTHON"}
    if value is not None:
        env["DAPOLICY_PURE_PYTHON"] = value
    code = "from dapolicy import _speedups as s; print(s.FAST, s.PURE_PYTHON)"
    out = subprocess.run(
        [sys.executable, "-c", code],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert out == [str(fast), str(not fast)]
