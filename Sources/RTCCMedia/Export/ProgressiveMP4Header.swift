/// Writes the head of a progressive (non-fragmented) MP4 file for a ``ClipPlan``: `ftyp`, a
/// `moov` with complete sample tables and an edit list (ISO/IEC 14496-12 sections 8.2–8.7), and
/// the `mdat` header. The sample data follows in the plan's order, one chunk per run of samples
/// from the same source segment.
enum ProgressiveMP4Header {
    /// The header bytes; sample data starts right after them.
    static func bytes(for plan: ClipPlan) -> [UInt8] {
        let chunks = chunks(of: plan)
        let measured = build(plan, chunks: chunks, dataStart: 0).count
        return build(plan, chunks: chunks, dataStart: measured)
    }

    /// A run of samples stored together.
    struct Chunk: Sendable, Hashable {
        var firstSample: Int
        var sampleCount: Int
        var sampleEntry: Int
        var bytes: Int64
    }

    static func chunks(of plan: ClipPlan) -> [Chunk] {
        var chunks: [Chunk] = []
        for (index, sample) in plan.samples.enumerated() {
            if let last = chunks.last, plan.samples[index - 1].source == sample.source, last.sampleEntry == sample.sampleEntry {
                chunks[chunks.count - 1].sampleCount += 1
                chunks[chunks.count - 1].bytes += Int64(sample.size)
            } else {
                chunks.append(Chunk(firstSample: index, sampleCount: 1, sampleEntry: sample.sampleEntry, bytes: Int64(sample.size)))
            }
        }
        return chunks
    }

    private static func build(_ plan: ClipPlan, chunks: [Chunk], dataStart: Int) -> [UInt8] {
        var writer = MP4BoxWriter()
        let isHEVC = plan.sampleEntries.first.map { Array($0.dropFirst(4).prefix(4)) == Array("hvc1".utf8) } ?? false
        writer.box("ftyp") { ftyp in
            ftyp.fourCC("isom")
            ftyp.uint32(512)
            for brand in ["isom", "iso2", isHEVC ? "hvc1" : "avc1", "mp41"] { ftyp.fourCC(brand) }
        }
        writer.box("moov") { moov in
            fullBoxWithTimes(&moov, "mvhd", plan.editDuration, timescale: plan.timescale) { mvhd in
                mvhd.uint32(0x0001_0000)
                mvhd.uint16(0x0100)
                mvhd.zeros(10)
                mvhd.unityMatrix()
                mvhd.zeros(24)
                mvhd.uint32(2)
            }
            moov.box("trak") { trak in writeTrack(&trak, plan, chunks: chunks, dataStart: dataStart) }
        }
        let payload = plan.payloadBytes
        if payload + 8 > Int64(UInt32.max) {
            writer.uint32(1)
            writer.fourCC("mdat")
            writer.uint64(UInt64(payload + 16))
        } else {
            writer.uint32(UInt32(payload + 8))
            writer.fourCC("mdat")
        }
        return writer.bytes
    }

    /// A full box starting with creation time, modification time, (track ID,) timescale or not,
    /// and a duration, in version 1 when the duration needs 64 bits.
    private static func fullBoxWithTimes(
        _ parent: inout MP4BoxWriter, _ type: String, _ duration: Int64, timescale: Int64?, trackID: UInt32? = nil,
        flags: UInt32 = 0, _ rest: (inout MP4BoxWriter) -> Void
    ) {
        let wide = duration > Int64(UInt32.max)
        parent.fullBox(type, version: wide ? 1 : 0, flags: flags) { box in
            box.zeros(wide ? 16 : 8)
            if let trackID {
                box.uint32(trackID)
                box.zeros(4)
            }
            if let timescale { box.uint32(UInt32(clamping: timescale)) }
            if wide { box.uint64(UInt64(max(duration, 0))) } else { box.uint32(UInt32(max(duration, 0))) }
            rest(&box)
        }
    }

