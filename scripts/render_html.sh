#!/usr/bin/env bash
# Render a govcheck HTML report to a PNG with headless Chromium, to look at it as a person would.
#   scripts/render_html.sh REPORT.html OUT.png [WIDTH [HEIGHT]]
# Needs the Debian package `chromium` (apt-get install -y chromium). No network is used:
# the report is self-contained, and Chromium's network fetches are switched off anyway.
set -euo pipefail

if [ "$#" -lt 2 ]; then
    echo "usage: $0 REPORT.html OUT.png [WIDTH [HEIGHT]]" >&2
    exit 2
fi
report=$1
out=$2
width=${3:-1400}
height=${4:-2400}

browser=""
for candidate in chromium chromium-browser google-chrome; do
    if command -v "$candidate" >/dev/null 2>&1; then
        browser=$candidate
        break
    fi
done
if [ -z "$browser" ]; then
    echo "$0: no chromium found; install it with: apt-get install -y chromium" >&2
    exit 2
fi
if [ ! -f "$report" ]; then
    echo "$report: no such file" >&2
    exit 2
fi

abs_report=$(cd "$(dirname "$report")" && pwd)/$(basename "$report")
case "$out" in
    /*) abs_out=$out ;;
    *) abs_out=$(pwd)/$out ;;
esac
profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT

# --no-sandbox: CI and containers run as root, where Chromium's sandbox refuses to start.
"$browser" --headless --no-sandbox --disable-gpu --hide-scrollbars \
    --user-data-dir="$profile" --no-first-run --disable-extensions \
    --blink-settings=imagesEnabled=true \
    --window-size="${width},${height}" \
    --screenshot="$abs_out" "file://$abs_report" >/dev/null 2>&1
if [ ! -s "$abs_out" ]; then
    echo "$0: chromium wrote no screenshot to $out" >&2
    exit 1
fi
echo "$out"
