#!/usr/bin/env bash
# Builds OpenRTCC and serves the Shreveport, Louisiana demo city from ./data/demo (embedded SQLite).
# Prints the URL and an administrator login. Extra arguments go to `rtcc demo` (e.g. --port 9090 --host 0.0.0.0).
set -euo pipefail
cd "$(dirname "$0")/.."
# What the running product needs from the system: ffmpeg (snapshots, analytics, uploads, masks) and Leaflet (the map).
# Installed when missing and possible; otherwise the server names what is missing when it starts.
runtime_packages=(ffmpeg libjs-leaflet)
# What the build needs: libxml2 headers (the ONVIF client parses device answers with libxml2).
build_packages=(libxml2-dev pkg-config)
missing=()
for p in "${runtime_packages[@]}" "${build_packages[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  echo "Installing what the demo needs: ${missing[*]}"
  if ! { $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; }; then
    echo "Could not install ${missing[*]}; the demo runs without ffmpeg or Leaflet and says at start-up what will not work," >&2
    echo "but it cannot be built without libxml2-dev and pkg-config." >&2
  fi
fi
echo "Building OpenRTCC (the first build fetches nothing but takes several minutes)…"
swift build --product rtcc 2>&1 | grep -E "error|warning: unre|Compiling rtcc|Build complete" || true
swift build --product rtcc >/dev/null
exec .build/debug/rtcc demo "$@"
