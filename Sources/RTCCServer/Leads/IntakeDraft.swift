import Foundation
import HTTPTypes
import RTCCCore

/// An intake event checked field by field, before it is stored: every problem is reported at once (422), an image or
/// attachment over ``IntakeDraft/maximumMediaBytes`` is refused as too large (413).
struct IntakeDraft: Sendable {
    /// A picture or file that came with the event.
    struct Media: Sendable {
        var name: String
        var contentType: String
        var bytes: Data
    }

    /// Largest image or attachment, decoded.
    static let maximumMediaBytes = 1_048_576
    /// Events may be stamped at most this far ahead of our clock.
    static let maximumFutureSeconds: TimeInterval = 300
    /// … and at most this far behind it.
    static let maximumAgeSeconds: TimeInterval = 7 * 86_400
    /// Call-for-service statuses, in their usual order.
    static let callStatuses = ["received", "dispatched", "en_route", "on_scene", "cleared", "cancelled"]

    var kind: LeadEvent.Kind
    var sourceEventID: String
    var occurredAt: Date
    var location: GeoPoint?
    var cameraID: UUID?
    var status: String?
    var attributes: [String: String] = [:]
    var media: [Media] = []

    /// The fields each kind accepts.
    static func allowed(_ kind: LeadEvent.Kind) -> Set<String> {
        let common: Set<String> = ["id", "time", "latitude", "longitude"]
        switch kind {
        case .gunshot: return common.union(["rounds", "confidence"])
        case .plateRead: return common.union(["plate", "state", "cameraID", "confidence", "image", "imageType"])
        case .cadCall: return common.union(["callType", "priority", "address", "status", "description"])
        case .tip: return common.union(["text", "media"])
        }
    }

    /// Reads and checks a `kind` event from a JSON object.
    static func parse(_ kind: LeadEvent.Kind, _ object: [String: Any], area: IntakeArea, now: Date) throws -> IntakeDraft {
        let fields = try JSONFields(object, allowed: allowed(kind))
        var check = FieldCheck()
        let id = check.text(fields, "id", required: true, most: 100)
        let time = check.take { try fields.date("time") }
        if !fields.has("time") { check.missing("time", "an ISO 8601 time such as 2026-11-01T22:14:05Z") }
        if let time {
            if time.timeIntervalSince(now) > maximumFutureSeconds {
                check.fail("time", "is more than 5 minutes ahead of the server's clock (\(now.ISO8601Format())); check the sender's clock")
            } else if now.timeIntervalSince(time) > maximumAgeSeconds {
                check.fail("time", "is more than 7 days old; intake takes recent events only")
            }
        }
        let location = check.location(fields, required: kind == .gunshot, area: area)
        var draft = IntakeDraft(kind: kind, sourceEventID: id ?? "", occurredAt: time ?? now, location: location)
        switch kind {
        case .gunshot:
            let rounds = check.take { try fields.integer("rounds", in: 1...500) }
            if !fields.has("rounds") { check.missing("rounds", "the number of shots detected (1-500)") }
            let confidence = check.take { try fields.number("confidence", in: 0...1) }
            if !fields.has("confidence") { check.missing("confidence", "a number from 0 to 1") }
            if let rounds { draft.attributes["rounds"] = String(rounds) }
            if let confidence { draft.attributes["confidence"] = String(confidence) }
        case .plateRead:
            let plateText = check.text(fields, "plate", required: true, most: 20)
            if let plateText {
                if let plate = PlateNumber(plateText) { draft.attributes["plate"] = plate.value } else {
                    check.fail("plate", "must be 1-10 letters and digits (spaces, dots and dashes are ignored)")
                }
            }
            if let state = check.text(fields, "state", required: false, most: 10) {
                if let code = PlateNumber.state(state) { draft.attributes["state"] = code } else { check.fail("state", "must be a two-letter state code such as LA") }
            }
            if let camera = check.text(fields, "cameraID", required: false, most: 40) {
                if let id = UUID(uuidString: camera) { draft.cameraID = id } else { check.fail("cameraID", "must be a camera id (a UUID)") }
            }
            if location == nil, !fields.has("cameraID"), !fields.has("latitude"), !fields.has("longitude") {
                check.fail("cameraID", "is required when latitude and longitude are not given (where was the plate read?)")
            }
            if let confidence = check.take({ try fields.number("confidence", in: 0...1) }) { draft.attributes["confidence"] = String(confidence) }
            if let image = check.text(fields, "image", required: false, most: Int.max) {
                let type = check.text(fields, "imageType", required: false, most: 50) ?? "image/jpeg"
                if !["image/jpeg", "image/png"].contains(type) { check.fail("imageType", "must be image/jpeg or image/png") }
                if let bytes = try decodeMedia(image, field: "image", check: &check) { draft.media.append(Media(name: "plate", contentType: type, bytes: bytes)) }
            }
        case .cadCall:
            if let type = check.text(fields, "callType", required: true, most: 100) { draft.attributes["callType"] = type }
            let priority = check.take { try fields.integer("priority", in: 1...5) }
            if !fields.has("priority") { check.missing("priority", "1 (most urgent) to 5") }
            draft.attributes["priority"] = priority.map(String.init) ?? ""
            if let address = check.text(fields, "address", required: false, most: 200) { draft.attributes["address"] = address }
            if let text = check.text(fields, "description", required: false, most: 2000) { draft.attributes["description"] = text }
            let status = check.text(fields, "status", required: false, most: 20) ?? "received"
            if !callStatuses.contains(status) { check.fail("status", "must be one of \(callStatuses.joined(separator: ", "))") }
            draft.status = status
        case .tip:
            if let text = check.text(fields, "text", required: true, most: 4000) { draft.attributes["text"] = text }
            if let items = check.take({ try fields.objects("media", most: 3) }) {
                for (index, item) in items.enumerated() {
                    let path = "media[\(index)]."
                    guard let file = check.take({ try JSONFields(item, allowed: ["name", "contentType", "data"], path: path) }) else { continue }
                    let name = check.text(file, "name", required: true, most: 100) ?? ""
                    let type = check.text(file, "contentType", required: true, most: 100) ?? ""
                    if !type.isEmpty, !["image/jpeg", "image/png", "video/mp4", "text/plain"].contains(type) {
                        check.fail(path + "contentType", "must be image/jpeg, image/png, video/mp4 or text/plain")
                    }
                    if let data = check.text(file, "data", required: true, most: Int.max),
                        let bytes = try decodeMedia(data, field: path + "data", check: &check)
                    {
                        draft.media.append(Media(name: name, contentType: type, bytes: bytes))
                    }
                }
            }
        }
        try ValidationError.check(check.errors)
        return draft
    }

