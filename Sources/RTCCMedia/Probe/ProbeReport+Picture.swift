extension ProbeReport.Track {
    /// Fills size, profile, level and codec string from the first SPS among `parameterSets`.
    mutating func describePicture(codec: VideoCodec, parameterSets: [[UInt8]]) {
        switch codec {
        case .h264:
            guard let unit = parameterSets.first(where: { $0.first.map(H264NALUnitType.of) == H264NALUnitType.sps }),
                let sps = try? H264SPS(parsing: unit)
            else { return }
            width = sps.width
            height = sps.height
            profile = Self.h264ProfileName(sps.profileIndication, constraints: sps.profileCompatibility)
            level = Self.levelText(Int(sps.levelIndication), divisor: 10)
            codecString = sps.codecString
        case .h265:
            guard let unit = parameterSets.first(where: { $0.first.map(H265NALUnitType.of) == H265NALUnitType.sps }),
                let sps = try? H265SPS(parsing: unit)
            else { return }
            width = sps.width
            height = sps.height
            profile = Self.h265ProfileName(sps.profileIDC) + (sps.tierFlag ? " (High tier)" : "")
            level = Self.levelText(Int(sps.levelIDC), divisor: 30)
            codecString = sps.codecString
        }
    }

    /// H.264 `profile_idc` names (ITU-T H.264 annex A).
    static func h264ProfileName(_ profile: UInt8, constraints: UInt8) -> String {
        switch profile {
        case 66: constraints & 0x40 != 0 ? "Constrained Baseline" : "Baseline"
        case 77: "Main"
        case 88: "Extended"
        case 100: "High"
        case 110: "High 10"
        case 122: "High 4:2:2"
        case 244: "High 4:4:4 Predictive"
        default: "profile \(profile)"
        }
    }

    /// H.265 `general_profile_idc` names (ITU-T H.265 annex A).
    static func h265ProfileName(_ profile: UInt8) -> String {
        switch profile {
        case 1: "Main"
        case 2: "Main 10"
        case 3: "Main Still Picture"
        case 4: "Range Extensions"
        default: "profile \(profile)"
        }
    }

    /// `31` with divisor 10 → `3.1`; `93` with divisor 30 → `3.1`.
    static func levelText(_ value: Int, divisor: Int) -> String {
        let tenths = value * 10 / divisor
        return tenths % 10 == 0 ? "\(tenths / 10)" : "\(tenths / 10).\(tenths % 10)"
    }
}
