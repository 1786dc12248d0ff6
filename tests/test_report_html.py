"""The HTML audit report: one self-contained, accessible, escaped page of charts."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from dapolicy.audit import AuditReport, audit, render_html
from dapolicy.policy import Policy
from dapolicy.settings import Settings
from dapolicy.synth import STAFFORDSHIRE_2013, UNIFORM, synthesize, totals_for

CHARTS = {
    "chart-offences",
    "chart-calls",
    "chart-victims",
    "chart-arrests",
    "chart-outcomes",
    "chart-grades",
    "chart-grades-recorded",
    "chart-review",
    "chart-forms",
    "chart-forms-incidents",
    "chart-children",
    "chart-latency",
}
VOID = {"meta", "br", "hr", "img", "input", "link", "col", "area", "base", "wbr", "source"}
#: SVG elements written self-closing (<line .../>).
SELF_CLOSING = {"line", "circle", "path", "rect"}
INJECTED = '<script>alert("x")</script> & <img src=x onerror=alert(1)> "Staffs"'


class Page(HTMLParser):
    """Collects what the tests check: tags, attributes, the SVGs and their titles."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.svgs: dict[str, dict[str, object]] = {}
        self.ids: set[str] = set()
        self.text: list[str] = []
        self.errors: list[str] = []
        self._svg: str | None = None
        self._in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        self.tags.append((tag, found))
        if found.get("id"):
            self.ids.add(str(found["id"]))
        if tag == "svg":
            self._svg = str(found.get("id"))
            self.svgs[self._svg] = {"attrs": found, "title": None, "children": 0}
        elif self._svg is not None:
            info = self.svgs[self._svg]
            info["children"] = int(str(info["children"])) + 1
            if tag == "title" and self.stack[-1] == "svg":
                self._in_title = True
        if tag not in VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID:
            return
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes <{self.stack[-1] if self.stack else None}>")
            return
        self.stack.pop()
        if tag == "svg":
            self._svg = None
        if tag == "title":
            self._in_title = False

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        if self._in_title and self._svg is not None:
            self.svgs[self._svg]["title"] = data


def parse(page: str) -> Page:
    parser = Page()
    parser.feed(page)
    parser.close()
    return parser


@pytest.fixture(scope="module")
def report() -> AuditReport:
    profile = STAFFORDSHIRE_2013
    return audit(synthesize(600, 5, profile), totals=totals_for(profile, 600), policy=Policy())


@pytest.fixture(scope="module")
def page(report: AuditReport) -> str:
    return render_html(report)


def test_the_page_parses_and_every_element_is_closed(page: str) -> None:
    parsed = parse(page)
    assert page.startswith("<!DOCTYPE html>")
    assert parsed.errors == []
    assert parsed.stack == []
    assert ("html", {"lang": "en-GB"}) in parsed.tags


def test_one_svg_per_chart_each_with_a_title_and_a_description(page: str) -> None:
    parsed = parse(page)
    assert set(parsed.svgs) == CHARTS
    for chart_id, info in parsed.svgs.items():
        attrs = info["attrs"]
        assert isinstance(attrs, dict)
        assert attrs["role"] == "img"
        labelled_by = str(attrs["aria-labelledby"]).split()
        assert labelled_by == [f"{chart_id}-title", f"{chart_id}-desc"]
        assert all(ref in parsed.ids for ref in labelled_by)
        assert info["title"], chart_id
        assert int(str(info["children"])) > 3, chart_id
    # A data table goes with every chart, for screen readers and for the numbers.
    assert sum(1 for tag, _ in parsed.tags if tag == "details") == len(CHARTS)
    assert sum(1 for tag, _ in parsed.tags if tag == "figcaption") == len(CHARTS)


def test_self_contained_no_scripts_no_external_resources(page: str) -> None:
    parsed = parse(page)
    tags = {tag for tag, _ in parsed.tags}
    assert not tags & {"script", "link", "img", "iframe", "object", "embed", "image", "use"}
    for _, attrs in parsed.tags:
        for name, value in attrs.items():
            assert not name.startswith("on"), name
            if name in {"src", "href", "xlink:href", "action"}:
                pytest.fail(f"{name}={value!r}")
    assert "http" not in page
    assert "url(" not in page
    assert "@import" not in page


def test_the_figures_are_on_the_page(report: AuditReport, page: str) -> None:
    text = " ".join(parse(page).text)
    assert f"{report.arrests_per_100:.1f} arrests per 100 crimes" in text
    assert "most forces: 45 to 90" in text
    assert "Report: 38%" in text
    assert f"{report.cases:,} cases" in text


def test_injected_text_is_escaped() -> None:
    policy = Policy(Settings(force=INJECTED))
    report = audit(synthesize(40, 1, UNIFORM), totals=totals_for(UNIFORM, 40), policy=policy)
    page = render_html(report)
    parsed = parse(page)
    tags = {tag for tag, _ in parsed.tags}
    assert "script" not in tags
    assert "img" not in tags
    assert "<script>" not in page
    assert "&lt;script&gt;" in page
    assert "&quot;Staffs&quot;" in page
    assert INJECTED in " ".join(parsed.text)
    assert parsed.errors == []


