"""The Alerts screen in real headless Chromium (Debian's chromium, driven by Playwright), against `rtcc serve` recording
simulated cameras placed around a point.

Checks: an analyst's open queue receives a gunshot posted to the intake API by a feed's token without reloading (over
the alerts WebSocket, with a tone); the alert's card lists the cameras that face the point nearest first (not the one
facing away) and plays them live (video currentTime advances); the bookmarked clips span the shot; acknowledging records
the time to acknowledge; dismissing needs a reason and takes the alert out of the open queue; a camera whose feed is down
raises a camera_offline alert; a supervisor draws a motion zone on a camera's picture in the analytics editor and sets
its hours and a detection rule, and the API holds exactly that (an analyst gets no editor). Screenshots go to OUTDIR. Usage: browser_alerts_tests.py RTCC OUTDIR
"""
import math
import os
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone

from playwright.sync_api import sync_playwright

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from browser_support import RESULTS, Client, check, read_line, summary, wait_for  # noqa: E402

RTCC = os.path.abspath(sys.argv[1])
OUT = os.path.abspath(sys.argv[2] if len(sys.argv) > 2 else "browser-alerts-test-output")
os.makedirs(OUT, exist_ok=True)
WORK = tempfile.mkdtemp(prefix="rtcc-alerts-")
DATA = os.path.join(WORK, "data")
PASSWORD = "a long test password"
CHROMIUM = os.environ.get("RTCC_CHROMIUM", "/usr/bin/chromium")
SHOT = (32.5000, -93.7000)


def offset(north, east):
    """The point `north` and `east` metres from the shot."""
    lat, lon = SHOT
    return lat + north / 110_900, lon + east / (111_320 * math.cos(math.radians(lat)))


