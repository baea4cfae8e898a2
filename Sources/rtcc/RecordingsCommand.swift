import ArgumentParser
import Foundation
import Logging
import RTCCCore
import RTCCServer
import RTCCStore

/// `rtcc recordings …`.
struct RecordingsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "recordings", abstract: "Maintain the recordings and their index.", subcommands: [Reindex.self])

    /// `rtcc recordings reindex`.
    struct Reindex: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Rebuild the recording index from the segment files (after a lost or restored database).",
            discussion: """
                Every segment file without an index row, in every recordings folder and the archive folder, is read, \
                checked and indexed under its camera (from its folder). \
                Times come from the file's last change and its media duration; in-segment gaps are not restored. Files of \
                cameras missing from the registry are listed: restore or import those cameras with their ids, then run again. \
                Stop the server first, or run it on a copy: the recorder must not be writing.
                """)

        @OptionGroup var store: StoreOptions
        @Flag(help: "Report what would be indexed without writing anything.") var dryRun = false

        func run() async throws {
            let config = try store.load()
            let dryRun = self.dryRun
            let report = try await withServices(config) { services in
                let report = try await RecordingReindexer(
                    store: services.store, recordings: config.resolvedRecordingsDirectories.map { URL(fileURLWithPath: $0) },
                    archive: config.archiveDirectory.map { URL(fileURLWithPath: $0) }, logger: Logger(label: "rtcc.reindex")
                ).run(dryRun: dryRun)
                if !dryRun, report.indexed > 0 {
                    try await services.audit.append(AuditEvent(
                        actor: cliActor, action: "recordings.reindex", target: "recordings", detail: "\(report.indexed) segment(s) indexed from files"))
                }
                return report
            }
            print("\(report.files) segment file(s): \(report.alreadyIndexed) already indexed, \(report.indexed) \(dryRun ? "would be " : "")indexed.")
            for (camera, count) in report.unknownCameras.sorted(by: { $0.key < $1.key }) {
                print("  \(count) file(s) of camera \(camera), which is not in the registry: restore it with its id, then run again")
            }
            for path in report.duplicates { print("  second copy left out (the segment is indexed from another folder): \(path)") }
            for (path, reason) in report.unreadable.sorted(by: { $0.key < $1.key }) { print("  unreadable: \(path): \(reason)") }
            if !report.unreadable.isEmpty || !report.unknownCameras.isEmpty { throw ExitCode(3) }
        }
    }
}
