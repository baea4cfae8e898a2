import Foundation
import HTTPTypes
import NIOCore
import RTCCCore
import RTCCServer
import RTCCStore

/// A case with an indexed recording, a finished job, a small package folder and a share link: enough for every
/// cases/evidence endpoint to have a valid call in the role matrix. Nothing is exported (the export service is not run).
struct EvidenceFixture: Sendable {
    var evidenceCase: EvidenceCase
    var job: ExportJob
    var package: EvidencePackageRecord
    var shareID: UUID
    var shareToken: String
    /// A range the camera has an indexed segment for.
    var recorded: (from: Date, until: Date)

    static func make(store: Store, camera: Camera) async throws -> EvidenceFixture {
        let now = Date()
        let found = try await store.cases.create(
            CaseDraft(number: "26-000042", type: "shooting", location: "Texas St & Market St", occurredAt: now.addingTimeInterval(-3600)), by: "analyst")
        let start = now.addingTimeInterval(-600)
        try await store.segments.upsert(SegmentRecord(
            id: UUID(), cameraID: camera.id, stream: "main", path: "/nonexistent/segment.mp4", start: start, end: start.addingTimeInterval(60),
            bytes: 1000, frames: 1500, gaps: [], codec: "avc1.4d401f", sha256: String(repeating: "a", count: 64)))
        var job = ExportJob(caseID: found.id, requestedBy: "analyst", purpose: "fixture", cameraIDs: [camera.id], from: start, until: start.addingTimeInterval(30))
        try await store.exportJobs.insert(job)
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("rtcc-test-packages/\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let manifest = """
            {"format":"openrtcc-evidence","formatVersion":1,"caseNumber":"26-000042","purpose":"fixture","exporter":"analyst",
             "exportedAt":"2026-11-30T12:00:00.000Z","signingKeyFingerprint":"\(String(repeating: "0", count: 64))","cameras":[],"files":[]}
            """
        try Data(manifest.utf8).write(to: folder.appendingPathComponent("manifest.json"))
        let package = EvidencePackageRecord(
            id: UUID(), caseID: found.id, jobID: job.id, folder: folder.path, fingerprint: String(repeating: "0", count: 64),
            manifestSHA256: String(repeating: "1", count: 64), bytes: Int64(manifest.utf8.count), files: ["manifest.json"], cameras: [],
            createdBy: "analyst", createdAt: now)
        try await store.packages.insert(package)
        try await store.exportJobs.succeed(id: job.id, packageID: package.id)
        job.packageID = package.id
        let (link, token) = try await store.shareLinks.issue(
            packageID: package.id, recipient: "Caddo Parish DA", reason: "discovery", by: "supervisor", expiresAt: now.addingTimeInterval(3600),
            maxDownloads: 5)
        return EvidenceFixture(
            evidenceCase: found, job: job, package: package, shareID: link.id, shareToken: token, recorded: (start.addingTimeInterval(5), start.addingTimeInterval(20)))
    }

    /// A valid request for a cases/evidence endpoint, or nil for other endpoints.
    func call(for endpoint: Endpoint, cameraID: UUID) -> (uri: String, body: ByteBuffer?, headers: HTTPFields)? {
        let caseID = evidenceCase.id.uuidString
        func path(_ id: String) -> String { endpoint.path.replacingOccurrences(of: "{id}", with: id) }
        switch (endpoint.method, endpoint.path) {
        case (.post, "/api/v1/cases"):
            let body = ["number": "26-\(UUID().uuidString.prefix(6))", "type": "burglary", "location": "1 Main St", "occurredAt": "2026-11-30T20:00:00Z"]
            return (endpoint.path, jsonBody(body), jsonHeaders)
        case (.patch, "/api/v1/cases/{id}"):
            return (path(caseID), jsonBody(["location": "401 Texas St"]), jsonHeaders)
        case (.post, "/api/v1/cases/{id}/links"):
            return (path(caseID), jsonBody(["kind": "event", "reference": "alert-\(UUID().uuidString.prefix(6))"]), jsonHeaders)
        case (.post, "/api/v1/cases/{id}/notes"):
            return (path(caseID), jsonBody(["text": "Reviewed the north camera."]), jsonHeaders)
        case (.post, "/api/v1/cases/{id}/exports"):
            let body: [String: Any] = [
                "cameraIDs": [cameraID.uuidString], "from": recorded.from.ISO8601Format(), "until": recorded.until.ISO8601Format(), "purpose": "court",
            ]
            return (path(caseID), jsonBody(body), jsonHeaders)
        case (_, let template) where template.hasPrefix("/api/v1/cases/{id}"):
            return (path(caseID), nil, [:])
        case (_, "/api/v1/exports/{id}"):
            return (path(job.id.uuidString), nil, [:])
        case (.post, "/api/v1/packages/{id}/shares"):
            return (path(package.id.uuidString), jsonBody(["recipient": "Shreveport PD, Det. Ruiz", "reason": "investigation"]), jsonHeaders)
        case (_, let template) where template.hasPrefix("/api/v1/packages/{id}"):
            return (path(package.id.uuidString), nil, [:])
        case (_, "/api/v1/shares/{id}"):
            return (path(shareID.uuidString), nil, [:])
        case (_, "/api/v1/share/{id}"):
            return (path(shareToken), nil, [:])
        default:
            return nil
        }
    }
}
