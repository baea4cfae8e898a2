#!/usr/bin/env bash
# Builds OpenRTCC and serves the Shreveport, Louisiana demo city from ./data/demo (embedded SQLite).
# Prints the URL and an administrator login. Extra arguments go to `rtcc demo` (e.g. --port 9090 --host 0.0.0.0).
set -euo pipefail
cd "$(dirname "$0")/.."
echo "Building OpenRTCC (the first build fetches nothing but takes several minutes)…"
swift build --product rtcc 2>&1 | grep -E "error|warning: unre|Compiling rtcc|Build complete" || true
swift build --product rtcc >/dev/null
exec .build/debug/rtcc demo "$@"
