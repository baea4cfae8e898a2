"""The map screen in real headless Chromium (Debian's chromium, driven by Playwright), against `rtcc demo` (the
Shreveport demo city: city, partner and temporary cameras, the fairgrounds venue, incidents).

Checks: the map loads every demo camera as a marker with its view cone; a click near known cameras lists exactly the
cameras whose view sector holds the point, as computed here independently (spherical distance and bearing, the same
sector test), nearest first; a typed point gives the same answer as the API; "hold footage" places holds; a camera's
popup offers live view and playback; coverage of the fairgrounds draws the gap layer and shows the same percentage as
the API; the plan panel places N cameras over the fairgrounds, draws them and downloads them as GeoJSON and CSV; replay
colours incidents as the API counts them; layer toggles hide and show markers; the demo's State Fair is an event whose
after-event report shows the API's coverage (permanent / planned / achieved) and incident counts; a new event is created
over the fairgrounds, its cameras planned and registered as temporary cameras in its window. Screenshots go to OUTDIR. Usage: browser_map_tests.py RTCC OUTDIR
"""
import json
import math
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time


sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from browser_support import RESULTS, Client, check, demo_server, wait_for  # noqa: E402

RTCC = os.path.abspath(sys.argv[1])
OUT = os.path.abspath(sys.argv[2] if len(sys.argv) > 2 else "browser-map-test-output")
os.makedirs(OUT, exist_ok=True)
WORK = tempfile.mkdtemp(prefix="rtcc-map-")
CHROMIUM = os.environ.get("RTCC_CHROMIUM", "/usr/bin/chromium")
EARTH_RADIUS = 6371008.8


# The sector test, independently of the server: great-circle distance and initial bearing on a sphere.
def distance(lat1, lon1, lat2, lon2):
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS * math.asin(math.sqrt(a))


def bearing(lat1, lon1, lat2, lon2):
    p1, p2, dl = math.radians(lat1), math.radians(lat2), math.radians(lon2 - lon1)
    y = math.sin(dl) * math.cos(p2)
    x = math.cos(p1) * math.sin(p2) - math.sin(p1) * math.cos(p2) * math.cos(dl)
    return (math.degrees(math.atan2(y, x)) + 360) % 360


def destination(lat, lon, heading, metres):
    d, b, p1 = metres / EARTH_RADIUS, math.radians(heading), math.radians(lat)
    p2 = math.asin(math.sin(p1) * math.cos(d) + math.cos(p1) * math.sin(d) * math.cos(b))
    l2 = math.radians(lon) + math.atan2(math.sin(b) * math.sin(d) * math.cos(p1), math.cos(d) - math.sin(p1) * math.sin(p2))
    return math.degrees(p2), math.degrees(l2)


def sector_margin(camera, lat, lon):
    """How far inside the camera's sector the point is: min(metres inside the range, degrees inside the field of view)
    (negative when outside)."""
    loc = camera["location"]
    d = distance(loc["latitude"], loc["longitude"], lat, lon)
    range_margin = camera["rangeM"] - d
    if camera["fieldOfViewDeg"] >= 360 or d < 0.01:
        return range_margin, d
    off = abs((bearing(loc["latitude"], loc["longitude"], lat, lon) - camera["headingDeg"] + 540) % 360 - 180)
    return min(range_margin, (camera["fieldOfViewDeg"] / 2 - off) * d * math.pi / 180), d


def active(camera, window):
    """Whether the camera is active at some time in the window (ISO 8601 strings compare in time order as UTC 'Z')."""
    span = camera.get("activeWindow")
    return span is None or window is None or (span["from"] <= window[1] and span["until"] >= window[0])


def expected_seen(cameras, lat, lon, window=None, tolerance=0.5):
    """(cameras certainly covering the point, cameras possibly covering it within `tolerance` metres), nearest first."""
    certain, possible = [], []
    for camera in cameras:
        if not active(camera, window):
            continue
        margin, d = sector_margin(camera, lat, lon)
        if margin > tolerance:
            certain.append((d, camera["id"]))
        if margin > -tolerance:
            possible.append((d, camera["id"]))
    return [c for _, c in sorted(certain)], [c for _, c in sorted(possible)]


