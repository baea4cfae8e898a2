import NIOCore

/// Reads the bytes of one request head as they arrive and decides, before the HTTP parser sees them, whether the head
/// is acceptable: the request line within its limit, a method the server implements, header lines within their limit,
/// every line ended by CR LF, no control characters and no folded (continued) header lines.
///
/// It keeps no bytes, only counters, so a head that arrives one byte at a time costs nothing more.
struct RequestHeadScanner {
    /// What the bytes seen so far mean.
    enum Verdict: Equatable {
        /// The head is not complete yet.
        case needMore
        /// The head ended (its empty line was seen); bytes after it in the same buffer belong to the body.
        case complete
        /// The head is refused.
        case reject(RequestRejection)
    }

    private enum Part { case method, target, headers }

    let maxRequestLineBytes: Int
    let maxHeaderBytes: Int
    /// False when the head's first bytes may already have gone by (a pipelined request that began while the previous
    /// one was being answered): then only the size of what follows is checked, and the parser checks the syntax.
    let aligned: Bool
    private var part = Part.method
    private var method: [UInt8] = []
    private var methodTooLong = false
    private var lineBytes = 0
    private var headerBytes = 0
    private var emptyLinesBeforeRequest = 0
    private var afterCR = false
    private var tail: UInt32 = 0
    /// Whether any byte of the head has arrived.
    private(set) var started = false

    init(maxRequestLineBytes: Int, maxHeaderBytes: Int, aligned: Bool = true) {
        self.maxRequestLineBytes = maxRequestLineBytes
        self.maxHeaderBytes = maxHeaderBytes
        self.aligned = aligned
    }

    /// Reads `buffer` (without consuming it) until the head ends or is refused.
    mutating func scan(_ buffer: ByteBuffer) -> Verdict {
        for byte in buffer.readableBytesView {
            started = true
            let verdict = aligned ? step(byte) : count(byte)
            if let verdict { return verdict }
        }
        return .needMore
    }

    private static let cr: UInt8 = 0x0D, lf: UInt8 = 0x0A, space: UInt8 = 0x20, tab: UInt8 = 0x09

    /// Size only, for a head whose start may be missing: the empty line is found by its CR LF CR LF.
    private mutating func count(_ byte: UInt8) -> Verdict? {
        headerBytes += 1
        if headerBytes > maxRequestLineBytes + maxHeaderBytes { return .reject(.headersTooLarge(limit: maxHeaderBytes)) }
        tail = tail << 8 | UInt32(byte)
        return tail == 0x0D0A_0D0A ? .complete : nil
    }

    private mutating func step(_ byte: UInt8) -> Verdict? {
        if part == .headers {
            headerBytes += 1
            if headerBytes > maxHeaderBytes { return .reject(.headersTooLarge(limit: maxHeaderBytes)) }
        }
        if afterCR {
            afterCR = false
            guard byte == Self.lf else { return .reject(.malformed("a CR is not followed by LF")) }
            return endOfLine()
        }
        if byte == Self.cr {
            afterCR = true
            return nil
        }
        if byte == Self.lf { return .reject(.malformed("a line ends with a bare LF; lines end with CR LF")) }
        lineBytes += 1
        switch part {
        case .method:
            if byte == Self.space { return endOfMethod() }
            guard Self.isTokenByte(byte) else { return .reject(.malformed("the request method is not a token")) }
            if method.count < 32 { method.append(byte) } else { methodTooLong = true }
            if lineBytes > maxRequestLineBytes { return .reject(.requestLineTooLong(limit: maxRequestLineBytes)) }
        case .target:
            if lineBytes > maxRequestLineBytes { return .reject(.requestLineTooLong(limit: maxRequestLineBytes)) }
            if byte < Self.space || byte == 0x7F { return .reject(.malformed("the request line holds a control character")) }
        case .headers:
            if lineBytes == 1, byte == Self.space || byte == Self.tab {
                return .reject(.malformed("a header line starts with white space (obsolete line folding is not accepted)"))
            }
            if (byte < Self.space && byte != Self.tab) || byte == 0x7F {
                return .reject(.malformed("a header holds a control character"))
            }
        }
        return nil
    }

    private mutating func endOfMethod() -> Verdict? {
        guard !method.isEmpty else { return .reject(.malformed("the request line starts with white space")) }
        let name = String(decoding: method, as: UTF8.self)
        guard !methodTooLong, HTTPLimits.allowedMethods.contains(name) else {
            return .reject(.methodNotAllowed(methodTooLong ? name + "…" : name))
        }
        part = .target
        return nil
    }

    private mutating func endOfLine() -> Verdict? {
        defer { lineBytes = 0 }
        switch part {
        case .method:
            guard lineBytes == 0 else { return .reject(.malformed("the request line has no target")) }
            // RFC 9112 §2.2: an empty line before the request line (left over from a previous body) is ignored, once or twice.
            emptyLinesBeforeRequest += 1
            return emptyLinesBeforeRequest > 2 ? .reject(.malformed("empty lines before the request line")) : nil
        case .target:
            part = .headers
            return nil
        case .headers:
            return lineBytes == 0 ? .complete : nil
        }
    }

    /// `tchar` of RFC 9110 §5.6.2.
    static func isTokenByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"): true
        default: "!#$%&'*+-.^_`|~".utf8.contains(byte)
        }
    }
}
