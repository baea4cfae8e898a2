import FluentKit
import Foundation
import RTCCCore
import SQLKit

/// A filter over the camera registry, with paging.
public struct CameraQuery: Sendable, Equatable {
    /// Case-insensitive substring of the name.
    public var text: String?
    /// Only this kind.
    public var kind: CameraKind?
    /// Only this sharing tier.
    public var sharing: SharingTier?
    /// Only this partner's cameras.
    public var partnerID: UUID?
    /// Only cameras with this tag.
    public var tag: String?
    /// Only cameras inside this box: south, west, north, east.
    public var boundingBox: (south: Double, west: Double, north: Double, east: Double)?
    /// Page size, 1...1000.
    public var limit: Int
    /// Items to skip.
    public var offset: Int

    /// Creates a query.
    public init(
        text: String? = nil, kind: CameraKind? = nil, sharing: SharingTier? = nil, partnerID: UUID? = nil, tag: String? = nil,
        boundingBox: (south: Double, west: Double, north: Double, east: Double)? = nil, limit: Int = 50, offset: Int = 0
    ) {
        self.text = text
        self.kind = kind
        self.sharing = sharing
        self.partnerID = partnerID
        self.tag = tag
        self.boundingBox = boundingBox
        self.limit = limit
        self.offset = offset
    }

    /// Equal when every filter and the page are equal.
    public static func == (a: Self, b: Self) -> Bool {
        a.text == b.text && a.kind == b.kind && a.sharing == b.sharing && a.partnerID == b.partnerID && a.tag == b.tag
            && a.limit == b.limit && a.offset == b.offset && a.boundingBox.map { [$0.south, $0.west, $0.north, $0.east] }
            == b.boundingBox.map { [$0.south, $0.west, $0.north, $0.east] }
    }
}

/// One page of results and the total across all pages.
public struct Page<Item: Sendable & Encodable>: Sendable, Encodable {
    /// This page's items.
    public var items: [Item]
    /// Matching items across all pages.
    public var total: Int
    /// The page size asked for.
    public var limit: Int
    /// Items skipped.
    public var offset: Int

    /// Creates a page.
    public init(items: [Item], total: Int, limit: Int, offset: Int) {
        self.items = items
        self.total = total
        self.limit = limit
        self.offset = offset
    }
}

/// A camera ready to store: validated fields and sealed credentials.
public struct CameraRecord: Sendable {
    /// The validated camera.
    public var camera: ValidCamera
    /// Credentials sealed by the caller (never stored in the clear), or nil for none.
    public var sealedSecrets: String?
    /// Label for error messages (`line 7`, `features[3]`, `body`).
    public var label: String

    /// Creates a record.
    public init(camera: ValidCamera, sealedSecrets: String?, label: String = "body") {
        self.camera = camera
        self.sealedSecrets = sealedSecrets
        self.label = label
    }
}

/// The camera registry in SQL.
public struct CameraRepository: Sendable {
    let database: any Database

    /// Adds one camera. Throws ``StoreError/duplicate(field:value:)`` or ``StoreError/missingReference(field:value:)``.
    @discardableResult
    public func create(_ record: CameraRecord, now: Date = Date()) async throws -> Camera {
        try await createAll([record], now: now)[0]
    }

    /// Adds several cameras, all or none. Every problem is reported at once, labelled with the record's label.
    public func createAll(_ records: [CameraRecord], now: Date = Date()) async throws -> [Camera] {
        let now = now.millisecondPrecision
        try await checkReferences(records, excluding: nil)
        let rows = records.map { CameraRow(id: UUID(), record: $0, createdAt: now, updatedAt: now) }
        do {
            try await database.transaction { db in
                for chunk in rows.chunked(by: 100) {
                    try await db.sql.insert(into: "cameras").models(Array(chunk), with: rowEncoder).run()
                }
            }
        } catch where isUniqueViolation(error) {
            throw StoreError.duplicate(field: "name", value: records.first?.camera.draft.name ?? "")
        }
        return rows.map(\.camera)
    }

