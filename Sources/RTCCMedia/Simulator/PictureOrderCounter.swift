/// Derives presentation order from slice headers (picture order count, H.264 section 8.2.1 for
/// `pic_order_cnt_type` 0 and H.265 section 8.3.1), so a clip with B-frames gets the timestamps a camera would send.
///
/// Streams it cannot read (other POC types, damaged headers) keep decode order, which is right for
/// streams without reordering.
enum PictureOrderCounter {
    /// For each picture (in decode order), its index in presentation order.
    static func presentationIndices(_ pictures: [[[UInt8]]], codec: VideoCodec) -> [Int] {
        let decodeOrder = Array(pictures.indices)
        guard let counts = codec == .h264 ? h264Counts(pictures) : h265Counts(pictures) else { return decodeOrder }
        var indices = decodeOrder
        var periodStart = 0
        while periodStart < counts.count {
            var periodEnd = periodStart + 1
            while periodEnd < counts.count, !counts[periodEnd].startsPeriod { periodEnd += 1 }
            let ranked = (periodStart..<periodEnd).sorted { counts[$0].poc < counts[$1].poc }
            for (rank, picture) in ranked.enumerated() { indices[picture] = periodStart + rank }
            periodStart = periodEnd
        }
        return indices
    }

    private struct Count {
        var poc: Int
        var startsPeriod: Bool
    }

    private static func msb(lsb: Int, previous: (msb: Int, lsb: Int), maximum: Int) -> Int {
        if lsb < previous.lsb, previous.lsb - lsb >= maximum / 2 { return previous.msb + maximum }
        if lsb > previous.lsb, lsb - previous.lsb > maximum / 2 { return previous.msb - maximum }
        return previous.msb
    }

    private static func h264Counts(_ pictures: [[[UInt8]]]) -> [Count]? {
        var sps: H264SPS?
        var previous = (msb: 0, lsb: 0)
        var counts: [Count] = []
        for picture in pictures {
            for unit in picture where unit.first.map({ H264NALUnitType.of($0) }) == H264NALUnitType.sps {
                sps = try? H264SPS(parsing: unit)
            }
            guard let sps, sps.picOrderCountType == 0,
                let slice = picture.first(where: { $0.first.map { H264NALUnitType.isSlice(H264NALUnitType.of($0)) } ?? false })
            else { return nil }
            let isIDR = H264NALUnitType.of(slice[0]) == H264NALUnitType.idrSlice
            var reader = BitReader(AnnexB.rbsp(slice.dropFirst().prefix(64)))
            guard reader.readUE() != nil, reader.readUE() != nil, reader.readUE() != nil, reader.skipBits(sps.log2MaxFrameNum) else { return nil }
            if !sps.frameMbsOnly, reader.readFlag() == true { return nil }  // field pictures are not supported
            if isIDR, reader.readUE() == nil { return nil }
            guard let lsbBits = reader.readBits(sps.log2MaxPicOrderCountLsb) else { return nil }
            let lsb = Int(lsbBits)
            if isIDR { previous = (0, 0) }
            let high = msb(lsb: lsb, previous: previous, maximum: 1 << sps.log2MaxPicOrderCountLsb)
            counts.append(Count(poc: high + lsb, startsPeriod: isIDR))
            if slice[0] & 0x60 != 0 { previous = (high, lsb) }
        }
        return counts
    }

    private static func h265Counts(_ pictures: [[[UInt8]]]) -> [Count]? {
        var sps: H265SPS?
        var pps: (extraBits: Int, outputFlag: Bool)?
        var previous = (msb: 0, lsb: 0)
        var counts: [Count] = []
        for picture in pictures {
            for unit in picture where unit.count > 2 {
                let type = H265NALUnitType.of(unit[0])
                if type == H265NALUnitType.sps { sps = try? H265SPS(parsing: unit) }
                if type == H265NALUnitType.pps { pps = h265PPSFields(unit) }
            }
            guard let sps, let pps, let slice = picture.first(where: { $0.count > 2 && H265NALUnitType.isSlice(H265NALUnitType.of($0[0])) })
            else { return nil }
            let type = H265NALUnitType.of(slice[0])
            let isIDR = type == H265NALUnitType.idrWithRADL || type == H265NALUnitType.idrNoLP
            guard !isIDR else {
                previous = (0, 0)
                counts.append(Count(poc: 0, startsPeriod: true))
                continue
            }
            var reader = BitReader(AnnexB.rbsp(slice.dropFirst(2).prefix(64)))
            guard reader.readFlag() == true else { return nil }  // first_slice_segment_in_pic_flag
            if H265NALUnitType.isIRAP(type), !reader.skipBits(1) { return nil }
            guard reader.readUE() != nil, reader.skipBits(pps.extraBits), reader.readUE() != nil else { return nil }
            if pps.outputFlag, !reader.skipBits(1) { return nil }
            if sps.separateColourPlane, !reader.skipBits(2) { return nil }
            guard let lsbBits = reader.readBits(sps.log2MaxPicOrderCountLsb) else { return nil }
            let lsb = Int(lsbBits)
            let high = msb(lsb: lsb, previous: previous, maximum: 1 << sps.log2MaxPicOrderCountLsb)
            counts.append(Count(poc: high + lsb, startsPeriod: false))
            let temporalID = Int(slice[1] & 0x07) - 1
            let isSubLayerNonReference = type <= 14 && type % 2 == 0
            if temporalID == 0, !(6...9).contains(type), !isSubLayerNonReference { previous = (high, lsb) }
        }
        return counts
    }

    /// `num_extra_slice_header_bits` and `output_flag_present_flag` from an H.265 PPS (section 7.3.2.3.1).
    private static func h265PPSFields(_ unit: [UInt8]) -> (extraBits: Int, outputFlag: Bool)? {
        var reader = BitReader(AnnexB.rbsp(unit.dropFirst(2)))
        guard reader.readUE() != nil, reader.readUE() != nil, reader.skipBits(1), let output = reader.readFlag(),
            let extra = reader.readBits(3)
        else { return nil }
        return (Int(extra), output)
    }
}
