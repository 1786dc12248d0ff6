"""Shared test configuration: hypothesis profiles.

``dev`` is the default. ``ci`` is chosen when the environment has ``CI=true`` (as CI
services set it) and runs more examples; ``thorough`` is for a long local hunt. An
explicit ``HYPOTHESIS_PROFILE`` wins over both.

Deadlines are off: shared machines are noisy, and a slow example is not a wrong one.
"""

from __future__ import annotations

import os

from hypothesis import settings

settings.register_profile("dev", max_examples=60, deadline=None)
settings.register_profile("ci", max_examples=300, deadline=None, print_blob=True)
settings.register_profile("thorough", max_examples=3000, deadline=None, print_blob=True)


def _profile() -> str:
    chosen = os.environ.get("HYPOTHESIS_PROFILE")
    if chosen:
        return chosen
    return "ci" if os.environ.get("CI", "").strip().lower() == "true" else "dev"


settings.load_profile(_profile())