    /// Base64 media, refusing more than ``maximumMediaBytes`` with a 413 before decoding it.
    static func decodeMedia(_ text: String, field: String, check: inout FieldCheck) throws -> Data? {
        if text.utf8.count / 4 * 3 > maximumMediaBytes + 2 {
            throw Problem(
                .contentTooLarge, "\(field) is larger than the \(maximumMediaBytes / 1024) KiB allowed; send a smaller picture",
                errors: [FieldError(field: field, reason: "is larger than \(maximumMediaBytes) bytes")])
        }
        guard let bytes = Data(base64Encoded: text, options: .ignoreUnknownCharacters), !bytes.isEmpty else {
            check.fail(field, "must be base64 data")
            return nil
        }
        return bytes
    }
}

/// Collects field problems so that all of them are reported together.
struct FieldCheck {
    var errors: [FieldError] = []

    mutating func fail(_ field: String, _ reason: String) { errors.append(FieldError(field: field, reason: reason)) }

    mutating func missing(_ field: String, _ what: String) { fail(field, "is required: \(what)") }

    /// Runs one read; a problem is kept and nil returned.
    mutating func take<T>(_ read: () throws -> T?) -> T? {
        do { return try read() } catch let error as ValidationError {
            errors.append(contentsOf: error.errors)
            return nil
        } catch {
            fail("body", "could not be read")
            return nil
        }
    }

    /// A trimmed string of 1…`most` characters.
    mutating func text(_ fields: JSONFields, _ key: String, required: Bool, most: Int) -> String? {
        guard fields.has(key) else {
            if required { fail(fields.name(key), "is required") }
            return nil
        }
        guard let value: String = take({ try fields.string(key) }) else { return nil }
        let trimmed = Self.trimmed(value)
        guard !trimmed.isEmpty, trimmed.count <= most else {
            fail(fields.name(key), most == Int.max ? "must not be empty" : "must be 1-\(most) characters")
            return nil
        }
        return trimmed
    }

    /// `value` less white space and newlines at either end; most values have none, and are returned without the
    /// character set's slower walk.
    static func trimmed(_ value: String) -> String {
        let edges = CharacterSet.whitespacesAndNewlines
        guard let first = value.unicodeScalars.first, let last = value.unicodeScalars.last, edges.contains(first) || edges.contains(last)
        else { return value }
        return value.trimmingCharacters(in: edges)
    }

    /// `latitude` and `longitude` together, inside the intake area.
    mutating func location(_ fields: JSONFields, required: Bool, area: IntakeArea) -> GeoPoint? {
        let latitude = take { try fields.number("latitude", in: -90...90) }
        let longitude = take { try fields.number("longitude", in: -180...180) }
        if fields.has("latitude") != fields.has("longitude") {
            fail(fields.has("latitude") ? "longitude" : "latitude", "must be given with \(fields.has("latitude") ? "latitude" : "longitude")")
        } else if required, !fields.has("latitude") {
            missing("latitude", "decimal degrees")
            missing("longitude", "decimal degrees")
        }
        guard let latitude, let longitude else { return nil }
        let point = GeoPoint(latitude: latitude, longitude: longitude)
        guard area.contains(point) else {
            fail("latitude", "the point \(latitude),\(longitude) is outside the city's intake area (south,west,north,east = \(area))")
            return nil
        }
        return point
    }
}
