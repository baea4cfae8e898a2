import Foundation

/// The SPS and PPS of an H.264 stream, from SDP (`sprop-parameter-sets`) or in-band, kept current.
///
/// Only the most recent SPS and PPS are kept: enough for cameras, which use one of each.
public struct H264ParameterSets: Sendable, Hashable {
    /// The current sequence parameter set NAL unit.
    public private(set) var sps: [UInt8]?
    /// The current picture parameter set NAL unit.
    public private(set) var pps: [UInt8]?
    /// The parsed current SPS.
    public private(set) var parsedSPS: H264SPS?

    /// The largest parameter set accepted, in bytes.
    public static let maximumSize = 4096

    /// Creates an empty set.
    public init() {}

    /// Reads the comma-separated base64 NAL units of an SDP `sprop-parameter-sets` value.
    public init(spropParameterSets: String) throws(ParameterSetError) {
        for entry in spropParameterSets.split(separator: ",") {
            let text = entry.trimmingCharacters(in: .whitespaces)
            guard let data = Data(base64Encoded: Self.padded(text)), !data.isEmpty else { throw .invalidBase64(text) }
            _ = try update(with: Array(data))
        }
    }

    /// Whether both an SPS and a PPS are known.
    public var isComplete: Bool { sps != nil && pps != nil }

    /// The parameter sets to put before a keyframe, SPS first.
    public var nalUnits: [[UInt8]] { [sps, pps].compactMap { $0 } }

    /// Absorbs a NAL unit if it is an SPS or PPS; returns whether the stored sets changed.
    ///
    /// Throws if an SPS cannot be parsed; the stored sets are then left as they were.
    public mutating func update(with nalUnit: [UInt8]) throws(ParameterSetError) -> Bool {
        guard let header = nalUnit.first else { return false }
        guard nalUnit.count <= Self.maximumSize else { throw .valueOutOfRange(field: "parameter set size") }
        switch header & 0x1F {
        case H264NALUnitType.sps:
            guard nalUnit != sps else { return false }
            parsedSPS = try H264SPS(parsing: nalUnit)
            sps = nalUnit
            return true
        case H264NALUnitType.pps:
            guard nalUnit != pps else { return false }
            pps = nalUnit
            return true
        default:
            return false
        }
    }

    /// The `avcC` box body (AVCDecoderConfigurationRecord, ISO/IEC 14496-15 section 5.3.3.1).
    public func decoderConfigurationRecord() throws(ParameterSetError) -> [UInt8] {
        guard let sps, let parsedSPS else { throw .missing("SPS") }
        guard let pps else { throw .missing("PPS") }
        var out: [UInt8] = [1, parsedSPS.profileIndication, parsedSPS.profileCompatibility, parsedSPS.levelIndication]
        out.append(0xFF)  // six reserved bits, lengthSizeMinusOne = 3
        out.append(0xE1)  // three reserved bits, one SPS
        out.appendBigEndian(UInt16(sps.count))
        out += sps
        out.append(1)
        out.appendBigEndian(UInt16(pps.count))
        out += pps
        if H264SPS.highProfiles.contains(parsedSPS.profileIndication) {
            out.append(0xFC | UInt8(parsedSPS.chromaFormat & 0x03))
            out.append(0xF8 | UInt8(parsedSPS.bitDepthLumaMinus8 & 0x07))
            out.append(0xF8 | UInt8(parsedSPS.bitDepthChromaMinus8 & 0x07))
            out.append(0)
        }
        return out
    }

    /// The track format described by the current parameter sets.
    public func videoFormat() throws(ParameterSetError) -> VideoFormat {
        let record = try decoderConfigurationRecord()
        guard let parsedSPS else { throw .missing("SPS") }
        return VideoFormat(
            codec: .h264, codecString: parsedSPS.codecString, width: parsedSPS.width, height: parsedSPS.height,
            frameRate: parsedSPS.frameRate, decoderConfiguration: record, reorderDepth: parsedSPS.reorderDepth)
    }

    static func padded(_ base64: String) -> String {
        let remainder = base64.count % 4
        return remainder == 0 ? base64 : base64 + String(repeating: "=", count: 4 - remainder)
    }
}
