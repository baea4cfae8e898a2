import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdWebSocket
import Logging
import NIOCore
import NIOWebSocket
import RTCCCore
import RTCCMedia
import RTCCStore

/// Live video: `/api/v1/cameras/{id}/live` (fMP4 over WebSocket for the browser), `/hls/{file}` (HLS for
/// other players) and `/snapshot.jpg`. All of them are served from the recorder's one ingest.
struct LiveRoutes {
    let services: AppServices

    func register(on router: Router<AppRequestContext>) {
        let endpoint = Endpoint.cameraLive
        router.ws(endpoint.routerPath) { request, context in
            let identity = try endpoint.authorize(context)
            let camera = try await services.visibleCamera(context, identity)
            try await services.requireSharing(camera)
            let transcoded = try Self.transcoding(request)
            let masked = try await services.mustMask(camera, identity: identity, request: request)
            guard await services.live.channel(for: camera.id, transcoded: transcoded, masked: masked) != nil else { throw Self.notLive(camera) }
            if !masked, request.uri.queryParameters.get("unmask") == "1" {
                try await services.recordUnmask(camera, what: "live view", identity: identity, request: request, context: context)
            }
            try await services.record("live.view", target: "camera:\(camera.id)", detail: camera.name, by: identity, context: context,
                                      purpose: request.purpose)
            return .upgrade([:])
        } onUpgrade: { inbound, outbound, context in
            // Checked again after the upgrade: a mask that cannot be read now closes the socket with the reason.
            let (channel, id): (LiveChannel, UUID)
            do {
                guard let requested = context.requestContext.parameters.get("id").flatMap(UUID.init(uuidString:)),
                    let camera = try await services.store.cameras.find(id: requested)
                else {
                    try await outbound.close(.unexpectedServerError, reason: "the camera is no longer in the registry")
                    return
                }
                let masked = try await services.mustMask(camera, identity: context.requestContext.identity, request: context.request)
                guard let found = await services.live.channel(for: camera.id, transcoded: try Self.transcoding(context.request), masked: masked) else {
                    try await outbound.close(.unexpectedServerError, reason: "the camera stopped streaming")
                    return
                }
                (channel, id) = (found, camera.id)
            } catch let problem as Problem {
                // A close reason is limited to 123 bytes.
                try await outbound.close(.unexpectedServerError, reason: String(decoding: problem.detail.utf8.prefix(120), as: UTF8.self))
                return
            }
            try await Self.stream(channel, cameraID: id, inbound: inbound, outbound: outbound, recorders: services.recorders, logger: context.logger)
        }
        router.add(.cameraHLS, hls)
        router.add(.cameraSnapshot, snapshot)
    }

    /// `?codec=h264` asks for the H.264 re-encoding of an H.265 camera; no other value is offered.
    static func transcoding(_ request: Request) throws -> Bool {
        guard let codec = request.uri.queryParameters.get("codec") else { return false }
        guard codec == "h264" else { throw Problem.badRequest(field: "codec", "may only be h264 (to re-encode an H.265 camera)") }
        return true
    }

    static func notLive(_ camera: Camera) -> Problem {
        Problem(.conflict, "camera \"\(camera.name)\" is not streaming: only cameras that share live video (sharing tier live, with a stream URL, inside their active window) are recorded and viewable live")
    }

