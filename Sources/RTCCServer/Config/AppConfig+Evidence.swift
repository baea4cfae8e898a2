import Foundation

extension AppConfig {
    /// Where evidence packages are kept: `<data>/evidence/<case number>/<package id>/`.
    public var evidenceDirectory: URL { URL(fileURLWithPath: dataDirectory).appendingPathComponent("evidence", isDirectory: true) }

    /// The Ed25519 key that signs evidence manifests (created on first use, mode 0600); `rtcc evidence export` uses the same.
    public var evidenceSigningKey: URL { URL(fileURLWithPath: dataDirectory).appendingPathComponent("evidence-signing.key") }
}
