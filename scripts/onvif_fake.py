#!/usr/bin/env python3
"""Scripted fake ONVIF device for the ONVIF client tests: fault cases, clock offsets and events (stdlib only).

Usage:
  onvif_fake.py --port P --user U --password PW [--mode MODE] [--clock-offset SECONDS]
                [--rtsp-main URL --rtsp-sub URL] [--control-port CP]
  onvif_fake.py --self-test

Prints `READY http://127.0.0.1:P/onvif/device_service` on stdout once both listeners are up; logs go to stderr.

SOAP 1.2 over HTTP POST on 127.0.0.1:P. Every service lives at /onvif/device_service; pull-point
subscriptions at /onvif/events_subscription/N. The operation is the first child of the SOAP Body (local
name and namespace); the SOAPAction header / Content-Type action parameter are not consulted.
  tds (http://www.onvif.org/ver10/device/wsdl): GetSystemDateAndTime, GetDeviceInformation,
      GetCapabilities, GetServices
  trt (http://www.onvif.org/ver10/media/wsdl): GetProfiles (tokens "main", "sub"), GetStreamUri,
      GetSnapshotUri, GetVideoEncoderConfigurations
  tev (http://www.onvif.org/ver10/events/wsdl): GetEventProperties, CreatePullPointSubscription,
      PullMessages, SetSynchronizationPoint
  wsnt (http://docs.oasis-open.org/wsn/b-2): Renew, Unsubscribe (at the subscription address)
Anything else: HTTP 500, env:Receiver / ter:ActionNotSupported.

Auth: WS-Security UsernameToken with PasswordDigest, Created within +/-300 s of the fake's clock
(real time + --clock-offset), each Nonce accepted once. Missing or wrong: HTTP 400, env:Sender /
ter:NotAuthorized. GetSystemDateAndTime never needs auth and reports the fake's clock.

Events: topics tns1:VideoSource/MotionAlarm and tns1:VideoSource/GlobalSceneChange/ImagingService (tamper),
both properties with Source SimpleItem VideoSourceConfigurationToken="vsc" and Data SimpleItem State.
A new subscription (and SetSynchronizationPoint) first queues both current states with
PropertyOperation="Initialized"; events posted on the control port follow as "Changed". PullMessages
waits up to its Timeout for messages and returns at most MessageLimit of them.

Modes (--mode, or POST /mode?m=MODE on the control port):
  normal       as above
  http-digest  HTTP Digest (MD5, qop=auth) instead of WS-Security: 401 + WWW-Authenticate when missing/wrong
  fault        every authenticated call except GetSystemDateAndTime: HTTP 500, env:Receiver / ter:Action
               "simulated failure"
  slow         waits 30 s before handling anything except GetSystemDateAndTime
  broken-xml   every request: HTTP 200 application/soap+xml with truncated XML
  html         every request: HTTP 200 text/html "<html>login page</html>"

Control HTTP on 127.0.0.1:CP (default P+1), JSON answers:
  POST /motion?state=true|false   POST /tamper?state=true|false   POST /mode?m=MODE
  GET /requests  -> [{"op", "ns", "path", "auth", "status", "mode"}, ...] in arrival order
  DELETE /requests (clears)       GET /state -> {"mode", "motion", "tamper", "subscriptions"}
"""

import argparse
import base64
import hashlib
import hmac
import json
import os
import re
import signal
import socket
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET
from collections import deque
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from xml.sax.saxutils import escape

NS = {
    "env": "http://www.w3.org/2003/05/soap-envelope",
    "tds": "http://www.onvif.org/ver10/device/wsdl",
    "trt": "http://www.onvif.org/ver10/media/wsdl",
    "tev": "http://www.onvif.org/ver10/events/wsdl",
    "tt": "http://www.onvif.org/ver10/schema",
    "ter": "http://www.onvif.org/ver10/error",
    "tns1": "http://www.onvif.org/ver10/topics",
    "wsnt": "http://docs.oasis-open.org/wsn/b-2",
    "wstop": "http://docs.oasis-open.org/wsn/t-1",
    "wsa": "http://www.w3.org/2005/08/addressing",
    "xs": "http://www.w3.org/2001/XMLSchema",
}
WSSE = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
WSU = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd"
DIGEST_TYPE = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordDigest"
CONCRETE_SET = "http://www.onvif.org/ver10/tev/topicExpression/ConcreteSet"

MODES = ("normal", "http-digest", "fault", "slow", "broken-xml", "html")
SLOW_SECONDS = 30
SKEW_SECONDS = 300
DEVICE_PATH = "/onvif/device_service"
SUBSCRIPTION_PATH = "/onvif/events_subscription/"
REALM = "FakeCam"
TOPICS = {
    "motion": "tns1:VideoSource/MotionAlarm",
    "tamper": "tns1:VideoSource/GlobalSceneChange/ImagingService",
}
PROFILES = {
    # token: (name, width, height, fps, kbps, gov)
    "main": ("MainStream", 1920, 1080, 25, 4096, 50),
    "sub": ("SubStream", 640, 360, 15, 512, 30),
}


QUIET = False  # set by --self-test, which reports its own checks


def log(msg):
    if not QUIET:
        print(f"onvif_fake: {msg}", file=sys.stderr, flush=True)


