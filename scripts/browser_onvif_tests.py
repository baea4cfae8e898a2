"""ONVIF cameras in the web app, in real headless Chromium (Debian's chromium, driven by Playwright), against `rtcc demo`
with its simulated, recorded feeds and a real third-party ONVIF device emulator (ipycam, scripts/onvif_peer.py) whose
streams are one simulated camera's.

Checks: Admin > Cameras > "Find cameras" lists the device (name, model) for the address 127.0.0.1; a wrong password
shows the device's refusal and stores nothing; the right one fills the new-camera form (main and sub stream URL,
1920x1080, 30 fps, the device user as stream credentials, model and PTZ shown); saved, the camera is linked (model
VirtualCam-1) and streams and records. On the wall, its tile steers it: ArrowRight held ~1 s moves the device's pan (one
command, not one per auto-repeat), + zooms, a drag moves it and stops on release, a preset "Gate" is saved and its number
key brings the device back to it, Home and Escape work; the time from key press to request sent and to answer is
measured from window.rtccPTZLog. A second operator (an analyst) sees "Steered by admin" and is refused; takes control
once the administrator leaves; the administrator takes over ("Take over"). The audit log holds ptz.move, ptz.lock,
ptz.preset.set and ptz.preset.goto for the camera. A link that fails (device stopped) leaves the camera saved and is
retried from its form. Screenshots go to OUTDIR. Usage: browser_onvif_tests.py RTCC OUTDIR
"""
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from browser_support import RESULTS, Client, check, demo_server, free_port, read_line, sign_in_page as sign_in, summary, wait_for  # noqa: E402

RTCC = os.path.abspath(sys.argv[1])
OUT = os.path.abspath(sys.argv[2] if len(sys.argv) > 2 else "browser-onvif-test-output")
os.makedirs(OUT, exist_ok=True)
WORK = tempfile.mkdtemp(prefix="rtcc-onvif-")
DATA = os.path.join(WORK, "data")
CHROMIUM = os.environ.get("RTCC_CHROMIUM", "/usr/bin/chromium")
PYTHON = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), ".venv", "bin", "python")
PEER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "onvif_peer.py")
DEVICE_USER, DEVICE_PASSWORD = "admin", "ptz-test-pw"
PASSWORD = "a long test password"
CAMERA = "ONVIF test PTZ"


class Peer:
    """The ipycam device emulator on a free port, its streams those of one simulated camera."""

    def __init__(self, main, sub):
        self.port = free_port()
        self.main, self.sub = main, sub
        self.workdir = os.path.join(WORK, "peer")
        os.makedirs(self.workdir, exist_ok=True)
        self.process = None

    def start(self):
        self.log = open(os.path.join(OUT, "peer.log"), "a")
        self.process = subprocess.Popen(
            [PYTHON, PEER, "--port", str(self.port), "--rtsp-main", self.main, "--rtsp-sub", self.sub, "--user", DEVICE_USER,
             "--password", DEVICE_PASSWORD, "--workdir", self.workdir],
            stdout=subprocess.PIPE, stderr=self.log, text=True)
        self.address = read_line(self.process, r"READY (\S+)", timeout=60)

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None


def main():
    peer = None
    try:
        with demo_server(RTCC, DATA, os.path.join(OUT, "server.log"), CHROMIUM, simulate=True) as (browser, base, admin_password):
            admin = Client(base).login("admin", admin_password)
            main_url, sub_url = simulated_stream(admin)
            if not check(main_url is not None, f"the demo has a simulated camera stream for the device to report ({main_url})"):
                return
            peer = Peer(main_url, sub_url)
            peer.start()
            run(browser, base, admin, admin_password, peer)
    finally:
        if peer:
            peer.stop()
        shutil.rmtree(WORK, ignore_errors=True)


def simulated_stream(admin):
    """The main and sub stream URLs of a live city camera of the demo's simulator."""
    status, page, _ = admin.call("GET", "/api/v1/cameras?limit=1000")
    for camera in page["items"] if status == 200 else []:
        url = camera.get("mainStreamURL") or ""
        if camera["kind"] == "city" and camera["sharing"] == "live" and url.startswith("rtsp://127.0.0.1") and camera.get("subStreamURL"):
            return url, camera["subStreamURL"]
    return None, None


