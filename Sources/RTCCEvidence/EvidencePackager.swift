import Crypto
import Foundation
import Logging
import RTCCMedia

/// Makes an evidence package: a folder holding
///
/// - `clips/<camera-id>.mp4`: one exact clip per camera (see ``ClipExporter``);
/// - `manifest.json`: case, purpose, exporter, time, per-camera ranges, frames, gaps, clip and
///   source-segment digests, and the SHA-256 of every other file;
/// - `manifest.sig`: the raw 64-byte Ed25519 signature of the exact bytes of `manifest.json`;
/// - `public-key.pem`: the signing key's public half (SubjectPublicKeyInfo);
/// - `SHA256SUMS`: `sha256sum` lines for every file but itself and the signature;
/// - `VERIFY.txt`: how to check the package with `sha256sum` and `openssl` alone.
///
/// Everything is written into a temporary folder next to the destination, which is renamed
/// once complete. Files are 0600 and folders 0700 (or group-readable, see ``RecordingFileMode``) before the rename.
/// The work is blocking file I/O.
public struct EvidencePackager: Sendable {
    /// A camera to include.
    public struct Camera: Sendable, Hashable {
        /// The camera's identifier; also the clip's file name, so only letters, digits, `-` and `_` are kept.
        public var id: String
        /// Display name.
        public var name: String
        /// Where it is.
        public var location: String
        /// Who owns or operates it.
        public var owner: String
        /// Its sealed segments covering the range.
        public var segments: [RecordedSegment]
        /// The first wall-clock instant wanted.
        public var from: Date
        /// The end of the range (exclusive).
        public var until: Date

        /// Creates a camera entry.
        public init(id: String, name: String, location: String, owner: String, segments: [RecordedSegment], from: Date, until: Date) {
            self.id = id
            self.name = name
            self.location = location
            self.owner = owner
            self.segments = segments
            self.from = from
            self.until = until
        }

        var fileName: String {
            let kept = id.unicodeScalars.filter { CharacterSet.alphanumerics.contains($0) || $0 == "-" || $0 == "_" }
            return kept.isEmpty ? "camera" : String(String.UnicodeScalarView(kept))
        }
    }

    /// What to package.
    public struct Request: Sendable, Hashable {
        /// The case number.
        public var caseNumber: String
        /// Why the evidence is exported.
        public var purpose: String
        /// Who exports it.
        public var exporter: String
        /// The cameras.
        public var cameras: [Camera]
        /// The export time written to the manifest.
        public var exportedAt: Date

        /// Creates a request; `exportedAt` defaults to now.
        public init(caseNumber: String, purpose: String, exporter: String, cameras: [Camera], exportedAt: Date = Date()) {
            self.caseNumber = caseNumber
            self.purpose = purpose
            self.exporter = exporter
            self.cameras = cameras
            self.exportedAt = exportedAt
        }
    }

    /// A finished package.
    public struct Package: Sendable, Hashable {
        /// The package folder.
        public var folder: URL
        /// The manifest as signed.
        public var manifest: EvidenceManifest
        /// The signing key's fingerprint.
        public var fingerprint: String
    }

    private let key: SigningKey
    private let logger: Logger
    private let fileMode: RecordingFileMode

    /// Creates a packager signing with `key`, giving the package's files and folders `fileMode` (owner-only by default).
    public init(key: SigningKey, fileMode: RecordingFileMode = .private, logger: Logger = Logger(label: "rtcc.evidence.packager")) {
        self.key = key
        self.fileMode = fileMode
        self.logger = logger
    }

    /// Rewrites a camera's exported clip in place before it is hashed and signed (the server burns privacy masks in);
    /// gets the camera id and the clip file, returns whether it changed the file.
    public typealias ClipFinisher = @Sendable (_ cameraID: String, _ clip: URL) throws -> Bool