def main():
    simulator = subprocess.Popen(
        [RTCC, "simulate", "--cameras", "3", "--port", "0", "--size", "640x360", "--bitrate", "300000", "--fps", "15", "--seconds", "4",
         "--clips", os.path.join(WORK, "clips")],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    rtsp = read_line(simulator, r"(rtsp://\S+)/cam001")
    csv = os.path.join(WORK, "cameras.csv")
    near, far, away = offset(-25, 0), offset(-50, 5), offset(-25, 3)
    with open(csv, "w") as handle:
        handle.write("name,kind,latitude,longitude,heading_deg,fov_deg,range_m,main_stream_url\n")
        handle.write(f"Near camera,city,{near[0]},{near[1]},0,60,100,{rtsp}/cam001\n")
        handle.write(f"Far camera,city,{far[0]},{far[1]},0,60,100,{rtsp}/cam002\n")
        handle.write(f"Facing away,city,{away[0]},{away[1]},180,60,100,{rtsp}/cam003\n")
        handle.write("Dead camera,city,32.52,-93.72,0,60,100,rtsp://127.0.0.1:9/none\n")
    subprocess.run([RTCC, "cameras", "import", csv, "--data", DATA], check=True, capture_output=True)
    env = dict(os.environ, RTCC_PASSWORD=PASSWORD)
    for name, role in [("admin", "admin"), ("alice", "analyst"), ("sam", "supervisor")]:
        subprocess.run([RTCC, "user", "add", name, "--role", role, "--data", DATA], check=True, capture_output=True, env=env)
    server_env = dict(os.environ, RTCC_SEGMENT_SECONDS="6", RTCC_OFFLINE_SECONDS="3", RTCC_BCRYPT_COST="4", RTCC_BOOKMARK_SECONDS="20",
                      RTCC_MFA_REQUIRED_ROLES="")  # two-factor sign-in is tested in browser_admin_tests.py
    server_log = open(os.path.join(OUT, "server.log"), "w")
    server = subprocess.Popen([RTCC, "serve", "--data", DATA, "--port", "0"], stdout=subprocess.PIPE, stderr=server_log, text=True, env=server_env)
    base = read_line(server, r"(https?://\S+?)/?\s")
    try:
        run(base)
    finally:
        for process in (server, simulator):
            process.terminate()
        for process in (server, simulator):
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
    print(summary())
    sys.exit(1 if RESULTS["failed"] else 0)


def run(base):
    admin = Client(base).login("admin", PASSWORD)
    _, listed, _ = admin.call("GET", "/api/v1/cameras?limit=100")
    cameras = {c["name"]: c["id"] for c in listed["items"]}
    status, issued, _ = admin.call("POST", "/api/v1/tokens", {"name": "ShotSpotter", "scopes": ["events:write"]})
    check(status == 201, f"an admin issues an intake token with events:write ({status})")
    feed = Client(base, token=issued["secret"])
    check(wait_for(lambda: sum(h["state"] == "streaming" for h in admin.call("GET", "/api/v1/cameras/health")[1]) >= 3, 60, "cameras streaming"),
          "the recorder streams the three simulated cameras")

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--autoplay-policy=no-user-gesture-required"])
        page = browser.new_context(viewport={"width": 1600, "height": 1000}).new_page()
        errors = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        try:
            page.goto(base + "/")
            page.wait_for_selector("#signin-form", state="visible")
            page.fill("#signin-user", "alice")
            page.fill("#signin-password", PASSWORD)
            page.click("#signin-submit")
            page.wait_for_selector("#whoami")
            page.click("#nav a[data-screen=alerts]")
            page.wait_for_selector("#alert-list")
            check(wait_for(lambda: page.eval_on_selector("#alert-connection", "e => e.dataset.state") == "live", 15, "alerts socket"),
                  "the Alerts screen opens its live connection")
            queue(page, base, feed, cameras)
            offline(page, cameras)
            check(page.query_selector("#analytics-open") is None, "an analyst has no analytics editor (it needs cameras:write)")
            check(not errors, f"no script errors on the page ({errors[:3]})")
        finally:
            page.screenshot(path=os.path.join(OUT, "alerts.png"))
        supervisor = browser.new_context(viewport={"width": 1600, "height": 1000}).new_page()
        supervisor.on("pageerror", lambda error: errors.append(str(error)))
        try:
            analytics(supervisor, base, admin, cameras)
            check(not errors, f"no script errors on the supervisor's page ({errors[:3]})")
        finally:
            supervisor.screenshot(path=os.path.join(OUT, "alerts-analytics.png"))
            browser.close()


def analytics(page, base, admin, cameras):
    page.goto(base + "/")
    page.wait_for_selector("#signin-form", state="visible")
    page.fill("#signin-user", "sam")
    page.fill("#signin-password", PASSWORD)
    page.click("#signin-submit")
    page.wait_for_selector("#whoami")
    page.click("#nav a[data-screen=alerts]")
    page.click("#analytics-open")
    page.select_option("#analytics-camera", cameras["Near camera"])
    page.wait_for_selector("#analytics-editor .zone-stage")
    check(wait_for(lambda: page.evaluate("() => document.querySelector('.zone-stage img').naturalWidth") > 0, 20, "the snapshot"),
          "the editor shows the camera's picture to draw on")
    box = page.locator("#analytics-editor .zone-stage").bounding_box()
    corners = [(0.1, 0.5), (0.6, 0.5), (0.6, 0.95), (0.1, 0.95)]
    for x, y in corners:
        page.mouse.click(box["x"] + x * box["width"], box["y"] + y * box["height"])
    page.fill("#zone-name", "lot")
    page.click("#analytics-editor button.zone-add")
    check("1 zone(s)" in page.inner_text("#analytics-editor .zone-status"), "the drawn zone is listed")
    page.fill("#analytics-sensitivity", "70")
    page.fill("#analytics-area", "2")
    page.fill("#analytics-from", "22:00")
    page.fill("#analytics-until", "06:00")
    page.check("#analytics-editor .days input[value='2']")
    page.fill("#analytics-tz", "America/Chicago")
    page.fill("#analytics-detector", "http://127.0.0.1:5000")
    page.click("#analytics-editor button.rule-add")
    page.fill("#rule-rows tr.rule .rule-name", "Person in the lot after 22:00")
    page.fill("#rule-rows tr.rule .rule-loiter", "30")
    page.fill("#rule-rows tr.rule .rule-from", "22:00")
    page.fill("#rule-rows tr.rule .rule-until", "06:00")
    page.click("#analytics-editor button.analytics-save")
    check(wait_for(lambda: page.eval_on_selector("#analytics-saved", "e => e.dataset.saved") == "yes", 10, "saved"), "the settings are saved")
    _, stored, _ = admin.call("GET", f"/api/v1/cameras/{cameras['Near camera']}/analytics")
    settings = stored.get("settings") or {}
    zones = settings.get("motion", {}).get("zones", [])
    points = [(p["x"], p["y"]) for p in zones[0]["polygon"]] if zones else []
    check(len(zones) == 1 and zones[0]["name"] == "lot" and len(points) == 4 and
          all(abs(a - x) < 0.01 and abs(b - y) < 0.01 for (a, b), (x, y) in zip(points, corners)),
          f"the stored zone is the one drawn, in picture coordinates ({points})")
    check(settings.get("motion", {}).get("sensitivity") == 70 and abs(settings.get("motion", {}).get("minimumArea", 0) - 0.02) < 1e-9,
          "sensitivity 70 and minimum area 2 % are stored")
    check(settings.get("schedule") == {"startMinute": 1320, "endMinute": 360, "days": [2], "timeZone": "America/Chicago"},
          f"the hours run past midnight on Mondays in the city's time zone ({settings.get('schedule')})")
    rules = (settings.get("detection") or {}).get("rules", [])
    check(len(rules) == 1 and rules[0]["name"] == "Person in the lot after 22:00" and rules[0]["label"] == "person" and
          rules[0]["zone"]["name"] == "lot" and rules[0]["loiterSeconds"] == 30 and rules[0]["schedule"]["startMinute"] == 1320,
          f"the detection rule names the zone, the hours and the loitering time ({rules[:1]})")
    # Opened again, the editor shows what is stored.
    page.select_option("#analytics-camera", "")
    page.select_option("#analytics-camera", cameras["Near camera"])
    page.wait_for_selector("#zone-list li[data-zone=lot]")
    check(page.input_value("#analytics-from") == "22:00" and page.input_value("#rule-rows tr.rule .rule-name") == "Person in the lot after 22:00",
          "reopened, the editor shows the stored zone, hours and rule")
    # Bad numbers are refused by the server, naming the field.
    page.fill("#analytics-sensitivity", "0")
    page.click("#analytics-editor button.analytics-save")
    check(wait_for(lambda: "motion" in (page.inner_text("#toast") if page.is_visible("#toast") else ""), 5, "the refusal"),
          f"an impossible sensitivity is refused, naming the field ({page.inner_text('#toast') if page.is_visible('#toast') else ''})")


def queue(page, base, feed, cameras):
    shot_at = datetime.now(timezone.utc)
    sent = time.time()
    status, receipt, _ = feed.call("POST", "/api/v1/events/gunshots", {
        "id": "SST-2026-0001", "time": shot_at.isoformat().replace("+00:00", "Z"), "latitude": SHOT[0], "longitude": SHOT[1],
        "rounds": 5, "confidence": 0.96})
    check(status == 201 and receipt["alert"]["kind"] == "gunshot", f"the feed's gunshot is accepted and raises an alert ({status})")
    alert_id = receipt["alert"]["id"]
    item = f".alert-item[data-alert='{alert_id}']"
    shown = wait_for(lambda: page.query_selector(item), 10, "the pushed alert")
    check(shown is not None, f"the gunshot appears in the analyst's open queue without a reload ({time.time() - sent:.2f} s after posting)")
    check(wait_for(lambda: page.evaluate("() => window.rtccAlerts.beeps || 0") >= 1, 5, "a tone"), "a tone sounds for the new alert")
    again, repeat, _ = feed.call("POST", "/api/v1/events/gunshots", {
        "id": "SST-2026-0001", "time": shot_at.isoformat().replace("+00:00", "Z"), "latitude": SHOT[0], "longitude": SHOT[1],
        "rounds": 5, "confidence": 0.96})
    check(again == 200 and repeat["alert"]["id"] == alert_id, f"the same detection sent again is answered with the first ({again})")
    page.click(item)
    page.wait_for_selector("#alert-card")
    order = page.eval_on_selector_all("#alert-tiles .tile", "tiles => tiles.map(t => t.dataset.camera)")
    check(order == [cameras["Near camera"], cameras["Far camera"]],
          f"the card shows the cameras facing the shot, nearest first, and not the one facing away ({len(order)} tiles)")

    def playing():
        return page.eval_on_selector_all("#alert-tiles .tile video", "vs => vs.map(v => v.currentTime)")
    wait_for(lambda: all(t > 0 for t in playing()), 30, "live tiles")
    first = playing()
    time.sleep(2)
    second = playing()
    check(len(first) == 2 and all(b > a + 0.5 for a, b in zip(first, second)),
          f"both correlated cameras play live (currentTime {[round(t, 2) for t in first]} → {[round(t, 2) for t in second]})")
    clips = page.eval_on_selector_all("#alert-clips li", "items => items.map(i => i.dataset.camera)")
    check(clips == order, "the bookmarked clips list the same cameras")
    bookmarks = feed_alert(page, alert_id)["bookmarks"]
    span = [(parse(b["from"]), parse(b["until"])) for b in bookmarks]
    check(all(abs((shot_at - a).total_seconds() - 20) < 1 and abs((b - shot_at).total_seconds() - 20) < 1 for a, b in span),
          "each bookmark spans 20 s before to 20 s after the shot")
    page.click("#alert-ack")
    check(wait_for(lambda: page.eval_on_selector("#alert-card", "c => c.dataset.status") == "acknowledged", 10, "acknowledged"),
          "Acknowledge moves the alert to acknowledged")
    acknowledged = feed_alert(page, alert_id)
    check(acknowledged.get("secondsToAcknowledge", -1) > 0, f"the time to acknowledge is recorded ({acknowledged.get('secondsToAcknowledge')} s)")
    page.click("#alert-dismiss")
    check(wait_for(lambda: "reason" in (page.inner_text("#toast") if page.is_visible("#toast") else ""), 5, "the refusal"),
          "dismissing without a reason is refused with a message")
    page.fill("#alert-reason", "construction noise, confirmed by patrol")
    page.click("#alert-dismiss")
    check(wait_for(lambda: page.eval_on_selector("#alert-card", "c => c.dataset.status") == "dismissed", 10, "dismissed"),
          "a reason lets the alert be dismissed")
    check(wait_for(lambda: page.query_selector(item) is None, 5, "the queue without it"), "a dismissed alert leaves the open queue")
    history = page.eval_on_selector_all("#alert-history li", "items => items.map(i => i.textContent)")
    check(any("dismiss — construction noise" in h for h in history), "the history shows the dismissal and its reason")


def offline(page, cameras):
    dead = cameras["Dead camera"]
    found = wait_for(lambda: page.query_selector(".alert-item[data-kind=camera_offline]"), 30, "the outage alert")
    title = found.inner_text() if found else ""
    check(found is not None and "Dead camera" in title, f"a camera whose feed is down raises a camera_offline alert ({title.splitlines()[:1]})")
    alerts = page.evaluate("() => fetch('/api/v1/alerts?kind=camera_offline').then(r => r.json())")
    check(all(a["cameraID"] == dead for a in alerts["items"]) and len(alerts["items"]) == 1, "only the dead camera has an outage alert")


def feed_alert(page, alert_id):
    return page.evaluate("(id) => fetch(`/api/v1/alerts/${id}`).then(r => r.json())", alert_id)


def parse(text):
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


if __name__ == "__main__":
    main()
