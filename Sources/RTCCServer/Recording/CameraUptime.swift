import Foundation
import RTCCStore

/// The share of a time window in which a camera's video was arriving, from its `offline`/`online` events.
public enum CameraUptime {
    /// The fraction (0…1) of `window` in which the camera was up. `events` are the camera's `offline`/`online` events,
    /// oldest first, optionally led by the last one before the window (it says the state the window began in).
    /// Without such an event, the state before the first event in the window is the opposite of that event (an
    /// `online` ends a time without video); with no events at all, `upNow` stands for the whole window.
    /// Nil when nothing is known (no events, `upNow` nil) or the window is empty.
    public static func fraction(of window: DateInterval, events: [CameraEvent], upNow: Bool?) -> Double? {
        guard window.duration > 0 else { return nil }
        var state: Bool? = nil
        var cursor = window.start
        var up: TimeInterval = 0
        for event in events {
            let isOnline = event.kind == "online"
            guard event.at >= window.start else {
                state = isOnline
                continue
            }
            guard event.at < window.end else { break }
            if state ?? !isOnline { up += event.at.timeIntervalSince(cursor) }
            state = isOnline
            cursor = event.at
        }
        guard let last = state ?? upNow else { return nil }
        if last { up += window.end.timeIntervalSince(cursor) }
        return min(1, max(0, up / window.duration))
    }
}