def all_cameras(client):
    cameras, offset = [], 0
    while True:
        status, page, _ = client.call("GET", f"/api/v1/cameras?limit=1000&offset={offset}")
        assert status == 200, f"camera list: {status}"
        cameras += page["items"]
        if len(cameras) >= page["total"] or not page["items"]:
            return cameras
        offset += 1000


def main():
    try:
        with demo_server(RTCC, os.path.join(WORK, "demo"), os.path.join(OUT, "server.log"), CHROMIUM) as (browser, base, password):
            run(browser, base, Client(base).login("admin", password), password)
    finally:
        shutil.rmtree(WORK, ignore_errors=True)


def address_search(page, client, base):
    """The demo's streets are drawn; an address typed with a typo and a spelt-out suffix is suggested as you type;
    choosing it centres the map there and lists who could have seen it, as the API does."""
    page.goto(base + "/map")
    wait_for(lambda: page.eval_on_selector("#map", "m => m.dataset.ready"), 30, "the map for address search")
    status, streets, _ = client.call("GET", "/api/v1/streets")
    drawn = page.eval_on_selector_all(".leaflet-overlay-pane path.street-line", "p => p.length")
    shown = page.eval_on_selector("#map", "m => Number(m.dataset.streets)")
    check(status == 200 and len(streets["features"]) > 10 and shown == len(streets["features"]) and drawn >= len(streets["features"]),
          f"the demo's street centrelines are drawn as a layer ({shown} streets, {drawn} lines)")
    typed = "401 texsa street"
    page.click("#address-search")
    started = time.time()
    page.keyboard.type(typed, delay=40)
    first = wait_for(lambda: page.eval_on_selector_all("#address-suggestions li .label", "l => l.map(x => x.textContent)")[:1] or None, 10, "suggestions")
    suggested = time.time() - started
    status, matches, _ = client.call("GET", "/api/v1/addresses/search?q=" + typed.replace(" ", "%20") + "&limit=8")
    listed = page.eval_on_selector_all("#address-suggestions li .label", "l => l.map(x => x.textContent)")
    check(status == 200 and first and first[0].startswith("401 Texas St") and listed == [m["label"] for m in matches],
          f"typing \"{typed}\" suggests 401 Texas St first, as the API ranks it ({listed[:3]}; {suggested:.1f} s after the first key)")
    page.screenshot(path=os.path.join(OUT, "address-suggestions.png"))
    target = matches[0]
    page.click("#address-suggestions li >> nth=0")
    point = f"{target['latitude']:.6f},{target['longitude']:.6f}"
    wait_for(lambda: page.query_selector(f"#seen-results[data-point='{point}']"), 30, "who could have seen the address")
    centre = page.evaluate("() => { const c = window.rtccMap.map.getCenter(); return [c.lat, c.lng, window.rtccMap.map.getZoom()]; }")
    check(distance(centre[0], centre[1], target["latitude"], target["longitude"]) < 1 and centre[2] >= 18,
          f"choosing the address centres the map on it ({distance(centre[0], centre[1], target['latitude'], target['longitude']):.2f} m away, zoom {centre[2]})")
    listed = page.eval_on_selector_all("#seen-results li", "items => items.map(i => i.dataset.cameraId)")
    window = page.evaluate("() => ['#seen-from', '#seen-until'].map(s => new Date(document.querySelector(s).value).toISOString().slice(0, 19) + 'Z')")
    status, report, _ = client.call("GET", f"/api/v1/seen?lat={target['latitude']:.6f}&lon={target['longitude']:.6f}&from={window[0]}&until={window[1]}")
    place = page.inner_text("#seen-place")
    check(status == 200 and len(listed) >= 1 and listed == [c["cameraID"] for c in report["cameras"]] and place == target["label"],
          f"who could have seen {place} lists the API's cameras ({len(listed)}: "
          f"{[c['name'] for c in report.get('cameras', [])][:4]})")
    page.screenshot(path=os.path.join(OUT, "address-seen.png"))
    # A corner by keyboard: the first suggestion is taken with Enter.
    page.fill("#address-search", "")
    page.click("#address-search")
    page.keyboard.type("texas and markt", delay=20)
    wait_for(lambda: page.eval_on_selector_all("#address-suggestions li", "l => l.length") or None, 10, "corner suggestions")
    kind = page.eval_on_selector("#address-suggestions li", "li => [li.dataset.kind, li.textContent]")
    page.keyboard.press("Enter")
    chosen = wait_for(lambda: page.inner_text("#seen-place") if "&" in page.inner_text("#seen-place") else None, 10, "the corner")
    check(kind[0] == "intersection" and chosen and "Texas St" in chosen and "Market St" in chosen,
          f"\"texas and markt\" offers the corner first and Enter takes it ({chosen})")
    # A click elsewhere names the nearest address.
    box = page.eval_on_selector("#map", "m => { const r = m.getBoundingClientRect(); return [r.left + r.width / 2 + 40, r.top + r.height / 2 + 30]; }")
    page.mouse.click(*box)
    near = wait_for(lambda: page.inner_text("#seen-place") if page.inner_text("#seen-place").startswith("Near ") else None, 10, "the nearest address")
    check(bool(near) and re.search(r"^Near \d+\w* .+ \(\d+ m\)$", near), f"a click on the map names the nearest address ({near})")


