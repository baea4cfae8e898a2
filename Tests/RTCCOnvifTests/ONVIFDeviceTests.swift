import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import Testing

@testable import RTCCOnvif

/// A device that answers from a script: each request is kept, and `answer` decides the reply.
final class ScriptedTransport: SOAPTransport, Sendable {
    struct Sent: Sendable {
        var url: String
        var body: String
        var contentType: String
        var authorization: String?
    }

    let sent = NIOLockedValueBox<[Sent]>([])
    let answer: @Sendable (Sent, Int) throws(ONVIFError) -> SOAPExchange

    init(answer: @escaping @Sendable (Sent, Int) throws(ONVIFError) -> SOAPExchange) { self.answer = answer }

    func post(url: String, body: Data, contentType: String, authorization: String?, timeout: Duration) async throws(ONVIFError) -> SOAPExchange {
        let request = Sent(url: url, body: String(decoding: body, as: UTF8.self), contentType: contentType, authorization: authorization)
        let index = sent.withLockedValue { list in
            list.append(request)
            return list.count - 1
        }
        return try answer(request, index)
    }

    /// The operation (first element of the body) of a request.
    static func operation(_ body: String) -> String? {
        XMLTree.parse(Data(body.utf8))?.first("Body")?.children.first?.name
    }
}

/// The ONVIF client against scripted devices: clock offset, both kinds of authentication, faults, broken answers,
/// PTZ and events, and WS-Discovery over real UDP.
@Suite struct ONVIFDeviceTests {
    static func clockAnswer(_ date: Date) -> SOAPExchange {
        let c = Calendar(identifier: .gregorian).dateComponents(in: TimeZone(identifier: "UTC")!, from: date)
        return SOAPExchange(status: 200, body: SOAPTests.envelope("""
            <tds:GetSystemDateAndTimeResponse xmlns:tds="http://www.onvif.org/ver10/device/wsdl"><tds:SystemDateAndTime><tt:UTCDateTime>
            <tt:Time><tt:Hour>\(c.hour!)</tt:Hour><tt:Minute>\(c.minute!)</tt:Minute><tt:Second>\(c.second!)</tt:Second></tt:Time>
            <tt:Date><tt:Year>\(c.year!)</tt:Year><tt:Month>\(c.month!)</tt:Month><tt:Day>\(c.day!)</tt:Day></tt:Date>
            </tt:UTCDateTime></tds:SystemDateAndTime></tds:GetSystemDateAndTimeResponse>
            """))
    }

    static let information = SOAPExchange(status: 200, body: SOAPTests.envelope("""
        <tds:GetDeviceInformationResponse xmlns:tds="http://www.onvif.org/ver10/device/wsdl"><tds:Manufacturer>Acme</tds:Manufacturer>
        <tds:Model>X1</tds:Model><tds:FirmwareVersion>1.0</tds:FirmwareVersion><tds:SerialNumber>S</tds:SerialNumber><tds:HardwareId>H</tds:HardwareId>
        </tds:GetDeviceInformationResponse>
        """))

    @Test func aCameraThreeHoursAheadGetsTokensInItsOwnTime() async throws {
        let ahead: TimeInterval = 3 * 3600
        let transport = ScriptedTransport { request, _ throws(ONVIFError) in
            ScriptedTransport.operation(request.body) == "GetSystemDateAndTime" ? Self.clockAnswer(Date().addingTimeInterval(ahead)) : Self.information
        }
        let device = ONVIFDevice(address: "http://192.0.2.1/onvif/device_service", credentials: .init(username: "op", password: "pw"), transport: transport)
        let info = try await device.information()
        #expect(info.model == "X1")
        let offset = await device.clockOffset
        #expect(abs(offset - ahead) <= 2)
        let sent = transport.sent.withLockedValue { $0 }
        #expect(sent.map { ScriptedTransport.operation($0.body) } == ["GetSystemDateAndTime", "GetDeviceInformation"])
        #expect(!sent[0].body.contains("UsernameToken"), "the clock is asked without credentials")
        let created = try #require(XMLTree.parse(Data(sent[1].body.utf8))?.at("Header", "Security", "UsernameToken", "Created")?.trimmed)
        let stamp = try #require(ONVIFTime.parse(created))
        #expect(abs(stamp.timeIntervalSinceNow - ahead) < 5, "Created is the camera's time, not ours")
        #expect(sent[1].contentType.contains("action=\"http://www.onvif.org/ver10/device/wsdl/GetDeviceInformation\""))
    }