def shot(page, name):
    page.screenshot(path=os.path.join(OUT, f"{name}.png"), full_page=False)


PAGES = []


def new_page(browser, errors):
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    page = context.new_page()
    page.on("pageerror", lambda error: errors.append(str(error)))
    PAGES.append(page)
    return page


def camera_count(api):
    return api.call("GET", "/api/v1/cameras?limit=1")[1]["total"]


def camera_named(api, name):
    status, page, _ = api.call("GET", "/api/v1/cameras?limit=10&q=" + urllib.parse.quote(name))
    return next((c for c in page["items"] if c["name"] == name), None) if status == 200 else None


def ptz_state(api, camera_id):
    status, body, _ = api.call("GET", f"/api/v1/cameras/{camera_id}/ptz")
    assert status == 200, (status, body)
    return body


def position(api, camera_id):
    p = ptz_state(api, camera_id)["status"]["position"]
    return p.get("pan", 0.0), p.get("tilt", 0.0), p.get("zoom", 0.0)


def ptz_log(page):
    return page.evaluate("() => window.rtccPTZLog || []")


def run(browser, base, admin, admin_password, peer):
    errors = []
    page = new_page(browser, errors)
    check(sign_in(page, base, "admin", admin_password), "the administrator signs in")
    try:
        camera = add_camera(page, admin, peer)
        if camera:
            steer(page, admin, camera["id"])
            lock_handover(browser, base, page, admin, camera["id"], errors)
            audit(admin, camera["id"])
            failed_link(page, admin, peer)
    except Exception:
        for index, opened in enumerate(PAGES):
            shot(opened, f"failure-page-{index + 1}")
        raise
    check(not errors, f"no script errors in the pages: {errors}")


# MARK: 1. Find cameras, inspect, add, link

def open_cameras_tab(page):
    page.click("#nav a[data-screen=admin]")
    page.wait_for_selector("#admin-tabs a[data-tab=cameras]")
    page.click("#admin-tabs a[data-tab=cameras]")
    page.wait_for_selector("#cameras-table tbody tr")


def find_device(page, peer):
    """Searches 127.0.0.1 and returns the row of the peer (by its port), or None."""
    page.click("#camera-find")
    page.fill("#onvif-addresses", "127.0.0.1")
    page.click("#onvif-search")
    wait_for(lambda: "answered" in page.inner_text("#onvif-search-status") or "No device" in page.inner_text("#onvif-search-status")
             or page.is_visible("#onvif-search-status.error"), 20, "the search")
    row = page.locator("#onvif-devices tbody tr").filter(has_text=f"127.0.0.1:{peer.port}")
    return row if row.count() == 1 else None


