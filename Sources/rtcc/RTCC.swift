import ArgumentParser
#if canImport(Glibc)
import Glibc
#endif

/// The `rtcc` command: runs and administers an OpenRTCC server.
@main
struct RTCC: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rtcc",
        abstract: "OpenRTCC: a real-time crime center you can run yourself.",
        discussion: """
            Settings come from defaults, then --config FILE (JSON), then RTCC_* environment variables, then flags.
            The database is an embedded SQLite file in the data directory unless --database postgres://… is given.
            """,
        version: "0.1.0",
        subcommands: [Serve.self, Demo.self, Migrate.self, UserCommand.self, CamerasCommand.self, AuditCommand.self])

    /// Line-buffers standard output so announcements reach a pipe at once, then runs the command.
    static func main() async {
        #if canImport(Glibc)
        setvbuf(stdout, nil, _IOLBF, 0)
        #endif
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            exit(withError: error)
        }
    }
}
