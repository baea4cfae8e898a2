#!/usr/bin/env python3
"""ONVIF test peer: runs the ipycam 1.3.0 device emulator (PyPI `ipycam==1.3.0`) for the ONVIF client tests.

Usage:
  onvif_peer.py --port 18080 --rtsp-main URL --rtsp-sub URL --user admin --password pw
                [--workdir DIR] [--name NAME] [--no-discovery]

Only ipycam's SOAP/HTTP server and its WS-Discovery responder are started; its RTSP server, go2rtc push,
MJPEG/WebRTC streamers and recorder are never started (the tests serve RTSP themselves, and GetStreamUri
reports --rtsp-main / --rtsp-sub verbatim). Prints exactly one line on stdout,
`READY http://127.0.0.1:PORT/onvif/device_service`, once the SOAP service answers; logs go to stderr.
Runs until SIGTERM/SIGINT. The working directory is --workdir (ipycam keeps ptz_presets.json there);
without it a fresh temporary directory is used and removed on exit.

What the peer supports (ipycam 1.3.0 as corrected below; checked against this launcher)
- One endpoint for everything: any POST under /onvif/ is handled alike. GetCapabilities/GetServices
  advertise /onvif/device_service, /onvif/media_service, /onvif/ptz_service (no Events, Imaging, Media2).
- Namespaces: env=http://www.w3.org/2003/05/soap-envelope, tds=.../ver10/device/wsdl,
  trt=.../ver10/media/wsdl, tptz=.../ver20/ptz/wsdl, tt=.../ver10/schema (all http://www.onvif.org/...).
- Device: GetSystemDateAndTime (UTCDateTime, DateTimeType NTP), GetDeviceInformation (Manufacturer
  "PythonCam", Model "VirtualCam-1", FirmwareVersion "1.3.0", SerialNumber "PY-000001", HardwareId
  "PY-HW-01"), GetCapabilities (tt:Device/Media/PTZ XAddr), GetServices (3 tds:Service, version 2.5,
  never tds:Capabilities), GetScopes, GetUsers.
- Media: GetProfiles -> trt:Profiles token "Profile_Main" (H264 1920x1080, 30 fps, 8000 kbps) and
  "Profile_Sub" (H264 640x360, 30 fps, 1000 kbps), both with VideoSourceConfiguration,
  VideoEncoderConfiguration and PTZConfiguration "PTZ_Config_1"; GetStreamUri (trt:MediaUri/tt:Uri);
  GetSnapshotUri (http://127.0.0.1:PORT/snapshot.jpg: needs HTTP Basic auth and answers 503 since no
  frames are fed); GetVideoEncoderConfiguration (always VEC_1); GetVideoSourceConfiguration.
- PTZ: GetNodes/GetNode (node "PTZ_Node_1", generic spaces, 10 presets, HomeSupported),
  GetConfigurations/GetConfiguration, GetServiceCapabilities (answers the PTZ one for every service),
  GetStatus, ContinuousMove (1.0 units/s at speed 1, Timeout ignored: moves until Stop), Stop,
  AbsoluteMove, RelativeMove, GotoHomePosition (0,0,0), GetPresets (a "home" preset exists at start),
  SetPreset, GotoPreset. Pan/tilt -1..1, zoom 0..1, clamped.
- Lacks: Events (no GetEventProperties/PullPoint), Imaging, Media2, GetProfile, SetSystemDateAndTime, any
  Set*/Create* media configuration, nonce replay protection (PasswordText is accepted too).
- Auth: WS-Security UsernameToken (PasswordDigest, +/-300 s) on every SOAP call. A refusal is HTTP 401
  (no WWW-Authenticate) with env:Receiver and Reason "Sender not authorized" - not the 400
  env:Sender/ter:NotAuthorized of ONVIF Core. ipycam's own faults (e.g. "Action not supported: X" for an
  unknown operation) come as HTTP 200.
- Discovery: UDP 3702; answers any Probe (Types filter ignored) to the sender's address and port.
Corrected here by patching at run time (site-packages untouched):
- GetSystemDateAndTime is answered without authentication (ipycam refused it).
- The operation is taken from the first child of the SOAP Body (ipycam only reads SOAPAction and
  otherwise searches the body text, so a SOAP 1.2 action in Content-Type was ignored).
- PTZ responses used undeclared ptz:/tptz: prefixes: both are declared in the envelope.
- GetStatus left its placeholders unfilled: it now reports the live position, MoveStatus
  PanTilt/Zoom IDLE|MOVING and UtcTime.
- GotoPreset/RemovePreset with an unknown token, SetPreset with an unknown PresetToken: HTTP 400 fault
  env:Sender / ter:InvalidArgVal / ter:NoToken. SetPreset with an existing token updates that preset.
- RemovePreset added (ipycam has the preset store but no SOAP operation).
- GetStreamUri chose the sub stream when the text "Sub" appeared anywhere in the request (a nonce could
  contain it): it now goes by ProfileToken; an unknown token gives ter:InvalidArgVal/ter:NoProfile.
- GetVideoEncoderConfigurations (plural) answered the singular response: it now returns
  trt:GetVideoEncoderConfigurationsResponse with VEC_1 (main) and VEC_2 (sub).
- ProbeMatch is wrapped in d:ProbeMatches (WS-Discovery 2005/04); Scopes carry the URL-escaped name and
  onvif://www.onvif.org/hardware/<model>.
"""

