"""Hypothesis' entry point: register dapolicy's strategies when hypothesis is imported.

Kept tiny and free of imports at module level, so loading the entry point costs nothing
until hypothesis actually calls it.
"""

from __future__ import annotations


def _hypothesis_setup_hook() -> None:
    from dapolicy.testing.strategies import register_type_strategies

    register_type_strategies()
