import Foundation

/// Counts one track's RTP packets: loss from sequence numbers, frame rate from timestamps, and
/// parameter sets carried in band. Free of I/O.
struct ProbeTrackStatistics: Sendable {
    let codec: VideoCodec?
    private(set) var packetsReceived = 0
    /// RTP payload bytes received (for the bitrate).
    private(set) var payloadBytes = 0
    private(set) var senderReports = 0
    private(set) var ssrc: UInt32?
    private(set) var inBandParameterSets: [[UInt8]] = []
    private var firstSequence: Int64?
    private var highestSequence: Int64 = 0
    private var firstTimestamp: Int64?
    private var timestamps: Set<Int64> = []
    private var lowestTimestamp = Int64.max
    private var highestTimestamp = Int64.min
    private var timestampUnwrap = (last: UInt32(0), offset: Int64(0))

    init(codec: VideoCodec?) {
        self.codec = codec
    }

    /// Packets missing between the first and the highest sequence number seen.
    var packetsLost: Int {
        guard let firstSequence else { return 0 }
        return max(0, Int(highestSequence - firstSequence + 1) - packetsReceived)
    }

    /// Distinct frames per second of RTP time, once at least three frames arrived.
    func frameRate(clockRate: Int) -> Double? {
        guard timestamps.count >= 3, highestTimestamp > lowestTimestamp, clockRate > 0 else { return nil }
        let span = Double(highestTimestamp - lowestTimestamp) / Double(clockRate)
        return Double(timestamps.count - 1) / span
    }

    mutating func receivedSenderReport() {
        senderReports += 1
    }

    mutating func received(_ packet: RTPPacket) {
        packetsReceived += 1
        payloadBytes += packet.payload.count
        if ssrc != packet.ssrc {
            // A new source (a restarted camera) starts a new sequence and timestamp space.
            if ssrc != nil { resetCounters() }
            ssrc = packet.ssrc
        }
        countSequence(packet.sequenceNumber)
        countTimestamp(packet.timestamp)
        for unit in parameterSets(in: packet.payload) where !inBandParameterSets.contains(unit) {
            inBandParameterSets.append(unit)
        }
    }

    private mutating func resetCounters() {
        packetsReceived = 1
        firstSequence = nil
        firstTimestamp = nil
        timestamps = []
        lowestTimestamp = .max
        highestTimestamp = .min
    }

    private mutating func countSequence(_ sequence: UInt16) {
        guard let first = firstSequence else {
            firstSequence = Int64(sequence)
            highestSequence = Int64(sequence)
            return
        }
        // Extend to 64 bits around the highest seen (RFC 3550 appendix A.1).
        let base = highestSequence & ~0xFFFF
        var candidate = base | Int64(sequence)
        if candidate < highestSequence - 0x8000 { candidate += 0x1_0000 }
        if candidate > highestSequence + 0x8000 { candidate -= 0x1_0000 }
        if candidate >= first { highestSequence = max(highestSequence, candidate) }
    }

    private mutating func countTimestamp(_ timestamp: UInt32) {
        if firstTimestamp == nil {
            firstTimestamp = Int64(timestamp)
            timestampUnwrap = (timestamp, 0)
        }
        let delta = Int32(bitPattern: timestamp &- timestampUnwrap.last)
        let extended = Int64(timestampUnwrap.last) + timestampUnwrap.offset + Int64(delta)
        if delta > 0 {
            timestampUnwrap.offset = extended - Int64(timestamp)
            timestampUnwrap.last = timestamp
        }
        guard timestamps.count < 100_000 else { return }
        timestamps.insert(extended)
        lowestTimestamp = min(lowestTimestamp, extended)
        highestTimestamp = max(highestTimestamp, extended)
    }

    /// The parameter sets in one RTP payload: single NAL units, aggregation packets, and fragment starts.
    private func parameterSets(in payload: [UInt8]) -> [[UInt8]] {
        guard let codec, let header = payload.first else { return [] }
        let headerSize = codec == .h264 ? 1 : 2
        let type = codec == .h264 ? H264NALUnitType.of(header) : H265NALUnitType.of(header)
        let aggregate = codec == .h264 ? H264NALUnitType.stapA : H265NALUnitType.aggregationPacket
        if type == aggregate {
            var units: [[UInt8]] = []
            var offset = headerSize
            while offset + 2 <= payload.count {
                let size = Int(payload[offset]) << 8 | Int(payload[offset + 1])
                offset += 2
                guard size > 0, offset + size <= payload.count else { break }
                units.append(Array(payload[offset..<offset + size]))
                offset += size
            }
            return units.filter { SimulatorClip.isParameterSet($0, codec: codec) }
        }
        return SimulatorClip.isParameterSet(payload, codec: codec) ? [payload] : []
    }
}
