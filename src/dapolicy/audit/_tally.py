"""The audit itself: one pass over the cases, counting (private).

Public as :func:`dapolicy.audit.audit`.
"""

from __future__ import annotations

import itertools
import math
from collections import Counter, defaultdict
from collections.abc import Iterable
from datetime import datetime

from dapolicy._time import months_before
from dapolicy._totals import ForceTotals
from dapolicy.audit._report import (
    LATENCY_BINS,
    AuditReport,
    ChildrenCounts,
    DefinitionCounts,
    FormCounts,
    GradeCounts,
    Latency,
    LatencyBin,
    OffenceCount,
    Outcomes,
    ReviewCount,
)
from dapolicy.audit._training import TrainingTally
from dapolicy.errors import FieldError, ValidationError
from dapolicy.history import CallEntry, InMemoryHistory, record
from dapolicy.models import (
    Case,
    Destination,
    DomesticAbuseVerdict,
    OffenceCategory,
    Outcome,
    RiskGrade,
    TrainingRegister,
)
from dapolicy.models._base import micros
from dapolicy.models.operations import FormStatus
from dapolicy.operations import form_compliance
from dapolicy.policy import Policy, default_policy

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

    def __init__(self, policy: Policy, training: TrainingRegister | None = None) -> None:
        self.policy = policy
        self.training = TrainingTally(training) if training is not None else None
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
        self.ungraded = 0
        self.review: Counter[str] = Counter()
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
        # At a force that runs DARA the officer's DARA is the police form, whatever a
        # partner agency's DASH beside it says.
        police_form = case.dara if case.dara is not None else case.form
        self.forms[crime is not None][form_compliance(incident, police_form).status] += 1
        self._children(case)
        self._grade(case)
        if self.training is not None:
            self.training.add(case)

    def _call(self, case: Case) -> None:
        call = case.call
        assert call is not None
        self.calls += 1
        self.repeat_calls += call.repeat_caller
        if call.caller is not None:
            since = months_before(call.received_at, self.policy.settings.triage.repeat_months)
            if self.history.calls(
                since=since,
                until=call.received_at,
                known_at=call.received_at,
                caller_id=call.caller.id,
                exclude=call.id,
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
        incident = case.incident
        form = case.dara if case.dara is not None else case.form
        decision = self.policy.assess_case(case, history=self.history)
        record(self.history, incident, decision)
        if decision.ungraded:  # "standard" only until a person reviews it
            self.ungraded += 1
        else:
            self.grades[decision.grade] += 1
        self.needs_review += decision.needs_review
        self.review.update({r.rule for r in decision.review_reasons})
        if decision.failures:
            self.review["plugin.failure"] += 1
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
            max_hours=max(hours, default=None),
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

        def grades(c: Counter[RiskGrade], ungraded: int = 0) -> GradeCounts:
            return GradeCounts(
                c[RiskGrade.STANDARD], c[RiskGrade.MEDIUM], c[RiskGrade.HIGH], ungraded
            )

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
            grades=grades(self.grades, self.ungraded),
            recorded_grades=grades(self.recorded),
            needs_review=self.needs_review,
            marac_referrals=self.marac,
            children=ChildrenCounts(*self.children),
            latency=self._latency(),
            victims=len(self.times),
            repeat_victims=self._repeat_victims(),
            repeat_victim_incidents=self.repeat_victim_incidents,
            repeat_victim_months=self.policy.settings.repeat_victim_months,
            review_reasons=tuple(
                ReviewCount(rule, count)
                for rule, count in sorted(self.review.items(), key=lambda rc: (-rc[1], rc[0]))
            ),
            training=self.training.report() if self.training is not None else None,
        )


def audit(
    cases: Iterable[Case],
    *,
    totals: ForceTotals | None = None,
    policy: Policy | None = None,
    now: datetime | None = None,
    training: TrainingRegister | None = None,
) -> AuditReport:
    """Audit a stream of cases: the report's force figures and compliance.

    Each case is graded with ``policy`` (the default policy if omitted) as
    ``policy.assess(incident, form, history=..., now=max(reported_at, completed_at))``
    with the history of the cases before it, then recorded in that history.

    :param cases: the cases, in the order they happened; read once.
    :param totals: force-wide totals; without them the shares of all calls, all crime
        and the four offence groups are not computed.
    :param policy: the policy to grade with.
    :param now: the moment the audit speaks for (stamped as ``as_of``); the latest
        report time in the input if omitted. No clock is read.
    :param training: the force's training register: with it, the report counts the
        attendances (``Incident.attending_officer``) and investigations
        (``Crime.investigator``) by staff without the training their role requires
        (recommendation 4; the rules are :class:`~dapolicy.models.TrainingRegister`'s).
    :raises ValidationError: ``now`` is naive.
    """
    if now is not None and (not isinstance(now, datetime) or now.utcoffset() is None):
        raise ValidationError(
            "audit", [FieldError("$.now", "must be a datetime with a UTC offset")]
        )
    tally = _Tally(policy if policy is not None else default_policy(), training)
    for case in cases:
        tally.add(case)
    return tally.report(totals, now)
