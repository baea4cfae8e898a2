/// The fields of an H.265 sequence parameter set (ITU-T H.265 section 7.3.2.2) that a container
/// needs: the general profile, tier and level, chroma format, bit depth and picture size.
public struct H265SPS: Sendable, Hashable {
    /// `general_profile_space` (0…3).
    public var profileSpace: UInt8
    /// `general_tier_flag`: true for the High tier.
    public var tierFlag: Bool
    /// `general_profile_idc` (1 Main, 2 Main 10, …).
    public var profileIDC: UInt8
    /// The 32 `general_profile_compatibility_flag`s, flag 0 in the most significant bit.
    public var profileCompatibilityFlags: UInt32
    /// The 48 bits of general constraint indicator flags, as six bytes.
    public var constraintIndicatorFlags: [UInt8]
    /// `general_level_idc` (30 × level, e.g. 93 for level 3.1).
    public var levelIDC: UInt8
    /// `sps_max_sub_layers_minus1`.
    public var maxSubLayersMinus1: UInt8
    /// `sps_temporal_id_nesting_flag`.
    public var temporalIDNesting: Bool
    /// `chroma_format_idc` (1 for 4:2:0).
    public var chromaFormat: UInt32
    /// `bit_depth_luma_minus8`.
    public var bitDepthLumaMinus8: UInt32
    /// `bit_depth_chroma_minus8`.
    public var bitDepthChromaMinus8: UInt32
    /// `log2_max_pic_order_cnt_lsb_minus4` + 4: the bit length of `slice_pic_order_cnt_lsb`.
    public var log2MaxPicOrderCountLsb: Int
    /// `sps_max_num_reorder_pics` of the highest sub-layer: how many pictures may precede any
    /// picture in decoding order and follow it in output order.
    public var maxNumReorderPics: Int
    /// Whether each colour plane is coded separately (`separate_colour_plane_flag`).
    public var separateColourPlane: Bool
    /// Width in pixels after the conformance window.
    public var width: Int
    /// Height in pixels after the conformance window.
    public var height: Int

    /// The RFC 6381 / ISO/IEC 14496-15 annex E codec string, e.g. `hvc1.1.6.L93.B0`.
    public var codecString: String {
        let space = ["", "A", "B", "C"][Int(profileSpace & 3)]
        var reversed: UInt32 = 0
        for bit in 0..<32 where profileCompatibilityFlags & (1 << UInt32(bit)) != 0 {
            reversed |= 1 << UInt32(31 - bit)
        }
        var parts = ["hvc1", space + String(profileIDC), String(reversed, radix: 16, uppercase: true)]
        parts.append((tierFlag ? "H" : "L") + String(levelIDC))
        var constraints = constraintIndicatorFlags
        while constraints.last == 0 { constraints.removeLast() }
        parts += constraints.map { String($0, radix: 16, uppercase: true) }
        return parts.joined(separator: ".")
    }

    /// Parses an SPS NAL unit, two-byte header included, emulation-prevention bytes not yet removed.
    public init(parsing nalUnit: [UInt8]) throws(ParameterSetError) {
        guard nalUnit.count >= 2 else { throw .truncated(field: "nal_unit_header") }
        let type = H265NALUnitType.of(nalUnit[0])
        guard type == H265NALUnitType.sps else { throw .unexpectedNALUnitType(type) }
        let rbsp = AnnexB.rbsp(nalUnit.dropFirst(2))
        guard rbsp.count >= 13 else { throw .truncated(field: "profile_tier_level") }
        maxSubLayersMinus1 = (rbsp[0] >> 1) & 0x07
        temporalIDNesting = rbsp[0] & 1 != 0
        profileSpace = rbsp[1] >> 6
        tierFlag = rbsp[1] & 0x20 != 0
        profileIDC = rbsp[1] & 0x1F
        profileCompatibilityFlags = rbsp[2..<6].reduce(0) { $0 << 8 | UInt32($1) }
        constraintIndicatorFlags = Array(rbsp[6..<12])
        levelIDC = rbsp[12]
        var reader = BitReader(Array(rbsp[13...]))
        try Self.skipSubLayers(&reader, count: Int(maxSubLayersMinus1))
        _ = try reader.ue("sps_seq_parameter_set_id", max: 15)
        chromaFormat = try reader.ue("chroma_format_idc", max: 3)
        separateColourPlane = false
        if chromaFormat == 3 {
            guard let flag = reader.readFlag() else { throw .truncated(field: "separate_colour_plane_flag") }
            separateColourPlane = flag
        }
        let lumaWidth = Int(try reader.ue("pic_width_in_luma_samples", max: 16888))
        let lumaHeight = Int(try reader.ue("pic_height_in_luma_samples", max: 16888))
        guard let windowPresent = reader.readFlag() else { throw .truncated(field: "conformance_window_flag") }
        var window = [0, 0, 0, 0]
        if windowPresent {
            for index in 0..<4 { window[index] = Int(try reader.ue("conf_win_offset", max: 8192)) }
        }
        let chromaArrayType = separateColourPlane ? 0 : chromaFormat
        let subWidth = chromaArrayType == 1 || chromaArrayType == 2 ? 2 : 1
        let subHeight = chromaArrayType == 1 ? 2 : 1
        width = lumaWidth - subWidth * (window[0] + window[1])
        height = lumaHeight - subHeight * (window[2] + window[3])
        guard width > 0, height > 0 else { throw .valueOutOfRange(field: "conformance_window") }
        bitDepthLumaMinus8 = try reader.ue("bit_depth_luma_minus8", max: 8)
        bitDepthChromaMinus8 = try reader.ue("bit_depth_chroma_minus8", max: 8)
        log2MaxPicOrderCountLsb = Int(try reader.ue("log2_max_pic_order_cnt_lsb_minus4", max: 12)) + 4
        let orderingForEachLayer = try reader.flag("sps_sub_layer_ordering_info_present_flag")
        maxNumReorderPics = 0
        for _ in (orderingForEachLayer ? 0 : maxSubLayersMinus1)...maxSubLayersMinus1 {
            _ = try reader.ue("sps_max_dec_pic_buffering_minus1", max: 15)
            maxNumReorderPics = Int(try reader.ue("sps_max_num_reorder_pics", max: 15))
            _ = try reader.ue("sps_max_latency_increase_plus1", max: UInt32.max - 1)
        }
    }

    /// Skips the sub-layer part of `profile_tier_level` (section 7.3.3).
    private static func skipSubLayers(_ reader: inout BitReader, count: Int) throws(ParameterSetError) {
        guard count > 0 else { return }
        var present: [(profile: Bool, level: Bool)] = []
        for _ in 0..<count {
            guard let profile = reader.readFlag(), let level = reader.readFlag() else {
                throw .truncated(field: "sub_layer_profile_present_flag")
            }
            present.append((profile, level))
        }
        guard reader.skipBits(2 * (8 - count)) else { throw .truncated(field: "reserved_zero_2bits") }
        for layer in present {
            if layer.profile, !reader.skipBits(88) { throw .truncated(field: "sub_layer_profile") }
            if layer.level, !reader.skipBits(8) { throw .truncated(field: "sub_layer_level_idc") }
        }
    }

}
