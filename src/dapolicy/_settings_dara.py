"""The ``[dara]`` settings: the force's own DARA items (private; public in settings).

DARA's item list is not public, so dapolicy ships none: a force that runs DARA sets
``enabled = true`` and supplies its items, inline (``[[dara.items]]``) or in a TOML
file that ``items_file`` names (read when the policy file is loaded, relative to it,
so that the force's wording can be kept apart from its policy).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import attrs

from dapolicy._settings_ranges import (
    Flag,
    Ident,
    Items,
    Label,
    Maybe,
    OneOf,
    Section,
    Whole,
    bounded,
)
from dapolicy._settings_toml import _TomlError, read_toml
from dapolicy.errors import FieldError
from dapolicy.models._base import Problems, to_tuple
from dapolicy.models.dara import Frequency
from dapolicy.models.risk import RiskGrade

__all__ = ["DaraItem", "DaraSettings", "MAX_DARA_ITEMS", "read_items_files"]

#: The most items a force's DARA may have.
MAX_DARA_ITEMS = 200
_AT_LEAST = (Frequency.ONCE, Frequency.SOMETIMES, Frequency.OFTEN)


@attrs.frozen
class DaraItem(Section):
    """One item of the force's DARA.

    :param id: the item id DARA forms key their answers by.
    :param text: the force's own short text for it (dapolicy ships none).
    :param section: the form's section, if any (e.g. "coercive control").
    :param key: a "not known" answer to it needs review, and a prompt to ask it again.
    :param points_to: the least grade an answer of ``at_least`` or more often points
        to; a DARA grade below it gives a prompt and needs review (never changes it).
    :param at_least: the least frequency that points to ``points_to``: ``once``,
        ``sometimes`` or ``often``.
    """

    id: str = bounded(attrs.NOTHING, Ident())
    text: str = bounded(attrs.NOTHING, Label(200))
    section: str | None = bounded(None, Maybe(Label(100)))
    key: bool = bounded(False, Flag())
    points_to: RiskGrade | None = bounded(None, Maybe(OneOf(RiskGrade)))
    at_least: Frequency = bounded(
        Frequency.ONCE, OneOf(Frequency, "one of `once`, `sometimes`, `often`")
    )

    def _related(self, bad: set[str]) -> Problems:
        if "at_least" not in bad and self.at_least not in _AT_LEAST:
            yield "at_least", "must be once, sometimes or often"


@attrs.frozen
class DaraSettings(Section):
    """DARA, for a force that runs it: its items and when a form needs review.

    :param enabled: the force runs DARA; its items are then required.
    :param items: the force's items (in a file, ``[[dara.items]]``, or ``items_file``).
    :param not_known_review_from: a form with this many items not known (or not
        asked) needs review; 5 by default, as for DASH (an assumption), and never more
        than the number of items, so a form with every item not known always does.
    """

    enabled: bool = bounded(False, Flag())
    items: tuple[DaraItem, ...] = bounded((), Items(0, MAX_DARA_ITEMS), converter=to_tuple)
    not_known_review_from: int = bounded(5, Whole(1, MAX_DARA_ITEMS))

    def _related(self, bad: set[str]) -> Problems:
        if "items" in bad or "enabled" in bad:
            return
        if self.enabled and not self.items:
            yield (
                "items",
                "required when DARA is enabled: the force supplies its DARA items "
                "(dapolicy ships no DARA wording); give [[dara.items]] or dara.items_file",
            )
        ids = [item.id for item in self.items]
        if len(set(ids)) != len(ids):
            yield "items", "item ids must be unique"

    @property
    def review_from(self) -> int:
        """How many not-known items need review: the setting, at most every item."""
        return max(1, min(self.not_known_review_from, len(self.items)))


def read_items_files(path: Path, data: dict[str, Any]) -> list[FieldError]:
    """Replace each ``dara.items_file`` in a policy file's data by the items it holds.

    The base's ``[dara]`` and each ``[[versions]]`` entry's are read; a file is named
    relative to the policy file. What is wrong is returned as errors at the key's path
    (a problem inside an items file is at its own path there).
    """
    errors: list[FieldError] = []
    tables: list[tuple[str, Any]] = [("$.dara", data.get("dara"))]
    versions = data.get("versions")
    if isinstance(versions, list):
        tables += [
            (f"$.versions[{n}].dara", v.get("dara"))
            for n, v in enumerate(versions)
            if isinstance(v, dict)
        ]
    for where, table in tables:
        if not isinstance(table, dict) or "items_file" not in table:
            continue
        name = table.pop("items_file")
        if "items" in table:
            errors.append(FieldError(f"{where}.items_file", "give items or items_file, not both"))
            continue
        if not isinstance(name, str) or not name.strip():
            errors.append(FieldError(f"{where}.items_file", "must be a file name"))
            continue
        file = path.parent / name
        try:
            items_data = read_toml(file)
        except _TomlError as exc:
            errors.append(FieldError(f"{where}.items_file", f"{file}: {exc.error.message}"))
            continue
        except OSError as exc:
            reason = exc.strerror or type(exc).__name__
            errors.append(FieldError(f"{where}.items_file", f"{file} cannot be read: {reason}"))
            continue
        unknown = sorted(k for k in items_data if k != "items")
        if unknown or "items" not in items_data:
            errors.append(
                FieldError(
                    f"{where}.items_file",
                    f"{file}: must hold [[items]] tables and nothing else",
                )
            )
            continue
        table["items"] = items_data["items"]
    return errors
