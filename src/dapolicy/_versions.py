"""Dated policy versions: which version of a force's policy is in force, when and where.

A force's settings may hold versions, each in force from an instant (``from``), until
an instant (``until``, exclusive; open-ended if left out), everywhere or only in some
areas. The choice, for a moment and an area:

1. a version for that area in force at that moment, if there is one;
2. else the version for every area (a version without ``areas``) in force then;
3. else, before the first version for every area starts, the base settings.

A version for areas is an exception to the version for every area in force when it
starts, as a pilot is to the national rule; it lives within that one, so that its
settings can build on it (a version that would run across the start of another
version for every area is a load error). From the first version for every area on,
every moment is covered by exactly one such version: two in force at once, or a
moment with none, is a load error naming the versions (a gap); so is a version for
areas in force twice for one area. Boundaries are instants; a date means 00:00 in
Europe/London on that day, so a switch is exact, across a change of the clocks too.
"""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Callable, Iterator, Mapping
from datetime import date, datetime, time
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from dapolicy.errors import FieldError, ValidationError
from dapolicy.models._base import LONDON, Problems, fixed_offset, micros
from dapolicy.models._ids import SAFE_ID_TEXT, is_safe_id
from dapolicy.models.risk import Reason

if TYPE_CHECKING:
    from dapolicy.settings import PolicyVersion, Settings

__all__ = [
    "MAX_AREAS",
    "MAX_VERSIONS",
    "VersionIndex",
    "instant",
    "instant_or_none",
    "london",
    "overdue_prompt",
    "split_versions",
    "version_problems",
]

#: The most versions one file may hold, and areas one version may name.
MAX_VERSIONS = 200
MAX_AREAS = 1000

#: The keys of a ``[[versions]]`` table that describe the version; the rest override.
_META = ("id", "from", "until", "areas", "review_by")

P = TypeVar("P")


def instant(value: Any) -> Any:
    """A boundary as an instant: a date is 00:00 in London that day (an attrs converter).

    An aware datetime is kept (at a fixed offset, as every model keeps it); anything
    else is returned as it is, for the model's checks to report.
    """
    if isinstance(value, date) and not isinstance(value, datetime):
        return fixed_offset(datetime.combine(value, time(), tzinfo=LONDON))
    if isinstance(value, datetime) and value.utcoffset() is not None:
        return fixed_offset(value)
    return value


def instant_or_none(value: Any) -> Any:
    """:func:`instant`, keeping ``None``."""
    return None if value is None else instant(value)


def london(moment: datetime) -> str:
    """An instant on the London clock, for messages: ``2024-11-27 00:00 GMT``."""
    return moment.astimezone(LONDON).strftime("%Y-%m-%d %H:%M %Z")


# --- the rules a set of versions must keep ------------------------------------------------


def version_problems(settings: Settings) -> Problems:
    """Every way ``settings.versions`` breaks the rules above, by path (``versions[1].from``)."""
    versions = settings.versions
    problems = list(_each_version(settings))
    if problems:  # the timeline needs every version's own fields right
        yield from problems
        return
    general = sorted(
        ((i, v) for i, v in enumerate(versions) if v.areas is None),
        key=lambda pair: micros(pair[1].start),
    )
    yield from _general_timeline(general)
    yield from _area_timelines(versions)
    yield from _crossings(versions, general)


def _name(index: int, version: PolicyVersion) -> str:
    return f"versions[{index}] ({version.id!r})"


def _each_version(settings: Settings) -> Problems:
    ids = {settings.version}
    for index, version in enumerate(settings.versions):
        at = f"versions[{index}]"
        own = version.settings
        if version.id in ids:
            yield f"{at}.id", "is the id of the base or of another version"
        ids.add(version.id)
        if own.versions:
            yield at, "a version cannot hold versions of its own"
        if own.force != settings.force:
            yield f"{at}.force", "a version cannot change the force's name"
        if own.plugins.block != settings.plugins.block:
            yield (
                f"{at}.plugins.block",
                "every version loads the same plug-ins: to switch one off from a date, "
                "use plugins.risk_models or the plug-in's own setting",
            )
        if version.until is not None and micros(version.until) <= micros(version.start):
            yield f"{at}.until", "must be after from"


