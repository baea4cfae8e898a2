"""From a 911 call to evidence, the whole path in real headless Chromium on `rtcc demo` (its simulated, recorded cameras).

A gunshot is posted two minutes after the fact at a downtown address. The analyst types the address the way a caller
says it, gets who could have seen it, exports the last 90 s of three city cameras (ending at the live edge) into a new
case and verifies the package; holds the footage of the place, which sends the owner of a business camera there a
footage request; the owner sees it in the portal, approves it and uploads a clip; the case lists every step; the custody
PDF (read by poppler's pdftotext) lists them; a supervisor's share link releases the package, which `rtcc evidence
verify` checks offline. The time from "address typed" to "package verified" is printed.
Usage: browser_path_tests.py RTCC OUTDIR
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
import urllib.parse
import zipfile
from datetime import datetime, timezone

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from browser_support import RESULTS, Client, check, demo_server, summary, wait_for  # noqa: E402

RTCC = os.path.abspath(sys.argv[1])
OUT = os.path.abspath(sys.argv[2] if len(sys.argv) > 2 else "browser-path-output")
os.makedirs(OUT, exist_ok=True)
WORK = tempfile.mkdtemp(prefix="rtcc-path-")
DATA = os.path.join(WORK, "data")
CHROMIUM = os.environ.get("RTCC_CHROMIUM", "/usr/bin/chromium")
CASE = f"26-{int(time.time()) % 1000000:06d}"
CLIP_SECONDS = 90
# The owner's camera stops recording when it is switched to "registered"; the gunshot is placed well after that.
QUIET_SECONDS = 180


def iso(epoch):
    return datetime.fromtimestamp(epoch, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def local_input(epoch):
    """A datetime-local value for an epoch time, in the browser's (and this machine's) time zone."""
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.localtime(epoch))


def epoch_of(iso):
    """Epoch seconds of an ISO 8601 time as the manifest writes it (UTC, with a Z)."""
    return datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp()


def clip_span(clip):
    """The clip's first and last picture as seconds after the requested start, and its live edge likewise."""
    start = epoch_of(clip["requested"]["from"])
    edge = clip.get("endsAtLiveEdge")
    return (round(epoch_of(clip["actual"]["from"]) - start, 2), round(epoch_of(clip["actual"]["until"]) - start, 2),
            round(epoch_of(edge) - start, 2) if edge else None)


def clip_spans_request(clip, asked_at):
    """True when a clip asked for at `asked_at` ("the last 90 s, up to now") starts at the requested start, runs to
    its live edge, at most 3 s before the moment asked (the last fragment and its report lag), and holds one picture
    per 1/15 s in between."""
    first, last, edge = clip_span(clip)
    requested = epoch_of(clip["requested"]["from"])
    if edge is None or requested + edge < asked_at - 3:  # the live edge lags by a fragment (1 s) and its report
        return False
    expected = round((last - first) * 15) + 1
    return (abs(first) <= 0.1 and edge - 1.0 <= last <= edge + 0.1 and last >= CLIP_SECONDS - 3
            and abs(clip.get("frames", 0) - expected) <= 2)


def main():
    try:
        with demo_server(RTCC, DATA, os.path.join(OUT, "server.log"), CHROMIUM, simulate=True) as (browser, base, _):
            RESULTS["server_started"] = time.time()
            with open(os.path.join(DATA, "demo-logins.json")) as handle:
                logins = {login["role"]: login for login in json.load(handle)}
            run(browser, base, logins)
    finally:
        shutil.rmtree(WORK, ignore_errors=True)
    print(summary())
    sys.exit(1 if RESULTS["failed"] else 0)


def client(base, login):
    return Client(base).login(login["username"], login["password"])


def ahead(camera, metres):
    lat, lon = camera["location"]["latitude"], camera["location"]["longitude"]
    heading = math.radians(camera["headingDeg"])
    return (lat + metres * math.cos(heading) / 111320, lon + metres * math.sin(heading) / (111320 * math.cos(math.radians(lat))))


