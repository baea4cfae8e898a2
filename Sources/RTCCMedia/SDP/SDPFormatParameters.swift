import Foundation

/// The `key=value;…` parameters of an `a=fmtp` line, with typed views for H.264, H.265 and AAC.
public struct SDPFormatParameters: Sendable, Equatable {
    /// The parameters in order, keys as written.
    public var parameters: [(key: String, value: String)]

    /// Parses `packetization-mode=1; profile-level-id=42e01f; …`; items without `=` are kept with an empty value.
    public init(parsing text: String) {
        parameters = text.split(separator: ";").compactMap { item in
            let (key, value) = item.splitOnce("=")
            return key.isEmpty ? nil : (key, value ?? "")
        }
    }

    /// The value of `key`, compared case-insensitively.
    public subscript(key: String) -> String? {
        let lowered = key.lowercased()
        return parameters.first { $0.key.lowercased() == lowered }?.value
    }

    /// The parameters as an `a=fmtp` value tail.
    public var text: String { parameters.map { "\($0.key)=\($0.value)" }.joined(separator: ";") }

    /// Compares the ordered key/value lists.
    public static func == (lhs: SDPFormatParameters, rhs: SDPFormatParameters) -> Bool {
        lhs.parameters.elementsEqual(rhs.parameters) { $0.key == $1.key && $0.value == $1.value }
    }

    /// `sprop-parameter-sets` (RFC 6184): the base64-decoded SPS/PPS NAL units; entries that fail to decode are left out.
    public var h264ParameterSets: [[UInt8]] { Self.base64List(self["sprop-parameter-sets"]) }

    /// `profile-level-id` as three bytes (profile_idc, constraint flags, level_idc), if valid hex.
    public var h264ProfileLevelID: [UInt8]? {
        guard let text = self["profile-level-id"], text.utf8.count == 6 else { return nil }
        return Self.hexBytes(text)
    }

    /// `packetization-mode`; 0 when absent (RFC 6184 default).
    public var h264PacketizationMode: Int { self["packetization-mode"].flatMap { Int($0) } ?? 0 }

    /// `sprop-vps` (RFC 7798), decoded.
    public var h265VPS: [[UInt8]] { Self.base64List(self["sprop-vps"]) }
    /// `sprop-sps` (RFC 7798), decoded.
    public var h265SPS: [[UInt8]] { Self.base64List(self["sprop-sps"]) }
    /// `sprop-pps` (RFC 7798), decoded.
    public var h265PPS: [[UInt8]] { Self.base64List(self["sprop-pps"]) }

    /// MPEG-4 `config` (RFC 3640), the AudioSpecificConfig bytes, if valid hex.
    public var mpeg4Config: [UInt8]? { self["config"].flatMap(Self.hexBytes) }
    /// RFC 3640 `mode`, e.g. `AAC-hbr`.
    public var mpeg4Mode: String? { self["mode"] }
    /// RFC 3640 `sizelength`, in bits.
    public var mpeg4SizeLength: Int? { self["sizelength"].flatMap { Int($0) } }
    /// RFC 3640 `indexlength`, in bits.
    public var mpeg4IndexLength: Int? { self["indexlength"].flatMap { Int($0) } }
    /// RFC 3640 `indexdeltalength`, in bits.
    public var mpeg4IndexDeltaLength: Int? { self["indexdeltalength"].flatMap { Int($0) } }

    private static func base64List(_ text: String?) -> [[UInt8]] {
        guard let text else { return [] }
        return text.split(separator: ",").compactMap { item in
            var encoded = item.trimmingASCIIWhitespace()
            while encoded.utf8.count % 4 != 0 { encoded += "=" }
            return Data(base64Encoded: encoded).map { [UInt8]($0) }
        }
    }

    private static func hexBytes(_ text: String) -> [UInt8]? {
        let digits = Array(text.utf8)
        guard digits.count % 2 == 0, digits.count <= 2048 else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(digits.count / 2)
        var index = 0
        while index < digits.count {
            guard let high = hexValue(digits[index]), let low = hexValue(digits[index + 1]) else { return nil }
            bytes.append(high << 4 | low)
            index += 2
        }
        return bytes
    }

    private static func hexValue(_ digit: UInt8) -> UInt8? {
        switch digit {
        case 0x30...0x39: digit - 0x30
        case 0x41...0x46: digit - 0x41 + 10
        case 0x61...0x66: digit - 0x61 + 10
        default: nil
        }
    }
}
