import Foundation
import HTTPTypes
import Hummingbird
import NIOPosix
import RTCCCore
import RTCCEvidence
import RTCCStore

/// Export jobs and packages: `/api/v1/cases/{id}/exports`, `/api/v1/exports/{id}`, `/api/v1/cases/{id}/packages`,
/// `/api/v1/packages/{id}` (manifest), `/download` (ZIP) and `/verify`.
struct EvidenceRoutes {
    let services: AppServices

    struct NewExport: Decodable {
        var cameraIDs: [UUID]
        var from: Date
        var until: Date
        var purpose: String
    }

    /// A package with its manifest.
    struct PackageDetail: Encodable {
        var package: PackageView
        var manifest: EvidenceManifest
    }

    /// The outcome of verifying a stored package.
    struct Verification: Encodable {
        var intact: Bool
        var fingerprint: String?
        var checkedFiles: [String]
        var failures: [String]
    }

    /// The longest range one export may cover.
    static let maximumRange: TimeInterval = 24 * 3600
    /// The most cameras one package may hold.
    static let maximumCameras = 16

    func register(on router: Router<AppRequestContext>) {
        router.add(.caseExportsList, listExports)
        router.add(.caseExportsStart, startExport)
        router.add(.exportGet, getExport)
        router.add(.casePackages, listPackages)
        router.add(.packageGet, getPackage)
        router.add(.packageDownload, download)
        router.add(.packageVerify, verify)
    }

    @Sendable func listExports(_ request: Request, _ context: AppRequestContext, _ identity: Identity?) async throws -> Response {
        let found = try await CaseRoutes.find(context, services)
        var views: [JobView] = []
        for job in try await services.store.exportJobs.list(caseID: found.id) { views.append(try await view(job)) }
        return try Reply.json(views)
    }

    @Sendable func startExport(_ request: Request, _ context: AppRequestContext, _ identity: Identity?) async throws -> Response {
        let found = try await CaseRoutes.find(context, services)
        let input = try await request.decodeStrict(NewExport.self, allowed: ["cameraIDs", "from", "until", "purpose"], context: context)
        let purpose = input.purpose.trimmingCharacters(in: .whitespaces)
        try await check(input, purpose: purpose)
        let job = ExportJob(
            caseID: found.id, requestedBy: identity?.actor ?? "anonymous", purpose: purpose, cameraIDs: input.cameraIDs, from: input.from,
            until: input.until)
        try await services.store.exportJobs.insert(job)
        try await services.record(
            "evidence.export_requested", target: Store.auditTarget(caseID: found.id),
            detail: "job \(job.id.uuidString.lowercased()): cameras \(job.cameraIDs.map { $0.uuidString.lowercased() }.joined(separator: ",")), "
                + "\(job.from.ISO8601Format())/\(job.until.ISO8601Format())",
            by: identity, context: context, purpose: purpose)
        services.exports.enqueue(job.id)
        var response = try Reply.json(try await view(job), status: .accepted)
        response.headers[.location] = "/api/v1/exports/\(job.id.uuidString.lowercased())"
        return response
    }

    /// Everything that can be known before exporting: the range, the cameras, and that footage is there.
    private func check(_ input: NewExport, purpose: String) async throws {
        var errors: [FieldError] = []
        if purpose.isEmpty || purpose.count > 200 { errors.append(FieldError(field: "purpose", reason: "must be 1-200 characters (why the footage is exported)")) }
        if input.until <= input.from {
            errors.append(FieldError(field: "until", reason: "must be after from"))
        } else if input.until.timeIntervalSince(input.from) > Self.maximumRange {
            errors.append(FieldError(field: "until", reason: "one export may cover at most 24 hours; export longer ranges in parts"))
        }
        if input.cameraIDs.isEmpty || input.cameraIDs.count > Self.maximumCameras {
            errors.append(FieldError(field: "cameraIDs", reason: "must list 1-\(Self.maximumCameras) cameras"))
        } else if Set(input.cameraIDs).count != input.cameraIDs.count {
            errors.append(FieldError(field: "cameraIDs", reason: "lists a camera twice"))
        }
        guard errors.isEmpty else { throw ValidationError(errors) }
        let now = Date()
        for (index, id) in input.cameraIDs.enumerated() {
            let field = "cameraIDs[\(index)]"
            guard let camera = try await services.store.cameras.find(id: id) else {
                errors.append(FieldError(field: field, reason: "no camera has id \(id.uuidString.lowercased())"))
                continue
            }
            let segments = try await services.store.segments.list(cameraID: id, stream: "main", from: input.from, until: input.until)
            guard segments.isEmpty else { continue }
            let retainedFrom = now.addingTimeInterval(-Double(camera.retentionDays) * 86_400)
            if input.from < retainedFrom {
                errors.append(FieldError(
                    field: field,
                    reason: "nothing is recorded for \(camera.name) in this range, which begins beyond its \(camera.retentionDays)-day retention "
                        + "(footage before \(retainedFrom.ISO8601Format()) is deleted unless held)"))
            } else {
                errors.append(FieldError(field: field, reason: "\(camera.name) has no recording between from and until"))
            }
        }
        try ValidationError.check(errors)
    }