    /// Writes the package for `request` to the folder `destination` (which must not exist);
    /// `progress` receives the fraction done; `finish` may rewrite each clip before it is hashed and signed.
    public func package(
        _ request: Request, to destination: URL, finish: ClipFinisher = { _, _ in false }, progress: @Sendable (Double) -> Void = { _ in }
    ) throws(EvidenceError) -> Package {
        guard !request.cameras.isEmpty else { throw .noCameras }
        if let duplicate = Self.firstDuplicate(request.cameras.map(\.fileName)) { throw .duplicateCamera(id: duplicate) }
        guard !FileManager.default.fileExists(atPath: destination.path) else { throw .destinationExists(path: destination.path) }
        let staging = destination.deletingLastPathComponent()
            .appendingPathComponent(".\(destination.lastPathComponent).\(UUID().uuidString.lowercased()).partial", isDirectory: true)
        var finished = false
        defer { if !finished { try? FileManager.default.removeItem(at: staging) } }
        try PackageFiles.makeFolder(staging.appendingPathComponent("clips", isDirectory: true))
        var cameras: [EvidenceManifest.Camera] = []
        for (index, camera) in request.cameras.enumerated() {
            let share = 1 / Double(request.cameras.count)
            cameras.append(
                try exportClip(camera, into: staging, finish: finish) { fraction in progress((Double(index) + fraction) * share * 0.95) })
        }
        let manifest = try writeSignedFiles(request, cameras: cameras, in: staging)
        try applyFileModes(in: staging)
        do {
            try FileManager.default.moveItem(at: staging, to: destination)
        } catch {
            throw .fileSystem(path: destination.path, reason: "\(error)")
        }
        finished = true
        progress(1)
        logger.info("evidence package written", metadata: ["case": "\(request.caseNumber)", "path": "\(destination.path)"])
        return Package(folder: destination, manifest: manifest, fingerprint: key.fingerprint)
    }