import argparse
import logging
import os
import shutil
import signal
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
import xml.etree.ElementTree as ET
from datetime import datetime, timezone
from xml.sax.saxutils import escape

NS_ENV = "http://www.w3.org/2003/05/soap-envelope"
NS_PTZ = "http://www.onvif.org/ver20/ptz/wsdl"
NS_SCHEMA = "http://www.onvif.org/ver10/schema"

log = logging.getLogger("onvif_peer")

# Per-request HTTP status override (a handler thread serves one request at a time).
_reply_status = threading.local()


def request_operation(body):
    """Return the first element inside the SOAP Body of a request, or None when it cannot be parsed."""
    try:
        root = ET.fromstring(body.encode("utf-8") if isinstance(body, str) else body)
    except ET.ParseError:
        return None
    for el in root:
        if el.tag.rsplit("}", 1)[-1] == "Body":
            for child in el:
                return child
    return None


def local_name(el):
    return el.tag.rsplit("}", 1)[-1]


def child_text(el, name):
    """Text of the first descendant with the given local name (any namespace)."""
    if el is None:
        return None
    for d in el.iter():
        if d is not el and local_name(d) == name:
            return (d.text or "").strip()
    return None


def sender_fault(subcode, subsubcode, reason):
    """SOAP 1.2 fault with env:Sender and the ONVIF error subcodes; the reply goes out as HTTP 400."""
    _reply_status.code = 400
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<env:Envelope xmlns:env="{NS_ENV}" xmlns:ter="http://www.onvif.org/ver10/error">'
        "<env:Body><env:Fault>"
        "<env:Code><env:Value>env:Sender</env:Value>"
        f"<env:Subcode><env:Value>{subcode}</env:Value>"
        f"<env:Subcode><env:Value>{subsubcode}</env:Value></env:Subcode>"
        "</env:Subcode></env:Code>"
        f'<env:Reason><env:Text xml:lang="en">{escape(reason)}</env:Text></env:Reason>'
        "</env:Fault></env:Body></env:Envelope>"
    )


