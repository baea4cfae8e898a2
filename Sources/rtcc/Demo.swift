import ArgumentParser
import Foundation
import Logging
import RTCCCore
import RTCCServer
import Synchronization

/// `rtcc demo`: seeds the Shreveport demo city (once) and serves it.
struct Demo: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Seed the Shreveport, Louisiana demo city into ./data/demo (first run only) and serve it.")

    @OptionGroup var store: StoreOptions
    @OptionGroup var http: HTTPOptions

    @Option(help: "Port of the demo's simulated camera feeds (rtsp://127.0.0.1:PORT/cam001…).")
    var simulatorPort = 8554

    @Flag(help: "Do not simulate the camera feeds (for example when a real `rtcc simulate` serves them).")
    var noSimulator = false

    func run() async throws {
        var loaded = try http.apply(to: store.load(defaultData: "./data/demo"))
        // The demo stays one command: a second factor is optional unless mfaRequiredRoles is set.
        if loaded.mfaRequiredRoles == nil { loaded.mfaRequiredRoles = [] }
        let config = loaded
        if config.effectiveMFARoles.isEmpty {
            say("Two-factor sign-in is optional in the demo (any user may enrol under Account; set mfaRequiredRoles to require it).")
        }
        let port = simulatorPort, simulate = !noSimulator
        let logins = LoginsBox()
        try await runServer(config: config, prepare: { services in
            let seeded = try await DemoSeeder(services: services).seedIfEmpty(streamBase: "rtsp://127.0.0.1:\(port)")
            logins.set(seeded.logins)
            guard simulate else { return [] }
            do {
                let clips = URL(fileURLWithPath: config.dataDirectory).appendingPathComponent("simulator-clips")
                if !FileManager.default.fileExists(atPath: clips.path) {
                    say("Drawing each simulated camera's name into its picture (first start only, about \(max(5, seeded.captions.count / 6)) s)…")
                }
                return [try await DemoSimulator(
                    cameras: seeded.streams, captions: seeded.captions, clipDirectory: clips, port: port, logger: Logger(label: "rtcc.demo.simulator"))]
            } catch {
                say("Warning: the simulated camera feeds could not start on port \(port) (\(error)); use --simulator-port to pick another.")
                return []
            }
        }) { url in
            say("OpenRTCC demo (Shreveport, LA) is running at \(url)")
            for login in logins.get() where login.role == .admin {
                say("Sign in as: \(login.username) / \(login.password)")
            }
            say("Other demo sign-ins (one per role) are in \(config.dataDirectory)/demo-logins.json")
        }
    }
}

/// Passes the seeded sign-ins from the preparation step to the announcement.
final class LoginsBox: Sendable {
    private let storage = Mutex<[DemoSeeder.Login]>([])
    func set(_ value: [DemoSeeder.Login]) { storage.withLock { $0 = value } }
    func get() -> [DemoSeeder.Login] { storage.withLock { $0 } }
}
