import Foundation
import HTTPTypes
import NIOCore
import RTCCMedia

/// The live WebSocket's wire format.
///
/// Text messages are JSON objects with a `type`: `init` (the MIME type of the initialization segment that
/// follows), `health` (the camera link), `error` (a message the client sent was not understood).
/// Binary messages are a 32-byte header, then the media bytes: byte 0 the kind (1 initialization segment,
/// 2 fragment), byte 1 flags (bit 0: keyframe), bytes 8–15 the time the picture reached the server, 16–23 its
/// wall-clock time (both milliseconds since 1970 as little-endian doubles), 24–31 its presentation time on
/// the stream's media timeline in seconds (for an initialization segment: its version).
enum LiveWire {
    static let headerSize = 32

    static func binary(_ message: LiveMessage) -> ByteBuffer {
        switch message {
        case .initialization(let initialization):
            return frame(kind: 1, flags: 0, a: 0, b: 0, c: Double(initialization.version), payload: initialization.bytes)
        case .fragment(let fragment):
            return frame(
                kind: 2, flags: fragment.isKeyframe ? 1 : 0, a: fragment.receivedAt.timeIntervalSince1970 * 1000,
                b: fragment.wallClock.timeIntervalSince1970 * 1000, c: fragment.presentationSeconds, payload: fragment.bytes)
        }
    }

    private static func frame(kind: UInt8, flags: UInt8, a: Double, b: Double, c: Double, payload: [UInt8]) -> ByteBuffer {
        var buffer = ByteBufferAllocator().buffer(capacity: headerSize + payload.count)
        buffer.writeInteger(kind)
        buffer.writeInteger(flags)
        buffer.writeRepeatingByte(0, count: 6)
        for value in [a, b, c] { buffer.writeInteger(value.bitPattern, endianness: .little) }
        buffer.writeBytes(payload)
        return buffer
    }

    /// The `init` announcement before an initialization segment.
    struct Announcement: Encodable {
        var type = "init"
        var mime: String
        var codec: String
        var width: Int
        var height: Int
        var version: Int
    }

    /// The `health` message.
    struct Health: Encodable {
        var type = "health"
        var state: String
        var reason: String?
        var framesPerSecond: Double
        var lastFrameAt: Date?
    }

    /// The `error` message.
    struct Failure: Encodable {
        var type = "error"
        var message: String
    }

    /// A message the client may send.
    struct Command: Decodable {
        /// `ping` (answered with the current health) or `resync` (restart from the newest keyframe).
        var type: String
    }
}
