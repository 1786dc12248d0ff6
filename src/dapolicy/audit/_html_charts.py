"""The SVG charts of the audit's HTML page (private).

Part of :func:`dapolicy.audit.render_html`: one self-contained page, inline CSS, inline
SVG charts, no scripts, no fonts, images or links to fetch. Every chart is an
``<svg role="img">`` with a ``<title>`` (the force's name first, so a chart copied out
of the page still says whose it is) and a ``<desc>`` that says what it shows in words,
followed by a data table for screen readers and for anyone who wants the numbers.

Every chart is drawn 400 units wide with labels above the bars, never beside them, so
that it is readable on a 420 px phone screen and scales up to at most 34rem on a wide
one. Colours are the Okabe-Ito palette (distinguishable with the common colour-vision
deficiencies), and every bar is labelled with its value, so no meaning rests on colour
alone. A share taken over fewer than :data:`~dapolicy.audit.SMALL_COUNT` is drawn pale
and labelled "small count". Every dynamic string goes through :func:`html.escape`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from html import escape
from typing import NamedTuple

from dapolicy.audit._report import ARREST_BAND, LATENCY_BINS, SMALL_COUNT, AuditReport

BLUE = "#0072B2"
ORANGE = "#E69F00"
VERMILLION = "#D55E00"
GREEN = "#009E73"
PURPLE = "#CC79A7"
SKY = "#56B4E9"
GREY = "#6E6E6E"
INK = "#1A1A1A"
BAND = "#CFE8DC"

#: The width every chart is drawn at, in SVG units (about a phone screen's CSS pixels).
WIDTH = 400
#: The longest wait the latency histogram's x-axis reaches, in hours (a week).
MAX_AXIS_HOURS = 168

_FONT = "system-ui, -apple-system, Segoe UI, Roboto, Arial, sans-serif"
CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;color:#1a1a1a;
background:#fff;margin:0 auto;max-width:60rem;padding:1.5rem;line-height:1.45}
h1{font-size:1.7rem;margin:0 0 .25rem}h2{font-size:1.25rem;margin:2rem 0 .5rem;
border-bottom:2px solid #0072B2;padding-bottom:.2rem}
.meta{color:#444;margin:0 0 1rem}
.tiles{display:grid;grid-template-columns:repeat(auto-fill,minmax(10rem,1fr));gap:.75rem;
margin:1rem 0;padding:0;list-style:none}
.tile{border:1px solid #c8c8c8;border-radius:.4rem;padding:.6rem .75rem;background:#f7f9fb}
.tile .big{display:block;font-size:1.9rem;font-weight:700;color:#0b4f80}
.tile .what{display:block;font-size:.9rem}
.tile .pub{display:block;font-size:.8rem;color:#444}
figure{margin:1rem 0 1.75rem}.chart{font-weight:700;margin:0 0 .4rem}
figcaption{font-size:.95rem;color:#333;margin-top:.35rem}
.base{display:block;font-weight:600;color:#1a1a1a}
.small{color:#8a3b00;font-weight:600}
svg{display:block;width:100%;max-width:34rem;height:auto}
svg text{font-family:inherit;fill:#1a1a1a}
details{margin-top:.4rem}summary{cursor:pointer;color:#0b4f80}
.scroll{overflow-x:auto;max-width:100%}
table{border-collapse:collapse;margin:.5rem 0;font-size:.9rem}
th,td{border:1px solid #c8c8c8;padding:.25rem .5rem;text-align:left;vertical-align:top}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}
footer{margin-top:2rem;font-size:.85rem;color:#444}
@media (max-width:36rem){body{padding:.75rem}h1{font-size:1.35rem}
h2{font-size:1.1rem}.tile .big{font-size:1.5rem}table{font-size:.8rem}
th,td{padding:.2rem .3rem}}
"""


class Row(NamedTuple):
    """One bar of a bar chart: a share of ``base``, with the report's figure if any."""

    label: str
    value: float | None  # a percentage; None when it cannot be computed
    published: float | None
    detail: str  # the counts behind it, "36 of 269"
    base: int | None  # the denominator, for the small-count flag


class Part(NamedTuple):
    """One segment of a stacked bar."""

    name: str
    cases: int
    fill: str
    ink: str  # the colour of text drawn on it


def esc(value: object) -> str:
    """``value`` as HTML text or attribute, escaped."""
    return escape(str(value), quote=True)


def pct(value: float | None) -> str:
    """A percentage with one decimal, or ``"n/a"``."""
    return "n/a" if value is None else f"{value:.1f}%"


