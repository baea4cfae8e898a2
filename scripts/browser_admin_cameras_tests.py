"""Admin > Cameras in real headless Chromium (Debian's chromium, driven by Playwright), against `rtcc serve` with a fresh
data folder and `rtcc simulate` as the camera.

Checks: an administrator adds a camera by clicking the map and dragging its cone's handles (the saved heading, range
and field of view are those of the drag, computed here from the pixels moved and the map scale); tests its stream
against the simulator (codec, resolution, frame rate, bitrate, transport and a picture shown; picture size and frame
rate filled into the form and stored); sees it on the wall's camera list and on the map; edits it (a form with several
bad fields shows every error beside its field and stores nothing; stream credentials are write-only); a CSV import with
one bad row lists that row by line and stores nothing, a good one stores every row after a dry run; export; delete
asks first. A supervisor sees the tab (without delete); an analyst is told why the screen is not available.
Screenshots go to OUTDIR. Usage: browser_admin_cameras_tests.py RTCC OUTDIR
"""
import json
import math
import os
import re
import shutil
import subprocess
import sys
import tempfile
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from browser_support import Client, check, read_line, serve_server, sign_in_page, summary, wait_for, RESULTS  # noqa: E402

RTCC = os.path.abspath(sys.argv[1])
OUT = os.path.abspath(sys.argv[2] if len(sys.argv) > 2 else "browser-admin-cameras-test-output")
os.makedirs(OUT, exist_ok=True)
WORK = tempfile.mkdtemp(prefix="rtcc-admin-cameras-")
DATA = os.path.join(WORK, "data")
PASSWORD = "a long test password"
CHROMIUM = os.environ.get("RTCC_CHROMIUM", "/usr/bin/chromium")
STREAM_PASSWORD = "s3cret-stream-pass"
EARTH_RADIUS = 6371008.8


def shot(page, name):
    page.screenshot(path=os.path.join(OUT, f"{name}.png"), full_page=True)


def main():
    env = dict(os.environ, RTCC_PASSWORD=PASSWORD)
    for name, role in [("admin", "admin"), ("sam", "supervisor"), ("ana", "analyst")]:
        subprocess.run([RTCC, "user", "add", name, "--role", role, "--data", DATA], check=True, capture_output=True, env=env)
    simulator = subprocess.Popen(
        [RTCC, "simulate", "--cameras", "1", "--port", "0", "--size", "640x360", "--fps", "15", "--seconds", "4", "--bitrate", "500000",
         "--b-frames", "0", "--clips", os.path.join(WORK, "clips")],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, stdin=subprocess.PIPE, text=True)
    try:
        stream = read_line(simulator, r"at (rtsp://\S+/cam001)", timeout=120)
        server_env = dict(RTCC_BCRYPT_COST="4", RTCC_RECORDING="false", RTCC_MFA_REQUIRED_ROLES="", RTCC_LOGIN_ATTEMPTS_PER_MINUTE="500")
        with serve_server(RTCC, DATA, os.path.join(OUT, "server.log"), CHROMIUM, env=server_env) as (browser, base):
            run(browser, base, stream)
    finally:
        simulator.terminate()
        try:
            simulator.wait(timeout=20)
        except subprocess.TimeoutExpired:
            simulator.kill()
        shutil.rmtree(WORK, ignore_errors=True)


def new_page(browser, errors):
    context = browser.new_context(viewport={"width": 1440, "height": 900}, accept_downloads=True)
    page = context.new_page()
    page.on("pageerror", lambda error: errors.append(str(error)))
    return page


def sign_in(page, base, username):
    return sign_in_page(page, base, username, PASSWORD)


def open_cameras_tab(page):
    page.click("#nav a[data-screen=admin]")
    page.wait_for_selector("#admin-tabs a[data-tab=cameras]")
    page.click("#admin-tabs a[data-tab=cameras]")
    page.wait_for_selector("#cameras-table tbody tr")


def camera_count(api):
    status, page, _ = api.call("GET", "/api/v1/cameras?limit=1")
    assert status == 200, status
    return page["total"]


def camera_named(api, name):
    status, page, _ = api.call("GET", "/api/v1/cameras?limit=10&q=" + urllib.parse.quote(name))
    assert status == 200, status
    return next((c for c in page["items"] if c["name"] == name), None)


