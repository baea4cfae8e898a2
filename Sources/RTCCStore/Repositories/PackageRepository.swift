import FluentKit
import Foundation
import RTCCCore
import SQLKit

/// A finished, signed evidence package kept for a case.
public struct EvidencePackageRecord: Codable, Sendable, Hashable {
    /// What the package holds, per camera, as its manifest says.
    public struct CameraSummary: Codable, Sendable, Hashable {
        /// Camera id.
        public var cameraID: String
        /// Camera name.
        public var name: String
        /// Pictures in the clip.
        public var frames: Int
        /// Wall-clock time of the first picture (ISO 8601).
        public var firstFrame: String
        /// Wall-clock time of the last picture (ISO 8601).
        public var lastFrame: String
        /// Parts of the range with no recording: pairs of ISO 8601 times.
        public var gaps: [[String]]
        /// The clip's path in the package.
        public var clip: String

        /// Creates a summary.
        public init(cameraID: String, name: String, frames: Int, firstFrame: String, lastFrame: String, gaps: [[String]], clip: String) {
            self.cameraID = cameraID
            self.name = name
            self.frames = frames
            self.firstFrame = firstFrame
            self.lastFrame = lastFrame
            self.gaps = gaps
            self.clip = clip
        }
    }

    /// Package id.
    public var id: UUID
    /// The case.
    public var caseID: UUID
    /// The job that made it.
    public var jobID: UUID
    /// The package folder on the server.
    public var folder: String
    /// Fingerprint of the key that signed the manifest.
    public var fingerprint: String
    /// SHA-256 of `manifest.json`.
    public var manifestSHA256: String
    /// Total bytes of its files.
    public var bytes: Int64
    /// Its files, relative to the folder.
    public var files: [String]
    /// Per camera.
    public var cameras: [CameraSummary]
    /// Who exported it.
    public var createdBy: String
    /// When.
    public var createdAt: Date

    /// Creates a record.
    public init(
        id: UUID, caseID: UUID, jobID: UUID, folder: String, fingerprint: String, manifestSHA256: String, bytes: Int64, files: [String],
        cameras: [CameraSummary], createdBy: String, createdAt: Date
    ) {
        self.id = id
        self.caseID = caseID
        self.jobID = jobID
        self.folder = folder
        self.fingerprint = fingerprint
        self.manifestSHA256 = manifestSHA256
        self.bytes = bytes
        self.files = files
        self.cameras = cameras
        self.createdBy = createdBy
        self.createdAt = createdAt.millisecondPrecision
    }
}

/// Evidence packages in SQL.
public struct PackageRepository: Sendable {
    let database: any Database

    /// Stores a package record.
    public func insert(_ package: EvidencePackageRecord) async throws {
        try await database.sql.insert(into: "evidence_packages").model(PackageRow(package), with: rowEncoder).run()
    }

    /// One package, or nil.
    public func find(id: UUID) async throws -> EvidencePackageRecord? {
        try await database.sql.select().column("*").from("evidence_packages").where("id", .equal, id)
            .first(decoding: PackageRow.self, keyDecodingStrategy: .convertFromSnakeCase)?.record
    }

    /// A case's packages, newest first.
    public func list(caseID: UUID) async throws -> [EvidencePackageRecord] {
        try await database.sql.select().column("*").from("evidence_packages").where("case_id", .equal, caseID).orderBy("created_at", .descending)
            .all(decoding: PackageRow.self, keyDecodingStrategy: .convertFromSnakeCase).compactMap(\.record)
    }
}

/// An `evidence_packages` row; files and cameras are kept as JSON in `summary`.
struct PackageRow: Codable, Sendable {
    struct Summary: Codable {
        var files: [String]
        var cameras: [EvidencePackageRecord.CameraSummary]
    }

    var id: UUID
    var caseId: UUID
    var jobId: UUID
    var folder: String
    var fingerprint: String
    var manifestSha256: String
    var bytes: Int64
    var summary: String
    var createdBy: String
    var createdAt: Date

    init(_ record: EvidencePackageRecord) {
        id = record.id
        caseId = record.caseID
        jobId = record.jobID
        folder = record.folder
        fingerprint = record.fingerprint
        manifestSha256 = record.manifestSHA256
        bytes = record.bytes
        let encoded = try? JSONCoding.encoder.encode(Summary(files: record.files, cameras: record.cameras))
        summary = String(decoding: encoded ?? Data("{\"files\":[],\"cameras\":[]}".utf8), as: UTF8.self)
        createdBy = record.createdBy
        createdAt = record.createdAt
    }

    var record: EvidencePackageRecord? {
        guard let decoded = try? JSONCoding.decoder.decode(Summary.self, from: Data(summary.utf8)) else { return nil }
        return EvidencePackageRecord(
            id: id, caseID: caseId, jobID: jobId, folder: folder, fingerprint: fingerprint, manifestSHA256: manifestSha256, bytes: bytes,
            files: decoded.files, cameras: decoded.cameras, createdBy: createdBy, createdAt: createdAt)
    }
}
