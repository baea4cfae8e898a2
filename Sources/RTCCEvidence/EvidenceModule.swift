/// Evidence packages: exact clips remuxed from recordings, signed manifests and an offline verifier.
/// Knows nothing of HTTP or the database; the server supplies segments and records custody.
public enum RTCCEvidence {
    /// Version of the evidence package format.
    public static let packageFormatVersion = 1
}
