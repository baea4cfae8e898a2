import Foundation
import RTCCStore
import SQLKit
import Testing

/// An in-memory store lives in a temporary file while open and leaves nothing behind.
@Suite struct InMemoryStoreTests {
    @Test func anInMemoryStoreRemovesItsFileWhenShutDown() async throws {
        let store = try Store(location: .memory)
        let path = try #require(store.inMemoryBackingPath)
        try await store.migrate()
        try await store.sql.raw("SELECT 1").run()
        #expect(FileManager.default.fileExists(atPath: path))
        await store.shutdown()
        #expect(!FileManager.default.fileExists(atPath: path))
    }

    @Test func anInMemoryStoreDroppedWithoutShutdownStillRemovesItsFile() async throws {
        var path: String?
        do {
            let store = try Store(location: .memory)
            path = store.inMemoryBackingPath
            try await store.migrate()
            #expect(FileManager.default.fileExists(atPath: try #require(path)))
        }
        #expect(!FileManager.default.fileExists(atPath: try #require(path)))
    }

    @Test func twoInMemoryStoresDoNotShareData() async throws {
        let first = try Store(location: .memory)
        let second = try Store(location: .memory)
        #expect(first.inMemoryBackingPath != second.inMemoryBackingPath)
        try await first.migrate()
        try await second.migrate()
        try await first.sql.raw("CREATE TABLE only_here (x INTEGER)").run()
        await #expect(throws: (any Error).self) { try await second.sql.raw("SELECT * FROM only_here").run() }
        await first.shutdown()
        await second.shutdown()
    }

    @Test func aFileStoreHasNoInMemoryBackingPath() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("rtcc-store-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = try Store(location: .sqlite(path: directory.appendingPathComponent("index.sqlite3").path))
        #expect(store.inMemoryBackingPath == nil)
    }
}
