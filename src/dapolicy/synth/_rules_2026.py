"""What a synthetic year holds for the 2026 rules (private; public as :mod:`dapolicy.synth`).

A profile with any of the shares below set gets, on top of the plan every profile has
(each from its own random stage, so the other stages' draws, and a profile that sets
none of them, are unchanged):

- **areas**: a share of victims living in a DAPN pilot area (``pilot_area_share``);
  and, for each pilot area whose pilot started inside the year, the victim of the
  first incident that day (or the next day with one) not already placed lives in that
  area, so that the year has an incident on the first day of every pilot it spans;
- **child victims** (DA Act 2021 s.3): in a share of the households with children
  (``child_victim_share``) the children saw or heard the abuse (``affected``); half of
  those are the suspect's children too (an ASSUMPTION);
- **weapons**: a share of incidents with a weapon present (``weapon_share``), and
  every assault with intent;
- **not known**: a share of the forms received with one key DASH item
  (``[dash] key_items``) answered "not known" (``key_not_known_share``);
- **schools**: for each last day of a school term (``term_ends``), an incident that
  evening in a household with children (the first such incident that day, if any).

Stalking comes from the profile's ``offence_mix`` (a stalking crime has the stalking
abuse type, which sets the task to consider a Stalking Protection Order).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import attrs

from dapolicy.models import OffenceCategory
from dapolicy.models._base import LONDON
from dapolicy.protection import DAPN_PILOT
from dapolicy.settings import DashSettings
from dapolicy.synth._plan import Slot, Victim, lists_children, sample, stage_rng
from dapolicy.synth._profiles import Profile

__all__ = ["Plan2026", "plan_2026"]


@attrs.frozen
class Plan2026:
    """The 2026 rules' part of the plan: by victim index and by slot index."""

    areas: dict[int, str] = attrs.Factory(dict)
    affected: frozenset[int] = frozenset()  # victims whose children are affected
    suspects_children: frozenset[int] = frozenset()  # of those, also the suspect's
    weapons: frozenset[int] = frozenset()  # slots
    not_known: dict[int, str] = attrs.Factory(dict)  # slot -> the key item not known
    term_end_slots: frozenset[int] = frozenset()  # slots on a term's last day, with children


def _day(slot: Slot) -> date:
    return slot.occurred_at.astimezone(LONDON).date()


def _first_on_or_after(slots: Sequence[Slot], day: date, taken: set[int]) -> int | None:
    return next((i for i, s in enumerate(slots) if _day(s) >= day and s.victim not in taken), None)


def plan_2026(profile: Profile, victims: list[Victim], slots: list[Slot], seed: int) -> Plan2026:
    """Who lives where, which children are victims, which slots have what."""
    if not profile.exercises_2026_rules:
        return Plan2026()
    rng = stage_rng(seed, "rules-2026")
    everyone = range(len(victims))
    pilots = sorted(DAPN_PILOT)
    areas = {
        v: rng.choice(pilots)
        for v in sample(rng, everyone, round(profile.pilot_area_share * len(victims)))
    }
    pinned: set[int] = set()
    for area, start in sorted(DAPN_PILOT.items(), key=lambda item: (item[1], item[0])):
        if not profile.period_start <= start <= profile.period_end:
            continue
        # Areas that started on the same day each get their own victim.
        first = _first_on_or_after(slots, start, pinned)
        if first is not None:
            areas[slots[first].victim] = area
            pinned.add(slots[first].victim)
    households = [v for v in everyone if victims[v].children]
    affected = sample(rng, households, round(profile.child_victim_share * len(households)))
    theirs = frozenset(affected[::2])
    weapons = {i for i, s in enumerate(slots) if s.offence is OffenceCategory.ASSAULT_WITH_INTENT}
    weapons.update(sample(rng, range(len(slots)), round(profile.weapon_share * len(slots))))
    with_forms = [i for i, s in enumerate(slots) if s.form]
    keys = DashSettings().key_items
    not_known = {
        i: rng.choice(keys)
        for i in sample(rng, with_forms, round(profile.key_not_known_share * len(with_forms)))
    }
    evenings = set()
    for last_day in profile.term_ends:
        found = next(
            (
                i
                for i, s in enumerate(slots)
                if _day(s) == last_day and lists_children(victims[s.victim], s)
            ),
            None,
        )
        if found is not None:
            evenings.add(found)
    return Plan2026(
        areas=areas,
        affected=frozenset(affected),
        suspects_children=theirs,
        weapons=frozenset(weapons),
        not_known=not_known,
        term_end_slots=frozenset(evenings),
    )
