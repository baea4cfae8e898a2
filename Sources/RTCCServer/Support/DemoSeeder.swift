import Foundation
import RTCCCore
import RTCCStore

/// Fills an empty store with the Shreveport demo city and one sign-in per role.
public struct DemoSeeder: Sendable {
    /// A demo sign-in.
    public struct Login: Sendable, Codable {
        /// User name.
        public var username: String
        /// Password.
        public var password: String
        /// Role.
        public var role: Role
    }

    let services: AppServices

    /// Creates a seeder over open services.
    public init(services: AppServices) { self.services = services }

    /// What the demo holds: its sign-ins and how many simulated streams its cameras use.
    public struct Seeded: Sendable {
        /// One sign-in per role.
        public var logins: [Login]
        /// Camera feeds (`/cam001` … `/camNNN`) the demo's cameras point at.
        public var streams: Int
        /// The name of the camera on each feed, by feed number (1 for `/cam001`), to burn into its picture.
        public var captions: [Int: String] = [:]
    }

    /// The camera name on each simulated feed of `city`, by feed number.
    static func captions(of city: DemoCity) -> [Int: String] {
        var captions: [Int: String] = [:]
        for camera in city.partners.flatMap(\.cameras) + city.cityCameras {
            guard let url = camera.mainStreamURL, let range = url.range(of: "/cam", options: .backwards),
                let number = Int(url[range.upperBound...]) else { continue }
            captions[number] = camera.name
        }
        return captions
    }

    /// Seeds when the registry is empty; returns the demo sign-ins (kept, mode 0600, in `<data>/demo-logins.json`).
    public func seedIfEmpty(streamBase: String, now: Date = Date()) async throws -> Seeded {
        let loginsFile = URL(fileURLWithPath: services.config.dataDirectory).appendingPathComponent("demo-logins.json")
        let city = DemoCity(now: now, streamBase: streamBase)
        let streams = city.partners.flatMap(\.cameras).filter { $0.mainStreamURL != nil }.count + city.cityCameras.count
        if try await services.store.cameras.count() > 0, let data = FileManager.default.contents(atPath: loginsFile.path),
            let logins = try? JSONDecoder().decode([Login].self, from: data)
        {
            return Seeded(logins: logins, streams: streams, captions: Self.captions(of: city))
        }
        var records: [CameraRecord] = []
        var firstPartner: UUID?
        for site in city.partners {
            let partner = try await services.store.partners.create(site.partner, now: now)
            firstPartner = firstPartner ?? partner.id
            for var camera in site.cameras {
                camera.partnerID = partner.id
                records.append(CameraRecord(camera: try camera.validated(), sealedSecrets: nil, label: camera.name))
            }
        }
        for camera in city.cityCameras {
            // City cameras carry credentials, as real ones do; they are sealed like any other.
            var draft = camera
            draft.mainStreamURL = camera.mainStreamURL.map { $0.replacingOccurrences(of: "rtsp://", with: "rtsp://viewer:demo-viewer@") }
            let valid = try draft.validated()
            let secrets = CameraSecrets(main: valid.mainCredentials, sub: valid.subCredentials)
            records.append(CameraRecord(camera: valid, sealedSecrets: try services.cipher.seal(secrets), label: camera.name))
        }
        let created = try await services.store.cameras.createAll(records, now: now)
        for venue in city.venues { try await services.store.incidents.insert(venue: venue) }
        // The State Fair's temporary cameras belong to the fair's deployment, which sets their window.
        let trailers = created.filter { $0.kind == .temporary }
        if let window = trailers.first?.activeWindow, let venue = city.venues.first {
            let year = Calendar(identifier: .gregorian).component(.year, from: window.from)
            let fair = try await services.store.deployments.create(
                DeploymentDraft(
                    name: "State Fair of Louisiana \(year)", notes: "Fairgrounds trailers on the perimeter; radio channel 4.", venueID: venue.id,
                    area: [venue.polygon], startsAt: window.from, endsAt: window.until),
                by: "system", now: now)
            _ = try await services.store.deployments.setCameras(deploymentID: fair.id, cameraIDs: trailers.map(\.id), now: now)
        }
        try await services.store.incidents.insert(city.incidents)
        // Published yearly homicide totals (the incident data covers only the past year) and a weapons-recovered log.
        let year = Calendar(identifier: .gregorian).component(.year, from: now)
        let published: [(Int, Int)] = [(1993, 86)] + zip((year - 10)..<year, [35, 39, 42, 48, 61, 80, 74, 66, 59, 57]).map { ($0, $1) }
        try await services.store.impact.replace(annualCounts: published.map { AnnualCount(year: $0.0, category: .homicide, count: $0.1, source: "city annual crime report") })
        var generator = SeededGenerator(seed: 86)
        let weapons = (0..<40).map { number in
            WeaponRecovery(
                recoveredAt: now.addingTimeInterval(-Double(UInt64.random(in: 3600...(330 * 86_400), using: &generator))),
                kind: [.handgun, .handgun, .handgun, .rifle, .shotgun, .other][Int.random(in: 0..<6, using: &generator)],
                caseNumber: String(format: "%02d-%06d", year % 100, 4000 + number), rtccAssisted: Int.random(in: 0..<3, using: &generator) == 0)
        }
        try await services.store.impact.insert(weapons: weapons, now: now)
        var logins: [Login] = []
        for role in Role.allCases {
            let login = Login(username: role == .admin ? "admin" : "demo-\(role.rawValue)", password: SecretToken.generate().prefix(16).description, role: role)
            try await services.store.users.create(
                username: login.username, displayName: "Demo \(role.rawValue)", role: role, partnerID: role == .partner ? firstPartner : nil,
                passwordHash: try await services.passwords.hash(login.password), now: now)
            logins.append(login)
        }
        let map = try await seedStreets(now: now)
        try await services.audit.append(AuditEvent(
            actor: "system", action: "demo.seed", detail: "\(records.count) cameras, \(city.partners.count) partners, \(city.incidents.count) incidents, \(map.streets) streets, \(map.addresses) addresses"))
        try JSONEncoder().encode(logins).write(to: loginsFile)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: loginsFile.path)
        return Seeded(logins: logins, streams: streams, captions: Self.captions(of: city))
    }
}
