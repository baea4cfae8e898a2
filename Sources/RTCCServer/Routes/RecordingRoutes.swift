import Foundation
import Hummingbird
import Logging
import RTCCMedia
import RTCCCore
import RTCCStore

/// `/api/v1/cameras/{id}/recordings` and `/events`: is the footage still there, and when was the camera down.
struct RecordingRoutes {
    let services: AppServices

    /// What is recorded for a camera in a time range.
    struct Coverage: Encodable {
        var cameraID: UUID
        var from: Date
        var until: Date
        /// Recorded wall-clock ranges (adjacent segments merged), minus gaps inside segments.
        var recorded: [Range]
        /// Unrecorded ranges within the request.
        var missing: [Range]
        /// Each copy of the recording on its own (two for a camera recorded redundantly by two nodes): what it holds and
        /// what it lacks that the other holds, so a difference between the copies is listed.
        var copies: [Copy]
        var segments: [Segment]
    }

    /// One copy's coverage.
    struct Copy: Encodable {
        /// 0, or 1 for the second copy of a redundant camera.
        var copy: Int
        /// The nodes that recorded it in the range (none named for a single server).
        var nodes: [String]
        var recorded: [Range]
        /// Recorded by another copy but not by this one.
        var lacking: [Range]
    }

    struct Range: Encodable, Equatable {
        var from: Date
        var until: Date
    }

    struct Segment: Encodable {
        var id: UUID
        var stream: String
        var start: Date
        var end: Date
        var bytes: Int64
        var frames: Int
        var codec: String
        var sealed: Bool
        var sha256: String?
        /// The cluster node whose disk holds it; nil for a single server.
        var node: String?
        /// Which copy of the recording it belongs to.
        var copy: Int
    }

    func register(on router: Router<AppRequestContext>) {
        router.add(.cameraRecordings, recordings)
        router.add(.cameraEvents, events)
        router.add(.cameraHealth, health)
        router.add(.camerasHealth, allHealth)
    }

    /// A camera's recording link as the API shows it.
    struct HealthView: Encodable {
        var cameraID: UUID
        var recorded: Bool
        var state: String
        var reason: String?
        var framesPerSecond: Double
        var bitrate: Double
        var lastFrameAt: Date?
        var reconnects: Int
        var packetsLost: Int
        var framesRecorded: Int
        var clockOffsetSeconds: Double?
        var clockReanchors: Int
        /// The ONVIF device's clock and identity, for a linked camera.
        var onvif: ONVIFHealth?

        /// What the last ONVIF check of a linked camera found.
        struct ONVIFHealth: Encodable {
            var manufacturer: String
            var model: String
            var firmware: String
            var clockDriftSeconds: Double?
            var clockDriftAlarm: Bool
            var clockDriftThresholdSeconds: Double
            var checkedAt: Date?
            var lastError: String?

            init(_ link: ONVIFLink, threshold: Int) {
                manufacturer = link.manufacturer
                model = link.model
                firmware = link.firmware
                clockDriftSeconds = link.clockOffsetSeconds
                clockDriftAlarm = link.clockDriftAlarm(thresholdSeconds: threshold)
                clockDriftThresholdSeconds = Double(threshold)
                checkedAt = link.checkedAt
                lastError = link.lastError
            }
        }

        init(_ id: UUID, _ health: CameraHealth?, notRecordedBecause: String? = nil) {
            cameraID = id
            recorded = health != nil
            state = health?.state.rawValue ?? "not_recorded"
            reason = health == nil ? notRecordedBecause ?? "the recorder has not started it yet" : health?.reason
            framesPerSecond = health?.framesPerSecond ?? 0
            bitrate = health?.bitrate ?? 0
            lastFrameAt = health?.lastFrameAt
            reconnects = health?.reconnects ?? 0
            packetsLost = health?.packetsLost ?? 0
            framesRecorded = health?.framesRecorded ?? 0
            clockOffsetSeconds = health?.clockOffset
            clockReanchors = health?.clockReanchors ?? 0
        }
    }

    @Sendable func health(_ request: Request, _ context: AppRequestContext, _ identity: Identity?) async throws -> Response {
        let camera = try await services.visibleCamera(context, identity)
        // What the registration and the owner decided comes first: a paused camera's last recorder state is not "live".
        var view: HealthView
        if let reason = try await services.notRecordedReason(camera) {
            view = HealthView(camera.id, nil, notRecordedBecause: reason)
        } else {
            view = HealthView(camera.id, await services.recorders.health(of: camera.id))
        }
        view.onvif = try await services.store.onvif.link(cameraID: camera.id).map { .init($0, threshold: services.config.onvifClockDriftSeconds) }
        return try Reply.json(view)
    }

