"""How long the fuzz suite runs: ``DAPOLICY_FUZZ_SCALE`` times each test's base.

Every fuzz test is seeded (``derandomize=True``: the same examples on every run, so a
failure found once is found again) and bounded: it runs ``base * scale`` examples.
``DAPOLICY_FUZZ_SCALE`` is 1 in plain ``nox`` (and when unset) and 20 in
``nox -s fuzz``. Use :func:`fuzz_settings` on a ``@given`` test::

    from _scale import fuzz_settings

    @fuzz_settings(25)
    @given(...)
    def test_something(...): ...

or :func:`scaled` for a loop of your own.
"""

from __future__ import annotations

import json
import os

from hypothesis import HealthCheck, settings

__all__ = ["ENVIRONMENT", "TALLY", "fuzz_settings", "scale", "scaled", "tally"]

ENVIRONMENT = "DAPOLICY_FUZZ_SCALE"

#: Set to a file name to have each fuzz example append what it tried there (one JSON
#: line: the test, the lines, the kinds of fault), for the figures a report gives.
TALLY = "DAPOLICY_FUZZ_TALLY"


def scale() -> int:
    """The factor from ``DAPOLICY_FUZZ_SCALE`` (a whole number, at least 1; default 1)."""
    text = os.environ.get(ENVIRONMENT, "").strip() or "1"
    try:
        value = int(text)
    except ValueError:
        raise ValueError(f"{ENVIRONMENT} must be a whole number, not {text!r}") from None
    if value < 1:
        raise ValueError(f"{ENVIRONMENT} must be at least 1")
    return value


def scaled(base: int) -> int:
    """``base`` times the scale."""
    return base * scale()


def fuzz_settings(base: int) -> settings:
    """Hypothesis settings for a fuzz test: ``base * scale`` seeded examples.

    Built on the loaded profile (``dev``, or ``ci`` in ``nox -s fuzz``), so its other
    settings (printing the blob that reproduces a failure, ...) hold.
    """
    return settings(
        max_examples=scaled(base),
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )


def tally(test: str, lines: int, faults: list[str]) -> None:
    """Note what one example tried, when ``DAPOLICY_FUZZ_TALLY`` names a file."""
    path = os.environ.get(TALLY)
    if path:
        with open(path, "a", encoding="utf-8") as out:
            out.write(json.dumps({"test": test, "lines": lines, "faults": faults}) + "\n")
