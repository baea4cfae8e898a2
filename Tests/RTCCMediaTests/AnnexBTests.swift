import Testing

@testable import RTCCMedia

struct AnnexBTests {
    @Test func splitsOnThreeAndFourByteStartCodes() {
        let stream: [UInt8] = [0xFF, 0, 0, 0, 1, 0x67, 1, 2, 0, 0, 1, 0x68, 3, 0, 0, 0, 1, 0x65, 4, 5, 0, 0]
        #expect(AnnexB.split(stream) == [[0x67, 1, 2], [0x68, 3], [0x65, 4, 5]])
    }

    @Test func streamWithoutStartCodeHasNoUnits() {
        #expect(AnnexB.split([1, 2, 3, 4]).isEmpty)
        #expect(AnnexB.split([]).isEmpty)
    }

    @Test func joinAndSplitRoundTrip() {
        let units: [[UInt8]] = [[0x67, 1], [0x68, 2, 3], [0x65, 0, 0, 3, 1]]
        #expect(AnnexB.split(AnnexB.join(units)) == units)
    }

    @Test func lengthPrefixedRoundTrip() {
        let units: [[UInt8]] = [[0x65, 1, 2, 3], [0x41]]
        let data = AnnexB.lengthPrefixed(units)
        #expect(data == [0, 0, 0, 4, 0x65, 1, 2, 3, 0, 0, 0, 1, 0x41])
        #expect(AnnexB.splitLengthPrefixed(data) == units)
        #expect(AnnexB.splitLengthPrefixed([0, 0, 0, 9, 1]).isEmpty)
    }

    @Test func emulationPreventionBytesAreRemoved() {
        #expect(AnnexB.rbsp([0x67, 0, 0, 3, 1, 0, 0, 3, 0, 3]) == [0x67, 0, 0, 1, 0, 0, 0, 3])
    }

    @Test func groupsNALUnitsIntoAccessUnits() {
        let sps: [UInt8] = [0x67, 1]
        let pps: [UInt8] = [0x68, 1]
        let idrFirst: [UInt8] = [0x65, 0x88]
        let idrSecond: [UInt8] = [0x65, 0x40]  // first_mb_in_slice != 0
        let pFirst: [UInt8] = [0x41, 0x9A]
        let groups = AnnexB.groupAccessUnits([sps, pps, idrFirst, idrSecond, pFirst, [0x06, 5], pFirst], codec: .h264)
        #expect(groups == [[sps, pps, idrFirst, idrSecond], [pFirst], [[0x06, 5], pFirst]])
    }

    @Test func groupsHEVCAccessUnits() {
        let vps: [UInt8] = [0x40, 1, 0]
        let idr: [UInt8] = [0x26, 1, 0xAF]
        let trail: [UInt8] = [0x02, 1, 0xD0]
        let trailNext: [UInt8] = [0x02, 1, 0x40]
        #expect(AnnexB.groupAccessUnits([vps, idr, trail, trailNext, trail], codec: .h265) == [[vps, idr], [trail, trailNext], [trail]])
    }
}
