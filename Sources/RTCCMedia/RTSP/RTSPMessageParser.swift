import NIOCore

/// An incremental parser for RTSP messages and interleaved frames mixed on one byte stream.
///
/// `next(from:)` returns `nil` when more bytes are needed and consumes bytes only for a whole message.
/// Every length is bounded, and malformed input ends in an ``RTSPDecodingError``.
public struct RTSPMessageParser: Sendable {
    /// Limits applied while parsing.
    public struct Limits: Sendable, Equatable {
        /// The most bytes a start line plus headers may take.
        public var maxHeaderBytes: Int
        /// The largest body accepted.
        public var maxBodyBytes: Int

        /// Creates limits; the defaults are 64 KiB of headers and a 1 MiB body.
        public init(maxHeaderBytes: Int = 64 * 1024, maxBodyBytes: Int = 1024 * 1024) {
            self.maxHeaderBytes = maxHeaderBytes
            self.maxBodyBytes = maxBodyBytes
        }
    }

    /// The limits in force.
    public let limits: Limits
    private var scannedHeaderBytes = 0

    /// Creates a parser.
    public init(limits: Limits = Limits()) {
        self.limits = limits
    }

    /// Parses the next message from the front of `buffer`, or returns `nil` if it is not complete yet.
    public mutating func next(from buffer: inout ByteBuffer) throws(RTSPDecodingError) -> RTSPMessage? {
        skipBlankLines(&buffer)
        guard let first = buffer.getInteger(at: buffer.readerIndex, as: UInt8.self) else { return nil }
        if first == UInt8(ascii: "$") {
            return Self.parseInterleaved(&buffer).map(RTSPMessage.interleaved)
        }
        guard let headerEnd = try findHeaderEnd(buffer) else { return nil }
        scannedHeaderBytes = 0
        let headerView = buffer.readableBytesView.prefix(headerEnd.length)
        var head = try Self.parseHead(headerView)
        let bodyLength = try bodyLength(head.headers)
        guard buffer.readableBytes >= headerEnd.total + bodyLength else { return nil }
        buffer.moveReaderIndex(forwardBy: headerEnd.total)
        let body = buffer.readSlice(length: bodyLength) ?? ByteBuffer()
        head.body = body
        return head.message
    }

    /// Whether bytes left at end of stream form an incomplete message (ignoring blank lines).
    public func hasPartialMessage(_ buffer: ByteBuffer) -> Bool {
        buffer.readableBytesView.contains { $0 != UInt8(ascii: "\r") && $0 != UInt8(ascii: "\n") }
    }

    private func skipBlankLines(_ buffer: inout ByteBuffer) {
        while let byte = buffer.getInteger(at: buffer.readerIndex, as: UInt8.self),
            byte == UInt8(ascii: "\r") || byte == UInt8(ascii: "\n")
        {
            buffer.moveReaderIndex(forwardBy: 1)
        }
    }

    private static func parseInterleaved(_ buffer: inout ByteBuffer) -> RTSPInterleavedFrame? {
        let start = buffer.readerIndex
        guard let channel = buffer.getInteger(at: start + 1, as: UInt8.self),
            let length = buffer.getInteger(at: start + 2, as: UInt16.self),
            buffer.readableBytes >= 4 + Int(length)
        else { return nil }
        buffer.moveReaderIndex(forwardBy: 4)
        guard let payload = buffer.readSlice(length: Int(length)) else { return nil }
        return RTSPInterleavedFrame(channel: channel, payload: payload)
    }

    /// Finds the blank line ending the headers; `length` excludes it, `total` includes it.
    private mutating func findHeaderEnd(_ buffer: ByteBuffer) throws(RTSPDecodingError) -> (length: Int, total: Int)? {
        let view = buffer.readableBytesView
        let limit = min(view.count, limits.maxHeaderBytes + 4)
        var index = max(0, scannedHeaderBytes - 3)
        let base = view.startIndex
        while index < limit {
            if view[base + index] == UInt8(ascii: "\n") {
                if index >= 1, view[base + index - 1] == UInt8(ascii: "\n") { return (index - 1, index + 1) }
                if index >= 3, view[base + index - 1] == UInt8(ascii: "\r"), view[base + index - 2] == UInt8(ascii: "\n") {
                    return (index - 2, index + 1)
                }
            }
            index += 1
        }
        scannedHeaderBytes = limit
        if view.count > limits.maxHeaderBytes + 3 { throw .headerTooLong(limit: limits.maxHeaderBytes) }
        return nil
    }

