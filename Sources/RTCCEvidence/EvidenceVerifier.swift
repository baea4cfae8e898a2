import Crypto
import Foundation

/// The outcome of checking an evidence package.
public struct VerificationReport: Sendable, Hashable {
    /// What is wrong with one file.
    public enum Problem: Sendable, Hashable {
        /// A file the manifest or `SHA256SUMS` lists is not there.
        case missing
        /// A file is there that the manifest does not list.
        case unexpected
        /// The file's SHA-256 differs from the one recorded (in `manifest.json` or `SHA256SUMS`).
        case digestMismatch(recordedIn: String, expected: String, actual: String)
        /// The file's size differs from the manifest's.
        case sizeMismatch(expected: Int64, actual: Int64)
        /// `manifest.sig` is not a valid signature of `manifest.json` by the key in `public-key.pem`.
        case signatureInvalid
        /// The key's fingerprint is not the one expected.
        case fingerprintMismatch(expected: String, actual: String)
        /// The file cannot be read as what it should be.
        case malformed(reason: String)
    }

    /// One failed check.
    public struct Failure: Sendable, Hashable, CustomStringConvertible {
        /// The file, relative to the package folder.
        public var file: String
        /// What is wrong.
        public var problem: Problem

        /// Creates a failure.
        public init(file: String, problem: Problem) {
            self.file = file
            self.problem = problem
        }

        /// A sentence naming the file and the problem.
        public var description: String {
            switch problem {
            case .missing: return "\(file): missing"
            case .unexpected: return "\(file): not listed in the manifest (added after export?)"
            case .digestMismatch(let source, let expected, let actual):
                return "\(file): SHA-256 is \(actual), but \(source) records \(expected) (file altered or damaged)"
            case .sizeMismatch(let expected, let actual): return "\(file): \(actual) bytes, but the manifest records \(expected)"
            case .signatureInvalid:
                return "\(file): not a valid signature of manifest.json by public-key.pem (manifest altered or key replaced)"
            case .fingerprintMismatch(let expected, let actual): return "\(file): key fingerprint is \(actual), expected \(expected)"
            case .malformed(let reason): return "\(file): \(reason)"
            }
        }
    }

    /// Every failed check; empty when the package is intact.
    public var failures: [Failure]
    /// Files whose SHA-256 was checked against the manifest or `SHA256SUMS`, relative to the package folder.
    public var checkedFiles: [String]
    /// The fingerprint of the key in `public-key.pem`, when it could be read.
    public var fingerprint: String?
    /// The manifest, when it could be decoded.
    public var manifest: EvidenceManifest?

    /// Whether every check passed.
    public var isValid: Bool { failures.isEmpty }
}

/// Checks an evidence package using nothing outside its folder: the signature of the manifest,
/// the key's fingerprint, every digest in `manifest.json` and `SHA256SUMS`, and that no file is
/// missing or added. Only relative paths are used, so a copied package verifies the same.
public enum EvidenceVerifier {
    /// Verifies the package folder at `folder`; `expectedFingerprint` (hex) pins the signing key.
    public static func verify(packageAt folder: URL, expectedFingerprint: String? = nil) -> VerificationReport {
        var check = PackageCheck(folder: folder)
        check.run(expectedFingerprint: expectedFingerprint?.lowercased())
        return VerificationReport(
            failures: check.failures, checkedFiles: check.digests.keys.sorted(), fingerprint: check.fingerprint, manifest: check.manifest)
    }
}

/// The state of one verification.
struct PackageCheck {
    let folder: URL
    var failures: [VerificationReport.Failure] = []
    var digests: [String: (sha256: String, bytes: Int64)] = [:]
    var fingerprint: String?
    var manifest: EvidenceManifest?

    init(folder: URL) { self.folder = folder }

    mutating func run(expectedFingerprint: String?) {
        let present = listFiles()
        let required = (read(PackageLayout.manifest), read(PackageLayout.signature), read(PackageLayout.publicKey))
        guard let manifestBytes = required.0, let signature = required.1, let keyBytes = required.2 else { return }
        guard let key = SigningKey.publicKey(fromPEM: String(decoding: keyBytes, as: UTF8.self)) else {
            fail(PackageLayout.publicKey, .malformed(reason: "not a PEM Ed25519 public key"))
            return
        }
        let actual = SigningKey.fingerprint(of: key)
        fingerprint = actual
        if let expectedFingerprint, expectedFingerprint != actual {
            fail(PackageLayout.publicKey, .fingerprintMismatch(expected: expectedFingerprint, actual: actual))
        }
        if !key.isValidSignature(signature, for: manifestBytes) { fail(PackageLayout.signature, .signatureInvalid) }
        guard let decoded = try? JSONDecoder().decode(EvidenceManifest.self, from: manifestBytes) else {
            fail(PackageLayout.manifest, .malformed(reason: "not an evidence manifest"))
            return
        }
        manifest = decoded
        if decoded.signingKeyFingerprint.lowercased() != actual {
            fail(PackageLayout.publicKey, .fingerprintMismatch(expected: decoded.signingKeyFingerprint, actual: actual))
        }
        checkManifestFiles(decoded)
        checkChecksums(decoded)
        let listed = Set(decoded.files.map(\.path) + [PackageLayout.manifest, PackageLayout.signature, PackageLayout.checksums])
        for path in present.sorted() where !listed.contains(path) { fail(path, .unexpected) }
    }

