import Foundation
import NIOCore

/// Why a camera session cannot be recorded.
public enum CameraRecorderError: Error, Sendable, Hashable {
    /// The session description has no video stream.
    case noVideoTrack
    /// The video codec is neither H.264 nor H.265 (the `rtpmap` encoding name).
    case unsupportedCodec(String)
}

/// The H.264 or H.265 depacketizer of a session, chosen from its `rtpmap`.
///
/// Two optionals rather than an enum with payloads: a payload can only be changed by copying it out and back, and the
/// copy would duplicate the half-assembled picture at every packet; `h264!.process(_:)` changes it in place.
struct SessionDepacketizer: Sendable {
    private var h264: H264Depacketizer?
    private var h265: H265Depacketizer?

    init(encodingName: String, parameters: SDPFormatParameters) throws(CameraRecorderError) {
        switch encodingName.uppercased() {
        case "H264":
            var sets = H264ParameterSets()
            for unit in parameters.h264ParameterSets { _ = try? sets.update(with: unit) }
            h264 = H264Depacketizer(parameterSets: sets)
        case "H265", "HEVC":
            var sets = H265ParameterSets()
            for unit in parameters.h265VPS + parameters.h265SPS + parameters.h265PPS { _ = try? sets.update(with: unit) }
            h265 = H265Depacketizer(parameterSets: sets)
        default:
            throw .unsupportedCodec(encodingName)
        }
    }

    mutating func process(_ packet: RTPPacket) throws(VideoDepacketizerError) -> [VideoAccessUnit] {
        if h264 != nil { return try h264!.process(packet) }
        if h265 != nil { return try h265!.process(packet) }
        return []
    }

    mutating func process(_ header: RTPHeader, payload: UnsafeBufferPointer<UInt8>) throws(VideoDepacketizerError) -> [VideoAccessUnit] {
        if h264 != nil { return try h264!.process(header, payload: payload) }
        if h265 != nil { return try h265!.process(header, payload: payload) }
        return []
    }

    mutating func flush() -> [VideoAccessUnit] {
        if h264 != nil { return h264!.flush() }
        if h265 != nil { return h265!.flush() }
        return []
    }

    var lostPackets: Int { h264?.statistics.lostPackets ?? h265?.statistics.lostPackets ?? 0 }
}

/// Turns the video track of one RTSP session into timed frames: RTP parsing, reordering, the
/// depacketizer, wall-clock mapping and decode timestamps. Output starts at the first keyframe;
/// other tracks (audio) are ignored.
struct VideoIngest: Sendable {
    /// What one packet produced.
    struct Output: Sendable {
        var frames: [TimedVideoFrame] = []
        var newlyLostPackets = 0
        /// The last depacketizer error in this batch, described for the camera's health.
        var problem: String?
    }

    let trackIndex: Int
    let payloadType: UInt8
    private var depacketizer: SessionDepacketizer
    private var reorder = RTPReorderBuffer()
    private var mapper: WallClockMapper
    private var timeline: DecodeTimeline<TimedVideoFrame>?
    private var reportedLost = 0

    init(description: SessionDescription, tracks: [RTSPTrack]) throws(CameraRecorderError) {
        guard let track = tracks.first(where: { $0.media.type == "video" }), let payloadType = track.media.payloadTypes.first else {
            throw .noVideoTrack
        }
        let map = track.media.rtpMap(for: payloadType)
        trackIndex = track.index
        self.payloadType = payloadType
        depacketizer = try SessionDepacketizer(
            encodingName: map?.encodingName ?? "unknown", parameters: track.media.formatParameters(for: payloadType))
        mapper = WallClockMapper(clockRate: map?.clockRate ?? 90_000)
    }

    /// Packets lost so far in this session.
    var lostPackets: Int { depacketizer.lostPackets }

    /// Handles an RTP packet of any track.
    mutating func handleRTP(track: Int, bytes: ByteBuffer, arrival: Date, now: ContinuousClock.Instant) -> Output {
        var output = Output()
        if reorder.isHoldingPackets {
            for packet in reorder.flushExpired(now: now) { depacketize(packet, arrival: arrival, into: &output) }
        }
        if track == trackIndex {
            // A packet in order, with nothing held for reordering (nearly all), is depacketized from the bytes read;
            // any other is parsed into a packet for the reorder buffer.
            let taken = bytes.withUnsafeReadableBytes { raw -> Bool in
                guard case .success(let header) = RTPHeader.parse(raw), header.payloadType == payloadType,
                    reorder.acceptInOrder(sequenceNumber: header.sequenceNumber)
                else { return false }
                let payload = UnsafeRawBufferPointer(rebasing: raw[header.payload]).assumingMemoryBound(to: UInt8.self)
                depacketize(header, payload: payload, arrival: arrival, into: &output)
                return true
            }
            if !taken, let packet = try? RTPPacket(parsing: bytes), packet.payloadType == payloadType {
                for ready in reorder.insert(packet, arrival: now) { depacketize(ready, arrival: arrival, into: &output) }
            }
        }
        output.newlyLostPackets = depacketizer.lostPackets - reportedLost
        reportedLost = depacketizer.lostPackets
        return output
    }

