/// What ``StreamProbe`` found out about a stream: readable as text (``description``) and `Codable` as JSON.
public struct ProbeReport: Sendable, Codable, Equatable {
    /// One media track.
    public struct Track: Sendable, Codable, Equatable {
        /// The position in the client's track list (video first).
        public var index: Int
        /// The SDP media type: `video`, `audio`, …
        public var mediaType: String
        /// The RTP encoding name from `a=rtpmap` (`H264`, `H265`, `MPEG4-GENERIC`, …).
        public var encoding: String
        /// The RTP payload type.
        public var payloadType: Int
        /// The RTP clock rate in Hz.
        public var clockRate: Int
        /// The transport the server confirmed for this track: `tcp` or `udp`.
        public var transport: String
        /// The picture width from the SPS, if known.
        public var width: Int?
        /// The picture height from the SPS, if known.
        public var height: Int?
        /// The profile name from the SPS (`Main`, `High`, `Main 10`…), if known.
        public var profile: String?
        /// The level from the SPS (`3.1`), if known.
        public var level: String?
        /// The RFC 6381 codec string (`avc1.4d401f`, `hvc1.1.6.L93.B0`), if known.
        public var codecString: String?
        /// The frame rate announced in the SDP (`a=framerate`), if any.
        public var announcedFrameRate: Double?
        /// The frame rate measured from RTP timestamps, if enough frames arrived.
        public var measuredFrameRate: Double?
        /// Parameter sets from the SDP, base64 (SPS, PPS or VPS, SPS, PPS).
        public var parameterSetsFromSDP: [String]
        /// Distinct parameter sets seen in the RTP stream, base64, in the order first seen.
        public var parameterSetsInBand: [String]
        /// The SSRC of the last RTP packet, if any arrived.
        public var ssrc: UInt32?
        /// RTP packets received.
        public var packetsReceived: Int
        /// RTP packets missing from the sequence number range received.
        public var packetsLost: Int
        /// RTCP sender reports received.
        public var senderReports: Int
        /// RTP payload bytes received while measuring (nil in reports written before it was counted).
        public var payloadBytes: Int?

        /// Creates a track report.
        public init(index: Int, mediaType: String, encoding: String, payloadType: Int, clockRate: Int, transport: String) {
            self.index = index
            self.mediaType = mediaType
            self.encoding = encoding
            self.payloadType = payloadType
            self.clockRate = clockRate
            self.transport = transport
            self.parameterSetsFromSDP = []
            self.parameterSetsInBand = []
            self.packetsReceived = 0
            self.packetsLost = 0
            self.senderReports = 0
        }
    }

    /// The URL probed, without credentials.
    public var url: String
    /// The transport used in the end: `tcp`, `udp` or `mixed`.
    public var transport: String
    /// Whether the client fell back from UDP to TCP.
    public var fellBackToTCP: Bool
    /// The SDP session name.
    public var sessionName: String
    /// How long media was measured, in seconds.
    public var measuredSeconds: Double
    /// The tracks set up, video first.
    public var tracks: [Track]

    /// Creates a report.
    public init(url: String, transport: String, fellBackToTCP: Bool, sessionName: String, measuredSeconds: Double, tracks: [Track]) {
        self.url = url
        self.transport = transport
        self.fellBackToTCP = fellBackToTCP
        self.sessionName = sessionName
        self.measuredSeconds = measuredSeconds
        self.tracks = tracks
    }
}

extension ProbeReport: CustomStringConvertible {
    /// The report as a few readable lines.
    public var description: String {
        var lines = ["\(url) — transport \(transport)\(fellBackToTCP ? " (fell back from UDP)" : ""), measured \(Self.format(measuredSeconds)) s"]
        if !sessionName.isEmpty, sessionName != "-" { lines.append("  session: \(sessionName)") }
        for track in tracks {
            var head =
                "  track \(track.index): \(track.mediaType) \(track.encoding)/\(track.clockRate) pt \(track.payloadType) over \(track.transport)"
            if let codecString = track.codecString { head += " [\(codecString)]" }
            lines.append(head)
            var picture: [String] = []
            if let width = track.width, let height = track.height { picture.append("\(width)x\(height)") }
            if let profile = track.profile { picture.append("profile \(profile)") }
            if let level = track.level { picture.append("level \(level)") }
            if let fps = track.measuredFrameRate { picture.append("\(Self.format(fps)) fps measured") }
            if let fps = track.announcedFrameRate { picture.append("\(Self.format(fps)) fps announced") }
            if !picture.isEmpty { lines.append("    " + picture.joined(separator: ", ")) }
            var packets = "    packets: \(track.packetsReceived) received, \(track.packetsLost) lost, \(track.senderReports) sender reports"
            if let ssrc = track.ssrc { packets += ", ssrc \(String(ssrc, radix: 16))" }
            lines.append(packets)
            if !track.parameterSetsFromSDP.isEmpty { lines.append("    parameter sets (SDP): \(track.parameterSetsFromSDP.joined(separator: " "))") }
            if !track.parameterSetsInBand.isEmpty {
                lines.append("    parameter sets (in band): \(track.parameterSetsInBand.joined(separator: " "))")
            }
        }
        return lines.joined(separator: "\n")
    }

    private static func format(_ value: Double) -> String {
        let rounded = (value * 100).rounded() / 100
        return rounded == rounded.rounded() ? String(Int(rounded)) : String(rounded)
    }
}
