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

struct ISO8601TimeTests {
    @Test func fieldsOutOfRangeAreRefusedInsteadOfRolledOver() {
        for text in ["2026-12-01T12:99:00Z", "2026-12-01T24:00:00Z", "2026-12-01T23:59:60Z", "2026-02-29T00:00:00Z", "2026-04-31T10:00:00Z",
                     "2026-13-01T00:00:00Z", "2026-00-10T00:00:00Z", "0000-01-01T00:00:00Z", "2026-12-01T10:00:00+24:00", "2026-12-01T10:00:00+05:60",
                     "2026-12-01T10:00:00.Z", "2026-12-01T10:00:00.1234567890Z", "2026-12-01T10:00:00", "2026-12-01 10:00:00Z", "2026-12-01T10:00Z",
                     "2026-12-01T10:00:00z", "2026-12-01T10:00:00+0500", " 2026-12-01T10:00:00Z", "2026-12-01T10:00:00Z ", ""] {
            #expect(ISO8601Time.parse(text) == nil, "\(text)")
        }
    }

    @Test func validFormsAgreeWithFoundation() throws {
        for text in ["2026-12-01T21:45:57Z", "2024-02-29T12:00:00Z", "2026-12-01T21:45:57.250Z", "2026-12-01T08:00:00-06:00", "2026-12-01T23:30:00+05:30",
                     "1999-12-31T23:59:59.999Z", "2000-02-29T00:00:00+00:00"] {
            let expected = try Date(text, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: text.contains(".")))
            let parsed = try #require(ISO8601Time.parse(text), "\(text)")
            #expect(abs(parsed.timeIntervalSince(expected)) < 0.000_5, "\(text)")
        }
    }

    @Test func theAPIDecoderRefusesImpossibleTimesNamingTheField() throws {
        struct Body: Decodable { var at: Date }
        #expect(throws: DecodingError.self) { try JSONCoding.decoder.decode(Body.self, from: Data(#"{"at":"2026-12-01T12:99:00Z"}"#.utf8)) }
        do {
            _ = try JSONCoding.decoder.decode(Body.self, from: Data(#"{"at":"2026-12-01T12:99:00Z"}"#.utf8))
        } catch {
            #expect(JSONCoding.describe(error).hasPrefix("at must be an ISO 8601 time"))
        }
        #expect(try JSONCoding.decoder.decode(Body.self, from: Data(#"{"at":"2026-12-01T12:59:00Z"}"#.utf8)).at == ISO8601Time.parse("2026-12-01T12:59:00Z"))
    }
}

struct CSVNeutralisingTests {
    @Test func cellsThatSpreadsheetsRunAsFormulasGetALeadingQuote() throws {
        let hostile = ["=HYPERLINK(\"http://x\",\"y\")", "+1+2", "-2+3", "@SUM(1+1)", "\tcmd", "\rcmd", "=1", "-", "+", "-1e", "--1", "-1,5"]
        let line = CSVTable.line(hostile)
        let fields = try CSVTable(parsing: line).records[0].fields
        #expect(fields.count == hostile.count)
        for (field, original) in zip(fields, hostile) { #expect(field == "'" + original, "\(original)") }
    }

    @Test func plainNumbersAndOrdinaryTextStayAsTheyAre() throws {
        let plain = ["-93.7502", "+1", "-0", "32.5", "1e-5", "-1.5E+10", "Texas St & Market St", "O'Neil", "", "a=b", "email@example.org"]
        #expect(try CSVTable(parsing: CSVTable.line(plain)).records[0].fields == plain)
    }
}

struct ControlCharacterTests {
    @Test func controlCharactersAreFoundAndEscapedButLineBreaksMayStay() {
        #expect(ControlCharacters.first(in: "a\u{0}b", allowingLineBreaks: true) == "\u{0}")
        #expect(ControlCharacters.first(in: "a\u{7F}b", allowingLineBreaks: true) == "\u{7F}")
        #expect(ControlCharacters.first(in: "a\nb\tc\rd", allowingLineBreaks: true) == nil)
        #expect(ControlCharacters.first(in: "a\nb", allowingLineBreaks: false) == "\n")
        #expect(ControlCharacters.first(in: "Café ☕︎", allowingLineBreaks: false) == nil)
        #expect(ControlCharacters.escaped("nul\u{0}byte\u{1B}") == "nul\\u0000byte\\u001B")
        #expect(ControlCharacters.escaped("two\nlines") == "two\nlines")
        #expect(ControlCharacters.firstLine(inBytes: Array("a\nb\nc\u{0}".utf8)) == 3)
        #expect(ControlCharacters.firstLine(inBytes: Array("a,b\r\nc,d\n".utf8)) == nil)
    }
}
