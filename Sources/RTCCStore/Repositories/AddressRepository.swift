import FluentKit
import Foundation
import RTCCCore
import SQLKit

/// A street centreline as stored: its name, canonical name and polylines.
public struct StreetRecord: Sendable, Hashable, Codable {
    /// The name as imported ("Texas St").
    public var name: String
    /// The canonical name address search compares ("texas st").
    public var normalizedName: String
    /// Polylines of at least two points each.
    public var parts: [[GeoPoint]]
    /// Where it came from ("TIGER/Line 2025", "demo").
    public var source: String

    /// Creates a street record.
    public init(name: String, normalizedName: String, parts: [[GeoPoint]], source: String) {
        self.name = name
        self.normalizedName = normalizedName
        self.parts = parts
        self.source = source
    }
}

/// An address point as stored.
public struct AddressRecord: Sendable, Hashable, Codable {
    /// House number as written ("401", "401A").
    public var number: String
    /// Street as written.
    public var street: String
    /// Canonical street name.
    public var normalizedStreet: String
    /// Unit, city and ZIP code, when known.
    public var unit: String?
    public var city: String?
    public var zip: String?
    /// Where it is.
    public var latitude: Double
    public var longitude: Double
    /// Where it came from.
    public var source: String

    /// Creates an address record.
    public init(
        number: String, street: String, normalizedStreet: String, unit: String? = nil, city: String? = nil, zip: String? = nil,
        latitude: Double, longitude: Double, source: String
    ) {
        self.number = number
        self.street = street
        self.normalizedStreet = normalizedStreet
        self.unit = unit
        self.city = city
        self.zip = zip
        self.latitude = latitude
        self.longitude = longitude
        self.source = source
    }
}

/// Which streets and addresses are stored, cheaply: it changes whenever either set is replaced (every import gives
/// its rows new ids), so an index built from them is rebuilt only after an import.
public struct AddressesVersion: Sendable, Hashable {
    /// How many centrelines and address points are stored.
    public var streets: Int
    public var addresses: Int
    /// The id of each set's last row; nil when the set is empty.
    public var lastStreet: UUID?
    public var lastAddress: UUID?
}

/// A box of latitudes and longitudes (the streets layer is read within one).
public struct GeoBox: Sendable, Hashable {
    /// South, west, north and east edges, degrees.
    public var minLatitude: Double, minLongitude: Double, maxLatitude: Double, maxLongitude: Double

    /// Creates a box.
    public init(minLatitude: Double, minLongitude: Double, maxLatitude: Double, maxLongitude: Double) {
        (self.minLatitude, self.minLongitude, self.maxLatitude, self.maxLongitude) = (minLatitude, minLongitude, maxLatitude, maxLongitude)
    }
}

/// Street centrelines and address points in SQL, each set replaced as a whole.
public struct AddressRepository: Sendable {
    let database: any Database

    /// Replaces every street centreline with `streets`, all or nothing.
    public func replaceStreets(_ streets: [StreetRecord], now: Date = Date()) async throws {
        let now = now.millisecondPrecision
        let rows = try streets.enumerated().map { index, street in
            let points = street.parts.flatMap { $0 }
            return StreetRow(
                id: UUID(), position: index, name: street.name, normalizedName: street.normalizedName,
                geometry: String(decoding: try JSONEncoder().encode(street.parts), as: UTF8.self),
                minLatitude: points.map(\.latitude).min() ?? 0, minLongitude: points.map(\.longitude).min() ?? 0,
                maxLatitude: points.map(\.latitude).max() ?? 0, maxLongitude: points.map(\.longitude).max() ?? 0, source: street.source, createdAt: now)
        }
        try await database.transaction { db in
            try await db.sql.delete(from: "streets").run()
            for chunk in rows.chunked(by: 500) { try await db.sql.insert(into: "streets").models(Array(chunk), with: rowEncoder).run() }
        }
    }

    /// Replaces every address point with `addresses`, all or nothing.
    public func replaceAddresses(_ addresses: [AddressRecord], now: Date = Date()) async throws {
        let now = now.millisecondPrecision
        let rows = addresses.enumerated().map { index, address in
            AddressRow(
                id: UUID(), position: index, number: address.number, street: address.street, normalizedStreet: address.normalizedStreet,
                unit: address.unit, city: address.city, zip: address.zip, latitude: address.latitude, longitude: address.longitude,
                source: address.source, createdAt: now)
        }
        try await database.transaction { db in
            try await db.sql.delete(from: "address_points").run()
            for chunk in rows.chunked(by: 1000) { try await db.sql.insert(into: "address_points").models(Array(chunk), with: rowEncoder).run() }
        }
    }

    /// Every street centreline, in the order imported; with `box`, only those whose extent overlaps it.
    public func streets(in box: GeoBox? = nil) async throws -> [StreetRecord] {
        var query = database.sql.select().column("*").from("streets")
        if let box {
            query = query.where("max_latitude", .greaterThanOrEqual, box.minLatitude).where("min_latitude", .lessThanOrEqual, box.maxLatitude)
                .where("max_longitude", .greaterThanOrEqual, box.minLongitude).where("min_longitude", .lessThanOrEqual, box.maxLongitude)
        }
        return try await query.orderBy("position").all(decoding: StreetRow.self, keyDecodingStrategy: .convertFromSnakeCase).map { row in
            StreetRecord(
                name: row.name, normalizedName: row.normalizedName, parts: try JSONDecoder().decode([[GeoPoint]].self, from: Data(row.geometry.utf8)),
                source: row.source)
        }
    }

    /// Every address point, in the order imported.
    public func addresses() async throws -> [AddressRecord] {
        try await database.sql.select().column("*").from("address_points").orderBy("position")
            .all(decoding: AddressRow.self, keyDecodingStrategy: .convertFromSnakeCase).map { row in
                AddressRecord(
                    number: row.number, street: row.street, normalizedStreet: row.normalizedStreet, unit: row.unit, city: row.city, zip: row.zip,
                    latitude: row.latitude, longitude: row.longitude, source: row.source)
            }
    }

    /// The size of both sets and the id of each one's last row: two index look-ups, no scan.
    public func version() async throws -> AddressesVersion {
        let streets = try await last("streets"), addresses = try await last("address_points")
        return AddressesVersion(
            streets: streets.map { $0.position + 1 } ?? 0, addresses: addresses.map { $0.position + 1 } ?? 0, lastStreet: streets?.id,
            lastAddress: addresses?.id)
    }

    private struct Last: Decodable {
        var id: UUID
        var position: Int
    }

    /// The row with the highest position (positions run 0..<count in every import); nil when the table is empty.
    private func last(_ table: String) async throws -> Last? {
        try await database.sql.raw("SELECT id, position FROM \(ident: table) ORDER BY position DESC LIMIT 1").first(decoding: Last.self)
    }
}

/// A `streets` row.
struct StreetRow: Codable, Sendable {
    var id: UUID
    var position: Int
    var name: String
    var normalizedName: String
    var geometry: String
    var minLatitude: Double
    var minLongitude: Double
    var maxLatitude: Double
    var maxLongitude: Double
    var source: String
    var createdAt: Date
}

/// An `address_points` row.
struct AddressRow: Codable, Sendable {
    var id: UUID
    var position: Int
    var number: String
    var street: String
    var normalizedStreet: String
    var unit: String?
    var city: String?
    var zip: String?
    var latitude: Double
    var longitude: Double
    var source: String
    var createdAt: Date
}
