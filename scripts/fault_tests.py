"""Recording under a database fault, against the real `rtcc serve` and simulated cameras.

For each database (SQLite, then PostgreSQL) the server records a few simulated cameras; then the database fails for
--seconds (default 30):
  sqlite    another process holds `BEGIN EXCLUSIVE` on the database file;
  postgres  the PostgreSQL server is stopped with pg_ctl and started again.
After recovery it checks that no camera got an offline alert, that `/api/v1/health` was degraded during the fault and
ok after it, that every segment file on disk is in the index (recordings API) with its frames, and that each camera's
recorded timeline has no gap longer than --max-gap seconds around the fault. Last it stops the server (gracefully
after the SQLite run, SIGKILL after the PostgreSQL run), starts it again and checks that the stop was recorded as one
`server_down` alert (medium, or high after the kill).

Usage: python3 scripts/fault_tests.py .build/debug/rtcc [--seconds 30] [--cameras 5] [--only sqlite|postgres]
Prints measured numbers (frames, gaps, health states) and ends with "N passed, M failed"; exits non-zero on a failure.
"""
import argparse
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from datetime import datetime, timezone

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from browser_support import RESULTS, Client, check, read_line, summary, wait_for  # noqa: E402

SCRIPTS = os.path.dirname(os.path.abspath(__file__))
PASSWORD = "fault-test-password-1"


