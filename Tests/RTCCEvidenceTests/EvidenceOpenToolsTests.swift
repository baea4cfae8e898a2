import Foundation
import RTCCEvidence
import Testing

/// The VERIFY.txt procedure, run for real with `sha256sum` and `openssl`.
@Suite(.timeLimit(.minutes(2))) struct EvidenceOpenToolsTests {
    static let signatureCheck = [
        "pkeyutl", "-verify", "-pubin", "-inkey", "public-key.pem", "-rawin", "-in", "manifest.json", "-sigfile", "manifest.sig",
    ]

    @Test func verifyProcedurePassesOnAGoodPackageAndFailsOnATamperedOne() async throws {
        _ = try EvidenceTestSupport.tool("openssl")
        _ = try EvidenceTestSupport.tool("sha256sum")
        let directory = try EvidenceTestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let (folder, key, _) = try await EvidencePackageTests.makePackage(in: directory)

        let sums = try await EvidenceTestSupport.run("sha256sum", ["-c", "SHA256SUMS"], in: folder)
        #expect(sums.status == 0, "\(sums.output)")
        let signature = try await EvidenceTestSupport.run("openssl", Self.signatureCheck, in: folder)
        #expect(signature.status == 0 && signature.output.contains("Signature Verified Successfully"), "\(signature.output)")
        let fingerprint = try await EvidenceTestSupport.run(
            "sh", ["-c", "openssl pkey -pubin -in public-key.pem -outform DER | tail -c 32 | sha256sum"], in: folder)
        #expect(fingerprint.output.hasPrefix(key.fingerprint), "\(fingerprint.output)")

        try EvidencePackageTests.flipByte(of: folder.appendingPathComponent("clips/cam-north.mp4"), at: 4000)
        let tamperedSums = try await EvidenceTestSupport.run("sha256sum", ["-c", "SHA256SUMS"], in: folder)
        #expect(tamperedSums.status != 0 && tamperedSums.output.contains("clips/cam-north.mp4: FAILED"), "\(tamperedSums.output)")

        let manifest = folder.appendingPathComponent("manifest.json")
        let text = try String(contentsOf: manifest, encoding: .utf8).replacingOccurrences(of: "2026-000123", with: "2026-000124")
        try Data(text.utf8).write(to: manifest)
        let tamperedSignature = try await EvidenceTestSupport.run("openssl", Self.signatureCheck, in: folder)
        #expect(tamperedSignature.status != 0, "\(tamperedSignature.output)")
    }

    @Test func signingKeyFileIsPrivateReloadableAndReadByOpenSSL() async throws {
        _ = try EvidenceTestSupport.tool("openssl")
        let directory = try EvidenceTestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("keys/evidence.pem")
        let created = try SigningKey.loadOrCreate(at: url)
        let mode = try FileManager.default.attributesOfItem(atPath: url.path)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        #expect(try SigningKey.loadOrCreate(at: url).fingerprint == created.fingerprint)
        #expect(created.fingerprint.count == 64)

        let derived = try await EvidenceTestSupport.run("openssl", ["pkey", "-in", url.path, "-pubout"], in: directory)
        #expect(derived.status == 0 && derived.output == created.publicKeyPEM, "\(derived.output)")

        let generated = directory.appendingPathComponent("openssl.pem")
        let made = try await EvidenceTestSupport.run("openssl", ["genpkey", "-algorithm", "ed25519", "-out", generated.path], in: directory)
        try #require(made.status == 0, "\(made.output)")
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: generated.path)
        let loaded = try SigningKey.load(from: generated)
        let publicPEM = try await EvidenceTestSupport.run("openssl", ["pkey", "-in", generated.path, "-pubout"], in: directory)
        #expect(publicPEM.output == loaded.publicKeyPEM)

        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: url.path)
        #expect(throws: EvidenceError.insecureKeyFile(path: url.path, mode: 0o644)) { try SigningKey.load(from: url) }
        try Data("not a key".utf8).write(to: generated)
        #expect(throws: EvidenceError.invalidKeyFile(path: generated.path)) { try SigningKey.load(from: generated) }
    }
}
