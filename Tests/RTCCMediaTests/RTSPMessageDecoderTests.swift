import NIOCore
import NIOEmbedded
import Testing

@testable import RTCCMedia

@Suite struct RTSPMessageDecoderTests {
    static let mixedStream: [UInt8] = {
        var bytes = Array("RTSP/1.0 200 OK\r\nCSeq: 3\r\ncontent-length: 5\r\n\r\nhello".utf8)
        bytes += [0x24, 0x00, 0x00, 0x03, 0x80, 0x60, 0x01]
        bytes += Array("\r\nOPTIONS rtsp://h/x RTSP/1.0\r\nCSeq: 4\r\nX-Note: a\r\n b\r\n\r\n".utf8)
        bytes += [0x24, 0x01, 0x00, 0x00]
        return bytes
    }()

    static func expectMixedMessages(_ messages: [RTSPMessage]) throws {
        try #require(messages.count == 4)
        guard case .response(let response) = messages[0] else { Issue.record("expected response"); return }
        #expect(response.statusCode == 200)
        #expect(response.cseq == 3)
        #expect(String(buffer: response.body) == "hello")
        #expect(messages[1] == .interleaved(RTSPInterleavedFrame(channel: 0, payload: ByteBuffer(bytes: [0x80, 0x60, 0x01]))))
        guard case .request(let request) = messages[2] else { Issue.record("expected request"); return }
        #expect(request.method == .options)
        #expect(request.uri == "rtsp://h/x")
        #expect(request.headers["CSEQ"] == "4")
        #expect(request.headers["x-note"] == "a b")
        #expect(request.headers.count == 2)
        #expect(messages[3] == .interleaved(RTSPInterleavedFrame(channel: 1, payload: ByteBuffer())))
    }

    static func decode(_ bytes: [UInt8], chunk: Int) throws -> [RTSPMessage] {
        let channel = EmbeddedChannel(handler: ByteToMessageHandler(RTSPMessageDecoder()))
        var index = 0
        while index < bytes.count {
            let end = min(bytes.count, index + chunk)
            try channel.writeInbound(ByteBuffer(bytes: bytes[index..<end]))
            index = end
        }
        var messages: [RTSPMessage] = []
        while let message = try channel.readInbound(as: RTSPMessage.self) { messages.append(message) }
        _ = try channel.finish()
        return messages
    }

    @Test func decodesMixedStreamOneByteAtATime() throws {
        try Self.expectMixedMessages(try Self.decode(Self.mixedStream, chunk: 1))
    }

    @Test func decodesMixedStreamAllAtOnce() throws {
        try Self.expectMixedMessages(try Self.decode(Self.mixedStream, chunk: Self.mixedStream.count))
    }

    @Test(arguments: [2, 3, 7, 13])
    func decodesMixedStreamInChunks(size: Int) throws {
        try Self.expectMixedMessages(try Self.decode(Self.mixedStream, chunk: size))
    }

    @Test func acceptsBareLineFeeds() throws {
        var buffer = ByteBuffer(string: "RTSP/1.0 404 Not Found\nCSeq: 1\n\n")
        var parser = RTSPMessageParser()
        guard case .response(let response)? = try parser.next(from: &buffer) else {
            Issue.record("expected a response")
            return
        }
        #expect(response.statusCode == 404)
        #expect(response.reasonPhrase == "Not Found")
    }

    @Test func largestInterleavedFrameIsDecoded() throws {
        var bytes: [UInt8] = [0x24, 0x02, 0xFF, 0xFF]
        bytes += [UInt8](repeating: 0xAB, count: 65535)
        var buffer = ByteBuffer(bytes: bytes)
        var parser = RTSPMessageParser()
        guard case .interleaved(let frame)? = try parser.next(from: &buffer) else {
            Issue.record("expected a frame")
            return
        }
        #expect(frame.payload.readableBytes == 65535)
        #expect(frame.channel == 2)
    }

    @Test func overlongHeaderIsRejected() {
        var buffer = ByteBuffer(string: "OPTIONS * RTSP/1.0\r\nX: " + String(repeating: "a", count: 70_000))
        var parser = RTSPMessageParser()
        #expect(throws: RTSPDecodingError.headerTooLong(limit: 65536)) { try parser.next(from: &buffer) }
    }

    @Test func oversizedBodyIsRejected() {
        var buffer = ByteBuffer(string: "RTSP/1.0 200 OK\r\nContent-Length: 2000000\r\n\r\n")
        var parser = RTSPMessageParser()
        #expect(throws: RTSPDecodingError.bodyTooLarge(length: 2_000_000, limit: 1_048_576)) { try parser.next(from: &buffer) }
    }

    @Test(arguments: [
        ("RTSP/1.0 2x0 OK\r\n\r\n", RTSPDecodingError.invalidStatusCode),
        ("RTSP/2.0 200 OK\r\n\r\n", .unsupportedVersion),
        ("GARBAGE\r\n\r\n", .invalidStartLine),
        ("OPTIONS * HTTP/1.1\r\n\r\n", .invalidStartLine),
        ("RTSP/1.0 200 OK\r\nNoColon\r\n\r\n", .invalidHeaderLine),
        ("RTSP/1.0 200 OK\r\nContent-Length: -1\r\n\r\n", .invalidContentLength),
        ("RTSP/1.0 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n", .invalidContentLength),
        ("RTSP/1.0 200 OK\r\nX: a\u{01}b\r\n\r\n", .invalidCharacters),
    ])
    func malformedInputIsRejected(input: String, expected: RTSPDecodingError) {
        var buffer = ByteBuffer(string: input)
        var parser = RTSPMessageParser()
        #expect(throws: expected) { try parser.next(from: &buffer) }
    }

    @Test func truncatedMessageAtEndOfStreamIsAnError() throws {
        let channel = EmbeddedChannel(handler: ByteToMessageHandler(RTSPMessageDecoder()))
        try channel.writeInbound(ByteBuffer(string: "RTSP/1.0 200 OK\r\nCSeq: 1\r\n"))
        #expect(throws: RTSPDecodingError.truncatedMessage) { _ = try channel.finish() }
    }

    @Test func encoderRoundTripsThroughDecoder() throws {
        var body = ByteBuffer()
        body.writeString("v=0\r\n")
        let messages: [RTSPMessage] = [
            .request(RTSPRequest(method: .describe, uri: "rtsp://a/b", headers: ["CSeq": "2", "Accept": "application/sdp"])),
            .response(RTSPResponse(statusCode: 200, headers: ["CSeq": "2", "Content-Length": "5"], body: body)),
            .interleaved(RTSPInterleavedFrame(channel: 3, payload: ByteBuffer(bytes: [1, 2, 3]))),
        ]
        var wire = ByteBuffer()
        for message in messages { message.write(into: &wire) }
        var parser = RTSPMessageParser()
        var decoded: [RTSPMessage] = []
        while let message = try parser.next(from: &wire) { decoded.append(message) }
        #expect(decoded == messages)
    }
}
