"""Fuzz: the ``dara`` plug-in passes the whole conformance kit with a force's items.

The kit draws DARA forms over the force's items (any frequency or not asked, any
grade or none, a rationale written, missing or blank) beside the DASH forms it always
draws, and checks every invariant on its boundary cases first. The items are the
example file ``docs/examples/dara-items.toml``. Seeded (``derandomize=True``) and
bounded by ``DAPOLICY_FUZZ_SCALE`` (default 1; ``nox -s fuzz`` sets 20).
"""

from __future__ import annotations

from pathlib import Path

from _scale import fuzz_settings

from dapolicy.settings import load_settings
from dapolicy.testing.invariants import isolated, run_conformance

POLICY = Path(__file__).resolve().parents[2] / "docs" / "examples" / "dara-policy.toml"


def test_the_dara_plugin_conforms_with_a_forces_items() -> None:
    hypothesis = fuzz_settings(60)
    run_conformance(
        isolated("dara", settings=load_settings(POLICY), load_entry_points=False),
        max_examples=hypothesis.max_examples,
        settings=hypothesis,
    )
