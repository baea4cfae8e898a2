import NIOCore

/// One packet a media source hands to the server.
public struct RTSPMediaPacket: Sendable, Equatable {
    /// The track: the index of the `m=` section in the source's description.
    public var track: Int
    /// Whether the bytes are RTCP rather than RTP.
    public var isRTCP: Bool
    /// A whole RTP (or RTCP) packet.
    public var bytes: ByteBuffer

    /// Creates a packet.
    public init(track: Int, isRTCP: Bool = false, bytes: ByteBuffer) {
        self.track = track
        self.isRTCP = isRTCP
        self.bytes = bytes
    }
}

/// What an ``RTSPServer`` path serves: a description and, per viewer, a sequence of packets.
///
/// Live sources should buffer per viewer with a bounded policy so a slow viewer cannot hold up others.
public protocol RTSPMediaSource: Sendable {
    /// The session description; `a=control` lines are set by the server (one per `m=` section).
    var sessionDescription: SessionDescription { get }

    /// The packets for one new viewer, starting where a decoder can start (e.g. at an IDR).
    ///
    /// Throwing ``RTSPMediaSourceError/closeConnection`` from the sequence makes the server close the viewer's connection.
    func makePackets() -> any AsyncSequence<RTSPMediaPacket, any Error> & Sendable

    /// The same packets in the groups the source produces them, one picture's packets at a time say: the server
    /// writes each group to a TCP viewer with one flush, as a camera sends a picture in one burst. By default each
    /// packet of ``makePackets()`` is a group of its own.
    func makePacketGroups() -> any AsyncSequence<[RTSPMediaPacket], any Error> & Sendable

    /// Whether new sessions are accepted; while `false` the server answers DESCRIBE, SETUP and PLAY with 503.
    var isAvailable: Bool { get }
}

extension RTSPMediaSource {
    /// Sources are available unless they say otherwise.
    public var isAvailable: Bool { true }

    /// Each packet of ``makePackets()`` as a group of one.
    public func makePacketGroups() -> any AsyncSequence<[RTSPMediaPacket], any Error> & Sendable {
        RTSPSinglePacketGroups(packets: makePackets())
    }
}

/// A packet sequence seen as groups of one packet each.
struct RTSPSinglePacketGroups: AsyncSequence, Sendable {
    let packets: any AsyncSequence<RTSPMediaPacket, any Error> & Sendable

    struct AsyncIterator: AsyncIteratorProtocol {
        var packets: any AsyncIteratorProtocol<RTSPMediaPacket, any Error>

        mutating func next() async throws -> [RTSPMediaPacket]? {
            try await packets.next().map { [$0] }
        }
    }

    func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(packets: packets.makeAsyncIterator())
    }
}

/// What a media source can ask of the server by throwing from its packet sequence.
public enum RTSPMediaSourceError: Error, Sendable, Equatable {
    /// Close the viewer's RTSP connection, as a camera that drops its clients does.
    case closeConnection
}

/// Packet groups seen as one packet after another.
struct RTSPFlattenedPacketGroups<Groups: AsyncSequence & Sendable>: AsyncSequence, Sendable where Groups.Element == [RTSPMediaPacket] {
    let groups: Groups

    struct AsyncIterator: AsyncIteratorProtocol {
        var groups: Groups.AsyncIterator
        var pending: ArraySlice<RTSPMediaPacket> = []

        mutating func next() async throws -> RTSPMediaPacket? {
            while pending.isEmpty {
                guard let group = try await groups.next() else { return nil }
                pending = group[...]
            }
            return pending.popFirst()
        }
    }

    func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(groups: groups.makeAsyncIterator())
    }
}