def add_camera(page, admin, peer):
    open_cameras_tab(page)
    before = camera_count(admin)
    row = find_device(page, peer)
    if not check(row is not None, f"Find cameras with address 127.0.0.1 lists the device at port {peer.port}: {page.inner_text('#onvif-find')!r}"):
        return None
    check(row.locator(".onvif-name").inner_text() == "OnvifPeer" and row.locator(".onvif-hardware").inner_text() == "VirtualCam-1",
          f"with its name and model: {row.inner_text()!r}")
    shot(page, "01-find-cameras")

    row.locator(".onvif-choose").click()
    check(page.input_value("#onvif-address") == peer.address, f"choosing it fills its device address ({page.input_value('#onvif-address')})")
    page.fill("#onvif-username", DEVICE_USER)
    page.fill("#onvif-password", "not-the-password")
    page.click("#onvif-connect")
    check(wait_for(lambda: page.is_visible("#onvif-error"), 20, "the refusal"), "a wrong password is answered in the panel")
    text = page.inner_text("#onvif-error")
    check("refused the credentials" in text, f"the panel says the device refused the credentials: {text!r}")
    check(page.locator("#onvif-add").count() == 0, "and offers no Add")
    check(camera_count(admin) == before, "nothing was saved")
    shot(page, "02-wrong-password")

    page.fill("#onvif-password", DEVICE_PASSWORD)
    page.click("#onvif-connect")
    check(wait_for(lambda: page.is_visible("#onvif-add"), 20, "the inspection"), "the right password shows what the device offers")
    check(page.inner_text("#onvif-model") == "PythonCam VirtualCam-1" and page.inner_text("#onvif-firmware") == "1.3.0"
          and page.inner_text("#onvif-ptz") == "yes", "its model, firmware and PTZ")
    check("1920×1080" in page.inner_text("#onvif-profiles") and "640×360" in page.inner_text("#onvif-profiles"), "and both profiles")
    page.click("#onvif-add")
    page.wait_for_selector("#camera-form")
    values = {name: page.input_value(f"#camera-{name}") for name in ["main-url", "sub-url", "horizontalPixels", "verticalPixels", "framesPerSecond",
                                                                      "username", "password", "name"]}
    check(values["main-url"] == peer.main and values["sub-url"] == peer.sub, f"the form holds the device's main and sub stream URLs ({values['main-url']}, {values['sub-url']})")
    check(values["horizontalPixels"] == "1920" and values["verticalPixels"] == "1080" and values["framesPerSecond"] == "30",
          f"and its picture: {values['horizontalPixels']}x{values['verticalPixels']} at {values['framesPerSecond']} fps")
    check(values["username"] == DEVICE_USER and values["password"] == DEVICE_PASSWORD, "and the device user as the stream credentials")
    check(values["name"] == "PythonCam VirtualCam-1", f"and a name from the device ({values['name']})")
    check("VirtualCam-1" in page.inner_text("#camera-onvif-model") and page.inner_text("#camera-onvif-ptz") == "yes",
          "the form shows the device's model and PTZ")
    check(DEVICE_PASSWORD not in page.content(), "the page's markup holds the device password nowhere")
    page.fill("#camera-name", CAMERA)
    page.wait_for_selector("#camera-map[data-ready='1']")
    box = page.locator("#camera-map").bounding_box()
    page.mouse.click(box["x"] + box["width"] * 0.5, box["y"] + box["height"] * 0.5)
    wait_for(lambda: page.input_value("#camera-latitude"), 5, "the camera placed")
    page.locator("#camera-editor").scroll_into_view_if_needed()
    shot(page, "03-prefilled-editor")

    page.click("#camera-save")
    saved = wait_for(lambda: camera_named(admin, CAMERA), 20, "the camera saved")
    if not check(saved is not None, "Add camera stores it"):
        return None
    check(camera_count(admin) == before + 1, "exactly one camera was added")
    check(saved["hasCredentials"] and DEVICE_PASSWORD not in str(saved) and saved.get("horizontalPixels") == 1920
          and saved.get("framesPerSecond") == 30, "with its credentials (never shown back), 1920 px and 30 fps")
    status, link = wait_for(lambda: (r := admin.call("GET", f"/api/v1/cameras/{saved['id']}/onvif"))[0] == 200 and r[:2], 20, "the link") or (404, {})
    check(status == 200 and link["link"]["model"] == "VirtualCam-1" and link["link"]["ptz"] and link["hasCredentials"]
          and link["link"]["profileToken"] == "Profile_Main" and link["link"]["subProfileToken"] == "Profile_Sub",
          f"the UI linked it to the device: model {link.get('link', {}).get('model') if status == 200 else status}, PTZ, both profiles")
    check(wait_for(lambda: page.is_visible("#camera-onvif-summary"), 15, "the link in the form")
          and page.inner_text("#camera-onvif-summary").startswith("ONVIF: PythonCam VirtualCam-1, firmware 1.3.0, clock drift"),
          f"the saved camera's form shows its link: {page.inner_text('#camera-onvif-summary') if page.is_visible('#camera-onvif-summary') else ''!r}")
    health = wait_for(lambda: (h := admin.call("GET", f"/api/v1/cameras/{saved['id']}/health")[1]) and h.get("state") == "streaming"
                      and h.get("recorded") and h.get("framesRecorded", 0) > 0 and h, 45, "recording")
    check(health is not None, f"the camera streams and records within 45 s ({health and health.get('framesRecorded')} frames)")
    status, ranges, _ = admin.call("GET", f"/api/v1/cameras/{saved['id']}/recordings")
    check(status == 200 and bool(ranges), "its recordings list what was recorded")
    page.locator("#camera-editor").scroll_into_view_if_needed()
    shot(page, "04-linked-camera")
    return saved


