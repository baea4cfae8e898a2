/// Conversions between NAL unit lists, Annex B byte streams (start codes) and length-prefixed
/// AVCC/HVCC sample data. Shared by H.264 and H.265.
public enum AnnexB {
    /// Splits an Annex B byte stream at its `00 00 01` / `00 00 00 01` start codes.
    ///
    /// Bytes before the first start code and empty NAL units are dropped; trailing zero bytes of
    /// each NAL unit (`trailing_zero_8bits`) are removed.
    public static func split(_ stream: [UInt8]) -> [[UInt8]] {
        var units: [[UInt8]] = []
        var start: Int?
        var index = 0
        while index + 2 < stream.count {
            if stream[index] == 0, stream[index + 1] == 0, stream[index + 2] == 1 {
                if let start { appendTrimmed(stream[start..<index], to: &units) }
                index += 3
                start = index
            } else {
                index += 1
            }
        }
        if let start, start < stream.count { appendTrimmed(stream[start...], to: &units) }
        return units
    }

    /// Joins NAL units into an Annex B byte stream with 4-byte start codes.
    public static func join(_ nalUnits: [[UInt8]]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(nalUnits.reduce(0) { $0 + $1.count + 4 })
        for unit in nalUnits {
            out += [0, 0, 0, 1]
            out += unit
        }
        return out
    }

    /// Prefixes each NAL unit with its length as a 4-byte big-endian integer.
    public static func lengthPrefixed(_ nalUnits: [[UInt8]]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(nalUnits.reduce(0) { $0 + $1.count + 4 })
        for unit in nalUnits {
            out.appendBigEndian(UInt32(truncatingIfNeeded: unit.count))
            out += unit
        }
        return out
    }

    /// Splits 4-byte length-prefixed sample data into NAL units; stops at a truncated length.
    public static func splitLengthPrefixed(_ data: [UInt8]) -> [[UInt8]] {
        var reader = ByteReader(data)
        var units: [[UInt8]] = []
        while let length = reader.readUInt32(), let unit = reader.readBytes(Int(length)) {
            units.append(unit)
        }
        return units
    }

    /// Removes emulation-prevention bytes (`00 00 03` → `00 00`), giving the RBSP of a NAL unit.
    public static func rbsp(_ nalUnit: some Collection<UInt8>) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(nalUnit.count)
        var zeros = 0
        for byte in nalUnit {
            if zeros >= 2, byte == 3 {
                zeros = 0
                continue
            }
            zeros = byte == 0 ? zeros + 1 : 0
            out.append(byte)
        }
        return out
    }

    private static func appendTrimmed(_ slice: ArraySlice<UInt8>, to units: inout [[UInt8]]) {
        var end = slice.endIndex
        while end > slice.startIndex, slice[end - 1] == 0 { end -= 1 }
        if end > slice.startIndex { units.append(Array(slice[slice.startIndex..<end])) }
    }
}

extension AnnexB {
    /// Groups NAL units read from an Annex B file into access units (ITU-T H.264 section 7.4.1.2.3,
    /// H.265 section 7.4.2.4.4): a new access unit starts at a delimiter, a parameter set or SEI
    /// after a picture, or at the first slice of a new picture.
    public static func groupAccessUnits(_ nalUnits: [[UInt8]], codec: VideoCodec) -> [[[UInt8]]] {
        var groups: [[[UInt8]]] = []
        var current: [[UInt8]] = []
        var currentHasSlice = false
        for unit in nalUnits {
            let boundary = startsAccessUnit(unit, codec: codec)
            if currentHasSlice, boundary != .no {
                groups.append(current)
                current = []
                currentHasSlice = false
            }
            current.append(unit)
            if boundary == .firstSlice { currentHasSlice = true }
        }
        if !current.isEmpty { groups.append(current) }
        return groups
    }

    private enum Boundary { case no, prefix, firstSlice }

    private static func startsAccessUnit(_ unit: [UInt8], codec: VideoCodec) -> Boundary {
        switch codec {
        case .h264:
            guard let header = unit.first else { return .no }
            let type = H264NALUnitType.of(header)
            if H264NALUnitType.isSlice(type) {
                // first_mb_in_slice is ue(v); it is 0 exactly when its first bit is 1.
                return unit.count > 1 && unit[1] & 0x80 != 0 ? .firstSlice : .no
            }
            return (6...9).contains(type) || (14...18).contains(type) ? .prefix : .no
        case .h265:
            guard unit.count > 2 else { return .no }
            let type = H265NALUnitType.of(unit[0])
            if H265NALUnitType.isSlice(type) {
                return unit[2] & 0x80 != 0 ? .firstSlice : .no
            }
            return (32...35).contains(type) || type == 39 || (41...44).contains(type) || (48...55).contains(type) ? .prefix : .no
        }
    }
}
