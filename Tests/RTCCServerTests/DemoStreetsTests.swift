import Foundation
import RTCCCore
import RTCCGeo
import Testing

/// The demo's street map: every corner a demo city camera is named after is an intersection address search finds, next
/// to the camera.
@Suite struct DemoStreetsTests {
    static let index = AddressIndex(
        addresses: DemoStreets.addresses().map {
            AddressPoint(number: String($0.number), street: $0.street, coordinate: Coordinate(latitude: $0.location.latitude, longitude: $0.location.longitude))
        },
        streets: DemoStreets.streets.map { street in
            StreetLine(name: street.name, parts: [street.points.map { Coordinate(latitude: $0.latitude, longitude: $0.longitude) }])
        })

    @Test func everyCameraCornerIsAnIntersectionNearTheCamera() throws {
        let city = DemoCity(now: Date(timeIntervalSince1970: 1_795_000_000), streamBase: "rtsp://127.0.0.1:8554")
        let corners = city.cityCameras.filter { $0.kind == .city }
        #expect(corners.count >= 20)
        for camera in corners {
            let corner = camera.name.replacingOccurrences(of: #" \((NE|SW)\)$"#, with: "", options: .regularExpression)
            let found = try #require(Self.index.search(corner).first, "\(corner)")
            #expect(found.kind == .intersection && found.quality == .exact, "\(corner): \(found)")
            let distance = Geodesy.distance(found.coordinate, Coordinate(latitude: camera.location.latitude, longitude: camera.location.longitude))
            #expect(distance < 60, "\(corner) is \(Int(distance)) m from its camera")
        }
    }

    @Test func theMainStreetsHaveAddressesOnBothSides() {
        for name in ["Texas St", "Milam St", "Travis St", "Crockett St", "Market St", "Spring St", "Edwards St", "McNeil St", "Common St",
                     "Louisiana Ave", "Marshall St", "Fannin St", "Clyde Fant Pkwy"] {
            let numbers = DemoStreets.addresses().filter { $0.street == name }.map(\.number)
            #expect(numbers.contains { $0 % 2 == 1 } && numbers.contains { $0 % 2 == 0 }, "\(name)")
            #expect(Set(numbers).count == numbers.count, "\(name) numbers are unique")
        }
        #expect(Self.index.search("401 Texas Street").first?.quality == .abbreviation)
    }
}

/// A demo partner's address leads to that partner: "401 Texas St" is the grocery whose cameras see it.
@Suite struct DemoPartnerAddressTests {
    @Test func everyDowntownPartnerAddressIsFoundAmongItsCameras() throws {
        let city = DemoCity(now: Date(timeIntervalSince1970: 1_795_000_000), streamBase: "rtsp://127.0.0.1:8554")
        var checked = 0
        for site in city.partners {
            let address = site.partner.address.split(separator: ",").first.map(String.init) ?? ""
            guard let number = Int(address.prefix(while: \.isNumber)), DemoStreets.addresses().contains(where: {
                $0.number == number && address.hasSuffix($0.street)
            }) else { continue }
            let found = try #require(DemoStreetsTests.index.search(address).first, "\(address)")
            #expect(found.kind == .address && found.quality == .exact, "\(address): \(found)")
            let nearest = site.cameras.map {
                Geodesy.distance(found.coordinate, Coordinate(latitude: $0.location.latitude, longitude: $0.location.longitude))
            }.min() ?? .infinity
            #expect(nearest < 60, "\(address) is \(Int(nearest)) m from the nearest of \(site.partner.name)'s cameras")
            checked += 1
        }
        #expect(checked >= 6, "the downtown partners' addresses are on demo streets")
    }
}
