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
}
