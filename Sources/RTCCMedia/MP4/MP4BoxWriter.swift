/// Writes ISO base media file format boxes (ISO/IEC 14496-12) into a byte array.
///
/// Box sizes are filled in when the body closure returns, so boxes nest naturally:
/// `writer.box("moov") { moov in moov.fullBox("mvhd", version: 0, flags: 0) { … } }`.
public struct MP4BoxWriter: Sendable {
    /// The bytes written so far.
    public private(set) var bytes: [UInt8] = []

    /// Creates an empty writer.
    public init() {}

    /// Writes a box of type `type` (four ASCII characters) whose body `body` writes.
    public mutating func box(_ type: String, _ body: (inout MP4BoxWriter) -> Void) {
        let start = bytes.count
        uint32(0)
        fourCC(type)
        body(&self)
        let size = UInt32(clamping: bytes.count - start)
        bytes[start] = UInt8(truncatingIfNeeded: size >> 24)
        bytes[start + 1] = UInt8(truncatingIfNeeded: size >> 16)
        bytes[start + 2] = UInt8(truncatingIfNeeded: size >> 8)
        bytes[start + 3] = UInt8(truncatingIfNeeded: size)
    }

    /// Writes a full box: a box whose body starts with a version byte and 24 bits of flags.
    public mutating func fullBox(_ type: String, version: UInt8, flags: UInt32, _ body: (inout MP4BoxWriter) -> Void) {
        box(type) { writer in
            writer.uint32(UInt32(version) << 24 | (flags & 0x00FF_FFFF))
            body(&writer)
        }
    }

    /// Writes a four-character code; shorter strings are padded with spaces, longer ones cut.
    public mutating func fourCC(_ code: String) {
        let ascii = Array(code.utf8.prefix(4))
        bytes += ascii + Array(repeating: 0x20, count: 4 - ascii.count)
    }

    /// Writes one byte.
    public mutating func uint8(_ value: UInt8) { bytes.append(value) }
    /// Writes a big-endian 16-bit integer.
    public mutating func uint16(_ value: UInt16) { bytes.appendBigEndian(value) }
    /// Writes a big-endian 24-bit integer (the low 24 bits of `value`).
    public mutating func uint24(_ value: UInt32) {
        bytes += [UInt8(truncatingIfNeeded: value >> 16), UInt8(truncatingIfNeeded: value >> 8), UInt8(truncatingIfNeeded: value)]
    }
    /// Writes a big-endian 32-bit integer.
    public mutating func uint32(_ value: UInt32) { bytes.appendBigEndian(value) }
    /// Writes a big-endian signed 32-bit integer in two's complement.
    public mutating func int32(_ value: Int32) { bytes.appendBigEndian(UInt32(bitPattern: value)) }
    /// Writes a big-endian 64-bit integer.
    public mutating func uint64(_ value: UInt64) { bytes.appendBigEndian(value) }
    /// Writes raw bytes.
    public mutating func raw(_ data: [UInt8]) { bytes += data }
    /// Writes `count` zero bytes.
    public mutating func zeros(_ count: Int) { bytes += Array(repeating: 0, count: max(count, 0)) }

    /// Writes the unity transformation matrix used by `mvhd` and `tkhd`.
    public mutating func unityMatrix() {
        for value: UInt32 in [0x0001_0000, 0, 0, 0, 0x0001_0000, 0, 0, 0, 0x4000_0000] { uint32(value) }
    }
}
