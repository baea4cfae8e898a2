import Foundation
import RTCCCore
import Testing

/// The hand-written JSON of the alert and the event must be the very bytes `JSONCoding.encoder` writes: analysts'
/// clients, the answer to intake and the stored copies all read the same text.
struct JSONTextTests {
    /// A repeatable pseudo-random source, so that a failure names a case that comes back.
    struct Dice {
        var state: UInt64
        mutating func next(_ bound: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((state >> 33) % UInt64(bound))
        }
        mutating func chance() -> Bool { next(2) == 0 }
        mutating func text() -> String {
            let pieces = ["Main St", "\"quoted\"", "back\\slash", "a/b", "line\nbreak", "tab\t", "\r", "\u{8}\u{c}", "\u{1}\u{1f}", "\u{7f}",
                          "é", "😀", "\u{2028}", "", " ", "Cam 12 — north"]
            return (0..<next(4)).map { _ in pieces[next(pieces.count)] }.joined()
        }
        mutating func date() -> Date {
            // From before 1970 to past 2100 (a century year that is not a leap year), with fractions of a second.
            Date(timeIntervalSince1970: Double(next(5_000_000_000)) - 200_000_000 + Double(next(1000)) / 1000)
        }
        mutating func number() -> Double {
            let values = [0, 10, 0.9, 32.5112, -93.752, 1e-5, 1e20, 1e15, 123_456_789.123, 12.3, 100.5, -0.0]
            return values[next(values.count)]
        }
        mutating func maybe<T>(_ make: (inout Dice) -> T) -> T? { chance() ? make(&self) : nil }
    }

    static func alert(_ dice: inout Dice) -> Alert {
        let raised = dice.date()
        var alert = Alert(
            kind: Alert.Kind.allCases[dice.next(Alert.Kind.allCases.count)], severity: Alert.Severity.allCases[dice.next(4)],
            status: Alert.Status.allCases[dice.next(Alert.Status.allCases.count)], title: dice.text(), detail: dice.text(), raisedAt: raised,
            acknowledgedAt: dice.maybe { raised.addingTimeInterval(Double($0.next(100_000)) / 7) }, caseID: dice.maybe { _ in UUID() },
            cameraID: dice.maybe { _ in UUID() }, location: dice.maybe { GeoPoint(latitude: $0.number(), longitude: $0.number()) },
            eventID: dice.maybe { _ in UUID() }, assignedTo: dice.maybe { $0.text() }, dismissReason: dice.maybe { $0.text() },
            updatedAt: dice.maybe { $0.date() })
        alert.bookmarks = dice.maybe { dice in
            (0..<dice.next(4)).map { _ in
                AlertBookmark(cameraID: UUID(), cameraName: dice.text(), distanceM: dice.number(), from: dice.date(), until: dice.date())
            }
        }
        alert.history = dice.maybe { dice in
            (0..<dice.next(3)).map { _ in AlertHistoryEntry(at: dice.date(), actor: dice.text(), action: dice.text(), detail: dice.text()) }
        }
        return alert
    }

    static func event(_ dice: inout Dice) -> LeadEvent {
        var attributes: [String: String] = [:]
        for _ in 0..<dice.next(6) { attributes[["rounds", "Rounds", "plate", "a_b", "aB", "é", "z", "media0", "\"k\""][dice.next(9)] + dice.text()] = dice.text() }
        return LeadEvent(
            kind: LeadEvent.Kind.allCases[dice.next(LeadEvent.Kind.allCases.count)], source: dice.text(), sourceEventID: dice.text(),
            occurredAt: dice.date(), receivedAt: dice.date(), location: dice.maybe { GeoPoint(latitude: $0.number(), longitude: $0.number()) },
            cameraID: dice.maybe { _ in UUID() }, status: dice.maybe { $0.text() }, attributes: attributes, alertID: dice.maybe { _ in UUID() })
    }

    /// `count` values made by `make` from a repeatable `seed`, each written by `json` exactly as the encoder writes it.
    static func expectWrittenAsTheEncoderWrites<Value: Encodable>(
        seed: UInt64, count: Int = 500, _ make: (inout Dice) -> Value, json: (Value) -> String
    ) throws {
        var dice = Dice(state: seed)
        for n in 0..<count {
            let value = make(&dice)
            let expected = String(decoding: try JSONCoding.encoder.encode(value), as: UTF8.self)
            #expect(json(value) == expected, "case \(n)")
        }
    }

    @Test func alertsAreWrittenAsTheEncoderWritesThem() throws {
        try Self.expectWrittenAsTheEncoderWrites(seed: 7, Self.alert, json: \.json)
    }

    @Test func eventsAreWrittenAsTheEncoderWritesThem() throws {
        try Self.expectWrittenAsTheEncoderWrites(seed: 11, Self.event, json: \.json)
    }

    @Test func datesAreWholeSecondsInUTCAcrossLeapDaysAndCenturies() throws {
        let cases: [(Double, String)] = [
            (0, "1970-01-01T00:00:00Z"), (-1.5, "1969-12-31T23:59:58Z"), (951_782_400, "2000-02-29T00:00:00Z"),
            (4_107_542_399.999, "2100-02-28T23:59:59Z"), (4_107_542_400, "2100-03-01T00:00:00Z"), (1_796_166_240.789, "2026-12-01T23:04:00Z"),
        ]
        for (seconds, expected) in cases {
            var text = JSONText()
            text.date(Date(timeIntervalSince1970: seconds))
            #expect(text.text == "\"\(expected)\"")
        }
    }

    @Test func numbersWithNoJSONFormAreWrittenAsNullRatherThanFailingTheValue() {
        var text = JSONText()
        text.array([Double.nan, .infinity, 10, 0.5]) { $0.number($1) }
        #expect(text.text == "[null,null,10,0.5]")
    }
}
