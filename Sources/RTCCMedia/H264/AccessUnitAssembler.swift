/// Groups NAL units into access units by RTP timestamp and marker bit, drops broken ones, keeps
/// parameter sets current and waits for the first keyframe. Shared by H.264 and H.265.
struct AccessUnitAssembler<Rules: NALCodecRules>: Sendable {
    var parameterSets: Rules.ParameterSets
    let codec: VideoCodec
    let maximumAccessUnitSize: Int
    let maximumNALUnitCount: Int
    var statistics = DepacketizerStatistics()

    private var timestamp: UInt32?
    /// The RTP timestamp of the access unit being assembled.
    var currentTimestamp: UInt32? { timestamp }
    private var nalUnits: [[UInt8]] = []
    private var size = 0
    private var broken = false
    private var seenKeyframe = false
    private var unwrapper = TimestampUnwrapper()
    private var format: VideoFormat?
    private var formatIsStale = true

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

    /// Adds NAL units to the access unit being assembled.
    mutating func append(_ units: [[UInt8]]) throws(VideoDepacketizerError) {
        for unit in units {
            switch Rules.role(of: unit) {
            case .parameterSet:
                do {
                    if try parameterSets.update(with: unit) { formatIsStale = true }
                } catch {
                    broken = true
                    throw .invalidParameterSet(error)
                }
            case .discardable:
                continue
            default:
                // A broken access unit is dropped anyway: keep nothing of it.
                guard !broken else { continue }
                size += unit.count + 4
                nalUnits.append(unit)
                guard size <= maximumAccessUnitSize, nalUnits.count <= maximumNALUnitCount else {
                    broken = true
                    nalUnits.removeAll()
                    throw .accessUnitTooLarge
                }
            }
        }
    }

    /// Ends the access unit being assembled; returns it unless it was broken, empty or came
    /// before the first keyframe.
    mutating func finish() -> VideoAccessUnit? {
        defer {
            timestamp = nil
            nalUnits = []
            size = 0
            broken = false
        }
        guard let timestamp else { return nil }
        let extended = unwrapper.unwrap(timestamp)
        let roles = nalUnits.map(Rules.role(of:))
        let isKeyframe = roles.contains { if case .keyframeSlice = $0 { true } else { false } }
        let hasSlice = isKeyframe || roles.contains { if case .slice = $0 { true } else { false } }
        if broken {
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
        let units = isKeyframe ? parameterSets.nalUnits + nalUnits : nalUnits
        return VideoAccessUnit(codec: codec, nalUnits: units, isKeyframe: isKeyframe, rtpTimestamp: extended, format: format)
    }

    private mutating func currentFormat() -> VideoFormat? {
        if formatIsStale {
            format = try? parameterSets.videoFormat()
            formatIsStale = format == nil
        }
        return format
    }
}
