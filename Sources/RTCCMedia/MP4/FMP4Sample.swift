/// One sample of a fragment: a video access unit or an audio frame.
public struct FMP4Sample: Sendable, Hashable {
    /// The sample bytes (length-prefixed NAL units for video, a raw AAC frame for audio).
    public var data: [UInt8]
    /// Decode duration in the track's timescale.
    public var duration: UInt32
    /// Presentation time minus decode time, in the track's timescale; non-zero with B-frames.
    public var compositionOffset: Int32
    /// Whether decoding can start at this sample.
    public var isSync: Bool

    /// Creates a sample from its fields.
    public init(data: [UInt8], duration: UInt32, compositionOffset: Int32 = 0, isSync: Bool) {
        self.data = data
        self.duration = duration
        self.compositionOffset = compositionOffset
        self.isSync = isSync
    }

    /// Creates a sample from a video access unit.
    public init(accessUnit: VideoAccessUnit, duration: UInt32, compositionOffset: Int32 = 0) {
        self.init(data: accessUnit.sampleData, duration: duration, compositionOffset: compositionOffset, isSync: accessUnit.isKeyframe)
    }

    /// The `trun` sample flags (ISO/IEC 14496-12 section 8.8.3.1).
    var flags: UInt32 {
        isSync ? 0x0200_0000 : 0x0101_0000
    }
}

/// An AAC audio track description (MPEG-4 Audio, carried as `mp4a` with an `esds` box).
public struct AACAudioFormat: Sendable, Hashable {
    /// Samples per second; also the track timescale.
    public var sampleRate: Int
    /// Number of channels.
    public var channelCount: Int
    /// The AudioSpecificConfig bytes (SDP `config=` of mpeg4-generic, in binary).
    public var audioSpecificConfig: [UInt8]

    /// Creates a format from its fields.
    public init(sampleRate: Int, channelCount: Int, audioSpecificConfig: [UInt8]) {
        self.sampleRate = sampleRate
        self.channelCount = channelCount
        self.audioSpecificConfig = audioSpecificConfig
    }

    /// The RFC 6381 codec string (`mp4a.40.` and the audio object type).
    public var codecString: String {
        let objectType = audioSpecificConfig.first.map { Int($0 >> 3) } ?? 2
        return "mp4a.40.\(objectType)"
    }
}

/// Why a fragment could not be written.
public enum FMP4MuxerError: Error, Sendable, Hashable {
    /// A fragment was requested with no sample in any track.
    case noSamples
    /// Audio samples were given but the muxer has no audio track.
    case noAudioTrack
    /// The samples add up to more than a fragment can address (4 GiB, or `maximumFragmentSize`).
    case fragmentTooLarge
}
