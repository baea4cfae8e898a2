/// A parsed `Transport` header entry (RFC 2326 §12.39), for RTP/AVP over UDP or TCP.
public struct RTSPTransport: Sendable, Equatable {
    /// The lower transport.
    public enum LowerTransport: String, Sendable, Equatable {
        /// RTP over UDP (`RTP/AVP` or `RTP/AVP/UDP`).
        case udp = "UDP"
        /// RTP interleaved on the RTSP connection (`RTP/AVP/TCP`).
        case tcp = "TCP"
    }

    /// The transport protocol profile, usually `RTP/AVP`.
    public var profile: String
    /// UDP or TCP.
    public var lowerTransport: LowerTransport
    /// Whether `multicast` (rather than `unicast`) was given.
    public var isMulticast: Bool
    /// The interleaved channels (RTP, RTCP) for TCP.
    public var interleaved: ChannelPair?
    /// The client's UDP ports (RTP, RTCP).
    public var clientPort: ChannelPair?
    /// The server's UDP ports (RTP, RTCP).
    public var serverPort: ChannelPair?
    /// The synchronisation source, as sent (hexadecimal).
    public var ssrc: String?
    /// The `mode` parameter, such as `PLAY`.
    public var mode: String?
    /// Parameters this type does not model, kept in order.
    public var otherParameters: [String]

    /// Two numbers such as `0-1`; the second defaults to the first plus one.
    public struct ChannelPair: Sendable, Equatable {
        /// The RTP channel or port.
        public var rtp: Int
        /// The RTCP channel or port.
        public var rtcp: Int

        /// Creates a pair.
        public init(rtp: Int, rtcp: Int) {
            self.rtp = rtp
            self.rtcp = rtcp
        }

        fileprivate init?(parsing text: String, maximum: Int) {
            let parts = text.split(separator: "-", omittingEmptySubsequences: false)
            guard parts.count <= 2, let first = Int(parts[0]), (0...maximum).contains(first) else { return nil }
            let second = parts.count == 2 ? Int(parts[1]) : first + 1
            guard let second, (0...maximum + 1).contains(second) else { return nil }
            self.init(rtp: first, rtcp: second)
        }

        fileprivate var text: String { "\(rtp)-\(rtcp)" }
    }

    /// Creates a transport description.
    public init(
        lowerTransport: LowerTransport, profile: String = "RTP/AVP", isMulticast: Bool = false,
        interleaved: ChannelPair? = nil, clientPort: ChannelPair? = nil, serverPort: ChannelPair? = nil,
        ssrc: String? = nil, mode: String? = nil, otherParameters: [String] = []
    ) {
        self.profile = profile
        self.lowerTransport = lowerTransport
        self.isMulticast = isMulticast
        self.interleaved = interleaved
        self.clientPort = clientPort
        self.serverPort = serverPort
        self.ssrc = ssrc
        self.mode = mode
        self.otherParameters = otherParameters
    }

    /// A unicast TCP-interleaved transport on `channels`.
    public static func tcp(interleaved channels: ChannelPair) -> RTSPTransport {
        RTSPTransport(lowerTransport: .tcp, interleaved: channels)
    }

    /// A unicast UDP transport with the client's ports.
    public static func udp(clientPort: ChannelPair) -> RTSPTransport {
        RTSPTransport(lowerTransport: .udp, clientPort: clientPort)
    }

    /// Parses every comma-separated entry of a `Transport` header; entries that are not RTP/AVP are skipped.
    public static func parseList(_ header: String) throws(RTSPHeaderError) -> [RTSPTransport] {
        var result: [RTSPTransport] = []
        for entry in header.split(separator: ",") {
            if let transport = try? RTSPTransport(parsing: String(entry)) { result.append(transport) }
        }
        guard !result.isEmpty else { throw .invalidTransport }
        return result
    }

    /// Parses one `Transport` entry such as `RTP/AVP/TCP;unicast;interleaved=0-1`.
    public init(parsing entry: String) throws(RTSPHeaderError) {
        let parts = entry.split(separator: ";").map { $0.trimmingASCIIWhitespace() }
        guard let spec = parts.first else { throw .invalidTransport }
        let specParts = spec.uppercased().split(separator: "/")
        guard specParts.count >= 2, specParts[0] == "RTP", specParts[1] == "AVP" || specParts[1] == "AVPF" else {
            throw .invalidTransport
        }
        let lower: LowerTransport
        switch specParts.count > 2 ? String(specParts[2]) : "UDP" {
        case "UDP": lower = .udp
        case "TCP": lower = .tcp
        default: throw .invalidTransport
        }
        self.init(lowerTransport: lower, profile: specParts[0...1].joined(separator: "/"))
        for parameter in parts.dropFirst() where !parameter.isEmpty {
            try apply(parameter: parameter)
        }
    }

    private mutating func apply(parameter: String) throws(RTSPHeaderError) {
        let (key, value) = parameter.splitOnce("=")
        switch (key.lowercased(), value) {
        case ("unicast", _): isMulticast = false
        case ("multicast", _): isMulticast = true
        case ("interleaved", let value?):
            guard let pair = ChannelPair(parsing: value, maximum: 254) else { throw .invalidTransport }
            interleaved = pair
        case ("client_port", let value?):
            guard let pair = ChannelPair(parsing: value, maximum: 65534) else { throw .invalidTransport }
            clientPort = pair
        case ("server_port", let value?):
            guard let pair = ChannelPair(parsing: value, maximum: 65534) else { throw .invalidTransport }
            serverPort = pair
        case ("ssrc", let value?): ssrc = value
        case ("mode", let value?): mode = value.unquoted()
        default: otherParameters.append(parameter)
        }
    }

    /// The header value, e.g. `RTP/AVP;unicast;client_port=5000-5001`.
    public var headerValue: String {
        var parts = [lowerTransport == .tcp ? "\(profile)/TCP" : profile, isMulticast ? "multicast" : "unicast"]
        if let interleaved { parts.append("interleaved=\(interleaved.text)") }
        if let clientPort { parts.append("client_port=\(clientPort.text)") }
        if let serverPort { parts.append("server_port=\(serverPort.text)") }
        if let ssrc { parts.append("ssrc=\(ssrc)") }
        if let mode { parts.append("mode=\(mode)") }
        parts.append(contentsOf: otherParameters)
        return parts.joined(separator: ";")
    }
}

/// Why a structured RTSP header could not be parsed.
public enum RTSPHeaderError: Error, Sendable, Equatable {
    /// The `Transport` header is not a valid RTP/AVP transport.
    case invalidTransport
    /// The `Session` header is empty or has a bad timeout.
    case invalidSession
    /// The `RTP-Info` header has an entry without `url`, or bad numbers.
    case invalidRTPInfo
    /// The `WWW-Authenticate` header is not a Basic or Digest challenge.
    case invalidChallenge
}
