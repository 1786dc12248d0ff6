"""Checklists (question sets) that risk-model plug-ins contribute.

Instrument wording is copyright: dapolicy ships item ids and short paraphrases only. A
force that holds a licence can load its own wording into ``QuestionItem.text``.
"""

from __future__ import annotations

import attrs

from dapolicy.models._base import Checked, Problems, not_blank, to_tuple

__all__ = ["QuestionItem", "QuestionSet"]


@attrs.frozen
class QuestionItem(Checked):
    """One item of a checklist.

    :param id: the item id answers are keyed by, e.g. ``"8"``.
    :param summary: a short paraphrase (not the instrument's wording).
    :param section: the checklist section, if any.
    :param text: the force's licensed wording, if it loaded one.
    """

    id: str
    summary: str
    section: str | None = None
    text: str | None = None

    def _problems(self) -> Problems:
        yield from not_blank("id", self.id)
        yield from not_blank("summary", self.summary)


@attrs.frozen
class QuestionSet(Checked):
    """A checklist: its id (the ``RiskForm.checklist`` value) and its items.

    :param id: e.g. ``"dash-2009-police"``.
    :param title: a short human name.
    :param items: the items, in order; ids unique.
    :param source: where the checklist comes from (a citation).
    """

    id: str
    title: str
    items: tuple[QuestionItem, ...] = attrs.field(converter=to_tuple)
    source: str = ""

    def _problems(self) -> Problems:
        yield from not_blank("id", self.id)
        yield from not_blank("title", self.title)
        ids = [item.id for item in self.items]
        if not ids:
            yield "items", "a question set needs at least one item"
        if len(set(ids)) != len(ids):
            yield "items", "item ids must be unique"

    @property
    def item_ids(self) -> frozenset[str]:
        """The ids of every item."""
        return frozenset(item.id for item in self.items)
