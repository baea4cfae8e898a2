import Foundation
import RTCCCore
import Testing

struct UTCTimestampTests {
    @Test func writtenTimesAreWhatTheFoundationFormatWritesAndReadBackTheSame() throws {
        var state: UInt64 = 3
        for _ in 0..<2000 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            // From 1900 to 2200, whole seconds.
            let date = Date(timeIntervalSince1970: Double(Int64(state >> 31) % 9_467_280_000 - 2_208_988_800))
            let text = UTCTimestamp.string(date)
            #expect(text == date.ISO8601Format())
            #expect(UTCTimestamp.parse(text) == date)
            #expect(UTCTimestamp.parse(text) == (try Date(text, strategy: .iso8601)))
        }
    }

    @Test func otherFormsAndImpossibleDatesAreLeftToTheGeneralParsers() {
        for text in ["2026-12-01T21:45:57.250Z", "2026-12-01T21:45:57+02:00", "2026-12-01 21:45:57Z", "2026-02-29T00:00:00Z", "2100-02-29T00:00:00Z",
                     "2026-13-01T00:00:00Z", "2026-04-31T00:00:00Z", "2026-12-01T24:00:00Z", "2026-12-01T23:60:00Z", "2026-12-01T23:59:60Z",
                     "0000-01-01T00:00:00Z", "2026-1a-01T00:00:00Z", "2026-12-01T21:45:57z", "", "2026-12-01T21:45:5Z"] {
            #expect(UTCTimestamp.parse(text) == nil, "\(text)")
        }
        #expect(UTCTimestamp.parse("2024-02-29T12:00:00Z") == Date(timeIntervalSince1970: 1_709_208_000))
        #expect(UTCTimestamp.parse("2000-02-29T00:00:00Z") == Date(timeIntervalSince1970: 951_782_400))
    }
}
