"""Whether dapolicy takes its compiled fast paths, and the one switch that turns them off.

orjson is a dependency of dapolicy (``docs/dependencies.md`` says why), so the fast path is
the normal one. Every fast path has a pure-Python twin that gives the same bytes and the
same accept/reject answer; ``DAPOLICY_PURE_PYTHON=1`` in the environment chooses the twins,
which is how the tests prove the two agree and how a platform without an orjson wheel runs.
The switch is read once, when dapolicy is imported.
"""

from __future__ import annotations

import os
from types import ModuleType

__all__ = ["FAST", "PURE_PYTHON", "orjson"]


def _switched_off() -> bool:
    return os.environ.get("DAPOLICY_PURE_PYTHON", "").strip() not in ("", "0")


def _load_orjson() -> ModuleType | None:
    try:
        import orjson as module
    except ImportError:  # pragma: no cover - a dependency; the pure path is tested by the switch
        return None
    return module


PURE_PYTHON: bool = _switched_off()
"""True when ``DAPOLICY_PURE_PYTHON`` is set to anything but empty or ``0``."""

orjson: ModuleType | None = None if PURE_PYTHON else _load_orjson()
"""The orjson module when the fast path is on, else None."""

FAST: bool = orjson is not None
"""True when the compiled fast paths are in use."""
