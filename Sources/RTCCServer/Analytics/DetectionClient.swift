import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import RTCCMedia

/// Asks a DeepStack / CodeProject.AI compatible server what is in a picture: `POST /v1/vision/detection` with the
/// picture as the multipart field `image`; the answer `{success, predictions: [{label, confidence, x_min, y_min, x_max,
/// y_max}]}` in pixels becomes normalised ``DetectedObject``s.
public struct DetectionClient: Sendable {
    /// Why a detection failed.
    public struct Failure: Error, Sendable, CustomStringConvertible {
        /// What went wrong, naming the service.
        public var description: String
    }

    let base: URL

    /// A client of the service at `base` (`http://host:port`).
    public init(base: URL) { self.base = base }

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
        let (data, response) = try await URLSession.shared.data(for: request)
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
