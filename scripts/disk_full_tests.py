"""Recording on a small volume that fills up, against the real `rtcc serve` and simulated cameras.

The recordings folder is a small tmpfs; three cameras at 720p, 2 Mbit/s (about 0.75 MB/s together) fill it in about a
minute. Three runs:
  free-space  an 80 MiB volume, no quota; the server keeps 16 MiB free (recordingsMinimumFreeBytes) by deleting the
              oldest footage (64 MiB hold about 85 s of the three cameras);
  quota       a 96 MiB volume, a 56 MiB disk quota (about 75 s of the three cameras), checked every 5 s, deletes the
              oldest footage before the volume fills.
  volumes     two volumes (48 and 128 MiB) and no margin: the cameras spread over both; once they record, a file
              fills the small one, its camera's writes fail, and it moves to the other volume.
Early in the first two runs an evidence hold covers camera 1's first 15 s. After about twice the time the volume takes to fill,
it checks that every camera recorded the newest minute with at most one segment missing, that the oldest unheld footage
was deleted while the held range is intact, that the volume never filled (no write failed, no recording_failed
alert), and (free-space run) that `/api/v1/health` reported the storage degraded while the margin was being kept. The
volumes run checks the spread, that the camera on the full volume lost at most one segment and records on the other,
that health showed the full volume set aside, and that its recording_failed alert was raised and closed.

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


def mount_tmpfs(kind, path, size):
    """Mounts a tmpfs of `size` MiB at `path`; False (and a failed check) when it cannot."""
    os.makedirs(path)
    mounted = subprocess.run(privileged("mount", "-t", "tmpfs", "-o", f"size={size}m", "tmpfs", path), capture_output=True, text=True)
    check(mounted.returncode == 0, f"{kind}: a {size} MiB tmpfs is mounted at {os.path.basename(path)} ({mounted.stderr.strip()})")
    return mounted.returncode == 0


def start_recording(args, kind, folder, rtsp, settings):
    """Starts a server recording three simulated cameras ("KIND cam N") with `settings` (RTCC_* variables); returns it
    with an administrator's client and the cameras as (name, id), sorted, once all three stream."""
    env = dict(os.environ, RTCC_PASSWORD=PASSWORD, RTCC_SEGMENT_SECONDS=str(SEGMENT), RTCC_BCRYPT_COST="4", RTCC_LOG_LEVEL="notice",
               RTCC_MFA_REQUIRED_ROLES="", **settings)
    data = os.path.join(folder, "data")
    csv = os.path.join(folder, "cameras.csv")
    with open(csv, "w") as handle:
        handle.write("name,kind,latitude,longitude,main_stream_url\n")
        for n in range(1, 4):
            handle.write(f"{kind} cam {n},city,32.5{n:02d},-93.75,{rtsp}/cam{n:03d}\n")
    subprocess.run([args.rtcc, "cameras", "import", csv, "--data", data], check=True, capture_output=True, env=env)
    subprocess.run([args.rtcc, "user", "add", "admin", "--role", "admin", "--data", data], check=True, capture_output=True, env=env)
    server = start_server(args.rtcc, data, env, open(os.path.join(folder, "server.log"), "w"))
    admin = Client(server.base).login("admin", PASSWORD)
    cameras = sorted((c["name"], c["id"]) for c in admin.call("GET", "/api/v1/cameras?limit=10")[1]["items"])
    streaming = wait_for(lambda: sum(h["state"] == "streaming" for h in admin.call("GET", "/api/v1/cameras/health")[1]) == 3, 90, "streaming")
    check(bool(streaming), f"{kind}: the three cameras stream")
    return server, admin, cameras


def run(kind, args, work, rtsp):
    size = 80 if kind == "free-space" else 96
    print(f"# {kind}: 3 cameras, {size} MiB tmpfs", flush=True)
    folder = os.path.join(work, kind)
    recordings = os.path.join(folder, "recordings")
    if not mount_tmpfs(kind, recordings, size):
        return {}
    settings = {"RTCC_RECORDINGS": recordings, "RTCC_RECORDINGS_MINIMUM_FREE_BYTES": str(16 * MIB)}
    if kind == "quota":
        settings.update(RTCC_DISK_QUOTA_BYTES=str(56 * MIB), RTCC_RECORDINGS_MINIMUM_FREE_BYTES=str(4 * MIB))
    measured = {}
    server = None
    try:
        server, admin, cameras = start_recording(args, kind, folder, rtsp, settings)
        ids = [c for _, c in cameras]
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
        if server:
            stop(server)
        subprocess.run(privileged("umount", recordings), capture_output=True)
    return measured


