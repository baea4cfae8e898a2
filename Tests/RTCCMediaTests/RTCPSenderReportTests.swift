import Foundation
import Testing

@testable import RTCCMedia

struct RTCPSenderReportTests {
    static let report: [UInt8] = hex(
        """
        80c8 0006 0000 1234 e8f1 2a80 8000 0000 0001 5f90 0000 0064 0000 1000
        """)

    @Test func parsesSenderReportFields() throws {
        let report = try RTCPSenderReport(parsing: Self.report)
        #expect(report.ssrc == 0x1234)
        #expect(report.ntpTimestamp == 0xE8F1_2A80_8000_0000)
        #expect(report.rtpTimestamp == 90_000)
        #expect(report.packetCount == 100)
        #expect(report.octetCount == 4096)
    }

    @Test func ntpTimestampMapsToWallClock() throws {
        let report = try RTCPSenderReport(parsing: Self.report)
        // 0xE8F12A80 seconds since 1900 is 1_699_130_368 since 1970; 0x80000000 is half a second.
        #expect(report.wallClock.timeIntervalSince1970 == 1_699_130_368.5)
        #expect(RTCPSenderReport.ntpTimestamp(for: report.wallClock) == report.ntpTimestamp)
    }

    @Test func compoundPacketYieldsSenderReportsOnly() throws {
        let receiverReport: [UInt8] = [0x80, 201, 0, 1, 0, 0, 0, 9]
        let sdes: [UInt8] = [0x81, 202, 0, 2, 0, 0, 0, 9, 1, 1, 0x41, 0]
        let compound = receiverReport + Self.report + sdes
        let reports = try RTCPSenderReport.senderReports(inCompound: compound)
        #expect(reports.count == 1)
        #expect(reports.first?.rtpTimestamp == 90_000)
    }

    @Test func serializedReportRoundTrips() throws {
        let report = RTCPSenderReport(ssrc: 7, ntpTimestamp: 0x1122_3344_5566_7788, rtpTimestamp: 3, packetCount: 4, octetCount: 5)
        #expect(try RTCPSenderReport(parsing: report.serialized()) == report)
    }

    static let malformed: [(String, [UInt8], RTCPError)] = [
        ("empty", [], .tooShort(length: 0)),
        ("version 1", [0x40, 200, 0, 6], .unsupportedVersion(1)),
        ("receiver report", [0x80, 201, 0, 1, 0, 0, 0, 0], .notSenderReport(packetType: 201)),
        ("length past end", [0x80, 200, 0, 6, 0, 0, 0, 0], .lengthExceedsData),
        ("length too small", [0x80, 200, 0, 1, 0, 0, 0, 0], .tooShort(length: 8)),
    ]

    @Test(arguments: malformed)
    func malformedReportIsRejected(name: String, bytes: [UInt8], expected: RTCPError) {
        #expect(throws: expected, "\(name)") { try RTCPSenderReport(parsing: bytes) }
    }

    @Test func truncatedCompoundIsRejected() {
        #expect(throws: RTCPError.lengthExceedsData) {
            try RTCPSenderReport.senderReports(inCompound: Self.report + [0x80, 201, 0, 5])
        }
        #expect(throws: RTCPError.tooShort(length: 2)) {
            try RTCPSenderReport.senderReports(inCompound: Self.report + [0x80, 201])
        }
    }
}
