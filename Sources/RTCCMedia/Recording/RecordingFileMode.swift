import Foundation

/// The permissions given to recorded and exported files and their folders: owner-only (0600 files, 0700 folders) by
/// default, or readable by one group (0640 files, 0750 folders, owned by that group) so that a backup or review
/// account can read footage without running as the server.
public struct RecordingFileMode: Sendable, Hashable {
    /// POSIX permissions of files.
    public var file: Int16
    /// POSIX permissions of folders.
    public var folder: Int16
    /// The group given read access, by name; nil leaves the group as created.
    public var group: String?

    /// Owner-only: files 0600, folders 0700.
    public static let `private` = RecordingFileMode(file: 0o600, folder: 0o700, group: nil)

    /// Files 0640 and folders 0750, owned by `group`.
    public static func readable(byGroup group: String) -> RecordingFileMode {
        RecordingFileMode(file: 0o640, folder: 0o750, group: group)
    }

    /// Owner-only, or readable by `group` when one is given.
    public static func recordings(group: String?) -> RecordingFileMode {
        group.map(readable(byGroup:)) ?? .private
    }

    /// Creates a mode.
    public init(file: Int16, folder: Int16, group: String?) {
        self.file = file
        self.folder = folder
        self.group = group
    }

    /// Gives the file at `path` this mode.
    /// - Throws: ``SegmentFileError/fileSystem(path:reason:)`` when the permissions or group cannot be set (an unknown
    ///   group, say).
    public func applyToFile(at path: String) throws(SegmentFileError) {
        try apply(file, to: path)
    }

    /// Gives the folder at `path` this mode.
    public func applyToFolder(at path: String) throws(SegmentFileError) {
        try apply(folder, to: path)
    }

    private func apply(_ permissions: Int16, to path: String) throws(SegmentFileError) {
        var attributes: [FileAttributeKey: Any] = [.posixPermissions: NSNumber(value: permissions)]
        if let group { attributes[.groupOwnerAccountName] = group }
        do {
            try FileManager.default.setAttributes(attributes, ofItemAtPath: path)
        } catch {
            throw .fileSystem(path: path, reason: "cannot set permissions \(String(permissions, radix: 8))\(group.map { " and group \($0)" } ?? ""): \(error)")
        }
    }
}
