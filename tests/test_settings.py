"""Settings: defaults, strict TOML loading with key paths, invariants and fingerprints."""

from __future__ import annotations

import types
from pathlib import Path

import pytest

from dapolicy import AbuseType, RiskGrade, ValidationError
from dapolicy.settings import (
    DEFAULT_DIAL_KEY_ITEMS,
    DEFAULT_SERIES,
    DashSettings,
    DialSettings,
    HubSettings,
    MaracSettings,
    PluginSettings,
    SeriesRule,
    Settings,
    load_settings,
)


def load(tmp_path: Path, text: str) -> Settings:
    path = tmp_path / "policy.toml"
    path.write_text(text, encoding="utf-8")
    return load_settings(path)


def problems(excinfo: pytest.ExceptionInfo[ValidationError]) -> list[tuple[str, str]]:
    return [(error.path, error.message) for error in excinfo.value.errors]


def load_problems(tmp_path: Path, text: str) -> list[tuple[str, str]]:
    with pytest.raises(ValidationError) as excinfo:
        load(tmp_path, text)
    assert excinfo.value.type_name == "Settings"
    return problems(excinfo)


# --- defaults ---------------------------------------------------------------------------------


def test_documented_defaults() -> None:
    settings = Settings()
    assert settings.force == "default"
    assert settings.plugins == PluginSettings(block=(), risk_models=None)
    assert settings.repeat_victim_months == 12
    assert (settings.dash.medium_from, settings.dash.high_from) == (10, 14)
    assert settings.dial.checklist == "dial"
    assert settings.dial.items == tuple(str(n) for n in range(1, 28))
    assert dict(settings.dial.key_items) == {
        "18": RiskGrade.HIGH,
        "17": RiskGrade.HIGH,
        "16": RiskGrade.MEDIUM,
        "8": RiskGrade.MEDIUM,
        "14": RiskGrade.MEDIUM,
    }
    assert (settings.dial.medium_from, settings.dial.high_from) == (10, 14)
    assert settings.marac == MaracSettings(3, 12, 12)
    assert settings.hub.grades == frozenset({RiskGrade.MEDIUM, RiskGrade.HIGH})
    assert settings.hub.repeat_victims is True
    assert settings.hub.children_in_household is True
    assert settings.hub.vulnerable_victims is True
    assert settings.hub.abuse_types == frozenset(
        {AbuseType.HONOUR_BASED, AbuseType.FORCED_MARRIAGE, AbuseType.FGM, AbuseType.STALKING}
    )
    assert settings.series == (SeriesRule(3, 12, RiskGrade.HIGH),) == DEFAULT_SERIES
    assert dict(settings.options) == {}


def test_an_empty_file_gives_the_defaults(tmp_path: Path) -> None:
    assert load(tmp_path, "") == Settings()
    assert load(tmp_path, "# nothing set\n").fingerprint() == Settings().fingerprint()


def test_mappings_are_read_only() -> None:
    settings = Settings(options={"force-plugin": {"x": 1}})
    assert isinstance(settings.options, types.MappingProxyType)
    assert isinstance(settings.options["force-plugin"], types.MappingProxyType)
    assert isinstance(DialSettings().key_items, types.MappingProxyType)
    assert isinstance(DEFAULT_DIAL_KEY_ITEMS, types.MappingProxyType)
    with pytest.raises(TypeError):
        settings.options["other"] = {}  # type: ignore[index]


# --- every section from TOML ---------------------------------------------------------------------

FULL = """
force = "Kent"
repeat_victim_months = 6

[plugins]
block = ["lethality-screen"]
risk_models = ["dash", "local-thresholds"]

[dash]
medium_from = 5
high_from = 8

[dial]
checklist = "kent-dial"
items = ["a", "b", "c"]
key_items = { b = "high", c = "medium" }
medium_from = 1
high_from = 2

[marac]
escalation_incidents = 4
escalation_months = 6
repeat_months = 18

[hub]
grades = ["high"]
repeat_victims = false
children_in_household = false
vulnerable_victims = false
abuse_types = ["fgm", "stalking"]

[[series]]
incidents = 2
months = 3
grade = "medium"

[[series]]
incidents = 5
months = 12
grade = "high"

[options.force-plugin]
threshold = 3
names = ["x", "y"]
"""


