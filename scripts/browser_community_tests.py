"""The community camera program in real headless Chromium (Debian's chromium, driven by Playwright), against the real
`rtcc` server recording a camera from its simulator.

Checks: a business signs up on the public page; the verification link from the dev outbox confirms it; staff approve it
on the Partners screen; the activation link sets the owner's password; the owner signs in to the owner portal and sees
only their camera; once the camera shares live and records, an open live view (WebSocket) ends within 5 s of the owner
withdrawing consent and ingest stops within 5 s; the access log shows the view and the withdrawal; the owner outlines a
privacy mask on the picture and the snapshot staff see is black there (decoded pixels); the public
transparency page shows figures but no owner name, address, camera name or position; spam sign-ups get 429.
Usage: browser_community_tests.py RTCC OUTDIR
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import uuid

from playwright.sync_api import sync_playwright

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from browser_support import RESULTS, Client, check, read_line, summary, wait_for  # noqa: E402

RTCC = os.path.abspath(sys.argv[1])
OUT = os.path.abspath(sys.argv[2] if len(sys.argv) > 2 else "browser-community-output")
os.makedirs(OUT, exist_ok=True)
WORK = tempfile.mkdtemp(prefix="rtcc-community-")
DATA = os.path.join(WORK, "data")
PASSWORD = "a long test password"
CHROMIUM = os.environ.get("RTCC_CHROMIUM", "/usr/bin/chromium")
SUFFIX = uuid.uuid4().hex[:6]
BUSINESS = f"Corner Bakery {SUFFIX}"
EMAIL = f"baker.{SUFFIX}@example.org"
ADDRESS = "7 Crockett St"
LATITUDE, LONGITUDE = "32.51337", "-93.74591"


def main():
    simulator = subprocess.Popen(
        [RTCC, "simulate", "--cameras", "1", "--port", "0", "--size", "640x360", "--bitrate", "400000", "--fps", "15", "--seconds", "4",
         "--clips", os.path.join(WORK, "clips")],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    stream = read_line(simulator, r"(rtsp://\S+/cam001)")
    env = dict(os.environ, RTCC_PASSWORD=PASSWORD)
    subprocess.run([RTCC, "user", "add", "admin", "--role", "admin", "--data", DATA], check=True, capture_output=True, env=env)
    server_env = dict(os.environ, RTCC_SEGMENT_SECONDS="6", RTCC_OFFLINE_SECONDS="2", RTCC_BCRYPT_COST="4",
                      RTCC_MFA_REQUIRED_ROLES="")  # two-factor sign-in is tested in browser_admin_tests.py
    server_log = open(os.path.join(OUT, "server.log"), "w")
    server = subprocess.Popen([RTCC, "serve", "--data", DATA, "--port", "0"], stdout=subprocess.PIPE, stderr=server_log, text=True, env=server_env)
    try:
        base = read_line(server, r"(https?://\S+?)/?\s").rstrip("/")
        admin = Client(base).login("admin", PASSWORD)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
            try:
                run(browser, base, admin, stream)
            finally:
                browser.close()
    finally:
        for process in (server, simulator):
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
        shutil.rmtree(WORK, ignore_errors=True)
    print(summary())
    sys.exit(1 if RESULTS["failed"] else 0)


def decode_luma(image, width, height):
    """An image's first picture as `width` x `height` 8-bit luma, decoded by ffmpeg."""
    decoded = subprocess.run(["ffmpeg", "-v", "error", "-i", "pipe:0", "-frames:v", "1", "-vf", f"scale={width}:{height}", "-f", "rawvideo",
                              "-pix_fmt", "gray", "pipe:1"], input=image, capture_output=True, check=True)
    return decoded.stdout


def mail_token(admin, marker):
    """The token after `marker` in the newest mail to the applicant, from the dev outbox."""
    def find():
        status, mails, _ = admin.call("GET", f"/api/v1/outbox?to={EMAIL}")
        for mail in mails if status == 200 else []:
            match = re.search(marker + r"(\S+)", mail["body"])
            if match:
                return match.group(1)
        return None
    return wait_for(find, 10, f"a mail with {marker}")


