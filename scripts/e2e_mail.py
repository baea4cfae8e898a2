"""Mail delivery end to end against a real SMTP server we did not write (aiosmtpd): the server hands the outbox to a
relay that requires STARTTLS and AUTH, with a certificate from a private CA; a refused recipient is given up at once,
a relay that is down keeps the mail queued until it is back, an untrusted certificate is never used, and a password
is never configured for an unprotected connection."""
import email
import email.policy
import logging
import os
import socket
import ssl
import subprocess
import sys
import tempfile
import time
import uuid

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

sys.path.insert(0, os.path.dirname(__file__))
from browser_support import Client, check, read_line, summary, wait_for  # noqa: E402

RTCC = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else ".build/debug/rtcc")
WORK = tempfile.mkdtemp(prefix="rtcc-mail-")
PASSWORD = "a long test password"
RELAY_USER, RELAY_PASSWORD = "rtcc-relay", "relay secret 42"


class Sink:
    """Collects what the relay accepted, and refuses mailboxes that start with `refuse`."""

    def __init__(self):
        self.messages = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.startswith("refuse"):
            return "550 5.1.1 no such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server, session, envelope):
        self.messages.append({
            "from": envelope.mail_from, "to": list(envelope.rcpt_tos), "data": envelope.content,
            "tls": session.ssl is not None, "authenticated": session.authenticated})
        return f"250 2.0.0 queued as Q{len(self.messages)}"


def authenticator(server, session, envelope, mechanism, auth_data):
    ok = isinstance(auth_data, LoginPassword) and auth_data.login == RELAY_USER.encode() and auth_data.password == RELAY_PASSWORD.encode()
    return AuthResult(success=ok, handled=False)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def make_certificate():
    """A private CA and a relay certificate for localhost signed by it."""
    run = lambda *args: subprocess.run(["openssl", *args], check=True, capture_output=True, cwd=WORK)
    run("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem", "-days", "2", "-subj", "/CN=City test CA")
    run("req", "-newkey", "rsa:2048", "-nodes", "-keyout", "relay.key", "-out", "relay.csr", "-subj", "/CN=localhost")
    with open(os.path.join(WORK, "ext.cnf"), "w") as f:
        f.write("subjectAltName=DNS:localhost,IP:127.0.0.1\n")
    run("x509", "-req", "-in", "relay.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-out", "relay.pem", "-days", "2", "-extfile", "ext.cnf")
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(os.path.join(WORK, "relay.pem"), os.path.join(WORK, "relay.key"))
    return context, os.path.join(WORK, "ca.pem")


def start_relay(sink, port, tls):
    controller = Controller(
        sink, hostname="127.0.0.1", port=port, tls_context=tls, require_starttls=True, authenticator=authenticator, auth_required=True,
        server_hostname="localhost")
    controller.start()
    return controller


def start_server(name, extra_env):
    data = os.path.join(WORK, name)
    env = dict(os.environ, RTCC_PASSWORD=PASSWORD)
    subprocess.run([RTCC, "user", "add", "admin", "--role", "admin", "--data", data], check=True, capture_output=True, env=env)
    server_env = dict(os.environ, RTCC_RECORDING="false", RTCC_BCRYPT_COST="4", RTCC_MFA_REQUIRED_ROLES="", RTCC_SIGNUPS_PER_HOUR="100", RTCC_MAIL_FROM="rtcc@city.example",
                      RTCC_PUBLIC_URL="https://rtcc.city.example", **extra_env)
    log = open(os.path.join(WORK, f"{name}.log"), "w")
    server = subprocess.Popen([RTCC, "serve", "--data", data, "--port", "0"], stdout=subprocess.PIPE, stderr=log, text=True, env=server_env)
    base = read_line(server, r"(https?://\S+?)/?\s").rstrip("/")
    return server, base, Client(base).login("admin", PASSWORD)


def sign_up(base, address):
    status, body, _ = Client(base).call("POST", "/api/v1/community/applications", {
        "kind": "business", "name": f"Shop {uuid.uuid4().hex[:6]}", "contactName": "Dana Cruz", "email": address, "address": "12 Texas St",
        "termsVersion": terms_version(base), "acceptTerms": True,
        "cameras": [{"label": "Door", "location": {"latitude": 32.514, "longitude": -93.746}, "headingDeg": 90, "sharing": "on_request"}]})
    assert status == 202, f"sign-up: {status} {body}"


def terms_version(base):
    status, body, _ = Client(base).call("GET", "/api/v1/transparency")
    assert status == 200, f"transparency: {status} {body}"
    return body["policy"]["termsVersion"]


def outbox(admin, address):
    status, body, _ = admin.call("GET", f"/api/v1/outbox?to={address}")
    assert status == 200, f"outbox: {status} {body}"
    return body


