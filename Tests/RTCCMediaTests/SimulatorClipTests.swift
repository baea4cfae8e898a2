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
