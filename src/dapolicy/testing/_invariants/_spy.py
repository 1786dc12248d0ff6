"""Watching every call of every plug-in: what it was given, returned, raised, and read.

The kit assesses each case through a *spied* copy of the policy under test: the same
plug-in objects, with every hook implementation wrapped so that the arguments are
fingerprinted before and after the call (invariant 10: a plug-in does not change what
it was given), and what it returns or raises is kept for the personal-data check
(invariant 9). The copy is made with :meth:`Policy.with_plugins`, so the policy under
test is never touched.
"""

from __future__ import annotations

import functools
import sys
import threading
import time
import weakref
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import date, datetime
from types import FrameType
from typing import Any

import attrs

from dapolicy import hookspecs
from dapolicy.policy import Policy
from dapolicy.serialization import to_json
from dapolicy.settings import Settings

#: Hooks whose implementations return many items (iterated by the policy).
_MANY = frozenset(
    {
        "dapolicy_question_sets",
        "dapolicy_escalations",
        "dapolicy_referrals",
        "dapolicy_tasks",
        "dapolicy_on_event",
    }
)


@attrs.define
class HookCall:
    """One call of one plug-in's hook implementation, as the spy saw it."""

    plugin: str
    hook: str
    returned: list[Any] = attrs.Factory(list)
    raised: BaseException | None = None
    changed: list[str] = attrs.Factory(list)


def _fingerprint(value: Any) -> str:
    """The content of an argument, to compare before and after a call."""
    if isinstance(value, Settings):
        return value.fingerprint()
    if attrs.has(type(value)):
        try:
            return to_json(value)
        except Exception:  # not a model the converter knows
            return repr(attrs.asdict(value, recurse=True))
    content = getattr(value, "content", None)
    if callable(content):
        return repr(content())
    return repr(value)


def _wrap(impl: Any, calls: list[HookCall], hook: str) -> Callable[..., Any]:
    original = impl.function
    names = tuple(impl.argnames)

    @functools.wraps(original)
    def spied(*args: Any) -> Any:
        record = HookCall(impl.plugin_name, hook)
        calls.append(record)
        before = [_fingerprint(a) for a in args]
        try:
            result = original(*args)
            if hook in _MANY and result is not None and not isinstance(result, str | bytes):
                items: list[Any] = []
                try:
                    for item in result:
                        items.append(item)
                except BaseException as exc:
                    record.raised = exc
                    record.returned = items
                    _compare(record, names, args, before)
                    return _replay(items, exc)
                record.returned = items
                result = items
            else:
                record.returned = [result]
        except BaseException as exc:
            record.raised = exc
            _compare(record, names, args, before)
            raise
        _compare(record, names, args, before)
        return result

    return spied


def _replay(items: list[Any], exc: BaseException) -> Iterator[Any]:
    """The items a generator yielded, then the exception it raised: as the policy saw."""
    yield from items
    raise exc


def _compare(
    record: HookCall, names: tuple[str, ...], args: tuple[Any, ...], before: list[str]
) -> None:
    for name, value, was in zip(names, args, before, strict=True):
        if _fingerprint(value) != was:
            record.changed.append(name)


@attrs.define
class Spied:
    """A copy of a policy whose every hook call is recorded in :attr:`calls`."""

    policy: Policy
    calls: list[HookCall]


_SPIED: weakref.WeakKeyDictionary[Policy, Spied | None] = weakref.WeakKeyDictionary()


def spied(policy: Policy) -> Spied | None:
    """The spied copy of ``policy`` (made once), or ``None`` if it cannot be copied."""
    if policy in _SPIED:
        return _SPIED[policy]
    found: Spied | None
    try:
        clone = policy.with_plugins()
        impls = clone._impls
    except Exception:
        found = None
    else:
        calls: list[HookCall] = []
        for hook in hookspecs.HOOK_NAMES:
            try:
                hook_impls = impls(hook)
            except KeyError:
                continue
            for impl in hook_impls:
                # pluggy types the attribute Final; this copy is the kit's own.
                setattr(impl, "function", _wrap(impl, calls, hook))  # noqa: B010
        found = Spied(clone, calls)
    _SPIED[policy] = found
    return found


# --- the clock ----------------------------------------------------------------------------

#: Functions that read the wall clock, by (owner, name).
_CLOCK_READS = {
    (time, "time"),
    (time, "time_ns"),
    (time, "localtime"),
    (time, "gmtime"),
    (time, "ctime"),
    (time, "asctime"),
    (time, "strftime"),
    (datetime, "now"),
    (datetime, "utcnow"),
    (datetime, "today"),
    (date, "today"),
}
_CLOCK_IDS = {(id(owner), name) for owner, name in _CLOCK_READS}
#: Library modules that read the clock for their own records (a log record's time).
_QUIET = ("logging", "warnings")
#: How far the kit moves the clock while watching: a plug-in that reads it sees 2031.
CLOCK_SHIFT_SECONDS = 5 * 365.25 * 86400 + 17 * 3600 + 1


def _reader(frame: FrameType | None) -> str | None:
    """The file of the Python code that made a clock read, unless a library's own."""
    if frame is None:
        return None
    module = frame.f_globals.get("__name__", "")
    if module.split(".")[0] in _QUIET:
        return None
    if module.startswith("dapolicy.") and not module.startswith("dapolicy.plugins"):
        return None  # the engine and the kit; neither reads the clock for a rule
    return str(module or frame.f_code.co_filename)


@contextmanager
def watching_the_clock() -> Iterator[list[str]]:
    """Every module that read the wall clock meanwhile; the clock shifted, too.

    ``time.time`` and ``time.time_ns`` return a time years ahead while watching, so a
    rule that reads them decides differently; every call of a clock function (even one
    imported by name, or ``datetime.now``) from code other than the logging and
    warnings modules is listed.
    """
    readers: list[str] = []

    def profile(frame: FrameType, event: str, arg: Any) -> None:
        if event != "c_call":
            return
        owner = getattr(arg, "__self__", None)
        if (id(owner), getattr(arg, "__name__", None)) in _CLOCK_IDS:
            who = _reader(frame)
            if who is not None:
                readers.append(who)

    real_time, real_time_ns = time.time, time.time_ns
    shift_ns = int(CLOCK_SHIFT_SECONDS * 1e9)

    def noted() -> None:
        who = _reader(sys._getframe(2))
        if who is not None:
            readers.append(who)

    def shifted_time() -> float:
        noted()
        return real_time() + CLOCK_SHIFT_SECONDS

    def shifted_time_ns() -> int:
        noted()
        return real_time_ns() + shift_ns

    # Under a profiler of its own (cProfile, a debugger's), only the shift is applied.
    watch = sys.getprofile() is None
    time.time = shifted_time
    time.time_ns = shifted_time_ns
    if watch:
        sys.setprofile(profile)
        threading.setprofile(profile)
    try:
        yield readers
    finally:
        if watch:
            sys.setprofile(None)
            threading.setprofile(None)
        time.time, time.time_ns = real_time, real_time_ns


def texts_of(values: Iterable[Any]) -> Iterator[str]:
    """Every piece of text in what a plug-in returned, for the personal-data search."""
    for value in values:
        if value is None:
            continue
        if isinstance(value, str):
            yield value
        elif attrs.has(type(value)):
            try:
                yield to_json(value)
            except Exception:
                yield repr(attrs.asdict(value, recurse=True))
        else:
            yield repr(value)
