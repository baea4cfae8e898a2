import Foundation
import Testing

@testable import RTCCMedia

/// The recorder against GStreamer's RTSP server, checked with ffmpeg and ffprobe.
@Suite(.serialized, .timeLimit(.minutes(3))) struct PipelineCameraRecorderTests {
    struct Recording: Sendable {
        var recorder: CameraRecorder
        var index: MemoryRecordingIndex
        var log: RecorderEventLog
        var root: URL
    }

    static func makeRecording(port: Int, path: String = "test", transport: RTSPTransportPreference, root: URL) -> Recording {
        let configuration = CameraRecorder.Configuration(
            url: "rtsp://127.0.0.1:\(port)/\(path)",
            segments: .init(root: root, cameraID: UUID(), segmentDuration: .seconds(2), progressInterval: .milliseconds(500)),
            transport: transport, offlineAfter: .seconds(1), backoff: ReconnectBackoff(initial: .milliseconds(500), maximum: .seconds(1)))
        let index = MemoryRecordingIndex()
        return Recording(recorder: CameraRecorder(configuration: configuration, index: index), index: index, log: RecorderEventLog(), root: root)
    }

    /// Runs the recorder while `body` runs, then cancels it and waits for it to seal.
    static func whileRecording(_ recording: Recording, _ body: @escaping @Sendable () async throws -> Void) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await recording.recorder.run() }
            group.addTask { for await event in recording.recorder.events { await recording.log.append(event) } }
            do {
                try await body()
            } catch {
                group.cancelAll()
                throw error
            }
            group.cancelAll()
            try await group.waitForAll()
        }
    }

    static func framesRecorded(_ recording: Recording) async -> Int { await recording.recorder.health.framesRecorded }

    /// The GStreamer launch line of a codec argument: `h264`, `h264-stap-a` (aggregation packets) or `h265`.
    static func launch(_ codec: String) -> String {
        switch codec {
        case "h264-stap-a": PipelineLaunch.h264Aggregated
        case "h265": PipelineLaunch.h265
        default: PipelineLaunch.h264
        }
    }

    @Test(arguments: [
        ("h264", RTSPTransportPreference.tcp), ("h264", .udp), ("h264-stap-a", .tcp), ("h265", .tcp), ("h265", .udp),
    ])
    func recordsRollingSegmentsThatDecode(codec: String, transport: RTSPTransportPreference) async throws {
        let directory = try ExternalTool.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let (server, port) = try await startGStreamer(launch: Self.launch(codec))
        let recording = Self.makeRecording(port: port, transport: transport, root: directory.appendingPathComponent("rec"))
        let live = recording.recorder.frames.subscribe(bufferingNewest: 500)
        do {
            if codec == "h264-stap-a" { try await Self.expectAggregationPackets(port: port) }
            try await Self.whileRecording(recording) {
                try await pollUntil(40, "150 frames recorded") { await Self.framesRecorded(recording) >= 150 }
            }
        } catch {
            await server.stop()
            throw error
        }
        await server.stop()
        let sealed = await recording.index.sealedSegments
        try await Self.checkSegments(sealed, recording: recording, expectBFrames: codec.hasPrefix("h264"), directory: directory)
        var liveFrames: [TimedVideoFrame] = []
        for await frame in live { liveFrames.append(frame) }
        #expect(liveFrames.first?.accessUnit.isKeyframe == true)
        #expect(liveFrames.count == sealed.reduce(0) { $0 + $1.frames })
        let health = try #require(await recording.log.latestHealth)
        #expect(abs(health.framesPerSecond - 25) <= 3, "\(health)")
        #expect(health.bitrate > 0 && health.packetsLost == 0)
        let frames = sealed.reduce(0) { $0 + $1.frames }
        let recorded = await Self.framesRecorded(recording)
        #expect(frames == recorded)
        let span = try #require(sealed.last).end.timeIntervalSince(try #require(sealed.first).start)
        // The first RTCP sender report moves the wall clock from arrival time to the sender's clock
        // (by the encoder and network latency), so allow a few frames either way.
        #expect(abs(Double(frames) - span * 25) <= 8, "\(frames) frames in \(span) s")
        let joins = zip(sealed, sealed.dropFirst()).map { $1.start.timeIntervalSince($0.end) }
        #expect(joins.allSatisfy { abs($0) < 0.001 }, "segments not contiguous: \(joins)")
        print("[measure] \(codec)/\(transport): \(sealed.count) segments, \(frames) frames over \(span) s")
    }

    /// Checks that the stream of the fixture on `port` really carries STAP-A packets (NAL unit type 24).
    static func expectAggregationPackets(port: Int) async throws {
        let collected = try await rtspCollect(url: "rtsp://127.0.0.1:\(port)/test", count: 100)
        let types = Set((collected.rtpPackets[0] ?? []).compactMap { (try? RTPPacket(parsing: $0))?.payload.first.map { $0 & 0x1F } })
        #expect(types.contains(24), "no STAP-A from the payloader; NAL unit types seen: \(types.sorted())")
    }

    static func checkSegments(
        _ sealed: [RecordedSegment], recording: Recording, expectBFrames: Bool, directory: URL, minimumSegments: Int = 3
    ) async throws {
        #expect(sealed.count >= minimumSegments, "\(sealed.count) segments sealed")
        #expect(await recording.index.openedSegments.map(\.id) == sealed.map(\.id))
        #expect(Set(await recording.index.progressedSegments.map(\.id)).isSubset(of: Set(sealed.map(\.id))))
        #expect(!(await recording.index.progressedSegments.isEmpty))
        #expect(RecordingTestMedia.files(under: recording.root).count == sealed.count)
        var sawBFrames = false
        for segment in sealed {
            #expect(segment.sha256 == (try SegmentHash.sha256(ofFileAt: segment.path)))
            #expect(try await RecordingTestMedia.decodeErrors(segment.path, in: directory) == "", "\(segment.path)")
            let packets = try await RecordingTestMedia.packets(segment.path, in: directory)
            #expect(packets.count == segment.frames)
            #expect(packets.first?.key == true)
            #expect(zip(packets, packets.dropFirst()).allSatisfy { $0.dts < $1.dts }, "DTS not monotonic in \(segment.path)")
            #expect(packets.allSatisfy { $0.dts <= $0.pts + 1e-6 })
            if packets.contains(where: { abs($0.pts - $0.dts - (packets.first.map { $0.pts - $0.dts } ?? 0)) > 1e-6 }) { sawBFrames = true }
        }
        if expectBFrames { #expect(sawBFrames, "no B-frames (PTS ≠ DTS) found") }
    }

    @Test(arguments: [RTSPTransportPreference.tcp, .udp])
    func reconnectsAfterTheSourceReturns(transport: RTSPTransportPreference) async throws {
        let directory = try ExternalTool.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let (first, port) = try await startGStreamer(launch: PipelineLaunch.h264)
        let recording = Self.makeRecording(port: port, transport: transport, root: directory.appendingPathComponent("rec"))
        let servers = ServerSlot(first)
        do {
            try await Self.whileRecording(recording) {
                try await Self.outage(recording: recording, servers: servers, port: port)
            }
        } catch {
            await servers.stop()
            throw error
        }
        await servers.stop()
        let sealed = await recording.index.sealedSegments
        try await Self.checkSegments(sealed, recording: recording, expectBFrames: true, directory: directory)
        let outage = try #require(await servers.outage)
        let described = sealed.map { segment in
            let gaps = segment.gaps.map { "\($0.start.timeIntervalSince(outage))+\($0.duration)" }
            return "[\(segment.start.timeIntervalSince(outage)) → \(segment.end.timeIntervalSince(outage)), \(segment.frames) frames, gaps \(gaps)]"
        }
        let gaps = zip(sealed, sealed.dropFirst()).map { $1.start.timeIntervalSince($0.end) }
        #expect(gaps.filter { $0 > 2.5 }.count == 1, "gaps between segments: \(gaps)")
        #expect(gaps.filter { $0 <= 2.5 }.allSatisfy { abs($0) < 0.05 }, "gaps between segments: \(gaps)")
        #expect(sealed.allSatisfy { !DateInterval(start: $0.start, end: $0.end).contains(outage.addingTimeInterval(1.5)) }, "\(described)")
        #expect(sealed.allSatisfy { $0.gaps.isEmpty }, "\(described)")
    }

    static func outage(recording: Recording, servers: ServerSlot, port: Int) async throws {
        try await pollUntil(30, "50 frames before the outage") { await framesRecorded(recording) >= 50 }
        await servers.stop()
        let stopped = ContinuousClock.now
        try await pollUntil(10, "offline event") {
            await recording.log.first(after: stopped) { if case .offline = $0 { true } else { false } } != nil
        }
        try await Task.sleep(until: stopped + .seconds(3))
        let (server, _) = try await startGStreamer(launch: PipelineLaunch.h264, port: port)
        let returned = ContinuousClock.now
        await servers.replace(server)
        try await pollUntil(15, "online event") { await recording.log.first(after: returned) { if case .online = $0 { true } else { false } } != nil }
        let log = recording.log
        let started = try #require(await log.first(after: returned) { if case .sessionStarted = $0 { true } else { false } })
        let online = try #require(await log.first(after: returned) { if case .online = $0 { true } else { false } })
        print("[measure] reconnect: session \(started - returned) after the source returned, online after \(online - returned)")
        #expect(started - returned < .seconds(2))
        let before = await framesRecorded(recording)
        try await pollUntil(20, "50 frames after the outage") { await framesRecorded(recording) >= before + 50 }
        #expect(await recording.recorder.health.reconnects >= 1)
    }
}

/// The GStreamer server of a reconnect test, replaced across the outage.
actor ServerSlot {
    private var server: RTSPPeer.Background?
    private(set) var outage: Date?

    init(_ server: RTSPPeer.Background) { self.server = server }

    /// Stops the server; the first stop marks the outage (once the process has exited).
    func stop() async {
        guard let server else { return }
        self.server = nil
        await server.stop()
        if outage == nil { outage = Date() }
    }

    func replace(_ next: RTSPPeer.Background) { server = next }
}

extension PipelineLaunch {
    /// ``h264`` with aggregation: the payloader puts the small NAL units of a picture (the parameter
    /// sets before each IDR) into STAP-A packets.
    static let h264Aggregated = h264.replacingOccurrences(of: "rtph264pay name=pay0", with: "rtph264pay name=pay0 aggregate-mode=zero-latency")
}
