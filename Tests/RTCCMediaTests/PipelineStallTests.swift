import Foundation
import Testing

@testable import RTCCMedia

/// A camera that stops sending with its connection open: one outage is one offline event and one online event, and
/// "video is back" means new pictures, not the ones the recorder still held when the session gave up.
@Suite(.serialized, .timeLimit(.minutes(2))) struct PipelineStallTests {
    @Test func aStallWithTheSocketOpenIsOneOutageEndedOnlyByNewPictures() async throws {
        let clip = try await SimulatorFixture.clip()
        let root = try ExternalTool.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        try await SimulatorFixture.withSimulator(clip: clip) { simulator in
            let configuration = CameraRecorder.Configuration(
                url: simulator.url(camera: 1),
                segments: .init(root: root, cameraID: UUID(), segmentDuration: .seconds(2), progressInterval: .milliseconds(500)),
                transport: .tcp, offlineAfter: .seconds(1), backoff: ReconnectBackoff(initial: .milliseconds(300), maximum: .milliseconds(600)))
            let recording = PipelineCameraRecorderTests.Recording(
                recorder: CameraRecorder(configuration: configuration, index: MemoryRecordingIndex()), index: MemoryRecordingIndex(),
                log: RecorderEventLog(), root: root)
            try await PipelineCameraRecorderTests.whileRecording(recording) {
                try await pollUntil(20, "first pictures") { await recording.recorder.health.framesRecorded > 30 }
                let stalled = ContinuousClock.now
                let stall = Duration.seconds(12)  // longer than the RTSP client's 10 s media timeout, which ends the session
                try simulator.stall(camera: 1, for: stall)
                try await pollUntil(30, "video back after the stall") {
                    await recording.log.first(after: stalled + stall) { if case .online = $0 { true } else { false } } != nil
                }
                try await Task.sleep(for: .seconds(2))
                let events = await recording.log.entries.filter { $0.at >= stalled }
                let offline = events.filter { if case .offline = $0.event { true } else { false } }
                let online = events.filter { if case .online = $0.event { true } else { false } }
                #expect(offline.count == 1, "one outage, one offline event: \(events.map(\.event))")
                #expect(online.count == 1, "one outage, one online event: \(events.map(\.event))")
                if let back = online.first?.at {
                    #expect(back >= stalled + stall - .milliseconds(200), "online only once new pictures came, \(back - stalled) after the stall began")
                }
            }
        }
    }
}

/// A camera whose clock is hours off: its footage is filed at the server's time and its health says how far off it is.
@Suite(.serialized, .timeLimit(.minutes(2))) struct PipelineCameraClockTests {
    @Test func aCameraClockThreeHoursAheadIsReportedAndItsFootageKeepsServerTime() async throws {
        let clip = try await SimulatorFixture.clip()
        let root = try ExternalTool.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        try await SimulatorFixture.withSimulator(clip: clip) { simulator in
            try simulator.setClockOffset(camera: 1, 3 * 3600)
            let index = MemoryRecordingIndex()
            let configuration = CameraRecorder.Configuration(
                url: simulator.url(camera: 1),
                segments: .init(root: root, cameraID: UUID(), segmentDuration: .seconds(2), progressInterval: .milliseconds(500)),
                transport: .tcp, offlineAfter: .seconds(2))
            let recording = PipelineCameraRecorderTests.Recording(
                recorder: CameraRecorder(configuration: configuration, index: index), index: index, log: RecorderEventLog(), root: root)
            let started = Date()
            try await PipelineCameraRecorderTests.whileRecording(recording) {
                try await pollUntil(20, "a sealed segment") { await !index.sealedSegments.isEmpty }
            }
            let finished = Date()
            let health = await recording.recorder.health
            let offset = try #require(health.clockOffset, "the sender reports' offset is in the health")
            #expect(abs(offset - 3 * 3600) < 2, "\(offset)")
            for segment in await index.sealedSegments {
                #expect(segment.start >= started.addingTimeInterval(-2) && segment.end <= finished.addingTimeInterval(2),
                        "segment \(segment.start)–\(segment.end) is filed at server time (\(started)–\(finished))")
                #expect(segment.end.timeIntervalSince(segment.start) <= 2.5, "no segment longer than its pictures")
            }
        }
    }
}

/// Recordings that cannot be written: the failure is announced once, the state says so, no empty files pile up, and
/// recording resumes at a keyframe once writing works again.
@Suite(.serialized, .timeLimit(.minutes(2))) struct PipelineWriteFailureTests {
    @Test func aRecordingsFolderThatCannotBeWrittenIsReportedOnceAndRecordingResumesWhenItCanBe() async throws {
        let clip = try await SimulatorFixture.clip()
        let root = try ExternalTool.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        let camera = UUID()
        let folder = root.appendingPathComponent(camera.uuidString.lowercased())
        try await SimulatorFixture.withSimulator(clip: clip) { simulator in
            let index = MemoryRecordingIndex()
            let configuration = CameraRecorder.Configuration(
                url: simulator.url(camera: 1),
                segments: .init(root: root, cameraID: camera, segmentDuration: .seconds(1), progressInterval: .milliseconds(500)),
                transport: .tcp, offlineAfter: .seconds(3))
            let recording = PipelineCameraRecorderTests.Recording(
                recorder: CameraRecorder(configuration: configuration, index: index), index: index, log: RecorderEventLog(), root: root)
            try await PipelineCameraRecorderTests.whileRecording(recording) {
                try await pollUntil(20, "a sealed segment") { await !index.sealedSegments.isEmpty }
                // The camera's folder becomes a plain file: no segment can be created in it (as on a full or broken volume).
                let moved = root.appendingPathComponent("moved-away")
                try FileManager.default.moveItem(at: folder, to: moved)
                try Data("not a folder".utf8).write(to: folder)
                try await pollUntil(20, "recording failed") {
                    await recording.log.first { if case .recordingFailed = $0 { true } else { false } } != nil
                }
                try await Task.sleep(for: .seconds(3))
                let failing = await recording.recorder.health
                #expect(failing.state == .recordingFailed, "\(failing)")
                #expect(failing.reason?.hasPrefix("cannot write recordings") == true, "\(failing)")
                let failures = await recording.log.entries.filter { if case .recordingFailed = $0.event { true } else { false } }
                #expect(failures.count == 1, "announced once, not per frame or keyframe")
                // Writing works again.
                try FileManager.default.removeItem(at: folder)
                try FileManager.default.moveItem(at: moved, to: folder)
                let restored = await index.sealedSegments.count
                try await pollUntil(45, "recording resumed") {
                    await recording.log.first { if case .recordingResumed = $0 { true } else { false } } != nil
                }
                try await pollUntil(20, "a new segment") { await index.sealedSegments.count > restored }
                #expect(await recording.recorder.health.state != .recordingFailed)
            }
            // Every file in the folder is a sealed segment that decodes: no empty files were left by the failed attempts.
            let files = try FileManager.default.subpathsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".mp4") }
            let sealed = Set(await index.sealedSegments.map { URL(fileURLWithPath: $0.path).lastPathComponent })
            for file in files {
                let size = try FileManager.default.attributesOfItem(atPath: folder.appendingPathComponent(file).path)[.size] as? Int ?? 0
                #expect(size > 0, "\(file) is empty")
                #expect(sealed.contains(URL(fileURLWithPath: file).lastPathComponent), "\(file) is not a sealed segment")
            }
        }
    }
}
