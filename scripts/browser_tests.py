"""The operator web app in real headless Chromium (Debian's chromium, driven by Playwright), against the real
`rtcc` server recording cameras from its simulator.

Checks: sign-in with good and bad passwords; a 4-tile wall whose videos really play (currentTime advances and
decoded frames grow); H.265 plays where Chromium can decode it and otherwise says so; a stopped source shows
"down" and recovers by itself; layouts survive a reload; playback seeks land within 0.5 s of the requested time;
4 cameras play back within 0.2 s of each other, and wait for each other at the live edge; bad input (unknown camera, a camera the user may not see, a time
with no recording, malformed WebSocket messages) gets a clear message and a 4xx; HLS plays in ffprobe; snapshots
are JPEGs. Screenshots go to OUTDIR. Usage: browser_tests.py RTCC OUTDIR
"""
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid

from playwright.sync_api import sync_playwright

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from browser_support import RESULTS, Client, check, read_line, summary, wait_for  # noqa: E402

RTCC = os.path.abspath(sys.argv[1])
OUT = os.path.abspath(sys.argv[2] if len(sys.argv) > 2 else "browser-test-output")
os.makedirs(OUT, exist_ok=True)
WORK = tempfile.mkdtemp(prefix="rtcc-browser-")
DATA = os.path.join(WORK, "data")
PASSWORD = "a long test password"
CHROMIUM = os.environ.get("RTCC_CHROMIUM", "/usr/bin/chromium")


