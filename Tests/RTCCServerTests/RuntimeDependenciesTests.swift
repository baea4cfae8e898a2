import Foundation
import RTCCServer
import Testing

/// The start-up check for programs and libraries the server needs from the system.
@Suite struct RuntimeDependenciesTests {
    @Test func anEmptySearchPathAndNoLeafletFolderReportFfmpegFfprobeAndLeafletWithTheirPackages() throws {
        let empty = FileManager.default.temporaryDirectory.appendingPathComponent("rtcc-deps-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: empty) }
        let missing = RuntimeDependencies.missing(searchPath: empty.path, leafletFolder: empty)
        #expect(missing.map(\.name) == ["ffmpeg", "ffprobe", "Leaflet"])
        #expect(missing.map(\.debianPackage) == ["ffmpeg", "ffmpeg", "libjs-leaflet"])
        #expect(missing.last?.warning.contains("the Map screen") == true)
    }

    @Test func programsFoundOnTheSearchPathAndALeafletFolderWithItsModuleAreNotReported() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("rtcc-deps-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        for program in ["ffmpeg", "ffprobe"] {
            let path = folder.appendingPathComponent(program).path
            #expect(FileManager.default.createFile(atPath: path, contents: Data("#!/bin/sh\n".utf8), attributes: [.posixPermissions: 0o755]))
        }
        #expect(FileManager.default.createFile(atPath: folder.appendingPathComponent("leaflet.esm.js").path, contents: Data()))
        #expect(RuntimeDependencies.missing(searchPath: "/nonexistent:\(folder.path)", leafletFolder: folder).isEmpty)
        // A file that is not executable is not a program.
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: folder.appendingPathComponent("ffprobe").path)
        #expect(RuntimeDependencies.missing(searchPath: folder.path, leafletFolder: folder).map(\.name) == ["ffprobe"])
    }
}