def run_volumes(args, work, rtsp):
    kind = "volumes"
    print(f"# {kind}: 3 cameras, 48 + 128 MiB tmpfs, no margin", flush=True)
    folder = os.path.join(work, kind)
    small, large = os.path.join(folder, "small"), os.path.join(folder, "large")
    if not (mount_tmpfs(kind, small, 48) and mount_tmpfs(kind, large, 128)):
        return {}
    measured = {}
    server = None
    try:
        server, admin, cameras = start_recording(
            args, kind, folder, rtsp, {"RTCC_RECORDINGS": f"{small}:{large}", "RTCC_RECORDINGS_MINIMUM_FREE_BYTES": "0"})
        on_disk = lambda root: {c for _, c in cameras if os.path.isdir(os.path.join(root, c.lower()))}
        time.sleep(8)
        spread = {"small": on_disk(small), "large": on_disk(large)}
        status, report, _ = admin.call("GET", "/api/v1/health")
        counts = {s.get("path"): s.get("cameras") for s in (report or {}).get("storage", [])}
        measured["cameras_per_volume"] = counts
        # 48/1 < 128/1, 128/2 > 48/1, 48/1 > 128/3: one camera on the small volume, two on the large one.
        check(len(spread["small"]) == 1 and len(spread["large"]) == 2 and counts.get(small) == 1 and counts.get(large) == 2,
              f"{kind}: the cameras spread by free space (files: small {len(spread['small'])}, large {len(spread['large'])}; health {counts})")
        moved = next(iter(spread["small"]), None)
        # Something else fills the small volume, leaving about 2 s of its camera.
        stats = os.statvfs(small)
        filler = os.path.join(small, "filler")
        with open(filler, "wb") as handle:
            left = stats.f_bavail * stats.f_frsize - 512 * 1024
            while left > 0:
                handle.write(b"\0" * min(left, MIB))
                left -= MIB
        filled = time.time()
        states = set()
        deadline = filled + 60
        while time.time() < deadline:
            _, body = health(server.base)
            states.update(s["status"] for s in (body or {}).get("storage", []))
            time.sleep(1)
        end = time.time()
        measured["storage_states"] = sorted(states)
        newest = {n: missing_seconds(admin, c, filled - 10, end - 6) for n, c in cameras}
        measured["missing_s_since_fill"] = newest
        if moved:
            _, coverage, _ = admin.call("GET", f"/api/v1/cameras/{moved}/recordings?from={iso(filled - 10)}&until={iso(end - 6)}")
            measured["moved_camera_missing"] = [(m["from"][11:23], m["until"][11:23]) for m in (coverage or {}).get("missing", [])]
            measured["fill"] = iso(filled)[11:23]
            stamp = lambda text: datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()
            # What the move cost: footage missing from 6 s before the fill (the segment then being written) to 10 s after.
            measured["lost_at_move_s"] = round(sum(max(0, min(stamp(m["until"]), filled + 10) - max(stamp(m["from"]), filled - 6))
                                                   for m in (coverage or {}).get("missing", [])), 1)
        print(f"  measured: {json.dumps(measured)}", flush=True)
        check(moved is not None and os.path.isdir(os.path.join(large, moved.lower())),
              f"{kind}: the camera on the full volume now records on the other one")
        check(all(v is not None and v <= SEGMENT for v in newest.values()),
              f"{kind}: every camera recorded from the fill on with at most one segment ({SEGMENT} s) missing: {newest}")
        lost = measured.get("lost_at_move_s")
        check(lost is not None and lost <= 4,
              f"{kind}: the move lost at most 4 s: the frames written before the failed write stay indexed ({lost} s)")
        check("degraded" in states, f"{kind}: /api/v1/health showed the full volume set aside ({sorted(states)})")
        _, alerts, _ = admin.call("GET", "/api/v1/alerts?limit=100&kind=recording_failed")
        failed = [a for a in (alerts or {}).get("items", []) if a["kind"] == "recording_failed"]
        check(len(failed) == 1 and failed[0]["status"] == "closed" and "recording again" in failed[0]["detail"],
              f"{kind}: one recording_failed alert, closed once the other volume recorded ({[(a['status'], a['detail']) for a in failed]})")
    finally:
        if server:
            stop(server)
        for path in (small, large):
            subprocess.run(privileged("umount", path), capture_output=True)
    return measured


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("rtcc")
    parser.add_argument("--seconds", type=float, default=130, help="how long each run records (the volumes fill in 60-80 s)")
    parser.add_argument("--runs", default="free-space,quota,volumes", help="which runs, comma separated")
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
        for kind in args.runs.split(","):
            results[kind] = run_volumes(args, work, rtsp) if kind == "volumes" else run(kind, args, work, rtsp)
    finally:
        stop(simulator, timeout=10)
        shutil.rmtree(work, ignore_errors=True)
    print("measured: " + json.dumps(results))
    print(f"ran {time.time() - started:.0f} s")
    print(summary())
    sys.exit(1 if RESULTS["failed"] else 0)


if __name__ == "__main__":
    main()
