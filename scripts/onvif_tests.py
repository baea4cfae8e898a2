"""ONVIF end to end through the API, against a real third-party ONVIF device (ipycam, through scripts/onvif_peer.py) whose
streams are the demo's simulated cameras, and a scripted fake device (scripts/onvif_fake.py) for events, clock drift,
HTTP digest and faults.

- discovery by a unicast probe finds the peer with its model and address;
- inspection with a wrong password is a clear error and stores nothing; with the right one it suggests the main and sub
  stream URLs, resolution and frame rate; the camera added from it records;
- PTZ moves the peer (its reported position changes), presets round-trip, home works; the lock keeps a second operator
  out until released, a higher role takes it over, a lower one cannot; every move, preset and lock is in the audit log;
  the time from sending a command to the server's answer (which comes after the camera has answered) is measured;
- motion and tampering events become alerts with the camera's bookmarks; a camera clock an hour off raises a clock
  alert; HTTP digest works; faults, a slow device, broken XML and a web page are clear errors with nothing stored.

Usage: onvif_tests.py RTCC WORKDIR"""
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from browser_support import Client, check, free_port, read_line, summary, wait_for  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
PYTHON = os.path.join(HERE, "..", ".venv", "bin", "python")
PASSWORD = "onvif-test-password-1"


def start(command, log_path, pattern, env=None):
    log = open(log_path, "w")
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=log, text=True, env=env)
    return process, read_line(process, pattern, timeout=300)


def stop(process):
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()


def control(port, method, path):
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", method=method, data=b"" if method == "POST" else None)
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read() or b"null")


def close(a, b, tolerance=0.02):
    return a is not None and b is not None and abs(a - b) <= tolerance


