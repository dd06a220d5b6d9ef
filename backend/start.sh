#!/usr/bin/env bash
# Builds the web app and the server, then runs Assetronics on the embedded SQLite default
# (./data) with a demo tenant, printing the URL and the demo login.
# Usage: backend/start.sh     (ASSETRONICS_BIND etc. are honoured; see README)
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/var/tmp/assetronics-target}"

echo "== building the web app"
(cd frontend && npm ci --no-audit --no-fund --loglevel=error && npm run build)

echo "== building the server (release)"
cargo build --release --locked -p assetronics

export ASSETRONICS_SPA_DIR="${ASSETRONICS_SPA_DIR:-frontend/dist}"
echo "== starting (first start creates the demo tenant; that takes a little while)"
exec "$CARGO_TARGET_DIR/release/assetronics" serve --demo
