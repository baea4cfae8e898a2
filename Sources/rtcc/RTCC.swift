import ArgumentParser

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
        subcommands: [
            Serve.self, Demo.self, Migrate.self, UserCommand.self, CamerasCommand.self, AuditCommand.self, Simulate.self, Probe.self,
            Record.self, Bench.self, EvidenceCommand.self, Plan.self, Seen.self, Report.self, RecordingsCommand.self, AddressesCommand.self,
            NodeCommand.self, ONVIFCommand.self,
        ])
}
