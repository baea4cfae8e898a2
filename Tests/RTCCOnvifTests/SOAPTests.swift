import Foundation
import Testing

@testable import RTCCOnvif

/// SOAP requests and answers of the ONVIF client, checked against answers shaped as the ONVIF WSDLs define them.
@Suite struct SOAPTests {
    @Test func thePasswordDigestFollowsTheUsernameTokenProfile() throws {
        // Computed outside this project (Python's hashlib): Base64(SHA-1(bytes 0…15 + "2026-12-06T10:00:00.000Z" + "secret")).
        let expected = "mwT4m4Hm7vI3WfVDzboRC2UrWDc="
        let token = UsernameToken(
            username: "admin", password: "secret", cameraTime: Date(timeIntervalSince1970: 1_796_551_200), nonce: (0..<16).map { UInt8($0) })
        #expect(token.created == "2026-12-06T10:00:00.000Z", "the camera's time, UTC, milliseconds")
        #expect(token.digest == expected)
        #expect(token.header.contains("<wsse:Nonce EncodingType=") && token.header.contains(Data((0..<16).map { UInt8($0) }).base64EncodedString()))
    }

    @Test func requestsEscapeWhatTheyCarryAndParseAsXML() throws {
        let token = UsernameToken(username: "o'brien & <co>", password: "x", cameraTime: Date())
        let request = SOAPRequest(
            namespace: "http://www.onvif.org/ver10/media/wsdl", operation: "GetStreamUri",
            parameters: XMLText.element("o:ProfileToken", "main\"<1>"), token: token)
        #expect(request.action == "http://www.onvif.org/ver10/media/wsdl/GetStreamUri")
        let envelope = try #require(XMLTree.parse(Data(request.envelope.utf8)), "the request is well-formed XML")
        let body = try #require(envelope.first("Body"))
        #expect(body.first("GetStreamUri")?.first("ProfileToken")?.text == "main\"<1>")
        #expect(envelope.first("Header")?.first("Security")?.first("UsernameToken")?.first("Username")?.text == "o'brien & <co>")
        #expect(XMLText.escaped("a\u{1}b\tc") == "ab\tc", "control characters XML cannot hold are dropped")
    }

