"""The audit report, rendered by a real headless browser when one is installed.

CI machines that have Chromium run this; elsewhere it is skipped, and
``scripts/screenshot-audit-report.sh`` does the same by hand, with a screenshot.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from dapolicy.audit import audit, render_html
from dapolicy.synth import STAFFORDSHIRE_2013, synthesize, totals_for

BROWSER = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.mark.skipif(BROWSER is None, reason="no Chromium on this machine")
def test_the_browser_renders_every_chart(tmp_path: Path) -> None:
    assert BROWSER is not None
    report = audit(
        synthesize(400, 5, STAFFORDSHIRE_2013), totals=totals_for(STAFFORDSHIRE_2013, 400)
    )
    page = tmp_path / "report.html"
    page.write_text(render_html(report), encoding="utf-8")
    result = subprocess.run(
        [BROWSER, *FLAGS, f"--user-data-dir={tmp_path / 'profile'}", "--dump-dom", page.as_uri()],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    dom = result.stdout
    # The DOM the browser built, not the text we wrote: every chart became an SVG
    # element with its accessible title, and no script was added or run.
    written = render_html(report).count("<svg")
    assert written >= 6
    assert dom.count("<svg") == written
    assert len(re.findall(r"<title>[^<]+</title>", dom)) >= written
    assert "<script" not in dom
    # Both widths the page is laid out for: a desktop window and a 420 px phone screen.
    for width in (1280, 420):
        shot = tmp_path / f"report-{width}.png"
        subprocess.run(
            [
                BROWSER,
                *FLAGS,
                f"--user-data-dir={tmp_path / f'profile-{width}'}",
                f"--window-size={width},2400",
                f"--screenshot={shot}",
                page.as_uri(),
            ],
            capture_output=True,
            timeout=120,
            check=True,
        )
        assert shot.stat().st_size > 20_000  # a blank page is a few kilobytes
