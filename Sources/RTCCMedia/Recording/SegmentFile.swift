import Crypto
import Foundation
import NIOCore
import NIOPosix
#if canImport(Glibc)
import Glibc
#endif

/// Why a segment file could not be written, recovered or hashed.
public enum SegmentFileError: Error, Sendable, Hashable {
    /// A file-system call failed; `reason` is the system's message.
    case fileSystem(path: String, reason: String)
    /// The muxer refused a fragment.
    case muxing(FMP4MuxerError)
    /// The file does not start with a complete initialization segment (`ftyp` + `moov`).
    case missingInitializationSegment(path: String)
    /// Not one complete fragment survived; the file holds no playable frame and should be discarded.
    case noCompleteFragment(path: String)
}

/// One segment file open for appending: every append is written and `fsync`ed before it returns,
/// and the SHA-256 of everything written is kept up to date.
struct SegmentFile {
    let path: String
    private let handle: FileHandle
    private var hasher = SHA256()
    private(set) var bytes: Int64 = 0

    /// Creates the file and the folders above it; fails if the file exists.
    init(creatingAt url: URL) throws(SegmentFileError) {
        path = url.path
        let manager = FileManager.default
        do {
            try manager.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        } catch {
            throw .fileSystem(path: url.deletingLastPathComponent().path, reason: "\(error)")
        }
        guard !manager.fileExists(atPath: url.path), manager.createFile(atPath: url.path, contents: nil) else {
            throw .fileSystem(path: url.path, reason: "cannot create the file")
        }
        do {
            handle = try FileHandle(forWritingTo: url)
        } catch {
            throw .fileSystem(path: url.path, reason: "\(error)")
        }
    }

    /// Appends `data` and flushes it to stable storage (`fdatasync`: the data and the file's new length, not its times).
    nonisolated(nonsending) mutating func append(_ data: [UInt8]) async throws(SegmentFileError) {
        try await append(pieces: [data])
    }

    /// Appends `pieces`, one after another, and flushes them to stable storage (`fdatasync`: the data and the file's new
    /// length, not its times).
    ///
    /// The write and the flush run on ``SegmentDiskThreads``: a flush blocks for milliseconds, and hundreds of cameras
    /// flushing once a second on Swift's cooperative threads (one per core) would hold them all and stall every task.
    /// The method itself runs on its caller's executor (`nonisolated(nonsending)`): the file's state (its hasher) stays
    /// with the writer, and only the bytes and the descriptor go to the disk thread.
    nonisolated(nonsending) mutating func append(pieces: [[UInt8]]) async throws(SegmentFileError) {
        let descriptor = handle.fileDescriptor
        guard let outcome = await SegmentDiskThreads.run({ Self.writeDurably(pieces, to: descriptor) }) else {
            throw .fileSystem(path: path, reason: "the disk threads have stopped")
        }
        if let failure = outcome { throw .fileSystem(path: path, reason: String(cString: strerror(failure))) }
        for piece in pieces {
            hasher.update(data: piece)
            bytes += Int64(piece.count)
        }
    }

    /// Writes `pieces` at the file's end with `writev(2)` (from the arrays themselves, without gathering them into one
    /// buffer first) and `fdatasync`s them, blocking the calling thread; returns the `errno` of a failure.
    private static func writeDurably(_ pieces: [[UInt8]], to descriptor: Int32) -> Int32? {
        var vectors: [iovec] = []
        vectors.reserveCapacity(pieces.count)
        return withVectors(of: pieces, from: 0, into: &vectors) { vectors in
            if let failure = writeAll(&vectors, to: descriptor) { return failure }
            return fdatasync(descriptor) == 0 ? nil : errno
        }
    }

