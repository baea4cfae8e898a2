"""A recorder cluster on one PostgreSQL, against real `rtcc serve` processes and simulated cameras.

Three nodes (a, b, c) share a throw-away PostgreSQL; each has its own data and recordings folder. Checked:
  - bad input: a node on SQLite is refused with a clear message; a second process under a live node's name is refused;
  - every camera is held by exactly one node, and each node records what it holds (segment rows under its name);
  - SIGKILL of a node: each of its cameras records again on another node (a new segment row) within --goal seconds,
    and the index shows one gap per camera, no longer than that;
  - SIGSTOP of a node for longer than the lease, then SIGCONT: no segment row of the epochs it lost ends after the
    next epoch began (it wrote nothing for cameras it lost), and it is alive again afterwards;
  - a killed node that restarts takes its share back, make-before-break (at most its share per node);
  - `rtcc node drain` and SIGTERM: every camera moves make-before-break, with no gap in the index; `rtcc node activate`
    brings the drained node back into the share-out;
  - PostgreSQL stopped for --pg-outage seconds while the nodes record: afterwards every segment file on their disks is
    indexed once, only the ones being written are unsealed, and no camera changed owner then or in the 20 s after;
  - the owner of a camera is killed while it hands the camera to another node: that node, which records it already,
    adopts it under its pending epoch within --goal seconds, and every file it wrote of the camera is indexed;
  - any node serves what another recorded: live video (HLS), playback and a snapshot of a camera recorded on node b,
    through node a;
    the node-to-node API refuses a request without the cluster secret (401, audited);
  - a gunshot alert posted to node b reaches an analyst's socket on node c within 5 s; an owner pausing a camera through
    node b ends a live viewer's socket on node c within 5 s;
  - Chromium signed in to node c plays live and recorded video of a camera node a records, exports a clip of it and
    shows a gunshot posted to node b;
  - `GET /api/v1/nodes` (as an administrator, on another node) and `rtcc node list` show the nodes, alive or not;
  - a camera flagged redundant is recorded by two nodes at once; when the node of its first copy is killed, its coverage
    has no gap, the report lists what copy 0 lacks, and playback across the kill shows every frame.

Usage: python3 scripts/cluster_tests.py .build/debug/rtcc [--cameras 6] [--goal 5]
Prints measured numbers and ends with "N passed, M failed"; exits non-zero on a failure.
"""
import argparse
import asyncio
import base64
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

import websockets

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from browser_support import RESULTS, Client, check, free_port, read_line, summary, wait_for  # noqa: E402
from fault_tests import Postgres, stop  # noqa: E402

PASSWORD = "cluster-test-password-1"
CHROMIUM = os.environ.get("RTCC_CHROMIUM", "/usr/bin/chromium")
LEASE = 2  # seconds; the default is 3 (docs/DEPLOYMENT.md gives the failover times measured with it)


class Cluster:
    def __init__(self, args, work, postgres):
        self.args = args
        self.work = work
        self.postgres = postgres
        self.psql = os.path.join(postgres.bin, "psql")
        self.env = dict(os.environ, RTCC_PASSWORD=PASSWORD, RTCC_SEGMENT_SECONDS="4", RTCC_OFFLINE_SECONDS="5", RTCC_BCRYPT_COST="4",
                        RTCC_LOG_LEVEL="info", RTCC_MFA_REQUIRED_ROLES="", RTCC_DATABASE=postgres.url, RTCC_LEASE_SECONDS=str(LEASE),
                        # One credential key for every node: each must open the cameras' sealed credentials.
                        RTCC_CREDENTIAL_KEY=base64.b64encode(os.urandom(32)).decode(),
                        # The secret the nodes show each other when one fetches footage another recorded.
                        RTCC_CLUSTER_SECRET=base64.b64encode(os.urandom(32)).decode())
        self.ports = {}
        self.nodes = {}

    def sql(self, query):
        """Rows of a query, as lists of strings."""
        out = subprocess.run([self.psql, self.postgres.url, "-At", "-F", "|", "-c", query], check=True, capture_output=True, text=True).stdout
        return [line.split("|") for line in out.splitlines() if line]

    def start(self, name, wait=True):
        data = os.path.join(self.work, f"node-{name}")
        os.makedirs(data, exist_ok=True)
        log = open(os.path.join(self.work, f"node-{name}.log"), "a")
        port = self.ports.setdefault(name, free_port())
        env = dict(self.env, RTCC_NODE_URL=f"http://127.0.0.1:{port}")
        process = subprocess.Popen([self.args.rtcc, "serve", "--data", data, "--port", str(port), "--node", name], stdout=subprocess.PIPE,
                                   stderr=log, text=True, env=env)
        if wait:
            process.base = read_line(process, r"(https?://\S+?)/?\s", timeout=120)
            threading.Thread(target=lambda: [None for _ in process.stdout], daemon=True).start()
        self.nodes[name] = process
        return process

    def leases(self, copy=0):
        """camera id → (node, epoch) of every held, unexpired lease of `copy` (1: redundant cameras' second copies)."""
        return {row[0]: (row[1], int(row[2])) for row in self.sql(
            f"SELECT camera_id, node, epoch FROM camera_leases WHERE copy = {copy} AND node IS NOT NULL AND lease_until > clock_timestamp()")}

    def held_per_node(self):
        """node → leases it holds, both copies counted."""
        counts = {name: 0 for name in "abc"}
        for row in self.sql("SELECT node, count(*) FROM camera_leases WHERE node IS NOT NULL AND lease_until > clock_timestamp() GROUP BY node"):
            counts[row[0]] = int(row[1])
        return counts

    def first_segment_after(self, camera, node, after):
        rows = self.sql(f"SELECT extract(epoch FROM start_at) FROM segments WHERE camera_id = '{camera}' AND node = '{node}' "
                        f"AND start_at > to_timestamp({after}) ORDER BY start_at LIMIT 1")
        return float(rows[0][0]) if rows else None

    def first_segment_under_later_epoch(self, camera, node, epoch):
        """Start of `node`'s first footage of `camera` (copy 0) under an epoch after `epoch`: the successor's."""
        rows = self.sql(f"SELECT extract(epoch FROM min(start_at)) FROM segments WHERE camera_id = '{camera}' AND copy = 0 "
                        f"AND node = '{node}' AND epoch > {epoch}")
        return float(rows[0][0]) if rows and rows[0][0] else None

    def last_end(self, camera, node, epoch):
        rows = self.sql(f"SELECT extract(epoch FROM max(end_at)) FROM segments WHERE camera_id = '{camera}' AND copy = 0 AND node = '{node}' "
                        f"AND epoch = {epoch}")
        return float(rows[0][0]) if rows and rows[0][0] else None


