import Foundation
import RTCCEvidence
import RTCCMedia
import Testing

@Suite(.timeLimit(.minutes(2))) struct EvidencePackageTests {
    /// Records 5 s, packages two cameras' ranges from it and returns the package folder and key.
    static func makePackage(
        in directory: URL, key: SigningKey = .generate(), progress: @Sendable (Double) -> Void = { _ in }
    ) async throws -> (URL, SigningKey, EvidencePackager.Package) {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let segments = try await EvidenceTestSupport.record(seconds: 5, in: directory)
        let start = EvidenceTestSupport.start
        let cameras = [
            EvidencePackager.Camera(
                id: "cam-north", name: "North gate", location: "Main St / 1st Ave", owner: "City of Example", segments: segments,
                from: start.addingTimeInterval(0.5), until: start.addingTimeInterval(3.21)),
            EvidencePackager.Camera(
                id: "cam-south", name: "South gate", location: "Main St / 9th Ave", owner: "Example Transit", segments: segments,
                from: start.addingTimeInterval(2.1), until: start.addingTimeInterval(4.9)),
        ]
        let request = EvidencePackager.Request(
            caseNumber: "2026-000123", purpose: "Court disclosure", exporter: "analyst@example.org", cameras: cameras,
            exportedAt: Date(timeIntervalSince1970: 1_780_000_000))
        let folder = directory.appendingPathComponent("package")
        let package = try EvidencePackager(key: key).package(request, to: folder, progress: progress)
        return (folder, key, package)
    }

    static func flipByte(of url: URL, at position: Int = 200) throws {
        var bytes = [UInt8](try Data(contentsOf: url))
        bytes[min(position, bytes.count - 1)] ^= 0x01
        try Data(bytes).write(to: url)
    }

    @Test func packageVerifiesAndStillVerifiesWhenCopied() async throws {
        let directory = try EvidenceTestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let progress = ProgressLog()
        let (folder, key, package) = try await Self.makePackage(in: directory, progress: progress.record)
        #expect(progress.reported.last == 1 && progress.reported == progress.reported.sorted())
        let files = try FileManager.default.subpathsOfDirectory(atPath: folder.path).sorted()
        #expect(
            files == [
                "SHA256SUMS", "VERIFY.txt", "clips", "clips/cam-north.mp4", "clips/cam-south.mp4", "manifest.json", "manifest.sig",
                "public-key.pem",
            ])
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".partial") }.isEmpty)
        let manifest = package.manifest
        #expect(manifest.formatVersion == RTCCEvidence.packageFormatVersion && manifest.caseNumber == "2026-000123")
        #expect(manifest.signingKeyFingerprint == key.fingerprint && package.fingerprint == key.fingerprint)
        #expect(manifest.cameras.map(\.frames) == [68, 70])
        #expect(manifest.cameras[0].sourceSegments.count == 2 && manifest.cameras[1].sourceSegments.count == 2)
        #expect(manifest.cameras[0].requested.from == "2025-10-09T08:53:20.500Z")
        #expect(manifest.files.map(\.path) == ["VERIFY.txt", "clips/cam-north.mp4", "clips/cam-south.mp4", "public-key.pem"])
        let instructions = try String(contentsOf: folder.appendingPathComponent("VERIFY.txt"), encoding: .utf8)
        #expect(instructions.contains(key.fingerprint) && instructions.contains("rtcc evidence verify DIR"))

        let report = EvidenceVerifier.verify(packageAt: folder, expectedFingerprint: key.fingerprint)
        #expect(report.isValid, "\(report.failures)")
        #expect(report.checkedFiles == ["VERIFY.txt", "clips/cam-north.mp4", "clips/cam-south.mp4", "manifest.json", "public-key.pem"])
        let copy = directory.appendingPathComponent("elsewhere/deeper/copy")
        try FileManager.default.createDirectory(at: copy.deletingLastPathComponent(), withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: folder, to: copy)
        try FileManager.default.removeItem(at: folder)
        #expect(EvidenceVerifier.verify(packageAt: copy, expectedFingerprint: key.fingerprint).isValid)
    }

    @Test func alteredClipIsNamed() async throws {
        let directory = try EvidenceTestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let (folder, key, _) = try await Self.makePackage(in: directory)
        try Self.flipByte(of: folder.appendingPathComponent("clips/cam-south.mp4"), at: 5000)
        let report = EvidenceVerifier.verify(packageAt: folder, expectedFingerprint: key.fingerprint)
        #expect(!report.isValid)
        #expect(Set(report.failures.map(\.file)) == ["clips/cam-south.mp4"])
        #expect(report.failures.contains { if case .digestMismatch(recordedIn: "manifest.json", _, _) = $0.problem { true } else { false } })
        #expect(report.failures.contains { if case .digestMismatch(recordedIn: "SHA256SUMS", _, _) = $0.problem { true } else { false } })
        #expect(report.failures.first?.description.contains("clips/cam-south.mp4") == true)
    }

    @Test func alteredManifestFailsItsSignature() async throws {
        let directory = try EvidenceTestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let (folder, _, _) = try await Self.makePackage(in: directory)
        let url = folder.appendingPathComponent("manifest.json")
        let text = try String(contentsOf: url, encoding: .utf8).replacingOccurrences(of: "Court disclosure", with: "Court disclosurE")
        try Data(text.utf8).write(to: url)
        let report = EvidenceVerifier.verify(packageAt: folder)
        #expect(report.failures.contains(.init(file: "manifest.sig", problem: .signatureInvalid)))
        #expect(report.failures.contains { $0.file == "manifest.json" })
    }

    @Test func replacedKeyFailsSignatureAndFingerprint() async throws {
        let directory = try EvidenceTestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let (folder, key, _) = try await Self.makePackage(in: directory)
        let other = SigningKey.generate()
        try Data(other.publicKeyPEM.utf8).write(to: folder.appendingPathComponent("public-key.pem"))
        let report = EvidenceVerifier.verify(packageAt: folder)
        #expect(report.failures.contains(.init(file: "manifest.sig", problem: .signatureInvalid)))
        #expect(
            report.failures.contains(
                .init(file: "public-key.pem", problem: .fingerprintMismatch(expected: key.fingerprint, actual: other.fingerprint))))
        let pinned = EvidenceVerifier.verify(packageAt: folder, expectedFingerprint: key.fingerprint)
        #expect(
            pinned.failures.first
                == .init(file: "public-key.pem", problem: .fingerprintMismatch(expected: key.fingerprint, actual: other.fingerprint)))
        let intact = try await Self.makePackage(in: directory.appendingPathComponent("second"), key: key).0
        #expect(!EvidenceVerifier.verify(packageAt: intact, expectedFingerprint: other.fingerprint).isValid)
    }

    @Test func addedAndMissingFilesAreNamed() async throws {
        let directory = try EvidenceTestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let (folder, _, _) = try await Self.makePackage(in: directory)
        try Data("extra".utf8).write(to: folder.appendingPathComponent("clips/extra.mp4"))
        try FileManager.default.removeItem(at: folder.appendingPathComponent("VERIFY.txt"))
        let report = EvidenceVerifier.verify(packageAt: folder)
        #expect(report.failures.contains(.init(file: "clips/extra.mp4", problem: .unexpected)))
        #expect(report.failures.contains(.init(file: "VERIFY.txt", problem: .missing)))
        #expect(Set(report.failures.map(\.file)) == ["clips/extra.mp4", "VERIFY.txt"])
        try FileManager.default.removeItem(at: folder.appendingPathComponent("manifest.sig"))
        try FileManager.default.removeItem(at: folder.appendingPathComponent("public-key.pem"))
        let bare = EvidenceVerifier.verify(packageAt: folder)
        #expect(bare.failures.filter { $0.problem == .missing }.map(\.file) == ["manifest.sig", "public-key.pem"])
    }

    @Test func alteredSegmentStopsThePackage() async throws {
        let directory = try EvidenceTestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let segments = try await EvidenceTestSupport.record(seconds: 3, in: directory)
        let victim = try #require(segments.first)
        try Self.flipByte(of: URL(fileURLWithPath: victim.path), at: 3000)
        let camera = EvidencePackager.Camera(
            id: "cam", name: "Cam", location: "Here", owner: "Us", segments: segments, from: victim.start, until: victim.end)
        let folder = directory.appendingPathComponent("package")
        do {
            _ = try EvidencePackager(key: .generate()).package(.init(caseNumber: "1", purpose: "p", exporter: "e", cameras: [camera]), to: folder)
            Issue.record("a package was made from an altered segment")
        } catch {
            guard case .clip(camera: "cam", .segmentHashMismatch(let segment, _, _, _)) = error else {
                Issue.record("unexpected error \(error)")
                return
            }
            #expect(segment == victim.id)
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.contains("package") }.isEmpty)
    }
}
