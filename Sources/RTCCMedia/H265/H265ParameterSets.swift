import Foundation

/// The VPS, SPS and PPS of an H.265 stream, from SDP (`sprop-vps`, `sprop-sps`, `sprop-pps`) or
/// in-band, kept current. Only the most recent of each is kept.
public struct H265ParameterSets: Sendable, Hashable {
    /// The current video parameter set NAL unit.
    public private(set) var vps: [UInt8]?
    /// The current sequence parameter set NAL unit.
    public private(set) var sps: [UInt8]?
    /// The current picture parameter set NAL unit.
    public private(set) var pps: [UInt8]?
    /// The parsed current SPS.
    public private(set) var parsedSPS: H265SPS?

    /// Creates an empty set.
    public init() {}

    /// Reads the base64 values of the SDP `sprop-vps`, `sprop-sps` and `sprop-pps` parameters
    /// (each may list several NAL units separated by commas).
    public init(spropVPS: String, spropSPS: String, spropPPS: String) throws(ParameterSetError) {
        for value in [spropVPS, spropSPS, spropPPS] {
            for entry in value.split(separator: ",") {
                let text = entry.trimmingCharacters(in: .whitespaces)
                guard let data = Data(base64Encoded: H264ParameterSets.padded(text)), !data.isEmpty else {
                    throw .invalidBase64(text)
                }
                _ = try update(with: Array(data))
            }
        }
    }

    /// Whether VPS, SPS and PPS are all known.
    public var isComplete: Bool { vps != nil && sps != nil && pps != nil }

    /// The parameter sets to put before a keyframe: VPS, SPS, PPS.
    public var nalUnits: [[UInt8]] { [vps, sps, pps].compactMap { $0 } }

    /// Absorbs a NAL unit if it is a VPS, SPS or PPS; returns whether the stored sets changed.
    public mutating func update(with nalUnit: [UInt8]) throws(ParameterSetError) -> Bool {
        guard nalUnit.count >= 2 else { return false }
        guard nalUnit.count <= H264ParameterSets.maximumSize else { throw .valueOutOfRange(field: "parameter set size") }
        switch H265NALUnitType.of(nalUnit[0]) {
        case H265NALUnitType.vps:
            guard nalUnit != vps else { return false }
            vps = nalUnit
        case H265NALUnitType.sps:
            guard nalUnit != sps else { return false }
            parsedSPS = try H265SPS(parsing: nalUnit)
            sps = nalUnit
        case H265NALUnitType.pps:
            guard nalUnit != pps else { return false }
            pps = nalUnit
        default:
            return false
        }
        return true
    }

    /// The `hvcC` box body (HEVCDecoderConfigurationRecord, ISO/IEC 14496-15 section 8.3.3.1).
    public func decoderConfigurationRecord() throws(ParameterSetError) -> [UInt8] {
        guard let vps else { throw .missing("VPS") }
        guard let sps, let parsed = parsedSPS else { throw .missing("SPS") }
        guard let pps else { throw .missing("PPS") }
        var out: [UInt8] = [1, parsed.profileSpace << 6 | (parsed.tierFlag ? 0x20 : 0) | parsed.profileIDC]
        out.appendBigEndian(parsed.profileCompatibilityFlags)
        out += parsed.constraintIndicatorFlags
        out.append(parsed.levelIDC)
        out.appendBigEndian(UInt16(0xF000))  // min_spatial_segmentation_idc = 0
        out.append(0xFC)  // parallelismType = 0 (unknown)
        out.append(0xFC | UInt8(parsed.chromaFormat & 3))
        out.append(0xF8 | UInt8(parsed.bitDepthLumaMinus8 & 7))
        out.append(0xF8 | UInt8(parsed.bitDepthChromaMinus8 & 7))
        out.appendBigEndian(UInt16(0))  // avgFrameRate unknown
        let temporalLayers = (parsed.maxSubLayersMinus1 + 1) & 7
        out.append(temporalLayers << 3 | (parsed.temporalIDNesting ? 0x04 : 0) | 0x03)
        out.append(3)
        for (type, unit) in [(H265NALUnitType.vps, vps), (H265NALUnitType.sps, sps), (H265NALUnitType.pps, pps)] {
            out.append(0x80 | type)
            out.appendBigEndian(UInt16(1))
            out.appendBigEndian(UInt16(unit.count))
            out += unit
        }
        return out
    }

    /// The track format described by the current parameter sets.
    public func videoFormat() throws(ParameterSetError) -> VideoFormat {
        let record = try decoderConfigurationRecord()
        guard let parsedSPS else { throw .missing("SPS") }
        return VideoFormat(
            codec: .h265, codecString: parsedSPS.codecString, width: parsedSPS.width, height: parsedSPS.height,
            frameRate: nil, decoderConfiguration: record, reorderDepth: parsedSPS.maxNumReorderPics)
    }
}

extension H265ParameterSets: NALParameterSetStore {}