def failover(cluster, victim, how, cameras, goal):
    """Stops `victim` by `how` (kill, term or drain); returns what was measured."""
    epochs = {c: epoch for c, (node, epoch) in cluster.leases().items() if node == victim}
    held = list(epochs)
    check(len(held) > 0, f"{how}: node {victim} holds cameras before it is stopped ({len(held)})")
    process = cluster.nodes[victim]
    t0 = time.time()
    if how == "drain":
        drained = subprocess.run([cluster.args.rtcc, "node", "drain", victim, "--data", os.path.join(cluster.work, "setup")],
                                 capture_output=True, text=True, env=cluster.env)
        check(drained.returncode == 0, f"rtcc node drain {victim} ({drained.stdout.strip()}{drained.stderr.strip()})")
    else:
        process.send_signal(signal.SIGKILL if how == "kill" else signal.SIGTERM)
    again = {}

    def recorded_elsewhere():
        leases = cluster.leases()
        for camera in held:
            if camera in again or camera not in leases or leases[camera][0] == victim:
                continue
            start = cluster.first_segment_after(camera, leases[camera][0], t0 - 1)
            if start is not None:
                again[camera] = (leases[camera][0], start - t0)
        return len(again) == len(held)

    wait_for(recorded_elsewhere, 60, f"{how}: cameras of {victim} recorded elsewhere")
    if how != "drain":
        process.wait(timeout=40)
    else:
        # The drained node's last segments are sealed and indexed once its hand-overs complete.
        wait_for(lambda: all(node != victim for node, _ in cluster.leases().values()), 30, f"{victim} holds no camera")
        time.sleep(2)
    times = sorted(seconds for _, seconds in again.values())
    print(f"  {how} {victim}: {len(held)} cameras; recorded again elsewhere after "
          f"p50 {times[len(times) // 2] if times else float('nan'):.2f} s, max {max(times) if times else float('nan'):.2f} s "
          f"({', '.join(f'{node}' for node, _ in again.values())})", flush=True)
    check(len(again) == len(held), f"{how}: every camera of {victim} records again on another node ({len(again)}/{len(held)})")
    if how == "kill":
        # The killed node's last segment is indexed when it restarts (its open segment is repaired and sealed then).
        check(bool(times) and max(times) <= goal, f"kill: every camera recorded again within {goal} s (max {max(times) if times else None})")
        return {"held": len(held), "seconds": times, "again": again, "t0": t0, "epochs": epochs}
    # The victim's last segment of each camera is sealed by a report that goes through its journaled queue: read the
    # index once those reports are in (or 10 s have passed), so a report still on its way does not read as a gap.
    def unsealed():
        return [c[:8] for c in held if cluster.sql(
            f"SELECT count(*) FROM segments WHERE camera_id = '{c}' AND copy = 0 AND node = '{victim}' "
            f"AND epoch = {epochs[c]} AND sha256 IS NULL")[0][0] != "0"]
    if wait_for(lambda: not unsealed(), 10, f"the last segments of {victim} sealed in the index") is None:
        print(f"  {how} {victim}: segments still unsealed in the index after 10 s for cameras {unsealed()}", flush=True)
    gaps = index_gaps(cluster, victim, again, epochs, t0, how)
    if True:
        # Make-before-break: the new owner's footage starts before the old owner's ends (at most one frame apart).
        check(len(gaps) == len(held) and max(gaps) <= 0.04, f"{how}: no gap in any camera's index (largest {max(gaps) if gaps else None:.2f} s)")
    return {"held": len(held), "seconds": times, "gaps": sorted(gaps)}