    @Sendable func allHealth(_ request: Request, _ context: AppRequestContext, _ identity: Identity?) async throws -> Response {
        let all = await services.recorders.allHealth()
        let blocked = try await services.store.community.blockedCameras()
        return try Reply.json(all.keys.sorted { $0.uuidString < $1.uuidString }.map { id in
            blocked.contains(id)
                ? HealthView(id, nil, notRecordedBecause: "paused or withdrawn by its owner: no live video or recording")
                : HealthView(id, all[id])
        })
    }

    @Sendable func recordings(_ request: Request, _ context: AppRequestContext, _ identity: Identity?) async throws -> Response {
        let camera = try await services.visibleCamera(context, identity)
        let (from, until) = try range(request)
        let segments: [SegmentRecord]
        do {
            segments = try await services.store.segments.list(cameraID: camera.id, stream: request.uri.queryParameters.get("stream"), from: from, until: until)
        } catch let error as SegmentGapsUnreadable {
            // Never answered as "no gaps": the coverage would claim footage that may not be there.
            context.logger.error("recording gaps unreadable", metadata: ["camera": "\(camera.id)", "segment": "\(error.segmentID)"])
            throw Problem(.internalServerError, error.description)
        }
        let recorded = Self.recordedRanges(segments, from: from, until: until)
        try await services.record(
            "recordings.search", target: "camera:\(camera.id)", detail: "\(from.ISO8601Format())/\(until.ISO8601Format())", by: identity,
            context: context, purpose: request.purpose)
        return try Reply.json(Coverage(
            cameraID: camera.id, from: from, until: until, recorded: recorded, missing: Self.complement(recorded, from: from, until: until),
            copies: Self.copies(segments, recorded: recorded, from: from, until: until),
            segments: segments.map {
                Segment(id: $0.id, stream: $0.stream, start: $0.start, end: $0.end, bytes: $0.bytes, frames: $0.frames, codec: $0.codec,
                        sealed: $0.sha256 != nil, sha256: $0.sha256, node: $0.node, copy: $0.copy)
            }))
    }

    @Sendable func events(_ request: Request, _ context: AppRequestContext, _ identity: Identity?) async throws -> Response {
        let camera = try await services.visibleCamera(context, identity)
        let (from, until) = try range(request)
        return try Reply.json(try await services.store.cameraEvents.list(cameraID: camera.id, from: from, until: until))
    }

    private func range(_ request: Request) throws -> (Date, Date) {
        let until = try request.queryDate("until") ?? Date()
        let from = try request.queryDate("from") ?? until.addingTimeInterval(-3600)
        guard from < until else { throw Problem.badRequest(field: "from", "must be before until") }
        guard until.timeIntervalSince(from) <= 31 * 86_400 else { throw Problem.badRequest(field: "until", "the range may span at most 31 days") }
        return (from, until)
    }

    /// Merges segment spans (touching within 0.5 s) and cuts out in-segment gaps, clipped to the request.
    static func recordedRanges(_ segments: [SegmentRecord], from: Date, until: Date) -> [Range] {
        var pieces: [Range] = []
        for segment in segments.sorted(by: { $0.start < $1.start }) {
            var cursor = max(segment.start, from)
            for gap in segment.gaps.sorted(by: { $0.start < $1.start }) where gap.end > cursor {
                if gap.start > cursor { pieces.append(Range(from: cursor, until: min(gap.start, until))) }
                cursor = max(cursor, gap.end)
            }
            if min(segment.end, until) > cursor { pieces.append(Range(from: cursor, until: min(segment.end, until))) }
        }
        var merged: [Range] = []
        for piece in pieces where piece.until > piece.from {
            if let last = merged.last, piece.from.timeIntervalSince(last.until) <= 0.5 {
                merged[merged.count - 1].until = max(last.until, piece.until)
            } else {
                merged.append(piece)
            }
        }
        return merged
    }

    /// Each copy's recorded ranges, and what it lacks of `recorded` (every copy together).
    static func copies(_ segments: [SegmentRecord], recorded: [Range], from: Date, until: Date) -> [Copy] {
        Dictionary(grouping: segments, by: \.copy).sorted { $0.key < $1.key }.map { copy, mine in
            let own = recordedRanges(mine, from: from, until: until)
            let lacking = RecordingCopies.subtract(
                own.map { DateInterval(start: $0.from, end: $0.until) }, from: recorded.map { DateInterval(start: $0.from, end: $0.until) })
            return Copy(
                copy: copy, nodes: Array(Set(mine.compactMap(\.node))).sorted(), recorded: own,
                lacking: lacking.map { Range(from: $0.start, until: $0.end) })
        }
    }

    static func complement(_ ranges: [Range], from: Date, until: Date) -> [Range] {
        var missing: [Range] = []
        var cursor = from
        for range in ranges {
            if range.from > cursor { missing.append(Range(from: cursor, until: range.from)) }
            cursor = max(cursor, range.until)
        }
        if cursor < until { missing.append(Range(from: cursor, until: until)) }
        return missing
    }
}
