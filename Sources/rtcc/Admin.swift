import ArgumentParser
import Foundation
import RTCCCore
import RTCCServer
import RTCCStore

/// `rtcc migrate`: brings the database schema up to date.
struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Create or update the database schema.")
    @OptionGroup var store: StoreOptions

    func run() async throws {
        let config = try store.load()
        try await withServices(config) { _ in () }
        print("Database \(config.resolvedDatabase) is up to date.")
    }
}

/// `rtcc user …`.
struct UserCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "user", abstract: "Manage users.", subcommands: [Add.self, Passwd.self, List.self])

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add a user. The password is read from RTCC_PASSWORD, or generated and printed.")
        @OptionGroup var store: StoreOptions
        @Argument(help: "User name (a-z, 0-9, '.', '_', '-').") var username: String
        @Option(help: "Role: \(Role.allCases.map(\.rawValue).joined(separator: ", ")).") var role: Role
        @Option(help: "Name shown in the UI and audit log.") var displayName: String?
        @Option(help: "Partner id, for partner users.") var partner: String?

        func run() async throws {
            do { try User.validateUsername(username) } catch { throw ArgumentParser.ValidationError(error.description) }
            let partnerID = try partner.map { text -> UUID in
                guard let id = UUID(uuidString: text) else { throw ArgumentParser.ValidationError("--partner must be a UUID") }
                return id
            }
            if role == .partner && partnerID == nil { throw ArgumentParser.ValidationError("--partner is required for partner users") }
            let (password, generated) = try passwordFromEnvironment()
            let username = self.username, role = self.role, displayName = self.displayName ?? username
            try await withServices(try store.load()) { services in
                let hash = try await services.passwords.hash(password)
                do {
                    let user = try await services.store.users.create(
                        username: username, displayName: displayName, role: role, partnerID: partnerID, passwordHash: hash)
                    try await services.audit.append(AuditEvent(actor: cliActor, action: "users.create", target: "user:\(user.id)", detail: "\(username) as \(role.rawValue)"))
                } catch let error as StoreError {
                    throw CLIError(error.description)
                }
            }
            print("Added \(username) (\(role.rawValue)).")
            if generated { print("Password: \(password)") }
        }
    }

    struct Passwd: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Set a user's password (from RTCC_PASSWORD, or generated and printed) and unlock the account.")
        @OptionGroup var store: StoreOptions
        @Argument(help: "User name.") var username: String

        func run() async throws {
            let (password, generated) = try passwordFromEnvironment()
            let username = self.username
            try await withServices(try store.load()) { services in
                let hash = try await services.passwords.hash(password)
                guard try await services.store.users.setPassword(username: username, passwordHash: hash) else {
                    throw CLIError("no user is named \(username)")
                }
                try await services.audit.append(AuditEvent(actor: cliActor, action: "users.password", target: "user:\(username)"))
            }
            print("Password changed for \(username).")
            if generated { print("Password: \(password)") }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List users.")
        @OptionGroup var store: StoreOptions

        func run() async throws {
            let users = try await withServices(try store.load()) { try await $0.store.users.list() }
            for user in users {
                print([user.username, user.role.rawValue, user.disabled ? "disabled" : "active", user.displayName].joined(separator: "\t"))
            }
        }
    }
}

extension Role: ExpressibleByArgument {}

/// The audit actor for commands run on the server's console.
let cliActor = "cli:" + (ProcessInfo.processInfo.environment["USER"] ?? "console")

/// The password from RTCC_PASSWORD, or a generated one; the flag says whether it was generated.
func passwordFromEnvironment() throws -> (String, Bool) {
    if let password = ProcessInfo.processInfo.environment["RTCC_PASSWORD"] {
        do { try User.validatePassword(password) } catch { throw ArgumentParser.ValidationError("RTCC_PASSWORD: \(error.description)") }
        return (password, false)
    }
    return (String(SecretToken.generate().prefix(20)), true)
}

