"""Soak: `rtcc serve` records N simulated cameras (a separate `rtcc simulate` process) for a long run while V live viewers
watch over WebSocket and an intake feed posts E events per second; the server's memory is sampled every 10 s.

Passes when the server's resident memory grows less than --max-growth from the average of the minute after the warm-up
(--warm-up minutes, a third of the run by default: caches, buffers and the allocator's arenas fill over the first minutes
and then stay) to the average of the last minute, and its steady-state slope (least squares over the samples after the
warm-up) would not add --max-growth in another such run either; the growth from the second minute is reported too. No frame is lost (the frames the simulator owed, from each camera's first keyframe,
against the video packets in the recorded files, counted by ffprobe, after the simulator pauses every stream and the
server seals), every viewer kept receiving video, and the intake accepted every event it was sent.

With --quota-gib the server runs with that disk quota (RTCC_DISK_QUOTA_BYTES) and prunes its oldest footage all through
the run, as a recorder on a full disk does, so a run can write more than the disk holds. The frames are then counted as
each segment is sealed (its index row has its SHA-256), by reading the fragments' `trun` boxes, before the quota can
remove it; a segment pruned before it was counted counts as lost. At the end the same count is checked against
ffprobe's on every segment still on disk.

Usage: soak_test.py RTCC WORKDIR [--minutes 30] [--cameras 100] [--viewers 20] [--events 50] [--size 1280x720 --fps 25 --bitrate 2000000]"""
import argparse
import asyncio
import json
import os
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from browser_support import Client, check, free_port, read_line, summary, wait_for  # noqa: E402

PASSWORD = "soak-test-password-1"


def memory(pid):
    """VmRSS and its parts (RssAnon: the heap; RssFile: mapped files and code; RssShmem), in bytes."""
    values = {}
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            key, _, rest = line.partition(":")
            if key in ("VmRSS", "RssAnon", "RssFile", "RssShmem"):
                values[key] = int(rest.split()[0]) * 1024
    return values


def boxes(handle, start, end):
    """(type, payload start, box end) of the ISO BMFF boxes between start and end of an open file."""
    at = start
    while at + 8 <= end:
        handle.seek(at)
        header = handle.read(16)
        if len(header) < 8:
            return
        size = int.from_bytes(header[0:4], "big")
        kind = header[4:8].decode("latin-1")
        payload = at + 8
        if size == 1:
            size = int.from_bytes(header[8:16], "big")
            payload = at + 16
        elif size == 0:
            size = end - at
        if size < 8 or at + size > end:
            return
        yield kind, payload, at + size
        at += size


def video_samples(path):
    """The video samples in a fragmented MP4: the sample_count of every `trun` in the `traf`s of the video track (the
    track whose `hdlr` is `vide`). Written from ISO/IEC 14496-12, independently of the recorder's muxer."""
    size = os.path.getsize(path)
    count = 0
    with open(path, "rb") as handle:
        video_tracks = set()
        for kind, payload, end in boxes(handle, 0, size):
            if kind == "moov":
                for trak, trak_payload, trak_end in boxes(handle, payload, end):
                    if trak != "trak":
                        continue
                    track_id, handler = None, None
                    for child, child_payload, child_end in list(boxes(handle, trak_payload, trak_end)):
                        if child == "tkhd":
                            handle.seek(child_payload)
                            version = handle.read(1)[0]
                            handle.seek(child_payload + (20 if version == 1 else 12))
                            track_id = int.from_bytes(handle.read(4), "big")
                        elif child == "mdia":
                            for media, media_payload, _ in list(boxes(handle, child_payload, child_end)):
                                if media == "hdlr":
                                    handle.seek(media_payload + 8)
                                    handler = handle.read(4)
                    if handler == b"vide" and track_id is not None:
                        video_tracks.add(track_id)
            elif kind == "moof":
                for traf, traf_payload, traf_end in list(boxes(handle, payload, end)):
                    if traf != "traf":
                        continue
                    track_id, samples = None, 0
                    for child, child_payload, _ in list(boxes(handle, traf_payload, traf_end)):
                        if child == "tfhd":
                            handle.seek(child_payload + 4)
                            track_id = int.from_bytes(handle.read(4), "big")
                        elif child == "trun":
                            handle.seek(child_payload + 4)
                            samples += int.from_bytes(handle.read(4), "big")
                    if track_id in video_tracks:
                        count += samples
    return count