def main():
    simulator = subprocess.Popen(
        [RTCC, "simulate", "--cameras", "5", "--port", "0", "--size", "640x360", "--bitrate", "400000", "--fps", "15", "--seconds", "4",
         "--clips", os.path.join(WORK, "clips")],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    base_h264 = read_line(simulator, r"(rtsp://\S+)/cam001")
    simulator_h265 = subprocess.Popen(
        [RTCC, "simulate", "--cameras", "1", "--port", "0", "--codec", "h265", "--size", "640x360", "--bitrate", "300000", "--fps", "15",
         "--seconds", "4", "--clips", os.path.join(WORK, "clips")],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    base_h265 = read_line(simulator_h265, r"(rtsp://\S+)/cam001")
    csv = os.path.join(WORK, "cameras.csv")
    with open(csv, "w") as handle:
        handle.write("name,kind,latitude,longitude,main_stream_url\n")
        for n in range(1, 6):
            handle.write(f"Sim {n},city,32.5{n},-93.75,{base_h264}/cam00{n}\n")
        handle.write(f"Sim HEVC,city,32.56,-93.75,{base_h265}/cam001\n")
        handle.write("Not recorded,city,32.57,-93.75,\n")
    subprocess.run([RTCC, "cameras", "import", csv, "--data", DATA], check=True, capture_output=True)
    env = dict(os.environ, RTCC_PASSWORD=PASSWORD)
    for name, role in [("admin", "admin"), ("alice", "analyst"), ("audrey", "auditor")]:
        subprocess.run([RTCC, "user", "add", name, "--role", role, "--data", DATA], check=True, capture_output=True, env=env)
    server_env = dict(os.environ, RTCC_SEGMENT_SECONDS="6", RTCC_OFFLINE_SECONDS="2", RTCC_BCRYPT_COST="4", RTCC_LOG_LEVEL="info",
                      RTCC_MFA_REQUIRED_ROLES="")  # two-factor sign-in is tested in browser_admin_tests.py
    server_log = open(os.path.join(OUT, "server.log"), "w")
    server = subprocess.Popen([RTCC, "serve", "--data", DATA, "--port", "0"], stdout=subprocess.PIPE, stderr=server_log,
                              text=True, env=server_env)
    base = read_line(server, r"(https?://\S+?)/?\s")
    RESULTS["server_started"] = time.time()
    try:
        run(base, simulator)
    finally:
        for process in (server, simulator, simulator_h265):
            process.terminate()
        for process in (server, simulator, simulator_h265):
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()


def run(base, simulator):
    admin = Client(base).login("admin", PASSWORD)
    _, page_of_cameras, _ = admin.call("GET", "/api/v1/cameras?limit=100")
    cameras = {c["name"]: c for c in page_of_cameras["items"]}
    sims = [cameras[f"Sim {n}"]["id"] for n in range(1, 6)]
    hevc = cameras["Sim HEVC"]["id"]
    not_recorded = cameras["Not recorded"]["id"]
    # A partner user who sees only the partner's own camera.
    _, partner, _ = admin.call("POST", "/api/v1/partners", {"name": "Corner Shop", "kind": "business", "contactName": "Pat",
                                                             "email": "pat@example.org", "address": "1 Main St"})
    admin.call("PATCH", f"/api/v1/cameras/{sims[4]}", {"partnerID": partner["id"]})
    admin.call("POST", "/api/v1/users", {"username": "pat", "displayName": "Pat", "role": "partner", "password": PASSWORD,
                                        "partnerID": partner["id"]})
    check(wait_for(lambda: all(h["state"] == "streaming" for h in admin.call("GET", "/api/v1/cameras/health")[1]
                               if h["cameraID"] in sims[:4]) and len(admin.call("GET", "/api/v1/cameras/health")[1]) >= 5, 60,
                   "cameras streaming"), "the recorder streams the simulated cameras")

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--autoplay-policy=no-user-gesture-required"])
        context = browser.new_context(viewport={"width": 1920, "height": 1080})
        page = context.new_page()
        page.on("pageerror", lambda error: print(f"  page error: {error}", flush=True))
        try:
            sign_in(page, base)
            wall(page, base, sims, hevc, simulator)
            playback(page, base, admin, sims)
            evidence(page, browser, base, sims)
            bad_input(page, base, admin, sims, not_recorded)
            partner_view(browser, base, sims)
        finally:
            page.screenshot(path=os.path.join(OUT, "last.png"))
            browser.close()
    hls_and_snapshots(base, admin, sims)


def sign_in(page, base):
    page.goto(base + "/")
    page.wait_for_selector("#signin-form", state="visible")
    page.fill("#signin-user", "alice")
    page.fill("#signin-password", "not the password")
    page.click("#signin-submit")
    error = page.wait_for_selector("#signin-error", state="visible")
    check("Wrong user name or password" in error.inner_text(), "a bad password is refused with a clear message")
    check(page.is_hidden("#shell"), "the app stays hidden after a bad password")
    page.fill("#signin-user", "alice")
    page.fill("#signin-password", PASSWORD)
    page.click("#signin-submit")
    page.wait_for_selector("#shell", state="visible")
    check("alice" in page.inner_text("#whoami") or "analyst" in page.inner_text("#whoami"), "a good password opens the app")
    page.wait_for_selector("#wall-grid .tile")


def tile_playback(page, index):
    return page.evaluate("""(i) => { const v = document.querySelectorAll('#wall-grid .tile video')[i];
        return { t: v.currentTime, frames: v.getVideoPlaybackQuality().totalVideoFrames, state: v.closest('.tile').dataset.state }; }""", index)


def wall(page, base, sims, hevc, simulator):
    page.keyboard.press("2")  # 4 tiles
    check(page.eval_on_selector_all("#wall-grid .tile", "t => t.length") == 4, "key 2 makes a 4-tile wall")
    for camera in sims[:4]:
        page.click(f".cam-item[data-camera='{camera}']")
    wait_for(lambda: all(tile_playback(page, i)["state"] == "live" for i in range(4)), 30, "4 live tiles")
    first = [tile_playback(page, i) for i in range(4)]
    time.sleep(3)
    second = [tile_playback(page, i) for i in range(4)]
    for i in range(4):
        check(second[i]["t"] > first[i]["t"] + 1.5 and second[i]["frames"] > first[i]["frames"] + 20,
              f"tile {i + 1} plays H.264 live (currentTime {first[i]['t']:.2f}→{second[i]['t']:.2f}, frames {first[i]['frames']}→{second[i]['frames']})")
    lag = page.evaluate("""() => [...document.querySelectorAll('#wall-grid .tile video')].map(v => v.buffered.length ? v.buffered.end(v.buffered.length-1) - v.currentTime : 99)""")
    check(max(lag) < 1.0, f"every tile keeps to the live edge (buffered ahead {max(lag):.2f} s)")
    page.screenshot(path=os.path.join(OUT, "wall.png"))

    # H.265: plays natively where this Chromium decodes it, else through the server's H.264 re-encoding.
    page.keyboard.press("3")
    page.click(f".cam-item[data-camera='{hevc}']")
    hevc_index = 4
    supported = page.evaluate("() => MediaSource.isTypeSupported('video/mp4; codecs=\"hvc1.1.6.L93.B0\"')")
    wait_for(lambda: tile_playback(page, hevc_index)["frames"] > 20, 40, "H.265 tile frames")
    first = tile_playback(page, hevc_index)
    time.sleep(2)
    second = tile_playback(page, hevc_index)
    message = page.eval_on_selector_all("#wall-grid .tile .message", "m => m[4].textContent")
    how = "natively" if supported else f"re-encoded to H.264 (\"{message}\")"
    check(second["frames"] > first["frames"] + 15 and second["t"] > first["t"] + 1 and (supported or "re-encoded" in message),
          f"an H.265 camera plays on the wall, {how} (frames {first['frames']}→{second['frames']})")

    # A stopped source shows down, then recovers by itself.
    simulator.stdin.write("offline 2\ndrop 2\n")
    simulator.stdin.flush()
    went_down = wait_for(lambda: tile_playback(page, 1)["state"] == "down", 20, "tile 2 down")
    check(bool(went_down), "a stopped source's tile shows \"down\"")
    badge = page.eval_on_selector_all("#wall-grid .tile .badge", "b => b[1].textContent")
    check(badge == "down", f"the badge reads \"{badge}\"")
    page.screenshot(path=os.path.join(OUT, "wall-camera-down.png"))
    simulator.stdin.write("online 2\n")
    simulator.stdin.flush()
    before = tile_playback(page, 1)["frames"]
    recovered = wait_for(lambda: tile_playback(page, 1)["state"] == "live" and tile_playback(page, 1)["frames"] > before + 15, 40, "tile 2 live")
    check(bool(recovered), "the tile recovers by itself when the source returns")

    # Layouts are saved per user.
    wait_for(lambda: page.evaluate("() => document.querySelector('#screen').dataset.saved"), 10, "layout saved")
    page.reload()
    page.wait_for_selector("#wall-grid .tile[data-camera]")
    wait_for(lambda: page.eval_on_selector_all("#wall-grid .tile[data-camera]", "t => t.length") == 5, 10)
    restored = page.eval_on_selector_all("#wall-grid .tile", "t => t.map(x => x.dataset.camera || null)")
    check(len(restored) == 9 and restored[:4] == sims[:4] and restored[4] == "" or (len(restored) == 9 and restored[:4] == sims[:4]),
          "the wall layout (9 tiles, same cameras) is restored after a reload")

    # Fewer tiles and back: the hidden tiles' cameras come back instead of being dropped.
    tiles = lambda: page.eval_on_selector_all("#wall-grid .tile", "t => t.map(x => x.dataset.camera || '')")
    before = tiles()
    page.keyboard.press("1")
    check(len(tiles()) == 1, "key 1 makes a one-tile wall")
    page.keyboard.press("3")
    wait_for(lambda: tiles() == before, 10, "the tiles back")
    check(tiles() == before, f"switching to one tile and back keeps every camera ({sum(1 for t in tiles() if t)} of {sum(1 for t in before if t)})")

    # A named layout changes only when it is saved.
    saved_layouts = lambda: {l["name"]: l for l in page.evaluate("() => fetch('/api/v1/me/layouts').then(r => r.json())")["layouts"]}
    page.once("dialog", lambda dialog: dialog.accept("Downtown"))
    page.click("#layout-save")
    check(wait_for(lambda: "Downtown" in saved_layouts(), 10, "the named layout") is not None, "Save as… stores a named layout")
    page.click("#wall-grid .tile >> nth=0")
    page.keyboard.press("Delete")
    wait_for(lambda: saved_layouts()["Current"]["tiles"][0] is None, 10, "the working wall saved")
    check(saved_layouts()["Downtown"]["tiles"][0] == before[0], "changing the wall leaves the named layout as it was saved")
    page.click("#layout-save-named")
    check(wait_for(lambda: saved_layouts()["Downtown"]["tiles"][0] is None, 10, "the named layout saved") is not None,
          "Save overwrites the selected named layout")
    check(page.eval_on_selector("#toast", "t => t.className").find("success") >= 0, "the success message looks like a success")
    page.keyboard.press("2")


def seek(page, wanted, what):
    """Seeks the playback screen to `wanted` (ms since the epoch) and waits until every camera has moved there."""
    page.evaluate("(t) => window.rtccPlayback.seek(t)", wanted)
    wait_for(lambda: page.evaluate("(t) => document.querySelector('#screen').dataset.seekedTo == String(t)", wanted), 20, what)


def playback(page, base, admin, sims):
    # The seeks below go up to 25 s back: wait until that much is recorded.
    time.sleep(max(0.0, RESULTS["server_started"] + 32 - time.time()))
    target = time.time() - 25
    at = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(target)) + f".{int((target % 1) * 1000):03d}Z"
    # Not the camera whose source the wall test stopped: its recording has a gap then.
    chosen = [sims[0], sims[2], sims[3], sims[4]]
    page.goto(f"{base}/playback?cameras={','.join(chosen)}&at={at}")
    page.wait_for_selector("#purpose-dialog", state="visible")
    page.fill("#purpose-case", "26-014523")
    page.fill("#purpose-text", "Review of the 7th St shooting")
    page.click("#purpose-ok")
    landed = wait_for(lambda: page.evaluate("() => document.querySelector('#screen').dataset.seekedTo"), 30, "seek")
    check(bool(landed), "playback opens after the purpose is given")
    wait_for(lambda: page.evaluate("() => window.rtccPlayback.players.every(p => p.presentedWall !== null)"), 15, "frames presented")
    # Seek accuracy: pause, seek to several times, compare the presented frame's time.
    for offset in (-18.3, -11.7, -4.2):
        wanted = (time.time() + offset) * 1000
        page.evaluate("() => window.rtccPlayback.pause()")
        seek(page, wanted, "seek done")
        time.sleep(0.6)
        shown = page.evaluate("() => window.rtccPlayback.players.map(p => [p.wallClock, p.presentedWall])")
        errors = [abs(s[0] - wanted) / 1000 for s in shown]
        presented = [abs(s[1] - wanted) / 1000 for s in shown if s[1] is not None]
        check(max(errors) <= 0.5 and presented and max(presented) <= 0.5,
              f"seek to {offset:+.1f} s lands within 0.5 s (play head off by ≤ {max(errors):.3f} s, presented frame ≤ {max(presented or [9]):.3f} s)"
              + ("" if max(errors) <= 0.5 else f" per camera {[round(e, 3) for e in errors]}; recordings {recorded_ranges(admin, chosen, wanted)}"))
    # Synchronised playback of 4 cameras.
    page.evaluate("() => window.rtccPlayback.play()")
    time.sleep(2)
    spreads = []
    for _ in range(12):
        clocks = page.evaluate("() => window.rtccPlayback.players.map(p => p.wallClock)")
        spreads.append((max(clocks) - min(clocks)) / 1000)
        time.sleep(0.4)
    advancing = page.evaluate("() => window.rtccPlayback.players.map(p => p.video.getVideoPlaybackQuality().totalVideoFrames)")
    check(max(spreads) < 0.2, f"4 cameras play back within 0.2 s of each other (largest spread {max(spreads):.3f} s)")
    check(min(advancing) > 30, f"every playback tile decodes frames ({advancing})")
    # Playing into the present at 2×: each camera runs out of recorded pictures at its own moment, and the group
    # waits for the one still to receive them instead of leaving it behind.
    wanted = (time.time() - 4) * 1000
    # Sampled once every camera has moved there: before, a camera still at the old time measures the seek, not the play.
    seek(page, wanted, "seek to the present done")
    page.select_option("#playback-rate", "2")
    started = page.evaluate("() => window.rtccPlayback.wallClock()")
    trace = []
    for _ in range(36):  # 9 s: footage is served up to the last sealed segment (6 s here), so it may wait that long
        # Each player's time, whether it is paused, and what it holds (milliseconds relative to `started`).
        trace.append(page.evaluate("""(started) => ({
            waiting: document.querySelector('#screen').dataset.waitingFor || '',
            players: window.rtccPlayback.players.map(p => {
                const b = p.video.buffered, ranges = [];
                for (let i = 0; i < b.length; i += 1) ranges.push([+(p.wallAt(b.start(i)) - started).toFixed(0), +(p.wallAt(b.end(i)) - started).toFixed(0)]);
                return { clock: p.wallClock, paused: p.video.paused, ranges, placed: p.onItsPictures() };
            }) })""", started))
        time.sleep(0.25)
    # A tile that holds no pictures yet (its camera's newest footage is not served yet) shows no moment.
    shown = [[p["clock"] for p in sample["players"] if p["placed"]] for sample in trace]
    spreads = [(max(clocks) - min(clocks)) / 1000 if clocks else 0 for clocks in shown]
    waited = {sample["waiting"] for sample in trace}
    played = (page.evaluate("() => window.rtccPlayback.wallClock()") - started) / 1000
    page.select_option("#playback-rate", "1")
    showing = sum(1 for p in trace[-1]["players"] if p["placed"])
    together = len(waited - {""}) > 0 and max(spreads) < 0.2 and played > 2 and showing == len(trace[-1]["players"])
    check(together,
          f"at the present the cameras wait for each other's pictures and play on together (waited for "
          f"{len(waited - {''})} sets of cameras; played {played:.1f} s; largest spread {max(spreads):.3f} s; "
          f"{showing} of {len(trace[-1]['players'])} showing pictures at the end)")
    if not together:
        for number, sample in enumerate(trace):
            players = "; ".join(f"{p['clock'] - started:.0f} ms{' paused' if p['paused'] else ''}{'' if p['placed'] else ' (no pictures there)'} holds {p['ranges']}"
                                for p in sample["players"])
            print(f"#   {number * 0.25:5.2f} s: waiting for [{sample['waiting']}] | {players}", flush=True)
    page.evaluate("(t) => window.rtccPlayback.seek(t)", (time.time() - 22) * 1000)
    time.sleep(1.0)
    page.select_option("#playback-rate", "4")
    before = page.evaluate("() => window.rtccPlayback.wallClock()")
    time.sleep(1.5)
    after = page.evaluate("() => window.rtccPlayback.wallClock()")
    check((after - before) / 1000 > 3.0, f"4× speed advances the wall clock {(after - before) / 1000:.1f} s in 1.5 s")
    page.select_option("#playback-rate", "1")
    page.evaluate("() => window.rtccPlayback.pause()")
    t0 = page.evaluate("() => window.rtccPlayback.wallClock()")
    page.click("button[title^='Next frame']")
    time.sleep(0.5)
    t1 = page.evaluate("() => window.rtccPlayback.wallClock()")
    check(0.03 < (t1 - t0) / 1000 < 0.1, f"frame step moves one frame ({(t1 - t0):.1f} ms)")
    timeline_segments = page.eval_on_selector_all("#timeline .rec", "r => r.length")
    check(timeline_segments >= 4, f"the timeline shows recorded ranges for every camera ({timeline_segments} bars)")
    page.screenshot(path=os.path.join(OUT, "playback.png"))
    status, audit, _ = Client(base).login("audrey", PASSWORD).call("GET", "/api/v1/audit?limit=1000")
    entries = audit["items"] if isinstance(audit, dict) and "items" in audit else (audit or [])
    starts = [e for e in entries if e.get("action") == "playback.start" and e.get("purpose") == "Review of the 7th St shooting"]
    check(status == 200 and len(starts) == 1 and starts[0].get("target") == "case:26-014523",
          f"starting playback wrote one audit entry with the purpose and case ({len(starts)} found)")
    banner = page.inner_text("#playback-case")
    check("Case 26-014523" in banner and "Review of the 7th St shooting" in banner, f"the screen shows the active case and purpose ({banner})")

    # A second case: opening cameras for it asks again (offering that case), and its viewing is audited under it.
    page.goto(f"{base}/playback?cameras={sims[1]}&at={at}&case=26-020001")
    page.wait_for_selector("#purpose-dialog", state="visible")
    check(page.input_value("#purpose-case") == "26-020001" and page.input_value("#purpose-text") == "",
          "opening cameras for another case asks for its purpose, offering that case")
    page.fill("#purpose-text", "Burglary on Market St")
    page.click("#purpose-ok")
    wait_for(lambda: "26-020001" in page.inner_text("#playback-case"), 20, "the second case")
    # Changing the purpose from the screen reopens the cameras under the new one.
    page.click("#purpose-change")
    page.wait_for_selector("#purpose-dialog", state="visible")
    check(page.input_value("#purpose-case") == "26-020001", "Change offers the active case")
    page.fill("#purpose-text", "Burglary on Market St, suspect's car")
    page.click("#purpose-ok")
    wait_for(lambda: "suspect's car" in page.inner_text("#playback-case"), 20, "the changed purpose")
    status, audit, _ = Client(base).login("audrey", PASSWORD).call("GET", "/api/v1/audit?action=playback.start&limit=1000")
    entries = audit["items"] if isinstance(audit, dict) and "items" in audit else (audit or [])
    by_case = {(e.get("target"), e.get("purpose")) for e in entries}
    check({("case:26-014523", "Review of the 7th St shooting"), ("case:26-020001", "Burglary on Market St"),
           ("case:26-020001", "Burglary on Market St, suspect's car")} <= by_case,
          f"each playback is audited under the case of the cameras actually opened ({sorted(by_case)})")
    # The camera picker is searchable.
    page.goto(f"{base}/playback")
    page.wait_for_selector("#picker-search")
    page.fill("#picker-search", "sim hevc")
    visible = page.eval_on_selector_all("#picker-list .cam-item", "items => items.filter(i => !i.hidden).map(i => i.textContent)")
    check(len(visible) == 1 and "Sim HEVC" in visible[0], f"searching the playback picker finds the camera by name ({visible})")
    # Back to the first case for the export below.
    page.goto(f"{base}/playback?cameras={','.join(chosen)}&at={at}&case=26-014523")
    page.wait_for_selector("#purpose-dialog", state="visible")
    page.fill("#purpose-text", "Review of the 7th St shooting")
    page.click("#purpose-ok")
    wait_for(lambda: page.evaluate("() => document.querySelector('#screen').dataset.seekedTo"), 30, "seek")


def local_input(epoch):
    """A datetime-local value for an epoch time, in the browser's (and this machine's) time zone."""
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.localtime(epoch))


