/// Groups NAL units into access units by RTP timestamp and marker bit, drops broken ones, keeps
/// parameter sets current and waits for the first keyframe. Shared by H.264 and H.265.
///
/// NAL units are written straight into the access unit's sample data, each behind its 4-byte length (the MP4 form),
/// and a fragmented NAL unit is reassembled in place there: every payload byte is copied once on its way from the
/// packet to the file.
struct AccessUnitAssembler<Rules: NALCodecRules>: Sendable {
    var parameterSets: Rules.ParameterSets
    let codec: VideoCodec
    let maximumAccessUnitSize: Int
    let maximumNALUnitCount: Int
    var statistics = DepacketizerStatistics()

    private var timestamp: UInt32?
    /// The RTP timestamp of the access unit being assembled.
    var currentTimestamp: UInt32? { timestamp }
    /// The NAL units kept so far, each behind its length (parameter sets and discardable units are not kept here).
    private var sample: [UInt8] = []
    private var nalUnitCount = 0
    private var hasKeyframeSlice = false
    private var hasSlice = false
    private var openFragment: OpenFragment?
    /// The size of the last access unit, to reserve room for the next.
    private var lastSampleSize = 0
    private var broken = false
    private var seenKeyframe = false
    private var unwrapper = TimestampUnwrapper()
    private var format: VideoFormat?
    private var formatIsStale = true

    /// Where the bytes of a fragmented NAL unit go until its last fragment.
    private enum OpenFragment {
        /// Into the sample, behind a length written when the unit is complete.
        case inSample(lengthAt: Int, role: NALRole)
        /// A parameter set, collected apart and absorbed when complete.
        case parameterSet([UInt8])
        /// Nowhere: the unit is not kept (discardable, or the access unit is broken).
        case discarded
    }

    init(parameterSets: Rules.ParameterSets, codec: VideoCodec, maximumAccessUnitSize: Int, maximumNALUnitCount: Int) {
        self.parameterSets = parameterSets
        self.codec = codec
        self.maximumAccessUnitSize = maximumAccessUnitSize
        self.maximumNALUnitCount = maximumNALUnitCount
    }

    /// Starts or continues the access unit of `packetTimestamp`; finishes the previous one if the
    /// timestamp changed.
    mutating func begin(timestamp packetTimestamp: UInt32) -> VideoAccessUnit? {
        guard let timestamp, timestamp != packetTimestamp else {
            self.timestamp = packetTimestamp
            return nil
        }
        let finished = finish()
        self.timestamp = packetTimestamp
        return finished
    }

    /// Whether the access unit being assembled will be dropped.
    var isBroken: Bool { broken }

    /// Marks the access unit being assembled as unusable.
    mutating func markBroken() {
        broken = true
    }

    /// Whether a fragmented NAL unit has begun and not ended.
    var hasOpenFragment: Bool { openFragment != nil }

    /// Forgets the fragmented NAL unit in progress (its end was lost or refused) and removes what the sample held of
    /// it; the caller marks the access unit broken when it must not be kept without that unit.
    mutating func dropFragment() {
        if case .inSample(let lengthAt, _) = openFragment, lengthAt <= sample.count {
            sample.removeSubrange(lengthAt...)
        }
        openFragment = nil
    }

    /// Adds one complete NAL unit (at least its header byte) to the access unit being assembled.
    mutating func appendNALUnit(_ unit: UnsafeBufferPointer<UInt8>) throws(VideoDepacketizerError) {
        guard let header = unit.first else { return }
        let role = Rules.role(ofHeader: header)
        switch role {
        case .parameterSet:
            try absorbParameterSet(Array(unit))
        case .discardable:
            return
        default:
            // A broken access unit is dropped anyway: keep nothing of it.
            guard !broken else { return }
            reserveRoomIfEmpty()
            sample.appendBigEndian(UInt32(truncatingIfNeeded: unit.count))
            sample.append(contentsOf: unit)
            try noteComplete(role)
        }
    }

    /// Begins a fragmented NAL unit whose reconstructed header is `first` (and `second` for two-byte headers).
    mutating func beginFragment(header first: UInt8, _ second: UInt8? = nil) {
        let role = Rules.role(ofHeader: first)
        switch role {
        case .parameterSet:
            openFragment = .parameterSet(second.map { [first, $0] } ?? [first])
        case .discardable:
            openFragment = .discarded
        default:
            guard !broken else {
                openFragment = .discarded
                return
            }
            reserveRoomIfEmpty()
            let lengthAt = sample.count
            sample.appendBigEndian(UInt32(0))
            sample.append(first)
            if let second { sample.append(second) }
            openFragment = .inSample(lengthAt: lengthAt, role: role)
        }
    }

