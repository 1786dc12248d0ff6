"""The SVG charts of the audit's HTML page (private).

Part of :func:`dapolicy.audit.render_html`: one self-contained page, inline CSS, inline
SVG charts, no scripts, no fonts, images or links to fetch. Every chart is an ``<svg
role="img">`` with a ``<title>`` and a ``<desc>`` that says what it shows in words,
followed by a data table for screen readers and for anyone who wants the numbers.
Colours are the Okabe-Ito palette (distinguishable with the common colour-vision
deficiencies), and every bar is labelled with its value, so no meaning rests on colour
alone. Every dynamic string goes through :func:`html.escape`.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from dapolicy.audit._report import ARREST_BAND, AuditReport, Share

BLUE = "#0072B2"
ORANGE = "#E69F00"
VERMILLION = "#D55E00"
GREEN = "#009E73"
PURPLE = "#CC79A7"
SKY = "#56B4E9"
GREY = "#6E6E6E"
INK = "#1A1A1A"
BAND = "#CFE8DC"

_FONT = "system-ui, -apple-system, Segoe UI, Roboto, Arial, sans-serif"
CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;color:#1a1a1a;
background:#fff;margin:0 auto;max-width:60rem;padding:1.5rem;line-height:1.45}
h1{font-size:1.7rem;margin:0 0 .25rem}h2{font-size:1.25rem;margin:2rem 0 .5rem;
border-bottom:2px solid #0072B2;padding-bottom:.2rem}
.meta{color:#444;margin:0 0 1rem}
.tiles{display:grid;grid-template-columns:repeat(auto-fill,minmax(11rem,1fr));gap:.75rem;
margin:1rem 0;padding:0;list-style:none}
.tile{border:1px solid #c8c8c8;border-radius:.4rem;padding:.6rem .75rem;background:#f7f9fb}
.tile .big{display:block;font-size:1.9rem;font-weight:700;color:#0b4f80}
.tile .what{display:block;font-size:.9rem}
.tile .pub{display:block;font-size:.8rem;color:#444}
figure{margin:1rem 0 1.5rem}figcaption{font-size:.95rem;color:#333;margin-top:.35rem}
svg{display:block;width:100%;height:auto}
svg text{font-family:inherit;fill:#1a1a1a}
details{margin-top:.4rem}summary{cursor:pointer;color:#0b4f80}
table{border-collapse:collapse;margin:.5rem 0;font-size:.9rem}
th,td{border:1px solid #c8c8c8;padding:.25rem .5rem;text-align:left}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}
footer{margin-top:2rem;font-size:.85rem;color:#444}
"""


def esc(value: object) -> str:
    return escape(str(value), quote=True)


def pct(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1f}%"