def iso(t):
    return datetime.fromtimestamp(t, timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def epoch(text):
    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


def health(base):
    """(HTTP status, body) of the anonymous health endpoint, or (None, None) when it does not answer in 5 s."""
    try:
        with urllib.request.urlopen(base + "/api/v1/health", timeout=5) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")
    except (urllib.error.URLError, TimeoutError, OSError):
        return None, None


class HealthWatch(threading.Thread):
    """Polls `/api/v1/health` once a second and keeps (time, HTTP status, overall status, component states, seconds)."""

    def __init__(self, base):
        super().__init__(daemon=True)
        self.base = base
        self.samples = []
        self.stopping = threading.Event()

    def run(self):
        while not self.stopping.is_set():
            started = time.time()
            status, body = health(self.base)
            components = {}
            if body:
                components = {"database": body["database"]["status"], "indexQueue": (body.get("indexQueue") or {}).get("status"),
                              "pending": (body.get("indexQueue") or {}).get("pending")}
            self.samples.append((started, status, body and body["status"], components, time.time() - started))
            self.stopping.wait(max(0.0, 1.0 - (time.time() - started)))

    def between(self, start, end):
        return [s for s in self.samples if start <= s[0] <= end]


class Postgres:
    """A throw-away PostgreSQL in `folder` (scripts/postgres-test-server.sh), which can be stopped and started again."""

    def __init__(self, folder):
        self.folder = folder
        self.url = subprocess.run([os.path.join(SCRIPTS, "postgres-test-server.sh"), "start", folder], check=True, capture_output=True,
                                  text=True).stdout.strip()
        self.port = self.url.rsplit(":", 1)[1].split("/")[0]
        self.bin = sorted(d for d in (os.path.join("/usr/lib/postgresql", v, "bin") for v in os.listdir("/usr/lib/postgresql")) if os.path.isdir(d))[-1]

    def pg_ctl(self, *args):
        command = [os.path.join(self.bin, "pg_ctl"), "-D", os.path.join(self.folder, "data"), *args]
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(command, check=True, capture_output=True)

    def stop(self):
        self.pg_ctl("-m", "fast", "-w", "stop")

    def start(self):
        self.pg_ctl("-l", os.path.join(self.folder, "server.log"), "-w", "-t", "60", "-o",
                    f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.folder} -c fsync=off -c max_connections=200", "start")

    def remove(self):
        subprocess.run([os.path.join(SCRIPTS, "postgres-test-server.sh"), "stop", self.folder], capture_output=True)


def start_server(rtcc, data, env, log):
    server = subprocess.Popen([rtcc, "serve", "--data", data, "--port", "0"], stdout=subprocess.PIPE, stderr=log, text=True, env=env)
    server.base = read_line(server, r"(https?://\S+?)/?\s", timeout=120)
    # Keep reading its standard output so the server never blocks on a full pipe.
    threading.Thread(target=lambda: [None for _ in server.stdout], daemon=True).start()
    return server


def stop(process, timeout=30):
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def segment_files(recordings):
    """Segment id → path of every segment file under the recordings folder."""
    found = {}
    for root, _, names in os.walk(recordings):
        for name in names:
            if name.endswith(".mp4"):
                found[name[:-4]] = os.path.join(root, name)
    return found


def run_fault(kind, args, work, rtsp):
    """Records, breaks the database for args.seconds, checks what was recorded; returns measured numbers."""
    print(f"# {kind}: {args.cameras} cameras, database fault {args.seconds} s", flush=True)
    data = os.path.join(work, kind)
    os.makedirs(data)
    env = dict(os.environ, RTCC_PASSWORD=PASSWORD, RTCC_SEGMENT_SECONDS=str(args.segment_seconds), RTCC_OFFLINE_SECONDS="5",
               RTCC_BCRYPT_COST="4", RTCC_LOG_LEVEL="notice", RTCC_MFA_REQUIRED_ROLES="")
    postgres = None
    if kind == "postgres":
        postgres = Postgres(os.path.join(work, "pg"))
        env["RTCC_DATABASE"] = postgres.url
    csv = os.path.join(work, f"{kind}-cameras.csv")
    with open(csv, "w") as handle:
        handle.write("name,kind,latitude,longitude,main_stream_url\n")
        for n in range(1, args.cameras + 1):
            handle.write(f"Fault cam {n},city,32.5{n:02d},-93.75,{rtsp}/cam{n:03d}\n")
    subprocess.run([args.rtcc, "cameras", "import", csv, "--data", data], check=True, capture_output=True, env=env)
    subprocess.run([args.rtcc, "user", "add", "admin", "--role", "admin", "--data", data], check=True, capture_output=True, env=env)
    log = open(os.path.join(work, f"{kind}-server.log"), "w")
    server = start_server(args.rtcc, data, env, log)
    measured = {}
    try:
        admin = Client(server.base).login("admin", PASSWORD)
        cameras = {c["id"]: c["name"] for c in admin.call("GET", "/api/v1/cameras?limit=100")[1]["items"]}
        streaming = wait_for(lambda: sum(h["state"] == "streaming" for h in admin.call("GET", "/api/v1/cameras/health")[1]) == args.cameras,
                             90, "every camera streaming")
        check(bool(streaming), f"{kind}: all {args.cameras} cameras stream")
        check(wait_for(lambda: health(server.base)[1]["status"] == "ok", 30, "health ok"), f"{kind}: health is ok before the fault")
        time.sleep(args.segment_seconds + 2)  # a few sealed segments before the fault
        watch = HealthWatch(server.base)
        watch.start()

        fault_start = time.time()
        if kind == "sqlite":
            lock = sqlite3.connect(os.path.join(data, "rtcc.sqlite"), timeout=30, isolation_level=None)
            lock.execute("BEGIN EXCLUSIVE")
            time.sleep(args.seconds)
            lock.execute("COMMIT")
            lock.close()
        else:
            postgres.stop()
            time.sleep(args.seconds)
            postgres.start()
        fault_end = time.time()
        print(f"  fault held {fault_end - fault_start:.1f} s", flush=True)

        recovered = wait_for(lambda: health(server.base)[1]["status"] == "ok" and time.time(), 60, "health ok after the fault")
        watch.stopping.set()
        watch.join()
        check(bool(recovered), f"{kind}: health is ok again {recovered - fault_end:.1f} s after the fault" if recovered else
              f"{kind}: health is ok again after the fault")
        during = watch.between(fault_start, fault_end)
        states = [s[2] for s in during]
        counts = {state: states.count(state) for state in sorted(set(map(str, states)))}
        degraded = [s for s in during if s[2] == "degraded"]
        first_degraded = degraded[0][0] - fault_start if degraded else None
        slowest = max((s[4] for s in during), default=0)
        print(f"  health during the fault: {counts}; first degraded after {first_degraded and round(first_degraded, 1)} s; "
              f"slowest answer {slowest:.2f} s; components when degraded: {degraded[-1][3] if degraded else None}", flush=True)
        check(bool(degraded), f"{kind}: health was degraded during the fault ({counts})")
        check(all(s[1] is not None for s in during), f"{kind}: health answered every second during the fault (slowest {slowest:.2f} s)")
        measured["health"] = counts
        measured["firstDegraded"] = first_degraded
        measured["recoveredAfter"] = recovered and recovered - fault_end

        # The queue drains: nothing pending, then every file on disk is in the index.
        drained = wait_for(lambda: (health(server.base)[1].get("indexQueue") or {}).get("pending") == 0, 30, "index queue empty")
        check(bool(drained), f"{kind}: the index queue drained after the fault")
        window_from, window_until = fault_start - 5, fault_end + 5
        # The segment open at the window's end is sealed and reported.
        time.sleep(max(0.0, window_until + args.segment_seconds + 2 - time.time()))
        offline = admin.call("GET", f"/api/v1/alerts?kind=camera_offline&status=open,acknowledged,assigned,escalated,dismissed,closed"
                                    f"&limit=500")[1]
        offline_count = len(offline["items"]) if isinstance(offline, dict) else -1
        check(offline_count == 0, f"{kind}: no camera got an offline alert ({offline_count})")

        files = segment_files(os.path.join(data, "recordings"))
        indexed = {}
        worst_gap, total_frames = 0.0, 0
        for camera_id, name in cameras.items():
            status, coverage, _ = admin.call(
                "GET", f"/api/v1/cameras/{camera_id}/recordings?from={iso(fault_start - 120)}&until={iso(window_until)}")
            if not check(status == 200, f"{kind}: recordings of {name} ({status})"):
                continue
            for segment in coverage["segments"]:
                indexed[segment["id"].lower()] = segment
            # Unrecorded time inside the window (fault ± 5 s), clipped to it.
            gaps = [min(epoch(m["until"]), window_until) - max(epoch(m["from"]), window_from) for m in coverage["missing"]
                    if epoch(m["until"]) > window_from and epoch(m["from"]) < window_until]
            inside = [s for s in coverage["segments"] if epoch(s["start"]) >= window_from - args.segment_seconds
                      and epoch(s["end"]) <= window_until + args.segment_seconds]
            frames = sum(s["frames"] for s in inside)
            span = sum(epoch(s["end"]) - epoch(s["start"]) for s in inside)
            total_frames += frames
            worst = max(gaps, default=0.0)
            worst_gap = max(worst_gap, worst)
            check(worst <= args.max_gap, f"{kind}: {name} has no gap over {args.max_gap} s around the fault (longest {worst:.2f} s; "
                                         f"{frames} frames in {span:.1f} s of segments = {frames / span if span else 0:.2f} fps)")
        # Segments opened since the window, up to now: listed after the files, so each file's first report was queued.
        def unindexed_files():
            for camera_id in cameras:
                _, later, _ = admin.call("GET", f"/api/v1/cameras/{camera_id}/recordings?from={iso(window_until - 60)}&until={iso(time.time())}")
                for segment in later["segments"]:
                    indexed[segment["id"].lower()] = segment
            return [path for segment_id, path in files.items() if segment_id not in indexed]

        unindexed = unindexed_files()
        if unindexed:
            time.sleep(2)
            unindexed = unindexed_files()
        check(not unindexed, f"{kind}: every one of {len(files)} segment files is indexed ({len(unindexed)} not: {unindexed[:3]})")
        empty = [s for s in indexed.values() if s["sealed"] and s["frames"] == 0]
        check(not empty, f"{kind}: no sealed segment is indexed with 0 frames ({len(empty)})")
        measured["segments"], measured["longestGap"], measured["frames"] = len(files), worst_gap, total_frames

        # Down-time: stop the server (SQLite run: gracefully; PostgreSQL run: SIGKILL), start it again; the stop is one
        # server_down alert, medium after a graceful stop and high after a kill.
        killed = kind == "postgres"
        if killed:
            server.kill()
            server.wait()
        else:
            stop(server)
        stopped_at = time.time()
        time.sleep(2)
        server = start_server(args.rtcc, data, env, log)
        admin = Client(server.base).login("admin", PASSWORD)
        alerts = wait_for(lambda: admin.call("GET", "/api/v1/alerts?kind=server_down")[1]["items"], 20, "server_down alert")
        check(bool(alerts) and len(alerts) == 1, f"{kind}: the restart recorded one server_down alert ({alerts and alerts[0]['title']})")
        if alerts:
            if killed:
                check(alerts[0]["severity"] == "high" and "without shutting down" in alerts[0]["title"], f"{kind}: a kill is a high alert")
            else:
                check(alerts[0]["severity"] == "medium" and "stopped for" in alerts[0]["title"], f"{kind}: a graceful stop is a medium alert")
            measured["serverDown"] = alerts[0]["title"]
        print(f"  restarted {time.time() - stopped_at:.1f} s after the stop", flush=True)
    finally:
        stop(server)
        log.close()
        if postgres:
            postgres.remove()
    return measured


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("rtcc", help="the rtcc binary")
    parser.add_argument("--seconds", type=float, default=30, help="how long the database fails (default 30)")
    parser.add_argument("--cameras", type=int, default=5)
    parser.add_argument("--size", default="1280x720")
    parser.add_argument("--bitrate", default="2000000")
    parser.add_argument("--segment-seconds", type=int, default=6)
    parser.add_argument("--max-gap", type=float, default=1.0, help="longest gap allowed in a camera's timeline (seconds)")
    parser.add_argument("--only", choices=["sqlite", "postgres"])
    parser.add_argument("--keep", action="store_true", help="keep the work folder (logs, recordings)")
    args = parser.parse_args()
    args.rtcc = os.path.abspath(args.rtcc)
    work = tempfile.mkdtemp(prefix="rtcc-fault-")
    os.chmod(work, 0o755)  # PostgreSQL runs as its own user and needs to reach its folder inside
    started = time.time()
    simulator = subprocess.Popen(
        [args.rtcc, "simulate", "--cameras", str(args.cameras), "--port", "0", "--size", args.size, "--bitrate", args.bitrate, "--fps", "25",
         "--seconds", "4", "--clips", os.path.join(work, "clips")],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    results = {}
    try:
        rtsp = read_line(simulator, r"(rtsp://\S+)/cam001", timeout=180)
        threading.Thread(target=lambda: [None for _ in simulator.stdout], daemon=True).start()
        for kind in ["sqlite", "postgres"]:
            if args.only in (None, kind):
                results[kind] = run_fault(kind, args, work, rtsp)
    finally:
        stop(simulator, timeout=10)
        if args.keep:
            print(f"work folder kept: {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    print("measured: " + json.dumps(results, default=str))
    print(f"ran {time.time() - started:.0f} s")
    print(summary())
    sys.exit(1 if RESULTS["failed"] else 0)


if __name__ == "__main__":
    main()
