"""What a plug-in's failure record says: never a message that may quote input.

The texts of the guard's failure records (an exception, the time budget, the caps),
and the debug switch that prints a failing plug-in's traceback.
"""

from __future__ import annotations

import os
import re
import sys
import traceback

from dapolicy.errors import ValidationError, safe_name
from dapolicy.settings import LimitsSettings

__all__ = [
    "DEBUG_PLUGINS_ENV",
    "debug",
    "error_text",
    "not_run_text",
    "out_of_time_text",
    "over_cap_text",
    "safe_path",
]

#: Set to ``1`` to print a failing plug-in's traceback to standard error.
DEBUG_PLUGINS_ENV = "DAPOLICY_DEBUG_PLUGINS"

_PATH_PART = re.compile(r"\.([^.\[]+)|\[(\d{1,9})\]")


def safe_path(path: str) -> str | None:
    """``path`` if every field name in it may be quoted (:func:`safe_name`), else None."""
    if not path.startswith("$"):
        return None
    at = 1
    while at < len(path):
        match = _PATH_PART.match(path, at)
        if match is None or (match[1] is not None and safe_name(match[1]) is None):
            return None
        at = match.end()
    return path


def error_text(exc: BaseException) -> str:
    """What a failure record says of ``exc``: never a message that may quote input.

    A plug-in's message may quote personal data -- its own ``DapolicyError``, or
    ``sys.exit("text")`` -- so only the type is kept; of a ``ValidationError``, the
    paths of the fields at fault too, where each name in them is a safe name.
    """
    text = f"{type(exc).__name__} raised"
    if isinstance(exc, ValidationError):
        paths = [safe_path(e.path) for e in exc.errors]
        named = list(dict.fromkeys(p for p in paths if p is not None))
        unnamed = sum(p is None for p in paths)
        parts = named + ([f"{unnamed} field(s) not named"] if unnamed else [])
        text += f", at {', '.join(parts)}"
    return text


def _debugging() -> bool:
    return os.environ.get(DEBUG_PLUGINS_ENV, "") not in ("", "0")


def debug(name: str, hook: str, exc: BaseException) -> None:
    """Print a failing plug-in's traceback to standard error, in debug mode only."""
    if not _debugging():
        return
    print(
        f"dapolicy: plug-in {name!r} failed in {hook} "
        f"({DEBUG_PLUGINS_ENV} is set: this traceback may show personal data):",
        file=sys.stderr,
    )
    traceback.print_exception(exc, file=sys.stderr)


def out_of_time_text(limits: LimitsSettings) -> str:
    """A plug-in that ran past the decision's time budget."""
    seconds = limits.decision_seconds
    return f"ran past the decision's time budget of {seconds:g} s (limits.decision_seconds)"


def not_run_text(limits: LimitsSettings) -> str:
    """A plug-in not called: the budget was spent before its turn."""
    seconds = limits.decision_seconds
    return (
        f"not run: the decision's time budget of {seconds:g} s (limits.decision_seconds) was spent"
    )


def over_cap_text(limits: LimitsSettings, cap: str, kept: int | None, dropped: str) -> str:
    """A plug-in that gave more of ``cap`` than the decision allows (``kept``: if known)."""
    return (
        f"gave more {cap} than the decision's cap of "
        f"{getattr(limits, 'max_' + cap)} (limits.max_{cap}) allows: "
        + ("" if kept is None else f"{kept} kept, ")
        + f"{dropped} dropped"
    )
