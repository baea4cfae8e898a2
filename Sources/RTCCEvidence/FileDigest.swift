import Crypto
import Foundation

/// SHA-256 of files, as evidence records name them.
public enum FileDigest {
    /// Hex SHA-256 of the file at `url`, read in 1 MiB chunks.
    public static func sha256(of url: URL) throws(EvidenceError) -> String {
        var hasher = SHA256()
        var offset: Int64 = 0
        do {
            while true {
                let chunk = try ChunkReader.read(url, at: offset, upTo: 1 << 20)
                if chunk.isEmpty { break }
                hasher.update(data: chunk)
                offset += Int64(chunk.count)
            }
        } catch {
            throw .fileSystem(path: url.path, reason: "\(error)")
        }
        return Hex.string(hasher.finalize())
    }
}
