import Foundation

/// A package folder as a ZIP archive, produced chunk by chunk so that a server can stream it without a temporary file.
///
/// Files are stored uncompressed (the clips are already compressed video), under one top-level folder named
/// ``rootName``, in sorted order, with UTF-8 names. Each file's CRC-32 is computed while it is read and written in a
/// data descriptor after its bytes, so every file is read once. The archive's total length is known before the first
/// byte (``byteCount``). Files of 4 GiB or more, or archives over 4 GiB, are refused (``EvidenceError/archiveTooLarge``):
/// this writer does not produce ZIP64.
///
/// The reads are blocking file I/O.
public struct PackageArchive: Sendable {
    /// A file of the package.
    struct Entry: Sendable {
        var path: String
        var name: [UInt8]
        var size: Int64
        var offset: Int64 = 0
        var crc: UInt32 = 0
        var dosTime: UInt16
        var dosDate: UInt16
    }

    private enum Phase: Sendable {
        case header(Int)
        case data(Int)
        case centralDirectory
        case done
    }

    /// The folder every file sits in inside the archive.
    public let rootName: String
    /// Total bytes of the archive.
    public let byteCount: Int64
    private let folder: URL
    private let chunkSize: Int
    private var entries: [Entry]
    private var phase: Phase
    private var position: Int64 = 0
    /// Bytes of the current file already emitted.
    private var fileOffset: Int64 = 0

    /// Prepares the archive of `folder`, whose files will sit under `rootName/`.
    public init(folder: URL, rootName: String, chunkSize: Int = 1 << 20) throws(EvidenceError) {
        self.folder = folder
        self.rootName = rootName
        self.chunkSize = max(chunkSize, 4096)
        let found = try Self.entries(in: folder, root: rootName)
        let local = found.reduce(Int64(0)) { $0 + 30 + Int64($1.name.count) + $1.size + 16 }
        let central = found.reduce(Int64(0)) { $0 + 46 + Int64($1.name.count) }
        let total = local + central + 22
        guard total < Int64(UInt32.max), found.count < Int(UInt16.max) else { throw .archiveTooLarge(path: folder.path, bytes: total) }
        entries = found
        byteCount = total
        phase = found.isEmpty ? .centralDirectory : .header(0)
    }

    /// The next bytes of the archive, or nil after the last.
    public mutating func next() throws(EvidenceError) -> [UInt8]? {
        switch phase {
        case .header(let index):
            entries[index].offset = position
            fileOffset = 0
            phase = .data(index)
            return emit(ZipRecords.localHeader(entries[index]))
        case .data(let index):
            let remaining = entries[index].size - fileOffset
            guard remaining > 0 else {
                phase = index + 1 < entries.count ? .header(index + 1) : .centralDirectory
                return emit(ZipRecords.dataDescriptor(entries[index]))
            }
            let chunk: [UInt8]
            do {
                let url = folder.appendingPathComponent(entries[index].path)
                chunk = try ChunkReader.read(url, at: fileOffset, upTo: Int(min(Int64(chunkSize), remaining)))
            } catch {
                throw .fileSystem(path: entries[index].path, reason: "\(error)")
            }
            guard !chunk.isEmpty else { throw .fileSystem(path: entries[index].path, reason: "it shrank while being archived") }
            entries[index].crc = CRC32.update(entries[index].crc, chunk)
            fileOffset += Int64(chunk.count)
            return emit(chunk)
        case .centralDirectory:
            let start = position
            var bytes: [UInt8] = []
            for entry in entries { bytes += ZipRecords.centralHeader(entry) }
            bytes += ZipRecords.endOfCentralDirectory(count: entries.count, size: Int64(bytes.count), offset: start)
            phase = .done
            return emit(bytes)
        case .done:
            return nil
        }
    }

    /// The whole archive in memory (for tests and small packages).
    public mutating func collect() throws(EvidenceError) -> [UInt8] {
        var all: [UInt8] = []
        while let chunk = try next() { all += chunk }
        return all
    }

    private mutating func emit(_ bytes: [UInt8]) -> [UInt8] {
        position += Int64(bytes.count)
        return bytes
    }

    /// Every regular file under `folder`, sorted by relative path.
    private static func entries(in folder: URL, root: String) throws(EvidenceError) -> [Entry] {
        let base = folder.standardizedFileURL.resolvingSymlinksInPath()
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: base.path, isDirectory: &isFolder), isFolder.boolValue,
            let walker = FileManager.default.enumerator(atPath: base.path)
        else {
            throw .fileSystem(path: folder.path, reason: "cannot list the package folder")
        }
        var found: [Entry] = []
        while let next = walker.nextObject() as? String {
            let url = base.appendingPathComponent(next)
            guard let attributes = try? FileManager.default.attributesOfItem(atPath: url.path),
                attributes[.type] as? FileAttributeType == .typeRegular
            else { continue }
            let size = (attributes[.size] as? NSNumber)?.int64Value ?? 0
            let (time, date) = ZipRecords.dosTimestamp(attributes[.modificationDate] as? Date ?? Date())
            found.append(Entry(path: next, name: Array("\(root)/\(next)".utf8), size: size, dosTime: time, dosDate: date))
        }
        return found.sorted { $0.path < $1.path }
    }
}

/// Reads one chunk of a file, opening and closing it each time, so that an archive abandoned halfway leaves no file open.
enum ChunkReader {
    /// Up to `limit` bytes of `url` from `offset`; empty at the end of the file.
    static func read(_ url: URL, at offset: Int64, upTo limit: Int) throws -> [UInt8] {
        let handle = try FileHandle(forReadingFrom: url)
        defer { try? handle.close() }
        try handle.seek(toOffset: UInt64(offset))
        return [UInt8](try handle.read(upToCount: limit) ?? Data())
    }
}
