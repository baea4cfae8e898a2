import Foundation
import HTTPTypes
import Logging
import Hummingbird
import NIOCore
import RTCCCore
import RTCCMedia
import RTCCStore

/// Recorded playback: `POST /api/v1/playback` opens a session with a purpose (written to the audit log once per
/// case), then `GET /api/v1/cameras/{id}/media` serves the recordings as fMP4 chunks on a wall-clock timeline.
struct PlaybackRoutes {
    let services: AppServices

    /// The longest chunk one request may ask for.
    static let longestChunk: TimeInterval = 120

    struct NewSession: Decodable {
        var cameraIDs: [UUID]
        var purpose: String
        var caseNumber: String?
        var unmask: Bool?
    }

    func register(on router: Router<AppRequestContext>) {
        router.add(.playbackStart, start)
        router.add(.cameraMedia, media)
    }

    @Sendable func start(_ request: Request, _ context: AppRequestContext, _ identity: Identity?) async throws -> Response {
        let identity = try context.requireIdentity()
        let input = try await request.decodeStrict(NewSession.self, allowed: ["cameraIDs", "purpose", "caseNumber", "unmask"], context: context)
        var errors: [FieldError] = []
        let purpose = input.purpose.trimmingCharacters(in: .whitespacesAndNewlines)
        if purpose.count < 3 || purpose.count > 300 { errors.append(FieldError(field: "purpose", reason: "must say why, in 3-300 characters")) }
        let caseNumber = input.caseNumber?.trimmingCharacters(in: .whitespaces).nilIfEmpty
        if let caseNumber, caseNumber.count > 64 { errors.append(FieldError(field: "caseNumber", reason: "must be at most 64 characters")) }
        let unique = Set(input.cameraIDs)
        if unique.isEmpty || unique.count > 16 { errors.append(FieldError(field: "cameraIDs", reason: "must name 1-16 cameras")) }
        var names: [String] = []
        var unmasked: [Camera] = []
        for id in unique.sorted(by: { $0.uuidString < $1.uuidString }) {
            guard let camera = try await services.store.cameras.find(id: id), Self.mayView(camera, identity) else {
                errors.append(FieldError(field: "cameraIDs", reason: "no camera you may see has id \(id.uuidString)"))
                continue
            }
            names.append(camera.name)
            if input.unmask == true, try await !services.privacyMask(of: camera).isEmpty {
                if !identity.permissions.contains(.unmask) {
                    throw Problem.forbidden(.unmask)
                } else {
                    unmasked.append(camera)
                }
            }
        }
        try ValidationError.check(errors)
        for camera in unmasked {
            try await services.record("video.unmask", target: "camera:\(camera.id)", detail: "playback", by: identity, context: context, purpose: purpose)
        }
        let session = await services.playback.open(
            userID: identity.user.id, cameraIDs: unique, purpose: purpose, caseNumber: caseNumber, unmasked: Set(unmasked.map(\.id)))
        try await services.record(
            "playback.start", target: caseNumber.map { "case:\($0)" } ?? "cameras:\(unique.count)", detail: names.joined(separator: "; "),
            by: identity, context: context, purpose: purpose)
        try await services.linkWork(toCaseNumbered: caseNumber, kind: .playback, reference: session.id, by: identity, context: context, purpose: purpose)
        return try Reply.json(session, status: .created)
    }

    static func mayView(_ camera: Camera, _ identity: Identity) -> Bool {
        identity.permissions.contains(.camerasRead) || (camera.partnerID != nil && camera.partnerID == identity.user.partnerID)
    }

