/// Extends 32-bit RTP timestamps into a 64-bit timeline that survives wraparound.
///
/// Each timestamp is placed at the signed 32-bit distance from the previous one, so both forward
/// wraparound (0xFFFF_FFF0 → 0x10) and small backward steps (reordered B-frames) are handled.
/// The first timestamp maps to itself.
public struct TimestampUnwrapper: Sendable, Hashable {
    private var last: UInt32?
    private var lastExtended: Int64 = 0

    /// Creates an unwrapper with no history.
    public init() {}

    /// The last value returned, or `nil` before the first call.
    public var current: Int64? { last == nil ? nil : lastExtended }

    /// Returns `timestamp` on the extended timeline and remembers it.
    public mutating func unwrap(_ timestamp: UInt32) -> Int64 {
        guard let last else {
            self.last = timestamp
            lastExtended = Int64(timestamp)
            return lastExtended
        }
        let step = Int64(Int32(bitPattern: timestamp &- last))
        lastExtended += step
        self.last = timestamp
        return lastExtended
    }

    /// Returns where `timestamp` would land, without remembering it.
    public func peek(_ timestamp: UInt32) -> Int64 {
        guard let last else { return Int64(timestamp) }
        return lastExtended + Int64(Int32(bitPattern: timestamp &- last))
    }
}
