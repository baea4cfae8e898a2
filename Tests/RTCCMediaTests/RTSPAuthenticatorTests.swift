import Foundation
import NIOCore
import Testing

@testable import RTCCMedia

@Suite struct RTSPAuthenticatorTests {
    static let mufasa = RTSPCredentials(username: "Mufasa", password: "Circle Of Life")

    @Test func digestWithQopMatchesRFC2617Example() throws {
        let challenge = #"Digest realm="testrealm@host.com", qop="auth,auth-int", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", opaque="5ccc069c403ebaf9f0171e9517f40e41""#
        var authenticator = try RTSPAuthenticator(challenges: [challenge], credentials: Self.mufasa, makeClientNonce: { "0a4f113b" })
        let header = authenticator.authorization(method: RTSPMethod(rawValue: "GET"), uri: "/dir/index.html")
        #expect(header.hasPrefix("Digest "))
        #expect(header.contains(#"response="6629fae49393a05397450978507c4ef1""#))
        #expect(header.contains("nc=00000001"))
        #expect(header.contains(#"opaque="5ccc069c403ebaf9f0171e9517f40e41""#))
        let second = authenticator.authorization(method: RTSPMethod(rawValue: "GET"), uri: "/dir/index.html")
        #expect(second.contains("nc=00000002"))
    }

