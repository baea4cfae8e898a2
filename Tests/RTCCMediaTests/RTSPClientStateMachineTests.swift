import Foundation
import NIOCore
import Testing

@testable import RTCCMedia

@Suite struct RTSPClientStateMachineTests {
    typealias Action = RTSPClientStateMachine.Action

    static let sdp = """
        v=0\r
        o=- 1 1 IN IP4 127.0.0.1\r
        s=-\r
        t=0 0\r
        m=audio 0 RTP/AVP 0\r
        a=control:trackID=1\r
        m=video 0 RTP/AVP 96\r
        a=rtpmap:96 H264/90000\r
        a=control:trackID=0\r

        """

    static func machine(_ transport: RTSPTransportPreference = .tcp, url: String = "rtsp://127.0.0.1:8554/cam") throws -> RTSPClientStateMachine {
        RTSPClientStateMachine(configuration: .init(url: try RTSPURL(parsing: url), transport: transport, udpTimeout: .seconds(2)))
    }

    static func request(_ actions: [Action]) -> RTSPRequest? {
        for case .send(let request) in actions { return request }
        return nil
    }

    static func reply(_ request: RTSPRequest?, _ status: Int = 200, _ headers: RTSPHeaders = [:], body: String = "") -> RTSPResponse {
        var all: RTSPHeaders = ["CSeq": request?.headers["CSeq"] ?? "0"]
        for field in headers { all.add(name: field.name, value: field.value) }
        return RTSPResponse(statusCode: status, headers: all, body: ByteBuffer(string: body))
    }

    /// Runs OPTIONS and DESCRIBE; returns the first SETUP actions.
    static func describe(_ machine: inout RTSPClientStateMachine, publicMethods: String = "OPTIONS, DESCRIBE, SETUP, PLAY, TEARDOWN") -> [Action] {
        let options = request(machine.start())
        #expect(options?.method == .options)
        let describe = request(machine.received(reply(options, 200, ["Public": publicMethods])))
        #expect(describe?.method == .describe)
        #expect(describe?.headers["Accept"] == "application/sdp")
        return machine.received(reply(describe, 200, ["Content-Base": "rtsp://127.0.0.1:8554/cam/"], body: sdp))
    }