def num(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


# --- SVG pieces -----------------------------------------------------------------------


def _svg(chart_id: str, title: str, desc: str, width: int, height: int, body: str) -> str:
    cid = esc(chart_id)
    return (
        f'<svg id="{cid}" role="img" aria-labelledby="{cid}-title {cid}-desc" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'preserveAspectRatio="xMinYMin meet" font-family="{_FONT}">'
        f'<title id="{cid}-title">{esc(title)}</title>'
        f'<desc id="{cid}-desc">{esc(desc)}</desc>{body}</svg>'
    )


def _text(
    x: float,
    y: float,
    content: str,
    *,
    anchor: str = "start",
    size: int = 13,
    weight: str = "normal",
    fill: str = INK,
) -> str:
    return (
        f'<text x="{num(x)}" y="{num(y)}" text-anchor="{anchor}" font-size="{size}" '
        f'font-weight="{weight}" fill="{fill}">{esc(content)}</text>'
    )


def _rect(x: float, y: float, w: float, h: float, fill: str, label: str = "") -> str:
    tip = f"<title>{esc(label)}</title>" if label else ""
    return (
        f'<rect x="{num(x)}" y="{num(y)}" width="{num(max(w, 0))}" height="{num(h)}" '
        f'fill="{fill}">{tip}</rect>'
    )


def _legend(
    x: float, y: float, items: Sequence[tuple[str, str]], right: float = 10_000
) -> tuple[str, float]:
    """Colour keys from ``(x, y)``, wrapping before ``right``; the SVG and the depth added."""
    parts = []
    cx, cy = x, y
    for label, colour in items:
        width = 24 + 7 * len(label)
        if cx > x and cx + width > right:
            cx, cy = x, cy + 20
        parts.append(_rect(cx, cy - 10, 12, 12, colour) + _text(cx + 17, cy, label, size=12))
        cx += width + 8
    return "".join(parts), cy - y


def _marker_legend(x: float, y: float) -> str:
    return (
        f'<line x1="{num(x)}" y1="{num(y - 11)}" x2="{num(x)}" y2="{num(y + 2)}" '
        f'stroke="{INK}" stroke-width="3"/>'
        + _text(x + 8, y, "the report's published figure", size=12)
    )


def hbars(
    chart_id: str,
    title: str,
    desc: str,
    rows: Sequence[tuple[str, float | None, float | None, str]],
    *,
    colour: str = BLUE,
    scale: float = 100.0,
) -> str:
    """Horizontal percentage bars, a published-figure tick on each where there is one."""
    left, bar_w, row_h, top = 200, 360, 34, 10
    height = top + row_h * len(rows) + 30
    width = left + bar_w + 130
    body = [
        f'<line x1="{left}" y1="{top - 4}" x2="{left}" y2="{top + row_h * len(rows)}" '
        f'stroke="{GREY}"/>'
    ]
    any_published = False
    for k, (label, value, published, detail) in enumerate(rows):
        y = top + k * row_h
        body.append(_text(left - 8, y + 20, label, anchor="end"))
        if value is None:
            body.append(_text(left + 6, y + 20, "n/a (force totals not given)", fill=GREY))
            continue
        w = bar_w * min(value, scale) / scale
        body.append(_rect(left, y + 6, w, 20, colour, f"{label}: {pct(value)} ({detail})"))
        body.append(_text(left + w + 6, y + 21, pct(value), weight="bold"))
        if published is not None:
            any_published = True
            px = left + bar_w * min(published, scale) / scale
            body.append(
                f'<line x1="{num(px)}" y1="{y + 2}" x2="{num(px)}" y2="{y + 30}" '
                f'stroke="{INK}" stroke-width="3"><title>{esc(label)}: report '
                f"{esc(num(published))}%</title></line>"
            )
    if any_published:
        body.append(_marker_legend(left, height - 8))
    return _svg(chart_id, title, desc, width, height, "".join(body))


def arrests_chart(report: AuditReport, published: float | None) -> str:
    value = report.arrests_per_100
    scale = max(120.0, (value or 0) + 10)
    left, width, y = 30, 600, 40
    low, high = ARREST_BAND

    def x(v: float) -> float:
        return left + width * v / scale

    body = [
        _rect(x(low), y - 20, x(high) - x(low), 50, BAND, f"most forces: {low} to {high}"),
        _text((x(low) + x(high)) / 2, y - 26, f"most forces: {low} to {high}", anchor="middle"),
        f'<line x1="{left}" y1="{y + 5}" x2="{left + width}" y2="{y + 5}" stroke="{GREY}" '
        f'stroke-width="2"/>',
    ]
    for tick in range(0, int(scale) + 1, 10):
        body.append(
            f'<line x1="{num(x(tick))}" y1="{y + 5}" x2="{num(x(tick))}" y2="{y + 12}" '
            f'stroke="{GREY}"/>' + _text(x(tick), y + 27, str(tick), anchor="middle", size=11)
        )
    if published is not None:
        body.append(
            f'<line x1="{num(x(published))}" y1="{y - 14}" x2="{num(x(published))}" '
            f'y2="{y + 24}" stroke="{INK}" stroke-width="3"><title>report: '
            f"{esc(num(published))} per 100</title></line>"
        )
    if value is None:
        body.append(_text(left, y + 60, "no crimes: arrests per 100 not defined", fill=GREY))
        desc = "No crimes in the data, so arrests per 100 crimes cannot be computed."
    else:
        inside = report.arrests_within_band
        colour = BLUE if inside else VERMILLION
        body.append(
            f'<circle cx="{num(x(value))}" cy="{y + 5}" r="9" fill="{colour}" '
            f'stroke="#fff" stroke-width="2"><title>{esc(num(value))} per 100</title></circle>'
        )
        verdict = "within" if inside else "outside"
        body.append(
            _text(
                x(value),
                y + 62,
                f"{value:.1f} arrests per 100 crimes ({verdict} the band)",
                anchor="middle",
                weight="bold",
            )
        )
        desc = (
            f"{value:.1f} arrests per 100 domestic-abuse crimes ({report.arrests:,} arrests, "
            f"{report.crimes:,} crimes), {verdict} the {low} to {high} band of most forces"
            + (f"; the report published {num(published)}." if published is not None else ".")
        )
    if published is not None:
        body.append(_marker_legend(left, y + 92))
    return _svg(
        "chart-arrests", "Arrests per 100 domestic-abuse crimes", desc, 660, 140, "".join(body)
    )


def stacked(
    chart_id: str,
    title: str,
    desc: str,
    rows: Sequence[tuple[str, Sequence[tuple[str, int, str, str]]]],
) -> str:
    """100 % stacked horizontal bars; parts are (name, count, fill, text colour)."""
    left, bar_w, row_h, top = 200, 440, 40, 8
    legend: dict[str, list[str]] = {}  # colour -> the names it stands for
    body = []
    for k, (label, parts) in enumerate(rows):
        y = top + k * row_h
        body.append(_text(left - 8, y + 21, label, anchor="end"))
        total = sum(count for _, count, _, _ in parts)
        if not total:
            body.append(_text(left + 6, y + 21, "none", fill=GREY))
            continue
        x = float(left)
        for name, count, fill, ink in parts:
            names = legend.setdefault(fill, [])
            if name not in names:
                names.append(name)
            w = bar_w * count / total
            share = 100 * count / total
            body.append(_rect(x, y + 6, w, 24, fill, f"{label}, {name}: {count:,} ({share:.1f}%)"))
            inside = f"{share:.0f}% {name}"
            if w < 8 * len(inside) + 12:
                inside = f"{share:.0f}%"
            if w >= 42:
                body.append(
                    _text(x + w / 2, y + 23, inside, anchor="middle", weight="bold", fill=ink)
                )
            x += w
    width = left + bar_w + 20
    keys = [(" / ".join(names), colour) for colour, names in legend.items()]
    key, depth = _legend(left, top + row_h * len(rows) + 20, keys, width)
    body.append(key)
    height = top + row_h * len(rows) + 30 + int(depth)
    return _svg(chart_id, title, desc, width, height, "".join(body))


def latency_histogram(report: AuditReport) -> str:
    latency = report.latency
    bins = latency.bins
    left, top, plot_h, bar_w, gap = 50, 20, 200, 62, 10
    width = left + len(bins) * (bar_w + gap) + 20
    most = max([b.count for b in bins] + [1])
    body = [
        f'<line x1="{left}" y1="{top + plot_h}" x2="{width - 10}" y2="{top + plot_h}" '
        f'stroke="{GREY}"/>'
    ]
    for k, b in enumerate(bins):
        x = left + k * (bar_w + gap)
        h = plot_h * b.count / most
        fill = VERMILLION if b.from_hours >= 72 else ORANGE if b.from_hours >= 24 else BLUE
        body.append(_rect(x, top + plot_h - h, bar_w, h, fill, f"{b.label}: {b.count:,} cases"))
        body.append(
            _text(
                x + bar_w / 2,
                top + plot_h - h - 5,
                f"{b.count:,}",
                anchor="middle",
                size=12,
                weight="bold",
            )
        )
        body.append(_text(x + bar_w / 2, top + plot_h + 17, b.label, anchor="middle", size=11))
    key, _ = _legend(
        left,
        top + plot_h + 45,
        [("under 24 h", BLUE), ("24 to 72 h", ORANGE), ("72 h or more", VERMILLION)],
    )
    body.append(key)
    if latency.graded:
        desc = (
            f"{latency.graded:,} cases graded; median {latency.median_hours:.1f} hours, "
            f"90th percentile {latency.p90_hours:.1f} hours; {latency.over_24h:,} graded more "
            f"than 24 hours after the report and {latency.over_72h:,} more than 72 hours. "
            + "; ".join(f"{b.label}: {b.count:,}" for b in bins)
        )
    else:
        desc = "No case has a grade recorded by the force."
    return _svg(
        "chart-latency",
        "Hours from report to the force's risk grade",
        desc,
        width,
        top + plot_h + 60,
        "".join(body),
    )


def grades_chart(report: AuditReport) -> str:
    from dapolicy.models import RiskGrade

    left, bar_w, top, group_h = 110, 420, 10, 62
    body = []
    desc = []
    series = (
        ("graded now by the policy", report.grades, BLUE),
        ("recorded by the force", report.recorded_grades, ORANGE),
    )
    for k, grade in enumerate((RiskGrade.HIGH, RiskGrade.MEDIUM, RiskGrade.STANDARD)):
        y = top + k * group_h
        body.append(
            _text(left - 8, y + 30, f"{grade.value.capitalize()}", anchor="end", weight="bold")
        )
        for j, (name, counts, colour) in enumerate(series):
            count = counts.of(grade)
            share = Share(count, counts.total).percent
            w = bar_w * (share or 0) / 100
            yy = y + 6 + j * 24
            body.append(_rect(left, yy, w, 20, colour, f"{grade.value}, {name}: {count:,}"))
            body.append(_text(left + w + 6, yy + 15, f"{count:,} ({pct(share)})", size=12))
            desc.append(f"{grade.value} {name}: {count:,} ({pct(share)})")
    height = top + 3 * group_h + 24
    key, _ = _legend(left, height - 8, [(name, colour) for name, _, colour in series])
    body.append(key)
    return _svg(
        "chart-grades",
        "Active cases by risk grade",
        "; ".join(desc) + ".",
        left + bar_w + 130,
        height,
        "".join(body),
    )
