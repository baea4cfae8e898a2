/// The packet loop shared by the H.264 and H.265 depacketizers: sequence checks, error recovery
/// and hand-over to the access-unit assembler.
struct NALDepacketizerCore<Rules: NALCodecRules>: Sendable {
    var assembler: AccessUnitAssembler<Rules>
    private var fragment: [UInt8]?
    private var lastSequence: UInt16?
    private var pending: [VideoAccessUnit] = []

    init(parameterSets: Rules.ParameterSets, codec: VideoCodec, maximumAccessUnitSize: Int) {
        let size = min(max(maximumAccessUnitSize, 1024), 64 << 20)
        assembler = AccessUnitAssembler(
            parameterSets: parameterSets, codec: codec, maximumAccessUnitSize: size, maximumNALUnitCount: 4096)
    }

    mutating func process(_ packet: RTPPacket) throws(VideoDepacketizerError) -> [VideoAccessUnit] {
        assembler.statistics.packets += 1
        if let lastSequence, packet.sequenceNumber != lastSequence &+ 1 {
            let gap = Int(packet.sequenceNumber &- lastSequence &- 1)
            // A jump beyond the reorder buffer's dropout limit is a sender restart, not loss.
            if gap < 3000 { assembler.statistics.lostPackets += gap }
            fragment = nil
            assembler.markBroken()
            append(assembler.begin(timestamp: packet.timestamp))
            assembler.markBroken()
        } else {
            if fragment != nil, assembler.currentTimestamp != packet.timestamp {
                fragment = nil
                assembler.markBroken()
            }
            append(assembler.begin(timestamp: packet.timestamp))
        }
        lastSequence = packet.sequenceNumber
        do {
            let units = try Rules.nalUnits(
                fromPayload: packet.payload, fragment: &fragment, maximumSize: assembler.maximumAccessUnitSize)
            try assembler.append(units)
        } catch {
            let alreadyBroken = assembler.isBroken
            fragment = nil
            assembler.markBroken()
            if packet.marker { append(assembler.finish()) }
            // The rest of a fragmented NAL unit whose start was lost or refused adds no news.
            if alreadyBroken, error == .fragmentWithoutStart { return takePending() }
            throw error
        }
        if packet.marker {
            if fragment != nil { assembler.markBroken() }
            fragment = nil
            append(assembler.finish())
        }
        return takePending()
    }

    mutating func flush() -> [VideoAccessUnit] {
        fragment = nil
        append(assembler.finish())
        return takePending()
    }

    private mutating func takePending() -> [VideoAccessUnit] {
        defer { pending = [] }
        return pending
    }

    private mutating func append(_ unit: VideoAccessUnit?) {
        if let unit { pending.append(unit) }
    }
}