def test_every_section_loads(tmp_path: Path) -> None:
    settings = load(tmp_path, FULL)
    assert settings == Settings(
        force="Kent",
        plugins=PluginSettings(
            block=("lethality-screen",), risk_models=("dash", "local-thresholds")
        ),
        repeat_victim_months=6,
        dash=DashSettings(medium_from=5, high_from=8),
        dial=DialSettings(
            checklist="kent-dial",
            items=("a", "b", "c"),
            key_items={"b": RiskGrade.HIGH, "c": RiskGrade.MEDIUM},
            medium_from=1,
            high_from=2,
        ),
        marac=MaracSettings(escalation_incidents=4, escalation_months=6, repeat_months=18),
        hub=HubSettings(
            grades=frozenset({RiskGrade.HIGH}),
            repeat_victims=False,
            children_in_household=False,
            vulnerable_victims=False,
            abuse_types=frozenset({AbuseType.FGM, AbuseType.STALKING}),
        ),
        series=(
            SeriesRule(incidents=2, months=3, grade=RiskGrade.MEDIUM),
            SeriesRule(incidents=5, months=12, grade=RiskGrade.HIGH),
        ),
        options={"force-plugin": {"threshold": 3, "names": ["x", "y"]}},
    )
    assert settings.options["force-plugin"]["threshold"] == 3


def test_a_section_left_out_keeps_its_defaults(tmp_path: Path) -> None:
    settings = load(tmp_path, "[marac]\nescalation_months = 6\n")
    assert settings.marac == MaracSettings(escalation_incidents=3, escalation_months=6)
    assert settings.dash == DashSettings()
    assert settings.series == DEFAULT_SERIES


def test_an_empty_series_list_switches_series_escalation_off(tmp_path: Path) -> None:
    assert load(tmp_path, "series = []\n").series == ()


# --- rejected input, with key paths ------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[marac]\nescalaton_incidents = 3\n", [("$.marac.escalaton_incidents", "unknown field")]),
        ("forse = 'Kent'\n", [("$.forse", "unknown field")]),
        ("[hub]\ngrade = ['high']\n", [("$.hub.grade", "unknown field")]),
        (
            "[[series]]\nincidents = 3\nmonths = 12\ngrade = 'high'\nweeks = 2\n",
            [("$.series[0].weeks", "unknown field")],
        ),
        ("[plugins]\nallow = ['dash']\n", [("$.plugins.allow", "unknown field")]),
    ],
)
def test_unknown_keys_are_rejected_by_path(
    tmp_path: Path, text: str, expected: list[tuple[str, str]]
) -> None:
    assert load_problems(tmp_path, text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "repeat_victim_months = '12'\n",
            [("$.repeat_victim_months", "expected a whole number, got a string")],
        ),
        (
            "repeat_victim_months = 12.5\n",
            [("$.repeat_victim_months", "expected a whole number, got a number with a fraction")],
        ),
        (
            "[marac]\nescalation_incidents = true\n",
            [("$.marac.escalation_incidents", "expected a whole number, got a boolean")],
        ),
        ("force = 3\n", [("$.force", "expected a string, got a number")]),
        (
            "[hub]\nrepeat_victims = 1\n",
            [("$.hub.repeat_victims", "expected true or false, got a number")],
        ),
        (
            "[hub]\ngrades = ['extreme']\n",
            [("$.hub.grades[0]", "must be one of: standard, medium, high")],
        ),
        ("[hub]\ngrades = 'high'\n", [("$.hub.grades", "expected an array, got a string")]),
        ("[plugins]\nblock = 'dial'\n", [("$.plugins.block", "expected an array, got a string")]),
        (
            "[dial]\nkey_items = { '18' = 'extreme' }\n",
            [("$.dial.key_items['18']", "must be one of: standard, medium, high")],
        ),
        ("dash = 10\n", [("$.dash", "expected an object, got a number")]),
        ("[options]\nx = 1\n", [("$.options.x", "expected an object, got a number")]),
        (
            "[[series]]\nmonths = 12\ngrade = 'high'\n",
            [("$.series[0].incidents", "required field missing")],
        ),
    ],
)
def test_wrong_types_are_rejected_by_path(
    tmp_path: Path, text: str, expected: list[tuple[str, str]]
) -> None:
    assert load_problems(tmp_path, text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "repeat_victim_months = 0\n",
            [("$.repeat_victim_months", "must be a whole number from 1 to 120")],
        ),
        ("[dash]\nmedium_from = 14\n", [("$.dash.high_from", "must be greater than medium_from")]),
        (
            "[marac]\nescalation_months = 0\nrepeat_months = -1\n",
            [
                ("$.marac.escalation_months", "must be a whole number from 1 to 120"),
                ("$.marac.repeat_months", "must be a whole number from 1 to 120"),
            ],
        ),
        (
            "[[series]]\nincidents = 0\nmonths = 12\ngrade = 'high'\n",
            [("$.series[0].incidents", "must be a whole number from 1 to 20")],
        ),
        (
            "[dial]\nkey_items = { '99' = 'high' }\n",
            [("$.dial.key_items", "every key item must be one of items")],
        ),
    ],
)
def test_broken_invariants_are_rejected_by_path(
    tmp_path: Path, text: str, expected: list[tuple[str, str]]
) -> None:
    assert load_problems(tmp_path, text) == expected


def test_toml_syntax_error(tmp_path: Path) -> None:
    found = load_problems(tmp_path, "[dash\nmedium_from = 5\n")
    assert len(found) == 1
    path, message = found[0]
    assert path == "$"
    assert message.startswith("not valid TOML: ")
    assert "line 1" in message