def _general_timeline(general: list[tuple[int, PolicyVersion]]) -> Problems:
    for (i, first), (j, then) in itertools.pairwise(general):
        if first.until is None or micros(first.until) > micros(then.start):
            yield (
                f"versions[{j}].from",
                f"{_name(j, then)} and {_name(i, first)} are both in force for every area "
                f"from {london(then.start)}",
            )
        elif micros(first.until) < micros(then.start):
            yield (
                f"versions[{i}].until",
                f"a gap: no version is in force for every area from {london(first.until)} "
                f"(the end of {_name(i, first)}) until {london(then.start)}",
            )
    if general and general[-1][1].until is not None:
        index, last = general[-1]
        assert last.until is not None
        yield (
            f"versions[{index}].until",
            f"a gap: no version is in force for every area from {london(last.until)} (the "
            f"end of {_name(index, last)}); the last version without areas must not end",
        )


def _area_timelines(versions: tuple[PolicyVersion, ...]) -> Problems:
    by_area: dict[str, list[tuple[int, PolicyVersion]]] = {}
    for index, version in enumerate(versions):
        for area in version.areas or ():
            by_area.setdefault(area, []).append((index, version))
    told: set[tuple[int, int]] = set()
    for area in sorted(by_area):
        timeline = sorted(by_area[area], key=lambda pair: micros(pair[1].start))
        for (i, first), (j, then) in itertools.pairwise(timeline):
            overlap = first.until is None or micros(first.until) > micros(then.start)
            if overlap and (i, j) not in told:
                told.add((i, j))
                yield (
                    f"versions[{j}].areas",
                    f"{_name(j, then)} and {_name(i, first)} are both in force for area "
                    f"{area!r} from {london(then.start)}",
                )


def _crossings(
    versions: tuple[PolicyVersion, ...], general: list[tuple[int, PolicyVersion]]
) -> Problems:
    for index, version in enumerate(versions):
        if version.areas is None:
            continue
        start = micros(version.start)
        end = micros(version.until) if version.until is not None else None
        for j, other in general:
            switch = micros(other.start)
            if start < switch and (end is None or switch < end):
                yield (
                    f"versions[{index}].until",
                    f"{_name(index, version)} runs across the start of {_name(j, other)} "
                    f"at {london(other.start)}: a version for areas builds on the version "
                    "for every area in force when it starts, so end it there and continue "
                    "it in a new version",
                )
                break


# --- finding the version in force ---------------------------------------------------------


class _Timeline(Generic[P]):
    """Versions that never overlap, by start: the one in force at an instant, if any."""

    def __init__(self, entries: list[tuple[int, int | None, P]]) -> None:
        entries.sort(key=lambda entry: entry[0])
        self._starts = [start for start, _, _ in entries]
        self._entries = entries

    def at(self, moment: int) -> P | None:
        index = bisect.bisect_right(self._starts, moment) - 1
        if index < 0:
            return None
        _, end, found = self._entries[index]
        return found if end is None or moment < end else None

    @property
    def first_start(self) -> int | None:
        return self._starts[0] if self._starts else None


class VersionIndex(Generic[P]):
    """The version in force at an instant for an area, each built once by ``build``.

    :param settings: settings with at least one version, already checked.
    :param build: what to keep for each version's settings (a :class:`Policy`).
    """

    def __init__(self, settings: Settings, build: Callable[[Settings], P]) -> None:
        """Build every version, and the base with no versions, once."""
        import attrs

        self.base = build(attrs.evolve(settings, versions=()))
        general: list[tuple[int, int | None, P]] = []
        areas: dict[str, list[tuple[int, int | None, P]]] = {}
        for version in settings.versions:
            end = micros(version.until) if version.until is not None else None
            entry = (micros(version.start), end, build(version.settings))
            if version.areas is None:
                general.append(entry)
            for area in version.areas or ():
                areas.setdefault(area, []).append(entry)
        self._general = _Timeline(general)
        self._areas = {area: _Timeline(entries) for area, entries in areas.items()}

    def at(self, moment: datetime, area: str | None) -> P:
        """The version in force at ``moment`` (aware) for ``area``."""
        when = micros(moment)
        if area is not None:
            timeline = self._areas.get(area)
            found = timeline.at(when) if timeline is not None else None
            if found is not None:
                return found
        found = self._general.at(when)
        if found is not None:
            return found
        first = self._general.first_start
        if first is None or when < first:
            return self.base
        # Checked settings have no gap; this is reached only with unchecked ones.
        raise ValidationError(
            "policy version", [FieldError("$.now", "no version of the policy is in force")]
        )


# --- the review-by date -------------------------------------------------------------------


def overdue_prompt(settings: Settings) -> Reason | None:
    """The prompt a decision carries when made on or after the version's review-by date."""
    due = settings.review_by
    if due is None:
        return None
    return Reason(
        "policy.review-overdue",
        f"force setting: review_by of policy version {settings.version}",
        f"policy version {settings.version} was due for review by {london(due)}: the "
        "force should confirm that it is still the policy",
    )


