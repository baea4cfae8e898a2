import Foundation

/// What a live viewer receives, in order: an initialization segment, then fragments of that format.
public enum LiveMessage: Sendable {
    /// Start (or restart) decoding with this initialization segment.
    case initialization(LiveInitialization)
    /// The next picture.
    case fragment(LiveFragment)
}

/// One camera's live stream shared by every viewer: frames are muxed once, and each viewer gets the
/// same bytes through its own bounded stream.
///
/// A new viewer starts at once from the current group of pictures (the last keyframe and what
/// followed it), so it needs no wait for the next keyframe. A viewer that falls so far behind that
/// its buffer fills loses pictures until the next keyframe, never in the middle of a group, so what
/// it does receive always decodes.
public actor LiveChannel {
    /// The most pictures kept for the current group; a longer group is not offered to new viewers.
    public static let largestGroup = 900
    /// The most bytes kept for the current group.
    public static let largestGroupBytes = 24 << 20

    private struct Viewer {
        var continuation: AsyncStream<LiveMessage>.Continuation
        var waitsForKeyframe = false
        var lostPictures = 0
    }

    private var fragmenter = LiveFragmenter()
    private var group: [LiveFragment] = []
    private var groupBytes = 0
    private var viewers: [UUID: Viewer] = [:]
    private let viewerBuffer: Int
    /// Rolling HLS media segments of this stream.
    public private(set) var hls: HLSWindow
    /// When the last picture arrived.
    public private(set) var lastPictureAt: Date?
    /// Pictures viewers lost because they fell behind, all viewers together.
    public private(set) var picturesLostByViewers = 0

    /// Creates a channel; each viewer may hold `viewerBuffer` unread messages before it loses pictures.
    public init(viewerBuffer: Int = 120, hlsSegments: Int = 6) {
        self.viewerBuffer = max(viewerBuffer, 8)
        self.hls = HLSWindow(capacity: hlsSegments)
    }

    /// How many viewers are watching.
    public var viewerCount: Int { viewers.count }

    /// The current initialization segment, once a keyframe has arrived.
    public var initialization: LiveInitialization? { fragmenter.initialization }

    /// The latest keyframe with its initialization segment, for a snapshot.
    public var latestKeyframe: (initialization: LiveInitialization, fragment: LiveFragment)? {
        guard let initialization = fragmenter.initialization, let first = group.first, first.isKeyframe,
            first.initializationVersion == initialization.version
        else { return nil }
        return (initialization, first)
    }

    /// Adds the next recorded frame and sends it to every viewer.
    public func push(_ frame: TimedVideoFrame) {
        guard let output = fragmenter.push(frame) else { return }
        let fragment = output.fragment
        lastPictureAt = Date()
        if let initialization = output.initialization {
            group = []
            groupBytes = 0
            hls.restart(with: initialization)
            for id in viewers.keys { viewers[id]?.waitsForKeyframe = true }
        }
        if fragment.isKeyframe {
            group = [fragment]
            groupBytes = fragment.bytes.count
        } else if !group.isEmpty {
            if group.count < Self.largestGroup, groupBytes + fragment.bytes.count <= Self.largestGroupBytes {
                group.append(fragment)
                groupBytes += fragment.bytes.count
            } else {
                group = []
                groupBytes = 0
            }
        }
        hls.append(fragment)
        broadcast(fragment)
    }

    /// A stream of this camera's live messages: the initialization segment and the current group
    /// first (when there is one), then every new picture. It ends when the viewer's task is cancelled
    /// or the channel ``close()``s.
    public func subscribe() -> AsyncStream<LiveMessage> {
        let (stream, continuation) = AsyncStream.makeStream(of: LiveMessage.self, bufferingPolicy: .bufferingOldest(viewerBuffer + group.count + 1))
        let id = UUID()
        var viewer = Viewer(continuation: continuation)
        if let initialization = fragmenter.initialization, let first = group.first, first.initializationVersion == initialization.version {
            continuation.yield(.initialization(initialization))
            for fragment in group { continuation.yield(.fragment(fragment)) }
        } else {
            viewer.waitsForKeyframe = true
        }
        viewers[id] = viewer
        continuation.onTermination = { [weak self] _ in
            Task { await self?.remove(id) }
        }
        return stream
    }

    /// Ends every viewer's stream.
    public func close() {
        for viewer in viewers.values { viewer.continuation.finish() }
        viewers = [:]
    }

    private func remove(_ id: UUID) { viewers[id] = nil }

    /// Sends a picture to every viewer; a viewer resuming at a keyframe gets the initialization segment first.
    private func broadcast(_ fragment: LiveFragment) {
        for (id, var viewer) in viewers {
            if viewer.waitsForKeyframe {
                guard fragment.isKeyframe, let initialization = fragmenter.initialization else { continue }
                guard case .enqueued = viewer.continuation.yield(.initialization(initialization)) else { continue }
                viewer.waitsForKeyframe = false
            }
            switch viewer.continuation.yield(.fragment(fragment)) {
            case .enqueued:
                break
            case .dropped:
                viewer.waitsForKeyframe = true
                viewer.lostPictures += 1
                picturesLostByViewers += 1
            case .terminated:
                viewers[id] = nil
                continue
            @unknown default:
                break
            }
            viewers[id] = viewer
        }
    }
}
