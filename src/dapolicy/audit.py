"""The force's figures and its compliance, from a stream of cases.

:func:`audit` reads :class:`~dapolicy.models.Case` records once, in the order given,
and returns an :class:`AuditReport` of counts: the figures HMIC's 2014 inspection report
shows on its "Domestic abuse in Staffordshire" page and in Figures 1 to 3, and the
compliance the report found wanting.

Figures (a share needs the force-wide :class:`ForceTotals`, which the cases cannot
give):

- domestic abuse as a share of all calls for assistance and of all recorded crime;
- the share of domestic-abuse calls flagged as from a repeat caller;
- domestic abuse as a share of assaults with intent, assaults with injury, harassment
  and sexual offences;
- arrests per 100 domestic-abuse crimes, against the 45-90 band of most forces;
- the charge, caution and out-of-court disposal rates of domestic-abuse crimes;
- cases by risk grade: every case is graded with the policy (which the inspected force
  could not report); "active" means every case in the input.

Compliance: crimes and non-crime incidents with no risk form, one never submitted, or
a late one (:func:`dapolicy.operations.form_compliance`); incidents with a child present
whose welfare was not checked; the time from report to the force's recorded grade
(median, 90th percentile, over 24 h and 72 h); repeat victims.

Memory: counters, one timestamp per incident for the repeat-victim count, the victim
history the policy needs (ids and timestamps), and one float per graded case for the
latency percentiles (exact, not estimated). Cases themselves are not kept. The input is
expected in the order cases were reported, as a force's extract and
:func:`dapolicy.synth.synthesize` give it: each case is graded with the history of the
cases before it.

No personal data reaches the report: counts, shares and the force's name only.
:func:`render_text` and :func:`render_html` present it.
"""

from __future__ import annotations

import itertools
import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from datetime import datetime
from types import MappingProxyType

import attrs

from dapolicy._time import months_before
from dapolicy.batch import decision_time
from dapolicy.errors import FieldError, ValidationError
from dapolicy.history import CallEntry, InMemoryHistory, record
from dapolicy.models import (
    Case,
    Destination,
    DomesticAbuseVerdict,
    OffenceCategory,
    Outcome,
    RiskGrade,
)
from dapolicy.models._base import Checked, Problems, micros
from dapolicy.models.operations import FormStatus
from dapolicy.operations import form_compliance
from dapolicy.policy import Policy, default_policy

__all__ = [
    "ARREST_BAND",
    "FOUR_GROUPS",
    "LATENCY_BINS",
    "PUBLISHED",
    "PUBLISHED_SOURCE",
    "AuditReport",
    "ChildrenCounts",
    "DefinitionCounts",
    "Figure",
    "ForceTotals",
    "FormCounts",
    "GradeCounts",
    "Latency",
    "LatencyBin",
    "OffenceCount",
    "OffenceGroup",
    "Outcomes",
    "Share",
    "audit",
    "figures",
    "percentile",
    "render_html",
    "render_text",
]

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


# --- the report's parts ---------------------------------------------------------------


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

    :param standard: standard risk.
    :param medium: medium risk.
    :param high: high risk.
    """

    standard: int = 0
    medium: int = 0
    high: int = 0

    @property
    def total(self) -> int:
        """All cases counted."""
        return self.standard + self.medium + self.high

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
    """

    graded: int = 0
    awaiting_grade: int = 0
    median_hours: float | None = None
    p90_hours: float | None = None
    over_24h: int = 0
    over_72h: int = 0
    bins: tuple[LatencyBin, ...] = ()


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
    :param grades: every case by the grade the policy gives it.
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


# --- the audit ------------------------------------------------------------------------


def percentile(values: list[float], fraction: float) -> float | None:
    """The ``fraction`` quantile of ``values`` by linear interpolation between ranks.

    The same as :func:`statistics.median` for ``fraction = 0.5`` and numpy's default
    ("linear") method: position ``fraction * (n - 1)`` in the sorted values. ``values``
    is sorted in place. ``None`` when it is empty.
    """
    if not values:
        return None
    values.sort()
    position = fraction * (len(values) - 1)
    low = math.floor(position)
    high = min(low + 1, len(values) - 1)
    return values[low] + (values[high] - values[low]) * (position - low)