class SealedSegmentCounter:
    """Counts the video samples of each segment once the index shows it sealed, before the quota may prune it."""

    def __init__(self, data):
        self.database = os.path.join(data, "rtcc.sqlite")
        self.recordings = os.path.join(data, "recordings")
        self.counted = {}  # path -> samples
        self.missed = []  # sealed segments gone before they were counted
        self.index_frames = {}  # path -> frames in its index row

    def path(self, stored):
        return stored if os.path.isabs(stored) else os.path.join(self.recordings, stored)

    def pass_once(self):
        import sqlite3
        connection = sqlite3.connect(f"file:{self.database}?mode=ro", uri=True, timeout=30)
        try:
            rows = connection.execute("SELECT path, frames FROM segments WHERE sha256 IS NOT NULL").fetchall()
        finally:
            connection.close()
        for stored, frames in rows:
            path = self.path(stored)
            if path in self.counted:
                continue
            try:
                self.counted[path] = video_samples(path)
                self.index_frames[path] = frames
            except FileNotFoundError:
                self.missed.append(path)

    def run(self, until, stop):
        while time.time() < until and not stop.is_set():
            try:
                self.pass_once()
            except Exception as error:  # a busy index is read again at the next pass
                print(f"counter: {type(error).__name__}: {error}", flush=True)
            stop.wait(10)


def packets(path):
    out = subprocess.run(["ffprobe", "-v", "error", "-select_streams", "v:0", "-count_packets", "-show_entries", "stream=nb_read_packets",
                          "-of", "csv=p=0", path], capture_output=True, text=True)
    return int(out.stdout.strip() or 0)


