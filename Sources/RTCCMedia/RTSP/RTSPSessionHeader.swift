/// A parsed `Session` header: an identifier and the timeout in seconds (RFC 2326 §12.37).
public struct RTSPSessionHeader: Sendable, Equatable {
    /// The session identifier.
    public var id: String
    /// The timeout in seconds; 60 when the server gives none.
    public var timeout: Int

    /// The timeout RFC 2326 assumes when none is given.
    public static let defaultTimeout = 60

    /// Creates a session header.
    public init(id: String, timeout: Int = RTSPSessionHeader.defaultTimeout) {
        self.id = id
        self.timeout = timeout
    }

    /// Parses a value such as `12345678;timeout=30`.
    public init(parsing value: String) throws(RTSPHeaderError) {
        let parts = value.split(separator: ";", omittingEmptySubsequences: false).map { $0.trimmingASCIIWhitespace() }
        guard let id = parts.first, !id.isEmpty, id.utf8.count <= 256, !id.contains(" ") else { throw .invalidSession }
        var timeout = Self.defaultTimeout
        for parameter in parts.dropFirst() {
            let (key, value) = parameter.splitOnce("=")
            guard key.lowercased() == "timeout" else { continue }
            guard let value, let seconds = Int(value), (1...86_400).contains(seconds) else { throw .invalidSession }
            timeout = seconds
        }
        self.init(id: id, timeout: timeout)
    }

    /// The header value, with the timeout.
    public var headerValue: String { "\(id);timeout=\(timeout)" }
}

/// A parsed `RTP-Info` header entry (RFC 2326 §12.33).
public struct RTSPRTPInfo: Sendable, Equatable {
    /// The stream URL.
    public var url: String
    /// The sequence number of the first packet, if given.
    public var sequenceNumber: UInt16?
    /// The RTP timestamp matching the range start, if given.
    public var rtpTime: UInt32?

    /// Creates an entry.
    public init(url: String, sequenceNumber: UInt16? = nil, rtpTime: UInt32? = nil) {
        self.url = url
        self.sequenceNumber = sequenceNumber
        self.rtpTime = rtpTime
    }

    /// Parses every comma-separated entry of an `RTP-Info` header.
    public static func parseList(_ header: String) throws(RTSPHeaderError) -> [RTSPRTPInfo] {
        var result: [RTSPRTPInfo] = []
        for entry in header.split(separator: ",") where !entry.trimmingASCIIWhitespace().isEmpty {
            result.append(try parseEntry(String(entry)))
        }
        return result
    }

    private static func parseEntry(_ entry: String) throws(RTSPHeaderError) -> RTSPRTPInfo {
        var info = RTSPRTPInfo(url: "")
        for parameter in entry.split(separator: ";") {
            let (key, value) = parameter.splitOnce("=")
            guard let value else { continue }
            switch key.lowercased() {
            case "url": info.url = value.unquoted()
            case "seq":
                guard let seq = UInt16(value) else { throw .invalidRTPInfo }
                info.sequenceNumber = seq
            case "rtptime":
                guard let time = UInt32(value) else { throw .invalidRTPInfo }
                info.rtpTime = time
            default: continue
            }
        }
        guard !info.url.isEmpty else { throw .invalidRTPInfo }
        return info
    }

    /// Formats entries as one header value.
    public static func headerValue(_ entries: [RTSPRTPInfo]) -> String {
        entries.map { entry in
            var text = "url=\(entry.url)"
            if let seq = entry.sequenceNumber { text += ";seq=\(seq)" }
            if let time = entry.rtpTime { text += ";rtptime=\(time)" }
            return text
        }.joined(separator: ",")
    }
}
