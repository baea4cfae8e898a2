/// The boxes of the initialization segment.
extension FMP4Muxer {
    func writeMovieHeader(_ moov: inout MP4BoxWriter) {
        moov.fullBox("mvhd", version: 0, flags: 0) { mvhd in
            mvhd.zeros(8)  // creation and modification time
            mvhd.uint32(1000)
            mvhd.uint32(0)  // duration: unknown, fragments follow
            mvhd.uint32(0x0001_0000)  // rate 1.0
            mvhd.uint16(0x0100)  // volume 1.0
            mvhd.zeros(10)
            mvhd.unityMatrix()
            mvhd.zeros(24)
            mvhd.uint32(audio == nil ? 2 : 3)  // next_track_ID
        }
    }

    func writeVideoTrack(_ moov: inout MP4BoxWriter) {
        moov.box("trak") { trak in
            writeTrackHeader(&trak, trackID: Self.videoTrackID, isAudio: false)
            trak.box("mdia") { mdia in
                writeMediaHeader(&mdia, timescale: videoTimescale)
                writeHandler(&mdia, type: "vide", name: "VideoHandler")
                mdia.box("minf") { minf in
                    minf.fullBox("vmhd", version: 0, flags: 1) { $0.zeros(8) }
                    writeDataInformation(&minf)
                    writeSampleTable(&minf) { stsd in writeVisualSampleEntry(&stsd) }
                }
            }
        }
    }

    func writeAudioTrack(_ moov: inout MP4BoxWriter, _ audio: AACAudioFormat) {
        moov.box("trak") { trak in
            writeTrackHeader(&trak, trackID: Self.audioTrackID, isAudio: true)
            trak.box("mdia") { mdia in
                writeMediaHeader(&mdia, timescale: UInt32(clamping: max(audio.sampleRate, 1)))
                writeHandler(&mdia, type: "soun", name: "SoundHandler")
                mdia.box("minf") { minf in
                    minf.fullBox("smhd", version: 0, flags: 0) { $0.zeros(4) }
                    writeDataInformation(&minf)
                    writeSampleTable(&minf) { stsd in Self.writeAudioSampleEntry(&stsd, audio) }
                }
            }
        }
    }

    private func writeTrackHeader(_ trak: inout MP4BoxWriter, trackID: UInt32, isAudio: Bool) {
        trak.fullBox("tkhd", version: 0, flags: 3) { tkhd in
            tkhd.zeros(8)
            tkhd.uint32(trackID)
            tkhd.zeros(4)
            tkhd.uint32(0)  // duration
            tkhd.zeros(8)
            tkhd.uint16(0)  // layer
            tkhd.uint16(isAudio ? 1 : 0)  // alternate_group
            tkhd.uint16(isAudio ? 0x0100 : 0)
            tkhd.zeros(2)
            tkhd.unityMatrix()
            tkhd.uint32(isAudio ? 0 : UInt32(clamping: video.width) << 16)
            tkhd.uint32(isAudio ? 0 : UInt32(clamping: video.height) << 16)
        }
    }

    private func writeMediaHeader(_ mdia: inout MP4BoxWriter, timescale: UInt32) {
        mdia.fullBox("mdhd", version: 0, flags: 0) { mdhd in
            mdhd.zeros(8)
            mdhd.uint32(timescale)
            mdhd.uint32(0)
            mdhd.uint16(0x55C4)  // language "und"
            mdhd.uint16(0)
        }
    }

    private func writeHandler(_ mdia: inout MP4BoxWriter, type: String, name: String) {
        mdia.fullBox("hdlr", version: 0, flags: 0) { hdlr in
            hdlr.uint32(0)
            hdlr.fourCC(type)
            hdlr.zeros(12)
            hdlr.raw(Array(name.utf8) + [0])
        }
    }

    private func writeDataInformation(_ minf: inout MP4BoxWriter) {
        minf.box("dinf") { dinf in
            dinf.fullBox("dref", version: 0, flags: 0) { dref in
                dref.uint32(1)
                dref.fullBox("url ", version: 0, flags: 1) { _ in }
            }
        }
    }

