import Foundation

/// A program or library from the operating system that part of the product needs at run time.
public struct RuntimeDependency: Sendable, Hashable {
    /// What it is called (`ffmpeg`, `Leaflet`).
    public var name: String
    /// What stops working without it, in an operator's words.
    public var neededFor: String
    /// The Debian package that provides it.
    public var debianPackage: String

    /// One line for the start-up log and console: what is missing, what it breaks and how to install it.
    public var warning: String {
        "\(name) is not installed: \(neededFor) will not work until it is (sudo apt-get install \(debianPackage))"
    }
}

/// Checks at start-up for what the server calls or serves but does not contain, so an operator learns at once why a
/// screen would stay empty instead of finding out from a blank page.
public enum RuntimeDependencies {
    /// Where Debian's `libjs-leaflet` puts Leaflet; the web app's map loads it from there.
    public static let leafletFolder = URL(fileURLWithPath: "/usr/share/javascript/leaflet")

    /// Every dependency missing on this machine. `searchPath` is a `PATH`-style list of folders searched for programs.
    public static func missing(
        searchPath: String = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin", leafletFolder: URL = leafletFolder
    ) -> [RuntimeDependency] {
        var missing: [RuntimeDependency] = []
        let folders = searchPath.split(separator: ":").map(String.init)
        for program in ["ffmpeg", "ffprobe"] where !folders.contains(where: { FileManager.default.isExecutableFile(atPath: "\($0)/\(program)") }) {
            missing.append(RuntimeDependency(
                name: program, neededFor: "camera snapshots, video analytics, community video uploads and privacy masks on exported clips", debianPackage: "ffmpeg"))
        }
        if !FileManager.default.fileExists(atPath: leafletFolder.appendingPathComponent("leaflet.esm.js").path) {
            missing.append(RuntimeDependency(name: "Leaflet", neededFor: "the Map screen", debianPackage: "libjs-leaflet"))
        }
        return missing
    }
}