class _Tally:
    """The running counts of one audit."""

    def __init__(self, policy: Policy) -> None:
        self.policy = policy
        self.history = InMemoryHistory()
        self.cases = 0
        self.first: datetime | None = None
        self.last: datetime | None = None
        self.verdicts: Counter[DomesticAbuseVerdict] = Counter()
        self.calls = self.repeat_calls = self.repeat_detected = 0
        self.crimes = self.arrests = 0
        self.offences: Counter[OffenceCategory] = Counter()
        self.outcomes: Counter[Outcome | None] = Counter()
        self.forms: dict[bool, Counter[FormStatus]] = {True: Counter(), False: Counter()}
        self.grades: Counter[RiskGrade] = Counter()
        self.recorded: Counter[RiskGrade] = Counter()
        self.needs_review = self.marac = self.repeat_victim_incidents = 0
        self.children = [0, 0, 0, 0, 0]
        self.latencies: list[float] = []
        self.awaiting = 0
        self.times: defaultdict[str, list[datetime]] = defaultdict(list)

    def add(self, case: Case) -> None:
        incident = case.incident
        self.cases += 1
        # Instants, not wall clocks: Python compares two London times by wall clock.
        if self.first is None or micros(incident.reported_at) < micros(self.first):
            self.first = incident.reported_at
        if self.last is None or micros(incident.reported_at) > micros(self.last):
            self.last = incident.reported_at
        self.verdicts[incident.domestic_abuse_check().verdict] += 1
        self.times[incident.victim.id].append(incident.occurred_at)
        if case.call is not None:
            self._call(case)
        crime = incident.crime
        if crime is not None:
            self.crimes += 1
            self.offences[crime.offence] += 1
            self.arrests += crime.arrest_made
            self.outcomes[crime.outcome] += 1
        self.forms[crime is not None][form_compliance(incident, case.form).status] += 1
        self._children(case)
        self._grade(case)

    def _call(self, case: Case) -> None:
        call = case.call
        assert call is not None
        self.calls += 1
        self.repeat_calls += call.repeat_caller
        if call.caller is not None:
            since = months_before(call.received_at, self.policy.settings.triage.repeat_months)
            if self.history.calls(
                since=since, until=call.received_at, caller_id=call.caller.id, exclude=call.id
            ):
                self.repeat_detected += 1
        self.history.record_call(CallEntry.from_call(call))

    def _children(self, case: Case) -> None:
        children = case.incident.children_in_household
        present = [c for c in children if c.present]
        unchecked = [c for c in present if not c.welfare_checked]
        counts = self.children
        counts[0] += bool(children)
        counts[1] += bool(present)
        counts[2] += bool(unchecked)
        counts[3] += len(present)
        counts[4] += len(unchecked)

    def _grade(self, case: Case) -> None:
        incident, form = case.incident, case.form
        decision = self.policy.assess(
            incident, form, history=self.history, now=decision_time(case)
        )
        record(self.history, incident, decision)
        self.grades[decision.grade] += 1
        self.needs_review += decision.needs_review
        self.marac += Destination.MARAC in decision.referred_to()
        self.repeat_victim_incidents += decision.repeat_victim
        if case.graded_at is not None and case.recorded_grade is not None:
            self.recorded[case.recorded_grade] += 1
            seconds = case.graded_at.timestamp() - incident.reported_at.timestamp()
            self.latencies.append(seconds / 3600)
        elif form is not None and form.submitted_at is not None:
            self.awaiting += 1

    def _repeat_victims(self) -> int:
        months = self.policy.settings.repeat_victim_months
        repeat = 0
        for times in self.times.values():
            if len(times) < 2:
                continue
            times.sort(key=datetime.timestamp)
            if any(
                micros(months_before(later, months)) <= micros(earlier)
                for earlier, later in itertools.pairwise(times)
            ):
                repeat += 1
        return repeat

    def _latency(self) -> Latency:
        hours = self.latencies
        bins = []
        for k, low in enumerate(LATENCY_BINS):
            high = LATENCY_BINS[k + 1] if k + 1 < len(LATENCY_BINS) else None
            count = sum(1 for h in hours if h >= low and (high is None or h < high))
            bins.append(LatencyBin(low, high, count))
        return Latency(
            graded=len(hours),
            awaiting_grade=self.awaiting,
            median_hours=percentile(hours, 0.5),
            p90_hours=percentile(hours, 0.9),
            over_24h=sum(1 for h in hours if h > 24),
            over_72h=sum(1 for h in hours if h > 72),
            bins=tuple(bins),
        )

    def report(self, totals: ForceTotals | None, now: datetime | None) -> AuditReport:
        def forms(crime: bool) -> FormCounts:
            c = self.forms[crime]
            return FormCounts(
                c[FormStatus.ON_TIME],
                c[FormStatus.LATE],
                c[FormStatus.NOT_SUBMITTED],
                c[FormStatus.MISSING],
            )

        def grades(c: Counter[RiskGrade]) -> GradeCounts:
            return GradeCounts(c[RiskGrade.STANDARD], c[RiskGrade.MEDIUM], c[RiskGrade.HIGH])

        v = self.verdicts
        o = self.outcomes
        return AuditReport(
            force=self.policy.settings.force,
            policy_fingerprint=self.policy.fingerprint,
            as_of=now if now is not None else self.last,
            first_reported_at=self.first,
            last_reported_at=self.last,
            cases=self.cases,
            definition=DefinitionCounts(
                v[DomesticAbuseVerdict.DOMESTIC_ABUSE],
                v[DomesticAbuseVerdict.CHILD_SAFEGUARDING],
                v[DomesticAbuseVerdict.NOT_DOMESTIC],
                v[DomesticAbuseVerdict.UNDETERMINED],
            ),
            totals=totals,
            calls=self.calls,
            repeat_calls=self.repeat_calls,
            repeat_calls_detected=self.repeat_detected,
            crimes=self.crimes,
            offences=tuple(OffenceCount(c, self.offences[c]) for c in OffenceCategory),
            arrests=self.arrests,
            outcomes=Outcomes(
                o[Outcome.CHARGE],
                o[Outcome.CAUTION],
                o[Outcome.OUT_OF_COURT_DISPOSAL],
                o[Outcome.NO_FURTHER_ACTION],
                o[None],
            ),
            forms_crime=forms(True),
            forms_non_crime=forms(False),
            grades=grades(self.grades),
            recorded_grades=grades(self.recorded),
            needs_review=self.needs_review,
            marac_referrals=self.marac,
            children=ChildrenCounts(*self.children),
            latency=self._latency(),
            victims=len(self.times),
            repeat_victims=self._repeat_victims(),
            repeat_victim_incidents=self.repeat_victim_incidents,
            repeat_victim_months=self.policy.settings.repeat_victim_months,
        )


