import Foundation
import RTCCCore
import RTCCGeo
import RTCCStore

/// A `POST /api/v1/plans` body, validated: where cameras could go, how many, which camera, and what to cover.
struct PlanRequest: Sendable {
    /// Where the new cameras could go.
    enum Candidates: Sendable {
        /// Sites read from CSV or GeoJSON.
        case sites([CandidateSite])
        /// A square grid of sites `spacing` metres apart over the area, each `mountHeight` metres up.
        case grid(spacing: Double, mountHeight: Double)
    }

    /// What the cameras should cover.
    enum Demand: Sendable {
        /// A Gaussian kernel density of the stored incidents in `[from, until)`.
        case incidents(from: Date, until: Date, bandwidth: Double)
        /// Every cell of the area alike.
        case uniform
    }

    /// The most candidate sites (given or from a grid).
    static let maximumCandidates = 5000
    /// The most site × heading options.
    static let maximumOptions = 40_000
    /// The most cameras one plan may place.
    static let maximumBudget = 500

    static let allowed: Set<String> = ["candidates", "candidateGrid", "budget", "camera", "demand", "polygon", "venueID", "cellM", "countExisting"]

    var candidates: Candidates
    var budget: Int
    var option: CameraOption
    var demand: Demand
    var area: AreaInput?
    var cellSize: Double
    var countExisting: Bool
    /// When set, only cameras active at some time in this interval count as existing coverage (an event's window).
    var existingActiveDuring: DateInterval? = nil

    /// Reads and checks `object`; a venue is looked up in `store`.
    static func read(_ object: [String: Any], store: Store) async throws -> PlanRequest {
        let fields = try JSONFields(object, allowed: allowed)
        guard let budget = try fields.integer("budget", in: 1...maximumBudget) else {
            throw ValidationError(field: "budget", reason: "is required: how many new cameras to place (1 to \(maximumBudget))")
        }
        let option = try camera(fields)
        let demand = try demandChoice(fields)
        let area = try await AreaInput.read(object, store: store, required: false)
        if case .uniform = demand, area == nil {
            throw ValidationError(field: "polygon", reason: "uniform demand needs an area: give a GeoJSON Polygon or a venueID")
        }
        let candidates = try candidateChoice(fields, hasArea: area != nil)
        if case .sites(let sites) = candidates, budget > sites.count {
            throw ValidationError(field: "budget", reason: PlanningError.budgetExceedsCandidates(budget: budget, candidates: sites.count).description)
        }
        return PlanRequest(
            candidates: candidates, budget: budget, option: option, demand: demand, area: area,
            cellSize: try fields.number("cellM", in: 1...200, default: 10, unit: " of metres") ?? 10,
            countExisting: try fields.bool("countExisting", default: true))
    }

    static func camera(_ fields: JSONFields) throws(ValidationError) -> CameraOption {
        let camera = try fields.nested("camera", allowed: ["fovDeg", "rangeM", "headings", "pixels", "level"])
        let fov = try camera?.number("fovDeg", in: 0...360, default: 90, unit: " of degrees") ?? 90
        guard fov > 0 else { throw ValidationError(field: "camera.fovDeg", reason: "must be more than 0 and at most 360 degrees") }
        let range = try camera?.number("rangeM", in: 1...2000, default: 100, unit: " of metres") ?? 100
        let headings = try camera?.numbers("headings", in: -360...360, count: 1...36) ?? [0, 90, 180, 270]
        let pixels = try camera?.integer("pixels", in: 64...20_000)
        let level = try camera?.string("level").map { name throws(ValidationError) in
            guard let level = DORILevel(name: name) else {
                throw ValidationError(field: "camera.level", reason: "must be detect, observe, recognise or identify")
            }
            return level
        }
        if let level, pixels == nil {
            throw ValidationError(field: "camera.pixels", reason: PlanningError.levelNeedsResolution(level).description)
        }
        return CameraOption(fieldOfView: fov, range: range, headings: headings, horizontalPixels: pixels, requiredLevel: level)
    }

    static func demandChoice(_ fields: JSONFields) throws(ValidationError) -> Demand {
        guard let demand = try fields.nested("demand", allowed: ["kind", "from", "until", "bandwidthM"]) else {
            throw ValidationError(field: "demand", reason: "is required: {\"kind\": \"incidents\", \"from\", \"until\"} or {\"kind\": \"uniform\"}")
        }
        switch try demand.string("kind") {
        case "uniform":
            return .uniform
        case "incidents":
            guard let from = try demand.date("from"), let until = try demand.date("until") else {
                throw ValidationError(field: "demand.from", reason: "incident demand needs from and until (ISO 8601 times)")
            }
            guard from < until else { throw ValidationError(field: "demand.until", reason: "must be after from") }
            let bandwidth = try demand.number("bandwidthM", in: 1...5000, default: 100, unit: " of metres") ?? 100
            return .incidents(from: from, until: until, bandwidth: bandwidth)
        default:
            throw ValidationError(field: "demand.kind", reason: "must be incidents or uniform")
        }
    }

    static func candidateChoice(_ fields: JSONFields, hasArea: Bool) throws(ValidationError) -> Candidates {
        switch (fields.has("candidates"), fields.has("candidateGrid")) {
        case (true, false):
            let sites = try sites(fields.object["candidates"] as Any)
            guard sites.count <= maximumCandidates else {
                throw ValidationError(field: "candidates", reason: "has \(sites.count) sites, more than the \(maximumCandidates) allowed: split the area")
            }
            return .sites(sites)
        case (false, true):
            guard hasArea else { throw ValidationError(field: "candidateGrid", reason: "a grid of sites needs an area: give a polygon or a venueID") }
            guard let grid = try fields.nested("candidateGrid", allowed: ["spacingM", "mountHeightM"]),
                let spacing = try grid.number("spacingM", in: 1...2000, unit: " of metres")
            else { throw ValidationError(field: "candidateGrid.spacingM", reason: "is required: metres between grid sites") }
            return .grid(spacing: spacing, mountHeight: try grid.number("mountHeightM", in: 0...500, default: SiteFile.defaultMountHeight) ?? 4)
        case (true, true): throw ValidationError(field: "candidateGrid", reason: "give either candidates or candidateGrid, not both")
        case (false, false): throw ValidationError(field: "candidates", reason: "is required: CSV or GeoJSON text of sites, or a candidateGrid over the area")
        }
    }

    /// Sites from CSV or GeoJSON text, or a GeoJSON object; every bad row is named with its line or feature.
    static func sites(_ value: Any) throws(ValidationError) -> [CandidateSite] {
        let data: Data
        if let text = value as? String {
            data = Data(text.utf8)
        } else if let object = value as? [String: Any], let json = try? JSONSerialization.data(withJSONObject: object) {
            data = json
        } else {
            throw ValidationError(field: "candidates", reason: "must be CSV text, GeoJSON text or a GeoJSON FeatureCollection of Points")
        }
        do {
            return try SiteFile.parse(data)
        } catch {
            throw ValidationError(error.problems.map { FieldError(field: "candidates", reason: $0.description) })
        }
    }
}