# MARK: 2. Steering from the wall

def put_on_wall(page, camera_id):
    page.click("#nav a[data-screen=wall]")
    page.wait_for_selector("#wall-grid")
    page.click("button[data-grid='4']")
    page.locator(".toolbar button", has_text="Clear").click()
    page.fill(".sidebar .search", CAMERA)
    page.click(f"#camera-list .cam-item[data-camera='{camera_id}']")
    tile = page.locator(f"#wall-grid .tile[data-camera='{camera_id}']")
    wait_for(lambda: tile.count() == 1 and tile.locator(".ptz-toggle:not([hidden])").count() == 1, 15, "the PTZ button")
    return tile


def enter_ptz(page, tile):
    tile.hover()
    tile.locator(".ptz-toggle").click()
    wait_for(lambda: tile.locator(".ptz-overlay[data-lock]").count() == 1, 10, "the PTZ overlay")
    return tile.locator(".ptz-overlay")


def hold(page, key, seconds):
    """Holds `key` for `seconds` as a keyboard does: one press, auto-repeats every 100 ms, one release."""
    page.keyboard.down(key)
    end = time.time() + seconds
    while time.time() < end:
        time.sleep(0.1)
        page.keyboard.down(key)
    page.keyboard.up(key)


def settled(api, camera_id):
    """The position once the device has stopped moving (two reads 0.3 s apart agree)."""
    def same():
        a = position(api, camera_id)
        time.sleep(0.3)
        b = position(api, camera_id)
        return b if max(abs(x - y) for x, y in zip(a, b)) < 0.005 else None
    return wait_for(same, 10, "the device to stop")


