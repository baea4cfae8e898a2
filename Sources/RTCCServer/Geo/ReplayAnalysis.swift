import Foundation
import RTCCCore
import RTCCGeo
import RTCCStore

/// `POST /api/v1/coverage/replay`: past incidents (stored, or an uploaded CSV) against the registry's cameras and,
/// optionally, a proposed plan's cameras — which saw each one, which fell in a gap, which the plan would have covered.
struct ReplayAnalysis: Sendable {
    /// The most incidents one replay may take.
    static let maximumIncidents = 20_000
    /// The most proposed cameras.
    static let maximumProposed = 500

    static let allowed: Set<String> = ["from", "until", "csv", "proposed"]
    static let proposedAllowed: Set<String> = ["latitude", "longitude", "headingDeg", "fovDeg", "rangeM", "mountHeightM", "rank", "site", "name", "uniqueWeight"]

    /// Where the incidents came from: `store` or `csv`.
    var source: String
    var outcomes: [IncidentReplay.Outcome]
    var summary: IncidentReplay.Summary
    var proposed: Int

    /// Reads `object`, loads the incidents and replays them against `index`.
    static func run(_ object: [String: Any], index: SightingIndex, store: Store) async throws -> ReplayAnalysis {
        let fields = try JSONFields(object, allowed: allowed)
        let proposed = try (fields.objects("proposed", most: maximumProposed) ?? []).enumerated().map { number, item in
            try camera(item, number: number)
        }
        let (incidents, source) = try await incidents(fields, store: store)
        let replay = IncidentReplay(existing: index.index, proposed: proposed)
        let outcomes = replay.replay(incidents)
        return ReplayAnalysis(source: source, outcomes: outcomes, summary: IncidentReplay.summarise(outcomes), proposed: proposed.count)
    }

    static func incidents(_ fields: JSONFields, store: Store) async throws -> ([RTCCGeo.Incident], String) {
        if let csv = try fields.string("csv") {
            guard !fields.has("from"), !fields.has("until") else {
                throw ValidationError(field: "csv", reason: "give either csv or from and until, not both")
            }
            let parsed: [RTCCGeo.Incident]
            do {
                parsed = try IncidentFile.parseCSV(csv)
            } catch {
                throw ValidationError(error.problems.map { FieldError(field: "csv", reason: $0.description) })
            }
            guard parsed.count <= maximumIncidents else {
                throw ValidationError(field: "csv", reason: "has \(parsed.count) incidents, more than the \(maximumIncidents) allowed: split it")
            }
            return (parsed, "csv")
        }
        guard let from = try fields.date("from"), let until = try fields.date("until") else {
            throw ValidationError(field: "from", reason: "is required with until (ISO 8601 times), or give csv: time,type,latitude,longitude")
        }
        guard from < until else { throw ValidationError(field: "until", reason: "must be after from") }
        let page = try await store.incidents.list(from: from, until: until, category: nil, limit: maximumIncidents, offset: 0)
        guard page.total <= maximumIncidents else {
            throw ValidationError(field: "from", reason: "\(page.total) incidents fall in the range, more than the \(maximumIncidents) allowed: narrow it")
        }
        let incidents = page.items.reversed().map { stored in
            RTCCGeo.Incident(
                time: stored.occurredAt, type: stored.category.rawValue,
                location: Coordinate(latitude: stored.location.latitude, longitude: stored.location.longitude))
        }
        return (incidents, "store")
    }

    /// A proposed camera (the shape of a plan's `chosen` items), with id `plan-<rank>`.
    static func camera(_ object: [String: Any], number: Int) throws(ValidationError) -> CameraView {
        let item = try JSONFields(object, allowed: proposedAllowed, path: "proposed[\(number)].")
        guard let latitude = try item.number("latitude", in: -90...90), let longitude = try item.number("longitude", in: -180...180) else {
            throw ValidationError(field: item.name("latitude"), reason: "latitude and longitude are required")
        }
        let heading = try item.number("headingDeg", in: -360...360, default: 0) ?? 0
        let fov = try item.number("fovDeg", in: 0...360, default: 90) ?? 90
        guard fov > 0 else { throw ValidationError(field: item.name("fovDeg"), reason: "must be more than 0 and at most 360 degrees") }
        let range = try item.number("rangeM", in: 1...2000, default: 100) ?? 100
        let height = try item.number("mountHeightM", in: 0...500, default: SiteFile.defaultMountHeight) ?? SiteFile.defaultMountHeight
        let rank = try item.integer("rank", in: 1...100_000) ?? number + 1
        do {
            return try CameraView(
                id: "plan-\(rank)", position: Coordinate(latitude: latitude, longitude: longitude), mountHeight: height, heading: heading,
                fieldOfView: fov, range: range, horizontalPixels: Camera.assumedHorizontalPixels)
        } catch {
            throw ValidationError(field: item.name("latitude"), reason: error.description)
        }
    }
}
