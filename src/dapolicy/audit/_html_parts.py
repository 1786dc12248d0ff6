"""Pieces of the audit's HTML page: tables, figures and the headline tiles (private)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from dapolicy.audit._figures import Figure
from dapolicy.audit._html_charts import Row, esc, num, pct, small


def table(headers: Sequence[str], rows: Iterable[Sequence[object]], numeric: set[int]) -> str:
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


def figure_html(svg: str, caption: str, base: str, table: str, heading: str = "") -> str:
    """A chart under its heading, what it shows, its one denominator, and its numbers."""
    head = f'<p class="chart">{heading}</p>' if heading else ""
    return (
        f"<figure>{head}{svg}<figcaption>{esc(caption)}"
        f'<span class="base">{esc(base)}</span></figcaption>'
        f"<details><summary>The numbers</summary>{table}</details></figure>"
    )


def row_of(figure: Figure, label: str | None = None) -> Row:
    return Row(
        label if label is not None else figure.label,
        figure.value,
        figure.published,
        figure.detail,
        figure.base,
    )


def share_table(rows: Sequence[Row], first: str) -> str:
    return table(
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


def tiles(rows: Sequence[Figure]) -> str:
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