def test_messages_never_quote_the_value(tmp_path: Path) -> None:
    with pytest.raises(ValidationError) as excinfo:
        load(tmp_path, "force = 987654321\n[hub]\ngrades = ['SECRET-VALUE']\n")
    # A number no temporary path holds: "42" was found in "pytest-542", the file's path.
    assert "SECRET-VALUE" not in str(excinfo.value)
    assert "987654321" not in str(excinfo.value)
    assert problems(excinfo) == [
        ("$.force", "expected a string, got a number"),
        ("$.hub.grades[0]", "must be one of: standard, medium, high"),
    ]


def test_a_missing_file_is_an_os_error(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        load_settings(tmp_path / "absent.toml")


def test_load_settings_accepts_a_string_path(tmp_path: Path) -> None:
    path = tmp_path / "policy.toml"
    path.write_text("force = 'Kent'\n", encoding="utf-8")
    assert load_settings(str(path)).force == "Kent"


# --- invariants built in Python ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("build", "expected"),
    [
        (
            lambda: DashSettings(medium_from=0),
            [("$.medium_from", "must be a whole number from 1 to 23")],
        ),
        (
            lambda: DashSettings(medium_from=True, high_from=14),
            [("$.medium_from", "must be a whole number from 1 to 23")],
        ),
        (
            lambda: DashSettings(medium_from=8, high_from=8),
            [("$.high_from", "must be greater than medium_from")],
        ),
        (
            lambda: DialSettings(key_items={"x": RiskGrade.HIGH}),
            [("$.key_items", "every key item must be one of items")],
        ),
        (
            lambda: DialSettings(medium_from=14, high_from=10),
            [("$.high_from", "must be greater than medium_from")],
        ),
        (
            lambda: DialSettings(items=("a", "a", "b"), key_items={}, medium_from=1, high_from=2),
            [("$.items", "item ids must be unique")],
        ),
        (
            lambda: DialSettings(items=("a", "b"), key_items={}),
            [("$.high_from", "is more than the number of items")],
        ),
        (
            lambda: MaracSettings(escalation_incidents=0),
            [("$.escalation_incidents", "must be a whole number from 1 to 20")],
        ),
        (
            lambda: SeriesRule(3, 0, RiskGrade.HIGH),
            [("$.months", "must be a whole number from 1 to 120")],
        ),
        (
            lambda: Settings(repeat_victim_months=-12),
            [("$.repeat_victim_months", "must be a whole number from 1 to 120")],
        ),
    ],
)
def test_invariants_in_python(build: object, expected: list[tuple[str, str]]) -> None:
    with pytest.raises(ValidationError) as excinfo:
        build()  # type: ignore[operator]
    assert problems(excinfo) == expected


# --- fingerprint ---------------------------------------------------------------------------------


def test_fingerprint_is_stable_for_equal_settings() -> None:
    one = Settings(
        dial=DialSettings(key_items={"18": RiskGrade.HIGH, "8": RiskGrade.MEDIUM}),
        hub=HubSettings(grades=[RiskGrade.HIGH, RiskGrade.MEDIUM]),
        options={"p": {"a": 1, "b": 2}},
    )
    two = Settings(
        dial=DialSettings(key_items={"8": RiskGrade.MEDIUM, "18": RiskGrade.HIGH}),
        hub=HubSettings(grades=[RiskGrade.MEDIUM, RiskGrade.HIGH]),
        options={"p": {"b": 2, "a": 1}},
    )
    assert one == two
    assert one.fingerprint() == two.fingerprint()
    assert Settings().fingerprint() == Settings().fingerprint()
    fingerprint = Settings().fingerprint()
    assert len(fingerprint) == 16
    assert set(fingerprint) <= set("0123456789abcdef")


@pytest.mark.parametrize(
    "changed",
    [
        Settings(force="Kent"),
        Settings(repeat_victim_months=6),
        Settings(plugins=PluginSettings(block=("dial",))),
        Settings(plugins=PluginSettings(risk_models=())),
        Settings(dash=DashSettings(medium_from=5, high_from=8)),
        Settings(dial=DialSettings(checklist="kent-dial")),
        Settings(dial=DialSettings(key_items={})),
        Settings(marac=MaracSettings(escalation_months=6)),
        Settings(hub=HubSettings(repeat_victims=False)),
        Settings(hub=HubSettings(abuse_types=())),
        Settings(series=()),
        Settings(options={"p": {"a": 1}}),
    ],
)
def test_fingerprint_changes_with_any_setting(changed: Settings) -> None:
    assert changed != Settings()
    assert changed.fingerprint() != Settings().fingerprint()


def test_settings_are_hashable_and_frozen() -> None:
    assert hash(Settings()) == hash(Settings())
    with pytest.raises(AttributeError):
        Settings().force = "Kent"  # type: ignore[misc]