def choose_scene(admin, owner, kinds):
    """A downtown address that a city camera and one of the demo owner's cameras both see: (address, owner camera)."""
    status, portal, _ = owner.call("GET", "/api/v1/portal/cameras")
    check(status == 200 and portal, f"the demo owner's portal lists cameras ({status})")
    window = f"from={iso(time.time() - 60)}&until={iso(time.time())}"
    best = None
    for owned in portal if status == 200 else []:
        camera = owned["camera"]
        for metres in (10, 20, 35):
            lat, lon = ahead(camera, metres)
            found, address, _ = admin.call("GET", f"/api/v1/addresses/reverse?lat={lat:.6f}&lon={lon:.6f}&maxDistanceM=60")
            if found != 200:
                continue
            address = address if isinstance(address, dict) else address[0]
            _, seen, _ = admin.call("GET", f"/api/v1/seen?lat={address['latitude']}&lon={address['longitude']}&{window}")
            seeing = [c["cameraID"] for c in seen["cameras"]]
            city = [c for c in seeing if kinds.get(c) == "city"]
            if camera["id"] in seeing and city and (best is None or len(city) > best[2]):
                best = (address, camera, len(city))
    return best


def run(browser, base, logins):
    admin = client(base, logins["admin"])
    owner = client(base, logins["partner"])
    status, listing, _ = admin.call("GET", "/api/v1/cameras?limit=1000")
    cameras = listing["items"] if status == 200 else []
    kinds = {c["id"]: c["kind"] for c in cameras}
    names = {c["id"]: c["name"] for c in cameras}
    # Recording has to be running before "who could have seen it" can say so.
    wait_for(lambda: admin.call("GET", "/api/v1/cameras/health")[0] == 200 and time.time() - RESULTS["server_started"] > 20, 60, "recording")
    scene = choose_scene(admin, owner, kinds)
    if not check(scene is not None, "the demo has a downtown address seen by a city camera and a business camera of the demo owner"):
        return
    address, owned, _ = scene
    print(f"  scene: {address['label']}; owner's camera {owned['name']}")
    # The owner shares that camera by request only (location known, footage asked for), as many businesses do.
    status, _, _ = owner.call("PATCH", f"/api/v1/portal/cameras/{owned['id']}", {"sharing": "registered"})
    check(status == 200, f"the owner shares the camera by request only ({status})")
    switched = time.time()

    wait_seconds = max(switched + QUIET_SECONDS, RESULTS["server_started"] + CLIP_SECONDS + 40) - time.time()
    print(f"  waiting {wait_seconds:.0f} s for {CLIP_SECONDS} s of recordings and a quiet window on the owner's camera")
    time.sleep(max(0, wait_seconds))

    # 1. The gunshot, posted two minutes after it happened.
    shot_at = time.time() - 120
    status, receipt, _ = admin.call("POST", "/api/v1/events/gunshots", {
        "id": f"SST-{CASE}", "time": iso(shot_at), "latitude": address["latitude"], "longitude": address["longitude"], "rounds": 3,
        "confidence": 0.93})
    check(status == 201, f"the gunshot detection is accepted two minutes after the fact ({status})")

    analyst = sign_in(browser, base, logins["analyst"])
    errors = []
    analyst.on("pageerror", lambda error: errors.append(str(error)))

    # 2. The alert shows the nearest address; the analyst types it as the caller said it.
    alert_id = receipt["alert"]["id"] if status == 201 else ""
    analyst.goto(base + "/alerts")
    # The queue redraws when alerts are pushed: click by selector, which finds the item again if it was redrawn.
    analyst.click(f".alert-item[data-alert='{alert_id}']")
    near = wait_for(lambda: analyst.inner_text("#alert-address") or None, 15, "the alert's address")
    check(near is not None and address["label"] in near, f"the gunshot alert names the nearest address (\"{near}\")")
    analyst.goto(base + "/map")
    analyst.wait_for_selector("#seen-search")
    typed = spoken(address["label"])
    started = time.time()
    point = find_address(analyst, typed)
    check(point is not None and abs(point[0] - address["latitude"]) < 2e-4 and abs(point[1] - address["longitude"]) < 2e-4,
          f"typing \"{typed}\" finds {address['label']} and puts it in who-could-have-seen ({point})")
    window = (shot_at - 30, shot_at + 30)
    seen_in_window(analyst, window)
    listed = analyst.eval_on_selector_all("#seen-results li", "items => items.map(i => [i.dataset.cameraId, i.className])")
    seen_city = [c for c, _ in listed if kinds.get(c) == "city"]
    owner_row = [cls for c, cls in listed if c == owned["id"]]
    check(seen_city and owner_row and "footage-request" in owner_row[0],
          f"who could have seen it lists city cameras with footage and the business camera by request ({[(names.get(c), k) for c, k in listed]})")
    analyst.screenshot(path=os.path.join(OUT, "path-seen.png"))

    # 3. Export the last 90 s of three city cameras, up to the live edge, into a new case.
    three = nearest_city_cameras(cameras, address, seen_city, 3)
    analyst.fill("#seen-case", CASE)
    analyst.fill("#seen-reason", f"Shots fired at {address['label']}")
    analyst.click("#seen-export")
    analyst.wait_for_selector("#new-case-dialog", state="visible")
    check(analyst.input_value("#new-case-number") == CASE, "exporting offers a new case with the typed case number")
    check(analyst.input_value("#new-case-location") == address["label"],
          f"the new case's location is the address found (\"{analyst.input_value('#new-case-location')}\")")
    analyst.fill("#new-case-type", "shots fired")
    analyst.click("#new-case-ok")
    analyst.wait_for_selector("#export-start")
    analyst.select_option("#export-cameras", three)
    # "The last 90 s": from 90 s ago to a time not yet recorded, so the clip ends at the live edge.
    now = time.time()
    analyst.fill("#export-from", local_input(now - CLIP_SECONDS))
    analyst.fill("#export-until", local_input(now + 30))
    analyst.fill("#export-purpose", "Shots fired: review of the scene and its approaches")
    chosen = analyst.eval_on_selector("#export-cameras", "s => [...s.selectedOptions].map(o => o.value)")
    check(sorted(chosen) == sorted(three) and analyst.input_value("#export-from")[:16] == local_input(now - CLIP_SECONDS)[:16],
          f"the export form keeps what the analyst chose ({len(chosen)} cameras from {analyst.input_value('#export-from')})")
    analyst.click("#export-start")
    done = wait_for(lambda: analyst.eval_on_selector_all("#case-exports .job", "j => j.map(x => x.dataset.state)")[:1] == ["succeeded"], 120,
                    "the export")
    check(bool(done), "the export of three cameras up to now runs to 100 %")
    package = wait_for(lambda: analyst.eval_on_selector("#case-packages .package", "p => p.dataset.package"), 30, "the package")
    check(bool(package), "the signed package is listed on the case")
    if not package:
        return
    analyst.click(f"button[data-verify='{package}']")
    verified = wait_for(lambda: analyst.evaluate("() => document.querySelector('#screen').dataset.verified") == "true", 30, "verified")
    elapsed = time.time() - started
    check(bool(verified), "the package verifies in the app")
    print(f"  address typed → package verified: {elapsed:.1f} s")
    RESULTS["typed_to_verified_s"] = round(elapsed, 1)
    case_id = analyst.evaluate("() => window.rtccEvidence.current.id")
    status, opened, _ = admin.call("GET", f"/api/v1/cases/{case_id}")
    point = opened.get("point") or {} if status == 200 else {}
    check(abs(point.get("latitude", 0) - address["latitude"]) < 1e-5 and abs(point.get("longitude", 0) - address["longitude"]) < 1e-5,
          f"the case keeps the address's point ({point})")
    manifest = read_manifest(admin, package)
    clips = {c["id"].lower(): c for c in manifest.get("cameras", [])}
    frames = {names.get(k, k): c.get("frames") for k, c in clips.items()}
    check(sorted(clips) == sorted(c.lower() for c in three) and all(clip_spans_request(c, now) for c in clips.values()),
          f"each of the three clips holds the pictures from {CLIP_SECONDS} s before the export to its live edge at 15 fps "
          f"({frames}; {[clip_span(c) for c in clips.values()]})")
    check(all(c.get("endsAtLiveEdge") for c in clips.values()),
          f"the manifest says each clip ends at the live edge ({[c.get('endsAtLiveEdge') for c in clips.values()]})")
    analyst.screenshot(path=os.path.join(OUT, "path-export.png"))

    # 4. Hold the place's footage under the case: the business camera's owner gets a footage request.
    analyst.goto(base + "/map")
    analyst.wait_for_selector("#seen-search")
    find_address(analyst, typed)
    seen_in_window(analyst, window)
    analyst.fill("#seen-case", CASE)
    analyst.fill("#seen-reason", f"Shots fired at {address['label']}")
    analyst.click("#seen-hold")
    toast = wait_for(lambda: analyst.eval_on_selector("#toast:not([hidden])", "t => t.textContent"), 20, "the hold toast")
    requested = re.search(r"(\d+) footage requests? sent", toast or "")
    check(requested and int(requested.group(1)) >= 1 and CASE in toast, f"holding sends the owner a footage request under the case (\"{toast}\")")
    sent = analyst.eval_on_selector_all("#seen-requests .sent-request", "r => r.map(x => x.dataset.request)")
    check(len(sent) >= 1, f"the sent request is listed under the map ({len(sent)})")

    # 5. The owner answers in the portal: approve, then upload a clip.
    portal = sign_in(browser, base, logins["partner"])
    portal.on("pageerror", lambda error: errors.append(str(error)))
    row = f"#portal-requests tr:has-text('{CASE}')"
    portal.wait_for_selector(row)
    check("pending" in portal.inner_text(row), "the request waits in the owner's portal with its case number")
    portal.click(f"{row} button:has-text('Approve')")
    portal.wait_for_selector(f"{row} input[type=file]")
    clip = os.path.join(WORK, "owner-clip.mp4")
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=640x360:rate=15", "-t", "4", "-c:v", "libx264",
                    "-pix_fmt", "yuv420p", "-movflags", "+faststart", clip], check=True)
    portal.set_input_files(f"{row} input[type=file]", clip)
    portal.click(f"{row} button:has-text('Upload clip')")
    check(wait_for(lambda: "fulfilled" in portal.inner_text(row), 30, "the upload") is not None, "the owner's clip is uploaded and the request fulfilled")
    portal.screenshot(path=os.path.join(OUT, "path-portal.png"))

    # 6. The case shows every step.
    analyst.goto(f"{base}/evidence?case={case_id}")
    analyst.wait_for_selector("#case-packages .package")
    links = analyst.eval_on_selector_all("#case-links li", "l => l.map(x => x.dataset.kind)")
    check({"package", "hold", "footage_request"} <= set(links), f"the case links the package, the holds and the footage request ({sorted(set(links))})")
    answered = wait_for(lambda: analyst.eval_on_selector("#case-links li[data-kind=footage_request]", "l => l.dataset.status === 'fulfilled' && l.textContent"),
                        15, "the request's state")
    check(bool(answered) and owned["name"] in answered, f"the case shows the owner's answer to the request (\"{answered}\")")
    status, found, _ = admin.call("GET", f"/api/v1/footage-requests/{sent[0]}") if sent else (0, {}, None)
    check(status == 200 and found.get("status") == "fulfilled" and found.get("caseNumber") == CASE and found.get("clipSHA256"),
          f"the request under the case holds the owner's clip and its SHA-256 ({found.get('status') if status == 200 else status})")
    analyst.screenshot(path=os.path.join(OUT, "path-case.png"))

    # 7. The custody PDF lists them (text read by poppler, not by us).
    pdf = analyst.evaluate("""async () => { const r = await fetch(document.querySelector('#custody-pdf').href);
        return { status: r.status, bytes: Array.from(new Uint8Array(await r.arrayBuffer())) }; }""")
    text = ""
    if pdf["status"] == 200:
        path = os.path.join(WORK, "custody.pdf")
        with open(path, "wb") as handle:
            handle.write(bytes(pdf["bytes"]))
        text = subprocess.run(["pdftotext", "-layout", path, "-"], capture_output=True, text=True).stdout
    wanted = [CASE, "package", "hold", "footage_request", "footage.approve", "footage.upload", "custody.footage_received", package[:8].lower()]
    missing = [w for w in wanted if w not in text]
    check(pdf["status"] == 200 and not missing, f"the custody PDF lists the export, holds, request and the owner's answer (missing {missing})")

    # 8. A supervisor releases the package with a share link, and the downloaded package verifies offline.
    boss = sign_in(browser, base, logins["supervisor"])
    boss.goto(f"{base}/evidence?case={case_id}")
    answers = iter(["Det. Ruiz, Shreveport PD", f"Prosecution of case {CASE}"])
    boss.on("dialog", lambda dialog: dialog.accept(next(answers)))
    boss.click(f"button[data-share='{package}']")
    shown = wait_for(lambda: boss.query_selector("#share-url code"), 20, "share URL")
    check(bool(shown), "a supervisor's release shows the share link")
    if shown:
        url = shown.inner_text()
        status, body, _ = Client(base).call("GET", url.replace(base, ""), raw=True)
        check(status == 200 and body[:2] == b"PK", f"the share link downloads the package without an account ({status})")
        if status == 200:
            folder = os.path.join(WORK, "released")
            archive = os.path.join(WORK, "released.zip")
            with open(archive, "wb") as handle:
                handle.write(body)
            with zipfile.ZipFile(archive) as zipped:
                zipped.extractall(folder)
            root = next((os.path.join(d, "") for d, _, files in os.walk(folder) if "manifest.json" in files), folder)
            # The fingerprint to expect comes from the RTCC's own record of the package, not from the package.
            status, record, _ = admin.call("GET", f"/api/v1/packages/{package}")
            fingerprint = record.get("package", {}).get("fingerprint") if status == 200 else None
            verify = subprocess.run([RTCC, "evidence", "verify", root] + (["--fingerprint", fingerprint] if fingerprint else []),
                                    capture_output=True, text=True)
            check(verify.returncode == 0 and fingerprint, f"rtcc evidence verify checks the released package offline ({verify.stdout.strip() or verify.stderr.strip()})")
    boss.screenshot(path=os.path.join(OUT, "path-release.png"))
    check(not errors, f"no script errors in the pages ({errors[:3]})")


