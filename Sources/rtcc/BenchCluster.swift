import ArgumentParser
import Foundation
import Logging
import RTCCCore
import RTCCMedia
import RTCCStore
import SQLKit
#if canImport(Glibc)
import Glibc
#endif

/// `rtcc bench cluster`: N recorder nodes on one PostgreSQL and simulated cameras; one node at a time is killed
/// (SIGKILL, several rounds), stopped (SIGTERM) and drained, and each failover is timed from the database's index.
struct BenchCluster: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cluster",
        abstract: "Fail over cameras between N recorder nodes on PostgreSQL: SIGKILL, SIGTERM and drain; print time until recorded elsewhere and frames lost.",
        discussion: """
            The simulator and every node run as separate processes (`rtcc simulate`, `rtcc serve --node …`) on this machine; \
            the database must be an empty PostgreSQL (a postgres:// URL). Each round stops the node holding the most cameras \
            and measures, per camera it held, the time from the stop until a segment of another node begins, and the frames \
            lost: the index's gap between the stopped node's last footage and the new owner's first, times the frame rate \
            (a killed node's open segment is repaired when it restarts, before the gap is read). With --redundant N, the first \
            N cameras are recorded by two nodes at once; for those whose either copy was on the stopped node, the frames lost \
            are the longest hole in both copies' footage together around the stop. There is no peer: no other open recorder \
            fails cameras over between machines; the goals are the cluster issue's (SIGKILL ≤ 5 s, SIGTERM and drain 0 frames \
            lost, redundant cameras 0 frames lost across a SIGKILL).
            """)

    @Option(help: "An empty PostgreSQL database (postgres://user:password@host:port/database).") var database: String
    @Option(help: "Recorder nodes.") var nodes = 3
    @Option(help: "Simulated cameras.") var cameras = 12
    @Option(help: "Of them, how many are recorded by two nodes at once (redundant).") var redundant = 0
    @Option(help: "SIGKILL rounds.") var kills = 3
    @Option(help: "Lease time in seconds.") var lease = 3.0
    @Option(help: "Picture size of the simulated streams.") var size = "640x360"
    @Option(help: "Bitrate of the simulated streams.") var bitrate = 500_000
    @Option(help: "Frames per second of the simulated streams.") var fps = 25
    @Option(help: "Scratch folder (emptied).") var work = "/tmp/rtcc-bench-cluster"
    @Option(help: "Where generated clips are cached.") var clips = "./data/clips"

    func validate() throws {
        guard database.hasPrefix("postgres://") || database.hasPrefix("postgresql://") else {
            throw ValidationError("--database must be an empty PostgreSQL database (postgres://…): a cluster runs only on PostgreSQL")
        }
        guard (2...8).contains(nodes) else { throw ValidationError("--nodes must be 2-8") }
        guard (1...500).contains(cameras) else { throw ValidationError("--cameras must be 1-500") }
        guard (0...cameras).contains(redundant) else { throw ValidationError("--redundant must be 0-\(cameras) (at most every camera)") }
        guard (1...20).contains(kills) else { throw ValidationError("--kills must be 1-20") }
        guard (1...60).contains(lease) else { throw ValidationError("--lease must be 1-60 seconds") }
    }

    /// One measured failover.
    struct Round {
        var kind: String
        var cameras: Int
        var seconds: [Double]
        var framesLost: [Int]
        /// When the node was stopped, and the redundant cameras with a copy on it.
        var stoppedAt = Date()
        var exposed: Set<UUID> = []
        /// Per redundant camera with a copy on the stopped node: frames missing from both copies together (read once every
        /// round is over and the index has caught up).
        var redundantFramesLost: [Int] = []
    }

    func run() async throws {
        let root = URL(fileURLWithPath: work)
        try? FileManager.default.removeItem(at: root)
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        let store = try Store(location: try StoreLocation(parsing: database), logger: Logger(label: "rtcc.bench"))
        defer { Task { await store.shutdown() } }
        try await store.migrate()
        guard try await store.cameras.count() == 0 else {
            throw CLIError("the database already holds cameras: give the cluster bench an empty database")
        }
        let (simulator, base) = try await ChildProcess.simulator(
            ["--cameras", String(cameras), "--size", size, "--bitrate", String(bitrate), "--fps", String(fps), "--clips", clips])
        defer { simulator.stop() }
        var csv = "name,kind,latitude,longitude,main_stream_url\n"
        for n in 1...cameras { csv += "Cluster \(n),city,32.5\(n),-93.75,\(base)\(CameraSimulator.path(camera: n))\n" }
        let csvURL = root.appendingPathComponent("cameras.csv")
        try csv.write(to: csvURL, atomically: true, encoding: .utf8)
        let me = CommandLine.arguments[0]
        setenv("RTCC_CREDENTIAL_KEY", CredentialKeyText.random(), 1)
        setenv("RTCC_CLUSTER_SECRET", CredentialKeyText.random(), 1)
        for (name, value) in [
            "RTCC_DATABASE": database, "RTCC_LEASE_SECONDS": String(lease), "RTCC_SEGMENT_SECONDS": "4", "RTCC_LOG_LEVEL": "error",
            "RTCC_MFA_REQUIRED_ROLES": "", "RTCC_BCRYPT_COST": "4",
        ] { setenv(name, value, 1) }
        _ = try await ChildProcess.output(me, ["cameras", "import", csvURL.path, "--data", root.appendingPathComponent("setup").path])
        let twice = Set(try await store.cameras.all().sorted { $0.name.localizedStandardCompare($1.name) == .orderedAscending }
            .prefix(redundant).map(\.id))
        if !twice.isEmpty {
            try await store.sql.raw("UPDATE cameras SET redundant = true WHERE id IN (\(binds: Array(twice)))").run()
        }
        say("Simulator: \(cameras) × \(size) @ \(fps) fps at \(base); \(nodes) nodes, lease \(lease) s")

        var running: [String: ChildProcess] = [:]
        defer { for node in running.values { node.stop() } }
        let names = (1...nodes).map { "n\($0)" }
        func start(_ name: String) async throws {
            setenv("RTCC_NODE_URL", "", 1)
            let node = try await ChildProcess.start(me, ["serve", "--port", "0", "--node", name, "--data", root.appendingPathComponent(name).path])
            guard try await node.waitForLine(containing: "http://", timeout: 120) != nil else {
                node.stop()
                throw CLIError("node \(name) did not start")
            }
            running[name] = node
        }
        for name in names { try await start(name) }
        try await waitUntil("every camera held and recorded", timeout: 90) {
            let leases = try await held(store)
            guard leases.count == cameras, try await held(store, copy: 1).count == redundant else { return false }
            return try await recordingOwners(store, since: Date().addingTimeInterval(-600)).keys.count == cameras
        }

        var rounds: [Round] = []
        for kind in Array(repeating: "SIGKILL", count: kills) + ["SIGTERM", "drain"] {
            try await waitUntil("the cameras spread over the nodes", timeout: 90) {
                let all = Array(try await held(store).values) + Array(try await held(store, copy: 1).values)
                let counts = Dictionary(grouping: all, by: \.node).mapValues(\.count)
                return counts.count == nodes && (counts.values.max() ?? 0) <= (cameras + redundant + nodes - 1) / nodes
            }
            try await Task.sleep(for: .seconds(5))
            let leases = try await held(store)
            let secondCopies = try await held(store, copy: 1)
            let counts = Dictionary(grouping: Array(leases.values) + Array(secondCopies.values), by: \.node).mapValues(\.count)
            guard let victim = counts.max(by: { $0.value < $1.value })?.key, let process = running[victim] else {
                throw CLIError("no node holds a camera")
            }
            let moved = leases.filter { $0.value.node == victim }
            let exposed = twice.filter { leases[$0]?.node == victim || secondCopies[$0]?.node == victim }
            let stoppedAt = Date()
            switch kind {
            case "SIGKILL": kill(process.pid, SIGKILL)
            case "SIGTERM": kill(process.pid, SIGTERM)
            default: try await store.cluster.setState(name: victim, state: "draining")
            }
            var seconds: [UUID: Double] = [:]
            try await waitUntil("\(kind): the cameras of \(victim) recorded elsewhere", timeout: 60) {
                let owners = try await recordingOwners(store, since: stoppedAt.addingTimeInterval(-1))
                for (camera, _) in moved where seconds[camera] == nil {
                    if let first = owners[camera]?.first(where: { $0.node != victim }) { seconds[camera] = first.start.timeIntervalSince(stoppedAt) }
                }
                return seconds.count == moved.count
            }
            if kind == "drain" {
                // The drained node's last segments are sealed and indexed once its hand-overs complete.
                try await waitUntil("drain: \(victim) holds no camera", timeout: 30) {
                    try await held(store).values.allSatisfy { $0.node != victim }
                }
                try await Task.sleep(for: .seconds(2))
                try await store.cluster.setState(name: victim, state: "active")
            } else {
                await process.waitForExit(timeout: 40)
                running[victim] = nil
                try await start(victim)  // a killed node's open segment is repaired at its start
                try await Task.sleep(for: .seconds(2))
            }
            var lost: [Int] = []
            for (camera, lease) in moved where !twice.contains(camera) {
                let gap = try await gapAfter(store, camera: camera, node: victim, epoch: lease.epoch)
                lost.append(max(0, Int((gap * Double(fps)).rounded())))
            }
            var round = Round(kind: kind, cameras: moved.count, seconds: seconds.values.sorted(), framesLost: lost.sorted())
            round.stoppedAt = stoppedAt
            round.exposed = exposed
            rounds.append(round)
            say(String(
                format: "%@ %@: %d cameras, recorded elsewhere after p50 %.2f s, max %.2f s; frames lost per camera max %d", kind, victim, round.cameras,
                median(round.seconds), round.seconds.max() ?? 0, round.framesLost.max() ?? 0)
                + (exposed.isEmpty ? "" : "; redundant cameras with a copy on it: \(exposed.count)"))
        }
        if redundant > 0 {
            // Both copies' footage around each stop, read once the index has caught up (a new owner's first segment row
            // says how far it reaches only after its first progress report).
            try await Task.sleep(for: .seconds(10))
            for index in rounds.indices {
                for camera in rounds[index].exposed {
                    // From just before the stop (the first round may come only seconds after recording began).
                    let from = rounds[index].stoppedAt.addingTimeInterval(-3)
                    let until = min(from.addingTimeInterval(30), Date().addingTimeInterval(-3))
                    let hole = try await longestHole(store, camera: camera, from: from, until: until)
                    rounds[index].redundantFramesLost.append(max(0, Int((hole * Double(fps)).rounded())))
                }
            }
        }
        report(rounds)
    }

    private func report(_ rounds: [Round]) {
        say("")
        say("| Stop | Rounds | Cameras moved | Recorded elsewhere p50 | max | Frames lost per camera (max) | Goal |")
        say("|---|---|---|---|---|---|---|")
        for kind in ["SIGKILL", "SIGTERM", "drain"] {
            let chosen = rounds.filter { $0.kind == kind }
            let seconds = chosen.flatMap(\.seconds).sorted()
            let lost = chosen.flatMap(\.framesLost)
            let goal = kind == "SIGKILL" ? "≤ 5 s: \((seconds.max() ?? .infinity) <= 5 ? "met" : "NOT met")"
                : "0 frames: \((lost.max() ?? 1) == 0 ? "met" : "NOT met")"
            say(String(
                format: "| %@ | %d | %d | %.2f s | %.2f s | %d | %@ |", kind, chosen.count, chosen.map(\.cameras).reduce(0, +), median(seconds),
                seconds.max() ?? 0, lost.max() ?? 0, goal))
        }
        let exposed = rounds.filter { $0.kind == "SIGKILL" }.flatMap(\.redundantFramesLost)
        if redundant > 0 {
            say(String(
                format: "| SIGKILL, redundant cameras | %d | %d with a copy on the killed node | – | – | %d | 0 frames: %@ |",
                rounds.filter { $0.kind == "SIGKILL" }.count, exposed.count, exposed.max() ?? 0,
                exposed.isEmpty ? "not measured (no copy on a killed node)" : (exposed.max() ?? 1) == 0 ? "met" : "NOT met"))
        }
    }

    /// The longest time in `[from, until)` that neither copy of `camera` recorded (segment spans, both copies).
    private func longestHole(_ store: Store, camera: UUID, from: Date, until: Date) async throws -> Double {
        let segments = try await store.segments.list(cameraID: camera, stream: "main", from: from, until: until).map(\.recordedSegment)
        let recorded = RecordingCopies.clip(RecordingCopies.coverage(segments), to: DateInterval(start: from, end: until))
        let holes = RecordingCopies.subtract(recorded, from: [DateInterval(start: from, end: until)])
        return holes.map(\.duration).max() ?? 0
    }

    private func median(_ values: [Double]) -> Double { values.isEmpty ? .nan : values.sorted()[values.count / 2] }

    /// Held, unexpired leases of `copy` (1: redundant cameras' second copies): camera → (node, epoch).
    private func held(_ store: Store, copy: Int = 0) async throws -> [UUID: (node: String, epoch: Int64)] {
        var result: [UUID: (node: String, epoch: Int64)] = [:]
        for lease in try await store.cluster.leases() where lease.held && lease.copy == copy {
            if let node = lease.node { result[lease.cameraID] = (node, lease.epoch) }
        }
        return result
    }

    /// Per camera, the segments begun since `since`, oldest first, with their node.
    private func recordingOwners(_ store: Store, since: Date) async throws -> [UUID: [(node: String, start: Date)]] {
        let rows = try await store.sql.raw(
            "SELECT camera_id, node, start_at FROM segments WHERE start_at > \(bind: since) AND node IS NOT NULL AND copy = 0 ORDER BY start_at").all()
        var result: [UUID: [(node: String, start: Date)]] = [:]
        for row in rows {
            result[try row.decode(column: "camera_id", as: UUID.self), default: []].append(
                (try row.decode(column: "node", as: String.self), try row.decode(column: "start_at", as: Date.self)))
        }
        return result
    }

    /// The index's gap between `node`'s last footage of `camera` under `epoch` and the next owner's first footage.
    private func gapAfter(_ store: Store, camera: UUID, node: String, epoch: Int64) async throws -> Double {
        let last = try await store.sql.raw("""
            SELECT max(end_at) AS t FROM segments WHERE camera_id = \(bind: camera) AND copy = 0 AND node = \(bind: node) AND epoch = \(bind: epoch)
            """).first()?.decode(column: "t", as: Date?.self)
        guard let last else { return .infinity }
        // The next owner's footage: the first under a later epoch (a successor records before the old owner stops).
        let next = try await store.sql.raw("""
            SELECT min(start_at) AS t FROM segments WHERE camera_id = \(bind: camera) AND copy = 0 AND epoch > \(bind: epoch)
            """).first()?.decode(column: "t", as: Date?.self)
        guard let next else { return .infinity }
        return next.timeIntervalSince(last)
    }

    private func waitUntil(_ what: String, timeout: Double, _ condition: () async throws -> Bool) async throws {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if try await condition() { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw CLIError("timed out after \(Int(timeout)) s waiting for \(what)")
    }
}

/// A random base64 key of 32 bytes (credential key, cluster secret) for the bench's processes.
enum CredentialKeyText {
    static func random() -> String {
        var generator = SystemRandomNumberGenerator()
        return Data((0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }).base64EncodedString()
    }
}