def browser_on_node(cluster, node, recorder, poster, screens):
    """Chromium signed in to `node`: plays live and recorded video of a camera `recorder` holds, exports a clip of it
    through the page's session, and shows a gunshot alert posted through `poster` (another node)."""
    from playwright.sync_api import sync_playwright
    base = cluster.nodes[node].base
    camera = next(c for c, (owner, _) in cluster.leases().items() if owner == recorder)
    camera = camera.upper()  # as the API writes ids (the database's are lower case)
    os.makedirs(screens, exist_ok=True)
    measured = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--autoplay-policy=no-user-gesture-required"])
        try:
            page = browser.new_context(viewport={"width": 1400, "height": 900}).new_page()
            page.goto(base + "/")
            page.fill("#signin-user", "admin")
            page.fill("#signin-password", PASSWORD)
            page.click("#signin-submit")
            page.wait_for_selector("#shell", state="visible")
            page.wait_for_selector("#wall-grid .tile")
            page.click(f".cam-item[data-camera='{camera}']")
            state = lambda: page.evaluate("""(id) => { const t = document.querySelector(`#wall-grid .tile[data-camera='${id}']`);
                const v = t && t.querySelector('video'); return v ? { state: t.dataset.state, t: v.currentTime,
                frames: v.getVideoPlaybackQuality().totalVideoFrames } : null; }""", camera)
            wait_for(lambda: (state() or {}).get("state") == "live", 30, "live tile")
            first = state() or {"t": 0, "frames": 0}
            time.sleep(3)
            second = state() or {"t": 0, "frames": 0}
            page.screenshot(path=os.path.join(screens, "live-on-node-c.png"))
            check(second["t"] - first["t"] > 1.5 and second["frames"] > first["frames"] + 20,
                  f"Chromium on node {node} plays live video of a camera node {recorder} records "
                  f"(currentTime {first['t']:.2f}→{second['t']:.2f}, frames {first['frames']}→{second['frames']})")
            target = time.time() - 12
            at = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(target)) + f".{int((target % 1) * 1000):03d}Z"
            page.goto(f"{base}/playback?cameras={camera}&at={at}")
            page.wait_for_selector("#purpose-dialog", state="visible")
            page.fill("#purpose-case", "26-000777")
            page.fill("#purpose-text", "Cluster review of recorded video")
            page.click("#purpose-ok")
            wait_for(lambda: page.evaluate("() => document.querySelector('#screen').dataset.seekedTo"), 30, "seek")
            page.evaluate("() => window.rtccPlayback.play()")
            time.sleep(3)
            frames = page.evaluate("() => window.rtccPlayback.players.map(p => p.video.getVideoPlaybackQuality().totalVideoFrames)")
            page.screenshot(path=os.path.join(screens, "playback-on-node-c.png"))
            check(bool(frames) and min(frames) > 20, f"Chromium on node {node} plays back recorded video of that camera (frames {frames})")
            exported = page.evaluate("""async ([camera, from, until]) => {
                const post = (url, body) => fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json' },
                    body: JSON.stringify(body) }).then(async r => ({ status: r.status, body: await r.json() }));
                const made = await post('/api/v1/cases', { number: '26-000777', type: 'Shooting', location: 'Fairgrounds',
                    occurredAt: from });
                if (made.status !== 201) return { step: 'case', ...made };
                const job = await post(`/api/v1/cases/${made.body.id}/exports`, { cameraIDs: [camera], from, until,
                    purpose: 'Clip for the detective' });
                if (job.status !== 202 && job.status !== 201) return { step: 'export', ...job };
                for (let i = 0; i < 120; i++) {
                    const state = await fetch(`/api/v1/exports/${job.body.id}`).then(r => r.json());
                    if (state.state === 'succeeded' || state.state === 'failed') return { step: 'done', state: state.state, error: state.error };
                    await new Promise(r => setTimeout(r, 500));
                }
                return { step: 'timeout' };
            }""", [camera, iso_time(target - 4), iso_time(target + 4)])
            check(exported.get("state") == "succeeded", f"Chromium on node {node} exports a clip of it ({exported})")
            page.goto(base + "/")
            page.wait_for_selector("#shell", state="visible")
            page.click("#nav a[data-screen=alerts]")
            time.sleep(2)
            sent = time.time()
            status, receipt, _ = poster.call("POST", "/api/v1/events/gunshots", {
                "id": "CLUSTER-BROWSER-1", "time": iso_time(time.time()), "latitude": 32.505, "longitude": -93.75, "rounds": 2,
                "confidence": 0.9})
            shown = status == 201 and wait_for(lambda: page.query_selector(f".alert-item[data-alert='{receipt['alert']['id']}']"), 10, "pushed alert")
            measured["alert_shown_seconds"] = round(time.time() - sent, 3) if shown else None
            page.screenshot(path=os.path.join(screens, "alert-on-node-c.png"))
            check(bool(shown), f"Chromium on node {node} shows a gunshot posted to another node without a reload ({measured['alert_shown_seconds']} s)")
        finally:
            browser.close()
    return measured


def iso_time(t):
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(t)) + f".{int((t % 1) * 1000):03d}Z"


async def viewer_cut(base, cookie, camera, owner):
    """Seconds from the owner's pause (through `owner`, on another node) until the live socket on `base` ends, or None."""
    url = base.replace("http://", "ws://") + f"/api/v1/cameras/{camera}/live"
    async with websockets.connect(url, additional_headers={"Cookie": cookie}, open_timeout=10, max_size=None) as socket:
        received = 0
        started = time.time()
        while received < 3 and time.time() - started < 20:
            try:
                await asyncio.wait_for(socket.recv(), timeout=5)
                received += 1
            except (asyncio.TimeoutError, websockets.ConnectionClosed):
                break
        if received < 3:
            print(f"  the live viewer on node c got {received} messages before the pause")
            return None
        sent = time.time()
        status, _, _ = await asyncio.to_thread(owner.call, "PATCH", f"/api/v1/portal/cameras/{camera}", {"state": "paused"})
        if status != 200:
            print(f"  pause refused: {status}")
            return None
        while time.time() - sent < 10:
            try:
                await asyncio.wait_for(socket.recv(), timeout=max(0.1, 10 - (time.time() - sent)))
            except websockets.ConnectionClosed:
                return time.time() - sent
            except asyncio.TimeoutError:
                return None
    return None


async def alert_push(base, cookie, poster):
    """Seconds from posting a gunshot through `poster` until the analyst socket on `base` receives its alert, or None."""
    url = base.replace("http://", "ws://") + "/api/v1/alerts/live"
    async with websockets.connect(url, additional_headers={"Cookie": cookie}, open_timeout=10) as socket:
        await asyncio.sleep(0.5)
        sent = time.time()
        status, receipt, _ = await asyncio.to_thread(poster.call, "POST", "/api/v1/events/gunshots", {
            "id": "CLUSTER-1", "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "latitude": 32.503, "longitude": -93.75,
            "rounds": 3, "confidence": 0.9})
        if status != 201:
            print(f"  gunshot refused: {status} {receipt}")
            return None
        wanted = receipt["alert"]["id"]
        while time.time() - sent < 10:
            try:
                text = await asyncio.wait_for(socket.recv(), timeout=max(0.1, 10 - (time.time() - sent)))
            except asyncio.TimeoutError:
                return None
            message = json.loads(text)
            for item in message.get("messages", [message]):
                if item.get("type") == "alert" and item["alert"]["id"] == wanted:
                    return time.time() - sent
    return None


