import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// An IPv4 or IPv6 address as its bytes (4 or 16). IPv4-mapped IPv6 addresses (`::ffff:a.b.c.d`) read as IPv4, so a
/// rule written for `169.254.0.0/16` also covers `::ffff:169.254.169.254`.
public struct IPAddress: Sendable, Hashable, CustomStringConvertible {
    /// The address bytes in network order: 4 for IPv4, 16 for IPv6.
    public let bytes: [UInt8]

    /// Whether this is an IPv4 address.
    public var isIPv4: Bool { bytes.count == 4 }

    /// Parses a literal address (`10.0.0.5`, `fe80::1`, `[::1]`); nil when `text` is not one (a host name, say).
    /// An IPv6 zone (`fe80::1%eth0`) is ignored.
    public init?(_ text: String) {
        var literal = text
        if literal.hasPrefix("["), literal.hasSuffix("]") { literal = String(literal.dropFirst().dropLast()) }
        if let percent = literal.firstIndex(of: "%") { literal = String(literal[..<percent]) }
        var v4 = in_addr()
        if inet_pton(AF_INET, literal, &v4) == 1 {
            self.init(bytes: withUnsafeBytes(of: &v4) { Array($0) })
            return
        }
        var v6 = in6_addr()
        guard literal.contains(":"), inet_pton(AF_INET6, literal, &v6) == 1 else { return nil }
        self.init(bytes: withUnsafeBytes(of: &v6) { Array($0) })
    }

    /// An address from 4 or 16 bytes; IPv4-mapped IPv6 bytes become IPv4.
    public init?(bytes: [UInt8]) {
        switch bytes.count {
        case 4: self.bytes = bytes
        case 16 where bytes[0..<10].allSatisfy({ $0 == 0 }) && bytes[10] == 0xFF && bytes[11] == 0xFF: self.bytes = Array(bytes[12...])
        case 16: self.bytes = bytes
        default: return nil
        }
    }

    /// The usual text form.
    public var description: String {
        if isIPv4 { return bytes.map(String.init).joined(separator: ".") }
        var v6 = in6_addr()
        withUnsafeMutableBytes(of: &v6) { $0.copyBytes(from: bytes) }
        var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        guard inet_ntop(AF_INET6, &v6, &text, socklen_t(text.count)) != nil else { return bytes.map { String($0, radix: 16) }.joined(separator: ".") }
        return String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

/// A network in CIDR notation (`10.0.0.0/8`, `fc00::/7`, or a single address with no prefix length).
public struct CIDRBlock: Sendable, Hashable, CustomStringConvertible {
    /// The network's first address.
    public let network: IPAddress
    /// The number of leading bits that must match.
    public let prefixLength: Int

    /// Why a CIDR could not be read.
    public struct ParseError: Error, Sendable, CustomStringConvertible {
        /// What is wrong and what is expected.
        public let description: String
    }

    /// Parses `address/length` or a bare address (a /32 or /128).
    public init(parsing text: String) throws(ParseError) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let parts = trimmed.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count <= 2, let address = IPAddress(String(parts[0])) else {
            throw ParseError(description: "'\(trimmed)' is not a network such as 10.0.0.0/8 or fc00::/7")
        }
        let maximum = address.bytes.count * 8
        let length: Int
        if parts.count == 2 {
            guard let value = Int(parts[1]), (0...maximum).contains(value) else {
                throw ParseError(description: "'\(trimmed)': the prefix length must be 0-\(maximum)")
            }
            length = value
        } else {
            length = maximum
        }
        self.network = address
        self.prefixLength = length
    }

    /// Whether `address` is inside this network (an IPv4 address is never inside an IPv6 network and the reverse).
    public func contains(_ address: IPAddress) -> Bool {
        guard address.bytes.count == network.bytes.count else { return false }
        var remaining = prefixLength
        for index in network.bytes.indices where remaining > 0 {
            let bits = min(8, remaining)
            let mask = UInt8(truncatingIfNeeded: 0xFF << (8 - bits))
            if address.bytes[index] & mask != network.bytes[index] & mask { return false }
            remaining -= bits
        }
        return true
    }

    /// `address/length`.
    public var description: String { "\(network)/\(prefixLength)" }
}
