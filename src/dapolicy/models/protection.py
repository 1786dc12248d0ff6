"""Protection notices: the regime in force, officers' ranks, and an eligibility check."""

from __future__ import annotations

import enum

import attrs

from dapolicy.models._base import OrderedEnum
from dapolicy.models.risk import Reason

__all__ = ["ProtectionNoticeCheck", "ProtectionRegime", "Rank", "RegimeChoice"]


class ProtectionRegime(enum.Enum):
    """Which protection notice the law gives a force, by area and date.

    ``DVPN``: the Domestic Violence Protection Notice and Order (Crime and Security Act
    2010 ss.24-33). ``DAPN``: the Domestic Abuse Protection Notice and Order (Domestic
    Abuse Act 2021 ss.22-29), in the pilot areas from their start dates.
    """

    DVPN = "dvpn"
    DAPN = "dapn"


class RegimeChoice(enum.Enum):
    """The ``[protection] regime`` setting: ``auto`` chooses by area and date."""

    AUTO = "auto"
    DVPN = "dvpn"
    DAPN = "dapn"


class Rank(OrderedEnum):
    """Police ranks, lowest first (England and Wales)."""

    CONSTABLE = "constable"
    SERGEANT = "sergeant"
    INSPECTOR = "inspector"
    CHIEF_INSPECTOR = "chief_inspector"
    SUPERINTENDENT = "superintendent"
    CHIEF_SUPERINTENDENT = "chief_superintendent"
    CHIEF_OFFICER = "chief_officer"


@attrs.frozen
class ProtectionNoticeCheck:
    """Whether a protection notice may be given, under which regime, and what is unmet.

    :param regime: the regime in force for the case's area on the day, or ``None`` when
        it is not known (a person must confirm it).
    :param eligible: every condition of that regime is met.
    :param unmet: every condition not met or not known, in words (never personal data).
    :param reasons: the rule and source behind the regime and each condition.
    """

    regime: ProtectionRegime | None
    eligible: bool
    unmet: tuple[str, ...]
    reasons: tuple[Reason, ...]
