import Foundation
import Logging
import NIOPosix
import RTCCCore
import RTCCEvidence
import RTCCMedia
import RTCCStore
import ServiceLifecycle

/// Runs evidence export jobs in the background, one at a time, into signed packages (``EvidencePackager``).
///
/// A job is accepted by the API (validated, stored as `queued`), then exported here: each camera's sealed segments are
/// hash-checked and remuxed into a folder written under a temporary name and renamed when complete, so a package is
/// either whole or absent. Progress (0…1) is on ``progress``; the result, or the reason it failed, is stored with the
/// job and appended to the audit log. Jobs a stopped server left unfinished are failed at start-up and their
/// temporary folders removed.
public struct ExportService: Service {
    let store: Store
    /// Makes segments another cluster node recorded readable here (nil for a single server).
    let segments: ClusterSegments?
    let audit: AuditLog
    let directory: URL
    let signingKey: URL
    /// Progress of running jobs.
    public let progress = ExportProgress()
    private let jobs: AsyncStream<UUID>
    private let continuation: AsyncStream<UUID>.Continuation
    private let logger = Logger(label: "rtcc.evidence.exports")

    /// Creates the service; packages go under `directory`, signed with the key at `signingKey`.
    public init(store: Store, audit: AuditLog, directory: URL, signingKey: URL, segments: ClusterSegments? = nil) {
        self.segments = segments
        self.store = store
        self.audit = audit
        self.directory = directory
        self.signingKey = signingKey
        (jobs, continuation) = AsyncStream.makeStream(of: UUID.self)
    }

    /// Hands a stored, queued job to the exporter.
    func enqueue(_ job: UUID) { continuation.yield(job) }

    /// Fails jobs an earlier run left unfinished, then exports jobs as they are queued until shutdown.
    public func run() async throws {
        try await recover(startedAt: Date())
        await cancelWhenGracefulShutdown {
            for await job in jobs { await execute(job) }
        }
    }

    /// Fails what a stopped server left queued or running (jobs created before `startedAt`) and removes half-written
    /// package folders.
    func recover(startedAt: Date) async throws {
        let abandoned = try await store.exportJobs.abandonUnfinished(
            createdBefore: startedAt, reason: "the server stopped before the export finished; start the export again")
        for job in abandoned {
            try await audit.append(AuditEvent(
                actor: "system", action: "evidence.export_failed", target: Store.auditTarget(caseID: job.caseID), source: "server",
                purpose: job.purpose, detail: "job \(job.id.uuidString.lowercased()): the server stopped before it finished"))
        }
        let manager = FileManager.default
        for caseFolder in (try? manager.contentsOfDirectory(at: directory, includingPropertiesForKeys: nil)) ?? [] {
            for entry in (try? manager.contentsOfDirectory(atPath: caseFolder.path)) ?? [] where entry.hasSuffix(".partial") {
                try? manager.removeItem(at: caseFolder.appendingPathComponent(entry))
            }
        }
    }

    /// Exports one job and records how it went. Never throws: a failure is stored with the job.
    func execute(_ id: UUID) async {
        do {
            guard let job = try await store.exportJobs.find(id: id), try await store.exportJobs.start(id: id) else { return }
            progress.report(id, 0)
            defer { progress.finish(id) }
            do {
                let record = try await package(job)
                try await store.packages.insert(record)
                try await store.exportJobs.succeed(id: id, packageID: record.id)
                if try await store.cases.link(caseID: job.caseID, kind: .package, reference: record.id.uuidString.lowercased(), by: job.requestedBy) {
                    try await audit.append(AuditEvent(
                        actor: job.requestedBy, action: "cases.link", target: Store.auditTarget(caseID: job.caseID), source: "server",
                        purpose: job.purpose, detail: "package:\(record.id.uuidString.lowercased()) (recorded with the work)"))
                }
                try await audit.append(AuditEvent(
                    actor: job.requestedBy, action: "evidence.export", target: Self.target(job.caseID, package: record.id), source: "server",
                    purpose: job.purpose,
                    detail: "\(job.cameraIDs.count) camera(s), \(job.from.ISO8601Format())/\(job.until.ISO8601Format()), "
                        + "\(record.cameras.map(\.frames).reduce(0, +)) frames, manifest sha256 \(record.manifestSHA256), key \(record.fingerprint)"))
            } catch {
                let reason = await Self.reason(for: error, store: store)
                logger.error("export failed", metadata: ["job": "\(id)", "case": "\(job.caseID)", "error": "\(String(reflecting: error))"])
                try await store.exportJobs.fail(id: id, reason: reason)
                try await audit.append(AuditEvent(
                    actor: job.requestedBy, action: "evidence.export_failed", target: Store.auditTarget(caseID: job.caseID), source: "server",
                    purpose: job.purpose, detail: "job \(id.uuidString.lowercased()): \(reason)"))
            }
        } catch {
            logger.error("export job could not be recorded", metadata: ["job": "\(id)", "error": "\(String(reflecting: error))"])
        }
    }

    /// What the user is told when an export fails: the camera by name and the times involved, never a path on the server
    /// (those go to the log).
    static func reason(for error: any Error, store: Store) async -> String {
        switch error {
        case let failure as ExportFailure:
            return failure.description
        case EvidenceError.clip(let cameraID, let clipError):
            var name = "camera \(cameraID)"
            if let id = UUID(uuidString: cameraID) {
                do {
                    if let camera = try await store.cameras.find(id: id) { name = "\"\(camera.name)\"" }
                } catch {
                    // The id still names the camera; the database failure is the log's business.
                }
            }
            return "The clip of \(name) could not be exported: \(clipError.description)"
        case let evidence as EvidenceError:
            switch evidence {
            case .noCameras, .duplicateCamera: return evidence.description
            case .archiveTooLarge(_, let bytes):
                return "the package would make a \(bytes)-byte ZIP archive, over the 4 GiB this server writes; export fewer cameras or a shorter range"
            default: return "the package could not be written on the server; an administrator will find the cause in the server's log"
            }
        default:
            return "the export failed; the error was logged"
        }
    }