def evidence(page, browser, base, sims):
    page.click("#playback-export")
    page.wait_for_selector("#new-case-dialog", state="visible")
    check(page.input_value("#new-case-number") == "26-014523", "exporting from playback offers a new case with the playback's case number")
    page.fill("#new-case-type", "aggravated assault")
    page.fill("#new-case-location", "7th St & Texas Ave")
    page.click("#new-case-ok")
    page.wait_for_selector("#export-start")
    selected = page.eval_on_selector("#export-cameras", "s => [...s.selectedOptions].map(o => o.value)")
    check(len(selected) == 4, f"the export form has the playback's cameras selected ({len(selected)})")
    page.fill("#export-camera-search", "sim 3")
    listed = page.eval_on_selector_all("#export-cameras option", "o => o.filter(x => !x.hidden).map(x => x.textContent)")
    check(any(t.startswith("Sim 3") for t in listed) and len(listed) == 4, f"searching the export picker keeps the chosen cameras and finds Sim 3 ({listed})")
    page.fill("#export-camera-search", "")
    page.select_option("#export-cameras", [sims[0], sims[2]])
    page.fill("#export-from", local_input(time.time() - 30))
    page.fill("#export-until", local_input(time.time() - 12))
    page.fill("#export-purpose", "Requested by Det. Ruiz")
    page.click("#export-start")
    done = wait_for(lambda: page.eval_on_selector_all("#case-exports .job", "j => j.map(x => x.dataset.state)")[:1] == ["succeeded"], 60, "export job")
    check(bool(done), "the export runs in the background to 100 %")
    package = wait_for(lambda: page.eval_on_selector("#case-packages .package", "p => p.dataset.package"), 20, "package")
    check(bool(package), "the signed package is listed on the case")
    frames = page.eval_on_selector_all("#case-packages .package table tr td:nth-child(2)", "t => t.map(x => Number(x.textContent))")
    check(len(frames) == 2 and all(250 <= f <= 290 for f in frames), f"each camera's clip holds the 18 s of pictures (frames {frames}, 15 fps)")
    page.click(f"button[data-verify='{package}']")
    check(bool(wait_for(lambda: page.evaluate("() => document.querySelector('#screen').dataset.verified") == "true", 20, "verified")),
          "the package verifies in the app")
    heads = page.evaluate("""async (id) => {
        const zip = await fetch(`/api/v1/packages/${id}/download`); const z = new Uint8Array(await zip.arrayBuffer());
        const pdf = await fetch(document.querySelector('#custody-pdf').href); const p = new Uint8Array(await pdf.arrayBuffer());
        return { zip: zip.status, zipHead: String.fromCharCode(z[0], z[1]), pdf: pdf.status, pdfHead: String.fromCharCode(p[0], p[1], p[2], p[3]) }; }""", package)
    check(heads["zip"] == 200 and heads["zipHead"] == "PK", f"the package downloads as a ZIP ({heads['zip']})")
    check(heads["pdf"] == 200 and heads["pdfHead"] == "%PDF", f"the case's custody report opens as a PDF ({heads['pdf']})")
    check(page.query_selector(f"button[data-share='{package}']") is None, "an analyst is not offered the release to police")
    page.screenshot(path=os.path.join(OUT, "evidence.png"))
    # A supervisor releases it with a share link that works without an account, until revoked.
    context = browser.new_context(viewport={"width": 1600, "height": 1000})
    boss = context.new_page()
    boss.goto(base + "/")
    boss.fill("#signin-user", "admin")
    boss.fill("#signin-password", PASSWORD)
    boss.click("#signin-submit")
    boss.wait_for_selector("#shell", state="visible")
    case_id = page.evaluate("() => window.rtccEvidence.current.id")
    boss.goto(f"{base}/evidence?case={case_id}")
    answers = iter(["Det. Ruiz, Shreveport PD", "Prosecution of case 26-014523"])
    boss.on("dialog", lambda dialog: dialog.accept(next(answers)))
    boss.wait_for_selector(f"button[data-share='{package}']").click()
    shown = wait_for(lambda: boss.query_selector("#share-url code"), 20, "share URL")
    if not check(bool(shown), "a supervisor's release shows the share link once"):
        toast_text = boss.evaluate("() => document.querySelector('#toast').textContent")
        print(f"  toast: {toast_text}")
        context.close()
        return
    url = shown.inner_text()
    status, body, _ = Client(base).call("GET", url.replace(base, ""), raw=True)
    check(status == 200 and body[:2] == b"PK", f"the share link downloads the package without an account ({status})")
    boss.click(".share button")
    wait_for(lambda: boss.eval_on_selector(".share", "s => s.dataset.state") != "active", 10, "revoked")
    status, _, _ = Client(base).call("GET", url.replace(base, ""), raw=True)
    check(status == 410, f"a revoked share link is gone (410, got {status})")
    context.close()