def main():
    rtcc, workdir = sys.argv[1], sys.argv[2]
    os.makedirs(workdir, exist_ok=True)
    data = tempfile.mkdtemp(prefix="rtcc-onvif-")
    env = dict(os.environ, RTCC_BCRYPT_COST="4", RTCC_ONVIF_CHECK_SECONDS="5")
    server, base = start([rtcc, "demo", "--data", data, "--port", "0", "--simulator-port", str(free_port())],
                         os.path.join(workdir, "server.log"), r"running at (https?://\S+?)/?\s", env)
    processes = [server]
    try:
        admin_password = read_line(server, r"Sign in as: admin / (\S+)")
        admin = Client(base).login("admin", admin_password)
        for name, role in [("anna", "analyst"), ("audrey", "auditor"), ("sam", "supervisor")]:
            status, _, _ = admin.call("POST", "/api/v1/users", {"username": name, "displayName": name.title(), "role": role, "password": PASSWORD})
            check(status == 201, f"user {name} ({role}) created")
        _, cameras, _ = admin.call("GET", "/api/v1/cameras?limit=1000")
        source = next(c for c in cameras["items"] if c.get("mainStreamURL"))
        main_url = source["mainStreamURL"]
        sub_url = source.get("subStreamURL") or main_url

        peer_port = free_port()
        peer, device_url = start([PYTHON, os.path.join(HERE, "onvif_peer.py"), "--port", str(peer_port), "--rtsp-main", main_url, "--rtsp-sub", sub_url,
                                  "--user", "admin", "--password", "peer-pw", "--workdir", tempfile.mkdtemp(prefix="onvif-peer-"), "--name", "Fair Gate"],
                                 os.path.join(workdir, "peer.log"), r"READY (\S+)")
        processes.append(peer)

        # Discovery: a unicast probe to the typed address.
        status, found, _ = admin.call("POST", "/api/v1/onvif/discover", {"seconds": 1.5, "addresses": ["127.0.0.1"], "multicast": False})
        device = next((d for d in (found or {}).get("devices", []) if device_url in d["addresses"]), None)
        check(status == 200 and device is not None, f"a unicast probe to 127.0.0.1 finds the peer at {device_url}")
        check(device is not None and device.get("hardware") == "VirtualCam-1" and device.get("name") == "Fair Gate",
              f"the peer is listed with its model and name ({device and device.get('hardware')}, {device and device.get('name')})")
        status, bad, _ = admin.call("POST", "/api/v1/onvif/discover", {"seconds": 1, "addresses": ["not a host!"], "multicast": False})
        check(status in (400, 422) and "addresses[0]" in json.dumps(bad), f"a bad address is refused naming it ({status})")

        # The same from the command line.
        listed = subprocess.run([rtcc, "onvif", "discover", "--address", "127.0.0.1", "--no-multicast", "--seconds", "1.5", "--json"],
                                capture_output=True, text=True, timeout=60)
        check(listed.returncode == 0 and any(device_url in d["addresses"] for d in json.loads(listed.stdout or "[]")),
              "rtcc onvif discover --address 127.0.0.1 lists the peer")
        inspected = subprocess.run([rtcc, "onvif", "inspect", device_url, "--user", "admin"], capture_output=True, text=True, timeout=60,
                                   env=dict(os.environ, RTCC_ONVIF_PASSWORD="peer-pw"))
        check(inspected.returncode == 0 and "VirtualCam-1" in inspected.stdout and "1920x1080" in inspected.stdout and main_url in inspected.stdout,
              f"rtcc onvif inspect prints the model, profiles and stream URIs:\n{inspected.stdout.strip()}")
        refused = subprocess.run([rtcc, "onvif", "inspect", device_url, "--user", "admin"], capture_output=True, text=True, timeout=60,
                                 env=dict(os.environ, RTCC_ONVIF_PASSWORD="wrong"))
        check(refused.returncode != 0 and "refused the credentials" in refused.stderr, f"a wrong password exits non-zero saying so: {refused.stderr.strip()}")

        # Inspection: wrong password, then right.
        before = admin.call("GET", "/api/v1/cameras?limit=1000")[1]["total"]
        status, problem, _ = admin.call("POST", "/api/v1/onvif/inspect", {"address": device_url, "username": "admin", "password": "wrong"})
        check(status == 422 and "refused the credentials" in problem.get("detail", ""), f"a wrong password is a clear error: {status} {problem.get('detail')}")
        status, report, _ = admin.call("POST", "/api/v1/onvif/inspect", {"address": device_url, "username": "admin", "password": "peer-pw"})
        suggested = (report or {}).get("suggested", {})
        check(status == 200 and suggested.get("mainStreamURL") == main_url and suggested.get("subStreamURL") == sub_url,
              f"inspection suggests the peer's main and sub stream URLs ({suggested.get('mainStreamURL')}, {suggested.get('subStreamURL')})")
        check((suggested.get("horizontalPixels"), suggested.get("verticalPixels"), suggested.get("framesPerSecond")) == (1920, 1080, 30),
              f"and its resolution and frame rate (1920x1080 at 30 fps): {suggested.get('horizontalPixels')}x{suggested.get('verticalPixels')} "
              f"at {suggested.get('framesPerSecond')}")
        check(report["device"]["ptz"] is True and report["device"]["information"]["model"] == "VirtualCam-1", "the device offers PTZ; model VirtualCam-1")

        # Add the camera from the suggestion and link it.
        status, camera, _ = admin.call("POST", "/api/v1/cameras", {
            "name": "Fair gate PTZ", "kind": "temporary", "location": {"latitude": 32.5, "longitude": -93.75}, "sharing": "live",
            "mainStreamURL": suggested["mainStreamURL"], "subStreamURL": suggested["subStreamURL"],
            "horizontalPixels": suggested["horizontalPixels"], "verticalPixels": suggested["verticalPixels"],
            "framesPerSecond": suggested["framesPerSecond"],
            "activeWindow": {"from": "2026-01-01T00:00:00Z", "until": "2030-01-01T00:00:00Z"}})
        check(status == 201, f"camera created from the suggestion ({status})")
        camera_id = camera["id"]
        status, view, _ = admin.call("PUT", f"/api/v1/cameras/{camera_id}/onvif", {
            "address": device_url, "username": "admin", "password": "peer-pw", "profileToken": suggested["profileToken"],
            "subProfileToken": suggested.get("subProfileToken")})
        check(status == 200 and view["link"]["model"] == "VirtualCam-1" and view["link"]["ptz"] and view["hasCredentials"],
              f"linked to the device: {view.get('link', {}).get('manufacturer')} {view.get('link', {}).get('model')}, firmware "
              f"{view.get('link', {}).get('firmware')}")
        check(admin.call("GET", "/api/v1/cameras?limit=1000")[1]["total"] == before + 1, "exactly one camera was added (none by the failed inspection)")
        health = wait_for(lambda: (lambda h: h if h.get("state") == "streaming" else None)(admin.call("GET", f"/api/v1/cameras/{camera_id}/health")[1]),
                          60, "the new camera streaming")
        check(health is not None, f"the camera added from ONVIF records ({health and health.get('state')})")

        # PTZ.
        ptz = f"/api/v1/cameras/{camera_id}/ptz"
        status, lock, _ = admin.call("PUT", ptz + "/lock", {})
        check(status == 200 and lock["yours"], "the admin takes control")
        start_pan = admin.call("GET", ptz)[1]["status"]["position"].get("pan")
        admin.call("POST", ptz + "/move", {"mode": "continuous", "pan": 0.5, "timeoutSeconds": 3})
        time.sleep(0.6)
        admin.call("POST", ptz + "/move", {"mode": "stop"})
        moved_pan = admin.call("GET", ptz)[1]["status"]["position"].get("pan")
        check(start_pan is not None and moved_pan is not None and moved_pan > start_pan + 0.05,
              f"a continuous move pans the peer ({start_pan} -> {moved_pan})")
        status, _, _ = admin.call("POST", ptz + "/move", {"mode": "absolute", "pan": 0.3, "tilt": -0.2, "zoom": 0.4})
        status, preset, _ = admin.call("POST", ptz + "/presets", {"name": "Gate"})
        check(status == 201 and preset.get("token"), f"preset Gate stored ({preset})")
        admin.call("POST", ptz + "/move", {"mode": "absolute", "pan": -0.6, "tilt": 0.5, "zoom": 0.0})
        away = admin.call("GET", ptz)[1]["status"]["position"]
        admin.call("POST", ptz + "/goto", {"preset": preset["token"]})
        back = wait_for(lambda: (lambda p: p if close(p.get("pan"), 0.3) and close(p.get("tilt"), -0.2) else None)(
            admin.call("GET", ptz)[1]["status"]["position"]), 10, "the preset position")
        check(close(away.get("pan"), -0.6) and back is not None, f"going to preset Gate returns to its position ({away} -> {back})")
        status, listed, _ = admin.call("GET", ptz)
        check(any(p["name"] == "Gate" and p["token"] == preset["token"] for p in listed["presets"]), "the preset is listed")
        status, _, _ = admin.call("POST", ptz + "/presets", {"name": "Gate north", "token": preset["token"]})
        names = [p["name"] for p in admin.call("GET", ptz)[1]["presets"] if p["token"] == preset["token"]]
        check(status == 201 and names == ["Gate north"], f"saving over a preset renames it in place ({names})")
        status, problem, _ = admin.call("POST", ptz + "/goto", {"preset": "no-such-preset"})
        check(status == 502 and "failed" in problem.get("detail", ""), f"an unknown preset is the device's clear error ({status})")
        status, _, _ = admin.call("POST", ptz + "/move", {"mode": "home"})
        check(status == 204, "home")
        status, problem, _ = admin.call("POST", ptz + "/move", {"mode": "continuous", "pan": 3})
        check(status in (400, 422) and "pan" in json.dumps(problem), f"a speed out of range is refused ({status})")

        # Command latency: the server answers after the camera has answered.
        latencies = []
        for index in range(20):
            sent = time.perf_counter()
            status, _, _ = admin.call("POST", ptz + "/move", {"mode": "continuous", "pan": 0.2 if index % 2 else -0.2, "timeoutSeconds": 2})
            latencies.append((time.perf_counter() - sent) * 1000)
        admin.call("POST", ptz + "/move", {"mode": "stop"})
        median, worst = statistics.median(latencies), max(latencies)
        print(f"  PTZ command round trip (API -> camera -> API) over 20 moves: median {median:.1f} ms, max {worst:.1f} ms", flush=True)
        check(median <= 100, f"a PTZ command reaches the camera and is answered within 100 ms (median {median:.1f} ms)")

        # The lock.
        anna = Client(base).login("anna", PASSWORD)
        status, problem, _ = anna.call("PUT", ptz + "/lock", {"takeOver": True})
        check(status == 409 and "admin" in problem.get("detail", ""), f"an analyst cannot take the admin's camera: {problem.get('detail')}")
        status, _, _ = anna.call("POST", ptz + "/move", {"mode": "continuous", "pan": 0.5})
        check(status == 409, "nor move it")
        status, state, _ = anna.call("GET", ptz)
        check(status == 200 and state["lock"]["username"] == "admin" and not state["lock"]["yours"], "the analyst sees who steers it")
        admin.call("DELETE", ptz + "/lock")
        status, lock, _ = anna.call("PUT", ptz + "/lock", {})
        check(status == 200 and lock["yours"], "once released, the analyst takes control")
        sam = Client(base).login("sam", PASSWORD)
        status, problem, _ = sam.call("POST", ptz + "/move", {"mode": "stop"})
        check(status == 409 and problem.get("errors", [{}])[0].get("reason") == "held; take over allowed",
              f"a supervisor is told the analyst steers it and that it may take over ({status})")
        status, lock, _ = sam.call("PUT", ptz + "/lock", {"takeOver": True})
        check(status == 200 and lock["yours"], "the supervisor takes over")
        status, _, _ = anna.call("POST", ptz + "/move", {"mode": "stop"})
        check(status == 409, "and the analyst is out")

        # The audit log.
        audrey = Client(base).login("audrey", PASSWORD)
        _, entries, _ = audrey.call("GET", f"/api/v1/audit?target=camera:{camera_id}&limit=500")
        actions = [e["action"] for e in entries]
        moves = [e for e in entries if e["action"] == "ptz.move"]
        check(len(moves) >= 25 and any("continuous pan 0.5000" in e.get("detail", "") for e in moves), f"every move is audited ({len(moves)} ptz.move entries)")
        check({"ptz.preset.set", "ptz.preset.goto", "ptz.lock", "ptz.unlock", "onvif.link"} <= set(actions), f"presets, locks and the link are audited")
        check(any(e["action"] == "ptz.lock" and "taken over from anna" in e.get("detail", "") for e in entries), "the take-over is audited with whom it was taken from")

        # The scripted device: events, clock drift, digest, faults.
        fake_port, fake_control = free_port(), free_port()
        fake, fake_url = start([sys.executable, os.path.join(HERE, "onvif_fake.py"), "--port", str(fake_port), "--control-port", str(fake_control),
                                "--user", "op", "--password", "fake-pw", "--clock-offset", "3600", "--rtsp-main", main_url, "--rtsp-sub", sub_url],
                               os.path.join(workdir, "fake.log"), r"READY (\S+)")
        processes.append(fake)
        status, camera2, _ = admin.call("POST", "/api/v1/cameras", {"name": "Fair midway", "kind": "city", "location": {"latitude": 32.51, "longitude": -93.74},
                                                                 "sharing": "live", "mainStreamURL": main_url})
        check(status == 201, "a second camera for the scripted device")
        status, view, _ = admin.call("PUT", f"/api/v1/cameras/{camera2['id']}/onvif", {"address": fake_url, "username": "op", "password": "fake-pw"})
        check(status == 200 and view["link"]["events"] and abs(view["link"]["clockOffsetSeconds"] - 3600) <= 2 and view["clockDriftAlarm"],
              f"linked; events offered; its clock is an hour ahead ({view.get('link', {}).get('clockOffsetSeconds')} s) and flagged")
        _, health, _ = admin.call("GET", f"/api/v1/cameras/{camera2['id']}/health")
        drift = health.get("onvif", {})
        check(drift.get("model") == "FakeCam 2" and drift.get("firmware") == "9.8.7" and abs(drift.get("clockDriftSeconds", 0) - 3600) <= 2
              and drift.get("clockDriftAlarm") is True, f"the camera's health shows its model, firmware and clock drift ({drift})")
        wait_for(lambda: control(fake_control, "GET", "/state")["subscriptions"] > 0, 30, "a pull-point subscription")
        control(fake_control, "POST", "/motion?state=true")

        def alert_of(kind, text=None):
            _, alerts, _ = admin.call("GET", f"/api/v1/alerts?kind={kind}&limit=100")
            items = alerts if isinstance(alerts, list) else alerts.get("items", [])
            return next((a for a in items if a.get("cameraID") == camera2["id"] and (text is None or text in a.get("title", ""))), None)

        motion = wait_for(lambda: alert_of("motion"), 30, "a motion alert")
        check(motion is not None and "MotionAlarm" in motion.get("detail", ""), f"a motion event becomes an alert: {motion and motion['title']}")
        if motion:
            _, full, _ = admin.call("GET", f"/api/v1/alerts/{motion['id']}")
            check(any(b["cameraID"] == camera2["id"] for b in full.get("bookmarks", [])), "with the camera's recording bookmarked")
        control(fake_control, "POST", "/tamper?state=true")
        tamper = wait_for(lambda: alert_of("detection", "tampering"), 30, "a tampering alert")
        check(tamper is not None and tamper.get("severity") == "high", f"a tampering event becomes a high alert: {tamper and tamper['title']}")
        clock = wait_for(lambda: alert_of("camera_clock"), 30, "a camera clock alert")
        check(clock is not None and "ahead" in clock.get("detail", ""), f"the hour-fast clock raises a clock alert: {clock and clock['detail'][:60]}")

        control(fake_control, "POST", "/mode?m=http-digest")
        status, report, _ = admin.call("POST", "/api/v1/onvif/inspect", {"address": fake_url, "username": "op", "password": "fake-pw"})
        check(status == 200 and report["device"]["information"]["model"] == "FakeCam 2", f"a device asking for HTTP digest is inspected ({status})")
        status, problem, _ = admin.call("POST", "/api/v1/onvif/inspect", {"address": fake_url, "username": "op", "password": "nope"})
        check(status == 422 and "refused the credentials" in problem.get("detail", ""), f"a wrong digest password is a clear error ({status})")
        camera3 = admin.call("POST", "/api/v1/cameras", {"name": "Fair east", "kind": "city", "location": {"latitude": 32.52, "longitude": -93.73},
                                                        "sharing": "live", "mainStreamURL": main_url})[1]
        for mode, words in [("fault", "simulated failure"), ("broken-xml", "not well-formed"), ("html", "not a SOAP envelope"), ("slow", "did not answer")]:
            control(fake_control, "POST", f"/mode?m={mode}")
            began = time.time()
            status, problem, _ = admin.call("POST", "/api/v1/onvif/inspect", {"address": fake_url, "username": "op", "password": "fake-pw"})
            took = time.time() - began
            check(status == 422 and words in problem.get("detail", ""), f"{mode}: a clear error in {took:.1f} s: {problem.get('detail')}")
            status, _, _ = admin.call("PUT", f"/api/v1/cameras/{camera3['id']}/onvif", {"address": fake_url, "username": "op", "password": "fake-pw"})
            check(status == 422 and admin.call("GET", f"/api/v1/cameras/{camera3['id']}/onvif")[0] == 404, f"{mode}: linking fails and stores nothing")
        status, problem, _ = admin.call("PUT", f"/api/v1/cameras/{camera3['id']}/onvif", {"address": "http://169.254.169.254/onvif/device_service"})
        check(status == 422 and "never connected to" in problem.get("detail", ""), f"a metadata address is refused by the outbound policy ({status})")
        control(fake_control, "POST", "/mode?m=normal")
        # Back to normal, the watcher subscribes again; then the camera is unlinked.
        wait_for(lambda: any(r["op"] == "PullMessages" and r["status"] == 200 for r in control(fake_control, "GET", "/requests")[-3:]), 30, "pulling again")
        control(fake_control, "DELETE", "/requests")
        status, _, _ = admin.call("DELETE", f"/api/v1/cameras/{camera2['id']}/onvif")
        check(status == 204 and admin.call("GET", f"/api/v1/cameras/{camera2['id']}/onvif")[0] == 404, "unlinking removes the link")
        check(wait_for(lambda: any(r["op"] == "Unsubscribe" for r in control(fake_control, "GET", "/requests")), 20, "an Unsubscribe") is not None,
              "and its event subscription is ended with an Unsubscribe")
        time.sleep(6)
        late = [r["op"] for r in control(fake_control, "GET", "/requests") if r["op"] in ("CreatePullPointSubscription", "PullMessages")]
        check(len(late) <= 1, f"and no new subscription follows ({late})")
        with open(os.path.join(workdir, "onvif-results.json"), "w") as out:
            json.dump({"ptz_round_trip_ms": {"median": round(median, 1), "max": round(worst, 1), "samples": [round(x, 1) for x in latencies]}}, out)
    finally:
        for process in reversed(processes):
            stop(process)
    print(summary(), flush=True)
    return 0 if summary().endswith(" 0 failed") else 1


if __name__ == "__main__":
    sys.exit(main())
