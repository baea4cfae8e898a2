import Foundation
import RTCCGeo
import Testing

/// A small downtown: Texas St (east–west) with odd numbers on the north side and even on the south, Market St and
/// Spring St crossing it, Texas Ave elsewhere, and Clyde Fant Pkwy.
struct AddressFixture {
    static func at(_ x: Double, _ y: Double) -> Coordinate { testProjection.unproject(PlanePoint(x: x, y: y)) }

    static let streets: [StreetLine] = [
        StreetLine(name: "Texas St", parts: [[at(-500, 0), at(500, 0)]]),
        StreetLine(name: "Market St", parts: [[at(0, -300), at(0, 300)]]),
        StreetLine(name: "Spring Street", parts: [[at(200, -300), at(200, 0)]]),
        StreetLine(name: "Texas Ave", parts: [[at(-500, 2000), at(500, 2000)]]),
        StreetLine(name: "Clyde Fant Pkwy", parts: [[at(600, -500), at(600, 500)]]),
    ]

    static var addresses: [AddressPoint] {
        var points: [AddressPoint] = []
        // 401, 403 … 419 every 20 m on the north side, except 405 and 407; 400 … 418 on the south side.
        for step in 0..<10 {
            let odd = 401 + 2 * step
            if odd != 405, odd != 407 { points.append(AddressPoint(number: String(odd), street: "Texas St", city: "Shreveport", coordinate: at(Double(step) * 20, 10))) }
            points.append(AddressPoint(number: String(400 + 2 * step), street: "Texas St", coordinate: at(Double(step) * 20, -10)))
        }
        points.append(AddressPoint(number: "401", street: "Texas Ave", coordinate: at(0, 2010)))
        points.append(AddressPoint(number: "101", street: "Clyde Fant Pkwy", coordinate: at(610, 0)))
        points.append(AddressPoint(number: "620", street: "Market St", unit: "2", coordinate: at(10, 120)))
        points.append(AddressPoint(number: "620", street: "Market St", coordinate: at(10, 121)))
        return points
    }

    static let index = AddressIndex(addresses: addresses, streets: streets)
}

@Suite struct AddressNormalizerTests {
    @Test(arguments: [
        ("401 Texas Street", "401 texas st"), ("N. Market Avenue", "n market ave"), ("CLYDE FANT PARKWAY", "clyde fant pkwy"),
        ("South Line Blvd.", "s line blvd"), ("Kings Highway", "kings hwy"), ("O'Neal Ln", "oneal ln"), ("Saint Vincent Ave", "st vincent ave"),
    ])
    func suffixesAndDirectionalsAreWrittenOneWay(_ input: String, _ expected: String) {
        #expect(AddressNormalizer.normalize(input) == expected)
    }

    @Test func intersectionsAreReadFromAmpersandAndOrAt() {
        for text in ["Texas St & Market St", "texas street and market street", "Texas St at Market St", "Texas/Market", "Texas St @ Market St"] {
            guard case .intersection(let a, let b) = AddressQuery(text) else {
                Issue.record("\(text) was not read as an intersection")
                continue
            }
            #expect(a.first == "texas" && b.first == "market", "\(text)")
        }
    }

    @Test func aHouseNumberAUnitAndTheCityAreSeparatedFromTheStreet() {
        #expect(AddressQuery("401 Texas St Apt 5, Shreveport, LA 71101") == .address(number: 401, street: ["texas", "st"], unit: "5"))
        #expect(AddressQuery("401 1/2 Texas St") == .address(number: 401, street: ["texas", "st"], unit: nil))
        #expect(AddressQuery("70th St") == .address(number: nil, street: ["70th", "st"], unit: nil))
        #expect(AddressQuery(" , ") == nil)
    }
}

@Suite struct AddressIndexSearchTests {
    let index = AddressFixture.index

    @Test func anExactAddressIsFoundFirstWithItsPoint() throws {
        let first = try #require(index.search("401 Texas St").first)
        #expect(first.label == "401 Texas St, Shreveport")
        #expect(first.kind == .address && first.quality == .exact && first.score == 1)
        #expect(Geodesy.distance(first.coordinate, AddressFixture.at(0, 10)) < 0.01)
    }