def xs_datetime(dt):
    return dt.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.") + f"{dt.microsecond // 1000:03d}Z"


def parse_datetime(text):
    dt = datetime.fromisoformat(text.strip().replace("Z", "+00:00").replace("z", "+00:00"))
    return dt if dt.tzinfo else dt.replace(tzinfo=timezone.utc)


_DURATION = re.compile(
    r"^(-)?P(?:(\d+(?:\.\d+)?)Y)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)D)?"
    r"(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$"
)


def parse_duration(text):
    """xs:duration -> seconds (years as 365 days, months as 30 days); None when not a duration."""
    m = _DURATION.match((text or "").strip())
    if not m or (text or "").strip() in ("P", "PT") or (text or "").strip().endswith("T"):
        return None
    factors = (365 * 86400, 30 * 86400, 86400, 3600, 60, 1)
    seconds = sum(float(v) * f for v, f in zip(m.groups()[1:], factors) if v)
    return -seconds if m.group(1) else seconds


def local(el):
    return el.tag.rsplit("}", 1)[-1]


def namespace(el):
    return el.tag[1:].split("}", 1)[0] if el.tag.startswith("{") else ""


def find_local(el, name):
    """First descendant (not el itself) with the given local name, any namespace."""
    for d in el.iter():
        if d is not el and local(d) == name:
            return d
    return None


def text_of(el, name):
    found = find_local(el, name) if el is not None else None
    return (found.text or "").strip() if found is not None else None


def envelope(body):
    decls = " ".join(f'xmlns:{p}="{u}"' for p, u in NS.items())
    return f'<?xml version="1.0" encoding="UTF-8"?>\n<env:Envelope {decls}><env:Body>{body}</env:Body></env:Envelope>'


class SoapFault(Exception):
    def __init__(self, status, code, subcodes, reason):
        super().__init__(reason)
        self.status, self.code, self.subcodes, self.reason = status, code, list(subcodes), reason

    def xml(self):
        sub = "".join(f"<env:Subcode><env:Value>{s}</env:Value>" for s in self.subcodes)
        sub += "</env:Subcode>" * len(self.subcodes)
        return envelope(
            f"<env:Fault><env:Code><env:Value>{self.code}</env:Value>{sub}</env:Code>"
            f'<env:Reason><env:Text xml:lang="en">{escape(self.reason)}</env:Text></env:Reason></env:Fault>'
        )


def not_authorized(reason="the security token could not be authenticated or authorized"):
    return SoapFault(400, "env:Sender", ["ter:NotAuthorized"], reason)


class Subscription:
    def __init__(self, sid, termination):
        self.sid = sid
        self.termination = termination
        self.queue = deque()


class FakeDevice:
    def __init__(self, port, user, password, mode="normal", clock_offset=0.0,
                 rtsp_main=None, rtsp_sub=None, control_port=None):
        if mode not in MODES:
            raise ValueError(f"unknown mode {mode!r}")
        self.port, self.user, self.password = port, user, password
        self.control_port = control_port if control_port else port + 1
        self.mode = mode
        self.clock_offset = float(clock_offset)
        self.rtsp = {
            "main": rtsp_main or "rtsp://127.0.0.1:8554/main",
            "sub": rtsp_sub or "rtsp://127.0.0.1:8554/sub",
        }
        self.base = f"http://127.0.0.1:{port}"
        self.lock = threading.Lock()
        self.events = threading.Condition(self.lock)
        self.stopping = threading.Event()
        self.state = {"motion": False, "tamper": False}
        self.subscriptions = {}
        self.next_sid = 1
        self.seen_nonces = {}
        self.digest_nonces = {}
        self.requests = []
        self.servers = []

    # ---- clock -------------------------------------------------------------------------------------------
    def now(self):
        return datetime.now(timezone.utc) + timedelta(seconds=self.clock_offset)

    # ---- lifecycle ---------------------------------------------------------------------------------------
    def start(self):
        soap = ThreadingHTTPServer(("127.0.0.1", self.port), make_soap_handler(self))
        control = ThreadingHTTPServer(("127.0.0.1", self.control_port), make_control_handler(self))
        for srv in (soap, control):
            srv.daemon_threads = True
            self.servers.append(srv)
            threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True).start()

    def stop(self):
        self.stopping.set()
        with self.events:
            self.events.notify_all()
        for srv in self.servers:
            srv.shutdown()
            srv.server_close()

    # ---- request log -------------------------------------------------------------------------------------
    def record(self, op, ns, path):
        entry = {"op": op, "ns": ns, "path": path, "auth": None, "status": None, "mode": self.mode}
        with self.lock:
            self.requests.append(entry)
        return entry

    def requests_json(self):
        with self.lock:
            return json.dumps(self.requests)

    # ---- WS-Security -------------------------------------------------------------------------------------
    def check_ws_security(self, root):
        """Returns None when the UsernameToken is valid, else the reason it is not."""
        header = next((c for c in root if local(c) == "Header"), None)
        token = None
        if header is not None:
            for sec in header:
                if sec.tag == f"{{{WSSE}}}Security":
                    token = sec.find(f"{{{WSSE}}}UsernameToken")
        if token is None:
            return "no wsse:Security/wsse:UsernameToken"
        user = token.find(f"{{{WSSE}}}Username")
        pw = token.find(f"{{{WSSE}}}Password")
        nonce = token.find(f"{{{WSSE}}}Nonce")
        created = token.find(f"{{{WSU}}}Created")
        if user is None or pw is None or nonce is None or created is None:
            return "UsernameToken lacks Username, Password, Nonce or wsu:Created"
        if pw.get("Type") != DIGEST_TYPE:
            return f"password type {pw.get('Type')!r} is not PasswordDigest"
        try:
            nonce_bytes = base64.b64decode((nonce.text or "").strip(), validate=True)
            created_at = parse_datetime(created.text or "")
        except ValueError as exc:
            return f"bad Nonce or Created: {exc}"
        skew = abs((created_at - self.now()).total_seconds())
        if skew > SKEW_SECONDS:
            return f"Created is {skew:.0f} s away from the device clock"
        expected = base64.b64encode(hashlib.sha1(
            nonce_bytes + (created.text or "").strip().encode() + self.password.encode()).digest()).decode()
        if not (hmac.compare_digest((user.text or "").strip(), self.user)
                and hmac.compare_digest((pw.text or "").strip(), expected)):
            return "wrong username or password digest"
        key = (nonce.text or "").strip()
        with self.lock:
            horizon = time.monotonic() - 2 * SKEW_SECONDS
            self.seen_nonces = {k: t for k, t in self.seen_nonces.items() if t > horizon}
            if key in self.seen_nonces:
                return "nonce already used"
            self.seen_nonces[key] = time.monotonic()
        return None

    # ---- HTTP Digest (RFC 7616, MD5, qop=auth) -----------------------------------------------------------
    def digest_challenge(self, stale=False):
        nonce = base64.b64encode(os.urandom(18)).decode()
        with self.lock:
            self.digest_nonces[nonce] = [time.monotonic(), 0]
        return (f'Digest realm="{REALM}", qop="auth", algorithm=MD5, nonce="{nonce}", '
                f'opaque="{hashlib.md5(REALM.encode()).hexdigest()}"' + (", stale=true" if stale else ""))

    def check_http_digest(self, method, uri, header):
        """Returns (ok, stale)."""
        if not header or not header.lower().startswith("digest "):
            return False, False
        params = {k.lower(): (q if q or not v else v) for k, q, v in
                  re.findall(r'(\w+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^,\s]*))', header[7:])}
        need = ("username", "realm", "nonce", "uri", "response", "qop", "nc", "cnonce")
        if any(k not in params for k in need) or params["qop"] != "auth":
            return False, False
        if params.get("algorithm", "MD5").upper() != "MD5" or params["realm"] != REALM:
            return False, False
        if params["uri"] != uri or params["username"] != self.user:
            return False, False
        with self.lock:
            info = self.digest_nonces.get(params["nonce"])
            if info is None:
                return False, False
            if time.monotonic() - info[0] > SKEW_SECONDS:
                return False, True
            try:
                nc = int(params["nc"], 16)
            except ValueError:
                return False, False
            if nc <= info[1]:
                return False, False
            ha1 = hashlib.md5(f"{self.user}:{REALM}:{self.password}".encode()).hexdigest()
            ha2 = hashlib.md5(f"{method}:{uri}".encode()).hexdigest()
            want = hashlib.md5(
                f"{ha1}:{params['nonce']}:{params['nc']}:{params['cnonce']}:auth:{ha2}".encode()).hexdigest()
            if not hmac.compare_digest(want, params["response"].lower()):
                return False, False
            info[1] = nc
        return True, False

    # ---- events ------------------------------------------------------------------------------------------
    def _message(self, kind, state, operation):
        return (
            f'<wsnt:NotificationMessage><wsnt:Topic Dialect="{CONCRETE_SET}">{TOPICS[kind]}</wsnt:Topic>'
            f'<wsnt:Message><tt:Message UtcTime="{xs_datetime(self.now())}" PropertyOperation="{operation}">'
            '<tt:Source><tt:SimpleItem Name="VideoSourceConfigurationToken" Value="vsc"/></tt:Source>'
            f'<tt:Data><tt:SimpleItem Name="State" Value="{"true" if state else "false"}"/></tt:Data>'
            "</tt:Message></wsnt:Message></wsnt:NotificationMessage>"
        )

    def _prune_locked(self):
        now = self.now()
        for sid in [s for s, sub in self.subscriptions.items() if sub.termination <= now]:
            del self.subscriptions[sid]

    def post_event(self, kind, state):
        with self.events:
            self.state[kind] = state
            self._prune_locked()
            for sub in self.subscriptions.values():
                sub.queue.append(self._message(kind, state, "Changed"))
            self.events.notify_all()
            return len(self.subscriptions)

    def subscribe(self, termination):
        with self.events:
            sub = Subscription(self.next_sid, termination)
            self.next_sid += 1
            self.subscriptions[sub.sid] = sub
            for kind in ("motion", "tamper"):
                sub.queue.append(self._message(kind, self.state[kind], "Initialized"))
            return sub

    def subscription_for(self, path, root):
        target = path
        if not path.startswith(SUBSCRIPTION_PATH):
            to = next((c for c in root if local(c) == "Header"), None)
            to = text_of(to, "To") if to is not None else None
            target = urllib.parse.urlsplit(to).path if to else ""
        sid = target[len(SUBSCRIPTION_PATH):] if target.startswith(SUBSCRIPTION_PATH) else ""
        with self.lock:
            self._prune_locked()
            sub = self.subscriptions.get(int(sid)) if sid.isdigit() else None
        if sub is None:
            raise SoapFault(400, "env:Sender", ["ter:InvalidArgVal"], "unknown or expired subscription")
        return sub

    def termination_from(self, text, default_seconds=60):
        now = self.now()
        if not text:
            return now + timedelta(seconds=default_seconds)
        seconds = parse_duration(text)
        if seconds is not None:
            return now + timedelta(seconds=seconds)
        try:
            return parse_datetime(text)
        except ValueError:
            raise SoapFault(400, "env:Sender", ["ter:InvalidArgVal"], f"bad termination time {text!r}")

    # ---- operations --------------------------------------------------------------------------------------
    def op_GetSystemDateAndTime(self, op, path, root):
        t = self.now()
        return (
            "<tds:GetSystemDateAndTimeResponse><tds:SystemDateAndTime>"
            "<tt:DateTimeType>Manual</tt:DateTimeType><tt:DaylightSavings>false</tt:DaylightSavings>"
            "<tt:TimeZone><tt:TZ>UTC0</tt:TZ></tt:TimeZone>"
            f"<tt:UTCDateTime><tt:Time><tt:Hour>{t.hour}</tt:Hour><tt:Minute>{t.minute}</tt:Minute>"
            f"<tt:Second>{t.second}</tt:Second></tt:Time><tt:Date><tt:Year>{t.year}</tt:Year>"
            f"<tt:Month>{t.month}</tt:Month><tt:Day>{t.day}</tt:Day></tt:Date></tt:UTCDateTime>"
            "</tds:SystemDateAndTime></tds:GetSystemDateAndTimeResponse>"
        )

    def op_GetDeviceInformation(self, op, path, root):
        return (
            "<tds:GetDeviceInformationResponse><tds:Manufacturer>Scripted</tds:Manufacturer>"
            "<tds:Model>FakeCam 2</tds:Model><tds:FirmwareVersion>9.8.7</tds:FirmwareVersion>"
            "<tds:SerialNumber>FK-000042</tds:SerialNumber><tds:HardwareId>FK2-HW</tds:HardwareId>"
            "</tds:GetDeviceInformationResponse>"
        )

    def op_GetCapabilities(self, op, path, root):
        categories = [(c.text or "").strip() for c in op if local(c) == "Category"] or ["All"]
        known = {"All", "Device", "Media", "Events"}
        if any(c not in known for c in categories):
            raise SoapFault(500, "env:Receiver", ["ter:ActionNotSupported", "ter:NoSuchService"],
                            f"capability category not supported: {', '.join(categories)}")
        want = lambda c: "All" in categories or c in categories  # noqa: E731
        url = self.base + DEVICE_PATH
        parts = []
        if want("Device"):
            parts.append(
                f"<tt:Device><tt:XAddr>{url}</tt:XAddr><tt:System><tt:DiscoveryResolve>false</tt:DiscoveryResolve>"
                "<tt:DiscoveryBye>false</tt:DiscoveryBye><tt:RemoteDiscovery>false</tt:RemoteDiscovery>"
                "<tt:SystemBackup>false</tt:SystemBackup><tt:SystemLogging>false</tt:SystemLogging>"
                "<tt:FirmwareUpgrade>false</tt:FirmwareUpgrade><tt:SupportedVersions><tt:Major>2</tt:Major>"
                "<tt:Minor>60</tt:Minor></tt:SupportedVersions></tt:System></tt:Device>")
        if want("Events"):
            parts.append(
                f"<tt:Events><tt:XAddr>{url}</tt:XAddr><tt:WSSubscriptionPolicySupport>false"
                "</tt:WSSubscriptionPolicySupport><tt:WSPullPointSupport>true</tt:WSPullPointSupport>"
                "<tt:WSPausableSubscriptionManagerInterfaceSupport>false"
                "</tt:WSPausableSubscriptionManagerInterfaceSupport></tt:Events>")
        if want("Media"):
            parts.append(
                f"<tt:Media><tt:XAddr>{url}</tt:XAddr><tt:StreamingCapabilities>"
                "<tt:RTPMulticast>false</tt:RTPMulticast><tt:RTP_TCP>true</tt:RTP_TCP>"
                "<tt:RTP_RTSP_TCP>true</tt:RTP_RTSP_TCP></tt:StreamingCapabilities></tt:Media>")
        return f"<tds:GetCapabilitiesResponse><tds:Capabilities>{''.join(parts)}</tds:Capabilities></tds:GetCapabilitiesResponse>"

    def op_GetServices(self, op, path, root):
        include = (text_of(op, "IncludeCapability") or "false").lower() in ("true", "1")
        caps = {
            "tds": '<tds:Capabilities><tds:Capabilities><tds:Network ZeroConfiguration="false"/>'
                   '<tds:Security UsernameToken="true" HttpDigest="false"/>'
                   '<tds:System DiscoveryResolve="false" DiscoveryBye="false"/></tds:Capabilities></tds:Capabilities>',
            "trt": '<tds:Capabilities><trt:Capabilities SnapshotUri="true" Rotation="false">'
                   '<trt:ProfileCapabilities MaximumNumberOfProfiles="2"/><trt:StreamingCapabilities '
                   'RTPMulticast="false" RTP_TCP="true" RTP_RTSP_TCP="true"/></trt:Capabilities></tds:Capabilities>',
            "tev": '<tds:Capabilities><tev:Capabilities WSSubscriptionPolicySupport="false" '
                   'WSPullPointSupport="true" WSPausableSubscriptionManagerInterfaceSupport="false" '
                   'MaxNotificationProducers="0" MaxPullPoints="10"/></tds:Capabilities>',
        }
        services = "".join(
            f"<tds:Service><tds:Namespace>{NS[p]}</tds:Namespace><tds:XAddr>{self.base + DEVICE_PATH}</tds:XAddr>"
            + (caps[p] if include else "")
            + "<tds:Version><tt:Major>2</tt:Major><tt:Minor>60</tt:Minor></tds:Version></tds:Service>"
            for p in ("tds", "trt", "tev"))
        return f"<tds:GetServicesResponse>{services}</tds:GetServicesResponse>"

    def _encoder(self, token, element):
        name, w, h, fps, kbps, gov = PROFILES[token]
        return (
            f'<{element} token="vec_{token}"><tt:Name>{name}</tt:Name><tt:UseCount>1</tt:UseCount>'
            f"<tt:Encoding>H264</tt:Encoding><tt:Resolution><tt:Width>{w}</tt:Width><tt:Height>{h}</tt:Height>"
            f"</tt:Resolution><tt:Quality>4</tt:Quality><tt:RateControl><tt:FrameRateLimit>{fps}"
            f"</tt:FrameRateLimit><tt:EncodingInterval>1</tt:EncodingInterval><tt:BitrateLimit>{kbps}"
            f"</tt:BitrateLimit></tt:RateControl><tt:H264><tt:GovLength>{gov}</tt:GovLength>"
            "<tt:H264Profile>Main</tt:H264Profile></tt:H264><tt:Multicast><tt:Address><tt:Type>IPv4</tt:Type>"
            "<tt:IPv4Address>0.0.0.0</tt:IPv4Address></tt:Address><tt:Port>0</tt:Port><tt:TTL>0</tt:TTL>"
            "<tt:AutoStart>false</tt:AutoStart></tt:Multicast><tt:SessionTimeout>PT60S</tt:SessionTimeout>"
            f"</{element}>"
        )

    def op_GetProfiles(self, op, path, root):
        profiles = "".join(
            f'<trt:Profiles token="{token}" fixed="true"><tt:Name>{PROFILES[token][0]}</tt:Name>'
            '<tt:VideoSourceConfiguration token="vsc"><tt:Name>VideoSource</tt:Name><tt:UseCount>2</tt:UseCount>'
            '<tt:SourceToken>vs0</tt:SourceToken><tt:Bounds x="0" y="0" width="1920" height="1080"/>'
            "</tt:VideoSourceConfiguration>"
            + self._encoder(token, "tt:VideoEncoderConfiguration")
            + "</trt:Profiles>"
            for token in PROFILES)
        return f"<trt:GetProfilesResponse>{profiles}</trt:GetProfilesResponse>"

    def _profile_token(self, op):
        token = text_of(op, "ProfileToken")
        if token not in PROFILES:
            raise SoapFault(400, "env:Sender", ["ter:InvalidArgVal", "ter:NoProfile"], f"no profile {token!r}")
        return token

    @staticmethod
    def _media_uri(element, uri):
        return (
            f"<{element}><trt:MediaUri><tt:Uri>{escape(uri)}</tt:Uri><tt:InvalidAfterConnect>false"
            "</tt:InvalidAfterConnect><tt:InvalidAfterReboot>false</tt:InvalidAfterReboot>"
            f"<tt:Timeout>PT0S</tt:Timeout></trt:MediaUri></{element}>"
        )

    def op_GetStreamUri(self, op, path, root):
        return self._media_uri("trt:GetStreamUriResponse", self.rtsp[self._profile_token(op)])

    def op_GetSnapshotUri(self, op, path, root):
        token = self._profile_token(op)
        return self._media_uri("trt:GetSnapshotUriResponse", f"{self.base}/snapshot/{token}.jpg")

    def op_GetVideoEncoderConfigurations(self, op, path, root):
        configs = "".join(self._encoder(token, "trt:Configurations") for token in PROFILES)
        return f"<trt:GetVideoEncoderConfigurationsResponse>{configs}</trt:GetVideoEncoderConfigurationsResponse>"

    def op_GetEventProperties(self, op, path, root):
        def description():
            return (
                '<tt:MessageDescription IsProperty="true"><tt:Source><tt:SimpleItemDescription '
                'Name="VideoSourceConfigurationToken" Type="tt:ReferenceToken"/></tt:Source><tt:Data>'
                '<tt:SimpleItemDescription Name="State" Type="xs:boolean"/></tt:Data></tt:MessageDescription>'
            )
        return (
            "<tev:GetEventPropertiesResponse>"
            "<tev:TopicNamespaceLocation>http://www.onvif.org/onvif/ver10/topics/topicns.xml</tev:TopicNamespaceLocation>"
            "<wsnt:FixedTopicSet>true</wsnt:FixedTopicSet>"
            f'<wstop:TopicSet><tns1:VideoSource><MotionAlarm wstop:topic="true">{description()}</MotionAlarm>'
            f'<GlobalSceneChange><ImagingService wstop:topic="true">{description()}</ImagingService>'
            "</GlobalSceneChange></tns1:VideoSource></wstop:TopicSet>"
            f"<wsnt:TopicExpressionDialect>{CONCRETE_SET}</wsnt:TopicExpressionDialect>"
            "<wsnt:TopicExpressionDialect>http://docs.oasis-open.org/wsn/t-1/TopicExpression/Concrete"
            "</wsnt:TopicExpressionDialect>"
            "<tev:MessageContentFilterDialect>http://www.onvif.org/ver10/tev/messageContentFilter/ItemFilter"
            "</tev:MessageContentFilterDialect>"
            "<tev:MessageContentSchemaLocation>http://www.onvif.org/onvif/ver10/schema/onvif.xsd"
            "</tev:MessageContentSchemaLocation></tev:GetEventPropertiesResponse>"
        )

    def op_CreatePullPointSubscription(self, op, path, root):
        sub = self.subscribe(self.termination_from(text_of(op, "InitialTerminationTime")))
        return (
            "<tev:CreatePullPointSubscriptionResponse><tev:SubscriptionReference>"
            f"<wsa:Address>{self.base}{SUBSCRIPTION_PATH}{sub.sid}</wsa:Address></tev:SubscriptionReference>"
            f"<wsnt:CurrentTime>{xs_datetime(self.now())}</wsnt:CurrentTime>"
            f"<wsnt:TerminationTime>{xs_datetime(sub.termination)}</wsnt:TerminationTime>"
            "</tev:CreatePullPointSubscriptionResponse>"
        )

    def op_PullMessages(self, op, path, root):
        sub = self.subscription_for(path, root)
        timeout = parse_duration(text_of(op, "Timeout") or "PT1S")
        if timeout is None or timeout < 0:
            raise SoapFault(400, "env:Sender", ["ter:InvalidArgVal"], "bad Timeout")
        try:
            limit = max(1, int(text_of(op, "MessageLimit") or "100"))
        except ValueError:
            raise SoapFault(400, "env:Sender", ["ter:InvalidArgVal"], "bad MessageLimit")
        deadline = time.monotonic() + min(timeout, 300)
        with self.events:
            while not sub.queue and not self.stopping.is_set() and sub.sid in self.subscriptions:
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                self.events.wait(left)
            messages = [sub.queue.popleft() for _ in range(min(limit, len(sub.queue)))]
        return (
            f"<tev:PullMessagesResponse><tev:CurrentTime>{xs_datetime(self.now())}</tev:CurrentTime>"
            f"<tev:TerminationTime>{xs_datetime(sub.termination)}</tev:TerminationTime>"
            f"{''.join(messages)}</tev:PullMessagesResponse>"
        )

    def op_SetSynchronizationPoint(self, op, path, root):
        with self.events:
            self._prune_locked()
            for sub in self.subscriptions.values():
                for kind in ("motion", "tamper"):
                    sub.queue.append(self._message(kind, self.state[kind], "Initialized"))
            self.events.notify_all()
        return "<tev:SetSynchronizationPointResponse/>"

    def op_Renew(self, op, path, root):
        sub = self.subscription_for(path, root)
        termination = self.termination_from(text_of(op, "TerminationTime"))
        with self.lock:
            sub.termination = termination
        return (
            f"<wsnt:RenewResponse><wsnt:TerminationTime>{xs_datetime(termination)}</wsnt:TerminationTime>"
            f"<wsnt:CurrentTime>{xs_datetime(self.now())}</wsnt:CurrentTime></wsnt:RenewResponse>"
        )

    def op_Unsubscribe(self, op, path, root):
        sub = self.subscription_for(path, root)
        with self.events:
            self.subscriptions.pop(sub.sid, None)
            self.events.notify_all()
        return "<wsnt:UnsubscribeResponse/>"

    OPERATIONS = {
        (NS["tds"], "GetSystemDateAndTime"), (NS["tds"], "GetDeviceInformation"),
        (NS["tds"], "GetCapabilities"), (NS["tds"], "GetServices"),
        (NS["trt"], "GetProfiles"), (NS["trt"], "GetStreamUri"), (NS["trt"], "GetSnapshotUri"),
        (NS["trt"], "GetVideoEncoderConfigurations"),
        (NS["tev"], "GetEventProperties"), (NS["tev"], "CreatePullPointSubscription"),
        (NS["tev"], "PullMessages"), (NS["tev"], "SetSynchronizationPoint"),
        (NS["wsnt"], "Renew"), (NS["wsnt"], "Unsubscribe"),
    }

    def dispatch(self, op, path, root):
        if (namespace(op), local(op)) not in self.OPERATIONS:
            raise SoapFault(500, "env:Receiver", ["ter:ActionNotSupported"],
                            f"operation {{{namespace(op)}}}{local(op)} is not supported")
        return envelope(getattr(self, "op_" + local(op))(op, path, root))


