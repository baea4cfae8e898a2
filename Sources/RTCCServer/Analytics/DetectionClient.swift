import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import RTCCCore
import RTCCMedia

/// Asks a DeepStack / CodeProject.AI compatible server what is in a picture: `POST /v1/vision/detection` with the
/// picture as the multipart field `image`; the answer `{success, predictions: [{label, confidence, x_min, y_min, x_max,
/// y_max}]}` in pixels becomes normalised ``DetectedObject``s.
///
/// The service's host must resolve only to addresses the outbound ``NetworkPolicy`` allows (checked before every
/// request), and redirects are never followed: a 3xx answer is a failure.
public struct DetectionClient: Sendable {
    /// Why a detection failed.
    public struct Failure: Error, Sendable, CustomStringConvertible {
        /// What went wrong, naming the service.
        public var description: String
    }

    let base: URL
    let policy: NetworkPolicy

    /// A client of the service at `base` (`http://host:port`), connecting only where `policy` allows.
    public init(base: URL, policy: NetworkPolicy = .default) {
        self.base = base
        self.policy = policy
    }

    /// Checks a detection service URL before it is stored: http(s), a host, no user information, and a host whose
    /// every address `policy` allows.
    /// - Throws: ``ValidationError`` on `field` (a 422 at the API).
    public static func checkServiceURL(_ text: String, policy: NetworkPolicy, field: String = "detection.url") throws(ValidationError) {
        guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased(), ["http", "https"].contains(scheme),
            let host = components.host, !host.isEmpty
        else { throw ValidationError(field: field, reason: "must be an http:// or https:// URL of a DeepStack / CodeProject.AI server") }
        guard components.user == nil, components.password == nil else {
            throw ValidationError(field: field, reason: "must not carry user:password@; detection services are called without credentials")
        }
        do {
            _ = try policy.check(host: host)
        } catch {
            throw ValidationError(field: field, reason: "host refused: \(error.reason)")
        }
    }

    private struct Answer: Decodable {
        struct Prediction: Decodable {
            var label: String
            var confidence: Double
            var x_min: Double
            var y_min: Double
            var x_max: Double
            var y_max: Double
        }

        var success: Bool
        var predictions: [Prediction]?
        var error: String?
    }

    /// The objects in `frame` (sent as a PGM picture).
    public func detect(_ frame: GrayFrame) async throws -> [DetectedObject] {
        let boundary = "rtcc-\(UUID().uuidString)"
        var body = Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"image\"; filename=\"frame.pgm\"\r\nContent-Type: image/x-portable-graymap\r\n\r\n".utf8)
        body.append(frame.pgm)
        body.append(Data("\r\n--\(boundary)--\r\n".utf8))
        var request = URLRequest(url: base.appendingPathComponent("v1/vision/detection"), timeoutInterval: 10)
        request.httpMethod = "POST"
        request.setValue("multipart/form-data; boundary=\(boundary)", forHTTPHeaderField: "Content-Type")
        request.httpBody = body
        guard let host = base.host, base.user == nil, base.password == nil else {
            throw Failure(description: "the detection service URL must name a host and carry no user:password@")
        }
        do {
            _ = try policy.check(host: host)
        } catch {
            throw Failure(description: "the detection service is not called: \(error)")
        }
        let session = URLSession(configuration: .ephemeral, delegate: RedirectRefuser(), delegateQueue: nil)
        defer { session.finishTasksAndInvalidate() }
        let (data, response) = try await session.data(for: request)
        if let status = (response as? HTTPURLResponse)?.statusCode, (300..<400).contains(status) {
            throw Failure(description: "the detection service at \(base) answered with a redirect (HTTP \(status)), which is not followed")
        }
        guard let status = (response as? HTTPURLResponse)?.statusCode, (200..<300).contains(status) else {
            throw Failure(description: "the detection service at \(base) answered HTTP \((response as? HTTPURLResponse)?.statusCode ?? 0)")
        }
        guard let answer = try? JSONDecoder().decode(Answer.self, from: data) else {
            throw Failure(description: "the detection service at \(base) did not answer with {success, predictions}")
        }
        guard answer.success else { throw Failure(description: "the detection service failed: \(answer.error ?? "no reason given")") }
        let width = Double(frame.width), height = Double(frame.height)
        return (answer.predictions ?? []).map {
            DetectedObject(
                label: $0.label, confidence: $0.confidence, minX: $0.x_min / width, minY: $0.y_min / height, maxX: $0.x_max / width, maxY: $0.y_max / height)
        }
    }
}

/// Refuses every HTTP redirect, so the 3xx answer itself reaches the caller.
private final class RedirectRefuser: NSObject, URLSessionTaskDelegate, Sendable {
    func urlSession(
        _ session: URLSession, task: URLSessionTask, willPerformHTTPRedirection response: HTTPURLResponse, newRequest request: URLRequest,
        completionHandler: @escaping @Sendable (URLRequest?) -> Void
    ) {
        completionHandler(nil)
    }
}
