"""The audit's HTML page (private): public as :func:`dapolicy.audit.render_html`.

The page is built from the report and its figures; the report knows nothing of HTML.
Every figure states its denominator (what its shares are of) under the chart, once;
a figure whose parts have different wholes is drawn as separate charts.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence

from dapolicy.audit._figures import Figure, figures
from dapolicy.audit._html_charts import (
    BLUE,
    CSS,
    GREEN,
    INK,
    ORANGE,
    PURPLE,
    SKY,
    VERMILLION,
    Part,
    Row,
    arrests_chart,
    esc,
    hbars,
    latency_histogram,
    num,
    pct,
    small,
    stacked,
)
from dapolicy.audit._report import (
    ARREST_BAND,
    PUBLISHED,
    PUBLISHED_SOURCE,
    SMALL_COUNT,
    AuditReport,
    FormCounts,
    GradeCounts,
    Share,
)
from dapolicy.models import RiskGrade


def _table(headers: Sequence[str], rows: Iterable[Sequence[object]], numeric: set[int]) -> str:
    head = "".join(
        f'<th scope="col"{" class=n" if k in numeric else ""}>{esc(h)}</th>'
        for k, h in enumerate(headers)
    )
    body = "".join(
        "<tr>"
        + "".join(
            f"<td{' class=n' if k in numeric else ''}>{esc(cell)}</td>"
            for k, cell in enumerate(row)
        )
        + "</tr>"
        for row in rows
    )
    return (
        f'<div class="scroll"><table><thead><tr>{head}</tr></thead>'
        f"<tbody>{body}</tbody></table></div>"
    )


def _figure(svg: str, caption: str, base: str, table: str, heading: str = "") -> str:
    """A chart under its heading, what it shows, its one denominator, and its numbers."""
    head = f'<p class="chart">{heading}</p>' if heading else ""
    return (
        f"<figure>{head}{svg}<figcaption>{esc(caption)}"
        f'<span class="base">{esc(base)}</span></figcaption>'
        f"<details><summary>The numbers</summary>{table}</details></figure>"
    )


def _row(figure: Figure, label: str | None = None) -> Row:
    return Row(
        label if label is not None else figure.label,
        figure.value,
        figure.published,
        figure.detail,
        figure.base,
    )


def _share_table(rows: Sequence[Row], first: str) -> str:
    return _table(
        [first, "Counts", "Share", "Report"],
        [
            (
                r.label + (" (small count)" if small(r.base) else ""),
                r.detail,
                pct(r.value),
                "" if r.published is None else f"{num(r.published)}%",
            )
            for r in rows
        ],
        set(),
    )


def _tiles(rows: Sequence[Figure]) -> str:
    chosen = {
        "da_share_of_calls": "of calls for assistance are domestic abuse",
        "repeat_caller_share": "of those calls are from repeat callers",
        "da_share_of_crime": "of recorded crime is domestic abuse",
        "arrests_per_100": "arrests per 100 domestic-abuse crimes",
        "charge_rate": "of domestic-abuse crimes charged",
        "crime_forms_not_received": "of crimes with no risk form received",
        "grade.ungraded": "of cases ungraded: no risk model graded them, review needed",
        "latency_median": "median wait for a risk grade",
        "children_unchecked": "of incidents with children present left a child unchecked",
    }
    items = []
    for row in rows:
        if row.key not in chosen:
            continue
        value = row.formatted().replace(" per 100", "")
        pub = (
            f'<span class="pub">Report: {esc(row.formatted_published().replace(" per 100", ""))}'
            "</span>"
            if row.published is not None
            else ""
        )
        flag = '<span class="pub small">small count</span>' if row.small else ""
        items.append(
            f'<li class="tile"><span class="big">{esc(value)}</span>'
            f'<span class="what">{esc(chosen[row.key])}</span>{pub}{flag}</li>'
        )
    return f'<ul class="tiles" aria-label="Headline figures">{"".join(items)}</ul>'


class _Page:
    """The sections of one page, each a method; ``render`` puts them together."""

    def __init__(
        self, report: AuditReport, rows: Sequence[Figure], published: Mapping[str, float]
    ) -> None:
        self.report = report
        self.rows = rows
        self.by_key = {row.key: row for row in rows}
        self.published = published

    def title(self, what: str) -> str:
        """A chart's title: the force's name first."""
        return f"{self.report.force}: {what}"

    def figure(self, svg: str, caption: str, base: str, table: str) -> str:
        """:func:`_figure`, headed by the chart's title without the force's name."""
        found = re.search(r'<title id="[^"]+-title">([^<]*)</title>', svg)
        prefix = esc(f"{self.report.force}: ")
        heading = found.group(1).removeprefix(prefix) if found else ""
        return _figure(svg, caption, base, table, heading[:1].upper() + heading[1:])

    def render(self) -> str:
        report = self.report
        period = (
            "no cases"
            if report.first_reported_at is None or report.last_reported_at is None
            else f"reported {report.first_reported_at.date():%d %B %Y} to "
            f"{report.last_reported_at.date():%d %B %Y}"
        )
        parts = [
            "<!DOCTYPE html>",
            '<html lang="en-GB"><head><meta charset="utf-8">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            f"<title>Domestic-abuse audit: {esc(report.force)}</title>",
            f"<style>{CSS}</style></head><body><main>",
            f"<h1>Domestic-abuse audit: {esc(report.force)}</h1>",
            f'<p class="meta">{report.cases:,} cases, {esc(period)}. Graded with policy '
            f"{esc(report.policy_fingerprint)}. Counts only: no personal data. A share of "
            f'fewer than {SMALL_COUNT} is marked <span class="small">small count</span>: '
            "read it with care.</p>",
            _tiles(self.rows),
            self.crime(),
            self.calls(),
            self.outcomes(),
            self.grades(),
            self.compliance(),
            self.every_figure(),
            "</main>",
        ]
        source = f"Report figures: {PUBLISHED_SOURCE}." if self.published else ""
        parts.append(
            f"<footer><p>{esc(source)} Arrests band: most forces, HMIC 2014 Figure 1. "
            "Generated by dapolicy from the cases given; no clock was read.</p></footer>"
        )
        parts.append("</body></html>")
        return "\n".join(parts) + "\n"

    def crime(self) -> str:
        report = self.report
        rows = [_row(self.by_key["da_share_of_crime"], "All recorded crime")] + [
            _row(
                self.by_key[f"offence.{g.offence.value}"],
                self.by_key[f"offence.{g.offence.value}"].label.split(":")[0],
            )
            for g in report.offence_groups
        ]
        return (
            "<section><h2>Domestic abuse in the force's crime</h2>"
            + self.figure(
                hbars(
                    "chart-offences",
                    self.title("domestic abuse as a share of recorded crime"),
                    "; ".join(f"{r.label}: {pct(r.value)} ({r.detail})" for r in rows) + ".",
                    rows,
                ),
                "Domestic abuse's share of all recorded crime and of the four offence groups "
                "the report gives figures for.",
                "Each bar is a share of the force's recorded crime of its kind (the whole "
                "is the second number beside it): domestic abuse and not.",
                _share_table(rows, "Crime"),
            )
            + "</section>"
        )

    def calls(self) -> str:
        report = self.report
        calls_svg = stacked(
            "chart-calls",
            self.title("domestic-abuse calls, first call or repeat caller"),
            f"{report.repeat_calls:,} of {report.calls:,} calls "
            f"({pct(report.repeat_caller_share.percent)}) were flagged as from a repeat "
            "caller.",
            f"{report.calls:,} domestic-abuse calls",
            [
                Part("first call", report.calls - report.repeat_calls, SKY, INK),
                Part("repeat caller", report.repeat_calls, BLUE, "#fff"),
            ],
        )
        victims_svg = stacked(
            "chart-victims",
            self.title("victims with one incident or repeat victims"),
            f"{report.repeat_victims:,} of {report.victims:,} victims "
            f"({pct(report.repeat_victim_share.percent)}) had two or more incidents within "
            f"{report.repeat_victim_months} months.",
            f"{report.victims:,} victims",
            [
                Part("one incident", report.victims - report.repeat_victims, SKY, INK),
                Part("repeat victim", report.repeat_victims, BLUE, "#fff"),
            ],
        )
        detected = Share(report.repeat_calls_detected, report.calls)
        return (
            "<section><h2>Calls and repeat victims</h2>"
            + self.figure(
                calls_svg,
                "Calls from a caller flagged as having called before.",
                f"Of {report.calls:,} domestic-abuse calls.",
                _table(
                    ["Measure", "Count", "Of calls", "Share"],
                    [
                        (
                            "Flagged as from a repeat caller",
                            report.repeat_calls,
                            report.calls,
                            pct(report.repeat_caller_share.percent),
                        ),
                        (
                            "Caller had called before (found in the data)",
                            report.repeat_calls_detected,
                            report.calls,
                            pct(detected.percent),
                        ),
                    ],
                    {1, 2, 3},
                ),
            )
            + self.figure(
                victims_svg,
                f"Victims with two or more incidents within {report.repeat_victim_months} months.",
                f"Of {report.victims:,} distinct victims.",
                _table(
                    ["Measure", "Count", "Of victims", "Share"],
                    [
                        (
                            "Repeat victims",
                            report.repeat_victims,
                            report.victims,
                            pct(report.repeat_victim_share.percent),
                        )
                    ],
                    {1, 2, 3},
                ),
            )
            + "</section>"
        )

    def outcomes(self) -> str:
        report = self.report
        arrests = self.figure(
            arrests_chart(
                report,
                self.published.get("arrests_per_100"),
                self.title("arrests per 100 domestic-abuse crimes"),
            ),
            f"Arrests per 100 domestic-abuse crimes against the {ARREST_BAND[0]} to "
            f"{ARREST_BAND[1]} band of most forces (shaded).",
            f"Per 100 of {report.crimes:,} domestic-abuse crimes.",
            _table(
                ["Arrests", "Crimes", "Per 100"],
                [
                    (
                        f"{report.arrests:,}",
                        f"{report.crimes:,}",
                        self.by_key["arrests_per_100"].formatted(),
                    )
                ],
                {0, 1, 2},
            ),
        )
        rows = [
            _row(self.by_key[k])
            for k in ("charge_rate", "caution_rate", "out_of_court_rate", "nfa_rate", "open_rate")
        ]
        outcomes = self.figure(
            hbars(
                "chart-outcomes",
                self.title("outcomes of domestic-abuse crimes"),
                "; ".join(f"{r.label}: {pct(r.value)} ({r.detail})" for r in rows) + ".",
                rows,
                colour=GREEN,
            ),
            "Domestic-abuse crimes by outcome (the report's Figure 2).",
            f"Of {report.crimes:,} domestic-abuse crimes.",
            _share_table(rows, "Outcome"),
        )
        return f"<section><h2>Arrests and outcomes</h2>{arrests}{outcomes}</section>"

    def grades(self) -> str:
        report = self.report
        policy_rows = [
            _row(self.by_key[f"grade.{g}"]) for g in ("high", "medium", "standard", "ungraded")
        ]
        recorded = report.recorded_grades
        recorded_rows = [
            Row(
                f"{grade.value.capitalize()} risk",
                Share(recorded.of(grade), recorded.total).percent,
                None,
                f"{recorded.of(grade):,} of {recorded.total:,}",
                recorded.total,
            )
            for grade in (RiskGrade.HIGH, RiskGrade.MEDIUM, RiskGrade.STANDARD)
        ]
        review_rows = [_row(f) for f in self.rows if f.key.startswith("review.")]
        parts = [
            "<section><h2>Active cases by risk grade</h2>",
            self.figure(
                hbars(
                    "chart-grades",
                    self.title("every case by the grade the policy gives it"),
                    _grade_desc(report.grades, policy_rows),
                    policy_rows,
                ),
                "Every case in the data graded by the policy, as at the point of attendance. "
                "A case no risk model graded (no form, no finding) is ungraded and needs "
                "review: it is never counted as standard. The inspected force could not "
                "report these.",
                f"Of all {report.grades.total:,} cases.",
                _share_table(policy_rows, "Grade"),
            ),
            self.figure(
                hbars(
                    "chart-grades-recorded",
                    self.title("the grades the force recorded"),
                    _grade_desc(recorded, recorded_rows),
                    recorded_rows,
                    colour=ORANGE,
                ),
                "The grade the force's MASH recorded, where it recorded one.",
                f"Of the {recorded.total:,} cases the force graded (not of all {report.cases:,}).",
                _share_table(recorded_rows, "Grade"),
            ),
        ]
        parts.append(
            self.figure(
                hbars(
                    "chart-review",
                    self.title("decisions that need review, by reason"),
                    "; ".join(f"{r.label}: {pct(r.value)} ({r.detail})" for r in review_rows) + "."
                    if review_rows
                    else "No decision needs review.",
                    review_rows,
                    colour=PURPLE,
                ),
                "Why the decisions that need a person to look need one. A decision "
                "with several reasons counts under each, so the bars can add up to more "
                "than 100 %.",
                f"Of the {report.needs_review:,} decisions that need review "
                f"({pct(Share(report.needs_review, report.cases).percent)} of "
                f"{report.cases:,} cases).",
                _share_table(review_rows, "Reason"),
            )
        )
        parts.append("</section>")
        return "".join(parts)

    def compliance(self) -> str:
        report = self.report
        fc, fn = report.forms_crime, report.forms_non_crime
        crimes = self.figure(
            stacked(
                "chart-forms",
                self.title("risk forms for crimes"),
                _forms_desc("Crimes", fc),
                f"{fc.total:,} domestic-abuse crimes",
                _form_parts(fc),
            ),
            "Risk forms for crimes by whether the MASH received them before the officer "
            "went off duty.",
            f"Of {fc.total:,} crimes.",
            _forms_table(fc),
        )
        incidents = self.figure(
            stacked(
                "chart-forms-incidents",
                self.title("risk forms for non-crime incidents"),
                _forms_desc("Non-crime incidents", fn),
                f"{fn.total:,} non-crime incidents",
                _form_parts(fn),
            ),
            "The same for non-crime incidents.",
            f"Of {fn.total:,} non-crime incidents.",
            _forms_table(fn),
        )
        kids = report.children
        checked = kids.incidents_children_present - kids.incidents_present_unchecked
        children = self.figure(
            stacked(
                "chart-children",
                self.title("was every present child's welfare checked?"),
                f"Children present at {kids.incidents_children_present:,} incidents; at "
                f"{kids.incidents_present_unchecked:,} of those at least one present child's "
                f"welfare was not checked ({kids.children_present_unchecked:,} of "
                f"{kids.children_present:,} children present). "
                f"{kids.incidents_with_children:,} incidents had children in the household.",
                f"{kids.incidents_children_present:,} incidents with a child present",
                [
                    Part("every present child checked", checked, BLUE, "#fff"),
                    Part("a child not checked", kids.incidents_present_unchecked, VERMILLION, INK),
                ],
            ),
            "Officers must physically check every child at a domestic-abuse incident, "
            "asleep or not.",
            f"Of {kids.incidents_children_present:,} incidents with a child present.",
            _table(
                ["Measure", "Count"],
                [
                    ("Incidents with children in the household", kids.incidents_with_children),
                    ("Incidents with children present", kids.incidents_children_present),
                    ("of which a present child was not checked", kids.incidents_present_unchecked),
                    ("Children present", kids.children_present),
                    ("of whom not checked", kids.children_present_unchecked),
                ],
                {1},
            ),
        )
        lat = report.latency
        latency = self.figure(
            latency_histogram(report, self.title("hours from report to the force's risk grade")),
            "Hours from the report to the risk grade the force recorded "
            f"(median {_hours(lat.median_hours)}, 90th percentile {_hours(lat.p90_hours)}). "
            "Bars are drawn at their true widths in hours, so a bar's height is cases per "
            "hour and its area is the number of cases, written above it. The report found "
            "grades set the next day, up to 72 hours later over a weekend.",
            f"Of {lat.graded:,} cases with a recorded grade."
            + (" Small count." if small(lat.graded) else ""),
            _table(["Hours", "Cases"], [(b.label, b.count) for b in lat.bins], {1}),
        )
        return f"<section><h2>Compliance</h2>{crimes}{incidents}{children}{latency}</section>"

    def every_figure(self) -> str:
        return (
            "<section><h2>Every figure</h2>"
            + _table(
                ["Section", "Figure", "Value", "Report", "Counts"],
                [
                    (
                        r.section,
                        r.label,
                        r.formatted(),
                        r.formatted_published(),
                        r.detail + (" (small count)" if r.small else ""),
                    )
                    for r in self.rows
                ],
                {2, 3},
            )
            + "</section>"
        )


def _grade_desc(counts: GradeCounts, rows: Sequence[Row]) -> str:
    return (
        f"{counts.total:,} cases: "
        + "; ".join(f"{r.label}: {r.detail} ({pct(r.value)})" for r in rows)
        + "."
    )


def _form_parts(c: FormCounts) -> list[Part]:
    return [
        Part("on time", c.on_time, BLUE, "#fff"),
        Part("late", c.late, ORANGE, INK),
        Part("never submitted", c.not_submitted, PURPLE, INK),
        Part("no form", c.missing, VERMILLION, INK),
    ]


def _forms_desc(what: str, c: FormCounts) -> str:
    return (
        f"{what}: {c.on_time:,} on time, {c.late:,} late, {c.not_submitted:,} never "
        f"submitted, {c.missing:,} with no form ({pct(c.not_received.percent)} not "
        f"received), of {c.total:,}."
    )


def _forms_table(c: FormCounts) -> str:
    return _table(
        ["On time", "Late", "Never submitted", "No form", "Not received"],
        [(c.on_time, c.late, c.not_submitted, c.missing, pct(c.not_received.percent))],
        {0, 1, 2, 3, 4},
    )


def _hours(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1f} h"


def page(report: AuditReport, rows: Sequence[Figure], published: Mapping[str, float]) -> str:
    """The whole page."""
    return _Page(report, rows, published).render()


def render_html(report: AuditReport, *, published: Mapping[str, float] | None = PUBLISHED) -> str:
    """One self-contained HTML page with inline SVG charts; no scripts, no external files.

    Every chart's title starts with the force's name, every figure states the one
    denominator its shares are of, a share of fewer than
    :data:`~dapolicy.audit.SMALL_COUNT` is marked "small count", the latency histogram
    draws its bars at their true widths on a y-axis, and the page is laid out to be read
    on a 420 px wide screen as well as a desktop one.
    """
    return page(report, figures(report, published), published or {})
