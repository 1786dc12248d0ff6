"""What every model type shares: invariants checked together, ordered enums, time rules."""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

from dapolicy.errors import FieldError, ValidationError, join_path

__all__ = [
    "LONDON",
    "MAX_YEAR",
    "MIN_YEAR",
    "micros",
    "Checked",
    "OrderedEnum",
    "Problems",
    "age_on",
    "trusted_maker",
    "aware",
    "fixed_offset",
    "fixed_offset_or_none",
    "not_blank",
    "to_frozenset",
    "to_tuple",
]

#: The calendar the force works in: ages, days and due times are reckoned here.
LONDON = ZoneInfo("Europe/London")

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)


def micros(moment: datetime) -> int:
    """An aware datetime as whole microseconds since 1970 UTC: the instant, exactly.

    Compare instants with this, never with ``<`` on two datetimes: Python compares two
    datetimes in the *same* zone by wall clock and ignores ``fold``, so in the hour the
    clocks go back 01:10 GMT would sort before 01:45 BST. Integers also stay exact
    where float timestamps lose microseconds.
    """
    return (moment - _EPOCH) // _MICROSECOND


def fixed_offset(value: datetime) -> datetime:
    """``value`` at a fixed UTC offset: the same instant and the same wall-clock time.

    The attrs converter of every datetime field of every model. Python compares two
    datetimes in one ``zoneinfo`` zone by wall clock, ignoring ``fold``, and (PEP 495)
    never finds a time in a zone's repeated hour equal to anything in another zone: so
    ``01:30 BST`` on the night the clocks go back would not equal itself read back from
    JSON (where only the offset ``+01:00`` is kept). At a fixed offset, equality,
    ordering and hashing are on the instant, and the text written is unchanged.

    Anything that is not an aware datetime is returned as it is, for the model's
    checks to report (typed as datetime only so that mypy checks the field's callers).
    """
    if type(value) is datetime and type(value.tzinfo) is timezone:  # the usual case
        return value
    if not isinstance(value, datetime) or value.tzinfo is None:
        return value
    try:
        offset = value.utcoffset()
    except Exception:  # a broken tzinfo: leave it to aware() to report
        return value
    if offset is None:
        return value
    return value.replace(tzinfo=timezone(offset), fold=0)


def fixed_offset_or_none(value: datetime | None) -> datetime | None:
    """:func:`fixed_offset` for an optional field: ``None`` stays ``None``."""
    return None if value is None else fixed_offset(value)


#: What a model's ``_problems`` yields: (field name or "", message).
Problems = Iterator[tuple[str, str]]


class Checked:
    """Mixin for frozen attrs classes whose invariants are checked all at once.

    attrs validators stop at the first failure; a record with three faults should say
    all three. Each model yields its problems from ``_problems``; ``__attrs_post_init__``
    raises one :class:`~dapolicy.errors.ValidationError` carrying them all, each with
    the field it concerns. No message includes a value.
    """

    __slots__ = ()

    def __attrs_post_init__(self) -> None:
        """Raise one ValidationError naming every broken invariant."""
        problems = list(self._problems())
        if problems:
            errors = (
                FieldError(join_path("$", name) if name else "$", message)
                for name, message in problems
            )
            raise ValidationError(type(self).__name__, errors)

    def _problems(self) -> Problems:
        return iter(())

    @classmethod
    def _trusted(cls, **fields: Any) -> Any:
        """Build from values already known to be valid, without re-checking them.

        For dapolicy's own intermediate objects only (the policy's draft decisions, made
        from parts that were each checked when built). Every field must be given, in
        its final type: converters do not run, so a datetime must be at a fixed offset
        already (as :func:`fixed_offset` puts every model's).
        """
        obj = _new(cls)
        for name, value in fields.items():
            _set(obj, name, value)
        return obj


_new = object.__new__
_set = object.__setattr__

#: Each class's :func:`trusted_maker`, made once.
MAKERS: dict[type, Callable[..., Any]] = {}


def trusted_maker(cls: type) -> Callable[..., Any]:
    """:meth:`Checked._trusted` for ``cls`` as a function of every field, in field order.

    The same object, unchecked, from values given by position or by name: quicker,
    since no dictionary is built or walked (drafts and the engine's own tasks and
    referrals are made many times a decision). Every field must be given.
    """
    maker = MAKERS.get(cls)
    if maker is None:
        names = [a.name for a in cls.__attrs_attrs__]  # type: ignore[attr-defined]
        assert all(name.isidentifier() and not name.startswith("__") for name in names)
        space: dict[str, Any] = {"__new": _new, "__set": _set, "__cls": cls}
        shadow = _shadow(cls)
        if shadow is None:
            text = (
                f"def make({', '.join(names)}, *, __new=__new, __set=__set, __cls=__cls):\n"
                "    __obj = __new(__cls)\n"
                + "".join(f"    __set(__obj, {name!r}, {name})\n" for name in names)
                + "    return __obj\n"
            )
        else:
            # Made as the shadow, whose fields are set by plain attribute stores (about
            # a sixth of the cost of a call of object.__setattr__ each), then given its
            # own class: the same object, field for field.
            space["__shadow"] = shadow
            text = (
                f"def make({', '.join(names)}, *, __new=__new, __shadow=__shadow, "
                "__cls=__cls):\n"
                "    __obj = __new(__shadow)\n"
                + "".join(f"    __obj.{name} = {name}\n" for name in names)
                + "    __obj.__class__ = __cls\n"
                "    return __obj\n"
            )
        exec(text, space)  # field names only, from the class itself
        maker = MAKERS[cls] = space["make"]
    return maker