    @Sendable func getExport(_ request: Request, _ context: AppRequestContext, _ identity: Identity?) async throws -> Response {
        guard let job = try await services.store.exportJobs.find(id: try context.pathID("export job")) else { throw Problem.notFound("export job") }
        return try Reply.json(try await view(job))
    }

    @Sendable func listPackages(_ request: Request, _ context: AppRequestContext, _ identity: Identity?) async throws -> Response {
        let found = try await CaseRoutes.find(context, services)
        return try Reply.json(try await services.store.packages.list(caseID: found.id).map(PackageView.init))
    }

    @Sendable func getPackage(_ request: Request, _ context: AppRequestContext, _ identity: Identity?) async throws -> Response {
        let package = try await findPackage(context)
        let manifestURL = URL(fileURLWithPath: package.folder).appendingPathComponent("manifest.json")
        let data = try await NIOThreadPool.singleton.runIfActive { try? Data(contentsOf: manifestURL) }
        guard let data, let manifest = try? JSONDecoder().decode(EvidenceManifest.self, from: data) else {
            throw Problem(.gone, "the package's manifest can no longer be read on the server; verify the package")
        }
        try await services.record(
            "evidence.view", target: ExportService.target(package.caseID, package: package.id), by: identity, context: context, purpose: request.purpose)
        return try Reply.json(PackageDetail(package: PackageView(package), manifest: manifest))
    }

    @Sendable func download(_ request: Request, _ context: AppRequestContext, _ identity: Identity?) async throws -> Response {
        let package = try await findPackage(context)
        let number = try await services.store.cases.find(id: package.caseID)?.number ?? "case"
        let response = try await PackageDownload.response(for: package, caseNumber: number)
        try await services.record(
            "evidence.download", target: ExportService.target(package.caseID, package: package.id), detail: "\(response.bytes) bytes as ZIP",
            by: identity, context: context, purpose: request.purpose)
        return response.response
    }

    @Sendable func verify(_ request: Request, _ context: AppRequestContext, _ identity: Identity?) async throws -> Response {
        let package = try await findPackage(context)
        let folder = URL(fileURLWithPath: package.folder)
        let report = try await NIOThreadPool.singleton.runIfActive {
            EvidenceVerifier.verify(packageAt: folder, expectedFingerprint: package.fingerprint)
        }
        let result = Verification(
            intact: report.isValid, fingerprint: report.fingerprint, checkedFiles: report.checkedFiles, failures: report.failures.map(\.description))
        try await services.record(
            "evidence.verify", target: ExportService.target(package.caseID, package: package.id),
            detail: report.isValid ? "intact: \(report.checkedFiles.count) files" : "NOT intact: " + result.failures.joined(separator: "; "),
            by: identity, context: context, purpose: request.purpose)
        return try Reply.json(result)
    }

    private func findPackage(_ context: AppRequestContext) async throws -> EvidencePackageRecord {
        guard let package = try await services.store.packages.find(id: try context.pathID("package")) else { throw Problem.notFound("package") }
        return package
    }

    private func view(_ job: ExportJob) async throws -> JobView {
        let package = try await job.packageID.asyncMap { try await services.store.packages.find(id: $0) } ?? nil
        return JobView(job, progress: services.exports.progress.fraction(of: job.id), package: package)
    }
}

extension Optional {
    /// `map` with an async transform.
    func asyncMap<T>(_ transform: (Wrapped) async throws -> T) async rethrows -> T? {
        guard let self else { return nil }
        return try await transform(self)
    }
}
