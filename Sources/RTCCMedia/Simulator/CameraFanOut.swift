import Foundation
import NIOCore

/// The viewers of one simulated camera: one bounded stream each, fed from the camera's single generator.
///
/// Each element is one picture's packets (its sender report first, when one goes with it), so the server writes a
/// picture with one flush. A viewer starts at the next keyframe; one whose buffer overflows (a slow viewer) loses the
/// oldest pictures and waits for the next keyframe again, so it never decodes a broken picture chain.
///
/// `@unchecked Sendable`: every stored property is either immutable or read and written only while `lock` is held.
/// A lock rather than an actor because the generator publishes to every viewer synchronously, once per picture, and
/// ``SimulatedCamera/makePackets()`` (a synchronous protocol requirement) subscribes.
final class CameraFanOut: @unchecked Sendable {
    typealias Stream = AsyncThrowingStream<[RTSPMediaPacket], any Error>

    private struct Viewer {
        var continuation: Stream.Continuation
        var waitingForKeyframe = true
        /// Whether it got its first keyframe: from then on every frame is owed to it, delivered or dropped.
        var started = false
    }

    private let lock = NSLock()
    private var viewers: [UInt64: Viewer] = [:]
    private var nextID: UInt64 = 0
    /// Pictures buffered per viewer.
    private let bufferSize: Int
    private var owed = 0

    init(bufferedPictures: Int) {
        self.bufferSize = max(8, bufferedPictures)
    }

    /// The number of connected viewers.
    var viewerCount: Int { lock.withLock { viewers.count } }

    /// Frames published since each viewer's first keyframe, summed over every viewer there has been: what a viewer
    /// that recorded everything would hold. Frames a slow viewer lost to its full buffer (and the ones until its next
    /// keyframe) count too, so a recorder that cannot keep up is seen to lose them.
    var framesOwed: Int { lock.withLock { owed } }

    /// A new viewer's pictures; `accepting` false gives a sequence that closes the connection at once.
    func subscribe(accepting: Bool) -> Stream {
        let (stream, continuation) = Stream.makeStream(bufferingPolicy: .bufferingNewest(bufferSize))
        guard accepting else {
            continuation.finish(throwing: RTSPMediaSourceError.closeConnection)
            return stream
        }
        let id = lock.withLock {
            nextID += 1
            viewers[nextID] = Viewer(continuation: continuation)
            return nextID
        }
        continuation.onTermination = { [weak self] _ in self?.remove(id) }
        return stream
    }

    private func remove(_ id: UInt64) {
        _ = lock.withLock { viewers.removeValue(forKey: id) }
    }

    /// Sends one access unit's packets (and an optional RTCP packet first) to every viewer that can decode it.
    func publish(_ packets: [RTSPMediaPacket], senderReport: RTSPMediaPacket?, isKeyframe: Bool) {
        let targets: [(UInt64, Stream.Continuation)] = lock.withLock {
            var targets: [(UInt64, Stream.Continuation)] = []
            targets.reserveCapacity(viewers.count)
            for (id, viewer) in viewers {
                if viewer.started || isKeyframe {
                    owed += 1
                    viewers[id]?.started = true
                }
                if viewer.waitingForKeyframe {
                    guard isKeyframe else { continue }
                    viewers[id]?.waitingForKeyframe = false
                }
                targets.append((id, viewer.continuation))
            }
            return targets
        }
        guard !targets.isEmpty else { return }
        let picture = senderReport.map { [$0] + packets } ?? packets
        var overflowed: [UInt64] = []
        for (id, continuation) in targets {
            if case .dropped = continuation.yield(picture) { overflowed.append(id) }
        }
        guard !overflowed.isEmpty else { return }
        lock.withLock {
            for id in overflowed { viewers[id]?.waitingForKeyframe = true }
        }
    }

    /// Makes every viewer wait for the next keyframe (after a gap in the stream).
    func resynchronize() {
        lock.withLock {
            for id in viewers.keys { viewers[id]?.waitingForKeyframe = true }
        }
    }

    /// Ends every viewer's stream with `error` (``RTSPMediaSourceError/closeConnection`` closes their connections).
    func disconnectAll(_ error: any Error) {
        let continuations = lock.withLock {
            let continuations = viewers.values.map(\.continuation)
            viewers.removeAll()
            return continuations
        }
        for continuation in continuations { continuation.finish(throwing: error) }
    }
}
