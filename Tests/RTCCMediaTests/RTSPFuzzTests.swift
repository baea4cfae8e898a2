import NIOCore
import Testing

@testable import RTCCMedia

/// A small deterministic generator (SplitMix64), so failures can be replayed from the seed.
struct RTSPSeededGenerator: RandomNumberGenerator {
    var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

@Suite struct RTSPFuzzTests {
    static let corpus: [[UInt8]] = [
        Array("RTSP/1.0 200 OK\r\nCSeq: 1\r\nContent-Length: 4\r\nSession: 1;timeout=5\r\n\r\nv=0\n".utf8),
        Array("SETUP rtsp://h/s/trackID=0 RTSP/1.0\r\nCSeq: 2\r\nTransport: RTP/AVP/TCP;unicast;interleaved=0-1\r\n\r\n".utf8),
        [0x24, 0x00, 0x00, 0x04, 0x80, 0x60, 0x00, 0x01],
        Array("RTSP/1.0 401 Unauthorized\r\nCSeq: 3\r\nWWW-Authenticate: Digest realm=\"r\", nonce=\"n\"\r\n\r\n".utf8),
    ]

    static func mutate(_ input: [UInt8], using generator: inout RTSPSeededGenerator) -> [UInt8] {
        var bytes = input
        for _ in 0..<Int.random(in: 1...8, using: &generator) {
            switch Int.random(in: 0..<5, using: &generator) {
            case 0 where !bytes.isEmpty: bytes[Int.random(in: 0..<bytes.count, using: &generator)] = UInt8.random(in: 0...255, using: &generator)
            case 1 where !bytes.isEmpty: bytes.remove(at: Int.random(in: 0..<bytes.count, using: &generator))
            case 2: bytes.insert(UInt8.random(in: 0...255, using: &generator), at: Int.random(in: 0...bytes.count, using: &generator))
            case 3: bytes += Array("9999999999999999999\r\n:;=,\"$".utf8).shuffled(using: &generator).prefix(4)
            default: bytes += corpus.randomElement(using: &generator) ?? []
            }
        }
        return bytes
    }

    /// Feeds bytes in random chunks; any outcome but a crash or a hang is acceptable.
    static func drain(_ bytes: [UInt8], using generator: inout RTSPSeededGenerator) -> Int {
        var parser = RTSPMessageParser(limits: .init(maxHeaderBytes: 512, maxBodyBytes: 512))
        var buffer = ByteBuffer()
        var decoded = 0
        var index = 0
        while index < bytes.count {
            let end = min(bytes.count, index + Int.random(in: 1...64, using: &generator))
            buffer.writeBytes(bytes[index..<end])
            index = end
            do {
                while let _ = try parser.next(from: &buffer) { decoded += 1 }
            } catch {
                return decoded
            }
        }
        return decoded
    }

    @Test(arguments: [1, 2, 3, 4] as [UInt64])
    func mutatedRTSPStreamsNeverCrash(seed: UInt64) {
        var generator = RTSPSeededGenerator(seed: seed)
        var decoded = 0
        for _ in 0..<2500 {
            let base = Self.corpus.randomElement(using: &generator) ?? []
            decoded += Self.drain(Self.mutate(base, using: &generator), using: &generator)
        }
        #expect(decoded > 0)
    }

    @Test func randomBytesIntoRTSPParserNeverCrash() {
        var generator = RTSPSeededGenerator(seed: 42)
        for _ in 0..<3000 {
            let bytes = (0..<Int.random(in: 0...300, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) }
            _ = Self.drain(bytes, using: &generator)
        }
    }

    @Test func randomHeaderValuesNeverCrash() {
        var generator = RTSPSeededGenerator(seed: 7)
        let alphabet = Array("RTP/AVP/TCP;unicast,interleaved=0-1client_port=5000-5001\"\\ timeout=;url=seq=rtptime=Digest realm".utf8)
        for _ in 0..<5000 {
            let text = String(decoding: (0..<Int.random(in: 0...80, using: &generator)).map { _ in alphabet.randomElement(using: &generator) ?? 0 }, as: UTF8.self)
            _ = try? RTSPTransport.parseList(text)
            _ = try? RTSPSessionHeader(parsing: text)
            _ = try? RTSPRTPInfo.parseList(text)
            _ = try? RTSPAuthenticationChallenge(parsing: text)
            _ = try? RTSPAuthenticationChallenge(parsing: "Digest " + text)
        }
    }
}