def recorded_ranges(client, cameras, around_ms):
    """What the index says is recorded near a time, for failure messages."""
    start = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(around_ms / 1000 - 20))
    end = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(around_ms / 1000 + 20))
    wanted = time.strftime("%H:%M:%S", time.gmtime(around_ms / 1000))
    out = {"wanted": wanted}
    for camera in cameras:
        _, coverage, _ = client.call("GET", f"/api/v1/cameras/{camera}/recordings?from={start}&until={end}")
        out[camera[:4]] = [(r["from"][11:19], r["until"][11:19]) for r in coverage.get("recorded", [])]
    return out


def bad_input(page, base, admin, sims, not_recorded):
    unknown = str(uuid.uuid4())
    status, problem, headers = admin.call("GET", f"/api/v1/cameras/{unknown}/live")
    check(status == 404 and "camera" in problem.get("detail", ""), f"live view of an unknown camera is a 404 problem ({status})")
    status, problem, _ = admin.call("GET", f"/api/v1/cameras/{not_recorded}/live")
    check(status == 409 and "not streaming" in problem.get("detail", ""), f"live view of a camera that is not recorded is a 409 explaining why ({status})")
    status, problem, _ = Client(base).call("GET", f"/api/v1/cameras/{sims[0]}/live")
    check(status == 401, f"live view without signing in is a 401 ({status})")
    session_status, session, _ = admin.call("POST", "/api/v1/playback", {"cameraIDs": [sims[0]], "purpose": "bad input checks"})
    status, body, headers = admin.call(
        "GET", f"/api/v1/cameras/{sims[0]}/media?session={session['id']}&from=2020-01-01T00:00:00Z&until=2020-01-01T00:00:10Z&origin=2019-12-31T00:00:00Z",
        raw=True)
    first = headers.get("X-RTCC-First-Frame", "")
    check(status == 200 and first.startswith(time.strftime("%Y", time.gmtime())) and body[4:8] == b"ftyp",
          f"a time before the recording serves the first recording after it (first frame {first})")
    future = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 3600))
    status, problem, _ = admin.call("GET", f"/api/v1/cameras/{sims[0]}/media?session={session['id']}&from={future}")
    check(status == 404 and "nothing" in problem.get("detail", ""), f"a time with no recording is a 404 saying so ({status})")
    status, problem, _ = admin.call("GET", f"/api/v1/cameras/{sims[0]}/media?from={future}")
    check(status == 400 and "playback session" in problem.get("detail", ""), f"media without a playback session is a 400 ({status})")
    status, problem, _ = admin.call("GET", f"/api/v1/cameras/{sims[0]}/media?session={uuid.uuid4()}&from={future}")
    check(status == 403, f"media with someone else's or an unknown session is a 403 ({status})")
    status, problem, _ = admin.call("POST", "/api/v1/playback", {"cameraIDs": [sims[0]], "purpose": ""})
    check(status == 422 and any(e["field"] == "purpose" for e in problem.get("errors", [])), "playback without a purpose is refused (422)")
    # Malformed WebSocket messages get an error message back, the video keeps flowing.
    page.goto(base + "/wall")
    page.wait_for_selector("#wall-grid")
    reply = page.evaluate("""(id) => new Promise((resolve) => {
        const ws = new WebSocket(`ws://${location.host}/api/v1/cameras/${id}/live`); ws.binaryType = 'arraybuffer';
        let binaries = 0, error = null;
        ws.onopen = () => { ws.send('{not json'); ws.send(new Uint8Array([1, 2, 3])); };
        ws.onmessage = (e) => { if (typeof e.data === 'string') { const m = JSON.parse(e.data); if (m.type === 'error') error = m.message; } else binaries += 1;
            if (error && binaries > 20) { ws.close(); resolve({ error, binaries }); } };
        setTimeout(() => resolve({ error, binaries }), 10000); })""", sims[0])
    check(bool(reply["error"]) and reply["binaries"] > 20, f"malformed WebSocket messages get an error message and the stream goes on ({reply})")
    refused = page.evaluate("""(id) => new Promise((resolve) => { const ws = new WebSocket(`ws://${location.host}/api/v1/cameras/${id}/live`);
        ws.onopen = () => resolve('opened'); ws.onclose = (e) => resolve('closed ' + e.code); })""", str(uuid.uuid4()))
    check(refused.startswith("closed"), f"a WebSocket to an unknown camera is refused ({refused})")
    page.goto(f"{base}/playback?cameras={uuid.uuid4()}")
    toast = page.wait_for_selector("#toast", state="visible", timeout=10000)
    check("Unknown camera" in toast.inner_text(), f"playback of an unknown camera says so: \"{toast.inner_text()}\"")
    target = time.time() - 3 * 86400
    page.goto(f"{base}/playback?cameras={sims[0]}&at={time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime(target))}")
    wait_for(lambda: page.evaluate("() => document.querySelector('#screen').dataset.seekedTo"), 20, "seek into the past")
    message = page.eval_on_selector("#playback-grid .tile .message", "m => m.textContent")
    check("No recording at that time" in message, f"a time with no recording is explained on the tile: \"{message}\"")


