#!/usr/bin/env bash
# Render the audit report of a synthetic year in a real headless browser and save
# screenshots at 1280 and 420 px wide, for a person to look at the charts.
#
#   scripts/screenshot-audit-report.sh [OUT_DIR]
#
# Needs dapolicy installed with the cli extra, and Chromium (Debian: apt-get install
# chromium). Writes OUT_DIR/cases.jsonl, totals.json, report.html, report.png and
# report-420.png.
set -euo pipefail
out=${1:-audit-report}
mkdir -p "$out"
python -m dapolicy synth --n 14610 --seed 2013 -o "$out/cases.jsonl" --totals "$out/totals.json"
python -m dapolicy audit "$out/cases.jsonl" --totals "$out/totals.json" \
  --html "$out/report.html" --rejects "$out/rejects.jsonl" > "$out/report.txt"
browser=$(command -v chromium || command -v chromium-browser || command -v google-chrome)
# The flags keep a headless browser off the network: the page needs none.
"$browser" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
  --disable-background-networking --disable-component-update --disable-sync \
  --user-data-dir="$(mktemp -d)" --window-size=1280,4200 \
  --screenshot="$out/report.png" "file://$(realpath "$out/report.html")"
# The page is laid out for a 420 px phone screen as well.
"$browser" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
  --disable-background-networking --disable-component-update --disable-sync \
  --user-data-dir="$(mktemp -d)" --window-size=420,7000 \
  --screenshot="$out/report-420.png" "file://$(realpath "$out/report.html")"
echo "screenshots: $out/report.png $out/report-420.png"