    private func writeSampleTable(_ minf: inout MP4BoxWriter, entry: (inout MP4BoxWriter) -> Void) {
        minf.box("stbl") { stbl in
            stbl.fullBox("stsd", version: 0, flags: 0) { stsd in
                stsd.uint32(1)
                entry(&stsd)
            }
            stbl.fullBox("stts", version: 0, flags: 0) { $0.uint32(0) }
            stbl.fullBox("stsc", version: 0, flags: 0) { $0.uint32(0) }
            stbl.fullBox("stsz", version: 0, flags: 0) { $0.zeros(8) }
            stbl.fullBox("stco", version: 0, flags: 0) { $0.uint32(0) }
        }
    }

    private func writeVisualSampleEntry(_ stsd: inout MP4BoxWriter) {
        let isHEVC = video.codec == .h265
        stsd.box(isHEVC ? "hvc1" : "avc1") { entry in
            entry.zeros(6)
            entry.uint16(1)  // data_reference_index
            entry.zeros(16)
            entry.uint16(UInt16(clamping: video.width))
            entry.uint16(UInt16(clamping: video.height))
            entry.uint32(0x0048_0000)
            entry.uint32(0x0048_0000)
            entry.uint32(0)
            entry.uint16(1)  // frame_count
            entry.zeros(32)  // compressorname
            entry.uint16(0x0018)
            entry.uint16(0xFFFF)
            entry.box(isHEVC ? "hvcC" : "avcC") { $0.raw(video.decoderConfiguration) }
        }
    }

    func writeTrackExtends(_ mvex: inout MP4BoxWriter, trackID: UInt32) {
        mvex.fullBox("trex", version: 0, flags: 0) { trex in
            trex.uint32(trackID)
            trex.uint32(1)
            trex.zeros(12)
        }
    }

    private static func writeAudioSampleEntry(_ stsd: inout MP4BoxWriter, _ audio: AACAudioFormat) {
        stsd.box("mp4a") { entry in
            entry.zeros(6)
            entry.uint16(1)
            entry.zeros(8)
            entry.uint16(UInt16(clamping: audio.channelCount))
            entry.uint16(16)
            entry.zeros(4)
            entry.uint32(UInt32(clamping: min(audio.sampleRate, 65_535)) << 16)
            entry.fullBox("esds", version: 0, flags: 0) { $0.raw(elementaryStreamDescriptor(audio)) }
        }
    }

    /// ES_Descriptor with DecoderConfigDescriptor, DecoderSpecificInfo and SLConfigDescriptor
    /// (ISO/IEC 14496-1 section 7.2.6).
    static func elementaryStreamDescriptor(_ audio: AACAudioFormat) -> [UInt8] {
        let config = Array(audio.audioSpecificConfig.prefix(1024))
        var decoderConfig: [UInt8] = [0x40, 0x15, 0, 0, 0]  // AAC, audio stream, buffer size
        decoderConfig.appendBigEndian(UInt32(0))  // maxBitrate
        decoderConfig.appendBigEndian(UInt32(0))  // avgBitrate
        decoderConfig += descriptor(tag: 0x05, config)
        var body: [UInt8] = []
        body.appendBigEndian(UInt16(audioTrackID))
        body.append(0)
        body += descriptor(tag: 0x04, decoderConfig)
        body += descriptor(tag: 0x06, [0x02])
        return descriptor(tag: 0x03, body)
    }

    /// A descriptor with its size in the four-byte expandable form.
    private static func descriptor(tag: UInt8, _ body: [UInt8]) -> [UInt8] {
        let size = UInt32(clamping: body.count)
        let sizeBytes: [UInt8] = [
            0x80 | UInt8((size >> 21) & 0x7F), 0x80 | UInt8((size >> 14) & 0x7F), 0x80 | UInt8((size >> 7) & 0x7F),
            UInt8(size & 0x7F),
        ]
        return [tag] + sizeBytes + body
    }
}
