import ArgumentParser
import Foundation
import RTCCGeo
import RTCCServer
import RTCCStore

/// `rtcc addresses …`: the base map's address points and street centrelines.
struct AddressesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "addresses", abstract: "Import address points and street centrelines, or search them.",
        subcommands: [Import.self, Streets.self, Search.self])

    /// Reads `file` with `parse`, turning every bad row into one message naming its line or feature.
    static func read<T>(_ file: String, _ parse: (Data) throws(InterchangeError) -> T) throws -> T {
        guard let data = FileManager.default.contents(atPath: file) else { throw CLIError("cannot read \(file)") }
        do {
            return try parse(data)
        } catch {
            throw CLIError("\(file): nothing imported; \(error.problems.count) problem(s):\n" + error.problems.map { "  \($0)" }.joined(separator: "\n"))
        }
    }

    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Replace the address points with those in a CSV (number,street,lat,lon[,unit,city,zip]) or GeoJSON Points file: all rows or none.")
        @OptionGroup var store: StoreOptions
        @Argument(help: "A .csv or .geojson/.json file.") var file: String
        @Option(help: "Where the data came from, kept with each row (such as \"Caddo Parish 2025\").") var source = "import"
        @Flag(help: "Check the file without storing anything.") var dryRun = false

        func run() async throws {
            let points = try AddressesCommand.read(file) { data throws(InterchangeError) in try AddressFile.addresses(data) }
            guard !dryRun else { return print("\(points.count) address points checked; nothing stored.") }
            let file = self.file, source = self.source
            try await withServices(try store.load()) { services in
                try await services.store.addresses.replaceAddresses(points.map { AddressRecord($0, source: source) })
                try await services.audit.append(AuditEvent(actor: cliActor, action: "addresses.import", detail: "\(points.count) address points from \(file)"))
            }
            print("Imported \(points.count) address points from \(file).")
        }
    }

    struct Streets: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Replace the street centrelines with a GeoJSON file of named LineStrings (TIGER/Line FULLNAME accepted): all features or none.")
        @OptionGroup var store: StoreOptions
        @Argument(help: "A .geojson/.json file.") var file: String
        @Option(help: "Where the data came from (such as \"TIGER/Line 2025\").") var source = "import"
        @Flag(help: "Check the file without storing anything.") var dryRun = false

        func run() async throws {
            let lines = try AddressesCommand.read(file) { data throws(InterchangeError) in try AddressFile.streets(data) }
            guard !dryRun else { return print("\(lines.count) street centrelines checked; nothing stored.") }
            let file = self.file, source = self.source
            try await withServices(try store.load()) { services in
                try await services.store.addresses.replaceStreets(lines.map { StreetRecord($0, source: source) })
                try await services.audit.append(AuditEvent(actor: cliActor, action: "streets.import", detail: "\(lines.count) centrelines from \(file)"))
            }
            print("Imported \(lines.count) street centrelines from \(file).")
        }
    }

    struct Search: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Search the stored addresses, corners and streets as GET /api/v1/addresses/search does; best first.")
        @OptionGroup var store: StoreOptions
        @Argument(help: "What to look for: \"401 Texas St\", \"texas and market\".") var text: String
        @Option(help: "How many answers (1-50).") var limit = 10

        func validate() throws {
            guard (1...50).contains(limit) else { throw ArgumentParser.ValidationError("--limit must be 1-50") }
        }

        func run() async throws {
            let (streets, addresses) = try await withServices(try store.load()) { services in
                (try await services.store.addresses.streets(), try await services.store.addresses.addresses())
            }
            let matches = AddressIndex(streets: streets, addresses: addresses).search(text, limit: limit)
            guard !matches.isEmpty else { throw CLIError("nothing matches \"\(text)\" among \(addresses.count) addresses and \(streets.count) streets") }
            for match in matches {
                print(String(format: "%.3f  %-14@ %-12@ %.6f,%.6f  %@", match.score, match.quality.rawValue, match.kind.rawValue,
                             match.coordinate.latitude, match.coordinate.longitude, match.label + (match.note.map { "  (\($0))" } ?? "")))
            }
        }
    }
}

/// `rtcc bench address`: address search over a synthetic city against a linear scan.
struct BenchAddress: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "address",
        abstract: "Address search over 200 000 synthetic addresses (exact, spelt-out and misspelt queries) against a linear scan.",
        discussion: "The city is synthetic and seeded, so every run measures the same work. Build with -c release.")

    @Option(help: "Streets (40 addresses each).") var streets = 5000
    @Option(help: "Queries timed.") var queries = 3000

    func validate() throws {
        guard streets >= 2, queries >= 1 else { throw ArgumentParser.ValidationError("--streets must be at least 2 and --queries at least 1") }
    }

    func run() async throws {
        for line in GeoBenchmark.addressSearch(streets: streets, queries: queries).lines { say(line) }
    }
}
