import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import RTCCCore
import RTCCEvidence
import RTCCStore

/// `/api/v1/footage-requests`: an analyst asks a camera owner for a time window; the owner approves and uploads a clip
/// (checked to be video, SHA-256 at upload, entered into the case's chain of custody) or declines; unanswered requests expire.
struct FootageRequestRoutes {
    let services: AppServices

    func register(on router: Router<AppRequestContext>) {
        router.add(.footageRequestsList, list)
        router.add(.footageRequestsCreate, create)
        router.add(.footageRequestGet, get)
        router.add(.footageRequestDecide, decide)
        router.add(.footageRequestUpload, upload)
        router.add(.footageRequestClip, clip)
    }

    /// Where uploaded clips are kept.
    var folder: URL { URL(fileURLWithPath: services.config.dataDirectory).appendingPathComponent("footage", isDirectory: true) }

    /// The audit target of a request: below its camera, so the owner's access log finds it.
    static func target(_ request: FootageRequest) -> String { "camera:\(request.cameraID)/request:\(request.id)" }

    @Sendable func create(_ request: Request, _ context: AppRequestContext, _ identity: Identity?) async throws -> Response {
        let input = try await request.decodeStrict(FootageRequestInput.self, allowed: FootageRequestInput.allowedKeys, context: context)
        try input.validate()
        let made = try await Self.make(input, services: services, by: identity)
        try await services.record(
            "footage.request", target: Self.target(made), detail: "case \(made.caseNumber), \(made.from.ISO8601Format())/\(made.until.ISO8601Format())",
            by: identity, context: context, purpose: made.reason)
        try await services.linkWork(
            toCaseNumbered: made.caseNumber, kind: .footageRequest, reference: made.id, by: identity, context: context, purpose: made.reason)
        return try Reply.json(made, status: .created)
    }

    /// Stores a request for a partner camera and mails its owner. Shared with `POST /api/v1/seen/hold`.
    static func make(_ input: FootageRequestInput, services: AppServices, by identity: Identity?) async throws -> FootageRequest {
        guard let camera = try await services.store.cameras.find(id: input.cameraID) else {
            throw ValidationError(field: "cameraID", reason: "no camera has id \(input.cameraID.uuidString)")
        }
        guard let partnerID = camera.partnerID, let partner = try await services.store.partners.find(id: partnerID) else {
            throw ValidationError(field: "cameraID", reason: "camera \"\(camera.name)\" has no owner to ask: footage requests go to partner cameras")
        }
        if try await services.store.community.sharing(cameraID: camera.id) == .revoked {
            throw Problem(.conflict, "the owner of \"\(camera.name)\" withdrew consent; no requests can be sent")
        }
        let number = input.caseNumber.trimmingCharacters(in: .whitespaces)
        let found = try await services.store.cases.search(CaseQuery(text: number)).items.first { $0.number == number }
        let made = try await services.store.footageRequests.create(input, partnerID: partnerID, caseID: found?.id, by: identity?.actor ?? "system")
        try await services.store.applications.queueMail(
            to: partner.email, subject: "Footage request for your camera \(camera.name)",
            body: """
                Hello \(partner.contactName),

                the Real-Time Crime Center asks for the recording of your camera "\(camera.name)"
                from \(made.from.ISO8601Format()) to \(made.until.ISO8601Format()) (case \(made.caseNumber)).
                Reason: \(made.reason)

                Sign in to the owner portal to approve and upload the clip, or to decline. You are free to decline.
                The request expires at \(made.expiresAt.ISO8601Format()).

                \(Onboarding(services: services).link("/partners"))
                """)
        await services.mailQueued.signal()
        return made
    }

    /// A request the caller may see: staff with `cases:read` see all; an owner only those for its cameras.
    private func visible(_ context: AppRequestContext, _ identity: Identity?) async throws -> FootageRequest {
        let id = try context.pathID("footage request")
        guard let found = try await services.store.footageRequests.find(id: id) else { throw Problem.notFound("footage request") }
        if let identity, !identity.permissions.contains(.casesRead), found.partnerID == nil || found.partnerID != identity.user.partnerID {
            throw Problem.notFound("footage request")
        }
        return found
    }

    @Sendable func list(_ request: Request, _ context: AppRequestContext, _ identity: Identity?) async throws -> Response {
        let identity = try context.requireIdentity()
        let partnerID: UUID?
        if identity.permissions.contains(.casesRead) {
            partnerID = nil
        } else {
            partnerID = try PortalRoutes.partnerID(identity)
        }
        let found = try await services.store.footageRequests.list(
            partnerID: partnerID, cameraID: try request.queryUUID("cameraID"), status: try request.queryEnum("status", FootageRequestStatus.self),
            limit: try request.queryInt("limit", in: 1...500, default: 100), offset: try request.queryInt("offset", in: 0...1_000_000, default: 0))
        return try Reply.json(found)
    }

    @Sendable func get(_ request: Request, _ context: AppRequestContext, _ identity: Identity?) async throws -> Response {
        try Reply.json(try await visible(context, identity))
    }

    struct Decision: Decodable {
        var approve: Bool
        var reason: String?
    }

