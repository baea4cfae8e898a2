import Foundation

/// A short H.264 or H.265 clip, split into access units in decode order, that a ``SimulatedCamera`` loops.
///
/// Load an Annex B elementary stream with ``init(annexB:codec:frameRate:)`` or make one with
/// ``generate(codec:width:height:fps:seconds:bitrate:into:logger:)``. The clip starts at its first keyframe and every
/// keyframe carries the parameter sets in band. Presentation order comes from the slice headers' picture
/// order count, so clips with B-frames get correct RTP timestamps.
public struct SimulatorClip: Sendable {
    /// One coded picture of the clip.
    public struct AccessUnit: Sendable, Equatable {
        /// The NAL units, without start codes.
        public var nalUnits: [[UInt8]]
        /// Whether decoding can start here (IDR/IRAP picture, parameter sets included).
        public var isKeyframe: Bool
        /// The picture's place in presentation order, counted in frames from the start of the clip.
        public var presentationIndex: Int

        /// Creates an access unit.
        public init(nalUnits: [[UInt8]], isKeyframe: Bool, presentationIndex: Int) {
            self.nalUnits = nalUnits
            self.isKeyframe = isKeyframe
            self.presentationIndex = presentationIndex
        }
    }

    /// The codec.
    public let codec: VideoCodec
    /// Frames per second.
    public let frameRate: Double
    /// The pictures in decode order; the first is a keyframe.
    public let accessUnits: [AccessUnit]
    /// The parameter sets in SDP order: SPS, PPS (H.264) or VPS, SPS, PPS (H.265).
    public let parameterSets: [[UInt8]]
    /// The picture width in pixels, from the SPS.
    public let width: Int
    /// The picture height in pixels, from the SPS.
    public let height: Int

    /// How long one pass through the clip lasts.
    public var duration: Duration { .seconds(Double(accessUnits.count) / frameRate) }

    /// Loads an Annex B elementary stream.
    public init(annexB stream: [UInt8], codec: VideoCodec, frameRate: Double) throws(SimulatorError) {
        guard frameRate > 0, frameRate <= 240 else { throw .invalidConfiguration("frame rate \(frameRate) is not in 0<fps≤240") }
        let groups = AnnexB.groupAccessUnits(AnnexB.split(stream), codec: codec)
        let format = try Self.parameterSets(in: groups, codec: codec)
        guard let first = groups.firstIndex(where: { Self.isKeyframe($0, codec: codec) }) else {
            throw .invalidClip("no keyframe")
        }
        let pictures = Array(groups[first...]).filter { $0.contains { Self.isSlice($0, codec: codec) } }
        let order = PictureOrderCounter.presentationIndices(pictures, codec: codec)
        self.codec = codec
        self.frameRate = frameRate
        self.parameterSets = format.sets
        self.width = format.width
        self.height = format.height
        self.accessUnits = pictures.indices.map { index in
            let units = pictures[index]
            let keyframe = Self.isKeyframe(units, codec: codec)
            let withSets = keyframe && !units.contains { Self.isParameterSet($0, codec: codec) } ? format.sets + units : units
            return AccessUnit(nalUnits: withSets, isKeyframe: keyframe, presentationIndex: order[index])
        }
    }

    /// Loads an Annex B elementary stream file (`.264`/`.h264`/`.265`/`.hevc`).
    public init(contentsOf url: URL, codec: VideoCodec, frameRate: Double) throws(SimulatorError) {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw .fileAccess(path: url.path, reason: "\(error)")
        }
        try self.init(annexB: [UInt8](data), codec: codec, frameRate: frameRate)
    }

    /// The parameter sets as base64, in SDP order.
    public var parameterSetsBase64: [String] { parameterSets.map { Data($0).base64EncodedString() } }

    static func isSlice(_ unit: [UInt8], codec: VideoCodec) -> Bool {
        guard let header = unit.first else { return false }
        return codec == .h264 ? H264NALUnitType.isSlice(H264NALUnitType.of(header)) : H265NALUnitType.isSlice(H265NALUnitType.of(header))
    }

    static func isKeyframe(_ units: [[UInt8]], codec: VideoCodec) -> Bool {
        units.contains { unit in
            guard let header = unit.first else { return false }
            return codec == .h264 ? H264NALUnitType.of(header) == H264NALUnitType.idrSlice : H265NALUnitType.isIRAP(H265NALUnitType.of(header))
        }
    }

    static func isParameterSet(_ unit: [UInt8], codec: VideoCodec) -> Bool {
        guard let header = unit.first else { return false }
        return codec == .h264 ? (7...8).contains(H264NALUnitType.of(header)) : (32...34).contains(H265NALUnitType.of(header))
    }

    private static func parameterSets(in groups: [[[UInt8]]], codec: VideoCodec) throws(SimulatorError) -> (sets: [[UInt8]], width: Int, height: Int)
    {
        switch codec {
        case .h264:
            var sets = H264ParameterSets()
            for unit in groups.joined() where isParameterSet(unit, codec: codec) && !sets.isComplete { _ = try? sets.update(with: unit) }
            guard let sps = sets.parsedSPS, sets.isComplete else { throw .invalidClip("no H.264 SPS and PPS") }
            return (sets.nalUnits, sps.width, sps.height)
        case .h265:
            var sets = H265ParameterSets()
            for unit in groups.joined() where isParameterSet(unit, codec: codec) && !sets.isComplete { _ = try? sets.update(with: unit) }
            guard let sps = sets.parsedSPS, sets.isComplete else { throw .invalidClip("no H.265 VPS, SPS and PPS") }
            return (sets.nalUnits, sps.width, sps.height)
        }
    }
}
