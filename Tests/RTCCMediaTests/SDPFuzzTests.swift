import Testing

@testable import RTCCMedia

@Suite struct SDPFuzzTests {
    @Test(arguments: [11, 12, 13] as [UInt64])
    func mutatedDescriptionsParseOrFailWithTypedError(seed: UInt64) {
        var generator = RTSPSeededGenerator(seed: seed)
        let base = Array(SDPParserTests.cameraSDP.utf8)
        var parsed = 0
        for _ in 0..<2000 {
            var bytes = base
            for _ in 0..<Int.random(in: 1...6, using: &generator) {
                let index = Int.random(in: 0..<bytes.count, using: &generator)
                switch Int.random(in: 0..<3, using: &generator) {
                case 0: bytes[index] = UInt8.random(in: 0...255, using: &generator)
                case 1: bytes.remove(at: index)
                default: bytes.insert(Array("=:/ \r\n;,".utf8).randomElement(using: &generator) ?? 0, at: index)
                }
            }
            let text = String(decoding: bytes, as: UTF8.self)
            do {
                let sdp = try SessionDescription.parse(text)
                parsed += 1
                for media in sdp.media {
                    for type in media.payloadTypes {
                        let fmtp = media.formatParameters(for: type)
                        _ = (fmtp.h264ParameterSets, fmtp.h264ProfileLevelID, fmtp.mpeg4Config, fmtp.h265SPS, media.rtpMap(for: type))
                    }
                    _ = sdp.controlURL(for: media, contentBase: "rtsp://h/s")
                }
                _ = try SessionDescription.parse(sdp.text)
            } catch {
                continue
            }
        }
        #expect(parsed > 0)
    }

    @Test func randomTextNeverCrashesParser() {
        var generator = RTSPSeededGenerator(seed: 99)
        let alphabet = Array("vosmact=:/ 0123456789\r\nRTP/AVP H264".utf8)
        for _ in 0..<3000 {
            let bytes = (0..<Int.random(in: 0...200, using: &generator)).map { _ in alphabet.randomElement(using: &generator) ?? 0 }
            _ = try? SessionDescription.parse("v=0\n" + String(decoding: bytes, as: UTF8.self))
        }
    }
}
