"""Schemathesis against a running `rtcc demo`: generated requests for every operation in the OpenAPI document, as an
administrator, as an anonymous caller and as a partner. Fails on any server error (5xx) and on any response that does
not match its schema in the document. Bounded: a few examples per operation and a time budget per caller.

Usage: api_fuzz_check.py RTCC WORKDIR [--examples N] [--seconds S]"""
import argparse
import json
import os
import subprocess
import sys
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from browser_support import check, read_line, summary  # noqa: E402

SPEC = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Sources", "RTCCServer", "Resources", "openapi.yaml")
# Operations that would end the fuzzing caller's own session or lock out its account part-way through the run.
EXCLUDED = ["/api/v1/auth/logout", "/api/v1/auth/login"]


def sign_in(base, username, password):
    request = urllib.request.Request(f"{base}/api/v1/auth/login", method="POST", data=json.dumps({"username": username, "password": password}).encode(),
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        cookie = response.headers["Set-Cookie"].split(";")[0]
    return cookie


def call(base, method, path, cookie, body=None):
    request = urllib.request.Request(f"{base}{path}", method=method, data=json.dumps(body).encode() if body is not None else None,
                                     headers={"Content-Type": "application/json", "Cookie": cookie})
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read() or b"null")


def fuzz(label, base, headers, workdir, examples, seconds):
    report = os.path.join(workdir, f"schemathesis-{label}.json")
    command = [sys.executable, os.path.join(os.path.dirname(os.path.abspath(__file__)), "schemathesis_run.py"), "run", SPEC, "--url", base,
               "--checks", "not_a_server_error,response_schema_conformance,content_type_conformance",
               "--max-examples", str(examples), "--max-time", str(seconds), "--workers", "2", "--request-timeout", "20",
               "--phases", "examples,coverage,fuzzing", "--seed", "20261205", "--no-shrink", "--suppress-health-check", "all",
               "--report", "json", "--report-json-path", report, "--max-redirects", "0", "--warnings", "off"]
    for path in EXCLUDED:
        command += ["--exclude-path", path]
    for header in headers:
        command += ["-H", header]
    print(f"== schemathesis as {label}", flush=True)
    result = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 300, cwd=workdir)
    with open(os.path.join(workdir, f"schemathesis-{label}.txt"), "w") as out:
        out.write(result.stdout + result.stderr)
    lines = result.stdout.splitlines()
    # The failures in full (each starts with a line of underscores), then the summary.
    start = next((i for i, line in enumerate(lines) if line.startswith("____")), max(0, len(lines) - 40))
    print("\n".join(lines[start:][-400:]), flush=True)
    if result.returncode != 0:
        print(result.stderr[-4000:], flush=True)
    check(result.returncode == 0, f"schemathesis as {label}: no server error and every response matches the OpenAPI document")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("rtcc")
    parser.add_argument("workdir")
    parser.add_argument("--examples", type=int, default=8)
    parser.add_argument("--seconds", type=int, default=150)
    args = parser.parse_args()
    os.makedirs(args.workdir, exist_ok=True)
    data = os.path.join(args.workdir, "data")
    env = dict(os.environ, RTCC_BCRYPT_COST="4", RTCC_RECORDING="false", RTCC_LOGIN_ATTEMPTS_PER_MINUTE="10000",
               RTCC_SIGNUPS_PER_HOUR="10000", RTCC_INTAKE_EVENTS_PER_SECOND="100000")
    with open(os.path.join(args.workdir, "server.log"), "w") as log:
        server = subprocess.Popen([args.rtcc, "demo", "--data", data, "--port", "0", "--no-simulator"], stdout=subprocess.PIPE, stderr=log,
                                  text=True, env=env)
        try:
            base = read_line(server, r"running at (https?://\S+?)/?\s").rstrip("/")
            password = read_line(server, r"Sign in as: admin / (\S+)")
            admin = sign_in(base, "admin", password)
            # A partner account of the demo city's first partner, for the owner's view of the API.
            partners = call(base, "GET", "/api/v1/partners", admin)
            partner_id = (partners.get("items") if isinstance(partners, dict) else partners)[0]["id"]
            call(base, "POST", "/api/v1/users", admin, {"username": "fuzzpartner", "displayName": "Fuzz Partner", "role": "partner",
                                                         "partnerID": partner_id, "password": "a long fuzzing passphrase"})
            partner = sign_in(base, "fuzzpartner", "a long fuzzing passphrase")
            fuzz("admin", base, [f"Cookie: {admin}"], args.workdir, args.examples, args.seconds)
            fuzz("anonymous", base, [], args.workdir, args.examples, args.seconds // 2)
            fuzz("partner", base, [f"Cookie: {partner}"], args.workdir, args.examples, args.seconds // 2)
        finally:
            server.terminate()
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                server.kill()
    with open(os.path.join(args.workdir, "server.log")) as log:
        crashes = [line for line in log if "request failed" in line]
    check(not crashes, f"the server logged no failed request ({len(crashes)} logged)")
    for line in crashes[:10]:
        print("  " + line.rstrip())
    print(summary())
    sys.exit(0 if "0 failed" in summary() else 1)


if __name__ == "__main__":
    main()
