@testable import RTCCMedia

/// Derives display order from slice headers (picture order count), so tests can give access units
/// read from an Annex B file the presentation timestamps a camera would send.
enum PictureOrder {
    struct Picture {
        var poc: Int
        var startsPeriod: Bool
    }

    struct Failure: Error {
        var reason: String
    }

    /// H.264 with `pic_order_cnt_type` 0 (what x264 writes when B-frames are on).
    static func h264(_ accessUnits: [[[UInt8]]]) throws -> [Picture] {
        var sps: H264SPS?
        var previous = (msb: 0, lsb: 0)
        var pictures: [Picture] = []
        for unit in accessUnits {
            for nal in unit where nal[0] & 0x1F == 7 { sps = try H264SPS(parsing: nal) }
            guard let sps, sps.picOrderCountType == 0 else { throw Failure(reason: "need an SPS with POC type 0") }
            guard let slice = unit.first(where: { H264NALUnitType.isSlice($0[0] & 0x1F) }) else { throw Failure(reason: "no slice") }
            let isIDR = slice[0] & 0x1F == 5
            var reader = BitReader(AnnexB.rbsp(slice.dropFirst()))
            guard reader.readUE() != nil, reader.readUE() != nil, reader.readUE() != nil, reader.skipBits(sps.log2MaxFrameNum)
            else { throw Failure(reason: "short slice header") }
            if isIDR, reader.readUE() == nil { throw Failure(reason: "no idr_pic_id") }
            guard let lsbBits = reader.readBits(sps.log2MaxPicOrderCountLsb) else { throw Failure(reason: "no POC lsb") }
            if isIDR { previous = (0, 0) }
            let msb = pocMSB(lsb: Int(lsbBits), previous: previous, maximum: 1 << sps.log2MaxPicOrderCountLsb)
            pictures.append(Picture(poc: msb + Int(lsbBits), startsPeriod: isIDR))
            if slice[0] & 0x60 != 0 { previous = (msb, Int(lsbBits)) }
        }
        return pictures
    }

    /// H.265 (the part of section 8.3.1 that x265 streams need).
    static func h265(_ accessUnits: [[[UInt8]]]) throws -> [Picture] {
        var sps: H265SPS?
        var pps = (outputFlagPresent: false, extraBits: 0)
        var previousTid0 = 0
        var pictures: [Picture] = []
        for unit in accessUnits {
            for nal in unit {
                let type = H265NALUnitType.of(nal[0])
                if type == 33 { sps = try H265SPS(parsing: nal) }
                if type == 34 { pps = try parsePPS(nal) }
            }
            guard let sps else { throw Failure(reason: "no SPS") }
            guard let slice = unit.first(where: { H265NALUnitType.isSlice(H265NALUnitType.of($0[0])) }) else {
                throw Failure(reason: "no slice")
            }
            let type = H265NALUnitType.of(slice[0])
            var reader = BitReader(AnnexB.rbsp(slice.dropFirst(2)))
            guard reader.readFlag() == true else { throw Failure(reason: "not the first slice") }
            if H265NALUnitType.isIRAP(type), !reader.skipBits(1) { throw Failure(reason: "short header") }
            guard reader.readUE() != nil, reader.skipBits(pps.extraBits), reader.readUE() != nil else { throw Failure(reason: "short header") }
            if pps.outputFlagPresent, !reader.skipBits(1) { throw Failure(reason: "short header") }
            let isIDR = type == 19 || type == 20
            let maximum = 1 << sps.log2MaxPicOrderCountLsb
            var poc = 0
            if !isIDR {
                guard let lsb = reader.readBits(sps.log2MaxPicOrderCountLsb) else { throw Failure(reason: "no POC lsb") }
                let resets = (16...18).contains(type) || (type == 21 && pictures.isEmpty)
                let previous = (previousTid0 - (previousTid0 & (maximum - 1)), previousTid0 & (maximum - 1))
                poc = (resets ? 0 : pocMSB(lsb: Int(lsb), previous: previous, maximum: maximum)) + Int(lsb)
            }
            pictures.append(Picture(poc: poc, startsPeriod: isIDR))
            let temporalID = Int(slice[1] & 7) - 1
            let subLayerNonReference = type <= 14 && type % 2 == 0
            if temporalID == 0, !(6...9).contains(type), !subLayerNonReference { previousTid0 = poc }
        }
        return pictures
    }

    /// The display index of each picture (given in decode order).
    static func displayIndices(_ pictures: [Picture]) -> [Int] {
        var result = Array(repeating: 0, count: pictures.count)
        var start = 0
        while start < pictures.count {
            var end = start + 1
            while end < pictures.count, !pictures[end].startsPeriod { end += 1 }
            let ranked = (start..<end).sorted { pictures[$0].poc < pictures[$1].poc }
            for (rank, index) in ranked.enumerated() { result[index] = start + rank }
            start = end
        }
        return result
    }

    private static func pocMSB(lsb: Int, previous: (msb: Int, lsb: Int), maximum: Int) -> Int {
        if lsb < previous.lsb, previous.lsb - lsb >= maximum / 2 { return previous.msb + maximum }
        if lsb > previous.lsb, lsb - previous.lsb > maximum / 2 { return previous.msb - maximum }
        return previous.msb
    }

    private static func parsePPS(_ nal: [UInt8]) throws -> (outputFlagPresent: Bool, extraBits: Int) {
        var reader = BitReader(AnnexB.rbsp(nal.dropFirst(2)))
        guard reader.readUE() != nil, reader.readUE() != nil, reader.skipBits(1), let output = reader.readFlag(),
            let extra = reader.readBits(3)
        else { throw Failure(reason: "short PPS") }
        return (output, Int(extra))
    }
}