    @Test func deviceInformationClockProfilesAndStreamURIAreRead() throws {
        let info = try DeviceInformation(SOAPResponse(data: Self.envelope("""
            <tds:GetDeviceInformationResponse xmlns:tds="http://www.onvif.org/ver10/device/wsdl">
              <tds:Manufacturer>Acme</tds:Manufacturer><tds:Model>PTZ-9000</tds:Model><tds:FirmwareVersion>5.2.1</tds:FirmwareVersion>
              <tds:SerialNumber>SN123</tds:SerialNumber><tds:HardwareId>HW-7</tds:HardwareId>
            </tds:GetDeviceInformationResponse>
            """)))
        #expect([info.manufacturer, info.model, info.firmwareVersion, info.serialNumber, info.hardwareID] == ["Acme", "PTZ-9000", "5.2.1", "SN123", "HW-7"])

        let clock = try DeviceClock.utcTime(SOAPResponse(data: Self.envelope("""
            <tds:GetSystemDateAndTimeResponse xmlns:tds="http://www.onvif.org/ver10/device/wsdl"><tds:SystemDateAndTime>
              <tt:DateTimeType>NTP</tt:DateTimeType><tt:DaylightSavings>false</tt:DaylightSavings>
              <tt:UTCDateTime><tt:Time><tt:Hour>10</tt:Hour><tt:Minute>0</tt:Minute><tt:Second>5</tt:Second></tt:Time>
              <tt:Date><tt:Year>2026</tt:Year><tt:Month>12</tt:Month><tt:Day>6</tt:Day></tt:Date></tt:UTCDateTime>
            </tds:SystemDateAndTime></tds:GetSystemDateAndTimeResponse>
            """)))
        #expect(clock == Date(timeIntervalSince1970: 1_796_551_205))

        let profiles = try MediaProfile.all(SOAPResponse(data: Self.envelope("""
            <trt:GetProfilesResponse xmlns:trt="http://www.onvif.org/ver10/media/wsdl">
              <trt:Profiles token="main" fixed="true"><tt:Name>MainStream</tt:Name>
                <tt:VideoEncoderConfiguration token="enc0"><tt:Name>e</tt:Name><tt:Encoding>H264</tt:Encoding>
                  <tt:Resolution><tt:Width>1920</tt:Width><tt:Height>1080</tt:Height></tt:Resolution>
                  <tt:RateControl><tt:FrameRateLimit>25</tt:FrameRateLimit><tt:EncodingInterval>1</tt:EncodingInterval><tt:BitrateLimit>4096</tt:BitrateLimit></tt:RateControl>
                </tt:VideoEncoderConfiguration>
                <tt:PTZConfiguration token="ptz0"><tt:Name>p</tt:Name><tt:NodeToken>n</tt:NodeToken></tt:PTZConfiguration>
              </trt:Profiles>
              <trt:Profiles token="sub"><tt:Name>SubStream</tt:Name>
                <tt:VideoEncoderConfiguration token="enc1"><tt:Encoding>H265</tt:Encoding>
                  <tt:Resolution><tt:Width>640</tt:Width><tt:Height>360</tt:Height></tt:Resolution>
                  <tt:RateControl><tt:FrameRateLimit>15</tt:FrameRateLimit><tt:BitrateLimit>512</tt:BitrateLimit></tt:RateControl>
                </tt:VideoEncoderConfiguration>
              </trt:Profiles>
            </trt:GetProfilesResponse>
            """)))
        #expect(profiles == [
            MediaProfile(token: "main", name: "MainStream", encoding: "H264", width: 1920, height: 1080, framesPerSecond: 25, bitrateKbps: 4096, hasPTZ: true, encoderToken: "enc0"),
            MediaProfile(token: "sub", name: "SubStream", encoding: "H265", width: 640, height: 360, framesPerSecond: 15, bitrateKbps: 512, hasPTZ: false, encoderToken: "enc1"),
        ])

        let uri = try MediaURI.uri(SOAPResponse(data: Self.envelope("""
            <trt:GetStreamUriResponse xmlns:trt="http://www.onvif.org/ver10/media/wsdl"><trt:MediaUri>
              <tt:Uri>rtsp://192.0.2.10:554/Streaming/Channels/101</tt:Uri><tt:InvalidAfterConnect>false</tt:InvalidAfterConnect>
            </trt:MediaUri></trt:GetStreamUriResponse>
            """)))
        #expect(uri == "rtsp://192.0.2.10:554/Streaming/Channels/101")
    }

    @Test func faultsAndBrokenAnswersAreClearErrors() throws {
        let refused = Self.envelope("""
            <s:Fault><s:Code><s:Value>s:Sender</s:Value><s:Subcode><s:Value>ter:NotAuthorized</s:Value></s:Subcode></s:Code>
            <s:Reason><s:Text xml:lang="en">Sender not Authorized</s:Text></s:Reason></s:Fault>
            """)
        #expect(throws: ONVIFError.notAuthorized("Sender not Authorized")) { try SOAPResponse(data: refused) }
        #expect(ONVIFError.notAuthorized("x").description.contains("check the user name and password"))
        let failed = Self.envelope("""
            <s:Fault><s:Code><s:Value>s:Receiver</s:Value><s:Subcode><s:Value>ter:Action</s:Value></s:Subcode></s:Code>
            <s:Reason><s:Text xml:lang="en">simulated failure</s:Text></s:Reason></s:Fault>
            """)
        #expect(throws: ONVIFError.fault(code: "s:Receiver", subcode: "ter:Action", reason: "simulated failure")) { try SOAPResponse(data: failed) }
        for broken in ["<s:Envelope><oops", "not xml at all", "", "<s:Envelope xmlns:s=\"http://www.w3.org/2003/05/soap-envelope\"><s:Body>"] {
            #expect(throws: ONVIFError.self, "\(broken)") { try SOAPResponse(data: Data(broken.utf8)) }
            #expect((try? SOAPResponse(data: Data(broken.utf8))) == nil)
        }
        #expect(throws: ONVIFError.malformed("no SOAP 1.2 Envelope")) { try SOAPResponse(data: Data("<html><body>login</body></html>".utf8)) }
        let noURI = try SOAPResponse(data: Self.envelope("<trt:GetStreamUriResponse xmlns:trt=\"http://www.onvif.org/ver10/media/wsdl\"/>"))
        #expect(throws: ONVIFError.missing("MediaUri/Uri")) { try MediaURI.uri(noURI) }
        let badDate = try SOAPResponse(data: Self.envelope("""
            <tds:GetSystemDateAndTimeResponse xmlns:tds="http://www.onvif.org/ver10/device/wsdl"><tds:SystemDateAndTime><tt:UTCDateTime>
            <tt:Time><tt:Hour>25</tt:Hour><tt:Minute>0</tt:Minute><tt:Second>0</tt:Second></tt:Time>
            <tt:Date><tt:Year>2026</tt:Year><tt:Month>2</tt:Month><tt:Day>30</tt:Day></tt:Date></tt:UTCDateTime></tds:SystemDateAndTime>
            </tds:GetSystemDateAndTimeResponse>
            """))
        #expect(throws: ONVIFError.missing("a valid UTCDateTime")) { try DeviceClock.utcTime(badDate) }
    }

    @Test func randomBytesAndMutatedAnswersNeverCrashTheParser() {
        var generator = SystemRandomNumberGenerator()
        let valid = Array(Self.envelope("<trt:GetStreamUriResponse xmlns:trt=\"http://www.onvif.org/ver10/media/wsdl\"><trt:MediaUri><tt:Uri>rtsp://h/x</tt:Uri></trt:MediaUri></trt:GetStreamUriResponse>"))
        for round in 0..<5000 {
            var bytes = valid
            if round % 3 == 0 {
                bytes = (0..<Int.random(in: 0...400, using: &generator)).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
            } else {
                for _ in 0..<Int.random(in: 1...8, using: &generator) where !bytes.isEmpty {
                    bytes[Int.random(in: 0..<bytes.count, using: &generator)] = UInt8.random(in: .min ... .max, using: &generator)
                }
            }
            // Any outcome but a crash: a parsed answer or a typed error.
            if let response = try? SOAPResponse(data: Data(bytes)) { _ = try? MediaURI.uri(response) }
        }
    }

    @Test func deeplyNestedOrEntityLadenDocumentsAreRefused() {
        let deep = String(repeating: "<a>", count: 5000) + String(repeating: "</a>", count: 5000)
        #expect(XMLTree.parse(Data(deep.utf8)) == nil, "nesting beyond the limit is refused, not recursed into")
        let entity = "<!DOCTYPE r [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><r>&x;</r>"
        #expect(XMLTree.parse(Data(entity.utf8))?.text.contains("root:") != true, "external entities are never read")
    }

    static func envelope(_ body: String) -> Data {
        Data("""
            <?xml version="1.0" encoding="UTF-8"?>
            <s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:tt="http://www.onvif.org/ver10/schema" \
            xmlns:ter="http://www.onvif.org/ver10/error"><s:Header/><s:Body>\(body)</s:Body></s:Envelope>
            """.utf8)
    }
}
