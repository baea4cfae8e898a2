import Foundation
import RTCCCore
import RTCCGeo
import RTCCStore

extension DemoSeeder {
    /// Stores the demo's downtown street centrelines and their generated address points (``DemoStreets``).
    /// Returns how many of each were stored.
    func seedStreets(now: Date) async throws -> (streets: Int, addresses: Int) {
        let streets = DemoStreets.streets.map { street in
            StreetRecord(name: street.name, normalizedName: AddressNormalizer.normalize(street.name), parts: [street.points], source: "demo")
        }
        let addresses = DemoStreets.addresses().map { address in
            AddressRecord(
                number: String(address.number), street: address.street, normalizedStreet: AddressNormalizer.normalize(address.street), city: "Shreveport",
                zip: "71101", latitude: address.location.latitude, longitude: address.location.longitude, source: "demo")
        }
        try await services.store.addresses.replaceStreets(streets, now: now)
        try await services.store.addresses.replaceAddresses(addresses, now: now)
        return (streets.count, addresses.count)
    }
}