def audit(
    cases: Iterable[Case],
    *,
    totals: ForceTotals | None = None,
    policy: Policy | None = None,
    now: datetime | None = None,
) -> AuditReport:
    """Audit a stream of cases: the report's force figures and compliance.

    Each case is graded with ``policy`` (the default policy if omitted) as
    ``policy.assess(incident, form, history=..., now=max(reported_at, completed_at))``
    with the history of the cases before it, then recorded in that history.

    :param cases: the cases, in the order they were reported; read once.
    :param totals: force-wide totals; without them the shares of all calls, all crime
        and the four offence groups are not computed.
    :param policy: the policy to grade with.
    :param now: the moment the audit speaks for (stamped as ``as_of``); the latest
        report time in the input if omitted. No clock is read.
    :raises ValidationError: ``now`` is naive.
    """
    if now is not None and (not isinstance(now, datetime) or now.utcoffset() is None):
        raise ValidationError(
            "audit", [FieldError("$.now", "must be a datetime with a UTC offset")]
        )
    tally = _Tally(policy if policy is not None else default_policy())
    for case in cases:
        tally.add(case)
    return tally.report(totals, now)


# --- presenting it --------------------------------------------------------------------


@attrs.frozen
class Figure:
    """One line of the report as a reader sees it.

    :param key: a stable id (the keys of :data:`PUBLISHED`).
    :param section: the heading it sits under.
    :param label: what it is, in words.
    :param value: the number, ``None`` when it cannot be computed.
    :param unit: ``"%"``, ``"per 100"``, ``"h"`` or ``""`` (a count).
    :param detail: the counts behind it, e.g. ``"2,221 of 5,844"``.
    :param published: the report's figure, where it has one.
    """

    key: str
    section: str
    label: str
    value: float | None
    unit: str
    detail: str
    published: float | None = None

    def formatted(self) -> str:
        """The value with its unit, or ``"n/a"``."""
        return _format(self.value, self.unit)

    def formatted_published(self) -> str:
        """The published figure with its unit, or ``""``."""
        if self.published is None:
            return ""
        return _format(self.published, self.unit, whole=True)


