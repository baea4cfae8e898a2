/// Writes fragmented MP4 (ISO/IEC 14496-12, CMAF-style) for one video track and an optional AAC
/// audio track: an initialization segment once, then media fragments (`moof` + `mdat`).
///
/// Video is track 1, audio track 2. Decode times are kept per track and advance by the sample
/// durations; set `nextVideoDecodeTime` / `nextAudioDecodeTime` to start elsewhere.
public struct FMP4Muxer: Sendable {
    /// The video track's format.
    public let video: VideoFormat
    /// The video track's timescale (ticks per second); 90 000 matches RTP.
    public let videoTimescale: UInt32
    /// The audio track's format, if there is one.
    public let audio: AACAudioFormat?
    /// The largest fragment written, in bytes.
    public let maximumFragmentSize: Int
    /// The decode time of the next video sample, in `videoTimescale` ticks.
    public var nextVideoDecodeTime: UInt64 = 0
    /// The decode time of the next audio sample, in audio sample-rate ticks.
    public var nextAudioDecodeTime: UInt64 = 0
    /// The sequence number of the next fragment (`mfhd`), starting at 1.
    public private(set) var nextSequenceNumber: UInt32 = 1

    static let videoTrackID: UInt32 = 1
    static let audioTrackID: UInt32 = 2

    /// Creates a muxer for a video track and, optionally, an AAC track.
    public init(video: VideoFormat, videoTimescale: UInt32 = 90_000, audio: AACAudioFormat? = nil, maximumFragmentSize: Int = 256 << 20) {
        self.video = video
        self.videoTimescale = max(videoTimescale, 1)
        self.audio = audio
        self.maximumFragmentSize = min(max(maximumFragmentSize, 1024), Int(UInt32.max) - 65_536)
    }

    /// The MIME type with codecs, for Media Source Extensions, e.g. `video/mp4; codecs="avc1.64001F"`.
    public var mimeType: String {
        let codecs = [video.codecString] + (audio.map { [$0.codecString] } ?? [])
        return "video/mp4; codecs=\"\(codecs.joined(separator: ","))\""
    }

    /// The initialization segment: `ftyp` and `moov` with empty sample tables and `mvex`.
    public func initializationSegment() -> [UInt8] {
        var writer = MP4BoxWriter()
        writer.box("ftyp") { ftyp in
            ftyp.fourCC("iso5")
            ftyp.uint32(512)
            for brand in ["iso5", "iso6", "isom", "mp41", "dash"] { ftyp.fourCC(brand) }
        }
        writer.box("moov") { moov in
            writeMovieHeader(&moov)
            writeVideoTrack(&moov)
            if let audio { writeAudioTrack(&moov, audio) }
            moov.box("mvex") { mvex in
                writeTrackExtends(&mvex, trackID: Self.videoTrackID)
                if audio != nil { writeTrackExtends(&mvex, trackID: Self.audioTrackID) }
            }
        }
        return writer.bytes
    }

    /// Writes one media fragment holding the given samples (one or many per track).
    public mutating func fragment(video videoSamples: [FMP4Sample], audio audioSamples: [FMP4Sample] = []) throws(FMP4MuxerError) -> [UInt8] {
        var out = try fragmentHeader(video: videoSamples, audio: audioSamples)
        for sample in videoSamples { out += sample.data }
        for sample in audioSamples { out += sample.data }
        return out
    }

    /// Writes the start of one media fragment: `moof` and the `mdat` header. The fragment is these bytes followed by
    /// the data of every video sample, then of every audio sample, in order; a writer that has the samples' data in
    /// hand writes it from there (`writev`) instead of copying it into one buffer.
    public mutating func fragmentHeader(video videoSamples: [FMP4Sample], audio audioSamples: [FMP4Sample] = []) throws(FMP4MuxerError) -> [UInt8] {
        guard !videoSamples.isEmpty || !audioSamples.isEmpty else { throw .noSamples }
        guard audioSamples.isEmpty || audio != nil else { throw .noAudioTrack }
        let payload = videoSamples.reduce(0) { $0 + $1.data.count } + audioSamples.reduce(0) { $0 + $1.data.count }
        guard payload <= maximumFragmentSize else { throw .fragmentTooLarge }
        var runs: [TrackRun] = []
        if !videoSamples.isEmpty { runs.append(TrackRun(trackID: Self.videoTrackID, baseDecodeTime: nextVideoDecodeTime, samples: videoSamples)) }
        if !audioSamples.isEmpty { runs.append(TrackRun(trackID: Self.audioTrackID, baseDecodeTime: nextAudioDecodeTime, samples: audioSamples)) }
        let sequence = nextSequenceNumber
        let moofSize = Self.movieFragment(sequence: sequence, runs: runs, moofSize: 0).count
        var out = Self.movieFragment(sequence: sequence, runs: runs, moofSize: moofSize)
        out.appendBigEndian(UInt32(8 + payload))
        out += Array("mdat".utf8)
        nextSequenceNumber &+= 1
        nextVideoDecodeTime += videoSamples.reduce(0) { $0 + UInt64($1.duration) }
        nextAudioDecodeTime += audioSamples.reduce(0) { $0 + UInt64($1.duration) }
        return out
    }

    struct TrackRun {
        var trackID: UInt32
        var baseDecodeTime: UInt64
        var samples: [FMP4Sample]
    }

    /// Writes `moof`; `moofSize` is used for the data offsets (0 on the measuring pass).
    static func movieFragment(sequence: UInt32, runs: [TrackRun], moofSize: Int) -> [UInt8] {
        var writer = MP4BoxWriter()
        var dataOffset = moofSize + 8
        writer.box("moof") { moof in
            moof.fullBox("mfhd", version: 0, flags: 0) { $0.uint32(sequence) }
            for run in runs {
                moof.box("traf") { traf in
                    traf.fullBox("tfhd", version: 0, flags: 0x02_0000) { $0.uint32(run.trackID) }
                    traf.fullBox("tfdt", version: 1, flags: 0) { $0.uint64(run.baseDecodeTime) }
                    traf.fullBox("trun", version: 1, flags: 0x000F01) { trun in
                        trun.uint32(UInt32(run.samples.count))
                        trun.int32(Int32(clamping: dataOffset))
                        for sample in run.samples {
                            trun.uint32(sample.duration)
                            trun.uint32(UInt32(clamping: sample.data.count))
                            trun.uint32(sample.flags)
                            trun.int32(sample.compositionOffset)
                        }
                    }
                }
                dataOffset += run.samples.reduce(0) { $0 + $1.data.count }
            }
        }
        return writer.bytes
    }
}
