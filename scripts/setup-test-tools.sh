#!/usr/bin/env bash
# Installs what the test suite needs on a fresh Debian/Ubuntu machine: PostgreSQL, sqlite3, ffmpeg, GStreamer
# (RTSP server + codecs), openssl, Chromium (headless browser tests), Leaflet, and Python test packages in .venv
# (aiosmtpd is the mail relay the mail test delivers to).
# Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."
SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
packages=(libxml2-dev pkg-config postgresql sqlite3 openssl curl ffmpeg python3-venv python3-gi python3-gst-1.0 gir1.2-gst-rtsp-server-1.0
  gstreamer1.0-tools gstreamer1.0-plugins-base gstreamer1.0-plugins-good gstreamer1.0-plugins-bad gstreamer1.0-plugins-ugly
  gstreamer1.0-libav chromium libjs-leaflet fonts-dejavu-core poppler-utils qpdf unzip zbar-tools)
missing=()
for p in "${packages[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
if [ ! -x .venv/bin/python ]; then python3 -m venv .venv; fi
.venv/bin/pip install -q --disable-pip-version-check openapi-spec-validator==0.7.1 pyyaml playwright==1.65.2 scipy "opencv-python-headless<5" aiosmtpd==1.4.6 schemathesis==4.32.5 pyotp==2.12.1 websockets==15.0.1
# ipycam (the ONVIF device emulator behind scripts/onvif_peer.py) declares opencv-python, which needs libGL;
# it only needs numpy and cv2, which opencv-python-headless above provides, so it goes in without its declared deps.
.venv/bin/pip install -q --disable-pip-version-check --no-deps ipycam==1.3.0
