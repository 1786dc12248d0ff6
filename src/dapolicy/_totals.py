"""The force-wide totals the audit measures shares against (private).

:class:`ForceTotals` is public as :class:`dapolicy.audit.ForceTotals`; it lives here so
that :mod:`dapolicy.synth`, which computes the totals a synthetic year is measured
against, does not depend on the audit.
"""

from __future__ import annotations

import attrs

from dapolicy.models import OffenceCategory
from dapolicy.models._base import Checked, Problems

__all__ = ["ForceTotals"]


def _count(name: str, value: object) -> Problems:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        yield name, "must be a whole number, 0 or more"


@attrs.frozen
class ForceTotals(Checked):
    """Force-wide counts the domestic-abuse shares are taken against.

    :param all_calls: all calls for assistance.
    :param all_crimes: all recorded crime.
    :param assault_with_intent: all assaults with intent to cause serious harm.
    :param assault_with_injury: all assaults with injury.
    :param harassment: all harassment offences.
    :param sexual_offences: all sexual offences.
    """

    all_calls: int
    all_crimes: int
    assault_with_intent: int
    assault_with_injury: int
    harassment: int
    sexual_offences: int

    def _problems(self) -> Problems:
        for field in attrs.fields(ForceTotals):
            yield from _count(field.name, getattr(self, field.name))

    def for_offence(self, category: OffenceCategory) -> int | None:
        """The force's total for one of the four groups; ``None`` for other categories."""
        return {
            OffenceCategory.ASSAULT_WITH_INTENT: self.assault_with_intent,
            OffenceCategory.ASSAULT_WITH_INJURY: self.assault_with_injury,
            OffenceCategory.HARASSMENT: self.harassment,
            OffenceCategory.SEXUAL_OFFENCE: self.sexual_offences,
        }.get(category)
