import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import NIOPosix
import RTCCEvidence
import RTCCStore

/// A package as a streamed ZIP download (``PackageArchive``): files under one folder named after the case and package,
/// so the archive unpacks anywhere and verifies the same.
enum PackageDownload {
    /// The response and its length.
    static func response(for package: EvidencePackageRecord, caseNumber: String) async throws -> (response: Response, bytes: Int64) {
        let name = "\(ExportService.folderName(caseNumber))-\(package.id.uuidString.lowercased().prefix(8))"
        let folder = URL(fileURLWithPath: package.folder)
        guard FileManager.default.fileExists(atPath: folder.appendingPathComponent("manifest.json").path) else {
            throw Problem(.gone, "the package's files are no longer on the server")
        }
        let archive: PackageArchive
        do {
            archive = try PackageArchive(folder: folder, rootName: name)
        } catch {
            throw Problem(.contentTooLarge, error.description)
        }
        let body = ResponseBody(contentLength: Int(archive.byteCount)) { writer in
            var stream = archive
            while true {
                let current = stream
                let (chunk, advanced) = try await NIOThreadPool.singleton.runIfActive { () throws -> ([UInt8]?, PackageArchive) in
                    var copy = current
                    let next = try copy.next()
                    return (next, copy)
                }
                stream = advanced
                guard let chunk else { break }
                try await writer.write(ByteBuffer(bytes: chunk))
            }
            try await writer.finish(nil)
        }
        let headers: HTTPFields = [
            .contentType: "application/zip", .contentDisposition: "attachment; filename=\"\(name).zip\"", .cacheControl: "no-store",
        ]
        return (Response(status: .ok, headers: headers, body: body), archive.byteCount)
    }
}