def redundant_across_kill(cluster, via, camera, t0, copy_holder):
    """The redundant camera whose first copy's node was killed at `t0`: its coverage (through node `via`) has no gap,
    copy 0 lacks the outage and copy 1 nothing, and playback across the kill shows every frame."""
    # The window ends 6 s before it is read: an open segment's row reaches its last progress report only.
    time.sleep(max(0, t0 + 14 - time.time()))
    client = Client(cluster.nodes[via].base).login("admin", PASSWORD)
    window = (t0 - 8, t0 + 8)
    status, coverage, _ = client.call("GET", f"/api/v1/cameras/{camera}/recordings?stream=main&from={iso_time(window[0])}&until={iso_time(window[1])}")
    missing = coverage.get("missing", []) if status == 200 else None
    copies = {c["copy"]: c for c in coverage.get("copies", [])} if status == 200 else {}

    def seconds(ranges):
        return sum(parse_time(r["until"]) - parse_time(r["from"]) for r in ranges)
    lacking = {copy: round(seconds(c["lacking"]), 2) for copy, c in copies.items()}
    where = {copy: [(round(parse_time(r["from"]) - t0, 2), round(parse_time(r["until"]) - t0, 2)) for r in c["lacking"]] for copy, c in copies.items()}
    print(f"  lacking ranges (seconds from the kill): {where}", flush=True)
    print(f"  redundant camera across the kill: missing {missing}, lacking per copy {lacking} s, copy 1 by {copies.get(1, {}).get('nodes')}", flush=True)
    check(status == 200 and missing == [], f"the redundant camera's footage has no gap across the kill of its first copy's node ({missing})")
    history = cluster.sql(f"SELECT copy, epoch, node, round(extract(epoch FROM from_at)::numeric - {t0}, 2) FROM camera_lease_epochs "
                          f"WHERE camera_id = '{camera.lower()}' AND (from_at IS NULL OR from_at > to_timestamp({t0 - 60})) ORDER BY copy, epoch")
    print(f"  its leases' epochs of the last minute (copy, epoch, node, began s from the kill): {history}", flush=True)
    check(lacking.get(0, 0) >= 1 and lacking.get(1, 1) < 0.5 and copies[1]["nodes"] == [copy_holder],
          f"the coverage report lists the difference: copy 0 lacks the outage, copy 1 (node {copy_holder}) nothing ({lacking})")
    status, session, _ = client.call("POST", "/api/v1/playback", {"cameraIDs": [camera], "purpose": "cluster test"})
    frames = 0
    shown = None
    if status == 201:
        status, body, headers = client.call(
            "GET", f"/api/v1/cameras/{camera}/media?session={session['id']}&from={iso_time(t0 - 2)}&until={iso_time(t0 + 4)}", raw=True)
        if status == 200:
            frames = int(headers.get("X-RTCC-Frames") or 0)
            shown = parse_time(headers.get("X-RTCC-End")) - parse_time(headers.get("X-RTCC-First-Frame")) if headers.get("X-RTCC-End") else None
    # 25 frames per second: the chunk, from 2 s before the kill to 4 s after it, holds a picture every 40 ms.
    lost = round(shown * 25) - frames if shown is not None else None
    print(f"  playback across the kill: {frames} frames over {shown} s ({lost} lost)", flush=True)
    check(status == 200 and shown is not None and shown >= 6 and lost <= 1,
          f"playback across the kill of the first copy's node shows every frame ({frames} frames over {shown} s, {status})")
    return {"missing": missing, "lacking_seconds": lacking, "playback_frames": frames, "shown_seconds": shown, "frames_lost": lost}


def parse_time(text):
    """Seconds since 1970 of an ISO 8601 time the API wrote."""
    from datetime import datetime
    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


def owner_dies_mid_handover(cluster, successor, goal):
    """`successor` (stopped) starts again and takes cameras from the others make-before-break; the owner of the first
    hand-over is killed while it is under way. The successor, which records the camera already, adopts it under its
    pending epoch: nothing it recorded is fenced off, and nobody else claims the camera."""
    recordings = os.path.join(cluster.work, f"node-{successor}", "recordings")
    before = {f for _, _, names in os.walk(recordings) for f in names}
    cluster.start(successor)
    pending = wait_for(lambda: cluster.sql(f"SELECT camera_id, node, next_epoch FROM camera_leases WHERE next_node = '{successor}' "
                                           f"AND node IS NOT NULL AND node <> '{successor}' AND NOT next_ready LIMIT 1"), 30,
                       f"a hand-over to {successor}")
    check(bool(pending), f"mid-hand-over: node {successor} takes a camera over from another node after its restart")
    if not pending:
        return None
    camera, owner, epoch = pending[0][0], pending[0][1], int(pending[0][2])
    cluster.nodes[owner].send_signal(signal.SIGKILL)
    t0 = time.time()
    cluster.nodes[owner].wait(timeout=40)

    def adopted():
        row = cluster.sql(f"SELECT node, epoch, next_node IS NULL FROM camera_leases WHERE camera_id = '{camera}' AND copy = 0")
        return row and row[0][0] != owner and row[0]
    row = wait_for(adopted, 30, "the camera held by a live node")
    seconds = time.time() - t0
    print(f"  killed {owner} while it handed camera {camera[:8]} to {successor} (pending epoch {epoch}); held after {seconds:.2f} s by {row}", flush=True)
    check(bool(row) and row[0] == successor and int(row[1]) == epoch and seconds <= goal,
          f"mid-hand-over: the successor {successor} adopts the camera under its pending epoch {epoch} within {goal} s ({row})")
    began = cluster.sql(f"SELECT from_at IS NOT NULL FROM camera_lease_epochs WHERE camera_id = '{camera}' AND copy = 0 AND epoch = {epoch}")
    check(began == [["t"]], "mid-hand-over: the adopted epoch has begun (segments under it are the camera's footage)")
    # Every file the successor wrote of the camera since its restart is indexed: none of its reports was refused as
    # fenced off. (Files of earlier episodes may lack rows for good: footage a frozen node wrote after losing its lease;
    # start-up repair touches them, so they are told apart by name, not by time.)
    time.sleep(6)
    folder = os.path.join(recordings, camera)
    files = {f[:-4] for _, _, names in os.walk(folder) for f in names if f.endswith(".mp4") and f not in before}
    rows = {r[0] for r in cluster.sql(f"SELECT id FROM segments WHERE camera_id = '{camera}' AND node = '{successor}'")}
    unindexed = sorted(files - rows)
    check(files and not unindexed, f"mid-hand-over: every segment file the successor wrote of the camera is indexed ({len(files)} files, {len(unindexed)} not)")
    return {"seconds": seconds, "files": len(files), "unindexed": len(unindexed)}