    private func bodyLength(_ headers: RTSPHeaders) throws(RTSPDecodingError) -> Int {
        let values = headers.values(name: "Content-Length")
        guard let first = values.first else { return 0 }
        guard values.allSatisfy({ $0.trimmingASCIIWhitespace() == first.trimmingASCIIWhitespace() }) else {
            throw .invalidContentLength
        }
        let text = first.trimmingASCIIWhitespace()
        guard !text.isEmpty, text.utf8.count <= 10, text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), let length = Int(text) else {
            throw .invalidContentLength
        }
        guard length <= limits.maxBodyBytes else { throw .bodyTooLarge(length: length, limit: limits.maxBodyBytes) }
        return length
    }
}

extension RTSPMessageParser {
    fileprivate struct Head {
        var isResponse: Bool
        var method = ""
        var uri = ""
        var version = ""
        var statusCode = 0
        var reason = ""
        var headers = RTSPHeaders()
        var body = ByteBuffer()

        var message: RTSPMessage {
            if isResponse {
                return .response(RTSPResponse(statusCode: statusCode, reasonPhrase: reason, version: version, headers: headers, body: body))
            }
            return .request(RTSPRequest(method: RTSPMethod(rawValue: method), uri: uri, version: version, headers: headers, body: body))
        }
    }

    fileprivate static func parseHead<Bytes: Collection>(_ bytes: Bytes) throws(RTSPDecodingError) -> Head where Bytes.Element == UInt8 {
        guard bytes.allSatisfy({ ($0 >= 0x20 && $0 != 0x7F) || $0 == 0x09 || $0 == 0x0D || $0 == 0x0A }),
            let text = String(validating: bytes, as: UTF8.self)
        else { throw .invalidCharacters }
        var lines = text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" })
            .map { $0.hasSuffix("\r") ? $0.dropLast() : $0 }
        guard !lines.isEmpty else { throw .invalidStartLine }
        var head = try parseStartLine(lines.removeFirst())
        head.headers = try parseHeaderLines(lines)
        return head
    }

    private static func parseStartLine(_ line: Substring) throws(RTSPDecodingError) -> Head {
        let parts = line.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: true)
        guard parts.count >= 2 else { throw .invalidStartLine }
        if parts[0].hasPrefix("RTSP/") {
            guard parts[0].hasPrefix("RTSP/1.") else { throw .unsupportedVersion }
            let code = parts[1]
            guard code.utf8.count == 3, code.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), let status = Int(code) else {
                throw .invalidStatusCode
            }
            let reason = parts.count > 2 ? String(parts[2]) : ""
            return Head(isResponse: true, version: String(parts[0]), statusCode: status, reason: reason)
        }
        guard parts.count == 3 else { throw .invalidStartLine }
        guard parts[2].hasPrefix("RTSP/") else { throw .invalidStartLine }
        guard parts[2].hasPrefix("RTSP/1."), !parts[2].contains(" ") else { throw .unsupportedVersion }
        let method = parts[0]
        guard method.utf8.allSatisfy({ ($0 >= 0x41 && $0 <= 0x5A) || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: "-") }) else {
            throw .invalidStartLine
        }
        return Head(isResponse: false, method: String(method), uri: String(parts[1]), version: String(parts[2]))
    }

    private static func parseHeaderLines(_ lines: [Substring]) throws(RTSPDecodingError) -> RTSPHeaders {
        var fields: [(String, String)] = []
        for line in lines where !line.isEmpty {
            if line.first == " " || line.first == "\t" {
                guard let last = fields.popLast() else { throw .invalidHeaderLine }
                fields.append((last.0, last.1 + " " + line.trimmingASCIIWhitespace()))
                continue
            }
            let (name, value) = line.splitOnce(":")
            guard let value, !name.isEmpty, !name.contains(" ") else { throw .invalidHeaderLine }
            fields.append((name, value))
        }
        return RTSPHeaders(fields)
    }
}