    /// Gives every file and folder of the staged package ``fileMode``.
    private func applyFileModes(in staging: URL) throws(EvidenceError) {
        var folders = [staging.path]
        var files: [String] = []
        guard let walker = FileManager.default.enumerator(at: staging, includingPropertiesForKeys: nil) else {
            throw .fileSystem(path: staging.path, reason: "cannot list the package folder")
        }
        for case let url as URL in walker {
            var isFolder: ObjCBool = false
            guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isFolder) else { continue }
            if isFolder.boolValue { folders.append(url.path) } else { files.append(url.path) }
        }
        do {
            for path in files { try fileMode.applyToFile(at: path) }
            for path in folders { try fileMode.applyToFolder(at: path) }
        } catch {
            throw .fileSystem(path: staging.path, reason: "\(error)")
        }
    }

    private func exportClip(
        _ camera: Camera, into staging: URL, finish: ClipFinisher, progress: @Sendable (Double) -> Void
    ) throws(EvidenceError) -> EvidenceManifest.Camera {
        let relative = "clips/\(camera.fileName).mp4"
        var result: ClipExportResult
        do {
            result = try ClipExporter(logger: logger).export(
                .init(segments: camera.segments, from: camera.from, until: camera.until, destination: staging.appendingPathComponent(relative)),
                progress: progress)
        } catch {
            throw .clip(camera: camera.id, error)
        }
        let clip = staging.appendingPathComponent(relative)
        let changed: Bool
        do {
            changed = try finish(camera.id, clip)
        } catch {
            throw .fileSystem(path: clip.path, reason: "the clip could not be finished: \(error)")
        }
        if changed {
            let digest = try PackageFiles.digest(of: staging, path: relative)
            result.sha256 = digest.sha256
            result.bytes = digest.bytes
        }
        return EvidenceManifest.Camera(
            id: camera.id, name: camera.name, location: camera.location, owner: camera.owner,
            requested: EvidenceManifest.range(camera.from, camera.until), actual: EvidenceManifest.range(result.firstFrame, result.lastFrame),
            frames: result.frames, gaps: result.gaps.map { EvidenceManifest.range($0.start, $0.end) },
            clip: EvidenceManifest.File(path: relative, sha256: result.sha256, bytes: result.bytes),
            sourceSegments: result.sources.map {
                EvidenceManifest.SourceSegment(
                    id: $0.segment.uuidString.lowercased(), sha256: $0.sha256, range: EvidenceManifest.range($0.start, $0.end),
                    openAtExport: $0.sealed ? nil : true)
            },
            endsAtLiveEdge: result.liveEdge.map(EvidenceManifest.timestamp))
    }

    /// Writes the key, instructions, manifest, signature and checksums; returns the manifest.
    private func writeSignedFiles(
        _ request: Request, cameras: [EvidenceManifest.Camera], in staging: URL
    ) throws(EvidenceError) -> EvidenceManifest {
        try PackageFiles.write(Data(key.publicKeyPEM.utf8), to: staging, path: PackageLayout.publicKey)
        try PackageFiles.write(Data(VerifyInstructions.text(fingerprint: key.fingerprint).utf8), to: staging, path: PackageLayout.instructions)
        var files = cameras.map(\.clip)
        for path in [PackageLayout.publicKey, PackageLayout.instructions] {
            files.append(try PackageFiles.digest(of: staging, path: path))
        }
        let manifest = EvidenceManifest(
            format: PackageLayout.formatName, formatVersion: RTCCEvidence.packageFormatVersion, caseNumber: request.caseNumber,
            purpose: request.purpose, exporter: request.exporter, exportedAt: EvidenceManifest.timestamp(request.exportedAt),
            signingKeyFingerprint: key.fingerprint, cameras: cameras, files: files.sorted { $0.path < $1.path })
        let bytes: Data
        do {
            bytes = try manifest.encoded()
        } catch {
            throw .fileSystem(path: PackageLayout.manifest, reason: "cannot encode: \(error)")
        }
        try PackageFiles.write(bytes, to: staging, path: PackageLayout.manifest)
        try PackageFiles.write(try key.signature(for: bytes), to: staging, path: PackageLayout.signature)
        let summed = manifest.files + [try PackageFiles.digest(of: staging, path: PackageLayout.manifest)]
        let sums = summed.sorted { $0.path < $1.path }.map { "\($0.sha256)  \($0.path)\n" }.joined()
        try PackageFiles.write(Data(sums.utf8), to: staging, path: PackageLayout.checksums)
        return manifest
    }

    private static func firstDuplicate(_ names: [String]) -> String? {
        var seen: Set<String> = []
        for name in names where !seen.insert(name).inserted { return name }
        return nil
    }
}

/// The fixed names of a package.
enum PackageLayout {
    static let formatName = "openrtcc-evidence"
    static let manifest = "manifest.json"
    static let signature = "manifest.sig"
    static let publicKey = "public-key.pem"
    static let checksums = "SHA256SUMS"
    static let instructions = "VERIFY.txt"
}

/// File helpers that turn failures into ``EvidenceError``.
enum PackageFiles {
    static func makeFolder(_ url: URL) throws(EvidenceError) {
        do {
            try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        } catch {
            throw .fileSystem(path: url.path, reason: "\(error)")
        }
    }

    static func write(_ data: Data, to folder: URL, path: String) throws(EvidenceError) {
        let url = folder.appendingPathComponent(path)
        do {
            try data.write(to: url)
            let handle = try FileHandle(forWritingTo: url)
            try handle.synchronize()
            try handle.close()
        } catch {
            throw .fileSystem(path: url.path, reason: "\(error)")
        }
    }

    static func digest(of folder: URL, path: String) throws(EvidenceError) -> EvidenceManifest.File {
        let url = folder.appendingPathComponent(path)
        do {
            let data = try Data(contentsOf: url)
            return EvidenceManifest.File(path: path, sha256: Hex.string(SHA256.hash(data: data)), bytes: Int64(data.count))
        } catch {
            throw .fileSystem(path: url.path, reason: "\(error)")
        }
    }
}
