import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The networks the server may open connections to: cameras, detection services, the mail relay and node peers.
///
/// An address is allowed when it lies in one of ``allowed`` and in none of ``alwaysRefused``. Link-local addresses
/// (where cloud metadata services live), the metadata addresses themselves, unspecified, multicast and broadcast
/// addresses are refused even when a listed network covers them. Public addresses are refused unless listed.
/// A host name is allowed only when every address it resolves to is.
public struct NetworkPolicy: Sendable, Hashable, CustomStringConvertible {
    /// The networks connections may go to.
    public var allowed: [CIDRBlock]

    /// Loopback and the private ranges: `127.0.0.0/8`, `::1`, `10.0.0.0/8`, `172.16.0.0/12`, `192.168.0.0/16`,
    /// `100.64.0.0/10` (carrier-grade NAT, common on VPNs) and `fc00::/7`.
    public static let defaultNetworks = "127.0.0.0/8,::1/128,10.0.0.0/8,172.16.0.0/12,192.168.0.0/16,100.64.0.0/10,fc00::/7"

    /// Networks refused whatever the setting says: this-network, link-local (cloud metadata), the AWS IPv6 metadata
    /// address, multicast, broadcast and the unspecified IPv6 address.
    public static let alwaysRefused: [CIDRBlock] = [
        "0.0.0.0/8", "169.254.0.0/16", "224.0.0.0/4", "255.255.255.255/32", "::/128", "fe80::/10", "fd00:ec2::254/128", "ff00::/8",
    ].map { try! CIDRBlock(parsing: $0) }  // Literal, known-good networks.

    /// Host names of cloud metadata services, refused before they are resolved.
    public static let refusedHostNames: Set<String> = ["metadata.google.internal", "metadata.goog", "metadata", "instance-data", "instance-data.ec2.internal"]

    /// The default policy: ``defaultNetworks``.
    public static let `default` = try! NetworkPolicy(parsing: defaultNetworks)  // Literal, known-good list.

    /// A policy allowing `allowed`.
    public init(allowed: [CIDRBlock]) { self.allowed = allowed }

    /// Parses a comma-separated list of networks (`10.0.0.0/8, 192.168.1.0/24, fc00::/7`).
    public init(parsing text: String) throws(CIDRBlock.ParseError) {
        var blocks: [CIDRBlock] = []
        for part in text.split(separator: ",") where !part.trimmingCharacters(in: .whitespaces).isEmpty {
            blocks.append(try CIDRBlock(parsing: String(part)))
        }
        allowed = blocks
    }

    /// The setting's text form.
    public var description: String { allowed.map(\.description).joined(separator: ",") }

    /// Why `address` may not be connected to, or nil when it may.
    public func refusal(of address: IPAddress) -> String? {
        if let block = Self.alwaysRefused.first(where: { $0.contains(address) }) {
            return "\(address) is in \(block), which is never connected to (link-local, cloud metadata, multicast or unspecified)"
        }
        guard allowed.contains(where: { $0.contains(address) }) else {
            return "\(address) is outside the allowed outbound networks; add its network to outboundNetworks (RTCC_OUTBOUND_NETWORKS) if it is a trusted device"
        }
        return nil
    }

    /// Whether `address` may be connected to.
    public func allows(_ address: IPAddress) -> Bool { refusal(of: address) == nil }

    /// Checks a host that needs no look-up: a metadata host name or a literal address in ``alwaysRefused`` is refused
    /// whatever the setting, so that registration can refuse them without resolving anything.
    public static func alwaysRefusedReason(host: String) -> String? {
        let name = host.lowercased().trimmingCharacters(in: CharacterSet(charactersIn: "."))
        if refusedHostNames.contains(name) { return "\(host) is a cloud metadata service, which is never connected to" }
        guard let address = IPAddress(host), let block = alwaysRefused.first(where: { $0.contains(address) }) else { return nil }
        return "\(address) is in \(block), which is never connected to (link-local, cloud metadata, multicast or unspecified)"
    }

    /// Resolves `host` (a name or a literal address) and checks every address it resolves to.
    /// - Returns: the addresses, all allowed.
    /// - Throws: ``OutboundRefusal`` naming the host and the reason.
    public func check(host: String) throws(OutboundRefusal) -> [IPAddress] {
        if let reason = Self.alwaysRefusedReason(host: host) { throw OutboundRefusal(host: host, reason: reason) }
        let addresses: [IPAddress]
        if let literal = IPAddress(host) {
            addresses = [literal]
        } else {
            addresses = Self.resolve(host)
            guard !addresses.isEmpty else { throw OutboundRefusal(host: host, reason: "\(host) cannot be resolved") }
        }
        for address in addresses {
            if let reason = refusal(of: address) { throw OutboundRefusal(host: host, reason: reason) }
        }
        return addresses
    }

    /// Every address `host` resolves to (IPv4 and IPv6), or none when it does not resolve.
    public static func resolve(_ host: String) -> [IPAddress] {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        #if canImport(Darwin)
        hints.ai_socktype = SOCK_STREAM
        #else
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        #endif
        var list: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, nil, &hints, &list) == 0, let first = list else { return [] }
        defer { freeaddrinfo(first) }
        var found: [IPAddress] = []
        var cursor: UnsafeMutablePointer<addrinfo>? = first
        while let entry = cursor {
            if let socketAddress = entry.pointee.ai_addr {
                switch Int32(entry.pointee.ai_family) {
                case AF_INET:
                    var v4 = socketAddress.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { $0.pointee.sin_addr }
                    if let address = IPAddress(bytes: withUnsafeBytes(of: &v4) { Array($0) }) { found.append(address) }
                case AF_INET6:
                    var v6 = socketAddress.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { $0.pointee.sin6_addr }
                    if let address = IPAddress(bytes: withUnsafeBytes(of: &v6) { Array($0) }) { found.append(address) }
                default:
                    break
                }
            }
            cursor = entry.pointee.ai_next
        }
        var unique: [IPAddress] = []
        for address in found where !unique.contains(address) { unique.append(address) }
        return unique
    }
}

/// A connection the ``NetworkPolicy`` does not allow.
public struct OutboundRefusal: Error, Sendable, Hashable, CustomStringConvertible {
    /// The host asked for.
    public var host: String
    /// Why it is refused, with what to do.
    public var reason: String

    /// Creates a refusal.
    public init(host: String, reason: String) {
        self.host = host
        self.reason = reason
    }

    /// "connection to HOST refused: REASON".
    public var description: String { "connection to \(host) refused: \(reason)" }
}
