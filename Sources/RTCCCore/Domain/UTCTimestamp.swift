import Foundation

/// ISO 8601 timestamps in UTC to the whole second (`2026-12-01T21:45:57Z`), written and read directly: the form the
/// API writes every date in and most feeds send, at a small fraction of the cost of the general format styles.
public enum UTCTimestamp {
    /// Appends `date` in the form `2026-12-01T21:45:57Z` (as `JSONEncoder`'s `.iso8601` strategy writes it: the
    /// fraction of a second dropped).
    public static func write(_ date: Date, to bytes: inout [UInt8]) {
        let seconds = Int(date.timeIntervalSince1970.rounded(.down))
        let (days, secondOfDay) = seconds.quotientAndRemainder(dividingBy: 86_400)
        let (day, second) = secondOfDay < 0 ? (days - 1, secondOfDay + 86_400) : (days, secondOfDay)
        let (year, month, dayOfMonth) = civilDate(daysSince1970: day)
        append(year, digits: 4, to: &bytes)
        bytes.append(UInt8(ascii: "-"))
        append(month, digits: 2, to: &bytes)
        bytes.append(UInt8(ascii: "-"))
        append(dayOfMonth, digits: 2, to: &bytes)
        bytes.append(UInt8(ascii: "T"))
        append(second / 3600, digits: 2, to: &bytes)
        bytes.append(UInt8(ascii: ":"))
        append(second / 60 % 60, digits: 2, to: &bytes)
        bytes.append(UInt8(ascii: ":"))
        append(second % 60, digits: 2, to: &bytes)
        bytes.append(UInt8(ascii: "Z"))
    }

    /// `date` as `2026-12-01T21:45:57Z`, as `Date.ISO8601Format()` writes it by default.
    public static func string(_ date: Date) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(20)
        write(date, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The time `text` names when it has exactly the form `2026-12-01T21:45:57Z` with a real calendar date (years
    /// 1…9999); nil for any other text, which the general parsers then judge.
    public static func parse(_ text: String) -> Date? {
        var text = text
        return text.withUTF8 { bytes -> Date? in
            guard bytes.count == 20, bytes[19] == UInt8(ascii: "Z"), let seconds = secondsSince1970(ofDateTimePrefix: bytes) else { return nil }
            return Date(timeIntervalSince1970: TimeInterval(seconds))
        }
    }

    /// Seconds since 1970 of the `YYYY-MM-DDTHH:MM:SS` that `bytes` starts with, every field in range (years 1…9999,
    /// a day that exists in its month, hour < 24, minute and second < 60); nil otherwise. What follows is the caller's.
    static func secondsSince1970(ofDateTimePrefix bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        guard bytes.count >= 19, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-"), bytes[10] == UInt8(ascii: "T"),
            bytes[13] == UInt8(ascii: ":"), bytes[16] == UInt8(ascii: ":")
        else { return nil }
        func number(_ from: Int, _ count: Int) -> Int? { decimal(bytes, from: from, count: count) }
        guard let year = number(0, 4), let month = number(5, 2), let day = number(8, 2), let hour = number(11, 2),
            let minute = number(14, 2), let second = number(17, 2),
            year >= 1, (1...12).contains(month), (1...days(inMonth: month, year: year)).contains(day), hour < 24, minute < 60, second < 60
        else { return nil }
        return daysSince1970(year: year, month: month, day: day) * 86_400 + hour * 3600 + minute * 60 + second
    }

    /// The decimal number written in `count` ASCII digits of `bytes` from `from`; nil when one is not a digit.
    static func decimal(_ bytes: UnsafeBufferPointer<UInt8>, from: Int, count: Int) -> Int? {
        var value = 0
        for index in from..<(from + count) {
            let digit = Int(bytes[index]) - 48
            guard (0...9).contains(digit) else { return nil }
            value = value * 10 + digit
        }
        return value
    }

    /// The proleptic Gregorian year, month and day `days` after 1970-01-01 (the well-known days-to-civil conversion
    /// over 400-year eras).
    static func civilDate(daysSince1970 days: Int) -> (year: Int, month: Int, day: Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let shiftedMonth = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * shiftedMonth + 2) / 5 + 1
        let month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    /// Days from 1970-01-01 to the given proleptic Gregorian date (the inverse of ``civilDate(daysSince1970:)``).
    static func daysSince1970(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// The number of days in `month` of `year` (proleptic Gregorian).
    static func days(inMonth month: Int, year: Int) -> Int {
        switch month {
        case 2: return year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    private static func append(_ value: Int, digits: Int, to bytes: inout [UInt8]) {
        var divisor = 1
        for _ in 1..<digits { divisor *= 10 }
        var rest = value
        while divisor > 0 {
            bytes.append(UInt8(ascii: "0") + UInt8(rest / divisor % 10))
            rest %= divisor
            divisor /= 10
        }
    }
}