def make_soap_handler(device):
    class SoapHandler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        server_version = "FakeCam/2"

        def log_message(self, fmt, *args):
            pass

        def reply(self, status, body, content_type="application/soap+xml; charset=utf-8", headers=()):
            data = body.encode() if isinstance(body, str) else body
            try:
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(data)))
                for k, v in headers:
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):
                self.close_connection = True

        def do_GET(self):
            self.reply(405, b"SOAP endpoint: use POST\n", "text/plain")

        def do_POST(self):
            raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            path = urllib.parse.urlsplit(self.path).path
            if path != DEVICE_PATH and not path.startswith(SUBSCRIPTION_PATH):
                self.reply(404, b"not found\n", "text/plain")
                return
            mode = device.mode
            try:
                root = ET.fromstring(raw)
                body = next(c for c in root if local(c) == "Body")
                op = body[0]
            except (ET.ParseError, StopIteration, IndexError):
                root = op = None
            entry = device.record(local(op) if op is not None else None,
                                  namespace(op) if op is not None else None, path)
            entry["mode"] = mode
            status = self.handle_soap(mode, root, op, path, entry)
            entry["status"] = status
            log(f"{entry['op']} mode={mode} auth={entry['auth']} -> {status}")

        def handle_soap(self, mode, root, op, path, entry):
            if mode == "html":
                self.reply(200, b"<html>login page</html>", "text/html")
                return 200
            if mode == "broken-xml":
                name = local(op) if op is not None else "Unknown"
                doc = envelope(f"<tds:{name}Response><tds:Manufacturer>Scripted</tds:Manufacturer>")
                self.reply(200, doc[:doc.index("Scripted") + 3])  # cut inside an element: not well-formed
                return 200
            if op is None:
                fault = SoapFault(400, "env:Sender", ["ter:WellFormed"], "request is not a SOAP envelope")
                self.reply(fault.status, fault.xml())
                return fault.status
            is_time = (namespace(op), local(op)) == (NS["tds"], "GetSystemDateAndTime")
            if mode == "slow" and not is_time:
                device.stopping.wait(SLOW_SECONDS)
            if mode == "http-digest":
                ok, stale = device.check_http_digest(self.command, self.path, self.headers.get("Authorization"))
                entry["auth"] = ok
                if not ok and not is_time:
                    fault = not_authorized("HTTP digest authentication required")
                    self.reply(401, fault.xml(), headers=[("WWW-Authenticate", device.digest_challenge(stale))])
                    return 401
            else:
                why = device.check_ws_security(root)
                entry["auth"] = why is None
                if why is not None and not is_time:
                    log(f"refused {local(op)}: {why}")
                    fault = not_authorized()
                    self.reply(fault.status, fault.xml())
                    return fault.status
            try:
                if mode == "fault" and not is_time:
                    raise SoapFault(500, "env:Receiver", ["ter:Action"], "simulated failure")
                answer = device.dispatch(op, path, root)
            except SoapFault as fault:
                self.reply(fault.status, fault.xml())
                return fault.status
            self.reply(200, answer)
            return 200

    return SoapHandler


