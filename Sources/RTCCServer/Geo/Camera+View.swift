import Foundation
import RTCCCore
import RTCCGeo

extension Camera {
    /// The horizontal resolution DORI levels are computed for: the registry does not record a camera's resolution, so
    /// every camera is taken to be 1080p (1920 px across).
    static let assumedHorizontalPixels = 1920

    /// What the camera sees on the ground, for RTCCGeo; nil when its stored geometry is unusable.
    var view: CameraView? {
        try? CameraView(
            id: id.uuidString, position: Coordinate(latitude: location.latitude, longitude: location.longitude), mountHeight: mountHeightM,
            heading: headingDeg, fieldOfView: fieldOfViewDeg, range: rangeM, horizontalPixels: Self.assumedHorizontalPixels,
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
