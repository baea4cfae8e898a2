/// The packet loop shared by the H.264 and H.265 depacketizers: sequence checks, error recovery
/// and hand-over to the access-unit assembler.
struct NALDepacketizerCore<Rules: NALCodecRules>: Sendable {
    var assembler: AccessUnitAssembler<Rules>
    private var lastSequence: UInt16?
    private var pending: [VideoAccessUnit] = []

    init(parameterSets: Rules.ParameterSets, codec: VideoCodec, maximumAccessUnitSize: Int) {
        let size = min(max(maximumAccessUnitSize, 1024), 64 << 20)
        assembler = AccessUnitAssembler(
            parameterSets: parameterSets, codec: codec, maximumAccessUnitSize: size, maximumNALUnitCount: 4096)
    }

    mutating func process(_ packet: RTPPacket) throws(VideoDepacketizerError) -> [VideoAccessUnit] {
        let result = packet.payload.withUnsafeBufferPointer { payload in
            Result { () throws(VideoDepacketizerError) in
                try process(sequenceNumber: packet.sequenceNumber, timestamp: packet.timestamp, marker: packet.marker, payload: payload)
            }
        }
        return try result.get()
    }

    /// Processes the packet whose header says `sequenceNumber`, `timestamp` and `marker`, its payload read where it lies.
    mutating func process(
        sequenceNumber: UInt16, timestamp: UInt32, marker: Bool, payload: UnsafeBufferPointer<UInt8>
    ) throws(VideoDepacketizerError) -> [VideoAccessUnit] {
        assembler.statistics.packets += 1
        if let lastSequence, sequenceNumber != lastSequence &+ 1 {
            let gap = Int(sequenceNumber &- lastSequence &- 1)
            // A jump beyond the reorder buffer's dropout limit is a sender restart, not loss.
            if gap < 3000 { assembler.statistics.lostPackets += gap }
            assembler.dropFragment()
            assembler.markBroken()
            append(assembler.begin(timestamp: timestamp))
            assembler.markBroken()
        } else {
            if assembler.hasOpenFragment, assembler.currentTimestamp != timestamp {
                assembler.dropFragment()
                assembler.markBroken()
            }
            append(assembler.begin(timestamp: timestamp))
        }
        lastSequence = sequenceNumber
        do {
            try Rules.depacketize(payload, into: &assembler)
        } catch {
            let alreadyBroken = assembler.isBroken
            assembler.dropFragment()
            assembler.markBroken()
            if marker { append(assembler.finish()) }
            // The rest of a fragmented NAL unit whose start was lost or refused adds no news.
            if alreadyBroken, error == .fragmentWithoutStart { return takePending() }
            throw error
        }
        if marker {
            if assembler.hasOpenFragment { assembler.markBroken() }
            assembler.dropFragment()
            append(assembler.finish())
        }
        return takePending()
    }

    mutating func flush() -> [VideoAccessUnit] {
        assembler.dropFragment()
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
