/// The fields of an H.264 sequence parameter set (ITU-T H.264 section 7.3.2.1.1) that a
/// container needs: profile, level, picture size and frame rate.
public struct H264SPS: Sendable, Hashable {
    /// `profile_idc` (66 Baseline, 77 Main, 100 High, …).
    public var profileIndication: UInt8
    /// The byte holding `constraint_set0_flag` … `constraint_set5_flag`.
    public var profileCompatibility: UInt8
    /// `level_idc` (31 for level 3.1).
    public var levelIndication: UInt8
    /// `seq_parameter_set_id`.
    public var id: UInt32
    /// `chroma_format_idc` (1 for 4:2:0).
    public var chromaFormat: UInt32
    /// `bit_depth_luma_minus8`.
    public var bitDepthLumaMinus8: UInt32
    /// `bit_depth_chroma_minus8`.
    public var bitDepthChromaMinus8: UInt32
    /// `pic_order_cnt_type`.
    public var picOrderCountType: UInt32
    /// `log2_max_frame_num_minus4` + 4: the bit length of `frame_num` in slice headers.
    public var log2MaxFrameNum: Int
    /// `log2_max_pic_order_cnt_lsb_minus4` + 4 when `picOrderCountType` is 0, else 0.
    public var log2MaxPicOrderCountLsb: Int
    /// Whether every picture is a frame (`frame_mbs_only_flag`).
    public var frameMbsOnly: Bool
    /// Width in pixels after the cropping rectangle.
    public var width: Int
    /// Height in pixels after the cropping rectangle.
    public var height: Int
    /// Frames per second from VUI timing (`time_scale / (2 · num_units_in_tick)`), if present.
    public var frameRate: Double?
    /// `max_num_reorder_frames` from the VUI bitstream restrictions, if present.
    public var maxNumReorderFrames: Int?

    /// Profiles whose SPS carries chroma format, bit depth and scaling matrices.
    static let highProfiles: Set<UInt8> = [100, 110, 122, 244, 44, 83, 86, 118, 128, 138, 139, 134, 135]

    /// The RFC 6381 codec string, `avc1.PPCCLL` in upper-case hexadecimal.
    public var codecString: String {
        "avc1." + [profileIndication, profileCompatibility, levelIndication].map(Self.hex).joined()
    }