def run(browser, base, client, password):
    cameras = all_cameras(client)
    by_id = {c["id"]: c for c in cameras}
    page = browser.new_context(viewport={"width": 1400, "height": 900}).new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(base + "/")
    page.fill("#signin-user", "admin")
    page.fill("#signin-password", password)
    page.click("#signin-submit")
    page.wait_for_selector("#whoami")
    page.goto(base + "/map")
    ready = wait_for(lambda: page.eval_on_selector("#map", "m => m.dataset.ready"), 30, "the map")
    shown = page.eval_on_selector("#map", "m => Number(m.dataset.cameras)") if ready else 0
    markers = page.eval_on_selector_all(".leaflet-overlay-pane path.cam-marker", "p => p.length")
    check(ready and shown == len(cameras) and markers == len(cameras),
          f"the map loads every demo camera as a marker ({markers} markers, {len(cameras)} cameras)")
    page.screenshot(path=os.path.join(OUT, "map.png"))

    # A point where the views of several cameras meet, well inside each (so rounding cannot change the answer).
    best = None
    for camera in cameras:
        for metres in (10, 20, 30):
            for turn in (-15, 0, 15):
                lat, lon = destination(camera["location"]["latitude"], camera["location"]["longitude"], camera["headingDeg"] + turn, metres)
                certain, possible = expected_seen(cameras, lat, lon, tolerance=2)
                if certain == possible and (best is None or len(certain) > len(best[2])):
                    best = (lat, lon, certain)
    lat, lon, _ = best
    page.evaluate("([lat, lon]) => window.rtccMap.map.setView([lat, lon], 18, { animate: false })", [lat, lon])
    box = page.eval_on_selector("#map", "m => { const r = m.getBoundingClientRect(); return [r.left, r.top]; }")
    point = page.evaluate("([lat, lon]) => { const p = window.rtccMap.map.latLngToContainerPoint([lat, lon]); return [p.x, p.y]; }", [lat, lon])
    page.mouse.click(box[0] + point[0], box[1] + point[1])
    wait_for(lambda: page.eval_on_selector("#seen-summary", "s => s.textContent.includes('could have seen')"), 30, "the seen list")
    clicked = (float(page.input_value("#seen-lat")), float(page.input_value("#seen-lon")))
    listed = page.eval_on_selector_all("#seen-results li", "items => items.map(i => i.dataset.cameraId)")
    window = page.evaluate("() => ['#seen-from', '#seen-until'].map(s => new Date(document.querySelector(s).value).toISOString().slice(0, 19) + 'Z')")
    certain, possible = expected_seen(cameras, *clicked, window=window)
    check(len(listed) >= 2 and set(certain) <= set(listed) <= set(possible),
          f"a click near known cameras lists the cameras whose sector holds the point ({len(listed)} listed, "
          f"{len(certain)} computed independently: {[by_id[c]['name'] for c in certain]})")
    distances = [distance(by_id[c]["location"]["latitude"], by_id[c]["location"]["longitude"], *clicked) for c in listed]
    check(distances == sorted(distances), "the list is nearest first")
    first_text = page.eval_on_selector("#seen-results li", "li => li.textContent")
    check(re.search(r"\d+\.\d m", first_text) and re.search(r"retention|held|nothing recorded", first_text) and re.search(r"detect|observe|recognise|identify|beyond", first_text),
          f"each row shows distance, DORI level, footage and retention (\"{first_text[:120]}\")")
    page.screenshot(path=os.path.join(OUT, "seen.png"))

    # A typed point gives the API's answer.
    typed = destination(lat, lon, 90, 5)
    page.fill("#seen-lat", f"{typed[0]:.6f}")
    page.fill("#seen-lon", f"{typed[1]:.6f}")
    page.click("#seen-search")
    wait_for(lambda: page.query_selector(f"#seen-results[data-point='{typed[0]:.6f},{typed[1]:.6f}']"), 30, "the typed point's answer")
    listed_typed = page.eval_on_selector_all("#seen-results li", "items => items.map(i => i.dataset.cameraId)")
    status, report, _ = client.call("GET", f"/api/v1/seen?lat={typed[0]:.6f}&lon={typed[1]:.6f}&from={window[0]}&until={window[1]}")
    check(status == 200 and listed_typed == [c["cameraID"] for c in report["cameras"]],
          f"a typed point lists the same cameras as the API ({len(listed_typed)})")
    cli = subprocess.run([RTCC, "seen", "--lat", f"{typed[0]:.6f}", "--lon", f"{typed[1]:.6f}", "--from", window[0], "--to", window[1],
                          "--data", os.path.join(WORK, "demo"), "--json"], capture_output=True, text=True, timeout=60)
    from_cli = json.loads(cli.stdout or "{}").get("cameras", [])
    check(cli.returncode == 0 and [c["cameraID"] for c in from_cli] == listed_typed,
          f"rtcc seen prints the same cameras ({len(from_cli)}; {cli.stderr.strip()[:120]})")

    # Hold footage at a point a private camera sees: the demo records nothing here, so its owner gets a drafted request.
    private = [c for c in cameras if c["sharing"] in ("registered", "on_request")]
    spot = None
    for camera in private:
        lat2, lon2 = destination(camera["location"]["latitude"], camera["location"]["longitude"], camera["headingDeg"], 10)
        certain, possible = expected_seen(cameras, lat2, lon2, window=window, tolerance=2)
        if certain == possible and camera["id"] in certain:
            spot = (lat2, lon2, certain)
            break
    check(spot is not None, f"the demo has a point that a private camera sees ({len(private)} private cameras)")
    if spot:
        page.fill("#seen-lat", f"{spot[0]:.6f}")
        page.fill("#seen-lon", f"{spot[1]:.6f}")
        page.click("#seen-search")
        wait_for(lambda: page.query_selector(f"#seen-results[data-point='{spot[0]:.6f},{spot[1]:.6f}']"), 30, "the private camera's point")
        owners = [c for c in spot[2] if by_id[c]["sharing"] in ("registered", "on_request")]
        page.fill("#seen-reason", "case 26-0001 map test")
        page.click("#seen-hold")
        toast = wait_for(lambda: page.eval_on_selector("#toast:not([hidden])", "t => t.textContent"), 20, "the hold toast")
        drafts = page.eval_on_selector_all("#seen-requests details", "d => d.length")
        check(toast and f"{len(owners)} footage request" in toast and drafts == len(owners),
              f"hold footage drafts one request per private camera ({drafts} drafted, {len(owners)} expected: \"{toast}\")")
        status, holds, _ = client.call("GET", "/api/v1/holds")
        placed = [h for h in holds or [] if h.get("reason") == "case 26-0001 map test"]
        reported = re.search(r"(\d+) holds? placed", toast or "")
        check(status == 200 and reported and len(placed) == int(reported.group(1)), f"the holds the page reports are stored ({len(placed)})")
        # With a case number the requests are sent: one per owner, listed for staff with their status.
        page.fill("#seen-case", "26-0001")
        page.click("#seen-hold")
        sent = wait_for(lambda: page.eval_on_selector_all("#seen-requests .sent-request", "d => d.map(x => x.dataset.status)") or None, 20, "sent requests")
        status, listed, _ = client.call("GET", "/api/v1/footage-requests")
        items = listed if isinstance(listed, list) else (listed or {}).get("items", [])
        stored = [r for r in items if r.get("caseNumber") == "26-0001" and r.get("cameraID") in owners]
        check(sent and len(sent) == len(owners) and all(s == "pending" for s in sent) and len(stored) == len(owners),
              f"with a case number, hold footage sends one pending request per private camera ({len(sent or [])} shown, {len(stored)} stored)")
        page.screenshot(path=os.path.join(OUT, "hold.png"))

    # A camera popup: snapshot (or why not), live and play back.
    target = listed_typed[0] if listed_typed else cameras[0]["id"]
    page.evaluate("(id) => document.querySelector(`path.cam-${id}`).dispatchEvent(new MouseEvent('click', { bubbles: true }))", target)
    popup = page.wait_for_selector(".cam-popup", timeout=10000)
    buttons = page.eval_on_selector_all(".cam-popup button", "b => b.map(x => x.textContent)")
    check(popup and popup.get_attribute("data-camera-id") == target and "Live" in buttons and "Play back" in buttons,
          f"clicking a camera opens a popup with live and play back ({buttons})")
    page.screenshot(path=os.path.join(OUT, "popup.png"))
    page.click(".cam-popup .cam-playback")
    wait_for(lambda: "/playback" in page.url, 10, "playback")
    check(f"cameras={target}" in page.url, f"play back opens the playback screen for the camera ({page.url[len(base):][:60]})")

    # Coverage of the fairgrounds.
    page.goto(base + "/map")
    wait_for(lambda: page.eval_on_selector("#map", "m => m.dataset.ready"), 30, "the map again")
    status, venues, _ = client.call("GET", "/api/v1/venues")
    fair = next(v for v in venues if "fairgrounds" in v["name"].lower())
    page.select_option("#coverage-venue", fair["id"])
    page.fill("#coverage-resolution", "5")
    before = page.eval_on_selector_all(".leaflet-overlay-pane path", "p => p.length")
    page.click("#coverage-run")
    shown = wait_for(lambda: page.eval_on_selector("#coverage-result tr[data-level=any] .percent", "p => p.textContent"), 60, "coverage")
    after = page.eval_on_selector_all(".leaflet-overlay-pane path", "p => p.length")
    status, result, _ = client.call("POST", "/api/v1/coverage", {"venueID": fair["id"], "resolutionM": 5})
    check(status == 200 and shown and f"{result['coveredPercent']['any']:.1f} %" == shown,
          f"coverage of the fairgrounds shows the API's percentage ({shown})")
    check(after > before and result["gapRectangles"] > 0, f"the gap layer is drawn ({result['gapRectangles']} gap rectangles)")
    instant = page.inner_text("#coverage-instant")
    check(instant.startswith("In view at") and f"{result['cameras']} cameras active then" in instant, f"the screen says which instant it measured ({instant[:80]})")
    # The dashboard measures the same venue at the same instant ("now") with the same code: the figures agree.
    status, board, _ = client.call("GET", "/api/v1/dashboard")
    on_board = next((a["percent"] for a in board.get("coverage", []) if a["name"] == fair["name"]), None) if status == 200 else None
    status, now_result, _ = client.call("POST", "/api/v1/coverage", {"venueID": fair["id"]})
    check(on_board is not None and status == 200 and abs(on_board - now_result["coveredPercent"]["any"]) <= 0.1,
          f"the dashboard and the map agree on the fairgrounds ({on_board} % and {now_result.get('coveredPercent', {}).get('any')} %)")
    page.evaluate("() => window.rtccMap.map.fitBounds(window.rtccMap.groups.venues.getLayers()[0].getBounds())")
    page.screenshot(path=os.path.join(OUT, "coverage.png"))

    # Plan four new cameras over the fairgrounds on a 40 m grid, drawn with their cones, downloadable; then replay.
    page.select_option("#plan-venue", fair["id"])
    for field, value in (("#plan-budget", "4"), ("#plan-fov", "90"), ("#plan-range", "60"), ("#plan-spacing", "40")):
        page.fill(field, value)
    page.select_option("#plan-demand", "uniform")
    page.click("#plan-run")
    planned = wait_for(lambda: page.eval_on_selector("#plan-result", "r => r.dataset.cameras"), 120, "the plan")
    markers = page.eval_on_selector_all(".leaflet-overlay-pane path.plan-marker", "p => p.length")
    cones = page.eval_on_selector_all(".leaflet-overlay-pane path.plan-cone", "p => p.length")
    body = {"venueID": fair["id"], "budget": 4, "candidateGrid": {"spacingM": 40}, "demand": {"kind": "uniform"},
            "camera": {"fovDeg": 90, "rangeM": 60}}
    status, plan, _ = client.call("POST", "/api/v1/plans", body)
    check(status == 200 and planned == "4" and markers == 4 and cones == 4 and len(plan["chosen"]) == 4,
          f"the plan panel places 4 cameras over the fairgrounds and draws them with cones ({markers} markers, {cones} cones)")
    summary = page.eval_on_selector("#plan-summary", "p => p.textContent")
    check(status == 200 and f"cover {plan['value']:.1f} of {plan['totalWeight']:.1f}" in summary
          and f"{plan['percentOfBound']:.1f} % of the best" in summary, f"the plan shows the API's value and bound ({summary})")
    page.screenshot(path=os.path.join(OUT, "plan.png"))
    with page.expect_download() as download:
        page.click("#plan-geojson")
    with open(download.value.path()) as handle:
        exported = json.load(handle)
    points = [f for f in exported["features"] if f["geometry"]["type"] == "Point"]
    check(len(points) == 4 and len(exported["features"]) == 8, f"the plan downloads as GeoJSON ({len(points)} cameras)")
    with page.expect_download() as download:
        page.click("#plan-csv")
    with open(download.value.path()) as handle:
        rows = handle.read().strip().splitlines()
    check(len(rows) == 5 and rows[0].startswith("rank,site,name"), f"the plan downloads as CSV ({len(rows) - 1} rows)")

    page.click("#replay-run")
    total = wait_for(lambda: page.eval_on_selector("#replay-result", "r => r.dataset.total"), 120, "the replay")
    shown = {v: int(page.eval_on_selector(f"#replay-counts tr[data-verdict={v}] .percent", "p => p.textContent"))
             for v in ("seen", "covered-by-plan", "gap")}
    drawn = {v: page.eval_on_selector_all(f".leaflet-overlay-pane path.replay-{v}", "p => p.length") for v in shown}
    now = time.time()
    status, replay, _ = client.call("POST", "/api/v1/coverage/replay", {
        "from": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now - 366 * 86400)),
        "until": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now + 60)), "proposed": plan["chosen"]})
    counts = replay.get("counts", {}) if status == 200 else {}
    check(total and int(total) == counts.get("total") and shown == drawn and shown == {
        "seen": counts.get("seen"), "covered-by-plan": counts.get("coveredByPlan"), "gap": counts.get("gap")},
          f"replay colours every incident seen / covered by the plan / gap as the API counts ({shown})")
    page.screenshot(path=os.path.join(OUT, "replay.png"))

    # Layer toggles.
    city_count = sum(1 for c in cameras if c["kind"] == "city" and c["sharing"] not in ("registered", "on_request"))
    page.uncheck("input[data-layer=city]")
    hidden = page.eval_on_selector_all(".leaflet-overlay-pane path.cam-marker", "p => p.length")
    page.check("input[data-layer=city]")
    restored = page.eval_on_selector_all(".leaflet-overlay-pane path.cam-marker", "p => p.length")
    check(hidden == len(cameras) - city_count and restored == len(cameras), f"the city layer toggle hides {city_count} markers and shows them again")
    # Events: the demo's State Fair deployment and its after-event report, then a new event planned and equipped.
    status, listing, _ = client.call("GET", "/api/v1/deployments")
    fair_event = next((d for d in listing.get("items", []) if "State Fair" in d["name"]), None) if status == 200 else None
    check(fair_event is not None and len(fair_event["cameras"]) == sum(1 for c in cameras if c["kind"] == "temporary"),
          f"the demo's State Fair is an event holding every temporary camera ({len(fair_event['cameras']) if fair_event else 0})")
    options = page.eval_on_selector_all("#event-select option", "o => o.map(x => x.value)")
    check(fair_event and fair_event["id"] in options, f"the events panel lists the fair ({len(options)} events)")
    page.select_option("#event-select", fair_event["id"])
    outlines = page.eval_on_selector_all(".leaflet-overlay-pane path.event-area", "p => p.length")
    check(outlines == 1, f"the chosen event's area is outlined on the map ({outlines})")
    page.click("#event-report")
    wait_for(lambda: page.eval_on_selector("#event-result", "r => r.dataset.report"), 120, "the after-event report")
    status, report, _ = client.call("GET", f"/api/v1/deployments/{fair_event['id']}/report?resolutionM=5")
    shown = {level: page.eval_on_selector(f"#event-coverage tr[data-level={level}]", "r => [...r.children].slice(1).map(c => c.textContent)")
             for level in ("any", "identify")}
    achieved = report["coverage"]["achieved"].get("coveredPercent", {}) if status == 200 else {}
    expected = {level: [f"{report['coverage']['permanentOnly'][level]:.1f} %", f"{report['coverage']['planned'][level]:.1f} %",
                        f"{achieved[level]:.1f} %" if level in achieved else "–"] for level in shown} if status == 200 else None
    check(status == 200 and shown == expected and report["eventCameras"]["linked"] == len(fair_event["cameras"]),
          f"the report shows the API's coverage permanent / planned / achieved ({shown['any']})")
    summary = page.eval_on_selector("#event-incidents", "p => p.textContent")
    verdicts = report["incidents"]["verdicts"] if status == 200 else {}
    check(f"{report['incidents']['total']} incidents in the area: {verdicts.get('recorded')} recorded" in summary,
          f"the report counts the incidents in the fair during the event ({summary})")
    page.eval_on_selector("#event-result", "e => e.scrollIntoView()")
    page.screenshot(path=os.path.join(OUT, "event-report.png"))

    page.click("#event-new summary")
    page.fill("#event-name", "Holiday parade")
    page.select_option("#event-venue", "")
    # Draw the parade's area on the map: three corners inside the fairgrounds, then finish.
    corners = [(32.4800, -93.7960), (32.4800, -93.7900), (32.4750, -93.7930)]
    page.evaluate("() => window.rtccMap.map.fitBounds(window.rtccMap.groups.venues.getLayers()[0].getBounds(), { animate: false })")
    page.click("#event-draw")
    origin = page.eval_on_selector("#map", "m => { const r = m.getBoundingClientRect(); return [r.left, r.top]; }")
    for lat, lon in corners:
        x, y = page.evaluate("([lat, lon]) => { const p = window.rtccMap.map.latLngToContainerPoint([lat, lon]); return [p.x, p.y]; }", [lat, lon])
        page.mouse.click(origin[0] + x, origin[1] + y)
        time.sleep(0.4)
    page.click("#event-draw")
    drawn = json.loads(page.eval_on_selector("#event-polygon", "t => t.value") or "{}")
    ring = drawn.get("coordinates", [[]])[0]
    check(len(ring) == 4 and all(abs(p[1] - c[0]) < 3e-5 and abs(p[0] - c[1]) < 3e-5 for p, c in zip(ring, corners)),
          f"an area drawn on the map becomes the event's GeoJSON polygon ({len(ring)} points)")
    page.click("#event-create")
    created = wait_for(lambda: next((o for o in page.eval_on_selector_all("#event-select option", "o => o.map(x => [x.value, x.textContent, x.selected])")
                                     if o[1].startswith("Holiday parade") and o[2]), None), 30, "the new event")
    status, parade, _ = client.call("GET", f"/api/v1/deployments/{created[0]}") if created else (0, {}, {})
    check(status == 200 and parade["phase"] == "upcoming" and parade.get("venueID") is None and len(parade["area"][0]) == 3,
          "a new event is created over the drawn area from the panel")
    page.fill("#event-budget", "3")
    page.click("#event-plan")
    wait_for(lambda: page.query_selector("#event-plan-summary"), 120, "the event plan")
    status, event_plan, _ = client.call("POST", f"/api/v1/deployments/{created[0]}/plan",
                                        {"budget": 3, "camera": {"fovDeg": 90, "rangeM": 60}, "candidateGrid": {"spacingM": 30}})
    plan_text = page.eval_on_selector("#event-plan-summary", "p => p.textContent")
    check(status == 200 and f"{event_plan['coveredPercent']:.1f} % in view" in plan_text
          and page.eval_on_selector_all(".leaflet-overlay-pane path.plan-marker", "p => p.length") == 3,
          f"the event's cameras are planned over its area ({plan_text[:80]})")
    page.click("#event-add-planned")
    wait_for(lambda: page.eval_on_selector("#map", "m => Number(m.dataset.cameras)") == len(cameras) + 3, 30, "the new cameras on the map")
    status, parade, _ = client.call("GET", f"/api/v1/deployments/{created[0]}")
    registered = [by_id.get(c["id"]) for c in parade.get("cameras", [])]
    fresh = [c for c in all_cameras(client) if c["id"] in {x["id"] for x in parade.get("cameras", [])}]
    check(status == 200 and len(fresh) == 3 and all(c["kind"] == "temporary" and c["activeWindow"]["from"][:19] == parade["startsAt"][:19]
                                                   and c["activeWindow"]["until"][:19] == parade["endsAt"][:19] for c in fresh)
          and not any(registered),
          f"the planned cameras are registered as temporary cameras active in the event's window ({len(fresh)})")
    page.eval_on_selector("#events-panel", "e => e.scrollIntoView()")
    page.screenshot(path=os.path.join(OUT, "event-plan.png"))
    address_search(page, client, base)
    check(not errors, f"no script errors on the page ({errors[:3]})")

    # Without Leaflet on the server the Map screen explains what is missing instead of staying blank.
    bare = page.context.new_page()
    bare.route("**/vendor/leaflet/**", lambda route: route.fulfill(status=404, body="not found"))
    bare.goto(base + "/map")
    shown = wait_for(lambda: bare.query_selector("#map-unavailable") and bare.inner_text("#map-unavailable"), 20, "the explanation")
    check(bool(shown) and "libjs-leaflet" in shown, f"the Map screen explains that Leaflet is missing ({(shown or '')[:60]})")
    bare.screenshot(path=os.path.join(OUT, "map-without-leaflet.png"))
    bare.close()


if __name__ == "__main__":
    try:
        main()
    finally:
        print(f"{RESULTS['passed']} passed, {RESULTS['failed']} failed", flush=True)
    sys.exit(1 if RESULTS["failed"] else 0)