def _shadow(cls: type) -> type | None:
    """A subclass of ``cls`` whose instances can be written to, or ``None``.

    It adds no field and no slot, so an instance made as the shadow can be given
    ``cls`` as its class (``__class__`` assignment checks that the two layouts are the
    same), and it sets and deletes attributes as ``object`` does (both, since the two
    share one type slot), so a store to one of its fields is a plain slot store, not a
    call of the frozen class's ``__setattr__``. ``None`` where ``cls`` cannot be
    subclassed this way or the switch does not give an object of ``cls`` itself.
    """
    try:
        shadow = type(
            f"_{cls.__name__}Maker",
            (cls,),
            {
                "__slots__": (),
                "__setattr__": object.__setattr__,
                "__delattr__": object.__delattr__,
                "__module__": cls.__module__,
            },
        )
        probe: Any = _new(shadow)
        probe.__class__ = cls
    except Exception:
        return None
    return shadow if type(probe) is cls else None


def to_tuple(value: Iterable[Any]) -> tuple[Any, ...]:
    """Convert any iterable to a tuple (an attrs converter).

    Typed loosely on purpose: mypy's attrs plugin cannot see through a generic
    converter; the field's own annotation stays precise.
    """
    return tuple(value)


def to_frozenset(value: Iterable[Any]) -> frozenset[Any]:
    """Convert any iterable to a frozenset (an attrs converter; see :func:`to_tuple`)."""
    return frozenset(value)


#: The years a date-time may fall in (as written, in its own offset). Every window
#: (at most 120 months back) and every deadline computed from a date-time in this
#: range stays far inside what Python's datetime can hold (years 1 to 9999), so no
#: age, window or due time can overflow.
MIN_YEAR, MAX_YEAR = 1900, 2200
_OUT_OF_RANGE = f"outside the supported years {MIN_YEAR} to {MAX_YEAR}"

_NONE: tuple[tuple[str, str], ...] = ()
#: Time-zone classes whose utcoffset() is never None (a custom tzinfo may return None).
_ALWAYS_AN_OFFSET = (ZoneInfo, timezone)


def aware(name: str, value: Any, *, optional: bool = False) -> tuple[tuple[str, str], ...]:
    """Problems with a datetime field: a timezone-aware ``datetime`` in the supported years.

    Plain functions returning a tuple, not generators: they run for every field of
    every object built, and the valid case must cost next to nothing.
    """
    if value is None and optional:
        return _NONE
    if not isinstance(value, datetime):
        return ((name, "must be a datetime with a UTC offset"),)
    if not MIN_YEAR <= value.year <= MAX_YEAR:
        return ((name, _OUT_OF_RANGE),)
    if type(value.tzinfo) in _ALWAYS_AN_OFFSET:  # the usual case: no need to ask
        return _NONE
    if value.tzinfo is None or value.utcoffset() is None:
        return ((name, "naive datetime: a UTC offset or time zone is required"),)
    return _NONE


def not_before(
    name: str, later: Any, earlier_name: str, earlier: Any
) -> tuple[tuple[str, str], ...]:
    """A problem if the aware datetime ``later`` is an earlier instant than ``earlier``.

    Nothing is said when either is missing or not aware: :func:`aware` says that.
    """
    if (
        isinstance(later, datetime)
        and isinstance(earlier, datetime)
        and later.utcoffset() is not None
        and earlier.utcoffset() is not None
        and micros(later) < micros(earlier)
    ):
        return ((name, f"must not be before {earlier_name}"),)
    return _NONE


def not_blank(name: str, value: Any, *, optional: bool = False) -> tuple[tuple[str, str], ...]:
    """Problems with a text field that must hold something other than white space."""
    if type(value) is str and value and not value.isspace():
        return _NONE
    if value is None and optional:
        return _NONE
    if not isinstance(value, str):
        return ((name, "must be a string"),)
    if value.strip():
        return _NONE
    return ((name, "must not be empty"),)


class OrderedEnum(enum.Enum):
    """An enum whose members compare in the order they are declared."""

    @property
    def rank(self) -> int:
        """Position in declaration order, from 0."""
        rank = _RANKS.get(id(self))
        return _rank(self) if rank is None else rank

    # Written out rather than made by functools.total_ordering: grades are compared
    # in every decision, and each derived comparison would cost two calls more.
    def __lt__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return self.rank < other.rank

    def __le__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return self.rank <= other.rank

    def __gt__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return self.rank > other.rank

    def __ge__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return self.rank >= other.rank


#: Each member's rank, by ``id`` (members live as long as their class, so ids stay
#: theirs): enum members hash by name in Python code, which costs more.
_RANKS: dict[int, int] = {}


def _rank(member: OrderedEnum) -> int:
    for index, each in enumerate(type(member)):
        _RANKS[id(each)] = index
    return _RANKS[id(member)]


def age_on(born: date, day: date) -> int:
    """Whole years between ``born`` and ``day``, as the law in England counts them.

    A birthday is reached at the start of the day; someone born on 29 February reaches
    each new year of age on 1 March in a common year.
    """
    years = day.year - born.year
    # In a common year nothing sorts between (2, 28) and (3, 1), so a 29 February
    # birthday is reached on 1 March by the same comparison.
    if (day.month, day.day) < (born.month, born.day):
        years -= 1
    return years
