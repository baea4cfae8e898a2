import Foundation
import RTCCCore

/// Decodes rendered symbols with `zbarimg` (Debian package `zbar-tools`), an independent reader.
enum ZBar {
    /// Why a symbol could not be checked with `zbarimg`.
    struct Failure: Error, CustomStringConvertible {
        /// What went wrong and what to do about it.
        let description: String
    }

    /// The `zbarimg` executable found on `PATH` or in the usual places, if any.
    static let executable: URL? = {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        let directories = path.split(separator: ":").map(String.init) + ["/usr/bin", "/usr/local/bin", "/opt/homebrew/bin"]
        return directories
            .map { URL(fileURLWithPath: $0).appendingPathComponent("zbarimg") }
            .first { FileManager.default.isExecutableFile(atPath: $0.path) }
    }()

    /// Writes `image` (the contents of an image file) to a temporary file with `fileExtension`,
    /// runs `zbarimg -q --raw` on it and returns what it printed, less the final newline.
    static func decode(image: Data, fileExtension: String) throws -> String {
        guard let executable else {
            throw Failure(
                description: "zbarimg was not found, so the symbols cannot be checked by an independent decoder; "
                    + "install it with `apt-get install -y zbar-tools` (Debian/Ubuntu) or `brew install zbar` (macOS)."
            )
        }
        let file = FileManager.default.temporaryDirectory
            .appendingPathComponent("qrcode-test-\(UUID().uuidString).\(fileExtension)")
        try image.write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }

        let process = Process()
        process.executableURL = executable
        process.arguments = ["-q", "--raw", file.path]
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let printed = output.fileHandleForReading.readDataToEndOfFile()
        let complaints = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()

        guard process.terminationStatus == 0 else {
            throw Failure(
                description: "zbarimg found no symbol (exit status \(process.terminationStatus)): "
                    + (String(data: complaints, encoding: .utf8) ?? "")
            )
        }
        var text = String(decoding: printed, as: UTF8.self)
        if text.hasSuffix("\n") {
            text.removeLast()
        }
        return text
    }

    /// Renders `code` as a PBM image with a quiet zone and decodes it.
    static func decode(_ code: QRCode, moduleSize: Int = 3) throws -> String {
        try decode(image: Data(code.pbm(moduleSize: moduleSize, quietZone: 4).utf8), fileExtension: "pbm")
    }
}