def centre(page, selector):
    box = page.locator(selector).bounding_box()
    return box["x"] + box["width"] / 2, box["y"] + box["height"] / 2


def drag(page, start, end, steps=12):
    page.mouse.move(*start)
    page.mouse.down()
    for k in range(1, steps + 1):
        page.mouse.move(start[0] + (end[0] - start[0]) * k / steps, start[1] + (end[1] - start[1]) * k / steps)
        settle(page)
    page.mouse.up()
    settle(page)


def settle(page):
    """Waits two animation frames: Leaflet applies a drag's last move on the next frame."""
    page.evaluate("() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)))")


def metres_per_pixel(latitude, zoom):
    """Web Mercator ground resolution: the map's scale, computed independently of Leaflet."""
    return 2 * math.pi * EARTH_RADIUS * math.cos(math.radians(latitude)) / (256 * 2 ** zoom)


def expected_cone(camera_px, handle_px, latitude, zoom):
    dx, dy = handle_px[0] - camera_px[0], handle_px[1] - camera_px[1]
    return (math.degrees(math.atan2(dx, -dy)) + 360) % 360, math.hypot(dx, dy) * metres_per_pixel(latitude, zoom)


def angle_difference(a, b):
    return abs((a - b + 180) % 360 - 180)


def value(page, selector):
    return page.input_value(selector)