    @Sendable func decide(_ request: Request, _ context: AppRequestContext, _ identity: Identity?) async throws -> Response {
        let found = try await visible(context, identity)
        guard found.partnerID != nil, found.partnerID == identity?.user.partnerID else { throw Problem.notFound("footage request") }
        let decision = try await request.decodeStrict(Decision.self, allowed: ["approve", "reason"], context: context)
        let reason = decision.reason?.trimmingCharacters(in: .whitespacesAndNewlines)
        if let reason, reason.count > 500 { throw ValidationError(field: "reason", reason: "at most 500 characters") }
        let to: FootageRequestStatus = decision.approve ? .approved : .declined
        guard try await services.store.footageRequests.transition(
            id: found.id, from: [.pending], to: to, declineReason: decision.approve ? nil : (reason?.isEmpty == false ? reason : nil))
        else { throw Self.notOpen }
        try await services.record(
            decision.approve ? "footage.approve" : "footage.decline", target: Self.target(found), detail: reason ?? "", by: identity, context: context)
        return try Reply.json(try await services.store.footageRequests.find(id: found.id) ?? found)
    }

    /// 409 for a request that was answered already or has expired.
    static var notOpen: Problem { Problem(.conflict, "this request is no longer open: it was answered already or has expired") }

    /// The largest clip an owner may upload.
    var maxClipBytes: Int { services.config.footageUploadMaxBytes }

    @Sendable func upload(_ request: Request, _ context: AppRequestContext, _ identity: Identity?) async throws -> Response {
        let found = try await visible(context, identity)
        guard found.partnerID != nil, found.partnerID == identity?.user.partnerID else { throw Problem.notFound("footage request") }
        guard found.status == .approved else {
            throw Problem(.conflict, found.status == .pending
                ? "approve the request before uploading its clip" : "this request is \(found.status.rawValue); it takes no clip")
        }
        if let length = request.headers[.contentLength].flatMap(Int.init), length > maxClipBytes {
            throw Problem(.contentTooLarge, "the clip is \(length) bytes; at most \(maxClipBytes) bytes are accepted: send a shorter clip")
        }
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let partial = folder.appendingPathComponent("\(found.id.uuidString.lowercased()).partial")
        let (sha256, bytes) = try await receive(request.body, into: partial)
        guard let video = try await MediaTool.probeVideo(partial.path) else {
            try? FileManager.default.removeItem(at: partial)
            throw Problem(.unsupportedMediaType, "the upload is not a video file ffprobe can read (send the MP4, MKV, AVI or MOV your recorder exports)")
        }
        let final = folder.appendingPathComponent("\(found.id.uuidString.lowercased()).video")
        try? FileManager.default.removeItem(at: final)
        try FileManager.default.moveItem(at: partial, to: final)
        guard try await services.store.footageRequests.fulfil(id: found.id, sha256: sha256, bytes: Int64(bytes), path: final.path) else {
            try? FileManager.default.removeItem(at: final)
            throw Self.notOpen
        }
        let detail = "request \(found.id.uuidString.lowercased()), camera \(found.cameraID.uuidString.lowercased()): \(video.codec) "
            + "\(video.width)x\(video.height), \(bytes) bytes, sha256 \(sha256)"
        try await services.record("footage.upload", target: Self.target(found), detail: detail, by: identity, context: context)
        if let caseID = found.caseID {
            try await services.record("custody.footage_received", target: Store.auditTarget(caseID: caseID), detail: detail, by: identity, context: context)
        }
        return try Reply.json(try await services.store.footageRequests.find(id: found.id) ?? found)
    }

    /// Streams the body into `file`, hashing as it goes; over the limit the file is removed and the upload refused (413).
    private func receive(_ body: RequestBody, into file: URL) async throws -> (sha256: String, bytes: Int) {
        _ = FileManager.default.createFile(atPath: file.path, contents: nil)
        let handle = try FileHandle(forWritingTo: file)
        var bytes = 0
        do {
            for try await buffer in body {
                bytes += buffer.readableBytes
                guard bytes <= maxClipBytes else {
                    throw Problem(.contentTooLarge, "the clip is larger than \(maxClipBytes) bytes: send a shorter clip")
                }
                try handle.write(contentsOf: Data(buffer.readableBytesView))
            }
            try handle.close()
        } catch {
            try? handle.close()
            try? FileManager.default.removeItem(at: file)
            throw error
        }
        guard bytes > 0 else {
            try? FileManager.default.removeItem(at: file)
            throw Problem.badRequest(field: "body", "is empty; send the video file as the request body")
        }
        return (try FileDigest.sha256(of: file), bytes)
    }

    @Sendable func clip(_ request: Request, _ context: AppRequestContext, _ identity: Identity?) async throws -> Response {
        let found = try await visible(context, identity)
        guard found.status == .fulfilled, let path = try await services.store.footageRequests.clipPath(id: found.id),
            let data = FileManager.default.contents(atPath: path)
        else { throw Problem(.notFound, "this request has no clip (status \(found.status.rawValue))") }
        try await services.record("footage.download", target: Self.target(found), detail: "sha256 \(found.clipSHA256 ?? "")", by: identity, context: context,
                                  purpose: request.purpose)
        return Response(
            status: .ok,
            headers: [.contentType: "application/octet-stream", .contentDisposition: "attachment; filename=\"footage-\(found.id.uuidString.lowercased()).video\""],
            body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