    @Sendable func media(_ request: Request, _ context: AppRequestContext, _ identity: Identity?) async throws -> Response {
        let identity = try context.requireIdentity()
        let camera = try await services.visibleCamera(context, identity)
        guard let sessionID = try request.queryUUID("session") else {
            throw Problem.badRequest(field: "session", "is required: open a playback session (POST /api/v1/playback) with a purpose first")
        }
        guard await services.playback.session(sessionID, userID: identity.user.id, cameraID: camera.id) != nil else {
            throw Problem(.forbidden, "the playback session is unknown, expired, someone else's, or does not include this camera; open a new one")
        }
        guard let from = try request.queryDate("from") else { throw Problem.badRequest(field: "from", "is required (ISO 8601)") }
        let until = try request.queryDate("until") ?? from.addingTimeInterval(20)
        let origin = try request.queryDate("origin") ?? from.addingTimeInterval(-3600)
        guard until > from else { throw Problem.badRequest(field: "until", "must be after from") }
        guard until.timeIntervalSince(from) <= Self.longestChunk else {
            throw Problem.badRequest(field: "until", "may be at most \(Int(Self.longestChunk)) s after from; ask for the next chunk separately")
        }
        guard origin <= from else { throw Problem.badRequest(field: "origin", "must not be after from") }
        let stream = request.uri.queryParameters.get("stream") ?? "main"
        var segments = try await services.store.segments.list(cameraID: camera.id, stream: stream, from: from.addingTimeInterval(-1), until: until)
        if !segments.contains(where: { $0.end > from }) {
            guard let next = try await services.store.segments.first(cameraID: camera.id, stream: stream, endingAfter: from) else {
                throw Problem(.notFound, "nothing of camera \"\(camera.name)\" is recorded at or after \(from.formatted(Date.ISO8601FormatStyle()))")
            }
            segments = [next]
        }
        let chunk: PlaybackChunk
        // A camera recorded twice (redundant): the fuller copy, and the other where it has a gap or its node is down.
        let sources = try await services.readableSegments.playable(segments, within: DateInterval(start: from, end: until))
            .map { $0.recordedSegment }
        switch Result(catching: { () throws(PlaybackError) in try PlaybackChunker().chunk(of: sources, from: from, until: until, origin: origin) }) {
        case .success(let made):
            chunk = made
        case .failure(.noRecording):
            throw Problem(.notFound, "nothing of camera \"\(camera.name)\" is recorded at or after \(from.formatted(Date.ISO8601FormatStyle()))")
        case .failure(.originAfterFootage(_, let footage)):
            throw Problem.badRequest(field: "origin", "must be before the footage, which starts at \(footage.formatted(Date.ISO8601FormatStyle()))")
        case .failure(.segmentUnreadable(let path, _)):
            context.logger.error("recording unreadable", metadata: ["camera": "\(camera.id)", "path": "\(path)"])
            throw Problem(.notFound, "the recording of camera \"\(camera.name)\" at this time cannot be read (its file is missing or damaged); ask an administrator to check the recordings folder")
        }
        var bytes = chunk.bytes, codec = chunk.codec
        // Recordings hold the camera's own picture: a masked camera's chunk is re-encoded with the mask burned in,
        // on the same timeline, unless this session lifted the mask.
        // A mask that cannot be read withholds the chunk (503), never plays it unmasked.
        let mask = try await services.privacyMask(of: camera)
        if !mask.isEmpty, await !services.playback.isUnmasked(sessionID, cameraID: camera.id) {
            (bytes, codec) = try await MaskFilter.burn(mask, intoChunk: chunk.bytes)
        }
        var headers: HTTPFields = [.contentType: "video/mp4", .cacheControl: "private, no-store"]
        let iso = Date.ISO8601FormatStyle(includingFractionalSeconds: true)
        headers[HTTPField.Name("X-RTCC-First-Frame")!] = chunk.firstFrame.formatted(iso)
        headers[HTTPField.Name("X-RTCC-End")!] = chunk.end.formatted(iso)
        if let next = chunk.next { headers[HTTPField.Name("X-RTCC-Next")!] = next.formatted(iso) }
        headers[HTTPField.Name("X-RTCC-Frames")!] = "\(chunk.frames)"
        headers[HTTPField.Name("X-RTCC-Frame-Duration")!] = String(format: "%.6f", chunk.frameDuration)
        headers[HTTPField.Name("X-RTCC-Codec")!] = codec
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }
}

extension String {
    /// nil for an empty string.
    var nilIfEmpty: String? { isEmpty ? nil : self }
}
