"""Guarded calls: each plug-in called in isolation, its failure recorded, not raised.

A plug-in that raises, or returns the wrong type, becomes a
:class:`~dapolicy.models.PluginFailure` on the decision (which then needs review), and
every other plug-in's contribution stands.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any, cast

import attrs
import pluggy

from dapolicy.errors import ValidationError
from dapolicy.models import PluginFailure

__all__ = ["Call", "Guard", "error_text"]


def error_text(exc: BaseException) -> str:
    """What a failure record says of ``exc``: never a message that may quote input."""
    # Only a ValidationError's message is built by dapolicy to name fields and never
    # values; any other message -- a plug-in's own DapolicyError included -- may quote
    # personal data, so only its type is kept.
    if isinstance(exc, ValidationError):
        return f"{type(exc).__name__}: {exc}"
    return f"{type(exc).__name__} raised"


@attrs.define
class Call:
    """What one round of a contribution hook gathered."""

    results: list[tuple[str, Any]] = attrs.Factory(list)
    failures: list[PluginFailure] = attrs.Factory(list)


class Guard:
    """Calls the plug-ins of one decision, each call isolated.

    :param impls: each hook's implementations, in the order they are called.
    """

    def __init__(self, impls: Callable[[str], Sequence[pluggy.HookImpl]]) -> None:
        """A guard over the implementations ``impls`` gives for each hook."""
        self._impls = impls

    def call(
        self,
        hook: str,
        accept: Callable[[Any], bool],
        expected: str,
        *,
        many: bool,
        only: Sequence[str] | None = None,
        **kwargs: Any,
    ) -> Call:
        """Call each implementation in isolation; collect results and failures."""
        call = Call()
        for impl in self._impls(hook):
            name = impl.plugin_name
            if only is not None and name not in only:
                continue
            items: list[Any] = []
            try:
                result = impl.function(*(kwargs[a] for a in impl.argnames))
                if many:
                    # Item by item, so what a generator yielded before it failed is
                    # kept: a referral already made is never lost.
                    for item in cast(Iterable[Any], result):
                        items.append(item)
                else:
                    items.append(result)
            except Exception as exc:
                call.failures.append(PluginFailure(name, hook, error_text(exc)))
            for item in items:
                if accept(item):
                    call.results.append((name, item))
                else:
                    call.failures.append(
                        PluginFailure(
                            name, hook, f"returned {type(item).__name__}, expected {expected}"
                        )
                    )
        return call
