/// Reads bits most-significant first from an RBSP, with Exp-Golomb codes (H.264 section 9.1).
///
/// Every read returns `nil` past the end; Exp-Golomb codes longer than 31 leading zeros are
/// refused, so no value overflows.
struct BitReader: Sendable {
    private let bytes: [UInt8]
    private(set) var bitOffset = 0

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }

    var bitsRemaining: Int { bytes.count * 8 - bitOffset }

    mutating func readBit() -> Bool? {
        guard bitOffset < bytes.count * 8 else { return nil }
        let byte = bytes[bitOffset >> 3]
        let bit = (byte >> (7 - UInt8(bitOffset & 7))) & 1
        bitOffset += 1
        return bit == 1
    }

    /// Reads `count` bits (0...64) as an unsigned integer.
    mutating func readBits(_ count: Int) -> UInt64? {
        guard count >= 0, count <= 64, bitsRemaining >= count else { return nil }
        var value: UInt64 = 0
        for _ in 0..<count {
            guard let bit = readBit() else { return nil }
            value = value << 1 | (bit ? 1 : 0)
        }
        return value
    }

    mutating func readFlag() -> Bool? { readBit() }

    mutating func skipBits(_ count: Int) -> Bool {
        guard count >= 0, bitsRemaining >= count else { return false }
        bitOffset += count
        return true
    }

    /// Reads an unsigned Exp-Golomb code, ue(v).
    mutating func readUE() -> UInt32? {
        var leadingZeros = 0
        while true {
            guard let bit = readBit() else { return nil }
            if bit { break }
            leadingZeros += 1
            guard leadingZeros < 32 else { return nil }
        }
        guard let suffix = readBits(leadingZeros) else { return nil }
        let value = (UInt64(1) << UInt64(leadingZeros)) - 1 + suffix
        return value <= UInt64(UInt32.max) ? UInt32(value) : nil
    }

    /// Reads a signed Exp-Golomb code, se(v).
    mutating func readSE() -> Int32? {
        guard let code = readUE() else { return nil }
        let magnitude = Int64(code / 2) + Int64(code % 2)
        let value = code % 2 == 1 ? magnitude : -magnitude
        return Int32(exactly: value)
    }

    /// Reads ue(v) and checks it against an inclusive upper bound.
    mutating func readUE(max: UInt32) -> UInt32? {
        guard let value = readUE(), value <= max else { return nil }
        return value
    }
}

extension BitReader {
    /// Reads ue(v) for a named syntax element, refusing values above `max`.
    mutating func ue(_ field: String, max: UInt32) throws(ParameterSetError) -> UInt32 {
        guard let value = readUE() else {
            throw bitsRemaining == 0 ? .truncated(field: field) : .valueOutOfRange(field: field)
        }
        guard value <= max else { throw .valueOutOfRange(field: field) }
        return value
    }

    /// Reads a one-bit flag for a named syntax element.
    mutating func flag(_ field: String) throws(ParameterSetError) -> Bool {
        guard let value = readFlag() else { throw .truncated(field: field) }
        return value
    }
}