    @Test(arguments: ["401 texas street", "401 TEXAS STREET", "401 Texas Str."])
    func abbreviationsMatchTheSameAddressRankedBelowExact(_ text: String) throws {
        let first = try #require(index.search(text).first)
        #expect(first.label == "401 Texas St, Shreveport")
        #expect(first.quality == .abbreviation)
        #expect(first.score < 1 && first.score > 0.9)
    }

    @Test(arguments: ["401 Texsa St", "401 Teaxs Street", "401 Texas Stret", "101 Clide Fant Parkway", "101 Clyde Fnat Pkwy"])
    func smallTyposStillFindTheAddress(_ text: String) throws {
        let first = try #require(index.search(text).first, "\(text)")
        #expect(first.kind == .address)
        #expect(first.quality == .typo)
        #expect(first.label.hasPrefix(text.hasPrefix("101") ? "101 Clyde Fant Pkwy" : "401 Texas St"))
    }

    @Test func exactRanksAboveAbbreviationAboveTypo() throws {
        let exact = try #require(index.search("401 Texas St").first).score
        let abbreviated = try #require(index.search("401 Texas Street").first).score
        let typo = try #require(index.search("401 Texsa Street").first).score
        #expect(exact > abbreviated && abbreviated > typo)
    }

    @Test func theRightSuffixWinsOverTheSameNameWithAnotherSuffix() throws {
        let results = index.search("401 Texas Ave")
        #expect(results.first?.label == "401 Texas Ave")
        #expect(results.contains { $0.label == "401 Texas St, Shreveport" }, "the St comes after, lower")
        #expect(try #require(results.first).score > results[1].score)
    }

    @Test func aMissingNumberIsPlacedBetweenItsNeighboursOnTheSameSide() throws {
        let results = index.search("405 Texas St")
        let first = try #require(results.first)
        #expect(first.label == "405 Texas St, Shreveport")
        #expect(first.quality == .nearestNumber)
        #expect(first.note?.contains("between 403 and 409") == true, "\(first.note ?? "no note")")
        // 403 is at x = 20, 409 at x = 80, both on the north side: 405 is a third of the way.
        #expect(Geodesy.distance(first.coordinate, AddressFixture.at(40, 10)) < 0.5)
        #expect(results.contains { $0.label.hasPrefix("403 Texas St") && $0.quality == .nearestNumber })
        #expect(results.contains { $0.label.hasPrefix("409 Texas St") && $0.quality == .nearestNumber })
    }

    @Test func aNumberBeyondTheEndGivesTheNearestNumber() throws {
        let first = try #require(index.search("499 Texas St").first)
        #expect(first.label.hasPrefix("419 Texas St"))
        #expect(first.quality == .nearestNumber)
        #expect(first.note?.contains("nearest") == true)
    }

    @Test func aUnitPicksThatUnitAndNoUnitPicksTheBuilding() throws {
        #expect(index.search("620 Market St Unit 2").first?.label == "620 Market St Unit 2")
        #expect(index.search("620 Market St").first?.label == "620 Market St")
    }

    @Test(arguments: ["Texas St & Market St", "texas and market", "Market Street at Texas Street", "Texsa St & Markt St"])
    func intersectionsAreFoundWhereTheCentrelinesCross(_ text: String) throws {
        let first = try #require(index.search(text).first, "\(text)")
        #expect(first.kind == .intersection)
        #expect(Geodesy.distance(first.coordinate, AddressFixture.at(0, 0)) < 0.5)
    }

    @Test func aTJunctionCountsAsAnIntersection() throws {
        let first = try #require(index.search("Spring St & Texas St").first)
        #expect(first.kind == .intersection)
        #expect(Geodesy.distance(first.coordinate, AddressFixture.at(200, 0)) < 1)
        #expect(index.search("Spring St & Clyde Fant Pkwy").filter { $0.kind == .intersection }.isEmpty, "they do not meet")
    }

