"""Invariant 14: a dated policy version is in force from its first microsecond."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from hypothesis import Phase, settings

from dapolicy.policy import Policy
from dapolicy.settings import DashSettings, PolicyVersion, Settings
from dapolicy.testing._invariants._sweep import boundary_cases
from dapolicy.testing.invariants import check_version_switch, run_conformance

QUICK = settings(database=None, derandomize=True, deadline=None, phases=[Phase.generate])


def _versioned() -> Settings:
    """Tighter DASH bands from 1 June 2024, for one pilot area from 1 March."""
    one = PolicyVersion(date(2024, 1, 1), Settings(version="one"), until=date(2024, 6, 1))
    two = PolicyVersion(
        date(2024, 6, 1), Settings(version="two", dash=DashSettings(medium_from=5, high_from=9))
    )
    pilot = PolicyVersion(
        date(2024, 3, 1),
        Settings(version="pilot", dash=DashSettings(medium_from=4, high_from=8)),
        until=date(2024, 6, 1),
        areas=["north"],
    )
    return Settings(versions=[one, pilot, two])


def _a_case(policy: Policy) -> Any:
    return next(c for c in boundary_cases(policy) if c.form is not None and c.flips)


def test_a_versioned_policy_switches_at_each_boundary() -> None:
    policy = Policy(_versioned(), load_entry_points=False)
    check_version_switch(policy, _a_case(policy))
    run_conformance(policy, max_examples=10, settings=QUICK, invariants=[14], boundaries=False)


class StuckPolicy(Policy):
    """Decides every case under the base settings, whatever version is in force."""

    def _in_force(self, now: Any, area: str | None) -> Policy:
        return self


def test_a_policy_that_ignores_its_versions_is_caught() -> None:
    policy = StuckPolicy(_versioned(), load_entry_points=False)
    with pytest.raises(AssertionError, match=r"invariant 14 \(policy versions\): decided"):
        check_version_switch(policy, _a_case(policy))


def test_without_versions_there_is_nothing_to_check() -> None:
    policy = StuckPolicy(load_entry_points=False)
    check_version_switch(policy, _a_case(policy))
