import Testing

@testable import RTCCMedia

@Suite struct RTSPHeaderTests {
    @Test func headerNamesAreCaseInsensitive() {
        var headers: RTSPHeaders = ["Content-Type": "application/sdp"]
        headers.add(name: "cseq", value: "7")
        #expect(headers["content-type"] == "application/sdp")
        #expect(headers.cseq == 7)
        headers.replaceOrAdd(name: "CSEQ", value: "8")
        #expect(headers.values(name: "CSeq") == ["8"])
        headers.remove(name: "CONTENT-TYPE")
        #expect(!headers.contains(name: "Content-Type"))
    }

    @Test func tcpInterleavedTransportParsesAndFormats() throws {
        let transport = try RTSPTransport(parsing: "RTP/AVP/TCP;unicast;interleaved=2-3;ssrc=1A2B3C4D;mode=\"PLAY\"")
        #expect(transport.lowerTransport == .tcp)
        #expect(transport.interleaved == .init(rtp: 2, rtcp: 3))
        #expect(transport.ssrc == "1A2B3C4D")
        #expect(transport.mode == "PLAY")
        #expect(transport.headerValue == "RTP/AVP/TCP;unicast;interleaved=2-3;ssrc=1A2B3C4D;mode=PLAY")
    }

    @Test func udpTransportParsesClientAndServerPorts() throws {
        let transport = try RTSPTransport(parsing: "RTP/AVP;unicast;client_port=5000-5001;server_port=6970-6971;source=1.2.3.4")
        #expect(transport.lowerTransport == .udp)
        #expect(transport.clientPort == .init(rtp: 5000, rtcp: 5001))
        #expect(transport.serverPort == .init(rtp: 6970, rtcp: 6971))
        #expect(transport.otherParameters == ["source=1.2.3.4"])
        #expect(RTSPTransport.udp(clientPort: .init(rtp: 5000, rtcp: 5001)).headerValue == "RTP/AVP;unicast;client_port=5000-5001")
    }

    @Test func singlePortDefaultsRTCPToNext() throws {
        #expect(try RTSPTransport(parsing: "RTP/AVP/UDP;client_port=4000").clientPort == .init(rtp: 4000, rtcp: 4001))
    }

    @Test func transportListSkipsUnknownEntries() throws {
        let list = try RTSPTransport.parseList("RAW/RAW/UDP;unicast, RTP/AVP/TCP;interleaved=0-1")
        #expect(list.count == 1)
        #expect(list[0].lowerTransport == .tcp)
    }

    @Test(arguments: ["", "RTP/AVP/SCTP", "RTP/AVP/TCP;interleaved=300-301", "RTP/AVP;client_port=a-b", "RTP/AVP;client_port=70000"])
    func invalidTransportIsRejected(text: String) {
        #expect(throws: RTSPHeaderError.invalidTransport) { try RTSPTransport(parsing: text) }
    }

    @Test func sessionHeaderCarriesTimeout() throws {
        #expect(try RTSPSessionHeader(parsing: "ABCD1234;timeout=30") == RTSPSessionHeader(id: "ABCD1234", timeout: 30))
        #expect(try RTSPSessionHeader(parsing: " 42 ").timeout == 60)
        #expect(RTSPSessionHeader(id: "x", timeout: 5).headerValue == "x;timeout=5")
        #expect(throws: RTSPHeaderError.invalidSession) { try RTSPSessionHeader(parsing: "x;timeout=zero") }
        #expect(throws: RTSPHeaderError.invalidSession) { try RTSPSessionHeader(parsing: ";timeout=5") }
    }

    @Test func rtpInfoParsesEveryEntry() throws {
        let list = try RTSPRTPInfo.parseList("url=rtsp://h/s/trackID=0;seq=100;rtptime=123456, url=rtsp://h/s/trackID=1;seq=7")
        #expect(list == [
            RTSPRTPInfo(url: "rtsp://h/s/trackID=0", sequenceNumber: 100, rtpTime: 123_456),
            RTSPRTPInfo(url: "rtsp://h/s/trackID=1", sequenceNumber: 7),
        ])
        #expect(RTSPRTPInfo.headerValue(list) == "url=rtsp://h/s/trackID=0;seq=100;rtptime=123456,url=rtsp://h/s/trackID=1;seq=7")
        #expect(throws: RTSPHeaderError.invalidRTPInfo) { try RTSPRTPInfo.parseList("seq=1") }
        #expect(throws: RTSPHeaderError.invalidRTPInfo) { try RTSPRTPInfo.parseList("url=x;seq=70000") }
    }

    @Test func digestChallengeParsesQuotedParameters() throws {
        let challenge = try RTSPAuthenticationChallenge(
            parsing: #"Digest realm="cam, \"front\"", nonce="abc", qop="auth,auth-int", algorithm=MD5, opaque="o""#)
        #expect(challenge.scheme == .digest)
        #expect(challenge.realm == #"cam, "front""#)
        #expect(challenge.nonce == "abc")
        #expect(challenge.qopOptions == ["auth", "auth-int"])
        #expect(challenge.algorithm == "MD5")
        #expect(challenge.opaque == "o")
    }

    @Test func challengeWithoutNonceOrUnknownSchemeIsRejected() {
        #expect(throws: RTSPHeaderError.invalidChallenge) { try RTSPAuthenticationChallenge(parsing: "Digest realm=\"x\"") }
        #expect(throws: RTSPHeaderError.invalidChallenge) { try RTSPAuthenticationChallenge(parsing: "Bearer token") }
        #expect(throws: RTSPHeaderError.invalidChallenge) { try RTSPAuthenticationChallenge(parsing: "Basic realm=\"open") }
    }

    @Test func urlCredentialsArePercentDecodedAndKeptOutOfDescription() throws {
        let url = try RTSPURL(parsing: "rtsp://ad%40min:p%3Ass%20w@camera.local:8554/live/main?channel=1")
        #expect(url.credentials == RTSPCredentials(username: "ad@min", password: "p:ss w"))
        #expect(url.host == "camera.local")
        #expect(url.port == 8554)
        #expect(url.requestURI == "rtsp://camera.local:8554/live/main?channel=1")
        #expect(!"\(url)".contains("p:ss"))
        #expect(!"\(url.credentials!)".contains("ad@min"))
        #expect(try RTSPURL(parsing: "rtsp://10.0.0.1/x").port == 554)
    }

    @Test func nonRTSPURLIsRejected() {
        #expect(throws: RTSPURL.ParseError.unsupportedScheme) { try RTSPURL(parsing: "http://x/y") }
        #expect(throws: RTSPURL.ParseError.missingHost) { try RTSPURL(parsing: "rtsp:///y") }
    }
}