# --- reading versions from TOML -----------------------------------------------------------


def split_versions(
    data: dict[str, Any],
) -> tuple[dict[str, Any], list[tuple[dict[str, Any], dict[str, Any]]], list[FieldError]]:
    """The base's data, each version's (meta, overrides), and what is wrong with them."""
    base = {key: value for key, value in data.items() if key != "versions"}
    if "review_by" in base:
        base["review_by"] = instant(base["review_by"])
    raw = data.get("versions")
    if raw is None:
        return base, [], []
    if not isinstance(raw, list) or not all(isinstance(t, dict) for t in raw):
        return base, [], [FieldError("$.versions", "expected an array of tables ([[versions]])")]
    if len(raw) > MAX_VERSIONS:
        return base, [], [FieldError("$.versions", f"must have 0 to {MAX_VERSIONS} entries")]
    errors: list[FieldError] = []
    found = []
    for index, table in enumerate(raw):
        at = f"$.versions[{index}]"
        meta = {key: table[key] for key in _META if key in table}
        overrides = {key: value for key, value in table.items() if key not in _META}
        for key in ("version", "versions"):
            if key in overrides:
                message = "give a version's id as id" if key == "version" else "not in a version"
                errors.append(FieldError(f"{at}.{key}", message))
        errors += _meta_errors(meta, at)
        found.append((meta, overrides))
    return base, found, errors


def _meta_errors(meta: dict[str, Any], at: str) -> Iterator[FieldError]:
    if "id" not in meta:
        yield FieldError(f"{at}.id", "required field missing")
    elif not is_safe_id(meta["id"]):
        yield FieldError(f"{at}.id", f"must be a safe id: {SAFE_ID_TEXT}")
    if "from" not in meta:
        yield FieldError(f"{at}.from", "required field missing")
    for key in ("from", "until", "review_by"):
        if key in meta:
            meta[key] = instant(meta[key])
            if not isinstance(meta[key], datetime) or meta[key].utcoffset() is None:
                yield FieldError(
                    f"{at}.{key}",
                    "expected a date (00:00 in London that day) or a date-time with a UTC offset",
                )
    areas = meta.get("areas")
    if "areas" in meta:
        if not isinstance(areas, list) or not 1 <= len(areas) <= MAX_AREAS:
            yield FieldError(
                f"{at}.areas",
                f"expected an array of 1 to {MAX_AREAS} area ids (leave areas out for every area)",
            )
        else:
            for n, area in enumerate(areas):
                if not is_safe_id(area):
                    yield FieldError(f"{at}.areas[{n}]", f"must be a safe id: {SAFE_ID_TEXT}")
            if len(set(areas)) != len(areas) and all(is_safe_id(a) for a in areas):
                yield FieldError(f"{at}.areas", "entries must be unique")


def merged(base: Mapping[str, Any], overrides: Mapping[str, Any]) -> dict[str, Any]:
    """``base`` with ``overrides``: tables merge key by key; any other value replaces."""
    result = dict(base)
    for key, value in overrides.items():
        below = result.get(key)
        if isinstance(value, dict) and isinstance(below, dict):
            result[key] = merged(below, value)
        else:
            result[key] = value
    return result


def version_data(
    base: dict[str, Any], found: list[tuple[dict[str, Any], dict[str, Any]]]
) -> list[dict[str, Any]]:
    """Each version's whole settings, as data: its parent's, with its overrides.

    A version for every area builds on the base; a version for areas on the version
    for every area with the latest start not after its own (the one in force when it
    starts, in settings that keep the rules), or on the base before any.
    """
    plain = {key: value for key, value in base.items() if key not in ("version", "review_by")}

    def own(
        meta: dict[str, Any], parent: dict[str, Any], overrides: dict[str, Any]
    ) -> dict[str, Any]:
        data = merged(parent, overrides)
        data["version"] = meta["id"]
        if "review_by" in meta:
            data["review_by"] = meta["review_by"]
        return data

    general = sorted(
        (micros(meta["from"]), index)
        for index, (meta, _) in enumerate(found)
        if "areas" not in meta
    )
    parents: dict[int, dict[str, Any]] = {}
    for _, index in general:
        parents[index] = merged(plain, found[index][1])
    result = []
    for meta, overrides in found:
        if "areas" not in meta:
            result.append(own(meta, plain, overrides))
            continue
        starts = [start for start, _ in general]
        before = bisect.bisect_right(starts, micros(meta["from"])) - 1
        parent = parents[general[before][1]] if before >= 0 else plain
        result.append(own(meta, parent, overrides))
    return result
