import Foundation
import RTCCMedia
import RTCCStore
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The permissions of what the server keeps on disk: everything owner-only (data folder 0700; database, keys,
/// recordings and evidence 0600), except recordings when ``AppConfig/recordingsGroup`` names a group that may read
/// them (files 0640, folders 0750, and the data folder 0710 so the group can reach the recordings inside it).
public enum FileModes {
    /// Why the data folder could not be made private.
    public struct Failure: Error, Sendable, CustomStringConvertible {
        /// The path and the problem.
        public let description: String
    }

    /// Sets the process's file creation mask so that every file it creates is owner-only unless given a mode
    /// explicitly. Call once, first thing, in `serve` and `demo`.
    public static func restrictProcessUmask() {
        umask(0o077)
    }

    /// Creates the data folder (and the recordings folder) if needed and gives them their modes, and makes the
    /// database files (SQLite file, journal, WAL) and the credential key owner-only.
    public static func secure(config: AppConfig) throws(Failure) {
        let recordings = RecordingFileMode.recordings(group: config.recordingsGroup)
        let data = config.dataDirectory
        let inside = config.resolvedRecordingsDirectories.contains {
            URL(fileURLWithPath: $0).standardizedFileURL.path.hasPrefix(URL(fileURLWithPath: data).standardizedFileURL.path + "/")
        }
        let dataMode = config.recordingsGroup != nil && inside ? RecordingFileMode(file: 0o600, folder: 0o710, group: config.recordingsGroup) : .private
        try folder(data, mode: dataMode)
        if config.recordingEnabled { for volume in config.resolvedRecordingsDirectories { try folder(volume, mode: recordings) } }
        var files = [URL(fileURLWithPath: data).appendingPathComponent("credential.key").path]
        if case .sqlite(let path) = config.resolvedDatabase { files += [path, path + "-journal", path + "-wal", path + "-shm"] }
        for path in files where FileManager.default.fileExists(atPath: path) {
            do { try RecordingFileMode.private.applyToFile(at: path) } catch { throw Failure(description: "\(error)") }
        }
    }

    private static func folder(_ path: String, mode: RecordingFileMode) throws(Failure) {
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
            try mode.applyToFolder(at: path)
        } catch {
            throw Failure(description: "cannot make \(path) private: \(error)")
        }
    }
}
