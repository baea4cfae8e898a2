import Foundation
import HTTPTypes
import HummingbirdTesting
import RTCCCore
import RTCCServer
import RTCCStore
import Testing

@Suite struct RecordingAPITests {
    @Test func coverageShowsRecordedAndMissingRangesIncludingGapsInsideSegments() async throws {
        let app = try await TestApp.make()
        let camera = app.cityCamera.id
        let base = Date(timeIntervalSince1970: 1_795_000_000)
        for (minute, gap) in [(0, false), (1, true), (3, false)] {
            let start = base.addingTimeInterval(Double(minute) * 60)
            try await app.services.store.segments.upsert(SegmentRecord(
                id: UUID(), cameraID: camera, stream: "main", path: "/x/\(minute).mp4", start: start, end: start.addingTimeInterval(60), bytes: 10,
                frames: 1500, gaps: gap ? [DateInterval(start: start.addingTimeInterval(20), duration: 10)] : [], codec: "avc1.4d401f",
                sha256: "abc"))
        }
        let from = base.addingTimeInterval(30).ISO8601Format()
        let until = base.addingTimeInterval(300).ISO8601Format()
        try await app.test { client async throws in
            let response = try await client.execute(
                uri: "/api/v1/cameras/\(camera)/recordings?from=\(from)&until=\(until)", method: .get, headers: app.headers(.analyst))
            #expect(response.status == .ok)
            let body = try #require(try response.json() as? [String: Any])
            let recorded = try #require(body["recorded"] as? [[String: String]])
            let missing = try #require(body["missing"] as? [[String: String]])
            func t(_ seconds: Double) -> String { base.addingTimeInterval(seconds).ISO8601Format() }
            #expect(recorded == [["from": t(30), "until": t(80)], ["from": t(90), "until": t(120)], ["from": t(180), "until": t(240)]])
            #expect(missing == [["from": t(80), "until": t(90)], ["from": t(120), "until": t(180)], ["from": t(240), "until": t(300)]])
            #expect((body["segments"] as? [Any])?.count == 3)
            let bad = try await client.execute(uri: "/api/v1/cameras/\(camera)/recordings?from=\(until)&until=\(from)", method: .get, headers: app.headers(.analyst))
            #expect(bad.status == .badRequest)
        }
        #expect(try await app.services.audit.entries(action: "recordings.search").first?.target == "camera:\(camera)")
    }

    @Test func coverageOfACameraRecordedTwiceListsWhatEachCopyLacks() async throws {
        let app = try await TestApp.make()
        let camera = app.cityCamera.id
        let base = Date(timeIntervalSince1970: 1_795_000_000)
        // Copy 0 (node a) misses 60–120 s; copy 1 (node b) holds 30–150 s.
        for (from, until, node, copy) in [(0.0, 60.0, "a", 0), (120.0, 180.0, "a", 0), (30.0, 90.0, "b", 1), (90.0, 150.0, "b", 1)] {
            try await app.services.store.segments.upsert(SegmentRecord(
                id: UUID(), cameraID: camera, stream: "main", path: "/x/\(node)\(from).mp4", start: base.addingTimeInterval(from),
                end: base.addingTimeInterval(until), bytes: 10, frames: 1500, gaps: [], codec: "avc1.4d401f", sha256: "abc", node: node, copy: copy))
        }
        @Sendable func t(_ seconds: Double) -> String { base.addingTimeInterval(seconds).ISO8601Format() }
        try await app.test { client async throws in
            let response = try await client.execute(
                uri: "/api/v1/cameras/\(camera)/recordings?from=\(t(0))&until=\(t(180))", method: .get, headers: app.headers(.analyst))
            #expect(response.status == .ok)
            let body = try #require(try response.json() as? [String: Any])
            #expect((body["missing"] as? [Any])?.isEmpty == true, "together the copies hold all 180 s")
            let copies = try #require(body["copies"] as? [[String: Any]])
            #expect(copies.map { $0["copy"] as? Int } == [0, 1])
            #expect(copies.map { $0["nodes"] as? [String] } == [["a"], ["b"]])
            #expect(copies[0]["lacking"] as? [[String: String]] == [["from": t(60), "until": t(120)]])
            #expect(copies[1]["lacking"] as? [[String: String]] == [["from": t(0), "until": t(30)], ["from": t(150), "until": t(180)]])
            let segments = try #require(body["segments"] as? [[String: Any]])
            #expect(Set(segments.compactMap { "\($0["node"] as? String ?? "-")/\($0["copy"] as? Int ?? -1)" }) == ["a/0", "b/1"])
        }
    }
}
