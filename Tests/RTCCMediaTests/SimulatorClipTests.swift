import Foundation
import Testing

@testable import RTCCMedia

@Suite(.serialized, .timeLimit(.minutes(3))) struct SimulatorClipTests {
    @Test(arguments: [VideoCodec.h264, .h265])
    func generatedClipHasOneKeyframePerSecondAndBFrames(codec: VideoCodec) async throws {
        let clip = try await SimulatorFixture.clip(codec)
        #expect(clip.width == 320 && clip.height == 240)
        #expect(clip.accessUnits.count == 100)
        let keyframes = clip.accessUnits.indices.filter { clip.accessUnits[$0].isKeyframe }
        #expect(keyframes == [0, 25, 50, 75])
        // Presentation order is a permutation of decode order, and B-frames make it differ.
        #expect(clip.accessUnits.map(\.presentationIndex).sorted() == Array(0..<100))
        #expect(clip.accessUnits.indices.contains { clip.accessUnits[$0].presentationIndex != $0 })
        let parameterSetCount = codec == .h264 ? 2 : 3
        #expect(clip.parameterSets.count == parameterSetCount)
        for index in keyframes {
            #expect(clip.accessUnits[index].nalUnits.filter { SimulatorClip.isParameterSet($0, codec: codec) }.count >= parameterSetCount)
        }
    }

    @Test func generatingTwiceReusesTheCachedFile() async throws {
        let first = try await SimulatorFixture.clip()
        let started = ContinuousClock.now
        let second = try await SimulatorFixture.clip()
        #expect(ContinuousClock.now - started < .seconds(2))
        #expect(first.accessUnits == second.accessUnits)
    }

    @Test func eachCaptionIsDrawnIntoItsOwnClipAlongTheBottomEdgeLiterally() async throws {
        let ffmpeg = try #require(ExternalTool.locate("ffmpeg"))
        let work = try ExternalTool.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        // Quotes, colons, commas and % would break a filter argument or be expanded if not drawn literally.
        let captions = ["017  Joe's 100% Market: rear lot, east", "018  Texas St & Market St (NE)"]
        var bands: [(top: Data, bottom: Data)] = []
        for caption in captions {
            let clip = try await SimulatorClip.generate(
                codec: .h264, width: 320, height: 240, fps: 15, seconds: 1, bitrate: 200_000, caption: caption, into: work)
            #expect(clip.width == 320 && clip.height == 240)
            let file = work.appendingPathComponent("first-\(bands.count).264")
            try Data(AnnexB.join(clip.accessUnits[0].nalUnits)).write(to: file)
            func band(_ crop: String) async throws -> Data {
                let out = work.appendingPathComponent("band-\(UUID().uuidString).gray")
                let result = try await ExternalTool.run(
                    ffmpeg, ["-v", "error", "-y", "-i", file.path, "-frames:v", "1", "-vf", "crop=\(crop),format=gray", "-f", "rawvideo", out.path], in: work)
                #expect(result.status == 0, "ffmpeg: \(result.errors)")
                return try Data(contentsOf: out)
            }
            bands.append((top: try await band("320:60:0:60"), bottom: try await band("320:30:0:210")))
        }
        // The pattern above is the same (up to coding noise); the captioned strip at the bottom is not.
        func meanDifference(_ a: Data, _ b: Data) -> Double {
            Double(zip(a, b).reduce(0) { $0 + abs(Int($1.0) - Int($1.1)) }) / Double(max(1, min(a.count, b.count)))
        }
        let top = meanDifference(bands[0].top, bands[1].top), bottom = meanDifference(bands[0].bottom, bands[1].bottom)
        #expect(top < 3, "top band differs by \(top) on average")
        #expect(bottom > 4 * max(top, 1), "bottom band differs by \(bottom) on average, top by \(top)")
        let files = try FileManager.default.contentsOfDirectory(atPath: work.path).filter { $0.hasPrefix("clip-") }
        #expect(files.count == 2, "one cached clip per caption: \(files)")
        #expect(!files.contains { $0.hasSuffix(".txt") })
    }

    @Test func streamWithoutKeyframeIsRejected() {
        let stream = AnnexB.join([Vectors.sps1080p, Vectors.pps1080p, [0x41, 0x9A, 0x00, 0x10]])
        #expect(throws: SimulatorError.invalidClip("no keyframe")) { try SimulatorClip(annexB: stream, codec: .h264, frameRate: 25) }
    }

    @Test func streamWithoutParameterSetsIsRejected() {
        let stream = AnnexB.join([[0x65, 0x88, 0x80, 0x10]])
        #expect(throws: SimulatorError.invalidClip("no H.264 SPS and PPS")) { try SimulatorClip(annexB: stream, codec: .h264, frameRate: 25) }
    }

    @Test func badSettingsAreRejectedBeforeRunningFFmpeg() async {
        await #expect(throws: SimulatorError.self) {
            try await SimulatorClip.generate(
                codec: .h264, width: 321, height: 240, fps: 25, seconds: 1, bitrate: 100_000, into: SimulatorFixture.clipDirectory)
        }
    }
}
