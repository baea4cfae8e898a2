import Foundation
import Logging

/// Puts a ``RecordingIndex`` behind a queue so that recording never waits on it.
///
/// Reports return at once: each is appended to a journal file beside the recordings and queued, keeping only the newest
/// report of each segment (a segment's reports are whole descriptions, each superseding the last). A drain task hands
/// them to the inner index oldest first and retries a failed one with back-off (0.2 s doubling to 5 s) until it is
/// stored, so a database that stalls or stops loses nothing and the writer keeps writing. The journal is made durable
/// (`fsync`) before each drain round and emptied once everything in it is stored; ``replayJournal()`` queues what a
/// stopped server left in it.
public actor QueuedRecordingIndex: RecordingIndex {
    /// What was reported of a segment.
    enum Report: String, Codable, Sendable {
        case opened, progressed, sealed
    }

    /// One journal line: a report and the segment as reported.
    struct Entry: Codable, Sendable {
        var report: Report
        var segment: RecordedSegment

        init(_ report: Report, _ segment: RecordedSegment) {
            self.report = report
            self.segment = segment
        }

        var id: UUID { segment.id }
    }

    private let inner: any RecordingIndex
    private let journalURL: URL?
    private let logger: Logger
    private var journal: FileHandle?
    private var pending: [UUID: Entry] = [:]
    private var order: [UUID] = []
    private var wake: AsyncStream<Void>.Continuation?
    private var failingSince: Date?
    /// When each queued segment's oldest unstored report was queued.
    private var queuedAt: [UUID: Date] = [:]
    private var failure: String?
    private var refused = 0

    /// Queues reports for `inner`, journaling them to `journal` (nil keeps them in memory only).
    public init(inner: any RecordingIndex, journal: URL?, logger: Logger = Logger(label: "rtcc.media.index-queue")) {
        self.inner = inner
        self.journalURL = journal
        self.logger = logger
    }

    /// Reports waiting to be stored.
    public var backlog: Int { pending.count }

    /// Since when the inner index has been refusing reports (nil while it stores them).
    public var unavailableSince: Date? { failingSince }

    /// When the oldest report still waiting to be stored was queued (nil when nothing waits).
    public var oldestPendingSince: Date? { queuedAt.values.min() }

    /// Reports the inner index refused for good (``RecordingReportRefused``) and that were dropped.
    public var refusedReports: Int { refused }

    /// Why the inner index last refused a report (kept after it recovers; nil until the first refusal).
    public var lastError: String? { failure }

    public func opened(_ segment: RecordedSegment) async throws { enqueue(Entry(.opened, segment), journaled: true) }
    public func progressed(_ segment: RecordedSegment) async throws { enqueue(Entry(.progressed, segment), journaled: true) }
    public func sealed(_ segment: RecordedSegment) async throws { enqueue(Entry(.sealed, segment), journaled: true) }

    /// Queues every report a stopped server left in the journal; returns how many segments they concern.
    @discardableResult
    public func replayJournal() throws -> Int {
        guard let journalURL, FileManager.default.fileExists(atPath: journalURL.path) else { return 0 }
        let data = try Data(contentsOf: journalURL)
        var replayed = 0
        let decoder = JSONDecoder()
        for line in data.split(separator: UInt8(ascii: "\n")) where !line.isEmpty {
            // A line torn by a crash mid-write is the journal's last; everything before it is whole.
            guard let entry = try? decoder.decode(Entry.self, from: Data(line)) else {
                logger.warning("recording journal: skipped a torn line")
                continue
            }
            if pending[entry.id] == nil { replayed += 1 }
            enqueue(entry, journaled: false)
        }
        if replayed > 0 { logger.notice("recording journal replayed", metadata: ["segments": "\(replayed)"]) }
        return replayed
    }

    /// Stores queued reports until cancelled; call once.
    public func run() async {
        let (stream, continuation) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
        wake = continuation
        if !pending.isEmpty { continuation.yield() }
        var backoff: Duration = .milliseconds(200)
        for await _ in stream {
            while !pending.isEmpty, !Task.isCancelled {
                syncJournal()
                if await drainOnce() {
                    backoff = .milliseconds(200)
                } else {
                    try? await Task.sleep(for: backoff)
                    backoff = min(backoff * 2, .seconds(5))
                }
            }
            if pending.isEmpty { truncateJournal() }
            if Task.isCancelled { break }
        }
    }

    /// Stops the drain loop after its current round.
    public func finish() { wake?.finish() }

    /// Stores everything queued, retrying for up to `limit` (at shutdown, once the recorders have sealed their last
    /// segments); true when nothing is left. What is still queued after that stays in the journal for the next start.
    public func drain(within limit: Duration) async -> Bool {
        let deadline = ContinuousClock.now + limit
        while true {
            if await storeQueued() { return true }
            guard ContinuousClock.now < deadline else {
                logger.warning("recording index not reachable at shutdown; the journal keeps the reports", metadata: ["queued": "\(pending.count)"])
                return false
            }
            try? await Task.sleep(for: .milliseconds(200))
        }
    }

    /// Tries once to store everything queued (for start-up, before anything reads the index); true when nothing is left.
    public func storeQueued() async -> Bool {
        syncJournal()
        let stored = await drainOnce()
        if stored, pending.isEmpty { truncateJournal() }
        return stored && pending.isEmpty
    }

    // MARK: -

    private func enqueue(_ entry: Entry, journaled: Bool) {
        if journaled { append(entry) }
        if let queued = pending[entry.id] {
            // A sealed report is final: a late progress report never undoes it.
            if queued.report == .sealed, entry.report != .sealed { return }
        } else {
            order.append(entry.id)
            queuedAt[entry.id] = Date()
        }
        pending[entry.id] = entry
        wake?.yield()
    }

    /// Hands every queued report to the inner index, oldest first; false when one was refused (it stays queued).
    private func drainOnce() async -> Bool {
        while let id = order.first {
            guard let entry = pending[id] else {
                order.removeFirst()
                continue
            }
            do {
                switch entry.report {
                case .opened: try await inner.opened(entry.segment)
                case .progressed: try await inner.progressed(entry.segment)
                case .sealed: try await inner.sealed(entry.segment)
                }
            } catch let refusal as RecordingReportRefused {
                // Final: retrying cannot store it. Dropped (the journal forgets it at its next truncation).
                refused += 1
                logger.warning("segment report refused by the index; dropped", metadata: ["segment": "\(id)", "reason": "\(refusal.reason)"])
                pending[id] = nil
                queuedAt[id] = nil
                order.removeFirst()
                continue
            } catch {
                failure = String(describing: error)
                if failingSince == nil {
                    failingSince = Date()
                    logger.error("recording index unavailable; reports are queued and journaled", metadata: ["error": "\(error)"])
                }
                return false
            }
            // A newer report of the same segment may have arrived while this one was stored: keep that one queued.
            if pending[id]?.report == entry.report, pending[id]?.segment == entry.segment {
                pending[id] = nil
                queuedAt[id] = nil
                order.removeFirst()
            } else if let newer = order.firstIndex(of: id) {
                order.remove(at: newer)
                order.append(id)
            }
            if let since = failingSince {
                failingSince = nil
                logger.notice("recording index available again", metadata: ["after": "\(Date().timeIntervalSince(since)) s"])
            }
        }
        return true
    }

    /// The journal, opened for appending (created when missing).
    private func openJournal() throws -> FileHandle? {
        if let journal { return journal }
        guard let journalURL else { return nil }
        try FileManager.default.createDirectory(at: journalURL.deletingLastPathComponent(), withIntermediateDirectories: true)
        if !FileManager.default.fileExists(atPath: journalURL.path) {
            // A file that cannot be created makes the open below throw, with the reason.
            _ = FileManager.default.createFile(atPath: journalURL.path, contents: nil, attributes: [.posixPermissions: 0o600])
        }
        let handle = try FileHandle(forWritingTo: journalURL)
        try handle.seekToEnd()
        journal = handle
        return handle
    }

    private func append(_ entry: Entry) {
        do {
            try openJournal()?.write(contentsOf: try JSONEncoder().encode(entry) + Data("\n".utf8))
        } catch {
            logger.error("recording journal cannot be written; the report is queued in memory only", metadata: ["error": "\(error)"])
        }
    }

    private func syncJournal() {
        do {
            try journal?.synchronize()
        } catch {
            logger.error("recording journal cannot be synced", metadata: ["error": "\(error)"])
        }
    }

    private func truncateJournal() {
        do {
            guard let journal = try openJournal() else { return }
            try journal.truncate(atOffset: 0)
            try journal.seek(toOffset: 0)
            try journal.synchronize()
        } catch {
            logger.error("recording journal cannot be emptied", metadata: ["error": "\(error)"])
        }
    }
}