def utc_now_text():
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def install_corrections(cam, rtsp_main, rtsp_sub):
    """Patch the ONVIFService instance of `cam` (see "Corrected here" in the module docstring)."""
    onvif = cam.onvif
    ptz = cam.ptz
    templates = onvif._templates
    cfg = cam.config

    # Declare the PTZ prefixes the PTZ templates use.
    env = templates["envelope"]
    for prefix in ("tptz", "ptz"):
        if f"xmlns:{prefix}=" not in env:
            env = env.replace(
                f'xmlns:tt="{NS_SCHEMA}"', f'xmlns:tt="{NS_SCHEMA}" xmlns:{prefix}="{NS_PTZ}"', 1
            )
    templates["envelope"] = env

    # WS-Discovery: ProbeMatches wrapper, hardware scope, URL-escaped name.
    pm = templates["probe_match"]
    if "ProbeMatches" not in pm:
        pm = pm.replace("<d:ProbeMatch>", "<d:ProbeMatches><d:ProbeMatch>", 1)
        pm = pm.replace("</d:ProbeMatch>", "</d:ProbeMatch></d:ProbeMatches>", 1)
    if "onvif://www.onvif.org/hardware/" not in pm:
        pm = pm.replace(
            "onvif://www.onvif.org/name/{{camera_name}}",
            "onvif://www.onvif.org/name/{{camera_name}} onvif://www.onvif.org/hardware/{{hardware}}",
            1,
        )
    templates["probe_match"] = pm

    def create_probe_match(relates_to):
        return onvif._render(
            "probe_match",
            message_id=f"urn:uuid:{uuid.uuid4()}",
            relates_to=escape(str(relates_to)),
            device_uuid=onvif.device_uuid,
            camera_name=escape(urllib.parse.quote(str(cfg.name), safe="")),
            hardware=escape(urllib.parse.quote(str(cfg.model), safe="")),
            onvif_url=escape(cfg.onvif_url),
        )

    onvif.create_probe_match = create_probe_match

    # GetSystemDateAndTime must be answered without authentication (ONVIF Core 5.9.1).
    original_verify = onvif.verify_usernametoken

    def verify_usernametoken(body):
        op = request_operation(body)
        if op is not None and local_name(op) == "GetSystemDateAndTime":
            return True
        return original_verify(body)

    onvif.verify_usernametoken = verify_usernametoken

    def wrap(body):
        return onvif._wrap_envelope(body)

    def get_status(op):
        with ptz._lock:
            pan, tilt, zoom = ptz.state.pan, ptz.state.tilt, ptz.state.zoom
            v = ptz.velocity
            pt_moving = abs(v.pan_speed) > 0.001 or abs(v.tilt_speed) > 0.001
            zoom_moving = abs(v.zoom_speed) > 0.001
        return wrap(onvif._render(
            "ptz_get_status",
            pan=f"{pan:.6f}", tilt=f"{tilt:.6f}", zoom=f"{zoom:.6f}",
            pan_tilt_status="MOVING" if pt_moving else "IDLE",
            zoom_status="MOVING" if zoom_moving else "IDLE",
            utc_time=utc_now_text(),
        ))

    def goto_preset(op):
        token = child_text(op, "PresetToken")
        if not token or token not in ptz.get_presets():
            return sender_fault("ter:InvalidArgVal", "ter:NoToken", f"no preset with token {token!r}")
        ptz.goto_preset(token)
        return wrap(onvif._render("ptz_goto_preset"))

    def set_preset(op):
        token = child_text(op, "PresetToken")
        name = child_text(op, "PresetName")
        presets = ptz.get_presets()
        if token:
            if token not in presets:
                return sender_fault("ter:InvalidArgVal", "ter:NoToken", f"no preset with token {token!r}")
            name = name or presets[token].name
        else:
            token = f"preset_{uuid.uuid4().hex[:8]}"
            name = name or "Preset"
        ptz.set_preset(token, name)
        return wrap(onvif._render("ptz_set_preset", preset_token=escape(token)))

    def remove_preset(op):
        token = child_text(op, "PresetToken")
        if not token or not ptz.remove_preset(token):
            return sender_fault("ter:InvalidArgVal", "ter:NoToken", f"no preset with token {token!r}")
        return wrap("<tptz:RemovePresetResponse/>")

    def get_stream_uri(op):
        token = child_text(op, "ProfileToken")
        uris = {"Profile_Main": rtsp_main, "Profile_Sub": rtsp_sub}
        if token not in uris:
            return sender_fault("ter:InvalidArgVal", "ter:NoProfile", f"no profile with token {token!r}")
        return wrap(onvif._render("get_stream_uri", stream_uri=escape(uris[token])))

    def encoder(token, name, width, height, fps, bitrate, quality):
        kbps = onvif._bitrate_to_kbps(bitrate)
        return (
            f'<trt:Configurations token="{token}"><tt:Name>{name}</tt:Name><tt:UseCount>1</tt:UseCount>'
            f"<tt:Encoding>H264</tt:Encoding>"
            f"<tt:Resolution><tt:Width>{width}</tt:Width><tt:Height>{height}</tt:Height></tt:Resolution>"
            f"<tt:Quality>{quality}</tt:Quality><tt:RateControl><tt:FrameRateLimit>{fps}</tt:FrameRateLimit>"
            f"<tt:EncodingInterval>1</tt:EncodingInterval><tt:BitrateLimit>{kbps}</tt:BitrateLimit>"
            f"</tt:RateControl><tt:H264><tt:GovLength>{fps}</tt:GovLength><tt:H264Profile>High</tt:H264Profile>"
            f"</tt:H264><tt:SessionTimeout>PT60S</tt:SessionTimeout></trt:Configurations>"
        )

    def get_video_encoder_configurations(op):
        return wrap(
            "<trt:GetVideoEncoderConfigurationsResponse>"
            + encoder("VEC_1", "H264_Main", cfg.main_width, cfg.main_height, cfg.main_fps, cfg.main_bitrate, 5)
            + encoder("VEC_2", "H264_Sub", cfg.sub_width, cfg.sub_height, cfg.sub_fps, cfg.sub_bitrate, 3)
            + "</trt:GetVideoEncoderConfigurationsResponse>"
        )

    corrected = {
        "GetStatus": get_status,
        "GotoPreset": goto_preset,
        "SetPreset": set_preset,
        "RemovePreset": remove_preset,
        "GetStreamUri": get_stream_uri,
        "GetVideoEncoderConfigurations": get_video_encoder_configurations,
    }
    original_handle = onvif.handle_action

    def handle_action(action, body):
        op = request_operation(body)
        if op is None:
            return original_handle(action, body)
        name = local_name(op)
        if name in corrected:
            return corrected[name](op)
        return original_handle(name, body)

    onvif.handle_action = handle_action