    /// Parses an SPS NAL unit, header byte included, emulation-prevention bytes not yet removed.
    public init(parsing nalUnit: [UInt8]) throws(ParameterSetError) {
        guard let header = nalUnit.first else { throw .truncated(field: "nal_unit_header") }
        guard header & 0x1F == 7 else { throw .unexpectedNALUnitType(header & 0x1F) }
        var reader = BitReader(AnnexB.rbsp(nalUnit.dropFirst()))
        guard let profile = reader.readBits(8), let compatibility = reader.readBits(8), let level = reader.readBits(8)
        else { throw .truncated(field: "profile_idc") }
        profileIndication = UInt8(profile)
        profileCompatibility = UInt8(compatibility)
        levelIndication = UInt8(level)
        id = try reader.ue("seq_parameter_set_id", max: 31)
        chromaFormat = 1
        bitDepthLumaMinus8 = 0
        bitDepthChromaMinus8 = 0
        var separateColourPlane = false
        if Self.highProfiles.contains(profileIndication) {
            chromaFormat = try reader.ue("chroma_format_idc", max: 3)
            if chromaFormat == 3 { separateColourPlane = try reader.flag("separate_colour_plane_flag") }
            bitDepthLumaMinus8 = try reader.ue("bit_depth_luma_minus8", max: 6)
            bitDepthChromaMinus8 = try reader.ue("bit_depth_chroma_minus8", max: 6)
            _ = try reader.flag("qpprime_y_zero_transform_bypass_flag")
            if try reader.flag("seq_scaling_matrix_present_flag") {
                try Self.skipScalingLists(&reader, count: chromaFormat == 3 ? 12 : 8)
            }
        }
        log2MaxFrameNum = Int(try reader.ue("log2_max_frame_num_minus4", max: 12)) + 4
        picOrderCountType = try reader.ue("pic_order_cnt_type", max: 2)
        log2MaxPicOrderCountLsb = try Self.readPicOrderCount(&reader, type: picOrderCountType)
        _ = try reader.ue("max_num_ref_frames", max: 16)
        _ = try reader.flag("gaps_in_frame_num_value_allowed_flag")
        let widthInMbs = Int(try reader.ue("pic_width_in_mbs_minus1", max: 1023)) + 1
        let heightInMapUnits = Int(try reader.ue("pic_height_in_map_units_minus1", max: 1023)) + 1
        frameMbsOnly = try reader.flag("frame_mbs_only_flag")
        if !frameMbsOnly { _ = try reader.flag("mb_adaptive_frame_field_flag") }
        _ = try reader.flag("direct_8x8_inference_flag")
        var crop = (left: 0, right: 0, top: 0, bottom: 0)
        if try reader.flag("frame_cropping_flag") {
            crop.left = Int(try reader.ue("frame_crop_left_offset", max: 8192))
            crop.right = Int(try reader.ue("frame_crop_right_offset", max: 8192))
            crop.top = Int(try reader.ue("frame_crop_top_offset", max: 8192))
            crop.bottom = Int(try reader.ue("frame_crop_bottom_offset", max: 8192))
        }
        let chromaArrayType = separateColourPlane ? 0 : chromaFormat
        let cropUnitX = chromaArrayType == 0 ? 1 : (chromaArrayType == 3 ? 1 : 2)
        let subHeight = chromaArrayType == 1 ? 2 : 1
        let cropUnitY = (chromaArrayType == 0 ? 1 : subHeight) * (frameMbsOnly ? 1 : 2)
        width = widthInMbs * 16 - cropUnitX * (crop.left + crop.right)
        height = (frameMbsOnly ? 1 : 2) * heightInMapUnits * 16 - cropUnitY * (crop.top + crop.bottom)
        guard width > 0, height > 0 else { throw .valueOutOfRange(field: "frame_crop_offset") }
        let vuiPresent = try reader.flag("vui_parameters_present_flag")
        let vui = vuiPresent ? Self.readVUI(&reader) : (frameRate: nil, maxNumReorderFrames: nil)
        frameRate = vui.frameRate
        maxNumReorderFrames = vui.maxNumReorderFrames
    }

    private static func skipScalingLists(_ reader: inout BitReader, count: Int) throws(ParameterSetError) {
        for index in 0..<count {
            guard try reader.flag("seq_scaling_list_present_flag") else { continue }
            let size = index < 6 ? 16 : 64
            var last: Int32 = 8
            var next: Int32 = 8
            for _ in 0..<size where next != 0 {
                guard let delta = reader.readSE(), (-128...127).contains(delta) else {
                    throw .valueOutOfRange(field: "delta_scale")
                }
                next = (last + delta + 256) % 256
                last = next == 0 ? last : next
            }
        }
    }

    /// Reads the picture order count fields; returns the bit length of `pic_order_cnt_lsb` (type 0).
    private static func readPicOrderCount(_ reader: inout BitReader, type: UInt32) throws(ParameterSetError) -> Int {
        if type == 0 {
            return Int(try reader.ue("log2_max_pic_order_cnt_lsb_minus4", max: 12)) + 4
        } else if type == 1 {
            _ = try reader.flag("delta_pic_order_always_zero_flag")
            guard reader.readSE() != nil, reader.readSE() != nil else { throw .truncated(field: "offset_for_non_ref_pic") }
            let cycle = try reader.ue("num_ref_frames_in_pic_order_cnt_cycle", max: 255)
            for _ in 0..<cycle {
                guard reader.readSE() != nil else { throw .truncated(field: "offset_for_ref_frame") }
            }
        }
        return 0
    }

    static func hex(_ byte: UInt8) -> String {
        let digits = Array("0123456789ABCDEF")
        return String([digits[Int(byte >> 4)], digits[Int(byte & 0x0F)]])
    }
}
