import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import RTCCCore

extension Request {
    /// The body as bytes, refusing more than the context allows (413).
    func bodyData(context: AppRequestContext) async throws -> Data {
        let buffer = try await body.collect(upTo: context.maxUploadSize)
        return Data(buffer.readableBytesView)
    }

    /// Decodes a JSON object body, refusing keys outside `allowed` and naming the field in every error (400/422).
    func decodeStrict<T: Decodable>(_ type: T.Type, allowed: Set<String>, context: AppRequestContext) async throws -> T {
        let data = try await bodyData(context: context)
        let object = try Self.jsonObject(data)
        if let unknown = object.keys.sorted().first(where: { !allowed.contains($0) }) {
            throw Problem.badRequest(field: unknown, "is not a known field (known: \(allowed.sorted().joined(separator: ", ")))")
        }
        return try Self.decode(T.self, from: data)
    }

    /// Applies a JSON merge-patch body to `existing`: only `allowed` keys may appear, and `null` clears an optional field.
    /// Returns the patched value and the keys the client sent.
    func mergePatch<T: Decodable>(
        _ type: T.Type, over existing: some Encodable, allowed: Set<String>, noun: String, context: AppRequestContext
    ) async throws -> (value: T, keys: [String]) {
        let patch = try Self.jsonObject(try await bodyData(context: context))
        if let unknown = patch.keys.sorted().first(where: { !allowed.contains($0) }) {
            throw Problem.badRequest(field: unknown, "is not a \(noun) field that can be changed")
        }
        var merged = (try JSONSerialization.jsonObject(with: JSONCoding.encoder.encode(existing)) as? [String: Any] ?? [:])
            .filter { allowed.contains($0.key) }
        for (key, value) in patch { merged[key] = value is NSNull ? nil : value }
        return (try Self.decode(T.self, from: JSONSerialization.data(withJSONObject: merged)), patch.keys.sorted())
    }

    /// Parses a body that must be a JSON object.
    static func jsonObject(_ data: Data) throws -> [String: Any] {
        guard !data.isEmpty else { throw Problem.badRequest(field: "body", "is empty; send a JSON object") }
        guard let value = try? JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed]) else {
            throw Problem.badRequest(field: "body", "is not valid JSON")
        }
        guard let object = value as? [String: Any] else { throw Problem.badRequest(field: "body", "must be a JSON object") }
        return object
    }

    /// Decodes JSON, turning decoding errors into a 400 that names the field.
    static func decode<T: Decodable>(_ type: T.Type, from data: Data) throws -> T {
        do {
            return try JSONCoding.decoder.decode(T.self, from: data)
        } catch {
            let reason = JSONCoding.describe(error)
            let field = reason.split(separator: " ").first.map(String.init) ?? "body"
            throw Problem(.badRequest, reason, errors: [FieldError(field: field, reason: String(reason.dropFirst(field.count + 1)))])
        }
    }

    /// A query parameter as an integer within `range`, or `fallback` when absent.
    func queryInt(_ name: String, in range: ClosedRange<Int>, default fallback: Int) throws -> Int {
        guard let text = uri.queryParameters.get(name) else { return fallback }
        guard let value = Int(text), range.contains(value) else {
            throw Problem.badRequest(field: name, "must be a whole number from \(range.lowerBound) to \(range.upperBound)")
        }
        return value
    }

    /// A query parameter parsed as a raw-value enum, or nil when absent.
    func queryEnum<E: RawRepresentable & CaseIterable>(_ name: String, _ type: E.Type) throws -> E? where E.RawValue == String {
        guard let text = uri.queryParameters.get(name), !text.isEmpty else { return nil }
        guard let value = E(rawValue: text) else {
            throw Problem.badRequest(field: name, "must be one of \(E.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return value
    }

    /// A query parameter as a UUID, or nil when absent.
    func queryUUID(_ name: String) throws -> UUID? {
        guard let text = uri.queryParameters.get(name), !text.isEmpty else { return nil }
        guard let value = UUID(uuidString: text) else { throw Problem.badRequest(field: name, "must be a UUID") }
        return value
    }

    /// A query parameter as an ISO 8601 time, or nil when absent.
    func queryDate(_ name: String) throws -> Date? {
        guard let text = uri.queryParameters.get(name), !text.isEmpty else { return nil }
        guard let value = ISO8601Time.parse(text) else { throw Problem.badRequest(field: name, "must be \(ISO8601Time.expectedForm)") }
        return value
    }

    /// The purpose or case number the client gave for this action (`X-RTCC-Purpose`), trimmed, at most 200 characters.
    var purpose: String? {
        guard let value = headers[HTTPField.Name("X-RTCC-Purpose")!]?.trimmingCharacters(in: .whitespaces), !value.isEmpty else { return nil }
        return String(value.prefix(200))
    }
}

extension AppRequestContext {
    /// The `{id}` path parameter as a UUID (404 when it is not one: no such resource can exist).
    func pathID(_ what: String) throws -> UUID {
        guard let text = parameters.get("id"), let id = UUID(uuidString: text) else { throw Problem.notFound(what) }
        return id
    }
}

/// JSON responses in the API's conventions.
enum Reply {
    /// `value` as JSON with `status`.
    static func json(_ value: some Encodable, status: HTTPResponse.Status = .ok) throws -> Response {
        let data = try JSONCoding.encoder.encode(value)
        return Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    /// A body of `text` with a content type, optionally as a download.
    static func text(_ text: String, contentType: String, filename: String? = nil) -> Response {
        var headers: HTTPFields = [.contentType: contentType]
        if let filename { headers[.contentDisposition] = "attachment; filename=\"\(filename)\"" }
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    /// 204 No Content.
    static var noContent: Response { Response(status: .noContent) }
}
