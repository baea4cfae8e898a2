import ArgumentParser
import AsyncHTTPClient
import Foundation
import HTTPTypes
import HummingbirdWSClient
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import RTCCServer
import RTCCStore
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// `rtcc bench events`: gunshot detections posted to the intake API at a steady rate by one feed token, with N analysts
/// on the alerts WebSocket; prints the rate achieved, intake response times and intake→pushed latency at every analyst.
struct BenchEvents: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "events",
        abstract: "Post gunshot events at a steady rate to a fresh server with N analysts on the alerts WebSocket; print the rate sustained and intake→pushed latency (p50/p99).",
        discussion: """
            The server runs as a separate process (`rtcc serve`, SQLite on a scratch data folder, recording off) with cameras around \
            the points, so every event is correlated, stored with its bookmarks and audited. Latency is measured from just before \
            each POST to the moment each analyst's socket delivers the alert. The first --warmup seconds (connections being \
            opened, caches filling) are sent at the same rate and checked for losses like the rest, but their latencies are \
            reported apart from the steady state's, which the goal is judged on; a line of p99s, one per second sent, shows \
            both.
            """)

    @Option(help: "Events per second sent.") var rate = 1000
    @Option(help: "Seconds sent.") var seconds = 20
    @Option(help: "Seconds at the start whose latencies are reported apart from the steady state's.") var warmup = 2
    @Option(help: "Analysts on the alerts WebSocket.") var analysts = 50
    @Option(help: "Cameras placed around the event points (each event is correlated with the cameras that see it).") var cameras = 40
    @Option(help: "Requests in flight at most (many sensors and feeds sending at once).") var concurrency = 256
    @Option(help: "Scratch folder (emptied).") var work = "/tmp/rtcc-bench-events"
    @Option(help: "An empty database for the server (a postgres:// URL); default SQLite in the scratch folder.") var database: String?

    func validate() throws {
        guard (1...20_000).contains(rate) else { throw ValidationError("--rate must be 1-20000 events a second") }
        guard (2...600).contains(seconds) else { throw ValidationError("--seconds must be 2-600") }
        guard (0..<seconds).contains(warmup) else { throw ValidationError("--warmup must be 0 to fewer than --seconds") }
        guard (1...1000).contains(analysts) else { throw ValidationError("--analysts must be 1-1000") }
        guard (1...1024).contains(concurrency) else { throw ValidationError("--concurrency must be 1-1024") }
    }

    func run() async throws {
        let root = URL(fileURLWithPath: work)
        try? FileManager.default.removeItem(at: root)
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        let data = root.appendingPathComponent("data").path
        var csv = "name,kind,latitude,longitude,heading_deg,fov_deg,range_m\n"
        for n in 0..<cameras {
            let point = Self.point(n)
            csv += "Bench \(n),city,\(point.latitude - 0.0003),\(point.longitude),0,90,80\n"
        }
        let csvURL = root.appendingPathComponent("cameras.csv")
        try csv.write(to: csvURL, atomically: true, encoding: .utf8)
        var dataArguments = ["--data", data]
        if let database {
            dataArguments += ["--database", database]
            try await Self.requireEmpty(storeArguments: dataArguments)
        }
        let (server, api, _) = try await BenchAPI.startServer(
            cameras: csvURL, storeArguments: dataArguments,
            settings: ["RTCC_RECORDING": "false", "RTCC_INTAKE_EVENTS_PER_SECOND": String(rate * 4)])
        defer { server.stop() }
        let base = api.base
        let token = try await api.issueToken(name: "bench feed", scopes: ["events:write"])
        say("Server \(base) (pid \(server.pid)); \(cameras) cameras; \(analysts) analysts; \(rate) events/s for \(seconds) s")

        let book = SendBook(capacity: rate * seconds)
        let pushes = Collector<EventLatency>()
        let connected = Counter()
        let cpuBefore = cpuSeconds(pid: server.pid)
        let machineBefore = machineCPUTicks()
        let (intake, elapsed) = try await withThrowingTaskGroup(of: Void.self) { group -> ([EventLatency], Double) in
            for _ in 0..<analysts {
                group.addTask { await Self.watch(base: base, cookie: api.cookie, book: book, pushes: pushes, connected: connected) }
            }
            let deadline = ContinuousClock.now + .seconds(10)
            while connected.value < analysts, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(50)) }
            guard connected.value == analysts else { throw CLIError("only \(connected.value) of \(analysts) analysts connected") }
            let started = ContinuousClock.now
            let intake = try await Self.send(base: base, token: token, rate: rate, seconds: seconds, concurrency: concurrency, book: book)
            let elapsed = (ContinuousClock.now - started) / .seconds(1)
            // Pushes still in flight arrive within a few seconds.
            let expected = book.accepted * analysts
            let drain = ContinuousClock.now + .seconds(10)
            while await pushes.count < expected, ContinuousClock.now < drain { try await Task.sleep(for: .milliseconds(100)) }
            group.cancelAll()
            return (intake, elapsed)
        }
        let serverCores = (cpuSeconds(pid: server.pid) - cpuBefore) / max(elapsed, 0.001)
        let steal = stealShare(from: machineBefore, to: machineCPUTicks())
        let stored = try await api.get("/api/v1/alerts?limit=1")["total"] as? Int ?? -1
        let commits = Self.commits(inMetrics: try await api.text("/metrics"))
        report(intake: intake, pushes: await pushes.all, book: book, elapsed: elapsed, serverCores: serverCores, steal: steal, stored: stored, commits: commits)
    }

    /// Refuses a database that holds users or cameras: the bench adds an administrator, cameras and tens of thousands
    /// of alerts, and its figures hold only for the cameras it placed.
    static func requireEmpty(storeArguments: [String]) async throws {
        // Read as the server and the commands it runs will read them (flags over RTCC_* settings).
        let config = try StoreOptions.parse(storeArguments).load()
        let (users, cameras) = try await withServices(config) { services in
            (try await services.store.users.list().count, try await services.store.cameras.count())
        }
        guard users == 0, cameras == 0 else {
            throw CLIError("the bench needs an empty database, and the one given by --database holds \(users) user\(users == 1 ? "" : "s") and \(cameras) camera\(cameras == 1 ? "" : "s"): create a new one for each run (e.g. `createdb bench_events_2`)")
        }
    }

    /// Event points spread over a few blocks of downtown Shreveport, one per camera.
    static func point(_ n: Int) -> (latitude: Double, longitude: Double) {
        (32.5100 + Double(n % 8) * 0.0012, -93.7520 + Double(n / 8) * 0.0012)
    }

    /// Sends `rate` events a second (open loop: each tick's events go out whether or not earlier ones answered, up to
    /// `concurrency` in flight); returns each intake response time in ms, with the event's number.
    static func send(base: String, token: String, rate: Int, seconds: Int, concurrency: Int, book: SendBook) async throws -> [EventLatency] {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = concurrency
        let client = HTTPClient(eventLoopGroup: MultiThreadedEventLoopGroup.singleton, configuration: configuration)
        let url = base + "/api/v1/events/gunshots"
        let total = rate * seconds
        let started = ContinuousClock.now
        // Latency counts from when each event was *due*, not from when it was finally sent: a sender held up by a slow
        // server (or by the concurrency limit) must not hide that wait (no coordinated omission).
        let startedWallMs = Date().timeIntervalSince1970 * 1000
        let interval = Duration.seconds(1) / rate
        var times: [EventLatency] = []
        times.reserveCapacity(total)
        do {
            try await withThrowingTaskGroup(of: EventLatency?.self) { group in
                var inFlight = 0
                for n in 0..<total {
                    let due = started + interval * n
                    if due > .now { try await Task.sleep(until: due, clock: .continuous) }
                    while inFlight >= concurrency, let result = try await group.next() {
                        inFlight -= 1
                        if let result { times.append(result) }
                    }
                    let point = point(n % 40)
                    let scheduled = startedWallMs + Double(n) * 1000 / Double(rate)
                    let body = #"{"id":"B-\#(n)","time":"\#(Date().ISO8601Format())","latitude":\#(point.latitude),"longitude":\#(point.longitude),"rounds":3,"confidence":0.9}"#
                    inFlight += 1
                    group.addTask {
                        var request = HTTPClientRequest(url: url)
                        request.method = .POST
                        request.headers.add(name: "Content-Type", value: "application/json")
                        request.headers.add(name: "Authorization", value: "Bearer \(token)")
                        request.body = .bytes(ByteBuffer(string: body))
                        book.sent(n, at: scheduled)
                        do {
                            let response = try await client.execute(request, timeout: .seconds(60))
                            _ = try await response.body.collect(upTo: 1 << 20)
                            guard response.status.code == 201 else {
                                book.failed(status: Int(response.status.code))
                                return nil
                            }
                        } catch {
                            book.failed(status: 0)
                            return nil
                        }
                        book.accept()
                        return EventLatency(event: n, ms: Date().timeIntervalSince1970 * 1000 - scheduled)
                    }
                }
                for try await result in group { if let result { times.append(result) } }
            }
        } catch {
            try? await client.shutdown()
            throw error
        }
        try await client.shutdown()
        return times
    }

    /// One analyst: notes send→received for every alert pushed.
    static func watch(base: String, cookie: String, book: SendBook, pushes: Collector<EventLatency>, connected: Counter) async {
        let url = base.replacingOccurrences(of: "http://", with: "ws://") + "/api/v1/alerts/live"
        var headers = HTTPFields()
        headers[.cookie] = cookie
        _ = try? await WebSocketClient.connect(url: url, configuration: .init(additionalHeaders: headers), logger: Logger(label: "bench.analyst")) { inbound, _, _ in
            var counted = false
            for try await message in inbound.messages(maxSize: 1 << 20) {
                guard case .text(let text) = message else { continue }
                if !counted {
                    counted = true
                    connected.increment()
                }
                let now = Date().timeIntervalSince1970 * 1000
                // A burst arrives as one batch message holding several alerts.
                let latencies = Self.eventNumbers(in: text).compactMap { n in book.sentAt(n).map { EventLatency(event: n, ms: now - $0) } }
                if !latencies.isEmpty { await pushes.add(latencies) }
            }
        }
    }

    /// The numbers n of every `gunshot B-n` in a pushed message (a byte scan: the analysts' side must stay cheap).
    static func eventNumbers(in text: String) -> [Int] {
        let marker = Array("gunshot B-".utf8)
        var numbers: [Int] = []
        var text = text
        text.withUTF8 { bytes in
            var i = 0
            let end = bytes.count - marker.count
            while i <= end {
                if bytes[i] == marker[0], bytes[i + 1] == marker[1] {
                    var j = 0
                    while j < marker.count, bytes[i + j] == marker[j] { j += 1 }
                    if j == marker.count {
                        var k = i + j
                        var n = 0
                        while k < bytes.count, bytes[k] >= 48, bytes[k] <= 57 {
                            n = n * 10 + Int(bytes[k] - 48)
                            k += 1
                        }
                        if k > i + j { numbers.append(n) }
                        i = k
                        continue
                    }
                }
                i += 1
            }
        }
        return numbers
    }

    private func report(intake: [EventLatency], pushes: [EventLatency], book: SendBook, elapsed: Double, serverCores: Double, steal: Double, stored: Int, commits: Commits?) {
        let firstSteady = rate * warmup
        let steadyIntake = intake.filter { $0.event >= firstSteady }.map(\.ms).sorted()
        let steadyPushes = pushes.filter { $0.event >= firstSteady }.map(\.ms).sorted()
        let warmupPushes = pushes.filter { $0.event < firstSteady }.map(\.ms).sorted()
        let sent = rate * seconds
        let steadyLabel = warmup > 0 ? "after the \(warmup) s warm-up" : "whole run"
        say("")
        say("Sent:      \(sent) events in \(String(format: "%.2f", elapsed)) s = \(String(format: "%.0f", Double(sent) / elapsed)) events/s (asked \(rate)/s)")
        say("Accepted:  \(book.accepted) (201); refused or failed: \(book.failures); alerts stored: \(stored)")
        say("Intake:    p50 \(Self.percentile(steadyIntake, 0.5)), p99 \(Self.percentile(steadyIntake, 0.99)), max \(Self.percentile(steadyIntake, 1))  (POST → 201, \(steadyLabel))")
        say("Pushed:    \(pushes.count) of \(book.accepted * analysts) deliveries to \(analysts) analysts; p50 \(Self.percentile(steadyPushes, 0.5)), p99 \(Self.percentile(steadyPushes, 0.99)), max \(Self.percentile(steadyPushes, 1))  (before POST → socket, \(steadyLabel))")
        if warmup > 0 {
            say("Warm-up:   pushed p50 \(Self.percentile(warmupPushes, 0.5)), p99 \(Self.percentile(warmupPushes, 0.99)), max \(Self.percentile(warmupPushes, 1))  (first \(warmup) s)")
        }
        let bySecond = Dictionary(grouping: pushes, by: { $0.event / rate }).mapValues { $0.map(\.ms).sorted() }
        say("By second: pushed p99 " + (0..<seconds).map { second in Self.value(at: 0.99, in: bySecond[second] ?? []).map { String(format: "%.0f", $0) } ?? "—" }.joined(separator: " ") + " ms")
        say("Server:    \(String(format: "%.2f", serverCores)) CPU cores on average")
        if let commits, commits.count > 0 {
            say("Commits:   \(Int(commits.count)) transactions of \(String(format: "%.1f", commits.events / commits.count)) events, \(String(format: "%.1f", commits.seconds / commits.count * 1000)) ms on average (the single database connection busy \(String(format: "%.0f", commits.seconds / elapsed * 100)) % of the time)")
        }
        say("Machine:   \(ProcessInfo.processInfo.activeProcessorCount) CPUs, load generator on the same ones; steal \(String(format: "%.0f", steal * 100)) % of CPU time"
            + (steal > 0.1 ? " (the hypervisor gave that much of this machine to others: the figures above are not this server's)" : ""))
        let p99 = Self.value(at: 0.99, in: steadyPushes) ?? .infinity
        let goal = Double(sent) / elapsed >= Double(rate) * 0.98 && book.accepted == sent && pushes.count == book.accepted * analysts && p99 < 100
        say(goal ? "Goal met: \(rate) events/s sustained with p99 intake→pushed under 100 ms." : "Goal not met (\(rate) events/s sustained, every push delivered, p99 intake→pushed < 100 ms).")
    }

    /// Intake transactions as the server's metrics count them.
    struct Commits {
        var count: Double
        var events: Double
        var seconds: Double
    }

    /// The intake transactions' count, events and time from a Prometheus text page; nil when they are not there.
    static func commits(inMetrics text: String) -> Commits? {
        var values: [String: Double] = [:]
        for line in text.split(separator: "\n") where line.hasPrefix("rtcc_intake_") {
            let parts = line.split(separator: " ")
            if parts.count == 2, let value = Double(parts[1]) { values[String(parts[0])] = value }
        }
        guard let count = values["rtcc_intake_commit_seconds_count"], let seconds = values["rtcc_intake_commit_seconds_sum"],
            let events = values["rtcc_intake_batch_events_sum"]
        else { return nil }
        return Commits(count: count, events: events, seconds: seconds)
    }

    /// The value at fraction `p` of `sorted` (0.99: the p99), or nil when there is none.
    private static func value(at p: Double, in sorted: [Double]) -> Double? {
        sorted.isEmpty ? nil : sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))]
    }

    private static func percentile(_ sorted: [Double], _ p: Double) -> String {
        value(at: p, in: sorted).map { String(format: "%.1f ms", $0) } ?? "—"
    }
}

