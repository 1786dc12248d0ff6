"""The fast read path against the pure one, at length: the same answer for every text.

Seeded and bounded (``_scale.py``): each example reads one text (a valid case, a case
with one fault or one unusual change anywhere, or arbitrary bytes and text; or a
decision with one fault, as ``export`` and ``verify`` read decisions files) through
``from_json`` with the fast path on, and through the pure path that
``DAPOLICY_PURE_PYTHON=1`` chooses, with the default converter and with one made with
``detailed_validation=False``; and the same data through ``from_dict``. All must agree:
accept or reject, the object, its JSON and the types it holds, and every error's path,
message and text.
"""

from __future__ import annotations

import json
from typing import Any

import orjson
import pytest
from _read_corpus import DECISION_BREAKS, DECISIONS, mutated, outcome, texts
from _scale import fuzz_settings, tally
from hypothesis import event, given

from dapolicy import (
    Case,
    Decision,
    _read,
    _read_fast,
    _speedups,
    from_dict,
    from_json,
    make_converter,
)
from dapolicy import serialization as ser

DETAILED_OFF = make_converter(detailed_validation=False)


@pytest.fixture(autouse=True)
def fast_on(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_speedups, "FAST", True)
    monkeypatch.setattr(_speedups, "orjson", orjson)


def _pure(text: str | bytes, converter: Any = None) -> Any:
    chosen = ser._converter(converter)
    return _read.structure(Case, _read.loads("Case", text), chosen)


def _agree(text: str | bytes) -> tuple[Any, ...]:
    fast = outcome(lambda: from_json(Case, text))
    assert fast == outcome(lambda: _pure(text))
    assert outcome(lambda: from_json(Case, text, converter=DETAILED_OFF)) == outcome(
        lambda: _pure(text, DETAILED_OFF)
    )
    event(f"{fast[0]}; orjson vouched: {_read_fast.loads(text) is not _read_fast.UNSURE}")
    return fast


@fuzz_settings(400)
@given(texts())
def test_from_json_gives_the_same_answer_on_both_paths(text: str | bytes) -> None:
    tally("read: from_json", 1, [_agree(text)[0]])


@fuzz_settings(200)
@given(mutated())
def test_from_dict_gives_the_same_answer_on_both_paths(text: str | bytes) -> None:
    try:
        data = json.loads(text)
    except ValueError:
        return
    pure = outcome(lambda: _read.structure(Case, data, ser._converter(None)))
    assert outcome(lambda: from_dict(Case, data)) == pure
    tally("read: from_dict", 1, [pure[0]])


@fuzz_settings(100)
@given(mutated(DECISIONS, DECISION_BREAKS))
def test_a_decision_reads_the_same_on_both_paths(text: str | bytes) -> None:
    fast = outcome(lambda: from_json(Decision, text))
    chosen = ser._converter(None)
    assert fast == outcome(
        lambda: _read.structure(Decision, _read.loads("Decision", text), chosen)
    )
    event(f"decision {fast[0]}; orjson vouched: {_read_fast.loads(text) is not _read_fast.UNSURE}")
    tally("read: decisions", 1, [fast[0]])