def index_gaps(cluster, victim, again, epochs, t0, how):
    """For each camera that moved off `victim` at `t0`: new owner's first footage start − the end of the victim's
    footage under the epoch it held then."""
    gaps = []
    for camera, (node, _) in again.items():
        last = cluster.last_end(camera, victim, epochs[camera])
        first = cluster.first_segment_under_later_epoch(camera, node, epochs[camera])
        if last is not None and first is not None:
            gaps.append(first - last)
    print(f"  {how} {victim}: index gaps between the two nodes' footage: {', '.join(f'{g:.2f}' for g in sorted(gaps))} s", flush=True)
    return gaps


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("rtcc")
    parser.add_argument("--cameras", type=int, default=6)
    parser.add_argument("--goal", type=float, default=5.0, help="seconds from a SIGKILL until its cameras record elsewhere")
    parser.add_argument("--pg-outage", type=float, default=30, help="seconds PostgreSQL is stopped while the nodes record (0 skips)")
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    args.rtcc = os.path.abspath(args.rtcc)
    work = tempfile.mkdtemp(prefix="rtcc-cluster-")
    os.chmod(work, 0o755)
    started = time.time()
    measured = {}
    simulator = subprocess.Popen(
        [args.rtcc, "simulate", "--cameras", str(args.cameras), "--port", "0", "--size", "640x360", "--bitrate", "500000", "--fps", "25",
         "--seconds", "4", "--clips", os.path.join(work, "clips")],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    postgres = None
    cluster = None
    try:
        # Bad input first: cluster mode on SQLite.
        refused = subprocess.run([args.rtcc, "serve", "--data", os.path.join(work, "lonely"), "--port", "0", "--node", "a"],
                                 capture_output=True, text=True, timeout=60, env=dict(os.environ, RTCC_MFA_REQUIRED_ROLES=""))
        check(refused.returncode != 0 and "needs PostgreSQL" in refused.stderr,
              f"a node on SQLite is refused with a clear message ({refused.stderr.strip().splitlines()[-1:] })")
        bad_name = subprocess.run([args.rtcc, "serve", "--data", os.path.join(work, "lonely"), "--port", "0", "--node", "no spaces"],
                                  capture_output=True, text=True, timeout=60)
        check(bad_name.returncode != 0 and "node name" in bad_name.stderr, "a bad node name is refused")

        rtsp = read_line(simulator, r"(rtsp://\S+)/cam001", timeout=180)
        threading.Thread(target=lambda: [None for _ in simulator.stdout], daemon=True).start()
        postgres = Postgres(os.path.join(work, "pg"))
        cluster = Cluster(args, work, postgres)
        csv = os.path.join(work, "cameras.csv")
        with open(csv, "w") as handle:
            handle.write("name,kind,latitude,longitude,main_stream_url\n")
            for n in range(1, args.cameras + 1):
                handle.write(f"Cluster cam {n},city,32.5{n:02d},-93.75,{rtsp}/cam{n:03d}\n")
        setup_data = os.path.join(work, "setup")
        subprocess.run([args.rtcc, "cameras", "import", csv, "--data", setup_data], check=True, capture_output=True, env=cluster.env)
        subprocess.run([args.rtcc, "user", "add", "admin", "--role", "admin", "--data", setup_data], check=True, capture_output=True, env=cluster.env)
        cameras = [row[0] for row in cluster.sql("SELECT id FROM cameras")]
        check(len(cameras) == args.cameras, f"{args.cameras} cameras in the shared database")

        for name in ["a", "b", "c"]:
            cluster.start(name, wait=False)
        for name in ["a", "b", "c"]:
            process = cluster.nodes[name]
            process.base = read_line(process, r"(https?://\S+?)/?\s", timeout=120)
            threading.Thread(target=lambda p=process: [None for _ in p.stdout], daemon=True).start()

        def all_held():
            return len(cluster.leases()) == args.cameras
        check(bool(wait_for(all_held, 60, "every camera held")), "every camera is held by a node")
        time.sleep(1)
        leases = cluster.leases()
        per_node = {name: sum(1 for node, _ in leases.values() if node == name) for name in "abc"}
        print(f"  leases per node: {per_node}", flush=True)
        check(sorted(leases) == sorted(cameras), "each camera is held exactly once (one lease row per camera, one owner)")
        check(all(count >= 1 for count in per_node.values()), f"the cameras are spread over the three nodes ({per_node})")

        def each_recording():
            leases = cluster.leases()
            return all(cluster.first_segment_after(c, node, started - 600) is not None for c, (node, _) in leases.items())
        check(bool(wait_for(each_recording, 60, "segments from every owner")), "each node records the cameras it holds (segment rows under its name)")

        # A camera flagged redundant (through node a's API) gets a second copy, recorded by another node at once.
        twice = cameras[0]
        admin_a = Client(cluster.nodes["a"].base).login("admin", PASSWORD)
        status, body, _ = admin_a.call("PATCH", f"/api/v1/cameras/{twice}", {"redundant": True})
        check(status == 200 and body.get("redundant") is True, f"a camera is flagged redundant through the API ({status})")

        def two_copies():
            first, second = cluster.leases(0).get(twice), cluster.leases(1).get(twice)
            if not first or not second or first[0] == second[0]:
                return None
            copies = cluster.sql(f"SELECT DISTINCT copy, node FROM segments WHERE camera_id = '{twice}' AND start_at > to_timestamp({time.time() - 30})")
            return (first[0], second[0]) if {(c, n) for c, n in copies} >= {("0", first[0]), ("1", second[0])} else None
        holders = wait_for(two_copies, 60, "two copies of the redundant camera")
        check(bool(holders), f"the redundant camera is recorded by two nodes at once, one copy each ({holders})")
        redundant_leases = 1

        # Any node serves what another recorded: recorded video and a snapshot of a camera held by b, through node a.
        # Not the redundant camera: node a may hold its other copy.
        remote = wait_for(lambda: next((c for c, (node, _) in cluster.leases().items() if node == "b" and c != twice), None), 30,
                          "a camera other than the redundant one held by node b")
        if remote is None:
            raise SystemExit("FAIL: node b holds no camera but the redundant one")
        wait_for(lambda: cluster.sql(f"SELECT count(*) FROM segments WHERE camera_id = '{remote}' AND node = 'b' AND sha256 IS NOT NULL")[0][0] != "0",
                 30, "a sealed segment on node b")
        via_a = Client(cluster.nodes["a"].base).login("admin", PASSWORD)
        status, session, _ = via_a.call("POST", "/api/v1/playback", {"cameraIDs": [remote], "purpose": "cluster test"})
        rows = cluster.sql(f"SELECT extract(epoch FROM min(start_at)) FROM segments WHERE camera_id = '{remote}' AND node = 'b' AND sha256 IS NOT NULL")
        first = float(rows[0][0]) if rows and rows[0][0] else time.time() - 5
        from_at = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(first + 1))
        status, body, headers = via_a.call("GET", f"/api/v1/cameras/{remote}/media?session={session['id']}&from={from_at}", raw=True)
        frames = int(headers.get("X-RTCC-Frames") or 0) if status == 200 else 0
        check(status == 200 and frames > 0, f"node a plays back a camera recorded on node b ({status}, {frames} frames{'' if status == 200 else body})")
        status, jpeg, headers = via_a.call("GET", f"/api/v1/cameras/{remote}/snapshot.jpg", raw=True)
        check(status == 200 and jpeg[:2] == b"\xff\xd8", f"node a serves a snapshot of a camera recorded on node b ({status} {'' if status == 200 else jpeg})")
        # Live video of the camera node b records, watched through node a (one viewer-only ingest on node a).
        watched = time.time()
        status, playlist, _ = via_a.call("GET", f"/api/v1/cameras/{remote}/hls/index.m3u8", raw=True)
        lines = playlist.decode(errors="replace").splitlines() if status == 200 else []
        media = [line for line in lines if line and not line.startswith("#")]
        got = 0
        if media:
            status_segment, data, _ = via_a.call("GET", f"/api/v1/cameras/{remote}/hls/{media[-1]}", raw=True)
            got = len(data) if status_segment == 200 else 0
        check(status == 200 and got > 0, f"node a serves live video (HLS) of a camera recorded on node b ({status}, {len(media)} segments, {got} bytes)")
        # (Node a may have recorded it before the cameras were spread at start-up: only what began since it is counted.)
        recorded_by_a = cluster.sql(f"SELECT count(*) FROM segments WHERE camera_id = '{remote}' AND node = 'a' "
                                    f"AND end_at > to_timestamp({watched})")[0][0]
        check(recorded_by_a == "0", f"and records nothing of it (its ingest is for live viewers only): {recorded_by_a} segment rows")

        # An alert raised on node b reaches an analyst connected to node c (PostgreSQL NOTIFY between the nodes).
        via_b = Client(cluster.nodes["b"].base).login("admin", PASSWORD)
        via_c = Client(cluster.nodes["c"].base).login("admin", PASSWORD)
        pushed = asyncio.run(alert_push(cluster.nodes["c"].base, via_c.cookie, via_b))
        print(f"  gunshot posted to node b pushed to an analyst on node c after {pushed if pushed is None else round(pushed, 3)} s", flush=True)
        check(pushed is not None and pushed < 5, "a gunshot alert posted to node b reaches an analyst connected to node c within 5 s")
        measured["alert_push_seconds"] = pushed

        # An owner pausing a camera through node b cuts a live viewer connected to node c.
        status, partner, _ = via_a.call("POST", "/api/v1/partners", {"name": "Corner Shop", "kind": "business", "contactName": "Pat",
                                                                      "email": "pat@example.org", "address": "1 Main St"})
        owned = next(c for c, (node, _) in cluster.leases().items() if node != "c")
        via_a.call("PATCH", f"/api/v1/cameras/{owned}", {"partnerID": partner["id"]})
        via_a.call("POST", "/api/v1/users", {"username": "pat", "displayName": "Pat", "role": "partner", "password": PASSWORD,
                                             "partnerID": partner["id"]})
        owner = Client(cluster.nodes["b"].base).login("pat", PASSWORD)
        cut = asyncio.run(viewer_cut(cluster.nodes["c"].base, via_c.cookie, owned, owner))
        print(f"  owner's pause through node b ended the live viewer on node c after {cut if cut is None else round(cut, 3)} s", flush=True)
        check(cut is not None and cut < 5, "an owner pausing a camera through node b cuts a live viewer on node c within 5 s")
        measured["pause_cut_seconds"] = cut
        owner.call("PATCH", f"/api/v1/portal/cameras/{owned}", {"state": "active"})

        segment_id = cluster.sql(f"SELECT id FROM segments WHERE node = 'b' LIMIT 1")[0][0]
        internal = f"/api/v1/internal/segments/{segment_id}"
        status, _, _ = Client(cluster.nodes["b"].base).call("GET", internal)
        check(status == 401, f"a node-to-node request without the cluster secret gets 401 ({status})")
        audited = cluster.sql("SELECT count(*) FROM audit_log WHERE action = 'cluster.unauthorized'")[0][0]
        check(int(audited) >= 1, f"and is audited ({audited} entries)")

        # A browser connected to node c: live and recorded video of a camera node a records, a clip of it exported, and a
        # gunshot alert posted to node b.
        measured["browser"] = browser_on_node(cluster, "c", "a", via_b, os.path.join(work, "screens"))

        # PostgreSQL stopped while the three nodes record: they keep recording and journal their index reports.
        if args.pg_outage > 0:
            epochs_before = {(c, copy): epoch for copy in (0, 1) for c, (_, epoch) in cluster.leases(copy).items()}
            postgres.stop()
            t_stop = time.time()
            time.sleep(args.pg_outage)
            postgres.start()
            print(f"  PostgreSQL stopped for {time.time() - t_stop:.1f} s", flush=True)
            time.sleep(LEASE + 12)
            files = {}
            for name in "abc":
                for root, _, names in os.walk(os.path.join(work, f"node-{name}", "recordings")):
                    for file in names:
                        if file.endswith(".mp4"):
                            files[file[:-4]] = (name, os.path.join(root, file))
            # A file is written before its first report reaches the index (the report is queued), so a file created a
            # moment ago may lack its row: the rows are read until every listed file has one (10 s), and how long that
            # took is reported. A report lost for good never arrives.
            listed_at = time.time()
            rows = {}

            def indexed():
                rows.clear()
                rows.update({row[0]: row for row in cluster.sql("SELECT id, node, path, sha256 IS NOT NULL FROM segments")})
                return all(f in rows for f in files)
            all_indexed = wait_for(indexed, 10, "every listed segment file indexed")
            missing = [f for f in files if f not in rows]
            for name in missing:
                node, path = files[name]
                print(f"  not indexed: node {node}, {os.path.relpath(path, work)}, written "
                      f"{listed_at - os.stat(path).st_mtime:.1f} s before the listing", flush=True)
            paths = [row[2] for row in rows.values()]
            check(not missing, f"after the outage every segment file on the nodes' disks is indexed ({len(files)} files, {len(missing)} missing, "
                               f"all within {time.time() - listed_at:.1f} s of the listing)" if all_indexed else
                               f"after the outage every segment file on the nodes' disks is indexed ({len(files)} files, {len(missing)} missing)")

            # Every segment but the newest of each camera's copy (still being written) is sealed with its SHA-256. A segment that
            # has just been closed may wait a moment in the report queue, so this is read until it holds (10 s).
            # Known and counted apart: a segment whose camera changed epoch while it was being written (the camera was
            # released and claimed again, say after an owner's quick pause and resume) keeps the row of its last report
            # before the change, unsealed: the fence refuses its seal.
            def older_unsealed():
                return int(cluster.sql("""SELECT count(*) FROM segments s WHERE s.sha256 IS NULL AND EXISTS (
                    SELECT 1 FROM segments t WHERE t.camera_id = s.camera_id AND t.copy = s.copy AND t.start_at > s.start_at)
                    AND NOT EXISTS (SELECT 1 FROM camera_lease_epochs h WHERE h.camera_id = s.camera_id AND h.copy = s.copy
                                    AND h.epoch > s.epoch AND h.from_at IS NOT NULL)""")[0][0])
            fenced = int(cluster.sql("""SELECT count(*) FROM segments s WHERE s.sha256 IS NULL AND EXISTS (
                SELECT 1 FROM camera_lease_epochs h WHERE h.camera_id = s.camera_id AND h.copy = s.copy AND h.epoch > s.epoch
                AND h.from_at IS NOT NULL)""")[0][0])
            measured["unsealed_cut_by_an_epoch_change"] = fenced
            settled = wait_for(lambda: older_unsealed() == 0 or None, 10, "older segments sealed")
            stuck = [] if settled else cluster.sql("""SELECT s.node, s.epoch, s.start_at, s.end_at, s.frames,
                (SELECT string_agg(h.epoch || ':' || h.node || '@' || coalesce(h.from_at::text, 'pending'), ' ') FROM camera_lease_epochs h
                 WHERE h.camera_id = s.camera_id) FROM segments s WHERE s.sha256 IS NULL AND EXISTS (
                SELECT 1 FROM segments t WHERE t.camera_id = s.camera_id AND t.copy = s.copy AND t.start_at > s.start_at)""")
            check(settled is not None or older_unsealed() == 0,
                  f"every segment but each camera's newest is sealed with its SHA-256 ({older_unsealed()} older ones unsealed {stuck})")
            check(len(paths) == len(set(paths)), "no segment file is indexed twice")
            measured["pg_outage"] = {"seconds": args.pg_outage, "files": len(files), "indexed": len(files) - len(missing)}

        # A second process under a live node's name.
        twin = subprocess.run([args.rtcc, "serve", "--data", os.path.join(work, "twin"), "--port", "0", "--node", "a"],
                              capture_output=True, text=True, timeout=90, env=cluster.env)
        check(twin.returncode != 0 and "in use" in twin.stderr, f"a node name in use by a live node is refused ({twin.stderr.strip().splitlines()[-1:]})")

        time.sleep(3)
        if args.pg_outage > 0:
            # Read some 20 s after the database came back: the nodes have settled and may rebalance by now.
            epochs_after = {(c, copy): epoch for copy in (0, 1) for c, (_, epoch) in cluster.leases(copy).items()}
            moved = sorted(f"{c[:8]}/{copy}" for (c, copy), epoch in epochs_after.items() if epochs_before.get((c, copy)) != epoch)
            check(epochs_after == epochs_before and len(epochs_before) == args.cameras + redundant_leases,
                  f"no camera changed owner across the database outage or after it (every node renewed its own): moved {moved}")
        # The node that records the redundant camera's first copy is killed: its second copy, on another node, goes on.
        victim = cluster.leases(0)[twice][0]
        copy_holder = cluster.leases(1)[twice][0]
        measured["kill"] = failover(cluster, victim, "kill", cameras, args.goal)
        survivors = [n for n in "abc" if n != victim]
        measured["redundant"] = redundant_across_kill(cluster, survivors[0], twice, measured["kill"]["t0"], copy_holder)

        admin = Client(cluster.nodes[survivors[0]].base).login("admin", PASSWORD)
        status, body, _ = admin.call("GET", "/api/v1/nodes")
        listed = {n["name"]: n for n in (body or {}).get("nodes", [])}
        check(status == 200 and set(listed) == {"a", "b", "c"} and listed[victim]["alive"] is False
              and all(listed[n]["alive"] for n in survivors), f"GET /api/v1/nodes lists the three nodes, {victim} not alive")
        check(sum(listed[n]["cameras"] for n in survivors) == args.cameras + redundant_leases,
              "the survivors hold every camera between them (both copies of the redundant one)")
        cli = subprocess.run([args.rtcc, "node", "list", "--json", "--data", setup_data], capture_output=True, text=True, env=cluster.env)
        check(cli.returncode == 0 and {n["name"] for n in json.loads(cli.stdout)["nodes"]} == {"a", "b", "c"}, "rtcc node list shows the nodes")

        # The killed node comes back under its name (the lease time has passed) and takes its share again, make-before-break.
        cluster.start(victim)
        share = -(-(args.cameras + redundant_leases) // 3)

        def balanced():
            held = cluster.held_per_node()
            counts = [held[n] for n in "abc"]
            # and no hand-over under way (a successor taking a camera over)
            moving = int(cluster.sql("SELECT count(*) FROM camera_leases WHERE next_node IS NOT NULL")[0][0])
            return sum(counts) == args.cameras + redundant_leases and max(counts) <= share and moving == 0 and counts
        counts = wait_for(balanced, 60, "balanced after the restart")
        check(bool(counts), f"after the killed node restarts, each node holds at most its share of {share} ({counts})")
        kill = measured["kill"]
        gaps = index_gaps(cluster, victim, kill.pop("again"), kill.pop("epochs"), kill.pop("t0"), "kill")
        kill["gaps"] = sorted(gaps)
        check(len(gaps) == kill["held"] and max(gaps) <= args.goal,
              f"kill: after the restart's repair, one gap per camera in the index, none longer than {args.goal} s")

        # Freeze a node that holds cameras for longer than the lease.
        time.sleep(LEASE + 1)
        leases = cluster.leases()
        frozen = max(survivors, key=lambda n: sum(1 for node, _ in leases.values() if node == n))
        lost = {c: epoch for c, (node, epoch) in leases.items() if node == frozen}
        cluster.nodes[frozen].send_signal(signal.SIGSTOP)
        freeze = LEASE * 2 + 2
        print(f"  SIGSTOP {frozen} for {freeze} s ({len(lost)} cameras)", flush=True)
        time.sleep(freeze)
        cluster.nodes[frozen].send_signal(signal.SIGCONT)
        time.sleep(LEASE + 2)
        taken = {c: (node, epoch) for c, (node, epoch) in cluster.leases().items() if c in lost}
        check(all(epoch > lost[c] for c, (_, epoch) in taken.items()) and len(taken) == len(lost),
              "the frozen node's cameras were taken over under new epochs")
        late = []
        for camera, epoch in lost.items():
            rows = cluster.sql(
                f"SELECT s.id FROM segments s JOIN camera_lease_epochs n ON n.camera_id = s.camera_id AND n.copy = s.copy AND n.epoch = s.epoch + 1 "
                f"WHERE s.camera_id = '{camera}' AND s.node = '{frozen}' AND s.epoch = {epoch} AND s.end_at > n.from_at")
            late += rows
        check(not late, f"the frozen node wrote no segment row after its cameras were taken over ({len(late)} rows)")
        ids = ", ".join(f"'{c}'" for c in lost)
        offline = cluster.sql(f"SELECT count(*) FROM alerts WHERE kind = 'camera_offline' AND camera_id IN ({ids})") if lost else [["0"]]
        check(offline[0][0] == "0", f"no offline alert for the cameras the frozen node lost (they never stopped recording elsewhere): {offline[0][0]}")
        alive = cluster.sql(f"SELECT count(*) FROM nodes WHERE name = '{frozen}' AND heartbeat_at > clock_timestamp() - interval '{LEASE} seconds'")
        check(cluster.nodes[frozen].poll() is None and alive[0][0] == "1", f"the frozen node {frozen} is alive again after SIGCONT")

        wait_for(balanced, 60, "balanced after the freeze")
        leases = cluster.leases()
        drained = max("abc", key=lambda n: sum(1 for node, _ in leases.values() if node == n))
        measured["drain"] = failover(cluster, drained, "drain", cameras, args.goal)
        time.sleep(1)
        check(not any(node == drained for node, _ in cluster.leases().values()), f"the drained node {drained} takes no camera while drained")
        activated = subprocess.run([args.rtcc, "node", "activate", drained, "--data", setup_data], capture_output=True, text=True, env=cluster.env)
        counts = wait_for(balanced, 60, "balanced after activation")
        check(activated.returncode == 0 and bool(counts), f"rtcc node activate: the node takes its share again ({counts})")

        leases = cluster.leases()
        terminated = max("abc", key=lambda n: sum(1 for node, _ in leases.values() if node == n))
        measured["term"] = failover(cluster, terminated, "term", cameras, args.goal)
        check(cluster.nodes[terminated].returncode == 0, f"node {terminated} stopped cleanly on SIGTERM")
        measured["epochs_refused"] = len(late)
        measured["orphaned_handover"] = owner_dies_mid_handover(cluster, terminated, args.goal)
    finally:
        if cluster:
            for process in cluster.nodes.values():
                if process.poll() is None:
                    try:
                        process.send_signal(signal.SIGCONT)
                    except ProcessLookupError:
                        pass
                stop(process, timeout=20)
        stop(simulator, timeout=10)
        if postgres:
            postgres.remove()
        if args.keep:
            print(f"work folder kept: {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    print("measured: " + json.dumps(measured))
    print(f"ran {time.time() - started:.0f} s")
    print(summary())
    sys.exit(1 if RESULTS["failed"] else 0)


if __name__ == "__main__":
    main()
