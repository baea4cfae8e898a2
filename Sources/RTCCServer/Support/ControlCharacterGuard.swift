import Foundation
import Hummingbird
import NIOCore
import RTCCCore

/// Refuses text that carries control characters at the edge of the server, before any route stores it.
///
/// A NUL or another C0 control character in a user name, a camera name or a note is never meaningful; stored, it
/// reads back cut short from SQLite and is refused by PostgreSQL, so whatever holds it (the audit chain first of all)
/// would no longer match what was written. Every string in a JSON body, every query parameter and the path are
/// checked; tab, line feed and carriage return are allowed in JSON strings (notes have lines). A refusal is a 400
/// problem naming the field (`cameras[2].name`, `query.actor`) and nothing runs.
struct ControlCharacterGuard<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if let field = Self.firstControlCharacter(inPath: request.uri.path) {
            throw Problem.badRequest(field: field, "contains a control character (such as NUL); remove it")
        }
        for (name, value) in request.uri.queryParameters where ControlCharacters.first(in: String(value), allowingLineBreaks: false) != nil
            || ControlCharacters.first(in: String(name), allowingLineBreaks: false) != nil {
            throw Problem.badRequest(field: "query.\(name)", "contains a control character (such as NUL); remove it")
        }
        guard let kind = Self.textKind(request.headers[.contentType]) else { return try await next(request, context) }
        var request = request
        let buffer = try await request.body.collect(upTo: context.maxUploadSize)
        request.body = .init(buffer: buffer)
        switch kind {
        case .json:
            if let field = JSONControlCharacters.firstField(in: buffer.readableBytesView) {
                throw Problem.badRequest(field: field, "contains a control character (such as NUL); remove it")
            }
        case .csv:
            if let line = ControlCharacters.firstLine(inBytes: buffer.readableBytesView) {
                throw Problem.badRequest(field: "line \(line)", "contains a control character (such as NUL); remove it")
            }
        }
        return try await next(request, context)
    }

    enum TextKind { case json, csv }

    /// Which bodies are read as text: JSON (any `+json` type) and CSV. Uploaded video and other binary bodies pass.
    static func textKind(_ contentType: String?) -> TextKind? {
        guard let type = contentType?.split(separator: ";").first?.trimmingCharacters(in: .whitespaces).lowercased() else { return nil }
        if type == "application/json" || type.hasSuffix("+json") { return .json }
        if type == "text/csv" { return .csv }
        return nil
    }

    static func firstControlCharacter(inPath path: String) -> String? {
        let decoded = path.removingPercentEncoding ?? path
        return ControlCharacters.first(in: decoded, allowingLineBreaks: false) == nil ? nil : "path"
    }
}

/// Finds the first string in a JSON document that holds a control character, without decoding the whole document
/// unless one is there: raw control bytes are not valid JSON anyway, so only `\u0000`–`\u001f` (other than `\t`, `\n`,
/// `\r`) and `\u007f` escapes can carry one.
enum JSONControlCharacters {
    /// The path of the first offending string (`name`, `cameras[2].tags[0]`, a key as `key name`), or nil.
    static func firstField(in bytes: ByteBufferView) -> String? {
        // Scanned in place, without a copy: every JSON request passes here, event intake at a thousand a second among them.
        let suspect = bytes.withContiguousStorageIfAvailable(mayHoldControlEscape) ?? Array(bytes).withUnsafeBufferPointer(mayHoldControlEscape)
        guard suspect else { return nil }
        guard let value = try? JSONSerialization.jsonObject(with: Data(bytes), options: [.fragmentsAllowed]) else {
            return "body"  // An escape for a control character in a document that does not even parse: refused whole.
        }
        return search(value, path: "")
    }

    private static func search(_ value: Any, path: String) -> String? {
        switch value {
        case let text as String:
            return ControlCharacters.first(in: text, allowingLineBreaks: true) == nil ? nil : (path.isEmpty ? "body" : path)
        case let array as [Any]:
            for (index, element) in array.enumerated() {
                if let found = search(element, path: "\(path)[\(index)]") { return found }
            }
            return nil
        case let object as [String: Any]:
            for key in object.keys.sorted() {
                let child = path.isEmpty ? key : "\(path).\(key)"
                if ControlCharacters.first(in: key, allowingLineBreaks: false) != nil { return child }
                if let found = search(object[key]!, path: child) { return found }
            }
            return nil
        default:
            return nil
        }
    }

    /// True when the bytes hold an escape `\u00XY` naming a C0 control or DEL other than tab, line feed and carriage
    /// return (a backslash counts only when it is not itself escaped).
    static func mayHoldControlEscape(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        var index = 0
        while index < bytes.count {
            guard bytes[index] == UInt8(ascii: "\\") else { index += 1; continue }
            guard index + 1 < bytes.count else { return false }
            if bytes[index + 1] == UInt8(ascii: "u"), index + 5 < bytes.count, bytes[index + 2] == UInt8(ascii: "0"), bytes[index + 3] == UInt8(ascii: "0"),
                let high = hex(bytes[index + 4]), let low = hex(bytes[index + 5])
            {
                let scalar = high * 16 + low
                if (scalar < 0x20 && scalar != 0x09 && scalar != 0x0A && scalar != 0x0D) || scalar == 0x7F { return true }
            }
            index += 2  // Skip the escaped character, so `\\u0000` (an escaped backslash, then text) does not count.
        }
        return false
    }

    private static func hex(_ byte: UInt8) -> Int? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return Int(byte - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return Int(byte - UInt8(ascii: "a")) + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return Int(byte - UInt8(ascii: "A")) + 10
        default: return nil
        }
    }
}
