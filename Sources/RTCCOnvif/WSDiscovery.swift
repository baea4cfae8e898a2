import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// A device that answered a WS-Discovery probe.
public struct DiscoveredDevice: Sendable, Equatable, Codable {
    /// Its endpoint reference (`urn:uuid:…`), the same whichever address it answered on.
    public var endpoint: String
    /// Its device service addresses (XAddrs).
    public var addresses: [String]
    /// Its types, e.g. `dn:NetworkVideoTransmitter`.
    public var types: [String]
    /// Its scopes (`onvif://www.onvif.org/name/…`, `…/hardware/…`, `…/location/…`).
    public var scopes: [String]
    /// The name scope, decoded; nil when absent.
    public var name: String?
    /// The hardware (model) scope, decoded; nil when absent.
    public var hardware: String?
    /// The location scope, decoded; nil when absent.
    public var location: String?
    /// Where the answer came from (`host:port`).
    public var answeredFrom: String
}

/// WS-Discovery (2005/04, as ONVIF uses it): the probe for network video transmitters and the reading of matches.
public enum WSDiscovery {
    /// The multicast group and port probes go to.
    public static let multicastHost = "239.255.255.250"
    /// The WS-Discovery port.
    public static let port = 3702

    static let discoveryNamespace = "http://schemas.xmlsoap.org/ws/2005/04/discovery"
    static let addressingNamespace = "http://schemas.xmlsoap.org/ws/2004/08/addressing"

    /// A probe for ONVIF network video transmitters, with `messageID` (`urn:uuid:…`).
    public static func probe(messageID: String) -> String {
        """
        <?xml version="1.0" encoding="UTF-8"?>\
        <s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:a="\(addressingNamespace)" \
        xmlns:d="\(discoveryNamespace)" xmlns:dn="http://www.onvif.org/ver10/network/wsdl">\
        <s:Header><a:Action s:mustUnderstand="1">\(discoveryNamespace)/Probe</a:Action>\
        <a:MessageID>\(XMLText.escaped(messageID))</a:MessageID>\
        <a:ReplyTo><a:Address>\(addressingNamespace)/role/anonymous</a:Address></a:ReplyTo>\
        <a:To s:mustUnderstand="1">urn:schemas-xmlsoap-org:ws:2005:04:discovery</a:To></s:Header>\
        <s:Body><d:Probe><d:Types>dn:NetworkVideoTransmitter</d:Types></d:Probe></s:Body></s:Envelope>
        """
    }

    /// The devices in a `ProbeMatches` answer to the probe `messageID`; empty for anything else (another device's
    /// traffic on the group, an answer to another probe, or a datagram that is not a WS-Discovery message).
    public static func matches(_ data: Data, answering messageID: String, from sender: String) -> [DiscoveredDevice] {
        guard let envelope = XMLTree.parse(data), envelope.name == "Envelope", let body = envelope.first("Body") else { return [] }
        if let relatesTo = envelope.at("Header", "RelatesTo")?.trimmed, relatesTo != messageID { return [] }
        let matches = body.first("ProbeMatches")?.all("ProbeMatch") ?? body.all("ProbeMatch")
        return matches.compactMap { match in
            guard let endpoint = match.at("EndpointReference", "Address")?.trimmed else { return nil }
            let addresses = words(match.first("XAddrs"))
            guard !addresses.isEmpty else { return nil }
            let scopes = words(match.first("Scopes"))
            func scope(_ kind: String) -> String? {
                let prefix = "onvif://www.onvif.org/\(kind)/"
                return scopes.first { $0.lowercased().hasPrefix(prefix) }.map { String($0.dropFirst(prefix.count)).removingPercentEncoding ?? String($0.dropFirst(prefix.count)) }
            }
            return DiscoveredDevice(
                endpoint: endpoint, addresses: addresses, types: words(match.first("Types")), scopes: scopes, name: scope("name"),
                hardware: scope("hardware"), location: scope("location"), answeredFrom: sender)
        }
    }