def _format(value: float | None, unit: str, *, whole: bool = False) -> str:
    if value is None:
        return "n/a"
    if unit == "":
        return f"{value:,.0f}"
    number = f"{value:,.0f}" if whole else f"{value:,.1f}"
    return {"%": f"{number}%", "per 100": f"{number} per 100", "h": f"{number} h"}[unit]


def _of(share: Share | None) -> str:
    if share is None:
        return "force totals not given"
    return f"{share.count:,} of {share.total:,}"


def figures(
    report: AuditReport, published: Mapping[str, float] | None = PUBLISHED
) -> tuple[Figure, ...]:
    """The report's figures in reading order, each with its published counterpart.

    :param published: figures to compare with, by key (:data:`PUBLISHED` by default;
        ``None`` or ``{}`` for none).
    """
    known = published or {}
    rows: list[Figure] = []

    def add(
        key: str, section: str, label: str, value: float | None, unit: str, detail: str
    ) -> None:
        rows.append(Figure(key, section, label, value, unit, detail, known.get(key)))

    def share(key: str, section: str, label: str, part: Share | None) -> None:
        add(key, section, label, None if part is None else part.percent, "%", _of(part))

    calls, crime = "Calls for assistance", "Crime"
    share("da_share_of_calls", calls, "Domestic abuse, of all calls", report.da_share_of_calls)
    share("repeat_caller_share", calls, "From repeat callers", report.repeat_caller_share)
    add(
        "repeat_calls_detected",
        calls,
        "Caller had called before (found in the data)",
        Share(report.repeat_calls_detected, report.calls).percent,
        "%",
        f"{report.repeat_calls_detected:,} of {report.calls:,}",
    )
    share(
        "da_share_of_crime",
        crime,
        "Domestic abuse, of all recorded crime",
        report.da_share_of_crime,
    )
    for group in report.offence_groups:
        label = _OFFENCE_LABELS[group.offence]
        if group.share is None:
            add(
                f"offence.{group.offence.value}",
                crime,
                f"{label}: domestic abuse share",
                None,
                "%",
                f"{group.domestic_abuse:,} domestic abuse; force total not given",
            )
        else:
            share(
                f"offence.{group.offence.value}",
                crime,
                f"{label}: domestic abuse share",
                group.share,
            )
    band = f"most forces {ARREST_BAND[0]}-{ARREST_BAND[1]}"
    add(
        "arrests_per_100",
        "Arrests and outcomes",
        f"Arrests per 100 crimes ({band})",
        report.arrests_per_100,
        "per 100",
        f"{report.arrests:,} arrests, {report.crimes:,} crimes",
    )
    share("charge_rate", "Arrests and outcomes", "Charged", report.charge_rate)
    share("caution_rate", "Arrests and outcomes", "Cautioned", report.caution_rate)
    share(
        "out_of_court_rate",
        "Arrests and outcomes",
        "Out-of-court disposal",
        report.out_of_court_rate,
    )
    share(
        "nfa_rate",
        "Arrests and outcomes",
        "No further action",
        Share(report.outcomes.no_further_action, report.crimes),
    )
    share(
        "open_rate",
        "Arrests and outcomes",
        "No outcome yet",
        Share(report.outcomes.open, report.crimes),
    )
    grades = report.grades
    for grade in (RiskGrade.HIGH, RiskGrade.MEDIUM, RiskGrade.STANDARD):
        share(
            f"grade.{grade.value}",
            "Active cases by risk grade (policy)",
            f"{grade.value.capitalize()} risk",
            Share(grades.of(grade), grades.total),
        )
    add(
        "marac_referrals",
        "Active cases by risk grade (policy)",
        "Referred to MARAC",
        report.marac_referrals,
        "",
        "cases",
    )
    add(
        "needs_review",
        "Active cases by risk grade (policy)",
        "Decision needs review",
        report.needs_review,
        "",
        "cases",
    )
    compliance = "Compliance"
    share(
        "crime_forms_not_received",
        compliance,
        "Crimes: risk form not received",
        report.forms_crime.not_received,
    )
    share(
        "crime_forms_late",
        compliance,
        "Crimes: risk form late",
        Share(report.forms_crime.late, report.forms_crime.total),
    )
    share(
        "incident_forms_not_received",
        compliance,
        "Non-crime incidents: form not received",
        report.forms_non_crime.not_received,
    )
    share(
        "incident_forms_late",
        compliance,
        "Non-crime incidents: form late",
        Share(report.forms_non_crime.late, report.forms_non_crime.total),
    )
    kids = report.children
    share(
        "children_unchecked",
        compliance,
        "Children present, welfare not checked",
        Share(kids.incidents_present_unchecked, kids.incidents_children_present),
    )
    latency = report.latency
    add(
        "latency_median",
        compliance,
        "Report to grade: median",
        latency.median_hours,
        "h",
        f"{latency.graded:,} graded",
    )
    add(
        "latency_p90",
        compliance,
        "Report to grade: 90th percentile",
        latency.p90_hours,
        "h",
        f"{latency.graded:,} graded",
    )
    share(
        "latency_over_24h",
        compliance,
        "Graded more than 24 h after report",
        Share(latency.over_24h, latency.graded),
    )
    share(
        "latency_over_72h",
        compliance,
        "Graded more than 72 h after report",
        Share(latency.over_72h, latency.graded),
    )
    share(
        "repeat_victims",
        "Victims",
        f"Repeat victims (2+ incidents in {report.repeat_victim_months} months)",
        report.repeat_victim_share,
    )
    return tuple(rows)


