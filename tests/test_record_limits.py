"""What one record may hold: repeated keys found in linear time, and bounded sizes.

A hostile line must cost time and memory in proportion to its size, and a record
bigger than any real one is refused with the JSON path of what is too big.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from dapolicy import Case, ValidationError, from_json
from dapolicy.serialization import MAX_ITEMS, MAX_STRING_CHARS, _unique_keys

CASE = json.loads(
    (Path(__file__).resolve().parents[1] / "examples" / "cases.jsonl")
    .read_text(encoding="utf-8")
    .splitlines()[0]
)


class _CountedKey(str):
    """A key that counts how often it is compared with another."""

    comparisons = 0

    def __eq__(self, other: object) -> bool:
        type(self).comparisons += 1
        return str.__eq__(self, other)

    __hash__ = str.__hash__


@pytest.mark.parametrize("size", [1_000, 4_000])
def test_the_repeated_key_check_compares_each_key_a_bounded_number_of_times(
    size: int,
) -> None:
    # Every key given twice, each a distinct object: a check that compares each key
    # with every other one (quadratic) makes size**2 comparisons; a set makes about one
    # per repeated key.
    pairs = [(_CountedKey(f"k{i % (size // 2)}"), i) for i in range(size)]
    _CountedKey.comparisons = 0
    with pytest.raises(ValueError, match="given twice"):
        _unique_keys(pairs)
    assert _CountedKey.comparisons <= 3 * size


def test_a_line_repeating_forty_thousand_keys_names_a_few_of_them() -> None:
    line = "{" + ",".join(f'"k{i % 20_000}":1' for i in range(40_000)) + "}"
    with pytest.raises(ValidationError) as excinfo:
        from_json(Case, line)
    (error,) = excinfo.value.errors
    assert error.path == "$"
    assert error.message == (
        "not valid JSON: key(s) given twice: k0, k1, k10, k100, k1000 and 19995 more"
    )


def _problems(record: dict[str, Any]) -> list[tuple[str, str]]:
    with pytest.raises(ValidationError) as excinfo:
        from_json(Case, json.dumps(record))
    return [(error.path, error.message) for error in excinfo.value.errors]


def test_a_string_longer_than_the_limit_is_refused_with_its_path() -> None:
    record = copy.deepcopy(CASE)
    record["incident"]["victim"]["name"] = "x" * (MAX_STRING_CHARS + 1)
    assert _problems(record) == [
        ("$.incident.victim.name", f"longer than {MAX_STRING_CHARS} characters")
    ]
    record["incident"]["victim"]["name"] = "x" * MAX_STRING_CHARS
    assert (
        from_json(Case, json.dumps(record)).incident.victim.name
        == record["incident"]["victim"]["name"]
    )


def test_too_many_children_are_refused_with_the_path() -> None:
    record = copy.deepcopy(CASE)
    child = record["incident"]["children"][0]
    record["incident"]["children"] = [{**child, "id": f"C{i}"} for i in range(MAX_ITEMS + 1)]
    assert _problems(record) == [
        ("$.incident.children", f"more than {MAX_ITEMS} items ({MAX_ITEMS + 1})")
    ]


def test_too_many_answers_are_refused_with_the_path() -> None:
    record = copy.deepcopy(CASE)
    record["form"]["answers"] = {str(i): "no" for i in range(MAX_ITEMS + 1)}
    assert _problems(record) == [
        ("$.form.answers", f"more than {MAX_ITEMS} items ({MAX_ITEMS + 1})")
    ]
