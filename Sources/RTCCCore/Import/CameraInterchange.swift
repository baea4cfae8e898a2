import Foundation

/// Camera registry import and export as CSV and GeoJSON. Imports are checked in full before anything is stored.
public enum CameraInterchange {
    /// The CSV header, in column order.
    public static let csvColumns = [
        "name", "kind", "partner_id", "latitude", "longitude", "mount_height_m", "heading_deg", "fov_deg", "range_m",
        "main_stream_url", "sub_stream_url", "sharing", "retention_days", "active_from", "active_until", "tags",
        "horizontal_pixels", "vertical_pixels", "fps",
    ]

    /// Parses a CSV import. Returns every valid camera, or throws every bad row's problems (with line numbers).
    public static func parseCSV(_ text: String) throws(ValidationError) -> [ValidCamera] {
        try parseCSVWithLabels(text).cameras
    }

    /// Like ``parseCSV(_:)``, also giving each camera's `line N` label for later checks (such as names already stored).
    public static func parseCSVWithLabels(_ text: String) throws(ValidationError) -> (cameras: [ValidCamera], labels: [String]) {
        let table: CSVTable
        do { table = try CSVTable(parsing: text) } catch {
            throw ValidationError(field: "line \(error.line)", reason: error.reason)
        }
        guard let header = table.records.first else { throw ValidationError(field: "line 1", reason: "the file is empty") }
        let names = header.fields.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        var errors: [FieldError] = []
        for required in ["name", "kind", "latitude", "longitude"] where !names.contains(required) {
            errors.append(FieldError(field: "line 1", reason: "missing column \(required)"))
        }
        for name in names where !csvColumns.contains(name) {
            errors.append(FieldError(field: "line 1", reason: "unknown column \(name)"))
        }
        try ValidationError.check(errors)
        var cameras: [ValidCamera] = []
        var labels: [String] = []
        for record in table.records.dropFirst() {
            let label = "line \(record.line)"
            guard record.fields.count == names.count else {
                errors.append(FieldError(field: label, reason: "has \(record.fields.count) fields, the header has \(names.count)"))
                continue
            }
            let row = Dictionary(zip(names, record.fields), uniquingKeysWith: { first, _ in first })
            do {
                cameras.append(try draft(fromCSV: row).validated())
                labels.append(label)
            } catch {
                errors += error.errors.map { FieldError(field: "\(label): \($0.field)", reason: $0.reason) }
            }
        }
        errors += duplicateNames(cameras.map(\.draft.name), labels: labels)
        try ValidationError.check(errors)
        return (cameras, labels)
    }

