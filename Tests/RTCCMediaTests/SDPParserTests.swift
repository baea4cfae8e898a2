import Testing

@testable import RTCCMedia

@Suite struct SDPParserTests {
    static let cameraSDP = """
        v=0\r
        o=- 1700000000 1 IN IP4 192.0.2.10\r
        s=Media Presentation\r
        c=IN IP4 0.0.0.0\r
        t=0 0\r
        a=control:*\r
        a=range:npt=0-\r
        m=video 0 RTP/AVP 96\r
        b=AS:4096\r
        a=rtpmap:96 H264/90000\r
        a=fmtp:96 packetization-mode=1; profile-level-id=4D0029; sprop-parameter-sets=Z00AKZpkA8ARPyzUBAQFAAADA+gAAOpgBA==,aO48gA==\r
        a=control:trackID=1\r
        m=audio 0 RTP/AVP 97\r
        a=rtpmap:97 mpeg4-generic/16000/1\r
        a=fmtp:97 streamtype=5; profile-level-id=15; mode=AAC-hbr; config=1408; sizeLength=13; indexLength=3; indexDeltaLength=3\r
        a=control:rtsp://192.0.2.10/stream1/trackID=2\r
        a=recvonly\r

        """

    @Test func parsesCameraDescription() throws {
        let sdp = try SessionDescription.parse(Self.cameraSDP)
        #expect(sdp.origin?.address == "192.0.2.10")
        #expect(sdp.sessionName == "Media Presentation")
        #expect(sdp.control == "*")
        #expect(sdp.attributes.value(of: "range") == "npt=0-")
        #expect(sdp.media.count == 2)
        let video = sdp.media[0]
        #expect(video.type == "video")
        #expect(video.proto == "RTP/AVP")
        #expect(video.payloadTypes == [96])
        #expect(video.bandwidths == ["AS:4096"])
        #expect(video.rtpMap(for: 96) == SDPRTPMap(payloadType: 96, encodingName: "H264", clockRate: 90000))
        let audio = sdp.media[1]
        #expect(audio.rtpMap(for: 97)?.channels == 1)
        #expect(audio.attributes.contains(SDPAttribute(name: "recvonly")))
    }

    @Test func exposesH264Parameters() throws {
        let fmtp = try SessionDescription.parse(Self.cameraSDP).media[0].formatParameters(for: 96)
        #expect(fmtp.h264PacketizationMode == 1)
        #expect(fmtp.h264ProfileLevelID == [0x4D, 0x00, 0x29])
        let sets = fmtp.h264ParameterSets
        #expect(sets.count == 2)
        #expect(sets.first?.first == 0x67)
        #expect(sets.last == [0x68, 0xEE, 0x3C, 0x80])
    }

    @Test func exposesAACParameters() throws {
        let fmtp = try SessionDescription.parse(Self.cameraSDP).media[1].formatParameters(for: 97)
        #expect(fmtp.mpeg4Config == [0x14, 0x08])
        #expect(fmtp.mpeg4Mode == "AAC-hbr")
        #expect(fmtp.mpeg4SizeLength == 13)
        #expect(fmtp.mpeg4IndexLength == 3)
        #expect(fmtp.mpeg4IndexDeltaLength == 3)
    }

    @Test func exposesH265Parameters() throws {
        let sdp = try SessionDescription.parse("""
            v=0
            s=-
            m=video 0 RTP/AVP 98
            a=rtpmap:98 H265/90000
            a=fmtp:98 sprop-vps=QAEMAf//AWAAAAMAkAAAAwAAAwBdlZgJ; sprop-sps=QgEBAWAAAAMAkAAAAwAAAwBdoAKAgC0WWVmkkyvAQAAAAwBAAAAHgg==; sprop-pps=RAHBcrRiQA==
            """)
        let fmtp = sdp.media[0].formatParameters(for: 98)
        #expect(fmtp.h265VPS.first?.prefix(2) == [0x40, 0x01])
        #expect(fmtp.h265SPS.first?.prefix(2) == [0x42, 0x01])
        #expect(fmtp.h265PPS.first == [0x44, 0x01, 0xC1, 0x72, 0xB4, 0x62, 0x40])
        #expect(sdp.media[0].formatParameters(for: 99).parameters.isEmpty)
    }

