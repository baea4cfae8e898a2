import Testing

@testable import RTCCMedia

struct FMP4MuxerTests {
    static func h264Format() throws -> VideoFormat {
        var sets = H264ParameterSets()
        _ = try sets.update(with: Vectors.sps1080p)
        _ = try sets.update(with: Vectors.pps1080p)
        return try sets.videoFormat()
    }

    static let aac = AACAudioFormat(sampleRate: 48_000, channelCount: 2, audioSpecificConfig: [0x11, 0x90])

    @Test func boxWriterFillsInNestedSizes() {
        var writer = MP4BoxWriter()
        writer.box("moov") { moov in
            moov.fullBox("mvhd", version: 1, flags: 0x0203) { $0.uint16(0xABCD) }
        }
        #expect(writer.bytes == [0, 0, 0, 22] + Array("moov".utf8) + [0, 0, 0, 14] + Array("mvhd".utf8) + [1, 0, 2, 3, 0xAB, 0xCD])
    }

    @Test func initializationSegmentHasVideoSampleEntry() throws {
        let muxer = FMP4Muxer(video: try Self.h264Format())
        let boxes = TestBox.parse(muxer.initializationSegment())
        #expect(boxes.map(\.type) == ["ftyp", "moov"])
        let entry = TestBox.find(["moov", "trak", "mdia", "minf", "stbl", "stsd", "avc1"], in: boxes)
        #expect(entry != nil)
        let entryBody = entry?.body ?? []
        #expect(Array(entryBody[24..<28]) == [0x07, 0x80, 0x04, 0x38])  // 1920 × 1080
        let avcC = TestBox.parse(Array(entryBody.dropFirst(78))).first
        #expect(avcC?.type == "avcC")
        #expect(avcC?.body == (try Self.h264Format().decoderConfiguration))
        for path in [["stts"], ["stsc"], ["stsz"], ["stco"]] {
            #expect(TestBox.find(["moov", "trak", "mdia", "minf", "stbl"] + path, in: boxes) != nil)
        }
        #expect(TestBox.find(["moov", "mvex", "trex"], in: boxes) != nil)
        let tkhd = TestBox.find(["moov", "trak", "tkhd"], in: boxes)?.body ?? []
        #expect(Array(tkhd.suffix(8)) == [0x07, 0x80, 0, 0, 0x04, 0x38, 0, 0])
        #expect(muxer.mimeType == "video/mp4; codecs=\"avc1.4D4028\"")
    }

    @Test func audioTrackAddsSecondTrakWithEsds() throws {
        let muxer = FMP4Muxer(video: try Self.h264Format(), audio: Self.aac)
        let moov = TestBox.find(["moov"], in: TestBox.parse(muxer.initializationSegment()))
        let traks = moov?.children.filter { $0.type == "trak" } ?? []
        #expect(traks.count == 2)
        let mp4a = TestBox.find(["mdia", "minf", "stbl", "stsd", "mp4a"], in: [traks[1]].flatMap(\.children))
        let esds = TestBox.parse(Array((mp4a?.body ?? []).dropFirst(28))).first
        #expect(esds?.type == "esds")
        let decoderSpecificInfo: [UInt8] = [0x05, 0x80, 0x80, 0x80, 0x02, 0x11, 0x90]
        let body = esds?.body ?? []
        #expect(body.indices.contains { Array(body[$0...].prefix(7)) == decoderSpecificInfo })
        #expect(muxer.mimeType == "video/mp4; codecs=\"avc1.4D4028,mp4a.40.2\"")
        #expect(moov?.children.filter { $0.type == "mvex" }.first?.children.count == 2)
    }

    @Test func fragmentHasMoofThenMdatWithCorrectOffsets() throws {
        var muxer = FMP4Muxer(video: try Self.h264Format())
        let samples = [
            FMP4Sample(data: [0, 0, 0, 2, 0x65, 1], duration: 3600, compositionOffset: 7200, isSync: true),
            FMP4Sample(data: [0, 0, 0, 1, 0x41], duration: 3600, compositionOffset: -3600, isSync: false),
        ]
        let fragment = try muxer.fragment(video: samples)
        let boxes = TestBox.parse(fragment)
        #expect(boxes.map(\.type) == ["moof", "mdat"])
        #expect(boxes.last?.body == samples.flatMap(\.data))
        let trun = TestBox.find(["moof", "traf", "trun"], in: boxes)?.body ?? []
        #expect(trun[0] == 1)  // version 1: signed composition offsets
        let count = trun[4..<8].reduce(0) { $0 << 8 | Int($1) }
        let dataOffset = trun[8..<12].reduce(0) { $0 << 8 | Int($1) }
        #expect(count == 2)
        #expect(dataOffset == fragment.count - samples.flatMap(\.data).count)
        #expect(Array(trun[12..<28]) == [0, 0, 0x0E, 0x10, 0, 0, 0, 6, 0x02, 0, 0, 0, 0, 0, 0x1C, 0x20])
        #expect(Array(trun[36..<44]) == [0x01, 0x01, 0, 0, 0xFF, 0xFF, 0xF1, 0xF0])
        let second = try muxer.fragment(video: samples)
        let tfdt = TestBox.find(["moof", "traf", "tfdt"], in: TestBox.parse(second))?.body ?? []
        #expect(Array(tfdt.suffix(8)) == [0, 0, 0, 0, 0, 0, 0x1C, 0x20])
        let mfhd = TestBox.find(["moof", "mfhd"], in: TestBox.parse(second))?.body ?? []
        #expect(Array(mfhd.suffix(4)) == [0, 0, 0, 2])
    }

    @Test func audioAndVideoShareOneFragment() throws {
        var muxer = FMP4Muxer(video: try Self.h264Format(), audio: Self.aac)
        let video = [FMP4Sample(data: [0, 0, 0, 1, 0x65], duration: 3000, isSync: true)]
        let audio = [FMP4Sample(data: [1, 2, 3], duration: 1024, isSync: true), FMP4Sample(data: [4, 5], duration: 1024, isSync: true)]
        let fragment = try muxer.fragment(video: video, audio: audio)
        let moof = TestBox.find(["moof"], in: TestBox.parse(fragment))
        let trafs = moof?.children.filter { $0.type == "traf" } ?? []
        #expect(trafs.count == 2)
        let audioRun = TestBox.find(["trun"], in: trafs[1].children)?.body ?? []
        let audioOffset = audioRun[8..<12].reduce(0) { $0 << 8 | Int($1) }
        #expect(Array(fragment[audioOffset..<(audioOffset + 5)]) == [1, 2, 3, 4, 5])
        #expect(muxer.nextAudioDecodeTime == 2048)
        #expect(muxer.nextVideoDecodeTime == 3000)
    }

    @Test func invalidFragmentsAreRefused() throws {
        var muxer = FMP4Muxer(video: try Self.h264Format())
        #expect(throws: FMP4MuxerError.noSamples) { try muxer.fragment(video: []) }
        #expect(throws: FMP4MuxerError.noAudioTrack) {
            try muxer.fragment(video: [], audio: [FMP4Sample(data: [1], duration: 1, isSync: true)])
        }
        var small = FMP4Muxer(video: try Self.h264Format(), maximumFragmentSize: 1024)
        #expect(throws: FMP4MuxerError.fragmentTooLarge) {
            try small.fragment(video: [FMP4Sample(data: Array(repeating: 0, count: 2048), duration: 1, isSync: true)])
        }
    }
}