def test_an_empty_report_still_renders(page: str) -> None:
    empty = render_html(audit([], policy=Policy()))
    parsed = parse(empty)
    assert parsed.errors == []
    assert set(parsed.svgs) == CHARTS
    assert "n/a" in empty


def test_no_personal_data_reaches_the_page(page: str) -> None:
    assert "V-0" not in page
    assert "SYN-INC" not in page
    assert "S-0" not in page


def _svg_of(page: str, chart_id: str) -> str:
    start = page.index(f'<svg id="{chart_id}"')
    return page[start : page.index("</svg>", start)]


def _rects(svg: str) -> list[dict[str, float | str]]:
    found = []
    for match in re.finditer(
        r'<rect x="([\d.]+)" y="([\d.]+)" width="([\d.]+)" '
        r'height="([\d.]+)" fill="[^"]+"[^>]*><title>([^<]+)</title>',
        svg,
    ):
        x, y, w, h, tip = match.groups()
        found.append({"x": float(x), "y": float(y), "w": float(w), "h": float(h), "tip": tip})
    return found


def test_the_histogram_draws_bars_at_their_true_widths_on_a_y_axis(
    report: AuditReport, page: str
) -> None:
    svg = _svg_of(page, "chart-latency")
    bars = {str(r["tip"]).split(":")[0]: r for r in _rects(svg) if "cases (" in str(r["tip"])}
    bins = [b for b in report.latency.bins if b.to_hours is not None]
    assert set(bars) >= {b.label for b in bins}
    per_hour = [float(bars[b.label]["w"]) + 1 for b in bins]  # 1 unit of gap per bar
    hours = [b.to_hours - b.from_hours for b in bins if b.to_hours is not None]
    # Width is proportional to the bin's hours (0-6 h is half as wide as 12-24 h) ...
    for width, span in zip(per_hour, hours, strict=True):
        assert width / span == pytest.approx(per_hour[0] / hours[0], rel=0.02)
    # ... and area to its count: height is cases per hour.
    areas = [
        (float(bars[b.label]["w"]) + 1) * float(bars[b.label]["h"]) / b.count
        for b in bins
        if b.count >= 20
    ]
    assert len(areas) >= 3
    assert max(areas) == pytest.approx(min(areas), rel=0.05)
    assert "cases per hour" in svg
    assert "hours from report to grade" in svg
    assert "Bars are drawn at their true widths" in svg


def test_every_chart_is_titled_with_the_force_and_drawn_for_a_narrow_screen() -> None:
    policy = Policy(Settings(force="Staffordshire Police"))
    page = render_html(
        audit(synthesize(200, 2, UNIFORM), totals=totals_for(UNIFORM, 200), policy=policy)
    )
    parsed = parse(page)
    assert "<h1>Domestic-abuse audit: Staffordshire Police</h1>" in page
    for chart_id, info in parsed.svgs.items():
        assert str(info["title"]).startswith("Staffordshire Police: "), chart_id
        attrs = info["attrs"]
        assert isinstance(attrs, dict)
        assert str(attrs["viewbox"]).startswith("0 0 400 "), chart_id
    assert "max-width:34rem" in page
    assert "@media (max-width:36rem)" in page


def test_every_figure_states_one_denominator(page: str) -> None:
    figures = re.findall(r"<figure>.*?</figure>", page, flags=re.S)
    assert len(figures) == len(CHARTS)
    for figure in figures:
        bases = re.findall(r'<span class="base">([^<]+)</span>', figure)
        assert len(bases) == 1, figure[:80]
        assert bases[0].startswith(("Of ", "Per 100 of ", "Each bar is a share")), bases[0]


def test_the_grades_the_policy_gives_and_the_force_recorded_are_separate_figures(
    report: AuditReport, page: str
) -> None:
    policy = _svg_of(page, "chart-grades")
    recorded = _svg_of(page, "chart-grades-recorded")
    assert f"of {report.grades.total:,}" in policy
    assert f"of {report.recorded_grades.total:,}" in recorded
    assert "Ungraded: needs review" in policy
    assert "Ungraded" not in recorded
    review = _svg_of(page, "chart-review")
    assert f"of {report.needs_review:,}" in review


def test_small_counts_are_flagged() -> None:
    report = audit(synthesize(20, 3, UNIFORM), totals=totals_for(UNIFORM, 20), policy=Policy())
    page = render_html(report)
    assert "(small count)" in page
    assert 'class="small"' in page
    big = render_html(audit(synthesize(600, 5, STAFFORDSHIRE_2013), policy=Policy()))
    # In a larger year only the shares of small groups are flagged, not every figure.
    assert big.count("(small count)") < page.count("(small count)")