    private static func draft(fromCSV row: [String: String]) throws(ValidationError) -> CameraDraft {
        var errors: [FieldError] = []
        func text(_ key: String) -> String? {
            guard let value = row[key]?.trimmingCharacters(in: .whitespaces), !value.isEmpty else { return nil }
            return value
        }
        func number(_ key: String, _ fallback: Double) -> Double {
            guard let raw = text(key) else { return fallback }
            guard let value = Double(raw) else {
                errors.append(FieldError(field: key, reason: "'\(raw)' is not a number"))
                return fallback
            }
            return value
        }
        func date(_ key: String) -> Date? {
            guard let raw = text(key) else { return nil }
            guard let value = try? Date(raw, strategy: .iso8601) else {
                errors.append(FieldError(field: key, reason: "'\(raw)' is not an ISO 8601 time like 2026-10-01T10:00:00Z"))
                return nil
            }
            return value
        }
        func enumValue<E: RawRepresentable & CaseIterable>(_ key: String, _ fallback: E?) -> E? where E.RawValue == String {
            guard let raw = text(key) else {
                if fallback == nil { errors.append(FieldError(field: key, reason: "is required")) }
                return fallback
            }
            guard let value = E(rawValue: raw) else {
                errors.append(FieldError(field: key, reason: "must be one of \(E.allCases.map(\.rawValue).joined(separator: ", "))"))
                return fallback
            }
            return value
        }
        let kind: CameraKind? = enumValue("kind", nil)
        let sharing: SharingTier? = enumValue("sharing", .live)
        var partnerID: UUID? = nil
        if let raw = text("partner_id") {
            partnerID = UUID(uuidString: raw)
            if partnerID == nil { errors.append(FieldError(field: "partner_id", reason: "'\(raw)' is not a UUID")) }
        }
        var retention = 30
        if let raw = text("retention_days") {
            if let value = Int(raw) { retention = value } else {
                errors.append(FieldError(field: "retention_days", reason: "'\(raw)' is not a whole number"))
            }
        }
        func whole(_ key: String) -> Int? {
            guard let raw = text(key) else { return nil }
            guard let value = Int(raw) else {
                errors.append(FieldError(field: key, reason: "'\(raw)' is not a whole number"))
                return nil
            }
            return value
        }
        let width = whole("horizontal_pixels")
        let height = whole("vertical_pixels")
        var fps: Double? = nil
        if text("fps") != nil { fps = number("fps", .nan) }
        if text("name") == nil { errors.append(FieldError(field: "name", reason: "is required")) }
        if text("latitude") == nil { errors.append(FieldError(field: "latitude", reason: "is required")) }
        if text("longitude") == nil { errors.append(FieldError(field: "longitude", reason: "is required")) }
        let location = GeoPoint(latitude: number("latitude", .nan), longitude: number("longitude", .nan))
        let from = date("active_from")
        let until = date("active_until")
        var window: ActiveWindow? = nil
        if let from, let until { window = ActiveWindow(from: from, until: until) } else if (from == nil) != (until == nil) {
            errors.append(FieldError(field: "active_until", reason: "active_from and active_until go together"))
        }
        let draft = CameraDraft(
            name: text("name") ?? "", kind: kind ?? .city, partnerID: partnerID, location: location,
            mountHeightM: number("mount_height_m", 4), headingDeg: number("heading_deg", 0),
            fieldOfViewDeg: number("fov_deg", 90), rangeM: number("range_m", 60), mainStreamURL: text("main_stream_url"),
            subStreamURL: text("sub_stream_url"), sharing: sharing ?? .live, retentionDays: retention, activeWindow: window,
            tags: (text("tags") ?? "").split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty },
            horizontalPixels: width, verticalPixels: height, framesPerSecond: fps)
        try ValidationError.check(errors)
        return draft
    }

    /// Parses a GeoJSON FeatureCollection of Point features whose properties are camera fields (as in the JSON API).
    public static func parseGeoJSON(_ data: Data) throws(ValidationError) -> [ValidCamera] {
        guard let root = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
            root["type"] as? String == "FeatureCollection", let features = root["features"] as? [Any]
        else { throw ValidationError(field: "body", reason: "must be a GeoJSON FeatureCollection") }
        var errors: [FieldError] = []
        var cameras: [ValidCamera] = []
        var labels: [String] = []
        for (index, item) in features.enumerated() {
            let label = "features[\(index)]"
            guard let feature = item as? [String: Any], let geometry = feature["geometry"] as? [String: Any],
                geometry["type"] as? String == "Point", let coordinates = geometry["coordinates"] as? [Any], coordinates.count >= 2,
                let lon = (coordinates[0] as? NSNumber)?.doubleValue, let lat = (coordinates[1] as? NSNumber)?.doubleValue
            else {
                errors.append(FieldError(field: label, reason: "must be a Feature with a Point geometry [longitude, latitude]"))
                continue
            }
            var properties = feature["properties"] as? [String: Any] ?? [:]
            // Read-only fields written by our own export are ignored, so an export can be imported elsewhere.
            for key in ["id", "hasCredentials", "createdAt", "updatedAt"] { properties.removeValue(forKey: key) }
            for key in properties.keys where !CameraDraft.allowedKeys.contains(key) || key == "location" {
                errors.append(FieldError(field: "\(label).properties.\(key)", reason: "is not a camera field"))
            }
            properties["location"] = ["latitude": lat, "longitude": lon]
            do {
                let json = try JSONSerialization.data(withJSONObject: properties)
                let draft = try JSONCoding.decoder.decode(CameraDraft.self, from: json)
                cameras.append(try draft.validated())
                labels.append(label)
            } catch let error as ValidationError {
                errors += error.errors.map { FieldError(field: "\(label).\($0.field)", reason: $0.reason) }
            } catch {
                errors.append(FieldError(field: "\(label).properties", reason: JSONCoding.describe(error)))
            }
        }
        errors += duplicateNames(cameras.map(\.draft.name), labels: labels)
        try ValidationError.check(errors)
        return cameras
    }

    private static func duplicateNames(_ names: [String], labels: [String]) -> [FieldError] {
        var seen: [String: Int] = [:]
        var errors: [FieldError] = []
        for (index, name) in names.enumerated() {
            let key = name.lowercased()
            if let first = seen[key] {
                let label = index < labels.count ? labels[index] : "row \(index + 1)"
                let firstLabel = first < labels.count ? labels[first] : "row \(first + 1)"
                errors.append(FieldError(field: "\(label): name", reason: "'\(name)' is already used on \(firstLabel)"))
            } else {
                seen[key] = index
            }
        }
        return errors
    }

    /// Writes cameras as CSV with the ``csvColumns`` header. Credentials are never included: stored URLs hold none, and
    /// any user information or credential query value a URL still carries is written as `***`.
    public static func csv(_ cameras: [Camera]) -> String {
        var out = CSVTable.line(csvColumns)
        let iso = ISO8601DateFormatter()
        for camera in cameras {
            out += CSVTable.line([
                camera.name, camera.kind.rawValue, camera.partnerID?.uuidString ?? "", String(camera.location.latitude),
                String(camera.location.longitude), String(camera.mountHeightM), String(camera.headingDeg),
                String(camera.fieldOfViewDeg), String(camera.rangeM), camera.mainStreamURL.map(StreamURL.redacted) ?? "",
                camera.subStreamURL.map(StreamURL.redacted) ?? "",
                camera.sharing.rawValue, String(camera.retentionDays), camera.activeWindow.map { iso.string(from: $0.from) } ?? "",
                camera.activeWindow.map { iso.string(from: $0.until) } ?? "", camera.tags.joined(separator: ";"),
                camera.horizontalPixels.map(String.init) ?? "", camera.verticalPixels.map(String.init) ?? "",
                camera.framesPerSecond.map { String($0) } ?? "",
            ])
        }
        return out
    }

    /// Writes cameras as a GeoJSON FeatureCollection (properties as in the JSON API, without credentials; stream URLs
    /// redacted as in ``csv(_:)``).
    public static func geoJSON(_ cameras: [Camera]) throws -> Data {
        let features: [[String: Any]] = try cameras.map { camera in
            var properties = try JSONSerialization.jsonObject(with: JSONCoding.encoder.encode(camera)) as? [String: Any] ?? [:]
            properties.removeValue(forKey: "location")
            for key in ["mainStreamURL", "subStreamURL"] {
                if let url = properties[key] as? String { properties[key] = StreamURL.redacted(url) }
            }
            return [
                "type": "Feature",
                "geometry": ["type": "Point", "coordinates": [camera.location.longitude, camera.location.latitude]],
                "properties": properties,
            ]
        }
        return try JSONSerialization.data(withJSONObject: ["type": "FeatureCollection", "features": features], options: [.sortedKeys])
    }
}