def make_control_handler(device):
    class ControlHandler(BaseHTTPRequestHandler):
        def log_message(self, fmt, *args):
            pass

        def reply(self, status, obj):
            data = (obj if isinstance(obj, str) else json.dumps(obj)).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def route(self):
            url = urllib.parse.urlsplit(self.path)
            query = dict(urllib.parse.parse_qsl(url.query))
            return url.path, query

        def do_GET(self):
            path, _ = self.route()
            if path == "/requests":
                self.reply(200, device.requests_json())
            elif path == "/state":
                with device.lock:
                    device._prune_locked()
                    state = {"mode": device.mode, **device.state, "subscriptions": len(device.subscriptions)}
                self.reply(200, state)
            else:
                self.reply(404, {"error": "not found"})

        def do_DELETE(self):
            path, _ = self.route()
            if path == "/requests":
                with device.lock:
                    device.requests.clear()
                self.reply(200, {"cleared": True})
            else:
                self.reply(404, {"error": "not found"})

        def do_POST(self):
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            path, query = self.route()
            if path in ("/motion", "/tamper"):
                state = query.get("state", "").lower()
                if state not in ("true", "false"):
                    self.reply(400, {"error": "state must be true or false"})
                    return
                n = device.post_event(path[1:], state == "true")
                log(f"{path[1:]} state={state} queued for {n} subscription(s)")
                self.reply(200, {"event": path[1:], "state": state == "true", "subscriptions": n})
            elif path == "/mode":
                mode = query.get("m", "")
                if mode not in MODES:
                    self.reply(400, {"error": f"mode must be one of {', '.join(MODES)}"})
                    return
                device.mode = mode
                log(f"mode -> {mode}")
                self.reply(200, {"mode": mode})
            else:
                self.reply(404, {"error": "not found"})

    return ControlHandler