    @Test func digestWithoutQopUsesNonceOnly() throws {
        var authenticator = try RTSPAuthenticator(
            challenges: [#"Digest realm="testrealm@host.com", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093""#], credentials: Self.mufasa)
        let header = authenticator.authorization(method: RTSPMethod(rawValue: "GET"), uri: "/dir/index.html")
        // MD5(HA1:nonce:HA2) with HA1 = 939e7578ed9e3c518a452acee763bce9, HA2 = 39aff3a2bab6126f332b942af96d3366
        #expect(header.contains(#"response="670fd8c2df070c60b045671b8b24ff02""#))
        #expect(!header.contains("qop"))
    }

    @Test func basicIsUsedWhenOnlyBasicIsOffered() throws {
        var authenticator = try RTSPAuthenticator(
            challenges: [#"Basic realm="cam""#], credentials: RTSPCredentials(username: "Aladdin", password: "open sesame"))
        #expect(authenticator.authorization(method: .describe, uri: "rtsp://x/") == "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==")
    }

    @Test func digestIsPreferredOverBasic() throws {
        let authenticator = try RTSPAuthenticator(
            challenges: [#"Basic realm="cam""#, #"Digest realm="cam", nonce="n""#], credentials: Self.mufasa)
        #expect(authenticator.challenge.scheme == .digest)
    }

    @Test func unsupportedChallengesAreTypedErrors() {
        #expect(throws: RTSPAuthenticationError.noSupportedChallenge) {
            try RTSPAuthenticator(challenges: ["Negotiate abc"], credentials: Self.mufasa)
        }
        #expect(throws: RTSPAuthenticationError.unsupportedAlgorithm("SHA-256")) {
            try RTSPAuthenticator(challenges: [#"Digest realm="r", nonce="n", algorithm=SHA-256"#], credentials: Self.mufasa)
        }
        #expect(throws: RTSPAuthenticationError.unsupportedQualityOfProtection) {
            try RTSPAuthenticator(challenges: [#"Digest realm="r", nonce="n", qop="auth-int""#], credentials: Self.mufasa)
        }
    }

    @Test(arguments: [
        RTSPServerAuthentication.Scheme.basic, .digest(qop: true), .digest(qop: false),
    ])
    func serverAcceptsWhatClientProduces(scheme: RTSPServerAuthentication.Scheme) throws {
        let server = RTSPServerAuthentication(credentials: Self.mufasa, scheme: scheme, realm: "cams")
        var client = try RTSPAuthenticator(challenges: [server.challenge(nonce: "n0nce")], credentials: Self.mufasa)
        let header = client.authorization(method: .play, uri: "rtsp://h/cam1/")
        #expect(server.verify(authorization: header, method: .play, nonce: "n0nce"))
        if scheme != .basic { #expect(!server.verify(authorization: header, method: .play, nonce: "other")) }
        var wrong = try RTSPAuthenticator(
            challenges: [server.challenge(nonce: "n0nce")], credentials: RTSPCredentials(username: "Mufasa", password: "x"))
        #expect(!server.verify(authorization: wrong.authorization(method: .play, uri: "rtsp://h/cam1/"), method: .play, nonce: "n0nce"))
        #expect(!server.verify(authorization: nil, method: .play, nonce: "n0nce"))
    }

    @Test func basicIsRefusedOnAPlainConnectionUnlessAllowed() throws {
        #expect(throws: RTSPAuthenticationError.basicOverPlainRTSP) {
            try RTSPAuthenticator(challenges: [#"Basic realm="cam""#], credentials: Self.mufasa, allowsBasic: false)
        }
        #expect(RTSPAuthenticationError.basicOverPlainRTSP.description.contains("Basic auth over plain RTSP"))
    }

    @Test func digestIsStillAnsweredWhenBasicIsNotAllowed() throws {
        var authenticator = try RTSPAuthenticator(
            challenges: [#"Basic realm="cam""#, #"Digest realm="cam", nonce="n""#], credentials: Self.mufasa, allowsBasic: false)
        #expect(authenticator.authorization(method: .describe, uri: "rtsp://h/").hasPrefix("Digest "))
    }

    /// The state machine on a plain connection: a Basic-only challenge ends the session without sending the password.
    @Test func stateMachineSendsNoBasicCredentialsOverPlainRTSPByDefault() throws {
        var machine = RTSPClientStateMachine(configuration: .init(url: try RTSPURL(parsing: "rtsp://user:secret@127.0.0.1/cam")))
        let options = try #require(Self.sent(machine.start()))
        let actions = machine.received(Self.reply(options, 401, ["WWW-Authenticate": #"Basic realm="x""#]))
        #expect(actions == [.fail(.unsupportedAuthentication(.basicOverPlainRTSP))])
        #expect(Self.sent(actions) == nil)
    }

    @Test func stateMachineSendsBasicWhenTheCameraIsTrustedPlain() throws {
        var machine = RTSPClientStateMachine(
            configuration: .init(url: try RTSPURL(parsing: "rtsp://user:secret@127.0.0.1/cam"), allowsPlainBasicAuth: true))
        let options = try #require(Self.sent(machine.start()))
        let retry = try #require(Self.sent(machine.received(Self.reply(options, 401, ["WWW-Authenticate": #"Basic realm="x""#]))))
        #expect(retry.headers["Authorization"] == "Basic " + Data("user:secret".utf8).base64EncodedString())
    }

    /// End to end against the RTSP server asking for Basic: the client stops with the clear reason.
    @Test func clientStopsWhenACameraAsksForBasicOverPlainRTSP() async throws {
        let auth = RTSPServerAuthentication(credentials: RTSPCredentials(username: "u", password: "pw"), scheme: .basic)
        let collected = try await withRTSPServer(sources: ["/cam1": RTSPTestMedia.source()], authentication: auth) { server in
            try await rtspCollect(url: "rtsp://u:pw@127.0.0.1:\(server.port)/cam1", count: 5)
        }
        #expect(collected.ended == .failed(.unsupportedAuthentication(.basicOverPlainRTSP)))
    }

    @Test func credentialQueryValuesAreMaskedInTheURLDescription() throws {
        let url = try RTSPURL(parsing: "rtsp://10.0.0.5/cam/realmonitor?channel=1&user=admin&PassWord=hunter2&subtype=0")
        #expect(url.description == "rtsp://10.0.0.5:554/cam/realmonitor?channel=1&user=***&PassWord=***&subtype=0")
        #expect(url.requestURI.contains("PassWord=hunter2"))
    }

    static func sent(_ actions: [RTSPClientStateMachine.Action]) -> RTSPRequest? {
        for case .send(let request) in actions { return request }
        return nil
    }

    static func reply(_ request: RTSPRequest, _ status: Int, _ headers: RTSPHeaders) -> RTSPResponse {
        var all: RTSPHeaders = ["CSeq": request.headers["CSeq"] ?? "0"]
        for field in headers { all.add(name: field.name, value: field.value) }
        return RTSPResponse(statusCode: status, headers: all, body: ByteBuffer())
    }
}
