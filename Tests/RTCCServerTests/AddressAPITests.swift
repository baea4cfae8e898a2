import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import RTCCCore
import RTCCServer
import RTCCStore
import Testing

/// `PUT /api/v1/streets`, `PUT /api/v1/addresses`, `GET /api/v1/addresses/search|reverse` and `GET /api/v1/streets`.
@Suite struct AddressAPITests {
    static var streets: [String: Any] { [
        "type": "FeatureCollection",
        "features": [
            ["type": "Feature", "properties": ["FULLNAME": "Texas St"], "geometry": ["type": "LineString", "coordinates": [[-93.7431, 32.5139], [-93.7558, 32.5085]]]],
            ["type": "Feature", "properties": ["name": "Market St"], "geometry": ["type": "LineString", "coordinates": [[-93.7500, 32.5130], [-93.7476, 32.5100]]]],
            ["type": "Feature", "properties": ["name": "Hudson Ave"], "geometry": ["type": "MultiLineString", "coordinates": [[[-93.799, 32.4835], [-93.790, 32.4835]]]]],
        ],
    ] }
    static let csv = "number,street,lat,lon,unit,city,zip\n401,Texas St,32.5121,-93.7479,,Shreveport,71101\n409,Texas St,32.5117,-93.7488,,Shreveport,71101\n"

    /// Keys the OpenAPI document lists for a search result, and those it requires.
    static let matchKeys: Set<String> = ["label", "latitude", "longitude", "kind", "match", "score", "note"]
    static let requiredMatchKeys: Set<String> = ["label", "latitude", "longitude", "kind", "match", "score"]

    static func load(_ app: TestApp, _ client: any TestClientProtocol) async throws {
        let streets = try await client.execute(uri: "/api/v1/streets?source=TIGER", method: .put, headers: app.headers(.supervisor, jsonHeaders), body: jsonBody(Self.streets))
        #expect(streets.status == .ok, "\(streets.text)")
        let addresses = try await client.execute(
            uri: "/api/v1/addresses", method: .put, headers: app.headers(.supervisor, [.contentType: "text/csv"]), body: ByteBuffer(string: Self.csv))
        #expect(addresses.status == .ok, "\(addresses.text)")
        #expect((try addresses.json() as? [String: Int])?["addresses"] == 2)
    }

    @Test func importedAddressesAreFoundForgivinglyAndInterpolated() async throws {
        let app = try await TestApp.make()
        try await app.test { client async throws in
            try await Self.load(app, client)
            let exact = try await client.execute(uri: "/api/v1/addresses/search?q=401%20texas%20street", method: .get, headers: app.headers(.officer))
            #expect(exact.status == .ok, "\(exact.text)")
            let results = try #require(try exact.json() as? [[String: Any]])
            let first = try #require(results.first)
            #expect(Set(first.keys).isSubset(of: Self.matchKeys) && Self.requiredMatchKeys.isSubset(of: Set(first.keys)), "\(first.keys)")
            #expect(first["label"] as? String == "401 Texas St, Shreveport" && first["match"] as? String == "abbreviation" && first["kind"] as? String == "address")

            let between = try await client.execute(uri: "/api/v1/addresses/search?q=405%20Texs%20St&limit=1", method: .get, headers: app.headers(.analyst))
            let interpolated = try #require((try between.json() as? [[String: Any]])?.first)
            #expect(interpolated["match"] as? String == "nearest-number")
            #expect((interpolated["note"] as? String)?.contains("between 401 and 409") == true)
            #expect(abs((interpolated["latitude"] as? Double ?? 0) - 32.5119) < 0.0001)

            let corner = try await client.execute(uri: "/api/v1/addresses/search?q=Texas%20%26%20Market", method: .get, headers: app.headers(.analyst))
            let crossing = try #require((try corner.json() as? [[String: Any]])?.first)
            #expect(crossing["kind"] as? String == "intersection" && crossing["label"] as? String == "Texas St & Market St")
        }
    }

