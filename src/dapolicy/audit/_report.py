"""The audit report's parts: counts, shares and the report itself (private).

Public as :mod:`dapolicy.audit`. Data only: nothing here knows how it is presented.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from types import MappingProxyType

import attrs

from dapolicy._totals import ForceTotals
from dapolicy.audit._training import TrainingCounts
from dapolicy.models import OffenceCategory, RiskGrade

#: Arrests per 100 domestic-abuse crimes in most forces (HMIC 2014, Figure 1).
ARREST_BAND = (45, 90)
#: Lower edges, in hours, of the report-to-grade latency histogram; the last is open.
LATENCY_BINS = (0, 6, 12, 24, 36, 48, 60, 72)
#: The four offence groups the report gives force figures for.
FOUR_GROUPS = (
    OffenceCategory.ASSAULT_WITH_INTENT,
    OffenceCategory.ASSAULT_WITH_INJURY,
    OffenceCategory.HARASSMENT,
    OffenceCategory.SEXUAL_OFFENCE,
)

#: The inspection report's published figures for Staffordshire (12 months to
#: 31 August 2013), keyed like :func:`figures`; percentages, and arrests per 100.
PUBLISHED: Mapping[str, float] = MappingProxyType(
    {
        "da_share_of_calls": 5,
        "repeat_caller_share": 32,
        "da_share_of_crime": 10,
        "offence.assault_with_intent": 13,
        "offence.assault_with_injury": 30,
        "offence.harassment": 54,
        "offence.sexual_offence": 13,
        "arrests_per_100": 64,
        "charge_rate": 26,
        "caution_rate": 9,
        "out_of_court_rate": 1,
        "crime_forms_not_received": 38,
    }
)
#: Where the published figures come from, for the reader.
PUBLISHED_SOURCE = "HMIC 2014, Staffordshire (12 months to 31 Aug 2013)"


@attrs.frozen
class Share:
    """``count`` out of ``total``.

    :param count: the part.
    :param total: the whole (a share of 0 is undefined: ``ratio`` is ``None``).
    """

    count: int
    total: int

    @property
    def ratio(self) -> float | None:
        """``count / total``, or ``None`` when ``total`` is 0."""
        return self.count / self.total if self.total else None

    @property
    def percent(self) -> float | None:
        """The ratio as a percentage, or ``None``."""
        ratio = self.ratio
        return None if ratio is None else 100 * ratio


@attrs.frozen
class DefinitionCounts:
    """Cases by the cross-government definition test.

    :param domestic_abuse: met.
    :param child_safeguarding: a victim or suspect under 16.
    :param not_domestic: neither partners nor family.
    :param undetermined: an age is not known.
    """

    domestic_abuse: int = 0
    child_safeguarding: int = 0
    not_domestic: int = 0
    undetermined: int = 0


@attrs.frozen
class OffenceCount:
    """Domestic-abuse crimes in one offence category.

    :param offence: the category.
    :param count: how many.
    """

    offence: OffenceCategory
    count: int


@attrs.frozen
class OffenceGroup:
    """Domestic abuse's share of one of the report's four offence groups.

    :param offence: the group.
    :param domestic_abuse: domestic-abuse crimes in it.
    :param force_total: all the force's crimes in it, when known.
    """

    offence: OffenceCategory
    domestic_abuse: int
    force_total: int | None

    @property
    def share(self) -> Share | None:
        """The domestic-abuse share, when the force total is known."""
        return None if self.force_total is None else Share(self.domestic_abuse, self.force_total)


@attrs.frozen
class Outcomes:
    """Domestic-abuse crimes by outcome (the report's Figure 2).

    :param charge: charged or summonsed.
    :param caution: cautioned.
    :param out_of_court: out-of-court disposal (e.g. a fixed penalty notice).
    :param no_further_action: closed with no further action.
    :param open: no outcome yet.
    """

    charge: int = 0
    caution: int = 0
    out_of_court: int = 0
    no_further_action: int = 0
    open: int = 0

    @property
    def total(self) -> int:
        """All crimes counted."""
        return self.charge + self.caution + self.out_of_court + self.no_further_action + self.open


@attrs.frozen
class FormCounts:
    """Risk forms by compliance status.

    :param on_time: submitted before the officer went off duty.
    :param late: submitted after.
    :param not_submitted: completed, never submitted.
    :param missing: no form.
    """

    on_time: int = 0
    late: int = 0
    not_submitted: int = 0
    missing: int = 0

    @property
    def total(self) -> int:
        """All incidents counted."""
        return self.on_time + self.late + self.not_submitted + self.missing

    @property
    def not_received(self) -> Share:
        """Forms the MASH never received (missing or never submitted), of all incidents."""
        return Share(self.missing + self.not_submitted, self.total)

    @property
    def missing_or_late(self) -> Share:
        """No form, never submitted, or late: every non-compliant incident."""
        return Share(self.missing + self.not_submitted + self.late, self.total)


@attrs.frozen
class GradeCounts:
    """Cases by risk grade.

    :param standard: standard risk, as a risk model (or a person) graded it.
    :param medium: medium risk.
    :param high: high risk.
    :param ungraded: no risk model graded the case (no form, or a form no plug-in could
        score, and no other finding): the decision reads "standard" only until a person
        reviews it, so it is counted here, never as standard. Always 0 for the grades a
        force recorded.
    """

    standard: int = 0
    medium: int = 0
    high: int = 0
    ungraded: int = 0

    @property
    def total(self) -> int:
        """All cases counted, ungraded ones included."""
        return self.standard + self.medium + self.high + self.ungraded

    def of(self, grade: RiskGrade) -> int:
        """The count for ``grade``."""
        return int(getattr(self, grade.value))


@attrs.frozen
class ChildrenCounts:
    """Children at incidents, and whether their welfare was checked.

    :param incidents_with_children: incidents with children present or usually resident.
    :param incidents_children_present: incidents with a child present.
    :param incidents_present_unchecked: incidents with a present child whose welfare was
        not checked.
    :param children_present: children present, over all incidents.
    :param children_present_unchecked: of them, not checked.
    """

    incidents_with_children: int = 0
    incidents_children_present: int = 0
    incidents_present_unchecked: int = 0
    children_present: int = 0
    children_present_unchecked: int = 0


@attrs.frozen
class LatencyBin:
    """One bar of the report-to-grade histogram: ``from_hours <= latency < to_hours``.

    :param from_hours: lower edge.
    :param to_hours: upper edge, ``None`` for the last, open bin.
    :param count: graded cases in the bin.
    """

    from_hours: int
    to_hours: int | None
    count: int

    @property
    def label(self) -> str:
        """``"12-24 h"``, or ``"72 h or more"`` for the open bin."""
        if self.to_hours is None:
            return f"{self.from_hours} h or more"
        return f"{self.from_hours}-{self.to_hours} h"


@attrs.frozen
class Latency:
    """Time from the report to the grade the force recorded.

    :param graded: cases with a recorded grade.
    :param awaiting_grade: cases whose form reached the MASH but have no recorded grade.
    :param median_hours: the median, ``None`` when nothing was graded.
    :param p90_hours: the 90th percentile (see :func:`percentile`).
    :param over_24h: graded more than 24 hours after the report.
    :param over_72h: graded more than 72 hours after the report.
    :param bins: the histogram (:data:`LATENCY_BINS`).
    :param max_hours: the longest wait, ``None`` when nothing was graded (the open last
        bin ends here).
    """

    graded: int = 0
    awaiting_grade: int = 0
    median_hours: float | None = None
    p90_hours: float | None = None
    over_24h: int = 0
    over_72h: int = 0
    bins: tuple[LatencyBin, ...] = ()
    max_hours: float | None = None


@attrs.frozen
class ReviewCount:
    """Decisions that need review for one reason.

    :param rule: the review reason's rule id (``"form.missing"``), or
        ``"plugin.failure"`` for a decision on which a plug-in failed.
    :param count: decisions with that reason (a decision with several reasons is
        counted under each).
    """

    rule: str
    count: int

    @property
    def label(self) -> str:
        """The reason in a few words, for a table; the rule id when it is not a known one."""
        if self.rule.startswith("definition."):
            what = self.rule.removeprefix("definition.").replace("_", " ")
            return f"definition test: {what}"
        return REVIEW_LABELS.get(self.rule, self.rule)


#: Short labels for the review reasons the built-ins give, by rule id.
REVIEW_LABELS: Mapping[str, str] = MappingProxyType(
    {
        "form.missing": "no risk form",
        "form.unknown-checklist": "form on a checklist no plug-in knows",
        "form.unknown-items": "form with items its checklist lacks",
        "grade.no-finding": "no risk model graded it (ungraded)",
        "grade.lower-than-last": "graded below the victim's last, not signed off",
        "case.counter-allegation": "counter-allegation: who is at risk?",
        "dash.not-known-key-item": "a key DASH item not known",
        "dash.not-known-many": "too many DASH items not answered",
        "dara.rationale-missing": "a DARA grade with no written rationale",
        "dara.grade-missing": "a DARA form with no grade",
        "dara.grade-below-answers": "DARA answers point above the grade",
        "dara.not-known-many": "too many DARA items not known",
        "dara.not-known-key-item": "a key DARA item not known",
        "dara.unknown-items": "DARA answers to items the force lacks",
        "dara.not-configured": "a DARA form, but no DARA items set",
        "plugin.failure": "a plug-in failed",
    }
)
#: A share of fewer than this many is flagged as a small count: read it with care.
SMALL_COUNT = 30


@attrs.frozen
class AuditReport:
    """Everything :func:`audit` found: counts only, no personal data.

    :param force: the force's name (the policy's ``settings.force``).
    :param policy_fingerprint: the fingerprint of the policy that graded the cases.
    :param as_of: the moment the audit speaks for (``now``, or the last report time).
    :param first_reported_at: the earliest report in the input.
    :param last_reported_at: the latest.
    :param cases: cases read.
    :param definition: cases by the domestic-abuse definition test.
    :param totals: the force-wide totals, if given.
    :param calls: cases that came with their call.
    :param repeat_calls: calls flagged as from a repeat caller.
    :param repeat_calls_detected: calls whose caller had called before within the
        force's window, among the calls read before it.
    :param crimes: cases with a crime recorded.
    :param offences: crimes per offence category, every category in declaration order.
    :param arrests: crimes with an arrest.
    :param outcomes: crimes by outcome.
    :param forms_crime: form compliance for crimes.
    :param forms_non_crime: form compliance for non-crime incidents.
    :param grades: every case by the grade the policy gives it; a case no risk model
        graded is counted as ``ungraded``, not as standard.
    :param recorded_grades: cases by the grade the force recorded, where it did.
    :param needs_review: policy decisions that need a person to look.
    :param marac_referrals: policy decisions that refer to MARAC.
    :param children: children and welfare checks.
    :param latency: report-to-grade latency.
    :param victims: distinct victims.
    :param repeat_victims: victims with two or more incidents within the force's window
        (``settings.repeat_victim_months``).
    :param repeat_victim_incidents: incidents the policy found were to a repeat victim.
    :param repeat_victim_months: the force's window for a repeat victim, in months.
    :param review_reasons: the decisions that need review, by reason, most common
        first (ties by rule id).
    :param training: with a training register, attendances and investigations by
        whether the officer held the training the role requires (recommendation 4),
        one entry per role; ``None`` without a register.
    """

    force: str
    policy_fingerprint: str
    as_of: datetime | None
    first_reported_at: datetime | None
    last_reported_at: datetime | None
    cases: int
    definition: DefinitionCounts
    totals: ForceTotals | None
    calls: int
    repeat_calls: int
    repeat_calls_detected: int
    crimes: int
    offences: tuple[OffenceCount, ...]
    arrests: int
    outcomes: Outcomes
    forms_crime: FormCounts
    forms_non_crime: FormCounts
    grades: GradeCounts
    recorded_grades: GradeCounts
    needs_review: int
    marac_referrals: int
    children: ChildrenCounts
    latency: Latency
    victims: int
    repeat_victims: int
    repeat_victim_incidents: int
    repeat_victim_months: int = 12
    review_reasons: tuple[ReviewCount, ...] = ()
    training: tuple[TrainingCounts, ...] | None = None

    @property
    def da_share_of_calls(self) -> Share | None:
        """Domestic-abuse calls of all calls (needs ``totals``)."""
        return None if self.totals is None else Share(self.calls, self.totals.all_calls)

    @property
    def da_share_of_crime(self) -> Share | None:
        """Domestic-abuse crimes of all recorded crime (needs ``totals``)."""
        return None if self.totals is None else Share(self.crimes, self.totals.all_crimes)

    @property
    def repeat_caller_share(self) -> Share:
        """Calls flagged as from a repeat caller, of domestic-abuse calls."""
        return Share(self.repeat_calls, self.calls)

    def offence_count(self, category: OffenceCategory) -> int:
        """Domestic-abuse crimes in ``category``."""
        return next((o.count for o in self.offences if o.offence is category), 0)

    @property
    def offence_groups(self) -> tuple[OffenceGroup, ...]:
        """The report's four offence groups, with shares when ``totals`` is given."""
        return tuple(
            OffenceGroup(
                category,
                self.offence_count(category),
                None if self.totals is None else self.totals.for_offence(category),
            )
            for category in FOUR_GROUPS
        )

    @property
    def arrests_per_100(self) -> float | None:
        """Arrests per 100 domestic-abuse crimes, ``None`` with no crimes."""
        return 100 * self.arrests / self.crimes if self.crimes else None

    @property
    def arrests_within_band(self) -> bool | None:
        """Whether arrests per 100 crimes is within :data:`ARREST_BAND`."""
        value = self.arrests_per_100
        return None if value is None else ARREST_BAND[0] <= value <= ARREST_BAND[1]

    @property
    def charge_rate(self) -> Share:
        """Crimes charged, of all domestic-abuse crimes."""
        return Share(self.outcomes.charge, self.crimes)

    @property
    def caution_rate(self) -> Share:
        """Crimes cautioned."""
        return Share(self.outcomes.caution, self.crimes)

    @property
    def out_of_court_rate(self) -> Share:
        """Crimes with an out-of-court disposal."""
        return Share(self.outcomes.out_of_court, self.crimes)

    @property
    def non_crime_incidents(self) -> int:
        """Cases with no crime recorded."""
        return self.cases - self.crimes

    @property
    def repeat_victim_share(self) -> Share:
        """Repeat victims, of all victims."""
        return Share(self.repeat_victims, self.victims)
