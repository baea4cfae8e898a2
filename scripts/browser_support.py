"""What the browser test scripts share: results, waiting for a condition with a deadline, starting `rtcc demo` or
`rtcc serve` with a browser, reading a process's announcement, and a small API client with a session cookie or a bearer token."""
import contextlib
import json
import os
import subprocess
import re
import socket
import time
import urllib.error
import urllib.request

RESULTS = {"passed": 0, "failed": 0}


def check(condition, message):
    """Records one check and prints it."""
    print(("ok - " if condition else "FAIL: ") + message, flush=True)
    RESULTS["passed" if condition else "failed"] += 1
    return condition


def summary():
    """The closing line test runners read."""
    return f"{RESULTS['passed']} passed, {RESULTS['failed']} failed"


def wait_for(predicate, timeout, what=None):
    """The first truthy value of `predicate` within `timeout` seconds, else None (exceptions count as not yet)."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            value = predicate()
        except Exception:  # a page mid-navigation, a server not yet up
            value = None
        if value:
            return value
        time.sleep(0.2)
    if what:
        print(f"  (timed out after {timeout} s waiting for {what})", flush=True)
    return None


@contextlib.contextmanager
def server_with_browser(command, env, log_path, chromium, url_pattern):
    """Runs `command` (stderr to `log_path`) until it prints a URL matching `url_pattern`, then a headless Chromium:
    yields (browser, base URL, the server process); stops both afterwards."""
    from playwright.sync_api import sync_playwright

    with open(log_path, "w") as log:
        server = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=log, text=True, env=env)
        try:
            base = read_line(server, url_pattern).rstrip("/")
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
                try:
                    yield browser, base, server
                finally:
                    browser.close()
        finally:
            server.terminate()
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                server.kill()


@contextlib.contextmanager
def demo_server(rtcc, data, log_path, chromium, simulate=False):
    """`rtcc demo` on `data` and a headless Chromium: yields (browser, base URL, admin password); stops both afterwards.
    Without `simulate`, no camera feeds and no recording; with it, the demo's simulated feeds on a free port, recorded."""
    env = dict(os.environ, RTCC_BCRYPT_COST="4")
    command = [rtcc, "demo", "--data", data, "--port", "0"]
    if simulate:
        command += ["--simulator-port", str(free_port())]
    else:
        env["RTCC_RECORDING"] = "false"
        command.append("--no-simulator")
    with server_with_browser(command, env, log_path, chromium, r"running at (https?://\S+?)/?\s") as (browser, base, server):
        yield browser, base, read_line(server, r"Sign in as: admin / (\S+)")


@contextlib.contextmanager
def serve_server(rtcc, data, log_path, chromium, env=None, args=()):
    """`rtcc serve` on `data` (port chosen by the system, `env` added to this process's environment, `args` appended)
    and a headless Chromium: yields (browser, base URL); stops both afterwards."""
    command = [rtcc, "serve", "--data", data, "--port", "0", *args]
    with server_with_browser(command, dict(os.environ, **(env or {})), log_path, chromium, r"(https?://\S+?)/?\s") as (browser, base, _):
        yield browser, base


def sign_in_page(page, base, username, password):
    """Signs in through the sign-in form; returns the "who am I" text once the app shows it, else None."""
    page.goto(base + "/")
    page.wait_for_selector("#signin-form", state="visible")
    page.fill("#signin-user", username)
    page.fill("#signin-password", password)
    page.click("#signin-submit")
    return wait_for(lambda: page.is_visible("#whoami") and page.inner_text("#whoami").strip(), 20, f"{username} signed in")


def free_port():
    """A TCP port on loopback that is free now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def read_line(process, pattern, timeout=300):
    """The first group of the first output line of `process` matching `pattern`."""
    found = {}

    def scan():
        line = process.stdout.readline()
        match = re.search(pattern, line or "")
        if match:
            found["value"] = match.group(1)
        return found.get("value")

    value = wait_for(scan, timeout, pattern)
    if not value:
        raise SystemExit(f"FAIL: no line matching {pattern}")
    return value


class Client:
    """A minimal API client with a session cookie or a bearer token: `call` returns (status, body, headers)."""

    def __init__(self, base, token=None):
        self.base = base
        self.cookie = None
        self.token = token

    def call(self, method, path, body=None, raw=False):
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.base + path, data=data, method=method)
        if data is not None:
            request.add_header("Content-Type", "application/json")
        if self.cookie:
            request.add_header("Cookie", self.cookie)
        if self.token:
            request.add_header("Authorization", f"Bearer {self.token}")
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                content = response.read()
                cookie = response.headers.get("Set-Cookie")
                if cookie:
                    self.cookie = cookie.split(";")[0]
                return response.status, (content if raw else (json.loads(content) if content else None)), response.headers
        except urllib.error.HTTPError as error:
            content = error.read()
            try:
                parsed = json.loads(content)
            except ValueError:
                parsed = content
            return error.code, parsed, error.headers

    def login(self, username, password):
        status, _, _ = self.call("POST", "/api/v1/auth/login", {"username": username, "password": password})
        assert status == 200, f"login {username}: {status}"
        return self