def steer(page, admin, camera_id):
    tile = put_on_wall(page, camera_id)
    check(tile.locator(".ptz-toggle:not([hidden])").count() == 1, "the wall tile of the linked camera has a PTZ button")
    overlay = enter_ptz(page, tile)
    check(wait_for(lambda: overlay.get_attribute("data-lock") == "yours", 10) and overlay.locator(".ptz-lock").inner_text() == "You steer this camera",
          "entering PTZ mode takes the lock: \"You steer this camera\"")
    check(ptz_state(admin, camera_id)["lock"]["username"] == "admin", "the server holds the lock for the administrator")
    start = settled(admin, camera_id)
    page.evaluate("() => { window.rtccPTZLog = []; }")

    hold(page, "ArrowRight", 1.0)
    after = settled(admin, camera_id)
    check(after[0] > start[0] + 0.2, f"ArrowRight held ~1 s pans the device: pan {start[0]:.3f} -> {after[0]:.3f}")
    log = ptz_log(page)
    moves = [e for e in log if e["key"] == "ArrowRight" and e["action"] == "continuous"]
    stops = [e for e in log if e["key"] == "ArrowRight" and e["action"] == "stop"]
    check(len(moves) == 1 and len(stops) == 1, f"one move on the press and one stop on release, auto-repeat sends nothing ({len(moves)} moves, {len(stops)} stops)")
    check(all(e["status"] == 204 for e in moves + stops), "both accepted")
    repeats = [e for e in log if e["key"] == "repeat"]
    check(len(repeats) <= 1, f"held 1 s, the move is re-sent at most once ({len(repeats)})")

    hold(page, "+", 0.6)
    zoomed = settled(admin, camera_id)
    check(zoomed[2] > after[2] + 0.1, f"+ held zooms in: zoom {after[2]:.3f} -> {zoomed[2]:.3f}")

    drag_area = tile.locator(".ptz-drag").bounding_box()
    cx, cy = drag_area["x"] + drag_area["width"] * 0.3, drag_area["y"] + drag_area["height"] * 0.5
    page.mouse.move(cx, cy)
    page.mouse.down()
    for k in range(1, 6):
        page.mouse.move(cx - 20 * k, cy - 10 * k)
        time.sleep(0.05)
    time.sleep(0.6)
    page.mouse.up()
    dragged = settled(admin, camera_id)
    check(dragged[0] < zoomed[0] - 0.05 and dragged[1] > zoomed[1] + 0.02,
          f"dragging left and up on the picture pans left and tilts up: ({zoomed[0]:.3f}, {zoomed[1]:.3f}) -> ({dragged[0]:.3f}, {dragged[1]:.3f})")
    drag_log = [e for e in ptz_log(page) if e["key"] == "drag"]
    check(drag_log and drag_log[-1]["action"] == "stop" and all(-1 <= e.get("pan", 0) <= 1 for e in drag_log),
          f"the drag ends with a stop on release ({[e['action'] for e in drag_log]})")

    overlay.locator(".ptz-preset-name").fill("Gate")
    overlay.locator(".ptz-preset-save").click()
    gate_row = overlay.locator(".ptz-presets li[data-name='Gate']")
    check(wait_for(lambda: gate_row.count() == 1, 10, "the preset"), "\"Save current\" stores the preset Gate and lists it")
    gate = next(p for p in ptz_state(admin, camera_id)["presets"] if p["name"] == "Gate")
    gate_at = settled(admin, camera_id)
    check(gate.get("position") is None or abs(gate["position"]["pan"] - gate_at[0]) < 0.02, f"at the device's position ({gate.get('position')})")
    shot(page, "05-ptz-overlay")

    hold(page, "ArrowLeft", 0.6)
    hold(page, "ArrowDown", 0.4)
    away = settled(admin, camera_id)
    check(abs(away[0] - gate_at[0]) > 0.2, f"moved away from Gate: pan {gate_at[0]:.3f} -> {away[0]:.3f}")
    key = gate_row.locator(".ptz-key").inner_text()
    page.keyboard.press(key)
    back = wait_for(lambda: (p := position(admin, camera_id)) and max(abs(a - b) for a, b in zip(p, gate_at)) < 0.02 and p, 10, "Gate")
    check(back is not None, f"key {key} goes to Gate: back at {back} (Gate at {tuple(round(v, 3) for v in gate_at)})")

    tile.locator(".ptz-home").click()
    home = wait_for(lambda: (p := position(admin, camera_id)) and max(abs(v) for v in p) < 0.02 and p, 10, "home")
    check(home is not None, f"the pad's Home button sends the device home ({home})")

    latency(page)

    page.keyboard.press("Escape")
    check(wait_for(lambda: tile.locator(".ptz-overlay").count() == 0, 5), "Escape leaves PTZ mode")
    check(wait_for(lambda: ptz_state(admin, camera_id).get("lock") is None, 5), "and gives the lock back")


def latency(page):
    """Key press to request sent and to the server's answer (sent after the device answered), from window.rtccPTZLog.
    A command pressed while the one before was still in flight waits for it (commands keep their order): those are
    reported apart."""
    keyed = [e for e in ptz_log(page) if e["pressedAt"] is not None and e["key"] not in ("drag", "repeat") and e["answeredAt"]]
    if not check(len(keyed) >= 6, f"{len(keyed)} key and button commands were timed"):
        return
    first = [e for e in keyed if not e["queued"]]
    sent = [e["sentAt"] - e["pressedAt"] for e in first]
    answered = [e["answeredAt"] - e["pressedAt"] for e in first]
    queued = [e["answeredAt"] - e["pressedAt"] for e in keyed if e["queued"]]
    print(f"  key press -> request sent: median {statistics.median(sent):.1f} ms, max {max(sent):.1f} ms ({len(first)} commands); "
          f"key press -> answered by the server after the device: median {statistics.median(answered):.1f} ms, max {max(answered):.1f} ms"
          + (f"; {len(queued)} waited for the command before (answered after {', '.join(f'{q:.0f}' for q in queued)} ms)" if queued else ""))
    RESULTS["latency"] = (statistics.median(sent), max(sent), statistics.median(answered), max(answered))
    check(max(sent) <= 20, f"a key press leaves the browser at once (max {max(sent):.1f} ms)")
    check(statistics.median(answered) <= 100, f"and reaches the camera, answered within 100 ms (median {statistics.median(answered):.1f} ms)")