/// One latency measured for event number `event` (its place in the sending order).
struct EventLatency: Sendable {
    var event: Int
    var ms: Double
}

/// When each event was sent, and how intake answered.
final class SendBook: Sendable {
    private let times: Mutex<[Double]>
    private let results = Mutex((accepted: 0, failures: [Int: Int]()))

    init(capacity: Int) { times = Mutex([Double](repeating: 0, count: capacity)) }

    func sent(_ n: Int, at time: Double) { times.withLock { if n < $0.count { $0[n] = time } } }
    func sentAt(_ n: Int) -> Double? { times.withLock { n < $0.count && $0[n] > 0 ? $0[n] : nil } }
    func accept() { results.withLock { $0.accepted += 1 } }
    func failed(status: Int) { results.withLock { $0.failures[status, default: 0] += 1 } }
    var accepted: Int { results.withLock { $0.accepted } }
    var failures: String {
        let failures = results.withLock { $0.failures }
        return failures.isEmpty ? "0" : failures.sorted { $0.key < $1.key }.map { "\($0.value) × \($0.key == 0 ? "no answer" : "HTTP \($0.key)")" }.joined(separator: ", ")
    }
}

/// A shared count.
final class Counter: Sendable {
    private let storage = Mutex(0)
    var value: Int { storage.withLock { $0 } }
    func increment() { storage.withLock { $0 += 1 } }
}
