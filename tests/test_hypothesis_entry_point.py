"""``st.from_type`` works for every model type through the ``hypothesis`` entry point.

This module deliberately does not import :mod:`dapolicy.testing`: the strategies must
arrive through the entry point that hypothesis loads when it is imported. Other test
modules do import it, so the decisive checks run in a fresh interpreter.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from importlib.metadata import entry_points
from pathlib import Path

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from dapolicy.models import MODEL_TYPES, Incident, RiskForm

HOOK = "dapolicy.testing._hypothesis_hook:_hypothesis_setup_hook"


def run_python(code: str, tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if k != "HYPOTHESIS_NO_PLUGINS"}
    environment.update(env)
    return subprocess.run(
        [sys.executable, "-W", "error", "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=environment,
        timeout=300,
        check=False,
    )


def test_the_entry_point_is_installed() -> None:
    found = [ep for ep in entry_points(group="hypothesis") if ep.name == "dapolicy"]
    assert [ep.value for ep in found] == [HOOK]


def test_from_type_works_in_a_fresh_interpreter(tmp_path: Path) -> None:
    result = run_python(
        """
        import sys

        import attrs
        from dapolicy.models import MODEL_TYPES

        assert "dapolicy.testing.strategies" not in sys.modules
        assert "hypothesis" not in sys.modules, "importing dapolicy imported hypothesis"

        import hypothesis  # runs the entry point
        from hypothesis import given, settings, strategies as st

        assert "dapolicy.testing.strategies" in sys.modules, "the entry point did not run"

        drawn = {}

        def check(cls):
            @settings(max_examples=5, database=None, deadline=None)
            @given(st.from_type(cls))
            def property_(obj):
                assert type(obj) is cls
                attrs.evolve(obj)  # every invariant holds
                drawn[cls.__name__] = drawn.get(cls.__name__, 0) + 1

            property_()

        for cls in MODEL_TYPES:
            check(cls)
        missing = [cls.__name__ for cls in MODEL_TYPES if not drawn.get(cls.__name__)]
        assert not missing, missing
        print(len(drawn))
        """,
        tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == str(len(MODEL_TYPES))


def test_without_entry_points_nothing_is_registered(tmp_path: Path) -> None:
    """The control: with hypothesis' plug-ins off, the strategies are not loaded."""
    result = run_python(
        """
        import sys
        import hypothesis
        assert "dapolicy.testing.strategies" not in sys.modules
        print("not loaded")
        """,
        tmp_path,
        HYPOTHESIS_NO_PLUGINS="1",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "not loaded"


def test_importing_dapolicy_does_not_import_hypothesis(tmp_path: Path) -> None:
    result = run_python(
        """
        import sys
        import dapolicy, dapolicy.models, dapolicy.serialization
        import dapolicy.testing._hypothesis_hook  # the entry point's module: loads lazily
        print(sorted(m for m in sys.modules if m.split(".")[0] == "hypothesis"))
        """,
        tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


@pytest.mark.parametrize("model_type", MODEL_TYPES, ids=lambda t: t.__name__)
@given(data=st.data())
def test_from_type_in_process(model_type: type, data: st.DataObject) -> None:
    obj = data.draw(st.from_type(model_type))
    assert type(obj) is model_type
    assert attrs.evolve(obj) == obj


@given(st.from_type(Incident), st.from_type(RiskForm))
def test_from_type_objects_are_aware_and_consistent(incident: Incident, form: RiskForm) -> None:
    assert incident.reported_at.utcoffset() is not None
    assert incident.victim.id != incident.suspect.id
    assert incident.abuse_types
    assert form.completed_at.utcoffset() is not None