def run(browser, base, stream):
    errors = []
    api = Client(base).login("admin", PASSWORD)
    page = new_page(browser, errors)
    check(sign_in(page, base, "admin"), "the administrator signs in")
    open_cameras_tab(page)
    check(page.is_visible("#cameras-table"), "Admin has a Cameras tab with the camera table")
    before = camera_count(api)

    # MARK: add by clicking the map and dragging the cone
    page.click("#camera-new")
    page.wait_for_selector("#camera-map[data-ready='1']")
    check(not page.is_visible("#camera-map-unavailable"), "the map is shown beside the form (Leaflet is served)")
    page.fill("#camera-name", "Browser test corner")
    box = page.locator("#camera-map").bounding_box()
    click_at = (box["x"] + box["width"] * 0.4, box["y"] + box["height"] * 0.6)
    page.mouse.click(*click_at)
    check(wait_for(lambda: value(page, "#camera-latitude") and value(page, "#camera-longitude"), 5), "a click on the map places the camera")
    latitude = float(value(page, "#camera-latitude"))
    zoom = 17  # the editor opens at zoom 17 and nothing here zooms
    camera_px = centre(page, ".cone-handle.camera-handle")
    check(abs(camera_px[0] - click_at[0]) < 2 and abs(camera_px[1] - click_at[1]) < 2, "the camera handle sits where the map was clicked")
    heading_px = centre(page, ".cone-handle.heading-handle")
    drop = (camera_px[0] + 130, camera_px[1] + 40)
    drag(page, heading_px, drop)
    want_heading, want_range = expected_cone(camera_px, drop, latitude, zoom)
    shown_heading, shown_range = float(value(page, "#camera-headingDeg")), float(value(page, "#camera-rangeM"))
    check(angle_difference(shown_heading, want_heading) < 2, f"dragging the cone's tip sets the heading: {shown_heading}° (dragged to {want_heading:.1f}°)")
    check(abs(shown_range - want_range) < want_range * 0.05, f"and the range: {shown_range} m (dragged to {want_range:.1f} m)")
    fov_px = centre(page, ".cone-handle.fov-handle")
    # Drag the edge handle to 35° off the heading, at the same distance: the field of view becomes 70°.
    distance_px = math.hypot(drop[0] - camera_px[0], drop[1] - camera_px[1])
    edge = math.radians(want_heading + 35)
    fov_drop = (camera_px[0] + distance_px * math.sin(edge), camera_px[1] - distance_px * math.cos(edge))
    drag(page, fov_px, fov_drop)
    shown_fov = float(value(page, "#camera-fieldOfViewDeg"))
    check(abs(shown_fov - 70) < 3, f"dragging the cone's edge sets the field of view: {shown_fov}° (dragged to 70°)")
    shot(page, "01-placed-and-dragged")

    # MARK: test the stream
    page.fill("#camera-main-url", stream)
    page.click("#camera-probe")
    check(wait_for(lambda: page.is_visible("#probe-codec") or page.is_visible("#probe-error"), 30, "the stream test"), "the stream test answers")
    check("H264" in page.inner_text("#probe-codec"), f"the stream test shows the codec: {page.inner_text('#probe-result')!r}")
    check(page.inner_text("#probe-resolution") == "640×360", "and the resolution 640×360")
    fps_text = page.inner_text("#probe-fps")
    check(re.match(r"^\d+(\.\d+)? fps$", fps_text) is not None and 10 < float(fps_text.split()[0]) < 25, f"and the frame rate: {fps_text}")
    check("kbit/s" in page.inner_text("#probe-bitrate") and page.inner_text("#probe-transport") == "TCP", "and the bitrate and transport")
    check(wait_for(lambda: page.evaluate("() => document.querySelector('#probe-snapshot')?.naturalWidth || 0") >= 320, 5),
          "and a picture from the stream")
    check(value(page, "#camera-horizontalPixels") == "640" and value(page, "#camera-verticalPixels") == "360",
          "the measured picture size is filled into the form")
    probed_fps = float(value(page, "#camera-framesPerSecond") or 0)
    check(10 < probed_fps < 25, f"and the frame rate ({probed_fps})")
    shot(page, "02-stream-tested")

    page.click("#camera-save")
    saved = wait_for(lambda: camera_named(api, "Browser test corner"), 10, "the camera to be saved")
    check(saved is not None, "Add camera stores it")
    if not saved:
        return finish(page, errors)
    check(angle_difference(saved["headingDeg"], want_heading) < 2 and abs(saved["rangeM"] - want_range) < want_range * 0.05
          and abs(saved["fieldOfViewDeg"] - 70) < 3,
          f"the stored heading/range/field of view are the dragged ones: {saved['headingDeg']}°, {saved['rangeM']} m, {saved['fieldOfViewDeg']}°")
    check(saved.get("horizontalPixels") == 640 and saved.get("verticalPixels") == 360 and abs(saved.get("framesPerSecond", 0) - probed_fps) < 0.01,
          "the stored camera carries the measured resolution and frame rate")
    check(camera_count(api) == before + 1, "exactly one camera was added")
    check(wait_for(lambda: page.locator(f"#cameras-table tr[data-camera='{saved['id']}']").count() == 1, 5)
          and "640×360" in page.inner_text(f"#cameras-table tr[data-camera='{saved['id']}'] td.resolution"),
          "the table lists it with its resolution")

    # MARK: on the wall and on the map
    page.click("#nav a[data-screen=wall]")
    check(wait_for(lambda: page.locator(f"#camera-list .cam-item[data-camera='{saved['id']}']").count() == 1, 15),
          "the new camera is on the wall's camera list")
    page.goto(base + "/map")
    check(wait_for(lambda: page.evaluate(f"() => Boolean(window.rtccMap && window.rtccMap.cameras.some((c) => c.id === '{saved['id']}'))"), 30),
          "the map screen draws the new camera")
    lat, lon = saved["location"]["latitude"], saved["location"]["longitude"]
    status, box_page, _ = api.call("GET", f"/api/v1/cameras?bbox={lat - 0.001},{lon - 0.001},{lat + 0.001},{lon + 0.001}")
    check(status == 200 and any(c["id"] == saved["id"] for c in box_page["items"]), "the map API finds it at the clicked place")
    shot(page, "03-map-with-new-camera")

    # MARK: edit: every bad field shown at once, nothing stored; then a good edit with write-only credentials
    open_cameras_tab(page)
    page.fill("#cameras-search", "browser test")
    page.click(f"#cameras-table tr[data-camera='{saved['id']}']")
    page.wait_for_selector("#camera-form")
    page.fill("#camera-headingDeg", "400")
    page.fill("#camera-fieldOfViewDeg", "0")
    page.fill("#camera-retentionDays", "0")
    page.fill("#camera-horizontalPixels", "5")
    page.click("#camera-save")
    wanted = ["headingDeg", "fieldOfViewDeg", "retentionDays", "horizontalPixels"]
    check(wait_for(lambda: all(page.is_visible(f".field-error[data-field='{f}']") for f in wanted), 10),
          "a form with four bad fields shows all four errors at once, each beside its field")
    check(page.locator(".field-error:visible").count() == 4, "and no other error")
    shot(page, "04-field-errors")
    unchanged = camera_named(api, "Browser test corner")
    check(unchanged["headingDeg"] == saved["headingDeg"] and unchanged["retentionDays"] == saved["retentionDays"], "nothing of the bad edit was stored")
    page.fill("#camera-headingDeg", "120")
    page.fill("#camera-fieldOfViewDeg", "80")
    page.fill("#camera-retentionDays", "45")
    page.fill("#camera-horizontalPixels", "640")
    page.fill("#camera-rangeM", "45")
    page.fill("#camera-username", "viewer")
    page.fill("#camera-password", STREAM_PASSWORD)
    check(not page.is_checked("#camera-redundant"), "a new camera is not recorded on two nodes unless asked")
    page.check("#camera-redundant")
    page.click("#camera-save")
    edited = wait_for(lambda: (c := camera_named(api, "Browser test corner")) and c["rangeM"] == 45 and c, 10, "the edit")
    check(edited and edited.get("redundant") is True, "\"Record on two nodes\" is stored as the camera's redundant flag")
    check(edited and edited["headingDeg"] == 120 and edited["fieldOfViewDeg"] == 80 and edited["retentionDays"] == 45 and edited["hasCredentials"],
          "a good edit stores every changed field and the stream credentials")
    check(edited and edited.get("horizontalPixels") == 640, "and keeps the measured picture size")
    check(edited and STREAM_PASSWORD not in json.dumps(edited) and "viewer" not in (edited.get("mainStreamURL") or ""), "the API never returns the credentials")
    page.wait_for_selector("#camera-password")
    check(wait_for(lambda: page.get_attribute("#camera-password", "placeholder") == "unchanged", 5) and value(page, "#camera-password") == "",
          "reopened, the password field is empty with the placeholder \"unchanged\"")
    check(STREAM_PASSWORD not in page.content(), "the page holds the stream password nowhere")
    shot(page, "05-edited")

    # MARK: import: one bad row stores nothing; a good file stores every row after a dry run
    count = camera_count(api)
    bad_csv = os.path.join(WORK, "bad.csv")
    with open(bad_csv, "w") as handle:
        handle.write("name,kind,latitude,longitude,heading_deg,horizontal_pixels,vertical_pixels,fps\n"
                     "Import A,city,32.51,-93.75,10,1920,1080,25\n"
                     "Import B,city,32.51,-93.75,400,1920,1080,25\n"
                     "Import C,city,32.51,-93.75,20,3840,2160,30\n")
    page.set_input_files("#camera-import-file", bad_csv)
    check(wait_for(lambda: page.locator("#camera-import-errors li").count() > 0, 15), "a file with a bad row lists its problems")
    items = page.locator("#camera-import-errors li").all_inner_texts()
    check(len(items) == 1 and items[0].startswith("line 3") and "headingDeg" in items[0], f"exactly the bad row, by line: {items}")
    check("nothing was stored" in page.inner_text("#camera-import-summary"), "and says nothing was stored")
    check(page.locator("#camera-import-confirm").count() == 0, "no import button is offered for a bad file")
    check(camera_count(api) == count, "the registry is unchanged")
    shot(page, "06-import-bad-row")

    good_csv = os.path.join(WORK, "good.csv")
    with open(good_csv, "w") as handle:
        handle.write("name,kind,latitude,longitude,heading_deg,horizontal_pixels,vertical_pixels,fps\n"
                     "Import A,city,32.51,-93.75,10,1920,1080,25\n"
                     "Import B,city,32.512,-93.751,40,1280,720,15\n"
                     "Import C,city,32.513,-93.752,20,3840,2160,30\n")
    page.set_input_files("#camera-import-file", good_csv)
    check(wait_for(lambda: page.is_visible("#camera-import-confirm"), 15) and page.inner_text("#camera-import-confirm") == "Import 3 cameras",
          "a good file is checked first and offers \"Import 3 cameras\"")
    check(camera_count(api) == count, "the dry run stores nothing")
    shot(page, "07-import-checked")
    page.click("#camera-import-confirm")
    check(wait_for(lambda: camera_count(api) == count + 3, 10), "the import stores all three")
    imported = camera_named(api, "Import C")
    check(imported and imported.get("horizontalPixels") == 3840 and imported.get("framesPerSecond") == 30, "with their picture size and frame rate")
    page.fill("#cameras-search", "")
    check(wait_for(lambda: page.locator("#cameras-table tr[data-name='Import B']").count() == 1, 5), "and the table lists them")

    # MARK: sorting, search, export
    page.click("#cameras-table th[data-sort=resolution]")
    page.click("#cameras-table th[data-sort=resolution]")
    first = page.locator("#cameras-table tbody tr").first.get_attribute("data-name")
    check(first == "Import C" and page.get_attribute("#cameras-table th[data-sort=resolution]", "aria-sort") == "descending",
          f"sorting by resolution, largest first, puts the 4K camera on top ({first})")
    page.fill("#cameras-search", "import")
    check(page.locator("#cameras-table tbody tr").count() == 3, "the search narrows the table")
    shot(page, "08-table-sorted")
    href = page.get_attribute("#camera-export-csv", "href")
    status, exported, _ = api.call("GET", href, raw=True)
    text = exported.decode() if isinstance(exported, bytes) else str(exported)
    check(status == 200 and "horizontal_pixels" in text.splitlines()[0] and "Import C" in text and "3840" in text and STREAM_PASSWORD not in text,
          "the CSV export link gives every camera with its picture size and no credentials")
    status, _, _ = api.call("GET", page.get_attribute("#camera-export-geojson", "href"), raw=True)
    check(status == 200, "the GeoJSON export link works")

    # MARK: delete asks first
    page.fill("#cameras-search", "browser test")
    page.click(f"#cameras-table tr[data-camera='{saved['id']}']")
    page.click("#camera-delete")
    page.wait_for_selector("#confirm-dialog")
    check("Browser test corner" in page.inner_text("#confirm-dialog"), "delete asks for confirmation, naming the camera")
    shot(page, "09-delete-confirm")
    page.click("#confirm-cancel")
    check(camera_named(api, "Browser test corner") is not None, "cancelling keeps the camera")
    page.click("#camera-delete")
    page.click("#confirm-ok")
    check(wait_for(lambda: camera_named(api, "Browser test corner") is None, 10), "confirming deletes it")
    check(wait_for(lambda: page.locator(f"#cameras-table tr[data-camera='{saved['id']}']").count() == 0, 5), "and it leaves the table")

    # MARK: roles
    supervisor = new_page(browser, errors)
    sign_in(supervisor, base, "sam")
    check(supervisor.is_visible("#nav a[data-screen=admin]"), "a supervisor sees Admin in the navigation")
    open_cameras_tab(supervisor)
    tabs = supervisor.locator("#admin-tabs a").all_inner_texts()
    check("Cameras" in tabs and not {"Users", "API tokens", "System"} & set(tabs), f"a supervisor's Admin has the Cameras tab, not the administrator's: {tabs}")
    supervisor.click("#cameras-table tr[data-name='Import A']")
    supervisor.wait_for_selector("#camera-form")
    check(wait_for(lambda: supervisor.locator("#camera-map[data-ready='1']").count() == 1, 15), "a supervisor's camera form has its map")
    check(supervisor.locator("#camera-delete").count() == 0, "a supervisor may edit but is offered no delete (cameras:delete is the administrator's)")
    shot(supervisor, "10-supervisor")
    analyst = new_page(browser, errors)
    sign_in(analyst, base, "ana")
    check(not analyst.is_visible("#nav a[data-screen=admin]"), "an analyst has no Admin in the navigation")
    analyst.goto(base + "/admin/cameras")
    check(wait_for(lambda: analyst.is_visible("#not-allowed"), 10) and "not available to you" in analyst.inner_text("#not-allowed"),
          "an analyst opening /admin/cameras is told it is not available, and why")
    shot(analyst, "11-analyst-not-allowed")
    finish(page, errors)


def finish(page, errors):
    check(not errors, f"no script errors in the pages: {errors}")


if __name__ == "__main__":
    try:
        main()
    finally:
        print(summary())
    sys.exit(1 if RESULTS["failed"] else 0)
