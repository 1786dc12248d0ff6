"""dapolicy's pytest plug-in: the conformance kit for every registered plug-in, on request.

pytest loads this module through dapolicy's ``pytest11`` entry point in every test
session of an environment where dapolicy is installed, so it does nothing by default:
it imports neither hypothesis nor the conformance kit, and builds no policy, until it
is asked to:

- ``pytest --dapolicy-conformance`` adds one test item per plug-in registered in the
  default policy (built-ins, and every installed ``dapolicy`` entry point), each running
  :func:`dapolicy.testing.invariants.run_conformance` with that plug-in as the only risk
  model consulted, plus one item for the whole policy.
  ``--dapolicy-conformance-examples=N`` sets the drawn cases per item (by default the
  hypothesis profile's ``max_examples``); every item first checks the kit's explicit
  boundary cases.
- ``pytest --dapolicy-conformance-thorough`` does the same, for nightly runs: more
  boundary cases (every answer as the filler of every checklist) and
  :data:`THOROUGH_EXAMPLES` drawn cases per item unless ``--dapolicy-conformance-examples``
  says otherwise.
- The ini option ``dapolicy_settings`` names a policy TOML file: the conformance items
  and the fixture use the force's own settings.
- The fixture ``dapolicy_policy`` gives the default policy (with those settings), once
  per session.

The items are ``dapolicy-conformance::policy`` (the whole policy) and
``dapolicy-conformance::plugin[<name>]``, so ``-k`` selects among them.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from dapolicy.policy import Policy
    from dapolicy.settings import Settings

__all__ = ["ConformanceCollector", "ConformanceItem", "dapolicy_policy"]

OPTION = "--dapolicy-conformance"
EXAMPLES_OPTION = "--dapolicy-conformance-examples"
THOROUGH_OPTION = "--dapolicy-conformance-thorough"
#: Drawn cases per item in the thorough mode, unless ``--dapolicy-conformance-examples``.
THOROUGH_EXAMPLES = 1000
SETTINGS_INI = "dapolicy_settings"
ITEM_NAME = "dapolicy-conformance"


def pytest_addoption(parser: pytest.Parser) -> None:
    """Register the opt-in flag, the examples count and the settings ini key."""
    group = parser.getgroup("dapolicy", "dapolicy policy conformance")
    group.addoption(
        OPTION,
        action="store_true",
        default=False,
        help="run dapolicy's conformance kit against every registered dapolicy plug-in",
    )
    group.addoption(
        THOROUGH_OPTION,
        action="store_true",
        default=False,
        help="the conformance kit for nightly runs: more boundary cases and "
        f"{THOROUGH_EXAMPLES} drawn cases per item (implies {OPTION})",
    )
    group.addoption(
        EXAMPLES_OPTION,
        type=int,
        default=None,
        metavar="N",
        help="cases per conformance item (default: the hypothesis profile's max_examples)",
    )
    parser.addini(
        SETTINGS_INI,
        help="a dapolicy policy TOML file for the conformance items and dapolicy_policy",
        default="",
    )


def _settings(config: pytest.Config) -> Settings | None:
    """The settings the ini file names, relative to the rootdir; ``None`` for defaults."""
    value = str(config.getini(SETTINGS_INI) or "").strip()
    if not value:
        return None
    from dapolicy.settings import load_settings

    path = Path(value)
    if not path.is_absolute():
        path = config.rootpath / path
    return load_settings(path)


class ConformanceItem(pytest.Item):
    """One run of the conformance kit: for one plug-in, or for the whole policy."""

    def __init__(self, *, plugin: str | None, **kwargs: Any) -> None:
        """:param plugin: the plug-in to isolate, or ``None`` for the whole policy."""
        super().__init__(**kwargs)
        self.plugin = plugin

    def runtest(self) -> None:
        """Build the policy and run every invariant over many drawn cases."""
        from dapolicy.policy import default_policy
        from dapolicy.testing.invariants import isolated, run_conformance

        settings = _settings(self.config)
        policy = (
            default_policy(settings)
            if self.plugin is None
            else isolated(self.plugin, settings=settings)
        )
        thorough = bool(self.config.getoption(THOROUGH_OPTION))
        examples = self.config.getoption(EXAMPLES_OPTION)
        if examples is None and thorough:
            examples = THOROUGH_EXAMPLES
        report = run_conformance(policy, max_examples=examples, thorough=thorough)
        if report.skipped:
            self.add_report_section("call", "dapolicy conformance", "\n".join(report.skipped))

    def repr_failure(
        self,
        excinfo: pytest.ExceptionInfo[BaseException],
        style: Any = None,
    ) -> str:
        """The broken invariant and the case hypothesis found, without the traceback."""
        exc = excinfo.value
        if isinstance(exc, AssertionError):
            notes = getattr(exc, "__notes__", ())
            return "\n".join([f"{type(exc).__name__}: {exc}", *notes])
        return str(super().repr_failure(excinfo, style))

    def reportinfo(self) -> tuple[Path, int | None, str]:
        """Where the item comes from, for pytest's report."""
        what = "the whole policy" if self.plugin is None else f"plug-in {self.plugin!r}"
        return self.path, None, f"dapolicy conformance: {what}"


class ConformanceCollector(pytest.Collector):
    """The conformance items: one for the whole policy, one per registered plug-in."""

    def collect(self) -> list[pytest.Item]:
        """Build the default policy and name an item after each of its plug-ins."""
        from dapolicy.policy import default_policy

        policy = default_policy(_settings(self.config))
        items: list[pytest.Item] = [ConformanceItem.from_parent(self, name="policy", plugin=None)]
        for info in policy.plugins:
            items.append(
                ConformanceItem.from_parent(self, name=f"plugin[{info.name}]", plugin=info.name)
            )
        return items


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(
    session: pytest.Session, config: pytest.Config, items: list[pytest.Item]
) -> None:
    """With the flag, collect the conformance items (before ``-k`` and ``-m`` select)."""
    if not (config.getoption(OPTION) or config.getoption(THOROUGH_OPTION)):
        return
    collector = ConformanceCollector.from_parent(session, name=ITEM_NAME, nodeid=ITEM_NAME)
    # Through the collection hooks, so the items are counted and reported like any others.
    report = collector.ihook.pytest_make_collect_report(collector=collector)
    collector.ihook.pytest_collectreport(report=report)
    if report.failed:
        raise pytest.UsageError(f"{ITEM_NAME}: could not collect:\n{report.longreprtext}")
    items.extend(node for node in report.result if isinstance(node, pytest.Item))


@pytest.fixture(scope="session")
def dapolicy_policy(pytestconfig: pytest.Config) -> Policy:
    """The default policy (built-ins and installed plug-ins), with ``dapolicy_settings``."""
    from dapolicy.policy import default_policy

    return default_policy(_settings(pytestconfig))
