import Foundation
import RTCCCore
import RTCCStore
import Testing

@Suite struct AddressRepositoryTests {
    let base = Date(timeIntervalSince1970: 1_795_000_000)

    func address(_ number: String, _ street: String = "Texas St", latitude: Double = 32.5115) -> AddressRecord {
        AddressRecord(number: number, street: street, normalizedStreet: street.lowercased(), city: "Shreveport", latitude: latitude, longitude: -93.7488, source: "test")
    }

    let texas = StreetRecord(
        name: "Texas St", normalizedName: "texas st", parts: [[GeoPoint(latitude: 32.5139, longitude: -93.7431), GeoPoint(latitude: 32.5085, longitude: -93.7558)]],
        source: "test")
    let hudson = StreetRecord(
        name: "Hudson Ave", normalizedName: "hudson ave", parts: [[GeoPoint(latitude: 32.4835, longitude: -93.7990), GeoPoint(latitude: 32.4835, longitude: -93.7900)]],
        source: "test")

    @Test(arguments: Backend.allCases)
    func replacingStoresTheNewSetsAndChangesTheVersion(_ backend: Backend) async throws {
        try await backend.withStore { (store: Store) async throws in
            let empty = try await store.addresses.version()
            #expect(empty.streets == 0 && empty.addresses == 0 && empty.lastAddress == nil && empty.lastStreet == nil)
            try await store.addresses.replaceAddresses([address("401"), address("403"), AddressRecord(
                number: "620", street: "Market St", normalizedStreet: "market st", unit: "2", zip: "71101", latitude: 32.51, longitude: -93.75, source: "test")], now: base)
            try await store.addresses.replaceStreets([texas, hudson], now: base)
            let first = try await store.addresses.version()
            #expect(first.streets == 2 && first.addresses == 3 && first.lastAddress != nil && first.lastStreet != nil)
            let read = try await store.addresses.addresses()
            #expect(read.map(\.number) == ["401", "403", "620"])
            #expect(read[2].unit == "2" && read[2].zip == "71101" && read[2].city == nil)
            #expect(try await store.addresses.streets() == [texas, hudson])

            try await store.addresses.replaceAddresses([address("405")], now: base.addingTimeInterval(60))
            let second = try await store.addresses.version()
            #expect(second != first, "a cache keyed on the version rebuilds after an import")
            // The same number of rows again, at the same instant: still a new version (each import's rows have new ids).
            try await store.addresses.replaceAddresses([address("407")], now: base.addingTimeInterval(60))
            let third = try await store.addresses.version()
            #expect(third.addresses == second.addresses && third != second)
            #expect(try await store.addresses.addresses().map(\.number) == ["407"])
        }
    }

    @Test(arguments: Backend.allCases)
    func theStreetsLayerIsReadWithinABox(_ backend: Backend) async throws {
        try await backend.withStore { (store: Store) async throws in
            try await store.addresses.replaceStreets([texas, hudson], now: base)
            let downtown = GeoBox(minLatitude: 32.505, minLongitude: -93.76, maxLatitude: 32.52, maxLongitude: -93.74)
            #expect(try await store.addresses.streets(in: downtown).map(\.name) == ["Texas St"])
        }
    }

    @Test(arguments: Backend.allCases)
    func aFailedReplaceKeepsTheOldSet(_ backend: Backend) async throws {
        try await backend.withStore { (store: Store) async throws in
            try await store.addresses.replaceAddresses([address("401")], now: base)
            // 1 500 rows: the second insert batch fails after the first was written (SQLite stores NaN as NULL in a NOT
            // NULL column; PostgreSQL refuses a NUL character in text).
            var rows = (0..<1500).map { address(String($0)) }
            rows[1200].latitude = .nan
            rows[1300].street = "Texas\u{0}St"
            await #expect(throws: (any Error).self) { try await store.addresses.replaceAddresses(rows, now: base.addingTimeInterval(1)) }
            #expect(try await store.addresses.addresses().map(\.number) == ["401"])
        }
    }
}
