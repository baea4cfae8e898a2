import Testing

@testable import RTCCMedia

@Suite struct AnnexBAccessUnitReaderTests {
    static let aud: [UInt8] = [0x09, 0xF0]
    static let sps: [UInt8] = [0x67, 0x42, 0x00, 0x1E]
    static let idr: [UInt8] = [0x65, 0x88, 0x00, 0x00, 0x03, 0x01]
    static let slice: [UInt8] = [0x41, 0x9A, 0x00, 0x00, 0x00, 0x00]

    static var stream: [UInt8] {
        AnnexB.join([aud, sps, idr, aud, slice, aud, slice, aud])
    }

    @Test func accessUnitsAreCutAtDelimitersWithoutTheDelimiters() {
        var reader = AnnexBAccessUnitReader()
        let units = reader.append(Self.stream)
        #expect(units.count == 3)
        #expect(units.first == [Self.sps, Self.idr])
        #expect(units.dropFirst().allSatisfy { $0 == [[0x41, 0x9A]] }, "trailing zero bytes of a NAL unit are trimmed")
    }

    @Test func byteByByteGivesTheSameAccessUnitsAsAllAtOnce() {
        var whole = AnnexBAccessUnitReader()
        let expected = whole.append(Self.stream)
        var reader = AnnexBAccessUnitReader()
        var units: [[[UInt8]]] = []
        for byte in Self.stream { units += reader.append([byte]) }
        #expect(units == expected)
    }

    @Test func anAccessUnitIsHeldUntilTheNextDelimiterStarts() {
        var reader = AnnexBAccessUnitReader()
        #expect(reader.append(AnnexB.join([Self.aud, Self.sps, Self.idr])).isEmpty)
        #expect(reader.append(AnnexB.join([Self.aud])).count == 1)
    }

    @Test func garbageWithoutStartCodesNeverGrowsWithoutBound() {
        var reader = AnnexBAccessUnitReader()
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<40 {
            let chunk = (0..<(1 << 19)).map { _ in UInt8.random(in: 1...255, using: &generator) }
            #expect(reader.append(chunk).isEmpty)
        }
        #expect(reader.overflowed)
    }
}