def make_handler_class(base):
    class PeerHandler(base):
        def handle_onvif(self):
            _reply_status.code = None
            super().handle_onvif()

        def send_response(self, code, message=None):
            if code == 200 and getattr(_reply_status, "code", None):
                code = _reply_status.code
            super().send_response(code, message)

    return PeerHandler


def make_discovery(discovery_cls, onvif):
    """ipycam's responder; when joining the multicast group fails, it keeps the bound socket for unicast probes."""

    class PeerDiscovery(discovery_cls):
        def __init__(self, service):
            try:
                super().__init__(service)
            except OSError as exc:
                sock = getattr(self, "sock", None)
                try:
                    bound = sock is not None and sock.getsockname()[1] == self.MULTICAST_PORT
                except OSError:
                    bound = False
                if not bound:
                    if sock is not None:
                        sock.close()
                    raise
                log.warning("WS-Discovery multicast unavailable (%s); answering unicast probes only", exc)

    return PeerDiscovery(onvif)


def wait_until_answering(url, deadline):
    probe = (
        f'<?xml version="1.0" encoding="UTF-8"?><s:Envelope xmlns:s="{NS_ENV}"><s:Body>'
        '<GetSystemDateAndTime xmlns="http://www.onvif.org/ver10/device/wsdl"/></s:Body></s:Envelope>'
    ).encode()
    while time.monotonic() < deadline:
        req = urllib.request.Request(url, data=probe, headers={"Content-Type": "application/soap+xml"})
        try:
            with urllib.request.urlopen(req, timeout=2) as resp:
                if resp.status == 200 and b"GetSystemDateAndTimeResponse" in resp.read():
                    return True
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.1)
    return False


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--rtsp-main", required=True)
    ap.add_argument("--rtsp-sub", required=True)
    ap.add_argument("--user", required=True)
    ap.add_argument("--password", required=True)
    ap.add_argument("--workdir")
    ap.add_argument("--name", default="OnvifPeer")
    ap.add_argument("--no-discovery", action="store_true")
    args = ap.parse_args()

    logging.basicConfig(stream=sys.stderr, level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s: %(message)s")

    own_workdir = args.workdir is None
    workdir = tempfile.mkdtemp(prefix="onvif-peer-") if own_workdir else os.path.abspath(args.workdir)
    os.makedirs(workdir, exist_ok=True)
    os.chdir(workdir)  # the PTZ controller loads/saves ptz_presets.json in the cwd

    from ipycam import CameraConfig, IPCamera, WSDiscoveryServer
    from ipycam.camera import ReusableThreadingTCPServer
    from ipycam.http import IPCameraHTTPHandler

    class PeerConfig(CameraConfig):
        main_stream_rtsp = property(lambda self: args.rtsp_main)
        sub_stream_rtsp = property(lambda self: args.rtsp_sub)

    cfg = PeerConfig(name=args.name, local_ip="127.0.0.1", onvif_port=args.port,
                     username=args.user, password=args.password)
    cam = IPCamera(cfg)
    install_corrections(cam, args.rtsp_main, args.rtsp_sub)

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())

    # Only the SOAP/HTTP server and discovery: IPCamera.start() would also bring up an RTSP server
    # (port 8554) or an FFmpeg push to go2rtc.
    handler = make_handler_class(IPCameraHTTPHandler)
    handler.camera = cam
    IPCameraHTTPHandler.camera = cam
    try:
        cam._http_server = ReusableThreadingTCPServer(("127.0.0.1", args.port), handler)
    except OSError as exc:
        print(f"onvif_peer: cannot listen on 127.0.0.1:{args.port}: {exc}", file=sys.stderr)
        cam.stop()
        return 1
    threading.Thread(target=cam._http_server.serve_forever, daemon=True, name="onvif-http").start()
    if not args.no_discovery:
        try:
            cam._discovery = make_discovery(WSDiscoveryServer, cam.onvif)
            cam._discovery.start()
        except OSError as exc:
            print(f"onvif_peer: WS-Discovery unavailable on UDP 3702: {exc}", file=sys.stderr)
            cam._discovery = None
    cam._running = True

    url = f"http://127.0.0.1:{args.port}/onvif/device_service"
    rc = 0
    if wait_until_answering(url, time.monotonic() + 30):
        print(f"READY {url}", flush=True)
        stop.wait()
    else:
        print("onvif_peer: SOAP service did not answer", file=sys.stderr)
        rc = 1
    cam.stop()
    os.chdir("/")
    if own_workdir:
        shutil.rmtree(workdir, ignore_errors=True)
    return rc


if __name__ == "__main__":
    sys.exit(main())
