import NIOCore

/// Splits one access unit's NAL units into RTP payloads: single NAL unit packets, fragmentation units
/// for units over the payload limit, and (optionally) aggregation packets for runs of small units.
///
/// H.264 follows RFC 6184 (packetization-mode 1: STAP-A, FU-A); H.265 follows RFC 7798 (AP, FU, no DONL).
struct NALPayloadBuilder: Sendable {
    let codec: VideoCodec
    let maximumPayloadSize: Int
    let aggregates: Bool

    /// The size of the NAL unit header: 1 byte for H.264, 2 for H.265.
    private var headerSize: Int { codec == .h264 ? 1 : 2 }

    init(codec: VideoCodec, maximumPayloadSize: Int, aggregates: Bool) {
        self.codec = codec
        // Room for the headers of a fragment plus at least one byte of data.
        self.maximumPayloadSize = Swift.max(maximumPayloadSize, 8)
        self.aggregates = aggregates
    }

    /// The payloads for `nalUnits`, in order; empty units (and units shorter than their header) are skipped.
    func payloads(for nalUnits: [[UInt8]]) -> [[UInt8]] {
        var payloads: [[UInt8]] = []
        var pending: [[UInt8]] = []
        func flushPending() {
            if pending.count == 1, let only = pending.first {
                payloads.append(only)
            } else if pending.count > 1 {
                payloads.append(aggregate(pending))
            }
            pending.removeAll()
        }
        for unit in nalUnits where unit.count > headerSize {
            if unit.count > maximumPayloadSize {
                flushPending()
                payloads.append(contentsOf: fragment(unit))
                continue
            }
            guard aggregates else {
                payloads.append(unit)
                continue
            }
            if aggregateSize(pending + [unit]) > maximumPayloadSize { flushPending() }
            if aggregateSize([unit]) > maximumPayloadSize {
                payloads.append(unit)
            } else {
                pending.append(unit)
            }
        }
        flushPending()
        return payloads
    }

    /// The size of an aggregation packet holding `units`: its header plus a 16-bit size before each unit.
    private func aggregateSize(_ units: [[UInt8]]) -> Int {
        units.reduce(headerSize) { $0 + 2 + $1.count }
    }

    private func aggregate(_ units: [[UInt8]]) -> [UInt8] {
        var payload: [UInt8] = []
        payload.reserveCapacity(aggregateSize(units))
        switch codec {
        case .h264:
            // F is the OR of the aggregated F bits; NRI the maximum NRI (RFC 6184 section 5.7.1).
            let forbidden = units.reduce(UInt8(0)) { $0 | ($1[0] & 0x80) }
            let nri = units.reduce(UInt8(0)) { Swift.max($0, $1[0] & 0x60) }
            payload.append(forbidden | nri | H264NALUnitType.stapA)
        case .h265:
            // The lowest LayerId and TemporalId of the aggregated units (RFC 7798 section 4.4.2).
            let forbidden = units.reduce(UInt8(0)) { $0 | ($1[0] & 0x80) }
            let layer = units.map { (UInt16($0[0] & 0x01) << 5) | UInt16($0[1] >> 3) }.min() ?? 0
            let temporal = units.map { $0[1] & 0x07 }.min() ?? 1
            payload.append(forbidden | (H265NALUnitType.aggregationPacket << 1) | UInt8(layer >> 5))
            payload.append(UInt8((layer & 0x1F) << 3) | Swift.max(temporal, 1))
        }
        for unit in units {
            payload.append(UInt8(truncatingIfNeeded: unit.count >> 8))
            payload.append(UInt8(truncatingIfNeeded: unit.count))
            payload.append(contentsOf: unit)
        }
        return payload
    }

    private func fragment(_ unit: [UInt8]) -> [[UInt8]] {
        let prefix: [UInt8]
        let type: UInt8
        switch codec {
        case .h264:
            prefix = [(unit[0] & 0xE0) | H264NALUnitType.fuA]
            type = H264NALUnitType.of(unit[0])
        case .h265:
            prefix = [(unit[0] & 0x81) | (H265NALUnitType.fragmentationUnit << 1), unit[1]]
            type = H265NALUnitType.of(unit[0])
        }
        let chunk = maximumPayloadSize - prefix.count - 1
        var fragments: [[UInt8]] = []
        var start = headerSize
        while start < unit.count {
            let end = Swift.min(start + chunk, unit.count)
            var fuHeader = type
            if start == headerSize { fuHeader |= 0x80 }
            if end == unit.count { fuHeader |= 0x40 }
            var payload = prefix
            payload.reserveCapacity(prefix.count + 1 + end - start)
            payload.append(fuHeader)
            payload.append(contentsOf: unit[start..<end])
            fragments.append(payload)
            start = end
        }
        return fragments
    }
}

/// Writes RTP packets (RFC 3550, version 2, no CSRCs or extension) straight into byte buffers.
enum RTPPacketWriter {
    /// The size of the fixed RTP header.
    static let headerSize = 12

    /// One serialized RTP packet.
    static func buffer(
        payload: [UInt8], marker: Bool, payloadType: UInt8, sequenceNumber: UInt16, timestamp: UInt32, ssrc: UInt32,
        allocator: ByteBufferAllocator = ByteBufferAllocator()
    ) -> ByteBuffer {
        var buffer = allocator.buffer(capacity: headerSize + payload.count)
        buffer.writeInteger(UInt8(0x80))
        buffer.writeInteger((marker ? 0x80 : 0) | (payloadType & 0x7F))
        buffer.writeInteger(sequenceNumber)
        buffer.writeInteger(timestamp)
        buffer.writeInteger(ssrc)
        buffer.writeBytes(payload)
        return buffer
    }
}
