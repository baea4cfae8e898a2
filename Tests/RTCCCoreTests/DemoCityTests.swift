import Foundation
import RTCCCore
import Testing

@Suite struct DemoCityTests {
    let city = DemoCity(now: Date(timeIntervalSince1970: 1_795_000_000), streamBase: "rtsp://127.0.0.1:8554")

    @Test func demoHasAHundredPartnerCamerasFromTwelvePartners() throws {
        #expect(city.partners.count >= 12)
        #expect(city.partners.reduce(0) { $0 + $1.cameras.count } >= 100)
        #expect(Set(city.partners.map(\.partner.kind)) == [.business, .homeowner])
        for site in city.partners { try site.partner.validate() }
    }

    @Test func everyDemoCameraIsValidAndInShreveport() throws {
        let all = city.partners.flatMap(\.cameras) + city.cityCameras
        var names = Set<String>()
        for var camera in all {
            camera.partnerID = camera.kind == .partner ? UUID() : nil
            _ = try camera.validated()
            #expect((32.44...32.54).contains(camera.location.latitude), "\(camera.name)")
            #expect((-93.83...(-93.72)).contains(camera.location.longitude), "\(camera.name)")
            #expect(names.insert(camera.name.lowercased()).inserted, "duplicate \(camera.name)")
        }
        #expect(city.cityCameras.contains { $0.kind == .temporary && $0.tags.contains("fairgrounds") })
    }

    @Test func incidentHistoryCoversAYear() {
        let first = city.incidents.first?.occurredAt ?? .distantFuture
        let last = city.incidents.last?.occurredAt ?? .distantPast
        #expect(city.incidents.count > 1000)
        #expect(last.timeIntervalSince(first) > 360 * 86_400)
        #expect(city.incidents.contains { $0.weaponRecovered })
    }

    @Test func demoIsTheSameEveryTime() {
        let again = DemoCity(now: Date(timeIntervalSince1970: 1_795_000_000), streamBase: "rtsp://127.0.0.1:8554")
        #expect(again.incidents.map(\.id) == city.incidents.map(\.id))
        #expect(again.cityCameras == city.cityCameras)
    }
}