# MARK: 3. The lock between two operators

def lock_handover(browser, base, page, admin, camera_id, errors):
    status, _, _ = admin.call("POST", "/api/v1/users", {"username": "olivia", "displayName": "Olivia Analyst", "role": "analyst", "password": PASSWORD})
    check(status == 201, f"an analyst is created ({status})")
    analyst_api = Client(base).login("olivia", PASSWORD)
    tile = page.locator(f"#wall-grid .tile[data-camera='{camera_id}']")
    overlay = enter_ptz(page, tile)
    check(wait_for(lambda: overlay.get_attribute("data-lock") == "yours", 10), "the administrator steers the camera again")

    other = new_page(browser, errors)
    check(sign_in(other, base, "olivia", PASSWORD), "the analyst signs in in a second browser")
    other_tile = put_on_wall(other, camera_id)
    check(other_tile.locator(".ptz-toggle:not([hidden])").count() == 1, "her tile has the PTZ button too (ptz:control)")
    other_overlay = enter_ptz(other, other_tile)
    check(wait_for(lambda: other_overlay.get_attribute("data-lock") == "held", 10)
          and other_overlay.locator(".ptz-lock").inner_text().startswith("Steered by admin (admin) until "),
          f"she sees \"Steered by admin (admin) until …\" ({other_overlay.locator('.ptz-lock').inner_text()!r})")
    check(not other_overlay.locator(".ptz-take").is_visible(), "and no Take over (an analyst does not outrank an administrator)")
    before = position(admin, camera_id)
    other.evaluate("() => { window.rtccPTZLog = []; }")
    hold(other, "ArrowRight", 0.4)
    refused = wait_for(lambda: [e for e in ptz_log(other) if e["key"] == "ArrowRight" and e["status"]], 5, "her move answered")
    check(refused and refused[0]["status"] == 409, f"her move is refused with 409 ({refused and refused[0]['status']})")
    check("Steered by admin" in other_overlay.locator(".ptz-message").inner_text(), f"and says so: {other_overlay.locator('.ptz-message').inner_text()!r}")
    status, _, _ = analyst_api.call("POST", f"/api/v1/cameras/{camera_id}/ptz/move", {"mode": "continuous", "pan": 0.5})
    check(status == 409, f"the API refuses her too ({status})")
    time.sleep(0.5)
    check(max(abs(a - b) for a, b in zip(position(admin, camera_id), before)) < 0.005, "the device did not move")
    shot(other, "06-analyst-steered-by-admin")

    page.keyboard.press("Escape")
    check(wait_for(lambda: other_overlay.get_attribute("data-lock") == "free", 10), "when the administrator leaves, her tile shows the camera free")
    check(other_overlay.locator(".ptz-take").inner_text() == "Take control", "with \"Take control\"")
    other_overlay.locator(".ptz-take").click()
    check(wait_for(lambda: other_overlay.get_attribute("data-lock") == "yours", 10), "she takes control")
    start = settled(admin, camera_id)
    hold(other, "ArrowUp", 0.5)
    moved = settled(admin, camera_id)
    check(moved[1] > start[1] + 0.1, f"and steers: tilt {start[1]:.3f} -> {moved[1]:.3f}")

    overlay = enter_ptz(page, tile)
    check(wait_for(lambda: overlay.locator(".ptz-take").is_visible(), 10) and overlay.locator(".ptz-take").inner_text() == "Take over"
          and overlay.locator(".ptz-lock").inner_text().startswith("Steered by olivia (analyst)"),
          f"the administrator now sees her steering, with Take over ({overlay.locator('.ptz-lock').inner_text()!r})")
    overlay.locator(".ptz-take").click()
    check(wait_for(lambda: overlay.get_attribute("data-lock") == "yours", 10), "Take over gives the administrator the camera")
    check(wait_for(lambda: other_overlay.locator(".ptz-lock").inner_text().startswith("Steered by admin"), 6),
          "her tile shows the administrator steering within one poll")
    other.evaluate("() => { window.rtccPTZLog = []; }")
    hold(other, "ArrowLeft", 0.3)
    refused = wait_for(lambda: [e for e in ptz_log(other) if e["key"] == "ArrowLeft" and e["status"]], 5, "her move answered")
    check(refused and refused[0]["status"] == 409, "and her next move is refused")
    shot(page, "07-admin-took-over")
    page.keyboard.press("Escape")


