"""Checklist items and question sets."""

from __future__ import annotations

from collections.abc import Iterable

from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument
from hypothesis.strategies import SearchStrategy

from dapolicy.models import (
    QuestionItem,
    QuestionSet,
)
from dapolicy.testing._strategies._common import (
    _CHECKLISTS,
    _DASH_ITEMS,
    _SECTIONS,
    _SOURCES,
    _SUMMARIES,
    _TITLES,
    _given_or,
    _optional,
    _references,
)
from dapolicy.testing._strategies._risk import _check_item_ids


def _item_ids() -> SearchStrategy[str]:
    return st.one_of(
        st.sampled_from(_DASH_ITEMS),
        st.integers(1, 99).map(str),
        _references("item"),
    )


def question_items(
    *, ids: str | SearchStrategy[str] | None = None
) -> SearchStrategy[QuestionItem]:
    """Checklist items: an id and a short paraphrase, never an instrument's wording.

    :param ids: the item id, or a strategy of ids; by default ``q1`` to ``q27``, bare
        numbers or other ids.
    :return: a strategy of valid :class:`~dapolicy.models.QuestionItem`.
    """
    return st.builds(
        QuestionItem,
        id=_given_or(ids, _item_ids()),
        summary=st.sampled_from(_SUMMARIES),
        section=_optional(st.sampled_from(_SECTIONS)),
        text=_optional(st.integers(0, 999).map(lambda n: f"licensed wording placeholder {n}")),
    )


def question_sets(
    *,
    ids: str | SearchStrategy[str] | None = None,
    item_ids: Iterable[str] | None = None,
) -> SearchStrategy[QuestionSet]:
    """Checklists with at least one item and unique item ids.

    :param ids: the checklist id, or a strategy of ids; by default DASH, S-DASH, DIAL
        and a local one.
    :param item_ids: the item ids, in order; by default one to eight drawn ids.
    :return: a strategy of valid :class:`~dapolicy.models.QuestionSet`.
    """
    items: SearchStrategy[list[QuestionItem]]
    if item_ids is None:
        items = st.lists(question_items(), min_size=1, max_size=8, unique_by=lambda i: i.id)
    else:
        chosen = _check_item_ids(item_ids)
        if not chosen:
            raise InvalidArgument("a question set needs at least one item id")
        items = st.tuples(*(question_items(ids=item) for item in chosen)).map(list)
    return st.builds(
        QuestionSet,
        id=_given_or(ids, st.sampled_from(_CHECKLISTS)),
        title=st.sampled_from(_TITLES),
        items=items,
        source=st.one_of(st.just(""), st.sampled_from(_SOURCES)),
    )