# ---- self-test ---------------------------------------------------------------------------------------------

class Client:
    """Minimal ONVIF SOAP client used by --self-test."""

    def __init__(self, url, user, password, clock_offset=0.0):
        self.url, self.user, self.password, self.clock_offset = url, user, password, clock_offset

    def security(self, password=None, created=None, nonce=None):
        nonce = nonce or os.urandom(16)
        created = created or (datetime.now(timezone.utc) + timedelta(seconds=self.clock_offset)).strftime(
            "%Y-%m-%dT%H:%M:%SZ")
        digest = base64.b64encode(hashlib.sha1(
            nonce + created.encode() + (password or self.password).encode()).digest()).decode()
        return (
            f'<env:Header><wsse:Security xmlns:wsse="{WSSE}" xmlns:wsu="{WSU}"><wsse:UsernameToken>'
            f"<wsse:Username>{self.user}</wsse:Username>"
            f'<wsse:Password Type="{DIGEST_TYPE}">{digest}</wsse:Password>'
            f"<wsse:Nonce>{base64.b64encode(nonce).decode()}</wsse:Nonce>"
            f"<wsu:Created>{created}</wsu:Created></wsse:UsernameToken></wsse:Security></env:Header>"
        )

    def call(self, prefix, op, inner="", header=None, auth=True, url=None, timeout=10, opener=None,
             action=None):
        if header is None:
            header = self.security() if auth else ""
        body = envelope(f"<{prefix}:{op}>{inner}</{prefix}:{op}>").replace("<env:Body>", header + "<env:Body>", 1)
        ctype = f'application/soap+xml; charset=utf-8; action="{action or NS.get(prefix, "") + "/" + op}"'
        req = urllib.request.Request(url or self.url, data=body.encode(), headers={"Content-Type": ctype})
        try:
            with (opener.open if opener else urllib.request.urlopen)(req, timeout=timeout) as resp:
                return resp.status, resp.headers, resp.read()
        except urllib.error.HTTPError as err:
            return err.code, err.headers, err.read()


