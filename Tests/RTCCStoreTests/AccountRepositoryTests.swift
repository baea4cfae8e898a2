import Foundation
import RTCCCore
import RTCCStore
import Testing

@Suite struct AccountRepositoryTests {
    @Test(arguments: Backend.allCases)
    func usersAreUniqueAndLockoutIsStored(_ backend: Backend) async throws {
        try await backend.withStore { (store: Store) async throws in
            let user = try await store.users.create(username: "ana", displayName: "Ana", role: .analyst, passwordHash: "h")
            await #expect(throws: StoreError.duplicate(field: "username", value: "ana")) {
                try await store.users.create(username: "ana", displayName: "Other", role: .officer, passwordHash: "h")
            }
            let until = Date(timeIntervalSince1970: 1_795_000_000)
            try await store.users.recordSignIn(id: user.id, succeeded: false, failedLogins: 5, lockedUntil: until)
            let locked = try #require(try await store.users.credentials(username: "ana"))
            #expect(locked.failedLogins == 5 && locked.lockedUntil == until)
            #expect(try await store.users.setPassword(username: "ana", passwordHash: "h2"))
            let reset = try #require(try await store.users.credentials(username: "ana"))
            #expect(reset.failedLogins == 0 && reset.lockedUntil == nil && reset.passwordHash == "h2")
        }
    }

    @Test(arguments: Backend.allCases)
    func sessionsStoreOnlyADigestAndEnd(_ backend: Backend) async throws {
        try await backend.withStore { (store: Store) async throws in
            let user = try await store.users.create(username: "ofc", displayName: "Officer", role: .officer, passwordHash: "h")
            let token = try await store.sessions.start(userID: user.id, source: "10.1.1.1")
            let session = try #require(try await store.sessions.find(token: token))
            #expect(session.tokenHash != token)
            #expect(session.userId == user.id)
            try await store.sessions.end(id: session.id)
            #expect(try await store.sessions.find(token: token) == nil)
        }
    }

    @Test(arguments: Backend.allCases)
    func tokensAuthenticateUntilRevokedOrExpired(_ backend: Backend) async throws {
        try await backend.withStore { (store: Store) async throws in
            let user = try await store.users.create(username: "adm", displayName: "Admin", role: .admin, passwordHash: "h")
            let issued = try await store.tokens.issue(name: "cad feed", ownerID: user.id, scopes: [.camerasRead], expiresAt: nil)
            #expect(try await store.tokens.authenticate(secret: issued.secret)?.scopes == [.camerasRead])
            #expect(try await store.tokens.authenticate(secret: issued.secret + "x") == nil)
            #expect(try await store.tokens.revoke(id: issued.token.id))
            #expect(try await store.tokens.authenticate(secret: issued.secret) == nil)
            let expired = try await store.tokens.issue(name: "old", ownerID: user.id, scopes: [.camerasRead], expiresAt: Date().addingTimeInterval(-1))
            #expect(try await store.tokens.authenticate(secret: expired.secret) == nil)
        }
    }

    @Test(arguments: Backend.allCases)
    func partnerWithCamerasCannotBeDeleted(_ backend: Backend) async throws {
        try await backend.withStore { (store: Store) async throws in
            let partner = try await store.partners.create(PartnerDraft(name: "Shop", kind: .business, contactName: "C", email: "c@example.org", address: "1 Main"))
            let draft = CameraDraft(name: "Shop cam", kind: .partner, partnerID: partner.id, location: GeoPoint(latitude: 32.5, longitude: -93.7))
            try await store.cameras.create(CameraRecord(camera: try draft.validated(), sealedSecrets: nil))
            await #expect(throws: PartnerInUse.self) { try await store.partners.delete(id: partner.id) }
            #expect(try await store.partners.find(id: partner.id) != nil)
        }
    }

    @Test(arguments: Backend.allCases)
    func partnerWithUserAccountsCannotBeDeletedAndSaysWhy(_ backend: Backend) async throws {
        try await backend.withStore { (store: Store) async throws in
            let partner = try await store.partners.create(PartnerDraft(name: "Shop", kind: .business, contactName: "C", email: "c@example.org", address: "1 Main"))
            _ = try await store.users.create(username: "shopkeeper", displayName: "Shop", role: .partner, partnerID: partner.id, passwordHash: "h")
            let refusal = await #expect(throws: PartnerInUse.self) { try await store.partners.delete(id: partner.id) }
            #expect(refusal?.users == 1)
            #expect(refusal?.description.contains("1 user account(s)") == true)
            #expect(try await store.partners.find(id: partner.id) != nil)
        }
    }

    @Test(arguments: Backend.allCases)
    func incidentsAndVenuesRoundTrip(_ backend: Backend) async throws {
        try await backend.withStore { (store: Store) async throws in
            let city = DemoCity(now: Date(timeIntervalSince1970: 1_795_000_000), streamBase: "rtsp://x")
            try await store.incidents.insert(Array(city.incidents.prefix(300)))
            try await store.incidents.insert(venue: city.venues[0])
            let page = try await store.incidents.list(from: nil, until: nil, category: nil, limit: 10, offset: 0)
            #expect(page.total == 300)
            #expect(page.items.first?.occurredAt == city.incidents.prefix(300).map(\.occurredAt).max())
            #expect(try await store.incidents.venues() == city.venues)
        }
    }
}
