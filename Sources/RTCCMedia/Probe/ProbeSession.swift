import Foundation
import NIOCore

/// The state of one probe: tracks, per-track statistics and the measuring window. Free of I/O.
struct ProbeSession: Sendable {
    /// What the probe loop feeds in.
    enum Input: Sendable {
        case event(RTSPMediaEvent)
        case eventsEnded
        case tick
    }

    let url: RTSPURL
    private var description: SessionDescription?
    private var tracks: [RTSPTrack] = []
    private var statistics: [Int: ProbeTrackStatistics] = [:]
    private var fellBack = false
    private var firstPacket: ContinuousClock.Instant?

    init(url: RTSPURL) {
        self.url = url
    }

    /// Handles one input; returns the result once the probe is over.
    mutating func handle(_ input: Input, window: Duration, deadline: ContinuousClock.Instant) -> Result<ProbeReport, ProbeError>? {
        let now = ContinuousClock.now
        switch input {
        case .event(.sessionStarted(let description, let tracks)):
            self.description = description
            self.tracks = tracks
            statistics = [:]
            firstPacket = nil
            for track in tracks { statistics[track.index] = ProbeTrackStatistics(codec: Self.codec(of: track.media)) }
        case .event(.rtp(let track, let bytes, _)):
            guard let packet = try? RTPPacket(parsing: bytes) else { break }
            statistics[track]?.received(packet)
            if firstPacket == nil { firstPacket = now }
        case .event(.rtcp(let track, let bytes, _)):
            let reports = (try? RTCPSenderReport.senderReports(inCompound: Array(bytes.readableBytesView))) ?? []
            for _ in reports { statistics[track]?.receivedSenderReport() }
        case .event(.fellBackToTCP):
            fellBack = true
        case .event(.ended(let reason)):
            if case .failed(.mediaTimeout) = reason { return finish(failure: .timedOut) }
            if case .failed(let failure) = reason { return finish(failure: .sessionFailed(failure)) }
            return finish(failure: .endedBeforePlay)
        case .eventsEnded:
            return finish(failure: .endedBeforePlay)
        case .tick:
            break
        }
        if let firstPacket, now - firstPacket >= window { return finish(failure: .timedOut) }
        if now >= deadline { return finish(failure: .timedOut) }
        return nil
    }

    /// The report if media arrived, otherwise `failure`.
    func finish(failure: ProbeError) -> Result<ProbeReport, ProbeError> {
        guard let description, let firstPacket else { return .failure(failure) }
        let elapsed = ContinuousClock.now - firstPacket
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let reports = tracks.map { track in
            Self.report(track: track, statistics: statistics[track.index] ?? ProbeTrackStatistics(codec: nil))
        }
        let transports = Set(reports.map(\.transport))
        return .success(
            ProbeReport(
                url: url.requestURI, transport: transports.count == 1 ? transports.first ?? "none" : "mixed", fellBackToTCP: fellBack,
                sessionName: description.sessionName, measuredSeconds: seconds, tracks: reports))
    }

    static func codec(of media: MediaDescription) -> VideoCodec? {
        switch media.rtpMaps.first?.encodingName.uppercased() {
        case "H264": .h264
        case "H265", "HEVC": .h265
        default: nil
        }
    }

    private static func report(track: RTSPTrack, statistics: ProbeTrackStatistics) -> ProbeReport.Track {
        let rtpMap = track.media.rtpMaps.first
        let payloadType = rtpMap?.payloadType ?? track.media.payloadTypes.first ?? 0
        var report = ProbeReport.Track(
            index: track.index, mediaType: track.media.type, encoding: rtpMap?.encodingName ?? "?", payloadType: Int(payloadType),
            clockRate: rtpMap?.clockRate ?? 90_000, transport: track.transport?.lowerTransport.rawValue.lowercased() ?? "unknown")
        report.packetsReceived = statistics.packetsReceived
        report.payloadBytes = statistics.payloadBytes
        report.packetsLost = statistics.packetsLost
        report.senderReports = statistics.senderReports
        report.ssrc = statistics.ssrc
        report.measuredFrameRate = statistics.frameRate(clockRate: report.clockRate).map { ($0 * 100).rounded() / 100 }
        report.announcedFrameRate = track.media.attributes.value(of: "framerate").flatMap { Double($0) }
        let fmtp = track.media.formatParameters(for: payloadType)
        let sdpSets: [[UInt8]]
        switch statistics.codec {
        case .h264: sdpSets = fmtp.h264ParameterSets
        case .h265: sdpSets = fmtp.h265VPS + fmtp.h265SPS + fmtp.h265PPS
        case nil: sdpSets = []
        }
        report.parameterSetsFromSDP = sdpSets.map { Data($0).base64EncodedString() }
        report.parameterSetsInBand = statistics.inBandParameterSets.map { Data($0).base64EncodedString() }
        if let codec = statistics.codec { report.describePicture(codec: codec, parameterSets: sdpSets + statistics.inBandParameterSets) }
        return report
    }
}
