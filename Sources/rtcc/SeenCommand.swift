import ArgumentParser
import Foundation
import RTCCCore
import RTCCServer

/// `rtcc seen`: which cameras could have seen a point during a window, and where their footage is.
struct Seen: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List the cameras that could have seen a point between two times, nearest first, with their footage and retention.",
        discussion: "The same answer as GET /api/v1/seen. Times are ISO 8601 (2026-11-30T21:15:00Z).")

    @OptionGroup var store: StoreOptions
    @Option(parsing: .unconditional, help: "Latitude, decimal degrees.") var lat: Double
    @Option(parsing: .unconditional, help: "Longitude, decimal degrees (west is negative: --lon -93.75).") var lon: Double
    @Option(help: "Start of the window (ISO 8601).") var from: String
    @Option(help: "End of the window (ISO 8601).") var to: String
    @Flag(help: "Print the answer as JSON.") var json = false

    func validate() throws {
        guard let start = Self.time(from) else { throw ArgumentParser.ValidationError("--from must be an ISO 8601 time such as 2026-11-30T21:15:00Z") }
        guard let end = Self.time(to) else { throw ArgumentParser.ValidationError("--to must be an ISO 8601 time such as 2026-11-30T22:15:00Z") }
        do {
            try WhoCouldSee.validate(latitude: lat, longitude: lon, from: start, until: end)
        } catch {
            throw ArgumentParser.ValidationError(error.errors.map { "--\($0.field == "until" ? "to" : $0.field) \($0.reason)" }.joined(separator: "; "))
        }
    }

    static func time(_ text: String) -> Date? {
        ISO8601Time.parse(text)
    }

    func run() async throws {
        let config = try store.load()
        let (start, end) = (Self.time(from) ?? Date(), Self.time(to) ?? Date())
        let report = try await withServices(config) { services in
            try await WhoCouldSee(services: services).answer(latitude: lat, longitude: lon, from: start, until: end)
        }
        if json {
            FileHandle.standardOutput.write(try JSONCoding.encoder.encode(report) + Data("\n".utf8))
            return
        }
        say("\(report.cameras.count) camera\(report.cameras.count == 1 ? "" : "s") could have seen \(lat), \(lon) between \(start.ISO8601Format()) and \(end.ISO8601Format())"
            + (report.buildings > 0 ? " (\(report.buildings) buildings considered)" : ""))
        for camera in report.cameras { say(Self.line(camera)) }
    }

    static func line(_ camera: SeenCamera) -> String {
        let footage: String
        switch camera.footage {
        case .recorded:
            footage = "recorded " + camera.recorded.map { "\($0.from.ISO8601Format())–\($0.until.ISO8601Format())" }.joined(separator: ", ")
        case .request: footage = "owner keeps the footage: send a footage request"
        case .notRecorded: footage = "nothing recorded in the window"
        }
        var retention = camera.held ? "held" : camera.retentionLeftSeconds.map { "deleted in \(duration($0))" } ?? "-"
        if camera.keptByAlerts { retention += " (kept for an alert)" }
        let distance = String(format: "%7.1f m", camera.distanceM), dori = (camera.dori ?? "-").padding(toLength: 9, withPad: " ", startingAt: 0)
        return "\(distance)  \(dori)  \(camera.name) [\(camera.kind.rawValue), \(camera.sharing.rawValue)]: \(footage); \(retention)"
    }

    static func duration(_ seconds: Double) -> String {
        let total = Int(seconds)
        let (days, hours, minutes) = (total / 86_400, total % 86_400 / 3600, total % 3600 / 60)
        return days > 0 ? "\(days) d \(hours) h" : hours > 0 ? "\(hours) h \(minutes) min" : "\(minutes) min"
    }
}
