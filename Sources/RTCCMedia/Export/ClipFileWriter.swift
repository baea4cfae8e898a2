import Crypto
import Foundation

/// Writes a planned clip to a temporary file next to the destination, flushes it and renames it.
enum ClipFileWriter {
    /// Writes the clip; `progress` gets the segment bytes read so far. Returns the clip's SHA-256 and size.
    static func write(
        _ plan: ClipPlan, sources: [RecordedSegment], checked: [Int: [UInt8]] = [:], to destination: URL, progress: (Int64) -> Void
    ) throws(ClipExportError) -> (sha256: String, bytes: Int64) {
        let folder = destination.deletingLastPathComponent()
        let temporary = folder.appendingPathComponent(".\(destination.lastPathComponent).\(UUID().uuidString.lowercased()).partial")
        let manager = FileManager.default
        do {
            try manager.createDirectory(at: folder, withIntermediateDirectories: true)
        } catch {
            throw .fileSystem(path: folder.path, reason: "\(error)")
        }
        guard manager.createFile(atPath: temporary.path, contents: nil) else {
            throw .fileSystem(path: temporary.path, reason: "cannot create the file")
        }
        var done = false
        defer { if !done { try? manager.removeItem(at: temporary) } }
        let result = try fill(temporary, plan: plan, sources: sources, checked: checked, progress: progress)
        guard !manager.fileExists(atPath: destination.path) else { throw .destinationExists(path: destination.path) }
        do {
            try manager.moveItem(at: temporary, to: destination)
        } catch {
            throw .fileSystem(path: destination.path, reason: "\(error)")
        }
        done = true
        return result
    }

    private static func fill(
        _ url: URL, plan: ClipPlan, sources: [RecordedSegment], checked: [Int: [UInt8]], progress: (Int64) -> Void
    ) throws(ClipExportError) -> (sha256: String, bytes: Int64) {
        var hasher = SHA256()
        var written: Int64 = 0
        var read: Int64 = 0
        do {
            let handle = try FileHandle(forWritingTo: url)
            defer { try? handle.close() }
            func emit(_ bytes: Data) throws {
                try handle.write(contentsOf: bytes)
                hasher.update(data: bytes)
                written += Int64(bytes.count)
            }
            try emit(Data(ProgressiveMP4Header.bytes(for: plan)))
            var loaded: (source: Int, data: [UInt8])?
            for chunk in ProgressiveMP4Header.chunks(of: plan) {
                let source = plan.samples[chunk.firstSample].source
                if loaded?.source != source {
                    // Bytes checked moments ago are used as they are; any other source is read and checked again.
                    let data = try checked[source] ?? ClipExporter.verifiedBytes(of: sources[source])
                    loaded = (source, data)
                    read += Int64(data.count)
                    progress(read)
                }
                guard let data = loaded?.data else { continue }
                var block = Data(capacity: Int(chunk.bytes))
                for sample in plan.samples[chunk.firstSample..<(chunk.firstSample + chunk.sampleCount)] {
                    block.append(contentsOf: data[sample.offset..<(sample.offset + sample.size)])
                }
                try emit(block)
            }
            try handle.synchronize()
        } catch let error as ClipExportError {
            throw error
        } catch {
            throw .fileSystem(path: url.path, reason: "\(error)")
        }
        return (SegmentHash.hex(hasher.finalize()), written)
    }
}