class Simulator:
    def __init__(self, rtcc, cameras, clips, size, bitrate, fps, pin=()):
        self.port = free_port()
        self.process = subprocess.Popen([*pin, rtcc, "simulate", "--cameras", str(cameras), "--port", str(self.port), "--size", size,
                                         "--bitrate", str(bitrate), "--fps", str(fps), "--clips", clips],
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        read_line(self.process, r"(rtsp://\S+)", timeout=300)
        self.lock = threading.Lock()

    def ask(self, command, prefix):
        with self.lock:
            self.process.stdin.write(command + "\n")
            self.process.stdin.flush()
            return read_line(self.process, rf"({prefix}.*)", timeout=30)


async def viewer(base, cookie, camera, until, counts, index):
    import websockets
    url = base.replace("http://", "ws://") + f"/api/v1/cameras/{camera}/live"
    while time.time() < until:
        try:
            async with websockets.connect(url, additional_headers={"Cookie": cookie}, open_timeout=10, max_size=None) as socket:
                while time.time() < until:
                    message = await asyncio.wait_for(socket.recv(), timeout=10)
                    counts[index]["messages"] += 1
                    counts[index]["bytes"] += len(message)
                    counts[index]["last"] = time.time()
        except Exception as error:  # a dropped viewer reconnects; the gap shows in its last-message times
            counts[index]["errors"].append(f"{time.time():.0f} {type(error).__name__}")
            await asyncio.sleep(1)


def feed(base, token, rate, until, tally):
    client = Client(base, token=token)
    interval = 1.0 / rate
    next_send = time.time()
    number = 0
    while time.time() < until:
        number += 1
        status, _, _ = client.call("POST", "/api/v1/events/tips", {
            "id": f"SOAK-{number}", "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "latitude": 32.5 + (number % 50) * 0.0004,
            "longitude": -93.75 + (number % 37) * 0.0004, "text": f"soak tip {number}"})
        tally["sent"] += 1
        tally["accepted" if status in (200, 201) else "refused"] += 1
        if status not in (200, 201) and len(tally["statuses"]) < 10:
            tally["statuses"].append(status)
        next_send += interval
        delay = next_send - time.time()
        if delay > 0:
            time.sleep(delay)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("rtcc")
    parser.add_argument("workdir")
    parser.add_argument("--minutes", type=float, default=30)
    parser.add_argument("--cameras", type=int, default=100)
    parser.add_argument("--viewers", type=int, default=20)
    parser.add_argument("--events", type=float, default=50)
    parser.add_argument("--max-growth", type=float, default=0.05)
    parser.add_argument("--warm-up", type=float, default=None, help="minutes left out of the memory baseline (default: a third of the run)")
    parser.add_argument("--size", default="1280x720")
    parser.add_argument("--bitrate", type=int, default=2_000_000)
    parser.add_argument("--fps", type=int, default=25)
    parser.add_argument("--simulator-cpu", help="pin the simulator to these CPUs (taskset list); the server gets --server-cpu")
    parser.add_argument("--server-cpu", help="pin the server to these CPUs (taskset list)")
    parser.add_argument("--quota-gib", type=float, help="run the server with this disk quota and count each segment as it is sealed")
    args = parser.parse_args()
    pin = lambda cpus: ["taskset", "-c", cpus] if cpus else []
    os.makedirs(args.workdir, exist_ok=True)
    data = os.path.join(args.workdir, "data")
    subprocess.run(["rm", "-rf", data], check=True)
    # Every frame must stay on disk to be counted: footage pruned for space would read as lost and the pruning would
    # weigh on the memory figures. Refuse to start without room for the whole run (plus a fifth and the 256 MiB margin).
    needed = int(args.cameras * args.bitrate / 8 * args.minutes * 60 * 1.2) + (256 << 20)
    if args.quota_gib:
        # The quota bounds the footage; what is written while a sweep runs and the segments still open come on top.
        needed = int(args.quota_gib * 2**30 + args.cameras * args.bitrate / 8 * 120) + (256 << 20)
    stats = os.statvfs(args.workdir)
    free = stats.f_bavail * stats.f_frsize
    if free < needed:
        print(f"FAIL: {args.workdir} has {free / 2**30:.1f} GiB free; {args.cameras} cameras at {args.bitrate // 1000} kbit/s for "
              f"{args.minutes:g} min need about {needed / 2**30:.1f} GiB", flush=True)
        return 2
    simulator = Simulator(args.rtcc, args.cameras, os.path.join(os.getcwd(), "data", "clips"), args.size, args.bitrate, args.fps,
                          pin(args.simulator_cpu))
    env = dict(os.environ, RTCC_PASSWORD=PASSWORD, RTCC_BCRYPT_COST="4", RTCC_LOG_LEVEL="notice", RTCC_MFA_REQUIRED_ROLES="",
               RTCC_INTAKE_EVENTS_PER_SECOND=str(int(args.events * 4)))
    if args.quota_gib:
        env["RTCC_DISK_QUOTA_BYTES"] = str(int(args.quota_gib * 2**30))
    csv = os.path.join(args.workdir, "cameras.csv")
    with open(csv, "w") as handle:
        handle.write("name,kind,latitude,longitude,main_stream_url\n")
        for n in range(1, args.cameras + 1):
            handle.write(f"soak cam {n},city,{32.49 + (n % 10) * 0.002:.4f},{-93.76 + (n // 10) * 0.002:.4f},rtsp://127.0.0.1:{simulator.port}/cam{n:03d}\n")
    subprocess.run([args.rtcc, "cameras", "import", csv, "--data", data], check=True, capture_output=True, env=env)
    subprocess.run([args.rtcc, "user", "add", "admin", "--role", "admin", "--data", data], check=True, capture_output=True, env=env)
    log = open(os.path.join(args.workdir, "server.log"), "w")
    server = subprocess.Popen([*pin(args.server_cpu), args.rtcc, "serve", "--data", data, "--port", "0"], stdout=subprocess.PIPE, stderr=log, text=True, env=env)
    results = {"quota_gib": args.quota_gib, "cameras": args.cameras, "simulator_cpu": args.simulator_cpu, "server_cpu": args.server_cpu, "viewers": args.viewers, "events_per_second": args.events, "minutes": args.minutes,
               "stream": f"{args.size} {args.fps} fps {args.bitrate // 1000} kbit/s"}
    try:
        base = read_line(server, r"(https?://\S+?)/?\s", timeout=120)
        threading.Thread(target=lambda: [None for _ in server.stdout], daemon=True).start()
        admin = Client(base).login("admin", PASSWORD)
        streaming = wait_for(lambda: sum(h["state"] == "streaming" for h in admin.call("GET", "/api/v1/cameras/health")[1]) == args.cameras,
                             180, "every camera streaming")
        check(bool(streaming), f"all {args.cameras} cameras stream")
        owed_before = int(simulator.ask("owed", "owed ").split()[1])
        cameras = [c["id"] for c in admin.call("GET", f"/api/v1/cameras?limit={args.cameras}")[1]["items"]]
        _, issued, _ = admin.call("POST", "/api/v1/tokens", {"name": "soak feed", "scopes": ["events:write"]})
        started = time.time()
        until = started + args.minutes * 60
        counts = [{"messages": 0, "bytes": 0, "last": 0.0, "errors": []} for _ in range(args.viewers)]
        tally = {"sent": 0, "accepted": 0, "refused": 0, "statuses": []}
        samples = []
        parts = []  # (seconds, RssAnon, RssFile) in bytes
        counter = SealedSegmentCounter(data) if args.quota_gib else None
        stop_counting = threading.Event()

        def sample():
            while time.time() < until:
                values = memory(server.pid)
                samples.append((time.time() - started, values.get("VmRSS", 0)))
                parts.append((time.time() - started, values.get("RssAnon", 0), values.get("RssFile", 0)))
                time.sleep(10)

        threads = [threading.Thread(target=sample, daemon=True), threading.Thread(target=feed, args=(base, issued["secret"], args.events, until, tally), daemon=True)]
        if counter:
            threads.append(threading.Thread(target=counter.run, args=(until + 3600, stop_counting), daemon=True))
        for thread in threads:
            thread.start()

        async def watch_all():
            await asyncio.gather(*[viewer(base, admin.cookie, cameras[i % len(cameras)], until, counts, i) for i in range(args.viewers)])

        asyncio.run(watch_all())
        for thread in threads[:2]:
            thread.join(timeout=30)
        # Pause every stream, let what is on its way arrive, read what the simulator owed, and stop the server (it seals).
        simulator.ask(f"stall 1-{args.cameras} 600", "ok: stall")
        time.sleep(3)
        owed = int(simulator.ask("owed", "owed ").split()[1]) - owed_before
        server.terminate()
        server.wait(timeout=60)
        with open(os.path.join(args.workdir, "server.log")) as server_log:
            pruned = sum("deleting the oldest unheld footage" in line for line in server_log)
        check(pruned == 0, f"no footage was deleted for want of free space during the run ({pruned} low-space sweeps logged)")
        files = [os.path.join(root, name) for root, _, names in os.walk(os.path.join(data, "recordings")) for name in names if name.endswith(".mp4")]
        if counter:
            stop_counting.set()
            threads[2].join(timeout=120)
            counter.pass_once()  # the segments sealed as the server stopped
            for path in files:  # anything on disk not sealed in the index is counted too (it would hold frames)
                if path not in counter.counted:
                    counter.counted[path] = video_samples(path)
            mismatched = [path for path in files if packets(path) != counter.counted[path]]
            check(not mismatched, f"the trun count agrees with ffprobe on all {len(files)} segments left on disk "
                                  f"({len(mismatched)} differ{': ' + ', '.join(mismatched[:3]) if mismatched else ''})")
            disagree = [path for path, frames in counter.index_frames.items() if frames != counter.counted[path]]
            check(not disagree, f"every sealed segment's index row gives the frames its file holds ({len(disagree)} of {len(counter.index_frames)} differ)")
            check(not counter.missed, f"every sealed segment was counted before the quota pruned it ({len(counter.missed)} missed)")
            recorded = sum(counter.counted.values())
            results.update({"segments_counted": len(counter.counted), "segments_on_disk_at_end": len(files),
                            "segments_missed": len(counter.missed), "index_frames_of_sealed": sum(counter.index_frames.values())})
        else:
            recorded = sum(packets(path) for path in files)
        # The frames owed before the soak window began were recorded too: count from the start of recording instead.
        owed_total = int(simulator.ask("owed", "owed ").split()[1])
        lost = max(0, owed_total - recorded)
        warm_up = 60 * (args.warm_up if args.warm_up is not None else max(args.minutes / 3, 1))
        warm = [rss for at, rss in samples if warm_up <= at < warm_up + 60] or [samples[0][1]]
        early = [rss for at, rss in samples if 60 <= at < 120] or [samples[0][1]]
        last = [rss for at, rss in samples if at >= args.minutes * 60 - 60] or [samples[-1][1]]
        growth = (sum(last) / len(last)) / (sum(warm) / len(warm)) - 1
        early_growth = (sum(last) / len(last)) / (sum(early) / len(early)) - 1
        steady = [(at, rss) for at, rss in samples if at >= warm_up]
        slope = 0.0  # bytes per second, least squares over the steady state
        if len(steady) >= 2:
            mean_t = sum(at for at, _ in steady) / len(steady)
            mean_r = sum(rss for _, rss in steady) / len(steady)
            spread = sum((at - mean_t) ** 2 for at, _ in steady)
            slope = sum((at - mean_t) * (rss - mean_r) for at, rss in steady) / spread if spread else 0.0
        steady_growth = slope * (args.minutes * 60 - warm_up) / (sum(warm) / len(warm))
        results.update({
            "warm_up_minutes": round(warm_up / 60, 1),
            "rss_mib_after_warmup": round(sum(warm) / len(warm) / 1048576, 1), "rss_mib_last_minute": round(sum(last) / len(last) / 1048576, 1),
            "rss_mib_second_minute": round(sum(early) / len(early) / 1048576, 1), "rss_growth_from_second_minute": round(early_growth, 4),
            "rss_slope_mib_per_hour": round(slope * 3600 / 1048576, 2), "rss_steady_growth": round(steady_growth, 4),
            "rss_growth": round(growth, 4), "rss_samples_mib": [round(rss / 1048576, 1) for _, rss in samples],
            "anon_samples_mib": [round(anon / 1048576, 1) for _, anon, _ in parts], "file_samples_mib": [round(mapped / 1048576, 1) for _, _, mapped in parts],
            "frames_owed_since_start": owed_total, "frames_owed_in_window": owed, "frames_recorded": recorded, "frames_lost": lost,
            "events": tally, "viewer_messages": [c["messages"] for c in counts], "viewer_mib": [round(c["bytes"] / 1048576, 1) for c in counts],
            "viewer_reconnects": [len(c["errors"]) for c in counts]})
        print(json.dumps({k: v for k, v in results.items() if not k.endswith("_samples_mib")}), flush=True)
        check(growth < args.max_growth, f"server RSS grew {growth * 100:.2f} % from the minute after the {warm_up / 60:.0f}-minute warm-up to the last "
                                        f"minute ({results['rss_mib_after_warmup']} → {results['rss_mib_last_minute']} MiB; limit {args.max_growth * 100:.0f} %; "
                                        f"{early_growth * 100:.2f} % from the second minute, {results['rss_mib_second_minute']} MiB)")
        check(steady_growth < args.max_growth, f"steady-state RSS slope {results['rss_slope_mib_per_hour']} MiB/h adds {steady_growth * 100:.2f} % over the "
                                               f"{(args.minutes * 60 - warm_up) / 60:.0f} minutes after warm-up (limit {args.max_growth * 100:.0f} %)")
        check(lost == 0, f"no frame lost: {owed_total} owed since recording began, {recorded} in the files ({lost} lost)")
        check(all(c["last"] >= until - 15 for c in counts) and min(c["messages"] for c in counts) > 0,
              f"every one of {args.viewers} live viewers received video to the end (reconnects {sum(results['viewer_reconnects'])})")
        check(tally["refused"] == 0 and tally["sent"] >= args.events * args.minutes * 60 * 0.95,
              f"the intake accepted every event ({tally['accepted']} of {tally['sent']}; refused statuses {tally['statuses']})")
    finally:
        if server.poll() is None:
            server.kill()
        simulator.process.kill()
        with open(os.path.join(args.workdir, "soak-results.json"), "w") as out:
            json.dump(results, out)
    print(summary(), flush=True)
    return 0 if summary().endswith(" 0 failed") else 1


if __name__ == "__main__":
    sys.exit(main())
