import Foundation

/// Maps RTP timestamps onto wall-clock time, kept within ``tolerance`` of the server's own clock.
///
/// The first picture's arrival anchors the timeline, and RTP distances from it give every later picture its time, so
/// the spacing of pictures is the camera's. An RTCP sender report moves the anchor onto the sender's clock when that
/// clock agrees with the server's to within ``tolerance``; a report further off is not adopted (a camera whose clock is
/// hours wrong must not file its footage hours away) and only its offset is kept in ``cameraClockOffset``. Whenever a
/// picture's mapped time strays more than ``tolerance`` from its arrival — the camera's RTP clock jumped, ran fast or
/// slow, or stood still through a stall — the timeline is re-anchored on that arrival and ``reanchors`` counts it
/// (while it follows an adopted sender report, only beyond ``jumpThreshold``: the report itself was checked).
/// Keep media timestamps (PTS/DTS) from RTP and store this time beside them.
public struct WallClockMapper: Sendable {
    /// The RTP clock rate in Hz (90 000 for video).
    public let clockRate: Int
    /// How far a mapped time may stray from the arrival time, and a sender's clock from the server's, in seconds.
    public let tolerance: TimeInterval
    /// How far a picture may stray from its arrival, in seconds, before a timeline that follows an adopted sender
    /// report is re-anchored: arrival times of a busy server lag by more than ``tolerance`` while the sender's clock
    /// (checked against ours at every report) is right, so only a real jump moves such a timeline.
    public let jumpThreshold: TimeInterval = 10
    private var unwrapper = TimestampUnwrapper()
    private var anchor: (rtp: Int64, date: Date)?
    private var anchoredOnReport = false

    /// The sender's clock minus the server's at the last sender report (positive: the camera is ahead), seconds.
    public private(set) var cameraClockOffset: TimeInterval?
    /// How many times the timeline was re-anchored on arrival time because the camera's timing strayed.
    public private(set) var reanchors = 0

    /// Creates a mapper for a clock rate (rates below 1 are treated as 1) and a tolerance (default 2 s).
    public init(clockRate: Int, tolerance: TimeInterval = 2) {
        self.clockRate = max(clockRate, 1)
        self.tolerance = max(tolerance, 0.1)
    }

    /// Whether the timeline follows the sender's clock (a sender report within tolerance was adopted).
    public var isSynchronized: Bool { anchoredOnReport }

    /// Considers a sender report that arrived at `arrival`: adopts the sender's clock when it is within ``tolerance``
    /// of the server's, and records the offset either way.
    public mutating func apply(_ report: RTCPSenderReport, arrival: Date) {
        let offset = report.wallClock.timeIntervalSince(arrival)
        cameraClockOffset = offset
        guard abs(offset) <= tolerance else { return }
        anchor = (unwrapper.unwrap(report.rtpTimestamp), report.wallClock)
        anchoredOnReport = true
    }

    /// Returns the wall-clock time of a picture with `rtpTimestamp` that arrived at `arrival`.
    ///
    /// Pass `arrival` nil for pictures released late (held for reordering when a session ended): they are mapped on
    /// the current timeline without re-anchoring, since their arrival is not "now".
    public mutating func wallClock(forRTPTimestamp rtpTimestamp: UInt32, arrival: Date?) -> Date {
        let extended = unwrapper.unwrap(rtpTimestamp)
        guard let anchor else {
            let start = arrival ?? Date()
            anchor = (extended, start)
            return start
        }
        let mapped = anchor.date.addingTimeInterval(seconds(from: anchor.rtp, to: extended))
        let limit = anchoredOnReport ? max(jumpThreshold, tolerance) : tolerance
        guard let arrival, abs(mapped.timeIntervalSince(arrival)) > limit else { return mapped }
        self.anchor = (extended, arrival)
        anchoredOnReport = false
        reanchors += 1
        return arrival
    }

    private func seconds(from anchor: Int64, to timestamp: Int64) -> TimeInterval {
        Double(timestamp - anchor) / Double(clockRate)
    }
}
