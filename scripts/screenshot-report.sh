#!/usr/bin/env bash
# Renders a `mcutrain compare` report in headless Chromium (Debian's `chromium` package) and
# saves a PNG screenshot, to check that the report and its SVG charts render.
#   scripts/screenshot-report.sh compare-report/report.html [shot.png]
set -euo pipefail
report="${1:?usage: scripts/screenshot-report.sh REPORT.html [OUT.png]}"
out="${2:-${report%.html}.png}"
command -v chromium >/dev/null || { echo "error: chromium not found: apt-get install chromium" >&2; exit 2; }
[ -f "$report" ] || { echo "error: $report: no such file" >&2; exit 2; }
rm -f "$out"
# --no-sandbox: CI containers run as root, where Chromium refuses its sandbox.
chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --window-size=1200,2600 \
    --screenshot="$out" "file://$(realpath "$report")" >/dev/null 2>&1
[ -s "$out" ] || { echo "error: chromium wrote no screenshot to $out" >&2; exit 1; }
echo "$out"
