import Foundation
import RTCCCore
import RTCCGeo
import RTCCStore

/// The area a request asks about: a GeoJSON polygon (`polygon`) or a stored venue (`venueID`), with a name for the
/// audit log (`polygon` or `venue:<id>`).
struct AreaInput: Sendable {
    /// The validated polygon.
    var polygon: GeoPolygon
    /// `polygon` or `venue:<id>`.
    var name: String

    /// The area in `object`, or nil when it gives neither field and `required` is false.
    static func read(_ object: [String: Any], store: Store, required: Bool = true) async throws -> AreaInput? {
        switch (object["polygon"], object["venueID"]) {
        case (.some(let value), nil):
            return AreaInput(polygon: try CoverageAnalysis.polygon(geoJSON: value, field: "polygon"), name: "polygon")
        case (nil, .some(let value)):
            guard let text = value as? String, let id = UUID(uuidString: text) else { throw ValidationError(field: "venueID", reason: "must be a UUID") }
            guard let venue = try await store.incidents.venues().first(where: { $0.id == id }) else {
                throw ValidationError(field: "venueID", reason: "no venue has id \(id.uuidString)")
            }
            do {
                return AreaInput(polygon: try SightingIndex.polygon([venue.polygon]), name: "venue:\(venue.id)")
            } catch {
                throw ValidationError(field: "venueID", reason: "the venue's stored polygon is invalid: \(error.description)")
            }
        case (.some, .some): throw ValidationError(field: "venueID", reason: "give either polygon or venueID, not both")
        case (nil, nil):
            guard required else { return nil }
            throw ValidationError(field: "polygon", reason: "is required: give a GeoJSON Polygon or a venueID")
        }
    }
}
