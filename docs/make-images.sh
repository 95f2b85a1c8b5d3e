#!/usr/bin/env bash
# Regenerates the pictures at the top of the README on the default demo lake (no download):
#   docs/console.png  the console window at 1600×1000, under a private Xvfb display
#   docs/map.png      `hotspot render` of scripts/views/violent_last_year.rhai at 1920×1080
# Needs Xvfb and a Vulkan driver (lavapipe is enough): apt-get install xvfb mesa-vulkan-drivers
set -euo pipefail
cd "$(dirname "$0")/.."

cargo build --release --locked -p hotspot-cli
bin="${CARGO_TARGET_DIR:-target}/release/hotspot"
work="$(mktemp -d)"
trap 'kill "${xvfb_pid:-0}" 2>/dev/null || true; rm -rf "$work"' EXIT

"$bin" -q --lake "$work/lake" demo --no-console
"$bin" -q --lake "$work/lake" render --view scripts/views/violent_last_year.rhai \
  --size 1920x1080 --out docs/map.png

Xvfb -displayfd 3 -nolisten tcp -screen 0 1920x1080x24 3>"$work/display" 2>/dev/null &
xvfb_pid=$!
for _ in $(seq 100); do [ -s "$work/display" ] && break; sleep 0.1; done
DISPLAY=":$(cat "$work/display")" HOTSPOT_CONFIG="$work/console.json" \
  "$bin" --lake "$work/lake" console --size 1600x1000 --exit-after-frames 20 \
  --screenshot docs/console.png
echo "wrote docs/map.png and docs/console.png"
