import Foundation
import Testing

@testable import RTCCMedia

/// An index that refuses every report while `down` is set, and keeps the newest version of each segment otherwise.
actor FlakyIndex: RecordingIndex {
    var down = false
    private(set) var stored: [UUID: RecordedSegment] = [:]
    private(set) var calls = 0

    func setDown(_ value: Bool) { down = value }

    private func store(_ segment: RecordedSegment) throws {
        calls += 1
        if down { throw FlakyIndexDown() }
        stored[segment.id] = segment
    }

    func opened(_ segment: RecordedSegment) async throws { try store(segment) }
    func progressed(_ segment: RecordedSegment) async throws { try store(segment) }
    func sealed(_ segment: RecordedSegment) async throws { try store(segment) }
}

struct FlakyIndexDown: Error {}

/// An index that refuses for good every report of the segments in `fenced` (another writer holds their camera).
actor FencingIndex: RecordingIndex {
    let fenced: Set<UUID>
    private(set) var stored: [UUID: RecordedSegment] = [:]
    private(set) var calls = 0

    init(fenced: Set<UUID>) { self.fenced = fenced }

    private func store(_ segment: RecordedSegment) throws {
        calls += 1
        if fenced.contains(segment.id) { throw RecordingReportRefused(reason: "another writer holds the camera") }
        stored[segment.id] = segment
    }

    func opened(_ segment: RecordedSegment) async throws { try store(segment) }
    func progressed(_ segment: RecordedSegment) async throws { try store(segment) }
    func sealed(_ segment: RecordedSegment) async throws { try store(segment) }
}

@Suite(.timeLimit(.minutes(1))) struct QueuedRecordingIndexTests {
    static func segment(_ n: Int, sealed: Bool = false, frames: Int = 25) -> RecordedSegment {
        let start = Date(timeIntervalSince1970: 1_790_000_000 + Double(n) * 60)
        return RecordedSegment(
            id: UUID(uuidString: String(format: "00000000-0000-0000-0000-%012d", n))!, cameraID: UUID(), stream: "main", path: "/r/\(n).mp4",
            start: start, end: start.addingTimeInterval(Double(frames) / 25), bytes: Int64(frames * 1000), frames: frames, gaps: [],
            codec: "avc1.640028", sha256: sealed ? String(repeating: "a", count: 64) : nil)
    }

    @Test func aReportRefusedForGoodIsDroppedOnceAndTheOthersAreStillStored() async throws {
        let fenced = Self.segment(1)
        let inner = FencingIndex(fenced: [fenced.id])
        let queue = QueuedRecordingIndex(inner: inner, journal: nil)
        let drain = Task { await queue.run() }
        defer { drain.cancel() }
        try await queue.opened(Self.segment(0))
        try await queue.opened(fenced)
        try await queue.opened(Self.segment(2))
        for _ in 0..<50 where await queue.backlog > 0 { try await Task.sleep(for: .milliseconds(20)) }
        #expect(await queue.backlog == 0)
        #expect(await queue.refusedReports == 1)
        #expect(await queue.unavailableSince == nil, "a refusal is not an outage")
        #expect(Set(await inner.stored.keys) == [Self.segment(0).id, Self.segment(2).id])
        #expect(await inner.calls == 3, "the refused report is not retried")
    }

    @Test func reportsReturnAtOnceWhileTheIndexIsDownAndAreAllStoredOnceItIsBack() async throws {
        let directory = try ExternalTool.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let inner = FlakyIndex()
        await inner.setDown(true)
        let queue = QueuedRecordingIndex(inner: inner, journal: directory.appendingPathComponent("journal.jsonl"))
        let drain = Task { await queue.run() }
        defer { drain.cancel() }
        let started = ContinuousClock.now
        for n in 0..<50 {
            try await queue.opened(Self.segment(n))
            try await queue.progressed(Self.segment(n, frames: 50))
            try await queue.sealed(Self.segment(n, sealed: true, frames: 60))
        }
        #expect(ContinuousClock.now - started < .seconds(1), "reports never wait for the index")
        #expect(await queue.backlog == 50, "one queued report per segment: the newest")
        try await Task.sleep(for: .milliseconds(600))
        #expect(await queue.unavailableSince != nil)
        // A late progress report never undoes a seal.
        try await queue.progressed(Self.segment(7, frames: 55))
        await inner.setDown(false)
        for _ in 0..<100 where await queue.backlog > 0 { try await Task.sleep(for: .milliseconds(100)) }
        #expect(await queue.backlog == 0)
        let stored = await inner.stored
        #expect(stored.count == 50)
        #expect(stored.values.allSatisfy { $0.sha256 != nil && $0.frames == 60 }, "every segment ends sealed with its final counts")
        #expect(await queue.unavailableSince == nil)
        let journal = try Data(contentsOf: directory.appendingPathComponent("journal.jsonl"))
        #expect(journal.isEmpty, "the journal is emptied once everything in it is stored")
    }

    @Test func reportsLeftInTheJournalByAStoppedServerAreStoredByTheNextOne() async throws {
        let directory = try ExternalTool.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let journal = directory.appendingPathComponent("journal.jsonl")
        let down = FlakyIndex()
        await down.setDown(true)
        let first = QueuedRecordingIndex(inner: down, journal: journal)
        for n in 0..<5 { try await first.sealed(Self.segment(n, sealed: true)) }
        try await first.opened(Self.segment(5))
        #expect(await first.storeQueued() == false)
        // The server stops here (its queue is gone), and a line is torn by the crash.
        let handle = try FileHandle(forWritingTo: journal)
        try handle.seekToEnd()
        try handle.write(contentsOf: Data("{\"report\":\"sealed\",\"segment\":{\"id\":\"00000".utf8))
        try handle.close()

        let inner = FlakyIndex()
        let next = QueuedRecordingIndex(inner: inner, journal: journal)
        #expect(try await next.replayJournal() == 6)
        #expect(await next.storeQueued())
        let stored = await inner.stored
        #expect(Set(stored.keys) == Set((0..<6).map { Self.segment($0).id }))
        #expect(stored[Self.segment(5).id]?.sha256 == nil && stored[Self.segment(0).id]?.sha256 != nil)
        #expect(try Data(contentsOf: journal).isEmpty)
    }
}