def num(value: float) -> str:
    """A number for an SVG attribute: one decimal at most, no trailing zeros."""
    return f"{value:.1f}".rstrip("0").rstrip(".")


def small(base: int | None) -> bool:
    """Whether a share over ``base`` is a small count."""
    return base is not None and 0 < base < SMALL_COUNT


# --- SVG pieces -----------------------------------------------------------------------


def _svg(chart_id: str, title: str, desc: str, height: float, body: str) -> str:
    cid = esc(chart_id)
    h = num(math.ceil(height))
    return (
        f'<svg id="{cid}" role="img" aria-labelledby="{cid}-title {cid}-desc" '
        f'viewBox="0 0 {WIDTH} {h}" width="{WIDTH}" height="{h}" '
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
    rotate: bool = False,
) -> str:
    turn = f' transform="rotate(-90 {num(x)} {num(y)})"' if rotate else ""
    return (
        f'<text x="{num(x)}" y="{num(y)}" text-anchor="{anchor}" font-size="{size}" '
        f'font-weight="{weight}" fill="{fill}"{turn}>{esc(content)}</text>'
    )


def _rect(
    x: float, y: float, w: float, h: float, fill: str, label: str = "", *, pale: bool = False
) -> str:
    tip = f"<title>{esc(label)}</title>" if label else ""
    opacity = ' fill-opacity="0.45"' if pale else ""
    return (
        f'<rect x="{num(x)}" y="{num(y)}" width="{num(max(w, 0))}" height="{num(max(h, 0))}" '
        f'fill="{fill}"{opacity}>{tip}</rect>'
    )


def _line(x1: float, y1: float, x2: float, y2: float, colour: str = GREY, width: int = 1) -> str:
    return (
        f'<line x1="{num(x1)}" y1="{num(y1)}" x2="{num(x2)}" y2="{num(y2)}" '
        f'stroke="{colour}" stroke-width="{width}"/>'
    )


def _legend(y: float, items: Sequence[tuple[str, str]]) -> tuple[str, float]:
    """Colour keys from the left at ``y``, wrapping at the chart's width; SVG and depth."""
    parts = []
    x, cy = 0.0, y
    for label, colour in items:
        width = 22 + 6.6 * len(label)
        if x > 0 and x + width > WIDTH:
            x, cy = 0.0, cy + 18
        parts.append(_rect(x, cy - 10, 12, 12, colour) + _text(x + 17, cy, label, size=12))
        x += width + 10
    return "".join(parts), cy - y + 18


def _wrap(text: str, width: int) -> list[str]:
    """``text`` in lines of at most ``width`` characters, broken at spaces."""
    lines: list[str] = []
    for word in text.split(" "):
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines or [""]


def _marker_legend(y: float) -> str:
    return _line(4, y - 11, 4, y + 2, INK, 3) + _text(
        12, y, "the report's published figure", size=12
    )


# --- the charts -----------------------------------------------------------------------


def hbars(chart_id: str, title: str, desc: str, rows: Sequence[Row], *, colour: str = BLUE) -> str:
    """Horizontal percentage bars on one 0-100 % scale, a label above each bar.

    A tick marks the report's published figure where there is one.
    """
    bar_w, row_h, top = WIDTH - 64, 46, 4
    body = [] if rows else [_text(0, 20, "none", fill=GREY)]
    any_published = False
    extra = 0  # the depth of the wrapped header lines so far
    for k, row in enumerate(rows):
        y = top + k * row_h + extra
        flagged = small(row.base)
        head = f"{row.label}: {row.detail}" + (" (small count)" if flagged else "")
        lines = _wrap(head, 62)
        for j, line in enumerate(lines[:-1]):
            body.append(_text(0, y + 13 + 15 * j, line, size=12))
        y += 15 * (len(lines) - 1)
        extra += 15 * (len(lines) - 1)
        body.append(_text(0, y + 13, lines[-1], size=12))
        body.append(_line(0, y + 18, 0, y + 40))
        if row.value is None:
            body.append(_text(6, y + 34, "n/a (force totals not given)", fill=GREY, size=12))
            continue
        w = bar_w * min(row.value, 100.0) / 100
        tip = f"{row.label}: {pct(row.value)} ({row.detail})"
        body.append(_rect(0, y + 20, w, 18, colour, tip, pale=flagged))
        body.append(_text(w + 5, y + 34, pct(row.value), weight="bold"))
        if row.published is not None:
            any_published = True
            px = bar_w * min(row.published, 100.0) / 100
            body.append(
                f'<line x1="{num(px)}" y1="{y + 16}" x2="{num(px)}" y2="{y + 42}" '
                f'stroke="{INK}" stroke-width="3"><title>{esc(row.label)}: report '
                f"{esc(num(row.published))}%</title></line>"
            )
    height = top + row_h * len(rows) + extra + 4 if rows else 30
    if any_published:
        height += 16
        body.append(_marker_legend(height - 4))
    return _svg(chart_id, title, desc, height, "".join(body))