    private static func words(_ element: XMLTreeElement?) -> [String] {
        (element?.text ?? "").split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" || $0 == "\r" }).map(String.init)
    }

    /// Why a probe could not be sent.
    public struct ProbeFailure: Error, CustomStringConvertible {
        /// In words.
        public var description: String
    }

    /// Sends one probe to the multicast group (unless `multicast` is false) and to each of `unicastHosts` (port 3702
    /// unless `host:port` is given), collects the answers for `seconds`, and returns each device once (by endpoint,
    /// with every address it gave). A probe that cannot be sent (no multicast route, an unresolvable host) is reported
    /// in `problems`, not thrown; only a machine that cannot open a UDP socket at all throws.
    public static func probe(
        seconds: Double, unicastHosts: [String] = [], multicast: Bool = true
    ) async throws(ProbeFailure) -> (devices: [DiscoveredDevice], problems: [String]) {
        let messageID = "urn:uuid:\(UUID().uuidString.lowercased())"
        let received = NIOLockedValueBox<[(Data, String)]>([])
        let channel: any Channel
        do {
            channel = try await DatagramBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .channelOption(.socketOption(.so_reuseaddr), value: 1)
                .channelOption(.recvAllocator, value: FixedSizeRecvByteBufferAllocator(capacity: 65_536))
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(Collector(received: received)) }
                }
                .bind(host: "0.0.0.0", port: 0).get()
        } catch {
            throw ProbeFailure(description: "no UDP socket for the probe: \(error)")
        }
        var problems: [String] = []
        var sent = 0
        var targets: [(String, Int)] = multicast ? [(multicastHost, port)] : []
        for host in unicastHosts {
            guard let target = Self.target(host) else {
                problems.append("\(host) is not a host or host:port")
                continue
            }
            targets.append(target)
        }
        let payload = ByteBuffer(string: probe(messageID: messageID))
        for (host, targetPort) in targets {
            do {
                let address = try SocketAddress.makeAddressResolvingHost(host, port: targetPort)
                try await channel.writeAndFlush(AddressedEnvelope(remoteAddress: address, data: payload)).get()
                sent += 1
            } catch {
                problems.append("the probe to \(host):\(targetPort) could not be sent: \(error)")
            }
        }
        guard sent > 0 else {
            // Nothing went out (no route for multicast, no unicast target): nothing can answer.
            try? await channel.close().get()
            return ([], problems)
        }
        try? await Task.sleep(for: .milliseconds(Int(seconds * 1000)))
        try? await channel.close().get()
        var devices: [DiscoveredDevice] = []
        for (data, sender) in received.withLockedValue({ $0 }) {
            for device in matches(data, answering: messageID, from: sender) {
                if let index = devices.firstIndex(where: { $0.endpoint == device.endpoint }) {
                    devices[index].addresses += device.addresses.filter { !devices[index].addresses.contains($0) }
                } else {
                    devices.append(device)
                }
            }
        }
        return (devices, problems)
    }

    /// `host` or `host:port` (an IPv6 literal in brackets).
    public static func target(_ text: String) -> (String, Int)? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty, let components = URLComponents(string: "udp://\(trimmed)"), let host = components.host, !host.isEmpty,
            components.path.isEmpty, components.query == nil, components.user == nil
        else { return nil }
        return (host.trimmingCharacters(in: CharacterSet(charactersIn: "[]")), components.port ?? port)
    }

    /// Keeps every datagram (at most 256, each at most 64 KiB) with its sender.
    final class Collector: ChannelInboundHandler, Sendable {
        typealias InboundIn = AddressedEnvelope<ByteBuffer>
        let received: NIOLockedValueBox<[(Data, String)]>

        init(received: NIOLockedValueBox<[(Data, String)]>) { self.received = received }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let envelope = unwrapInboundIn(data)
            let sender = "\(envelope.remoteAddress.ipAddress ?? "?"):\(envelope.remoteAddress.port ?? 0)"
            received.withLockedValue { list in
                if list.count < 256 { list.append((Data(envelope.data.readableBytesView), sender)) }
            }
        }
    }
}