def main():
    # The relay logs each refused handshake with a traceback; the checks below say what happened.
    logging.getLogger("mail.log").setLevel(logging.CRITICAL)
    tls, ca_file = make_certificate()
    sink = Sink()
    port = free_port()
    relay = start_relay(sink, port, tls)
    relay_env = {"RTCC_SMTP_RELAY": f"localhost:{port}", "RTCC_SMTP_SECURITY": "starttls", "RTCC_SMTP_USERNAME": RELAY_USER,
                 "RTCC_SMTP_PASSWORD": RELAY_PASSWORD, "RTCC_SMTP_CA_FILE": ca_file, "RTCC_MAIL_RETRY_SECONDS": "1"}
    server, base, admin = start_server("city", relay_env)
    servers = [server]
    try:
        # 1. A sign-up's verification mail reaches the relay over TLS, authenticated, within seconds.
        started = time.time()
        sign_up(base, "dana@shop.example")
        got = wait_for(lambda: sink.messages, 15, "the verification mail at the relay")
        elapsed = time.time() - started
        check(bool(got), f"the verification mail reached the relay {elapsed:.2f} s after the sign-up")
        if got:
            m = got[0]
            check(m["tls"] and m["authenticated"], "it came over STARTTLS and after AUTH with the configured account")
            check(m["from"] == "rtcc@city.example" and m["to"] == ["dana@shop.example"], f"envelope {m['from']} → {m['to']}")
            parsed = email.message_from_bytes(m["data"], policy=email.policy.default)
            check(parsed["Subject"] == "Confirm your sign-up to the community camera program", f"subject: {parsed['Subject']}")
            check(parsed["Message-ID"].endswith("@rtcc.city.example>") and parsed["Date"] is not None, "Message-ID and Date headers")
            body = parsed.get_content()
            check("https://rtcc.city.example/signup?verify=rtccv_" in body and "Dana Cruz" in body, "the body carries the absolute verification link")
        mail = wait_for(lambda: [x for x in outbox(admin, "dana@shop.example") if x.get("sentAt")], 10, "sentAt in the outbox")
        check(bool(mail) and mail[0]["attempts"] == 0 and mail[0].get("lastError") is None, "the outbox marks it sent, first time")

        # 2. A recipient the relay refuses (550) is given up at once, with the relay's answer kept.
        sign_up(base, "refuse@shop.example")
        failed = wait_for(lambda: [x for x in outbox(admin, "refuse@shop.example") if x.get("failedAt")], 15, "failedAt")
        check(bool(failed) and "550" in failed[0]["lastError"] and failed[0]["attempts"] == 1 and not failed[0].get("sentAt"),
              f"a refused recipient is given up after one attempt: {failed[0]['lastError'] if failed else None}")
        check(len(sink.messages) == 1, "nothing was delivered for it")

        # 3. The relay is down: the mail stays queued with the reason, and goes out when the relay is back.
        relay.stop()
        sign_up(base, "lee@home.example")
        queued = wait_for(lambda: [x for x in outbox(admin, "lee@home.example") if x["attempts"] >= 1], 15, "a failed attempt")
        check(bool(queued) and not queued[0].get("sentAt") and not queued[0].get("failedAt") and "connect" in queued[0]["lastError"],
              f"with the relay down the mail stays queued: {queued[0]['lastError'] if queued else None}")
        relay = start_relay(sink, port, tls)
        back = time.time()
        delivered = wait_for(lambda: [x for x in sink.messages if x["to"] == ["lee@home.example"]], 30, "delivery after the relay is back")
        check(bool(delivered), f"once the relay is back the mail is delivered ({time.time() - back:.1f} s later)")
        check(bool(wait_for(lambda: [x for x in outbox(admin, "lee@home.example") if x.get("sentAt")], 10)), "and marked sent")

        # 4. Without the city's CA the relay's certificate is not trusted: nothing is sent, the mail waits.
        untrusted_env = dict(relay_env)
        del untrusted_env["RTCC_SMTP_CA_FILE"]
        server2, base2, admin2 = start_server("untrusted", untrusted_env)
        servers.append(server2)
        before = len(sink.messages)
        sign_up(base2, "kim@home.example")
        refused = wait_for(lambda: [x for x in outbox(admin2, "kim@home.example") if x["attempts"] >= 1], 15, "a TLS failure")
        check(bool(refused) and not refused[0].get("sentAt") and len(sink.messages) == before,
              f"an untrusted relay certificate stops delivery: {refused[0]['lastError'] if refused else None}")

        # 5. A password for an unprotected connection is refused at start-up with a clear message.
        env = dict(os.environ, RTCC_SMTP_RELAY=f"localhost:{port}", RTCC_SMTP_SECURITY="none", RTCC_SMTP_USERNAME=RELAY_USER,
                   RTCC_SMTP_PASSWORD=RELAY_PASSWORD)
        result = subprocess.run([RTCC, "serve", "--data", os.path.join(WORK, "city"), "--port", "0"], capture_output=True, text=True, env=env, timeout=60)
        check(result.returncode != 0 and "smtpSecurity" in result.stderr, f"start-up refuses a password without TLS: {result.stderr.strip()[:160]}")
    finally:
        for s in servers:
            s.terminate()
            s.wait(timeout=30)
        relay.stop()
    print(summary())
    from browser_support import RESULTS
    sys.exit(1 if RESULTS["failed"] else 0)


if __name__ == "__main__":
    main()