    @Test(arguments: [
        ("*", "rtsp://h/s/", "rtsp://h/s/"),
        ("trackID=1", "rtsp://h/s/", "rtsp://h/s/trackID=1"),
        ("trackID=1", "rtsp://h/s", "rtsp://h/s/trackID=1"),
        ("rtsp://other/x/track2", "rtsp://h/s/", "rtsp://other/x/track2"),
    ])
    func controlResolvesAgainstContentBase(control: String, base: String, expected: String) {
        let media = MediaDescription(type: "video", formats: ["96"], attributes: [SDPAttribute(name: "control", value: control)])
        #expect(SessionDescription(media: [media]).controlURL(for: media, contentBase: base) == expected)
    }

    @Test func sessionLevelAbsoluteControlBecomesBase() {
        let media = MediaDescription(type: "video", formats: ["96"], attributes: [SDPAttribute(name: "control", value: "v")])
        let sdp = SessionDescription(attributes: [SDPAttribute(name: "control", value: "rtsp://agg/s/")], media: [media])
        #expect(sdp.controlURL(for: media, contentBase: "rtsp://h/") == "rtsp://agg/s/v")
        #expect(sdp.aggregateControlURL(contentBase: "rtsp://h/") == "rtsp://agg/s/")
        let noControl = MediaDescription(type: "video", formats: ["96"])
        #expect(SessionDescription(media: [noControl]).controlURL(for: noControl, contentBase: "rtsp://h/s") == "rtsp://h/s")
    }

    @Test func writerOutputParsesBackToSameDescription() throws {
        let original = try SessionDescription.parse(Self.cameraSDP)
        let text = original.text
        #expect(text.hasPrefix("v=0\r\no=- 1700000000 1 IN IP4 192.0.2.10\r\ns=Media Presentation\r\n"))
        #expect(try SessionDescription.parse(text) == original)
    }

    @Test func writerFillsRequiredLines() {
        let media = MediaDescription(
            type: "video", formats: ["96"], attributes: [SDPAttribute(name: "rtpmap", value: "96 H264/90000")])
        #expect(SessionDescription(media: [media]).text == "v=0\r\no=- 0 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\nm=video 0 RTP/AVP 96\r\na=rtpmap:96 H264/90000\r\n")
    }

    @Test(arguments: [
        ("", SDPError.missingVersion),
        ("v=1\r\n", .missingVersion),
        ("v=0\r\nnot a line\r\n", .invalidLine(line: 2)),
        ("v=0\r\no=- 1 2\r\n", .invalidOrigin(line: 2)),
        ("v=0\r\nm=video\r\n", .invalidMedia(line: 2)),
        ("v=0\r\nm=video abc RTP/AVP 96\r\n", .invalidMedia(line: 2)),
        ("v=0\r\nm=video 99999 RTP/AVP 96\r\n", .invalidMedia(line: 2)),
    ])
    func malformedDescriptionIsRejected(text: String, expected: SDPError) {
        #expect(throws: expected) { try SessionDescription.parse(text) }
    }

    @Test func oversizedDescriptionIsRejected() {
        let text = "v=0\r\n" + String(repeating: "a=x\r\n", count: 20_000)
        #expect(throws: SDPError.tooLarge(limit: SessionDescription.maxBytes)) { try SessionDescription.parse(text) }
    }

    @Test func malformedRTPMapIsIgnored() {
        let media = MediaDescription(
            type: "video", formats: ["96"],
            attributes: [SDPAttribute(name: "rtpmap", value: "96 H264"), SDPAttribute(name: "rtpmap", value: "300 X/1")])
        #expect(media.rtpMaps.isEmpty)
    }
}