    /// Adds the next bytes of the fragmented NAL unit in progress; `ends` completes it.
    mutating func continueFragment(_ bytes: UnsafeBufferPointer<UInt8>, ends: Bool) throws(VideoDepacketizerError) {
        guard let fragment = openFragment else { throw .fragmentWithoutStart }
        switch fragment {
        case .inSample(let lengthAt, let role):
            guard !broken else {
                openFragment = ends ? nil : .discarded
                return
            }
            sample.append(contentsOf: bytes)
            guard sample.count <= maximumAccessUnitSize else {
                openFragment = nil
                throw tooLarge()
            }
            guard ends else { return }
            openFragment = nil
            let length = UInt32(truncatingIfNeeded: sample.count - lengthAt - 4)
            sample[lengthAt] = UInt8(truncatingIfNeeded: length >> 24)
            sample[lengthAt + 1] = UInt8(truncatingIfNeeded: length >> 16)
            sample[lengthAt + 2] = UInt8(truncatingIfNeeded: length >> 8)
            sample[lengthAt + 3] = UInt8(truncatingIfNeeded: length)
            try noteComplete(role)
        case .parameterSet(var unit):
            openFragment = nil
            unit.append(contentsOf: bytes)
            guard unit.count <= maximumAccessUnitSize else { throw .accessUnitTooLarge }
            if ends {
                try absorbParameterSet(unit)
            } else {
                openFragment = .parameterSet(unit)
            }
        case .discarded:
            if ends { openFragment = nil }
        }
    }

    /// Ends the access unit being assembled; returns it unless it was broken, empty or came
    /// before the first keyframe.
    mutating func finish() -> VideoAccessUnit? {
        dropFragment()
        let data = sample
        let isKeyframe = hasKeyframeSlice
        let hasSlice = isKeyframe || self.hasSlice
        let wasBroken = broken
        if !data.isEmpty { lastSampleSize = data.count }
        sample = []
        nalUnitCount = 0
        hasKeyframeSlice = false
        self.hasSlice = false
        openFragment = nil
        broken = false
        guard let timestamp else { return nil }
        self.timestamp = nil
        let extended = unwrapper.unwrap(timestamp)
        if wasBroken {
            statistics.droppedAccessUnits += 1
            return nil
        }
        guard hasSlice else { return nil }
        guard seenKeyframe || (isKeyframe && parameterSets.isComplete) else {
            statistics.skippedBeforeKeyframe += 1
            return nil
        }
        guard let format = currentFormat() else {
            statistics.droppedAccessUnits += 1
            return nil
        }
        seenKeyframe = true
        statistics.accessUnits += 1
        // Parameter sets go before every keyframe (a copy of one picture in each group of pictures).
        let sampleData = isKeyframe ? AnnexB.lengthPrefixed(parameterSets.nalUnits) + data : data
        return VideoAccessUnit(codec: codec, sampleData: sampleData, isKeyframe: isKeyframe, rtpTimestamp: extended, format: format)
    }

    private mutating func absorbParameterSet(_ unit: [UInt8]) throws(VideoDepacketizerError) {
        do {
            if try parameterSets.update(with: unit) { formatIsStale = true }
        } catch {
            broken = true
            throw .invalidParameterSet(error)
        }
    }

    /// Counts a NAL unit now complete in the sample.
    private mutating func noteComplete(_ role: NALRole) throws(VideoDepacketizerError) {
        nalUnitCount += 1
        switch role {
        case .keyframeSlice: hasKeyframeSlice = true
        case .slice: hasSlice = true
        default: break
        }
        guard sample.count <= maximumAccessUnitSize, nalUnitCount <= maximumNALUnitCount else { throw tooLarge() }
    }

    /// Drops what was kept of an access unit that grew too large, and says so.
    private mutating func tooLarge() -> VideoDepacketizerError {
        broken = true
        sample = []
        return .accessUnitTooLarge
    }

    /// Reserves room for a picture about the size of the last one, so that appending does not regrow the sample
    /// (each regrowth copies it).
    private mutating func reserveRoomIfEmpty() {
        guard sample.isEmpty else { return }
        sample.reserveCapacity(min(lastSampleSize + lastSampleSize / 4 + 256, maximumAccessUnitSize))
    }

    private mutating func currentFormat() -> VideoFormat? {
        if formatIsStale {
            format = try? parameterSets.videoFormat()
            formatIsStale = format == nil
        }
        return format
    }
}
