"""The report's figures in reading order, and the plain-text table (private).

Public as :func:`dapolicy.audit.figures` and :func:`dapolicy.audit.render_text`.
"""

from __future__ import annotations

from collections.abc import Mapping

import attrs

from dapolicy.audit._report import (
    ARREST_BAND,
    PUBLISHED,
    PUBLISHED_SOURCE,
    SMALL_COUNT,
    AuditReport,
    Share,
)
from dapolicy.models import CaseRole, OffenceCategory, RiskGrade

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
    :param base: how many cases (calls, crimes, victims, decisions) the figure is
        taken over, its denominator; ``None`` for a plain count.
    """

    key: str
    section: str
    label: str
    value: float | None
    unit: str
    detail: str
    published: float | None = None
    base: int | None = None

    @property
    def small(self) -> bool:
        """Whether it is taken over fewer than :data:`SMALL_COUNT`: read it with care."""
        return self.base is not None and 0 < self.base < SMALL_COUNT

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
        key: str,
        section: str,
        label: str,
        value: float | None,
        unit: str,
        detail: str,
        base: int | None = None,
    ) -> None:
        rows.append(Figure(key, section, label, value, unit, detail, known.get(key), base))

    def share(key: str, section: str, label: str, part: Share | None) -> None:
        value, base = (None, None) if part is None else (part.percent, part.total)
        add(key, section, label, value, "%", _of(part), base)

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
        report.calls,
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
        report.crimes,
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
    active = "Active cases by risk grade (policy)"
    for grade in (RiskGrade.HIGH, RiskGrade.MEDIUM, RiskGrade.STANDARD):
        share(
            f"grade.{grade.value}",
            active,
            f"{grade.value.capitalize()} risk",
            Share(grades.of(grade), grades.total),
        )
    share(
        "grade.ungraded",
        active,
        "Ungraded: needs review (no risk model graded it)",
        Share(grades.ungraded, grades.total),
    )
    share(
        "marac_referrals", active, "Referred to MARAC", Share(report.marac_referrals, report.cases)
    )
    share(
        "needs_review", active, "Decision needs review", Share(report.needs_review, report.cases)
    )
    for reason in report.review_reasons:
        share(
            f"review.{reason.rule}",
            "Needs review, by reason (of the decisions that need review)",
            reason.label if reason.label == reason.rule else _sentence(reason.label),
            Share(reason.count, report.needs_review),
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
        latency.graded,
    )
    add(
        "latency_p90",
        compliance,
        "Report to grade: 90th percentile",
        latency.p90_hours,
        "h",
        f"{latency.graded:,} graded",
        latency.graded,
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
    for counts in report.training or ():
        work, officer = _ROLE_WORDS[counts.role]
        section = f"Training: {work} (recommendation 4)"
        untrained = counts.untrained
        add(
            f"training.{counts.role.value}.untrained",
            section,
            f"{_sentence(work)} by staff without the required training",
            untrained.percent,
            "%",
            f"{untrained.count:,} of {counts.recorded:,} with an officer recorded "
            f"({counts.expired:,} lapsed)",
            untrained.total,
        )
        share(
            f"training.{counts.role.value}.not_known",
            section,
            f"{_sentence(officer)} not in the training register (not known)",
            Share(counts.not_known, counts.recorded),
        )
        share(
            f"training.{counts.role.value}.not_recorded",
            section,
            f"No {officer} recorded",
            Share(counts.not_recorded, counts.total),
        )
        for gap in counts.gaps:
            share(
                f"training.{counts.role.value}.gap.{gap.course}",
                section,
                f"Lacking course {gap.course}",
                Share(gap.count, counts.recorded),
            )
    return tuple(rows)


#: How the figures name each role's work and its officer.
_ROLE_WORDS = {
    CaseRole.ATTENDING: ("attendances", "attending officer"),
    CaseRole.INVESTIGATING: ("investigations", "investigator"),
}


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
        flag = " (small count)" if row.small else ""
        lines.append(
            f"{row.label:<{label_width}}{row.formatted():>{value_width}}  "
            f"{row.formatted_published():<{pub_width}}{row.detail}{flag}"
        )
    notes = []
    if any(row.small for row in rows):
        notes.append(f"Small count: a share of fewer than {SMALL_COUNT}, read it with care.")
    if report.review_reasons:
        notes.append("A decision that needs review for several reasons counts under each.")
    if report.training is not None:
        notes.append(TRAINING_NOTE)
    if published:
        notes.append(f"Report: {PUBLISHED_SOURCE}.")
    if notes:
        lines += ["", *notes]
    return "\n".join(lines) + "\n"


#: How the training figures are read, for the text and the page.
TRAINING_NOTE = (
    "Training is read on the incident's report day (London): a course counts from the day "
    "after it was completed and to the end of its valid-until day; an officer not in the "
    "register is not known, counted apart and never as trained."
)


def _sentence(text: str) -> str:
    """``text`` with its first letter upper case (``str.capitalize`` lowers the rest)."""
    return text[:1].upper() + text[1:]
