import Foundation
import RTCCCore
import RTCCGeo
import RTCCStore

extension StreetRecord {
    /// The stored form of an imported centreline, with its canonical name.
    public init(_ line: StreetLine, source: String) {
        self.init(
            name: line.name, normalizedName: AddressNormalizer.normalize(line.name),
            parts: line.parts.map { $0.map { GeoPoint(latitude: $0.latitude, longitude: $0.longitude) } }, source: source)
    }
}

extension AddressRecord {
    /// The stored form of an imported address point, with its street's canonical name.
    public init(_ point: AddressPoint, source: String) {
        self.init(
            number: point.number, street: point.street, normalizedStreet: AddressNormalizer.normalize(point.street), unit: point.unit, city: point.city,
            zip: point.zip, latitude: point.coordinate.latitude, longitude: point.coordinate.longitude, source: source)
    }
}

extension AddressIndex {
    /// An index of stored centrelines and address points.
    public init(streets: [StreetRecord], addresses: [AddressRecord]) {
        self.init(
            addresses: addresses.map {
                AddressPoint(
                    number: $0.number, street: $0.street, unit: $0.unit, city: $0.city, zip: $0.zip,
                    coordinate: Coordinate(latitude: $0.latitude, longitude: $0.longitude))
            },
            streets: streets.map { street in
                StreetLine(name: street.name, parts: street.parts.map { $0.map { Coordinate(latitude: $0.latitude, longitude: $0.longitude) } })
            })
    }
}