    @Test func theDigestResponseMatchesTheRFCExample() throws {
        // RFC 2617, section 3.5 (MD5, qop=auth): the response the RFC prints for this challenge and these inputs.
        let challenge = try #require(HTTPDigestChallenge(header: #"Digest realm="testrealm@host.com", qop="auth,auth-int", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", opaque="5ccc069c403ebaf9f0171e9517f40e41""#))
        let header = challenge.authorization(username: "Mufasa", password: "Circle Of Life", method: "GET", uri: "/dir/index.html", count: 1, clientNonce: "0a4f113b")
        #expect(header.contains(#"response="6629fae49393a05397450978507c4ef1""#))
        #expect(header.contains(#"opaque="5ccc069c403ebaf9f0171e9517f40e41""#) && header.contains("nc=00000001"))
        #expect(HTTPDigestChallenge(header: "Basic realm=\"x\"") == nil)
        #expect(HTTPDigestChallenge(header: "Digest realm=\"x\", nonce=\"n\", algorithm=SHA-512-256") == nil, "an algorithm it cannot answer")
    }

    @Test func aDeviceAskingForHTTPDigestGetsItAndKeepsGettingIt() async throws {
        let transport = ScriptedTransport { request, _ throws(ONVIFError) in
            if ScriptedTransport.operation(request.body) == "GetSystemDateAndTime" { return Self.clockAnswer(Date()) }
            guard let authorization = request.authorization, authorization.hasPrefix("Digest "), authorization.contains("username=\"op\"") else {
                return SOAPExchange(status: 401, challenges: [#"Basic realm="cam""#, #"Digest realm="cam", qop="auth", nonce="abc""#], body: Data())
            }
            return Self.information
        }
        let device = ONVIFDevice(address: "http://192.0.2.1/onvif/device_service", credentials: .init(username: "op", password: "pw"), transport: transport)
        _ = try await device.information()
        _ = try await device.information()
        let statuses = transport.sent.withLockedValue { $0.map { $0.authorization?.prefix(6) ?? "none" } }
        // The clock is asked before the device has asked for a digest, so without any.
        #expect(statuses == ["none", "none", "Digest", "Digest"], "one 401, then every request carries the digest")
    }

    @Test func refusedCredentialsFaultsBrokenAndForeignAnswersAreClearErrors() async throws {
        func device(_ reply: @escaping @Sendable (String?) throws(ONVIFError) -> SOAPExchange) -> ONVIFDevice {
            ONVIFDevice(
                address: "http://192.0.2.1/onvif/device_service", credentials: .init(username: "op", password: "wrong"),
                transport: ScriptedTransport { request, _ throws(ONVIFError) in
                    let operation = ScriptedTransport.operation(request.body)
                    return operation == "GetSystemDateAndTime" ? Self.clockAnswer(Date()) : try reply(operation)
                })
        }
        let refused = device { _ throws(ONVIFError) in
            SOAPExchange(status: 400, body: SOAPTests.envelope("""
                <s:Fault><s:Code><s:Value>s:Sender</s:Value><s:Subcode><s:Value>ter:NotAuthorized</s:Value></s:Subcode></s:Code>
                <s:Reason><s:Text xml:lang="en">Sender not authorized</s:Text></s:Reason></s:Fault>
                """))
        }
        await #expect(throws: ONVIFError.notAuthorized("Sender not authorized")) { try await refused.information() }
        let plain401 = device { _ throws(ONVIFError) in SOAPExchange(status: 401, challenges: [#"Basic realm="x""#], body: Data()) }
        await #expect(throws: ONVIFError.notAuthorized("HTTP 401")) { try await plain401.information() }
        let broken = device { _ throws(ONVIFError) in SOAPExchange(status: 200, body: Data("<s:Envelope xmlns:s=\"http://www.w3.org/2003/05/soap-envelope\"><s:Bo".utf8)) }
        await #expect(throws: ONVIFError.malformed("not well-formed XML")) { try await broken.information() }
        let html = device { _ throws(ONVIFError) in SOAPExchange(status: 200, body: Data("<html><body>login</body></html>".utf8)) }
        await #expect(throws: ONVIFError.malformed("no SOAP 1.2 Envelope")) { try await html.information() }
        let missing = device { _ throws(ONVIFError) in SOAPExchange(status: 404, body: Data("not found".utf8)) }
        await #expect(throws: ONVIFError.httpStatus(404)) { try await missing.information() }
        let slow = device { _ throws(ONVIFError) in throw .timedOut(seconds: 8) }
        await #expect(throws: ONVIFError.timedOut(seconds: 8)) { try await slow.information() }
    }

    @Test func addressesTheDeviceNamesPassThePolicyBeforeTheyAreContacted() async throws {
        let transport = ScriptedTransport { request, _ throws(ONVIFError) in
            switch ScriptedTransport.operation(request.body) {
            case "GetSystemDateAndTime": return Self.clockAnswer(Date())
            default:
                return SOAPExchange(status: 200, body: SOAPTests.envelope("""
                    <tds:GetServicesResponse xmlns:tds="http://www.onvif.org/ver10/device/wsdl">
                    <tds:Service><tds:Namespace>http://www.onvif.org/ver10/media/wsdl</tds:Namespace><tds:XAddr>http://169.254.169.254/latest</tds:XAddr></tds:Service>
                    </tds:GetServicesResponse>
                    """))
            }
        }
        let device = ONVIFDevice(
            address: "http://192.0.2.1/onvif/device_service", credentials: .init(username: "op", password: "pw"), transport: transport,
            permits: { url throws(ONVIFError) in if url.contains("169.254.") { throw .badAddress("\(url) is outside the camera networks") } })
        await #expect(throws: ONVIFError.badAddress("http://169.254.169.254/latest is outside the camera networks")) { try await device.profiles() }
        #expect(transport.sent.withLockedValue { $0.allSatisfy { !$0.url.contains("169.254.") } }, "nothing was sent there")
    }

    @Test func ptzRequestsCarryTheProfileAndVectorsAndStatusAndPresetsAreRead() async throws {
        let transport = ScriptedTransport { request, _ throws(ONVIFError) in
            switch ScriptedTransport.operation(request.body) {
            case "GetSystemDateAndTime": return Self.clockAnswer(Date())
            case "GetServices":
                return SOAPExchange(status: 200, body: SOAPTests.envelope("""
                    <tds:GetServicesResponse xmlns:tds="http://www.onvif.org/ver10/device/wsdl">
                    <tds:Service><tds:Namespace>http://www.onvif.org/ver20/ptz/wsdl</tds:Namespace><tds:XAddr>http://192.0.2.1/onvif/ptz</tds:XAddr></tds:Service>
                    </tds:GetServicesResponse>
                    """))
            case "GetStatus":
                return SOAPExchange(status: 200, body: SOAPTests.envelope("""
                    <tptz:GetStatusResponse xmlns:tptz="http://www.onvif.org/ver20/ptz/wsdl"><tptz:PTZStatus>
                    <tt:Position><tt:PanTilt x="0.25" y="-0.5"/><tt:Zoom x="0.1"/></tt:Position>
                    <tt:MoveStatus><tt:PanTilt>MOVING</tt:PanTilt><tt:Zoom>IDLE</tt:Zoom></tt:MoveStatus><tt:UtcTime>2026-12-06T10:00:00Z</tt:UtcTime>
                    </tptz:PTZStatus></tptz:GetStatusResponse>
                    """))
            case "GetPresets":
                return SOAPExchange(status: 200, body: SOAPTests.envelope("""
                    <tptz:GetPresetsResponse xmlns:tptz="http://www.onvif.org/ver20/ptz/wsdl">
                    <tptz:Preset token="1"><tt:Name>Gate</tt:Name><tt:PTZPosition><tt:PanTilt x="0.5" y="0"/><tt:Zoom x="0"/></tt:PTZPosition></tptz:Preset>
                    <tptz:Preset token="2"><tt:Name>Stage</tt:Name></tptz:Preset></tptz:GetPresetsResponse>
                    """))
            default:
                return SOAPExchange(status: 200, body: SOAPTests.envelope("<tptz:\(ScriptedTransport.operation(request.body)!)Response xmlns:tptz=\"http://www.onvif.org/ver20/ptz/wsdl\"/>"))
            }
        }
        let device = ONVIFDevice(address: "http://192.0.2.1/onvif/device_service", credentials: .init(username: "op", password: "pw"), transport: transport)
        let status = try await device.ptzStatus(profile: "main")
        #expect(status.position == PTZVector(pan: 0.25, tilt: -0.5, zoom: 0.1) && status.moving == "MOVING")
        let presets = try await device.presets(profile: "main")
        #expect(presets.map(\.name) == ["Gate", "Stage"] && presets[0].position?.pan == 0.5 && presets[1].position == nil)
        try await device.continuousMove(profile: "main", velocity: PTZVector(pan: -0.5, tilt: 0.25), timeoutSeconds: 3)
        let move = try #require(transport.sent.withLockedValue { $0.last })
        #expect(move.url == "http://192.0.2.1/onvif/ptz", "PTZ goes to the PTZ service")
        let tree = try #require(XMLTree.parse(Data(move.body.utf8))?.at("Body", "ContinuousMove"))
        #expect(tree.first("ProfileToken")?.trimmed == "main" && tree.first("Timeout")?.trimmed == "PT3S")
        #expect(tree.at("Velocity", "PanTilt")?.attributes == ["x": "-0.5000", "y": "0.2500"] && tree.at("Velocity", "Zoom") == nil)
    }

    @Test func pulledMotionAndTamperingMessagesAreRead() throws {
        let response = try SOAPResponse(data: SOAPTests.envelope("""
            <tev:PullMessagesResponse xmlns:tev="http://www.onvif.org/ver10/events/wsdl" xmlns:wsnt="http://docs.oasis-open.org/wsn/b-2"
              xmlns:tns1="http://www.onvif.org/ver10/topics">
            <tev:CurrentTime>2026-12-06T10:00:00Z</tev:CurrentTime><tev:TerminationTime>2026-12-06T10:01:00Z</tev:TerminationTime>
            <wsnt:NotificationMessage><wsnt:Topic Dialect="http://www.onvif.org/ver10/tev/topicExpression/ConcreteSet">tns1:VideoSource/MotionAlarm</wsnt:Topic>
              <wsnt:Message><tt:Message UtcTime="2026-12-06T09:59:58.250Z" PropertyOperation="Changed">
                <tt:Source><tt:SimpleItem Name="Source" Value="vsc0"/></tt:Source><tt:Data><tt:SimpleItem Name="State" Value="true"/></tt:Data>
              </tt:Message></wsnt:Message></wsnt:NotificationMessage>
            <wsnt:NotificationMessage><wsnt:Topic>tns1:RuleEngine/CellMotionDetector/Motion</wsnt:Topic>
              <wsnt:Message><tt:Message UtcTime="2026-12-06T09:59:59Z"><tt:Data><tt:SimpleItem Name="IsMotion" Value="false"/></tt:Data></tt:Message></wsnt:Message>
            </wsnt:NotificationMessage>
            <wsnt:NotificationMessage><wsnt:Topic>tns1:VideoSource/GlobalSceneChange/ImagingService</wsnt:Topic>
              <wsnt:Message><tt:Message UtcTime="2026-12-06T10:00:00Z"><tt:Data><tt:SimpleItem Name="State" Value="true"/></tt:Data></tt:Message></wsnt:Message>
            </wsnt:NotificationMessage>
            <wsnt:NotificationMessage><wsnt:Topic>tns1:Device/Trigger/DigitalInput</wsnt:Topic></wsnt:NotificationMessage>
            </tev:PullMessagesResponse>
            """))
        let events = try PullPointSubscription.messages(response)
        #expect(events.map(\.kind) == [.motion, .motion, .tampering, nil])
        #expect(events.map(\.active) == [true, false, true, nil])
        #expect(events[0].source == ["Source": "vsc0"] && events[0].operation == "Changed")
        #expect(events[0].time == Date(timeIntervalSince1970: 1_796_551_198.25))
    }

    static func probeMatch(relatesTo: String, endpoint: String = "urn:uuid:5f5a69c2-e0ae-504f-829b-00d67a7d9f1e", wrapped: Bool = true) -> String {
        let match = """
            <d:ProbeMatch><a:EndpointReference><a:Address>\(endpoint)</a:Address></a:EndpointReference>
            <d:Types>dn:NetworkVideoTransmitter tds:Device</d:Types>
            <d:Scopes>onvif://www.onvif.org/type/video_encoder onvif://www.onvif.org/name/Gate%20Cam onvif://www.onvif.org/hardware/PTZ-9000 onvif://www.onvif.org/location/fairground</d:Scopes>
            <d:XAddrs>http://127.0.0.1:18080/onvif/device_service</d:XAddrs><d:MetadataVersion>1</d:MetadataVersion></d:ProbeMatch>
            """
        return """
            <?xml version="1.0" encoding="UTF-8"?><s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"
            xmlns:a="http://schemas.xmlsoap.org/ws/2004/08/addressing" xmlns:d="http://schemas.xmlsoap.org/ws/2005/04/discovery">
            <s:Header><a:RelatesTo>\(relatesTo)</a:RelatesTo></s:Header><s:Body>\(wrapped ? "<d:ProbeMatches>\(match)</d:ProbeMatches>" : match)</s:Body></s:Envelope>
            """
    }

    @Test func probeMatchesAreReadAndAnswersToOtherProbesIgnored() throws {
        let probe = WSDiscovery.probe(messageID: "urn:uuid:1")
        #expect(XMLTree.parse(Data(probe.utf8))?.at("Body", "Probe", "Types")?.trimmed == "dn:NetworkVideoTransmitter")
        let devices = WSDiscovery.matches(Data(Self.probeMatch(relatesTo: "urn:uuid:1").utf8), answering: "urn:uuid:1", from: "127.0.0.1:3702")
        #expect(devices.count == 1)
        #expect(devices.first?.name == "Gate Cam" && devices.first?.hardware == "PTZ-9000" && devices.first?.location == "fairground")
        #expect(devices.first?.addresses == ["http://127.0.0.1:18080/onvif/device_service"])
        #expect(WSDiscovery.matches(Data(Self.probeMatch(relatesTo: "urn:uuid:1", wrapped: false).utf8), answering: "urn:uuid:1", from: "x").count == 1)
        #expect(WSDiscovery.matches(Data(Self.probeMatch(relatesTo: "urn:uuid:2").utf8), answering: "urn:uuid:1", from: "x").isEmpty)
        #expect(WSDiscovery.target("10.0.0.5") ?? ("", 0) == ("10.0.0.5", 3702))
        #expect(WSDiscovery.target("10.0.0.5:4000") ?? ("", 0) == ("10.0.0.5", 4000))
        #expect(WSDiscovery.target("http://x/y") == nil && WSDiscovery.target("") == nil)
    }

    @Test func randomAndMutatedDiscoveryDatagramsNeverCrashTheReader() {
        var generator = SystemRandomNumberGenerator()
        let valid = Array(Self.probeMatch(relatesTo: "urn:uuid:1").utf8)
        for round in 0..<5000 {
            var bytes = valid
            if round % 3 == 0 {
                bytes = (0..<Int.random(in: 0...600, using: &generator)).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
            } else {
                for _ in 0..<Int.random(in: 1...10, using: &generator) where !bytes.isEmpty {
                    bytes[Int.random(in: 0..<bytes.count, using: &generator)] = UInt8.random(in: .min ... .max, using: &generator)
                }
            }
            for device in WSDiscovery.matches(Data(bytes), answering: "urn:uuid:1", from: "x") {
                #expect(!device.endpoint.isEmpty && !device.addresses.isEmpty, "a device is only listed with an endpoint and an address")
            }
        }
    }

    @Test func aUnicastProbeFindsADeviceAnsweringOnUDP() async throws {
        // A responder on a loopback UDP port that answers each probe with a match relating to the probe's MessageID.
        let responder = try await DatagramBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelInitializer { channel in channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(Responder()) } }
            .bind(host: "127.0.0.1", port: 0).get()
        defer { responder.close(promise: nil) }
        let port = try #require(responder.localAddress?.port)
        let (devices, problems) = try await WSDiscovery.probe(seconds: 0.5, unicastHosts: ["127.0.0.1:\(port)", "not a host"], multicast: false)
        #expect(devices.map(\.name) == ["Gate Cam"])
        #expect(devices.first?.answeredFrom == "127.0.0.1:\(port)")
        #expect(problems == ["not a host is not a host or host:port"])
    }

    final class Responder: ChannelInboundHandler, Sendable {
        typealias InboundIn = AddressedEnvelope<ByteBuffer>
        

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let probe = unwrapInboundIn(data)
            guard let id = XMLTree.parse(Data(probe.data.readableBytesView))?.at("Header", "MessageID")?.trimmed else { return }
            let answer = ByteBuffer(string: ONVIFDeviceTests.probeMatch(relatesTo: id))
            context.writeAndFlush(NIOAny(AddressedEnvelope(remoteAddress: probe.remoteAddress, data: answer)), promise: nil)
        }
    }
}