    @Test func aStreetWithoutANumberIsTheStreetAndAPrefixCompletesIt() throws {
        let street = try #require(index.search("Clyde Fant Parkway").first)
        #expect(street.kind == .street && street.label == "Clyde Fant Pkwy")
        #expect(index.search("Cly").first?.label == "Clyde Fant Pkwy")
    }

    @Test func unrelatedTextFindsNothingAndTheLimitIsKept() {
        #expect(index.search("Zzyzx Rd").isEmpty)
        #expect(index.search("").isEmpty)
        #expect(index.search("Texas", limit: 1).count == 1)
    }

    @Test func explicitIntersectionsAreAddedToTheCrossings() throws {
        let index = AddressIndex(
            addresses: [AddressPoint(number: "1", street: "Line Ave", coordinate: testOrigin), AddressPoint(number: "1", street: "Kings Hwy", coordinate: testOrigin)],
            intersections: [StreetIntersection(first: "Line Ave", second: "Kings Highway", coordinate: testOrigin)])
        #expect(index.intersectionCount == 1)
        #expect(index.search("Line Ave & Kings Hwy").first?.kind == .intersection)
    }
}

@Suite struct AddressIndexReverseTests {
    @Test func theNearestAddressPointIsReturnedWithItsDistance() throws {
        let match = try #require(AddressFixture.index.nearest(to: AddressFixture.at(41, 14)))
        // 403 is at (20, 10): 21.4 m away; 409 at (80, 10) is 39 m away; 404 at (40, -10) is 24 m away.
        #expect(match.label.hasPrefix("403 Texas St"))
        #expect(abs(match.distance - 21.4) < 0.5)
    }

    @Test func nothingWithinTheLimitIsNil() {
        #expect(AddressFixture.index.nearest(to: AddressFixture.at(0, 5000), within: 200) == nil)
        #expect(AddressFixture.index.nearest(to: AddressFixture.at(0, 5000), within: 4000) != nil)
    }

    @Test func theGridSearchAgreesWithALinearScan() throws {
        var random = SeededRandom(seed: 7)
        let points = (0..<3000).map { number in
            AddressPoint(number: String(number), street: "Street \(number % 40)", coordinate: AddressFixture.at(
                Double.random(in: -3000...3000, using: &random), Double.random(in: -3000...3000, using: &random)))
        }
        let index = AddressIndex(addresses: points)
        for _ in 0..<200 {
            let place = AddressFixture.at(Double.random(in: -3500...3500, using: &random), Double.random(in: -3500...3500, using: &random))
            let expected = points.map { Geodesy.distance(place, $0.coordinate) }.min() ?? .infinity
            let found = try #require(index.nearest(to: place, within: 10_000))
            #expect(abs(found.distance - expected) < 0.1, "the plane and the sphere differ by centimetres at 3 km")
        }
    }
}

@Suite struct AddressFileTests {
    @Test func csvRowsAreReadWithTheirOptionalColumns() throws {
        let points = try AddressFile.addresses(Data("Number,Street,Lat,Lon,Unit,City,Zip\n401,Texas St,32.51,-93.75,,Shreveport,71101\n402,Texas St,32.51,-93.75,B,,\n".utf8))
        #expect(points.count == 2)
        #expect(points[0].city == "Shreveport" && points[0].unit == nil && points[1].unit == "B")
    }

    @Test func everyBadRowIsReportedWithItsLineAndField() {
        let csv = "number,street,lat,lon\n401,Texas St,32.5,-93.7\n,Texas St,32.5,-93.7\n403,,95,-93.7\nabc,Milam St,32.5,x\n"
        #expect(throws: InterchangeError.self) { try AddressFile.addresses(Data(csv.utf8)) }
        do {
            _ = try AddressFile.addresses(Data(csv.utf8))
        } catch {
            let locations = error.problems.compactMap(\.location)
            #expect(locations == ["line 3: number", "line 4: street", "line 4: lat", "line 5: number", "line 5: lon"])
        }
    }

