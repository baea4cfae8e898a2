import Foundation
import Testing

@testable import RTCCMedia

@Suite(.timeLimit(.minutes(2))) struct LiveStreamTests {
    /// Frames of an ffmpeg H.264 stream with B-frames, as the recorder hands them on.
    static func frames(seconds: Int, in directory: URL) async throws -> [TimedVideoFrame] {
        let units = try await ExportTestRecording.encode(seconds: seconds, codec: .h264, in: directory)
        let format = try #require(units.first?.format)
        var timeline = DecodeTimeline<VideoAccessUnit>(reorderDepth: DecodeTimeline<VideoAccessUnit>.reorderDepth(for: format), frameRate: 25)
        var frames: [TimedVideoFrame] = []
        func frame(_ item: (timing: DecodeTiming, payload: VideoAccessUnit)) -> TimedVideoFrame {
            TimedVideoFrame(accessUnit: item.payload, timing: item.timing, wallClock: ExportTestRecording.wallClock(item.timing.presentationTime))
        }
        for unit in units { frames += timeline.push(presentationTime: unit.rtpTimestamp, payload: unit).map(frame) }
        frames += timeline.flush().map(frame)
        return frames
    }

    @Test func fragmentsOfALiveStreamDecodeWithTheirCompositionOffsets() async throws {
        let directory = try ExternalTool.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let frames = try await Self.frames(seconds: 3, in: directory)
        var fragmenter = LiveFragmenter()
        var bytes: [UInt8] = []
        var initializations = 0
        for frame in frames {
            let pushed = fragmenter.push(frame)
            let output = try #require(pushed)
            if let initialization = output.initialization {
                bytes += initialization.bytes
                initializations += 1
                #expect(initialization.mimeType.hasPrefix("video/mp4; codecs=\"avc1."))
            }
            bytes += output.fragment.bytes
        }
        #expect(initializations == 1)
        let file = directory.appendingPathComponent("live.mp4")
        try Data(bytes).write(to: file)
        #expect(try await RecordingTestMedia.decodeErrors(file.path, in: directory) == "")
        let packets = try await RecordingTestMedia.packets(file.path, in: directory)
        #expect(packets.count == frames.count)
        #expect(packets.contains { $0.pts != $0.dts }, "B-frames keep their composition offsets")
    }

    @Test func theTimelineNeverGoesBackwardsWhenTheCameraRestarts() async throws {
        let directory = try ExternalTool.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let frames = try await Self.frames(seconds: 2, in: directory)
        var fragmenter = LiveFragmenter()
        var times: [UInt64] = []
        for frame in frames + frames { if let output = fragmenter.push(frame) { times.append(output.fragment.decodeTime) } }
        #expect(times.count == frames.count * 2)
        #expect(zip(times, times.dropFirst()).allSatisfy { $0 < $1 }, "decode times only increase")
        let step = times[frames.count] - times[frames.count - 1]
        #expect(step == 3600, "the restart continues one frame later")
    }

    @Test func picturesBeforeTheFirstKeyframeAreDropped() async throws {
        let directory = try ExternalTool.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let frames = try await Self.frames(seconds: 2, in: directory)
        var fragmenter = LiveFragmenter()
        let leading = frames.dropFirst().prefix { !$0.accessUnit.isKeyframe }
        for frame in leading {
            let pushed = fragmenter.push(frame)
            #expect(pushed == nil)
        }
        #expect(fragmenter.initialization == nil)
    }

    @Test func aLateViewerStartsAtTheCurrentKeyframeWithTheInitializationSegment() async throws {
        let directory = try ExternalTool.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let frames = try await Self.frames(seconds: 2, in: directory)
        let channel = LiveChannel()
        for frame in frames.prefix(35) { await channel.push(frame) }
        let stream = await channel.subscribe()
        for frame in frames.dropFirst(35) { await channel.push(frame) }
        await channel.close()
        var messages: [LiveMessage] = []
        for await message in stream { messages.append(message) }
        guard case .initialization = messages.first, case .fragment(let first) = messages.dropFirst().first else {
            Issue.record("the viewer must get the initialization segment and then a fragment")
            return
        }
        #expect(first.isKeyframe)
        let fragments = messages.compactMap { if case .fragment(let f) = $0 { f } else { nil } }
        #expect(fragments.count == frames.count - 25, "the group since the keyframe at frame 25, then every later picture")
        #expect(await channel.latestKeyframe?.fragment.decodeTime == fragments.last(where: \.isKeyframe)?.decodeTime,
                "the newest keyframe is kept for snapshots")
    }

    @Test func aViewerThatFallsBehindLosesPicturesUntilTheNextKeyframeOnly() async throws {
        let directory = try ExternalTool.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let frames = try await Self.frames(seconds: 4, in: directory)
        let channel = LiveChannel(viewerBuffer: 10)
        let stream = await channel.subscribe()
        for frame in frames { await channel.push(frame) }
        await channel.close()
        var fragments: [LiveFragment] = []
        for await message in stream { if case .fragment(let fragment) = message { fragments.append(fragment) } }
        #expect(fragments.count < frames.count, "a viewer that never read lost pictures")
        #expect(fragments.first?.isKeyframe == true)
        #expect(await channel.picturesLostByViewers > 0)
        // Every run of received pictures starts at a keyframe: a loss never leaves a group half-sent.
        for (previous, next) in zip(fragments, fragments.dropFirst()) where next.decodeTime - previous.decodeTime > UInt64(previous.duration) {
            #expect(next.isKeyframe, "after a loss the viewer resumes at a keyframe")
        }
    }

    @Test func theHLSPlaylistListsWholeGroupsWithTheirInitializationSegment() async throws {
        let directory = try ExternalTool.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let frames = try await Self.frames(seconds: 5, in: directory)
        let channel = LiveChannel(hlsSegments: 3)
        for frame in frames { await channel.push(frame) }
        let window = await channel.hls
        let playlist = try #require(window.playlist())
        #expect(playlist.hasPrefix("#EXTM3U\n#EXT-X-VERSION:7\n"))
        #expect(playlist.contains("#EXT-X-MAP:URI=\"init-1.mp4\""))
        #expect(window.segments.count == 3, "the window keeps its capacity")
        #expect(window.segments.map(\.sequence) == [1, 2, 3], "older groups leave the window")
        #expect(playlist.contains("#EXT-X-MEDIA-SEQUENCE:1\n"))
        for segment in window.segments { #expect(abs(segment.duration - 1.0) < 0.05, "one group of pictures per segment") }
        let file = directory.appendingPathComponent("hls.mp4")
        try Data(try #require(window.initializations[1]).bytes + window.segments.flatMap(\.bytes)).write(to: file)
        #expect(try await RecordingTestMedia.decodeErrors(file.path, in: directory) == "")
    }
}
