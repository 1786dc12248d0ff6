"""dapolicy's pytest plug-in: opt-in conformance items, a policy fixture, lazy imports."""

from __future__ import annotations

import importlib.metadata
import runpy
import subprocess
import sys
from pathlib import Path

import pytest

import dapolicy.testing.pytest_plugin as plugin_module
from dapolicy.plugins import DEFAULT_PLUGINS

#: Runs the conformance kit over many cases: outside coverage's tracer (noxfile.py).
pytestmark = pytest.mark.kit_run

pytest_plugins = ["pytester"]

#: Few cases per item: these tests are about the plug-in, not the invariants.
FEW = "--dapolicy-conformance-examples=3"
#: A profile that reports the first counterexample without shrinking it.
FAST_PROFILE = """
from hypothesis import Phase, settings

settings.register_profile("fast", database=None, phases=[Phase.generate], max_examples=200)
"""


def test_the_plugin_is_registered_as_a_pytest11_entry_point() -> None:
    found = {ep.name: ep.value for ep in importlib.metadata.entry_points(group="pytest11")}
    assert found.get("dapolicy") == "dapolicy.testing.pytest_plugin", (
        "dapolicy's pytest11 entry point is missing: reinstall the package"
    )


def test_loading_the_plugin_imports_neither_hypothesis_nor_the_kit() -> None:
    code = (
        "import sys, dapolicy.testing.pytest_plugin\n"
        "heavy = [m for m in ('hypothesis', 'dapolicy.testing.invariants',"
        " 'dapolicy.testing.strategies') if m in sys.modules]\n"
        "print(','.join(heavy))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    assert result.stdout.strip() == ""


def test_the_module_defines_the_hooks_and_the_fixture() -> None:
    # Run the module's code afresh: pytest imported it before coverage could start.
    namespace = runpy.run_path(plugin_module.__file__)
    for name in ("pytest_addoption", "pytest_collection_modifyitems", "dapolicy_policy"):
        assert name in namespace
    assert namespace["OPTION"] == "--dapolicy-conformance"


def test_without_the_flag_nothing_is_added(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("def test_plain():\n    assert True\n")
    result = pytester.runpytest("-p", "no:cacheprovider", "--collect-only", "-q")
    result.stdout.no_fnmatch_line("*dapolicy-conformance*")
    result.stdout.fnmatch_lines(["*test_plain*", "1 test collected*"])
    assert pytester.runpytest("-p", "no:cacheprovider").ret == pytest.ExitCode.OK


def test_the_flag_adds_an_item_per_registered_plugin(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("def test_plain():\n    assert True\n")
    result = pytester.runpytest(
        "-p", "no:cacheprovider", "--dapolicy-conformance", "--collect-only", "-q"
    )
    lines = [f"dapolicy-conformance::plugin[[]{name}[]]" for name, _ in DEFAULT_PLUGINS]
    result.stdout.fnmatch_lines_random(
        ["dapolicy-conformance::policy", *lines, "*::test_plain", "* tests collected*"]
    )
    assert f"{len(DEFAULT_PLUGINS) + 2} tests collected" in result.stdout.str()


def test_the_thorough_flag_adds_the_items_too(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest(
        "-p", "no:cacheprovider", "--dapolicy-conformance-thorough", "--collect-only", "-q"
    )
    result.stdout.fnmatch_lines(["dapolicy-conformance::policy"])
    assert f"{len(DEFAULT_PLUGINS) + 1} tests collected" in result.stdout.str()


def test_the_thorough_mode_asks_for_more(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: dict[str, object] = {}

    def fake(policy: object, **kwargs: object) -> object:
        seen.update(kwargs)
        from dapolicy.testing.invariants import ConformanceReport

        return ConformanceReport(0, 0, ("invariant 1 in fresh processes: for the test",))

    import dapolicy.testing.invariants as kit

    monkeypatch.setattr(kit, "run_conformance", fake)

    class Config:
        def getoption(self, name: str) -> object:
            return {plugin_module.THOROUGH_OPTION: True}.get(name)

        def getini(self, name: str) -> str:
            return ""

    item = object.__new__(plugin_module.ConformanceItem)
    item.plugin = None
    sections: list[tuple[str, str, str]] = []
    item.add_report_section = lambda *args: sections.append(args)  # type: ignore[method-assign]
    object.__setattr__(item, "config", Config())
    item.runtest()
    assert seen == {"max_examples": plugin_module.THOROUGH_EXAMPLES, "thorough": True}
    assert sections
    assert "fresh processes" in sections[0][2]


def test_conformance_items_run_and_pass(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest(
        "-p",
        "no:cacheprovider",
        "--dapolicy-conformance",
        FEW,
        "-k",
        "dash or local-thresholds or (policy and not plugin)",
        "-v",
    )
    result.stdout.fnmatch_lines_random(
        [
            "*dapolicy-conformance::policy PASSED*",
            "*dapolicy-conformance::plugin[[]dash[]] PASSED*",
            "*dapolicy-conformance::plugin[[]local-thresholds[]] PASSED*",
        ]
    )
    result.assert_outcomes(passed=3)


def test_a_broken_policy_fails_with_the_invariant_named(pytester: pytest.Pytester) -> None:
    # A force that blocks the built-in safeguarding and puts nothing in its place.
    pytester.makefile(".toml", policy='[plugins]\nblock = ["safeguarding"]\n')
    pytester.makeini("[pytest]\ndapolicy_settings = policy.toml\n")
    pytester.makeconftest(FAST_PROFILE)
    result = pytester.runpytest(
        "-p",
        "no:cacheprovider",
        "--hypothesis-profile=fast",
        "--dapolicy-conformance",
        "-k",
        "dash",
    )
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        ["*InvariantViolation: invariant [45] *", "*The case, as JSON lines*", '{"incident":*']
    )
    result.stdout.no_fnmatch_line("*Traceback*")


def test_the_fixture_gives_the_configured_policy(pytester: pytest.Pytester) -> None:
    settings = Path(pytester.path, "conf", "policy.toml")
    settings.parent.mkdir()
    settings.write_text('force = "Examplia"\n')
    pytester.makeini("[pytest]\ndapolicy_settings = conf/policy.toml\n")
    pytester.makepyfile(
        """
        from dapolicy.policy import Policy

        def test_policy(dapolicy_policy):
            assert isinstance(dapolicy_policy, Policy)
            assert dapolicy_policy.settings.force == "Examplia"
            assert "dash" in {info.name for info in dapolicy_policy.plugins}
        """
    )
    pytester.runpytest("-p", "no:cacheprovider", "--strict-config").assert_outcomes(passed=1)


def test_an_absolute_settings_path_is_used_as_it_is(pytester: pytest.Pytester) -> None:
    settings = pytester.path / "absolute.toml"
    settings.write_text('force = "Absolute"\n')
    pytester.makeini(f"[pytest]\ndapolicy_settings = {settings}\n")
    pytester.makepyfile(
        """
        def test_policy(dapolicy_policy):
            assert dapolicy_policy.settings.force == "Absolute"
        """
    )
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=1)


def test_bad_settings_stop_the_session_when_conformance_is_asked_for(
    pytester: pytest.Pytester,
) -> None:
    pytester.makefile(".toml", policy="not = [valid toml\n")
    pytester.makeini("[pytest]\ndapolicy_settings = policy.toml\n")
    result = pytester.runpytest("-p", "no:cacheprovider", "--dapolicy-conformance")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*dapolicy-conformance: could not collect*"])


def test_the_fixture_defaults_to_the_default_settings(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        def test_policy(dapolicy_policy):
            assert dapolicy_policy.settings.force == "default"
        """
    )
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=1)


def test_a_plain_error_is_reported_with_its_traceback(pytester: pytest.Pytester) -> None:
    pytester.makefile(".toml", policy="not = [valid toml\n")
    pytester.makeini("[pytest]\ndapolicy_settings = policy.toml\n")
    pytester.makeconftest(
        """
        import pytest
        from dapolicy.testing.pytest_plugin import ConformanceItem

        @pytest.hookimpl(trylast=True)
        def pytest_collection_modifyitems(session, items):
            items.append(ConformanceItem.from_parent(session, name="late", plugin="dash"))
        """
    )
    pytester.makepyfile("def test_plain():\n    assert True\n")
    result = pytester.runpytest("-p", "no:cacheprovider", "-k", "late")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        ["*SettingsError: invalid Settings in*policy.toml*", "*not valid TOML*"]
    )