    private mutating func checkManifestFiles(_ manifest: EvidenceManifest) {
        for file in manifest.files {
            guard Self.isSafe(file.path) else {
                fail(PackageLayout.manifest, .malformed(reason: "lists an unsafe path \(file.path)"))
                continue
            }
            guard let actual = digest(file.path) else { continue }
            if actual.sha256 != file.sha256.lowercased() {
                fail(file.path, .digestMismatch(recordedIn: PackageLayout.manifest, expected: file.sha256, actual: actual.sha256))
            } else if actual.bytes != file.bytes {
                fail(file.path, .sizeMismatch(expected: file.bytes, actual: actual.bytes))
            }
        }
        let listed = Set(manifest.files)
        for camera in manifest.cameras where !listed.contains(camera.clip) {
            fail(PackageLayout.manifest, .malformed(reason: "the clip of camera \(camera.id) is not among its files"))
        }
    }

    private mutating func checkChecksums(_ manifest: EvidenceManifest) {
        guard let data = read(PackageLayout.checksums) else { return }
        var summed: Set<String> = []
        for line in String(decoding: data, as: UTF8.self).split(separator: "\n") {
            let parts = line.split(separator: " ", maxSplits: 1)
            guard parts.count == 2, parts[0].count == 64 else {
                fail(PackageLayout.checksums, .malformed(reason: "unreadable line '\(line)'"))
                continue
            }
            var path = String(parts[1])
            if path.hasPrefix(" ") || path.hasPrefix("*") { path.removeFirst() }
            let expected = parts[0].lowercased()
            summed.insert(path)
            guard Self.isSafe(path) else {
                fail(PackageLayout.checksums, .malformed(reason: "lists an unsafe path \(path)"))
                continue
            }
            if let actual = digest(path), actual.sha256 != expected {
                fail(path, .digestMismatch(recordedIn: PackageLayout.checksums, expected: expected, actual: actual.sha256))
            }
        }
        let required = Set(manifest.files.map(\.path) + [PackageLayout.manifest])
        for path in required.subtracting(summed).sorted() {
            fail(PackageLayout.checksums, .malformed(reason: "has no line for \(path)"))
        }
        for path in summed.subtracting(required).sorted() {
            fail(PackageLayout.checksums, .malformed(reason: "lists \(path), which the manifest does not"))
        }
    }

    /// Every regular file under the folder, relative, with `/` separators.
    private func listFiles() -> Set<String> {
        var files: Set<String> = []
        let base = folder.standardizedFileURL.resolvingSymlinksInPath().path
        guard let walker = FileManager.default.enumerator(atPath: base) else { return files }
        while let next = walker.nextObject() as? String {
            var isFolder: ObjCBool = false
            if FileManager.default.fileExists(atPath: base + "/" + next, isDirectory: &isFolder), !isFolder.boolValue { files.insert(next) }
        }
        return files
    }

    private mutating func read(_ path: String) -> Data? {
        guard let data = try? Data(contentsOf: folder.appendingPathComponent(path)) else {
            fail(path, .missing)
            return nil
        }
        return data
    }

    private mutating func digest(_ path: String) -> (sha256: String, bytes: Int64)? {
        if let known = digests[path] { return known }
        guard let data = read(path) else { return nil }
        let value = (Hex.string(SHA256.hash(data: data)), Int64(data.count))
        digests[path] = value
        return value
    }

    private mutating func fail(_ file: String, _ problem: VerificationReport.Problem) {
        let failure = VerificationReport.Failure(file: file, problem: problem)
        if !failures.contains(failure) { failures.append(failure) }
    }

    /// A relative path that stays inside the package.
    static func isSafe(_ path: String) -> Bool {
        !path.isEmpty && !path.hasPrefix("/") && !path.split(separator: "/").contains("..")
    }
}