    /// Makes the package for `job` and describes it.
    private func package(_ job: ExportJob) async throws -> EvidencePackageRecord {
        guard let found = try await store.cases.find(id: job.caseID) else { throw ExportFailure("the case was not found") }
        var cameras: [EvidencePackager.Camera] = []
        var masks: [String: PrivacyMask] = [:]
        for cameraID in job.cameraIDs {
            guard let camera = try await store.cameras.find(id: cameraID) else { throw ExportFailure("camera \(cameraID) is no longer in the registry") }
            let mask: PrivacyMask
            do {
                mask = try await store.community.mask(cameraID: cameraID)
            } catch {
                // Fails the whole job: no clip is exported without the mask its camera may have.
                logger.error("privacy mask unreadable; export withheld", metadata: ["camera": "\(cameraID)", "error": "\(String(reflecting: error))"])
                throw ExportFailure(
                    "the privacy mask of camera \"\(camera.name)\" could not be read; video withheld. "
                        + "Ask an administrator to check the database, then export again")
            }
            if !mask.isEmpty { masks[cameraID.uuidString.lowercased()] = mask }
            var records = try await store.segments.list(cameraID: cameraID, stream: "main", from: job.from, until: job.until)
            // A camera recorded twice (redundant): the fuller copy, and the other where it has a gap or its node is down.
            let window = DateInterval(start: job.from, end: max(job.from, job.until))
            if let source = self.segments {
                records = try await source.playable(records, within: window)
            } else {
                records = ClusterSegments.playable(records, within: window)
            }
            let segments = records.map(\.recordedSegment)
            var owner = "City"
            if let partnerID = camera.partnerID { owner = try await store.partners.find(id: partnerID)?.name ?? "partner \(partnerID)" }
            cameras.append(EvidencePackager.Camera(
                id: cameraID.uuidString.lowercased(), name: camera.name, location: "\(camera.location.latitude),\(camera.location.longitude)",
                owner: owner, segments: segments, from: job.from, until: job.until))
        }
        let packageID = UUID()
        let folder = directory.appendingPathComponent(Self.folderName(found.number), isDirectory: true)
            .appendingPathComponent(packageID.uuidString.lowercased(), isDirectory: true)
        let request = EvidencePackager.Request(caseNumber: found.number, purpose: job.purpose, exporter: job.requestedBy, cameras: cameras)
        let (keyURL, board, logger, frozenMasks) = (signingKey, progress, logger, masks)
        let made = try await NIOThreadPool.singleton.runIfActive { () throws -> EvidencePackager.Package in
            try FileManager.default.createDirectory(at: folder.deletingLastPathComponent(), withIntermediateDirectories: true)
            let key = try SigningKey.loadOrCreate(at: keyURL)
            // Privacy masks are burned into the clips before they are hashed and signed: no export is unmasked.
            let finish: EvidencePackager.ClipFinisher = { cameraID, clip in
                guard let mask = frozenMasks[cameraID] else { return false }
                try MaskFilter.burn(mask, into: clip)
                return true
            }
            return try EvidencePackager(key: key, logger: logger).package(request, to: folder, finish: finish) { board.report(job.id, $0) }
        }
        return try await NIOThreadPool.singleton.runIfActive { try Self.describe(made, id: packageID, job: job) }
    }

    /// The record of a finished package, from its manifest and files.
    static func describe(_ package: EvidencePackager.Package, id: UUID, job: ExportJob) throws -> EvidencePackageRecord {
        let files = ((FileManager.default.enumerator(atPath: package.folder.path)?.allObjects as? [String]) ?? []).filter { path in
            var folder: ObjCBool = false
            return FileManager.default.fileExists(atPath: package.folder.appendingPathComponent(path).path, isDirectory: &folder) && !folder.boolValue
        }.sorted()
        var bytes: Int64 = 0
        for file in files {
            let attributes = try FileManager.default.attributesOfItem(atPath: package.folder.appendingPathComponent(file).path)
            bytes += (attributes[.size] as? NSNumber)?.int64Value ?? 0
        }
        let manifestDigest = try FileDigest.sha256(of: package.folder.appendingPathComponent("manifest.json"))
        return EvidencePackageRecord(
            id: id, caseID: job.caseID, jobID: job.id, folder: package.folder.path, fingerprint: package.fingerprint, manifestSHA256: manifestDigest,
            bytes: bytes, files: files,
            cameras: package.manifest.cameras.map {
                EvidencePackageRecord.CameraSummary(
                    cameraID: $0.id, name: $0.name, frames: $0.frames, firstFrame: $0.actual.from, lastFrame: $0.actual.until,
                    gaps: $0.gaps.map { [$0.from, $0.until] }, clip: $0.clip.path)
            },
            createdBy: job.requestedBy, createdAt: Date())
    }

    /// The audit target of a package of a case.
    static func target(_ caseID: UUID, package: UUID) -> String {
        "\(Store.auditTarget(caseID: caseID))/package:\(package.uuidString.lowercased())"
    }

    /// A case number as a folder name: letters, digits, `-` and `_`; anything else becomes `_`.
    static func folderName(_ number: String) -> String {
        let kept = number.unicodeScalars.map { CharacterSet.alphanumerics.contains($0) && $0.isASCII || $0 == "-" ? Character($0) : "_" }
        return String(kept)
    }
}

/// Why an export job could not run, in words for the job's status.
struct ExportFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