    @Test func tcpSessionSetsUpVideoThenAudioThenPlays() throws {
        var machine = try Self.machine()
        let setupVideo = try #require(Self.request(Self.describe(&machine)))
        #expect(setupVideo.method == .setup)
        #expect(setupVideo.uri == "rtsp://127.0.0.1:8554/cam/trackID=0")
        #expect(setupVideo.headers["Transport"] == "RTP/AVP/TCP;unicast;interleaved=0-1")
        let setupAudio = try #require(Self.request(machine.received(Self.reply(
            setupVideo, 200, ["Session": "S1;timeout=20", "Transport": "RTP/AVP/TCP;unicast;interleaved=0-1"]))))
        #expect(setupAudio.uri == "rtsp://127.0.0.1:8554/cam/trackID=1")
        #expect(setupAudio.headers["Session"] == "S1")
        #expect(setupAudio.headers["Transport"] == "RTP/AVP/TCP;unicast;interleaved=2-3")
        let play = try #require(Self.request(machine.received(Self.reply(
            setupAudio, 200, ["Session": "S1", "Transport": "RTP/AVP/TCP;unicast;interleaved=2-3"]))))
        #expect(play.method == .play)
        #expect(play.uri == "rtsp://127.0.0.1:8554/cam/")
        let started = machine.received(Self.reply(play))
        guard case .deliver(.sessionStarted(_, let tracks)) = started.first else {
            Issue.record("expected sessionStarted, got \(started)")
            return
        }
        #expect(tracks.map(\.media.type) == ["video", "audio"])
        #expect(started.contains(.scheduleKeepAlive(after: .seconds(10))))
        let arrival = Date()
        let frame = RTSPInterleavedFrame(channel: 3, payload: ByteBuffer(bytes: [1]))
        #expect(machine.receivedInterleaved(frame, arrival: arrival) == .deliver(.rtcp(track: 1, bytes: ByteBuffer(bytes: [1]), arrival: arrival)))
        #expect(machine.receivedInterleaved(RTSPInterleavedFrame(channel: 9, payload: ByteBuffer()), arrival: arrival) == nil)
    }

    @Test func describeChallengeIsAnsweredOnceWithDigest() throws {
        var machine = try Self.machine(url: "rtsp://user:secret@127.0.0.1/cam")
        let options = Self.request(machine.start())
        let describe = try #require(Self.request(machine.received(Self.reply(options))))
        let challenge: RTSPHeaders = ["WWW-Authenticate": #"Digest realm="r", nonce="n1", qop="auth""#]
        let retry = try #require(Self.request(machine.received(Self.reply(describe, 401, challenge))))
        #expect(retry.method == .describe)
        #expect(retry.cseq == (describe.cseq ?? 0) + 1)
        #expect(retry.headers["Authorization"]?.hasPrefix("Digest username=\"user\"") == true)
        #expect(retry.uri == "rtsp://127.0.0.1:554/cam")
        #expect(machine.received(Self.reply(retry, 401, challenge)) == [.fail(.authenticationFailed)])
    }

    @Test func challengeWithoutCredentialsFails() throws {
        var machine = try Self.machine()
        let options = Self.request(machine.start())
        #expect(machine.received(Self.reply(options, 401, ["WWW-Authenticate": "Basic realm=\"x\""])) == [.fail(.authenticationRequired)])
    }

    @Test func keepAliveUsesGetParameterWhenAdvertised() throws {
        for (publicMethods, expected) in [("OPTIONS, GET_PARAMETER", RTSPMethod.getParameter), ("OPTIONS, DESCRIBE", .options)] {
            var machine = try Self.machine(.tcp, url: "rtsp://h/cam")
            let setup = Self.request(Self.describe(&machine, publicMethods: publicMethods))
            let play = Self.request(machine.received(Self.reply(setup, 200, ["Session": "S", "Transport": "RTP/AVP/TCP;interleaved=0-1"])))
            let second = Self.request(machine.received(Self.reply(play, 200, ["Session": "S", "Transport": "RTP/AVP/TCP;interleaved=2-3"])))
            _ = machine.received(Self.reply(second))
            let keepAlive = machine.keepAliveTimerFired()
            #expect(Self.request(keepAlive)?.method == expected)
            #expect(Self.request(keepAlive)?.headers["Session"] == "S")
            #expect(keepAlive.last == .scheduleKeepAlive(after: .seconds(30)))
        }
    }

    /// A busy recorder reads a camera late, and the keep-alive's answer waits behind the media before it: that ends
    /// nothing. A camera that sends nothing is still ended, by the media check.
    @Test func aLateKeepAliveAnswerWhilePlayingIsNotAFailureButSilenceIs() throws {
        var machine = try Self.machine(.tcp, url: "rtsp://h/cam")
        let setup = Self.request(Self.describe(&machine, publicMethods: "OPTIONS, GET_PARAMETER"))
        let play = Self.request(machine.received(Self.reply(setup, 200, ["Session": "S", "Transport": "RTP/AVP/TCP;interleaved=0-1"])))
        let second = Self.request(machine.received(Self.reply(play, 200, ["Session": "S", "Transport": "RTP/AVP/TCP;interleaved=2-3"])))
        _ = machine.received(Self.reply(second))
        let keepAlive = try #require(Self.request(machine.keepAliveTimerFired()))
        #expect(machine.responseTimeoutFired(cseq: keepAlive.cseq ?? 0).isEmpty, "a late keep-alive answer ends nothing")
        #expect(machine.received(Self.reply(keepAlive)).isEmpty, "and is ignored when it comes")
        machine.mediaArrived()
        #expect(machine.mediaCheckTimerFired() == [.scheduleMediaCheck(after: .seconds(10))], "media arrived: the session goes on")
        #expect(machine.mediaCheckTimerFired() == [.fail(.mediaTimeout)], "nothing since the last check: it ends")
    }

    @Test func udpSetupOpensPortsAndFallsBackWhenSilent() throws {
        var machine = try Self.machine(.udpWithTCPFallback)
        #expect(Self.describe(&machine) == [.openUDPPorts(track: 0)])
        let setup = try #require(Self.request(machine.udpPortsOpened(track: 0, rtpPort: 5000, rtcpPort: 5001)))
        #expect(setup.headers["Transport"] == "RTP/AVP;unicast;client_port=5000-5001")
        #expect(machine.received(Self.reply(setup, 200, ["Session": "S", "Transport": "RTP/AVP;unicast;client_port=5000-5001;server_port=7000-7001"]))
            == [.openUDPPorts(track: 1)])
        let setupAudio = Self.request(machine.udpPortsOpened(track: 1, rtpPort: 5002, rtcpPort: 5003))
        let play = Self.request(machine.received(Self.reply(setupAudio, 200, ["Session": "S", "Transport": "RTP/AVP;client_port=5002-5003"])))
        let started = machine.received(Self.reply(play))
        #expect(started.contains(.scheduleUDPCheck(after: .seconds(2))))
        let actions = machine.udpCheckTimerFired()
        #expect(Self.request(actions)?.method == .teardown)
        #expect(actions.last == .restartWithTCP)
    }

    @Test func udpPacketCancelsFallback() throws {
        var machine = try Self.machine(.udpWithTCPFallback)
        _ = Self.describe(&machine)
        let setup = Self.request(machine.udpPortsOpened(track: 0, rtpPort: 5000, rtcpPort: 5001))
        _ = machine.received(Self.reply(setup, 200, ["Session": "S", "Transport": "RTP/AVP;client_port=5000-5001"]))
        let setupAudio = Self.request(machine.udpPortsOpened(track: 1, rtpPort: 5002, rtcpPort: 5003))
        let play = Self.request(machine.received(Self.reply(setupAudio, 200, ["Session": "S", "Transport": "RTP/AVP;client_port=5002-5003"])))
        _ = machine.received(Self.reply(play))
        #expect(machine.receivedUDP(track: 0, isRTCP: false, payload: ByteBuffer(bytes: [0x80]), arrival: Date()) != nil)
        #expect(machine.udpCheckTimerFired().isEmpty)
        #expect(machine.mediaCheckTimerFired() == [.scheduleMediaCheck(after: .seconds(10))])
        #expect(machine.mediaCheckTimerFired() == [.fail(.mediaTimeout)])
    }

    @Test func unsupportedTransportOnFirstSetupSwitchesToTCP() throws {
        var machine = try Self.machine(.udpWithTCPFallback)
        _ = Self.describe(&machine)
        let setup = Self.request(machine.udpPortsOpened(track: 0, rtpPort: 5000, rtcpPort: 5001))
        let actions = machine.received(Self.reply(setup, 461))
        #expect(actions.first == .deliver(.fellBackToTCP))
        #expect(Self.request(actions)?.headers["Transport"] == "RTP/AVP/TCP;unicast;interleaved=0-1")
    }

    @Test func unsupportedTransportWithoutFallbackFails() throws {
        var machine = try Self.machine(.tcp)
        let setup = Self.request(Self.describe(&machine))
        #expect(machine.received(Self.reply(setup, 461)) == [.fail(.transportRejected)])
    }

    @Test func errorsEndTheSessionWithReasons() throws {
        var machine = try Self.machine()
        let options = Self.request(machine.start())
        let describe = Self.request(machine.received(Self.reply(options, 501)))
        #expect(describe?.method == .describe)
        #expect(machine.received(Self.reply(describe, 404)) == [.fail(.unexpectedStatus(method: .describe, statusCode: 404))])

        var bad = try Self.machine()
        let badDescribe = Self.request(bad.received(Self.reply(Self.request(bad.start()))))
        #expect(bad.received(Self.reply(badDescribe, 200, body: "garbage")) == [.fail(.invalidDescription(.missingVersion))])

        var empty = try Self.machine()
        let emptyDescribe = Self.request(empty.received(Self.reply(Self.request(empty.start()))))
        #expect(empty.received(Self.reply(emptyDescribe, 200, body: "v=0\r\ns=-\r\nm=application 0 RTP/AVP 107\r\n")) == [.fail(.noPlayableTracks)])

        var missing = try Self.machine()
        let setup = Self.request(Self.describe(&missing))
        #expect(missing.received(Self.reply(setup, 200, ["Transport": "RTP/AVP/TCP;interleaved=0-1"])) == [.fail(.missingSession)])
    }

    @Test func timeoutsAndClosesAreReported() throws {
        var machine = try Self.machine()
        let options = try #require(Self.request(machine.start()))
        #expect(machine.responseTimeoutFired(cseq: 99).isEmpty)
        #expect(machine.responseTimeoutFired(cseq: options.cseq ?? 0) == [.fail(.responseTimeout(.options))])
        var other = try Self.machine()
        _ = other.start()
        #expect(other.connectionClosed(error: .invalidStartLine) == [.fail(.decodingFailed(.invalidStartLine))])
    }

    @Test func stopTearsDownOnlyAnEstablishedSession() throws {
        var fresh = try Self.machine()
        _ = fresh.start()
        #expect(fresh.stop() == [.close])

        var machine = try Self.machine()
        let setup = Self.request(Self.describe(&machine))
        _ = machine.received(Self.reply(setup, 200, ["Session": "S", "Transport": "RTP/AVP/TCP;interleaved=0-1"]))
        let teardown = try #require(Self.request(machine.stop()))
        #expect(teardown.method == .teardown)
        #expect(teardown.headers["Session"] == "S")
        #expect(machine.received(Self.reply(teardown)) == [.close])
    }

    @Test func unsupportedTransportOnLaterSetupRestartsOverTCP() throws {
        var machine = try Self.machine(.udpWithTCPFallback)
        _ = Self.describe(&machine)
        let setup = Self.request(machine.udpPortsOpened(track: 0, rtpPort: 5000, rtcpPort: 5001))
        _ = machine.received(Self.reply(setup, 200, ["Session": "S", "Transport": "RTP/AVP;client_port=5000-5001"]))
        let setupAudio = Self.request(machine.udpPortsOpened(track: 1, rtpPort: 5002, rtcpPort: 5003))
        #expect(machine.received(Self.reply(setupAudio, 461)) == [.restartWithTCP])
    }

    @Test func forcedTCPIgnoresConfiguredUDP() throws {
        var machine = RTSPClientStateMachine(
            configuration: .init(url: try RTSPURL(parsing: "rtsp://h/cam"), transport: .udpWithTCPFallback), forcedTransport: .tcp)
        #expect(Self.request(Self.describe(&machine))?.headers["Transport"] == "RTP/AVP/TCP;unicast;interleaved=0-1")
    }

    @Test func serverRequestsAreAnswered() throws {
        let machine = try Self.machine()
        let options = machine.receivedRequest(RTSPRequest(method: .options, uri: "*", headers: ["CSeq": "9"]))
        #expect(options.statusCode == 200)
        #expect(options.headers["CSeq"] == "9")
        #expect(machine.receivedRequest(RTSPRequest(method: .announce, uri: "*", headers: ["CSeq": "10"])).statusCode == 501)
    }
}
