/// Why a session description could not be parsed.
public enum SDPError: Error, Sendable, Equatable {
    /// The text is longer than the limit (in bytes).
    case tooLarge(limit: Int)
    /// The first line is not `v=0`.
    case missingVersion
    /// A line is not `<letter>=<value>`; `line` counts from 1.
    case invalidLine(line: Int)
    /// An `o=` line does not have six fields.
    case invalidOrigin(line: Int)
    /// An `m=` line is not `<media> <port>[/<count>] <proto> <fmt> …`.
    case invalidMedia(line: Int)
    /// There are more `m=` sections or attributes than the parser accepts.
    case tooManyEntries
}

extension SessionDescription {
    /// The largest description ``parse(_:)`` accepts, in bytes.
    public static let maxBytes = 64 * 1024
    private static let maxEntries = 4096

    /// Parses SDP text; line endings may be CRLF or LF, unknown line types are ignored (RFC 8866 §5).
    public static func parse(_ text: String) throws(SDPError) -> SessionDescription {
        guard text.utf8.count <= maxBytes else { throw .tooLarge(limit: maxBytes) }
        let lines = text.split(omittingEmptySubsequences: true) { $0 == "\n" || $0 == "\r\n" || $0 == "\r" }
        var description = SessionDescription(timing: nil)
        var entries = 0
        for (offset, rawLine) in lines.enumerated() {
            let number = offset + 1
            let line = rawLine.trimmingASCIIWhitespace()
            if line.isEmpty { continue }
            if offset == 0 {
                guard line == "v=0" else { throw .missingVersion }
                continue
            }
            let bytes = Array(line.utf8.prefix(2))
            guard bytes.count == 2, bytes[1] == UInt8(ascii: "="), (0x61...0x7A).contains(bytes[0]) else {
                throw .invalidLine(line: number)
            }
            let value = String(line.dropFirst(2))
            entries += 1
            guard entries <= maxEntries else { throw .tooManyEntries }
            try description.apply(type: bytes[0], value: value, line: number)
        }
        guard !lines.isEmpty else { throw .missingVersion }
        return description
    }

    private mutating func apply(type: UInt8, value: String, line: Int) throws(SDPError) {
        if type == UInt8(ascii: "m") {
            media.append(try Self.parseMedia(value, line: line))
            return
        }
        if media.isEmpty {
            try applySessionLevel(type: type, value: value, line: line)
        } else {
            media[media.count - 1].apply(type: type, value: value)
        }
    }

    private mutating func applySessionLevel(type: UInt8, value: String, line: Int) throws(SDPError) {
        switch type {
        case UInt8(ascii: "o"):
            let parts = value.split(separator: " ").map(String.init)
            guard parts.count == 6 else { throw .invalidOrigin(line: line) }
            origin = SDPOrigin(
                username: parts[0], sessionID: parts[1], sessionVersion: parts[2],
                networkType: parts[3], addressType: parts[4], address: parts[5])
        case UInt8(ascii: "s"): sessionName = value
        case UInt8(ascii: "i"): information = value
        case UInt8(ascii: "c"): connection = value
        case UInt8(ascii: "t"): timing = value
        case UInt8(ascii: "a"): attributes.append(SDPAttribute(parsingLine: value))
        default: break
        }
    }

    private static func parseMedia(_ value: String, line: Int) throws(SDPError) -> MediaDescription {
        let parts = value.split(separator: " ").map(String.init)
        guard parts.count >= 3, !parts[0].isEmpty else { throw .invalidMedia(line: line) }
        let portParts = parts[1].split(separator: "/", omittingEmptySubsequences: false)
        guard portParts.count <= 2, let port = Int(portParts[0]), (0...65535).contains(port) else { throw .invalidMedia(line: line) }
        var count: Int?
        if portParts.count == 2 {
            guard let parsed = Int(portParts[1]), parsed > 0 else { throw .invalidMedia(line: line) }
            count = parsed
        }
        return MediaDescription(type: parts[0], port: port, portCount: count, proto: parts[2], formats: Array(parts.dropFirst(3)))
    }
}

extension SDPAttribute {
    /// Parses the text after `a=`: `name:value` or a bare `name`.
    init(parsingLine text: String) {
        if let colon = text.firstIndex(of: ":") {
            self.init(name: String(text[..<colon]), value: String(text[text.index(after: colon)...]))
        } else {
            self.init(name: text, value: nil)
        }
    }
}

extension MediaDescription {
    fileprivate mutating func apply(type: UInt8, value: String) {
        switch type {
        case UInt8(ascii: "c"): connection = value
        case UInt8(ascii: "b"): bandwidths.append(value)
        case UInt8(ascii: "a"): attributes.append(SDPAttribute(parsingLine: value))
        default: break
        }
    }
}