    /// Calls `body` with an `iovec` for each of `pieces`, each valid while `body` runs (the arrays are pinned one
    /// inside another).
    private static func withVectors(
        of pieces: [[UInt8]], from index: Int, into vectors: inout [iovec], _ body: (inout [iovec]) -> Int32?
    ) -> Int32? {
        guard index < pieces.count else { return body(&vectors) }
        return pieces[index].withUnsafeBytes { raw in
            if raw.count > 0 { vectors.append(iovec(iov_base: UnsafeMutableRawPointer(mutating: raw.baseAddress), iov_len: raw.count)) }
            return withVectors(of: pieces, from: index + 1, into: &vectors, body)
        }
    }

    /// Writes every byte `vectors` describe, resuming after short writes; returns the `errno` of a failure.
    private static func writeAll(_ vectors: inout [iovec], to descriptor: Int32) -> Int32? {
        var first = 0
        while first < vectors.count {
            let count = min(vectors.count - first, 512)
            let result = vectors.withUnsafeBufferPointer { writev(descriptor, $0.baseAddress! + first, Int32(count)) }
            if result < 0 {
                if errno == EINTR { continue }
                return errno
            }
            // A write that takes nothing of a non-empty buffer would repeat for ever: report it as an I/O error.
            if result == 0 { return EIO }
            var left = result
            while left > 0, first < vectors.count {
                let length = vectors[first].iov_len
                if left >= length {
                    left -= length
                    first += 1
                } else {
                    vectors[first].iov_base = vectors[first].iov_base.map { $0 + left }
                    vectors[first].iov_len -= left
                    left = 0
                }
            }
        }
        return nil
    }

    /// Closes the file after a failed write, without flushing or hashing (what reached the disk is read back by
    /// ``SegmentRecovery``).
    consuming func abandon() {
        try? handle.close()
    }

    /// Flushes and closes the file (on ``SegmentDiskThreads``) and returns the hex SHA-256 of its contents.
    nonisolated(nonsending) consuming func close() async throws(SegmentFileError) -> String {
        let handle = handle
        let outcome = await SegmentDiskThreads.run { () -> String? in
            do {
                try handle.synchronize()
                try handle.close()
                return nil
            } catch {
                return "\(error)"
            }
        }
        guard let failure = outcome else { throw .fileSystem(path: path, reason: "the disk threads have stopped") }
        if let failure { throw .fileSystem(path: path, reason: failure) }
        return SegmentHash.hex(hasher.finalize())
    }
}

/// The threads segment files are written and flushed on, apart from Swift's cooperative pool so that a slow disk holds
/// only these. Flushes of different files proceed side by side (the file system commits them together), so there are
/// several: at 400 cameras each flushing once a second, a few milliseconds a flush keeps two or three busy.
enum SegmentDiskThreads {
    /// Started on first use; runs for the life of the process.
    static let pool: NIOThreadPool = {
        let pool = NIOThreadPool(numberOfThreads: min(32, max(8, 4 * System.coreCount)))
        pool.start()
        return pool
    }()

    /// Runs `body` on a disk thread and returns what it returns; nil when the pool has stopped. Not cancelled with the
    /// calling task: a write that was asked for is done (a recorder that is being stopped still seals its segment).
    static func run<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T? {
        await withCheckedContinuation { continuation in
            pool.submit { state in
                switch state {
                case .active: continuation.resume(returning: body())
                case .cancelled: continuation.resume(returning: nil)
                }
            }
        }
    }
}

/// SHA-256 of segment files.
public enum SegmentHash {
    /// The hex SHA-256 of the file at `path`, read in 1 MiB blocks.
    public static func sha256(ofFileAt path: String) throws(SegmentFileError) -> String {
        do {
            let handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: path))
            defer { try? handle.close() }
            var hasher = SHA256()
            while let block = try handle.read(upToCount: 1 << 20), !block.isEmpty {
                hasher.update(data: block)
            }
            return hex(hasher.finalize())
        } catch {
            throw .fileSystem(path: path, reason: "\(error)")
        }
    }

    public static func hex(_ digest: SHA256.Digest) -> String {
        let digits = Array("0123456789abcdef")
        var text = ""
        for byte in digest {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0F)])
        }
        return text
    }
}
