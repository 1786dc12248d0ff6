"""The hook reference page documents every hook, with its signature."""

from __future__ import annotations

import inspect
import re
from pathlib import Path

import pytest

from dapolicy import hookspecs

PAGE = Path(__file__).resolve().parents[1] / "docs" / "hooks.md"


def _specs() -> list[str]:
    return sorted(
        name
        for name, value in vars(hookspecs).items()
        if name.startswith("dapolicy_") and hasattr(value, "dapolicy_spec")
    )


def test_every_hookspec_is_listed_in_hook_names() -> None:
    assert sorted(hookspecs.HOOK_NAMES) == _specs()


@pytest.mark.parametrize("name", _specs())
def test_every_hook_has_a_section_with_its_signature(name: str) -> None:
    text = PAGE.read_text(encoding="utf-8")
    assert f"### `{name}`" in text, f"docs/hooks.md has no section for {name}"
    spec = getattr(hookspecs, name)
    params = ", ".join(inspect.signature(spec).parameters)
    returns = inspect.signature(spec).return_annotation
    signature = f"{name}({params}) -> {returns}"
    section = text.split(f"### `{name}`", 1)[1].split("\n### ", 1)[0]
    assert signature in section, f"docs/hooks.md: {name} should show `{signature}`"


@pytest.mark.parametrize("name", _specs())
def test_every_hookspec_documents_its_parameters_and_return(name: str) -> None:
    doc = inspect.getdoc(getattr(hookspecs, name)) or ""
    for param in inspect.signature(getattr(hookspecs, name)).parameters:
        assert re.search(rf":param {param}:", doc), f"{name} does not document {param}"
    if inspect.signature(getattr(hookspecs, name)).return_annotation != "None":
        assert ":return:" in doc, f"{name} does not document its return value"
