import Foundation
import Logging
@testable import RTCCServer
import Synchronization
import Testing

/// Several recordings volumes: cameras spread by free space, and moved off a volume whose writes fail.
@Suite struct RecordingVolumesTests {
    /// Free bytes per volume path, changed by the test.
    final class Space: Sendable {
        let free: Mutex<[String: Int64]>
        init(_ free: [String: Int64]) { self.free = Mutex(free) }
        func bytes(_ path: String) throws -> Int64 {
            guard let bytes = free.withLock({ $0[path] }) else { throw VolumeSpaceUnreadable(path: path, errno: ENOENT) }
            return bytes
        }
    }

    let a = URL(fileURLWithPath: "/volumes/a"), b = URL(fileURLWithPath: "/volumes/b"), c = URL(fileURLWithPath: "/volumes/c")

    @Test func camerasGoWhereTheMostFreeSpacePerCameraIsAndStayThere() async throws {
        // 400, 200 and 100 GB free; each camera goes where free space divided by (cameras there + 1) is largest, the
        // first listed on a tie.
        let space = Space([a.path: 400, b.path: 200, c.path: 100])
        let volumes = RecordingVolumes(roots: [a, b, c], logger: Logger(label: "test"), freeBytes: space.bytes, isWritable: { _ in true })
        let cameras = (0..<7).map { _ in UUID() }
        var chosen: [URL] = []
        for camera in cameras { chosen.append(await volumes.volume(for: camera)) }
        // a 400 b 200 c 100 → a; a 200 b 200 → a; a 133 b 200 → b; a 133 b 100 c 100 → a; a 100 b 100 c 100 → a;
        // a 80 b 100 c 100 → b; a 80 b 67 c 100 → c.
        #expect(chosen == [a, a, b, a, a, b, c])
        // Free space changing later does not move a camera that records fine.
        space.free.withLock { $0[a.path] = 1 }
        #expect(await volumes.volume(for: cameras[0]) == a)
        #expect(await volumes.volumes().map(\.cameras) == [4, 2, 1])
    }

    @Test func aVolumeWhoseWritesFailIsSetAsideAndItsCamerasMoveOneByOne() async throws {
        let space = Space([a.path: 100, b.path: 100])
        let volumes = RecordingVolumes(
            roots: [a, b], setAside: .milliseconds(300), logger: Logger(label: "test"), freeBytes: space.bytes, isWritable: { _ in true })
        let first = UUID(), second = UUID()
        #expect(await volumes.volume(for: first) == a)
        #expect(await volumes.volume(for: second) == b)
        await volumes.writeFailed(at: a, reason: "No space left on device")
        #expect(await volumes.volumes().first?.failure == "No space left on device")
        #expect(await volumes.volume(for: first) == b, "the failed volume's camera moves")
        #expect(await volumes.volume(for: second) == b)
        #expect(await volumes.volume(for: UUID()) == b, "a new camera avoids the failed volume")
        // Once set aside long enough, the volume is chosen again for new cameras; the moved ones stay.
        try await Task.sleep(for: .milliseconds(400))
        #expect(await volumes.volumes().first?.failure == nil)
        #expect(await volumes.volume(for: UUID()) == a)
        #expect(await volumes.volume(for: first) == b)
    }

    @Test func severalVolumesAreListedWithColonsAndMayNeitherOverlapNorHoldTheArchive() throws {
        var config = AppConfig()
        config.dataDirectory = "/srv/rtcc"
        #expect(config.resolvedRecordingsDirectories == ["/srv/rtcc/recordings"])
        config.recordingsDirectory = "/mnt/rec1:/mnt/rec2:"
        #expect(config.resolvedRecordingsDirectories == ["/mnt/rec1", "/mnt/rec2"])
        #expect(config.resolvedRecordingsDirectory == "/mnt/rec1", "the first holds the index journal")
        try config.validate()
        for overlapping in ["/mnt/rec1:/mnt/rec1/more", "/mnt/rec1:/mnt/rec1/", "/mnt/rec:/mnt/rec/../rec"] {
            config.recordingsDirectory = overlapping
            #expect(throws: AppConfig.Invalid.self, "\(overlapping)") { try config.validate() }
        }
        config.recordingsDirectory = "/mnt/rec1:/mnt/rec2"
        config.archiveDirectory = "/mnt/rec2/archive"
        #expect(throws: AppConfig.Invalid.self, "the archive inside the second volume") { try config.validate() }
    }

    @Test func withNoOtherUsableVolumeACameraStaysAndItsRecorderRetriesThere() async throws {
        let only = RecordingVolumes(roots: [a], logger: Logger(label: "test"), freeBytes: { _ in 0 }, isWritable: { _ in false })
        let camera = UUID()
        #expect(await only.volume(for: camera) == a)
        await only.writeFailed(at: a, reason: "Read-only file system")
        #expect(await only.volume(for: camera) == a)
        #expect(await only.volumes().first?.failure == nil, "one volume is never set aside: there is nowhere else to go")

        // Two volumes, one not writable (a dead NAS mount) and one whose free space cannot be read: neither is chosen,
        // the camera keeps the volume it had.
        let space = Space([a.path: 100])
        let broken = RecordingVolumes(roots: [a, b], logger: Logger(label: "test"), freeBytes: space.bytes, isWritable: { $0 == a.path })
        #expect(await broken.volume(for: camera) == a)
        await broken.writeFailed(at: a, reason: "Input/output error")
        #expect(await broken.volume(for: camera) == a, "b cannot be read: the camera stays on a and retries")
    }
}
