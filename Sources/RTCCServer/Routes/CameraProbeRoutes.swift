import Foundation
import Hummingbird
import NIOPosix
import RTCCCore
import RTCCMedia

/// `POST /api/v1/cameras/probe`: tests a stream before the camera is saved — the server connects to it as the recorder
/// would and reports what it sends (codec, resolution, frame rate, bitrate, transport) with one decoded picture, so a
/// wrong URL, wrong credentials or an unreachable camera are found in the form, not after saving. The outbound network
/// policy applies.
struct CameraProbeRoutes {
    let services: AppServices

    struct ProbeRequest: Decodable {
        var url: String
        var username: String?
        var password: String?
        var transport: String?
    }

    /// What the stream sends.
    struct ProbeResult: Codable {
        /// The URL probed, credentials masked.
        var url: String
        var transport: String
        var codec: String
        var codecString: String?
        var width: Int?
        var height: Int?
        var framesPerSecond: Double?
        var bitrateKbps: Double?
        var profile: String?
        var level: String?
        var hasAudio: Bool
        var measuredSeconds: Double
        /// One picture from the stream as a `data:image/jpeg;base64,…` URL, at most 640 pixels wide; nil when none
        /// could be decoded (see ``snapshotProblem``).
        var snapshot: String?
        /// Why there is no snapshot, in words; nil when there is one.
        var snapshotProblem: String?
    }

    func register(on router: Router<AppRequestContext>) {
        router.add(.cameraProbe, probe)
    }

    @Sendable func probe(_ request: Request, _ context: AppRequestContext, _ identity: Identity?) async throws -> Response {
        let input = try await request.decodeStrict(ProbeRequest.self, allowed: ["url", "username", "password", "transport"], context: context)
        var errors: [FieldError] = []
        let address = input.url.trimmingCharacters(in: .whitespaces)
        let components = URLComponents(string: address)
        if components?.scheme?.lowercased() != "rtsp" || (components?.host ?? "").isEmpty {
            errors.append(FieldError(field: "url", reason: "must be an rtsp:// URL with a host (rtsps is not supported)"))
        }
        let transport: RTSPTransportPreference
        switch input.transport ?? "tcp" {
        case "tcp": transport = .tcp
        case "udp": transport = .udpWithTCPFallback
        default:
            errors.append(FieldError(field: "transport", reason: "must be tcp or udp"))
            transport = .tcp
        }
        try ValidationError.check(errors)
        if let host = components?.host {
            do {
                _ = try services.config.outboundNetworks.check(host: host)
            } catch {
                throw Problem.invalid(ValidationError(field: "url", reason: error.description))
            }
        }
        var credentials: StreamCredentials?
        if input.username != nil || input.password != nil {
            credentials = StreamCredentials(username: input.username ?? "", password: input.password ?? "")
        }
        let full = StreamURL.withCredentials(address, credentials)
        let masked = StreamURL.redacted(address)
        let report: ProbeReport
        do {
            report = try await StreamProbe.probe(url: full, transport: transport, timeout: .seconds(8), measureFor: .seconds(2))
        } catch {
            try await services.record("cameras.probe", target: masked, detail: "failed", by: identity, context: context)
            throw Problem(.unprocessableContent, Self.explain(error, hiding: full, as: masked), errors: [FieldError(field: "url", reason: "the stream could not be opened")])
        }
        guard let video = report.tracks.first(where: { $0.mediaType == "video" }) else {
            throw Problem(.unprocessableContent, "\(masked) sends no video track", errors: [FieldError(field: "url", reason: "no video track")])
        }
        try await services.record(
            "cameras.probe", target: masked, detail: "\(video.encoding) \(video.width ?? 0)x\(video.height ?? 0)", by: identity, context: context)
        let seconds = max(report.measuredSeconds, 0.001)
        var snapshot: String?
        var snapshotProblem: String?
        do {
            snapshot = "data:image/jpeg;base64," + Data(try await Self.picture(of: full, tcp: transport == .tcp)).base64EncodedString()
        } catch {
            snapshotProblem = error.reason
        }
        return try Reply.json(ProbeResult(
            url: masked, transport: report.transport, codec: video.encoding, codecString: video.codecString, width: video.width, height: video.height,
            framesPerSecond: video.measuredFrameRate ?? video.announcedFrameRate,
            bitrateKbps: video.payloadBytes.map { (Double($0) * 8 / seconds / 1000).rounded() },
            profile: video.profile, level: video.level, hasAudio: report.tracks.contains { $0.mediaType == "audio" }, measuredSeconds: report.measuredSeconds,
            snapshot: snapshot, snapshotProblem: snapshotProblem))
    }

    /// Why no picture could be taken.
    struct PictureFailure: Error {
        /// In words, without the URL.
        var reason: String
    }

    /// One JPEG picture (at most 640 pixels wide) from the RTSP stream at `url`, decoded by ffmpeg, which gets at most
    /// `timeout`. The URL, credentials included, is on ffmpeg's command line for those seconds (as for motion
    /// analytics); it is never logged or returned.
    static func picture(of url: String, tcp: Bool, timeout: TimeInterval = 8, ffmpeg: String = "ffmpeg") async throws(PictureFailure) -> [UInt8] {
        do {
            return try await NIOThreadPool.singleton.runIfActive {
                let process = Process()
                process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
                process.arguments = [ffmpeg, "-nostdin", "-loglevel", "error"] + (tcp ? ["-rtsp_transport", "tcp"] : []) + [
                    "-timeout", "5000000", "-i", url, "-frames:v", "1", "-vf", "scale='min(640,iw)':-2", "-q:v", "5", "-f", "image2",
                    "-c:v", "mjpeg", "pipe:1",
                ]
                let output = Pipe()
                process.standardOutput = output
                process.standardError = FileHandle.nullDevice
                process.standardInput = FileHandle.nullDevice
                try process.run()
                let watchdog = DispatchWorkItem { if process.isRunning { process.terminate() } }
                DispatchQueue.global().asyncAfter(deadline: .now() + timeout, execute: watchdog)
                let data = output.fileHandleForReading.readDataToEndOfFile()
                process.waitUntilExit()
                watchdog.cancel()
                guard process.terminationReason == .exit, process.terminationStatus == 0, data.count > 2, data.first == 0xFF else {
                    throw PictureFailure(reason: process.terminationReason == .uncaughtSignal
                        ? "no picture could be decoded within \(Int(timeout)) s"
                        : "the picture could not be decoded (ffmpeg exit \(process.terminationStatus))")
                }
                return Array(data)
            }
        } catch let failure as PictureFailure {
            throw failure
        } catch {
            throw PictureFailure(reason: "ffmpeg could not be started to decode a picture; is it installed?")
        }
    }

    /// The probe's failure in words, with the URL (and its credentials) replaced by the masked one.
    static func explain(_ error: ProbeError, hiding full: String, as masked: String) -> String {
        let text: String
        switch error {
        case .invalidURL: text = "the URL is not a valid RTSP URL"
        case .timedOut: text = "the camera sent no video within 8 s"
        case .endedBeforePlay: text = "the camera ended the session before playing"
        case .sessionFailed(let failure): text = "the RTSP session failed: \(failure)"
        }
        return "\(masked): " + text.replacingOccurrences(of: full, with: masked)
    }
}

extension Endpoint {
    static let cameraProbe = Endpoint(method: .post, path: "/api/v1/cameras/probe", access: .permission(.camerasWrite))

    /// Tools for setting cameras up.
    static let cameraTools: [Endpoint] = [cameraProbe]
}