    @Test func reverseGivesTheNearestAddressAndItsDistance() async throws {
        let app = try await TestApp.make()
        try await app.test { client async throws in
            try await Self.load(app, client)
            let near = try await client.execute(uri: "/api/v1/addresses/reverse?lat=32.51212&lon=-93.74792", method: .get, headers: app.headers(.officer))
            #expect(near.status == .ok, "\(near.text)")
            let body = try #require(try near.json() as? [String: Any])
            #expect(Set(body.keys) == ["label", "latitude", "longitude", "distanceM", "kind"])
            #expect(body["label"] as? String == "401 Texas St, Shreveport")
            #expect((body["distanceM"] as? Double ?? 99) < 5)
            let far = try await client.execute(uri: "/api/v1/addresses/reverse?lat=32.40&lon=-93.70&maxDistanceM=500", method: .get, headers: app.headers(.officer))
            #expect(far.status == .notFound && far.headers[.contentType] == "application/problem+json")
            let bad = try await client.execute(uri: "/api/v1/addresses/reverse?lat=132&lon=-93.70", method: .get, headers: app.headers(.officer))
            #expect(bad.status == .unprocessableContent && bad.text.contains("\"lat\""))
        }
    }

    @Test func theStreetsLayerIsGeoJSONWithinTheBox() async throws {
        let app = try await TestApp.make()
        try await app.test { client async throws in
            try await Self.load(app, client)
            let all = try await client.execute(uri: "/api/v1/streets", method: .get, headers: app.headers(.analyst))
            let features = try #require((try all.json() as? [String: Any])?["features"] as? [[String: Any]])
            #expect(features.count == 3)
            let downtown = try await client.execute(uri: "/api/v1/streets?bbox=-93.76,32.50,-93.74,32.52", method: .get, headers: app.headers(.analyst))
            let names = try #require((try downtown.json() as? [String: Any])?["features"] as? [[String: Any]]).compactMap { ($0["properties"] as? [String: String])?["name"] }
            #expect(names == ["Texas St", "Market St"])
            let bad = try await client.execute(uri: "/api/v1/streets?bbox=1,2,3", method: .get, headers: app.headers(.analyst))
            #expect(bad.status == .badRequest && bad.text.contains("bbox"))
        }
    }

    @Test func aFileWithBadRowsStoresNothingAndNamesEveryRow() async throws {
        let app = try await TestApp.make()
        try await app.test { client async throws in
            try await Self.load(app, client)
            let csv = "number,street,lat,lon\n501,Milam St,32.51,-93.75\n,Milam St,32.51,-93.75\n503,Milam St,32.51,west\n"
            let response = try await client.execute(
                uri: "/api/v1/addresses", method: .put, headers: app.headers(.supervisor, [.contentType: "text/csv"]), body: ByteBuffer(string: csv))
            #expect(response.status == .unprocessableContent)
            let errors = try #require((try response.json() as? [String: Any])?["errors"] as? [[String: String]])
            #expect(errors.compactMap { $0["field"] } == ["line 3: number", "line 4: lon"])
            #expect(try await app.services.store.addresses.addresses().map(\.number) == ["401", "409"], "the earlier import is untouched")

            let streets: [String: Any] = ["type": "FeatureCollection", "features": [
                ["type": "Feature", "properties": [:] as [String: Any], "geometry": ["type": "LineString", "coordinates": [[-93.75, 32.51], [-93.74, 32.52]]]],
                ["type": "Feature", "properties": ["name": "Milam St"], "geometry": ["type": "Polygon", "coordinates": [] as [Any]]],
            ]]
            let bad = try await client.execute(uri: "/api/v1/streets", method: .put, headers: app.headers(.supervisor, jsonHeaders), body: jsonBody(streets))
            #expect(bad.status == .unprocessableContent)
            let fields = try #require((try bad.json() as? [String: Any])?["errors"] as? [[String: String]]).compactMap { $0["field"] }
            #expect(fields == ["feature 0: properties.name", "feature 1: geometry"])
            #expect(try await app.services.store.addresses.version().streets == 3)
        }
    }

    @Test func importsAreAuditedAndSearchNeedsAQuery() async throws {
        let app = try await TestApp.make()
        try await app.test { client async throws in
            try await Self.load(app, client)
            #expect(try await app.services.audit.entries(action: "streets.import").first?.detail == "3 centrelines from TIGER")
            #expect(try await app.services.audit.entries(action: "addresses.import").first?.detail == "2 address points from import")
            let missing = try await client.execute(uri: "/api/v1/addresses/search", method: .get, headers: app.headers(.officer))
            #expect(missing.status == .badRequest && missing.text.contains("\"q\""))
        }
    }
}
