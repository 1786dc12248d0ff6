"""The audit's HTML page (private): public as :func:`dapolicy.audit.render_html`.

The page is built from the report and its figures; the report knows nothing of HTML.
"""

from __future__ import annotations

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
    arrests_chart,
    esc,
    grades_chart,
    hbars,
    latency_histogram,
    num,
    pct,
    stacked,
)
from dapolicy.audit._report import (
    ARREST_BAND,
    PUBLISHED,
    PUBLISHED_SOURCE,
    AuditReport,
    FormCounts,
    Share,
)


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
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _figure(svg: str, caption: str, table: str) -> str:
    return (
        f"<figure>{svg}<figcaption>{esc(caption)}</figcaption>"
        f"<details><summary>The numbers</summary>{table}</details></figure>"
    )


def _tiles(rows: Sequence[Figure]) -> str:
    chosen = {
        "da_share_of_calls": "of calls for assistance are domestic abuse",
        "repeat_caller_share": "of those calls are from repeat callers",
        "da_share_of_crime": "of recorded crime is domestic abuse",
        "arrests_per_100": "arrests per 100 domestic-abuse crimes",
        "charge_rate": "of domestic-abuse crimes charged",
        "crime_forms_not_received": "of crimes with no risk form received",
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
        items.append(
            f'<li class="tile"><span class="big">{esc(value)}</span>'
            f'<span class="what">{esc(chosen[row.key])}</span>{pub}</li>'
        )
    return f'<ul class="tiles" aria-label="Headline figures">{"".join(items)}</ul>'


def page(report: AuditReport, rows: Sequence[Figure], published: Mapping[str, float]) -> str:
    """The whole page."""
    by_key = {row.key: row for row in rows}
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
        f"{esc(report.policy_fingerprint)}. Counts only: no personal data.</p>",
        _tiles(rows),
    ]

    # Offence groups.
    group_rows = [
        (
            by_key[f"offence.{g.offence.value}"].label.split(":")[0],
            None if g.share is None else g.share.percent,
            published.get(f"offence.{g.offence.value}"),
            "force total not given"
            if g.share is None
            else f"{g.domestic_abuse:,} of {g.force_total:,}",
        )
        for g in report.offence_groups
    ]
    parts.append("<section><h2>Domestic abuse in the force's crime</h2>")
    parts.append(
        _figure(
            hbars(
                "chart-offences",
                "Domestic abuse as a share of calls, of crime and of four offence groups",
                "; ".join(f"{label}: {pct(v)} ({d})" for label, v, _, d in group_rows) + ".",
                [
                    (
                        "All calls",
                        _p(report.da_share_of_calls),
                        published.get("da_share_of_calls"),
                        _of(report.da_share_of_calls),
                    ),
                    (
                        "All recorded crime",
                        _p(report.da_share_of_crime),
                        published.get("da_share_of_crime"),
                        _of(report.da_share_of_crime),
                    ),
                    *group_rows,
                ],
            ),
            "Domestic abuse's share of all calls, of all recorded crime and of the four "
            "offence groups the report gives figures for.",
            _table(
                ["Group", "Domestic abuse", "Share", "Report"],
                [
                    (lbl, d, pct(v), "" if p is None else f"{num(p)}%")
                    for lbl, v, p, d in group_rows
                ],
                set(),
            ),
        )
    )
    parts.append("</section>")

    # Calls.
    first_time = report.calls - report.repeat_calls
    parts.append("<section><h2>Calls and repeat victims</h2>")
    parts.append(
        _figure(
            stacked(
                "chart-calls",
                "Domestic-abuse calls: first call or repeat caller",
                f"{report.repeat_calls:,} of {report.calls:,} calls "
                f"({pct(report.repeat_caller_share.percent)}) were flagged as from a repeat "
                f"caller; {report.repeat_victims:,} of {report.victims:,} victims "
                f"({pct(report.repeat_victim_share.percent)}) had two or more incidents "
                f"within {report.repeat_victim_months} months.",
                [
                    (
                        "Calls",
                        [
                            ("first call", first_time, SKY, INK),
                            ("repeat caller", report.repeat_calls, BLUE, "#fff"),
                        ],
                    ),
                    (
                        "Victims",
                        [
                            ("one incident", report.victims - report.repeat_victims, SKY, INK),
                            ("repeat victim", report.repeat_victims, BLUE, "#fff"),
                        ],
                    ),
                ],
            ),
            "Share of calls from a caller flagged as having called before, and share of "
            "victims with two or more incidents within 12 months.",
            _table(
                ["Measure", "Count", "Of", "Share"],
                [
                    (
                        "Calls from repeat callers",
                        report.repeat_calls,
                        report.calls,
                        pct(report.repeat_caller_share.percent),
                    ),
                    (
                        "Caller had called before (found in the data)",
                        report.repeat_calls_detected,
                        report.calls,
                        pct(Share(report.repeat_calls_detected, report.calls).percent),
                    ),
                    (
                        "Repeat victims",
                        report.repeat_victims,
                        report.victims,
                        pct(report.repeat_victim_share.percent),
                    ),
                ],
                {1, 2, 3},
            ),
        )
    )
    parts.append("</section>")

    # Arrests and outcomes.
    parts.append("<section><h2>Arrests and outcomes</h2>")
    parts.append(
        _figure(
            arrests_chart(report, published.get("arrests_per_100")),
            f"Arrests per 100 domestic-abuse crimes against the {ARREST_BAND[0]} to "
            f"{ARREST_BAND[1]} band of most forces (shaded).",
            _table(
                ["Arrests", "Crimes", "Per 100"],
                [
                    (
                        f"{report.arrests:,}",
                        f"{report.crimes:,}",
                        by_key["arrests_per_100"].formatted(),
                    )
                ],
                {0, 1, 2},
            ),
        )
    )
    outcome_rows = [
        (by_key[k].label, by_key[k].value, by_key[k].published, by_key[k].detail)
        for k in ("charge_rate", "caution_rate", "out_of_court_rate", "nfa_rate", "open_rate")
    ]
    parts.append(
        _figure(
            hbars(
                "chart-outcomes",
                "Outcomes of domestic-abuse crimes",
                "; ".join(f"{lbl}: {pct(v)} ({d})" for lbl, v, _, d in outcome_rows) + ".",
                outcome_rows,
                colour=GREEN,
            ),
            "Share of domestic-abuse crimes by outcome (the report's Figure 2).",
            _table(
                ["Outcome", "Crimes", "Share", "Report"],
                [
                    (lbl, d, pct(v), "" if p is None else f"{num(p)}%")
                    for lbl, v, p, d in outcome_rows
                ],
                set(),
            ),
        )
    )
    parts.append("</section>")

    # Risk grades.
    parts.append("<section><h2>Active cases by risk grade</h2>")
    parts.append(
        _figure(
            grades_chart(report),
            "Every case in the data graded by the policy, beside the grade the force "
            "recorded where it recorded one. The inspected force could not report these.",
            _table(
                ["Grade", "Policy", "Force recorded"],
                [
                    (g, getattr(report.grades, g), getattr(report.recorded_grades, g))
                    for g in ("high", "medium", "standard")
                ],
                {1, 2},
            ),
        )
    )
    parts.append("</section>")

    # Compliance.
    def form_parts(c: FormCounts) -> list[tuple[str, int, str, str]]:
        return [
            ("on time", c.on_time, BLUE, "#fff"),
            ("late", c.late, ORANGE, INK),
            ("never submitted", c.not_submitted, PURPLE, INK),
            ("no form", c.missing, VERMILLION, INK),
        ]

    fc, fn = report.forms_crime, report.forms_non_crime
    parts.append("<section><h2>Compliance</h2>")
    parts.append(
        _figure(
            stacked(
                "chart-forms",
                "Risk forms: on time, late, never submitted, none",
                f"Crimes: {fc.on_time:,} on time, {fc.late:,} late, {fc.not_submitted:,} never "
                f"submitted, {fc.missing:,} with no form ({pct(fc.not_received.percent)} not "
                f"received). Non-crime incidents: {fn.on_time:,} on time, {fn.late:,} late, "
                f"{fn.not_submitted:,} never submitted, {fn.missing:,} with no form "
                f"({pct(fn.not_received.percent)} not received).",
                [("Crimes", form_parts(fc)), ("Non-crime incidents", form_parts(fn))],
            ),
            "Risk forms by whether the MASH received them before the officer went off duty.",
            _table(
                ["", "On time", "Late", "Never submitted", "No form", "Not received"],
                [
                    (
                        "Crimes",
                        fc.on_time,
                        fc.late,
                        fc.not_submitted,
                        fc.missing,
                        pct(fc.not_received.percent),
                    ),
                    (
                        "Non-crime incidents",
                        fn.on_time,
                        fn.late,
                        fn.not_submitted,
                        fn.missing,
                        pct(fn.not_received.percent),
                    ),
                ],
                {1, 2, 3, 4, 5},
            ),
        )
    )
    kids = report.children
    checked = kids.incidents_children_present - kids.incidents_present_unchecked
    parts.append(
        _figure(
            stacked(
                "chart-children",
                "Incidents with children: was every present child's welfare checked?",
                f"{kids.incidents_with_children:,} incidents with children in the household; "
                f"children present at {kids.incidents_children_present:,}; at "
                f"{kids.incidents_present_unchecked:,} of those at least one present child's "
                f"welfare was not checked ({kids.children_present_unchecked:,} of "
                f"{kids.children_present:,} children present).",
                [
                    (
                        "Incidents",
                        [
                            ("all present children checked", checked, BLUE, "#fff"),
                            (
                                "a present child not checked",
                                kids.incidents_present_unchecked,
                                VERMILLION,
                                INK,
                            ),
                            (
                                "children not present",
                                kids.incidents_with_children - kids.incidents_children_present,
                                SKY,
                                INK,
                            ),
                        ],
                    )
                ],
            ),
            "Officers must physically check every child at a domestic-abuse incident, "
            "asleep or not.",
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
    )
    lat = report.latency
    parts.append(
        _figure(
            latency_histogram(report),
            "Hours from the report to the risk grade the force recorded "
            f"(median {_hours(lat.median_hours)}, 90th percentile {_hours(lat.p90_hours)}). "
            "The report found grades set the next day, up to 72 hours later over a weekend.",
            _table(["Hours", "Cases"], [(b.label, b.count) for b in lat.bins], {1}),
        )
    )
    parts.append("</section>")

    # Every figure.
    parts.append("<section><h2>Every figure</h2>")
    parts.append(
        _table(
            ["Section", "Figure", "Value", "Report", "Counts"],
            [(r.section, r.label, r.formatted(), r.formatted_published(), r.detail) for r in rows],
            {2, 3},
        )
    )
    parts.append("</section></main>")
    source = f"Report figures: {PUBLISHED_SOURCE}." if published else ""
    parts.append(
        f"<footer><p>{esc(source)} Arrests band: most forces, HMIC 2014 Figure 1. "
        "Generated by dapolicy from the cases given; no clock was read.</p></footer>"
    )
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


def _p(share: Share | None) -> float | None:
    return None if share is None else share.percent


def _of(share: Share | None) -> str:
    return "force totals not given" if share is None else f"{share.count:,} of {share.total:,}"


def _hours(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1f} h"


def render_html(report: AuditReport, *, published: Mapping[str, float] | None = PUBLISHED) -> str:
    """One self-contained HTML page with inline SVG charts; no scripts, no external files."""
    return page(report, figures(report, published), published or {})
