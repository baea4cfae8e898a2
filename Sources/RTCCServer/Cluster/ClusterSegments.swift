import Crypto
import Foundation
import HTTPTypes
import Logging
import RTCCMedia
import RTCCStore
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Gives playback, export and snapshots a readable copy of any segment, whichever node recorded it: a segment of
/// another node (the index names it) is fetched from that node's internal API (`GET /api/v1/internal/segments/{id}`,
/// authenticated with the cluster secret) into `<data>/segment-cache`, checked against its SHA-256 when sealed. A single
/// server, a node's own segments and shared storage (every node sees the same recordings path) read the file in place.
public struct ClusterSegments: Sendable {
    let store: Store
    let cluster: ClusterSettings
    let cacheDirectory: URL
    let logger: Logger

    /// Creates the source for this server's settings.
    public init(store: Store, config: AppConfig, logger: Logger) {
        self.store = store
        self.cluster = config.cluster
        self.cacheDirectory = URL(fileURLWithPath: config.dataDirectory).appendingPathComponent("segment-cache", isDirectory: true)
        self.logger = logger
    }

    /// How long a fetched sealed segment stays cached.
    static let cacheLifetime: TimeInterval = 3600

    /// The segments, each with a path readable on this node.
    public func readable(_ segments: [SegmentRecord]) async throws -> [SegmentRecord] {
        var result: [SegmentRecord] = []
        for segment in segments { result.append(try await readable(segment)) }
        return result
    }

    /// What to show of `segments` for `window`, each readable on this node: for a camera recorded twice (redundant), the
    /// fuller copy with the other filling its gaps (``RecordingCopies/playable(_:within:)``). A segment whose node cannot
    /// hand it over (the node is down) is left out when the other copy holds all of its time within `window`, and the
    /// choice is made again without it; otherwise its error is thrown (footage is never skipped silently).
    public func playable(_ segments: [SegmentRecord], within window: DateInterval) async throws -> [SegmentRecord] {
        var candidates = segments
        while true {
            var result: [SegmentRecord] = []
            var failure: (segment: SegmentRecord, error: any Error)?
            for segment in Self.playable(candidates, within: window) {
                do {
                    result.append(try await readable(segment))
                } catch {
                    failure = (segment, error)
                    break
                }
            }
            guard let failure else { return result }
            let others = candidates.filter { $0.copy != failure.segment.copy }.map(\.recordedSegment)
            let own = RecordingCopies.clip(
                [DateInterval(start: failure.segment.start, end: max(failure.segment.start, failure.segment.end))], to: window)
            guard !others.isEmpty, RecordingCopies.subtract(RecordingCopies.coverage(others), from: own)
                .allSatisfy({ $0.duration <= RecordingCopies.joinTolerance })
            else { throw failure.error }
            logger.warning(
                "segment unreachable; its time is shown from the camera's other copy",
                metadata: ["segment": "\(failure.segment.id)", "node": "\(failure.segment.node ?? "")", "error": "\(failure.error)"])
            candidates.removeAll { $0.id == failure.segment.id }
        }
    }

    /// The rows ``RecordingCopies/playable(_:within:)`` chooses of `segments` for `window`, in its order (the files are
    /// not read).
    public static func playable(_ segments: [SegmentRecord], within window: DateInterval) -> [SegmentRecord] {
        let byID = Dictionary(segments.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        return RecordingCopies.playable(segments.map(\.recordedSegment), within: window).compactMap { byID[$0.id] }
    }

    /// The segment with a path readable on this node (a cached copy of another node's file).
    public func readable(_ segment: SegmentRecord) async throws -> SegmentRecord {
        guard let node = segment.node, let me = cluster.nodeName, node != me, !cluster.sharedStorage else { return segment }
        let cached = cacheDirectory.appendingPathComponent("\(segment.id.uuidString.lowercased()).mp4")
        var local = segment
        local.path = cached.path
        if segment.sha256 != nil, FileManager.default.fileExists(atPath: cached.path) { return local }
        guard let secret = cluster.secret else {
            throw Problem(.serviceUnavailable, "this footage is on node '\(node)', and this node has no cluster secret to fetch it with (set RTCC_CLUSTER_SECRET)")
        }
        let nodes = try await store.cluster.nodes(staleAfter: cluster.leaseSeconds)
        guard let base = nodes.first(where: { $0.name == node })?.url else {
            throw Problem(.serviceUnavailable, "this footage is on node '\(node)', which has no internal address registered (RTCC_NODE_URL)")
        }
        guard let url = URL(string: "\(base)/api/v1/internal/segments/\(segment.id.uuidString.lowercased())") else {
            throw Problem(.serviceUnavailable, "node '\(node)' has an unusable internal address")
        }
        var request = URLRequest(url: url, timeoutInterval: 30)
        request.setValue(secret, forHTTPHeaderField: ClusterRoutes.secretHeader)
        let (data, response): (Data, URLResponse)
        do {
            (data, response) = try await URLSession.shared.data(for: request)
        } catch {
            logger.error("segment fetch from another node failed", metadata: ["node": "\(node)", "segment": "\(segment.id)", "error": "\(error)"])
            throw Problem(.serviceUnavailable, "the footage is on node '\(node)', which cannot be reached now; try again or ask an administrator")
        }
        guard (response as? HTTPURLResponse)?.statusCode == 200 else {
            let status = (response as? HTTPURLResponse)?.statusCode ?? 0
            logger.error("segment fetch refused by another node", metadata: ["node": "\(node)", "segment": "\(segment.id)", "status": "\(status)"])
            throw Problem(.serviceUnavailable, "node '\(node)' did not hand over the footage (HTTP \(status)); ask an administrator to check the cluster secret")
        }
        if let expected = segment.sha256 {
            let actual = SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
            guard actual == expected else {
                throw Problem(.serviceUnavailable, "the copy of a segment from node '\(node)' does not match its recorded SHA-256; not used")
            }
        }
        try FileManager.default.createDirectory(at: cacheDirectory, withIntermediateDirectories: true)
        let partial = cacheDirectory.appendingPathComponent(".\(UUID().uuidString).part")
        try data.write(to: partial)
        _ = try? FileManager.default.removeItem(at: cached)
        try FileManager.default.moveItem(at: partial, to: cached)
        removeExpired()
        return local
    }

    /// Removes cached copies older than ``cacheLifetime``.
    private func removeExpired() {
        let now = Date()
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: cacheDirectory.path) else { return }
        for name in names {
            let path = cacheDirectory.appendingPathComponent(name).path
            guard let modified = (try? FileManager.default.attributesOfItem(atPath: path))?[.modificationDate] as? Date else { continue }
            if now.timeIntervalSince(modified) > Self.cacheLifetime { try? FileManager.default.removeItem(atPath: path) }
        }
    }
}
