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
    func makePackets() -> any AsyncSequence<RTSPMediaPacket, any Error> & Sendable
}
