import NIOCore
import Testing

@testable import RTCCMedia

@Suite struct RTSPServerConnectionStateMachineTests {
    typealias Machine = RTSPServerConnectionStateMachine

    static let description = SessionDescription(media: [
        MediaDescription(type: "video", formats: ["96"], attributes: [SDPAttribute(name: "rtpmap", value: "96 H264/90000")]),
        MediaDescription(type: "audio", formats: ["0"], attributes: [SDPAttribute(name: "control", value: "old")]),
    ])

    static func machine(auth: RTSPServerAuthentication? = nil) -> Machine {
        Machine(descriptions: ["/cam1/": description], authentication: auth, sessionID: "SID", nonce: "NONCE", sessionTimeout: 30)
    }

    static func request(_ method: RTSPMethod, _ uri: String, _ headers: RTSPHeaders = [:], cseq: Int = 1) -> RTSPRequest {
        var all: RTSPHeaders = ["CSeq": String(cseq)]
        for field in headers { all.add(name: field.name, value: field.value) }
        return RTSPRequest(method: method, uri: uri, headers: all)
    }

    static func response(_ action: Machine.Action) -> RTSPResponse? {
        switch action {
        case .respond(let response), .startStreaming(let response, _, _), .respondAndClose(let response): response
        case .openUDPPorts: nil
        }
    }

    @Test func describeServesDescriptionWithTrackControls() throws {
        var machine = Self.machine()
        let reply = try #require(Self.response(machine.received(Self.request(.describe, "rtsp://h:1/cam1", cseq: 5))))
        #expect(reply.statusCode == 200)
        #expect(reply.headers["CSeq"] == "5")
        #expect(reply.headers["Content-Base"] == "rtsp://h:1/cam1/")
        let sdp = try SessionDescription.parse(String(buffer: reply.body))
        #expect(sdp.media.map(\.control) == ["trackID=0", "trackID=1"])
        #expect(Self.response(machine.received(Self.request(.describe, "rtsp://h:1/nope")))?.statusCode == 404)
    }

    @Test func tcpSetupThenPlayStartsStreaming() throws {
        var machine = Self.machine()
        let setup = Self.request(.setup, "rtsp://h/cam1/trackID=0", ["Transport": "RTP/AVP/TCP;unicast;interleaved=0-1"])
        let reply = try #require(Self.response(machine.received(setup)))
        #expect(reply.statusCode == 200)
        #expect(reply.headers["Session"] == "SID;timeout=30")
        #expect(reply.headers["Transport"] == "RTP/AVP/TCP;unicast;interleaved=0-1")
        let play = machine.received(Self.request(.play, "rtsp://h/cam1/", ["Session": "SID"]))
        guard case .startStreaming(let response, let path, let tracks) = play else {
            Issue.record("expected streaming, got \(play)")
            return
        }
        #expect(response.statusCode == 200)
        #expect(path == "/cam1")
        #expect(tracks == [.init(track: 0, transport: .tcp(interleaved: .init(rtp: 0, rtcp: 1)))])
        #expect(Self.response(machine.received(Self.request(.getParameter, "rtsp://h/cam1/", ["Session": "SID"])))?.statusCode == 200)
        guard case .respondAndClose = machine.received(Self.request(.teardown, "rtsp://h/cam1/", ["Session": "SID"])) else {
            Issue.record("expected close")
            return
        }
    }

    @Test func udpSetupAsksForPortsAndConfirmsThem() throws {
        var machine = Self.machine()
        let setup = Self.request(.setup, "rtsp://h/cam1/trackID=1", ["Transport": "RTP/AVP;unicast;client_port=5000-5001"])
        #expect(machine.received(setup) == .openUDPPorts(track: 1, clientPorts: .init(rtp: 5000, rtcp: 5001), request: setup))
        let reply = try #require(Self.response(machine.udpPortsOpened(for: setup, track: 1, serverPorts: .init(rtp: 7000, rtcp: 7001))))
        #expect(reply.headers["Transport"] == "RTP/AVP;unicast;client_port=5000-5001;server_port=7000-7001")
    }

    @Test func wrongSessionAndUnsupportedTransportAreRefused() {
        var machine = Self.machine()
        #expect(Self.response(machine.received(Self.request(.play, "rtsp://h/cam1", ["Session": "other"])))?.statusCode == 454)
        #expect(Self.response(machine.received(Self.request(.play, "rtsp://h/cam1")))?.statusCode == 455)
        let multicast = Self.request(.setup, "rtsp://h/cam1/trackID=0", ["Transport": "RTP/AVP;multicast"])
        #expect(Self.response(machine.received(multicast))?.statusCode == 461)
        #expect(Self.response(machine.received(Self.request(.setup, "rtsp://h/cam1/trackID=7", ["Transport": "RTP/AVP/TCP"])))?.statusCode == 404)
        #expect(Self.response(machine.received(Self.request(.announce, "rtsp://h/cam1")))?.statusCode == 501)
    }

    @Test func authenticationIsRequiredExceptForOptions() throws {
        let credentials = RTSPCredentials(username: "u", password: "p")
        var machine = Self.machine(auth: RTSPServerAuthentication(credentials: credentials, scheme: .digest(qop: true), realm: "R"))
        #expect(Self.response(machine.received(Self.request(.options, "*")))?.statusCode == 200)
        let denied = try #require(Self.response(machine.received(Self.request(.describe, "rtsp://h/cam1"))))
        #expect(denied.statusCode == 401)
        let challenge = try #require(denied.headers["WWW-Authenticate"])
        var authenticator = try RTSPAuthenticator(challenges: [challenge], credentials: credentials)
        let header = authenticator.authorization(method: .describe, uri: "rtsp://h/cam1")
        let allowed = Self.response(machine.received(Self.request(.describe, "rtsp://h/cam1", ["Authorization": header])))
        #expect(allowed?.statusCode == 200)
    }
}