def partner_view(browser, base, sims):
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.goto(base + "/")
    page.fill("#signin-user", "pat")
    page.fill("#signin-password", PASSWORD)
    page.click("#signin-submit")
    page.wait_for_selector("#whoami")
    page.goto(base + "/wall")
    page.wait_for_selector("#camera-list .cam-item")
    listed = page.eval_on_selector_all("#camera-list .cam-item", "items => items.map(i => i.dataset.camera)")
    check(listed == [sims[4]], f"a partner's wall lists only the partner's own camera ({len(listed)} listed)")
    page.goto(f"{base}/playback?cameras={sims[0]}")
    toast = page.wait_for_selector("#toast", state="visible", timeout=10000)
    check("Unknown camera" in toast.inner_text(), "a partner cannot open playback of another camera")
    context.close()


def hls_and_snapshots(base, admin, sims):
    status, token, _ = admin.call("POST", "/api/v1/tokens", {"name": "hls player", "scopes": ["cameras:read", "session:read"]})
    bearer = token["secret"]
    probe = subprocess.run(
        ["ffprobe", "-v", "error", "-headers", f"Authorization: Bearer {bearer}\r\n", "-show_entries", "stream=codec_name,width,height",
         "-of", "json", f"{base}/api/v1/cameras/{sims[0]}/hls/index.m3u8"], capture_output=True, text=True, timeout=60)
    streams = json.loads(probe.stdout or "{}").get("streams", [])
    check(bool(streams) and streams[0].get("codec_name") == "h264" and streams[0].get("width") == 640,
          f"ffprobe reads the live HLS stream ({streams or probe.stderr.strip()[:200]})")
    decode = subprocess.run(
        ["ffmpeg", "-v", "error", "-headers", f"Authorization: Bearer {bearer}\r\n", "-i", f"{base}/api/v1/cameras/{sims[0]}/hls/index.m3u8",
         "-t", "3", "-f", "null", "-"], capture_output=True, text=True, timeout=60)
    check(decode.returncode == 0, f"ffmpeg decodes 3 s of the HLS stream ({decode.stderr.strip()[:200]})")
    status, jpeg, headers = admin.call("GET", f"/api/v1/cameras/{sims[0]}/snapshot.jpg", raw=True)
    check(status == 200 and jpeg[:2] == b"\xff\xd8" and headers.get("Content-Type") == "image/jpeg", "a snapshot is a JPEG")
    with open(os.path.join(OUT, "snapshot.jpg"), "wb") as handle:
        handle.write(jpeg)
    status, summary, _ = admin.call("GET", "/api/v1/telemetry/live")
    if summary and summary.get("samples"):
        print(f"  live latency reported by the wall: p50 {summary['p50']:.0f} ms, p95 {summary['p95']:.0f} ms over {summary['samples']} frames")
    check(status == 200 and summary["samples"] > 100 and summary["p95"] < 1000,
          f"the wall reported its ingress→presented latency ({summary})")


if __name__ == "__main__":
    try:
        main()
    finally:
        print(summary(), flush=True)
    sys.exit(1 if RESULTS["failed"] else 0)