/// `rtcc cameras …`.
struct CamerasCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cameras", abstract: "Import or export the camera registry.", subcommands: [Import.self, Export.self])

    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Import cameras from a CSV or GeoJSON file: all rows or none; every bad row is reported with its line.")
        @OptionGroup var store: StoreOptions
        @Argument(help: "A .csv or .geojson/.json file.") var file: String
        @Flag(help: "Check the file without storing anything.") var dryRun = false

        func run() async throws {
            guard let data = FileManager.default.contents(atPath: file) else { throw CLIError("cannot read \(file)") }
            let cameras: [ValidCamera]
            let labels: [String]
            do {
                if file.lowercased().hasSuffix(".csv") {
                    guard let text = String(data: data, encoding: .utf8) else { throw CLIError("\(file) is not UTF-8 text") }
                    (cameras, labels) = try CameraInterchange.parseCSVWithLabels(text)
                } else {
                    cameras = try CameraInterchange.parseGeoJSON(data)
                    labels = cameras.indices.map { "features[\($0)]" }
                }
            } catch let error as RTCCCore.ValidationError {
                throw CLIError("\(file): nothing imported; \(error.errors.count) problem(s):\n" + error.description)
            }
            let file = self.file, dryRun = self.dryRun
            try await withServices(try store.load()) { services in
                let records = try zip(cameras, labels).map { camera, label in
                    let secrets = CameraSecrets(main: camera.mainCredentials, sub: camera.subCredentials)
                    return CameraRecord(camera: camera, sealedSecrets: secrets.isEmpty ? nil : try services.cipher.seal(secrets), label: label)
                }
                do {
                    if dryRun { try await services.store.cameras.check(records) } else { _ = try await services.store.cameras.createAll(records) }
                } catch let error as RTCCCore.ValidationError {
                    throw CLIError("\(file): nothing imported; \(error.errors.count) problem(s):\n" + error.description)
                }
                if !dryRun { try await services.audit.append(AuditEvent(actor: cliActor, action: "cameras.import", detail: "\(records.count) cameras from \(file)")) }
            }
            print(dryRun ? "\(cameras.count) cameras checked; nothing stored." : "Imported \(cameras.count) cameras from \(file).")
        }
    }

    struct Export: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Export the camera registry (credentials are never exported).")
        @OptionGroup var store: StoreOptions
        @Option(help: "csv or geojson.") var format = "csv"
        @Option(help: "Output file (default: standard output).") var out: String?
        @Option(help: "Purpose or case number, for the audit log.") var purpose: String?

        func validate() throws {
            guard format == "csv" || format == "geojson" else { throw ArgumentParser.ValidationError("--format must be csv or geojson") }
        }

        func run() async throws {
            let format = self.format, purpose = self.purpose
            let text = try await withServices(try store.load()) { services in
                let cameras = try await services.store.cameras.all()
                try await services.audit.append(AuditEvent(actor: cliActor, action: "cameras.export", purpose: purpose, detail: "\(format), \(cameras.count) cameras"))
                return format == "csv" ? CameraInterchange.csv(cameras) : String(decoding: try CameraInterchange.geoJSON(cameras), as: UTF8.self)
            }
            if let out { try text.write(toFile: out, atomically: true, encoding: .utf8) } else { print(text, terminator: "") }
        }
    }
}

/// `rtcc audit verify`.
struct AuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "audit", abstract: "Check the audit log.", subcommands: [Verify.self])

    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Walk the hash chain against the signed checkpoints; exit 1 naming every entry that was changed, removed or inserted.")
        @OptionGroup var store: StoreOptions

        func run() async throws {
            let config = try store.load()
            let result = try await withServices(config) { try await AuditCheckpoints(config: config).verify($0.audit) }
            guard result.isIntact else {
                throw CLIError("Audit log BROKEN in \(result.breaks.count) place(s):\n" + result.breaks.map { "  \($0)" }.joined(separator: "\n"))
            }
            let sealed = result.checkpointsChecked > 0
                ? "\(result.checkpointsChecked) signed checkpoints matched"
                : "no signed checkpoint yet, so entries removed from the end could not be detected"
            print("Audit log intact: \(result.entries) entries, every link verified; \(sealed).")
        }
    }
}