    /// Replaces a camera's fields. Returns nil when there is no such camera.
    public func update(id: UUID, with record: CameraRecord, now: Date = Date()) async throws -> Camera? {
        let now = now.millisecondPrecision
        guard let existing = try await row(id: id) else { return nil }
        try await checkReferences([record], excluding: id)
        let row = CameraRow(id: id, record: record, createdAt: existing.createdAt, updatedAt: now)
        do {
            try await database.sql.update("cameras").set(model: row, with: rowEncoder).where("id", .equal, id).run()
        } catch where isUniqueViolation(error) {
            throw StoreError.duplicate(field: "name", value: record.camera.draft.name)
        }
        return row.camera
    }

    /// Removes a camera. Returns whether it existed.
    public func delete(id: UUID) async throws -> Bool {
        guard try await row(id: id) != nil else { return false }
        try await database.sql.delete(from: "cameras").where("id", .equal, id).run()
        return true
    }

    /// One camera, or nil.
    public func find(id: UUID) async throws -> Camera? { try await row(id: id)?.camera }

    /// A camera's sealed credentials, or nil.
    public func sealedSecrets(id: UUID) async throws -> String? { try await row(id: id)?.secrets }

    /// One page of cameras matching `query`, ordered by name.
    public func search(_ query: CameraQuery) async throws -> Page<Camera> {
        let count = try await filtered(database.sql.select().column(SQLFunction("count", args: SQLLiteral.all), as: "n"), query)
            .first(decodingColumn: "n", as: Int.self) ?? 0
        let rows = try await filtered(database.sql.select().column("*"), query)
            .orderBy("name_key").limit(query.limit).offset(query.offset)
            .all(decoding: CameraRow.self, keyDecodingStrategy: .convertFromSnakeCase)
        return Page(items: rows.map(\.camera), total: count, limit: query.limit, offset: query.offset)
    }

    /// Every camera, ordered by name.
    public func all() async throws -> [Camera] {
        try await database.sql.select().column("*").from("cameras").orderBy("name_key")
            .all(decoding: CameraRow.self, keyDecodingStrategy: .convertFromSnakeCase).map(\.camera)
    }

    /// How many cameras there are.
    public func count() async throws -> Int {
        try await database.sql.select().column(SQLFunction("count", args: SQLLiteral.all), as: "n").from("cameras")
            .first(decodingColumn: "n", as: Int.self) ?? 0
    }

    private func filtered(_ select: SQLSelectBuilder, _ query: CameraQuery) -> SQLSelectBuilder {
        var builder = select.from("cameras")
        if let text = query.text, !text.isEmpty {
            builder = builder.where(contains("name_key", text.lowercased()), .greaterThan, SQLLiteral.numeric("0"))
        }
        if let kind = query.kind { builder = builder.where("kind", .equal, kind.rawValue) }
        if let sharing = query.sharing { builder = builder.where("sharing", .equal, sharing.rawValue) }
        if let partnerID = query.partnerID { builder = builder.where("partner_id", .equal, partnerID) }
        if let tag = query.tag { builder = builder.where(contains("tags", "," + tag + ","), .greaterThan, SQLLiteral.numeric("0")) }
        if let box = query.boundingBox {
            builder = builder.where("latitude", .greaterThanOrEqual, box.south).where("latitude", .lessThanOrEqual, box.north)
                .where("longitude", .greaterThanOrEqual, box.west).where("longitude", .lessThanOrEqual, box.east)
        }
        return builder
    }

    /// The position of `needle` in `column` (0 when absent). Matches text literally, unlike LIKE with its wildcards.
    private func contains(_ column: String, _ needle: String) -> SQLFunction {
        let name = database.sql.dialect.name == "postgresql" ? "strpos" : "instr"
        return SQLFunction(name, args: SQLColumn(column), SQLBind(needle))
    }

    private func row(id: UUID) async throws -> CameraRow? {
        try await database.sql.select().column("*").from("cameras").where("id", .equal, id)
            .first(decoding: CameraRow.self, keyDecodingStrategy: .convertFromSnakeCase)
    }

    /// Checks records against what is stored (names taken, partners missing) without storing anything.
    public func check(_ records: [CameraRecord]) async throws { try await checkReferences(records, excluding: nil) }