    /// Sends the channel to one viewer until either side ends, answering the viewer's messages.
    static func stream(
        _ channel: LiveChannel, cameraID: UUID, inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter, recorders: RecorderRegistry,
        logger: Logger
    ) async throws {
        let messages = await channel.subscribe()
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                for await message in messages {
                    if case .initialization(let initialization) = message {
                        let format = initialization.format
                        try await outbound.writeTextMessage(try Self.json(LiveWire.Announcement(
                            mime: initialization.mimeType, codec: format.codecString, width: format.width, height: format.height,
                            version: initialization.version)))
                    }
                    try await outbound.write(.binary(LiveWire.binary(message)))
                }
                try await outbound.close(.goingAway, reason: "the live stream ended")
            }
            group.addTask {
                var last = ""
                var sentAt = ContinuousClock.now
                while !Task.isCancelled {
                    let text = try Self.json(Self.health(await recorders.health(of: cameraID)))
                    if text != last || ContinuousClock.now - sentAt >= .seconds(5) {
                        try await outbound.writeTextMessage(text)
                        last = text
                        sentAt = .now
                    }
                    try await Task.sleep(for: .milliseconds(500))
                }
            }
            group.addTask {
                for try await message in inbound.messages(maxSize: 4096) {
                    guard case .text(let text) = message, let command = try? JSONDecoder().decode(LiveWire.Command.self, from: Data(text.utf8)),
                        command.type == "ping"
                    else {
                        try await outbound.writeTextMessage(try Self.json(LiveWire.Failure(
                            message: "not understood: send {\"type\":\"ping\"} as a text message; video needs no requests")))
                        continue
                    }
                    try await outbound.writeTextMessage(try Self.json(Self.health(await recorders.health(of: cameraID))))
                }
            }
            try await group.next()
            group.cancelAll()
        }
    }

    static func health(_ health: CameraHealth?) -> LiveWire.Health {
        LiveWire.Health(
            state: health?.state.rawValue ?? "not_recorded", reason: health?.reason, framesPerSecond: health?.framesPerSecond ?? 0,
            lastFrameAt: health?.lastFrameAt)
    }

    static func json(_ value: some Encodable) throws -> String {
        String(decoding: try JSONCoding.encoder.encode(value), as: UTF8.self)
    }

    /// `GET /cameras/{id}/hls/index.m3u8`, `init-<v>.mp4`, `segment-<n>.m4s`.
    @Sendable func hls(_ request: Request, _ context: AppRequestContext, _ identity: Identity?) async throws -> Response {
        let camera = try await services.visibleCamera(context, identity)
        try await services.requireSharing(camera)
        let masked = try await services.mustMask(camera, identity: identity, request: request)
        guard let channel = await services.live.channel(for: camera.id, masked: masked) else { throw Self.notLive(camera) }
        let file = context.parameters.get("file") ?? ""
        if file == "index.m3u8" {
            let deadline = ContinuousClock.now + .seconds(20)
            while ContinuousClock.now < deadline {
                if let playlist = await channel.hls.playlist() {
                    return Response(
                        status: .ok, headers: [.contentType: "application/vnd.apple.mpegurl", .cacheControl: "no-cache"],
                        body: .init(byteBuffer: ByteBuffer(string: playlist)))
                }
                try await Task.sleep(for: .milliseconds(200))
            }
            throw Problem(.serviceUnavailable, "the live stream has not produced two segments yet; try again", headers: [.retryAfter: "2"])
        }
        if let version = Self.number(in: file, prefix: "init-", suffix: ".mp4") {
            guard let initialization = await channel.hls.initializations[version] else { throw Problem.notFound("initialization segment") }
            return Response(status: .ok, headers: [.contentType: "video/mp4"], body: .init(byteBuffer: ByteBuffer(bytes: initialization.bytes)))
        }
        if let sequence = Self.number(in: file, prefix: "segment-", suffix: ".m4s") {
            guard let segment = await channel.hls.segment(sequence) else { throw Problem(.notFound, "segment \(sequence) is no longer (or not yet) in the live window") }
            return Response(status: .ok, headers: [.contentType: "video/iso.segment"], body: .init(byteBuffer: ByteBuffer(bytes: segment.bytes)))
        }
        throw Problem.notFound("HLS file \(file.prefix(60))")
    }

    static func number(in file: String, prefix: String, suffix: String) -> Int? {
        guard file.hasPrefix(prefix), file.hasSuffix(suffix) else { return nil }
        return Int(file.dropFirst(prefix.count).dropLast(suffix.count))
    }

    /// `GET /cameras/{id}/snapshot.jpg`: the newest keyframe, decoded (cached for a few seconds).
    @Sendable func snapshot(_ request: Request, _ context: AppRequestContext, _ identity: Identity?) async throws -> Response {
        let camera = try await services.visibleCamera(context, identity)
        try await services.requireSharing(camera)
        let masked = try await services.mustMask(camera, identity: identity, request: request)
        let jpeg = try await services.snapshots.snapshot(of: camera, live: services.live, store: services.store, segments: services.readableSegments)
        var bytes = jpeg.bytes
        if masked {
            bytes = try await MaskFilter.burn(try await services.privacyMask(of: camera), intoJPEG: bytes)
        } else if request.uri.queryParameters.get("unmask") == "1" {
            try await services.recordUnmask(camera, what: "snapshot", identity: identity, request: request, context: context)
        }
        return Response(
            status: .ok, headers: [.contentType: "image/jpeg", .cacheControl: "private, max-age=5"],
            body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }
}
