import Foundation
import Hummingbird
import RTCCCore
import RTCCGeo
import RTCCStore

/// `/api/v1/streets` and `/api/v1/addresses`: the base map's street centrelines and address points (imported all or
/// nothing), address search and reverse look-up over them.
struct AddressRoutes {
    let services: AppServices
    /// One index per router, rebuilt after an import.
    let indexes = AddressIndexCache()

    func register(on router: Router<AppRequestContext>) {
        router.add(.streetsReplace, replaceStreets)
        router.add(.streetsList, listStreets)
        router.add(.addressesReplace, replaceAddresses)
        router.add(.addressSearch, search)
        router.add(.addressReverse, reverse)
    }

    /// One search result.
    struct Match: Codable {
        var label: String
        var latitude: Double
        var longitude: Double
        var kind: AddressMatch.Kind
        var match: AddressMatch.Quality
        var score: Double
        var note: String?
    }

    /// The nearest address point.
    struct Nearest: Codable {
        var label: String
        var latitude: Double
        var longitude: Double
        var distanceM: Double
        var kind: AddressMatch.Kind
    }

    /// The streets layer as GeoJSON.
    struct StreetCollection: Codable {
        struct Feature: Codable {
            struct Geometry: Codable {
                var type = "MultiLineString"
                var coordinates: [[[Double]]]
            }
            var type = "Feature"
            var properties: [String: String]
            var geometry: Geometry
        }
        var type = "FeatureCollection"
        var features: [Feature]
    }

    /// The source named by `?source=` (default `import`), 1–100 characters.
    private func source(_ request: Request) throws -> String {
        let text = request.uri.queryParameters.get("source")?.trimmingCharacters(in: .whitespaces) ?? "import"
        guard !text.isEmpty, text.count <= 100 else { throw Problem.badRequest(field: "source", "must be 1-100 characters (such as \"TIGER/Line 2025\")") }
        return text
    }

    private static func invalid(_ error: InterchangeError) -> ValidationError {
        ValidationError(error.problems.map { FieldError(field: $0.location ?? "body", reason: $0.message) })
    }

    @Sendable func replaceStreets(_ request: Request, _ context: AppRequestContext, _ identity: Identity?) async throws -> Response {
        let source = try source(request)
        let lines: [StreetLine]
        do { lines = try AddressFile.streets(try await request.bodyData(context: context)) } catch let error as InterchangeError { throw Self.invalid(error) }
        let records = lines.map { StreetRecord($0, source: source) }
        try await services.store.addresses.replaceStreets(records)
        try await services.record("streets.import", target: "streets", detail: "\(records.count) centrelines from \(source)", by: identity, context: context)
        return try Reply.json(["streets": records.count])
    }

    @Sendable func replaceAddresses(_ request: Request, _ context: AppRequestContext, _ identity: Identity?) async throws -> Response {
        let source = try source(request)
        let points: [AddressPoint]
        do { points = try AddressFile.addresses(try await request.bodyData(context: context)) } catch let error as InterchangeError { throw Self.invalid(error) }
        let records = points.map { AddressRecord($0, source: source) }
        try await services.store.addresses.replaceAddresses(records)
        try await services.record("addresses.import", target: "addresses", detail: "\(records.count) address points from \(source)", by: identity, context: context)
        return try Reply.json(["addresses": records.count])
    }

    @Sendable func search(_ request: Request, _ context: AppRequestContext, _ identity: Identity?) async throws -> Response {
        guard let text = request.uri.queryParameters.get("q")?.trimmingCharacters(in: .whitespaces), !text.isEmpty, text.count <= 200 else {
            throw Problem.badRequest(field: "q", "is required: 1-200 characters, such as \"401 Texas St\" or \"Texas St & Market St\"")
        }
        let limit = try request.queryInt("limit", in: 1...50, default: 10)
        let index = try await indexes.index(services.store)
        let matches = index.search(String(text), limit: limit).map { match in
            Match(
                label: match.label, latitude: match.coordinate.latitude, longitude: match.coordinate.longitude, kind: match.kind, match: match.quality,
                score: match.score, note: match.note)
        }
        return try Reply.json(matches)
    }

    @Sendable func reverse(_ request: Request, _ context: AppRequestContext, _ identity: Identity?) async throws -> Response {
        let (lat, lon) = (try request.queryDouble("lat"), try request.queryDouble("lon"))
        var errors: [FieldError] = []
        if !(-90...90).contains(lat) { errors.append(FieldError(field: "lat", reason: "must be from -90 to 90")) }
        if !(-180...180).contains(lon) { errors.append(FieldError(field: "lon", reason: "must be from -180 to 180")) }
        try ValidationError.check(errors)
        let within = try request.queryInt("maxDistanceM", in: 1...10_000, default: 1000)
        let index = try await indexes.index(services.store)
        guard let nearest = index.nearest(to: Coordinate(latitude: lat, longitude: lon), within: Double(within)) else {
            throw Problem(.notFound, "no address point within \(within) m of \(lat),\(lon) (\(index.addressCount) are loaded); import addresses or widen maxDistanceM")
        }
        return try Reply.json(Nearest(
            label: nearest.label, latitude: nearest.coordinate.latitude, longitude: nearest.coordinate.longitude,
            distanceM: (nearest.distance * 10).rounded() / 10, kind: nearest.kind))
    }

    @Sendable func listStreets(_ request: Request, _ context: AppRequestContext, _ identity: Identity?) async throws -> Response {
        var box: GeoBox?
        if let text = request.uri.queryParameters.get("bbox"), !text.isEmpty {
            let values = text.split(separator: ",").map { Double($0.trimmingCharacters(in: .whitespaces)) }
            guard values.count == 4, let w = values[0], let s = values[1], let e = values[2], let n = values[3], w <= e, s <= n,
                (-180...180).contains(w), (-180...180).contains(e), (-90...90).contains(s), (-90...90).contains(n)
            else {
                throw Problem.badRequest(field: "bbox", "must be west,south,east,north in decimal degrees (such as -93.76,32.50,-93.74,32.52)")
            }
            box = GeoBox(minLatitude: s, minLongitude: w, maxLatitude: n, maxLongitude: e)
        }
        let streets = try await services.store.addresses.streets(in: box)
        let collection = StreetCollection(features: streets.map { street in
            StreetCollection.Feature(
                properties: ["name": street.name, "source": street.source],
                geometry: .init(coordinates: street.parts.map { $0.map { [$0.longitude, $0.latitude] } }))
        })
        return try Reply.json(collection)
    }
}
