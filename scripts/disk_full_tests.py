"""Recording on a small volume that fills up, against the real `rtcc serve` and simulated cameras.

The recordings folder is a small tmpfs; three cameras at 720p, 2 Mbit/s (about 0.75 MB/s together) fill it in about a
minute. Two runs:
  free-space  an 80 MiB volume, no quota; the server keeps 16 MiB free (recordingsMinimumFreeBytes) by deleting the
              oldest footage (64 MiB hold about 85 s of the three cameras);
  quota       a 96 MiB volume, a 56 MiB disk quota (about 75 s of the three cameras), checked every 5 s, deletes the
              oldest footage before the volume fills.
Early in each run an evidence hold covers camera 1's first 15 s. After about twice the time the volume takes to fill,
it checks that every camera recorded the newest minute with at most one segment missing, that the oldest unheld footage
was deleted while the held range is intact, that the volume never filled (no write failed, no recording_failed
alert), and (free-space run) that `/api/v1/health` reported the storage degraded while the margin was being kept.

Mounting needs root (or sudo without a password). Usage: python3 scripts/disk_full_tests.py .build/debug/rtcc
Prints measured numbers and ends with "N passed, M failed"; exits non-zero on a failure.
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from datetime import datetime, timezone

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from browser_support import RESULTS, Client, check, read_line, summary, wait_for  # noqa: E402
from fault_tests import health, start_server, stop  # noqa: E402

PASSWORD = "disk-test-password-1"
MIB = 1 << 20
SEGMENT = 6


def iso(t):
    return datetime.fromtimestamp(t, timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def privileged(*command):
    return list(command) if os.geteuid() == 0 else ["sudo", "-n", *command]


def missing_seconds(client, camera, start, end):
    status, body, _ = client.call("GET", f"/api/v1/cameras/{camera}/recordings?from={iso(start)}&until={iso(end)}")
    if status != 200:
        return None
    return sum(datetime.fromisoformat(m["until"].replace("Z", "+00:00")).timestamp()
               - datetime.fromisoformat(m["from"].replace("Z", "+00:00")).timestamp() for m in body["missing"])


def run(kind, args, work, rtsp):
    size = 80 if kind == "free-space" else 96
    print(f"# {kind}: 3 cameras, {size} MiB tmpfs", flush=True)
    folder = os.path.join(work, kind)
    recordings = os.path.join(folder, "recordings")
    os.makedirs(recordings)
    mounted = subprocess.run(privileged("mount", "-t", "tmpfs", "-o", f"size={size}m", "tmpfs", recordings), capture_output=True, text=True)
    check(mounted.returncode == 0, f"{kind}: a {size} MiB tmpfs is mounted for the recordings ({mounted.stderr.strip()})")
    if mounted.returncode != 0:
        return {}
    env = dict(os.environ, RTCC_PASSWORD=PASSWORD, RTCC_SEGMENT_SECONDS=str(SEGMENT), RTCC_BCRYPT_COST="4", RTCC_LOG_LEVEL="notice",
               RTCC_MFA_REQUIRED_ROLES="", RTCC_RECORDINGS=recordings, RTCC_RECORDINGS_MINIMUM_FREE_BYTES=str(16 * MIB))
    if kind == "quota":
        env["RTCC_DISK_QUOTA_BYTES"] = str(56 * MIB)
        env["RTCC_RECORDINGS_MINIMUM_FREE_BYTES"] = str(4 * MIB)
    data = os.path.join(folder, "data")
    csv = os.path.join(folder, "cameras.csv")
    with open(csv, "w") as handle:
        handle.write("name,kind,latitude,longitude,main_stream_url\n")
        for n in range(1, 4):
            handle.write(f"Disk cam {n},city,32.5{n:02d},-93.75,{rtsp}/cam{n:03d}\n")
    subprocess.run([args.rtcc, "cameras", "import", csv, "--data", data], check=True, capture_output=True, env=env)
    subprocess.run([args.rtcc, "user", "add", "admin", "--role", "admin", "--data", data], check=True, capture_output=True, env=env)
    log = open(os.path.join(folder, "server.log"), "w")
    server = start_server(args.rtcc, data, env, log)
    measured = {}
    try:
        admin = Client(server.base).login("admin", PASSWORD)
        cameras = sorted((c["name"], c["id"]) for c in admin.call("GET", "/api/v1/cameras?limit=10")[1]["items"])
        ids = [c for _, c in cameras]
        streaming = wait_for(lambda: sum(h["state"] == "streaming" for h in admin.call("GET", "/api/v1/cameras/health")[1]) == 3, 90, "streaming")
        check(bool(streaming), f"{kind}: the three cameras stream")
        started = time.time()
        time.sleep(16)
        held = (started, started + 15)
        status, hold, _ = admin.call("POST", "/api/v1/holds", {"cameraID": ids[0], "from": iso(held[0]), "until": iso(held[1]),
                                                                "reason": "disk test evidence"})
        check(status == 201, f"{kind}: an evidence hold covers camera 1's first 15 s ({status})")
        held_missing_before = missing_seconds(admin, ids[0], *held)
        lowest, states = size * MIB, set()
        deadline = started + args.seconds
        while time.time() < deadline:
            stats = os.statvfs(recordings)
            lowest = min(lowest, stats.f_bavail * stats.f_frsize)
            _, body = health(server.base)
            if body:
                states.update(s["status"] for s in body.get("storage", []))
            time.sleep(1)
        end = time.time()
        measured["lowest_free_mib"] = round(lowest / MIB, 1)
        # The newest minute, up to 6 s ago: an open segment's index row follows its file every 5 s.
        newest = {n: missing_seconds(admin, c, end - 66, end - 6) for n, c in cameras}
        measured["newest_minute_missing_s"] = newest
        oldest = {n: missing_seconds(admin, c, started + 16, started + 30) for n, c in cameras[1:]}
        measured["oldest_unheld_missing_s"] = oldest
        held_missing = missing_seconds(admin, ids[0], *held)
        measured["held_missing_s"] = (held_missing_before, held_missing)
        print(f"  measured: {json.dumps(measured)}; storage states {sorted(states)}", flush=True)
        check(lowest > 4 * MIB, f"{kind}: the volume never filled (lowest free {lowest / MIB:.1f} MiB)")
        check(all(v is not None and v <= SEGMENT for v in newest.values()),
              f"{kind}: every camera recorded the newest minute with at most one segment ({SEGMENT} s) missing: {newest}")
        check(all(v is not None and v >= 10 for v in oldest.values()), f"{kind}: the oldest unheld footage was deleted to make room: {oldest}")
        check(held_missing is not None and held_missing <= (held_missing_before or 0) + 0.5,
              f"{kind}: the held range is intact ({held_missing_before} s missing before, {held_missing} s after)")
        _, alerts, _ = admin.call("GET", "/api/v1/alerts?limit=100")
        failed = [a for a in (alerts or {}).get("items", []) if a["kind"] == "recording_failed"]
        check(not failed, f"{kind}: no recording failed (no recording_failed alert: {len(failed)})")
        if kind == "free-space":
            check("degraded" in states, f"{kind}: /api/v1/health reported the storage degraded while keeping the margin ({sorted(states)})")
    finally:
        stop(server)
        subprocess.run(privileged("umount", recordings), capture_output=True)
    return measured


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("rtcc")
    parser.add_argument("--seconds", type=float, default=130, help="how long each run records (the volumes fill in 60-80 s)")
    args = parser.parse_args()
    args.rtcc = os.path.abspath(args.rtcc)
    work = tempfile.mkdtemp(prefix="rtcc-disk-")
    simulator = subprocess.Popen(
        [args.rtcc, "simulate", "--cameras", "3", "--port", "0", "--size", "1280x720", "--bitrate", "2000000", "--fps", "25",
         "--seconds", "4", "--clips", os.path.join(work, "clips")],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    results = {}
    started = time.time()
    try:
        rtsp = read_line(simulator, r"(rtsp://\S+)/cam001", timeout=180)
        threading.Thread(target=lambda: [None for _ in simulator.stdout], daemon=True).start()
        for kind in ["free-space", "quota"]:
            results[kind] = run(kind, args, work, rtsp)
    finally:
        stop(simulator, timeout=10)
        shutil.rmtree(work, ignore_errors=True)
    print("measured: " + json.dumps(results))
    print(f"ran {time.time() - started:.0f} s")
    print(summary())
    sys.exit(1 if RESULTS["failed"] else 0)


if __name__ == "__main__":
    main()
