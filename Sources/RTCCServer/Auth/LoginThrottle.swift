import Foundation

/// Limits sign-in attempts per source address within a sliding minute, against password guessing.
actor LoginThrottle {
    private let limit: Int
    private var attempts: [String: [Date]] = [:]

    init(attemptsPerMinute: Int) { limit = attemptsPerMinute }

    /// Records an attempt; returns the seconds to wait when over the limit, nil when allowed.
    func admit(_ source: String, now: Date = Date()) -> Int? {
        let window = now.addingTimeInterval(-60)
        var recent = (attempts[source] ?? []).filter { $0 > window }
        if attempts.count > 10_000 { attempts = attempts.filter { $0.value.contains { $0 > window } } }
        guard recent.count < limit else {
            attempts[source] = recent
            return max(1, Int((recent[0].timeIntervalSince(window)).rounded(.up)))
        }
        recent.append(now)
        attempts[source] = recent
        return nil
    }
}
