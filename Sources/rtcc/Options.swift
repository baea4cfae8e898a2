import ArgumentParser
import Foundation
import Logging
import RTCCServer
import RTCCStore

/// Options shared by every command that opens the data store.
struct StoreOptions: ParsableArguments {
    @Option(name: .long, help: "A JSON file of settings (see the README).")
    var config: String?

    @Option(name: .long, help: "Data directory for the SQLite file, keys and recordings (default ./data).")
    var data: String?

    @Option(name: .long, help: "Database: a postgres://user:pass@host:port/db URL or a SQLite file path (default <data>/rtcc.sqlite).")
    var database: String?

    /// Reads the configuration: defaults, file, environment, flags.
    func load(defaultData: String = "./data") throws -> AppConfig {
        var config = AppConfig()
        config.dataDirectory = defaultData
        do {
            if let file = config_ { try config.apply(file: file) }
            try config.apply(environment: ProcessInfo.processInfo.environment)
            if let data { try config.set("dataDirectory", data, from: "--data") }
            if let database { try config.set("database", database, from: "--database") }
        } catch {
            throw ValidationError(error.description)
        }
        return config
    }

    private var config_: String? { config }
}

/// Opens services for a one-off command, runs `body`, and closes the store.
func withServices<T: Sendable>(_ config: AppConfig, _ body: (AppServices) async throws -> T) async throws -> T {
    var logger = Logger(label: "rtcc")
    logger.logLevel = .warning
    let services: AppServices
    do {
        services = try await openServices(config: config, logger: logger)
    } catch {
        throw CLIError("cannot open the database \(config.resolvedDatabase): \(error)")
    }
    do {
        let before = try await services.audit.head()
        let result = try await body(services)
        // A command that added audit entries seals them with a signed checkpoint, as the server does every minute.
        if try await services.audit.head()?.sequence != before?.sequence {
            do {
                try await AuditCheckpoints(config: config).write(services.audit)
            } catch {
                FileHandle.standardError.write(Data("warning: the audit checkpoint could not be written: \(error)\n".utf8))
            }
        }
        await services.store.shutdown()
        return result
    } catch {
        await services.store.shutdown()
        throw error
    }
}

/// A failure reported to the user as one line on standard error, with exit status 1.
struct CLIError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Writes a line to standard output at once (unbuffered), for announcements read by scripts through a pipe.
func say(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}
