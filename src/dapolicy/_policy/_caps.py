"""The per-decision caps on what plug-ins give: referrals, tasks, reasons and prompts.

What is left of a cap is shared out among one hook's plug-ins as evenly as their
contributions allow, so that no plug-in's flood crowds out another's; an item's
reasons and prompts past the caps are trimmed (its first reason is always kept), and
each plug-in that gave too much is recorded as failing.
"""

from __future__ import annotations

import sys
from typing import Any

import attrs

from dapolicy._policy._failure_text import over_cap_text
from dapolicy.models import PluginFailure
from dapolicy.settings import LimitsSettings

__all__ = ["REASONS_ONLY", "Caps", "Trims", "share", "trims_of"]

#: The fields whose length the caps count, by the type of item that has them:
#: (field, cap, how many are always kept).
Trims = tuple[tuple[str, str, int], ...]
_CAPPED_FIELDS: Trims = (
    ("reasons", "reasons", 1),
    ("briefing", "reasons", 0),
    ("prompts", "prompts", 0),
)
_TRIMS: dict[type, Trims] = {}
#: The capped fields of an item whose only capped field is its reasons (a task's, a
#: referral's): one object, so that the guard knows it by identity.
REASONS_ONLY: Trims = (_CAPPED_FIELDS[0],)


def trims_of(cls: type) -> Trims:
    """The capped fields an item of type ``cls`` has (worked out once for each type)."""
    trims = _TRIMS.get(cls)
    if trims is None:
        names = {a.name for a in getattr(cls, "__attrs_attrs__", ())}
        trims = tuple(t for t in _CAPPED_FIELDS if t[0] in names)
        _TRIMS[cls] = trims = REASONS_ONLY if trims == REASONS_ONLY else trims
    return trims


def share(room: int, sizes: list[int]) -> list[int]:
    """How many of each contribution to keep: ``room`` in all, shared out evenly.

    Every contribution gets the same share, or all of itself if it is smaller;
    what is left goes, one item each, to the first (in plug-in order) that want more.
    """
    if sum(sizes) <= room:
        return sizes
    kept = [0] * len(sizes)
    left = room
    wanting = [i for i, size in enumerate(sizes) if size]
    while left and wanting:
        share = max(left // len(wanting), 1)
        for i in list(wanting):
            give = min(share, sizes[i] - kept[i], left)
            kept[i] += give
            left -= give
            if kept[i] == sizes[i]:
                wanting.remove(i)
            if not left:
                break
    return kept


class Caps:
    """What one decision has taken of each cap so far."""

    __slots__ = ("_dropped", "_most", "limits", "taken")

    def __init__(self, limits: LimitsSettings) -> None:
        """Nothing taken yet of ``limits``' caps."""
        self.limits = limits
        self.taken = {"referrals": 0, "tasks": 0, "reasons": 0, "prompts": 0}
        self._dropped: dict[str, int] = {}  # by trim, for the item being trimmed
        # Read once: a plug-in that changes the settings is found and put back after
        # its call, before any cap is read again.
        self._most = {
            "referrals": int(limits.max_referrals),
            "tasks": int(limits.max_tasks),
        }

    def room(self, cap: str | None) -> int:
        """How many more items ``cap`` allows (``None``: no cap)."""
        if cap is None:
            return sys.maxsize
        most = self._most.get(cap)
        if most is None:
            most = int(getattr(self.limits, "max_" + cap))
        return max(most - self.taken[cap], 0)

    def over_cap(
        self,
        name: str,
        hook: str,
        cap: str,
        kept: int,
        read: int,
        over_cap: bool,
        dropped: int | None,
    ) -> PluginFailure:
        """The failure of a plug-in that gave ``read`` items (or more), ``kept`` kept.

        :param over_cap: reading stopped at the cap (there was at least one more).
        :param dropped: how many were not read, when known (a list or tuple).
        """
        count_dropped = read - kept
        if dropped is not None:
            count = str(count_dropped + dropped)
        elif over_cap:
            count = f"at least {count_dropped + 1}"
        else:
            count = str(count_dropped)
        text = over_cap_text(self.limits, cap, kept, count)
        if over_cap and dropped is None:
            text += " (the rest was not read)"
        return PluginFailure(name, hook, text)

    def trim(
        self, name: str, hook: str, item: Any, trims: Trims, failures: list[PluginFailure]
    ) -> Any:
        """``item`` within the decision's caps on reasons and prompts."""
        taken = self.taken
        changes: dict[str, tuple[Any, ...]] | None = None
        for field, cap, first in trims:
            values = getattr(item, field)
            counted = len(values) - first  # an item's first reason is always kept
            if counted <= 0:
                continue
            room = int(getattr(self.limits, "max_" + cap)) - taken[cap]
            if counted > room:
                room = max(room, 0)
                if changes is None:
                    changes = {}
                changes[field] = values[: first + room]
                self._dropped[cap] = self._dropped.get(cap, 0) + counted - room
                counted = room
            taken[cap] += counted
        if changes is None:
            return item
        for cap, count in self._dropped.items():
            failures.append(
                PluginFailure(name, hook, over_cap_text(self.limits, cap, None, str(count)))
            )
        self._dropped.clear()
        return attrs.evolve(item, **changes)