    @Test func geoJSONPointsAndTigerStreetNamesAreRead() throws {
        let points = try AddressFile.addresses(Data("""
            {"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"Point","coordinates":[-93.75,32.51]},
             "properties":{"number":"401","street":"Texas St"}}]}
            """.utf8))
        #expect(points.first?.street == "Texas St")
        let streets = try AddressFile.streets(Data("""
            {"type":"FeatureCollection","features":[
             {"type":"Feature","geometry":{"type":"LineString","coordinates":[[-93.75,32.51],[-93.74,32.52]]},"properties":{"FULLNAME":"Texas St"}},
             {"type":"Feature","geometry":{"type":"MultiLineString","coordinates":[[[-93.75,32.51],[-93.74,32.52]]]},"properties":{"name":"Milam St"}}]}
            """.utf8))
        #expect(streets.map(\.name) == ["Texas St", "Milam St"])
    }

    @Test func badStreetFeaturesAreAllReported() {
        let json = """
            {"type":"FeatureCollection","features":[
             {"type":"Feature","geometry":{"type":"Point","coordinates":[-93.75,32.51]},"properties":{"name":"Texas St"}},
             {"type":"Feature","geometry":{"type":"LineString","coordinates":[[-93.75,32.51],[-93.74,32.52]]},"properties":{}},
             {"type":"Feature","geometry":{"type":"LineString","coordinates":[[-93.75,32.51]]},"properties":{"name":"Milam St"}}]}
            """
        do {
            _ = try AddressFile.streets(Data(json.utf8))
            Issue.record("bad features were accepted")
        } catch {
            #expect(error.problems.compactMap(\.location) == ["feature 0: geometry", "feature 1: properties.name", "feature 2: geometry.coordinates"])
        }
    }
}

/// Address search over a city-sized set: 200 000 synthetic addresses on 5 000 streets. Timing is measured by
/// `rtcc bench address`, not asserted here; this checks the answers at that size.
@Suite struct AddressIndexScaleTests {
    static let city = GeoBenchmark.addressCity(streets: 5000)
    static let index = AddressIndex(addresses: city.addresses, streets: city.streets)

    @Test func theSyntheticCityHas200000AddressesOn5000Streets() {
        #expect(Self.city.addresses.count == 200_000)
        #expect(Self.index.addressCount == 200_000)
        #expect(Self.index.streetCount == 5000)
        #expect(Self.index.intersectionCount == 2500, "each tile's two streets cross once")
    }

    @Test func exactSpeltOutAndMisspeltAddressesAreFoundFirstAmong200000() {
        var random = SplitMix64(seed: 11)
        var wrong: [String] = []
        for variant in 0..<600 {
            let target = Self.city.addresses[Int.random(in: 0..<Self.city.addresses.count, using: &random)]
            let text = GeoBenchmark.typedAddress(target, variant: variant)
            let first = Self.index.search(text).first
            if first.map({ Geodesy.distance($0.coordinate, target.coordinate) > 0.01 || !$0.label.hasPrefix(target.label) }) ?? true {
                wrong.append("\(text) → \(first?.label ?? "nothing") (wanted \(target.label))")
            }
        }
        #expect(wrong.isEmpty, "\(wrong.count) wrong: \(wrong.prefix(5))")
    }

    @Test func theSuffixTypedPicksBetweenTwoStreetsOfTheSameName() throws {
        // Index 1's stem is used by "<stem> Rd" and "<stem> Dr".
        let road = try #require(Self.city.streets.first { $0.name.hasSuffix(" Rd") }).name
        let stem = String(road.dropLast(3))
        #expect(Self.index.search("105 \(stem) Road").first?.label == "105 \(road)")
        #expect(Self.index.search("105 \(stem) Drive").first?.label == "105 \(stem) Dr")
    }

    @Test func reverseLookupAmong200000FindsTheAddressItself() throws {
        var random = SplitMix64(seed: 12)
        for _ in 0..<200 {
            let target = Self.city.addresses[Int.random(in: 0..<Self.city.addresses.count, using: &random)]
            let found = try #require(Self.index.nearest(to: target.coordinate))
            #expect(found.distance < 0.01 && found.label == target.label)
        }
    }
}
