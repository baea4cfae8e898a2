"""End-to-end recording checks against the real `rtcc` binary and its simulator.

1. SIGKILL while recording: every segment stays playable up to at most 1 s before the kill, and after a
   restart the index matches the files (size, SHA-256, clean decode by ffmpeg).
2. A source that goes away for 10 s: the recorder reconnects within 2 s of its return, the index shows a
   gap of the outage only, and an offline event was raised and cleared.
3. An exact clip across a segment boundary in a signed evidence package, verified offline; tampering is caught.
4. Analytics on a live camera: the server decodes the camera's stream with ffmpeg, the changing clock in its picture
   raises a motion alert bookmarking the camera, and stopping the server leaves no decoder behind.
"""
import hashlib
import os
import re
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from browser_support import Client  # noqa: E402

RTCC = os.path.abspath(sys.argv[1])
WORK = tempfile.mkdtemp(prefix="rtcc-media-e2e-")
DATA = os.path.join(WORK, "data")
FAILURES = []


def check(condition, message):
    print(("ok - " if condition else "FAIL: ") + message, flush=True)
    if not condition:
        FAILURES.append(message)


def wait_for(predicate, timeout, what):
    deadline = time.time() + timeout
    while time.time() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    raise SystemExit(f"FAIL: timed out waiting for {what}")


def read_url(process, pattern):
    found = {}

    def scan():
        line = process.stdout.readline()
        match = re.search(pattern, line or "")
        if match:
            found["url"] = match.group(1)
        return found.get("url")

    return wait_for(scan, 120, pattern)


def rows(query, args=()):
    db = sqlite3.connect(os.path.join(DATA, "rtcc.sqlite"), timeout=10)
    try:
        return db.execute(query, args).fetchall()
    finally:
        db.close()


def media_seconds(path):
    """Seconds of media ffprobe can read from a file (end of the last complete packet)."""
    out = subprocess.run(
        ["ffprobe", "-v", "quiet", "-select_streams", "v:0", "-show_entries", "packet=pts_time,duration_time", "-of", "csv=p=0", path],
        capture_output=True, text=True).stdout
    ends = []
    for line in out.splitlines():
        parts = line.split(",")
        try:
            ends.append(float(parts[0]) + float(parts[1]))
        except (ValueError, IndexError):
            pass
    return max(ends) if ends else 0.0


def decodes_cleanly(path):
    result = subprocess.run(["ffmpeg", "-v", "error", "-i", path, "-f", "null", "-"], capture_output=True, text=True)
    return result.returncode == 0 and result.stderr.strip() == ""


