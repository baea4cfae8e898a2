#!/usr/bin/env bash
# The whole test suite, on a fresh Debian/Ubuntu machine with only the Swift toolchain:
# installs the test tools, starts a throw-away PostgreSQL on loopback, runs every Swift test (storage tests run
# against SQLite and PostgreSQL), validates the OpenAPI document, and drives the `rtcc` binary end to end.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup-test-tools.sh
pgdir=$(mktemp -d /tmp/rtcc-pg.XXXXXX)
# Every temporary file and folder of the run (the tests' data folders, the scripts' servers) goes into one folder,
# removed at the end, so that runs do not pile up in /tmp.
scratch=$(mktemp -d /tmp/rtcc-suite.XXXXXX)
chmod 755 "$scratch"  # the PostgreSQL servers of the fault and cluster tests run as their own user and must reach their folders
trap 'scripts/postgres-test-server.sh stop "$pgdir"; rm -rf "$scratch"' EXIT
RTCC_TEST_POSTGRES_URL=$(scripts/postgres-test-server.sh start "$pgdir")
export RTCC_TEST_POSTGRES_URL
echo "== PostgreSQL for tests at ${RTCC_TEST_POSTGRES_URL}"
# Runs `swift test` with the given arguments; when it fails, repeats its failures at the end of the output, where a
# log that keeps only its tail still shows which tests failed and why.
swift_tests() {
    local log
    log=$(mktemp /tmp/rtcc-swift-test.XXXXXX)
    if swift test "$@" 2>&1 | tee "$log"; then
        rm -f "$log"
    else
        echo "== these Swift tests failed (swift test $*):"
        grep -E '✘|error: ' "$log" | head -80
        rm -f "$log"
        return 1
    fi
}
echo "== build"
swift build --build-tests 2>&1 | grep -Ev '^\[[0-9]+/[0-9]+\]' || true
swift build --build-tests >/dev/null
export TMPDIR="$scratch"
echo "== swift tests (in parallel)"
swift_tests --skip-build --skip RTCCMediaTests --skip HTTPHardeningTests --skip CameraProbeAPITests
echo "== slow and malformed clients, and a stream probe, against real servers (alone: they time real connections)"
swift_tests --skip-build --filter "HTTPHardeningTests|CameraProbeAPITests" --no-parallel
echo "== media tests against real peers (one at a time: they time real streams)"
swift_tests --skip-build --filter RTCCMediaTests --no-parallel
echo "== OpenAPI document"
.venv/bin/python scripts/validate_openapi.py Sources/RTCCServer/Resources/openapi.yaml
echo "== rtcc end to end"
scripts/e2e-cli.sh .build/debug/rtcc
echo "== recording end to end (SIGKILL, outage)"
python3 scripts/e2e_media.py .build/debug/rtcc
echo "== recording while the database is locked (SQLite) or stopped (PostgreSQL) for 30 s, against the running server"
python3 scripts/fault_tests.py .build/debug/rtcc
echo "== recording onto a small volume that fills up (tmpfs, with and without a disk quota)"
python3 scripts/disk_full_tests.py .build/debug/rtcc
echo "== a recorder cluster of three nodes on PostgreSQL: SIGKILL, SIGSTOP past the lease, SIGTERM"
.venv/bin/python scripts/cluster_tests.py .build/debug/rtcc
echo "== ONVIF: discovery, set-up, PTZ, events and faults against a real device emulator (ipycam) and a scripted device"
.venv/bin/python scripts/onvif_tests.py .build/debug/rtcc .build/onvif-tests
echo "== API fuzzing against the OpenAPI document (schemathesis as admin, anonymous and partner: no 5xx, every response in its schema)"
.venv/bin/python scripts/api_fuzz_check.py .build/debug/rtcc .build/api-fuzz --examples 5 --seconds 120
echo "== mail to a real SMTP relay (aiosmtpd: STARTTLS, AUTH, refusals, outage)"
.venv/bin/python scripts/e2e_mail.py .build/debug/rtcc
echo "== camera placement against the exact optimum (HiGHS)"
.venv/bin/python scripts/geo_optimum_check.py --rtcc .build/debug/rtcc
echo "== web app in headless Chromium (screenshots in .build/browser-tests)"
.venv/bin/python scripts/browser_tests.py .build/debug/rtcc .build/browser-tests
.venv/bin/python scripts/browser_map_tests.py .build/debug/rtcc .build/browser-tests/map
.venv/bin/python scripts/browser_alerts_tests.py .build/debug/rtcc .build/browser-tests/alerts
.venv/bin/python scripts/browser_community_tests.py .build/debug/rtcc .build/browser-tests/community
.venv/bin/python scripts/browser_dashboard_tests.py .build/debug/rtcc .build/browser-tests/dashboard
.venv/bin/python scripts/browser_admin_tests.py .build/debug/rtcc .build/browser-tests/admin
.venv/bin/python scripts/browser_admin_cameras_tests.py .build/debug/rtcc .build/browser-tests/admin-cameras
.venv/bin/python scripts/browser_onvif_tests.py .build/debug/rtcc .build/browser-tests/onvif
echo "== the whole path from a 911 call to released evidence, on rtcc demo (headless Chromium)"
.venv/bin/python scripts/browser_path_tests.py .build/debug/rtcc .build/browser-tests/path
echo "== all tests passed"
