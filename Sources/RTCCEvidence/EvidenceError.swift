import RTCCMedia

/// Why an evidence package or its signing key could not be made. Each case says what to do.
public enum EvidenceError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A request names no camera; add at least one.
    case noCameras
    /// Two cameras of one request share an identifier; each clip needs its own.
    case duplicateCamera(id: String)
    /// A camera's clip could not be exported; the wrapped error says why (for example a segment
    /// that fails its sealed SHA-256).
    case clip(camera: String, ClipExportError)
    /// The destination folder already exists; packages are never overwritten.
    case destinationExists(path: String)
    /// The key file may be read by others; run `chmod 600` on it.
    case insecureKeyFile(path: String, mode: Int)
    /// The key file is not a PEM PKCS#8 Ed25519 private key.
    case invalidKeyFile(path: String)
    /// Signing failed in the crypto library.
    case signingFailed(reason: String)
    /// A file-system call failed; check the path and free space.
    case fileSystem(path: String, reason: String)
    /// The package is too large for a ZIP archive without ZIP64 (4 GiB); export fewer cameras or a shorter range per package.
    case archiveTooLarge(path: String, bytes: Int64)

    /// A sentence saying what failed and what to do.
    public var description: String {
        switch self {
        case .noCameras: return "The evidence request names no camera; add at least one."
        case .duplicateCamera(let id): return "Camera \(id) appears twice in the request; list each camera once."
        case .clip(let camera, let error): return "The clip of camera \(camera) could not be exported: \(error.description)"
        case .destinationExists(let path): return "\(path) already exists; evidence packages are never overwritten."
        case .insecureKeyFile(let path, let mode):
            return "The signing key \(path) has mode \(String(mode, radix: 8)); run 'chmod 600 \(path)' so only its owner can read it."
        case .invalidKeyFile(let path): return "\(path) is not a PEM PKCS#8 Ed25519 private key."
        case .signingFailed(let reason): return "Signing the manifest failed: \(reason)."
        case .fileSystem(let path, let reason): return "Writing \(path) failed: \(reason)."
        case .archiveTooLarge(let path, let bytes):
            return "\(path) would make a \(bytes)-byte ZIP archive, over the 4 GiB this server writes; export fewer cameras or a shorter range per package."
        }
    }
}
