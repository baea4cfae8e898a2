import Foundation
import RTCCEvidence
import Testing

/// A package must survive a ZIP round trip to another path: verification depends on content, not paths.
@Suite(.timeLimit(.minutes(2))) struct PackageArchiveTests {
    static func archive(_ folder: URL, to file: URL, chunkSize: Int = 1 << 20) throws -> Int {
        var archive = try PackageArchive(folder: folder, rootName: "26-000123-package", chunkSize: chunkSize)
        let bytes = try archive.collect()
        #expect(Int64(bytes.count) == archive.byteCount, "the length announced before streaming must be the length streamed")
        try Data(bytes).write(to: file)
        return bytes.count
    }

    @Test func packageUnzippedByPythonElsewhereStillVerifies() async throws {
        _ = try EvidenceTestSupport.tool("python3")
        let directory = try EvidenceTestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let (folder, key, _) = try await EvidencePackageTests.makePackage(in: directory.appendingPathComponent("made"))
        let zip = directory.appendingPathComponent("package.zip")
        _ = try Self.archive(folder, to: zip, chunkSize: 4096)

        let tested = try await EvidenceTestSupport.run(
            "python3", ["-c", "import sys, zipfile; z = zipfile.ZipFile(sys.argv[1]); bad = z.testzip(); print(bad or 'ok'); sys.exit(1 if bad else 0)", zip.path],
            in: directory)
        #expect(tested.status == 0 && tested.output.contains("ok"), "CRC or structure rejected: \(tested.output)")
        let elsewhere = directory.appendingPathComponent("somewhere/else")
        let extracted = try await EvidenceTestSupport.run("python3", ["-m", "zipfile", "-e", zip.path, elsewhere.path], in: directory)
        #expect(extracted.status == 0, "\(extracted.output)")
        let unpacked = elsewhere.appendingPathComponent("26-000123-package")
        let report = EvidenceVerifier.verify(packageAt: unpacked, expectedFingerprint: key.fingerprint)
        #expect(report.isValid, "\(report.failures)")
        #expect(report.checkedFiles.contains("clips/cam-north.mp4"))
    }

    @Test func unzipToolListsEveryFileAndTamperingIsStillCaughtAfterTheRoundTrip() async throws {
        _ = try EvidenceTestSupport.tool("unzip")
        let directory = try EvidenceTestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let (folder, _, _) = try await EvidencePackageTests.makePackage(in: directory.appendingPathComponent("made"))
        let zip = directory.appendingPathComponent("package.zip")
        _ = try Self.archive(folder, to: zip)
        let checked = try await EvidenceTestSupport.run("unzip", ["-t", zip.path], in: directory)
        #expect(checked.status == 0 && checked.output.contains("No errors detected"), "\(checked.output)")
        let listed = try await EvidenceTestSupport.run("unzip", ["-Z1", zip.path], in: directory)
        let names = listed.output.split(separator: "\n").map(String.init).sorted()
        let expected = try FileManager.default.subpathsOfDirectory(atPath: folder.path).filter { !$0.hasSuffix("clips") }.sorted()
            .map { "26-000123-package/" + $0 }
        #expect(names == expected)

        let target = directory.appendingPathComponent("unzipped")
        let unpacked = try await EvidenceTestSupport.run("unzip", ["-q", zip.path, "-d", target.path], in: directory)
        try #require(unpacked.status == 0, "\(unpacked.output)")
        let root = target.appendingPathComponent("26-000123-package")
        #expect(EvidenceVerifier.verify(packageAt: root).isValid)
        try EvidencePackageTests.flipByte(of: root.appendingPathComponent("clips/cam-south.mp4"), at: 3000)
        #expect(EvidenceVerifier.verify(packageAt: root).failures.map(\.file).contains("clips/cam-south.mp4"))
    }

    @Test func folderThatIsNotThereIsRefused() {
        let missing = URL(fileURLWithPath: "/nonexistent/rtcc-\(UUID().uuidString)")
        #expect(throws: EvidenceError.self) { try PackageArchive(folder: missing, rootName: "x") }
    }
}
