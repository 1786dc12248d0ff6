"""The built-in plug-ins, registered through the same public ``hookimpl`` as a force's.

Each is an ordinary module of hook implementations; a force can block any of them by
name in its settings (``plugins.block``) and replace it with its own.
"""

from __future__ import annotations

from dapolicy.plugins import (
    after_events,
    allocation,
    dara,
    dash,
    dial,
    encompass,
    events,
    lethality,
    local,
    marac,
    protection,
    safeguarding,
    seven_step,
    thrive,
)

__all__ = ["DEFAULT_PLUGINS"]

#: (name, plug-in) for every built-in, in registration order.
DEFAULT_PLUGINS: tuple[tuple[str, object], ...] = (
    ("dash", dash),
    ("dial", dial),
    ("dara", dara),
    ("lethality-screen", lethality),
    ("local-thresholds", local),
    ("marac", marac),
    ("safeguarding", safeguarding),
    ("seven-step-plan", seven_step),
    ("allocation", allocation),
    ("protection", protection),
    ("encompass", encompass),
    ("after-events", after_events),
    ("events", events),
    ("thrive", thrive),
)