_OFFENCE_LABELS = {
    OffenceCategory.ASSAULT_WITH_INTENT: "Assault with intent",
    OffenceCategory.ASSAULT_WITH_INJURY: "Assault with injury",
    OffenceCategory.HARASSMENT: "Harassment",
    OffenceCategory.SEXUAL_OFFENCE: "Sexual offences",
}


def _period(report: AuditReport) -> str:
    if report.first_reported_at is None or report.last_reported_at is None:
        return "no cases"
    first = report.first_reported_at.date().isoformat()
    last = report.last_reported_at.date().isoformat()
    return f"reported {first} to {last}"


def render_text(report: AuditReport, *, published: Mapping[str, float] | None = PUBLISHED) -> str:
    """The report as an aligned plain-text table, with the published figures beside it."""
    rows = figures(report, published)
    label_width = max([len(r.label) for r in rows] + [6]) + 2
    value_width = max([len(r.formatted()) for r in rows] + [10]) + 2
    pub_width = max([len(r.formatted_published()) for r in rows] + [len("Report")]) + 2
    lines = [
        f"Domestic-abuse audit: {report.force}",
        f"{report.cases:,} cases, {_period(report)}; policy {report.policy_fingerprint}",
        "",
        f"{'Figure':<{label_width}}{'Value':>{value_width}}  {'Report':<{pub_width}}Counts",
    ]
    section = None
    for row in rows:
        if row.section != section:
            section = row.section
            lines += ["", section, "-" * len(section)]
        lines.append(
            f"{row.label:<{label_width}}{row.formatted():>{value_width}}  "
            f"{row.formatted_published():<{pub_width}}{row.detail}"
        )
    if published:
        lines += ["", f"Report: {PUBLISHED_SOURCE}."]
    return "\n".join(lines) + "\n"


def render_html(report: AuditReport, *, published: Mapping[str, float] | None = PUBLISHED) -> str:
    """One self-contained HTML page with inline SVG charts; no scripts, no external files."""
    from dapolicy._report_html import page

    return page(report, figures(report, published), published or {})
