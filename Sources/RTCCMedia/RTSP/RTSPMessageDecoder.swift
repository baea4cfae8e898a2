import NIOCore

/// A NIO decoder turning an RTSP byte stream into ``RTSPMessage`` values, interleaved frames included.
public struct RTSPMessageDecoder: ByteToMessageDecoder, Sendable {
    /// The decoded message type.
    public typealias InboundOut = RTSPMessage

    private var parser: RTSPMessageParser

    /// Creates a decoder with the given limits.
    public init(limits: RTSPMessageParser.Limits = RTSPMessageParser.Limits()) {
        self.parser = RTSPMessageParser(limits: limits)
    }

    /// Decodes one message if the buffer holds a whole one.
    public mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard let message = try parser.next(from: &buffer) else { return .needMoreData }
        context.fireChannelRead(Self.wrapInboundOut(message))
        return .continue
    }

    /// Decodes what is left at end of stream; an incomplete message is an error.
    public mutating func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws -> DecodingState {
        while try decode(context: context, buffer: &buffer) == .continue {}
        if seenEOF, parser.hasPartialMessage(buffer) {
            buffer.moveReaderIndex(to: buffer.writerIndex)
            throw RTSPDecodingError.truncatedMessage
        }
        return .needMoreData
    }
}

/// A NIO encoder writing ``RTSPMessage`` values as RTSP bytes.
public struct RTSPMessageEncoder: MessageToByteEncoder, Sendable {
    /// The message type to encode.
    public typealias OutboundIn = RTSPMessage

    /// Creates an encoder.
    public init() {}

    /// Writes `data` into `out`.
    public func encode(data: RTSPMessage, out: inout ByteBuffer) throws {
        data.write(into: &out)
    }
}

extension RTSPMessage {
    /// Serialises the message; `Content-Length` is set from the body, and interleaved payloads over 65535 bytes are cut.
    public func write(into out: inout ByteBuffer) {
        switch self {
        case .request(let request):
            out.writeString("\(request.method.rawValue) \(request.uri) \(request.version)\r\n")
            Self.writeHeadersAndBody(request.headers, request.body, into: &out)
        case .response(let response):
            out.writeString("\(response.version) \(response.statusCode) \(response.reasonPhrase)\r\n")
            Self.writeHeadersAndBody(response.headers, response.body, into: &out)
        case .interleaved(let frame):
            let length = min(frame.payload.readableBytes, Int(UInt16.max))
            out.writeInteger(UInt8(ascii: "$"))
            out.writeInteger(frame.channel)
            out.writeInteger(UInt16(length))
            out.writeImmutableBuffer(frame.payload.getSlice(at: frame.payload.readerIndex, length: length) ?? ByteBuffer())
        }
    }

    private static func writeHeadersAndBody(_ headers: RTSPHeaders, _ body: ByteBuffer, into out: inout ByteBuffer) {
        var headers = headers
        headers.remove(name: "Content-Length")
        if body.readableBytes > 0 { headers.add(name: "Content-Length", value: String(body.readableBytes)) }
        for field in headers {
            out.writeString("\(field.name.filter { !$0.isNewline }): \(field.value.filter { !$0.isNewline })\r\n")
        }
        out.writeString("\r\n")
        out.writeImmutableBuffer(body)
    }
}
