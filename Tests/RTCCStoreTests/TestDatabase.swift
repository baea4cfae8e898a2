import Foundation
import RTCCStore
import SQLKit
import Testing

/// The databases every repository test runs against.
enum Backend: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case sqlite, postgres

    var testDescription: String { rawValue }

    /// Runs `body` against a fresh, migrated store of this backend and removes it afterwards.
    /// PostgreSQL comes from `RTCC_TEST_POSTGRES_URL` (set by scripts/test.sh, which starts a server on loopback);
    /// each test gets its own database, created from scratch.
    func withStore(_ body: (Store) async throws -> Void) async throws {
        switch self {
        case .sqlite:
            let store = try Store(location: .memory)
            try await store.migrate()
            do { try await body(store) } catch { await store.shutdown(); throw error }
            await store.shutdown()
        case .postgres:
            guard let admin = ProcessInfo.processInfo.environment["RTCC_TEST_POSTGRES_URL"] else {
                Issue.record("RTCC_TEST_POSTGRES_URL is not set: run the suite with scripts/test.sh, which starts PostgreSQL")
                return
            }
            guard var components = URLComponents(string: admin), ["127.0.0.1", "localhost", "::1"].contains(components.host ?? "") else {
                Issue.record("RTCC_TEST_POSTGRES_URL must point at a loopback server: tests create and drop databases")
                return
            }
            let name = "rtcc_test_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(16)
            let adminStore = try Store(location: .postgres(url: admin))
            try await adminStore.sql.raw("CREATE DATABASE \(unsafeRaw: name)").run()
            components.path = "/" + name
            let store = try Store(location: .postgres(url: components.string ?? admin))
            var failure: (any Error)?
            do {
                try await store.migrate()
                try await body(store)
            } catch { failure = error }
            await store.shutdown()
            try await adminStore.sql.raw("DROP DATABASE IF EXISTS \(unsafeRaw: name)").run()
            await adminStore.shutdown()
            if let failure { throw failure }
        }
    }
}
