import Foundation
import Logging

/// The recordings volumes of a server and which camera records to which. A camera goes to the usable volume with the
/// most free space per camera already on it, and stays there while that volume works; when writing to a volume fails,
/// the volume is set aside for a while and each of its cameras moves to another usable volume (the recorder starts
/// over there, at the next keyframe). With one volume, or no other usable one, a camera stays where it is and its
/// recorder keeps retrying with back-off.
public actor RecordingVolumes {
    /// One volume's state, for health and status.
    public struct Volume: Sendable, Equatable {
        /// The folder segment files go to on this volume.
        public var root: URL
        /// Cameras recording to it now.
        public var cameras: Int
        /// Why it is set aside, while it is.
        public var failure: String?
    }

    /// The folders, in configuration order (the first also holds the index journal).
    public let roots: [URL]
    private let freeBytes: @Sendable (String) throws -> Int64
    private let isWritable: @Sendable (String) -> Bool
    private let setAside: Duration
    private let logger: Logger
    private var assigned: [UUID: URL] = [:]
    private var failedUntil: [URL: (until: ContinuousClock.Instant, reason: String)] = [:]

    /// Volumes at `roots` (at least one); a volume whose writes failed is not chosen for `setAside`.
    public init(
        roots: [URL], setAside: Duration = .seconds(60), logger: Logger,
        freeBytes: @escaping @Sendable (String) throws -> Int64 = VolumeSpace.freeBytes(at:),
        isWritable: @escaping @Sendable (String) -> Bool = { FileManager.default.isWritableFile(atPath: $0) }
    ) {
        precondition(!roots.isEmpty, "at least one recordings folder")
        self.roots = roots.map(\.standardizedFileURL)
        self.setAside = setAside
        self.logger = logger
        self.freeBytes = freeBytes
        self.isWritable = isWritable
    }

    /// The volume `cameraID` records to: the one it already uses while that works, otherwise the usable volume with
    /// the most free bytes per camera on it; the camera's current (or the first) volume when none is usable.
    public func volume(for cameraID: UUID) -> URL {
        let current = assigned[cameraID]
        if let current, usable(current) { return current }
        var best: (root: URL, share: Double)?
        for root in roots where usable(root) {
            let free: Int64
            do {
                free = try freeBytes(root.path)
            } catch {
                logger.error("recordings volume not chosen: its free space cannot be read", metadata: ["path": "\(root.path)", "error": "\(error)"])
                continue
            }
            let share = Double(free) / Double(cameras(on: root) + 1)
            if share > best?.share ?? -1 { best = (root, share) }
        }
        guard let chosen = best?.root else {
            let kept = current ?? roots[0]
            if roots.count > 1 {
                logger.error("no recordings volume is usable; the camera stays on its volume and retries", metadata: ["camera": "\(cameraID)", "path": "\(kept.path)"])
            }
            assigned[cameraID] = kept
            return kept
        }
        if let current, current != chosen {
            logger.warning("camera moved to another recordings volume", metadata: ["camera": "\(cameraID)", "from": "\(current.path)", "to": "\(chosen.path)"])
        }
        assigned[cameraID] = chosen
        return chosen
    }

    /// Writing to `root` failed: it is not chosen for a while, so its cameras move when they ask again.
    public func writeFailed(at root: URL, reason: String) {
        let root = root.standardizedFileURL
        guard roots.count > 1 else { return }
        if setAsideReason(root) == nil {
            logger.error("recordings volume set aside: writing failed", metadata: ["path": "\(root.path)", "reason": "\(reason)"])
        }
        failedUntil[root] = (ContinuousClock.now + setAside, reason)
    }

    /// The camera is no longer recorded here.
    public func release(_ cameraID: UUID) { assigned[cameraID] = nil }

    /// Each volume with its cameras and, while set aside, why.
    public func volumes() -> [Volume] {
        roots.map { Volume(root: $0, cameras: cameras(on: $0), failure: setAsideReason($0)) }
    }

    private func usable(_ root: URL) -> Bool { setAsideReason(root) == nil && isWritable(root.path) }

    /// Why `root` is set aside, while it is.
    private func setAsideReason(_ root: URL) -> String? {
        guard let failed = failedUntil[root], failed.until > .now else { return nil }
        return failed.reason
    }

    private func cameras(on root: URL) -> Int { assigned.values.count { $0 == root } }
}