def seen_in_window(page, window):
    """Asks who could have seen the chosen place in `window` and waits for that answer (not an earlier one)."""
    page.fill("#seen-from", local_input(window[0]))
    page.fill("#seen-until", local_input(window[1]))
    wanted = iso(window[0])[:16]
    with page.expect_response(lambda r: "/api/v1/seen?" in r.url and wanted in urllib.parse.unquote(r.url), timeout=30000):
        page.click("#seen-search")
    # The list on the screen must be this window's answer, not an earlier question's answer arriving late.
    wait_for(lambda: page.eval_on_selector("#seen-summary", "s => s.textContent.includes('could have seen')")
             and (page.eval_on_selector("#seen-results", "r => r.dataset.window || ''") or "").startswith(wanted), 30, "the seen list")
    time.sleep(0.5)


def spoken(label):
    """An address as a caller or a hurried analyst types it: lower case, "Street" in full, no city."""
    street = label.split(",")[0]
    words = street.split()
    expand = {"St": "street", "Ave": "avenue", "Blvd": "boulevard", "Rd": "road", "Pkwy": "parkway"}
    return " ".join(expand.get(w, w.lower()) for w in words)


def nearest_city_cameras(cameras, address, seen_city, count):
    """The city cameras that saw the place, then the nearest other city cameras (the approaches), `count` in all."""
    def distance(camera):
        lat, lon = camera["location"]["latitude"], camera["location"]["longitude"]
        return math.hypot((lat - address["latitude"]) * 111320, (lon - address["longitude"]) * 111320 * math.cos(math.radians(lat)))
    others = sorted((c for c in cameras if c["kind"] == "city" and c["id"] not in seen_city), key=distance)
    return (list(seen_city) + [c["id"] for c in others])[:count]


