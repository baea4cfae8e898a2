import Foundation
import RTCCStore

/// An evidence package as the API shows it (the server's folder path is not shown).
struct PackageView: Encodable {
    struct Gap: Encodable {
        var from: String
        var until: String
    }

    struct Camera: Encodable {
        var cameraID: String
        var name: String
        var frames: Int
        var firstFrame: String
        var lastFrame: String
        var gaps: [Gap]
        var clip: String
    }

    var id: UUID
    var caseID: UUID
    var jobID: UUID
    var fingerprint: String
    var manifestSHA256: String
    var bytes: Int64
    var files: [String]
    var cameras: [Camera]
    var createdBy: String
    var createdAt: Date

    init(_ record: EvidencePackageRecord) {
        id = record.id
        caseID = record.caseID
        jobID = record.jobID
        fingerprint = record.fingerprint
        manifestSHA256 = record.manifestSHA256
        bytes = record.bytes
        files = record.files
        cameras = record.cameras.map {
            Camera(
                cameraID: $0.cameraID, name: $0.name, frames: $0.frames, firstFrame: $0.firstFrame, lastFrame: $0.lastFrame,
                gaps: $0.gaps.compactMap { $0.count == 2 ? Gap(from: $0[0], until: $0[1]) : nil }, clip: $0.clip)
        }
        createdBy = record.createdBy
        createdAt = record.createdAt
    }
}

/// An export job as the API shows it, with its progress and, once done, its package.
struct JobView: Encodable {
    var id: UUID
    var caseID: UUID
    var state: ExportJob.State
    /// 0…1.
    var progress: Double
    var error: String?
    var cameraIDs: [UUID]
    var from: Date
    var until: Date
    var purpose: String
    var requestedBy: String
    var createdAt: Date
    var finishedAt: Date?
    var package: PackageView?

    init(_ job: ExportJob, progress running: Double?, package: EvidencePackageRecord?) {
        id = job.id
        caseID = job.caseID
        state = job.state
        switch job.state {
        case .queued: progress = 0
        case .running: progress = running ?? 0
        case .succeeded: progress = 1
        case .failed: progress = running ?? 0
        }
        error = job.error
        cameraIDs = job.cameraIDs
        from = job.from
        until = job.until
        purpose = job.purpose
        requestedBy = job.requestedBy
        createdAt = job.createdAt
        finishedAt = job.finishedAt
        self.package = package.map(PackageView.init)
    }
}