def stacked(chart_id: str, title: str, desc: str, label: str, parts: Sequence[Part]) -> str:
    """One 100 % stacked bar over one whole, named in ``label``, with a key below."""
    top, bar_h = 4, 30
    flagged = small(sum(p.cases for p in parts))
    body = [_text(0, top + 13, label + (" (small count)" if flagged else ""), size=12)]
    total = sum(p.cases for p in parts)
    y = top + 20
    if not total:
        body.append(_text(0, y + 20, "none", fill=GREY))
    x = 0.0
    for part in parts:
        if not total:
            break
        w = WIDTH * part.cases / total
        share = 100 * part.cases / total
        tip = f"{part.name}: {part.cases:,} ({share:.1f}%)"
        body.append(_rect(x, y, w, bar_h, part.fill, tip, pale=flagged))
        if w >= 36:
            body.append(
                _text(
                    x + w / 2,
                    y + 20,
                    f"{share:.0f}%",
                    anchor="middle",
                    weight="bold",
                    fill=part.ink,
                )
            )
        x += w
    keys = [
        (
            f"{p.name}: {p.cases:,}" + ("" if not total else f" ({100 * p.cases / total:.0f}%)"),
            p.fill,
        )
        for p in parts
    ]
    key, depth = _legend(y + bar_h + 20, keys)
    body.append(key)
    return _svg(chart_id, title, desc, y + bar_h + 8 + depth, "".join(body))


def arrests_chart(report: AuditReport, published: float | None, title: str) -> str:
    """Arrests per 100 crimes on a number line, the band of most forces shaded."""
    value = report.arrests_per_100
    scale = max(120.0, math.ceil(((value or 0) + 10) / 20) * 20)
    left, width, y = 8, WIDTH - 16, 44
    low, high = ARREST_BAND

    def x(v: float) -> float:
        return left + width * v / scale

    body = [
        _rect(x(low), y - 20, x(high) - x(low), 50, BAND, f"most forces: {low} to {high}"),
        _text(
            (x(low) + x(high)) / 2,
            y - 26,
            f"most forces: {low} to {high}",
            anchor="middle",
            size=12,
        ),
        _line(left, y + 5, left + width, y + 5, GREY, 2),
    ]
    for tick in range(0, int(scale) + 1, 20):
        body.append(_line(x(tick), y + 5, x(tick), y + 12))
        anchor = "end" if tick + 20 > scale else "start" if tick == 0 else "middle"
        body.append(_text(x(tick), y + 26, str(tick), anchor=anchor, size=11))
    if published is not None:
        body.append(
            f'<line x1="{num(x(published))}" y1="{y - 14}" x2="{num(x(published))}" '
            f'y2="{y + 24}" stroke="{INK}" stroke-width="3"><title>report: '
            f"{esc(num(published))} per 100</title></line>"
        )
    if value is None:
        body.append(_text(0, y + 58, "no crimes: arrests per 100 not defined", fill=GREY))
        desc = "No crimes in the data, so arrests per 100 crimes cannot be computed."
    else:
        inside = report.arrests_within_band
        colour = BLUE if inside else VERMILLION
        body.append(
            f'<circle cx="{num(x(value))}" cy="{y + 5}" r="8" fill="{colour}" '
            f'stroke="#fff" stroke-width="2"><title>{esc(num(value))} per 100</title></circle>'
        )
        verdict = "within" if inside else "outside"
        flag = " (small count)" if small(report.crimes) else ""
        body.append(
            _text(
                WIDTH / 2,
                y + 58,
                f"{value:.1f} arrests per 100 crimes ({verdict} the band){flag}",
                anchor="middle",
                weight="bold",
            )
        )
        desc = (
            f"{value:.1f} arrests per 100 domestic-abuse crimes ({report.arrests:,} arrests, "
            f"{report.crimes:,} crimes), {verdict} the {low} to {high} band of most forces"
            + (f"; the report published {num(published)}." if published is not None else ".")
        )
    height = y + 70
    if published is not None:
        body.append(_marker_legend(height + 6))
        height += 16
    return _svg("chart-arrests", title, desc, height, "".join(body))


