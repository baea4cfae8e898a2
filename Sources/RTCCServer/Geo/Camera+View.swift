import Foundation
import RTCCCore
import RTCCGeo

extension Camera {
    /// The horizontal resolution DORI levels are computed for when a camera's picture width is not known (its stream
    /// was never tested and none was entered): 1080p, 1920 px across.
    static let assumedHorizontalPixels = 1920

    /// The picture width DORI levels are computed for: the stored width when known, else ``assumedHorizontalPixels``.
    var doriHorizontalPixels: Int { horizontalPixels ?? Self.assumedHorizontalPixels }

    /// Whether DORI levels for this camera rest on the assumed 1920 px rather than its measured width.
    var doriResolutionAssumed: Bool { horizontalPixels == nil }

    /// What the camera sees on the ground, for RTCCGeo; nil when its stored geometry is unusable.
    var view: CameraView? {
        try? CameraView(
            id: id.uuidString, position: Coordinate(latitude: location.latitude, longitude: location.longitude), mountHeight: mountHeightM,
            heading: headingDeg, fieldOfView: fieldOfViewDeg, range: rangeM, horizontalPixels: doriHorizontalPixels,
            activeInterval: activeWindow.map { DateInterval(start: $0.from, end: max($0.from, $0.until)) })
    }

    /// Whether the camera is active at some time in `[from, until]` (always, without an active window).
    func isActive(from: Date, until: Date) -> Bool {
        guard let window = activeWindow else { return true }
        return window.from <= until && window.until >= from
    }

    /// Whether footage has to be asked of the owner: the camera does not send us video to record.
    var footageByRequest: Bool { sharing == .registered || sharing == .onRequest }
}
