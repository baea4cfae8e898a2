import Foundation

/// Maps RTP timestamps onto wall-clock time.
///
/// Once an RTCP sender report has been seen, times come from the sender's own clock (its NTP time
/// plus the RTP distance from the report). Before that, the arrival time of the first packet
/// anchors the timeline. Keep media timestamps (PTS/DTS) from RTP and store this time beside them.
public struct WallClockMapper: Sendable {
    /// The RTP clock rate in Hz (90 000 for video).
    public let clockRate: Int
    private var unwrapper = TimestampUnwrapper()
    private var reportAnchor: (rtp: Int64, date: Date)?
    private var arrivalAnchor: (rtp: Int64, date: Date)?

    /// Creates a mapper for a clock rate; rates below 1 are treated as 1.
    public init(clockRate: Int) {
        self.clockRate = max(clockRate, 1)
    }

    /// Whether a sender report has been applied.
    public var isSynchronized: Bool { reportAnchor != nil }

    /// Adopts the sender's clock from a sender report.
    public mutating func apply(_ report: RTCPSenderReport) {
        reportAnchor = (unwrapper.unwrap(report.rtpTimestamp), report.wallClock)
    }

    /// Returns the wall-clock time of `rtpTimestamp`; `arrival` anchors the timeline when no sender
    /// report has been seen yet.
    public mutating func wallClock(forRTPTimestamp rtpTimestamp: UInt32, arrival: Date) -> Date {
        let extended = unwrapper.unwrap(rtpTimestamp)
        if let reportAnchor {
            return reportAnchor.date.addingTimeInterval(seconds(from: reportAnchor.rtp, to: extended))
        }
        guard let arrivalAnchor else {
            arrivalAnchor = (extended, arrival)
            return arrival
        }
        return arrivalAnchor.date.addingTimeInterval(seconds(from: arrivalAnchor.rtp, to: extended))
    }

    private func seconds(from anchor: Int64, to timestamp: Int64) -> TimeInterval {
        Double(timestamp - anchor) / Double(clockRate)
    }
}
