import Foundation
import RTCCCore
import RTCCStore
import Testing

/// The audit log's search, as the auditor's screen uses it, on both databases.
@Suite struct AuditSearchTests {
    static let start = Date(timeIntervalSince1970: 1_795_000_000)

    /// Appends entries one minute apart from ``start``, in order.
    func fill(_ log: AuditLog, _ events: [AuditEvent]) async throws {
        for (index, event) in events.enumerated() { try await log.append(event, at: Self.start.addingTimeInterval(Double(index) * 60)) }
    }

    @Test(arguments: Backend.allCases)
    func actionPrefixMatchesOnlyWhatStartsWithItCaseSensitively(_ backend: Backend) async throws {
        try await backend.withStore { (store: Store) async throws in
            let log = AuditLog(store: store)
            try await fill(log, [
                AuditEvent(actor: "a", action: "auth.login"), AuditEvent(actor: "a", action: "auth.login_failed"),
                AuditEvent(actor: "a", action: "authx.other"), AuditEvent(actor: "a", action: "Auth.login"), AuditEvent(actor: "a", action: "cameras.view"),
            ])
            let found = try await log.entries(AuditQuery(action: .prefix("auth.")))
            #expect(found.map(\.action) == ["auth.login_failed", "auth.login"])
            #expect(try await log.entries(AuditQuery(action: .exactly("auth.login"))).map(\.sequence) == [1])
            #expect(try await log.entries(AuditQuery(action: .prefix(""))).count == 5)
        }
    }

    @Test(arguments: Backend.allCases)
    func wildcardCharactersInAPrefixAreLiteral(_ backend: Backend) async throws {
        try await backend.withStore { (store: Store) async throws in
            let log = AuditLog(store: store)
            try await fill(log, [
                AuditEvent(actor: "a", action: "x", target: "a_b:1"), AuditEvent(actor: "a", action: "x", target: "aXb:2"),
                AuditEvent(actor: "a", action: "x", target: "100%:3"), AuditEvent(actor: "a", action: "x", target: "1000:4"),
                AuditEvent(actor: "a", action: "x", target: "café:5"), AuditEvent(actor: "a", action: "x", target: "cafe:6"),
            ])
            #expect(try await log.entries(AuditQuery(target: .prefix("a_b"))).map(\.target) == ["a_b:1"])
            #expect(try await log.entries(AuditQuery(target: .prefix("100%"))).map(\.target) == ["100%:3"])
            #expect(try await log.entries(AuditQuery(target: .prefix("café:"))).map(\.target) == ["café:5"])
        }
    }

    @Test(arguments: Backend.allCases)
    func everyFilterMustHold(_ backend: Backend) async throws {
        try await backend.withStore { (store: Store) async throws in
            let log = AuditLog(store: store)
            try await fill(log, [
                AuditEvent(actor: "analyst", action: "video.unmask", target: "camera:1", source: "10.0.0.5", purpose: "case 26-1"),
                AuditEvent(actor: "analyst", action: "video.unmask", target: "camera:2", source: "10.0.0.6", purpose: "case 26-1"),
                AuditEvent(actor: "officer", action: "video.unmask", target: "camera:1", source: "10.0.0.5", purpose: "case 26-2"),
                AuditEvent(actor: "analyst", action: "cameras.view", target: "camera:1", source: "10.0.0.5", purpose: "case 26-1"),
                AuditEvent(actor: "analyst", action: "video.unmask", target: "camera:1", source: "10.0.0.5"),
            ])
            let query = AuditQuery(
                actor: .exactly("analyst"), action: .exactly("video.unmask"), target: .exactly("camera:1"), purpose: .exactly("case 26-1"),
                source: .exactly("10.0.0.5"))
            #expect(try await log.entries(query).map(\.sequence) == [1])
            #expect(try await log.entries(AuditQuery(purpose: .prefix("case 26-"))).map(\.sequence) == [4, 3, 2, 1])
            #expect(try await log.entries(AuditQuery(source: .exactly("10.0.0.6"))).map(\.sequence) == [2])
        }
    }

    @Test(arguments: Backend.allCases)
    func timeRangeIncludesFromAndExcludesUntil(_ backend: Backend) async throws {
        try await backend.withStore { (store: Store) async throws in
            let log = AuditLog(store: store)
            try await fill(log, (0..<5).map { AuditEvent(actor: "a", action: "step\($0)") })
            let from = Self.start.addingTimeInterval(60), until = Self.start.addingTimeInterval(180)
            #expect(try await log.entries(AuditQuery(from: from, until: until)).map(\.action) == ["step2", "step1"])
            #expect(try await log.entries(AuditQuery(from: from)).map(\.action) == ["step4", "step3", "step2", "step1"])
            #expect(try await log.entries(AuditQuery(until: until)).map(\.action) == ["step2", "step1", "step0"])
            #expect(try await log.entries(AuditQuery(action: .prefix("step")), limit: 2, offset: 1).map(\.action) == ["step3", "step2"])
        }
    }

    @Test func searchTextEndingInAStarIsAPrefixAndAStarElsewhereIsRefused() {
        #expect(AuditQuery.Match(searchText: "auth.*") == .prefix("auth."))
        #expect(AuditQuery.Match(searchText: "auth.login") == .exactly("auth.login"))
        #expect(AuditQuery.Match(searchText: "*") == .prefix(""))
        #expect(AuditQuery.Match(searchText: "a*b") == nil)
        #expect(AuditQuery.Match(searchText: "**") == nil)
    }
}