def start_server():
    env = dict(os.environ, RTCC_SEGMENT_SECONDS="4", RTCC_OFFLINE_SECONDS="3", RTCC_LOG_LEVEL="warning",
               RTCC_MFA_REQUIRED_ROLES="")  # two-factor sign-in is tested in browser_admin_tests.py
    server = subprocess.Popen([RTCC, "serve", "--data", DATA, "--port", "0"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                              text=True, env=env)
    server.url = read_url(server, r"(https?://\S+)").rstrip("/")
    return server


def decoders_of(url):
    """ffmpeg processes reading `url` (the recorder is ours and runs no ffmpeg, so these are analytics decoders)."""
    found = subprocess.run(["pgrep", "-f", f"ffmpeg.*{re.escape(url)}"], capture_output=True, text=True).stdout.split()
    return [pid for pid in found if pid != str(os.getpid())]


simulator = subprocess.Popen(
    [RTCC, "simulate", "--cameras", "2", "--port", "0", "--size", "640x360", "--bitrate", "500000", "--fps", "25", "--seconds", "4",
     "--clips", os.path.join(WORK, "clips")],
    stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
base = read_url(simulator, r"(rtsp://\S+)/cam001")
csv = os.path.join(WORK, "cameras.csv")
with open(csv, "w") as handle:
    handle.write("name,kind,latitude,longitude,main_stream_url\n")
    handle.write(f"Sim one,city,32.51,-93.75,{base}/cam001\nSim two,city,32.52,-93.75,{base}/cam002\n")
subprocess.run([RTCC, "cameras", "import", csv, "--data", DATA], check=True, capture_output=True)
camera_one = rows("SELECT id FROM cameras WHERE name = 'Sim one'")[0][0]

# 1. SIGKILL while recording.
server = start_server()
wait_for(lambda: len(rows("SELECT 1 FROM segments WHERE sha256 IS NOT NULL")) >= 2 and
         len(rows("SELECT 1 FROM segments WHERE sha256 IS NULL")) >= 2, 60, "sealed and open segments")
time.sleep(2.5)
killed_at = time.time()
server.send_signal(signal.SIGKILL)
server.wait()
open_rows = rows("SELECT id, path, start_at FROM segments WHERE sha256 IS NULL")
check(len(open_rows) >= 2, f"{len(open_rows)} segments were open at the kill")
for segment_id, path, start in open_rows:
    covered_until = start + media_seconds(path)
    check(covered_until >= killed_at - 1.0,
          f"open segment is playable to {killed_at - covered_until:.2f} s before the kill (≤ 1 s)")
for (path,) in rows("SELECT path FROM segments WHERE sha256 IS NOT NULL"):
    check(decodes_cleanly(path), f"sealed segment {os.path.basename(path)} decodes cleanly after the kill")

# Restart: recovery seals what the kill left open.
server = start_server()
recovered_ids = [row[0] for row in open_rows]
wait_for(lambda: all(rows("SELECT sha256 IS NOT NULL FROM segments WHERE id = ?", (i,))[0][0] for i in recovered_ids), 30,
         "recovery of open segments")
check(True, "restart sealed every segment the kill left open")

# 2. The source goes away for 10 s, then returns.
wait_for(lambda: rows("SELECT count(*) FROM segments WHERE camera_id = ? AND frames > 0 AND start_at > ?", (camera_one, killed_at))[0][0] >= 1,
         30, "recording after restart")
time.sleep(2)
outage_start = time.time()
simulator.stdin.write("offline 1\ndrop 1\n")
simulator.stdin.flush()
time.sleep(10)
returned_at = time.time()
simulator.stdin.write("online 1\n")
simulator.stdin.flush()
first_after = wait_for(
    lambda: (rows("SELECT min(start_at) FROM segments WHERE camera_id = ? AND start_at > ?", (camera_one, returned_at - 0.5))[0][0]),
    30, "recording after the source returned")
check(first_after - returned_at <= 2.0, f"recorder reconnected {first_after - returned_at:.2f} s after the source returned (≤ 2 s)")


def outage_kinds():
    return [kind for (kind,) in rows("SELECT kind FROM camera_events WHERE camera_id = ? AND at > ? ORDER BY at",
                                     (camera_one, outage_start - 1))]


def outage_cleared(kinds):
    return "offline" in kinds and "online" in kinds[kinds.index("offline"):]


# The recorder notes "online" once the first frame after the outage is written, so the event may follow the segment row.
deadline = time.time() + 10
while not outage_cleared(outage_kinds()) and time.time() < deadline:
    time.sleep(0.2)
kinds = outage_kinds()
check(outage_cleared(kinds), f"offline event raised and cleared ({kinds})")
time.sleep(1)
server.send_signal(signal.SIGTERM)
server.wait(timeout=30)
segments = rows("SELECT start_at, end_at FROM segments WHERE camera_id = ? AND start_at > ? ORDER BY start_at", (camera_one, killed_at))
gaps = [(segments[i][1], segments[i + 1][0]) for i in range(len(segments) - 1) if segments[i + 1][0] - segments[i][1] > 0.5]
check(len(gaps) == 1, f"the index shows exactly one gap after the restart ({[(round(b - a, 2)) for a, b in gaps]} s)")
if gaps:
    gap_start, gap_end = gaps[0]
    check(gap_start >= outage_start - 1.0 and gap_end <= returned_at + 2.0,
          f"the gap ({gap_end - gap_start:.2f} s) lies within the outage (10 s) plus reconnection")

# Index and files agree after a clean stop.
for path, size, digest in rows("SELECT path, bytes, sha256 FROM segments"):
    exists = os.path.exists(path)
    check(exists and os.path.getsize(path) == size and digest is not None and
          hashlib.sha256(open(path, "rb").read()).hexdigest() == digest and decodes_cleanly(path),
          f"index row matches its file {os.path.basename(path)} (size, SHA-256, clean decode)")

# 3. An exact clip in a signed evidence package, verified offline; tampering is caught.
# A range across the boundary of two contiguous full segments.
boundary = rows("""SELECT a.end_at FROM segments a JOIN segments b ON b.camera_id = a.camera_id AND abs(b.start_at - a.end_at) < 0.01
                   WHERE a.camera_id = ? AND a.sha256 IS NOT NULL AND b.sha256 IS NOT NULL
                   AND a.end_at - a.start_at >= 3.9 AND b.end_at - b.start_at >= 1.6 ORDER BY a.start_at LIMIT 1""", (camera_one,))[0][0]
iso = lambda t: time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(t)) + f".{int(round((t % 1) * 1000)):03d}Z"
clip_from, clip_until = boundary - 3.0, boundary + 1.5
package = os.path.join(WORK, "package")
export = subprocess.run([RTCC, "evidence", "export", "--data", DATA, "--camera", camera_one, "--from", iso(clip_from), "--until", iso(clip_until),
                         "--case", "26-004512", "--purpose", "test", "--out", package], capture_output=True, text=True)
check(export.returncode == 0, f"evidence export succeeded {export.stderr.strip()[-200:]}")
clips = [os.path.join(package, "clips", name) for name in os.listdir(os.path.join(package, "clips"))] if export.returncode == 0 else []
frames = subprocess.run(["ffprobe", "-v", "error", "-count_frames", "-select_streams", "v:0", "-show_entries", "stream=nb_read_frames",
                         "-of", "csv=p=0", clips[0]], capture_output=True, text=True).stdout.strip() if clips else "0"
check(abs(int(frames or 0) - 112.5) <= 1, f"the clip across a segment boundary holds {frames} frames for 4.5 s at 25 fps (112.5 ± 1)")
check(subprocess.run([RTCC, "evidence", "verify", package], capture_output=True).returncode == 0, "rtcc evidence verify accepts the package")
if clips:
    with open(clips[0], "r+b") as handle:
        handle.seek(4000)
        byte = handle.read(1)
        handle.seek(4000)
        handle.write(bytes([byte[0] ^ 0xFF]))
tampered = subprocess.run([RTCC, "evidence", "verify", package], capture_output=True, text=True)
check(tampered.returncode != 0 and "clips/" in tampered.stderr, "rtcc evidence verify rejects a changed clip and names it")

# 4. Analytics on a live camera, decoded by the server.
camera_two = rows("SELECT id FROM cameras WHERE name = 'Sim two'")[0][0]
password = "e2e analytics password"
subprocess.run([RTCC, "user", "add", "e2e-supervisor", "--role", "supervisor", "--data", DATA], check=True, capture_output=True,
               env=dict(os.environ, RTCC_PASSWORD=password))
server = start_server()
client = Client(server.url).login("e2e-supervisor", password)
settings = {"enabled": True, "fps": 2, "width": 320, "cooldownSeconds": 600,
            "motion": {"zones": [{"name": "picture", "polygon": [{"x": 0, "y": 0}, {"x": 1, "y": 0}, {"x": 1, "y": 1}, {"x": 0, "y": 1}]}],
                       "sensitivity": 60, "minimumArea": 0.0005},
            "schedule": {"startMinute": 0, "endMinute": 1440, "days": [], "timeZone": "UTC"}}
enabled_at = time.time()
status, body, _ = client.call("PUT", f"/api/v1/cameras/{camera_two}/analytics", settings)
check(status == 200, f"analytics enabled on a live camera ({status})")
# The service re-reads settings every 15 s.
wait_for(lambda: decoders_of(f"{base}/cam002"), 30, "an ffmpeg decoder of the camera's stream")
check(True, "the server decodes the camera's stream for analytics")
alert = wait_for(lambda: rows("SELECT id, title, raised_at FROM alerts WHERE kind = 'motion' AND camera_id = ?", (camera_two,)), 60, "a motion alert")
check(len(alert) == 1 and alert[0][1] == "Motion in picture on Sim two",
      f"the changing clock raised one motion alert ({[a[1] for a in alert]}) {time.time() - enabled_at:.1f} s after analytics were enabled")
bookmarked = rows("SELECT camera_id FROM alert_bookmarks WHERE alert_id = ?", (alert[0][0],))
check([b[0] for b in bookmarked] == [camera_two], "the alert bookmarks the camera's recording")
server.send_signal(signal.SIGTERM)
server.wait(timeout=30)
time.sleep(1)
check(not decoders_of(f"{base}/cam002"), "stopping the server leaves no decoder running")

simulator.terminate()
simulator.wait(timeout=10)
if FAILURES:
    raise SystemExit(f"e2e media: {len(FAILURES)} failure(s)")
print("e2e media: all passed")