    private mutating func depacketize(_ header: RTPHeader, payload: UnsafeBufferPointer<UInt8>, arrival: Date, into output: inout Output) {
        do {
            acceptAll(try depacketizer.process(header, payload: payload), arrival: arrival, into: &output.frames)
        } catch {
            output.problem = "\(error)"
        }
    }

    private mutating func depacketize(_ packet: RTPPacket, arrival: Date, into output: inout Output) {
        do {
            acceptAll(try depacketizer.process(packet), arrival: arrival, into: &output.frames)
        } catch {
            output.problem = "\(error)"
        }
    }

    /// Times and orders each of `units` in turn, moving each out of the array (a picture holds references whose retain
    /// and release would cost at every frame if it were copied).
    private mutating func acceptAll(_ units: consuming [VideoAccessUnit], arrival: Date?, into frames: inout [TimedVideoFrame]) {
        var units = consume units
        guard !units.isEmpty else { return }
        units.reverse()
        while let unit = units.popLast() { accept(unit, arrival: arrival, into: &frames) }
    }

    /// The camera's clock minus the server's at its last sender report, seconds (nil before one arrived).
    var cameraClockOffset: TimeInterval? { mapper.cameraClockOffset }
    /// How far picture times may stray from arrival, seconds.
    var clockTolerance: TimeInterval { mapper.tolerance }
    /// How often this session's timeline was re-anchored on arrival time because the camera's timing strayed.
    var clockReanchors: Int { mapper.reanchors }

    /// Handles an RTCP packet that arrived at `arrival`: a sender report of the video track may set the wall clock.
    mutating func handleRTCP(track: Int, bytes: ByteBuffer, arrival: Date) {
        guard track == trackIndex, let reports = try? RTCPSenderReport.senderReports(inCompound: Array(buffer: bytes)),
            let report = reports.first
        else { return }
        mapper.apply(report, arrival: arrival)
    }

    /// Ends the session: returns every frame still held.
    mutating func finish() -> [TimedVideoFrame] {
        var frames: [TimedVideoFrame] = []
        for packet in reorder.flush() {
            acceptAll((try? depacketizer.process(packet)) ?? [], arrival: nil, into: &frames)
        }
        acceptAll(depacketizer.flush(), arrival: nil, into: &frames)
        if var timeline = self.timeline.take() {
            Self.append(timeline.flush(), to: &frames)
        }
        return frames
    }

    /// Times and orders one access unit, appending the pictures whose timing it completes to `frames`; `arrival` is nil
    /// for units released when the session ends. A picture waits in the decode timeline as the frame it will become,
    /// its timing filled in when it leaves.
    private mutating func accept(_ unit: consuming VideoAccessUnit, arrival: Date?, into frames: inout [TimedVideoFrame]) {
        if timeline == nil {
            guard unit.isKeyframe else { return }
            let depth = DecodeTimeline<TimedVideoFrame>.reorderDepth(for: unit.format)
            timeline = DecodeTimeline(reorderDepth: depth, frameRate: unit.format.frameRate)
        }
        let presentationTime = unit.rtpTimestamp
        let wallClock = mapper.wallClock(forRTPTimestamp: UInt32(truncatingIfNeeded: presentationTime), arrival: arrival)
        guard timeline != nil else { return }
        let waiting = TimedVideoFrame(
            accessUnit: consume unit, timing: DecodeTiming(decodeTime: 0, presentationTime: presentationTime, duration: 0),
            wallClock: wallClock, receivedAt: arrival ?? wallClock)
        Self.append(timeline!.push(presentationTime: presentationTime, payload: waiting), to: &frames)
    }

    /// Appends the pictures that left the decode timeline, each with its timing, moving each out of `done`.
    private static func append(_ done: consuming [(timing: DecodeTiming, payload: TimedVideoFrame)], to frames: inout [TimedVideoFrame]) {
        var done = consume done
        guard !done.isEmpty else { return }
        done.reverse()
        while let (timing, waiting) = done.popLast() {
            var frame = consume waiting
            frame.timing = timing
            frames.append(consume frame)
        }
    }
}
