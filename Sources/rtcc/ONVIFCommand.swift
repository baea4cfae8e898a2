import ArgumentParser
import Foundation
import RTCCCore
import RTCCOnvif

/// `rtcc onvif …`: find ONVIF cameras on the network and read what one offers, without the server.
struct ONVIFCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "onvif", abstract: "Find ONVIF cameras (WS-Discovery) and inspect one (profiles, stream URIs, PTZ, clock).",
        subcommands: [Discover.self, Inspect.self])

    /// `rtcc onvif discover`.
    struct Discover: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Probe for ONVIF cameras: multicast on the local network, and unicast to each --address.")

        @Option(help: "Seconds to wait for answers (0.2-30).") var seconds: Double = 3
        @Option(name: .customLong("address"), help: "Also probe this host or host:port directly (repeatable).") var addresses: [String] = []
        @Flag(help: "Do not send the multicast probe (only the --address ones).") var noMulticast = false
        @Flag(help: "Print JSON instead of a table.") var json = false

        func validate() throws {
            guard (0.2...30).contains(seconds) else { throw ValidationError("--seconds must be between 0.2 and 30") }
            for address in addresses where WSDiscovery.target(address) == nil { throw ValidationError("--address \(address) is not a host or host:port") }
            if noMulticast, addresses.isEmpty { throw ValidationError("give --address when --no-multicast is set") }
        }

        func run() async throws {
            let found: (devices: [DiscoveredDevice], problems: [String])
            do {
                found = try await WSDiscovery.probe(seconds: seconds, unicastHosts: addresses, multicast: !noMulticast)
            } catch {
                throw CLIError(error.description)
            }
            for problem in found.problems { FileHandle.standardError.write(Data("warning: \(problem)\n".utf8)) }
            if json {
                print(String(decoding: try JSONCoding.encoder.encode(found.devices), as: UTF8.self))
                return
            }
            if found.devices.isEmpty {
                print("No ONVIF device answered within \(seconds) s.")
                return
            }
            print("NAME".padding(toLength: 24, withPad: " ", startingAt: 0) + "MODEL".padding(toLength: 20, withPad: " ", startingAt: 0) + "ADDRESS")
            for device in found.devices {
                print((device.name ?? "?").padding(toLength: 24, withPad: " ", startingAt: 0) + (device.hardware ?? "?").padding(toLength: 20, withPad: " ", startingAt: 0)
                    + device.addresses.joined(separator: " "))
            }
        }
    }

    /// `rtcc onvif inspect URL`.
    struct Inspect: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Read a device's identity, clock, profiles (codec, resolution, fps, bitrate), stream and snapshot URIs, PTZ and events.",
            discussion: "The password is read from RTCC_ONVIF_PASSWORD, never from the command line.")

        @Argument(help: "The device service URL (http://host/onvif/device_service) or host[:port].") var address: String
        @Option(help: "The user name.") var user: String?
        @Option(help: "Seconds allowed per request.") var timeout: Int = 8
        @Flag(help: "Print JSON instead of text.") var json = false

        func run() async throws {
            guard let full = ONVIFDevice.serviceAddress(address) else {
                throw CLIError("\(address) is not host, host:port or an http(s):// URL without credentials")
            }
            let password = ProcessInfo.processInfo.environment["RTCC_ONVIF_PASSWORD"]
            if user != nil, password == nil { throw CLIError("set RTCC_ONVIF_PASSWORD to the password of \(user ?? "")") }
            let device = ONVIFDevice(
                address: full, credentials: user.map { ONVIFCredentials(username: $0, password: password ?? "") }, timeout: .seconds(timeout))
            let report: DeviceReport
            do {
                report = try await device.inspect()
            } catch {
                throw CLIError("\(full): \(error.description)")
            }
            if json {
                print(String(decoding: try JSONCoding.encoder.encode(report), as: UTF8.self))
                return
            }
            let info = report.information
            print("\(info.manufacturer) \(info.model), firmware \(info.firmwareVersion), serial \(info.serialNumber)")
            print("clock: \(report.clockOffsetSeconds >= 0 ? "+" : "")\(Int(report.clockOffsetSeconds)) s against this machine")
            print("PTZ: \(report.ptz ? "yes" : "no"); events: \(report.events ? "yes" : "no")")
            for stream in report.streams {
                let p = stream.profile
                print("profile \(p.token) (\(p.name)): \(p.encoding ?? "?") \(p.width ?? 0)x\(p.height ?? 0) \(p.framesPerSecond ?? 0) fps \(p.bitrateKbps ?? 0) kbit/s")
                print("  stream   \(StreamURL.redacted(stream.streamURI))")
                print("  snapshot \(stream.snapshotURI.map(StreamURL.redacted) ?? "none (\(stream.snapshotProblem ?? "?"))")")
            }
        }
    }
}