def _nice_step(most: float, ticks: int = 4) -> float:
    """A round step (1, 2 or 5 times a power of ten) giving about ``ticks`` ticks."""
    if most <= 0:
        return 1.0
    raw = most / ticks
    power = 10.0 ** math.floor(math.log10(raw))
    return next(m * power for m in (1, 2, 5, 10) if m * power >= raw)


def latency_histogram(report: AuditReport, title: str) -> str:
    """The report-to-grade histogram, each bar at its true width in hours.

    Bins differ in width (6 h, then 12 h), so a bar's height is cases per hour of its
    bin and its area is the number of cases; the count is written above it. The open
    last bin ends at the longest wait (the axis stops at :data:`MAX_AXIS_HOURS`, and a
    bin cut there says so).
    """
    latency = report.latency
    bins = latency.bins
    longest = latency.max_hours if latency.max_hours is not None else float(LATENCY_BINS[-1])
    end = max(LATENCY_BINS[-1] + 12, math.ceil(longest / 12) * 12)
    axis_end = min(end, MAX_AXIS_HOURS)
    left, right, top, plot_h = 46, WIDTH - 6, 40, 190
    span = right - left

    def x(hours: float) -> float:
        return left + span * min(hours, axis_end) / axis_end

    def upper(b_from: int, b_to: int | None) -> float:
        return float(b_to) if b_to is not None else max(longest, b_from + 1.0)

    density = [b.count / (upper(b.from_hours, b.to_hours) - b.from_hours) for b in bins]
    step = _nice_step(max(density, default=0))
    y_top = step * math.ceil(max(density, default=0) / step) if max(density, default=0) else step
    base_y = top + plot_h

    def y(value: float) -> float:
        return base_y - plot_h * value / y_top

    body = [_line(left, top - 6, left, base_y), _line(left, base_y, right, base_y)]
    tick = 0.0
    while tick <= y_top + 1e-9:
        body.append(_line(left - 4, y(tick), left, y(tick)))
        body.append(_line(left, y(tick), right, y(tick), "#e2e2e2") if tick else "")
        body.append(_text(left - 7, y(tick) + 4, _tick_label(tick), anchor="end", size=11))
        tick += step
    body.append(
        _text(12, top + plot_h / 2, "cases per hour", anchor="middle", size=11, rotate=True)
    )
    edges = sorted({*LATENCY_BINS, axis_end})
    for hours in edges:
        body.append(_line(x(hours), base_y, x(hours), base_y + 5))
        anchor = "end" if hours == axis_end else "middle"
        body.append(_text(x(hours), base_y + 18, str(hours), anchor=anchor, size=11))
    body.append(
        _text(
            (left + right) / 2, base_y + 36, "hours from report to grade", anchor="middle", size=12
        )
    )
    for b, per_hour in zip(bins, density, strict=True):
        x0, x1 = x(b.from_hours), x(upper(b.from_hours, b.to_hours))
        fill = VERMILLION if b.from_hours >= 72 else ORANGE if b.from_hours >= 24 else BLUE
        tip = f"{b.label}: {b.count:,} cases ({per_hour:,.1f} per hour)"
        body.append(_rect(x0 + 0.5, y(per_hour), x1 - x0 - 1, base_y - y(per_hour), fill, tip))
        body.append(
            _text(
                (x0 + x1) / 2 + 4,
                y(per_hour) - 4,
                f"{b.count:,}",
                size=11,
                weight="bold",
                rotate=True,
            )
        )
    if end > axis_end:
        body.append(
            _text(
                right,
                top - 10,
                f"last bar cut at {axis_end} h (longest {longest:.0f} h)",
                anchor="end",
                size=11,
            )
        )
    key, depth = _legend(
        base_y + 58, [("under 24 h", BLUE), ("24 to 72 h", ORANGE), ("72 h or more", VERMILLION)]
    )
    body.append(key)
    if latency.graded:
        flag = " (small count)" if small(latency.graded) else ""
        desc = (
            f"{latency.graded:,} cases graded{flag}; median {latency.median_hours:.1f} hours, "
            f"90th percentile {latency.p90_hours:.1f} hours, longest {longest:.1f} hours; "
            f"{latency.over_24h:,} graded more than 24 hours after the report and "
            f"{latency.over_72h:,} more than 72 hours. Bars are drawn at their true widths: "
            "height is cases per hour, area is cases. "
            + "; ".join(f"{b.label}: {b.count:,}" for b in bins)
        )
    else:
        desc = "No case has a grade recorded by the force."
    return _svg("chart-latency", title, desc, base_y + 50 + depth, "".join(body))


def _tick_label(value: float) -> str:
    return f"{value:,.0f}" if value >= 10 or value == int(value) else f"{value:g}"