def find_address(page, typed):
    """Types an address into the map's search, picks the first suggestion, and returns the point it put in the form."""
    page.fill("#address-search", typed)
    page.wait_for_selector("#address-suggestions li", timeout=10000)
    page.click("#address-suggestions li >> nth=0")
    point = wait_for(lambda: page.evaluate("() => [Number(document.querySelector('#seen-lat').value), Number(document.querySelector('#seen-lon').value)]")
                     if page.input_value("#seen-lat") else None, 10, "the chosen address")
    return point


def read_manifest(admin, package):
    status, body, _ = admin.call("GET", f"/api/v1/packages/{package}/download", raw=True)
    if status != 200:
        return {}
    path = os.path.join(WORK, f"{package}.zip")
    with open(path, "wb") as handle:
        handle.write(body)
    with zipfile.ZipFile(path) as zipped:
        name = next((n for n in zipped.namelist() if n.endswith("manifest.json")), None)
        return json.loads(zipped.read(name)) if name else {}


def sign_in(browser, base, login):
    page = browser.new_context(viewport={"width": 1500, "height": 950}).new_page()
    page.goto(base + "/")
    page.fill("#signin-user", login["username"])
    page.fill("#signin-password", login["password"])
    page.click("#signin-submit")
    page.wait_for_selector("#shell", state="visible")
    return page


if __name__ == "__main__":
    main()
