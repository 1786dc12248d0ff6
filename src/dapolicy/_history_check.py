"""Whether an object can be read as a History: behind :class:`dapolicy.history.HistoryView`.

A view checks each type of store it is given once: a runtime Protocol check and the
query methods' signatures are slow to read.
"""

from __future__ import annotations

import inspect

__all__ = ["OPTIONAL", "QUERIES", "check_history"]

#: The query methods of a History.
QUERIES = ("incidents", "last_marac_referral", "calls", "last_grade", "events")
#: The query methods a History may have (a view asks another query in their place).
OPTIONAL = ("count_incidents",)


def check_history(history: object, is_history: bool) -> None:
    """Raise TypeError unless ``history`` is a History whose queries take ``known_at``.

    Its optional queries (:data:`OPTIONAL`) too, where it has them.

    :param is_history: ``isinstance(history, History)``: it has every query method.
    """
    if not is_history:
        missing = [name for name in QUERIES if not callable(getattr(history, name, None))]
        raise TypeError(
            f"a HistoryView reads a History ({', '.join(QUERIES)}); "
            f"{type(history).__name__} has no {', '.join(missing) or 'such methods'} "
            "(it must answer for grades and events as well: see 'Writing your own "
            "History' in the documentation)"
        )
    optional = (name for name in OPTIONAL if getattr(history, name, None) is not None)
    for name in (*QUERIES, *optional):
        try:
            parameters = inspect.signature(getattr(history, name)).parameters
        except (TypeError, ValueError):  # no signature to read (a C function): trust it
            continue
        takes = "known_at" in parameters or any(
            p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters.values()
        )
        if not takes:
            raise TypeError(
                f"{type(history).__name__}.{name}() takes no known_at: a History must "
                "answer as known at a moment since dapolicy 0.2 (see 'Writing your own "
                "History' in the documentation)"
            )
