import Foundation
import RTCCMedia

/// The running recorders and their latest health, shared by the supervisor (which writes) and the API (which reads).
public actor RecorderRegistry {
    private var recorders: [UUID: CameraRecorder] = [:]
    private var healths: [UUID: CameraHealth] = [:]

    /// Creates an empty registry.
    public init() {}

    /// The latest health of a camera being recorded, or nil when it is not recorded.
    public func health(of cameraID: UUID) -> CameraHealth? { healths[cameraID] }

    /// Every recorded camera's health.
    public func allHealth() -> [UUID: CameraHealth] { healths }

    /// The recorder of a camera, for live viewers.
    public func recorder(of cameraID: UUID) -> CameraRecorder? { recorders[cameraID] }

    /// Notes that `recorder` now records `cameraID`.
    public func started(_ cameraID: UUID, _ recorder: CameraRecorder) {
        recorders[cameraID] = recorder
        healths[cameraID] = CameraHealth(state: .connecting)
    }

    func update(_ cameraID: UUID, _ health: CameraHealth) { healths[cameraID] = health }

    /// Notes that nothing records `cameraID` any more.
    public func stopped(_ cameraID: UUID) {
        recorders[cameraID] = nil
        healths[cameraID] = nil
    }
}