# MARK: 4. Audit

def audit(admin, camera_id):
    status, _, _ = admin.call("POST", "/api/v1/users", {"username": "audrey", "displayName": "Audrey Auditor", "role": "auditor", "password": PASSWORD})
    auditor = Client(admin.base).login("audrey", PASSWORD)
    status, page, _ = auditor.call("GET", f"/api/v1/audit?target={urllib.parse.quote(f'camera:{camera_id}')}&limit=1000")
    entries = page["items"] if isinstance(page, dict) else (page or [])
    actions = {}
    for entry in entries:
        actions.setdefault(entry["action"], []).append(entry)
    check(status == 200 and {"ptz.move", "ptz.preset.set", "ptz.preset.goto", "ptz.lock"} <= set(actions),
          f"the audit log holds ptz.move, ptz.preset.set, ptz.preset.goto and ptz.lock for the camera ({sorted(actions)})")
    moves = actions.get("ptz.move", [])
    check(any(e.get("actor") == "olivia" for e in moves + actions.get("ptz.lock", [])) and any("continuous" in (e.get("detail") or "") for e in moves),
          f"with who moved it and how ({len(moves)} moves)")
    check(any("taken over from olivia" in (e.get("detail") or "") for e in actions.get("ptz.lock", [])), "and the take-over from the analyst")
    check(any("Gate" in (e.get("detail") or "") for e in actions.get("ptz.preset.set", [])), "and the preset's name")


# MARK: 5. A link that fails, retried

def failed_link(page, admin, peer):
    page.click("#nav a[data-screen=admin]")
    open_cameras_tab(page)
    row = find_device(page, peer)
    if not check(row is not None and row.locator(".onvif-linked").count() == 1, "searched again, the device is marked as already added"):
        return
    check("ONVIF test PTZ" in row.locator(".onvif-linked").inner_text(), f"naming the camera ({row.locator('.onvif-linked').inner_text()!r})")
    page.click("#onvif-by-address")
    page.fill("#onvif-address", f"127.0.0.1:{peer.port}")
    page.fill("#onvif-username", DEVICE_USER)
    page.fill("#onvif-password", DEVICE_PASSWORD)
    page.click("#onvif-connect")
    if not check(wait_for(lambda: page.is_visible("#onvif-add"), 20, "the inspection"), "\"Connect by address\" reaches the device at host:port"):
        return
    page.click("#onvif-add")
    page.wait_for_selector("#camera-form")
    page.fill("#camera-name", "ONVIF second view")
    page.fill("#camera-latitude", "32.5093")
    page.fill("#camera-longitude", "-93.7500")
    peer.stop()
    page.click("#camera-save")
    saved = wait_for(lambda: camera_named(admin, "ONVIF second view"), 20, "the second camera saved")
    check(saved is not None, "with the device stopped, the camera is still saved")
    check(wait_for(lambda: page.is_visible("#camera-onvif-error"), 30, "the link error"), "its form says the link failed")
    text = page.inner_text("#camera-onvif-error") if page.is_visible("#camera-onvif-error") else ""
    check("not linked" in text and len(text) > 60, f"with the reason: {text!r}")
    check(saved and admin.call("GET", f"/api/v1/cameras/{saved['id']}/onvif")[0] == 404, "no link was stored")
    page.locator("#camera-onvif-error").scroll_into_view_if_needed()
    shot(page, "08-link-failed")
    peer.start()
    page.click("#camera-onvif-retry")
    check(wait_for(lambda: page.is_visible("#camera-onvif-summary"), 30, "the retried link"), "Retry linking links it once the device answers")
    check(saved and admin.call("GET", f"/api/v1/cameras/{saved['id']}/onvif")[0] == 200, "and the link is stored")


if __name__ == "__main__":
    try:
        main()
    finally:
        print(summary())
    sys.exit(1 if RESULTS["failed"] else 0)
