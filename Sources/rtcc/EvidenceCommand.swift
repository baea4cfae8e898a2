import ArgumentParser
import Foundation
import RTCCCore
import RTCCEvidence
import RTCCMedia
import RTCCServer
import RTCCStore

/// `rtcc evidence …`: signed evidence packages.
struct EvidenceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evidence", abstract: "Export and verify signed evidence packages.", subcommands: [Export.self, Verify.self])

    /// `rtcc evidence export`.
    struct Export: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Export exact clips of cameras for a wall-clock range into a signed evidence package (no transcoding).",
            discussion: "The signing key is <data>/evidence-signing.key (Ed25519, created on first use, mode 0600).")

        @OptionGroup var store: StoreOptions
        @Option(name: .customLong("camera"), help: "Camera id (repeat for several cameras).") var cameras: [String]
        @Option(help: "Start, ISO 8601 (e.g. 2026-11-25T14:03:00Z).") var from: String
        @Option(help: "End, ISO 8601.") var until: String
        @Option(name: .customLong("case"), help: "Case or police report number.") var caseNumber: String
        @Option(help: "Why the footage is exported.") var purpose: String
        @Option(help: "Package folder to create (must not exist).") var out: String

        func validate() throws {
            guard let start = ISO8601Time.parse(from), let end = ISO8601Time.parse(until) else {
                throw ValidationError("--from and --until must each be \(ISO8601Time.expectedForm)")
            }
            guard start < end else { throw ValidationError("--from must be before --until") }
            guard !cameras.isEmpty, cameras.allSatisfy({ UUID(uuidString: $0) != nil }) else { throw ValidationError("--camera must be camera ids") }
            guard !caseNumber.trimmingCharacters(in: .whitespaces).isEmpty, !purpose.trimmingCharacters(in: .whitespaces).isEmpty else {
                throw ValidationError("--case and --purpose are required for the chain of custody")
            }
        }

        func run() async throws {
            guard let start = ISO8601Time.parse(from), let end = ISO8601Time.parse(until) else { throw CLIError("--from and --until must each be \(ISO8601Time.expectedForm)") }
            let ids = cameras.compactMap(UUID.init(uuidString:))
            let config = try store.load()
            let (caseNumber, purpose, out) = (self.caseNumber, self.purpose, self.out)
            let package = try await withServices(config) { services -> EvidencePackager.Package in
                var requested: [EvidencePackager.Camera] = []
                for id in ids {
                    guard let camera = try await services.store.cameras.find(id: id) else { throw CLIError("no camera has id \(id)") }
                    let segments = try await services.store.segments.list(cameraID: id, from: start, until: end).map(\.recordedSegment)
                    var owner = "City"
                    if let partnerID = camera.partnerID { owner = try await services.store.partners.find(id: partnerID)?.name ?? "partner \(partnerID)" }
                    requested.append(EvidencePackager.Camera(
                        id: id.uuidString, name: camera.name, location: "\(camera.location.latitude),\(camera.location.longitude)", owner: owner,
                        segments: segments, from: start, until: end))
                }
                let key = try SigningKey.loadOrCreate(at: URL(fileURLWithPath: config.dataDirectory).appendingPathComponent("evidence-signing.key"))
                let request = EvidencePackager.Request(caseNumber: caseNumber, purpose: purpose, exporter: cliActor, cameras: requested)
                let package: EvidencePackager.Package
                let bar = ProgressBar(label: "exporting")
                do {
                    package = try EvidencePackager(key: key).package(request, to: URL(fileURLWithPath: out), progress: bar.update)
                } catch {
                    bar.finish()
                    throw CLIError("\(error)")
                }
                bar.finish()
                try await services.audit.append(AuditEvent(
                    actor: cliActor, action: "evidence.export", target: ids.map { "camera:\($0)" }.joined(separator: ","), purpose: "\(caseNumber): \(purpose)",
                    detail: "\(start.ISO8601Format())/\(end.ISO8601Format()) → \(out), key \(package.fingerprint)"))
                return package
            }
            say("Evidence package written to \(package.folder.path) (signing key fingerprint \(package.fingerprint)).")
        }
    }

    /// `rtcc evidence verify`.
    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Verify an evidence package offline: signature, key fingerprint and the SHA-256 of every file. Exit 1 names what failed.")

        @Argument(help: "The package folder.") var package: String
        @Option(help: "The signing key fingerprint you expect (from the RTCC, not from the package).") var fingerprint: String?

        func run() throws {
            let report = EvidenceVerifier.verify(packageAt: URL(fileURLWithPath: package), expectedFingerprint: fingerprint)
            if report.isValid {
                say("Package intact: \(report.checkedFiles.count) files verified, signed by key \(report.fingerprint ?? "?").")
            } else {
                throw CLIError("Package NOT intact:\n" + report.failures.map { "  \($0)" }.joined(separator: "\n"))
            }
        }
    }
}