    private func checkReferences(_ records: [CameraRecord], excluding id: UUID?) async throws {
        var errors: [FieldError] = []
        let partnerIDs = Set(records.compactMap(\.camera.draft.partnerID))
        let known = try await PartnerRepository(database: database).existingIDs(partnerIDs)
        var taken = Set<String>()
        let keys = records.map { $0.camera.draft.name.lowercased() }
        for chunk in keys.chunked(by: 200) {
            var select = database.sql.select().column("name_key").column("id").from("cameras").where("name_key", .in, Array(chunk))
            if let id { select = select.where("id", .notEqual, id) }
            taken.formUnion(try await select.all().map { try $0.decode(column: "name_key", as: String.self) })
        }
        for record in records {
            let draft = record.camera.draft
            if let partner = draft.partnerID, !known.contains(partner) {
                errors.append(FieldError(field: "\(record.label): partnerID", reason: "no partner has id \(partner.uuidString)"))
            }
            if taken.contains(draft.name.lowercased()) {
                errors.append(FieldError(field: "\(record.label): name", reason: "a camera named '\(draft.name)' already exists"))
            }
        }
        if records.count == 1, errors.count > 0, records[0].label == "body" {
            errors = errors.map { FieldError(field: String($0.field.dropFirst("body: ".count)), reason: $0.reason) }
        }
        try ValidationError.check(errors)
    }
}

/// A `cameras` table row.
struct CameraRow: Codable, Sendable {
    var id: UUID
    var name: String
    var nameKey: String
    var kind: String
    var partnerId: UUID?
    var latitude: Double
    var longitude: Double
    var mountHeightM: Double
    var headingDeg: Double
    var fieldOfViewDeg: Double
    var rangeM: Double
    var mainStreamUrl: String?
    var subStreamUrl: String?
    var secrets: String?
    var sharing: String
    var retentionDays: Int
    var activeFrom: Date?
    var activeUntil: Date?
    /// Tags as `,a,b,` so a tag filter is one LIKE.
    var tags: String
    /// Picture width and height, pixels, and frame rate of the main stream, when known.
    var horizontalPixels: Int?
    var verticalPixels: Int?
    var framesPerSecond: Double?
    /// Whether two cluster nodes record it at once.
    var redundant: Bool
    var createdAt: Date
    var updatedAt: Date

    init(id: UUID, record: CameraRecord, createdAt: Date, updatedAt: Date) {
        let draft = record.camera.draft
        self.id = id
        name = draft.name
        nameKey = draft.name.lowercased()
        kind = draft.kind.rawValue
        partnerId = draft.partnerID
        latitude = draft.location.latitude
        longitude = draft.location.longitude
        mountHeightM = draft.mountHeightM
        headingDeg = draft.headingDeg
        fieldOfViewDeg = draft.fieldOfViewDeg
        rangeM = draft.rangeM
        mainStreamUrl = draft.mainStreamURL
        subStreamUrl = draft.subStreamURL
        secrets = record.sealedSecrets
        sharing = draft.sharing.rawValue
        retentionDays = draft.retentionDays
        activeFrom = draft.activeWindow?.from
        activeUntil = draft.activeWindow?.until
        tags = draft.tags.isEmpty ? "," : "," + draft.tags.joined(separator: ",") + ","
        horizontalPixels = draft.horizontalPixels
        verticalPixels = draft.verticalPixels
        framesPerSecond = draft.framesPerSecond
        redundant = draft.redundant
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    var camera: Camera {
        Camera(
            id: id, name: name, kind: CameraKind(rawValue: kind) ?? .city, partnerID: partnerId,
            location: GeoPoint(latitude: latitude, longitude: longitude), mountHeightM: mountHeightM, headingDeg: headingDeg,
            fieldOfViewDeg: fieldOfViewDeg, rangeM: rangeM, mainStreamURL: mainStreamUrl, subStreamURL: subStreamUrl,
            hasCredentials: secrets != nil, sharing: SharingTier(rawValue: sharing) ?? .registered, retentionDays: retentionDays,
            activeWindow: activeFrom.flatMap { from in activeUntil.map { ActiveWindow(from: from.millisecondPrecision, until: $0.millisecondPrecision) } },
            tags: tags.split(separator: ",").map(String.init), createdAt: createdAt.millisecondPrecision, updatedAt: updatedAt.millisecondPrecision,
            horizontalPixels: horizontalPixels, verticalPixels: verticalPixels, framesPerSecond: framesPerSecond,
            redundant: redundant)
    }
}

extension Array {
    /// The array cut into pieces of at most `size` elements.
    func chunked(by size: Int) -> [ArraySlice<Element>] {
        stride(from: 0, to: count, by: size).map { self[$0..<Swift.min($0 + size, count)] }
    }
}