    private static func writeTrack(_ trak: inout MP4BoxWriter, _ plan: ClipPlan, chunks: [Chunk], dataStart: Int) {
        fullBoxWithTimes(&trak, "tkhd", plan.editDuration, timescale: nil, trackID: 1, flags: 3) { tkhd in
            tkhd.zeros(8)
            tkhd.zeros(8)  // layer, alternate group, volume, reserved
            tkhd.unityMatrix()
            tkhd.uint32(UInt32(clamping: plan.width) << 16)
            tkhd.uint32(UInt32(clamping: plan.height) << 16)
        }
        trak.box("edts") { edts in
            edts.fullBox("elst", version: 1, flags: 0) { elst in
                elst.uint32(1)
                elst.uint64(UInt64(max(plan.editDuration, 0)))
                elst.uint64(UInt64(bitPattern: plan.editStart))
                elst.uint16(1)
                elst.uint16(0)
            }
        }
        trak.box("mdia") { mdia in
            fullBoxWithTimes(&mdia, "mdhd", plan.mediaDuration, timescale: plan.timescale) { mdhd in
                mdhd.uint16(0x55C4)  // language "und"
                mdhd.uint16(0)
            }
            mdia.fullBox("hdlr", version: 0, flags: 0) { hdlr in
                hdlr.uint32(0)
                hdlr.fourCC("vide")
                hdlr.zeros(12)
                hdlr.raw(Array("VideoHandler".utf8) + [0])
            }
            mdia.box("minf") { minf in
                minf.fullBox("vmhd", version: 0, flags: 1) { $0.zeros(8) }
                minf.box("dinf") { dinf in
                    dinf.fullBox("dref", version: 0, flags: 0) { dref in
                        dref.uint32(1)
                        dref.fullBox("url ", version: 0, flags: 1) { _ in }
                    }
                }
                minf.box("stbl") { stbl in writeSampleTables(&stbl, plan, chunks: chunks, dataStart: dataStart) }
            }
        }
    }

    private static func writeSampleTables(_ stbl: inout MP4BoxWriter, _ plan: ClipPlan, chunks: [Chunk], dataStart: Int) {
        stbl.fullBox("stsd", version: 0, flags: 0) { stsd in
            stsd.uint32(UInt32(plan.sampleEntries.count))
            for entry in plan.sampleEntries { stsd.raw(entry) }
        }
        let durations = runs(plan.samples.map(\.duration))
        stbl.fullBox("stts", version: 0, flags: 0) { stts in
            stts.uint32(UInt32(durations.count))
            for run in durations {
                stts.uint32(UInt32(run.count))
                stts.uint32(UInt32(clamping: run.value))
            }
        }
        let offsets = runs(plan.samples.map(\.compositionOffset))
        if offsets.contains(where: { $0.value != 0 }) {
            let signed = offsets.contains { $0.value < 0 }
            stbl.fullBox("ctts", version: signed ? 1 : 0, flags: 0) { ctts in
                ctts.uint32(UInt32(offsets.count))
                for run in offsets {
                    ctts.uint32(UInt32(run.count))
                    ctts.int32(Int32(clamping: run.value))
                }
            }
        }
        let syncSamples = plan.samples.indices.filter { plan.samples[$0].isSync }
        if syncSamples.count < plan.samples.count {
            stbl.fullBox("stss", version: 0, flags: 0) { stss in
                stss.uint32(UInt32(syncSamples.count))
                for index in syncSamples { stss.uint32(UInt32(index + 1)) }
            }
        }
        writeChunkTables(&stbl, plan, chunks: chunks, dataStart: dataStart)
    }

    private static func writeChunkTables(_ stbl: inout MP4BoxWriter, _ plan: ClipPlan, chunks: [Chunk], dataStart: Int) {
        stbl.fullBox("stsz", version: 0, flags: 0) { stsz in
            stsz.uint32(0)
            stsz.uint32(UInt32(plan.samples.count))
            for sample in plan.samples { stsz.uint32(UInt32(clamping: sample.size)) }
        }
        var entries: [(firstChunk: Int, samples: Int, entry: Int)] = []
        for (index, chunk) in chunks.enumerated() where entries.last.map({ $0.samples != chunk.sampleCount || $0.entry != chunk.sampleEntry }) ?? true
        {
            entries.append((index + 1, chunk.sampleCount, chunk.sampleEntry))
        }
        stbl.fullBox("stsc", version: 0, flags: 0) { stsc in
            stsc.uint32(UInt32(entries.count))
            for entry in entries {
                stsc.uint32(UInt32(entry.firstChunk))
                stsc.uint32(UInt32(entry.samples))
                stsc.uint32(UInt32(entry.entry))
            }
        }
        stbl.fullBox("co64", version: 0, flags: 0) { co64 in
            co64.uint32(UInt32(chunks.count))
            var offset = Int64(dataStart)
            for chunk in chunks {
                co64.uint64(UInt64(offset))
                offset += chunk.bytes
            }
        }
    }

    /// Run-length encoding of `values`.
    static func runs(_ values: [Int64]) -> [(value: Int64, count: Int)] {
        var result: [(value: Int64, count: Int)] = []
        for value in values {
            if let last = result.last, last.value == value {
                result[result.count - 1].count += 1
            } else {
                result.append((value, 1))
            }
        }
        return result
    }
}
