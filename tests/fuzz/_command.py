"""Run the installed ``dapolicy`` command in a subprocess, as a user would."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

__all__ = ["run_dapolicy"]


def run_dapolicy(
    *args: object, cwd: Path, env: dict[str, str] | None = None, timeout: float = 300
) -> subprocess.CompletedProcess[str]:
    """``python -m dapolicy ARGS`` in ``cwd``, output decoded as UTF-8 (errors replaced)."""
    return subprocess.run(
        [sys.executable, "-m", "dapolicy", *map(str, args)],
        cwd=cwd,
        capture_output=True,
        text=True,
        encoding="utf-8",
        errors="replace",
        timeout=timeout,
        env={**os.environ, "PYTHONIOENCODING": "utf-8", **(env or {})},
        check=False,
    )