def run(browser, base, admin, stream):
    errors = []
    public = browser.new_context(viewport={"width": 1200, "height": 900}).new_page()
    public.on("pageerror", lambda error: errors.append(str(error)))

    # 1. Public sign-up: first with a bad position, which is refused field by field, then corrected.
    public.goto(base + "/signup")
    public.wait_for_selector("#terms li")
    public.select_option("#kind", "business")
    public.fill("#name", BUSINESS)
    public.fill("#contactName", "Sam Baker")
    public.fill("#email", EMAIL)
    public.fill("#address", ADDRESS)
    public.fill(".cam-label", "Front door")
    public.fill(".cam-lat", "123")
    public.fill(".cam-lon", LONGITUDE)
    public.fill(".cam-heading", "90")
    public.select_option(".cam-sharing", "live")
    public.check("#acceptTerms")
    public.click("#signup-submit")
    public.wait_for_selector("#errors:not([hidden])")
    check("cameras[0].location.latitude" in public.inner_text("#errors"), "an impossible position is refused and the field is named")
    public.fill(".cam-lat", LATITUDE)
    public.click("#signup-submit")
    check(wait_for(lambda: "Thank you" in public.inner_text("#message"), 10, "the sign-up confirmation") is not None,
          "the sign-up page confirms and asks to check the e-mail")
    public.screenshot(path=os.path.join(OUT, "community-signup.png"))

    # 2. The verification link from the dev outbox.
    token = mail_token(admin, "verify=")
    check(token is not None, "the verification mail is in the dev outbox")
    public.goto(base + f"/signup?verify={token}")
    check(wait_for(lambda: "confirmed" in public.inner_text("#message"), 10, "verification") is not None, "the verification link confirms the address")
    public.goto(base + f"/signup?verify={token}")
    check(wait_for(lambda: "used already" in public.inner_text("#message"), 10, "reused link") is not None, "a reused verification link says so")

    # 3. Staff approve it on the Partners screen.
    staff = browser.new_context(viewport={"width": 1400, "height": 900}).new_page()
    staff.on("pageerror", lambda error: errors.append(str(error)))
    staff.goto(base + "/")
    staff.fill("#signin-user", "admin")
    staff.fill("#signin-password", PASSWORD)
    staff.click("#signin-submit")
    staff.wait_for_selector("#whoami")
    staff.goto(base + "/partners")
    row = f"#applications tr:has-text('{BUSINESS}')"
    staff.wait_for_selector(row)
    check("pending" in staff.inner_text(row), "the verified sign-up waits for review on the Partners screen")
    staff.click(f"{row} button.approve")
    check(wait_for(lambda: "approved" in staff.inner_text(row), 10, "approval") is not None, "staff approve the sign-up")
    check(EMAIL in staff.inner_text("#outbox"), "admins read the mails in the dev mail viewer")
    staff.screenshot(path=os.path.join(OUT, "community-staff.png"))

    # 4. The activation link sets the owner's password.
    activation = mail_token(admin, "activate=")
    check(activation is not None, "the approval mail with the activation link is in the outbox")
    public.goto(base + f"/signup?activate={activation}")
    public.fill("#activate-password", "bread rises at dawn")
    public.click("#activate-submit")
    text = wait_for(lambda: public.inner_text("#message") if "Sign in as" in public.inner_text("#message") else None, 10, "activation")
    username = re.search(r"Sign in as (\S+)", text or "")
    check(username is not None, "the owner's password is set and the user name shown")
    username = username.group(1) if username else ""

    # 5. The owner portal: only the owner's camera.
    owner = browser.new_context(viewport={"width": 1400, "height": 900}).new_page()
    owner.on("pageerror", lambda error: errors.append(str(error)))
    owner.goto(base + "/")
    owner.fill("#signin-user", username)
    owner.fill("#signin-password", "bread rises at dawn")
    owner.click("#signin-submit")
    owner.wait_for_selector("#portal-cameras tbody tr")
    rows = owner.locator("#portal-cameras tbody tr")
    check(rows.count() == 1 and "Front door" in rows.first.inner_text(), "the owner lands in the portal and sees only their camera")
    owner_api = Client(base).login(username, "bread rises at dawn")
    status, cameras, _ = owner_api.call("GET", "/api/v1/cameras")
    check(status == 200 and cameras["total"] == 1, f"the owner's camera list holds only their camera ({cameras.get('total') if status == 200 else status})")
    camera_id = cameras["items"][0]["id"] if status == 200 and cameras["items"] else ""

    # 6. Staff connect the camera's stream; it records and can be watched live.
    status, _, _ = admin.call("PATCH", f"/api/v1/cameras/{camera_id}", {"mainStreamURL": stream, "sharing": "live"})
    check(status == 200, f"staff set the camera's stream ({status})")
    recording = wait_for(lambda: owner_api.call("GET", "/api/v1/portal/cameras")[1][0]["recording"], 30, "recording")
    check(bool(recording), "the camera records once its stream is set")
    staff.evaluate("""(id) => {
        window.liveFrames = 0; window.liveClosedAt = null;
        const ws = new WebSocket(`${location.origin.replace('http', 'ws')}/api/v1/cameras/${id}/live`);
        ws.binaryType = 'arraybuffer';
        ws.onmessage = (event) => { if (typeof event.data !== 'string') window.liveFrames += 1; };
        ws.onclose = () => { window.liveClosedAt = Date.now(); };
    }""", camera_id)
    frames = wait_for(lambda: staff.evaluate("window.liveFrames") > 5 and staff.evaluate("window.liveFrames"), 30, "live frames")
    check(bool(frames), f"a live view receives video ({frames} messages)")

    # 7. The owner withdraws consent in the portal: the live view ends and ingest stops, each within 5 s.
    owner.reload()
    owner.wait_for_selector("#portal-cameras button.revoke")
    clicked = time.time()
    owner.click("#portal-cameras button.revoke")
    closed = wait_for(lambda: staff.evaluate("window.liveClosedAt"), 10, "the live view to end")
    check(closed is not None and closed / 1000 - clicked < 5, f"the open live view ended {((closed or 0) / 1000 - clicked):.2f} s after revocation")
    stopped = wait_for(lambda: not owner_api.call("GET", "/api/v1/portal/cameras")[1][0]["recording"] and time.time(), 10, "ingest to stop")
    check(stopped is not None and stopped - clicked < 5, f"ingest stopped {((stopped or clicked + 99) - clicked):.2f} s after revocation")
    check(wait_for(lambda: "revoked" in owner.inner_text("#portal-cameras"), 5, "revoked state") is not None, "the portal shows sharing withdrawn")
    status, problem, _ = admin.call("GET", f"/api/v1/cameras/{camera_id}/hls/index.m3u8")
    check(status == 403 and "withdrawn sharing" in problem.get("detail", ""), f"new live requests are refused ({status})")
    status, problem, _ = admin.call("GET", f"/api/v1/cameras/{camera_id}/snapshot.jpg")
    check(status == 403 and "withdrawn sharing" in problem.get("detail", ""), f"nor is a still picture served ({status})")
    owner.reload()
    owner.wait_for_selector("#access-log tbody tr")
    log = owner.inner_text("#access-log")
    check("live.view" in log and "portal.sharing" in log, "the owner's access log shows the live view and the withdrawal")
    owner.screenshot(path=os.path.join(OUT, "community-portal.png"))

    # 7b. The owner outlines a private area on the camera's picture and saves it as the privacy mask.
    owner.click("#portal-cameras button.mask-edit")
    owner.wait_for_selector("#mask-editor .mask-stage")
    box = owner.locator("#mask-editor .mask-stage").bounding_box()
    for fx, fy in [(0.1, 0.1), (0.4, 0.1), (0.4, 0.5), (0.1, 0.5)]:
        owner.mouse.click(box["x"] + fx * box["width"], box["y"] + fy * box["height"])
    owner.click("#mask-editor button.mask-close-area")
    check("1 area(s) masked" in owner.inner_text("#mask-editor .mask-status"), "the editor shows the outlined area")
    owner.screenshot(path=os.path.join(OUT, "community-mask-editor.png"))
    owner.click("#mask-editor button.mask-save")
    saved = wait_for(lambda: (lambda m: m if m[0] == 200 and len(m[1]["polygons"]) == 1 else None)(owner_api.call("GET", f"/api/v1/cameras/{camera_id}/mask")), 10, "the mask")
    points = saved[1]["polygons"][0] if saved else []
    check(len(points) == 4 and abs(points[0]["x"] - 0.1) < 0.02 and abs(points[2]["y"] - 0.5) < 0.02,
          f"the saved privacy mask is the outlined area in picture coordinates ({points})")
    check(wait_for(lambda: "Privacy mask (1)" in owner.inner_text("#portal-cameras"), 5, "the mask count") is not None, "the portal counts the mask")
    # The owner shares again, and staff see the picture through the owner's mask.
    status, _, _ = owner_api.call("PATCH", f"/api/v1/portal/cameras/{camera_id}", {"state": "active"})
    check(status == 200, f"the owner resumes sharing ({status})")
    status, jpeg, _ = admin.call("GET", f"/api/v1/cameras/{camera_id}/snapshot.jpg", raw=True)
    check(status == 200, f"staff get the camera's snapshot once it is shared again ({status})")
    if status == 200:
        luma = decode_luma(jpeg, 64, 36)
        inside = [luma[y * 64 + x] for y in range(8, 16) for x in range(9, 23)]
        outside = [luma[y * 64 + x] for y in range(24, 34) for x in range(40, 62)]
        check(max(inside) <= 24 and sum(outside) / len(outside) > 40,
              f"the snapshot staff see is black inside the owner's mask (max {max(inside)}) and not outside (mean {sum(outside) / len(outside):.0f})")

    # 7c. Sharing "live during alarms": the portal says the RTCC cannot watch the camera while no alarm is open.
    owner.select_option("#portal-cameras select[aria-label^='Sharing tier']", "alarm_only")
    check(wait_for(lambda: "no alarm: not shared" in owner.inner_text("#portal-cameras"), 10, "the alarm state") is not None,
          "a camera shared only during alarms shows that it is not shared while no alarm is open")

    # 8. The public transparency page: figures, no names or positions.
    public.goto(base + "/transparency")
    public.wait_for_selector("#cameras-total")
    content = public.content()
    check("1 cameras" in public.inner_text("#cameras-total"), "the transparency page counts the cameras")
    leaks = [secret for secret in [BUSINESS, "Sam Baker", EMAIL, ADDRESS, "Front door", LATITUDE, LATITUDE[:6], LONGITUDE[:7]] if secret in content]
    check(not leaks, f"the transparency page shows no owner, address, camera name or position ({leaks})")
    status, report, _ = Client(base).call("GET", "/api/v1/transparency")
    body = json.dumps(report)
    check(status == 200 and not any(secret in body for secret in [BUSINESS, ADDRESS, LATITUDE]), "the JSON report is public and leaks nothing")
    public.screenshot(path=os.path.join(OUT, "community-transparency.png"))

    # 9. Spam: sign-ups from one address are limited (5 per hour; the browser's sign-up counted).
    anonymous = Client(base)
    codes = []
    for n in range(5):
        status, _, headers = anonymous.call("POST", "/api/v1/community/applications", {
            "kind": "homeowner", "name": f"Spam {n} {SUFFIX}", "contactName": "S", "email": f"spam{n}@example.org", "address": "1 Main St",
            "termsVersion": report["policy"]["termsVersion"], "acceptTerms": True,
            "cameras": [{"label": "Cam", "location": {"latitude": 32.5, "longitude": -93.7}, "sharing": "registered"}]})
        codes.append(status)
    check(codes == [202, 202, 202, 202, 429], f"the sixth sign-up in an hour from one address gets 429 ({codes})")
    check(not errors, f"no script errors in the pages ({errors[:3]})")


if __name__ == "__main__":
    main()