def _fault_values(data):
    root = ET.fromstring(data)
    return [v.text for v in root.iter(f"{{{NS['env']}}}Value")]


def self_test():
    def free_port():
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            return s.getsockname()[1]

    offset = -5400.0
    port, cport = free_port(), free_port()
    dev = FakeDevice(port, "admin", "s3cret", clock_offset=offset, rtsp_main="rtsp://127.0.0.1:8554/m",
                     rtsp_sub="rtsp://127.0.0.1:8554/s", control_port=cport)
    dev.start()
    url = f"http://127.0.0.1:{port}{DEVICE_PATH}"
    cl = Client(url, "admin", "s3cret", clock_offset=offset)
    failures = []

    def check(cond, what):
        print(("ok   " if cond else "FAIL ") + what, file=sys.stderr)
        if not cond:
            failures.append(what)

    def control(method, path):
        req = urllib.request.Request(f"http://127.0.0.1:{cport}{path}", method=method, data=b"" if method == "POST" else None)
        try:
            with urllib.request.urlopen(req, timeout=5) as resp:
                return resp.status, json.loads(resp.read())
        except urllib.error.HTTPError as err:
            return err.code, json.loads(err.read())

    def parse(data):
        return ET.fromstring(data)

    def find(root, path):
        return root.find(path, NS)

    try:
        # --- clock and auth ---
        status, _, data = cl.call("tds", "GetSystemDateAndTime", auth=False)
        r = parse(data)
        u = find(r, ".//tt:UTCDateTime")
        dev_time = datetime(int(find(u, "tt:Date/tt:Year").text), int(find(u, "tt:Date/tt:Month").text),
                            int(find(u, "tt:Date/tt:Day").text), int(find(u, "tt:Time/tt:Hour").text),
                            int(find(u, "tt:Time/tt:Minute").text), int(find(u, "tt:Time/tt:Second").text),
                            tzinfo=timezone.utc)
        delta = (dev_time - datetime.now(timezone.utc)).total_seconds()
        check(status == 200 and abs(delta - offset) < 3, f"GetSystemDateAndTime without auth, offset {delta:.0f} s")
        status, _, data = cl.call("tds", "GetDeviceInformation", auth=False)
        check(status == 400 and _fault_values(data) == ["env:Sender", "ter:NotAuthorized"], f"no token -> {status} NotAuthorized")
        status, _, data = cl.call("tds", "GetDeviceInformation", header=cl.security(password="nope"))
        check(status == 400 and "ter:NotAuthorized" in _fault_values(data), f"wrong password -> {status}")
        real_clock = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        status, _, _ = cl.call("tds", "GetDeviceInformation", header=cl.security(created=real_clock))
        check(status == 400, f"Created from the client's clock (90 min off) -> {status}")
        nonce = os.urandom(16)
        hdr = cl.security(nonce=nonce)
        s1, _, _ = cl.call("tds", "GetDeviceInformation", header=hdr)
        s2, _, _ = cl.call("tds", "GetDeviceInformation", header=hdr)
        check(s1 == 200 and s2 == 400, f"nonce replay refused ({s1}, {s2})")
        text_hdr = cl.security().replace("#PasswordDigest", "#PasswordText")
        status, _, _ = cl.call("tds", "GetDeviceInformation", header=text_hdr)
        check(status == 400, f"PasswordText type refused -> {status}")

        # --- device and media ---
        status, _, data = cl.call("tds", "GetDeviceInformation", action="http://example.invalid/Mismatch")
        r = parse(data)
        check(status == 200 and find(r, ".//tds:Manufacturer").text == "Scripted"
              and find(r, ".//tds:Model").text == "FakeCam 2" and find(r, ".//tds:FirmwareVersion").text == "9.8.7"
              and find(r, ".//tds:SerialNumber") is not None and find(r, ".//tds:HardwareId") is not None,
              "GetDeviceInformation (dispatched on the body, not the action parameter)")
        status, _, data = cl.call("tds", "GetCapabilities", "<tds:Category>All</tds:Category>")
        r = parse(data)
        check(status == 200 and find(r, ".//tt:Media/tt:XAddr").text == url
              and find(r, ".//tt:Events/tt:WSPullPointSupport").text == "true" and find(r, ".//tt:PTZ") is None,
              "GetCapabilities")
        status, _, data = cl.call("tds", "GetCapabilities", "<tds:Category>PTZ</tds:Category>")
        check(status == 500 and "ter:NoSuchService" in _fault_values(data), f"GetCapabilities PTZ -> {status}")
        status, _, data = cl.call("tds", "GetServices", "<tds:IncludeCapability>true</tds:IncludeCapability>")
        r = parse(data)
        names = [e.text for e in r.findall(".//tds:Service/tds:Namespace", NS)]
        check(status == 200 and names == [NS["tds"], NS["trt"], NS["tev"]]
              and find(r, ".//tev:Capabilities").get("WSPullPointSupport") == "true", "GetServices")
        status, _, data = cl.call("trt", "GetProfiles")
        r = parse(data)
        profiles = {p.get("token"): p for p in r.findall(".//trt:Profiles", NS)}
        main = profiles.get("main")
        check(status == 200 and list(profiles) == ["main", "sub"]
              and find(main, "tt:VideoEncoderConfiguration/tt:Resolution/tt:Width").text == "1920"
              and find(main, "tt:VideoEncoderConfiguration/tt:RateControl/tt:FrameRateLimit").text == "25"
              and find(main, "tt:VideoEncoderConfiguration/tt:RateControl/tt:BitrateLimit").text == "4096"
              and find(profiles["sub"], "tt:VideoEncoderConfiguration/tt:Resolution/tt:Height").text == "360"
              and find(profiles["sub"], "tt:VideoEncoderConfiguration/tt:RateControl/tt:FrameRateLimit").text == "15"
              and find(main, "tt:PTZConfiguration") is None, "GetProfiles")
        for token, want in (("main", "rtsp://127.0.0.1:8554/m"), ("sub", "rtsp://127.0.0.1:8554/s")):
            status, _, data = cl.call("trt", "GetStreamUri", "<trt:StreamSetup><tt:Stream>RTP-Unicast</tt:Stream>"
                                      "<tt:Transport><tt:Protocol>RTSP</tt:Protocol></tt:Transport></trt:StreamSetup>"
                                      f"<trt:ProfileToken>{token}</trt:ProfileToken>")
            check(status == 200 and find(parse(data), ".//tt:Uri").text == want, f"GetStreamUri {token}")
        status, _, data = cl.call("trt", "GetStreamUri", "<trt:ProfileToken>nope</trt:ProfileToken>")
        check(status == 400 and "ter:NoProfile" in _fault_values(data), "GetStreamUri unknown profile -> NoProfile")
        status, _, data = cl.call("trt", "GetSnapshotUri", "<trt:ProfileToken>main</trt:ProfileToken>")
        check(status == 200 and find(parse(data), ".//tt:Uri").text.startswith("http://127.0.0.1:"), "GetSnapshotUri")
        status, _, data = cl.call("trt", "GetVideoEncoderConfigurations")
        check(status == 200 and len(parse(data).findall(".//trt:Configurations", NS)) == 2, "GetVideoEncoderConfigurations")
        status, _, data = cl.call("trt", "GetProfile", "<trt:ProfileToken>main</trt:ProfileToken>")
        check(status == 500 and "ter:ActionNotSupported" in _fault_values(data), "unsupported operation -> ActionNotSupported")
        status, _, data = cl.call("tev", "GetProfiles")
        check(status == 500, "known name in the wrong namespace -> ActionNotSupported")

        # --- events ---
        status, _, data = cl.call("tev", "GetEventProperties")
        r = parse(data)
        check(status == 200 and r.find(".//tns1:VideoSource/MotionAlarm", NS) is not None
              and r.find(".//tns1:VideoSource/GlobalSceneChange/ImagingService", NS) is not None, "GetEventProperties")
        status, _, data = cl.call("tev", "CreatePullPointSubscription",
                                  "<tev:InitialTerminationTime>PT60S</tev:InitialTerminationTime>")
        r = parse(data)
        address = find(r, ".//tev:SubscriptionReference/wsa:Address").text
        term = parse_datetime(find(r, ".//wsnt:TerminationTime").text)
        cur = parse_datetime(find(r, ".//wsnt:CurrentTime").text)
        check(status == 200 and address.startswith(f"http://127.0.0.1:{port}{SUBSCRIPTION_PATH}")
              and 55 < (term - cur).total_seconds() < 65, f"CreatePullPointSubscription -> {address}")

        def pull(timeout="PT1S", limit=10, at=address):
            t0 = time.monotonic()
            st, _, raw = cl.call("tev", "PullMessages", f"<tev:Timeout>{timeout}</tev:Timeout>"
                                 f"<tev:MessageLimit>{limit}</tev:MessageLimit>", url=at, timeout=15)
            msgs = []
            if st == 200:
                for m in parse(raw).findall(".//wsnt:NotificationMessage", NS):
                    tm = find(m, "wsnt:Message/tt:Message")
                    msgs.append((find(m, "wsnt:Topic").text, find(m, "wsnt:Topic").get("Dialect"),
                                 tm.get("PropertyOperation"),
                                 find(tm, "tt:Source/tt:SimpleItem").get("Name"),
                                 find(tm, "tt:Data/tt:SimpleItem").get("Value"), tm.get("UtcTime")))
            return st, msgs, time.monotonic() - t0

        status, msgs, _ = pull()
        check(status == 200 and [(m[0], m[2], m[4]) for m in msgs] == [
            (TOPICS["motion"], "Initialized", "false"), (TOPICS["tamper"], "Initialized", "false")]
            and all(m[1] == CONCRETE_SET and m[3] == "VideoSourceConfigurationToken" for m in msgs),
            "PullMessages: initial property states")
        status, msgs, took = pull("PT1S")
        check(status == 200 and msgs == [] and 0.8 < took < 3, f"PullMessages with nothing queued waits the timeout ({took:.1f} s)")
        threading.Timer(0.5, lambda: control("POST", "/motion?state=true")).start()
        status, msgs, took = pull("PT5S")
        check(status == 200 and len(msgs) == 1 and msgs[0][0] == TOPICS["motion"] and msgs[0][2] == "Changed"
              and msgs[0][4] == "true" and took < 3, f"PullMessages long-poll returns the motion event ({took:.1f} s)")
        utc = parse_datetime(msgs[0][5]) if msgs else datetime.now(timezone.utc)
        check(abs((utc - datetime.now(timezone.utc)).total_seconds() - offset) < 5, "message UtcTime uses the device clock")
        for path in ("/tamper?state=true", "/motion?state=false", "/tamper?state=false"):
            control("POST", path)
        status, msgs, _ = pull(limit=2)
        status2, msgs2, _ = pull(limit=2)
        check([(m[0], m[4]) for m in msgs + msgs2] == [(TOPICS["tamper"], "true"), (TOPICS["motion"], "false"),
                                                       (TOPICS["tamper"], "false")] and len(msgs) == 2,
              "MessageLimit honoured, events in order")
        status, _, data = cl.call("wsnt", "Renew", "<wsnt:TerminationTime>PT120S</wsnt:TerminationTime>", url=address)
        r = parse(data)
        check(status == 200 and 115 < (parse_datetime(find(r, ".//wsnt:TerminationTime").text)
                                       - parse_datetime(find(r, ".//wsnt:CurrentTime").text)).total_seconds() < 125, "Renew")
        status, _, _ = cl.call("tev", "SetSynchronizationPoint")
        status2, msgs, _ = pull()
        check(status == 200 and [m[2] for m in msgs] == ["Initialized", "Initialized"], "SetSynchronizationPoint")
        status, _, _ = cl.call("wsnt", "Unsubscribe", url=address)
        status2, _, data = cl.call("tev", "PullMessages", "<tev:Timeout>PT1S</tev:Timeout>"
                                   "<tev:MessageLimit>1</tev:MessageLimit>", url=address)
        check(status == 200 and status2 == 400, f"Unsubscribe, then PullMessages -> {status2}")
        status, _, data = cl.call("tev", "CreatePullPointSubscription",
                                  "<tev:InitialTerminationTime>PT1S</tev:InitialTerminationTime>")
        short = find(parse(data), ".//wsa:Address").text
        time.sleep(1.5)
        status, _, _ = cl.call("tev", "PullMessages", "<tev:Timeout>PT1S</tev:Timeout><tev:MessageLimit>1</tev:MessageLimit>", url=short)
        check(status == 400, f"expired subscription -> {status}")
        status, body = control("GET", "/state")
        check(status == 200 and body["subscriptions"] == 0 and body["motion"] is False, f"GET /state {body}")

        # --- modes ---
        check(control("POST", "/mode?m=bogus")[0] == 400, "unknown mode refused")
        control("POST", "/mode?m=http-digest")
        status, _, _ = cl.call("tds", "GetSystemDateAndTime", auth=False)
        check(status == 200, "http-digest: GetSystemDateAndTime without auth")
        status, headers, _ = cl.call("tds", "GetDeviceInformation")
        challenge = headers.get("WWW-Authenticate", "")
        check(status == 401 and challenge.startswith("Digest ") and 'qop="auth"' in challenge and "MD5" in challenge,
              "http-digest: WS-Security alone -> 401 with Digest challenge")
        good = urllib.request.HTTPPasswordMgrWithDefaultRealm()
        good.add_password(None, url, "admin", "s3cret")
        status, _, data = cl.call("tds", "GetDeviceInformation", auth=False,
                                  opener=urllib.request.build_opener(urllib.request.HTTPDigestAuthHandler(good)))
        check(status == 200 and b"FakeCam 2" in data, f"http-digest: correct digest -> {status}")
        bad = urllib.request.HTTPPasswordMgrWithDefaultRealm()
        bad.add_password(None, url, "admin", "wrong")
        status, _, _ = cl.call("tds", "GetDeviceInformation", auth=False,
                               opener=urllib.request.build_opener(urllib.request.HTTPDigestAuthHandler(bad)))
        check(status == 401, f"http-digest: wrong password -> {status}")

        control("POST", "/mode?m=fault")
        status, _, data = cl.call("tds", "GetDeviceInformation")
        check(status == 500 and _fault_values(data) == ["env:Receiver", "ter:Action"] and b"simulated failure" in data,
              "fault: authenticated call -> Receiver/ter:Action")
        status, _, _ = cl.call("tds", "GetSystemDateAndTime", auth=False)
        check(status == 200, "fault: GetSystemDateAndTime still answered")
        status, _, _ = cl.call("tds", "GetDeviceInformation", auth=False)
        check(status == 400, "fault: unauthenticated call -> NotAuthorized")

        control("POST", "/mode?m=slow")
        t0 = time.monotonic()
        status, _, _ = cl.call("tds", "GetSystemDateAndTime", auth=False, timeout=5)
        check(status == 200 and time.monotonic() - t0 < 2, "slow: GetSystemDateAndTime immediate")
        t0 = time.monotonic()
        try:
            cl.call("tds", "GetDeviceInformation", timeout=2)
            timed_out = False
        except (socket.timeout, TimeoutError, urllib.error.URLError):
            timed_out = True
        check(timed_out and time.monotonic() - t0 < 4, "slow: GetDeviceInformation does not answer within 2 s")

        control("POST", "/mode?m=broken-xml")
        status, headers, data = cl.call("tds", "GetDeviceInformation")
        try:
            ET.fromstring(data)
            broken = False
        except ET.ParseError:
            broken = True
        check(status == 200 and headers.get("Content-Type", "").startswith("application/soap+xml") and broken,
              "broken-xml: 200 soap+xml, not well-formed")

        control("POST", "/mode?m=html")
        status, headers, data = cl.call("tds", "GetSystemDateAndTime", auth=False)
        check(status == 200 and headers.get("Content-Type", "").startswith("text/html")
              and data == b"<html>login page</html>", "html: login page")

        control("POST", "/mode?m=normal")
        status, reqs = control("GET", "/requests")
        ops = [(q["op"], q["auth"]) for q in reqs]
        check(status == 200 and ("GetSystemDateAndTime", False) in ops and ("GetDeviceInformation", True) in ops
              and ("PullMessages", True) in ops and all({"op", "auth", "mode"} <= set(q) for q in reqs),
              f"GET /requests ({len(reqs)} entries)")
        check(control("DELETE", "/requests")[0] == 200 and control("GET", "/requests")[1] == [], "DELETE /requests")
    finally:
        dev.stop()
    print(("self-test passed" if not failures else f"self-test FAILED: {failures}"), file=sys.stderr)
    return 0 if not failures else 1


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--port", type=int)
    ap.add_argument("--user")
    ap.add_argument("--password")
    ap.add_argument("--mode", default="normal", choices=MODES)
    ap.add_argument("--clock-offset", type=float, default=0.0, help="seconds added to the device clock")
    ap.add_argument("--rtsp-main")
    ap.add_argument("--rtsp-sub")
    ap.add_argument("--control-port", type=int, help="default: --port + 1")
    ap.add_argument("--self-test", action="store_true")
    args = ap.parse_args()
    if args.self_test:
        global QUIET
        QUIET = True
        return self_test()
    if args.port is None or args.user is None or args.password is None:
        ap.error("--port, --user and --password are required")
    dev = FakeDevice(args.port, args.user, args.password, mode=args.mode, clock_offset=args.clock_offset,
                     rtsp_main=args.rtsp_main, rtsp_sub=args.rtsp_sub, control_port=args.control_port)
    try:
        dev.start()
    except OSError as exc:
        log(f"cannot listen: {exc}")
        return 1
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    log(f"control on http://127.0.0.1:{dev.control_port}, mode {dev.mode}, clock offset {dev.clock_offset:+.0f} s")
    print(f"READY http://127.0.0.1:{args.port}{DEVICE_PATH}", flush=True)
    stop.wait()
    dev.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
