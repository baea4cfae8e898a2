import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import RTCCCore
import RTCCEvidence
import RTCCMedia
import RTCCServer
import RTCCStore
import Testing

/// Privacy masks: masked pixels never reach a user without `video:unmask` — in live view, snapshots, playback and
/// export. Each check decodes a real picture with ffmpeg and reads its pixels.
@Suite(.timeLimit(.minutes(5))) struct PrivacyMaskTests {
    /// The top-left quarter of the picture.
    static let mask = PrivacyMask(polygons: [[PicturePoint(x: 0, y: 0), PicturePoint(x: 0.5, y: 0), PicturePoint(x: 0.5, y: 0.5), PicturePoint(x: 0, y: 0.5)]])

    /// The first picture of a video file (or MP4 bytes) as 8-bit luma, `width` × `height`.
    static func luma(of file: URL, width: Int, height: Int, in directory: URL) async throws -> [UInt8] {
        let output = directory.appendingPathComponent("frame-\(UUID().uuidString).gray")
        let decoded = try await RecordedFootage.run(
            "ffmpeg", ["-v", "error", "-i", file.path, "-frames:v", "1", "-vf", "scale=\(width):\(height)", "-f", "rawvideo", "-pix_fmt", "gray", "-y", output.path],
            in: directory)
        try #require(decoded.status == 0, "\(decoded.output)")
        let pixels = [UInt8](try Data(contentsOf: output))
        try #require(pixels.count == width * height)
        return pixels
    }

    /// Checks that the masked quarter is black and the opposite quarter is not; returns their mean luma.
    @discardableResult
    static func expectMasked(_ pixels: [UInt8], width: Int, height: Int, _ what: String) -> (masked: Double, open: Double) {
        func mean(_ xs: Range<Int>, _ ys: Range<Int>) -> (mean: Double, max: UInt8) {
            var sum = 0, top: UInt8 = 0
            for y in ys { for x in xs { sum += Int(pixels[y * width + x]); top = max(top, pixels[y * width + x]) } }
            return (Double(sum) / Double(xs.count * ys.count), top)
        }
        // A margin of a few pixels keeps chroma subsampling and scaling at the mask's edge out of the measurement.
        let masked = mean(4..<(width / 2 - 4), 4..<(height / 2 - 4))
        let open = mean((width / 2 + 4)..<(width - 4), (height / 2 + 4)..<(height - 4))
        #expect(masked.max <= 24, "\(what): masked pixels are black (max luma \(masked.max))")
        #expect(open.mean > 40, "\(what): unmasked pixels keep the picture (mean luma \(open.mean))")
        return (masked.mean, open.mean)
    }

    /// The presentation time of a file's first video frame, seconds.
    static func firstTimestamp(of file: URL, in directory: URL) async throws -> Double {
        let probed = try await RecordedFootage.run(
            "ffprobe", ["-v", "error", "-select_streams", "v:0", "-show_entries", "packet=pts_time", "-of", "csv=p=0", file.path],
            in: directory)
        let times = probed.output.split(separator: "\n").compactMap { Double($0.trimmingCharacters(in: CharacterSet(charactersIn: " ,"))) }
        return times.min() ?? -1
    }

    @Test func masksAreRasterisedExactlyOverTheirPolygons() throws {
        let pam = Self.mask.pam(width: 8, height: 4)
        let header = "P7\nWIDTH 8\nHEIGHT 4\nDEPTH 4\nMAXVAL 255\nTUPLTYPE RGB_ALPHA\nENDHDR\n"
        #expect(pam.prefix(header.utf8.count) == Data(header.utf8))
        let pixels = [UInt8](pam.dropFirst(header.utf8.count))
        #expect(pixels.count == 8 * 4 * 4)
        for y in 0..<4 {
            for x in 0..<8 {
                let alpha = pixels[(y * 8 + x) * 4 + 3]
                #expect(alpha == (x < 4 && y < 2 ? 255 : 0), "pixel \(x),\(y)")
                #expect(Self.mask.covers(x: x, y: y, width: 8, height: 4) == (alpha == 255))
            }
        }
        #expect(throws: ValidationError.self) { try PrivacyMask(polygons: [[PicturePoint(x: 0, y: 0), PicturePoint(x: 1.5, y: 0), PicturePoint(x: 0, y: 1)]]).validate() }
        #expect(throws: ValidationError.self) { try PrivacyMask(polygons: [[PicturePoint(x: 0, y: 0), PicturePoint(x: 0.5, y: 0.5), PicturePoint(x: 1, y: 1)]]).validate() }
    }

    @Test func exportedClipsOfAMaskedCameraAreMaskedAndStillVerify() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("rtcc-mask-export-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let app = try await TestApp.make { $0.dataDirectory = directory.path }
        let camera = app.cityCamera.id
        let start = ExportAPITests.recentStart()
        _ = try await RecordedFootage.record(seconds: 4, camera: camera, start: start, in: directory.appendingPathComponent("footage"), store: app.services.store)
        let caseID = try #require(app.evidence?.evidenceCase.id)
        try await app.test { client in
            let put = try await client.execute(uri: "/api/v1/cameras/\(camera)/mask", method: .put, headers: app.headers(.supervisor, jsonHeaders),
                                               body: ByteBuffer(bytes: try JSONCoding.encoder.encode(Self.mask)))
            #expect(put.status == .ok, "\(put.text)")
        }
        try await ExportAPITests.withExporter(app) {
            try await app.test { client in
                let started = try await client.execute(
                    uri: "/api/v1/cases/\(caseID)/exports", method: .post, headers: app.headers(.analyst, jsonHeaders),
                    body: ExportAPITests.startBody([camera], start.addingTimeInterval(1), start.addingTimeInterval(3)))
                let job = try await ExportAPITests.finished(try #require(started.headers[.location]), client: client, app: app)
                #expect(job["state"] as? String == "succeeded", "\(job)")
                let package = try #require(job["package"] as? [String: Any])
                let record = try #require(try await app.services.store.packages.find(id: UUID(uuidString: package["id"] as? String ?? "")!))
                let clip = URL(fileURLWithPath: record.folder).appendingPathComponent("clips/\(camera.uuidString.lowercased()).mp4")
                Self.expectMasked(try await Self.luma(of: clip, width: 320, height: 240, in: directory), width: 320, height: 240, "export")
                let report = EvidenceVerifier.verify(packageAt: URL(fileURLWithPath: record.folder), expectedFingerprint: record.fingerprint)
                #expect(report.isValid, "the masked clip is what the manifest signs: \(report.failures)")
            }
        }
    }

    @Test func snapshotsAndPlaybackAreMaskedAndUnmaskingNeedsThePermissionAndIsAudited() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("rtcc-mask-snap-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let app = try await TestApp.make { $0.dataDirectory = directory.path }
        let camera = app.cityCamera.id
        let recorded = Date(timeIntervalSince1970: (Date().timeIntervalSince1970 - 20).rounded(.down))
        _ = try await RecordedFootage.record(
            seconds: 3, camera: camera, start: recorded, in: directory.appendingPathComponent("footage"), store: app.services.store)
        try await app.services.store.community.setMask(cameraID: camera, Self.mask, by: "supervisor")
        try await app.test { client in
            let snapshot = try await client.execute(uri: "/api/v1/cameras/\(camera)/snapshot.jpg", method: .get, headers: app.headers(.analyst))
            #expect(snapshot.status == .ok, "\(snapshot.text)")
            let file = directory.appendingPathComponent("snapshot.jpg")
            try Data(snapshot.body.readableBytesView).write(to: file)
            Self.expectMasked(try await Self.luma(of: file, width: 320, height: 240, in: directory), width: 320, height: 240, "snapshot")

            // Playback: the analyst's chunk is re-encoded with the mask, on the same timeline as the recording.
            let opened = try await client.execute(uri: "/api/v1/playback", method: .post, headers: app.headers(.analyst, jsonHeaders),
                                                  body: jsonBody(["cameraIDs": [camera.uuidString], "purpose": "case review 26-1"]))
            #expect(opened.status == .created, "\(opened.text)")
            let session = try #require((try opened.json() as? [String: Any])?["id"] as? String)
            let iso = Date.ISO8601FormatStyle(includingFractionalSeconds: true)
            let window = "from=\(recorded.addingTimeInterval(0.5).formatted(iso))&until=\(recorded.addingTimeInterval(2.5).formatted(iso))"
                + "&origin=\(recorded.addingTimeInterval(-10).formatted(iso))"
            let masked = try await client.execute(uri: "/api/v1/cameras/\(camera)/media?session=\(session)&\(window)", method: .get, headers: app.headers(.analyst))
            #expect(masked.status == .ok, "\(masked.text)")
            #expect(masked.headers[HTTPField.Name("X-RTCC-Codec")!]?.hasPrefix("avc1.") == true)
            let maskedChunk = directory.appendingPathComponent("masked-chunk.mp4")
            try Data(masked.body.readableBytesView).write(to: maskedChunk)
            Self.expectMasked(try await Self.luma(of: maskedChunk, width: 320, height: 240, in: directory), width: 320, height: 240, "playback")
            let forbidden = try await client.execute(uri: "/api/v1/playback", method: .post, headers: app.headers(.analyst, jsonHeaders),
                                                     body: jsonBody(["cameraIDs": [camera.uuidString], "purpose": "case review 26-1", "unmask": true]))
            #expect(forbidden.status == .forbidden, "analysts cannot lift a mask")
            let lifted = try await client.execute(uri: "/api/v1/playback", method: .post, headers: app.headers(.supervisor, jsonHeaders),
                                                  body: jsonBody(["cameraIDs": [camera.uuidString], "purpose": "case review 26-1", "unmask": true]))
            #expect(lifted.status == .created, "\(lifted.text)")
            let liftedSession = try #require((try lifted.json() as? [String: Any])?["id"] as? String)
            let plain = try await client.execute(
                uri: "/api/v1/cameras/\(camera)/media?session=\(liftedSession)&\(window)", method: .get, headers: app.headers(.supervisor))
            let plainChunk = directory.appendingPathComponent("plain-chunk.mp4")
            try Data(plain.body.readableBytesView).write(to: plainChunk)
            let plainPixels = try await Self.luma(of: plainChunk, width: 320, height: 240, in: directory)
            #expect(plainPixels[20 * 320 + 20] > 24 || plainPixels[60 * 320 + 80] > 24, "the unmasked session sees the masked area")
            #expect(masked.headers[HTTPField.Name("X-RTCC-First-Frame")!] == plain.headers[HTTPField.Name("X-RTCC-First-Frame")!])
            let starts = try await [maskedChunk, plainChunk].asyncMap { try await Self.firstTimestamp(of: $0, in: directory) }
            #expect(abs(starts[0] - starts[1]) < 0.05, "the masked chunk keeps the recording's timeline: \(starts)")
            #expect(starts.allSatisfy { $0 > 9 && $0 < 11 }, "media time is wall clock minus origin (about 10 s): \(starts)")
            let noPurpose = try await client.execute(uri: "/api/v1/cameras/\(camera)/snapshot.jpg?unmask=1", method: .get, headers: app.headers(.supervisor))
            #expect(noPurpose.status == .badRequest)
            let unmasked = try await client.execute(
                uri: "/api/v1/cameras/\(camera)/snapshot.jpg?unmask=1&purpose=case%2026-1", method: .get, headers: app.headers(.supervisor))
            #expect(unmasked.status == .ok)
            try Data(unmasked.body.readableBytesView).write(to: file)
            let pixels = try await Self.luma(of: file, width: 320, height: 240, in: directory)
            #expect(pixels[20 * 320 + 20] > 24 || pixels[60 * 320 + 80] > 24, "the unmasked snapshot shows the masked area")
        }
        let lifts = try await app.services.audit.entries(action: "video.unmask")
        #expect(Set(lifts.map(\.detail)) == ["playback", "snapshot"])
        #expect(lifts.allSatisfy { $0.actor == "supervisor" && $0.target == "camera:\(camera)" && $0.purpose != nil })
    }

    @Test func liveViewersWithoutUnmaskGetTheMaskedReencoding() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("rtcc-mask-live-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let app = try await TestApp.make()
        let camera = app.cityCamera.id
        try await app.services.store.community.setMask(cameraID: camera, Self.mask, by: "supervisor")
        let encoded = try await RecordedFootage.run(
            "ffmpeg", ["-v", "error", "-f", "lavfi", "-i", "testsrc=size=320x240:rate=25", "-t", "4", "-pix_fmt", "yuv420p", "-c:v", "libx264",
                       "-bf", "0", "-g", "25", "-y", "source.h264"], in: directory)
        try #require(encoded.status == 0, "\(encoded.output)")
        var frames: [TimedVideoFrame] = []
        var sets = H264ParameterSets()
        let start = Date()
        for (position, group) in AnnexB.groupAccessUnits(AnnexB.split([UInt8](try Data(contentsOf: directory.appendingPathComponent("source.h264")))), codec: .h264)
            .enumerated()
        {
            for unit in group { _ = try? sets.update(with: unit) }
            let time = Int64(position) * 3600
            frames.append(TimedVideoFrame(
                accessUnit: VideoAccessUnit(
                    codec: .h264, nalUnits: group, isKeyframe: group.contains { ($0.first ?? 0) & 0x1F == 5 }, rtpTimestamp: time, format: try sets.videoFormat()),
                timing: DecodeTiming(decodeTime: time, presentationTime: time, duration: 3600), wallClock: start.addingTimeInterval(Double(time) / 90_000)))
        }
        let published = frames
        let recorder = CameraRecorder(
            configuration: .init(url: "rtsp://127.0.0.1:9/none", segments: .init(root: directory, cameraID: camera)), index: DatabaseRecordingIndex(store: app.services.store))
        await app.services.recorders.started(camera, recorder)
        let live = app.services.live
        let bytes: [UInt8] = try await withThrowingTaskGroup(of: [UInt8]?.self) { group in
            group.addTask {
                try await live.run()
                return nil
            }
            let channel = try #require(await live.channel(for: camera, masked: true))
            let messages = await channel.subscribe()
            group.addTask {
                var collected: [UInt8] = []
                var fragments = 0
                for await message in messages {
                    switch message {
                    case .initialization(let initialization): collected = initialization.bytes
                    case .fragment(let fragment):
                        collected += fragment.bytes
                        fragments += 1
                    }
                    if fragments >= 30 { break }
                }
                return collected
            }
            // The pump subscribes to the recorder's frames once the channel exists: publish at the camera's pace.
            group.addTask {
                try await Task.sleep(for: .milliseconds(300))
                for frame in published {
                    recorder.frames.publish(frame)
                    try await Task.sleep(for: .milliseconds(20))
                }
                return nil
            }
            var result: [UInt8] = []
            while let next = try await group.next() {
                if let next {
                    result = next
                    break
                }
            }
            group.cancelAll()
            return result
        }
        try #require(bytes.count > 1000, "the masked channel produced video")
        let file = directory.appendingPathComponent("live.mp4")
        try Data(bytes).write(to: file)
        Self.expectMasked(try await Self.luma(of: file, width: 320, height: 240, in: directory), width: 320, height: 240, "live")
    }
}

extension Array {
    /// `transform` applied to each element in order.
    func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var result: [T] = []
        for element in self { result.append(try await transform(element)) }
        return result
    }
}
