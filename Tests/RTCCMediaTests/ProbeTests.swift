import Foundation
import Testing

@testable import RTCCMedia

/// ``StreamProbe`` against the simulator and GStreamer, and its report.
@Suite(.serialized, .timeLimit(.minutes(3))) struct ProbeTests {
    @Test(arguments: [(RTSPTransportPreference.tcp, VideoCodec.h264), (.udp, .h264), (.tcp, .h265), (.udp, .h265)])
    func probeDescribesASimulatedCamera(transport: RTSPTransportPreference, codec: VideoCodec) async throws {
        let clip = try await SimulatorFixture.clip(codec)
        let report = try await SimulatorFixture.withSimulator(clip: clip) { simulator in
            try await StreamProbe.probe(url: simulator.url(camera: 1), transport: transport, timeout: .seconds(15))
        }
        #expect(report.transport == (transport == .tcp ? "tcp" : "udp"))
        #expect(report.measuredSeconds >= 2)
        let track = try #require(report.tracks.first)
        #expect(track.encoding == (codec == .h264 ? "H264" : "H265"))
        #expect(track.width == 320 && track.height == 240)
        #expect(track.profile == "Main")
        #expect(track.level != nil && track.codecString != nil)
        let fps = try #require(track.measuredFrameRate)
        #expect(abs(fps - 25) < 1.5, "measured \(fps) fps")
        #expect(track.announcedFrameRate == 25)
        #expect(track.parameterSetsFromSDP == clip.parameterSetsBase64)
        #expect(Set(track.parameterSetsInBand) == Set(clip.parameterSetsBase64))
        #expect(track.packetsReceived > 50 && track.packetsLost == 0)
        #expect(track.senderReports >= 1)
        #expect(report.description.contains("320x240"), "\(report.description)")
    }

    @Test func probeDescribesGStreamersStream() async throws {
        let report = try await RTSPGStreamerTests.withGStreamerServer { port in
            try await StreamProbe.probe(url: "rtsp://127.0.0.1:\(port)/test", transport: .udpWithTCPFallback, timeout: .seconds(20))
        }
        let track = try #require(report.tracks.first)
        #expect(track.encoding == "H264")
        #expect(track.width == 320 && track.height == 240)
        let fps = try #require(track.measuredFrameRate)
        #expect(abs(fps - 25) < 2, "measured \(fps) fps")
        #expect(!track.parameterSetsFromSDP.isEmpty)
        #expect(!track.parameterSetsInBand.isEmpty, "rtph264pay config-interval=1 sends SPS/PPS in band")
        #expect(track.packetsReceived > 20)
        #expect(track.profile != nil && track.level != nil)
    }

    @Test func offlineCameraFailsWith503() async throws {
        let clip = try await SimulatorFixture.clip()
        try await SimulatorFixture.withSimulator(clip: clip) { simulator in
            try simulator.setOnline(camera: 1, false)
            await #expect(throws: ProbeError.sessionFailed(.unexpectedStatus(method: .describe, statusCode: 503))) {
                try await StreamProbe.probe(url: simulator.url(camera: 1), transport: .tcp, timeout: .seconds(5))
            }
        }
    }

    @Test func stalledCameraTimesOut() async throws {
        let clip = try await SimulatorFixture.clip()
        try await SimulatorFixture.withSimulator(clip: clip) { simulator in
            try simulator.stall(camera: 1, for: .seconds(30))
            let started = ContinuousClock.now
            await #expect(throws: ProbeError.timedOut) {
                try await StreamProbe.probe(url: simulator.url(camera: 1), transport: .tcp, timeout: .seconds(2))
            }
            #expect(ContinuousClock.now - started < .seconds(6))
        }
    }

    @Test func badURLIsRejected() async {
        await #expect(throws: ProbeError.self) { try await StreamProbe.probe(url: "http://example/x", transport: .tcp) }
    }

    @Test func reportRoundTripsThroughJSONAndReadsWell() throws {
        var track = ProbeReport.Track(index: 0, mediaType: "video", encoding: "H264", payloadType: 96, clockRate: 90_000, transport: "udp")
        track.width = 1920
        track.height = 1080
        track.profile = "High"
        track.level = "4"
        track.measuredFrameRate = 29.97
        track.packetsReceived = 1234
        track.packetsLost = 2
        track.parameterSetsFromSDP = ["Z2QAKA==", "aO48gA=="]
        let report = ProbeReport(
            url: "rtsp://cam/stream", transport: "udp", fellBackToTCP: false, sessionName: "Camera", measuredSeconds: 2.01, tracks: [track])
        let json = try JSONEncoder().encode(report)
        #expect(try JSONDecoder().decode(ProbeReport.self, from: json) == report)
        let text = report.description
        #expect(text.contains("rtsp://cam/stream — transport udp"))
        #expect(text.contains("1920x1080, profile High, level 4, 29.97 fps measured"))
        #expect(text.contains("1234 received, 2 lost"))
    }

    @Test func statisticsCountLossAcrossSequenceWrap() {
        var statistics = ProbeTrackStatistics(codec: .h264)
        for (offset, sequence) in [65_533, 65_534, 0, 1, 4].enumerated() {
            statistics.received(
                RTPPacket(payloadType: 96, sequenceNumber: UInt16(sequence), timestamp: UInt32(offset * 3000), ssrc: 1, payload: [0x41, 0x80]))
        }
        #expect(statistics.packetsReceived == 5)
        #expect(statistics.packetsLost == 3)
        #expect(statistics.frameRate(clockRate: 90_000) == 30)
    }

    @Test func levelsAndProfilesHaveNames() {
        #expect(ProbeReport.Track.levelText(31, divisor: 10) == "3.1")
        #expect(ProbeReport.Track.levelText(93, divisor: 30) == "3.1")
        #expect(ProbeReport.Track.levelText(120, divisor: 30) == "4")
        #expect(ProbeReport.Track.h264ProfileName(66, constraints: 0xC0) == "Constrained Baseline")
        #expect(ProbeReport.Track.h265ProfileName(2) == "Main 10")
    }
}
